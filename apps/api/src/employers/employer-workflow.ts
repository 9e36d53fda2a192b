import { randomUUID } from 'node:crypto';
import { Injectable, Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  DEFAULT_DEFERRAL_POLICY,
  decideEmployer,
  decidePerson,
  employerStreamId,
  evolveEmployer,
  initialEmployerState,
  outstandingEmployees,
  personStreamId,
  replayPerson,
  type DepartureReason,
  type EmployerCommand,
  type EmployerEvent,
  type EmployerState,
  type PersonCommand,
  type UnitType,
} from '@ledger/domain';
import { EVENT_STORE, WrongExpectedRevision, type EventStore } from '@ledger/event-store';
import { DataSource, In } from 'typeorm';
import { isDomainError } from '../common/domain-error-status';
import { LedgerWriter, type CommandContext } from '../common/ledger-writer';
import { Problem } from '../common/problem';
import { ExecutePersonCommand, toPersonHistory } from '../persons/person-command';
import { PersonView } from '../persons/person-view.entity';
import { BusinessClock } from '../transfers/business-clock';
import { presentEmployer, type EmployerPresentation } from './employer-presenter';
import { employerProblem } from './employer-problems';
import { EmployerView } from './employer-view.entity';

export interface EmployerWriteResult {
  employer: EmployerPresentation;
  position: number;
  projected: boolean;
}

export interface RegisterEmployerInput {
  employerId?: string;
  name: string;
  unitType: UnitType;
  staffCount: number;
  smeQualified: boolean;
  regionCode: string;
}

type PersonFollowUp = { personId: string; command: PersonCommand };
interface Plan {
  command: EmployerCommand;
  followUps?: PersonFollowUp[];
  /** Check every follow-up against its person's ledger before the employer's event is written. */
  checkFollowUps?: string;
}

const MAX_ATTEMPTS = 5;
const LIST_LIMIT = 200;

function decide(state: EmployerState, command: EmployerCommand, today: string): EmployerEvent[] {
  try {
    return decideEmployer(state, command, { today, policy: DEFAULT_DEFERRAL_POLICY });
  } catch (error) {
    throw employerProblem(error);
  }
}

/**
 * Employers and their deferrals (缓缴). The employer stream decides; the person streams of the
 * listed employees then record the deferred and made-up months, so their continuity stays unbroken.
 */
