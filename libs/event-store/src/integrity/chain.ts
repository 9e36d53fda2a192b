import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

export const GENESIS_HASH = '0'.repeat(64);

export interface HashableEvent {
  eventId: string;
  streamName: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: unknown;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Links an event to the previous one of its stream (GENESIS_HASH before revision 0). Same formula as ledger_append(). */
export function streamLinkHash(previous: string, e: HashableEvent): string {
  return sha256([previous, e.eventId, e.streamName, String(e.revision), e.type, canonicalJson(e.data), canonicalJson(e.metadata)].join('\n'));
}

/** Links an event's stream hash to the previous event of the whole store. */
export function globalLinkHash(previous: string, streamHash: string): string {
  return sha256(`${previous}\n${streamHash}`);
}
