import { randomUUID } from 'node:crypto';
import { personStreamId } from '@ledger/domain';
import type { EventStore, ExpectedRevision, NewEvent } from '@ledger/event-store';
import { PersonRegistry } from '../../apps/api/src/persons/person-registry';
import { HistoryGenerator, type HistorySettings, type PersonHistory } from './history-generator';
import { int, msSince, now, rss } from './stats';
import { newEventId } from '@ledger/event-store';

export interface LoadSettings extends HistorySettings {
  persons: number;
  /** Persons written at the same time (each an independent append sequence). */
  writers: number;
  /** Most events in one appendToStream call. */
  appendBatch: number;
}

export interface LoadResult {
  persons: number;
  /** Events in the store, claim streams included. */
  events: number;
  appends: number;
  seconds: number;
  /** Wall time spent in the generator (deciding commands), summed over writers; it overlaps with appends. */
  generateSeconds: number;
  /** A sample of person ids for the HTTP load. */
  personIds: string[];
}

const CLERK = { id: randomUUID(), name: 'bench clerk' };
const SAMPLE = 50_000;

/** Metadata as LedgerWriter writes it: one correlation id per command, the clerk or the lapse job as actor. */
function toNewEvents(history: PersonHistory): NewEvent[] {
  const out: NewEvent[] = [];
  for (const command of history.commands) {
    const correlationId = randomUUID();
    for (const e of command.events) {
      out.push({
        eventId: newEventId(),
        type: e.type,
        data: e.data,
        metadata: {
          correlationId,
          causationId: correlationId,
          actor: command.byJob ? `staff:clerk:lapse-job` : `staff:clerk:${CLERK.id}`,
          actorName: command.byJob ? 'period-end lapse job' : CLERK.name,
          ...(command.reason ? { reason: command.reason } : {}),
        },
      });
    }
  }
  return out;
}

/**
 * Writes `persons` histories the way registration leaves them: first the ID-number claim stream
 * (no_stream, as PersonRegistry does), then the person's stream in batches at exact expected revisions.
 * Several writers run at once; the store's append lock orders them.
 */
export async function loadHistories(store: EventStore, settings: LoadSettings, log: (line: string) => void): Promise<LoadResult> {
  const generator = new HistoryGenerator(settings);
  let next = 0;
  let events = 0;
  let appends = 0;
  let generateNs = 0n;
  const personIds: string[] = [];
  const started = now();
  let lastReport = started;

  const writer = async () => {
    for (;;) {
      const index = next++;
      if (index >= settings.persons) return;
      const g = now();
      const history = generator.person(index);
      const newEvents = toNewEvents(history);
      generateNs += now() - g;
      const claimCorrelation = newEvents[0].metadata.correlationId;
      await store.appendToStream(
        PersonRegistry.claimStream(history.idNumber),
        [
          {
            eventId: newEventId(),
            type: 'IdNumberClaimed',
            data: { personId: history.personId },
            metadata: { correlationId: claimCorrelation, causationId: claimCorrelation, actor: `staff:clerk:${CLERK.id}` },
          },
        ],
        { expectedRevision: 'no_stream' },
      );
      let expectedRevision: ExpectedRevision = 'no_stream';
      for (let i = 0; i < newEvents.length; i += settings.appendBatch) {
        const result = await store.appendToStream(personStreamId(history.personId), newEvents.slice(i, i + settings.appendBatch), { expectedRevision });
        expectedRevision = result.nextExpectedRevision;
        appends++;
      }
      appends++;
      events += newEvents.length + 1;
      if (personIds.length < SAMPLE) personIds.push(history.personId);
      else if (Math.random() < SAMPLE / (index + 1)) personIds[Math.floor(Math.random() * SAMPLE)] = history.personId;
      if (msSince(lastReport) > 10_000) {
        lastReport = now();
        const seconds = msSince(started) / 1000;
        log(`  load: ${int(index + 1)} persons, ${int(events)} events in ${seconds.toFixed(0)} s = ${int(events / seconds)} events/s, RSS ${rss()}`);
      }
    }
  };
  await Promise.all(Array.from({ length: settings.writers }, writer));
  return { persons: settings.persons, events, appends, seconds: msSince(started) / 1000, generateSeconds: Number(generateNs) / 1e9, personIds };
}
