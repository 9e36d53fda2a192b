import { randomUUID } from 'node:crypto';
import { makeResidentId, personStreamId, replayPerson, type PersonEvent } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ProjectionManager } from '@ledger/read-models';
import { DataSource } from 'typeorm';
import { toPersonHistory } from '../../apps/api/src/persons/person-command';
import { PersonStateHandoff } from '../../apps/api/src/persons/person-state-handoff';
import { STATE_COLUMNS, stateOfRow, storedState, type StateRow } from '../../apps/api/src/persons/person-state-rows';
import { PersonStates } from '../../apps/api/src/persons/person-states';
import { startTestApp, type TestApp } from '../support/test-app';

describe('PersonStates: person_view as a snapshot plus the stream’s tail', () => {
  let t: TestApp;
  let store: EventStore;
  let states: PersonStates;
  let db: DataSource;
  const personIds: string[] = [];

  function historyOf(personId: string, n: number, months: number): PersonEvent[] {
    return [
      {
        type: 'PersonRegistered',
        data: { personId, idNumber: makeResidentId('410327', '1990-01-01', 300 + n), name: `P${n}`, birthDate: '1990-01-01', categories: [] },
      },
      { type: 'EnrolledInScheme', data: { enrollmentId: `e-${personId}`, scheme: 'employee', regionCode: '410327', enrolledOn: '2025-01-01' } },
      ...Array.from({ length: months }, (_, m): PersonEvent => ({
        type: 'ContributionRecorded',
        data: {
          contributionId: `${personId}-${m}`,
          enrollmentId: `e-${personId}`,
          scheme: 'employee',
          regionCode: '410327',
          coverageMonth: `2025-${String(m + 1).padStart(2, '0')}`,
          amountFen: 50_000 + m,
          payer: 'individual',
          paidAt: `2025-${String(m + 1).padStart(2, '0')}-15T10:00:00+08:00`,
          kind: 'regular',
        },
      })),
    ];
  }

  async function fullReplay(personId: string) {
    const events = await store.readStream(personStreamId(personId));
    return { state: replayPerson(toPersonHistory(events)), revision: events.length ? events[events.length - 1]!.revision : -1 };
  }

  beforeAll(async () => {
    t = await startTestApp();
    store = t.app.get<EventStore>(EVENT_STORE);
    states = t.app.get(PersonStates);
    db = t.app.get(DataSource);
    for (let n = 0; n < 3; n++) {
      const personId = randomUUID();
      personIds.push(personId);
      // One event per append, so positions interleave with nothing else and each revision has its own recordedAt.
      for (const e of historyOf(personId, n, 4 + n * 3)) {
        await store.appendToStream(personStreamId(personId), [
          { eventId: randomUUID(), type: e.type, data: e.data, metadata: { correlationId: 'c', causationId: 'c', actor: 'test' } },
        ]);
      }
    }
    await t.app.get(ProjectionManager).waitFor(await store.headPosition(), 60_000);
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a current view, then each state and revision equal a replay of the whole stream', async () => {
    const loaded = await states.load([...personIds, personIds[0]!]);
    expect(loaded.size).toBe(3);
    for (const personId of personIds) expect(loaded.get(personId)).toEqual(await fullReplay(personId));
  });

  it('given a scope, then a person holds only those periods’ contributions, and is otherwise the replay; the handoff is told so', async () => {
    const [scoped, whole] = [personIds[2]!, personIds[1]!];
    const periods = new Set(['employee|2025-02|410327', 'employee|2025-05|410327', 'employee|2026-01|410327']);
    const loaded = await states.load([scoped, whole], new Map([[scoped, periods]]));
    const replayed = await fullReplay(scoped);
    expect(loaded.get(scoped)).toEqual({
      revision: replayed.revision,
      state: {
        ...replayed.state,
        contributions: { [`${scoped}-1`]: replayed.state.contributions[`${scoped}-1`], [`${scoped}-4`]: replayed.state.contributions[`${scoped}-4`] },
      },
    });
    expect(loaded.get(whole)).toEqual(await fullReplay(whole));
    const handoff = t.app.get(PersonStateHandoff);
    expect(handoff.take(scoped, replayed.revision)?.scope).toEqual(periods);
    expect(handoff.take(whole, loaded.get(whole)!.revision)?.scope).toBe('all');
  });

  it('given a view that lags behind the stream, then the tail is folded onto it and the answer is the same', async () => {
    const personId = personIds[2]!;
    const events = await store.readStream(personStreamId(personId));
    const k = 3;
    const behind = replayPerson(toPersonHistory(events.slice(0, k)));
    await db.query('UPDATE person_view SET state = $2, revision = $3 WHERE "personId" = $1', [personId, JSON.stringify(storedState(behind)), k - 1]);
    await db.query('DELETE FROM person_contribution WHERE "personId" = $1 AND NOT ("contributionId" = ANY($2))', [personId, Object.keys(behind.contributions)]);
    expect((await states.load([personId])).get(personId)).toEqual(await fullReplay(personId));
  });

  it('given no view row (not projected yet, or reset), then the whole stream is read; an unknown person is empty at revision -1', async () => {
    const personId = personIds[1]!;
    await db.query('DELETE FROM person_view WHERE "personId" = $1', [personId]);
    const unknown = randomUUID();
    const loaded = await states.load([personId, unknown]);
    expect(loaded.get(personId)).toEqual(await fullReplay(personId));
    expect(loaded.get(unknown)).toMatchObject({ revision: -1, state: { personId: null } });
  });

  it('given a state loaded to decide on, then the persons projection folds the next append on it without reading person_view back', async () => {
    const personId = personIds[0]!;
    const handoff = t.app.get(PersonStateHandoff);
    const { revision } = (await states.load([personId])).get(personId)!;
    // Were the projection to read the row back, this name would be in its result.
    await db.query(`UPDATE person_view SET state = json_build_object('personId', "personId", 'name', 'read back') WHERE "personId" = $1`, [personId]);
    const month = historyOf(personId, 0, 5)[6]!;
    const written = await store.appendToStream(
      personStreamId(personId),
      [{ eventId: randomUUID(), type: month.type, data: month.data, metadata: { correlationId: 'c', causationId: 'c', actor: 'test' } }],
      { expectedRevision: revision },
    );
    await t.app.get(ProjectionManager).waitFor(written.position, 60_000);
    const [row]: Array<StateRow & { revision: string }> = await db.query(`SELECT ${STATE_COLUMNS}, v.revision FROM person_view v WHERE v."personId" = $1`, [
      personId,
    ]);
    const replayed = await fullReplay(personId);
    expect(Number(row!.revision)).toBe(revision + 1);
    expect(stateOfRow(row!)).toEqual(JSON.parse(JSON.stringify(replayed.state)));
    expect(handoff.take(personId, revision)).toBeUndefined(); // taken by the projection
  });
});
