import { addDays, assertIsoDate, firstDayOfMonth, IsoDate, lastDayOfMonth, maxDate, minDate } from '../dates';
import type { PersonState } from '../person/state';
import { POLICY_CATALOG } from '../policy/catalog';
import { resolvePolicy } from '../policy/resolve';
import type { PolicyCatalog } from '../policy/types';
import { classifyEmployeeMonths, employeeInsuredMonths, residentInsuredMonths } from './insured-months';
import { employeeMonthFacts, residentYearPayments } from './payments';
import { residentYearSegments } from './resident';
import type { CoverageOptions, CoverageSegment, TimelinePeriod, WaitingExemption } from './types';

/** A timeline period plus the exemption that let it start without a wait (kept internal to the answer). */
export interface DetailedPeriod extends TimelinePeriod {
  exemption: WaitingExemption | null;
}

export interface CoverageModel {
  periods: DetailedPeriod[];
  insuredMonths: Set<string>;
}

/** Everything the calculator derives from a state; all reads are by business date, none by arrival order. */
export function buildCoverageModel(state: PersonState, opts: CoverageOptions = {}): CoverageModel {
  const catalog: PolicyCatalog = opts.catalog ?? POLICY_CATALOG;
  const payments = residentYearPayments(state, catalog);
  const residentMonths = residentInsuredMonths(state, payments);
  const facts = employeeMonthFacts(state, catalog);
  const employeeMonths = classifyEmployeeMonths(facts, residentMonths, (region, month) => resolvePolicy(region, Number(month.slice(0, 4)), catalog));
  const insuredMonths = new Set([...residentMonths, ...employeeInsuredMonths(employeeMonths)]);

  const segments: CoverageSegment[] = [];
  for (const p of payments) segments.push(...residentYearSegments(state, p, payments, insuredMonths, facts));
  for (const m of employeeMonths) {
    if (m.status === 'none') continue;
    segments.push({
      from: firstDayOfMonth(m.month),
      to: lastDayOfMonth(m.month),
      status: m.status,
      scheme: 'employee',
      regionCode: m.regionCode,
      reason: m.reason,
      exemption: m.exemption,
      causedBy: m.causedBy,
      groupKey: `employee:${m.status}:${m.exemption}:${m.reason}`,
      rank: `0:${m.month}`,
    });
  }
  return { periods: assemble(clipToLife(state, segments), state), insuredMonths };
}

function clipToLife(state: PersonState, segments: CoverageSegment[]): CoverageSegment[] {
  const deaths = Object.values(state.endings)
    .filter((e) => e.reason === 'death')
    .map((e) => e.endedOn)
    .sort();
  const lo = state.birthDate;
  const hi = deaths[0] ?? null;
  return segments.map((s) => ({ ...s, from: lo ? maxDate(s.from, lo) : s.from, to: hi ? minDate(s.to, hi) : s.to })).filter((s) => s.from <= s.to);
}

const better = (a: CoverageSegment, b: CoverageSegment): boolean => {
  if (a.status !== b.status) return a.status === 'covered';
  if (a.from !== b.from) return a.from < b.from;
  return a.rank + a.groupKey < b.rank + b.groupKey;
};

/** Resolves overlaps (cover beats waiting, then the earlier start), merges neighbours, fills gaps. */
function assemble(segments: CoverageSegment[], state: PersonState): DetailedPeriod[] {
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
  for (const c of chosen) {
    const prev = periods[periods.length - 1];
    const prevKey = prev ? (prev as DetailedPeriod & { key?: string }).key : undefined;
    if (prev && prevKey === c.seg.groupKey + c.seg.status + c.seg.regionCode && addDays(prev.to, 1) === c.from) {
      prev.to = c.to;
      prev.causedBy = [...new Set([...prev.causedBy, ...c.seg.causedBy])];
      continue;
    }
    if (prev && addDays(prev.to, 1) < c.from) periods.push(gap(addDays(prev.to, 1), addDays(c.from, -1), state));
    const p: DetailedPeriod & { key?: string } = {
      from: c.from,
      to: c.to,
      status: c.seg.status,
      scheme: c.seg.scheme,
      regionCode: c.seg.regionCode,
      reason: c.seg.reason,
      causedBy: [...c.seg.causedBy],
      exemption: c.seg.exemption,
    };
    Object.defineProperty(p, 'key', { value: c.seg.groupKey + c.seg.status + c.seg.regionCode, enumerable: false });
    periods.push(p);
  }
  return periods;
}

function gap(from: IsoDate, to: IsoDate, state: PersonState): DetailedPeriod {
  const lapses = Object.values(state.lapses)
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
    reason: lapses.length > 0 ? 'lapsed (断保)' : 'no paid cover',
    causedBy: lapses,
    exemption: null,
  };
}

/** Covered, waiting and uncovered periods over the person's history: sorted, non-overlapping. */
export function coverageTimeline(state: PersonState, opts: CoverageOptions = {}): TimelinePeriod[] {
  return buildCoverageModel(state, opts).periods.map(({ from, to, status, scheme, regionCode, reason, causedBy }) => ({
    from,
    to,
    status,
    scheme,
    regionCode,
    reason,
    causedBy,
  }));
}

export function periodAt<T extends TimelinePeriod>(periods: readonly T[], date: IsoDate): T | null {
  assertIsoDate(date, 'asOf');
  return periods.find((p) => p.from <= date && date <= p.to) ?? null;
}
