import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Client, Query, type ClientBase, type CustomTypesConfig, type Pool, type PoolClient } from 'pg';
import { GENESIS_HASH } from '../integrity/chain';
import { canonicalJsonOfJsonbText } from '../integrity/canonical-jsonb';
import {
  mergeSegments,
  StoredChainSegment,
  type SegmentRange,
  type SegmentResult,
  type StoredChainScan,
  type StoredChainScanOptions,
  type StreamLookup,
} from '../integrity/stored-chain';

/**
 * The fast path of verifyStore on PostgreSQL (integrity/stored-chain.ts explains why segments can
 * be checked apart). Rows are read as raw text and checked as they arrive — no row objects, no
 * JSON.parse of the jsonb columns (canonicalJsonOfJsonbText) — and the positions are shared between
 * this thread and worker threads, each with its own connection, so PostgreSQL's output of the rows
 * and the hashing run on every core.
 *
 * This thread starts on the whole range at once; a worker, when it is ready (starting one takes a
 * tenth of a second or more) or done, takes the part of this thread's range not requested yet, and
 * this thread, when done first, takes half of what a worker has not requested yet. Few segments
 * means few boundaries, and every stream crossing a boundary costs a lookup; taking work back keeps
 * one thread from checking the tail alone (it was the last fifth of a 9,000,000-event verify).
 */

const PAGE_SIZE = 10_000;
const LOOKUP_BATCH = 2_000;
/** Below this many events, starting a worker costs more than it saves. */
const PARALLEL_FROM = 40_000;
const WORKER_ROLE = 'ledger-stored-chain-scan';

// Every column as the text PostgreSQL sends: the hashes are over those texts.
const rawText = () => (text: string) => text;
const RAW_TEXT = { getTypeParser: rawText } as unknown as CustomTypesConfig;

const PAGE_SQL =
  'SELECT position, event_id, stream_name, revision, type, data, metadata, stream_hash, global_hash FROM ledger_events WHERE position > $1 AND position <= $2 ORDER BY position';
const LOOKUP_SQL = `SELECT q.i, e.stream_hash
  FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS q(stream_name, revision, i)
  JOIN ledger_events e ON e.stream_name = q.stream_name AND e.revision = q.revision
 WHERE e.position < $3`;

export async function scanStoredChain(pool: Pool, connectionString: string, options: StoredChainScanOptions): Promise<StoredChainScan> {
  const { rows } = await pool.query<{ head: string }>('SELECT coalesce(max(position), 0) AS head FROM ledger_events');
  const head = Number(rows[0].head);
  const useCallingThread = options.useCallingThread ?? true;
  const workers = head === 0 ? 0 : Math.max(useCallingThread ? 0 : 1, options.workers ?? (head >= PARALLEL_FROM ? availableParallelism() - 1 : 0));
  const segmentSize = options.segmentSize ?? Math.max(head, 1);
  const queue: SegmentRange[] = [];
  for (let from = 1; from <= head; from += segmentSize) queue.push({ from, to: Math.min(head, from + segmentSize - 1) });

  const results: SegmentResult[] = [];
  let segmentsOnWorkers = 0;
  let scanned = 0;
  const progress = (rows: number) => {
    scanned += rows;
    options.onProgress?.(scanned);
  };
  const finish = (result: SegmentResult, onWorker: boolean) => {
    results.push(result);
    if (onWorker) segmentsOnWorkers++;
    // Past a segment that stopped, nothing can lower the answer: skip what is not started yet.
    if (result.through < result.to) for (let i = queue.length - 1; i >= 0; i--) if (queue[i].from > result.to) queue.splice(i, 1);
  };

  const pageSize = options.pageSize ?? PAGE_SIZE;
  let current: Claim | undefined;
  let stopped = false;
  let workersWithoutWork = workers;
  /** For a worker: a queued segment, else a share of this thread's range (an equal one, counting the workers still to come). */
  const takeForWorker = (first: boolean): SegmentRange | undefined => {
    const share = first ? 1 / (1 + workersWithoutWork--) : 1 / 2;
    return queue.shift() ?? (stopped ? undefined : current?.handOver(share));
  };
  const setup: WorkerSetup = { role: WORKER_ROLE, connectionString, anchors: [...options.anchors], pageSize, pagePauseMs: options.workerPagePauseMs ?? 0 };
  const onWorkers = Array.from({ length: workers }, () => inWorker(setup, takeForWorker, (r) => finish(r, true), progress));
  /** Half of the unrequested part of the first busy worker's segment that will part with one. */
  const takeFromWorkers = async (): Promise<SegmentRange | undefined> => {
    for (const worker of onWorkers) {
      const range = stopped ? undefined : await worker.handOver(1 / 2);
      if (range) return range;
    }
    return undefined;
  };
  const inThisThread = async (takeBack: boolean) => {
    let client: PoolClient | undefined;
    try {
      for (;;) {
        const range = queue.shift() ?? (takeBack && !stopped ? await takeFromWorkers() : undefined);
        if (!range) return;
        client ??= await pool.connect();
        current = new Claim(range, pageSize);
        const result = await scanSegment(client, current, options.anchors, progress);
        current = undefined;
        stopped ||= result.through < result.to;
        finish(result, false);
      }
    } finally {
      client?.release();
    }
  };

  const callingThread = async () => {
    if (options.callingThreadWaitsForWorkers) await Promise.all(onWorkers.map((w) => w.started));
    await inThisThread(true);
  };
  await Promise.all(useCallingThread ? [callingThread(), ...onWorkers.map((w) => w.done)] : onWorkers.map((w) => w.done));
  await inThisThread(false); // what workers that could not start left behind
  return { head, through: mergeSegments(results, head), segmentsScanned: results.length, segmentsOnWorkers };
}

