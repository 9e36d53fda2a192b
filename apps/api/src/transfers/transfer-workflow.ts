import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  addDays,
  chinaWorkingDayCalendar,
  decideTransfer,
  evolveTransfer,
  initialTransferState,
  personStreamId,
  replayPerson,
  transferStreamId,
  type PersonState,
  type TransferCertificate,
  type TransferCommand,
  type TransferEvent,
  type TransferPolicy,
  type TransferState,
} from '@ledger/domain';
import { EVENT_STORE, WrongExpectedRevision, type EventStore } from '@ledger/event-store';
import { DataSource, In } from 'typeorm';
import type { Actor } from '../auth/token.service';
import { domainErrorStatus, isDomainError } from '../common/domain-error-status';
import { LedgerWriter, type CommandContext } from '../common/ledger-writer';
import { Problem } from '../common/problem';
import { toPersonHistory } from '../persons/person-command';
import { scopeParameters, statesInScope, stateOfRow, type StateRow } from '../persons/person-state-rows';
import { BusinessClock } from './business-clock';
import { draftCertificate } from './transfer-certificate';
import { TRANSFER_POLICY } from './transfer-limits';
import { decideTransferPersonEvents, duplicateEnrollments, personLedgerApplied } from './transfer-person-ledger';
import { presentTransfer, type TransferPresentation } from './transfer-presenter';
import { refusingAsProblem } from './transfer-problems';
import { TransferView } from './transfer-view.entity';

export interface TransferWriteResult {
  transfer: TransferPresentation;
  position: number;
  projected: boolean;
}

export interface RequestTransferInput {
  personId: string;
  fromRegion: string;
  toRegion: string;
  scheme: 'employee' | 'resident';
  channel: 'online' | 'counter';
  /** 'person': the insured person applied (online or in person); 'clerk': the clerk filed it for them. */
  requestedBy: 'person' | 'clerk';
}

export type QueueStatus = 'open' | 'all' | 'requested' | 'transferred_out' | 'completed' | 'rejected' | 'cancelled';

const MAX_PERSON_ATTEMPTS = 5;
const QUEUE_LIMIT = 200;

