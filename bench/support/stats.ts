/** Small measuring helpers for the benchmarks: monotonic clock, percentiles, formatting. */

export const now = (): bigint => process.hrtime.bigint();

/** Milliseconds elapsed since `start` (a value of `now()`). */
export const msSince = (start: bigint): number => Number(now() - start) / 1e6;

/** Nearest-rank percentile of unsorted samples (p from 0 to 100). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const rss = (): string => `${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`;

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}=${raw}: expected a non-negative integer`);
  return value;
}

export interface Clock {
  start: bigint;
  cpu: NodeJS.CpuUsage;
}

/** Starts a measurement: wall clock (hrtime) and this process's CPU time. */
export const clock = (): Clock => ({ start: now(), cpu: process.cpuUsage() });

export interface Figure {
  name: string;
  count: number;
  unit: string;
  seconds: number;
  perSecond: number;
  p50Ms?: number;
  p99Ms?: number;
  /** CPU time of the benchmark process (pg client, JSON, the adapter) as a share of one core over the wall time. */
  clientCpu: number;
}

/** Wall time and own CPU time summed over several start/stop intervals (for interleaved measurements). */
export class Stopwatch {
  elapsedMs = 0;
  cpuMs = 0;
  private running?: Clock;

  start(): void {
    this.running = clock();
  }

  /** Stops and returns the milliseconds of this interval. */
  stop(): number {
    if (!this.running) return 0;
    const ms = msSince(this.running.start);
    const cpu = process.cpuUsage(this.running.cpu);
    this.elapsedMs += ms;
    this.cpuMs += (cpu.user + cpu.system) / 1000;
    this.running = undefined;
    return ms;
  }
}

/** A figure from a clock started just before the measured work, or from a stopwatch. */
export function figure(name: string, count: number, unit: string, from: Clock | Stopwatch, latenciesMs?: number[]): Figure {
  let elapsedMs: number;
  let cpuMs: number;
  if (from instanceof Stopwatch) {
    elapsedMs = from.elapsedMs;
    cpuMs = from.cpuMs;
  } else {
    elapsedMs = msSince(from.start);
    const cpu = process.cpuUsage(from.cpu);
    cpuMs = (cpu.user + cpu.system) / 1000;
  }
  const f: Figure = { name, count, unit, seconds: elapsedMs / 1000, perSecond: (count * 1000) / elapsedMs, clientCpu: cpuMs / elapsedMs };
  if (latenciesMs?.length) {
    f.p50Ms = percentile(latenciesMs, 50);
    f.p99Ms = percentile(latenciesMs, 99);
  }
  return f;
}

export function formatFigure(f: Figure): string {
  const latency = f.p50Ms === undefined ? '' : `, p50 ${f.p50Ms.toFixed(2)} ms, p99 ${f.p99Ms?.toFixed(2)} ms`;
  return `${f.name}: ${int(f.count)} ${f.unit} in ${f.seconds.toFixed(2)} s = ${int(f.perSecond)} ${f.unit}/s${latency}, client CPU ${pct(f.clientCpu)}`;
}

const pct = (share: number): string => `${Math.round(share * 100)} %`;

/** A Markdown table, so the output can be pasted into BENCHMARKS.md as it is. */
export function table(figures: Figure[]): string {
  const ms = (v: number | undefined) => (v === undefined ? '' : v.toFixed(2));
  const lines = ['| measurement | count | seconds | per second | p50 ms | p99 ms | client CPU |', '|---|--:|--:|--:|--:|--:|--:|'];
  for (const f of figures) {
    lines.push(
      `| ${f.name} | ${int(f.count)} ${f.unit} | ${f.seconds.toFixed(2)} | ${int(f.perSecond)} | ${ms(f.p50Ms)} | ${ms(f.p99Ms)} | ${pct(f.clientCpu)} |`,
    );
  }
  return lines.join('\n');
}
