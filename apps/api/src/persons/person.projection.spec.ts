import { randomUUID } from 'node:crypto';
import {
  addDays,
  contributionPeriodKey,
  decidePerson,
  evolvePerson,
  evolvePersonMany,
  initialPersonState,
  makeResidentId,
  type PersonCommand,
  type PersonEvent,
  type PersonState,
} from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import { entityDatabase } from '../../../../test/support/test-database';
import { settlePeriods } from '../agency/settlement';
import { SettlementStateView } from '../agency/settlement.projection';
import { PersonStateHandoff } from './person-state-handoff';
import { STATE_COLUMNS, stateOfRow, type StateRow } from './person-state-rows';
import { PersonProjection } from './person.projection';

/** Valid events for `count` persons (registration, enrollment, a payment for each of `years`), as the store would give them; `day` keeps ID numbers apart. */
const foldOf = (events: StoredEvent[]): PersonState =>
  evolvePersonMany(
    initialPersonState,
    events.map((e) => ({ event: { type: e.type, data: e.data } as PersonEvent, meta: { recordedAt: e.metadata.recordedAt, position: e.position } })),
  );

function histories(count: number, from: number, day = 0, years: number[] = [2024]): { events: StoredEvent[]; persons: string[] } {
  const events: StoredEvent[] = [];
  const persons: string[] = [];
  let position = from;
  for (let i = 0; i < count; i++) {
    const personId = randomUUID();
    persons.push(personId);
    const birthDate = addDays('1960-01-01', day + i);
    let state: PersonState = initialPersonState;
    let revision = -1;
    const run = (command: PersonCommand) => {
      for (const event of decidePerson(state, command, { today: '2026-11-26' })) {
        state = evolvePerson(state, event);
        position++;
        events.push({
          eventId: randomUUID(),
          type: event.type,
          data: event.data,
          metadata: { recordedAt: '2026-11-26T02:00:00.000Z', correlationId: 'c', causationId: 'c', actor: 'test' },
          streamName: `person-${personId}`,
          revision: ++revision,
          position,
        });
      }
    };
    const enrollmentId = randomUUID();
    run({ type: 'RegisterPerson', data: { personId, idNumber: makeResidentId('410327', birthDate, i), name: '张伟', categories: [] } });
    run({ type: 'EnrollInScheme', data: { enrollmentId, scheme: 'resident', regionCode: '410327', enrolledOn: '2023-09-01' } });
    for (const year of years) {
      run({
        type: 'RecordContribution',
        data: {
          contributionId: randomUUID(),
          enrollmentId,
          scheme: 'resident',
          regionCode: '410327',
          coverageYear: year,
          amountFen: 38_000,
          payer: 'individual',
          paidAt: `${year - 1}-10-15T09:30:00+08:00`,
        },
      });
    }
  }
  return { events, persons };
}