/** A range being scanned; the part not requested from PostgreSQL yet can be handed over. */
class Claim {
  /** Positions up to here have been asked for. */
  requested: number;

  constructor(
    readonly range: SegmentRange,
    readonly pageSize: number,
  ) {
    this.requested = range.from - 1;
  }

  /** Gives away the last `share` of what is not requested yet, when that is worth a thread (two pages or more). */
  handOver(share: number): SegmentRange | undefined {
    const given = Math.floor((this.range.to - this.requested) * share);
    if (given < 2 * this.pageSize) return undefined;
    const to = this.range.to;
    this.range.to -= given;
    return { from: this.range.to + 1, to };
  }
}

/** Checks one segment on `client`, reading it in pages with the next page always requested. */
async function scanSegment(client: ClientBase, claim: Claim, anchors: ReadonlyMap<number, string>, progress: (rows: number) => void): Promise<SegmentResult> {
  const range = claim.range;
  let previousGlobalHash: string | undefined = GENESIS_HASH;
  if (range.from > 1) {
    const { rows } = await client.query<{ global_hash: string }>('SELECT global_hash FROM ledger_events WHERE position = $1', [range.from - 1]);
    previousGlobalHash = rows[0]?.global_hash;
  }
  const segment = new StoredChainSegment(range, previousGlobalHash, anchors);
  // Every query is tracked from the start, so a failure never goes unhandled while another is awaited.
  let failure: unknown;
  const tracked: Array<Promise<void>> = [];
  const track = (work: Promise<unknown>) => {
    const done = work.then(
      () => undefined,
      (error: unknown) => {
        failure ??= error;
      },
    );
    tracked.push(done);
    return done;
  };
  // Pages and lookups go to the one client in the order asked, each once the one before has ended:
  // what pg's own queue of a client's queries did, which pg 8 deprecates.
  const inTurn = serially();
  const lookUp = () => {
    const batch = segment.takeLookups();
    if (batch.length > 0) track(inTurn(() => settleLookups(client, segment, batch, range.from)));
  };
  const onRow = (f: string[]) => {
    if (segment.stopped || failure !== undefined) return;
    try {
      segment.row(Number(f[0]), f[1], f[2], Number(f[3]), f[4], canonicalJsonOfJsonbText(f[5]), canonicalJsonOfJsonbText(f[6]), f[7], f[8]);
    } catch (error) {
      // Thrown here it would escape from pg's socket handler; the scan fails with it instead.
      failure ??= error;
    }
    if (segment.pendingLookups >= LOOKUP_BATCH) lookUp();
  };
  // Two pages in flight: PostgreSQL produces the next while this thread checks the current one.
  const pages: Array<Promise<void>> = [];
  const requestPage = () => {
    const after = claim.requested;
    if (after >= range.to || segment.stopped || failure !== undefined) return;
    claim.requested = Math.min(after + claim.pageSize, range.to);
    const to = claim.requested;
    pages.push(track(inTurn(() => streamRows(client, PAGE_SQL, [after, to], onRow)).then(progress)));
  };
  requestPage();
  requestPage();
  for (let i = 0; i < pages.length; i++) {
    await pages[i];
    requestPage();
  }
  if (failure === undefined) lookUp();
  // The client is handed back (or reused) only once nothing of this segment is queued on it.
  for (let i = 0; i < tracked.length; i++) await tracked[i];
  if (failure !== undefined) throw failure;
  return segment.result();
}

