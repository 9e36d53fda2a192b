import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { chinaToday, isDomainError, personStreamId, validateResidentId } from '@ledger/domain';
import { newEventId, EVENT_STORE, WrongExpectedRevision, type EventStore } from '@ledger/event-store';
import { actorLabel } from '../auth/token.service';
import { Problem } from '../common/problem';
import type { CommandContext } from '../common/ledger-writer';
import { ExecutePersonCommand, type PersonCommandResult } from './person-command';
import type { RegisterPersonDto } from './dto';

/**
 * One person per resident ID number, enforced by the event store itself: registering first claims
 * the stream `idnumber-<sha256>` with expected revision no_stream, so two concurrent registrations
 * of one number cannot both win.
 */
@Injectable()
export class PersonRegistry {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly commands: CommandBus,
  ) {}

  static claimStream(idNumber: string): string {
    return `idnumber-${createHash('sha256').update(idNumber).digest('hex')}`;
  }

  async register(dto: RegisterPersonDto, context: CommandContext): Promise<PersonCommandResult> {
    const id = validateResidentId(dto.idNumber, chinaToday());
    if (!id.ok) throw new Problem(422, 'invalid_id_number', `The resident ID number is not valid: ${id.reason}.`, { field: 'idNumber' });
    if (id.birthDate !== dto.birthDate) {
      throw new Problem(422, 'birth_date_mismatch', `birthDate ${dto.birthDate} differs from the birth date in the ID number (${id.birthDate}).`, {
        field: 'birthDate',
      });
    }
    const personId = await this.claim(id.normalized, context);
    const alreadyRegistered = () => new Problem(409, 'person_already_registered', 'A person with this ID number is already registered.', { personId });
    let result: PersonCommandResult;
    try {
      result = await this.commands.execute(
        new ExecutePersonCommand(
          personId,
          { type: 'RegisterPerson', data: { personId, idNumber: id.normalized, name: dto.name, categories: dto.categories ?? [] } },
          context,
        ),
      );
    } catch (error) {
      if (isDomainError(error) && error.code === 'already_registered') throw alreadyRegistered();
      throw error;
    }
    // A claim found without its registration is finished by whoever comes (crash recovery), so two
    // racing requests may both register the claimed person: the one whose event was not appended is second.
    if (result.events.length === 0) throw alreadyRegistered();
    return result;
  }

  /** The claimed person id; a claim found without its registration (a crash, or a registration in flight) is finished by this request. */
  private async claim(idNumber: string, context: CommandContext): Promise<string> {
    const stream = PersonRegistry.claimStream(idNumber);
    const personId = randomUUID();
    try {
      await this.store.appendToStream(
        stream,
        [
          {
            eventId: newEventId(),
            type: 'IdNumberClaimed',
            data: { personId },
            metadata: { correlationId: context.correlationId, causationId: context.correlationId, actor: actorLabel(context.actor) },
          },
        ],
        { expectedRevision: 'no_stream' },
      );
      return personId;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
      const [claimed] = await this.store.readStream(stream, { maxCount: 1 });
      const existing = (claimed.data as { personId: string }).personId;
      const registered = (await this.store.readStream(personStreamId(existing), { maxCount: 1 })).length > 0;
      // A claim without its registration is a crash between the two appends: finish that registration.
      if (!registered) return existing;
      throw new Problem(409, 'person_already_registered', 'A person with this ID number is already registered.', { personId: existing });
    }
  }
}
