import type { EventStore, ReservationCheck, StoredEvent } from '../event-store.port';
import { GENESIS_HASH, globalLinkHash, streamLinkHash } from './chain';
import type { StoredChainScanner } from './stored-chain';

export type ChainBreakKind = 'changed' | 'missing' | 'reordered';

export interface ChainBreak {
  kind: ChainBreakKind;
  /** The global position where the chain stops holding. */
  position: number;
  streamName: string;
  revision: number;
  detail: string;
}

export interface VerifyReport {
  /** The chain holds and so do the keys. */
  ok: boolean;
  verified: number;
  headPosition: number;
  /** Head of the global chain as recomputed: publish it, and later runs can be held to it. */
  headHash: string;
  firstBreak?: ChainBreak;
  /** The keys taken (payment references) held against the events that record them, under the chain: see ReservationCheck. */
  reservations?: ReservationCheck;
}

/**
 * Walks events in global order and recomputes every link. Where the store keeps the links
 * (PostgreSQL) they are compared one by one; positions must be dense where the store promises it.
 */
export class ChainVerifier {
  private readonly streams = new Map<string, { revision: number; hash: string }>();
  private globalHash = GENESIS_HASH;
  private lastPosition = 0;
  private verified = 0;
  private broken?: ChainBreak;

  constructor(private readonly options: { densePositions: boolean; anchors?: HeadAnchor[]; resume?: VerifierState }) {
    const resume = options.resume;
    if (resume) {
      this.globalHash = resume.globalHash;
      this.lastPosition = resume.position;
      this.verified = resume.verified;
      for (const [name, stream] of resume.streams) this.streams.set(name, stream);
    }
  }

  /** Returns the first break (and keeps returning it); undefined while the chain holds. */
  check(e: StoredEvent): ChainBreak | undefined {
    if (this.broken) return this.broken;
    const at = (kind: ChainBreakKind, detail: string) => (this.broken = { kind, position: e.position, streamName: e.streamName, revision: e.revision, detail });
    if (e.position <= this.lastPosition) return at('reordered', `position ${e.position} follows ${this.lastPosition}`);
    if (this.options.densePositions && e.position !== this.lastPosition + 1) {
      return at('missing', `positions ${this.lastPosition + 1}..${e.position - 1} are missing`);
    }
    const stream = this.streams.get(e.streamName) ?? { revision: -1, hash: GENESIS_HASH };
    if (e.revision > stream.revision + 1) return at('missing', `${e.streamName} revisions ${stream.revision + 1}..${e.revision - 1} are missing`);
    if (e.revision <= stream.revision) return at('reordered', `${e.streamName} revision ${e.revision} comes after revision ${stream.revision}`);
    const streamHash = streamLinkHash(stream.hash, e);
    if (e.integrity && e.integrity.streamHash !== streamHash) {
      return at('changed', `content of ${e.streamName}@${e.revision} (event ${e.eventId}) differs from what was hashed when it was appended`);
    }
    const globalHash = globalLinkHash(this.globalHash, streamHash);
    if (e.integrity && e.integrity.globalHash !== globalHash) {
      return at('reordered', `event ${e.eventId} is not where it was appended in the global order`);
    }
    const anchor = this.options.anchors?.find((a) => a.position === e.position);
    if (anchor && anchor.hash !== globalHash) {
      return at(
        'changed',
        `the chain up to position ${e.position} differs from the head hash published for it (${anchor.hash.slice(0, 12)}…): history was rewritten and re-hashed`,
      );
    }
    this.streams.set(e.streamName, { revision: e.revision, hash: streamHash });
    this.globalHash = globalHash;
    this.lastPosition = e.position;
    this.verified++;
    return undefined;
  }

  report(): VerifyReport {
    return {
      ok: !this.broken,
      verified: this.verified,
      headPosition: this.lastPosition,
      headHash: this.globalHash,
      ...(this.broken ? { firstBreak: this.broken } : {}),
    };
  }
}

/**
 * Where a walk stands after `position`: what it would hold had it walked there itself. Only the
 * streams of the events still to be checked are needed.
 */
export interface VerifierState {
  position: number;
  globalHash: string;
  verified: number;
  streams: Array<[string, { revision: number; hash: string }]>;
}

/** A head hash recorded earlier (by an auditor, in a report): the chain must still reach it. */
export interface HeadAnchor {
  position: number;
  hash: string;
}

export interface VerifyOptions {
  anchors?: HeadAnchor[];
  /** Events per read (default 5,000 on the walk, 10,000 on the stored-chain path). */
  pageSize?: number;
  /**
   * Events checked so far. On the stored-chain path segments are checked in parallel, so
   * `position` is then only the count: segments finish out of order.
   */
  onProgress?: (verified: number, position: number) => void;
  /** The PostgreSQL adapter numbers positions densely; EventStoreDB's are log offsets. */
  densePositions?: boolean;
  /** Tuning of the stored-chain path: see StoredChainScanOptions. */
  workers?: number;
  useCallingThread?: boolean;
  segmentSize?: number;
}

const scansStoredChain = (store: EventStore): store is EventStore & StoredChainScanner =>
  typeof (store as Partial<StoredChainScanner>).scanStoredChain === 'function';

