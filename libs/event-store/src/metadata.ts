import type { EventMetadata, NewEvent, StreamWrite } from './event-store.port';

/** Stamps the time the ledger learned the fact, unless the caller already set it (imports, replays). */
export function withRecordedAt(metadata: EventMetadata, now?: string): EventMetadata & { recordedAt: string } {
  return { ...metadata, recordedAt: metadata.recordedAt ?? now ?? new Date().toISOString() };
}

/** A write's events as stored: the first records the keys the write takes (StreamWrite.reserve), under the hash chain. */
export function eventsRecordingKeys(write: StreamWrite): NewEvent[] {
  if (!write.reserve?.length) return write.events;
  const [first, ...rest] = write.events;
  return [{ ...first!, metadata: { ...first!.metadata, reservedKeys: write.reserve } }, ...rest];
}

/** The keys an event records as taken by its write, or undefined for an event that records none. */
export function reservedKeysOf(metadata: EventMetadata): string[] | undefined {
  const keys = metadata.reservedKeys;
  return Array.isArray(keys) ? keys.map(String) : undefined;
}
