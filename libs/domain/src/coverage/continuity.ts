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
  return continuityFromIndex(indexInsuredMonths(insured, graceMonths), asOf, birthDate);
}

/**
 * Insured months sorted once, with the index of the month each one's run began in: the calculator
 * asks for continuity once per paid year and once more for the answer, and re-sorting and re-walking
 * the months every time was a large share of a coverage answer.
 */
export interface InsuredMonthsIndex {
  months: readonly IsoMonth[];
  runStartOf: readonly number[];
  graceMonths: number;
}

export function indexInsuredMonths(insured: ReadonlySet<IsoMonth>, graceMonths = CONTINUITY_GRACE_MONTHS): InsuredMonthsIndex {
  const months = [...insured].sort();
  const runStartOf: number[] = [];
  for (let i = 0; i < months.length; i++) {
    runStartOf.push(i === 0 || monthsBetween(months[i - 1]!, months[i]!) - 1 > graceMonths ? i : runStartOf[i - 1]!);
  }
  return { months, runStartOf, graceMonths };
}

export function continuityFromIndex(index: InsuredMonthsIndex, asOf: IsoDate, birthDate: IsoDate | null = null): Continuity {
  const { months, runStartOf, graceMonths } = index;
  const asOfMonth = monthOf(asOf);
  // How many insured months are on or before asOf's month (they are a prefix of the sorted list).
  let lo = 0;
  let hi = months.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (months[mid]! <= asOfMonth) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return { status: 'none', continuousYears: 0, since: null };
  const runStart = months[runStartOf[lo - 1]!]!;
  const trailingGap = monthsBetween(months[lo - 1]!, asOfMonth);
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
