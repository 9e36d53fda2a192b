import { randomUUID } from 'node:crypto';
import { PostgresEventStore, type NewEvent, type StoredEvent } from '@ledger/event-store';
import { DataSource, EntitySchema, type EntityManager } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { ProjectionCheckpoint } from './checkpoint.entity';
import type { Projection } from './projection';
import { ProjectionManager } from './projection-manager';
import { ProjectionLagError, ProjectionRunner } from './projection-runner';

const AppliedEvent = new EntitySchema<{ eventId: string; position: number }>({
  name: 'test_applied_events',
  columns: { eventId: { type: 'uuid', primary: true }, position: { type: 'bigint' } },
});

/** Records every applied event id under a primary key, so applying one twice fails the batch. */
class RecordingProjection implements Projection {
  readonly name: string = 'recording';
  readonly tables: string[] = ['test_applied_events'];
  readonly entities: Projection['entities'] = [AppliedEvent];
  failOn = new Set<string>();
  async apply(events: StoredEvent[], manager: EntityManager) {
    for (const e of events) {
      await manager.insert(AppliedEvent, { eventId: e.eventId, position: e.position });
      if (this.failOn.has(e.eventId)) {
        this.failOn.delete(e.eventId);
        throw new Error(`simulated crash while applying ${e.eventId}`);
      }
    }
  }
}

/** Generous: these waits prove progress happens, not how fast (CI machines are busy). */
const LIVENESS_MS = 30_000;

const event = (): NewEvent => ({ eventId: randomUUID(), type: 'Counted', data: {}, metadata: { correlationId: 'c', causationId: 'c', actor: 't' } });

