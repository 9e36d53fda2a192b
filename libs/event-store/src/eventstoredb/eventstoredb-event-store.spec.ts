import { eventStoreContract } from '../contract/event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

const url = process.env.EVENTSTORE_URL;

if (url) {
  eventStoreContract(
    'EventStoreDB',
    async () => new EventStoreDbEventStore(url),
    (store) => store.close(),
  );
} else {
  describe('event store contract: EventStoreDB', () => {
    it.skip('skipped: no EventStoreDB server (set EVENTSTORE_URL, e.g. esdb://localhost:2113?tls=false, to run the contract suite against it)', () =>
      undefined);
  });
}
