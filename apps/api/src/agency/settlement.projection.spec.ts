import { randomUUID } from 'node:crypto';
import { contributionPeriodKey, evolvePerson, initialPersonState, type PersonState } from '@ledger/domain';
import { ev } from '@ledger/domain/testing/person-fixtures';
import fc from 'fast-check';
import { entityDatabase } from '../../../../test/support/test-database';
import { SettlementStateView } from './settlement.projection';

describe('SettlementStateView', () => {
  const view = new SettlementStateView();
  const db = entityDatabase(view.entities as never[]);

  /** A Henan resident (2024 share 380 元) who paid these amounts for 2024, in this order. */
  function residentWhoPaid(...amounts: number[]): PersonState {
    const events = [
      ev.registered('1980-05-05', [], randomUUID()),
      ev.enrolled('e1', 'resident', '410327', '2023-09-01'),
      ...amounts.map((amountFen, i) => ev.residentPaid(randomUUID(), 'e1', '410327', 2024, amountFen, `2023-10-${String(10 + i).padStart(2, '0')}`)),
    ];
    return events.reduce((state, event) => evolvePerson(state, event), initialPersonState);
  }

  const write = (state: PersonState) => db.dataSource.transaction((manager) => view.write([{ personId: state.personId!, state, scope: 'all' }], manager));
  const rowOf = async (personId: string) =>
    (
      await db.dataSource.query('SELECT periods, "refundFen", "arrearsFen", xmin::text AS version FROM agency_settlement_view WHERE "personId" = $1', [
        personId,
      ])
    )[0] as { periods: Array<{ period: string; arrearsFen: number; refunds: unknown[] }>; refundFen: string; arrearsFen: string; version: string };

  it('given a period paid exactly, then the row holds no period, and writing it again leaves the row as it was', async () => {
    const state = residentWhoPaid(38_000);
    await write(state);
    const first = await rowOf(state.personId!);
    expect(first).toMatchObject({ periods: [], refundFen: '0', arrearsFen: '0' });
    await write(state);
    expect((await rowOf(state.personId!)).version).toBe(first.version);
  });

  it('given an underpaid period and then a payment that overpays it, then the row holds that period with its arrears, then with its refund', async () => {
    const underpaid = residentWhoPaid(30_000);
    await write(underpaid);
    const before = await rowOf(underpaid.personId!);
    expect(before).toMatchObject({ periods: [{ period: '2024', arrearsFen: 8_000, refunds: [] }], refundFen: '0', arrearsFen: '8000' });

    const contribution = Object.values(underpaid.contributions)[0]!;
    const overpaid = evolvePerson(underpaid, {
      type: 'ContributionRecorded',
      data: { ...contribution, contributionId: randomUUID(), amountFen: 10_000, paidAt: '2023-11-01T09:30:00+08:00' },
    });
    await write(overpaid);
    const after = await rowOf(underpaid.personId!);
    expect(after).toMatchObject({ periods: [{ period: '2024', arrearsFen: 0, refunds: [{ refundFen: 2_000, reason: 'overpaid' }] }], refundFen: '2000' });
    expect(after.version).not.toBe(before.version);
  });

  it('given a payment that settles its period exactly on a state holding only that period, then the unchanged row is not sent at all', async () => {
    const state = residentWhoPaid(38_000);
    await write(state);
    const period = contributionPeriodKey({ scheme: 'resident', coverageYear: 2024, regionCode: '410327' });
    const statements: string[] = [];
    await db.dataSource.transaction(async (manager) => {
      const query = manager.query.bind(manager);
      manager.query = ((sql: string, parameters?: unknown[]) => {
        statements.push(sql);
        return query(sql, parameters);
      }) as typeof manager.query;
      await view.write([{ personId: state.personId!, state, scope: new Set([period]) }], manager);
    });
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^SELECT/);
    expect(await rowOf(state.personId!)).toMatchObject({ periods: [], refundFen: '0', arrearsFen: '0' });
  });

  it('given payments written one at a time on states holding only the paid period, then the row is the one the whole history gives', async () => {
    const payment = fc.record({
      year: fc.constantFrom(2023, 2024, 2025),
      amountFen: fc.integer({ min: 10_000, max: 60_000 }),
      day: fc.integer({ min: 10, max: 28 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(payment, { minLength: 1, maxLength: 8 }), async (payments) => {
        let state = residentWhoPaid();
        const [incremental, whole] = [randomUUID(), randomUUID()];
        for (const p of payments) {
          state = evolvePerson(state, ev.residentPaid(randomUUID(), 'e1', '410327', p.year, p.amountFen, `${p.year - 1}-11-${p.day}`));
          const period = contributionPeriodKey({ scheme: 'resident', coverageYear: p.year, regionCode: '410327' });
          const onlyThatPeriod = {
            ...state,
            contributions: Object.fromEntries(Object.entries(state.contributions).filter(([, c]) => contributionPeriodKey(c) === period)),
          };
          await db.dataSource.transaction((manager) => view.write([{ personId: incremental, state: onlyThatPeriod, scope: new Set([period]) }], manager));
        }
        await db.dataSource.transaction((manager) => view.write([{ personId: whole, state, scope: 'all' }], manager));
        const [a, b] = await Promise.all([incremental, whole].map(rowOf));
        expect({ ...a, version: undefined }).toEqual({ ...b, version: undefined });
        expect(JSON.stringify(a!.periods)).toBe(JSON.stringify(b!.periods));
      }),
      { numRuns: 40 },
    );
  });
});
