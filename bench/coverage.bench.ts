/**
 * Coverage benchmark (`npm run bench:coverage`, issue 3): loads valid 10-year person histories through
 * PostgresEventStore.appendToStream, projects them from scratch with the service's projections, then
 * serves GET /v1/persons/{id}/coverage from the real HTTP app: 1,000 req/s started evenly (open loop, the
 * goal's figure), the same rate as autocannon's per-second bursts, then autocannon as fast as it answers.
 * Figures and their interpretation: BENCHMARKS.md.
 *
 * Env: BENCH_PERSONS (100,000), BENCH_YEARS (10), BENCH_EMPLOYEE_PERCENT (35), BENCH_WRITERS (4),
 * BENCH_APPEND_BATCH (100), BENCH_RATE (1,000), BENCH_SECONDS (20), BENCH_MAX_SECONDS (10),
 * BENCH_CONNECTIONS (32), BENCH_SEED (1). DATABASE_URL: run in a fresh database on that server; EMBEDDED_PG_SETTINGS:
 * else the throw-away server's settings, as for the service. BENCH_VACUUM=0 skips the VACUUM ANALYZE and CHECKPOINT
 * between the projection and the reads: without them, autovacuum and the checkpoint of the 3.5 GB just written may run
 * while the reads are measured.
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import type { INestApplication } from '@nestjs/common';
import { chinaToday, coverageAsOf, personStreamId, replayPerson } from '@ledger/domain';
import { PostgresEventStore } from '@ledger/event-store';
import { TokenService } from '../apps/api/src/auth/token.service';
import { loadConfig } from '../apps/api/src/config/app-config';
import { createApp } from '../apps/api/src/create-app';
import { FEATURE_PROJECTIONS } from '../apps/api/src/features';
import { toPersonHistory } from '../apps/api/src/persons/person-command';
import { cleanUpOnSignal, openBenchDatabase, vacuumAnalyze, type BenchDatabase } from './support/database';
import { formatPauses, watchPauses } from './support/pause-watch';
import { runCoverageLoad, type CoverageLoadResult } from './support/history-http-load';
import { loadHistories } from './support/history-loader';
import { catchUp, readModelDataSource } from './support/history-projections';
import { clock, envInt, int, msSince, rss } from './support/stats';

const settings = {
  persons: envInt('BENCH_PERSONS', 100_000),
  years: envInt('BENCH_YEARS', 10),
  employeePercent: envInt('BENCH_EMPLOYEE_PERCENT', 35),
  writers: envInt('BENCH_WRITERS', 4),
  appendBatch: envInt('BENCH_APPEND_BATCH', 100),
  rate: envInt('BENCH_RATE', 1_000),
  seconds: envInt('BENCH_SECONDS', 20),
  maxSeconds: envInt('BENCH_MAX_SECONDS', 10),
  connections: envInt('BENCH_CONNECTIONS', 32),
  seed: envInt('BENCH_SEED', 1),
  vacuum: process.env.BENCH_VACUUM !== '0',
};

const GOAL_PROJECTION = 50_000;
const GOAL_P99_MS = 20;
const rows: Array<[string, string]> = [];

function report(name: string, value: string): void {
  rows.push([name, value]);
  console.log(`${name}: ${value}`);
}

const latency = (r: CoverageLoadResult) =>
  `${int(r.requests)} requests in ${r.seconds.toFixed(0)} s = ${int(r.requestsPerSecond)} req/s; p50 ${r.p50Ms} ms, p90 ${r.p90Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms; non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}` +
  (r.generator
    ? `; generator started requests late by p99 ${r.generator.lateP99Ms} ms, max ${r.generator.lateMaxMs} ms (the slowest 1 % at most ${r.generator.slowestLateMs} ms)`
    : '');

/** The answers under load must be the right ones: a few persons recomputed from their streams by the domain. */
async function checkAnswers(store: PostgresEventStore, url: string, token: string, personIds: string[], asOf: string): Promise<void> {
  for (const personId of personIds.slice(0, 20)) {
    const response = await fetch(`${url}/v1/persons/${personId}/coverage?asOf=${asOf}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`GET coverage of ${personId}: HTTP ${response.status}`);
    const expected = coverageAsOf(replayPerson(toPersonHistory(await store.readStream(personStreamId(personId)))), asOf);
    if (JSON.stringify(await response.json()) !== JSON.stringify(expected)) throw new Error(`GET coverage of ${personId} differs from the domain's answer`);
  }
}

async function main(): Promise<void> {
  const rssStart = rss();
  console.log(
    `bench:coverage ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), RSS at start ${rssStart}`,
  );
  console.log(`settings: ${JSON.stringify(settings)}`);
  const opened: { db?: BenchDatabase; app?: INestApplication } = {};
  cleanUpOnSignal(async () => {
    await opened.app?.close().catch(() => undefined);
    await opened.db?.release();
  });

  const db = (opened.db = await openBenchDatabase((m) => console.log(`  ${m}`)));
  const store = new PostgresEventStore({ connectionString: db.url });
  try {
    console.log(`database: ${db.description}`);
    await store.migrate();

    const loaded = await loadHistories(store, settings, (line) => console.log(line));
    report(
      'load (generate + appendToStream)',
      `${int(loaded.persons)} persons, ${int(loaded.events)} events (${(loaded.events / loaded.persons).toFixed(1)} a person) in ${loaded.appends.toLocaleString('en-US')} appends, ${loaded.seconds.toFixed(1)} s = ${int(loaded.events / loaded.seconds)} events/s (generator ${loaded.generateSeconds.toFixed(1)} s of it)`,
    );
    const head = await store.headPosition();

    const projections = FEATURE_PROJECTIONS();
    const dataSource = await readModelDataSource(db.url, projections);
    const caught = await catchUp(store, dataSource, projections, head, (line) => console.log(line));
    await dataSource.destroy();
    const perProjection = Object.entries(caught.perProjection)
      .map(([name, s]) => `${name} ${s.toFixed(1)} s (${int(head / s)} events/s)`)
      .join(', ');
    report(
      'projection from scratch (all FEATURE_PROJECTIONS side by side)',
      `${int(head)} events in ${caught.seconds.toFixed(1)} s = ${int(head / caught.seconds)} events/s; ${perProjection}`,
    );

    if (settings.vacuum) {
      const vacuumClock = clock();
      const { checkpointed } = await vacuumAnalyze(db.url, undefined, { checkpoint: true });
      console.log(
        `  VACUUM ANALYZE${checkpointed ? ' and CHECKPOINT' : ' (CHECKPOINT not allowed)'}: ${(msSince(vacuumClock.start) / 1000).toFixed(1)} s (not measured)`,
      );
    }

    const app = (opened.app = await createApp({ config: loadConfig({ LOG_LEVEL: 'silent', DEMO_CREDENTIALS: 'false' }), databaseUrl: db.url }));
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const { token } = await app.get(TokenService).create('clerk', 'bench clerk');
    const today = chinaToday();
    const asOfFrom = `${Number(today.slice(0, 4)) - settings.years + 1}-01-01`;
    await checkAnswers(store, url, token, loaded.personIds, today);
    console.log(`  HTTP app on ${url}; 20 coverage answers checked against the domain; asOf drawn from ${asOfFrom}..${today}`);
    const load = { url, token, personIds: loaded.personIds, asOfFrom, asOfTo: today, connections: settings.connections };

    await runCoverageLoad({ ...load, seconds: 5, rate: { perSecond: Math.ceil(settings.rate / 2), mode: 'paced' } });
    console.log('  warm-up: 5 s at half the rate (not measured)');
    const pauses = watchPauses();
    const fixed = await runCoverageLoad({ ...load, seconds: settings.seconds, rate: { perSecond: settings.rate, mode: 'paced' } });
    report(
      `GET coverage, ${int(settings.rate)} req/s started evenly (open loop, up to ${settings.connections} connections)`,
      `${latency(fixed)}; ${formatPauses(pauses.stop())}`,
    );
    const bursts = await runCoverageLoad({ ...load, seconds: settings.seconds, rate: { perSecond: settings.rate, mode: 'bursts' } });
    report(`GET coverage, autocannon overallRate ${int(settings.rate)} (per-second bursts, ${settings.connections} connections)`, latency(bursts));
    const max = await runCoverageLoad({ ...load, seconds: settings.maxSeconds });
    report(`GET coverage, max throughput (${settings.connections} connections)`, latency(max));

    console.log('\n| measurement | figure |\n|---|---|');
    for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
    console.log(
      `\nratios to the goals: projection ${(head / caught.seconds / GOAL_PROJECTION).toFixed(2)} × ${int(GOAL_PROJECTION)} events/s; p99 at ${int(settings.rate)} req/s ${fixed.p99Ms} ms vs ≤ ${GOAL_P99_MS} ms (${(fixed.p99Ms / GOAL_P99_MS).toFixed(2)} × the limit); errors ${fixed.errors + fixed.non2xx + bursts.errors + bursts.non2xx + max.errors + max.non2xx}`,
    );
    console.log(`RSS at start ${rssStart}, at end ${rss()}`);
  } finally {
    await opened.app?.close().catch((error: unknown) => console.error(`closing the app: ${String(error)}`));
    await store.close();
    await db.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