@Injectable()
export class EmployerWorkflow {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly writer: LedgerWriter,
    private readonly clock: BusinessClock,
    private readonly commands: CommandBus,
    private readonly dataSource: DataSource,
  ) {}

  async register(input: RegisterEmployerInput, context: CommandContext): Promise<EmployerWriteResult> {
    const employerId = input.employerId ?? randomUUID();
    const events = decide(initialEmployerState, { type: 'RegisterEmployer', ...input, employerId }, this.clock.today());
    try {
      const written = await this.writer.append(employerStreamId(employerId), events, 'no_stream', context);
      const state = events.reduce(evolveEmployer, initialEmployerState);
      return { employer: await this.present(state, written.nextExpectedRevision), position: written.position, projected: written.projected };
    } catch (error) {
      if (error instanceof WrongExpectedRevision)
        throw new Problem(409, 'employer_already_registered', `An employer ${employerId} is already registered.`, { employerId });
      throw error;
    }
  }

  recordArrears(employerId: string, input: { months: number; fen: number }, expectedRevision: number | undefined, context: CommandContext) {
    return this.act(employerId, expectedRevision, context, () => ({ command: { type: 'RecordEmployerArrears', ...input } }));
  }

  grantDeferral(
    employerId: string,
    input: { deferralId?: string; months: string[]; employees: string[] },
    expectedRevision: number | undefined,
    context: CommandContext,
  ) {
    const deferralId = input.deferralId ?? randomUUID();
    return this.act(employerId, expectedRevision, context, () => ({
      command: { type: 'GrantDeferral', deferralId, months: input.months, employees: input.employees },
      followUps: input.employees.map((personId) => ({
        personId,
        command: { type: 'DeferUnitContribution', data: { deferralId, employerId, months: input.months } } as PersonCommand,
      })),
      // Every employee's ledger must accept the deferred months before the unit's deferral is granted.
      checkFollowUps: 'employee_not_deferrable',
    }));
  }

  endDeferral(employerId: string, deferralId: string, expectedRevision: number | undefined, context: CommandContext) {
    return this.act(employerId, expectedRevision, context, () => ({ command: { type: 'EndDeferral', deferralId } }));
  }

  recordMakeUp(
    employerId: string,
    deferralId: string,
    input: { fen: number; personId?: string },
    expectedRevision: number | undefined,
    context: CommandContext,
  ) {
    return this.act(employerId, expectedRevision, context, (state) => {
      const deferral = state.deferrals[deferralId];
      const command: EmployerCommand = input.personId
        ? { type: 'RecordDeferredMakeUp', deferralId, fen: input.fen, personId: input.personId }
        : { type: 'RecordDeferredMakeUp', deferralId, fen: input.fen, all: true };
      const paidFor = deferral === undefined ? [] : input.personId ? [input.personId] : outstandingEmployees(deferral);
      const followUps = paidFor.map((personId) => ({
        personId,
        command: { type: 'MakeUpDeferredContribution', data: { deferralId, months: deferral!.months } } as PersonCommand,
      }));
      return { command, followUps };
    });
  }

  recordDeparture(employerId: string, input: { personId: string; reason: DepartureReason }, expectedRevision: number | undefined, context: CommandContext) {
    return this.act(employerId, expectedRevision, context, () => ({ command: { type: 'RecordEmployeeDeparture', ...input } }));
  }

  async detail(employerId: string): Promise<EmployerPresentation> {
    const { state, revision } = await this.load(employerId);
    return this.present(state, revision);
  }

  async list(filter: { deferral?: 'active' | 'overdue' }) {
    const today = this.clock.today();
    const query = this.dataSource.getRepository(EmployerView).createQueryBuilder('e');
    if (filter.deferral === 'active') query.andWhere('e.makeUpDueOn IS NOT NULL');
    if (filter.deferral === 'overdue') query.andWhere('e.makeUpDueOn < :today', { today });
    const rows = await query.orderBy('e.makeUpDueOn', 'ASC', 'NULLS LAST').addOrderBy('e.name', 'ASC').take(LIST_LIMIT).getMany();
    const names = await this.names(rows.flatMap((r) => Object.values(r.state.deferrals).flatMap((d) => d.employees)));
    const employers = rows.map((r) => presentEmployer(r.state, r.revision, today, DEFAULT_DEFERRAL_POLICY, names));
    return { today, count: employers.length, overdueCount: employers.filter((e) => e.overdueMakeUps.length > 0).length, employers };
  }

  private async act(
    employerId: string,
    expectedRevision: number | undefined,
    context: CommandContext,
    plan: (state: EmployerState) => Plan,
  ): Promise<EmployerWriteResult> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(employerId);
      if (expectedRevision !== undefined && expectedRevision !== revision) throw await this.conflict(employerId);
      const { command, followUps = [], checkFollowUps } = plan(state);
      const events = decide(state, command, this.clock.today());
      if (checkFollowUps) await this.checkPersons(followUps, checkFollowUps);
      let written;
      try {
        written = await this.writer.append(employerStreamId(employerId), events, revision, context);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
        if (expectedRevision === undefined && attempt < MAX_ATTEMPTS) continue;
        throw await this.conflict(employerId);
      }
      let position = written.position;
      let projected = written.projected;
      // Person commands are idempotent (same deferral id, same months): re-running after a failure records nothing twice.
      for (const f of followUps) {
        const result = await this.commands.execute(new ExecutePersonCommand(f.personId, f.command, { ...context, causationId: context.correlationId }));
        position = Math.max(position, result.position);
        projected = projected && result.projected;
      }
      const next = events.reduce(evolveEmployer, state);
      return { employer: await this.present(next, written.nextExpectedRevision), position, projected };
    }
  }

  private async checkPersons(followUps: PersonFollowUp[], code: string): Promise<void> {
    const refusals: Array<{ personId: string; code: string; detail: string }> = [];
    for (const f of followUps) {
      const events = await this.store.readStream(personStreamId(f.personId));
      const person = replayPerson(toPersonHistory(events));
      if (person.personId === null) {
        refusals.push({ personId: f.personId, code: 'person_not_found', detail: `No person ${f.personId}.` });
        continue;
      }
      try {
        decidePerson(person, f.command, { today: this.clock.today() });
      } catch (error) {
        if (!isDomainError(error)) throw error;
        refusals.push({ personId: f.personId, code: error.code, detail: error.message });
      }
    }
    if (refusals.length > 0) {
      throw new Problem(
        422,
        code,
        `The ledger of ${refusals.length} employee(s) cannot record this: ${refusals.map((r) => `${r.personId}: ${r.detail}`).join('; ')}.`,
        { refusals },
      );
    }
  }

  private async conflict(employerId: string): Promise<Problem> {
    const fresh = await this.detail(employerId);
    return new Problem(
      409,
      'concurrency_conflict',
      `Someone else changed this employer first (now revision ${fresh.revision}). Check its current state and act again if still needed.`,
      {
        actualRevision: fresh.revision,
        employer: fresh,
      },
    );
  }

  private async load(employerId: string): Promise<{ state: EmployerState; revision: number }> {
    const events = await this.store.readStream(employerStreamId(employerId));
    const state = events.reduce((s, e) => evolveEmployer(s, { type: e.type, data: e.data } as EmployerEvent), initialEmployerState);
    if (state.profile === null) throw new Problem(404, 'employer_not_found', `No employer ${employerId}.`);
    return { state, revision: events[events.length - 1]!.revision };
  }

  private async names(personIds: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(personIds)].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(PersonView).findBy({ personId: In(ids) });
    return new Map(rows.map((r) => [r.personId, r.name]));
  }

  private async present(state: EmployerState, revision: number): Promise<EmployerPresentation> {
    const names = await this.names(Object.values(state.deferrals).flatMap((d) => d.employees));
    return presentEmployer(state, revision, this.clock.today(), DEFAULT_DEFERRAL_POLICY, names);
  }
}