describe('ProjectionRunner', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let dataSource: DataSource;

  const applied = async () =>
    (await dataSource.query('SELECT "eventId" FROM test_applied_events ORDER BY position')).map((r: { eventId: string }) => r.eventId);

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 100 });
    await store.migrate();
    dataSource = new DataSource({ type: 'postgres', url: db.url, entities: [ProjectionCheckpoint, AppliedEvent], synchronize: true });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await store.close();
    await db.drop();
  });
  beforeEach(async () => {
    await dataSource.query('TRUNCATE test_applied_events, projection_checkpoints');
  });

  async function appendMany(count: number): Promise<{ ids: string[]; position: number }> {
    const ids: string[] = [];
    let position = 0;
    for (let i = 0; i < count; i++) {
      const e = event();
      ids.push(e.eventId);
      position = (await store.appendToStream(`counted-${i % 7}`, [e])).position;
    }
    return { ids, position };
  }

  it('applies each batch in a transaction whose commit does not wait for the WAL flush, from the very first batch on', async () => {
    const settings: string[] = [];
    const projection = new (class extends RecordingProjection {
      override async apply(events: StoredEvent[], manager: EntityManager) {
        const [{ sc }]: Array<{ sc: string }> = await manager.query(`SELECT current_setting('synchronous_commit') AS sc`);
        settings.push(sc);
        await super.apply(events, manager);
      }
    })();
    // The test cluster runs with synchronous_commit=off; these connections start with the service's setting.
    const durable = new DataSource({
      type: 'postgres',
      url: db.url,
      entities: [ProjectionCheckpoint, AppliedEvent],
      extra: { max: 1, options: '-c synchronous_commit=on' },
    });
    await durable.initialize();
    const runner = new ProjectionRunner(store, durable, projection, { batchSize: 5 });
    const { position } = await appendMany(12);
    await runner.start();
    await runner.waitFor(position, LIVENESS_MS);
    await runner.stop();
    const [{ sc: outside }]: Array<{ sc: string }> = await durable.query(`SELECT current_setting('synchronous_commit') AS sc`);
    await durable.destroy();
    expect(settings.length).toBeGreaterThanOrEqual(3);
    expect(new Set(settings)).toEqual(new Set(['off']));
    expect(outside).toBe('on'); // set for the transaction only, not for the pooled connection
    expect(await applied()).toHaveLength(12);
  });

  it('applies history and live events once each, and waitFor gives read-your-writes', async () => {
    const projection = new RecordingProjection();
    const runner = new ProjectionRunner(store, dataSource, projection, { batchSize: 10 });
    const before = await appendMany(25);
    await runner.start();
    const live = await appendMany(15);
    await runner.waitFor(live.position, LIVENESS_MS);
    await runner.stop();
    const ids = await applied();
    expect(ids.slice(-40)).toEqual([...before.ids, ...live.ids]);
    expect(runner.status()).toMatchObject({ state: 'stopped', position: live.position });
  });

  it('takes offered events without a wait until its queue holds four batches, then makes the reader wait until it drains', async () => {
    const runner = new ProjectionRunner(store, dataSource, new RecordingProjection(), { batchSize: 2 });
    await runner.startFed();
    const stored = await appendMany(9);
    const events = (await store.readAll()).filter((e) => stored.ids.includes(e.eventId));
    // Nothing is applied before the reader yields (the apply loop runs on a later turn), so the queue fills up.
    const waits = events.map((e) => runner.offer(e));
    expect(waits.slice(0, 7)).toEqual(Array(7).fill(undefined));
    expect(waits[7]).toBeInstanceOf(Promise);
    expect(waits[8]).toBeInstanceOf(Promise);
    await Promise.all(waits);
    // An event already offered is skipped, and never makes the reader wait.
    expect(runner.offer(events[0])).toBeUndefined();
    await runner.waitFor(stored.position, LIVENESS_MS);
    await runner.stop();
    expect(await applied()).toEqual(stored.ids);
  });

  it('skips batches of foreign event types without a transaction, yet reaches their position and saves it once idle', async () => {
    class TypedProjection extends RecordingProjection {
      override readonly name = 'typed';
      readonly eventTypes: ReadonlySet<string> = new Set(['Wanted']);
      batches = 0;
      override async apply(events: StoredEvent[], manager: EntityManager) {
        this.batches++;
        await super.apply(
          events.filter((e) => e.type === 'Wanted'),
          manager,
        );
      }
    }
    const projection = new TypedProjection();
    const runner = new ProjectionRunner(store, dataSource, projection, { batchSize: 5 });
    const wanted: NewEvent = { ...event(), type: 'Wanted' };
    await store.appendToStream('typed-a', [wanted]);
    await runner.start();
    const foreign = await appendMany(23);
    await runner.waitFor(foreign.position, LIVENESS_MS);
    // Only the batch holding the wanted event was applied; the 23 foreign ones (5 batches at least) were not.
    expect(projection.batches).toBe(1);
    expect(await applied()).toEqual([wanted.eventId]);
    const saved = async () => Number((await dataSource.query(`SELECT position FROM projection_checkpoints WHERE name = 'typed'`))[0]?.position ?? 0);
    const deadline = Date.now() + LIVENESS_MS;
    while ((await saved()) < foreign.position && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await saved()).toBe(foreign.position);
    expect(projection.batches).toBe(1);
    await runner.stop();
  });

  it('rolls back a failed batch with its checkpoint and re-applies it exactly once', async () => {
    const projection = new RecordingProjection();
    const written = await appendMany(30);
    projection.failOn.add(written.ids[17]);
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(store, dataSource, projection, { batchSize: 8, retryDelayMs: 10, onError: (_, e) => errors.push(e) });
    await runner.start();
    await runner.waitFor(written.position, LIVENESS_MS);
    await runner.stop();
    expect(errors).toHaveLength(1);
    const ids = await applied();
    expect(ids.slice(-30)).toEqual(written.ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resumes after a crash from the committed checkpoint, neither losing nor repeating events', async () => {
    const first = await appendMany(20);
    const crashing = new RecordingProjection();
    crashing.failOn.add(first.ids[12]);
    // The first process dies on event 12 and never retries (a long retry delay stands in for the crash).
    const dying = new ProjectionRunner(store, dataSource, crashing, { batchSize: 5, retryDelayMs: 60_000 });
    await dying.start();
    while (dying.status().state !== 'failing') await new Promise((r) => setTimeout(r, 10));
    await expect(dying.waitFor(first.position, 100)).rejects.toBeInstanceOf(ProjectionLagError);
    expect(dying.status()).toMatchObject({ state: 'failing', lastError: expect.stringContaining('simulated crash') });
    await dying.stop();
    const committed = (await applied()).filter((id: string) => first.ids.includes(id));
    // Event 12 and the rest of its batch were rolled back with the checkpoint.
    expect(committed.length).toBeLessThanOrEqual(12);
    expect(committed).toEqual(first.ids.slice(0, committed.length));

    const second = await appendMany(5);
    const restarted = new ProjectionRunner(store, dataSource, new RecordingProjection(), { batchSize: 5 });
    await restarted.start();
    await restarted.waitFor(second.position, LIVENESS_MS);
    await restarted.stop();
    const ids = await applied();
    expect(ids.slice(-25)).toEqual([...first.ids, ...second.ids]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resets and rebuilds from position 0 to the same read model', async () => {
    const manager = new ProjectionManager(store, dataSource, [new RecordingProjection()], { batchSize: 50 });
    const written = await appendMany(10);
    await manager.start();
    await manager.waitFor(written.position, LIVENESS_MS);
    const live = await applied();
    await manager.reset(['recording']);
    expect(manager.status()[0]).toMatchObject({ state: 'running' });
    await manager.waitFor(written.position, LIVENESS_MS);
    expect(await applied()).toEqual(live);
    await manager.stop();
    expect(() => manager.runner('nope')).toThrow(/unknown projection nope/);
  });
});