describe('PersonProjection', () => {
  const projection = new PersonProjection([new SettlementStateView()]);
  const db = entityDatabase(projection.entities as never[]);

  it('folds a batch touching more persons than it writes per statement exactly as the domain folds each stream', async () => {
    const { events, persons } = histories(2_345, 0);
    // Applied in two batches that split persons' streams, as a runner's batches do.
    const cut = Math.floor(events.length / 2) + 1;
    await db.dataSource.transaction((manager) => projection.apply(events.slice(0, cut), manager));
    await db.dataSource.transaction((manager) => projection.apply(events.slice(cut), manager));

    const rows: Array<StateRow & { personId: string; revision: string; position: string }> = await db.dataSource.query(
      `SELECT v."personId", ${STATE_COLUMNS}, v.revision, v.position FROM person_view v`,
    );
    expect(rows).toHaveLength(persons.length);
    const byPerson = new Map(rows.map((r) => [r.personId, r]));
    for (const personId of persons) {
      const stream = events.filter((e) => e.streamName === `person-${personId}`);
      const expected = foldOf(stream);
      const row = byPerson.get(personId)!;
      expect(stateOfRow(row)).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(Number(row.revision)).toBe(stream.at(-1)!.revision);
      expect(Number(row.position)).toBe(stream.at(-1)!.position);
    }
    const [settled] = await db.dataSource.query('SELECT count(*)::int AS n FROM agency_settlement_view');
    expect(settled.n).toBe(persons.length);
  });

  it('folds on a state handed over at the revision before a person’s first event, without reading it back, and ignores any other', async () => {
    const { events, persons } = histories(30, 1_000_000, 5_000);
    const streamOf = (personId: string) => events.filter((e) => e.streamName === `person-${personId}`);
    // Registration and enrollment (revisions 0 and 1) first, then the payments (revision 2) with the handoff.
    await db.dataSource.transaction((manager) =>
      projection.apply(
        events.filter((e) => e.revision < 2),
        manager,
      ),
    );
    const handoff = new PersonStateHandoff(100);
    const bogus = (personId: string): PersonState => ({ ...foldOf(streamOf(personId).slice(0, 2)), name: 'not from the stream' });
    const [handed, older, newer] = [persons.slice(0, 10), persons.slice(10, 20), persons.slice(20)];
    for (const personId of handed) handoff.offer(personId, 1, foldOf(streamOf(personId).slice(0, 2)));
    for (const personId of older) handoff.offer(personId, 0, bogus(personId));
    for (const personId of newer) handoff.offer(personId, 2, bogus(personId));
    // Were the handed persons read from person_view, this would show in their result.
    await db.dataSource.query(`UPDATE person_view SET state = json_build_object('personId', null) WHERE "personId" = ANY($1::uuid[])`, [handed]);

    const withHandoff = new PersonProjection([new SettlementStateView()], handoff);
    await db.dataSource.transaction((manager) =>
      withHandoff.apply(
        events.filter((e) => e.revision === 2),
        manager,
      ),
    );

    const rows: Array<StateRow & { personId: string; revision: string }> = await db.dataSource.query(
      `SELECT v."personId", ${STATE_COLUMNS}, v.revision FROM person_view v WHERE v."personId" = ANY($1::uuid[])`,
      [persons],
    );
    expect(rows).toHaveLength(30);
    for (const row of rows) {
      expect(stateOfRow(row)).toEqual(JSON.parse(JSON.stringify(foldOf(streamOf(row.personId)))));
      expect(Number(row.revision)).toBe(2);
    }
    // Taken and stale entries are gone; those at a later revision wait for the batch after it.
    expect(handoff.size).toBe(newer.length);
  });

  it('folds on a handed state that holds only the periods its batch pays for, and reads back when the state lacks one', async () => {
    // 2023, 2024, then 2025 and 2024 again (a second payment for a paid year: a refund is due).
    const { events, persons } = histories(10, 2_000_000, 9_000, [2023, 2024, 2025, 2024]);
    const streamOf = (personId: string) => events.filter((e) => e.streamName === `person-${personId}`);
    await db.dataSource.transaction((manager) =>
      projection.apply(
        events.filter((e) => e.revision < 4),
        manager,
      ),
    );
    const period = (year: number) => contributionPeriodKey({ scheme: 'resident', coverageYear: year, regionCode: '410327' });
    const holding = (state: PersonState, years: number[]): PersonState => ({
      ...state,
      contributions: Object.fromEntries(Object.entries(state.contributions).filter(([, c]) => years.map(period).includes(contributionPeriodKey(c)))),
    });
    const handoff = new PersonStateHandoff(100);
    const [covered, lacking] = [persons.slice(0, 5), persons.slice(5)];
    for (const personId of covered)
      handoff.offer(personId, 3, holding(foldOf(streamOf(personId).slice(0, 4)), [2024, 2025]), new Set([period(2024), period(2025)]));
    for (const personId of lacking) {
      const bogus = { ...holding(foldOf(streamOf(personId).slice(0, 4)), [2023]), name: 'not from the stream' };
      handoff.offer(personId, 3, bogus, new Set([period(2023)]));
    }
    // Were the covered persons read back, this would show in their result.
    await db.dataSource.query(`UPDATE person_view SET state = json_build_object('personId', null) WHERE "personId" = ANY($1::uuid[])`, [covered]);

    const withHandoff = new PersonProjection([new SettlementStateView()], handoff);
    await db.dataSource.transaction((manager) =>
      withHandoff.apply(
        events.filter((e) => e.revision >= 4),
        manager,
      ),
    );

    const rows: Array<StateRow & { personId: string; periods: Array<{ period: string; refunds: unknown[] }> }> = await db.dataSource.query(
      `SELECT v."personId", ${STATE_COLUMNS}, s.periods FROM person_view v JOIN agency_settlement_view s USING ("personId") WHERE v."personId" = ANY($1::uuid[])`,
      [persons],
    );
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      const whole = foldOf(streamOf(row.personId));
      expect(stateOfRow(row)).toEqual(JSON.parse(JSON.stringify(whole)));
      expect(row.periods).toEqual(JSON.parse(JSON.stringify(settlePeriods(whole).filter((p) => p.refunds.length > 0 || p.arrearsFen > 0))));
      // 2023 (overpaid against its lower share) comes from the row as it was; 2024 and 2025 are settled again.
      expect(row.periods).toEqual([
        expect.objectContaining({ period: '2023', refunds: [expect.objectContaining({ reason: 'overpaid', refundFen: 3_000 })] }),
        expect.objectContaining({ period: '2024', refunds: [expect.objectContaining({ reason: 'period_already_paid', refundFen: 38_000 })] }),
        expect.objectContaining({ period: '2025', arrearsFen: 2_000, refunds: [] }),
      ]);
    }
  });

  it('given a contribution delivered again with other data, then its row keeps the first delivery, as the fold does', async () => {
    const { events, persons } = histories(3, 3_000_000, 12_000);
    await db.dataSource.transaction((manager) => projection.apply(events, manager));
    const [personId] = persons;
    const stream = events.filter((e) => e.streamName === `person-${personId}`);
    const paid = stream.find((e) => e.type === 'ContributionRecorded')!;
    const again: StoredEvent = {
      ...paid,
      eventId: randomUUID(),
      data: { ...(paid.data as object), amountFen: 1 },
      revision: stream.at(-1)!.revision + 1,
      position: 3_000_100,
    };
    // The COPY meets the stored row and the batch falls back to the insert that leaves it alone.
    await db.dataSource.transaction((manager) => projection.apply([again], manager));
    const [row]: Array<StateRow & { revision: string }> = await db.dataSource.query(
      `SELECT ${STATE_COLUMNS}, v.revision FROM person_view v WHERE v."personId" = $1`,
      [personId],
    );
    expect(stateOfRow(row!)).toEqual(JSON.parse(JSON.stringify(foldOf([...stream, again]))));
    expect(Object.values(stateOfRow(row!).contributions).map((c) => c.amountFen)).toEqual([38_000]);
    expect(Number(row!.revision)).toBe(again.revision);
  });
});
