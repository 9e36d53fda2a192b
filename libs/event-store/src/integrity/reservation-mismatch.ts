import type { ReservationMismatch } from '../event-store.port';

/** What both adapters report when a key and the events disagree, in the same words. */

/** An event records a key no held key agrees with: deleted, or moved to another write. */
export function recordedKeyNotHeld(key: string, streamName: string, revision: number, position: number): ReservationMismatch {
  return {
    key,
    streamName,
    revision,
    detail: `${streamName}@${revision} (position ${position}) records key ${key}, which the store does not hold as taken by it: with the key gone, a repost would be recorded again`,
  };
}

/** A key is held for an event that is stored but does not record it. */
export function heldKeyNotRecorded(key: string, streamName: string, revision: number): ReservationMismatch {
  return {
    key,
    streamName,
    revision,
    detail: `key ${key} is held for ${streamName}@${revision}, whose event does not record it: the key was added or moved behind the store's back`,
  };
}
