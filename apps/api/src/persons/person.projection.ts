import {
  contributionPeriodKey,
  evolvePersonMany,
  initialPersonState,
  PERSON_EVENT_TYPES,
  type ContributionRecordedData,
  type PersonEvent,
  type PersonState,
} from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Projection } from '@ledger/read-models';
import type { EntityManager } from 'typeorm';
import { copyRowsOrInsert } from '../projections/copy-rows';
import { PersonContribution } from './person-contribution.entity';
import type { PersonStateHandoff } from './person-state-handoff';
import { scopeCovers, scopeParameters, statesInScope, stateOfRow, storedState, type ContributionScope, type StateRow } from './person-state-rows';
import { PersonView } from './person-view.entity';

const PERSON_STREAM = 'person-';
const PERSON_TYPES = new Set<string>(PERSON_EVENT_TYPES);
/** Persons read, folded and written per statement within a batch. */
const PERSONS_PER_STATEMENT = 1_000;
const CONTRIBUTION_COLUMNS = ['personId', 'period', 'contributionId', 'data'];

/**
 * A read model derived from persons' folded states, written in the persons projection's batch and
 * transaction: it shares the one fold instead of keeping (and reading and writing) its own copy of
 * every person's state. Rebuilt, reset and compared with person_view.
 */
export interface PersonStateView {
  readonly tables: string[];
  readonly entities: Projection['entities'];
  /** The event types that can change it: a person whose batch holds none of them is not rewritten. */
  readonly eventTypes: ReadonlySet<string>;
  /** `scope`: the contributions each state holds, which are those the batch's events concern (contributionsNeeded). */
  write(changed: ReadonlyArray<{ personId: string; state: PersonState; scope: ContributionScope }>, manager: EntityManager): Promise<void>;
}

/**
 * Folds each person's events into person_view, a batch at a time: one read of the batch's persons
 * and one upsert. Plain SQL with the rows as one JSON parameter, because TypeORM's entity hydration
 * and per-parameter upsert bookkeeping cost more CPU than the folding itself. The coverage timeline
 * is not stored: it is a pure function of the state, computed when asked (as coverage is).
 */
export class PersonProjection implements Projection {
  readonly name = 'persons';
  readonly eventTypes: ReadonlySet<string> = PERSON_TYPES;
  readonly tables: string[];
  readonly entities: Projection['entities'];

  constructor(
    private readonly views: readonly PersonStateView[] = [],
    /** States the intake has just loaded (the service's own); without it every state is read from person_view. */
    private readonly handoff?: PersonStateHandoff,
  ) {
    this.tables = ['person_view', 'person_contribution', ...views.flatMap((v) => v.tables)];
    this.entities = [PersonView, PersonContribution, ...views.flatMap((v) => v.entities as never[])];
  }

  async apply(events: StoredEvent[], manager: EntityManager): Promise<void> {
    const byPerson = new Map<string, StoredEvent[]>();
    for (const e of events) {
      if (!e.streamName.startsWith(PERSON_STREAM) || !PERSON_TYPES.has(e.type)) continue;
      const personId = e.streamName.slice(PERSON_STREAM.length);
      const list = byPerson.get(personId);
      if (list) list.push(e);
      else byPerson.set(personId, [e]);
    }
    // A batch of 10,000 intake events touches up to 10,000 persons of ≈ 10 KB of state each: folded and
    // written a slice at a time, the memory held does not grow with the batch.
    const personIds = [...byPerson.keys()];
    for (let i = 0; i < personIds.length; i += PERSONS_PER_STATEMENT) {
      await this.applyPersons(personIds.slice(i, i + PERSONS_PER_STATEMENT), byPerson, manager);
    }
  }

