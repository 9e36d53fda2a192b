import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import type { EventStore } from '../event-store.port';
import { globalLinkHash, streamLinkHash } from '../integrity/chain';
import { verifyStore, type VerifyOptions, type VerifyReport } from '../integrity/verify';
import { PostgresEventStore } from './postgres-event-store';

/** The same store seen through the port alone: verifyStore walks it in global order, as it walks EventStoreDB. */
const portOnly = (store: EventStore): EventStore =>
  new Proxy(store, { get: (target, key) => (key === 'scanStoredChain' ? undefined : Reflect.get(target, key)) });

/**
 * verifyStore by the walk, and by the stored-chain scan as it runs by default, in small segments on
 * this thread, and in small segments on a worker thread alone: all four must give the same report.
 */
async function verifyEveryWay(store: PostgresEventStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const walked = await verifyStore(portOnly(store), options);
  expect(await verifyStore(store, options)).toEqual(walked);
  expect(await verifyStore(store, { ...options, workers: 0, segmentSize: 5 })).toEqual(walked);
  expect(await verifyStore(store, { ...options, workers: 1, useCallingThread: false, segmentSize: 4 })).toEqual(walked);
  // The scan itself stops right before the break (not merely falls back to the walk), and the worker did the work.
  const scan = await store.scanStoredChain({
    anchors: new Map(options.anchors?.map((a) => [a.position, a.hash])),
    workers: 1,
    useCallingThread: false,
    segmentSize: 4,
  });
  expect(scan.through).toBe(walked.verified);
  expect(scan.segmentsOnWorkers).toBe(scan.segmentsScanned);
  return walked;
}

/**
 * Someone with database superuser rights goes around the application (triggers off) and edits,
 * deletes or swaps stored events. The verifier must name the exact position each time.
 */
