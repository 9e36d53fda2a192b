import { coverageTimeline, evolvePersonMany, initialPersonState, PERSON_EVENT_TYPES, type PersonEvent } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Projection } from '@ledger/read-models';
import { In, type EntityManager } from 'typeorm';
import { PersonView } from './person-view.entity';

const PERSON_STREAM = 'person-';
const PERSON_TYPES = new Set<string>(PERSON_EVENT_TYPES);

/** Folds each person's events into person_view, a batch at a time (one read and one upsert per batch). */
export class PersonProjection implements Projection {
  readonly name = 'persons';
  readonly tables = ['person_view'];
  readonly entities = [PersonView];

  async apply(events: StoredEvent[], manager: EntityManager): Promise<void> {
    const byPerson = new Map<string, StoredEvent[]>();
    for (const e of events) {
      if (!e.streamName.startsWith(PERSON_STREAM) || !PERSON_TYPES.has(e.type)) continue;
      const personId = e.streamName.slice(PERSON_STREAM.length);
      const list = byPerson.get(personId);
      if (list) list.push(e);
      else byPerson.set(personId, [e]);
    }
    if (byPerson.size === 0) return;
    const existing = await manager.findBy(PersonView, { personId: In([...byPerson.keys()]) });
    const rows = new Map(existing.map((row) => [row.personId, row]));
    const changed: PersonView[] = [];
    for (const [personId, personEvents] of byPerson) {
      const row = rows.get(personId);
      const state = evolvePersonMany(
        row?.state ?? initialPersonState,
        personEvents.map((e) => ({ event: { type: e.type, data: e.data } as PersonEvent, meta: { recordedAt: e.metadata.recordedAt, position: e.position } })),
      );
      if (state.personId === null || state.idNumber === null) continue; // events before registration wait for it
      const last = personEvents[personEvents.length - 1];
      changed.push(
        Object.assign(new PersonView(), {
          personId,
          idNumber: state.idNumber,
          name: state.name ?? '',
          birthDate: state.birthDate ?? '',
          state,
          timeline: coverageTimeline(state),
          revision: last.revision,
          position: last.position,
        }),
      );
    }
    if (changed.length) await manager.upsert(PersonView, changed, ['personId']);
  }
}
