import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { withLedger } from '../with-ledger';
import { LapseJob } from './lapse-job';
import { checkPeriodEnd } from './lapses.controller';
import { ProjectionManager } from '@ledger/read-models';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';

export function registerLapseCommands(program: Command): void {
  program
    .command('lapses:run')
    .description('append a lapse (断保) for every person whose next period was not paid; running it twice appends nothing new')
    .requiredOption('--period-end <date>', 'a month end, e.g. 2025-12-31')
    .option('--json', 'print the result as JSON')
    .action(async (options: { periodEnd: string; json?: boolean }) => {
      checkPeriodEnd(options.periodEnd);
      const result = await withLedger(async (app) => {
        // The job reads person_view: bring it up to date first, then keep it running for read-your-writes.
        const projections = app.get(ProjectionManager);
        await projections.start();
        await projections.waitFor(await app.get<EventStore>(EVENT_STORE).headPosition(), 600_000);
        return app
          .get(LapseJob)
          .run(options.periodEnd, { actor: { kind: 'staff', id: 'cli', name: 'operator CLI', role: 'clerk' }, correlationId: randomUUID() });
      });
      console.log(
        options.json
          ? JSON.stringify(result)
          : `period end ${result.periodEnd}: ${result.personsScanned} persons scanned, ${result.lapsesRecorded} lapses recorded`,
      );
    });
}