describe('tamper evidence on the PostgreSQL store', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let sql: Client;

  beforeEach(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: db.url });
    await store.migrate();
    for (let i = 0; i < 12; i++) {
      await store.appendToStream(`person-${i % 3}`, [
        {
          eventId: randomUUID(),
          type: 'ContributionRecorded',
          data: { amountFen: 38000 + i, note: '缴费', nested: { b: 1, a: [1, 'x'] } },
          metadata: { correlationId: 'c', causationId: 'c', actor: 't' },
        },
      ]);
    }
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    // Superuser only: bypass the append-only triggers, as an attacker with database access would.
    await sql.query("SET session_replication_role = 'replica'");
  });
  afterEach(async () => {
    await sql.end();
    await store.close();
    await db.drop();
  });

  it('verifies an untouched store and reports its head hash', async () => {
    const report = await verifyEveryWay(store, { pageSize: 5 });
    expect(report).toMatchObject({ ok: true, verified: 12, headPosition: 12 });
    expect(report.headHash).toMatch(/^[0-9a-f]{64}$/);
    const [last] = await store.readAll({ direction: 'backwards', maxCount: 1 });
    expect(last.integrity?.globalHash).toBe(report.headHash);
  });

  it('catches a changed amount at its position', async () => {
    await sql.query(`UPDATE ledger_events SET data = jsonb_set(data, '{amountFen}', '1') WHERE position = 7`);
    expect(await verifyEveryWay(store)).toMatchObject({ ok: false, verified: 6, firstBreak: { kind: 'changed', position: 7 } });
  });

  it('stores and verifies an event whose data has a member named __proto__ (kept, and hashed, as a member)', async () => {
    const data = JSON.parse('{"__proto__": {"x": 1}, "amountFen": 1}') as Record<string, unknown>;
    await store.appendToStream('proto-owner', [{ eventId: randomUUID(), type: 'Odd', data, metadata: { correlationId: 'c', causationId: 'c', actor: 't' } }]);
    const [stored] = await store.readStream('proto-owner');
    expect(Object.keys(stored.data as object)).toEqual(['__proto__', 'amountFen']);
    expect(await verifyEveryWay(store)).toMatchObject({ ok: true, verified: 13 });
  });

  it('verifies an event appended with an upper-case id (stored and hashed as the lower-case uuid)', async () => {
    const eventId = randomUUID().toUpperCase();
    await store.appendToStream('upper-id', [{ eventId, type: 'T', data: {}, metadata: { correlationId: 'c', causationId: 'c', actor: 't' } }]);
    expect((await store.readStream('upper-id'))[0]!.eventId).toBe(eventId.toLowerCase());
    expect(await verifyEveryWay(store)).toMatchObject({ ok: true, verified: 13 });
    // A retry with the same id in either case is the same append.
    await store.appendToStream('upper-id', [{ eventId, type: 'T', data: {}, metadata: { correlationId: 'c', causationId: 'c', actor: 't' } }]);
    expect(await store.readStream('upper-id')).toHaveLength(1);
  });

  it('catches a member named __proto__ added to stored data or metadata', async () => {
    await sql.query(`UPDATE ledger_events SET data = data || '{"__proto__": {"admin": true}}' WHERE position = 5`);
    expect(await verifyEveryWay(store)).toMatchObject({ ok: false, verified: 4, firstBreak: { kind: 'changed', position: 5 } });
    await sql.query(`UPDATE ledger_events SET data = data - '__proto__' WHERE position = 5`);
    await sql.query(`UPDATE ledger_events SET metadata = jsonb_set(metadata, '{__proto__}', '{"x": 1}') WHERE position = 9`);
    expect((await verifyEveryWay(store)).firstBreak).toMatchObject({ kind: 'changed', position: 9 });
  });

  it('catches changed metadata (who did it) at its position', async () => {
    await sql.query(`UPDATE ledger_events SET metadata = jsonb_set(metadata, '{actor}', '"someone-else"') WHERE position = 3`);
    expect((await verifyEveryWay(store)).firstBreak).toMatchObject({ kind: 'changed', position: 3 });
  });

  it('catches a deleted event at the first missing position', async () => {
    await sql.query('DELETE FROM ledger_events WHERE position = 5');
    expect((await verifyEveryWay(store)).firstBreak).toMatchObject({
      kind: 'missing',
      position: 6,
      detail: expect.stringContaining('positions 5..5 are missing'),
    });
  });

  it('catches the newest event deleted through the head published before', async () => {
    const published = await verifyStore(store);
    await sql.query('DELETE FROM ledger_events WHERE position = 12');
    const after = await verifyEveryWay(store, { anchors: [{ position: published.headPosition, hash: published.headHash }] });
    expect(after).toMatchObject({ ok: false, firstBreak: { kind: 'missing', position: 12 } });
  });

  it('catches two events of different streams swapped in the global order', async () => {
    // Positions 4 (person-0) and 5 (person-1) trade places, hashes and all.
    await sql.query('UPDATE ledger_events SET position = -4 WHERE position = 4');
    await sql.query('UPDATE ledger_events SET position = 4 WHERE position = 5');
    await sql.query('UPDATE ledger_events SET position = 5 WHERE position = -4');
    expect((await verifyEveryWay(store)).firstBreak).toMatchObject({ kind: 'reordered', position: 4 });
  });

  it('catches two events of one stream swapped', async () => {
    // person-0 has positions 1, 4, 7, 10: swap the contents of revisions 1 and 2.
    await sql.query(`UPDATE ledger_events SET revision = -1 WHERE position = 4`);
    await sql.query(`UPDATE ledger_events SET revision = 1 WHERE position = 7`);
    await sql.query(`UPDATE ledger_events SET revision = 2 WHERE position = -1 OR (position = 4)`);
    const report = await verifyEveryWay(store);
    expect(report.ok).toBe(false);
    expect(report.firstBreak?.position).toBe(4);
  });

  it('catches a forgery re-hashed by the forger through the head published before', async () => {
    const published = await verifyStore(store);
    // The forger changes the newest event and recomputes its links with the public formula.
    const [victim] = await store.readAll({ fromPosition: 11 });
    const [previous] = await store.readAll({ fromPosition: 10 });
    const [streamPrevious] = await store.readStream(victim.streamName, { fromRevision: victim.revision - 1, maxCount: 1 });
    const forged = { ...victim, data: { ...(victim.data as object), amountFen: 1 } };
    const streamHash = streamLinkHash(streamPrevious.integrity!.streamHash, forged);
    const globalHash = globalLinkHash(previous.integrity!.globalHash, streamHash);
    await sql.query(`UPDATE ledger_events SET data = $1, stream_hash = $2, global_hash = $3 WHERE position = 12`, [
      JSON.stringify(forged.data),
      streamHash,
      globalHash,
    ]);
    expect((await verifyEveryWay(store)).ok).toBe(true);
    const held = await verifyEveryWay(store, { anchors: [{ position: published.headPosition, hash: published.headHash }] });
    expect(held).toMatchObject({ ok: false, firstBreak: { kind: 'changed', position: 12 } });
  });

  describe('the payment keys', () => {
    const keyed = () => ({ eventId: randomUUID(), type: 'ContributionRecorded', data: {}, metadata: { correlationId: 'c', causationId: 'c', actor: 't' } });
    // Positions 13 (receipt-1, key a:1) and 14 (receipt-2, keys a:2 and a:2b), after the twelve events that take none.
    beforeEach(async () => {
      const results = await store.appendToStreams([
        { streamName: 'receipt-1', events: [keyed()], reserve: ['receipt:a:1'] },
        { streamName: 'receipt-2', events: [keyed()], reserve: ['receipt:a:2', 'receipt:a:2b'] },
      ]);
      expect(results.every((r) => r.ok)).toBe(true);
    });
    const keysOf = async (report: Promise<VerifyReport>) => {
      const { ok, firstBreak, reservations } = await report;
      expect(firstBreak).toBeUndefined(); // the chain itself holds: only the keys table was touched
      return { ok, ...reservations };
    };

    it('agree with the events that record them', async () => {
      expect(await keysOf(verifyEveryWay(store))).toEqual({ ok: true, checked: 3, unrecorded: 0 });
    });

    it('catch a deleted key, with which a repost would be recorded twice', async () => {
      await sql.query(`DELETE FROM ledger_reservations WHERE key = 'receipt:a:2b'`);
      expect(await keysOf(verifyEveryWay(store))).toEqual({
        ok: false,
        checked: 2,
        unrecorded: 0,
        mismatch: {
          key: 'receipt:a:2b',
          streamName: 'receipt-2',
          revision: 0,
          detail:
            'receipt-2@0 (position 14) records key receipt:a:2b, which the store does not hold as taken by it: with the key gone, a repost would be recorded again',
        },
      });
    });

    it('catch a forged key, with which a real payment would be refused as a duplicate', async () => {
      await sql.query(`INSERT INTO ledger_reservations VALUES ('receipt:a:3', 'receipt-1', 0, 13)`);
      expect((await keysOf(verifyEveryWay(store))).mismatch).toMatchObject({ key: 'receipt:a:3', detail: expect.stringContaining('does not record it') });
    });

    it('catch a key moved to another write, even to one stored before writes recorded their keys', async () => {
      await sql.query(`UPDATE ledger_reservations SET stream_name = 'person-0', revision = 0, position = 1 WHERE key = 'receipt:a:1'`);
      expect((await keysOf(verifyEveryWay(store))).mismatch).toMatchObject({ key: 'receipt:a:1', streamName: 'receipt-1', revision: 0 });
    });

    it('catch a key held for an event that is not stored', async () => {
      await sql.query(`INSERT INTO ledger_reservations VALUES ('receipt:a:9', 'receipt-9', 0, 99)`);
      expect((await keysOf(verifyEveryWay(store))).mismatch).toEqual({
        key: 'receipt:a:9',
        streamName: 'receipt-9',
        revision: -1,
        detail: 'key receipt:a:9 is held for receipt-9@0, which is not stored',
      });
    });
  });

  it('counts the keys of writes stored before writes recorded them, without finding fault', async () => {
    // As an older build left them: a key held for an event that records none.
    await sql.query(`INSERT INTO ledger_reservations VALUES ('receipt:old:1', 'person-1', 0, 2)`);
    const report = await verifyEveryWay(store);
    expect(report).toMatchObject({ ok: true, reservations: { checked: 1, unrecorded: 1 } });
    expect(report.reservations?.mismatch).toBeUndefined();
    // Of that time too, a key whose event is not where its row says is found.
    await sql.query(`INSERT INTO ledger_reservations VALUES ('receipt:old:2', 'person-1', 0, 3)`);
    expect((await verifyEveryWay(store)).reservations).toEqual({
      checked: 2,
      unrecorded: 1,
      mismatch: {
        key: 'receipt:old:2',
        streamName: 'person-1',
        revision: 0,
        detail: 'key receipt:old:2 is held for person-1@0 at position 3, but that event is at position 2',
      },
    });
  });
});

