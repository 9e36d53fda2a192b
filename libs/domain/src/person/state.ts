import type { IsoDate, Rfc3339 } from '../dates';
import type { PersonCategory } from '../policy/types';
import type {
  ContributionRecordedData,
  ContributionReversedData,
  EnrolledInSchemeData,
  EnrollmentEndedData,
  EventMeta,
  LapseRecordedData,
  PersonCategoriesChangedData,
  PersonEvent,
  UnitContributionDeferredData,
} from './events';

/**
 * Facts keyed by their ids, each kept apart from what later modifies it (an enrollment and
 * its end, a contribution and its reversal), so that arrival order cannot change the state's
 * meaning: the calculator reads business dates, not the sequence events came in.
 */
export interface PersonState {
  personId: string | null;
  idNumber: string | null;
  name: string | null;
  birthDate: IsoDate | null;
  categories: PersonCategory[];
  categoryChanges: PersonCategoriesChangedData[];
  enrollments: Record<string, EnrolledInSchemeData>;
  endings: Record<string, EnrollmentEndedData>;
  contributions: Record<string, ContributionRecordedData & { recordedAt?: Rfc3339 }>;
  reversals: Record<string, ContributionReversedData>;
  lapses: Record<string, LapseRecordedData>;
  deferrals: Record<string, UnitContributionDeferredData>;
  deferralMakeUps: Record<string, string[]>;
  /** Highest store position applied; null when no metadata was given. */
  lastPosition: number | null;
}

export const initialPersonState: PersonState = Object.freeze({
  personId: null,
  idNumber: null,
  name: null,
  birthDate: null,
  categories: [],
  categoryChanges: [],
  enrollments: {},
  endings: {},
  contributions: {},
  reversals: {},
  lapses: {},
  deferrals: {},
  deferralMakeUps: {},
  lastPosition: null,
}) as PersonState;

const sortedUnique = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

function categoryChangeKey(c: PersonCategoriesChangedData): string {
  return `${c.effectiveFrom}|${sortedUnique(c.categories).join(',')}`;
}

/** Pure and total: unknown or repeated events leave the state as it was (first delivery wins). */
export function evolvePerson(state: PersonState, event: PersonEvent, meta?: EventMeta): PersonState {
  const next = applyEvent(state, event, meta);
  if (meta && Number.isFinite(meta.position) && (next.lastPosition === null || meta.position > next.lastPosition)) {
    return { ...next, lastPosition: meta.position };
  }
  return next;
}

function applyEvent(s: PersonState, event: PersonEvent, meta?: EventMeta): PersonState {
  switch (event.type) {
    case 'PersonRegistered': {
      if (s.personId !== null) return s;
      const d = event.data;
      return {
        ...s,
        personId: d.personId,
        idNumber: d.idNumber,
        name: d.name,
        birthDate: d.birthDate,
        categories: sortedUnique(d.categories) as PersonCategory[],
      };
    }
    case 'PersonCategoriesChanged': {
      const change = { categories: sortedUnique(event.data.categories) as PersonCategory[], effectiveFrom: event.data.effectiveFrom };
      if (s.categoryChanges.some((c) => categoryChangeKey(c) === categoryChangeKey(change))) return s;
      const categoryChanges = [...s.categoryChanges, change].sort((a, b) => (categoryChangeKey(a) < categoryChangeKey(b) ? -1 : 1));
      return { ...s, categoryChanges };
    }
    case 'EnrolledInScheme':
      if (s.enrollments[event.data.enrollmentId]) return s;
      return { ...s, enrollments: { ...s.enrollments, [event.data.enrollmentId]: { ...event.data } } };
    case 'EnrollmentEnded':
      if (s.endings[event.data.enrollmentId]) return s;
      return { ...s, endings: { ...s.endings, [event.data.enrollmentId]: { ...event.data } } };
    case 'ContributionRecorded':
      if (s.contributions[event.data.contributionId]) return s;
      return {
        ...s,
        contributions: { ...s.contributions, [event.data.contributionId]: meta ? { ...event.data, recordedAt: meta.recordedAt } : { ...event.data } },
      };
    case 'ContributionReversed':
      if (s.reversals[event.data.contributionId]) return s;
      return { ...s, reversals: { ...s.reversals, [event.data.contributionId]: { ...event.data } } };
    case 'LapseRecorded':
      if (s.lapses[event.data.lapseId]) return s;
      return { ...s, lapses: { ...s.lapses, [event.data.lapseId]: { ...event.data } } };
    case 'UnitContributionDeferred':
      if (s.deferrals[event.data.deferralId]) return s;
      return { ...s, deferrals: { ...s.deferrals, [event.data.deferralId]: { ...event.data, months: sortedUnique(event.data.months) } } };
    case 'DeferredContributionMadeUp': {
      const before = s.deferralMakeUps[event.data.deferralId] ?? [];
      return { ...s, deferralMakeUps: { ...s.deferralMakeUps, [event.data.deferralId]: sortedUnique([...before, ...event.data.months]) } };
    }
    default:
      return s;
  }
}

export interface StoredPersonEvent {
  event: PersonEvent;
  meta?: EventMeta;
}

/**
 * Folds a stream. With `knownAt`, only events the ledger had recorded by then are applied,
 * which answers "what did we know at T" with the same calculator.
 */
export function replayPerson(events: readonly (PersonEvent | StoredPersonEvent)[], opts: { knownAt?: Rfc3339 } = {}): PersonState {
  const knownAtMs = opts.knownAt !== undefined ? Date.parse(opts.knownAt) : null;
  let state = initialPersonState;
  for (const item of events) {
    const stored: StoredPersonEvent = 'event' in item ? item : { event: item };
    if (knownAtMs !== null && stored.meta && Date.parse(stored.meta.recordedAt) > knownAtMs) continue;
    state = evolvePerson(state, stored.event, stored.meta);
  }
  return state;
}
