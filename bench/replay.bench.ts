/**
 * Replay benchmark (`npm run bench:replay`, issue 5): loads valid person histories through
 * PostgresEventStore.appendToStream, then measures verifyStore over the whole store and
 * ProjectionRebuilder.rebuild (restart, into shadow tables, compared row by row with the live read
 * models) for the persons and the audit-log projections. Figures and their interpretation: BENCHMARKS.md.
 *
 * Env: BENCH_PERSONS (50,000), BENCH_YEARS (4), BENCH_EMPLOYEE_PERCENT (5), BENCH_WRITERS (4),
 * BENCH_APPEND_BATCH (100), BENCH_SEED (1). The defaults give ≈ 10 events a person, the ratio of the
 * issue's 1,000,000 persons / 10,000,000 events. DATABASE_URL: run in a fresh database on that server;
 * EMBEDDED_PG_SETTINGS: else the throw-away server's settings, as for the service.
 * BENCH_ONLY=verify stops after the verify figure (load + verify only), to measure verify without
 * waiting for the live read models and the rebuilds. BENCH_VACUUM=0 skips the VACUUM ANALYZE after the
 * load: a store that has been running for a while has been vacuumed, while the first full read of
 * freshly loaded rows also writes their hint bits, which is load cost, not verify cost.
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import { PostgresEventStore, verifyStore } from '@ledger/event-store';
import { ProjectionRebuilder } from '@ledger/read-models';
import { FEATURE_PROJECTIONS } from '../apps/api/src/features';
import { cleanUpOnSignal, openBenchDatabase, vacuumAnalyze, type BenchDatabase } from './support/database';
import { loadHistories } from './support/history-loader';
import { catchUp, readModelDataSource } from './support/history-projections';
import { clock, envInt, figure, formatFigure, int, msSince, now, rss, table, type Figure } from './support/stats';

const settings = {
  persons: envInt('BENCH_PERSONS', 50_000),
  years: envInt('BENCH_YEARS', 4),
  employeePercent: envInt('BENCH_EMPLOYEE_PERCENT', 5),
  writers: envInt('BENCH_WRITERS', 4),
  appendBatch: envInt('BENCH_APPEND_BATCH', 100),
  seed: envInt('BENCH_SEED', 1),
  only: process.env.BENCH_ONLY ?? '',
  vacuum: process.env.BENCH_VACUUM !== '0',
};
if (!['', 'verify'].includes(settings.only)) throw new Error(`BENCH_ONLY=${settings.only}: expected verify or nothing`);

/** The issue's two read models; the service's other projections are left out of this benchmark. */
const REBUILT = ['persons', 'audit-log'];
const GOAL_VERIFY = 200_000;
const GOAL_REBUILD = 50_000;
const figures: Figure[] = [];

function record(f: Figure): Figure {
  figures.push(f);
  console.log(formatFigure(f));
  return f;
}

