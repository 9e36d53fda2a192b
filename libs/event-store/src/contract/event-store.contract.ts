import { randomUUID } from 'node:crypto';
import { WrongExpectedRevision } from '../errors';
import type { EventStore, NewEvent, StoredEvent, StreamWrite, Subscription } from '../event-store.port';

/**
 * The behaviour every adapter must have. Stream names are unique per test so the suite also runs
 * against a shared EventStoreDB that already holds other data.
 */
export function eventStoreContract(
  adapterName: string,
  open: () => Promise<EventStore>,
  close: (store: EventStore) => Promise<void>,
  /** 'appendToStreams': only the multi-stream writes (conditions, keys), for an adapter's own logic over a stand-in. */
  parts: 'all' | 'appendToStreams' = 'all',
) {
  // The sections left out are not defined at all, rather than skipped, so they do not count as skipped tests.
  const section = parts === 'all' ? describe : (_name: string, _fn: () => void) => undefined;
  describe(`event store contract: ${adapterName}`, () => {
    let store: EventStore;
    let prefix: string;

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await close(store);
    });
    beforeEach(() => {
      prefix = `c${randomUUID().slice(0, 8)}`;
    });

    const stream = (name: string) => `${prefix}-${name}`;
    const event = (type = 'Tested', data: Record<string, unknown> = {}): NewEvent => ({
      eventId: randomUUID(),
      type,
      data,
      metadata: { correlationId: 'corr-1', causationId: 'cause-1', actor: 'contract-test' },
    });

    const toNew = (e: StoredEvent): NewEvent => ({ eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata });

    async function takeFrom(subscription: Subscription, count: number, accept: (e: StoredEvent) => boolean): Promise<StoredEvent[]> {
      const seen: StoredEvent[] = [];
      for await (const e of subscription) {
        if (accept(e)) seen.push(e);
        if (seen.length >= count) break;
      }
      await subscription.unsubscribe();
      return seen;
    }

    section('appendToStream', () => {
      it('creates a stream at revision 0 and returns a global position', async () => {
        const result = await store.appendToStream(stream('a'), [event()], { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(0);
        expect(result.position).toBeGreaterThan(0);
      });

      it('numbers a batch with consecutive revisions', async () => {
        const result = await store.appendToStream(stream('a'), [event(), event(), event()]);
        expect(result.nextExpectedRevision).toBe(2);
        const read = await store.readStream(stream('a'));
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('refuses no_stream on an existing stream with the actual revision', async () => {
        await store.appendToStream(stream('a'), [event(), event()]);
        const attempt = store.appendToStream(stream('a'), [event()], { expectedRevision: 'no_stream' });
        await expect(attempt).rejects.toBeInstanceOf(WrongExpectedRevision);
        await expect(attempt).rejects.toMatchObject({ actualRevision: 1, streamName: stream('a') });
      });

      it('refuses stream_exists on a missing stream, reporting no stream as -1', async () => {
        await expect(store.appendToStream(stream('missing'), [event()], { expectedRevision: 'stream_exists' })).rejects.toMatchObject({
          name: 'WrongExpectedRevision',
          actualRevision: -1,
        });
        await store.appendToStream(stream('missing'), [event()]);
        await expect(store.appendToStream(stream('missing'), [event()], { expectedRevision: 'stream_exists' })).resolves.toMatchObject({
          nextExpectedRevision: 1,
        });
      });

      it('accepts the exact expected revision and refuses a stale one', async () => {
        await store.appendToStream(stream('a'), [event()]);
        await expect(store.appendToStream(stream('a'), [event()], { expectedRevision: 0 })).resolves.toMatchObject({ nextExpectedRevision: 1 });
        await expect(store.appendToStream(stream('a'), [event()], { expectedRevision: 0 })).rejects.toMatchObject({
          name: 'WrongExpectedRevision',
          expectedRevision: 0,
          actualRevision: 1,
        });
      });

      it('appends with any whatever the revision', async () => {
        await store.appendToStream(stream('a'), [event()], { expectedRevision: 'any' });
        await store.appendToStream(stream('a'), [event()], { expectedRevision: 'any' });
        expect(await store.readStream(stream('a'))).toHaveLength(2);
      });

      it('is idempotent: re-appending the same event ids returns the original result and stores nothing twice', async () => {
        const batch = [event(), event()];
        const first = await store.appendToStream(stream('a'), batch, { expectedRevision: 'no_stream' });
        const retry = await store.appendToStream(stream('a'), batch, { expectedRevision: 'no_stream' });
        expect(retry).toEqual(first);
        await store.appendToStream(stream('a'), [event()]);
        const lateRetry = await store.appendToStream(stream('a'), batch, { expectedRevision: 'no_stream' });
        expect(lateRetry).toEqual(first);
        expect((await store.readStream(stream('a'))).map((e) => e.eventId).slice(0, 2)).toEqual(batch.map((e) => e.eventId));
        expect(await store.readStream(stream('a'))).toHaveLength(3);
      });

      it('lets exactly one of many concurrent writers with the same expected revision win', async () => {
        await store.appendToStream(stream('race'), [event()]);
        const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => store.appendToStream(stream('race'), [event()], { expectedRevision: 0 })));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(losers).toHaveLength(7);
        for (const loser of losers) expect(loser.reason).toMatchObject({ name: 'WrongExpectedRevision', actualRevision: 1 });
        expect(await store.readStream(stream('race'))).toHaveLength(2);
      });
    });

    describe('appendToStreams', () => {
      it('applies each write with its own expected revision and reports each outcome in order', async () => {
        await store.appendToStream(stream('b1'), [event()]);
        const batch = [
          { streamName: stream('b1'), events: [event('T', { n: 1 })], expectedRevision: 0 },
          { streamName: stream('b2'), events: [event('T', { n: 2 }), event('T', { n: 3 })], expectedRevision: 'no_stream' as const },
          { streamName: stream('b1'), events: [event('T', { n: 4 })], expectedRevision: 0 },
          { streamName: stream('b3'), events: [event('T', { n: 5 })] },
        ];
        const results = await store.appendToStreams(batch);
        expect(results.map((r) => [r.streamName, r.ok])).toEqual([
          [stream('b1'), true],
          [stream('b2'), true],
          [stream('b1'), false],
          [stream('b3'), true],
        ]);
        expect(results[0]).toMatchObject({ ok: true, result: { nextExpectedRevision: 1 } });
        expect(results[1]).toMatchObject({ ok: true, result: { nextExpectedRevision: 1 } });
        expect(results[2]).toMatchObject({ ok: false, error: { name: 'WrongExpectedRevision', actualRevision: 1 } });
        const positions = results.flatMap((r) => (r.ok ? [r.result.position] : []));
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        expect((await store.readStream(stream('b1'))).map((e) => e.data)).toEqual([{}, { n: 1 }]);
        expect(await store.readStream(stream('b2'))).toHaveLength(2);
      });

      it('is idempotent per write: a retried batch appends nothing twice', async () => {
        const batch = [
          { streamName: stream('r1'), events: [event()], expectedRevision: 'no_stream' as const },
          { streamName: stream('r2'), events: [event(), event()], expectedRevision: 'no_stream' as const },
        ];
        const first = await store.appendToStreams(batch);
        const retry = await store.appendToStreams(batch);
        expect(retry).toEqual(first);
        expect(await store.readStream(stream('r2'))).toHaveLength(2);
      });

      it('writes a write with onlyIf only when the writes it names were written and the streams it names are empty', async () => {
        await store.appendToStream(stream('c-taken'), [event()]);
        await store.appendToStream(stream('c-guard-full'), [event()]);
        const batch: StreamWrite[] = [
          { streamName: stream('c-taken'), events: [event()], expectedRevision: 'no_stream' },
          { streamName: stream('c-free'), events: [event()], expectedRevision: 'no_stream' },
          // Needs write 0, which fails on its expected revision.
          { streamName: stream('c-a'), events: [event()], onlyIf: { written: [0] } },
          // Needs write 1 (written) and an empty stream that is empty.
          { streamName: stream('c-b'), events: [event()], onlyIf: { written: [1], noStreams: [stream('c-guard-empty')] } },
          // Needs an empty stream that is not.
          { streamName: stream('c-c'), events: [event()], onlyIf: { noStreams: [stream('c-guard-full')] } },
          // Needs a stream to be empty that write 1 of this call has written.
          { streamName: stream('c-d'), events: [event()], onlyIf: { noStreams: [stream('c-free')] } },
          // Needs write 2, which failed on its own condition.
          { streamName: stream('c-e'), events: [event()], onlyIf: { written: [2] } },
        ];
        const results = await store.appendToStreams(batch);
        expect(results.map((r) => (r.ok ? 'ok' : r.error.name))).toEqual([
          'WrongExpectedRevision',
          'ok',
          'WriteConditionFailed',
          'ok',
          'WriteConditionFailed',
          'WriteConditionFailed',
          'WriteConditionFailed',
        ]);
        expect(results[4]).toMatchObject({ error: { unmet: `stream ${stream('c-guard-full')} exists` } });
        expect(results[2]).toMatchObject({ error: { unmet: 'write 0 of the call was not written' } });
        for (const name of ['c-a', 'c-c', 'c-d', 'c-e']) expect(await store.readStream(stream(name))).toEqual([]);
        expect(await store.readStream(stream('c-b'))).toHaveLength(1);
        // A retry of the batch gives the written writes' results again and still leaves the others out.
        const retry = await store.appendToStreams(batch);
        expect(retry.map((r) => r.ok)).toEqual(results.map((r) => r.ok));
        expect(retry[3]).toEqual(results[3]);
        expect(await store.readStream(stream('c-a'))).toEqual([]);
      });

      it('answers a retried conditional write as the first time, though its own write now breaks its condition', async () => {
        const batch: StreamWrite[] = [
          { streamName: stream('self'), events: [event()], expectedRevision: 'no_stream', onlyIf: { noStreams: [stream('self')] } },
        ];
        const first = await store.appendToStreams(batch);
        expect(first[0]!.ok).toBe(true);
        expect(await store.appendToStreams(batch)).toEqual(first);
        expect(await store.readStream(stream('self'))).toHaveLength(1);
      });

      it('takes the keys a write reserves with it, and refuses a later write of a taken key, in this call or another', async () => {
        const key = (k: string) => `${prefix}/${k}`;
        await store.appendToStream(stream('k-seed'), [event()]);
        const results = await store.appendToStreams([
          { streamName: stream('k-a'), events: [event(), event()], expectedRevision: 'no_stream', reserve: [key('one'), key('two')] },
          // Takes a key write 0 took: refused, though its own stream and revision are fine.
          { streamName: stream('k-b'), events: [event()], reserve: [key('three'), key('two')] },
          // Fails on its revision, which is checked before keys (its key is write 0's): takes nothing, so write 3 may take its own.
          { streamName: stream('k-seed'), events: [event()], expectedRevision: 'no_stream', reserve: [key('one'), key('four')] },
          { streamName: stream('k-seed'), events: [event()], expectedRevision: 0, reserve: [key('four')] },
          // Fails its condition: takes nothing either.
          { streamName: stream('k-c'), events: [event()], onlyIf: { noStreams: [stream('k-a')] }, reserve: [key('five')] },
        ]);
        expect(results.map((r) => (r.ok ? 'ok' : r.error.name))).toEqual(['ok', 'KeyReserved', 'WrongExpectedRevision', 'ok', 'WriteConditionFailed']);
        expect(results[1]).toMatchObject({ error: { key: key('two'), streamName: stream('k-b') } });
        expect(await store.readStream(stream('k-b'))).toEqual([]);
        expect(await store.reservation(key('one'))).toEqual({ key: key('one'), streamName: stream('k-a'), revision: 0 });
        expect(await store.reservation(key('two'))).toEqual({ key: key('two'), streamName: stream('k-a'), revision: 0 });
        expect(await store.reservation(key('four'))).toEqual({ key: key('four'), streamName: stream('k-seed'), revision: 1 });
        for (const free of ['three', 'five']) expect(await store.reservation(key(free))).toBeNull();

        // Another call: a taken key refuses the write; a retry of a stored write answers as the first time.
        const again = await store.appendToStreams([
          { streamName: stream('k-d'), events: [event()], reserve: [key('one')] },
          { streamName: stream('k-e'), events: [event()], reserve: [key('three')] },
        ]);
        expect(again.map((r) => (r.ok ? 'ok' : r.error.name))).toEqual(['KeyReserved', 'ok']);
        expect(await store.readStream(stream('k-d'))).toEqual([]);
        const retry = await store.appendToStreams([
          { streamName: stream('k-e'), events: (await store.readStream(stream('k-e'))).map(toNew), reserve: [key('three')] },
        ]);
        expect(retry).toEqual([again[1]]);
        expect(await store.readStream(stream('k-e'))).toHaveLength(1);
      });

      it('records the keys a write takes in its first event, and holds every key taken against the event that records it', async () => {
        const key = (k: string) => `${prefix}/${k}`;
        const results = await store.appendToStreams([
          { streamName: stream('r-a'), events: [event(), event()], reserve: [key('one'), key('two')] },
          { streamName: stream('r-b'), events: [event()], reserve: [key('one')] },
          { streamName: stream('r-c'), events: [event()] },
        ]);
        expect(results.map((r) => (r.ok ? 'ok' : r.error.name))).toEqual(['ok', 'KeyReserved', 'ok']);
        const [first, second] = await store.readStream(stream('r-a'));
        expect(first!.metadata.reservedKeys).toEqual([key('one'), key('two')]);
        expect(second!.metadata).not.toHaveProperty('reservedKeys');
        expect((await store.readStream(stream('r-c')))[0]!.metadata).not.toHaveProperty('reservedKeys');

        const check = await store.checkReservations();
        expect(check.checked).toBeGreaterThanOrEqual(2);
        // A shared EventStoreDB may hold other data: none of this test's keys may disagree.
        expect(check.mismatch?.key.startsWith(prefix) ?? false).toBe(false);
      });

      it('lets one of many concurrent writers of the same key win', async () => {
        const key = `${prefix}/race`;
        const outcomes = await Promise.all(
          Array.from({ length: 6 }, (_, i) => store.appendToStreams([{ streamName: stream(`race-${i}`), events: [event()], reserve: [key] }])),
        );
        const winners = outcomes.flat().filter((r) => r.ok);
        expect(winners).toHaveLength(1);
        expect(
          outcomes
            .flat()
            .filter((r) => !r.ok)
            .every((r) => !r.ok && r.error.name === 'KeyReserved'),
        ).toBe(true);
        expect((await store.reservation(key))?.streamName).toBe(winners[0]!.streamName);
      });

      it('refuses a write that depends on a later write of its call', async () => {
        await expect(
          store.appendToStreams([
            { streamName: stream('f1'), events: [event()], onlyIf: { written: [1] } },
            { streamName: stream('f2'), events: [event()] },
          ]),
        ).rejects.toThrow(/only on earlier writes/);
        expect(await store.readStream(stream('f2'))).toEqual([]);
      });
    });

    section('readStreams', () => {
      it('reads several streams at once, with [] for missing ones', async () => {
        await store.appendToStream(stream('m1'), [event('T', { n: 1 }), event('T', { n: 2 })]);
        await store.appendToStream(stream('m2'), [event('T', { n: 3 })]);
        const read = await store.readStreams([stream('m1'), stream('m2'), stream('absent')]);
        expect(read.get(stream('m1'))!.map((e) => e.revision)).toEqual([0, 1]);
        expect(read.get(stream('m2'))!.map((e) => e.data)).toEqual([{ n: 3 }]);
        expect(read.get(stream('absent'))).toEqual([]);
      });

      it('reads each stream from its own revision when asked (the tail after a snapshot)', async () => {
        await store.appendToStream(stream('t1'), [event('T', { n: 1 }), event('T', { n: 2 }), event('T', { n: 3 })]);
        await store.appendToStream(stream('t2'), [event('T', { n: 4 }), event('T', { n: 5 })]);
        const from = new Map([
          [stream('t1'), 1],
          [stream('t2'), 2],
        ]);
        const read = await store.readStreams([stream('t1'), stream('t2'), stream('t3')], from);
        expect(read.get(stream('t1'))!.map((e) => [e.revision, e.data])).toEqual([
          [1, { n: 2 }],
          [2, { n: 3 }],
        ]);
        expect(read.get(stream('t2'))).toEqual([]);
        expect(read.get(stream('t3'))).toEqual([]);
      });
    });

    section('stored events', () => {
      it('keep id, type, data, metadata, stream, revision and position, and stamp recordedAt', async () => {
        const e = event('PersonRegistered', { name: '张三', amountFen: 38000, nested: { ok: true } });
        const result = await store.appendToStream(stream('p'), [e]);
        const [stored] = await store.readStream(stream('p'));
        expect(stored).toMatchObject({
          eventId: e.eventId,
          type: 'PersonRegistered',
          data: { name: '张三', amountFen: 38000, nested: { ok: true } },
          metadata: { correlationId: 'corr-1', causationId: 'cause-1', actor: 'contract-test' },
          streamName: stream('p'),
          revision: 0,
          position: result.position,
        });
        expect(new Date(stored.metadata.recordedAt).toISOString()).toBe(stored.metadata.recordedAt);
      });
    });

    section('readStream', () => {
      it('reads forwards, backwards, from a revision and up to a count', async () => {
        await store.appendToStream(
          stream('r'),
          [0, 1, 2, 3, 4].map((i) => event('T', { i })),
        );
        const data = (events: StoredEvent[]) => events.map((e) => (e.data as { i: number }).i);
        expect(data(await store.readStream(stream('r')))).toEqual([0, 1, 2, 3, 4]);
        expect(data(await store.readStream(stream('r'), { fromRevision: 2 }))).toEqual([2, 3, 4]);
        expect(data(await store.readStream(stream('r'), { fromRevision: 1, maxCount: 2 }))).toEqual([1, 2]);
        expect(data(await store.readStream(stream('r'), { direction: 'backwards', maxCount: 2 }))).toEqual([4, 3]);
        expect(data(await store.readStream(stream('r'), { direction: 'backwards', fromRevision: 1 }))).toEqual([1, 0]);
      });

      it('returns nothing for a stream that does not exist', async () => {
        expect(await store.readStream(stream('nothing-here'))).toEqual([]);
      });
    });

    section('readAll', () => {
      it('reads after an exclusive position in global order, forwards and backwards', async () => {
        const head = await store.headPosition();
        await store.appendToStream(stream('x'), [event('T', { n: 1 })]);
        await store.appendToStream(stream('y'), [event('T', { n: 2 }), event('T', { n: 3 })]);
        const mine = (events: StoredEvent[]) => events.filter((e) => e.streamName.startsWith(prefix));
        const forwards = mine(await store.readAll({ fromPosition: head }));
        expect(forwards.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3]);
        const positions = forwards.map((e) => e.position);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        expect(new Set(positions).size).toBe(3);
        const afterFirst = mine(await store.readAll({ fromPosition: positions[0] }));
        expect(afterFirst.map((e) => e.position)).toEqual(positions.slice(1));
        const backwards = mine(await store.readAll({ direction: 'backwards', maxCount: 3 }));
        expect(backwards.map((e) => e.position)).toEqual([...positions].reverse());
      });
    });

    section('subscribeToAll', () => {
      it('delivers history, then live events, in order and filtered by stream prefix', async () => {
        const head = await store.headPosition();
        await store.appendToStream(stream('s'), [event('T', { n: 1 }), event('T', { n: 2 })]);
        await store.appendToStream(`other${prefix}`, [event('T', { n: 99 })]);
        const subscription = store.subscribeToAll({ fromPosition: head, filter: { streamNamePrefixes: [prefix] } });
        const received = takeFrom(subscription, 4, () => true);
        await new Promise((r) => setTimeout(r, 50));
        await store.appendToStream(stream('s'), [event('T', { n: 3 })]);
        await store.appendToStream(stream('t'), [event('T', { n: 4 })]);
        const events = await received;
        expect(events.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3, 4]);
      });

      it('filters by event type prefix', async () => {
        const head = await store.headPosition();
        await store.appendToStream(stream('f'), [event(`${prefix}Wanted`), event('Unwanted'), event(`${prefix}WantedToo`)]);
        const events = await takeFrom(store.subscribeToAll({ fromPosition: head, filter: { eventTypePrefixes: [`${prefix}Wanted`] } }), 2, () => true);
        expect(events.map((e) => e.type)).toEqual([`${prefix}Wanted`, `${prefix}WantedToo`]);
      });

      it('never skips an event while concurrent writers append', async () => {
        const head = await store.headPosition();
        const writers = 8;
        const appendsPerWriter = 25;
        const total = writers * appendsPerWriter * 2;
        const subscription = store.subscribeToAll({ fromPosition: head, filter: { streamNamePrefixes: [prefix] } });
        const received = takeFrom(subscription, total, () => true);
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < appendsPerWriter; i++) await store.appendToStream(stream(`w${w}`), [event(), event()]);
          }),
        );
        const events = await received;
        expect(events).toHaveLength(total);
        expect(new Set(events.map((e) => e.eventId)).size).toBe(total);
        const positions = events.map((e) => e.position);
        for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
        for (let w = 0; w < writers; w++) {
          const revisions = events.filter((e) => e.streamName === stream(`w${w}`)).map((e) => e.revision);
          expect(revisions).toEqual(Array.from({ length: appendsPerWriter * 2 }, (_, i) => i));
        }
      });

      it('stops when unsubscribed', async () => {
        const subscription = store.subscribeToAll({ fromPosition: await store.headPosition(), filter: { streamNamePrefixes: [prefix] } });
        const iteration = (async () => {
          let count = 0;
          for await (const _ of subscription) count++;
          return count;
        })();
        await store.appendToStream(stream('u'), [event()]);
        await new Promise((r) => setTimeout(r, 100));
        await subscription.unsubscribe();
        await store.appendToStream(stream('u'), [event()]);
        await expect(iteration).resolves.toBeLessThanOrEqual(1);
      });
    });
  });
}
