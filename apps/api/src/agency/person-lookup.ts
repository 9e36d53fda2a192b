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
    if (personId) this.remember(idNumber, personId);
    return personId;
  }

  /** Many ID numbers at once: the cached ones from memory, the others in one read of their claim streams. Unknown ones are absent from the map. */
  async personIdsOf(idNumbers: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const missing = new Map<string, string>();
    for (const idNumber of new Set(idNumbers)) {
      const cached = this.cache.get(idNumber);
      if (cached) found.set(idNumber, cached);
      else missing.set(PersonRegistry.claimStream(idNumber), idNumber);
    }
    if (missing.size === 0) return found;
    for (const [stream, events] of await this.store.readStreams([...missing.keys()])) {
      const personId = (events[0]?.data as { personId?: string } | undefined)?.personId;
      if (!personId) continue;
      const idNumber = missing.get(stream)!;
      this.remember(idNumber, personId);
      found.set(idNumber, personId);
    }
    return found;
  }

  private remember(idNumber: string, personId: string): void {
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(idNumber, personId);
  }
}