describe('ProjectionManager with one shared reader', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  const SecondApplied = new EntitySchema<{ eventId: string; position: number }>({
    name: 'test_second_applied',
    columns: { eventId: { type: 'uuid', primary: true }, position: { type: 'bigint' } },
  });
  class SecondProjection extends RecordingProjection {
    override readonly name = 'second';
    override readonly tables = ['test_second_applied'];
    override readonly entities: Projection['entities'] = [SecondApplied];
    override async apply(events: StoredEvent[], manager: EntityManager) {
      for (const e of events) await manager.insert(SecondApplied, { eventId: e.eventId, position: e.position });
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50 });
    await store.migrate();
    dataSource = new DataSource({ type: 'postgres', url: db.url, entities: [ProjectionCheckpoint, AppliedEvent, SecondApplied], synchronize: true });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await store.close();
    await db.drop();
  });

  it('feeds projections at different checkpoints from one subscription, each event applied once to each', async () => {
    const manager = new ProjectionManager(store, dataSource, [new RecordingProjection(), new SecondProjection()], { batchSize: 4 });
    const ids: string[] = [];
    const append = async (n: number) => {
      let position = 0;
      for (let i = 0; i < n; i++) {
        const e = event();
        ids.push(e.eventId);
        position = (await store.appendToStream(`shared-${i % 3}`, [e])).position;
      }
      return position;
    };
    await manager.start();
    await manager.waitFor(await append(20), LIVENESS_MS);
    // One projection starts over while the other stays at the head: the reader restarts at 0 and the second skips.
    await manager.reset(['second']);
    await manager.waitFor(await append(10), LIVENESS_MS);
    await manager.stop();
    const first: Array<{ eventId: string }> = await dataSource.query('SELECT "eventId" FROM test_applied_events ORDER BY position');
    const second: Array<{ eventId: string }> = await dataSource.query('SELECT "eventId" FROM test_second_applied ORDER BY position');
    expect(first.map((r) => r.eventId)).toEqual(ids);
    expect(second.map((r) => r.eventId)).toEqual(ids);
    expect(manager.status().map((s) => s.state)).toEqual(['stopped', 'stopped']);
  });

  it('hands every event it reads to its followers, in order, until they stop following', async () => {
    await dataSource.query('TRUNCATE test_applied_events, projection_checkpoints');
    const manager = new ProjectionManager(store, dataSource, [new RecordingProjection()], { batchSize: 4 });
    const followed: number[] = [];
    const unfollow = manager.follow((e) => followed.push(e.position));
    await manager.start();
    let last = 0;
    for (let i = 0; i < 5; i++) last = (await store.appendToStream('followed', [event()])).position;
    await manager.waitFor(last, LIVENESS_MS);
    const all = (await store.readAll({ fromPosition: 0, maxCount: 1000 })).map((e) => e.position);
    // The reader started from the projection's checkpoint, 0: the events before this test come first.
    expect(followed).toEqual(all);
    unfollow();
    const after = (await store.appendToStream('followed', [event()])).position;
    await manager.waitFor(after, LIVENESS_MS);
    await manager.stop();
    expect(followed).toEqual(all);
  });
});

describe('ProjectionRunner in two processes at once', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let sources: DataSource[];

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50 });
    await store.migrate();
    sources = [];
    for (let i = 0; i < 2; i++) {
      const ds = new DataSource({ type: 'postgres', url: db.url, entities: [ProjectionCheckpoint, AppliedEvent], synchronize: i === 0 });
      await ds.initialize();
      sources.push(ds);
    }
  });
  afterAll(async () => {
    for (const ds of sources) await ds.destroy();
    await store.close();
    await db.drop();
  });

  it('applies every event exactly once when two runners of one projection race', async () => {
    const runners = sources.map((ds) => new ProjectionRunner(store, ds, new RecordingProjection(), { batchSize: 7, retryDelayMs: 10 }));
    await Promise.all(runners.map((r) => r.start()));
    let position = 0;
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      const e = event();
      ids.push(e.eventId);
      position = (await store.appendToStream(`race-${i % 5}`, [e])).position;
    }
    await Promise.all(runners.map((r) => r.waitFor(position, LIVENESS_MS)));
    await Promise.all(runners.map((r) => r.stop()));
    const applied: Array<{ eventId: string }> = await sources[0].query('SELECT "eventId" FROM test_applied_events ORDER BY position');
    expect(applied.map((r) => r.eventId)).toEqual(ids);
  });
});