/**
 * Recomputes every link of the store, then holds its keys against the events that record them (checkReservations):
 * the chain proves what the events say, the check that the keys agree with them. Where the store keeps the links and
 * numbers positions densely (PostgreSQL) it checks them in parallel segments, then asks a ChainVerifier about the one
 * event where they stop holding, so the report — first break, verified count, head hash — is the one the walk in
 * global order gives; other stores are walked, and a store that checks its keys by a fold over the log (FoldsKeysInLog)
 * has that walk feed it.
 */
export async function verifyStore(store: EventStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { keysInLog, ...chain } = await verifyChain(store, options);
  // A walk that stopped at a break fed the keys only that far: they are then read on their own.
  const reservations = keysInLog ?? (await store.checkReservations());
  return { ...chain, ok: chain.ok && !reservations.mismatch, reservations };
}

/**
 * Where the keys are checked by a fold over the log in global order (EventStoreDB), the walk that checks the chain
 * feeds the fold too, so that verify reads the log once, not twice. `see` takes every event in order.
 */
export interface KeysInLogFold {
  see(e: StoredEvent): void;
  result(): ReservationCheck;
}

export interface FoldsKeysInLog {
  keysInLog(): KeysInLogFold;
}

const foldsKeysInLog = (store: EventStore): store is EventStore & FoldsKeysInLog => typeof (store as Partial<FoldsKeysInLog>).keysInLog === 'function';

/** The chain's report, with the keys' check when the walk fed a fold to the end (keysInLog). */
type ChainReport = VerifyReport & { keysInLog?: ReservationCheck };

async function verifyChain(store: EventStore, options: VerifyOptions): Promise<ChainReport> {
  const dense = options.densePositions ?? true;
  const report: ChainReport =
    (dense && scansStoredChain(store) && (await verifyStoredChain(store, options))) ||
    (await walkStore(store, options, foldsKeysInLog(store) ? store.keysInLog() : undefined));
  const unreached = options.anchors?.find((a) => a.position > report.headPosition);
  if (report.ok && unreached) {
    return {
      ...report,
      ok: false,
      firstBreak: {
        kind: 'missing',
        position: unreached.position,
        streamName: '',
        revision: -1,
        detail: `the store ends at ${report.headPosition}, before the published head at ${unreached.position}`,
      },
    };
  }
  return report;
}

async function walkStore(store: EventStore, options: VerifyOptions, keys?: KeysInLogFold): Promise<ChainReport> {
  const verifier = new ChainVerifier({ densePositions: options.densePositions ?? true, anchors: options.anchors });
  const pageSize = options.pageSize ?? 5000;
  let from = 0;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, maxCount: pageSize });
    for (const e of page) {
      if (verifier.check(e)) return verifier.report();
      keys?.see(e);
    }
    if (page.length === 0) break;
    from = page[page.length - 1].position;
    options.onProgress?.(verifier.report().verified, from);
    if (page.length < pageSize) break;
  }
  return { ...verifier.report(), ...(keys ? { keysInLog: keys.result() } : {}) };
}

/** The stored-chain path; undefined when only the walk can tell (see the end). */
async function verifyStoredChain(store: EventStore & StoredChainScanner, options: VerifyOptions): Promise<VerifyReport | undefined> {
  const anchors = new Map<number, string>();
  // ChainVerifier holds a position to the first anchor published for it.
  for (const a of options.anchors ?? []) if (!anchors.has(a.position)) anchors.set(a.position, a.hash);
  const { head, through } = await store.scanStoredChain({
    anchors,
    onProgress: options.onProgress && ((scanned) => options.onProgress!(scanned, scanned)),
    workers: options.workers,
    useCallingThread: options.useCallingThread,
    segmentSize: options.segmentSize,
    pageSize: options.pageSize,
  });
  // The stored links up to `through` equal the recomputed ones, so the walk's state there is read, not rebuilt.
  const [last, next] =
    through === 0 ? [undefined, ...(await store.readAll({ fromPosition: 0, maxCount: 1 }))] : await store.readAll({ fromPosition: through - 1, maxCount: 2 });
  const globalHash = through === 0 ? GENESIS_HASH : last?.position === through ? last.integrity?.globalHash : undefined;
  if (globalHash === undefined) return undefined;
  if (through === head) return { ok: true, verified: head, headPosition: head, headHash: globalHash };
  if (!next) return undefined;
  const stream = await streamStateAt(store, next.streamName, through);
  if (stream === null) return undefined;
  const verifier = new ChainVerifier({
    densePositions: true,
    anchors: options.anchors,
    resume: { position: through, globalHash, verified: through, streams: stream ? [[next.streamName, stream]] : [] },
  });
  // The scan stops right before the event the walk rejects (stored-chain.ts); should this event pass
  // after all, the two disagree and the walk decides.
  return verifier.check(next) ? verifier.report() : undefined;
}

/** The stream's last event at or before `position`, with its stored stream hash (null: not stored). */
async function streamStateAt(store: EventStore, streamName: string, position: number): Promise<{ revision: number; hash: string } | undefined | null> {
  const pageSize = 1000;
  let from: number | 'end' = 'end';
  for (;;) {
    const page = await store.readStream(streamName, { direction: 'backwards', fromRevision: from, maxCount: pageSize });
    const found = page.find((e) => e.position <= position);
    if (found) return found.integrity ? { revision: found.revision, hash: found.integrity.streamHash } : null;
    if (page.length < pageSize) return undefined;
    from = page[page.length - 1].revision - 1;
  }
}
