import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { assertConditions, KeyReserved, WriteConditionFailed, WrongExpectedRevision } from '../errors';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  Reservation,
  ReservationCheck,
  ReservationMismatch,
  StoredEvent,
  StreamWrite,
  StreamWriteResult,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import { heldKeyNotRecorded, recordedKeyNotHeld } from '../integrity/reservation-mismatch';
import type { FoldsKeysInLog, KeysInLogFold } from '../integrity/verify';
import { eventsRecordingKeys, reservedKeysOf, withRecordedAt } from '../metadata';

/**
 * The production adapter. Positions are EventStoreDB commit positions; appends made through gRPC
 * are not multi-event transactions, so each event's commit position orders $all and fits in a
 * JavaScript number for any log below 8 PiB.
 */
export class EventStoreDbEventStore implements EventStore, FoldsKeysInLog {
  private readonly client: EventStoreDBClient;

  constructor(connectionString: string) {
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  async appendToStream(streamName: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    try {
      const result = await this.client.appendToStream(
        streamName,
        events.map((e) => jsonEvent({ id: e.eventId, type: e.type, data: e.data as JSONType, metadata: withRecordedAt(e.metadata) as JSONType })),
        { expectedRevision: toEsdbExpected(expected) },
      );
      return {
        nextExpectedRevision: Number(result.nextExpectedRevision),
        position: Number(result.position?.commit ?? 0n),
      };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion;
        throw new WrongExpectedRevision(streamName, expected, typeof actual === 'bigint' ? Number(actual) : -1);
      }
      throw error;
    }
  }

  async appendToStreams(writes: StreamWrite[]): Promise<StreamWriteResult[]> {
    writes.forEach(assertConditions);
    const results: StreamWriteResult[] = [];
    for (const asked of writes) {
      const write = { ...asked, events: eventsRecordingKeys(asked) };
      // Checked after the writes before it, so a stream that must stay empty is looked at after the write it guards:
      // whoever writes that stream later sees ours (the order a single PostgreSQL transaction gives as well).
      const unmet = await this.unmetCondition(write, results);
      if (unmet && !(await this.holds(write.streamName, write.events[0]!.eventId))) {
        results.push({ streamName: write.streamName, ok: false, error: new WriteConditionFailed(write.streamName, unmet) });
        continue;
      }
      const taken: Array<{ stream: string; revision: number }> = [];
      if (!unmet && write.reserve?.length) {
        // The expected revision is checked before keys: a write that fails both reports its revision, and takes nothing.
        const revisionFails = await this.revisionFails(write);
        const refused = revisionFails ? null : await this.take(write, taken);
        if (revisionFails || refused) {
          await this.giveBack(taken.splice(0));
          // Unless it is a retry of a write already stored (its own key, its own revision): that answers as the first time.
          if (!(await this.holds(write.streamName, write.events[0]!.eventId))) {
            results.push({ streamName: write.streamName, ok: false, error: revisionFails ?? new KeyReserved(write.streamName, refused!) });
            continue;
          }
        }
      }
      try {
        results.push({
          streamName: write.streamName,
          ok: true,
          result: await this.appendToStream(write.streamName, write.events, { expectedRevision: write.expectedRevision }),
        });
      } catch (error) {
        await this.giveBack(taken);
        if (!(error instanceof WrongExpectedRevision)) throw error;
        results.push({ streamName: write.streamName, ok: false, error });
      }
    }
    return results;
  }

  /**
   * EventStoreDB has no multi-stream transaction, so a key is a stream of its own (`reservation-<key>`), taken before
   * the write with an expected revision and given back (KeyGivenBack) if the write then fails. A crash between the two
   * appends leaves a key whose write is missing: reservation() reports it with revision -1, for an operator to look at.
   * Returns the first key found taken, having taken the others before it (the caller gives those back).
   */
  private async take(write: StreamWrite, taken: Array<{ stream: string; revision: number }>): Promise<string | null> {
    // The key's own event keeps the write's metadata for tracing, but not the keys the write records.
    const { reservedKeys: _recorded, ...metadata } = write.events[0]!.metadata;
    for (const key of write.reserve ?? []) {
      const stream = reservationStream(key);
      // A free key has no stream yet: try that first, and read the stream only when it exists (taken, or given back).
      let expected: ExpectedRevision = 'no_stream';
      for (;;) {
        try {
          const result = await this.appendToStream(
            stream,
            [
              {
                eventId: randomUUID(),
                type: KEY_TAKEN,
                data: { key, streamName: write.streamName, eventId: write.events[0]!.eventId },
                metadata: metadata as EventMetadata,
              },
            ],
            { expectedRevision: expected },
          );
          taken.push({ stream, revision: result.nextExpectedRevision });
          break;
        } catch (error) {
          if (!(error instanceof WrongExpectedRevision)) throw error;
          const [last] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
          // Taken, or given back and taken again by someone faster.
          if (!last || last.type !== KEY_GIVEN_BACK || last.revision === expected) return key;
          expected = last.revision;
        }
      }
    }
    return null;
  }

