import { chinaDateOf, instantMs, IsoDate, IsoMonth, lastDayOfMonth, firstDayOfMonth } from '../dates';
import type { PersonCategory } from '../policy/types';
import type { ContributionRecordedData, EnrolledInSchemeData, EnrollmentEndReason, Scheme } from './events';
import { copyFields } from './plain-copy';
import type { PersonState } from './state';

export interface EnrollmentView extends EnrolledInSchemeData {
  endedOn: IsoDate | null;
  endReason: EnrollmentEndReason | null;
}

export interface ActiveContribution extends ContributionRecordedData {
  paidOn: IsoDate;
}

// States are immutable (evolvePerson returns new ones), so derived lists can be cached per state object:
// the calculator asks for them several times per answer.
const enrollmentViewCache = new WeakMap<PersonState, EnrollmentView[]>();
const activeContributionCache = new WeakMap<PersonState, ActiveContribution[]>();

function cached<T>(cache: WeakMap<PersonState, T>, state: PersonState, compute: () => T): T {
  let value = cache.get(state);
  if (value === undefined) cache.set(state, (value = compute()));
  return value;
}

export function enrollmentViews(state: PersonState): EnrollmentView[] {
  return cached(enrollmentViewCache, state, () => computeEnrollmentViews(state));
}

function computeEnrollmentViews(state: PersonState): EnrollmentView[] {
  return Object.values(state.enrollments)
    .map((e) => ({ ...e, endedOn: state.endings[e.enrollmentId]?.endedOn ?? null, endReason: state.endings[e.enrollmentId]?.reason ?? null }))
    .sort((a, b) => (a.enrolledOn === b.enrolledOn ? (a.enrollmentId < b.enrollmentId ? -1 : 1) : a.enrolledOn < b.enrolledOn ? -1 : 1));
}

export function enrollmentActiveOn(e: EnrollmentView, date: IsoDate): boolean {
  return e.enrolledOn <= date && (e.endedOn === null || date <= e.endedOn);
}

/** Whether an enrollment overlaps [from, to] (to null = open). */
export function enrollmentOverlaps(e: EnrollmentView, from: IsoDate, to: IsoDate | null): boolean {
  return (to === null || e.enrolledOn <= to) && (e.endedOn === null || from <= e.endedOn);
}

export function enrollmentCoversMonth(e: EnrollmentView, month: IsoMonth): boolean {
  return enrollmentOverlaps(e, firstDayOfMonth(month), lastDayOfMonth(month));
}

/** A period as one key (scheme, '2025' or '2025-03', region): what settlement groups by and the read model files contributions under. */
export function periodKey(scheme: Scheme, period: string | number | undefined, regionCode: string): string {
  return `${scheme}|${period}|${regionCode}`;
}

/** The period a contribution pays for: its year ('2025') for the resident scheme, its month ('2025-03') for employees. */
export function contributionPeriod(c: Pick<ContributionRecordedData, 'scheme' | 'coverageYear' | 'coverageMonth'>): string | undefined {
  return c.scheme === 'resident' ? String(c.coverageYear) : c.coverageMonth;
}

/** The period a contribution pays for, as one key (periodKey). */
export function contributionPeriodKey(c: Pick<ContributionRecordedData, 'scheme' | 'coverageYear' | 'coverageMonth' | 'regionCode'>): string {
  return periodKey(c.scheme, contributionPeriod(c), c.regionCode);
}

/**
 * Contributions not reversed, in payment order (ties by id so the order never depends on arrival). With
 * `periodKeys`, only those periods' (uncached): a single period's answer then costs what that period holds,
 * not what the person ever paid.
 */
export function activeContributions(state: PersonState, periodKeys?: ReadonlySet<string>): ActiveContribution[] {
  if (periodKeys) return computeActiveContributions(state, periodKeys);
  return cached(activeContributionCache, state, () => computeActiveContributions(state));
}

function computeActiveContributions(state: PersonState, periodKeys?: ReadonlySet<string>): ActiveContribution[] {
  const timed: { c: ActiveContribution; at: number }[] = [];
  for (const c of Object.values(state.contributions)) {
    if (state.reversals[c.contributionId]) continue;
    if (periodKeys && !periodKeys.has(contributionPeriodKey(c))) continue;
    const active = copyFields(c) as ActiveContribution;
    active.paidOn = chinaDateOf(c.paidAt);
    timed.push({ c: active, at: instantMs(c.paidAt) });
  }
  timed.sort((a, b) => a.at - b.at || (a.c.contributionId < b.c.contributionId ? -1 : a.c.contributionId > b.c.contributionId ? 1 : 0));
  return timed.map((x) => x.c);
}

export function categoriesAt(state: PersonState, date: IsoDate): PersonCategory[] {
  let current = state.categories;
  for (const change of state.categoryChanges) {
    if (change.effectiveFrom <= date) current = change.categories;
  }
  return current;
}

export function contributionsFor(state: PersonState, scheme: Scheme, period: string): ActiveContribution[] {
  return activeContributions(state).filter((c) =>
    scheme === 'resident' ? c.scheme === 'resident' && String(c.coverageYear) === period : c.scheme === 'employee' && c.coverageMonth === period,
  );
}
