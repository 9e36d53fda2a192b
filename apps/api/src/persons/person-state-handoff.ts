import type { PersonState } from '@ledger/domain';
import type { ContributionScope } from './person-state-rows';

export interface HandedState {
  state: PersonState;
  /** The contributions the state holds: the intake loads only the periods it posts to. */
  scope: ContributionScope;
}

/**
 * Persons' states that the intake has just folded to decide on payments, handed to the persons
 * projection, which folds the events the intake then appends on top of that very state: the
 * projection need not read the snapshot and the contributions back from the read model and parse them again.
 *
 * An entry is the fold of the person's stream up to its revision, from committed events only (a
 * person_view snapshot and the stream's tail after it). Streams are append-only, so an entry stays
 * true whatever happens to the read models, and the projection takes it only at exactly the
 * revision its next event follows. Each entry is used once and then dropped; the oldest go first
 * when the handoff is full, so a projection far behind only reads from person_view as before.
 *
 * One per service (per event store): person ids mean nothing across stores.
 */
export class PersonStateHandoff {
  private readonly entries = new Map<string, HandedState & { revision: number }>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Offers a person's state at a stream revision; replaces an older offer for the same person. */
  offer(personId: string, revision: number, state: PersonState, scope: ContributionScope = 'all'): void {
    if (this.capacity <= 0 || revision < 0) return;
    // Delete first so that re-insertion moves the person to the young end of the map's order.
    this.entries.delete(personId);
    this.entries.set(personId, { revision, state, scope });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /**
   * The person's state at exactly this revision, if offered and not yet taken. An entry at that
   * revision or an older one is dropped (it will not be asked for again); a newer one stays for the
   * batch that will need it.
   */
  take(personId: string, revision: number): HandedState | undefined {
    const entry = this.entries.get(personId);
    if (entry === undefined || entry.revision > revision) return undefined;
    this.entries.delete(personId);
    return entry.revision === revision ? { state: entry.state, scope: entry.scope } : undefined;
  }
}
