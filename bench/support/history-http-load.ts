import { fork } from 'node:child_process';
import { Agent, get } from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface CoverageLoadOptions {
  url: string;
  token: string;
  personIds: string[];
  /** asOf dates are drawn uniformly from this range. */
  asOfFrom: string;
  asOfTo: string;
  seconds: number;
  connections: number;
  /**
   * Unset: autocannon, as fast as the service answers. `paced`: an open-loop generator that starts
   * requests evenly spaced at this rate whatever the answers do. `bursts`: autocannon's overallRate.
   */
  rate?: { perSecond: number; mode: 'paced' | 'bursts' };
}

export interface CoverageLoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /**
   * Paced mode only: how late the generator itself started requests (its own process was not
   * scheduled, or its event loop was busy). A request's latency counts from when it was due, so
   * this lateness is inside it; a large one shows the stall was on the generator's side.
   */
  generator?: { lateP99Ms: number; lateMaxMs: number; slowestLateMs: number };
}

const CHILD_FLAG = 'BENCH_COVERAGE_LOAD_CHILD';

/**
 * autocannon in a child process: its own event loop (and so, on two cores, mostly the other core), so
 * the load generator does not queue behind the service it measures. (In a worker thread autocannon
 * skips aggregating its histograms.)
 */
export function runCoverageLoad(options: CoverageLoadOptions): Promise<CoverageLoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], { env: { ...process.env, [CHILD_FLAG]: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: CoverageLoadResult | undefined;
    child.once('message', (message) => (result = message as CoverageLoadResult));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`load process exited with ${code}`))));
    child.send(options);
  });
}

const DAY_MS = 86_400_000;

function randomPaths(options: CoverageLoadOptions): () => string {
  const from = Date.parse(`${options.asOfFrom}T00:00:00Z`);
  const days = Math.floor((Date.parse(`${options.asOfTo}T00:00:00Z`) - from) / DAY_MS) + 1;
  return () => {
    const personId = options.personIds[Math.floor(Math.random() * options.personIds.length)];
    const asOf = new Date(from + Math.floor(Math.random() * days) * DAY_MS).toISOString().slice(0, 10);
    return `/v1/persons/${personId}/coverage?asOf=${asOf}`;
  };
}

/**
 * Open loop at a constant rate: request i is due at start + i / rate and is started then (queued in
 * the agent when all connections are busy), and its latency counts from when it was due, so a slow
 * answer is not hidden by the requests it delayed (no coordinated omission). autocannon's
 * overallRate instead lets every connection send its per-second quota back to back at each
 * one-second tick, which loads the service at full speed for part of every second.
 */
async function pacedInChild(options: CoverageLoadOptions, perSecond: number): Promise<CoverageLoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const headers = { authorization: `Bearer ${options.token}` };
  const randomPath = randomPaths(options);
  const total = Math.round(perSecond * options.seconds);
  const latencies = new Float64Array(total);
  const lateness = new Float64Array(total);
  const counts = { done: 0, non2xx: 0, errors: 0 };
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const finish = (i: number, due: number) => {
      latencies[i] = performance.now() - due;
      if (++counts.done === total) resolve();
    };
    const send = (i: number, due: number) => {
      lateness[i] = performance.now() - due;
      const request = get({ host: target.hostname, port: target.port, path: randomPath(), agent, headers }, (response) => {
        if (response.statusCode === undefined || response.statusCode >= 300) counts.non2xx++;
        response.resume();
        response.once('end', () => finish(i, due));
      });
      request.once('error', () => {
        counts.errors++;
        finish(i, due);
      });
    };
    let sent = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * perSecond) / 1000) + 1);
      for (; sent < due; sent++) send(sent, start + (sent * 1000) / perSecond);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  const quantile = (values: Float64Array, q: number) => {
    const sorted = Array.from(values).sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] * 10) / 10;
  };
  const at = (q: number) => quantile(latencies, q);
  // The slowest 1 % of requests: how late, at most, was any of them started?
  const slowest = Array.from(latencies.keys())
    .sort((a, b) => latencies[b] - latencies[a])
    .slice(0, Math.ceil(total / 100));
  const slowestLateMs = Math.round(Math.max(...slowest.map((i) => lateness[i])) * 10) / 10;
  return {
    requests: total,
    seconds,
    requestsPerSecond: total / seconds,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: at(1),
    non2xx: counts.non2xx,
    errors: counts.errors,
    timeouts: 0,
    generator: { lateP99Ms: quantile(lateness, 0.99), lateMaxMs: quantile(lateness, 1), slowestLateMs },
  };
}

async function inChild(options: CoverageLoadOptions): Promise<CoverageLoadResult> {
  if (options.rate?.mode === 'paced') return pacedInChild(options, options.rate.perSecond);
  const randomPath = randomPaths(options);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate.perSecond } : {}),
    headers: { authorization: `Bearer ${options.token}` },
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: randomPath() }) }],
  });
  return {
    requests: result.requests.total,
    seconds: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

if (process.env[CHILD_FLAG] === '1' && process.send) {
  process.once('message', (options: CoverageLoadOptions) => {
    inChild(options).then(
      (result) => process.send?.(result, () => process.disconnect()),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