/**
 * Any mix of edits, deletions, swaps, replays and re-hashing cover-ups: the stored-chain scan, in
 * segments of any size, reports exactly what the walk in global order reports.
 */
describe('tamper evidence: the segmented scan agrees with the walk', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let sql: Client;
  let pristine: Array<{ position: number; hash: string }>;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: db.url });
    await store.migrate();
    for (let i = 0; i < 30; i++) {
      await store.appendToStream(`person-${i % 4}`, [
        {
          eventId: randomUUID(),
          type: i % 5 === 0 ? 'NoteAdded' : 'ContributionRecorded',
          // Escapes and array-index keys take canonicalJsonOfJsonbText's JSON.parse route.
          data:
            i % 5 === 0 ? { note: `line "${i}"\nnext`, byMonth: { '10': i, '9': -i } } : { amountFen: 38000 + i, rate: 0.5, nested: { b: [1, 'x'], a: null } },
          metadata: { correlationId: `c${i}`, causationId: `c${i}`, actor: 't' },
        },
      ]);
    }
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await sql.query("SET session_replication_role = 'replica'");
    // As an attacker with superuser rights could: lets revisions repeat, so replays and renumberings are possible.
    await sql.query('ALTER TABLE ledger_events DROP CONSTRAINT ledger_events_stream_revision');
    await sql.query('CREATE TABLE pristine AS SELECT * FROM ledger_events');
    const { rows } = await sql.query<{ position: string; global_hash: string }>('SELECT position, global_hash FROM ledger_events ORDER BY position');
    pristine = rows.map((r) => ({ position: Number(r.position), hash: r.global_hash }));
  });
  afterAll(async () => {
    await sql.end();
    await store.close();
    await db.drop();
  });

  const position = fc.integer({ min: 1, max: 30 });
  const tamper = fc.oneof(
    fc.record({ kind: fc.constant('data' as const), position, amount: fc.integer() }),
    fc.record({ kind: fc.constant('metadata' as const), position }),
    fc.record({ kind: fc.constant('delete' as const), position }),
    fc.record({ kind: fc.constant('swap' as const), position, other: position }),
    fc.record({ kind: fc.constant('revision' as const), position, revision: fc.integer({ min: -1, max: 9 }) }),
    fc.record({ kind: fc.constant('replay' as const), position }),
    fc.record({ kind: fc.constant('rechain' as const) }),
  );
  type Tamper = typeof tamper extends fc.Arbitrary<infer T> ? T : never;

  async function apply(t: Tamper): Promise<void> {
    switch (t.kind) {
      case 'data':
        await sql.query(`UPDATE ledger_events SET data = jsonb_set(data, '{amountFen}', to_jsonb($2::int)) WHERE position = $1`, [t.position, t.amount]);
        return;
      case 'metadata':
        await sql.query(`UPDATE ledger_events SET metadata = jsonb_set(metadata, '{actor}', '"someone-else"') WHERE position = $1`, [t.position]);
        return;
      case 'delete':
        await sql.query('DELETE FROM ledger_events WHERE position = $1', [t.position]);
        return;
      case 'swap':
        await sql.query('UPDATE ledger_events SET position = -1 WHERE position = $1', [t.position]);
        await sql.query('UPDATE ledger_events SET position = $1 WHERE position = $2', [t.position, t.other]);
        await sql.query('UPDATE ledger_events SET position = $1 WHERE position = -1', [t.other]);
        return;
      case 'revision':
        await sql.query('UPDATE ledger_events SET revision = $2 WHERE position = $1', [t.position, t.revision]);
        return;
      case 'replay': {
        // A copy appended at the head with links computed from what is stored: it only breaks the revision order.
        const [copy] = await store.readAll({ fromPosition: t.position - 1, maxCount: 1 });
        const [head] = await store.readAll({ direction: 'backwards', maxCount: 1 });
        if (!copy || !head) return;
        const [previous] = copy.revision > 0 ? await store.readStream(copy.streamName, { fromRevision: copy.revision - 1, maxCount: 1 }) : [];
        const replayed = { ...copy, eventId: randomUUID() };
        const streamHash = streamLinkHash(previous?.integrity?.streamHash ?? '0'.repeat(64), replayed);
        await sql.query(
          `INSERT INTO ledger_events (position, event_id, stream_name, revision, type, data, metadata, recorded_at, stream_hash, global_hash)
           SELECT $2, $3, stream_name, revision, type, data, metadata, recorded_at, $4, $5 FROM ledger_events WHERE position = $1`,
          [copy.position, head.position + 1, replayed.eventId, streamHash, globalLinkHash(head.integrity!.globalHash, streamHash)],
        );
        return;
      }
      case 'rechain': {
        // The forger's cover-up: every stored link recomputed, in global order, from the contents as they now are.
        const events = await store.readAll({ maxCount: 1000 });
        const streams = new Map<string, string>();
        let global = '0'.repeat(64);
        for (const e of events) {
          const streamHash = streamLinkHash(streams.get(e.streamName) ?? '0'.repeat(64), e);
          streams.set(e.streamName, streamHash);
          global = globalLinkHash(global, streamHash);
          await sql.query('UPDATE ledger_events SET stream_hash = $2, global_hash = $3 WHERE position = $1', [e.position, streamHash, global]);
        }
        return;
      }
    }
  }

  it('property: same report (kind, position, detail, verified, head hash) for every tampering', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tamper, { minLength: 0, maxLength: 3 }),
        fc.subarray([0, 7, 15, 22, 29]),
        fc.boolean(),
        fc.integer({ min: 1, max: 13 }),
        async (tampers, anchorIndexes, wrongAnchor, segmentSize) => {
          await sql.query('DELETE FROM ledger_events');
          await sql.query('INSERT INTO ledger_events SELECT * FROM pristine');
          for (const t of tampers) await apply(t);
          const anchors = anchorIndexes.map((i) => ({ ...pristine[i] }));
          if (wrongAnchor && anchors.length > 0) anchors[0].hash = '0'.repeat(64);

          const walked = await verifyStore(portOnly(store), { anchors });
          expect(await verifyStore(store, { anchors })).toEqual(walked);
          expect(await verifyStore(store, { anchors, workers: 0, segmentSize })).toEqual(walked);
          const scan = await store.scanStoredChain({ anchors: new Map(anchors.map((a) => [a.position, a.hash])), workers: 0, segmentSize });
          expect(scan.through).toBe(walked.verified);
        },
      ),
      { numRuns: 150 },
    );
  });
});

