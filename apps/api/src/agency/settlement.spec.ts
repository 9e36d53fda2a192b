import fc from 'fast-check';
import { evolvePersonMany, initialPersonState, type ContributionRecordedData, type PersonEvent, type PersonState } from '@ledger/domain';
import { settlePeriod, settlePeriods } from './settlement';

const PERSON = '6f1c2f55-0d6e-4c3f-9a57-9a4d3f1e2b10';

function personWith(contributions: Array<Partial<ContributionRecordedData> & Pick<ContributionRecordedData, 'contributionId'>>, reversed: string[] = []) {
  const events: PersonEvent[] = [
    {
      type: 'PersonRegistered',
      data: { personId: PERSON, idNumber: '410327199001011234', name: 'Li Na', birthDate: '1990-01-01', categories: [] },
    },
    ...contributions.map((c): PersonEvent => ({
      type: 'ContributionRecorded',
      data: {
        enrollmentId: 'e1',
        scheme: 'resident',
        regionCode: '410000',
        coverageYear: 2024,
        amountFen: 38_000,
        payer: 'individual',
        paidAt: '2023-10-10T10:00:00+08:00',
        kind: 'regular',
        ...c,
      },
    })),
    ...reversed.map((contributionId): PersonEvent => ({
      type: 'ContributionReversed',
      data: { contributionId, reversedAt: '2023-12-01T00:00:00+08:00', reason: 'bank return' },
    })),
  ];
  return evolvePersonMany(
    initialPersonState,
    events.map((event, i) => ({ event, meta: { recordedAt: '2023-12-31T00:00:00Z', position: i + 1 } })),
  );
}

describe('settling a period’s money', () => {
  // Henan 2024 resident individual contribution: 380 yuan (source 004, DOMAIN.md).
  it('given an underpayment for Henan 2024, then the period owes the rest', () => {
    const state = personWith([{ contributionId: 'c1', amountFen: 30_000 }]);
    expect(settlePeriod(state, 'resident', '2024', '410000')).toEqual({
      scheme: 'resident',
      period: '2024',
      regionCode: '410000',
      dueFen: 38_000,
      paidFen: 30_000,
      arrearsFen: 8_000,
      refunds: [],
    });
  });

  it('given two full payments, then the later-paid one is refunded as already paid, whatever order they arrived in', () => {
    const later = { contributionId: 'a-later', paidAt: '2023-11-02T09:00:00+08:00' };
    const earlier = { contributionId: 'z-earlier', paidAt: '2023-10-02T09:00:00+08:00' };
    for (const state of [personWith([later, earlier]), personWith([earlier, later])]) {
      const period = settlePeriod(state, 'resident', '2024', '410000');
      expect(period?.arrearsFen).toBe(0);
      expect(period?.refunds).toEqual([expect.objectContaining({ contributionId: 'a-later', refundFen: 38_000, reason: 'period_already_paid' })]);
    }
  });

  it('given an overpayment, then only the excess is refunded', () => {
    const period = settlePeriod(personWith([{ contributionId: 'c1', amountFen: 40_000 }]), 'resident', '2024', '410000');
    expect(period?.refunds).toEqual([expect.objectContaining({ contributionId: 'c1', refundFen: 2_000, reason: 'overpaid' })]);
  });

  it('given a reversed payment, then it no longer counts', () => {
    expect(settlePeriod(personWith([{ contributionId: 'c1' }], ['c1']), 'resident', '2024', '410000')).toBeNull();
  });

  it('settlePeriod answers exactly what settlePeriods says for that period', () => {
    const contribution = fc.record({
      contributionId: fc.uuid(),
      scheme: fc.constantFrom('resident' as const, 'employee' as const),
      regionCode: fc.constantFrom('410000', '450000'),
      year: fc.constantFrom(2023, 2024),
      month: fc.integer({ min: 1, max: 12 }),
      amountFen: fc.integer({ min: 1, max: 60_000 }),
      day: fc.integer({ min: 1, max: 28 }),
      part: fc.constantFrom(undefined, 'individual' as const, 'unit' as const, 'both' as const),
      reversed: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(contribution, { maxLength: 12 }), (rows) => {
        const state: PersonState = personWith(
          rows.map((r) => ({
            contributionId: r.contributionId,
            scheme: r.scheme,
            regionCode: r.regionCode,
            amountFen: r.amountFen,
            paidAt: `2023-${String(r.month).padStart(2, '0')}-${String(r.day).padStart(2, '0')}T10:00:00+08:00`,
            ...(r.scheme === 'resident'
              ? { coverageYear: r.year, coverageMonth: undefined }
              : { coverageYear: undefined, coverageMonth: `${r.year}-${String(r.month).padStart(2, '0')}`, part: r.part }),
          })),
          rows.filter((r) => r.reversed).map((r) => r.contributionId),
        );
        const all = settlePeriods(state);
        for (const r of rows) {
          const period = r.scheme === 'resident' ? String(r.year) : `${r.year}-${String(r.month).padStart(2, '0')}`;
          const expected = all.find((s) => s.scheme === r.scheme && s.period === period && s.regionCode === r.regionCode) ?? null;
          expect(settlePeriod(state, r.scheme, period, r.regionCode)).toEqual(expected);
        }
      }),
    );
  });
});
