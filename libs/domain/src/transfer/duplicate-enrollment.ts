import { toDayNumber } from '../calendar/iso-date';

/** `to: null` is an enrollment still open. */
export interface EnrollmentPeriodLike {
  from: string;
  to: string | null;
  regionCode: string;
  scheme: string;
}

export interface EnrollmentOverlap<A extends EnrollmentPeriodLike, B extends EnrollmentPeriodLike> {
  a: A;
  b: B;
  /** The overlapping days, inclusive; `to: null` when both are still open. */
  from: string;
  to: string | null;
}

const OPEN_END = Number.POSITIVE_INFINITY;
const endOf = (p: EnrollmentPeriodLike): number => (p.to === null ? OPEN_END : toDayNumber(p.to));

/**
 * Periods of A that overlap periods of B (e.g. the old region's certificate against the new
 * region's records), ordered by overlap start, for a person to resolve: overlapping periods
 * are insured twice and count once towards contribution years.
 */
export function detectDuplicateEnrollment<A extends EnrollmentPeriodLike, B extends EnrollmentPeriodLike>(
  periodsA: readonly A[],
  periodsB: readonly B[],
): EnrollmentOverlap<A, B>[] {
  const overlaps: EnrollmentOverlap<A, B>[] = [];
  for (const a of periodsA) {
    for (const b of periodsB) {
      const start = Math.max(toDayNumber(a.from), toDayNumber(b.from));
      const end = Math.min(endOf(a), endOf(b));
      if (start > end) continue;
      overlaps.push({
        a,
        b,
        from: toDayNumber(a.from) >= toDayNumber(b.from) ? a.from : b.from,
        to: end === OPEN_END ? null : endOf(a) <= endOf(b) ? a.to : b.to,
      });
    }
  }
  return overlaps.sort((x, y) => toDayNumber(x.from) - toDayNumber(y.from));
}
