import { hash } from 'node:crypto';
import { canonicalJsonOfParsed } from './canonical-json';

export const GENESIS_HASH = '0'.repeat(64);

export interface HashableEvent {
  eventId: string;
  streamName: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: unknown;
}

// One call instead of createHash().update().digest(): the verifier hashes twice per stored event.
const sha256 = (text: string) => hash('sha256', text, 'hex');

/**
 * The stream link from its texts: `identity` is `eventId\nstreamName\nrevision\ntype` and the
 * other two the canonical JSON of data and metadata. For readers that already hold those texts.
 */
export function streamLinkHashOfTexts(previous: string, identity: string, canonicalData: string, canonicalMetadata: string): string {
  return sha256(`${previous}\n${identity}\n${canonicalData}\n${canonicalMetadata}`);
}

/** Links an event to the previous one of its stream (GENESIS_HASH before revision 0). Same formula as ledger_append(). */
export function streamLinkHash(previous: string, e: HashableEvent): string {
  // `?? ''` as Array.join renders the undefined canonicalJson gives for a missing value.
  return streamLinkHashOfTexts(
    previous,
    `${e.eventId}\n${e.streamName}\n${String(e.revision)}\n${e.type}`,
    canonicalJsonOfParsed(e.data) ?? '',
    canonicalJsonOfParsed(e.metadata) ?? '',
  );
}

/** Links an event's stream hash to the previous event of the whole store. */
export function globalLinkHash(previous: string, streamHash: string): string {
  return sha256(`${previous}\n${streamHash}`);
}
