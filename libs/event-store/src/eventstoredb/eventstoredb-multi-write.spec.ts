import { randomUUID } from 'node:crypto';
import { eventStoreContract } from '../contract/event-store.contract';
import { WrongExpectedRevision } from '../errors';
import type { AppendResult, ExpectedRevision, NewEvent, ReadAllOptions, ReadStreamOptions, StoredEvent } from '../event-store.port';
import { withRecordedAt } from '../metadata';
import { verifyStore } from '../integrity/verify';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/**
 * The adapter's multi-stream writes (onlyIf, keys taken before the write and given back after a failed one, the
 * expected revision checked before keys) are its own logic over single-stream appends. Here those appends go to
 * streams in memory with EventStoreDB's semantics (expected revisions, idempotent re-append of the same event ids), so
 * that logic runs the contract's appendToStreams part without a server. The whole contract runs against a real
 * server when EVENTSTORE_URL is set (eventstoredb-event-store.spec.ts).
 */
class EventStoreDbOverMemory extends EventStoreDbEventStore {
  private readonly streams = new Map<string, StoredEvent[]>();
  private position = 0;
  /** Streams whose next append fails as if another writer got there between the adapter's checks and its append. */
  readonly overtaken = new Set<string>();

  constructor() {
    // Never connects: every call the multi-stream logic makes is answered below.
    super('esdb://127.0.0.1:1?tls=false');
  }

  override async appendToStream(streamName: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const stream = this.streams.get(streamName) ?? [];
    const at = stream.findIndex((e) => e.eventId === events[0]!.eventId);
    if (at >= 0 && events.every((e, i) => stream[at + i]?.eventId === e.eventId)) {
      const last = stream[at + events.length - 1]!;
      return { nextExpectedRevision: last.revision, position: last.position };
    }
    const expected = options.expectedRevision ?? 'any';
    if (this.overtaken.delete(streamName)) throw new WrongExpectedRevision(streamName, expected, stream.length);
    const head = stream.length - 1;
    const holds = expected === 'any' || (expected === 'no_stream' ? head === -1 : expected === 'stream_exists' ? head >= 0 : head === expected);
    if (!holds) throw new WrongExpectedRevision(streamName, expected, head);
    for (const e of events) {
      stream.push({ ...e, metadata: withRecordedAt(e.metadata), streamName, revision: stream.length, position: ++this.position });
    }
    this.streams.set(streamName, stream);
    return { nextExpectedRevision: stream.length - 1, position: this.position };
  }

  override async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const stream = this.streams.get(streamName) ?? [];
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    const start = from === 'start' ? 0 : from === 'end' ? stream.length - 1 : from;
    const picked = backwards ? stream.slice(0, start + 1).reverse() : stream.slice(start);
    return picked.slice(0, options.maxCount ?? picked.length);
  }

  /** Pages read from the log. */
  reads = 0;

  /** Forwards only: all that checkReservations and verify read. */
  override async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.reads++;
    const from = typeof options.fromPosition === 'number' ? options.fromPosition : 0;
    const log = [...this.streams.values()].flat().sort((a, b) => a.position - b.position);
    return log.filter((e) => e.position > from).slice(0, options.maxCount ?? log.length);
  }

  /** Someone with the server's rights deletes an event. */
  remove(streamName: string, revision: number): void {
    this.streams.set(
      streamName,
      (this.streams.get(streamName) ?? []).filter((e) => e.revision !== revision),
    );
  }
}

const event = (): NewEvent => ({ eventId: randomUUID(), type: 'Tested', data: {}, metadata: { correlationId: 'c', causationId: 'c', actor: 'test' } });

eventStoreContract(
  'EventStoreDB adapter over in-memory streams',
  async () => new EventStoreDbOverMemory(),
  (store) => store.close(),
  'appendToStreams',
);

