import { randomUUID } from 'node:crypto';
import { evolvePerson, initialPersonState, type PersonState } from '@ledger/domain';
import { ev } from '@ledger/domain/testing/person-fixtures';
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

  const write = (state: PersonState) => db.dataSource.transaction((manager) => view.write([{ personId: state.personId!, state }], manager));
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
});
