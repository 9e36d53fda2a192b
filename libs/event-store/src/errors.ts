import type { ExpectedRevision } from './event-store.port';

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
