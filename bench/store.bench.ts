/**
 * Event-store benchmark (`npm run bench:store`): appends (single, batched, concurrent) and catch-up reads on
 * PostgresEventStore, against the ceiling of plain INSERT / SELECT on an equivalent table without the
 * ledger_append() function, its advisory lock or triggers. Figures and their interpretation: BENCHMARKS.md.
 *
 * Counts are overridable: BENCH_SINGLE, BENCH_SINGLE_STREAMS, BENCH_BATCH_CALLS, BENCH_BATCH_SIZE, BENCH_CONCURRENT,
 * BENCH_WRITERS, BENCH_CONCURRENT_STREAMS, BENCH_EVENTS, BENCH_PAGE, BENCH_WARMUP; BENCH_VACUUM=0 skips the
 * VACUUM ANALYZE before the reads. DATABASE_URL: run in a fresh database (or schema) on that server;
 * EMBEDDED_PG_SETTINGS: else the throw-away server's settings, as for the service.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { Pool } from 'pg';
import { PostgresEventStore, type ExpectedRevision, type NewEvent } from '@ledger/event-store';
import { cleanUpOnSignal, openBenchDatabase, type BenchDatabase } from './support/database';
import { contributionEvent, dataBytes } from './support/events';
import { clock, envInt, figure, formatFigure, int, msSince, now, rss, Stopwatch, table, type Figure } from './support/stats';

const settings = {
  single: envInt('BENCH_SINGLE', 5_000),
  singleStreams: envInt('BENCH_SINGLE_STREAMS', 500),
  batchCalls: envInt('BENCH_BATCH_CALLS', 1_000),
  batchSize: envInt('BENCH_BATCH_SIZE', 100),
  concurrent: envInt('BENCH_CONCURRENT', 10_000),
  writers: envInt('BENCH_WRITERS', 8),
  concurrentStreams: envInt('BENCH_CONCURRENT_STREAMS', 1_000),
  events: envInt('BENCH_EVENTS', 1_000_000),
  page: envInt('BENCH_PAGE', 5_000),
  warmup: envInt('BENCH_WARMUP', 200),
  vacuum: process.env.BENCH_VACUUM !== '0',
};

const GOAL_BATCH_RATIO = 0.5;
const GOAL_CATCH_UP = 100_000;
const run = randomUUID().slice(0, 8);
const figures: Figure[] = [];
let serial = 0;

function record(f: Figure): Figure {
  figures.push(f);
  console.log(formatFigure(f));
  return f;
}

const events = (n: number): NewEvent[] => Array.from({ length: n }, () => contributionEvent(serial++));

/** The plain table: same columns and indexes as ledger_events, no triggers, written without any function. */
const PLAIN_SCHEMA = `
CREATE TABLE plain_events (
  position     bigint      PRIMARY KEY,
  event_id     uuid        NOT NULL UNIQUE,
  stream_name  text        NOT NULL,
  revision     bigint      NOT NULL,
  type         text        NOT NULL,
  data         jsonb       NOT NULL,
  metadata     jsonb       NOT NULL,
  recorded_at  timestamptz NOT NULL,
  CONSTRAINT plain_events_stream_revision UNIQUE (stream_name, revision)
)`;
const PLAIN_COLUMNS = 'position, event_id, stream_name, revision, type, data, metadata, recorded_at';
const PLAIN_UNNEST = `INSERT INTO plain_events (${PLAIN_COLUMNS})
  SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::jsonb[], $7::jsonb[], $8::timestamptz[])`;
