import type { INestApplicationContext } from '@nestjs/common';
import { AgencyRegistry } from './agency-registry';

/** The demo agency of a fresh embedded ledger: it may collect in the regions the shipped policy catalogue configures. */
export function createDemoAgency(app: INestApplicationContext): Promise<{ id: string; secret: string }> {
  return app.get(AgencyRegistry).create('demo collection agency', ['150000', '410000', '450000'], 'system:demo-credentials');
}
