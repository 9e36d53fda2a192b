import type { IsoDate, IsoMonth } from '../dates';
import type { ActiveContribution } from '../person/queries';
import { activeContributions, enrollmentCoversMonth, enrollmentViews } from '../person/queries';
import type { PersonState } from '../person/state';
import { resolvePolicy } from '../policy/resolve';
import type { EffectivePolicy, PolicyCatalog } from '../policy/types';
import { POLICY_CATALOG } from '../policy/catalog';

/** A resident coverage year's money in one region: when (if ever) it reached the amount that gives cover. */
export interface ResidentYearPayment {
  coverageYear: number;
  regionCode: string;
  enrollmentId: string;
  policy: EffectivePolicy;
  contributions: ActiveContribution[];
  paidFen: number;
  /** Date the running total first reached the coverage threshold, and the contributions that got it there. */
  completion: { date: IsoDate; contributionIds: string[] } | null;
}

export function residentYearPayments(state: PersonState, catalog: PolicyCatalog = POLICY_CATALOG): ResidentYearPayment[] {
  const groups = new Map<string, ActiveContribution[]>();
  for (const c of activeContributions(state)) {
    if (c.scheme !== 'resident' || c.coverageYear === undefined) continue;
    const key = `${c.coverageYear}|${c.regionCode}`;
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, contributions]) => {
      const first = contributions[0]!;
      const policy = resolvePolicy(first.regionCode, first.coverageYear!, catalog);
      let running = 0;
      let completion: ResidentYearPayment['completion'] = null;
      const ids: string[] = [];
      for (const c of contributions) {
        running += c.amountFen;
        ids.push(c.contributionId);
        if (!completion && running >= policy.resident.coverageThresholdFen) completion = { date: c.paidOn, contributionIds: [...ids] };
      }
      return {
        coverageYear: first.coverageYear!,
        regionCode: first.regionCode,
        enrollmentId: first.enrollmentId,
        policy,
        contributions,
        paidFen: running,
        completion,
      };
    });
}

/** Whether a set of contributions pays an employee month: the due amount if the policy knows it, else both parts. */
export function employeeMonthIsPaid(contributions: readonly ActiveContribution[], monthlyDueFen: number | null): boolean {
  if (contributions.length === 0) return false;
  if (monthlyDueFen !== null) return contributions.reduce((s, c) => s + c.amountFen, 0) >= monthlyDueFen;
  const parts = new Set(contributions.map((c) => c.part ?? 'both'));
  return parts.has('both') || (parts.has('individual') && parts.has('unit'));
}

export interface EmployeeMonthFacts {
  month: IsoMonth;
  regionCode: string;
  onTime: boolean;
  madeUp: boolean;
  deferred: boolean;
  viaTransfer: boolean;
  causedBy: string[];
}

/** Every employee month that has money or a deferral, classified by how it was paid. */
export function employeeMonthFacts(state: PersonState, catalog: PolicyCatalog = POLICY_CATALOG): EmployeeMonthFacts[] {
  const enrollments = enrollmentViews(state).filter((e) => e.scheme === 'employee');
  const byMonth = new Map<IsoMonth, ActiveContribution[]>();
  for (const c of activeContributions(state)) {
    if (c.scheme !== 'employee' || !c.coverageMonth) continue;
    const group = byMonth.get(c.coverageMonth);
    if (group) group.push(c);
    else byMonth.set(c.coverageMonth, [c]);
  }
  const deferredBy = new Map<IsoMonth, string[]>();
  for (const d of Object.values(state.deferrals)) {
    for (const m of d.months) {
      // A deferral only counts for months the person was enrolled with that employer's scheme.
      if (enrollments.some((e) => enrollmentCoversMonth(e, m) && (!e.employerId || e.employerId === d.employerId))) {
        deferredBy.set(m, [...(deferredBy.get(m) ?? []), d.deferralId].sort());
      }
    }
  }
  const months = [...new Set([...byMonth.keys(), ...deferredBy.keys()])].sort();
  return months.map((month) => {
    const cs = byMonth.get(month) ?? [];
    const regionCode = cs[0]?.regionCode ?? enrollments.find((e) => enrollmentCoversMonth(e, month))?.regionCode ?? '';
    const due = cs.length > 0 ? monthlyDue(cs[0]!.regionCode, month, catalog) : null;
    const regular = cs.filter((c) => c.kind === 'regular');
    const deferred = deferredBy.has(month);
    const onTime = deferred || employeeMonthIsPaid(regular, due);
    const madeUp = !onTime && employeeMonthIsPaid(cs, due);
    const enrollmentIds = new Set(cs.map((c) => c.enrollmentId));
    const viaTransfer = enrollments.some((e) => (enrollmentIds.has(e.enrollmentId) || enrollmentCoversMonth(e, month)) && e.via === 'transfer');
    return {
      month,
      regionCode,
      onTime,
      madeUp,
      deferred,
      viaTransfer,
      causedBy: [...cs.map((c) => c.contributionId), ...(deferredBy.get(month) ?? [])],
    };
  });
}

export function monthlyDue(regionCode: string, month: IsoMonth, catalog: PolicyCatalog): number | null {
  return resolvePolicy(regionCode, Number(month.slice(0, 4)), catalog).employee.monthlyDueFen;
}
