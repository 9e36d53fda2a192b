import { evolvePersonMany, initialPersonState, type PersonEvent, type PersonState } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Projection } from '@ledger/read-models';
import type { EntityManager } from 'typeorm';
import { settlePeriods } from './settlement';
import { SettlementView } from './settlement-view.entity';

const PERSON_STREAM = 'person-';
const MONEY_TYPES = new Set(['PersonRegistered', 'PersonCategoriesChanged', 'ContributionRecorded', 'ContributionReversed']);

/** Keeps only what settlement needs, so the row does not grow with enrollments, lapses and deferrals. */
function moneyFacts(s: PersonState): PersonState {
  return {
    ...initialPersonState,
    personId: s.personId,
    idNumber: s.idNumber,
    name: s.name,
    birthDate: s.birthDate,
    categories: s.categories,
    categoryChanges: s.categoryChanges,
    contributions: s.contributions,
    reversals: s.reversals,
    lastPosition: s.lastPosition,
  };
}

/** Refunds due and arrears per person, recomputed from the money facts on every change (the clerk's refunds-due list reads it). */
export class SettlementProjection implements Projection {
  readonly name = 'agency-settlements';
  readonly tables = ['agency_settlement_view'];
  readonly entities = [SettlementView];

  async apply(events: StoredEvent[], manager: EntityManager): Promise<void> {
    const byPerson = new Map<string, StoredEvent[]>();
    for (const e of events) {
      if (!e.streamName.startsWith(PERSON_STREAM) || !MONEY_TYPES.has(e.type)) continue;
      const personId = e.streamName.slice(PERSON_STREAM.length);
      const list = byPerson.get(personId);
      if (list) list.push(e);
      else byPerson.set(personId, [e]);
    }
    if (byPerson.size === 0) return;
    const existing: Array<{ personId: string; state: PersonState }> = await manager.query(
      'SELECT "personId", state FROM agency_settlement_view WHERE "personId" = ANY($1::uuid[])',
      [[...byPerson.keys()]],
    );
    const states = new Map(existing.map((r) => [r.personId, r.state]));
    const changed: SettlementView[] = [];
    for (const [personId, personEvents] of byPerson) {
      const state = moneyFacts(
        evolvePersonMany(
          states.get(personId) ?? initialPersonState,
          personEvents.map((e) => ({
            event: { type: e.type, data: e.data } as PersonEvent,
            meta: { recordedAt: e.metadata.recordedAt, position: e.position },
          })),
        ),
      );
      const periods = settlePeriods(state);
      changed.push(
        Object.assign(new SettlementView(), {
          personId,
          idNumber: state.idNumber,
          name: state.name,
          state,
          periods,
          refundFen: periods.reduce((s, p) => s + p.refunds.reduce((t, r) => t + r.refundFen, 0), 0),
          arrearsFen: periods.reduce((s, p) => s + p.arrearsFen, 0),
        }),
      );
    }
    // One JSON parameter rather than TypeORM's upsert builder, whose per-parameter bookkeeping dominated the projection's CPU.
    await manager.query(
      `INSERT INTO agency_settlement_view ("personId", "idNumber", name, state, periods, "refundFen", "arrearsFen")
       SELECT "personId", "idNumber", name, state, periods, "refundFen", "arrearsFen"
         FROM json_to_recordset($1::json) AS x("personId" uuid, "idNumber" text, name text, state jsonb, periods jsonb, "refundFen" bigint, "arrearsFen" bigint)
       ON CONFLICT ("personId") DO UPDATE SET "idNumber" = excluded."idNumber", name = excluded.name, state = excluded.state, periods = excluded.periods,
             "refundFen" = excluded."refundFen", "arrearsFen" = excluded."arrearsFen"`,
      [JSON.stringify(changed)],
    );
  }
}
