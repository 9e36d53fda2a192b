import { fork } from 'node:child_process';
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
  /** Requests per second over all connections; unset: as fast as the service answers. */
  overallRate?: number;
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

async function inChild(options: CoverageLoadOptions): Promise<CoverageLoadResult> {
  const from = Date.parse(`${options.asOfFrom}T00:00:00Z`);
  const days = Math.floor((Date.parse(`${options.asOfTo}T00:00:00Z`) - from) / DAY_MS) + 1;
  const randomPath = () => {
    const personId = options.personIds[Math.floor(Math.random() * options.personIds.length)];
    const asOf = new Date(from + Math.floor(Math.random() * days) * DAY_MS).toISOString().slice(0, 10);
    return `/v1/persons/${personId}/coverage?asOf=${asOf}`;
  };
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
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
