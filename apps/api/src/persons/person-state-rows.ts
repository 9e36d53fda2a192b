import type { PersonState } from '@ledger/domain';

/** What person_view.state holds: a person's folded state without its contributions, which are rows of person_contribution. */
export type StoredPersonState = Omit<PersonState, 'contributions'>;

/**
 * Select-list items giving, for person_view aliased `v`, the stored state and the person's contributions as one
 * JSON object keyed by contribution id (null when there is none); `stateOfRow` puts them together. Every read of a
 * person's state goes through these two, so none can miss the contributions.
 */
export const STATE_COLUMNS = `v.state, (SELECT json_object_agg(c."contributionId", c.data ORDER BY c."contributionId")
  FROM person_contribution c WHERE c."personId" = v."personId") AS contributions`;

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
