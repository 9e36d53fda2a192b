import type { EventMetadata } from './event-store.port';

/** Stamps the time the ledger learned the fact, unless the caller already set it (imports, replays). */
export function withRecordedAt(metadata: EventMetadata, now?: string): EventMetadata & { recordedAt: string } {
  return { ...metadata, recordedAt: metadata.recordedAt ?? now ?? new Date().toISOString() };
}
