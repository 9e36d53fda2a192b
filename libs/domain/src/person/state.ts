import type { IsoDate, Rfc3339 } from '../dates';
import type { PersonCategory } from '../policy/types';
import { copyFields, copyRecord } from './plain-copy';
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
  return evolvePersonMany(state, [{ event, meta }]);
}

type FactMap = 'enrollments' | 'endings' | 'contributions' | 'reversals' | 'lapses' | 'deferrals' | 'deferralMakeUps';

/**
 * evolvePerson over many events at once. The input state is never changed: the result is a
 * shallow copy whose fact maps are copied once, on their first change, rather than once per
 * event (a person's 120 monthly contributions would otherwise copy the map 120 times).
 */
export function evolvePersonMany(state: PersonState, events: Iterable<StoredPersonEvent>): PersonState {
  let next: PersonState | null = null;
  // Fact maps of `next` that are already its own copies.
  const copied: Partial<Record<FactMap, true>> = {};
  const draft = (): PersonState => (next ??= { ...state });
  const facts = <K extends FactMap>(key: K): PersonState[K] => {
    const d = draft();
    if (copied[key] === undefined) {
      d[key] = copyRecord(d[key]);
      copied[key] = true;
    }
    return d[key];
  };
  for (const { event, meta } of events) {
    const s: PersonState = next ?? state;
    switch (event.type) {
      case 'PersonRegistered': {
        if (s.personId !== null) break;
        const d = event.data;
        Object.assign(draft(), {
          personId: d.personId,
          idNumber: d.idNumber,
          name: d.name,
          birthDate: d.birthDate,
          categories: sortedUnique(d.categories) as PersonCategory[],
        });
        break;
      }
      case 'PersonCategoriesChanged': {
        const change = { categories: sortedUnique(event.data.categories) as PersonCategory[], effectiveFrom: event.data.effectiveFrom };
        if (s.categoryChanges.some((c) => categoryChangeKey(c) === categoryChangeKey(change))) break;
        draft().categoryChanges = [...s.categoryChanges, change].sort((a, b) => (categoryChangeKey(a) < categoryChangeKey(b) ? -1 : 1));
        break;
      }
      case 'EnrolledInScheme':
        if (!s.enrollments[event.data.enrollmentId]) facts('enrollments')[event.data.enrollmentId] = copyFields(event.data);
        break;
      case 'EnrollmentEnded':
        if (!s.endings[event.data.enrollmentId]) facts('endings')[event.data.enrollmentId] = copyFields(event.data);
        break;
      case 'ContributionRecorded':
        if (!s.contributions[event.data.contributionId]) {
          const recorded: ContributionRecordedData & { recordedAt?: Rfc3339 } = copyFields(event.data);
          if (meta) recorded.recordedAt = meta.recordedAt;
          facts('contributions')[event.data.contributionId] = recorded;
        }
        break;
      case 'ContributionReversed':
        if (!s.reversals[event.data.contributionId]) facts('reversals')[event.data.contributionId] = copyFields(event.data);
        break;
      case 'LapseRecorded':
        if (!s.lapses[event.data.lapseId]) facts('lapses')[event.data.lapseId] = copyFields(event.data);
        break;
      case 'UnitContributionDeferred':
        if (!s.deferrals[event.data.deferralId]) facts('deferrals')[event.data.deferralId] = { ...event.data, months: sortedUnique(event.data.months) };
        break;
      case 'DeferredContributionMadeUp': {
        const before = s.deferralMakeUps[event.data.deferralId] ?? [];
        facts('deferralMakeUps')[event.data.deferralId] = sortedUnique([...before, ...event.data.months]);
        break;
      }
      default:
        break;
    }
    const current: PersonState = next ?? state;
    if (meta && Number.isFinite(meta.position) && (current.lastPosition === null || meta.position > current.lastPosition)) {
      draft().lastPosition = meta.position;
    }
  }
  return next ?? state;
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
  const known: StoredPersonEvent[] = [];
  for (const item of events) {
    const stored: StoredPersonEvent = 'event' in item ? item : { event: item };
    if (knownAtMs !== null && stored.meta && Date.parse(stored.meta.recordedAt) > knownAtMs) continue;
    known.push(stored);
  }
  return evolvePersonMany(initialPersonState, known);
}