/**
 * Large enough for the calling thread to hand part of its range to a worker (when the worker is
 * ready in time), with person streams interleaved as years of history interleave them, so that
 * thousands of streams cross the boundary and their previous links are looked up.
 */
describe('tamper evidence on a store shared between threads', () => {
  const EVENTS = 30_000;
  let db: TestDatabase;
  let store: PostgresEventStore;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: db.url });
    await store.migrate();
    // Written directly, with the links ledger_append would compute (appending 30,000 events one by one takes minutes).
    const streams = new Map<string, { revision: number; hash: string }>();
    let global = '0'.repeat(64);
    const rows: unknown[][] = [];
    for (let position = 1; position <= EVENTS; position++) {
      const streamName = `person-${(position * 7919) % 3000}`;
      const previous = streams.get(streamName) ?? { revision: -1, hash: '0'.repeat(64) };
      const event = {
        eventId: randomUUID(),
        streamName,
        revision: previous.revision + 1,
        type: 'ContributionRecorded',
        data: { amountFen: position, note: position % 100 === 0 ? '缴费 "年度"' : 'regular', months: [position % 12, 'x'] },
        metadata: { correlationId: `c${position}`, causationId: `c${position}`, actor: 't', recordedAt: '2026-01-01T00:00:00.000Z' },
      };
      const streamHash = streamLinkHash(previous.hash, event);
      global = globalLinkHash(global, streamHash);
      streams.set(streamName, { revision: event.revision, hash: streamHash });
      rows.push([
        position,
        event.eventId,
        streamName,
        event.revision,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        event.metadata.recordedAt,
        streamHash,
        global,
      ]);
    }
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    for (let i = 0; i < rows.length; i += 5000) {
      const batch = rows.slice(i, i + 5000);
      await sql.query(
        `INSERT INTO ledger_events (position, event_id, stream_name, revision, type, data, metadata, recorded_at, stream_hash, global_hash)
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::jsonb[], $7::jsonb[], $8::timestamptz[], $9::text[], $10::text[])`,
        batch[0].map((_, column) => batch.map((row) => row[column])),
      );
    }
    await sql.query("SET session_replication_role = 'replica'");
  });
  afterAll(async () => {
    await sql.end();
    await store.close();
    await db.drop();
  });

  it('gives the walk’s report, untouched and then with an edit near the end', async () => {
    const walked = await verifyStore(portOnly(store));
    expect(walked).toMatchObject({ ok: true, verified: EVENTS, headPosition: EVENTS });
    expect(await verifyStore(store, { workers: 1 })).toEqual(walked);
    expect(await verifyStore(store, { workers: 1, useCallingThread: false, segmentSize: 7_000 })).toEqual(walked);

    await sql.query(`UPDATE ledger_events SET data = jsonb_set(data, '{amountFen}', '1') WHERE position = 29000`);
    const broken = await verifyStore(portOnly(store));
    expect(broken).toMatchObject({ ok: false, verified: 28_999, firstBreak: { kind: 'changed', position: 29_000 } });
    expect(await verifyStore(store, { workers: 1 })).toEqual(broken);
    expect(await verifyStore(store, { workers: 1, useCallingThread: false, segmentSize: 7_000 })).toEqual(broken);
  });

  it('hands the unread part of the calling thread’s range to a worker once the worker is ready', async () => {
    // Small pages, each followed by a pause on this thread, keep this thread busy long after the worker has started.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const slowly = { workers: 1, pageSize: 100, onProgress: () => void Atomics.wait(pause, 0, 0, 10) };
    const walked = await verifyStore(portOnly(store));
    const scan = await store.scanStoredChain({ ...slowly, anchors: new Map() });
    expect(scan.through).toBe(walked.verified);
    // The worker took a part when ready, and again whenever it was done before this thread.
    expect(scan.segmentsOnWorkers).toBeGreaterThanOrEqual(1);
    expect(scan.segmentsScanned).toBeGreaterThan(scan.segmentsOnWorkers);
  });

  it('takes back half of a slow worker’s unread part once this thread is done', async () => {
    // Whatever earlier tests left broken, the scan must stop where the walk does.
    const walked = await verifyStore(portOnly(store));
    // The worker gets the whole range before this thread starts, so whatever this thread checks it took back.
    const scan = await store.scanStoredChain({ workers: 1, pageSize: 100, workerPagePauseMs: 5, callingThreadWaitsForWorkers: true, anchors: new Map() });
    expect(scan.through).toBe(walked.verified);
    expect(scan.segmentsOnWorkers).toBeGreaterThanOrEqual(1);
    expect(scan.segmentsScanned - scan.segmentsOnWorkers).toBeGreaterThanOrEqual(1);
  });
});
