/**
 * Agency intake benchmark (`npm run bench:ingest`): signed batches of payments posted over HTTP to the real service
 * (same process, its own throw-away embedded PostgreSQL with the service's settings), measured as payments accepted
 * per second (responses received) and projected per second (until every read model has caught up), with the RSS of
 * the process over the run; beside it, COPY of the same rows into a plain table as the ceiling of the database.
 *
 * BENCH_PAYMENTS (1,000,000), BENCH_BATCH (1,000 rows a request), BENCH_CLIENTS (4 requests in flight);
 * PROJECTION_BATCH_SIZE is passed to the service as it is. With --expose-gc (as the npm script runs it), each tenth of
 * the run also forces a full garbage collection and reports the live heap, which tells retained memory from the garbage
 * that RSS also counts; BENCH_LIVE_HEAP=0 skips those collections.
 * At the end, verifyStore over what the run left (hash chain and payment keys), and the key check alone.
 * DATABASE_URL: run in a fresh database on that server instead; EMBEDDED_PG_SETTINGS: the throw-away server's
 * settings, as for the service. Figures and their reading: BENCHMARKS.md.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { INestApplication } from '@nestjs/common';
import { EVENT_STORE, verifyStore, type EventStore } from '@ledger/event-store';
import { ProjectionManager } from '@ledger/read-models';
import { Client } from 'pg';
import { AgencyRegistry } from '../apps/api/src/agency/agency-registry';
import { agencySignatureHeaders } from '../apps/api/src/agency/signing';
import { loadConfig } from '../apps/api/src/config/app-config';
import { createApp } from '../apps/api/src/create-app';
import { openBenchDatabase, type BenchDatabase } from './support/database';
import { seedPersons } from './support/ingest-persons';
import { INGEST_MONTHS, ingestRow } from './support/ingest-rows';
import { clock, envInt, figure, formatFigure, int, msSince, now, table, type Figure } from './support/stats';

const settings = {
  payments: envInt('BENCH_PAYMENTS', 1_000_000),
  batch: envInt('BENCH_BATCH', 1_000),
  clients: envInt('BENCH_CLIENTS', 4),
};
const GOAL = 10_000;
const run = randomUUID().slice(0, 8);
const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
const forceGc = process.env.BENCH_LIVE_HEAP !== '0' && typeof global.gc === 'function' ? global.gc : undefined;

/** Heap still reachable after a full collection: what the process retains, as opposed to what it has not collected yet. */
function liveHeapMib(): number | undefined {
  if (!forceGc) return undefined;
  forceGc();
  return mib(process.memoryUsage().heapUsed);
}