  private async revisionFails(write: StreamWrite): Promise<WrongExpectedRevision | null> {
    const expected = write.expectedRevision ?? 'any';
    if (expected === 'any') return null;
    const head = (await this.readStream(write.streamName, { direction: 'backwards', maxCount: 1 }))[0]?.revision ?? -1;
    const holds = expected === 'no_stream' ? head === -1 : expected === 'stream_exists' ? head >= 0 : head === expected;
    return holds ? null : new WrongExpectedRevision(write.streamName, expected, head);
  }

  private async giveBack(taken: Array<{ stream: string; revision: number }>): Promise<void> {
    for (const { stream, revision } of taken) {
      await this.appendToStream(
        stream,
        [{ eventId: randomUUID(), type: KEY_GIVEN_BACK, data: {}, metadata: { correlationId: stream, causationId: stream, actor: 'event-store' } }],
        {
          expectedRevision: revision,
        },
      );
    }
  }

  async reservation(key: string): Promise<Reservation | null> {
    const [last] = await this.readStream(reservationStream(key), { direction: 'backwards', maxCount: 1 });
    if (!last || last.type !== KEY_TAKEN) return null;
    const { streamName, eventId } = last.data as { streamName: string; eventId: string };
    const written = (await this.readStream(streamName)).find((e) => e.eventId === eventId);
    return { key, streamName, revision: written ? written.revision : -1 };
  }

  /**
   * Walks the log in global order: a key stream's KeyTaken comes before the write it takes the key for, so each write
   * is met with the keys taken for it already known, and a key given back (KeyGivenBack) is forgotten.
   */
  async checkReservations(): Promise<ReservationCheck> {
    const pageSize = 5000;
    const keys = this.keysInLog();
    let from: number | 'start' = 'start';
    for (;;) {
      const page = await this.readAll({ fromPosition: from, maxCount: pageSize });
      for (const e of page) keys.see(e);
      if (page.length < pageSize) return keys.result();
      from = page[page.length - 1]!.position;
    }
  }

  /** The fold behind checkReservations, for verifyStore to feed from the walk that checks the chain. */
  keysInLog(): KeysInLogFold {
    return new KeysInLog();
  }

  /** Whether a retried write is already stored: it then answers as it did, whatever its conditions say now. */
  private async holds(streamName: string, eventId: string): Promise<boolean> {
    return (await this.readStream(streamName)).some((e) => e.eventId === eventId);
  }

  private async unmetCondition(write: StreamWrite, before: StreamWriteResult[]): Promise<string | null> {
    for (const i of write.onlyIf?.written ?? []) if (!before[i]?.ok) return `write ${i} of the call was not written`;
    for (const name of write.onlyIf?.noStreams ?? []) if ((await this.readStream(name, { maxCount: 1 })).length) return `stream ${name} exists`;
    return null;
  }

