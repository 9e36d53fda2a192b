import 'reflect-metadata';
import { ProjectionManager } from '@ledger/read-models';
import { Command } from 'commander';
import { STAFF_ROLES, type StaffRole } from './auth/api-token.entity';
import { TokenService } from './auth/token.service';
import { withLedger } from './with-ledger';
import { CLI_COMMANDS } from './cli-commands';

const program = new Command('ledger').description('Operator commands for the coverage ledger');

program
  .command('token:create')
  .description('create a bearer token for a clerk or an auditor; the token is printed once')
  .requiredOption('--role <role>', `one of ${STAFF_ROLES.join(', ')}`)
  .requiredOption('--name <name>', 'whose token it is')
  .option('--json', 'print { "id", "token" } as JSON')
  .action(async (options: { role: string; name: string; json?: boolean }) => {
    if (!STAFF_ROLES.includes(options.role as StaffRole)) throw new Error(`--role must be one of ${STAFF_ROLES.join(', ')}`);
    const created = await withLedger((app) => app.get(TokenService).create(options.role as StaffRole, options.name));
    console.log(
      options.json ? JSON.stringify(created) : `token ${created.id} for ${options.name} (${options.role}):\n  ${created.token}\nIt is not stored; keep it now.`,
    );
  });

program
  .command('token:list')
  .description('list tokens (never their secrets)')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => {
    const tokens = await withLedger((app) => app.get(TokenService).list());
    const rows = tokens.map((t) => ({
      id: t.id,
      name: t.name,
      role: t.role,
      createdAt: t.createdAt.toISOString(),
      revokedAt: t.revokedAt?.toISOString() ?? null,
    }));
    if (options.json) console.log(JSON.stringify(rows));
    else console.table(rows);
  });

program
  .command('token:revoke <id>')
  .description('revoke a token at once')
  .action(async (id: string) => {
    const revoked = await withLedger((app) => app.get(TokenService).revoke(id));
    if (!revoked) throw new Error(`no active token ${id}`);
    console.log(`revoked ${id}`);
  });

program
  .command('projections:reset [names...]')
  .description('empty read models and their checkpoints; the service rebuilds them from position 0 on its next start')
  .action(async (names: string[]) => {
    await withLedger(async (app) => {
      const manager = app.get(ProjectionManager);
      await manager.reset(names);
      console.log(`reset ${names.length ? names.join(', ') : manager.runners.map((r) => r.projection.name).join(', ') || '(no projections)'}`);
    });
  });

for (const register of CLI_COMMANDS) register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
