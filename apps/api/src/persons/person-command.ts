import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommand, type ICommandHandler } from '@nestjs/cqrs';
import { chinaToday, decidePerson, personStreamId, replayPerson, type PersonCommand, type PersonEvent, type PersonState } from '@ledger/domain';
import { EVENT_STORE, WrongExpectedRevision, type EventStore, type StoredEvent } from '@ledger/event-store';
import { Problem } from '../common/problem';
import { LedgerWriter, type CommandContext } from '../common/ledger-writer';

/** Any command on one person's stream: decided by the pure decider on the stream's current state. */
export class ExecutePersonCommand implements ICommand {
  constructor(
    readonly personId: string,
    readonly command: PersonCommand,
    readonly context: CommandContext,
    /** Set by clients that edit what they saw: a stale revision is a conflict, not a retry. */
    readonly expectedRevision?: number,
  ) {}
}

export interface PersonCommandResult {
  personId: string;
  events: PersonEvent[];
  revision: number;
  position: number;
  projected: boolean;
}

const MAX_ATTEMPTS = 5;

export function toPersonHistory(events: StoredEvent[]) {
  return events.map((e) => ({ event: { type: e.type, data: e.data } as PersonEvent, meta: { recordedAt: e.metadata.recordedAt, position: e.position } }));
}

@CommandHandler(ExecutePersonCommand)
export class ExecutePersonCommandHandler implements ICommandHandler<ExecutePersonCommand, PersonCommandResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly writer: LedgerWriter,
  ) {}

  async load(personId: string): Promise<{ state: PersonState; revision: number; position: number }> {
    const events = await this.store.readStream(personStreamId(personId));
    const last = events[events.length - 1];
    return { state: replayPerson(toPersonHistory(events)), revision: last?.revision ?? -1, position: last?.position ?? 0 };
  }

  /**
   * Optimistic concurrency: the events are appended at the revision the decision was made on. When
   * another writer got there first, decide again on the fresh state (the decider may now refuse, or
   * find the command already applied) — never overwrite.
   */
  async execute({ personId, command, context, expectedRevision }: ExecutePersonCommand): Promise<PersonCommandResult> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision, position } = await this.load(personId);
      if (command.type !== 'RegisterPerson' && state.personId === null) throw new Problem(404, 'person_not_found', `No person ${personId}.`);
      if (expectedRevision !== undefined && expectedRevision !== revision) {
        throw new Problem(409, 'concurrency_conflict', 'The person changed since you read it; reload and try again.', { actualRevision: revision });
      }
      const events = decidePerson(state, command, { today: chinaToday() });
      if (events.length === 0) return { personId, events, revision, position, projected: await this.writer.caughtUp(position) };
      try {
        const written = await this.writer.append(personStreamId(personId), events, revision < 0 ? 'no_stream' : revision, context);
        return { personId, events, revision: written.nextExpectedRevision, position: written.position, projected: written.projected };
      } catch (error) {
        if (error instanceof WrongExpectedRevision && expectedRevision === undefined && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }
}