  async readStreams(streamNames: string[], fromRevisions?: ReadonlyMap<string, number>): Promise<Map<string, StoredEvent[]>> {
    const names = [...new Set(streamNames)];
    const read = await Promise.all(names.map((n) => this.readStream(n, { fromRevision: fromRevisions?.get(n) ?? 'start' })));
    return new Map(names.map((n, i) => [n, read[i]]));
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const from = options.fromRevision ?? (options.direction === 'backwards' ? 'end' : 'start');
    const events: StoredEvent[] = [];
    try {
      const read = this.client.readStream(streamName, {
        fromRevision: from === 'start' ? START : from === 'end' ? END : BigInt(from),
        direction: options.direction === 'backwards' ? BACKWARDS : FORWARDS,
        ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      });
      for await (const resolved of read) {
        const stored = toStored(resolved);
        if (stored) events.push(stored);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromPosition ?? (backwards ? 'end' : 'start');
    const events: StoredEvent[] = [];
    const read = this.client.readAll({
      fromPosition: from === 'start' ? START : from === 'end' ? END : { commit: BigInt(from), prepare: BigInt(from) },
      direction: backwards ? BACKWARDS : FORWARDS,
      ...(options.maxCount !== undefined ? { maxCount: options.maxCount + 1 } : {}),
    });
    for await (const resolved of read) {
      const stored = toStored(resolved);
      // The port's fromPosition is exclusive; EventStoreDB's is inclusive.
      if (!stored || (typeof from === 'number' && stored.position === from)) continue;
      events.push(stored);
      if (options.maxCount !== undefined && events.length >= options.maxCount) break;
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const from = options.fromPosition ?? 'start';
    const filter = options.filter?.streamNamePrefixes?.length
      ? streamNameFilter({ prefixes: options.filter.streamNamePrefixes })
      : options.filter?.eventTypePrefixes?.length
        ? eventTypeFilter({ prefixes: options.filter.eventTypePrefixes })
        : excludeSystemEvents();
    const subscription = this.client.subscribeToAll({
      fromPosition: from === 'start' || from === 0 ? START : { commit: BigInt(from), prepare: BigInt(from) },
      filter,
    });
    async function* iterate(): AsyncGenerator<StoredEvent> {
      for await (const resolved of subscription) {
        const stored = toStored(resolved);
        if (!stored || (typeof from === 'number' && stored.position <= from)) continue;
        yield stored;
      }
    }
    const generator = iterate();
    return {
      [Symbol.asyncIterator]: () => generator,
      unsubscribe: async () => {
        await subscription.unsubscribe();
      },
    };
  }

  async headPosition(): Promise<number> {
    const [last] = await this.readAll({ direction: 'backwards', maxCount: 1 });
    return last?.position ?? 0;
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    try {
      const head = await this.headPosition();
      return { ok: true, detail: `EventStoreDB, head position ${head}` };
    } catch (error) {
      return { ok: false, detail: `EventStoreDB unreachable: ${(error as Error).message}` };
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

const KEY_TAKEN = 'KeyTaken';
const KEY_GIVEN_BACK = 'KeyGivenBack';
const RESERVATION_PREFIX = 'reservation-';
const reservationStream = (key: string) => `${RESERVATION_PREFIX}${key}`;

/** The fold behind checkReservations, over events in global order. */
class KeysInLog implements KeysInLogFold {
  /** Keys taken whose write is not met yet, by the id of the write's first event. */
  private readonly pending = new Map<string, { streamName: string; keys: Set<string> }>();
  private readonly pendingEventOf = new Map<string, string>();
  private taken = 0;
  private unrecorded = 0;
  /** Whether an event recording keys was met: from then on every write that takes a key records it. */
  private recording = false;
  private mismatch?: ReservationMismatch;

  see(e: StoredEvent): void {
    if (e.streamName.startsWith(RESERVATION_PREFIX)) return this.seeKeyEvent(e);
    const waiting = this.pending.get(e.eventId);
    const recorded = reservedKeysOf(e.metadata);
    if (!waiting && !recorded) return;
    this.pending.delete(e.eventId);
    if (recorded) this.recording = true;
    for (const key of waiting?.keys ?? []) {
      this.pendingEventOf.delete(key);
      if (!recorded && !this.recording) this.unrecorded++;
      else if (!recorded?.includes(key)) this.found(heldKeyNotRecorded(key, e.streamName, e.revision));
    }
    for (const key of recorded ?? []) {
      if (!waiting?.keys.has(key)) this.found(recordedKeyNotHeld(key, e.streamName, e.revision, e.position));
    }
  }

  result(): ReservationCheck {
    for (const [eventId, { streamName, keys }] of this.pending) {
      for (const key of keys) {
        this.mismatch ??= {
          key,
          streamName,
          revision: -1,
          detail: `key ${key} is held for event ${eventId} of ${streamName}, which is not stored (a stop between taking the key and the write)`,
        };
      }
    }
    return { checked: this.taken, unrecorded: this.unrecorded, ...(this.mismatch ? { mismatch: this.mismatch } : {}) };
  }

  private seeKeyEvent(e: StoredEvent): void {
    const key = e.streamName.slice(RESERVATION_PREFIX.length);
    if (e.type === KEY_TAKEN) {
      const { streamName, eventId } = e.data as { streamName: string; eventId: string };
      this.taken++;
      const waiting = this.pending.get(eventId) ?? { streamName, keys: new Set<string>() };
      waiting.keys.add(key);
      this.pending.set(eventId, waiting);
      this.pendingEventOf.set(key, eventId);
    } else if (e.type === KEY_GIVEN_BACK) {
      this.taken--;
      const eventId = this.pendingEventOf.get(key);
      if (eventId === undefined) return;
      this.pendingEventOf.delete(key);
      const waiting = this.pending.get(eventId)!;
      waiting.keys.delete(key);
      if (waiting.keys.size === 0) this.pending.delete(eventId);
    }
  }

  private found(mismatch: ReservationMismatch): void {
    this.mismatch ??= mismatch;
  }
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return BigInt(expected);
}

function toStored(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | undefined {
  const event = resolved.event;
  if (!event || !event.isJson || event.type.startsWith('$')) return undefined;
  return {
    eventId: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata as unknown as EventMetadata & { recordedAt: string },
    streamName: event.streamId,
    revision: Number(event.revision),
    position: Number(resolved.commitPosition ?? event.position?.commit ?? 0n),
  };
}
