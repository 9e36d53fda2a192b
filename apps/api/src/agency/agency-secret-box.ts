import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** An agency secret encrypted with AES-256-GCM; the agency id is the associated data, so a sealed secret cannot be moved to another agency. */
export interface SealedSecret {
  v: 1;
  iv: string;
  tag: string;
  ct: string;
}

export const AGENCY_KEY_FILE = 'agency-secret.key';

/**
 * The key comes from AGENCY_SECRET_KEY (32 bytes as 64 hex characters or base64), or else from
 * DATA_DIR/agency-secret.key, generated on first use with mode 600. HMAC verification needs the
 * agency's secret itself, so it is stored encrypted, not hashed.
 */
export function loadAgencyKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  const raw = env.AGENCY_SECRET_KEY?.trim();
  if (raw) return parseKey(raw, 'AGENCY_SECRET_KEY');
  const file = join(dataDir, AGENCY_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      // wx: two processes starting together must not both write a key.
      writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return parseKey(readFileSync(file, 'utf8').trim(), file);
}

function parseKey(raw: string, source: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new Error(`${source}: the agency secret key must be 32 bytes (64 hex characters or base64)`);
  return key;
}

export class AgencySecretBox {
  private key?: Buffer;

  /** Lazy: services that never see an agency do not create a key file. */
  constructor(private readonly keySource: () => Buffer) {}

  private get secretKey(): Buffer {
    this.key ??= this.keySource();
    return this.key;
  }

  seal(secret: string, agencyId: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.secretKey, iv);
    cipher.setAAD(Buffer.from(agencyId));
    const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
  }

  open(sealed: SealedSecret, agencyId: string): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.secretKey, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(agencyId));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
  }
}
