import type { EventStore } from './event-store.port';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';

export type EventStoreKind = 'postgres' | 'eventstoredb';

export interface EventStoreSettings {
  kind: EventStoreKind;
  databaseUrl: string;
  eventStoreUrl?: string;
}

/** Builds the configured adapter and prepares it (PostgreSQL: creates its tables). */
export async function createEventStore(settings: EventStoreSettings): Promise<EventStore> {
  if (settings.kind === 'eventstoredb') {
    if (!settings.eventStoreUrl) throw new Error('EVENT_STORE=eventstoredb needs EVENTSTORE_URL');
    return new EventStoreDbEventStore(settings.eventStoreUrl);
  }
  const store = new PostgresEventStore({ connectionString: settings.databaseUrl });
  await store.migrate();
  return store;
}
