import { randomUUID } from 'node:crypto';
import { makeResidentId, personStreamId } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { PersonRegistry } from '../../apps/api/src/persons/person-registry';
import { mapBounded } from '../../apps/api/src/agency/bounded';
import { newEventId } from '@ledger/event-store';

export interface SeededPerson {
  personId: string;
  idNumber: string;
  name: string;
}

export interface SeedOptions {
  /** Distinguishes runs: ID numbers are built from it and the index, so two seeds never collide. */
  namespace: number;
  scheme: 'resident' | 'employee';
  regionCode: string;
  enrolledOn: string;
  parallel?: number;
}

const meta = () => ({ correlationId: randomUUID(), causationId: randomUUID(), actor: 'staff:clerk:seed' });

/** The nth distinct valid ID number of a namespace (0-89): the namespace picks the issuing county, so seeds never collide; 4,000,000 per namespace. */
export function seedIdNumber(namespace: number, n: number): string {
  const county = `41${String(10 + (namespace % 90)).padStart(2, '0')}01`;
  const birth = new Date(Date.UTC(1950, 0, 1) + (n % 20_000) * 86_400_000).toISOString().slice(0, 10);
  return makeResidentId(county, birth, Math.floor(n / 20_000) % 100, Math.floor(n / 2_000_000) % 2 === 0 ? 'male' : 'female');
}

/**
 * Registered and enrolled persons written straight through the event-store port, as the
 * registry and the person decider would write them: the claim of the ID number, then
 * PersonRegistered and EnrolledInScheme. Seeding many persons over HTTP would dwarf what is measured.
 */
export async function seedPersons(store: EventStore, count: number, options: SeedOptions): Promise<SeededPerson[]> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  return mapBounded(indexes, options.parallel ?? 8, async (i) => {
    const idNumber = seedIdNumber(options.namespace, i);
    const personId = randomUUID();
    const name = `参保人${options.namespace}-${i}`;
    const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
    await store.appendToStream(
      PersonRegistry.claimStream(idNumber),
      [{ eventId: newEventId(), type: 'IdNumberClaimed', data: { personId }, metadata: meta() }],
      { expectedRevision: 'no_stream' },
    );
    await store.appendToStream(
      personStreamId(personId),
      [
        { eventId: newEventId(), type: 'PersonRegistered', data: { personId, idNumber, name, birthDate, categories: [] }, metadata: meta() },
        {
          eventId: newEventId(),
          type: 'EnrolledInScheme',
          data: { enrollmentId: randomUUID(), scheme: options.scheme, regionCode: options.regionCode, enrolledOn: options.enrolledOn },
          metadata: meta(),
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    return { personId, idNumber, name };
  });
}
