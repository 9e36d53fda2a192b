import type { ExpectedRevision, StreamWrite } from './event-store.port';

/** The stream's revision is not the one the writer expected: reload and decide again. */
export class WrongExpectedRevision extends Error {
  override readonly name = 'WrongExpectedRevision';
  constructor(
    readonly streamName: string,
    readonly expectedRevision: ExpectedRevision,
    /** -1 when the stream does not exist. */
    readonly actualRevision: number,
  ) {
    super(`stream ${streamName}: expected revision ${String(expectedRevision)}, actual ${actualRevision < 0 ? 'no stream' : actualRevision}`);
  }
}

/** An event id was already used for a different event (another stream, or another place in this one). */
export class EventIdConflict extends Error {
  override readonly name = 'EventIdConflict';
  constructor(
    readonly eventId: string,
    readonly streamName: string,
  ) {
    super(`event id ${eventId} is already stored elsewhere; ${streamName} cannot reuse it`);
  }
}

/** A write of appendToStreams whose onlyIf did not hold: nothing of it was written. */
export class WriteConditionFailed extends Error {
  override readonly name = 'WriteConditionFailed';
  constructor(
    readonly streamName: string,
    /** Which condition failed, e.g. "write 3 of the call was not written" or "stream x exists". */
    readonly unmet: string,
  ) {
    super(`stream ${streamName}: not written, ${unmet}`);
  }
}

/** A write of appendToStreams that would take a key another write took (StreamWrite.reserve): nothing of it was written. */
export class KeyReserved extends Error {
  override readonly name = 'KeyReserved';
  constructor(
    readonly streamName: string,
    readonly key: string,
  ) {
    super(`stream ${streamName}: not written, key ${key} is taken`);
  }
}

/** A write may only depend on writes before it in its call: those are decided first. */
export function assertConditions(write: StreamWrite, index: number): void {
  for (const i of write.onlyIf?.written ?? []) {
    if (!Number.isInteger(i) || i < 0 || i >= index) throw new Error(`appendToStreams: write ${index} may depend only on earlier writes, not on ${i}`);
  }
  const keys = write.reserve ?? [];
  if (keys.some((k) => typeof k !== 'string' || k.length === 0) || new Set(keys).size !== keys.length) {
    throw new Error(`appendToStreams: write ${index} reserves keys that are empty or repeated`);
  }
}