describe('EventStoreDB adapter: keys around a write that fails', () => {
  it('gives a key back when the write it was taken for fails, so a later write takes it', async () => {
    const store = new EventStoreDbOverMemory();
    store.overtaken.add('s-1');
    const [failed] = await store.appendToStreams([{ streamName: 's-1', events: [event()], expectedRevision: 'no_stream', reserve: ['k'] }]);
    expect(failed).toMatchObject({ ok: false, error: { name: 'WrongExpectedRevision' } });
    expect(await store.reservation('k')).toBeNull();
    expect((await store.readStream('reservation-k')).map((e) => e.type)).toEqual(['KeyTaken', 'KeyGivenBack']);
    const [taken] = await store.appendToStreams([{ streamName: 's-2', events: [event()], reserve: ['k'] }]);
    expect(taken!.ok).toBe(true);
    expect(await store.reservation('k')).toEqual({ key: 'k', streamName: 's-2', revision: 0 });
    expect(await store.checkReservations()).toEqual({ checked: 1, unrecorded: 0 });
    await store.close();
  });

  it('reports a key whose write is not stored (a crash between the two appends) with revision -1', async () => {
    const store = new EventStoreDbOverMemory();
    const missing = event();
    await store.appendToStream('reservation-k', [{ ...event(), type: 'KeyTaken', data: { key: 'k', streamName: 's-1', eventId: missing.eventId } }]);
    expect(await store.reservation('k')).toEqual({ key: 'k', streamName: 's-1', revision: -1 });
    const [refused] = await store.appendToStreams([{ streamName: 's-2', events: [event()], reserve: ['k'] }]);
    expect(refused).toMatchObject({ ok: false, error: { name: 'KeyReserved', key: 'k' } });
    expect((await store.checkReservations()).mismatch).toEqual({
      key: 'k',
      streamName: 's-1',
      revision: -1,
      detail: `key k is held for event ${missing.eventId} of s-1, which is not stored (a stop between taking the key and the write)`,
    });
    await store.close();
  });
});

describe('EventStoreDB adapter: the keys held against the events that record them', () => {
  const keyTaken = (key: string, streamName: string, eventId: string): NewEvent => ({ ...event(), type: 'KeyTaken', data: { key, streamName, eventId } });

  it('counts keys of writes stored before writes recorded them, and finds one taken for a later write that does not record it', async () => {
    const store = new EventStoreDbOverMemory();
    // As an older build wrote it: the key, then its write, which records nothing.
    const old = event();
    await store.appendToStream('reservation-old', [keyTaken('old', 's-old', old.eventId)]);
    await store.appendToStream('s-old', [old]);
    await store.appendToStreams([{ streamName: 's-new', events: [event()], reserve: ['new'] }]);
    expect(await store.checkReservations()).toEqual({ checked: 2, unrecorded: 1 });

    // Taken behind the adapter's back for a write stored after writes began recording their keys.
    const later = event();
    await store.appendToStream('reservation-forged', [keyTaken('forged', 's-later', later.eventId)]);
    await store.appendToStream('s-later', [later]);
    expect(await store.checkReservations()).toEqual({
      checked: 3,
      unrecorded: 1,
      mismatch: expect.objectContaining({ key: 'forged', streamName: 's-later', revision: 0, detail: expect.stringContaining('does not record it') }),
    });
    await store.close();
  });

  it('finds a key an event records but no key stream holds for it', async () => {
    const store = new EventStoreDbOverMemory();
    await store.appendToStream('s-1', [{ ...event(), metadata: { correlationId: 'c', causationId: 'c', actor: 'test', reservedKeys: ['k'] } }]);
    expect((await store.checkReservations()).mismatch).toMatchObject({
      key: 'k',
      streamName: 's-1',
      revision: 0,
      detail: expect.stringContaining('a repost would be recorded again'),
    });
    await store.close();
  });
});

describe('EventStoreDB adapter: verify', () => {
  async function keyedStore(): Promise<EventStoreDbOverMemory> {
    const store = new EventStoreDbOverMemory();
    for (let i = 0; i < 3; i++) await store.appendToStreams([{ streamName: `paid-${i}`, events: [event()], reserve: [`receipt:${i}`] }]);
    await store.appendToStream('plain', [event(), event(), event()]);
    return store;
  }

  it('checks the chain and the keys in one walk of the log', async () => {
    const store = await keyedStore();
    const report = await verifyStore(store, { densePositions: false });
    expect(store.reads).toBe(1);
    expect(report).toMatchObject({ ok: true, verified: 9, reservations: { checked: 3, unrecorded: 0 } });
    expect(report.reservations).toEqual(await store.checkReservations());
    expect(report).not.toHaveProperty('keysInLog');
    await store.close();
  });

  it('reads the keys on their own when the walk stops at a break in the chain', async () => {
    const store = await keyedStore();
    store.remove('plain', 1);
    const report = await verifyStore(store, { densePositions: false });
    expect(report).toMatchObject({ ok: false, firstBreak: { kind: 'missing', streamName: 'plain', revision: 2 }, reservations: { checked: 3, unrecorded: 0 } });
    expect(store.reads).toBe(2);
    await store.close();
  });
});
