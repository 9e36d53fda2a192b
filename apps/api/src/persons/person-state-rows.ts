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
 * for all of them). The period filter is an index condition on person_contribution's key ("personId", period, …).
 */
export function statesInScope(columns: string): string {
  return `SELECT ${columns}, v.state, (SELECT ${CONTRIBUTIONS} FROM person_contribution c
      WHERE c."personId" = v."personId" AND (w.periods IS NULL OR c.period = ANY(string_to_array(w.periods, ',')))) AS contributions
    FROM unnest($1::uuid[], $2::text[]) AS w(id, periods) JOIN person_view v ON v."personId" = w.id`;
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
