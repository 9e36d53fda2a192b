/**
 * The one event-store port the rest of the ledger uses. Semantics follow EventStoreDB:
 * per-stream revisions from 0, optimistic concurrency through an expected revision,
 * idempotent re-append of the same event ids, and a global position readable in order.
 */

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface EventMetadata {
  correlationId: string;
  causationId: string;
  actor: string;
  /** When the ledger learned the fact (RFC 3339, UTC). Set by the store when absent. */
  recordedAt?: string;
  [key: string]: unknown;
}

export interface NewEvent<T extends string = string, D = unknown> {
  eventId: string;
  type: T;
  data: D;
  metadata: EventMetadata;
}

export interface StoredEvent<T extends string = string, D = unknown> {
  eventId: string;
  type: T;
  data: D;
  metadata: EventMetadata & { recordedAt: string };
  streamName: string;
  revision: number;
  /** Global position: strictly increasing in the order readers see events. */
  position: number;
  /** Hash-chain links as stored, where the adapter stores them (PostgreSQL); see integrity/chain.ts. */
  integrity?: { streamHash: string; globalHash: string };
}

export interface AppendResult {
  nextExpectedRevision: number;
  position: number;
}

export interface ReadStreamOptions {
  fromRevision?: number | 'start' | 'end';
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position (forwards) or before it (backwards). */
  fromPosition?: number | 'start' | 'end';
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface AllFilter {
  streamNamePrefixes?: string[];
  eventTypePrefixes?: string[];
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: the subscription delivers events after this position. */
  fromPosition?: number | 'start';
  filter?: AllFilter;
}

/** A catch-up subscription: iterate it to receive history then live events, in global order. */
export interface Subscription extends AsyncIterable<StoredEvent> {
  unsubscribe(): Promise<void>;
}

export interface StreamWrite {
  streamName: string;
  events: NewEvent[];
  expectedRevision?: ExpectedRevision;
  /**
   * Write only if these earlier writes of the same call (0-based indexes) were written, and these streams are still
   * empty when the write's turn comes (earlier writes of the call included); otherwise it fails with
   * WriteConditionFailed and writes nothing. Lets a caller make one write depend on another in a single call.
   * A retried write that is already stored answers as it did the first time, whatever its conditions say now.
   */
  onlyIf?: { written?: number[]; noStreams?: string[] };
  /**
   * Unique keys the write takes, with it (an agency's payment reference, say): a write that finds one of them taken,
   * by an earlier call or an earlier write of this call, fails with KeyReserved and writes nothing. A key is never
   * given back, and the store remembers which write took it (reservation()). Keys are checked after onlyIf and the
   * expected revision. A retried write that is already stored answers as it did the first time. The write's first
   * event records the keys in its metadata (`reservedKeys`), so that the hash chain covers which write took which key.
   */
  reserve?: string[];
}

/** Which write took a key: its stream and the revision of its first event. */
export interface Reservation {
  key: string;
  streamName: string;
  revision: number;
}

/**
 * The store's keys held against the writes that took them: every key taken is recorded by its write's first event
 * (metadata.reservedKeys, under the hash chain), and every key an event records is taken by that event's write. A
 * deleted key would let a payment be recorded twice; a forged one would refuse a real payment as a duplicate.
 */
export interface ReservationCheck {
  /** Keys taken. */
  checked: number;
  /**
   * Keys taken by writes stored before the first event that records keys (older builds did not): only their write's
   * presence is checked. A key naming a later event that does not record it is a mismatch.
   */
  unrecorded: number;
  /** The first disagreement, in the global order of the events concerned. */
  mismatch?: ReservationMismatch;
}

export interface ReservationMismatch {
  key: string;
  /** The write the key names or the event that records it; revision -1 where it is not stored. */
  streamName: string;
  revision: number;
  detail: string;
}

/** One write of a batch: each succeeds or fails on its own, with appendToStream's semantics. */
export type StreamWriteResult =
  | { streamName: string; ok: true; result: AppendResult }
  | { streamName: string; ok: false; error: Error & { name: 'WrongExpectedRevision' | 'EventIdConflict' | 'WriteConditionFailed' | 'KeyReserved' } };

export interface EventStore {
  appendToStream(streamName: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;
  /**
   * Many streams at once, for bulk intake: every write is checked and applied as if appended
   * alone, in order, and the results come back in the same order. PostgreSQL commits the
   * successful ones in one transaction (one flush for the batch); EventStoreDB appends them one
   * by one, since it has no multi-stream transaction.
   */
  appendToStreams(writes: StreamWrite[]): Promise<StreamWriteResult[]>;
  /** The write that took a key (StreamWrite.reserve), or null while it is free. */
  reservation(key: string): Promise<Reservation | null>;
  /** Holds the keys taken against the events that record them (see ReservationCheck): part of the audit's verify. */
  checkReservations(): Promise<ReservationCheck>;
  /**
   * Several streams in one round trip where the store allows; missing streams map to []. Each is
   * read whole, or from the revision `fromRevisions` gives for it (the tail after a snapshot).
   */
  readStreams(streamNames: string[], fromRevisions?: ReadonlyMap<string, number>): Promise<Map<string, StoredEvent[]>>;
  readStream(streamName: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** The position of the newest event, or 0 for an empty store. */
  headPosition(): Promise<number>;
  health(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
