import type { Command } from 'commander';
import { withLedger } from '../with-ledger';
import { AgencyRegistry, DEFAULT_ROTATION_OVERLAP_MINUTES } from './agency-registry';

export function registerAgencyCommands(program: Command): void {
  program
    .command('agency:create')
    .description('create a collection agency; its secret is printed once')
    .requiredOption('--name <name>', 'the agency name')
    .requiredOption('--regions <codes>', 'comma-separated 6-digit region codes it may collect for (a province code covers its cities and counties)')
    .option('--json', 'print { "id", "secret" } as JSON')
    .action(async (options: { name: string; regions: string; json?: boolean }) => {
      const created = await withLedger((app) => app.get(AgencyRegistry).create(options.name, options.regions));
      console.log(
        options.json
          ? JSON.stringify(created)
          : `agency ${created.id} (${options.name}):\n  secret ${created.secret}\nIt is shown only now; give it to the agency over a safe channel.`,
      );
    });

  program
    .command('agency:rotate <id>')
    .description('give an agency a new secret; the old one keeps working for the overlap only')
    .option('--overlap-minutes <n>', 'how long the old secret stays valid', String(DEFAULT_ROTATION_OVERLAP_MINUTES))
    .option('--json', 'print { "id", "secret", "previousValidUntil" } as JSON')
    .action(async (id: string, options: { overlapMinutes: string; json?: boolean }) => {
      const rotated = await withLedger((app) => app.get(AgencyRegistry).rotate(id, Number(options.overlapMinutes)));
      console.log(
        options.json
          ? JSON.stringify(rotated)
          : `agency ${id}: new secret ${rotated.secret}\nThe previous secret stops working at ${rotated.previousValidUntil}.`,
      );
    });

  program
    .command('agency:list')
    .description('list agencies and their regions (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const agencies = await withLedger((app) => app.get(AgencyRegistry).list());
      const rows = agencies.map((a) => ({ id: a.id, name: a.name, regions: a.regions.join(','), registeredAt: a.registeredAt, rotatedAt: a.rotatedAt }));
      if (options.json) console.log(JSON.stringify(rows));
      else console.table(rows);
    });
}
