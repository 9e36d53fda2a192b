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

/**
 * Select-list items giving, for person_view aliased `v`, the stored state and the person's contributions as one
 * JSON object keyed by contribution id (null when there is none); `stateOfRow` puts them together. Every read of a
 * person's state goes through these, so none can miss the contributions.
 */
export const STATE_COLUMNS = `v.state, (SELECT json_object_agg(c."contributionId", c.data ORDER BY c."contributionId")
  FROM person_contribution c WHERE c."personId" = v."personId") AS contributions`;

/**
 * STATE_COLUMNS with, for persons listed in the parameters `$persons::uuid[]` and `$periods::text[]` (pairs: a
 * person once per period), only those periods' contributions; other persons get all of theirs.
 */
export function scopedStateColumns(persons: string, periods: string): string {
  return `v.state, (SELECT json_object_agg(c."contributionId", c.data ORDER BY c."contributionId") FROM person_contribution c
     WHERE c."personId" = v."personId"
       AND (NOT v."personId" = ANY(${persons}::uuid[])
            OR c.period IN (SELECT w.period FROM unnest(${persons}::uuid[], ${periods}::text[]) AS w(id, period) WHERE w.id = v."personId"))) AS contributions`;
}

/** The parameters of scopedStateColumns for these scopes ('all' persons are simply left out). */
export function scopeParameters(scopes: ReadonlyMap<string, ContributionScope>): [string[], string[]] {
  const persons: string[] = [];
  const periods: string[] = [];
  for (const [personId, scope] of scopes) {
    if (scope === 'all') continue;
    // A person with no period still needs a pair, or it would count as unscoped: '' matches no period.
    for (const period of scope.size ? scope : ['']) {
      persons.push(personId);
      periods.push(period);
    }
  }
  return [persons, periods];
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
