import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { coverageAsOf, makeResidentId, type PersonCommand } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ProjectionManager, ProjectionRebuilder, RebuildInterrupted, type Projection } from '@ledger/read-models';
import fc from 'fast-check';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { coverageAsKnownAt } from '../../apps/api/src/audit/time-travel';
import { ExecutePersonCommand } from '../../apps/api/src/persons/person-command';
import { STATE_COLUMNS, stateOfRow, type StateRow } from '../../apps/api/src/persons/person-state-rows';
import { PROJECTIONS } from '../../apps/api/src/projections/projection.registry';
import { startTestApp, type TestApp } from '../support/test-app';

describe('rebuilding read models from position 0', () => {
  let t: TestApp;
  let rebuilder: ProjectionRebuilder;
  let persons: Projection;
  let live: DataSource;
  let commands: CommandBus;
  const context = () => ({ actor: { kind: 'staff' as const, id: 'test', name: 'test clerk', role: 'clerk' as const }, correlationId: randomUUID() });
  let sequence = 0;

  /** A random but valid history for one person, driven through the same command path as the API. */
  const historyArbitrary = fc.record({
    region: fc.constantFrom('410327', '450102', '150102'),
    years: fc.uniqueArray(fc.constantFrom(2022, 2023, 2024), { minLength: 0, maxLength: 3 }),
    paidInMonth: fc.array(fc.constantFrom('03', '10', '11'), { minLength: 3, maxLength: 3 }),
    amountDelta: fc.array(fc.constantFrom(0, -5000, 2000), { minLength: 3, maxLength: 3 }),
    reverseFirst: fc.boolean(),
    category: fc.constantFrom(undefined, 'minimum_living', 'newborn'),
  });

  async function record(personId: string, command: PersonCommand) {
    await commands.execute(new ExecutePersonCommand(personId, command, context()));
  }

  type History = typeof historyArbitrary extends fc.Arbitrary<infer T> ? T : never;

  async function createHistory(h: History): Promise<string> {
    const personId = randomUUID();
    const idNumber = makeResidentId(h.region, '1960-01-01', sequence++);
    await record(personId, {
      type: 'RegisterPerson',
      data: { personId, idNumber, name: `P${sequence}`, categories: h.category ? [h.category as 'newborn'] : [] },
    });
    await record(personId, {
      type: 'EnrollInScheme',
      data: { enrollmentId: randomUUID(), scheme: 'resident', regionCode: h.region, enrolledOn: '2021-09-01' },
    });
    const contributionIds: string[] = [];
    for (const [i, year] of h.years.entries()) {
      const contributionId = randomUUID();
      contributionIds.push(contributionId);
      const paidYear = h.paidInMonth[i] === '03' ? year : year - 1;
      await record(personId, {
        type: 'RecordContribution',
        data: {
          contributionId,
          scheme: 'resident',
          regionCode: h.region,
          coverageYear: year,
          amountFen: 35000 + h.amountDelta[i],
          payer: 'individual',
          paidAt: `${paidYear}-${h.paidInMonth[i]}-15T10:00:00+08:00`,
        },
      }).catch(() => undefined); // refused commands (no policy for that year) are part of a random history
    }
    if (h.reverseFirst && contributionIds.length) {
      await record(personId, {
        type: 'ReverseContribution',
        data: { contributionId: contributionIds[0], reversedAt: new Date().toISOString(), reason: 'test' },
      }).catch(() => undefined);
    }
    return personId;
  }

  beforeAll(async () => {
    t = await startTestApp();
    live = t.app.get(DataSource);
    commands = t.app.get(CommandBus);
    persons = t.app.get<Projection[]>(PROJECTIONS).find((p) => p.name === 'persons')!;
    rebuilder = new ProjectionRebuilder(t.app.get<EventStore>(EVENT_STORE), live, t.db.url);
  });
  afterAll(async () => {
    await t.close();
  });

  it('property: for random histories, a full rebuild equals the live read models', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(historyArbitrary, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('2022-06-30', '2023-01-01', '2024-12-31'),
        async (histories, asOf) => {
          const ids: string[] = [];
          for (const h of histories) ids.push(await createHistory(h));
          const store = t.app.get<EventStore>(EVENT_STORE);
          const head = await store.headPosition();
          await t.app.get(ProjectionManager).waitFor(head, 30_000);
          const report = await rebuilder.rebuild(persons, { restart: true });
          expect(report.differences).toEqual([]);
          // Asking "as known now" gives the live answer.
          for (const personId of ids) {
            const [view]: StateRow[] = await live.query(`SELECT ${STATE_COLUMNS} FROM person_view v WHERE v."personId" = $1`, [personId]);
            const travelled = coverageAsKnownAt(personId, await store.readStream(`person-${personId}`), asOf, { kind: 'position', position: head });
            expect(travelled.then).toEqual(coverageAsOf(stateOfRow(view!), asOf));
            expect(travelled.changedBy).toEqual([]);
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('reports a row the live model got wrong, and swaps in the rebuilt tables only when asked', async () => {
    const [victim]: Array<{ personId: string; name: string }> = await live.query('SELECT "personId", name FROM person_view LIMIT 1');
    await live.query(`UPDATE person_view SET name = 'tampered' WHERE "personId" = $1`, [victim.personId]);
    const [paid]: Array<{ personId: string; contributionId: string; amountFen: number }> = await live.query(
      // Another person than the victim: the victim's coverage is read below, and a contribution of {amountFen: 1} cannot be.
      `SELECT "personId", "contributionId", (data->>'amountFen')::int AS "amountFen" FROM person_contribution WHERE "personId" <> $1 LIMIT 1`,
      [victim.personId],
    );
    await live.query(`UPDATE person_contribution SET data = json_build_object('amountFen', 1) WHERE "personId" = $1 AND "contributionId" = $2`, [
      paid.personId,
      paid.contributionId,
    ]);
    const report = await rebuilder.rebuild(persons, { restart: true });
    expect(report.differences).toEqual([
      expect.objectContaining({
        table: 'person_view',
        onlyLive: 1,
        onlyRebuilt: 1,
        samples: { live: [expect.objectContaining({ name: 'tampered' })], rebuilt: [expect.objectContaining({ name: victim.name })] },
      }),
      expect.objectContaining({
        table: 'person_contribution',
        onlyLive: 1,
        onlyRebuilt: 1,
        samples: {
          live: [expect.objectContaining({ data: { amountFen: 1 } })],
          rebuilt: [expect.objectContaining({ contributionId: paid.contributionId, data: expect.objectContaining({ amountFen: paid.amountFen }) })],
        },
      }),
    ]);
    expect(report.swapped).toBe(false);
    const [still] = await live.query('SELECT name FROM person_view WHERE "personId" = $1', [victim.personId]);
    expect(still.name).toBe('tampered');
    // The tampered contribution cannot be evaluated: the coverage read says it is the server's fault, not the caller's.
    const coverageOfPaid = () =>
      request(t.app.getHttpServer())
        .get(`/v1/persons/${paid.personId}/coverage?asOf=2024-06-01`)
        .set({ Authorization: `Bearer ${t.clerkToken}` });
    const broken = await coverageOfPaid();
    expect(broken.status).toBe(500);
    expect(broken.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(broken.body).toMatchObject({ status: 500, code: 'stored_state_invalid', personId: paid.personId });

    const indexes = async () =>
      (await live.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1)`, [persons.tables]))
        .map((r: { indexdef: string }) => r.indexdef.replace(/INDEX \S+ ON/, 'INDEX ON'))
        .sort();
    const before = await indexes();
    const storage = async () =>
      (
        await live.query(`SELECT relname, reloptions FROM pg_class WHERE oid = ANY($1::regclass[]) ORDER BY relname`, [
          persons.tables.map((t) => `public."${t}"`),
        ])
      ).map((r: { relname: string; reloptions: string[] | null }) => `${r.relname} ${(r.reloptions ?? []).join(',')}`);
    const storageBefore = await storage();
    // The service sets person_view's fillfactor at start (read-model-storage.ts); a swap must not lose it.
    expect(storageBefore).toContain('person_view fillfactor=70');
    // Coverage reads use a named statement on person_view: prepared on the pool's connections before the swap,
    // it must find the swapped-in table after it (PostgreSQL re-plans it), not fail.
    const coverageReads = async () => {
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          request(t.app.getHttpServer())
            .get(`/v1/persons/${victim.personId}/coverage?asOf=2024-06-01`)
            .set({ Authorization: `Bearer ${t.clerkToken}` }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      return answers.map((a) => a.body as unknown);
    };
    const readBefore = await coverageReads();
    const swapped = await rebuilder.rebuild(persons, { swap: true });
    expect(await coverageReads()).toEqual(readBefore);
    expect(swapped.swapped).toBe(true);
    expect((await coverageOfPaid()).status).toBe(200);
    // Built without its secondary indexes, the rebuilt table gets them back before it is swapped in.
    expect(await indexes()).toEqual(before);
    expect(await storage()).toEqual(storageBefore);
    expect(before.some((d: string) => d.startsWith('CREATE INDEX'))).toBe(true);
    const [fixed] = await live.query('SELECT name FROM person_view WHERE "personId" = $1', [victim.personId]);
    expect(fixed.name).toBe(victim.name);
    // The live runner keeps working on the swapped-in table.
    await createHistory({ region: '410327', years: [2024], paidInMonth: ['10', '10', '10'], amountDelta: [0, 0, 0], reverseFirst: false, category: undefined });
    await t.app.get(ProjectionManager).waitFor(await t.app.get<EventStore>(EVENT_STORE).headPosition(), 30_000);
    expect((await rebuilder.rebuild(persons, { restart: true })).differences).toEqual([]);
  });

  it('can be interrupted and resumes from its checkpoint', async () => {
    const controller = new AbortController();
    let applied = 0;
    // Abort from inside the projection after a few batches: a stand-in for Ctrl-C mid-rebuild.
    const interruptible: Projection = {
      name: persons.name,
      tables: persons.tables,
      entities: persons.entities,
      apply: async (events, manager) => {
        await persons.apply(events, manager);
        if ((applied += events.length) >= 20) controller.abort();
      },
    };
    const interrupted = rebuilder.rebuild(interruptible, { restart: true, batchSize: 5, signal: controller.signal });
    await expect(interrupted).rejects.toBeInstanceOf(RebuildInterrupted);
    const progress: number[] = [];
    const resumed = await rebuilder.rebuild(persons, { batchSize: 50, onProgress: (p) => progress.push(p.position) });
    expect(resumed.fromPosition).toBeGreaterThan(0);
    expect(resumed.differences).toEqual([]);
    expect(progress.at(-1)).toBe(resumed.position);
  });
});
