import { SingleBar, Presets } from 'cli-progress';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ProjectionRebuilder, RebuildInterrupted, type Projection, type RebuildProgress } from '@ledger/read-models';
import type { Command } from 'commander';
import { DataSource } from 'typeorm';
import { PROJECTIONS } from '../projections/projection.registry';
import { withLedger } from '../with-ledger';
import { AuditService, verifySummary } from './audit.service';

/** A bar with events/s and time left on a terminal; a plain line every few seconds in logs. */
function progressReporter(): { update(p: RebuildProgress): void; stop(): void } {
  if (process.stdout.isTTY) {
    const bar = new SingleBar(
      { format: '{projection} |{bar}| {value}/{total} events | {rate} events/s | ETA {eta_formatted}', hideCursor: true },
      Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (!started) bar.start(Math.max(p.target, 1), p.position, { projection: p.projection, rate: 0 });
        started = true;
        bar.setTotal(Math.max(p.target, 1));
        bar.update(p.position, { projection: p.projection, rate: Math.round(p.eventsPerSecond) });
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = 0;
  return {
    update(p) {
      if (Date.now() - last < 5000 && p.position < p.target) return;
      last = Date.now();
      const left = p.eventsPerSecond > 0 ? Math.round((p.target - p.position) / p.eventsPerSecond) : null;
      console.log(
        `${p.projection}: ${p.position}/${p.target} events, ${Math.round(p.eventsPerSecond)} events/s${left === null ? '' : `, about ${left} s left`}`,
      );
    },
    stop: () => undefined,
  };
}

export function registerAuditCommands(program: Command): void {
  program
    .command('verify')
    .description(
      'recompute every hash link of the event store and hold the payment keys against the events: "verified N events, head hash H; K payment keys agree" or the first break',
    )
    .option('--anchor <position:hash...>', 'head hashes published earlier that the chain must still reach')
    .option('--json', 'print the report as JSON')
    .action(async (options: { anchor?: string[]; json?: boolean }) => {
      const anchors = (options.anchor ?? []).map((a) => {
        const [position, hash] = a.split(':');
        if (!/^\d+$/.test(position ?? '') || !/^[0-9a-f]{64}$/.test(hash ?? '')) throw new Error(`--anchor ${a} must be <position>:<64 hex characters>`);
        return { position: Number(position), hash };
      });
      const report = await withLedger((app) => app.get(AuditService).verify(anchors));
      if (options.json) console.log(JSON.stringify(report));
      else if (report.ok) console.log(`${verifySummary(report)} (anchor: ${report.headPosition}:${report.headHash})`);
      else console.log(`BROKEN: ${verifySummary(report)}`);
      if (!report.ok) process.exitCode = 3;
    });

  program
    .command('rebuild [projections...]')
    .description('rebuild read models from position 0 into shadow tables, compare them row by row with the live ones, and swap only with --swap')
    .option('--swap', 'replace the live tables with the rebuilt ones')
    .option('--restart', 'start over instead of resuming an interrupted rebuild')
    .action(async (names: string[], options: { swap?: boolean; restart?: boolean }) => {
      await withLedger(async (app, databaseUrl) => {
        const all = app.get<Projection[]>(PROJECTIONS);
        const chosen = names.length
          ? names.map((n) => all.find((p) => p.name === n) ?? fail(`unknown projection ${n}; known: ${all.map((p) => p.name).join(', ')}`))
          : all;
        const rebuilder = new ProjectionRebuilder(app.get<EventStore>(EVENT_STORE), app.get(DataSource), databaseUrl);
        const controller = new AbortController();
        process.once('SIGINT', () => controller.abort());
        let differences = 0;
        for (const projection of chosen) {
          const progress = progressReporter();
          try {
            const report = await rebuilder.rebuild(projection, {
              swap: options.swap,
              restart: options.restart,
              signal: controller.signal,
              onProgress: (p) => progress.update(p),
            });
            progress.stop();
            const rate = report.seconds > 0 ? Math.round((report.position - report.fromPosition) / report.seconds) : 0;
            console.log(`${projection.name}: rebuilt to position ${report.position} in ${report.seconds.toFixed(1)} s (${rate} events/s)`);
            for (const d of report.differences) {
              differences++;
              console.log(`  DIFFERS ${d.table}: ${d.onlyLive} rows only in live, ${d.onlyRebuilt} only in rebuilt`);
              for (const row of d.samples.live) console.log(`    live:    ${JSON.stringify(row).slice(0, 300)}`);
              for (const row of d.samples.rebuilt) console.log(`    rebuilt: ${JSON.stringify(row).slice(0, 300)}`);
            }
            if (!report.differences.length) console.log('  no differences');
            if (report.swapped) console.log('  swapped: the rebuilt tables are live; the old ones are kept in schema retired_*');
          } catch (error) {
            progress.stop();
            if (error instanceof RebuildInterrupted) {
              console.log(error.message);
              process.exitCode = 130;
              return;
            }
            throw error;
          }
        }
        if (differences) process.exitCode = 4;
      });
    });
}

function fail(message: string): never {
  throw new Error(message);
}
