import type { PersonState } from '@ledger/domain';

/** What person_view.state holds: a person's folded state without its contributions, which are rows of person_contribution. */
export type StoredPersonState = Omit<PersonState, 'contributions'>;

/**
 * Which contributions a state holds: all of the person's, or those of these periods (contributionPeriodKey) only.
 * A payment needs its own period (to decide and settle it), not the person's whole history.
 */
export type ContributionScope = ReadonlySet<string> | 'all';

export function scopeCovers(held: ContributionScope, needed: ContributionScope): boolean {
  if (held === 'all') return true;
  if (needed === 'all') return false;
  for (const period of needed) if (!held.has(period)) return false;
  return true;
}

/** A person's contribution rows as one JSON object keyed by id, in the table's key order. */
const CONTRIBUTIONS = 'json_object_agg(c."contributionId", c.data ORDER BY c.period, c."contributionId")';

/**
 * Select-list items giving, for person_view aliased `v`, the stored state and the person's contributions as one
 * JSON object keyed by contribution id (null when there is none); `stateOfRow` puts them together. Every read of a
 * person's state goes through these, so none can miss the contributions.
 */
export const STATE_COLUMNS = `v.state, (SELECT ${CONTRIBUTIONS} FROM person_contribution c WHERE c."personId" = v."personId") AS contributions`;

/**
 * Persons' rows of person_view (`v`) with their states (STATE_COLUMNS' two columns) for the persons `$1::uuid[]`,
 * each within its scope `$2::text[]` (scopeParameters: period keys joined by commas, which they never contain; null
 * for all of them). Both reads are index probes whatever the tables' sizes: one person_view row by key per person asked
 * (LIMIT 1 keeps the planner from turning the lateral into a join over the whole table, which it did: a hash join on a
 * sequential scan of person_view, per intake call), and the scoped contributions by ("personId", period), the key's
 * prefix (with "periods IS NULL OR …" in one condition, period was only a filter over every contribution of the person).
 */
export function statesInScope(columns: string): string {
  return `SELECT ${columns}, v.state,
      CASE WHEN w.periods IS NULL THEN (SELECT ${CONTRIBUTIONS} FROM person_contribution c WHERE c."personId" = v."personId")
           ELSE (SELECT ${CONTRIBUTIONS} FROM person_contribution c
                  WHERE c."personId" = v."personId" AND c.period = ANY(string_to_array(w.periods, ','))) END AS contributions
    FROM unnest($1::uuid[], $2::text[]) AS w(id, periods)
    CROSS JOIN LATERAL (SELECT * FROM person_view p WHERE p."personId" = w.id LIMIT 1) AS v`;
}

/** The parameters of statesInScope: these persons, each within its scope (all when it has none). */
export function scopeParameters(personIds: readonly string[], scopes: ReadonlyMap<string, ContributionScope>): [string[], Array<string | null>] {
  return [
    [...personIds],
    personIds.map((personId) => {
      const scope = scopes.get(personId) ?? 'all';
      return scope === 'all' ? null : [...scope].join(',');
    }),
  ];
}

export interface StateRow {
  state: StoredPersonState;
  contributions: PersonState['contributions'] | null;
}

export function stateOfRow(row: StateRow): PersonState {
  return { ...row.state, contributions: row.contributions ?? {} };
}

/** The state as person_view stores it. */
export function storedState(state: PersonState): StoredPersonState {
  const { contributions: _kept, ...stored } = state;
  return stored;
}
