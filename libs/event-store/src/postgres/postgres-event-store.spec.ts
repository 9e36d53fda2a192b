import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { eventStoreContract } from '../contract/event-store.contract';
import { EventIdConflict } from '../errors';
import type { NewEvent, StoredEvent } from '../event-store.port';
import { PostgresEventStore, READ_STREAMS_SQL } from './postgres-event-store';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const openStore = async () => {
  const store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 200 });
  await store.migrate();
  return store;
};

eventStoreContract('PostgreSQL', openStore, (store) => store.close());

const event = (type = 'Tested'): NewEvent => ({
  eventId: randomUUID(),
  type,
  data: {},
  metadata: { correlationId: 'c', causationId: 'c', actor: 'pg-test' },
});

describe('PostgreSQL adapter specifics', () => {
  let store: PostgresEventStore;
  let sql: Client;
  beforeAll(async () => {
    store = await openStore();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql.end();
    await store.close();
  });

  it('refuses to reuse an event id in another stream', async () => {
    const e = event();
    await store.appendToStream('pg-a', [e]);
    await expect(store.appendToStream('pg-b', [e])).rejects.toBeInstanceOf(EventIdConflict);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on stored events', async () => {
    await store.appendToStream('pg-immutable', [event()]);
    await expect(sql.query(`UPDATE ledger_events SET type = 'Forged' WHERE stream_name = 'pg-immutable'`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`DELETE FROM ledger_events WHERE stream_name = 'pg-immutable'`)).rejects.toThrow(/append-only/);
    await expect(sql.query('TRUNCATE ledger_events')).rejects.toThrow(/append-only/);
    expect(await store.readStream('pg-immutable')).toHaveLength(1);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on taken keys', async () => {
    await store.appendToStreams([{ streamName: 'pg-keyed', events: [event()], reserve: ['pg-key'] }]);
    await expect(sql.query(`UPDATE ledger_reservations SET stream_name = 'pg-other' WHERE key = 'pg-key'`)).rejects.toThrow(
      /ledger_reservations is append-only: UPDATE refused/,
    );
    await expect(sql.query(`DELETE FROM ledger_reservations WHERE key = 'pg-key'`)).rejects.toThrow(/append-only/);
    await expect(sql.query('TRUNCATE ledger_reservations')).rejects.toThrow(/append-only/);
    expect(await store.reservation('pg-key')).toEqual({ key: 'pg-key', streamName: 'pg-keyed', revision: 0 });
  });

  it('moves a filtered subscription past events that do not match, so a wake-up does not read them again', async () => {
    const prefix = `Rare${randomUUID().slice(0, 6)}`;
    const from = await store.headPosition();
    await store.appendToStream(`pg-rare-${prefix}`, [event(`${prefix}A`)]);
    await store.appendToStreams(Array.from({ length: 30 }, (_, i) => ({ streamName: `pg-common-${prefix}-${i}`, events: [event('Common')] })));
    const scanned = await store.headPosition();
    const pool = (store as unknown as { pool: { query: (...args: unknown[]) => Promise<unknown> } }).pool;
    const reads = jest.spyOn(pool, 'query');
    const subscription = store.subscribeToAll({ fromPosition: from, filter: { eventTypePrefixes: [prefix] } });
    const seen: StoredEvent[] = [];
    try {
      const iterator = subscription[Symbol.asyncIterator]();
      seen.push((await iterator.next()).value as StoredEvent);
      // Another append's notification arrives before the subscription reads again (the path that skips waiting).
      await store.appendToStream(`pg-common-${prefix}-late`, [event('Common')]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await store.appendToStream(`pg-rare-${prefix}`, [event(`${prefix}B`)]);
      seen.push((await iterator.next()).value as StoredEvent);
      // The reads after A's page start at the head that page was read with, not at A.
      const starts = reads.mock.calls.filter(([sql]) => String(sql).includes('LEFT JOIN LATERAL')).map(([, params]) => (params as number[])[0]);
      expect(starts[0]).toBe(from);
      expect(Math.min(...starts.slice(1))).toBeGreaterThanOrEqual(scanned);
    } finally {
      reads.mockRestore();
      await subscription.unsubscribe();
    }
    expect(seen.map((e) => e.type)).toEqual([`${prefix}A`, `${prefix}B`]);
  });

  it('migrates twice without harm', async () => {
    await store.migrate();
    await expect(store.migrate()).resolves.toBeUndefined();
  });

  it('does not let a later commit overtake an open transaction: the subscriber sees positions in commit order', async () => {
    const head = await store.headPosition();
    const subscription = store.subscribeToAll({ fromPosition: head, filter: { streamNamePrefixes: ['gap-'] } });
    const received: StoredEvent[] = [];
    const reading = (async () => {
      for await (const e of subscription) {
        received.push(e);
        if (received.length === 2) break;
      }
    })();
    // Writer A takes its position inside an open transaction and holds it...
    await sql.query('BEGIN');
    await sql.query('SELECT * FROM ledger_append($1, $2, $3::json)', [
      'gap-a',
      'any',
      JSON.stringify([{ ...event('Slow'), metadata: { correlationId: 'c', causationId: 'c', actor: 't', recordedAt: new Date().toISOString() } }]),
    ]);
    // ...while writer B tries to append: it must wait rather than commit a later position first.
    const b = store.appendToStream('gap-b', [event('Fast')]);
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(0);
    await sql.query('COMMIT');
    await b;
    await reading;
    expect(received.map((e) => e.type)).toEqual(['Slow', 'Fast']);
    expect(received[1].position).toBe(received[0].position + 1);
  });

  it('reads ahead page by page while catching up, without losing or repeating an event', async () => {
    const paged = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50, batchSize: 7 });
    try {
      const head = await paged.headPosition();
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) {
        const e = event('Paged');
        ids.push(e.eventId);
        await paged.appendToStream(`paged-${i % 4}`, [e]);
      }
      const subscription = paged.subscribeToAll({ fromPosition: head, filter: { streamNamePrefixes: ['paged-'] } });
      const received: string[] = [];
      const reading = (async () => {
        for await (const e of subscription) {
          received.push(e.eventId);
          if (received.length === 60) break;
        }
      })();
      for (let i = 0; i < 10; i++) {
        const e = event('Paged');
        ids.push(e.eventId);
        await paged.appendToStream(`paged-${i % 4}`, [e]);
      }
      await reading;
      expect(received).toEqual(ids);
    } finally {
      await paged.close();
    }
  });

  it('wakes subscribers through NOTIFY well before the poll interval', async () => {
    const slowPoll = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 60_000 });
    try {
      const subscription = slowPoll.subscribeToAll({ fromPosition: await slowPoll.headPosition(), filter: { streamNamePrefixes: ['notify-'] } });
      const first = (async () => {
        for await (const e of subscription) return e;
        return undefined;
      })();
      await new Promise((r) => setTimeout(r, 200));
      await store.appendToStream('notify-1', [event('Woken')]);
      await expect(first).resolves.toMatchObject({ type: 'Woken' });
      await subscription.unsubscribe();
    } finally {
      await slowPoll.close();
    }
  });

  it('reads many streams with one index probe each, not a walk of the whole stream index (plan shape on 20,000 events)', async () => {
    const names = Array.from({ length: 20_000 }, () => `bulk-${randomUUID()}`);
    for (let i = 0; i < names.length; i += 1_000) {
      const written = await store.appendToStreams(names.slice(i, i + 1_000).map((streamName) => ({ streamName, events: [event('Bulk')] })));
      expect(written.every((w) => w.ok)).toBe(true);
    }
    await sql.query('ANALYZE ledger_events');
    const wanted = [...names.filter((_, i) => i % 40 === 0), ...Array.from({ length: 500 }, () => `bulk-absent-${randomUUID()}`)];
    const { rows } = await sql.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${READ_STREAMS_SQL}`, [wanted, wanted.map(() => 0)]);
    const nodes: Array<Record<string, unknown>> = [];
    const walk = (node: Record<string, unknown>) => {
      nodes.push(node);
      for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    const scans = nodes.filter((n) => n['Relation Name'] === 'ledger_events');
    expect(scans).toHaveLength(1);
    expect(scans[0]!['Node Type']).toMatch(/Index/);
    // Once per name asked, each returning only that stream's events: 500 streams of one event, 500 absent.
    expect(scans[0]!['Actual Loops']).toBe(wanted.length);
    expect(nodes.some((n) => n['Node Type'] === 'Merge Join' || n['Node Type'] === 'Hash Join')).toBe(false);
    expect(rows[0]['QUERY PLAN'][0].Plan['Actual Rows']).toBe(500);
    const read = await store.readStreams(wanted);
    expect([...read.values()].filter((events) => events.length === 1)).toHaveLength(500);
  });
});