/** The transfer workflow: each clerk action is decided on the stream's state at the revision the clerk saw. */
@Injectable()
export class TransferWorkflow {
  private readonly calendar = chinaWorkingDayCalendar;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(TRANSFER_POLICY) private readonly policy: TransferPolicy,
    private readonly writer: LedgerWriter,
    private readonly clock: BusinessClock,
    private readonly dataSource: DataSource,
  ) {}

  async request(input: RequestTransferInput, actor: Actor, context: CommandContext): Promise<TransferWriteResult> {
    const person = await this.loadPerson(input.personId);
    if (person.state.personId === null) throw new Problem(404, 'person_not_found', `No person ${input.personId}.`);
    // Read-model check: a person has one transfer under way at a time (a race past it leaves two open requests for clerks to see, not a broken ledger).
    const open = await this.dataSource.getRepository(TransferView).findOneBy({ personId: input.personId, step: In(['requested', 'transferred_out']) });
    if (open) {
      throw new Problem(409, 'transfer_already_open', `This person already has a transfer under way (${open.transferId}, ${open.step}).`, {
        transferId: open.transferId,
      });
    }
    const transferId = randomUUID();
    const command: TransferCommand = {
      type: 'RequestTransfer',
      transferId,
      personId: input.personId,
      idNumber: person.state.idNumber ?? '',
      fromRegion: input.fromRegion,
      toRegion: input.toRegion,
      scheme: input.scheme,
      channel: input.channel,
      requestedBy: input.requestedBy === 'person' ? input.personId : staffId(actor),
    };
    const events = await refusingAsProblem(() => decideTransfer(initialTransferState, command, this.context()));
    const written = await this.writer.append(transferStreamId(transferId), events, 'no_stream', context);
    const state = events.reduce(evolveTransfer, initialTransferState);
    return { transfer: await this.present(state, written.nextExpectedRevision), position: written.position, projected: written.projected };
  }

  async certificateDraft(transferId: string): Promise<TransferCertificate> {
    const { state } = await this.loadTransfer(transferId);
    const person = await this.loadPerson(state.request!.personId);
    return refusingAsProblem(() => draftCertificate(person.state, state.request!, this.clock.today()));
  }

  async confirmTransferOut(transferId: string, expectedRevision: number, corrections: Partial<TransferCertificate>, actor: Actor, context: CommandContext) {
    return this.act(transferId, expectedRevision, context, async (state) => {
      const person = await this.loadPerson(state.request!.personId);
      const draft = state.step === 'requested' ? draftCertificate(person.state, state.request!, this.clock.today()) : ({} as TransferCertificate);
      // Validated DTOs carry every declared field, the absent ones as undefined: only real corrections override the draft.
      const given = Object.fromEntries(Object.entries(corrections).filter(([, v]) => v !== undefined));
      return { type: 'ConfirmTransferOut', certificate: { ...draft, ...given }, by: actor.name };
    });
  }

  async complete(
    transferId: string,
    expectedRevision: number,
    input: { newEnrollmentOn?: string; employerId?: string },
    actor: Actor,
    context: CommandContext,
  ) {
    const current = await this.loadTransfer(transferId);
    // A completion whose person events were lost (a crash between the two appends) is finished here; the events are idempotent.
    if (current.state.step === 'completed') {
      const person = await this.loadPerson(current.state.request!.personId);
      if (!personLedgerApplied(person.state, transferId)) {
        const written = await this.applyPersonEffects(current.state, input.employerId, context);
        return { transfer: await this.present(current.state, current.revision), position: written?.position ?? 0, projected: written?.projected ?? true };
      }
    }
    return this.act(
      transferId,
      expectedRevision,
      context,
      (state) => ({ type: 'CompleteTransfer', newEnrollmentOn: input.newEnrollmentOn ?? dayAfter(state.transferOut?.certificate.coverageEnd), by: actor.name }),
      {
        // Refuse before writing anything when the person ledger would not accept the new enrollment (e.g. 重复参保).
        before: async (next) => {
          const person = await this.loadPerson(next.request!.personId);
          personEventsOrProblem(person.state, next, this.clock.today(), input.employerId);
        },
        after: async (next) => {
          await this.applyPersonEffects(next, input.employerId, context);
        },
      },
    );
  }

  async reject(transferId: string, expectedRevision: number, reason: string, actor: Actor, context: CommandContext) {
    return this.act(transferId, expectedRevision, context, () => ({ type: 'RejectTransfer', reason, by: actor.name }));
  }

  /** The applicant withdraws; the clerk records it on their behalf. */
  async cancel(transferId: string, expectedRevision: number, context: CommandContext) {
    return this.act(transferId, expectedRevision, context, (state) => ({ type: 'CancelTransfer', by: state.request!.personId }));
  }

  async detail(transferId: string): Promise<TransferPresentation> {
    const { state, revision } = await this.loadTransfer(transferId);
    return this.present(state, revision);
  }

  async queue(filter: { status: QueueStatus; overdue?: boolean; personId?: string }) {
    const today = this.clock.today();
    const query = this.dataSource.getRepository(TransferView).createQueryBuilder('t');
    if (filter.status === 'open') query.andWhere('t.step IN (:...steps)', { steps: ['requested', 'transferred_out'] });
    else if (filter.status !== 'all') query.andWhere('t.step = :step', { step: filter.status });
    if (filter.overdue === true) query.andWhere('t.dueOn < :today', { today });
    if (filter.overdue === false) query.andWhere('(t.dueOn IS NULL OR t.dueOn >= :today)', { today });
    if (filter.personId) query.andWhere('t.personId = :personId', { personId: filter.personId });
    const rows = await query.orderBy('t.dueOn', 'ASC', 'NULLS LAST').addOrderBy('t.requestedOn', 'DESC').take(QUEUE_LIMIT).getMany();
    const people = await this.people(rows.map((r) => r.personId));
    const transfers = rows.map((row) => {
      const person = people.get(row.personId) ?? null;
      return presentTransfer(row.state, row.revision, today, this.calendar, {
        personName: person?.name ?? null,
        duplicates: duplicateEnrollments(person?.state ?? null, row.state),
      });
    });
    return { today, count: transfers.length, overdueCount: transfers.filter((t) => t.isOverdue).length, transfers };
  }

  private async act(
    transferId: string,
    expectedRevision: number,
    context: CommandContext,
    commandFor: (state: TransferState) => TransferCommand | Promise<TransferCommand>,
    hooks: { before?: (next: TransferState) => Promise<void>; after?: (next: TransferState) => Promise<void> } = {},
  ): Promise<TransferWriteResult> {
    const { state, revision } = await this.loadTransfer(transferId);
    if (expectedRevision !== revision) throw await this.conflict(transferId);
    const command = await commandFor(state);
    const events = await refusingAsProblem(() => decideTransfer(state, command, this.context()));
    const next = events.reduce(evolveTransfer, state);
    await hooks.before?.(next);
    let written;
    try {
      written = await this.writer.append(transferStreamId(transferId), events, revision, context);
    } catch (error) {
      // Two clerks on one transfer: the second append finds the stream moved on. Never last-write-wins.
      if (error instanceof WrongExpectedRevision) throw await this.conflict(transferId);
      throw error;
    }
    await hooks.after?.(next);
    return { transfer: await this.present(next, written.nextExpectedRevision), position: written.position, projected: written.projected };
  }

  private async conflict(transferId: string): Promise<Problem> {
    const fresh = await this.detail(transferId);
    return new Problem(
      409,
      'concurrency_conflict',
      `Someone else acted on this transfer first: it is now ${fresh.step.replace('_', ' ')} (revision ${fresh.revision}). Check its current state below and act again if still needed.`,
      { actualRevision: fresh.revision, transfer: fresh },
    );
  }

  private async applyPersonEffects(completed: TransferState, employerId: string | undefined, context: CommandContext) {
    const personId = completed.request!.personId;
    for (let attempt = 1; ; attempt++) {
      const person = await this.loadPerson(personId);
      const events = decideTransferPersonEvents(person.state, completed, this.clock.today(), employerId);
      if (events.length === 0) return null;
      try {
        return await this.writer.append(personStreamId(personId), events, person.revision, context);
      } catch (error) {
        if (error instanceof WrongExpectedRevision && attempt < MAX_PERSON_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  private async loadTransfer(transferId: string): Promise<{ state: TransferState; revision: number }> {
    const events = await this.store.readStream(transferStreamId(transferId));
    const state = events.reduce((s, e) => evolveTransfer(s, { type: e.type, data: e.data } as TransferEvent), initialTransferState);
    if (state.request === null) throw new Problem(404, 'transfer_not_found', `No transfer ${transferId}.`);
    return { state, revision: events[events.length - 1]!.revision };
  }

  private async loadPerson(personId: string): Promise<{ state: PersonState; revision: number }> {
    const events = await this.store.readStream(personStreamId(personId));
    return { state: replayPerson(toPersonHistory(events)), revision: events[events.length - 1]?.revision ?? -1 };
  }

  /** Names and enrollments for the queue: states with no contribution read (an empty scope), which the queue does not use. */
  private async people(personIds: string[]): Promise<Map<string, { name: string; state: PersonState }>> {
    if (personIds.length === 0) return new Map();
    const ids = [...new Set(personIds)];
    const rows: Array<StateRow & { personId: string; name: string }> = await this.dataSource.query(
      statesInScope('v."personId", v.name'),
      scopeParameters(ids, new Map(ids.map((id) => [id, new Set<string>()]))),
    );
    return new Map(rows.map((r) => [r.personId, { name: r.name, state: stateOfRow(r) }]));
  }

  private async present(state: TransferState, revision: number): Promise<TransferPresentation> {
    const { state: person } = await this.loadPerson(state.request!.personId);
    return presentTransfer(state, revision, this.clock.today(), this.calendar, {
      personName: person.name,
      duplicates: duplicateEnrollments(person, state),
      personLedgerApplied: personLedgerApplied(person, state.request!.transferId),
    });
  }

  private context() {
    return { today: this.clock.today(), calendar: this.calendar, policy: this.policy };
  }
}

function staffId(actor: Actor): string {
  return `staff:${actor.id}`;
}

/** The new region's enrollment starts, by default, the day after the old region's cover ends. */
function dayAfter(date: string | undefined): string {
  return date === undefined ? '' : addDays(date, 1);
}

/** The person decider's refusal, surfaced with its own code and the transfer (with any duplicate enrollment) to resolve it. */
function personEventsOrProblem(person: PersonState, next: TransferState, today: string, employerId: string | undefined): void {
  try {
    decideTransferPersonEvents(person, next, today, employerId);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    throw new Problem(
      domainErrorStatus(error.code),
      error.code,
      `The person's ledger refuses the transfer's new enrollment: ${error.message}. Resolve it (see duplicateEnrollments), then complete again.`,
      {
        details: error.details ?? {},
        duplicateEnrollments: duplicateEnrollments(person, next),
      },
    );
  }
}
