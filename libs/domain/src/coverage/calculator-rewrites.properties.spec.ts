import fc from 'fast-check';
import {
  addDays,
  addMonthsToMonth,
  endOfYear,
  firstDayOfMonth,
  fromDayNumber,
  IsoDate,
  IsoMonth,
  isLastDayOfMonth,
  lastDayOfMonth,
  maxDate,
  monthOf,
  monthsBetween,
  toDayNumber,
} from '../dates';
import type { LapseRecordedData } from '../person/events';
import { resolvePolicy } from '../policy/resolve';
import type { EffectivePolicy } from '../policy/types';
import { continuityAsOf, continuityFromIndex, indexInsuredMonths } from './continuity';
import type { ResidentYearPayment } from './payments';
import { nationalWaitingMonths } from './resident';
import { assemble, DetailedPeriod } from './timeline';
import type { Continuity, CoverageSegment } from './types';

/**
 * The calculator's hot helpers were rewritten for speed (a sweep without intermediate arrays, a
 * sorted index of insured months, a scan instead of a sort). These are the straightforward versions
 * they replaced, kept here so that every answer can be checked against them on random inputs.
 */
const reference = {
  assemble(segments: CoverageSegment[], lapses: LapseRecordedData[]): DetailedPeriod[] {
    const better = (a: CoverageSegment, b: CoverageSegment): boolean => {
      if (a.status !== b.status) return a.status === 'covered';
      if (a.from !== b.from) return a.from < b.from;
      return a.rank + a.groupKey < b.rank + b.groupKey;
    };
    const gap = (from: IsoDate, to: IsoDate): DetailedPeriod => {
      const ids = lapses
        .filter((l) => {
          const pFrom = l.period.length === 4 ? `${l.period}-01-01` : firstDayOfMonth(l.period);
          const pTo = l.period.length === 4 ? `${l.period}-12-31` : lastDayOfMonth(l.period);
          return pFrom <= to && from <= pTo;
        })
        .map((l) => l.lapseId)
        .sort();
      return {
        from,
        to,
        status: 'not_covered',
        scheme: null,
        regionCode: null,
        reason: ids.length > 0 ? 'lapsed (断保)' : 'no paid cover',
        causedBy: ids,
        exemption: null,
      };
    };
    if (segments.length === 0) return [];
    const points = [...new Set(segments.flatMap((s) => [s.from, addDays(s.to, 1)]))].sort();
    const chosen: { from: IsoDate; to: IsoDate; seg: CoverageSegment }[] = [];
    for (let i = 0; i < points.length - 1; i++) {
      const from = points[i]!;
      const to = addDays(points[i + 1]!, -1);
      const winner = segments.filter((s) => s.from <= from && to <= s.to).reduce<CoverageSegment | null>((w, s) => (w === null || better(s, w) ? s : w), null);
      if (winner) chosen.push({ from, to, seg: winner });
    }
    const periods: DetailedPeriod[] = [];
    const keys = new Map<DetailedPeriod, string>();
    for (const c of chosen) {
      const prev = periods[periods.length - 1];
      if (prev && keys.get(prev) === c.seg.groupKey + c.seg.status + c.seg.regionCode && addDays(prev.to, 1) === c.from) {
        prev.to = c.to;
        prev.causedBy = [...new Set([...prev.causedBy, ...c.seg.causedBy])];
        continue;
      }
      if (prev && addDays(prev.to, 1) < c.from) periods.push(gap(addDays(prev.to, 1), addDays(c.from, -1)));
      const p: DetailedPeriod = {
        from: c.from,
        to: c.to,
        status: c.seg.status,
        scheme: c.seg.scheme,
        regionCode: c.seg.regionCode,
        reason: c.seg.reason,
        causedBy: [...c.seg.causedBy],
        exemption: c.seg.exemption,
      };
      keys.set(p, c.seg.groupKey + c.seg.status + c.seg.regionCode);
      periods.push(p);
    }
    return periods;
  },

  continuityAsOf(insured: ReadonlySet<IsoMonth>, asOf: IsoDate, birthDate: IsoDate | null, graceMonths: number): Continuity {
    const asOfMonth = monthOf(asOf);
    const months = [...insured].filter((m) => m <= asOfMonth).sort();
    if (months.length === 0) return { status: 'none', continuousYears: 0, since: null };
    let runStart = months[0]!;
    for (let i = 1; i < months.length; i++) {
      if (monthsBetween(months[i - 1]!, months[i]!) - 1 > graceMonths) runStart = months[i]!;
    }
    const trailingGap = monthsBetween(months[months.length - 1]!, asOfMonth);
    if (trailingGap > graceMonths) return { status: 'broken', continuousYears: 0, since: null };
    const since = birthDate ? maxDate(firstDayOfMonth(runStart), birthDate) : firstDayOfMonth(runStart);
    const completedMonths = monthsBetween(runStart, asOfMonth) + (isLastDayOfMonth(asOf) ? 1 : 0);
    return { status: 'continuous', continuousYears: Math.floor(completedMonths / 12), since };
  },

  nationalWaitingMonths(
    policy: EffectivePolicy,
    year: number,
    paidOn: IsoDate,
    insuredMonths: ReadonlySet<IsoMonth>,
    allPayments: readonly ResidentYearPayment[],
  ) {
    const rule = policy.resident.waitingPeriod;
    if (rule.kind !== 'national_2025') throw new Error('not a national_2025 rule');
    const before = [...insuredMonths].filter((m) => m < `${year}-01`).sort();
    const lastInsuredYear = before.length > 0 ? Number(before[before.length - 1]!.slice(0, 4)) : null;
    const lapsedYears = lastInsuredYear === null ? 0 : year - 1 - lastInsuredYear;
    const madeUp = new Set(
      allPayments
        .filter((p) => lastInsuredYear !== null && p.coverageYear > lastInsuredYear && p.coverageYear < year)
        .filter((p) => p.completion && p.completion.date > endOfYear(p.coverageYear) && p.completion.date <= paidOn)
        .map((p) => p.coverageYear),
    );
    const counted = rule.firstLapsedYearCounts ? lapsedYears : Math.max(0, lapsedYears - 1);
    const variable = Math.max(0, counted * rule.extraMonthPerLapsedYear - madeUp.size * rule.makeUpMonthReduction);
    let months = rule.fixedMonths + variable;
    const floored = lapsedYears >= rule.longLapseYears && months < rule.longLapseFloorMonths;
    if (floored) months = rule.longLapseFloorMonths;
    const explanation =
      `waiting ${months} months (fixed ${rule.fixedMonths} + variable ${variable}; ${lapsedYears} lapsed year(s), ${madeUp.size} made up` +
      `${floored ? `; floor ${rule.longLapseFloorMonths} after ${rule.longLapseYears}+ lapsed years` : ''})`;
    return { months, lapsedYears, madeUpYears: madeUp.size, explanation };
  },
};

