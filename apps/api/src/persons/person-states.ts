import { Inject, Injectable } from '@nestjs/common';
import { evolvePersonMany, initialPersonState, personStreamId, type PersonState } from '@ledger/domain';
import { EVENT_STORE, type EventStore, type StoredEvent } from '@ledger/event-store';
import { DataSource } from 'typeorm';
import { toPersonHistory } from './person-command';
import { PersonStateHandoff } from './person-state-handoff';
import { scopeParameters, statesInScope, stateOfRow, type ContributionScope, type StateRow } from './person-state-rows';

export interface LoadedPerson {
  state: PersonState;
  /** The stream's last revision, -1 when it has no event: the expected revision for the next append. */
  revision: number;
}

/**
 * Persons' current states for deciding, many at once: person_view's state at its revision serves as a
 * snapshot and only the stream's events after it are read and folded, so a person's cost does not grow
 * with their history. The snapshot is the same fold of the same events (the projection folds with
 * evolvePersonMany too), and the stream is still read up to its end (unless the caller trusts the snapshots,
 * below), so a lagging view only means a longer tail; no row (not projected yet, or reset) means the whole stream. Each state loaded is
 * offered to the persons projection (PersonStateHandoff), which will fold the caller's appends on it.
 */
@Injectable()
export class PersonStates {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly handoff: PersonStateHandoff,
  ) {}

  /**
   * `scopes`: for a person listed, only those periods' contributions (plus any in the stream's tail); a person not
   * listed gets all of them. Deciding a payment needs its own period only, whatever the person's history.
   * `trustSnapshots`: take a person's snapshot as their state without reading the stream's tail after it, for a
   * caller whose write carries the revision as its expected revision: a lagging view then fails that write, which the
   * caller retries without trusting. Persons with no snapshot are read from their stream either way.
   */
  async load(
    personIds: readonly string[],
    scopes: ReadonlyMap<string, ContributionScope> = new Map(),
    options: { trustSnapshots?: boolean } = {},
  ): Promise<Map<string, LoadedPerson>> {
    const ids = [...new Set(personIds)];
    if (ids.length === 0) return new Map();
    const snapshots: Array<StateRow & { personId: string; revision: string }> = await this.dataSource.query(
      statesInScope('v."personId", v.revision'),
      scopeParameters(ids, scopes),
    );
    const fromRevisions = new Map(snapshots.map((s) => [personStreamId(s.personId), Number(s.revision) + 1]));
    const toRead = options.trustSnapshots ? ids.map(personStreamId).filter((stream) => !fromRevisions.has(stream)) : ids.map(personStreamId);
    const tails = toRead.length ? await this.store.readStreams(toRead, fromRevisions) : new Map<string, StoredEvent[]>();
    const bySnapshot = new Map(snapshots.map((s) => [s.personId, s]));
    const loaded = new Map<string, LoadedPerson>();
    for (const personId of ids) {
      const snapshot = bySnapshot.get(personId);
      const tail = tails.get(personStreamId(personId)) ?? [];
      const last = tail[tail.length - 1];
      const person = {
        state: evolvePersonMany(snapshot ? stateOfRow(snapshot) : initialPersonState, toPersonHistory(tail)),
        revision: last ? last.revision : snapshot ? Number(snapshot.revision) : -1,
      };
      loaded.set(personId, person);
      this.handoff.offer(personId, person.revision, person.state, scopes.get(personId) ?? 'all');
    }
    return loaded;
  }
}
