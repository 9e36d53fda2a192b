import { Inject, Injectable } from '@nestjs/common';
import { coverageTimeline, maskResidentId, personStreamId, type PersonState } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import type { Pool } from 'pg';
import { DataSource, ILike } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Actor } from '../auth/token.service';
import { isDomainError } from '../common/domain-error-status';
import { Problem } from '../common/problem';
import { STATE_COLUMNS, stateOfRow, type StateRow, type StoredPersonState } from './person-state-rows';
import { PersonView } from './person-view.entity';

/** Clerks serve the person at the counter and see the whole number; everyone else sees it masked. */
export function idNumberFor(actor: Actor, idNumber: string): string {
  return actor.role === 'clerk' ? idNumber : maskResidentId(idNumber);
}

@Injectable()
export class PersonQueries {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async view(personId: string): Promise<PersonView> {
    const view = await this.dataSource.getRepository(PersonView).findOneBy({ personId });
    if (!view) throw new Problem(404, 'person_not_found', `No person ${personId}.`);
    return view;
  }

  /** Only the folded state: the hot path of coverage questions needs neither the timeline nor the entity. */
  async state(personId: string): Promise<PersonState> {
    const state = await this.stateOrNull(personId);
    if (!state) throw new Problem(404, 'person_not_found', `No person ${personId}.`);
    return state;
  }

  /**
   * Straight from TypeORM's pg pool as a named statement, which PostgreSQL parses and plans once per
   * connection: this runs for every coverage read. `personId` must already be a UUID.
   */
  async stateOrNull(personId: string): Promise<PersonState | null> {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const result = await pool.query<StateRow>({
      name: 'person-state',
      text: `SELECT ${STATE_COLUMNS} FROM person_view v WHERE v."personId" = $1`,
      values: [personId],
    });
    return result.rows[0] ? stateOfRow(result.rows[0]) : null;
  }

  /**
   * What is computed from a stored state (coverage, the timeline). The request was checked before; a domain error here
   * comes from the read model (a row altered or written by a faulty build), so it is the server's fault: a 500 with
   * its own code, logged, and not the 422 that the same domain code means for a caller's input.
   */
  fromStoredState<T>(personId: string, compute: () => T): T {
    try {
      return compute();
    } catch (error) {
      if (!isDomainError(error)) throw error;
      throw new Problem(
        500,
        'stored_state_invalid',
        `The stored state of person ${personId} cannot be evaluated (${error.code}); rebuild the persons read model (npm run ledger -- rebuild persons --swap).`,
        { personId, cause: error.code },
      );
    }
  }

  summary(view: PersonView, actor: Actor) {
    const state: StoredPersonState = view.state;
    return {
      personId: view.personId,
      idNumber: idNumberFor(actor, view.idNumber),
      name: view.name,
      birthDate: view.birthDate,
      categories: state.categories,
      enrollments: Object.values(state.enrollments).map((e) => ({ ...e, endedOn: state.endings[e.enrollmentId]?.endedOn ?? null })),
      revision: view.revision,
    };
  }

  async find(query: { idNumber?: string; name?: string }, actor: Actor) {
    const repo = this.dataSource.getRepository(PersonView);
    const views = query.idNumber
      ? await repo.findBy({ idNumber: query.idNumber.toUpperCase() })
      : await repo.find({ where: { name: ILike(`${escapeLike(query.name ?? '')}%`) }, order: { name: 'ASC' }, take: 50 });
    return views.map((v) => this.summary(v, actor));
  }

  async timeline(personId: string, actor: Actor) {
    const state = await this.state(personId);
    const events = await this.store.readStream(personStreamId(personId));
    return {
      personId,
      periods: this.fromStoredState(personId, () => coverageTimeline(state)),
      events: events.map((e) => ({
        eventId: e.eventId,
        type: e.type,
        revision: e.revision,
        position: e.position,
        recordedAt: e.metadata.recordedAt,
        actor: e.metadata.actor,
        data: maskIdIn(e.data, actor),
      })),
    };
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The fields of person events that hold an ID number: the registration's, and an agency payment's payer. */
const ID_FIELDS = ['idNumber', 'payerIdNumber'] as const;

function maskIdIn(data: unknown, actor: Actor): unknown {
  if (!data || typeof data !== 'object') return data;
  let masked: Record<string, unknown> | null = null;
  for (const field of ID_FIELDS) {
    const value = (data as Record<string, unknown>)[field];
    if (typeof value === 'string') (masked ??= { ...data })[field] = idNumberFor(actor, value);
  }
  return masked ?? data;
}