/** Runs the tasks given to it one after another, in the order given, whether each succeeds or fails. */
function serially(): <T>(task: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return (task) => {
    const next = last.then(task, task);
    last = next.catch(() => undefined);
    return next;
  };
}

async function settleLookups(client: ClientBase, segment: StoredChainSegment, batch: StreamLookup[], before: number): Promise<void> {
  const { rows } = await client.query<{ i: string; stream_hash: string }>(LOOKUP_SQL, [batch.map((l) => l.streamName), batch.map((l) => l.revision), before]);
  const hashes: Array<string | undefined> = new Array(batch.length);
  for (const row of rows) hashes[Number(row.i) - 1] = row.stream_hash;
  segment.settle(batch, hashes);
}

/**
 * A query handing each row to a callback as pg's raw texts, as it arrives. It takes pg's data-row
 * hook (the one pg-cursor implements) rather than the 'row' event, which first copies the row
 * through the type parsers. Were the hook ever bypassed, the rows would not be counted, the scan
 * would stop short and verifyStore would fall back to the walk: slower, never wrong.
 */
class RawRowQuery extends Query {
  /** Not `rows`: pg's Query uses that name for its portal's row limit. */
  received = 0;

  constructor(
    config: { text: string; values: unknown[] },
    private readonly onRow: (fields: string[]) => void,
  ) {
    super({ ...config, rowMode: 'array', types: RAW_TEXT } as ConstructorParameters<typeof Query>[0]);
  }

  handleDataRow(message: { fields: string[] }): void {
    this.received++;
    this.onRow(message.fields);
  }
}

/** Runs a query, handing each row to `onRow` as it arrives; resolves to the row count. */
function streamRows(client: ClientBase, text: string, values: unknown[], onRow: (fields: string[]) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const query = new RawRowQuery({ text, values }, onRow);
    query.on('end', () => resolve(query.received));
    query.on('error', reject);
    client.query(query);
  });
}

type FromWorker = { ready: true } | { progress: number } | { result: SegmentResult } | { handedOver: SegmentRange | null } | { failed: string };
type ToWorker = { range: SegmentRange } | { handOver: number } | { done: true };
interface WorkerSetup {
  role: typeof WORKER_ROLE;
  connectionString: string;
  anchors: Array<[number, string]>;
  pageSize: number;
  pagePauseMs: number;
}

interface OnWorker {
  /** Settles when the worker has exited (or could not start). */
  done: Promise<void>;
  /** Settles once the worker has been given its first segment, or nothing, or has ended. */
  started: Promise<void>;
  /** Asks the worker for the last `share` of its segment's unrequested part; undefined when it has none worth giving. */
  handOver(share: number): Promise<SegmentRange | undefined>;
}

/**
 * One worker thread pulling segments until none is left. If the worker cannot start (or connect),
 * this thread simply takes its share; a failure in the middle of a segment fails the scan.
 */
