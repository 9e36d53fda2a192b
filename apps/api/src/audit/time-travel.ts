import { coverageAsOf, replayPerson, type CoverageAnswer } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import { toPersonHistory } from '../persons/person-command';

export type KnownAt = { kind: 'time'; at: string } | { kind: 'position'; position: number };

export interface TimeTravelAnswer {
  personId: string;
  asOf: string;
  knownAt: KnownAt;
  then: CoverageAnswer;
  now: CoverageAnswer;
  changed: boolean;
  /** Events recorded after knownAt that changed the answer for asOf, in the order the ledger learned them. */
  changedBy: Array<{ position: number; eventId: string; type: string; recordedAt: string; actor: string; answerAfter: CoverageAnswer['status'] }>;
  /** Later events that did not change it. */
  laterEventsWithoutEffect: number;
}

export function knownBy(event: StoredEvent, knownAt: KnownAt): boolean {
  return knownAt.kind === 'position' ? event.position <= knownAt.position : Date.parse(event.metadata.recordedAt) <= Date.parse(knownAt.at);
}

/**
 * The person's coverage on `asOf` as the ledger knew it at `knownAt`, beside today's answer, with
 * each later event that changed it — found by replaying the later events one at a time.
 */
export function coverageAsKnownAt(personId: string, events: StoredEvent[], asOf: string, knownAt: KnownAt): TimeTravelAnswer {
  const known = events.filter((e) => knownBy(e, knownAt));
  const later = events.filter((e) => !knownBy(e, knownAt)).sort((a, b) => a.position - b.position);
  const answerFor = (list: StoredEvent[]) => coverageAsOf(replayPerson(toPersonHistory(list)), asOf);
  const answer = (list: StoredEvent[]) => (list.length ? answerFor(list) : emptyAnswer(personId, asOf));
  const then = answer(known);
  const changedBy: TimeTravelAnswer['changedBy'] = [];
  let current = then;
  const applied = [...known];
  for (const e of later) {
    applied.push(e);
    const next = answer(applied);
    if (JSON.stringify(next) !== JSON.stringify(current)) {
      changedBy.push({
        position: e.position,
        eventId: e.eventId,
        type: e.type,
        recordedAt: e.metadata.recordedAt,
        actor: e.metadata.actor,
        answerAfter: next.status,
      });
    }
    current = next;
  }
  return {
    personId,
    asOf,
    knownAt,
    then,
    now: current,
    changed: JSON.stringify(then) !== JSON.stringify(current),
    changedBy,
    laterEventsWithoutEffect: later.length - changedBy.length,
  };
}

/** Before the person was registered the ledger knew nothing: not covered, no continuity. */
function emptyAnswer(personId: string, asOf: string): CoverageAnswer {
  return {
    personId,
    asOf,
    status: 'not_covered',
    scheme: null,
    regionCode: null,
    coveredFrom: null,
    coveredTo: null,
    waitingPeriod: null,
    waitingExemption: null,
    continuity: { status: 'none', continuousYears: 0, since: null },
    arrearsFen: 0,
  };
}