const dateBetween = (from: IsoDate, to: IsoDate) => fc.integer({ min: toDayNumber(from), max: toDayNumber(to) }).map(fromDayNumber);
const monthBetween = (from: IsoMonth, to: IsoMonth) => fc.integer({ min: 0, max: monthsBetween(from, to) }).map((i) => addMonthsToMonth(from, i));

/** Overlapping segments in a short window, so ties, nesting, adjacency and gaps all happen often. */
const segment: fc.Arbitrary<CoverageSegment> = fc
  .record({
    from: dateBetween('2023-11-25', '2024-03-10'),
    days: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 60 })),
    status: fc.constantFrom('covered', 'waiting') as fc.Arbitrary<'covered' | 'waiting'>,
    scheme: fc.constantFrom('resident', 'employee') as fc.Arbitrary<'resident' | 'employee'>,
    regionCode: fc.constantFrom('410327', '450102'),
    reason: fc.constantFrom('paid', 'waiting 30 days'),
    exemption: fc.constantFrom(null, 'centralized_period', 'transfer') as fc.Arbitrary<CoverageSegment['exemption']>,
    causedBy: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 4 }),
    groupKey: fc.constantFrom('resident:2024:410327', 'employee:covered', 'g'),
    rank: fc.constantFrom('0:2024-01', '1:2024', '1:2023'),
  })
  .map(({ days, ...s }) => ({ ...s, to: addDays(s.from, days) }));

const lapse: fc.Arbitrary<LapseRecordedData> = fc
  .oneof(fc.constantFrom('2023', '2024'), monthBetween('2023-10', '2024-04'))
  .map((period) => ({ lapseId: `lapse:resident:${period}`, scheme: 'resident', regionCode: '410327', period, recordedFor: '2023-12-31' }));

const insuredMonths = fc.uniqueArray(monthBetween('2015-01', '2026-12'), { maxLength: 80 }).map((ms) => new Set(ms));

describe('rewritten calculator helpers give the answers of the straightforward versions', () => {
  test('assemble: same periods, reasons and causes, and the segments are left as they were', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 12 }), fc.uniqueArray(lapse, { selector: (l) => l.lapseId, maxLength: 3 }), (segments, lapses) => {
        const before = JSON.stringify(segments);
        expect(assemble(segments, lapses)).toEqual(reference.assemble(JSON.parse(before), lapses));
        expect(JSON.stringify(segments)).toBe(before);
      }),
      { numRuns: 2000 },
    );
  });

  test('continuity from the sorted index equals continuityAsOf over the set, for any grace', () => {
    fc.assert(
      fc.property(
        insuredMonths,
        fc.array(dateBetween('2014-06-01', '2027-06-30'), { minLength: 1, maxLength: 6 }),
        fc.option(dateBetween('2010-01-01', '2026-12-31'), { nil: null }),
        fc.integer({ min: 0, max: 6 }),
        (months, dates, birthDate, grace) => {
          const index = indexInsuredMonths(months, grace);
          for (const asOf of dates) {
            const expected = reference.continuityAsOf(months, asOf, birthDate, grace);
            expect(continuityFromIndex(index, asOf, birthDate)).toEqual(expected);
            expect(continuityAsOf(months, asOf, birthDate, grace)).toEqual(expected);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('nationalWaitingMonths finds the last insured year by a scan as the sort did', () => {
    const policy = resolvePolicy('410327', 2025);
    expect(policy.resident.waitingPeriod.kind).toBe('national_2025');
    const payment = fc.record({
      coverageYear: fc.integer({ min: 2015, max: 2026 }),
      completed: fc.option(dateBetween('2015-01-01', '2027-06-30'), { nil: null }),
    });
    fc.assert(
      fc.property(
        insuredMonths,
        fc.integer({ min: 2016, max: 2027 }),
        dateBetween('2015-01-01', '2027-12-31'),
        fc.array(payment, { maxLength: 8 }),
        (months, year, paidOn, raw) => {
          const payments = raw.map(
            (p) =>
              ({ coverageYear: p.coverageYear, completion: p.completed ? { date: p.completed, contributionIds: [] } : null }) as unknown as ResidentYearPayment,
          );
          expect(nationalWaitingMonths(policy, year, paidOn, months, payments)).toEqual(
            reference.nationalWaitingMonths(policy, year, paidOn, months, payments),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});
