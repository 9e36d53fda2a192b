import { addMonthsToMonth, IsoDate, monthOf, startOfYear } from '../dates';
import { DomainError } from '../errors';
import { activeContributions, enrollmentViews } from '../person/queries';
import type { PersonState } from '../person/state';
import { POLICY_CATALOG } from '../policy/catalog';
import { lookupPolicy } from '../policy/resolve';
import type { PolicyCatalog } from '../policy/types';
import { residentYearPayments } from './payments';

/**
 * Money owed as of a date: a resident year that has begun and was paid in part (a year not
 * paid at all is a lapse, not a debt), plus employee months enrolled and not fully paid when
 * the policy knows the monthly amount. Deferred months are the employer's debt, not the person's.
 */
export function arrearsAsOf(state: PersonState, asOf: IsoDate, catalog: PolicyCatalog = POLICY_CATALOG): number {
  let total = 0;
  for (const p of residentYearPayments(state, catalog)) {
    if (startOfYear(p.coverageYear) > asOf) continue;
    const paid = p.contributions.filter((c) => c.paidOn <= asOf).reduce((s, c) => s + c.amountFen, 0);
    const due = p.policy.resident.individualContributionFen;
    if (paid > 0 && paid < due) total += due - paid;
  }
  const contributions = activeContributions(state).filter((c) => c.scheme === 'employee' && c.paidOn <= asOf);
  const deferred = new Set(Object.values(state.deferrals).flatMap((d) => d.months));
  const seen = new Set<string>();
  for (const e of enrollmentViews(state).filter((x) => x.scheme === 'employee')) {
    const last = monthOf(e.endedOn && e.endedOn < asOf ? e.endedOn : asOf);
    for (let m = monthOf(e.enrolledOn); m <= last; m = addMonthsToMonth(m, 1)) {
      if (seen.has(m) || deferred.has(m)) continue;
      seen.add(m);
      const due = monthlyDueOrNull(e.regionCode, Number(m.slice(0, 4)), catalog);
      if (due === null) continue;
      const paid = contributions.filter((c) => c.coverageMonth === m).reduce((s, c) => s + c.amountFen, 0);
      if (paid < due) total += due - paid;
    }
  }
  return total;
}

function monthlyDueOrNull(regionCode: string, year: number, catalog: PolicyCatalog): number | null {
  const policy = lookupPolicy(regionCode, year, catalog);
  if (!(policy instanceof DomainError)) return policy.employee.monthlyDueFen;
  // A month in a year without policy has no known amount; it cannot be priced, so it is not counted.
  if (policy.code === 'unknown_policy_year') return null;
  throw policy;
}