async function main(): Promise<void> {
  const rssStart = rss();
  console.log(
    `bench:replay ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), RSS at start ${rssStart}`,
  );
  console.log(`settings: ${JSON.stringify(settings)}`);
  const opened: { db?: BenchDatabase } = {};
  cleanUpOnSignal(async () => opened.db?.release());

  const db = (opened.db = await openBenchDatabase((m) => console.log(`  ${m}`)));
  const store = new PostgresEventStore({ connectionString: db.url });
  try {
    console.log(`database: ${db.description}`);
    await store.migrate();

    const loadClock = clock();
    const loaded = await loadHistories(store, settings, (line) => console.log(line));
    record(
      figure(
        `load: ${int(loaded.persons)} persons (${(loaded.events / loaded.persons).toFixed(1)} events each) via appendToStream`,
        loaded.events,
        'events',
        loadClock,
      ),
    );
    const head = await store.headPosition();
    if (settings.vacuum) {
      const vacuumClock = clock();
      await vacuumAnalyze(db.url, 'ledger_events');
      console.log(`  VACUUM ANALYZE ledger_events: ${(msSince(vacuumClock.start) / 1000).toFixed(1)} s (not measured)`);
    }

    let lastLog = now();
    const verifyClock = clock();
    const verified = await verifyStore(store, {
      onProgress: (count) => {
        if (msSince(lastLog) < 10_000) return;
        lastLog = now();
        console.log(`  verify: ${int(count)} events, ${int((count * 1000) / msSince(verifyClock.start))} events/s, RSS ${rss()}`);
      },
    });
    const verify = record(figure('verifyStore (recompute both hash links of every event, and hold the keys)', verified.verified, 'events', verifyClock));
    if (!verified.ok || verified.verified !== head) throw new Error(`verify did not pass over all ${head} events: ${JSON.stringify(verified)}`);
    console.log(`  chain holds; head ${verified.headPosition} hash ${verified.headHash}; ${int(verified.reservations?.checked ?? 0)} keys agree`);
    // This store's writes take no keys, so this is the key check's pass over the events alone.
    const keysClock = clock();
    await store.checkReservations();
    console.log(`  of which the key check alone: ${(msSince(keysClock.start) / 1000).toFixed(2)} s (measured again after verify)`);
    if (settings.only === 'verify') {
      console.log(`\n${table(figures)}`);
      console.log(`\nratio to the goal: verify ${(verify.perSecond / GOAL_VERIFY).toFixed(2)} × ${int(GOAL_VERIFY)} events/s`);
      return;
    }

    // The rebuilder compares with the live read models, so they are built first, as the service would have them.
    const projections = FEATURE_PROJECTIONS().filter((p) => REBUILT.includes(p.name));
    const live = await readModelDataSource(db.url, projections);
    try {
      const caught = await catchUp(store, live, projections, head, (line) => console.log(line));
      record(figure(`live ${REBUILT.join(' + ')} from scratch (ProjectionManager, side by side)`, head, 'events', caught.started));
      for (const [name, seconds] of Object.entries(caught.perProjection)) console.log(`  ${name} reached the head after ${seconds.toFixed(1)} s`);

      const rebuilder = new ProjectionRebuilder(store, live, db.url);
      const rebuilds: Array<{ name: string; figure: Figure; compareSeconds: number }> = [];
      for (const projection of projections) {
        let followedAt = 0n;
        let progressLog = now();
        const rebuildClock = clock();
        const result = await rebuilder.rebuild(projection, {
          restart: true,
          onProgress: (p) => {
            if (p.position >= p.target) followedAt = now();
            else if (msSince(progressLog) >= 10_000) {
              progressLog = now();
              console.log(`  rebuild ${p.projection}: ${int(p.position)} / ${int(p.target)}, ${int(p.eventsPerSecond)} events/s, RSS ${rss()}`);
            }
          },
        });
        const totalMs = msSince(rebuildClock.start);
        const compareSeconds = Number(now() - followedAt) / 1e9;
        const replayed = result.position - result.fromPosition;
        const f: Figure = { ...figure(`rebuild ${projection.name} (restart, shadow tables)`, replayed, 'events', rebuildClock) };
        f.seconds = totalMs / 1000 - compareSeconds;
        f.perSecond = replayed / f.seconds;
        record(f);
        console.log(
          `  ${projection.name}: comparison with the live tables ${compareSeconds.toFixed(1)} s, differences ${JSON.stringify(result.differences)}; whole rebuild() ${result.seconds.toFixed(1)} s`,
        );
        if (result.differences.length) throw new Error(`rebuild of ${projection.name} differs from the live read model`);
        rebuilds.push({ name: projection.name, figure: f, compareSeconds });
      }

      console.log(`\n${table(figures)}`);
      console.log('\n(rebuild rows: replay to the head only; the row-by-row comparison is printed apart.)');
      console.log(
        `\nratios to the goals: verify ${(verify.perSecond / GOAL_VERIFY).toFixed(2)} × ${int(GOAL_VERIFY)} events/s; ${rebuilds.map((r) => `rebuild ${r.name} ${(r.figure.perSecond / GOAL_REBUILD).toFixed(2)} × ${int(GOAL_REBUILD)} events/s (+ ${r.compareSeconds.toFixed(1)} s comparison)`).join('; ')}`,
      );
      console.log(`RSS at start ${rssStart}, at end ${rss()}`);
    } finally {
      await live.destroy();
    }
  } finally {
    await store.close();
    await db.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
