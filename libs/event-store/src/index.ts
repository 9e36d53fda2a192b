export * from './event-store.port';
export * from './errors';
export * from './metadata';
export * from './postgres/postgres-event-store';
export * from './eventstoredb/eventstoredb-event-store';
export * from './create-event-store';
