import { addMonthsToMonth, endOfYear, IsoMonth, monthOf, monthsBetween } from '../dates';
import type { PersonState } from '../person/state';
import type { EffectivePolicy } from '../policy/types';
import type { EmployeeMonthFacts, ResidentYearPayment } from './payments';

/**
 * Months the person counts as insured for continuity and lapse counting. Depends only on
 * payments, never on waiting periods, so the waiting rules can use it without a cycle.
 * A resident year paid by its 31 December counts whole (paying late in the year is not a lapse).
 */
export function residentInsuredMonths(state: PersonState, payments: readonly ResidentYearPayment[]): Set<IsoMonth> {
  const months = new Set<IsoMonth>();
  for (const p of payments) {
    if (!p.completion || p.completion.date > endOfYear(p.coverageYear)) continue;
    let first: IsoMonth = `${p.coverageYear}-01`;
    let last: IsoMonth = `${p.coverageYear}-12`;
    if (state.birthDate && monthOf(state.birthDate) > first) first = monthOf(state.birthDate);
    const ended = state.endings[p.enrollmentId]?.endedOn;
    if (ended && monthOf(ended) < last) last = monthOf(ended);
    for (let m = first; m <= last; m = addMonthsToMonth(m, 1)) months.add(m);
  }
  return months;
}

export interface EmployeeMonthCoverage {
  month: IsoMonth;
  regionCode: string;
  status: 'covered' | 'waiting' | 'none';
  exemption: 'deferral' | 'employee_gap_within_3_months' | 'transfer' | null;
  reason: string;
  causedBy: string[];
}

/**
 * Employee months: paid and deferred months are covered; a gap of at most `graceMonths`
 * is covered once made up; after a longer gap the first `waitingMonthsAfterLongGap` paid
 * months are a waiting period (2021 transfer measures, DOMAIN.md), except after a transfer.
 * Months covered by a paid resident year bridge a gap rather than lengthen it, and only a run
 * that follows a paid employee month counts as an interruption.
 */
export function classifyEmployeeMonths(
  facts: readonly EmployeeMonthFacts[],
  residentMonths: ReadonlySet<IsoMonth>,
  policyFor: (regionCode: string, month: IsoMonth) => EffectivePolicy,
): EmployeeMonthCoverage[] {
  if (facts.length === 0) return [];
  const byMonth = new Map(facts.map((f) => [f.month, f]));
  const first = facts[0]!.month;
  const last = facts[facts.length - 1]!.month;
  const isOn = (m: IsoMonth) => byMonth.get(m)?.onTime === true || residentMonths.has(m);
  const result = new Map<IsoMonth, EmployeeMonthCoverage>();
  const waitingUntil = new Map<IsoMonth, { until: IsoMonth; reason: string }>();

  let m: IsoMonth = first;
  while (m <= last) {
    if (isOn(m)) {
      m = addMonthsToMonth(m, 1);
      continue;
    }
    const runStart = m;
    while (m <= last && !isOn(m)) m = addMonthsToMonth(m, 1);
    const runEnd = addMonthsToMonth(m, -1);
    const length = monthsBetween(runStart, runEnd) + 1;
    const anchor = byMonth.get(m) ?? byMonth.get(runEnd) ?? facts[0]!;
    const rule = policyFor(anchor.regionCode, anchor.month).employeeGapRule;
    for (let g = runStart; g <= runEnd; g = addMonthsToMonth(g, 1)) {
      const f = byMonth.get(g);
      if (!f?.madeUp) continue;
      result.set(
        g,
        length <= rule.graceMonths
          ? {
              month: g,
              regionCode: f.regionCode,
              status: 'covered',
              exemption: 'employee_gap_within_3_months',
              reason: `gap of ${length} month(s) made up: retroactive cover`,
              causedBy: f.causedBy,
            }
          : {
              month: g,
              regionCode: f.regionCode,
              status: 'none',
              exemption: null,
              reason: `made up after a gap of ${length} months (> ${rule.graceMonths}): no retroactive cover`,
              causedBy: f.causedBy,
            },
      );
    }
    const resumed = byMonth.get(m);
    // Only an interrupted employee record waits: a first job, or one after resident cover, does not.
    const interrupted = byMonth.get(addMonthsToMonth(runStart, -1))?.onTime === true;
    if (length > rule.graceMonths && interrupted && resumed?.onTime && !resumed.viaTransfer) {
      waitingUntil.set(m, {
        until: addMonthsToMonth(m, rule.waitingMonthsAfterLongGap - 1),
        reason: `waiting ${rule.waitingMonthsAfterLongGap} months after an employee contribution gap of ${length} months`,
      });
    }
  }

  let waiting: { until: IsoMonth; reason: string } | null = null;
  for (const f of facts) {
    if (!f.onTime) continue;
    if (waitingUntil.has(f.month)) waiting = waitingUntil.get(f.month)!;
    if (waiting && f.month > waiting.until) waiting = null;
    if (waiting) {
      result.set(f.month, { month: f.month, regionCode: f.regionCode, status: 'waiting', exemption: null, reason: waiting.reason, causedBy: f.causedBy });
    } else {
      const exemption = f.deferred ? 'deferral' : f.viaTransfer ? 'transfer' : null;
      const reason = f.deferred ? 'unit contribution deferred (缓缴): counted as paid' : 'employee contribution paid';
      result.set(f.month, { month: f.month, regionCode: f.regionCode, status: 'covered', exemption, reason, causedBy: f.causedBy });
    }
  }
  return [...result.values()].sort((a, b) => (a.month < b.month ? -1 : 1));
}

export function employeeInsuredMonths(months: readonly EmployeeMonthCoverage[]): Set<IsoMonth> {
  return new Set(months.filter((m) => m.status !== 'none').map((m) => m.month));
}
