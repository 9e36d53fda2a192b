import type { EventStore, StoredEvent } from '../event-store.port';
import { GENESIS_HASH, globalLinkHash, streamLinkHash } from './chain';

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
  ok: boolean;
  verified: number;
  headPosition: number;
  /** Head of the global chain as recomputed: publish it, and later runs can be held to it. */
  headHash: string;
  firstBreak?: ChainBreak;
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

  constructor(private readonly options: { densePositions: boolean; anchors?: HeadAnchor[] }) {}

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

/** A head hash recorded earlier (by an auditor, in a report): the chain must still reach it. */
export interface HeadAnchor {
  position: number;
  hash: string;
}

export interface VerifyOptions {
  anchors?: HeadAnchor[];
  pageSize?: number;
  onProgress?: (verified: number, position: number) => void;
  /** The PostgreSQL adapter numbers positions densely; EventStoreDB's are log offsets. */
  densePositions?: boolean;
}

export async function verifyStore(store: EventStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const verifier = new ChainVerifier({ densePositions: options.densePositions ?? true, anchors: options.anchors });
  const pageSize = options.pageSize ?? 5000;
  let from = 0;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, maxCount: pageSize });
    for (const e of page) if (verifier.check(e)) return verifier.report();
    if (page.length === 0) break;
    from = page[page.length - 1].position;
    options.onProgress?.(verifier.report().verified, from);
    if (page.length < pageSize) break;
  }
  const report = verifier.report();
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
