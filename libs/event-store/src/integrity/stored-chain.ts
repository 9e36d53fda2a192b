import { GENESIS_HASH, globalLinkHash, streamLinkHashOfTexts } from './chain';

/**
 * Checking a store that keeps its links (PostgreSQL) in independent segments of positions.
 *
 * Where the links are stored, each event can be checked against its stored predecessors alone:
 * its stream hash recomputed from the stored stream hash of the previous event of its stream, its
 * global hash from the stored global hash at the position before. If every event passes, then by
 * induction from position 1 every stored link equals the recomputed one, which is exactly what
 * ChainVerifier's walk establishes; and the first event that fails is the first the walk rejects.
 * So segments can be checked in any order, in parallel, once two things are stitched across their
 * boundaries: the stored stream hash before a stream's first event in a segment (read by revision,
 * see StoredChainSegment.takeLookups) and the continuity of each stream's revisions (merged in
 * position order by mergeSegments).
 */

export interface StoredChainScanOptions {
  /** Published head hashes by position. */
  anchors: ReadonlyMap<number, string>;
  onProgress?: (scanned: number) => void;
  /** Worker threads; default: one per core beyond the first, on stores large enough to repay starting them. */
  workers?: number;
  /** Whether the calling thread checks segments too (default true); whatever workers leave, it checks anyway. */
  useCallingThread?: boolean;
  /** Positions per segment (default: all of them, and workers take over parts of the calling thread's). */
  segmentSize?: number;
  /** Events per read. */
  pageSize?: number;
  /** Tests only: a pause on worker threads after each page, so that the calling thread runs out of work first. */
  workerPagePauseMs?: number;
  /** Tests only: the calling thread starts once every worker has its first segment (so a worker holds the whole range). */
  callingThreadWaitsForWorkers?: boolean;
}

export interface StoredChainScan {
  /** The newest position when the scan started. */
  head: number;
  /** Positions 1..through are all present and every stored link up to there is right (see above). */
  through: number;
  /** Segments checked, and how many of them on worker threads. */
  segmentsScanned: number;
  segmentsOnWorkers: number;
}

/** A store that keeps the links with its events and can check them in segments (PostgreSQL). */
export interface StoredChainScanner {
  scanStoredChain(options: StoredChainScanOptions): Promise<StoredChainScan>;
}

export interface SegmentRange {
  /** First and last position, inclusive. */
  from: number;
  to: number;
}

/** What a segment found, in a form that crosses a worker_threads boundary cheaply. */
export interface SegmentResult extends SegmentRange {
  /** Every position from `from` to `through` is present and its links hold (from - 1 if none). */
  through: number;
  /** Streams met before the segment stopped: first revision, its position, and last revision. */
  streamNames: string[];
  firstRevisions: Float64Array;
  firstPositions: Float64Array;
  lastRevisions: Float64Array;
}

/**
 * A stream's first event in a segment that continues it from an earlier segment. The stored stream
 * hash of `revision` must be read among the positions before the segment: once the merge has shown
 * the stream's revisions there to run 0, 1, … without a repeat, that event is its last one there,
 * even if rows were copied in behind the application's back (dropping the unique constraint).
 */
export interface StreamLookup {
  streamName: string;
  /** The revision whose stored stream hash is needed: one before the event's. */
  revision: number;
}

interface PendingLink extends StreamLookup {
  position: number;
  /** The hashed text after the previous hash. */
  identity: string;
  data: string;
  metadata: string;
  streamHash: string;
}

interface StreamRun {
  first: number;
  firstPosition: number;
  last: number;
  /** Stored stream hash of the last event met. */
  hash: string;
}

export class StoredChainSegment {
  private readonly streams = new Map<string, StreamRun>();
  private pending: PendingLink[] = [];
  /** Lookups handed out and not settled yet: the result is not known before they are. */
  private unsettled = 0;
  private expected: number;
  private through = Infinity;

  /** `previousGlobalHash`: the stored global hash at from - 1 (undefined if that row is missing). */
  constructor(
    readonly range: SegmentRange,
    private previousGlobalHash: string | undefined,
    private readonly anchors: ReadonlyMap<number, string>,
  ) {
    this.expected = range.from;
  }

  get stopped(): boolean {
    return this.through !== Infinity;
  }

  get pendingLookups(): number {
    return this.pending.length;
  }

