import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface GcSummary {
  markCompacts: number;
  longestMarkCompactMs: number;
  scavenges: number;
  longestScavengeMs: number;
  /** How late the event loop came round (timers sampled every 10 ms): what a request waited for the thread itself. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

/**
 * Counts this process's garbage collections until stopped: a service's pauses show in its answers'
 * latency, and the count tells a slow stretch caused by GC from one caused elsewhere.
 */
export function watchGc(): { stop(): GcSummary } {
  const summary: GcSummary = { markCompacts: 0, longestMarkCompactMs: 0, scavenges: 0, longestScavengeMs: 0, eventLoopDelayP99Ms: 0, eventLoopDelayMaxMs: 0 };
  const delay = monitorEventLoopDelay({ resolution: 10 });
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
      summary.eventLoopDelayP99Ms = delay.percentile(99) / 1e6;
      summary.eventLoopDelayMaxMs = delay.max / 1e6;
      return summary;
    },
  };
}

export const formatGc = (g: GcSummary) =>
  `service GC meanwhile: ${g.markCompacts} mark-compact(s), longest ${g.longestMarkCompactMs.toFixed(1)} ms; ${g.scavenges} scavenges, longest ${g.longestScavengeMs.toFixed(1)} ms; event loop late by p99 ${g.eventLoopDelayP99Ms.toFixed(1)} ms, max ${g.eventLoopDelayMaxMs.toFixed(1)} ms`;
