import { addMonthsToMonth, firstDayOfMonth, IsoDate, IsoMonth, isLastDayOfMonth, maxDate, monthOf, monthsBetween } from '../dates';
import type { Continuity } from './types';

/**
 * Gaps up to this many months do not break continuity: the same 3 months within which a
 * person may move from the employee to the resident scheme without a wait (000 三(一), 002 二).
 */
export const CONTINUITY_GRACE_MONTHS = 3;

/** Continuity as of a date from the set of insured months; a longer gap (断保) resets the count. */
export function continuityAsOf(
  insured: ReadonlySet<IsoMonth>,
  asOf: IsoDate,
  birthDate: IsoDate | null = null,
  graceMonths = CONTINUITY_GRACE_MONTHS,
): Continuity {
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
}

/**
 * 国办发〔2024〕38号 (DOMAIN.md): after 4 full continuous years each further year raises the
 * critical-illness cap by at least 1,000 元; benefit systems apply the amount and the 20% cap.
 */
export const CONTINUITY_REWARD = { afterYears: 4, minStepFen: 100_000, maxTotalShareOfCap: 0.2 } as const;

export function continuityRewardSteps(continuousYears: number): number {
  return Math.max(0, Math.floor(continuousYears) - CONTINUITY_REWARD.afterYears);
}

export function monthsRange(from: IsoMonth, to: IsoMonth): IsoMonth[] {
  const out: IsoMonth[] = [];
  for (let m = from; m <= to; m = addMonthsToMonth(m, 1)) out.push(m);
  return out;
}