function inWorker(
  setup: WorkerSetup,
  take: (first: boolean) => SegmentRange | undefined,
  finish: (result: SegmentResult) => void,
  progress: (rows: number) => void,
): OnWorker {
  let busy = false;
  let settled = false;
  // One request at a time: the answer to a hand-over carries no id.
  let answer: ((range: SegmentRange | undefined) => void) | undefined;
  let markStarted = () => undefined as void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const worker = startWorker(setup);
  const handOver = (share: number) =>
    new Promise<SegmentRange | undefined>((resolve) => {
      if (!busy || settled || answer) return resolve(undefined);
      answer = resolve;
      worker.postMessage({ handOver: share } satisfies ToWorker);
    });
  const answered = (range: SegmentRange | undefined) => {
    const resolve = answer;
    answer = undefined;
    resolve?.(range);
  };
  const done = new Promise<void>((resolve, reject) => {
    const end = (error?: Error) => {
      if (settled) return;
      settled = true;
      answered(undefined);
      markStarted();
      if (error) void worker.terminate();
      if (error && busy) reject(error);
      else resolve();
    };
    const next = (first: boolean) => {
      const range = take(first);
      busy = range !== undefined;
      // Without a segment the worker closes its connection and exits: `exit` ends this promise.
      worker.postMessage((range ? { range } : { done: true }) satisfies ToWorker);
      markStarted();
    };
    worker.on('message', (message: FromWorker) => {
      if ('ready' in message) next(true);
      else if ('progress' in message) progress(message.progress);
      else if ('handedOver' in message) answered(message.handedOver ?? undefined);
      else if ('result' in message) {
        finish(message.result);
        next(false);
      } else end(new Error(`stored chain scan worker: ${message.failed}`));
    });
    worker.on('error', (error) => end(error));
    worker.on('exit', () => end(busy ? new Error('stored chain scan worker exited in the middle of a segment') : undefined));
  });
  return { done, started, handOver };
}

/**
 * From the build this module is JavaScript; under ts-jest it is TypeScript source, which the
 * worker compiles on require with the TypeScript compiler (a dev dependency) so the tests run the
 * same parallel path.
 */
function startWorker(setup: WorkerSetup): Worker {
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    if (workerData.file.endsWith('.ts')) {
      const ts = require('typescript');
      const { readFileSync } = require('node:fs');
      require.extensions['.ts'] = (module, filename) => {
        const output = ts.transpileModule(readFileSync(filename, 'utf8'), {
          fileName: filename,
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        });
        module._compile(output.outputText, filename);
      };
    }
    require(workerData.file);`;
  return new Worker(bootstrap, { eval: true, workerData: { ...setup, file: __filename } });
}

async function workerMain(setup: WorkerSetup): Promise<void> {
  const port = parentPort!;
  const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  const client = new Client({ connectionString: setup.connectionString });
  try {
    await client.connect();
  } catch (error) {
    send({ failed: `cannot connect: ${(error as Error).message}` });
    return;
  }
  const anchors = new Map(setup.anchors);
  const pause = setup.pagePauseMs > 0 ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
  const onPage = (rows: number) => {
    send({ progress: rows });
    if (pause) Atomics.wait(pause, 0, 0, setup.pagePauseMs);
  };
  let current: Claim | undefined;
  port.on('message', (message: ToWorker) => {
    if ('done' in message) {
      void client.end().finally(() => port.close());
      return;
    }
    if ('handOver' in message) {
      send({ handedOver: current?.handOver(message.handOver) ?? null });
      return;
    }
    const claim = (current = new Claim(message.range, setup.pageSize));
    scanSegment(client, claim, anchors, onPage).then(
      (result) => {
        current = undefined;
        send({ result }, [result.firstRevisions.buffer, result.firstPositions.buffer, result.lastRevisions.buffer] as ArrayBuffer[]);
      },
      (error: Error) => send({ failed: error.message }),
    );
  });
  send({ ready: true });
}

if (!isMainThread && (workerData as Partial<WorkerSetup> | null)?.role === WORKER_ROLE) {
  void workerMain(workerData as WorkerSetup);
}
