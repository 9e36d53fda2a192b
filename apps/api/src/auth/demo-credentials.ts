import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createDemoAgency } from '../agency/demo-agency';
import type { AppConfig } from '../config/app-config';
import { TokenService } from './token.service';

/**
 * On the first start of an empty embedded ledger, creates a demo clerk and auditor and keeps their
 * tokens in DATA_DIR/demo-credentials.json (mode 600), so later starts can show them again.
 */
export async function printDemoCredentials(app: INestApplication, config: AppConfig): Promise<void> {
  const file = join(config.dataDir, 'demo-credentials.json');
  const tokens = app.get(TokenService);
  if (!existsSync(file)) {
    if ((await tokens.count()) > 0) return;
    const clerk = await tokens.create('clerk', 'demo clerk');
    const auditor = await tokens.create('auditor', 'demo auditor');
    const agency = await createDemoAgency(app);
    writeFileSync(file, JSON.stringify({ clerk: clerk.token, auditor: auditor.token, agency }, null, 2));
    chmodSync(file, 0o600);
  }
  const { agency, ...saved } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string> & { agency?: { id: string; secret: string } };
  console.log(`demo credentials (from ${file}):`);
  for (const [role, token] of Object.entries(saved)) console.log(`  ${role.padEnd(8)} Authorization: Bearer ${token}`);
  if (agency) console.log(`  agency   X-Agency-Id: ${agency.id}  secret: ${agency.secret}  (X-Signature = hex HMAC-SHA256 of X-Timestamp + "." + body)`);
}
