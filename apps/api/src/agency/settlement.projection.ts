import type { PersonState } from '@ledger/domain';
import type { EntityManager } from 'typeorm';
import type { ContributionScope } from '../persons/person-state-rows';
import type { PersonStateView } from '../persons/person.projection';
import { settlementKey, settlePeriods, type PeriodSettlement } from './settlement';
import { SettlementView } from './settlement-view.entity';

/**
 * Refunds due and arrears per person, recomputed from the person's state on every money event (the
 * clerk's refunds-due list reads it). Only periods with a refund due or arrears are kept: a person
 * whose periods are all settled is a small row that a payment settling exactly leaves as it was,
 * and such rows are not rewritten.
 */
export class SettlementStateView implements PersonStateView {
  readonly tables = ['agency_settlement_view'];
  readonly entities = [SettlementView];
  readonly eventTypes: ReadonlySet<string> = new Set(['PersonRegistered', 'PersonCategoriesChanged', 'ContributionRecorded', 'ContributionReversed']);

  async write(changed: ReadonlyArray<{ personId: string; state: PersonState; scope: ContributionScope }>, manager: EntityManager): Promise<void> {
    // A state holding some periods only settles those; the row's other periods are kept as they were.
    const partial = changed.filter((c) => c.scope !== 'all').map((c) => c.personId);
    const before = new Map<string, StoredRow>();
    if (partial.length) {
      const rows: StoredRow[] = await manager.query(
        'SELECT "personId", "idNumber", name, periods, "refundFen", "arrearsFen" FROM agency_settlement_view WHERE "personId" = ANY($1::uuid[])',
        [partial],
      );
      for (const row of rows) before.set(row.personId, row);
    }
    const rows = changed.map(({ personId, state, scope }) => {
      const settled = settlePeriods(state, scope === 'all' ? undefined : scope).filter((p) => p.refunds.length > 0 || p.arrearsFen > 0);
      const periods =
        scope === 'all'
          ? settled
          : [...(before.get(personId)?.periods ?? []).filter((p) => !scope.has(settlementKey(p))), ...settled].sort((a, b) =>
              settlementKey(a) < settlementKey(b) ? -1 : 1,
            );
      return {
        personId,
        idNumber: state.idNumber,
        name: state.name,
        periods,
        refundFen: periods.reduce((s, p) => s + p.refunds.reduce((t, r) => t + r.refundFen, 0), 0),
        arrearsFen: periods.reduce((s, p) => s + p.arrearsFen, 0),
      };
    });
    // A payment that settles its period exactly leaves the row as it was: such rows are not sent (the statement's
    // WHERE would keep them as they are, after parsing and probing each one).
    const rewritten = rows.filter((row) => !unchanged(before.get(row.personId), row));
    if (rewritten.length === 0) return;
    // One JSON parameter rather than TypeORM's upsert builder, whose per-parameter bookkeeping dominated the projection's CPU.
    await manager.query(
      `INSERT INTO agency_settlement_view AS s ("personId", "idNumber", name, periods, "refundFen", "arrearsFen")
       SELECT "personId", "idNumber", name, periods, "refundFen", "arrearsFen"
         FROM json_to_recordset($1::json) AS x("personId" uuid, "idNumber" text, name text, periods json, "refundFen" bigint, "arrearsFen" bigint)
       ON CONFLICT ("personId") DO UPDATE SET "idNumber" = excluded."idNumber", name = excluded.name, periods = excluded.periods,
             "refundFen" = excluded."refundFen", "arrearsFen" = excluded."arrearsFen"
       WHERE (s."idNumber", s.name, s.periods::text, s."refundFen", s."arrearsFen")
             IS DISTINCT FROM (excluded."idNumber", excluded.name, excluded.periods::text, excluded."refundFen", excluded."arrearsFen")`,
      [JSON.stringify(rewritten)],
    );
  }
}

interface StoredRow {
  personId: string;
  idNumber: string;
  name: string;
  periods: PeriodSettlement[];
  /** bigint columns: pg gives their text. */
  refundFen: string;
  arrearsFen: string;
}

/** The same test as the upsert's WHERE: the periods compare as the json text they are stored as. */
function unchanged(
  stored: StoredRow | undefined,
  row: { idNumber: string | null; name: string | null; periods: PeriodSettlement[]; refundFen: number; arrearsFen: number },
): boolean {
  return (
    stored !== undefined &&
    stored.idNumber === row.idNumber &&
    stored.name === row.name &&
    stored.refundFen === String(row.refundFen) &&
    stored.arrearsFen === String(row.arrearsFen) &&
    JSON.stringify(stored.periods) === JSON.stringify(row.periods)
  );
}
