import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { PersonRegistry } from '../persons/person-registry';

const CACHE_LIMIT = 200_000;

/**
 * Resident ID number → personId through the registry's claim stream (the event store, not a read
 * model that may lag). A claim never changes once made, so found ids are cached; misses are not,
 * since the person may register at any moment.
 */
@Injectable()
export class PersonLookup {
  private readonly cache = new Map<string, string>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async personIdOf(idNumber: string): Promise<string | null> {
    const cached = this.cache.get(idNumber);
    if (cached) return cached;
    const [claim] = await this.store.readStream(PersonRegistry.claimStream(idNumber), { maxCount: 1 });
    const personId = (claim?.data as { personId?: string } | undefined)?.personId ?? null;
    if (personId) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(idNumber, personId);
    }
    return personId;
  }
}