  /**
   * The next stored event, in position order; `data` and `metadata` are already canonical JSON.
   * Returns false once the segment has stopped: later rows cannot move its `through`.
   */
  row(
    position: number,
    eventId: string,
    streamName: string,
    revision: number,
    type: string,
    data: string,
    metadata: string,
    streamHash: string,
    globalHash: string,
  ): boolean {
    if (this.stopped) return false;
    if (position !== this.expected || this.previousGlobalHash === undefined) return this.stop(this.expected - 1);
    if (globalLinkHash(this.previousGlobalHash, streamHash) !== globalHash) return this.stop(position - 1);
    if (this.anchors.size > 0) {
      const anchor = this.anchors.get(position);
      if (anchor !== undefined && anchor !== globalHash) return this.stop(position - 1);
    }
    const identity = `${eventId}\n${streamName}\n${String(revision)}\n${type}`;
    const run = this.streams.get(streamName);
    if (run) {
      if (revision !== run.last + 1 || streamLinkHashOfTexts(run.hash, identity, data, metadata) !== streamHash) return this.stop(position - 1);
      run.last = revision;
      run.hash = streamHash;
    } else {
      if (revision === 0) {
        if (streamLinkHashOfTexts(GENESIS_HASH, identity, data, metadata) !== streamHash) return this.stop(position - 1);
      } else if (this.range.from === 1 || !Number.isSafeInteger(revision) || revision < 0) {
        return this.stop(position - 1);
      } else {
        this.pending.push({ streamName, revision: revision - 1, position, identity, data, metadata, streamHash });
      }
      this.streams.set(streamName, { first: revision, firstPosition: position, last: revision, hash: streamHash });
    }
    this.previousGlobalHash = globalHash;
    this.expected++;
    return true;
  }

  /** Hands over the links waiting for a stored stream hash from before the segment. */
  takeLookups(): StreamLookup[] {
    const taken = this.pending;
    this.pending = [];
    this.unsettled += taken.length;
    return taken;
  }

  /** `hashes[i]`: the stored stream hash for `lookups[i]` (undefined when there is no such event). */
  settle(lookups: StreamLookup[], hashes: Array<string | undefined>): void {
    this.unsettled -= lookups.length;
    lookups.forEach((lookup, i) => {
      const link = lookup as PendingLink;
      const previous = hashes[i];
      if (previous === undefined || streamLinkHashOfTexts(previous, link.identity, link.data, link.metadata) !== link.streamHash) {
        this.through = Math.min(this.through, link.position - 1);
      }
    });
  }

  result(): SegmentResult {
    if (this.pending.length > 0 || this.unsettled > 0) throw new Error('StoredChainSegment.result: stream lookups are still unsettled');
    const through = Math.min(this.through, this.expected - 1);
    const names: string[] = [];
    const runs: StreamRun[] = [];
    for (const [name, run] of this.streams) {
      if (run.firstPosition > through) continue;
      names.push(name);
      runs.push(run);
    }
    return {
      ...this.range,
      through,
      streamNames: names,
      firstRevisions: Float64Array.from(runs, (r) => r.first),
      firstPositions: Float64Array.from(runs, (r) => r.firstPosition),
      lastRevisions: Float64Array.from(runs, (r) => r.last),
    };
  }

  private stop(through: number): false {
    this.through = Math.min(this.through, through);
    return false;
  }
}

/**
 * Stitches segments covering 1..head, in any order, and returns the position up to which the
 * whole chain is shown to hold: head when it holds everywhere, otherwise the position before the
 * first event the sequential walk rejects (or, rarely, before one it would accept: see verify.ts).
 */
export function mergeSegments(results: SegmentResult[], head: number): number {
  const ordered = [...results].sort((a, b) => a.from - b.from);
  const lastRevision = new Map<string, number>();
  let covered = 0;
  for (const segment of ordered) {
    if (segment.from !== covered + 1) return covered;
    let through = segment.through;
    const { streamNames, firstRevisions, firstPositions, lastRevisions } = segment;
    for (let i = 0; i < streamNames.length; i++) {
      if (firstPositions[i] > through) continue;
      const before = lastRevision.get(streamNames[i]);
      if (before === undefined ? firstRevisions[i] !== 0 : firstRevisions[i] !== before + 1) through = Math.min(through, firstPositions[i] - 1);
    }
    if (through < segment.to) return through;
    for (let i = 0; i < streamNames.length; i++) lastRevision.set(streamNames[i], lastRevisions[i]);
    covered = segment.to;
  }
  return Math.min(covered, head);
}
