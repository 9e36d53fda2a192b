import {
  activeContributions,
  categoriesAt,
  contributionPeriod,
  contributionPeriodKey,
  isDomainError,
  periodKey,
  personalShareFen,
  resolvePolicy,
  type ActiveContribution,
  type PersonState,
} from '@ledger/domain';

export interface RefundItem {
  contributionId: string;
  agencyId: string | null;
  reference: string | null;
  amountFen: number;
  refundFen: number;
  paidAt: string;
  reason: 'overpaid' | 'period_already_paid';
}

export interface PeriodSettlement {
  scheme: 'resident' | 'employee';
  regionCode: string;
  /** '2025' (resident year) or '2025-03' (employee month). */
  period: string;
  /** What the person owes for the period; null when the policy does not price it (employee months follow the wage base). */
  dueFen: number | null;
  paidFen: number;
  arrearsFen: number;
  refunds: RefundItem[];
}

/**
 * What each period's money amounts to, from the person's active contributions taken in payment
 * order (paidAt, then id), never in arrival order: whichever posting arrives first, the same
 * contribution is the one found in excess. Resident years owe the person's own share
 * (personalShareFen for the categories held on the first payment date); employee months priced
 * by the policy owe that amount, unpriced ones are settled once both parts (or a 'both') are in.
 */
export function settlePeriods(state: PersonState, only?: ReadonlySet<string>): PeriodSettlement[] {
  const groups = new Map<string, ActiveContribution[]>();
  for (const c of activeContributions(state, only)) {
    if (!contributionPeriod(c)) continue;
    const key = contributionPeriodKey(c);
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, contributions]) => {
      const [scheme, period, regionCode] = key.split('|') as ['resident' | 'employee', string, string];
      return settle(state, scheme, period, regionCode, contributions);
    });
}

/** settlePeriods for one period only (null when nothing active was paid for it): what a single posting's answer needs. */
export function settlePeriod(state: PersonState, scheme: PeriodSettlement['scheme'], period: string, regionCode: string): PeriodSettlement | null {
  const contributions = activeContributions(state, new Set([settlementKey({ scheme, period, regionCode })]));
  return contributions.length ? settle(state, scheme, period, regionCode, contributions) : null;
}

/** The key settlePeriods groups a period under (contributionPeriodKey of its contributions). */
export const settlementKey = (p: Pick<PeriodSettlement, 'scheme' | 'period' | 'regionCode'>): string => periodKey(p.scheme, p.period, p.regionCode);

function settle(
  state: PersonState,
  scheme: PeriodSettlement['scheme'],
  period: string,
  regionCode: string,
  contributions: ActiveContribution[],
): PeriodSettlement {
  const due = dueFor(state, scheme, period, regionCode, contributions[0]!.paidOn);
  return due === undefined ? unpriced(scheme, period, regionCode, contributions) : priced(scheme, period, regionCode, contributions, due);
}

function dueFor(state: PersonState, scheme: string, period: string, regionCode: string, firstPaidOn: string): number | null | undefined {
  try {
    const policy = resolvePolicy(regionCode, Number(period.slice(0, 4)));
    if (scheme === 'resident') return personalShareFen(policy, categoriesAt(state, firstPaidOn));
    return policy.employee.monthlyDueFen ?? undefined;
  } catch (error) {
    if (isDomainError(error)) return null;
    throw error;
  }
}

function refundItem(c: ActiveContribution, refundFen: number, reason: RefundItem['reason']): RefundItem {
  return {
    contributionId: c.contributionId,
    agencyId: c.agencyId ?? null,
    reference: c.agencyReference ?? null,
    amountFen: c.amountFen,
    refundFen,
    paidAt: c.paidAt,
    reason,
  };
}

function priced(
  scheme: PeriodSettlement['scheme'],
  period: string,
  regionCode: string,
  contributions: ActiveContribution[],
  due: number | null,
): PeriodSettlement {
  let paid = 0;
  const refunds: RefundItem[] = [];
  for (const c of contributions) {
    const before = paid;
    paid += c.amountFen;
    if (due === null) continue;
    const excess = paid - Math.max(before, due);
    if (excess > 0) refunds.push(refundItem(c, excess, before > 0 && before >= due ? 'period_already_paid' : 'overpaid'));
  }
  return { scheme, period, regionCode, dueFen: due, paidFen: paid, arrearsFen: due === null ? 0 : Math.max(0, due - paid), refunds };
}

function unpriced(scheme: PeriodSettlement['scheme'], period: string, regionCode: string, contributions: ActiveContribution[]): PeriodSettlement {
  const parts = new Set<string>();
  let paid = 0;
  const refunds: RefundItem[] = [];
  for (const c of contributions) {
    const settled = parts.has('both') || (parts.has('individual') && parts.has('unit'));
    paid += c.amountFen;
    if (settled) refunds.push(refundItem(c, c.amountFen, 'period_already_paid'));
    else parts.add(c.part ?? 'both');
  }
  return { scheme, period, regionCode, dueFen: null, paidFen: paid, arrearsFen: 0, refunds };
}
