import { addDays, assertIsoDate, firstDayOfMonth, IsoDate, lastDayOfMonth, maxDate, minDate } from '../dates';
import type { LapseRecordedData } from '../person/events';
import type { PersonState } from '../person/state';
import { POLICY_CATALOG } from '../policy/catalog';
import { resolvePolicy } from '../policy/resolve';
import type { PolicyCatalog } from '../policy/types';
import { indexInsuredMonths, type InsuredMonthsIndex } from './continuity';
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
  insuredIndex: InsuredMonthsIndex;
}

/** Everything the calculator derives from a state; all reads are by business date, none by arrival order. */
export function buildCoverageModel(state: PersonState, opts: CoverageOptions = {}): CoverageModel {
  const catalog: PolicyCatalog = opts.catalog ?? POLICY_CATALOG;
  const payments = residentYearPayments(state, catalog);
  const residentMonths = residentInsuredMonths(state, payments);
  const facts = employeeMonthFacts(state, catalog);
  const employeeMonths = classifyEmployeeMonths(facts, residentMonths, (region, month) => resolvePolicy(region, Number(month.slice(0, 4)), catalog));
  const insuredMonths = new Set([...residentMonths, ...employeeInsuredMonths(employeeMonths)]);
  const insuredIndex = indexInsuredMonths(insuredMonths);

  const segments: CoverageSegment[] = [];
  for (const p of payments) segments.push(...residentYearSegments(state, p, payments, insuredMonths, insuredIndex, facts));
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
  return { periods: assemble(clipToLife(state, segments), Object.values(state.lapses)), insuredMonths, insuredIndex };
}

function clipToLife(state: PersonState, segments: CoverageSegment[]): CoverageSegment[] {
  const deaths = Object.values(state.endings)
    .filter((e) => e.reason === 'death')
    .map((e) => e.endedOn)
    .sort();
  const lo = state.birthDate;
  const death = deaths[0] ?? null;
  const clipped: CoverageSegment[] = [];
  for (const s of segments) {
    const from = lo ? maxDate(s.from, lo) : s.from;
    const to = death ? minDate(s.to, death) : s.to;
    if (from <= to) clipped.push(from === s.from && to === s.to ? s : { ...s, from, to });
  }
  return clipped;
}

/**
 * Resolves overlaps (cover beats waiting, then the earlier start, then rank and group key, then the
 * earlier segment), merges neighbours with the same key, fills gaps. It scans the segments in place
 * and collects a merged period's causes in one set: filtering an array per interval and re-spreading
 * the causes on every merge made this a top entry of the coverage profile. Exported for its property test.
 */
export function assemble(segments: readonly CoverageSegment[], lapses: readonly LapseRecordedData[]): DetailedPeriod[] {
  if (segments.length === 0) return [];
  const points = [...new Set([...segments.map((s) => s.from), ...segments.map((s) => addDays(s.to, 1))])].sort();
  const tieBreak = segments.map((s) => s.rank + s.groupKey);
  const better = (a: number, b: number): boolean => {
    const x = segments[a]!;
    const y = segments[b]!;
    if (x.status !== y.status) return x.status === 'covered';
    if (x.from !== y.from) return x.from < y.from;
    return tieBreak[a]! < tieBreak[b]!;
  };
  const periods: DetailedPeriod[] = [];
  // The key each period merges on (gaps never merge).
  const keys: (string | null)[] = [];
  // causedBy of the last period while merges are still adding to it; written back once it is complete.
  let mergedCauses: Set<string> | null = null;
  for (let i = 0; i < points.length - 1; i++) {
    const from = points[i]!;
    const to = addDays(points[i + 1]!, -1);
    let winner = -1;
    for (let k = 0; k < segments.length; k++) {
      if (segments[k]!.from <= from && to <= segments[k]!.to && (winner < 0 || better(k, winner))) winner = k;
    }
    if (winner < 0) continue;
    const seg = segments[winner]!;
    const key = seg.groupKey + seg.status + seg.regionCode;
    const prev = periods[periods.length - 1];
    const afterPrev = prev ? addDays(prev.to, 1) : null;
    if (prev && keys[keys.length - 1] === key && afterPrev === from) {
      prev.to = to;
      mergedCauses ??= new Set(prev.causedBy);
      for (const c of seg.causedBy) mergedCauses.add(c);
      continue;
    }
    if (prev && mergedCauses) prev.causedBy = [...mergedCauses];
    mergedCauses = null;
    if (afterPrev !== null && afterPrev < from) {
      periods.push(gap(afterPrev, addDays(from, -1), lapses));
      keys.push(null);
    }
    periods.push({
      from,
      to,
      status: seg.status,
      scheme: seg.scheme,
      regionCode: seg.regionCode,
      reason: seg.reason,
      causedBy: [...seg.causedBy],
      exemption: seg.exemption,
    });
    keys.push(key);
  }
  const last = periods[periods.length - 1];
  if (last && mergedCauses) last.causedBy = [...mergedCauses];
  return periods;
}

function gap(from: IsoDate, to: IsoDate, lapses: readonly LapseRecordedData[]): DetailedPeriod {
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