async function main(): Promise<void> {
  console.log(`bench:ingest ${JSON.stringify(settings)} on ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}, Node ${process.version}`);
  // A key for this run only: the service would otherwise create DATA_DIR/agency-secret.key in the working folder.
  process.env.AGENCY_SECRET_KEY = randomBytes(32).toString('hex');
  let db: BenchDatabase | undefined;
  let app: INestApplication | undefined;
  try {
    db = await openBenchDatabase((m) => console.log(m));
    const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', PORT: '0', PROJECTION_BATCH_SIZE: process.env.PROJECTION_BATCH_SIZE });
    app = await createApp({ config, databaseUrl: db.url });
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();
    const store = app.get<EventStore>(EVENT_STORE);
    const projections = app.get(ProjectionManager);
    const agency = await app.get(AgencyRegistry).create('bench agency', '410000');

    const personCount = Math.ceil(settings.payments / INGEST_MONTHS.length);
    const seedClock = clock();
    const persons = await seedPersons(store, personCount, { namespace: 80, scheme: 'employee', regionCode: '410327', enrolledOn: '2025-01-01' });
    await projections.waitFor(await store.headPosition(), 30 * 60_000);
    console.log(formatFigure(figure('seed persons (claim + register + enroll, through the port) and project them', personCount, 'persons', seedClock)));

    const figures: Figure[] = [];
    const rss: Array<{ at: number; mib: number }> = [];
    const started = now();
    const sampler = setInterval(() => rss.push({ at: msSince(started) / 1000, mib: mib(process.memoryUsage().rss) }), 1000);
    rss.push({ at: 0, mib: mib(process.memoryUsage().rss) });
    const liveHeap: number[] = [];
    const startHeap = liveHeapMib();
    if (startHeap !== undefined) liveHeap.push(startHeap);
    const batches = Math.ceil(settings.payments / settings.batch);
    const latencies: number[] = [];
    const outcomes: Record<string, number> = {};
    let next = 0;
    let done = 0;
    const intake = clock();
    const serverCpuAtStart = db.serverCpuSeconds();
    const client = async () => {
      for (let b = next++; b < batches; b = next++) {
        const rows = [];
        for (let i = b * settings.batch; i < Math.min(settings.payments, (b + 1) * settings.batch); i++) rows.push(ingestRow(run, persons, i));
        const body = JSON.stringify({ payments: rows });
        const sent = now();
        const res = await fetch(`${base}/v1/agency/payments`, {
          method: 'POST',
          headers: { ...agencySignatureHeaders(agency.id, agency.secret, body), 'Content-Type': 'application/json' },
          body,
        });
        const answer = (await res.json()) as { summary?: Record<string, number>; code?: string };
        if (!res.ok || !answer.summary) throw new Error(`batch ${b}: HTTP ${res.status} ${answer.code ?? ''}`);
        latencies.push(msSince(sent));
        for (const [k, v] of Object.entries(answer.summary)) outcomes[k] = (outcomes[k] ?? 0) + v;
        if (++done % Math.max(1, Math.floor(batches / 10)) === 0) {
          const rate = int(((outcomes.accepted ?? 0) * 1000) / msSince(intake.start));
          const rssNow = mib(process.memoryUsage().rss);
          const live = liveHeapMib();
          if (live !== undefined) liveHeap.push(live);
          console.log(
            `  ${int(done * settings.batch)} posted, ${rate} accepted/s, RSS ${rssNow} MiB${live === undefined ? '' : `, live heap after a full GC ${live} MiB`}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: settings.clients }, client));
    figures.push(
      figure(`accepted over HTTP (${settings.batch}/request, ${settings.clients} in flight, signed)`, outcomes.accepted ?? 0, 'payments', intake, latencies),
    );
    console.log(formatFigure(figures[0]!), JSON.stringify(outcomes));
    await projections.waitFor(await store.headPosition(), 60 * 60_000);
    figures.push(figure('projected (every read model caught up), from the first request', outcomes.accepted ?? 0, 'payments', intake));
    console.log(formatFigure(figures[1]!));
    const cpuSplit = cpuPerPayment(figures[1]!, serverCpuAtStart, db.serverCpuSeconds());
    clearInterval(sampler);
    rss.push({ at: msSince(started) / 1000, mib: mib(process.memoryUsage().rss) });

    figures.push(await copyCeiling(db.url, persons));
    console.log(formatFigure(figures[2]!));

    // What the run leaves for the auditors: the whole chain, and a key per payment held against the event recording it.
    const verifyClock = clock();
    const verified = await verifyStore(store);
    if (!verified.ok) throw new Error(`verify failed after the run: ${JSON.stringify(verified)}`);
    figures.push(
      figure(`verify after the run: hash chain, and ${int(verified.reservations?.checked ?? 0)} payment keys`, verified.verified, 'events', verifyClock),
    );
    console.log(formatFigure(figures[3]!));
    const keysClock = clock();
    const keys = await store.checkReservations();
    figures.push(figure('of which the payment keys alone (checkReservations)', keys.checked, 'keys', keysClock));
    console.log(formatFigure(figures[4]!));

    console.log('\n' + table(figures));
    const pick = (share: number) => rss[Math.min(rss.length - 1, Math.floor(share * (rss.length - 1)))]!.mib;
    console.log(
      `\nRSS (service and client in one process): start ${rss[0]!.mib} MiB, 25% ${pick(0.25)}, 50% ${pick(0.5)}, 75% ${pick(0.75)}, end ${rss[rss.length - 1]!.mib} MiB, max ${Math.max(...rss.map((r) => r.mib))} MiB`,
    );
    if (liveHeap.length) console.log(`live heap after a full GC, at start and every tenth of the run: ${liveHeap.join(', ')} MiB`);
    if (cpuSplit) console.log(cpuSplit);
    const accepted = figures[0]!.perSecond;
    console.log(
      `goal ≥ ${int(GOAL)} payments/s end to end: ${accepted >= GOAL ? 'met' : 'NOT met'} (accepted ${int(accepted)}/s, projected ${int(figures[1]!.perSecond)}/s, COPY ${int(figures[2]!.perSecond)}/s)`,
    );
  } finally {
    await app?.close();
    await db?.release();
  }
}

/**
 * The CPU each payment took, from the first request until the read models caught up: this process (the service and
 * its client, kernel time of its sockets included) and the embedded PostgreSQL (all its processes). What a rate on
 * this machine's cores allows follows from their sum.
 */
function cpuPerPayment(projected: Figure, serverStart: number | undefined, serverEnd: number | undefined): string | undefined {
  if (projected.count === 0) return undefined;
  const micros = (seconds: number) => int((seconds * 1e6) / projected.count);
  const ownSeconds = projected.clientCpu * projected.seconds;
  const own = `this process ${micros(ownSeconds)} µs a payment (${int(100 * projected.clientCpu)} % of a core)`;
  if (serverStart === undefined || serverEnd === undefined) return `CPU while posting and projecting: ${own}; PostgreSQL not measured (DATABASE_URL)`;
  const server = serverEnd - serverStart;
  return (
    `CPU while posting and projecting: ${own}, PostgreSQL ${micros(server)} µs a payment (${int((100 * server) / projected.seconds)} % of a core); ` +
    `together ${micros(ownSeconds + server)} µs, which on ${cpus().length} cores allows at most ${int((cpus().length * projected.count) / (ownSeconds + server))} payments/s`
  );
}

/** The same rows as CSV, loaded with one server-side COPY into a plain table with a unique reference: what the disk and PostgreSQL allow at most. */
async function copyCeiling(url: string, persons: Parameters<typeof ingestRow>[1]): Promise<Figure> {
  const file = join(tmpdir(), `ingest-copy-${run}.csv`);
  const out = createWriteStream(file, { mode: 0o644 });
  for (let i = 0; i < settings.payments; i++) {
    const r = ingestRow(`${run}c`, persons, i);
    if (!out.write(`${r.reference},${r.idNumber},${r.name},${r.scheme},${r.regionCode},${r.coverageMonth},${r.amountFen},${r.paidAt}\n`))
      await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE copy_payments (reference text PRIMARY KEY, id_number text NOT NULL, name text NOT NULL, scheme text NOT NULL,
      region_code text NOT NULL, coverage_month text NOT NULL, amount_fen bigint NOT NULL, paid_at timestamptz NOT NULL)`);
    const started = clock();
    await client.query(`COPY copy_payments FROM '${file}' WITH (FORMAT csv)`);
    return figure('ceiling: COPY of the same rows into a plain table (server-side file)', settings.payments, 'payments', started);
  } finally {
    await client.end();
    rmSync(file, { force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
