import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface PauseSummary {
  markCompacts: number;
  longestMarkCompactMs: number;
  scavenges: number;
  longestScavengeMs: number;
  /** How late the event loop came round after its 10 ms timer: what a request waited for the thread itself. */
  eventLoopLateP99Ms: number;
  eventLoopLateMaxMs: number;
}

const TIMER_MS = 10;

/**
 * Counts this process's garbage collections and times its event loop until stopped: a service's pauses show in
 * its answers' latency, and these tell a slow stretch caused by GC or a busy thread from one caused elsewhere.
 */
export function watchPauses(): { stop(): PauseSummary } {
  const summary: PauseSummary = { markCompacts: 0, longestMarkCompactMs: 0, scavenges: 0, longestScavengeMs: 0, eventLoopLateP99Ms: 0, eventLoopLateMaxMs: 0 };
  const delay = monitorEventLoopDelay({ resolution: TIMER_MS });
  delay.enable();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        summary.markCompacts++;
        summary.longestMarkCompactMs = Math.max(summary.longestMarkCompactMs, entry.duration);
      } else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        summary.scavenges++;
        summary.longestScavengeMs = Math.max(summary.longestScavengeMs, entry.duration);
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      observer.disconnect();
      delay.disable();
      // The histogram holds the whole time between ticks, the timer's own 10 ms included.
      const late = (ns: number) => Math.max(0, ns / 1e6 - TIMER_MS);
      summary.eventLoopLateP99Ms = late(delay.percentile(99));
      summary.eventLoopLateMaxMs = late(delay.max);
      return summary;
    },
  };
}

export const formatPauses = (g: PauseSummary) =>
  `service GC meanwhile: ${g.markCompacts} mark-compact(s), longest ${g.longestMarkCompactMs.toFixed(1)} ms; ${g.scavenges} scavenges, longest ${g.longestScavengeMs.toFixed(1)} ms; event loop late by p99 ${g.eventLoopLateP99Ms.toFixed(1)} ms, max ${g.eventLoopLateMaxMs.toFixed(1)} ms`;
