import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import type { ExpectedRevision, NewEvent, StreamWrite } from '../event-store.port';
import { verifyStore } from '../integrity/verify';
import { PostgresEventStore } from './postgres-event-store';

const event = (n: number): NewEvent => ({
  eventId: randomUUID(),
  type: 'Tested',
  data: { n, text: 'ünïcode "quoted" \\ 名字' },
  metadata: { correlationId: 'c', causationId: 'c', actor: 'batch-property' },
});

/** An outcome as the caller sees it, without positions (the two stores number differently). */
function outcome(r: { ok: true; result: { nextExpectedRevision: number } } | { ok: false; error: Error & { actualRevision?: number } }) {
  return r.ok ? { ok: true, next: r.result.nextExpectedRevision } : { ok: false, error: r.error.name, actual: r.error.actualRevision };
}

describe('appendToStreams (one INSERT for a batch) against appendToStream write by write', () => {
  let dbs: TestDatabase[];
  let batched: PostgresEventStore;
  let single: PostgresEventStore;

  beforeAll(async () => {
    dbs = [await createTestDatabase(), await createTestDatabase()];
    [batched, single] = await Promise.all(
      dbs.map(async (db) => {
        const store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 200 });
        await store.migrate();
        return store;
      }),
    );
  });
  afterAll(async () => {
    await Promise.all([batched, single].map((s) => s.close()));
    await Promise.all(dbs.map((db) => db.drop()));
  });

  const expected = fc.oneof(
    fc.constantFrom<ExpectedRevision>('any', 'no_stream', 'stream_exists'),
    fc.integer({ min: 0, max: 5 }).map((n): ExpectedRevision => n),
  );
  const plan = fc.record({
    seeded: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
    writes: fc.array(
      fc.record({
        stream: fc.integer({ min: 0, max: 3 }),
        events: fc.integer({ min: 1, max: 3 }),
        expected,
        // onlyIf: an earlier write (taken modulo the write's index) and a stream (0–4; 4 is never written) that must be empty.
        dependsOn: fc.option(fc.nat()),
        emptyStream: fc.option(fc.integer({ min: 0, max: 4 })),
        // reserve: keys from a pool of four, so writes of a batch contend for them.
        keys: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
      }),
      {
        minLength: 1,
        maxLength: 14,
      },
    ),
  });

  it('gives the same outcome per write and the same streams, and the chain and the keys verify', async () => {
    let keysTaken = 0;
    await fc.assert(
      fc.asyncProperty(plan, async ({ seeded, writes }) => {
        const run = randomUUID().slice(0, 8);
        const name = (i: number) => `batch-${run}-${i}`;
        const key = (i: number) => `key-${run}-${i}`;
        for (const [i, count] of seeded.entries()) {
          if (count === 0) continue;
          const events = Array.from({ length: count }, (_, n) => event(n));
          await batched.appendToStream(name(i), events);
          await single.appendToStream(name(i), events);
        }
        let n = 100;
        const batch: StreamWrite[] = writes.map((w, i) => {
          const written = w.dependsOn !== null && i > 0 ? [w.dependsOn % i] : [];
          const noStreams = w.emptyStream !== null ? [name(w.emptyStream)] : [];
          return {
            streamName: name(w.stream),
            events: Array.from({ length: w.events }, () => event(n++)),
            expectedRevision: w.expected,
            ...(written.length || noStreams.length ? { onlyIf: { written, noStreams } } : {}),
            ...(w.keys.length ? { reserve: w.keys.map(key) } : {}),
          };
        });
        const together = (await batched.appendToStreams(batch)).map(outcome);
        const oneByOne: Array<ReturnType<typeof outcome>> = [];
        const taken = new Map<string, { streamName: string; revision: number }>();
        for (const w of batch) {
          // The conditions as their definition reads: the earlier writes went in, the streams are still empty.
          const needs = (w.onlyIf?.written ?? []).every((i) => oneByOne[i]!.ok);
          const empty = await Promise.all((w.onlyIf?.noStreams ?? []).map(async (s) => (await single.readStream(s)).length === 0));
          if (!needs || !empty.every(Boolean)) {
            oneByOne.push({ ok: false, error: 'WriteConditionFailed', actual: undefined });
            continue;
          }
          try {
            // The expected revision is checked before the keys: a write that fails both reports its revision.
            const head = (await single.readStream(w.streamName, { direction: 'backwards', maxCount: 1 }))[0]?.revision ?? -1;
            const expected = w.expectedRevision ?? 'any';
            const revisionHolds = expected === 'any' || (expected === 'no_stream' ? head === -1 : expected === 'stream_exists' ? head >= 0 : head === expected);
            if (revisionHolds && (w.reserve ?? []).some((k) => taken.has(k))) {
              oneByOne.push({ ok: false, error: 'KeyReserved', actual: undefined });
              continue;
            }
            const result = await single.appendToStream(w.streamName, w.events, { expectedRevision: w.expectedRevision });
            oneByOne.push(outcome({ ok: true, result }));
            for (const k of w.reserve ?? []) taken.set(k, { streamName: w.streamName, revision: result.nextExpectedRevision - w.events.length + 1 });
          } catch (error) {
            oneByOne.push(outcome({ ok: false, error: error as Error }));
          }
        }
        expect(together).toEqual(oneByOne);
        for (let i = 0; i < 4; i++) {
          const [a, b] = await Promise.all([batched.readStream(name(i)), single.readStream(name(i))]);
          expect(a.map((e) => [e.eventId, e.revision, e.data])).toEqual(b.map((e) => [e.eventId, e.revision, e.data]));
        }
        for (let i = 0; i < 4; i++) {
          const model = taken.get(key(i));
          expect(await batched.reservation(key(i))).toEqual(model ? { key: key(i), ...model } : null);
        }
        // A retry of the whole batch takes the write-by-write path: what was written answers as the first time.
        const retry = (await batched.appendToStreams(batch)).map(outcome);
        together.forEach((first, i) => first.ok && expect(retry[i]).toEqual(first));
        keysTaken += taken.size;
      }),
      { numRuns: 40 },
    );
    const report = await verifyStore(batched);
    // Every key taken, by the batch or by the retry's write-by-write path, is recorded by the event that took it.
    expect(report).toMatchObject({ ok: true, reservations: { checked: keysTaken, unrecorded: 0 } });
    expect(report.verified).toBe(await batched.headPosition());
  });
});