const PLAIN_SINGLE = `INSERT INTO plain_events (${PLAIN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

class PlainWriter {
  private position = 0;
  constructor(private readonly pool: Pool) {}

  async insertOne(streamName: string, revision: number, e: NewEvent): Promise<void> {
    const recordedAt = new Date().toISOString();
    await this.pool.query({
      name: 'plain-single',
      text: PLAIN_SINGLE,
      values: [++this.position, e.eventId, streamName, revision, e.type, JSON.stringify(e.data), JSON.stringify({ ...e.metadata, recordedAt }), recordedAt],
    });
  }

  /** One multi-row INSERT for a batch of one stream: `unnest` of 8 parameter arrays, or `VALUES` with 8 parameters a row. */
  async insertMany(form: 'unnest' | 'values', streamName: string, firstRevision: number, batch: NewEvent[]): Promise<void> {
    const recordedAt = new Date().toISOString();
    const rows = batch.map((e, i) => [
      ++this.position,
      e.eventId,
      streamName,
      firstRevision + i,
      e.type,
      JSON.stringify(e.data),
      JSON.stringify({ ...e.metadata, recordedAt }),
      recordedAt,
    ]);
    // Named (prepared once per connection), as the plpgsql function's plans are cached too.
    if (form === 'unnest') {
      await this.pool.query({ name: 'plain-unnest', text: PLAIN_UNNEST, values: Array.from({ length: 8 }, (_, c) => rows.map((r) => r[c])) });
    } else {
      await this.pool.query({ name: `plain-values-${rows.length}`, text: valuesStatement(rows.length), values: rows.flat() });
    }
  }
}

const valuesStatements = new Map<number, string>();
function valuesStatement(rowCount: number): string {
  let sql = valuesStatements.get(rowCount);
  if (!sql) {
    const tuples = Array.from({ length: rowCount }, (_, r) => `(${Array.from({ length: 8 }, (_, c) => `$${r * 8 + c + 1}`).join(', ')})`);
    sql = `INSERT INTO plain_events (${PLAIN_COLUMNS}) VALUES ${tuples.join(', ')}`;
    valuesStatements.set(rowCount, sql);
  }
  return sql;
}

/** `calls` appends of `size` events, round-robin over `streams` streams, exact expected revision. */
async function batchedAppends(store: PostgresEventStore, prefix: string, calls: number, size: number, streams: number) {
  const revisions = new Array<number>(streams).fill(-1);
  for (let i = 0; i < calls; i++) {
    const s = i % streams;
    const expectedRevision: ExpectedRevision = revisions[s] < 0 ? 'no_stream' : revisions[s];
    const result = await store.appendToStream(`${prefix}-${s}`, events(size), { expectedRevision });
    revisions[s] = result.nextExpectedRevision;
  }
}

async function plainBatches(plain: PlainWriter, form: 'unnest' | 'values', prefix: string, calls: number, size: number, streams: number) {
  const revisions = new Array<number>(streams).fill(0);
  for (let i = 0; i < calls; i++) {
    const s = i % streams;
    await plain.insertMany(form, `${prefix}-${s}`, revisions[s], events(size));
    revisions[s] += size;
  }
}

/** Appends one event to a stream after `current` (undefined: new stream); resolves to the stream's new revision. */
type AppendOne = (streamName: string, current: number | undefined) => Promise<number>;

const storeAppendOne =
  (store: PostgresEventStore): AppendOne =>
  async (streamName, current) =>
    (await store.appendToStream(streamName, events(1), { expectedRevision: current === undefined ? 'no_stream' : current })).nextExpectedRevision;

const plainAppendOne =
  (plain: PlainWriter): AppendOne =>
  async (streamName, current) => {
    const revision = current === undefined ? 0 : current + 1;
    await plain.insertOne(streamName, revision, events(1)[0]);
    return revision;
  };

/** Stream revisions of one workload, kept across its interleaved rounds (stream index → current revision). */
type Revisions = Map<number, number>;

/** One writer, one event per call, round-robin over `streams` streams, always with the exact expected revision. */
async function sequentialAppends(append: AppendOne, prefix: string, count: number, streams: number, revisions: Revisions, latencies?: number[]) {
  for (let i = 0; i < count; i++) {
    const s = i % streams;
    const t = now();
    const revision = await append(`${prefix}-${s}`, revisions.get(s));
    latencies?.push(msSince(t));
    revisions.set(s, revision);
  }
}

/** `writers` concurrent loops; writer w owns the streams s with s % writers === w, so exact revisions never conflict. */
async function concurrentAppends(
  append: AppendOne,
  prefix: string,
  total: number,
  writers: number,
  streams: number,
  revisions: Revisions,
  latencies?: number[],
) {
  const perWriter = Math.ceil(total / writers);
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const own = Array.from({ length: Math.ceil((streams - w) / writers) }, (_, k) => w + k * writers);
      for (let i = 0; i < perWriter && w * perWriter + i < total; i++) {
        const s = own[i % own.length];
        const t = now();
        const revision = await append(`${prefix}-${s}`, revisions.get(s));
        latencies?.push(msSince(t));
        revisions.set(s, revision);
      }
    }),
  );
}

interface Contender {
  watch: Stopwatch;
  latencies: number[];
  /** Runs `count` more operations of the workload, pushing latencies. */
  round(count: number, latencies: number[]): Promise<void>;
}

const contender = (round: Contender['round']): Contender => ({ watch: new Stopwatch(), latencies: [], round });

/** Runs `total` operations for each contender, alternating in `rounds` rounds so that other load on the machine hits all alike. */
async function interleave(total: number, rounds: number, contenders: Contender[]): Promise<void> {
  const per = Math.ceil(total / rounds);
  for (let done = 0; done < total; done += per) {
    for (const c of contenders) {
      c.watch.start();
      await c.round(Math.min(per, total - done), c.latencies);
      c.watch.stop();
    }
  }
}

async function main(): Promise<void> {
  const rssStart = rss();
  console.log(
    `bench:store ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), RSS at start ${rssStart}`,
  );
  console.log(`settings: ${JSON.stringify(settings)}; event data ≈ ${dataBytes()} bytes JSON`);
  const opened: { db?: BenchDatabase } = {};
  cleanUpOnSignal(async () => opened.db?.release());

  const db = (opened.db = await openBenchDatabase((m) => console.log(`  ${m}`)));
  const store = new PostgresEventStore({ connectionString: db.url });
  const pool = new Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => undefined); // idle connections are terminated when the server stops
  try {
    console.log(`database: ${db.description}`);
    await store.migrate();
    await pool.query(PLAIN_SCHEMA);
    const server = await pool.query<{ v: string; sc: string; fs: string; wsm: string; sb: string }>(
      `SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fs,
              current_setting('wal_sync_method') AS wsm, current_setting('shared_buffers') AS sb`,
    );
    const s = server.rows[0];
    console.log(`PostgreSQL ${s.v}: synchronous_commit=${s.sc}, fsync=${s.fs}, wal_sync_method=${s.wsm}, shared_buffers=${s.sb}\n`);
    const plain = new PlainWriter(pool);

    // 1. Single-event appends, one writer, and 5a. the plain single-row INSERT, interleaved in ten rounds.
    await sequentialAppends(storeAppendOne(store), `warm-single-${run}`, settings.warmup, 50, new Map());
    await sequentialAppends(plainAppendOne(plain), `warm-plain-single-${run}`, settings.warmup, 50, new Map());
    const singleRevisions: Revisions = new Map();
    const plainSingleRevisions: Revisions = new Map();
    const singles = [
      contender((n, l) => sequentialAppends(storeAppendOne(store), `single-${run}`, n, settings.singleStreams, singleRevisions, l)),
      contender((n, l) => sequentialAppends(plainAppendOne(plain), `plain-single-${run}`, n, settings.singleStreams, plainSingleRevisions, l)),
    ];
    await interleave(settings.single, 10, singles);
    const single = record(figure('1. single append (1 writer, exact revision)', settings.single, 'appends', singles[0].watch, singles[0].latencies));
    const plainSingle = record(figure('5a. plain single-row INSERT (1 writer)', settings.single, 'rows', singles[1].watch, singles[1].latencies));

    // 2. Batched appends.
    await batchedAppends(store, `warm-batch-${run}`, 10, settings.batchSize, 5);
    let t = clock();
    await batchedAppends(store, `batch-${run}`, settings.batchCalls, settings.batchSize, Math.max(1, Math.floor(settings.batchCalls / 10)));
    const batched = record(
      figure(`2. batched append (${settings.batchSize}/call, ${int(settings.batchCalls)} calls)`, settings.batchCalls * settings.batchSize, 'events', t),
    );

    // 3. Concurrent single-event appends and 5d. the plain single-row INSERT with as many writers, interleaved in five rounds.
    await concurrentAppends(storeAppendOne(store), `warm-conc-${run}`, settings.warmup, settings.writers, 100, new Map());
    await concurrentAppends(plainAppendOne(plain), `warm-plain-conc-${run}`, settings.warmup, settings.writers, 100, new Map());
    const concurrentRevisions: Revisions = new Map();
    const plainConcurrentRevisions: Revisions = new Map();
    const concurrents = [
      contender((n, l) => concurrentAppends(storeAppendOne(store), `conc-${run}`, n, settings.writers, settings.concurrentStreams, concurrentRevisions, l)),
      contender((n, l) =>
        concurrentAppends(plainAppendOne(plain), `plain-conc-${run}`, n, settings.writers, settings.concurrentStreams, plainConcurrentRevisions, l),
      ),
    ];
    await interleave(settings.concurrent, 5, concurrents);
    const concurrentName = `3. concurrent append (${settings.writers} writers, ${int(settings.concurrentStreams)} streams)`;
    const concurrent = record(figure(concurrentName, settings.concurrent, 'appends', concurrents[0].watch, concurrents[0].latencies));
    const plainConcurrent = record(
      figure(
        `5d. plain single-row INSERT (${settings.writers} concurrent writers)`,
        settings.concurrent,
        'rows',
        concurrents[1].watch,
        concurrents[1].latencies,
      ),
    );

    // 4a. Load the catch-up corpus through the store and 5b. the same rows through plain multi-row INSERTs, interleaved in
    // ten chunks so that other work on the machine weighs on both alike; the plain chunks alternate between two forms of
    // the INSERT (unnest of arrays, VALUES list) and the faster form is the ceiling.
    const loadCalls = Math.ceil(settings.events / settings.batchSize);
    const chunkCalls = Math.ceil(loadCalls / 10);
    const storeWatch = new Stopwatch();
    const plainWatch = { unnest: new Stopwatch(), values: new Stopwatch() };
    const plainRows = { unnest: 0, values: 0 };
    const walBytes = { store: 0, unnest: 0, values: 0 };
    const walLsn = async () => (await pool.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn;
    const walSince = async (lsn: string) =>
      Number((await pool.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1) AS bytes', [lsn])).rows[0].bytes);
    for (const form of ['unnest', 'values'] as const) await plainBatches(plain, form, `warm-plain-${form}-${run}`, 10, settings.batchSize, 5);
    for (let chunk = 0, done = 0; done < loadCalls; chunk++) {
      const calls = Math.min(chunkCalls, loadCalls - done);
      const rows = calls * settings.batchSize;
      let lsn = await walLsn();
      storeWatch.start();
      await batchedAppends(store, `load-${run}-${chunk}`, calls, settings.batchSize, calls);
      const storeMs = storeWatch.stop();
      walBytes.store += await walSince(lsn);
      const form = chunk % 2 === 0 ? 'unnest' : 'values';
      lsn = await walLsn();
      plainWatch[form].start();
      await plainBatches(plain, form, `plain-load-${run}-${chunk}`, calls, settings.batchSize, calls);
      const plainMs = plainWatch[form].stop();
      walBytes[form] += await walSince(lsn);
      plainRows[form] += rows;
      done += calls;
      console.log(
        `  load ${Math.round((done * 100) / loadCalls)}%: store ${int((rows * 1000) / storeMs)} events/s, plain ${form} ${int((rows * 1000) / plainMs)} rows/s, RSS ${rss()}`,
      );
    }
    const storeLoad = record(
      figure(`4a. load via appendToStream (${settings.batchSize}/call, new stream each)`, loadCalls * settings.batchSize, 'events', storeWatch),
    );
    const plainLoads = (['unnest', 'values'] as const)
      .filter((form) => plainRows[form] > 0)
      .map((form) => record(figure(`5b. plain multi-row INSERT (${form}, ${settings.batchSize}/statement)`, plainRows[form], 'rows', plainWatch[form])));
    const plainLoad = plainLoads.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const perRow = (bytes: number, rows: number) => (rows ? `${int(bytes / rows)} B` : '—');
    console.log(
      `  WAL written per event: store ${perRow(walBytes.store, loadCalls * settings.batchSize)}, plain unnest ${perRow(walBytes.unnest, plainRows.unnest)}, plain values ${perRow(walBytes.values, plainRows.values)}`,
    );

    if (settings.vacuum) {
      t = clock();
      await pool.query('VACUUM ANALYZE ledger_events');
      await pool.query('VACUUM ANALYZE plain_events');
      console.log(`  VACUUM ANALYZE of both tables: ${(msSince(t.start) / 1000).toFixed(1)} s (not measured)`);
    }
    const head = await store.headPosition();
    const toRead = Math.min(settings.events, head);

    // 4b. Catch-up subscription from position 0.
    for await (const e of store.subscribeToAll({ fromPosition: 0 })) if (e.position >= settings.page) break; // warm-up
    let read = 0;
    t = clock();
    const subscription = store.subscribeToAll({ fromPosition: 0 });
    for await (const e of subscription) {
      read++;
      if (read >= toRead || e.position >= toRead) break;
    }
    await subscription.unsubscribe();
    const catchUp = record(figure('4b. catch-up subscribeToAll from 0', read, 'events', t));

    // 4c. readAll pages.
    await store.readAll({ fromPosition: 0, maxCount: settings.page }); // warm-up
    read = 0;
    let from = 0;
    t = clock();
    while (read < toRead) {
      const page = await store.readAll({ fromPosition: from, maxCount: Math.min(settings.page, toRead - read) });
      if (page.length === 0) break;
      read += page.length;
      from = page[page.length - 1].position;
    }
    record(figure(`4c. readAll pages of ${int(settings.page)}`, read, 'events', t));

    // 5c. Plain SELECT paging on the plain table.
    const plainSelect = `SELECT position, event_id, stream_name, revision, type, data, metadata FROM plain_events WHERE position > $1 ORDER BY position LIMIT $2`;
    await pool.query(plainSelect, [0, settings.page]); // warm-up
    const plainHead = Number((await pool.query<{ head: string }>('SELECT max(position) AS head FROM plain_events')).rows[0].head);
    const plainToRead = Math.min(settings.events, plainHead);
    read = 0;
    from = 0;
    t = clock();
    while (read < plainToRead) {
      const { rows } = await pool.query<{ position: string }>(plainSelect, [from, Math.min(settings.page, plainToRead - read)]);
      if (rows.length === 0) break;
      read += rows.length;
      from = Number(rows[rows.length - 1].position);
    }
    record(figure(`5c. plain SELECT … ORDER BY position LIMIT ${int(settings.page)}`, read, 'rows', t));

    const sizes = await pool.query<{ name: string; rows: string; heap: string; indexes: string }>(
      `SELECT relname AS name, n_live_tup AS rows, pg_size_pretty(pg_relation_size(relid)) AS heap, pg_size_pretty(pg_indexes_size(relid)) AS indexes
         FROM pg_stat_user_tables WHERE relname IN ('ledger_events', 'plain_events') ORDER BY relname`,
    );
    console.log(`\n${sizes.rows.map((r) => `${r.name}: ${int(Number(r.rows))} rows, heap ${r.heap}, indexes ${r.indexes}`).join('; ')}`);
    const checkpoints = await pool
      .query<{ timed: string; requested: string }>('SELECT num_timed AS timed, num_requested AS requested FROM pg_stat_checkpointer')
      .then((r) => `${r.rows[0].timed} timed, ${r.rows[0].requested} requested`)
      .catch(() => 'unknown (pg_stat_checkpointer needs PostgreSQL 17)');
    console.log(`checkpoints during the run: ${checkpoints}`);
    console.log(`\n${table(figures)}\n`);
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    const verdict = (ok: boolean) => (ok ? 'meets goal' : 'BELOW goal');
    const loadRatio = storeLoad.perSecond / plainLoad.perSecond;
    console.log('| ratio | value | goal |');
    console.log('|---|--:|---|');
    console.log(
      `| batched append / plain INSERT (load, 4a / faster 5b) | ${ratio(storeLoad.perSecond, plainLoad.perSecond)} | ≥ ${GOAL_BATCH_RATIO}: ${verdict(loadRatio >= GOAL_BATCH_RATIO)} |`,
    );
    console.log(
      `| batched append / plain INSERT (2 / faster 5b) | ${ratio(batched.perSecond, plainLoad.perSecond)} | ≥ ${GOAL_BATCH_RATIO}: ${verdict(batched.perSecond / plainLoad.perSecond >= GOAL_BATCH_RATIO)} |`,
    );
    console.log(`| single append / plain single-row INSERT (1 / 5a) | ${ratio(single.perSecond, plainSingle.perSecond)} | — |`);
    console.log(`| concurrent append / plain concurrent INSERT (3 / 5d) | ${ratio(concurrent.perSecond, plainConcurrent.perSecond)} | — |`);
    console.log(`| concurrent append / single append (3 / 1) | ${ratio(concurrent.perSecond, single.perSecond)} | — |`);
    console.log(`| catch-up read, events/s (4b) | ${int(catchUp.perSecond)} | ≥ ${int(GOAL_CATCH_UP)}: ${verdict(catchUp.perSecond >= GOAL_CATCH_UP)} |`);
    console.log(`\nRSS at start ${rssStart}, at end ${rss()}`);
  } finally {
    await store.close().catch((e: unknown) => console.error('closing the store:', e));
    await pool.end().catch(() => undefined);
    await db.release();
    console.log('PostgreSQL stopped');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