  private async applyPersons(personIds: string[], byPerson: ReadonlyMap<string, StoredEvent[]>, manager: EntityManager): Promise<void> {
    // A person's first event here follows the state person_view holds, so a state handed over at the
    // revision just before it is that same state, without the read and the parse, if it holds the
    // contributions this batch's events need.
    const needs = new Map(personIds.map((personId) => [personId, contributionsNeeded(byPerson.get(personId)!)]));
    const states = new Map<string, PersonState>();
    const unread: string[] = [];
    for (const personId of personIds) {
      const handed = this.handoff?.take(personId, byPerson.get(personId)![0]!.revision - 1);
      if (handed && scopeCovers(handed.scope, needs.get(personId)!)) states.set(personId, handed.state);
      else unread.push(personId);
    }
    if (unread.length) {
      const existing: Array<StateRow & { personId: string }> = await manager.query(statesInScope('v."personId"'), scopeParameters(unread, needs));
      for (const row of existing) states.set(row.personId, stateOfRow(row));
    }
    const changed: Array<
      Omit<PersonView, 'revision' | 'position' | 'state'> & { state: PersonState; scope: ContributionScope; revision: number; position: number }
    > = [];
    const recorded: Array<{ personId: string; contributionId: string; period: string; data: PersonState['contributions'][string] }> = [];
    for (const personId of personIds) {
      const personEvents = byPerson.get(personId)!;
      const state = evolvePersonMany(
        states.get(personId) ?? initialPersonState,
        personEvents.map((e) => ({ event: { type: e.type, data: e.data } as PersonEvent, meta: { recordedAt: e.metadata.recordedAt, position: e.position } })),
      );
      if (state.personId === null || state.idNumber === null) continue; // events before registration wait for it
      for (const e of personEvents) {
        if (e.type !== 'ContributionRecorded') continue;
        const contributionId = (e.data as { contributionId: string }).contributionId;
        const data = state.contributions[contributionId]!;
        recorded.push({ personId, contributionId, period: contributionPeriodKey(data), data });
      }
      const last = personEvents[personEvents.length - 1]!;
      changed.push({
        personId,
        scope: needs.get(personId)!,
        idNumber: state.idNumber,
        name: state.name ?? '',
        birthDate: state.birthDate ?? '',
        state,
        revision: last.revision,
        position: last.position,
      });
    }
    if (changed.length === 0) return;
    for (const view of this.views) {
      const touched = changed.filter((c) => byPerson.get(c.personId)!.some((e) => view.eventTypes.has(e.type)));
      if (touched.length) await view.write(touched, manager);
    }
    // The first delivery of a contribution stays, as in the fold: a contribution row is never rewritten. A batch of a
    // rebuild writes thousands of them, hence COPY.
    const insertRecorded = () =>
      manager.query(
        `INSERT INTO person_contribution ("personId", period, "contributionId", data)
         SELECT "personId", period, "contributionId", data FROM json_to_recordset($1::json) AS x("personId" uuid, period text, "contributionId" text, data json)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(recorded)],
      );
    await copyRowsOrInsert(
      manager,
      'person_contribution',
      CONTRIBUTION_COLUMNS,
      recorded.map((r) => [r.personId, r.period, r.contributionId, JSON.stringify(r.data)]),
      insertRecorded,
    );
    await manager.query(
      `INSERT INTO person_view ("personId", "idNumber", name, "birthDate", state, revision, position)
       SELECT "personId", "idNumber", name, "birthDate", state, revision, position
         FROM json_to_recordset($1::json) AS x("personId" uuid, "idNumber" text, name text, "birthDate" date, state json, revision bigint, position bigint)
       ON CONFLICT ("personId") DO UPDATE SET "idNumber" = excluded."idNumber", name = excluded.name, "birthDate" = excluded."birthDate",
             state = excluded.state, revision = excluded.revision, position = excluded.position`,
      [JSON.stringify(changed.map(({ scope: _scope, ...c }) => ({ ...c, state: storedState(c.state) })))],
    );
  }
}

/**
 * The contributions a person's events in a batch concern: the periods they record payments for. A reversal
 * names a contribution, not its period, and a change of categories or a registration can move what every
 * period owes: those need the person's whole history (they are rare; payments are not).
 */
function contributionsNeeded(events: readonly StoredEvent[]): ContributionScope {
  const periods = new Set<string>();
  for (const e of events) {
    if (e.type === 'ContributionRecorded') periods.add(contributionPeriodKey(e.data as ContributionRecordedData));
    else if (e.type === 'ContributionReversed' || e.type === 'PersonCategoriesChanged' || e.type === 'PersonRegistered') return 'all';
  }
  return periods;
}
