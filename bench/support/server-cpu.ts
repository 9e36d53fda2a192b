import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;
/** The unit of /proc's CPU times. */
function ticks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface Stat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields from the state on, after the command name (which may hold spaces): ppid is the 2nd, utime the 12th.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by a process and its children (Linux /proc): its own, its live children's, and those of the
 * children it has reaped. For PostgreSQL's postmaster that is the whole server, backends that have exited included,
 * which sampling the live processes misses. Undefined where there is no /proc entry for it.
 */
export function processTreeCpuSeconds(pid: number): number | undefined {
  const root = stat(pid);
  if (!root) return undefined;
  let used = root.utime + root.stime + root.cutime + root.cstime;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(Number(entry));
    if (child?.ppid === pid) used += child.utime + child.stime;
  }
  return used / ticks();
}
