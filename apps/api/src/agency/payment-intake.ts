import { Inject, Injectable } from '@nestjs/common';
import {
  chinaDateOf,
  chinaToday,
  contributionPeriodKey,
  decidePerson,
  evolvePerson,
  isDomainError,
  personStreamId,
  type PersonEvent,
  type PersonState,
} from '@ledger/domain';
import {
  newEventId,
  EVENT_STORE,
  WriteConditionFailed,
  WrongExpectedRevision,
  type EventMetadata,
  type EventStore,
  type StreamWrite,
} from '@ledger/event-store';
import { Problem } from '../common/problem';
import { LedgerWriter, type CommandContext } from '../common/ledger-writer';
import {
  AgencyEvents,
  foldReceipt,
  receiptIdFor,
  receiptStream,
  reversalStream,
  type PaymentCancelledData,
  type PaymentHeldData,
  type PaymentReceivedData,
  type ReceiptState,
  type ReversalRequestedData,
} from './agency-events';
import type { Agency } from './agency-registry';
import { mapBounded } from './bounded';
import { agencyMayCollect, checkPaymentRow, periodOf, samePayment, type AgencyPayment } from './payment-row';
import { PersonStates } from '../persons/person-states';
import { PersonLookup } from './person-lookup';
import { settlePeriod } from './settlement';

/** Rows of different persons go to the store this many at a time; more only queues on the append lock and the pool. */
const PARALLEL_PERSONS = 12;
const MAX_ATTEMPTS = 6;
/** Rows per appendToStreams call (their claims and contributions): one transaction each, so a 10,000-row request does not hold the store's append lock in one piece. */
const ROWS_PER_CALL = 1_000;
/** Rounds of read, decide and batch-write for persons another request wrote to meanwhile, before the per-row path takes over. */
const BATCH_ATTEMPTS = 3;

export interface Assessment {
  dueFen: number | null;
  paidFen: number;
  arrearsFen: number;
  refundFen: number;
  flags: Array<'underpaid' | 'overpaid' | 'period_already_paid'>;
}

export type RowResult =
  /** personId and assessment are null for a payment whose reversal came first and which never reached a person's ledger. */
  | { index: number; reference: string; status: 'accepted'; receiptId: string; personId: string | null; reversed: boolean; assessment: Assessment | null }
  | { index: number; reference: string; status: 'held'; receiptId: string; reason: string }
  | { index: number; reference: string; status: 'duplicate'; receiptId: string; originalStatus: SettledStatus }
  | { index: number; reference: string; status: 'conflict'; receiptId: string; code: 'reference_conflict'; message: string }
  | { index: number; reference: string | null; status: 'rejected'; code: string; message: string };

type SettledStatus = 'accepted' | 'held' | 'reversed';
type Settled =
  { status: 'accepted'; personId: string; reversed: boolean; assessment: Assessment } | { status: 'held'; reason: string } | { status: 'reversed' };
/** A row of the batch path: its claim as it will be written, and the receipt it makes once written. */
interface Claim {
  index: number;
  payment: AgencyPayment;
  received: PaymentReceivedData;
  receipt: ReceiptState;
}
interface DecidedPerson {
  personId: string;
  /** Rows whose contribution the write records, each with the person's state after it. */
  applied: Array<{ claim: Claim; state: PersonState }>;
  /** Rows the decider refused or found already recorded: the per-row path settles them. */
  refused: Claim[];
  write: StreamWrite | null;
}
type Application = { applied: true; personId: string; state: PersonState } | { applied: false; reason: string };

export interface BatchAnswer {
  results: RowResult[];
  summary: Record<RowResult['status'], number>;
  /** Highest ledger position this request wrote; 0 when it wrote nothing. */
  position: number;
  /** Whether the read models (reconciliation, held queue) already show this batch. */
  projected: boolean;
}

function metadataOf(context: CommandContext, reason?: string): EventMetadata {
  return {
    correlationId: context.correlationId,
    causationId: context.causationId ?? context.correlationId,
    actor: `${context.actor.kind}:${context.actor.role}:${context.actor.id}`,
    actorName: context.actor.name,
    ...(reason ? { reason } : {}),
  };
}

/**
 * Agency payments, exactly once per (agency, reference). The claim is an append with expected
 * revision no_stream on the reference's receipt stream: of two racing postings one wins, the
 * other reads the claim and answers duplicate (same content) or conflict. The winner then settles
 * the receipt: the contribution goes on the person's stream through the person decider (its
 * contributionId is the receipt id, so a re-decided retry appends nothing), or the receipt is held
 * until the person or the enrollment exists. A receipt found unsettled (a crash, or a racing
 * first posting) is settled by whoever finds it; every step is idempotent.
 */
@Injectable()
export class PaymentIntake {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly writer: LedgerWriter,
    private readonly persons: PersonLookup,
    private readonly personStates: PersonStates,
  ) {}

  async post(agency: Agency, rows: unknown[], context: CommandContext): Promise<BatchAnswer> {
    const today = chinaToday();
    const checks = rows.map((row) => checkPaymentRow(row, today));
    const outside = checks.flatMap((c, index) =>
      c.ok && !agencyMayCollect(agency.regions, c.payment.regionCode) ? [{ index, reference: c.payment.reference, regionCode: c.payment.regionCode }] : [],
    );
    if (outside.length) {
      throw new Problem(
        403,
        'region_not_allowed',
        `The agency may collect only for ${agency.regions.join(', ')}; ${outside.length} row(s) are for other regions. Nothing was written.`,
        {
          rows: outside.slice(0, 100),
        },
      );
    }
    const results = new Array<RowResult>(rows.length);
    let position = 0;
    const track = (p: number) => (position = Math.max(position, p));
    // The first row of each reference goes through the batch; a repeat of a reference within the request
    // runs the per-row path after it, in its group, and so answers duplicate or conflict as before.
    const firsts: Array<{ index: number; payment: AgencyPayment }> = [];
    const perRow = new PerRowWork();
    const groupOfReference = new Map<string, string>();
    checks.forEach((c, index) => {
      if (!c.ok) {
        results[index] = { index, reference: c.reference, status: 'rejected', code: c.code, message: c.message };
        return;
      }
      const key = groupOfReference.get(c.payment.reference);
      if (key === undefined) {
        groupOfReference.set(c.payment.reference, c.payment.idNumber);
        firsts.push({ index, payment: c.payment });
      } else {
        const payment = c.payment;
        perRow.add(key, index, async () => (results[index] = await this.ingest(agency, payment, index, context, track)));
      }
    });
    for (let i = 0; i < firsts.length; i += ROWS_PER_CALL) {
      await this.postBatched(agency, firsts.slice(i, i + ROWS_PER_CALL), context, track, results, perRow);
    }
    // Rows of one person (or one reference) run in input order; different persons in parallel.
    await mapBounded(perRow.groups(), PARALLEL_PERSONS, async (tasks) => {
      for (const task of tasks) await task();
    });
    const summary = { accepted: 0, duplicate: 0, conflict: 0, held: 0, rejected: 0 };
    for (const r of results) summary[r.status]++;
    return { results, summary, position, projected: position === 0 ? true : await this.writer.caughtUp(position) };
  }

  /**
   * The common case in a constant number of round trips, ROWS_PER_CALL rows at a time: look up the persons, read
   * their states, decide each person's rows in input order, and write in one call every claim together with each
   * person's contributions at the revision read. A person's contributions are written only if its claims were and
   * no reversal was requested for them (onlyIf, checked under the store's append lock), so the claim stays the one
   * gate of exactly-once. Whatever does not fit that path (a claim already taken, a person not found or refusing, a
   * pending reversal, a person written meanwhile) is handed to the per-row path, which re-reads and re-decides:
   * the batch only saves round trips, it never decides differently.
   */
  private async postBatched(
    agency: Agency,
    rows: Array<{ index: number; payment: AgencyPayment }>,
    context: CommandContext,
    track: (p: number) => void,
    results: RowResult[],
    perRow: PerRowWork,
  ): Promise<void> {
    const personIds = await this.persons.personIdsOf(rows.map((r) => r.payment.idNumber));
    const receivedAt = new Date().toISOString();
    const claims = rows.map(({ index, payment }): Claim => {
      const receiptId = receiptIdFor(agency.id, payment.reference);
      const received: PaymentReceivedData = { receiptId, agencyId: agency.id, reference: payment.reference, payment, receivedAt };
      const stream = receiptStream(agency.id, payment.reference);
      return { index, payment, received, receipt: { stream, revision: 0, received, heldReason: null, cancelled: false } };
    });
    const settleAlone = (c: Claim) =>
      perRow.add(
        c.payment.idNumber,
        c.index,
        async () => (results[c.index] = fromSettled(c.index, c.payment.reference, c.received.receiptId, await this.settle(c.receipt, context, track))),
      );
    const byPerson = new Map<string, Claim[]>();
    for (const c of claims) {
      const personId = personIds.get(c.payment.idNumber);
      if (!personId) continue;
      const ofPerson = byPerson.get(personId);
      if (ofPerson) ofPerson.push(c);
      else byPerson.set(personId, [c]);
    }
    const decided = await this.decide(byPerson, context);

    // Each person's claims, then its contributions right after them: a reader of the store finds both in one piece.
    const writes: StreamWrite[] = [];
    const claimAt = new Map<Claim, number>();
    const addClaim = (c: Claim) => {
      claimAt.set(c, writes.length);
      writes.push({
        streamName: c.receipt.stream,
        events: [{ eventId: newEventId(), type: AgencyEvents.paymentReceived, data: c.received, metadata: metadataOf(context) }],
        expectedRevision: 'no_stream',
      });
    };
    const contributionsAt: Array<{ at: number; person: DecidedPerson }> = [];
    for (const person of decided) {
      for (const c of byPerson.get(person.personId)!) addClaim(c);
      if (!person.write) continue;
      contributionsAt.push({ at: writes.length, person });
      writes.push({
        ...person.write,
        onlyIf: {
          written: person.applied.map((a) => claimAt.get(a.claim)!),
          noStreams: person.applied.map((a) => reversalStream(agency.id, a.claim.payment.reference)),
        },
      });
    }
    for (const c of claims) if (!claimAt.has(c)) addClaim(c);
    const written = await this.store.appendToStreams(writes);

    const answered = new Set<Claim>();
    for (const c of claims) {
      const outcome = written[claimAt.get(c)!]!;
      if (outcome.ok) track(outcome.result.position);
      else if (outcome.error instanceof WrongExpectedRevision) {
        // Posted before (a retry, a racing request): duplicate or conflict, as the per-row path finds.
        answered.add(c);
        perRow.add(c.payment.idNumber, c.index, async () => (results[c.index] = await this.ingest(agency, c.payment, c.index, context, track)));
      } else throw outcome.error;
    }
    const accept = (person: DecidedPerson, position: number) => {
      track(position);
      for (const a of person.applied) results[a.claim.index] = acceptedRow(a.claim.index, a.claim.received, person.personId, a.state);
    };
    let contended = new Map<string, Claim[]>();
    for (const { at, person } of contributionsAt) {
      const outcome = written[at]!;
      if (outcome.ok) {
        accept(person, outcome.result.position);
        for (const a of person.applied) answered.add(a.claim);
      } else if (outcome.error instanceof WrongExpectedRevision) {
        // Written by another request since the read. Its conditions held (they are checked first): the claims are written.
        contended.set(
          person.personId,
          person.applied.map((a) => a.claim),
        );
        for (const a of person.applied) answered.add(a.claim);
      } else if (!(outcome.error instanceof WriteConditionFailed)) throw outcome.error;
    }
    // Claimed but not applied here: the person unknown or refusing, another claim of the person's taken, a reversal waiting.
    for (const c of claims) if (!answered.has(c)) settleAlone(c);

    // A person written by another request meanwhile is read again and re-decided in batch a few times; rows still
    // contended after that go the per-row way.
    for (let attempt = 2; contended.size > 0; attempt++) {
      const again = await this.decide(contended, context);
      const next = new Map<string, Claim[]>();
      const retried = again.filter((p) => p.write !== null);
      const outcomes = await this.store.appendToStreams(retried.map((p) => p.write!));
      outcomes.forEach((outcome, i) => {
        const person = retried[i]!;
        if (outcome.ok) accept(person, outcome.result.position);
        else if (outcome.error instanceof WrongExpectedRevision) {
          if (attempt < BATCH_ATTEMPTS)
            next.set(
              person.personId,
              person.applied.map((a) => a.claim),
            );
          else for (const a of person.applied) settleAlone(a.claim);
        } else throw outcome.error;
      });
      for (const person of again) for (const c of person.refused) settleAlone(c);
      contended = next;
    }
  }

  /**
   * Each person's rows decided in input order on its state, which holds only the periods those rows pay for (deciding
   * and assessing a payment needs no other): the contributions to write at the revision read, with the state after
   * each row; and the rows the decider refuses or finds recorded already, which the per-row path settles.
   */
  private async decide(byPerson: ReadonlyMap<string, Claim[]>, context: CommandContext): Promise<DecidedPerson[]> {
    if (byPerson.size === 0) return [];
    const scopes = new Map([...byPerson].map(([personId, claims]) => [personId, new Set(claims.map((c) => contributionPeriodKey(c.payment)))]));
    const loaded = await this.personStates.load([...byPerson.keys()], scopes);
    const decided: DecidedPerson[] = [];
    for (const [personId, claims] of byPerson) {
      const { state: before, revision } = loaded.get(personId)!;
      let state = before;
      const pending: PersonEvent[] = [];
      const person: DecidedPerson = { personId, applied: [], refused: [], write: null };
      for (const claim of claims) {
        const decision = decideContribution(state, claim.received);
        if ('refused' in decision || decision.events.length === 0) {
          person.refused.push(claim);
          continue;
        }
        pending.push(...decision.events);
        state = decision.events.reduce((s, e) => evolvePerson(s, e), state);
        person.applied.push({ claim, state });
      }
      if (pending.length) {
        person.write = {
          streamName: personStreamId(personId),
          events: pending.map((e) => ({ eventId: newEventId(), type: e.type, data: e.data, metadata: metadataOf(context) })),
          expectedRevision: revision < 0 ? 'no_stream' : revision,
        };
      }
      decided.push(person);
    }
    return decided;
  }

  private async ingest(agency: Agency, payment: AgencyPayment, index: number, context: CommandContext, track: (p: number) => void): Promise<RowResult> {
    const receiptId = receiptIdFor(agency.id, payment.reference);
    const stream = receiptStream(agency.id, payment.reference);
    const received: PaymentReceivedData = { receiptId, agencyId: agency.id, reference: payment.reference, payment, receivedAt: new Date().toISOString() };
    let receipt: ReceiptState;
    try {
      const written = await this.store.appendToStream(
        stream,
        [{ eventId: newEventId(), type: AgencyEvents.paymentReceived, data: received, metadata: metadataOf(context) }],
        {
          expectedRevision: 'no_stream',
        },
      );
      track(written.position);
      receipt = { stream, revision: 0, received, heldReason: null, cancelled: false };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
      const existing = await this.loadReceipt(stream);
      if (!existing) throw error;
      if (!samePayment(existing.received.payment, payment)) {
        return {
          index,
          reference: payment.reference,
          status: 'conflict',
          receiptId,
          code: 'reference_conflict',
          message: `reference ${payment.reference} was already posted with different content; nothing was written (receipt ${receiptId})`,
        };
      }
      const settled = await this.settle(existing, context, track);
      return { index, reference: payment.reference, status: 'duplicate', receiptId, originalStatus: settledStatus(settled) };
    }
    return fromSettled(index, payment.reference, receiptId, await this.settle(receipt, context, track));
  }

  private async loadReceipt(stream: string): Promise<ReceiptState | null> {
    return foldReceipt(stream, await this.store.readStream(stream));
  }

  /** Brings a receipt to its settled state; safe to call any number of times, from any number of places at once. */
  async settle(start: ReceiptState, context: CommandContext, track: (p: number) => void = () => undefined): Promise<Settled> {
    let receipt = start;
    for (let attempt = 1; ; attempt++) {
      if (receipt.cancelled) return { status: 'reversed' };
      let application = await this.applyToPerson(receipt.received, context, track);
      if (!application.applied && receipt.heldReason !== application.reason) {
        try {
          const held: PaymentHeldData = { receiptId: receipt.received.receiptId, reason: application.reason };
          const written = await this.store.appendToStream(
            receipt.stream,
            [{ eventId: newEventId(), type: AgencyEvents.paymentHeld, data: held, metadata: metadataOf(context) }],
            {
              expectedRevision: receipt.revision,
            },
          );
          track(written.position);
          receipt = { ...receipt, revision: written.nextExpectedRevision, heldReason: application.reason };
        } catch (error) {
          if (!(error instanceof WrongExpectedRevision) || attempt >= MAX_ATTEMPTS) throw error;
          receipt = (await this.loadReceipt(receipt.stream)) ?? receipt;
          continue;
        }
        // A hold is written when a payment is first held and again when its reason changes (the
        // person registered but is not enrolled yet), so clerks see why it still waits. The person
        // may have registered or enrolled between the look and the hold; the releaser only sees
        // holds written before that event, so look once more after writing it.
        application = await this.applyToPerson(receipt.received, context, track);
      }
      const reversal = await this.reversalOf(receipt.received);
      if (!application.applied) {
        if (reversal) return this.cancel(receipt, reversal.reason, context, track);
        return { status: 'held', reason: receipt.heldReason ?? application.reason };
      }
      const reversed = reversal ? await this.reverseContribution(application.personId, receipt.received.receiptId, reversal.reason, context, track) : false;
      return { status: 'accepted', personId: application.personId, reversed, assessment: assess(application.state, receipt.received) };
    }
  }

  /** Records the contribution on the person's stream, or says why it cannot be yet. */
  private async applyToPerson(received: PaymentReceivedData, context: CommandContext, track: (p: number) => void): Promise<Application> {
    const p = received.payment;
    const personId = await this.persons.personIdOf(p.idNumber);
    if (!personId) return { applied: false, reason: 'person_not_found' };
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.loadPerson(personId);
      const decision = decideContribution(state, received);
      if ('refused' in decision) return { applied: false, reason: decision.refused };
      if (decision.events.length === 0) return { applied: true, personId, state };
      const decided = decision.events;
      try {
        const written = await this.store.appendToStream(
          personStreamId(personId),
          decided.map((e) => ({ eventId: newEventId(), type: e.type, data: e.data, metadata: metadataOf(context) })),
          { expectedRevision: revision < 0 ? 'no_stream' : revision },
        );
        track(written.position);
        return { applied: true, personId, state: decided.reduce((s, e) => evolvePerson(s, e), state) };
      } catch (error) {
        if (error instanceof WrongExpectedRevision && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  private async loadPerson(personId: string) {
    return (await this.personStates.load([personId])).get(personId)!;
  }

  private async reversalOf(received: PaymentReceivedData): Promise<ReversalRequestedData | null> {
    const [requested] = await this.store.readStream(reversalStream(received.agencyId, received.reference), { maxCount: 1 });
    return requested ? (requested.data as ReversalRequestedData) : null;
  }

  private async cancel(receipt: ReceiptState, reason: string, context: CommandContext, track: (p: number) => void): Promise<Settled> {
    for (let attempt = 1; ; attempt++) {
      if (receipt.cancelled) return { status: 'reversed' };
      try {
        const data: PaymentCancelledData = { receiptId: receipt.received.receiptId, reason, cancelledAt: new Date().toISOString() };
        const written = await this.store.appendToStream(
          receipt.stream,
          [{ eventId: newEventId(), type: AgencyEvents.paymentCancelled, data, metadata: metadataOf(context, reason) }],
          {
            expectedRevision: receipt.revision,
          },
        );
        track(written.position);
        return { status: 'reversed' };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision) || attempt >= MAX_ATTEMPTS) throw error;
        receipt = (await this.loadReceipt(receipt.stream)) ?? receipt;
      }
    }
  }

  private async reverseContribution(
    personId: string,
    contributionId: string,
    reason: string,
    context: CommandContext,
    track: (p: number) => void,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.loadPerson(personId);
      if (state.reversals[contributionId]) return true;
      const decided = decidePerson(
        state,
        { type: 'ReverseContribution', data: { contributionId, reversedAt: new Date().toISOString(), reason } },
        { today: chinaToday() },
      );
      try {
        const written = await this.store.appendToStream(
          personStreamId(personId),
          decided.map((e) => ({ eventId: newEventId(), type: e.type, data: e.data, metadata: metadataOf(context, reason) })),
          { expectedRevision: revision },
        );
        track(written.position);
        return true;
      } catch (error) {
        if (error instanceof WrongExpectedRevision && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /**
   * POST …/{reference}/reversal. The request is claimed on its own stream first, so a reversal
   * that arrives before its payment waits there and the payment's settlement applies it.
   */
  async reverse(
    agency: Agency,
    reference: string,
    reason: string,
    context: CommandContext,
  ): Promise<{ receiptId: string; status: 'reversed' | 'held'; position: number; projected: boolean }> {
    const receiptId = receiptIdFor(agency.id, reference);
    let position = 0;
    const track = (p: number) => (position = Math.max(position, p));
    const request: ReversalRequestedData = { receiptId, agencyId: agency.id, reference, reason, requestedAt: new Date().toISOString() };
    try {
      const written = await this.store.appendToStream(
        reversalStream(agency.id, reference),
        [{ eventId: newEventId(), type: AgencyEvents.reversalRequested, data: request, metadata: metadataOf(context, reason) }],
        { expectedRevision: 'no_stream' },
      );
      track(written.position);
    } catch (error) {
      // Asked before: the first request stands; settling again below is idempotent.
      if (!(error instanceof WrongExpectedRevision)) throw error;
    }
    const receipt = await this.loadReceipt(receiptStream(agency.id, reference));
    let status: 'reversed' | 'held' = 'held';
    if (receipt) {
      const settled = await this.settle(receipt, context, track);
      // settle() finds the request just claimed and applies it, to the person's stream or to the receipt.
      if (settled.status === 'reversed' || (settled.status === 'accepted' && settled.reversed)) status = 'reversed';
    }
    return { receiptId, status, position, projected: position === 0 ? true : await this.writer.caughtUp(position) };
  }

  /** Settles a receipt again (the held-payment releaser and the clerk's retry). */
  async release(agencyId: string, reference: string, context: CommandContext): Promise<Settled | null> {
    const receipt = await this.loadReceipt(receiptStream(agencyId, reference));
    return receipt ? this.settle(receipt, context) : null;
  }
}

/** Per-row work queued by group key (ID number, or the group of a reference's first row), kept in input order within a group. */
class PerRowWork {
  private readonly byKey = new Map<string, Array<{ index: number; task: () => Promise<unknown> }>>();

  add(key: string, index: number, task: () => Promise<unknown>): void {
    const tasks = this.byKey.get(key) ?? [];
    tasks.push({ index, task });
    this.byKey.set(key, tasks);
  }

  groups(): Array<Array<() => Promise<unknown>>> {
    return [...this.byKey.values()].map((tasks) => tasks.sort((a, b) => a.index - b.index).map((t) => t.task));
  }
}

type ContributionDecision = { refused: string } | { events: PersonEvent[] };

/** The person decider on a payment: the events to append (none when already recorded), or why it must be held. */
function decideContribution(state: PersonState, received: PaymentReceivedData): ContributionDecision {
  const p = received.payment;
  if (state.personId === null) return { refused: 'person_not_found' };
  if (state.contributions[received.receiptId]) return { events: [] };
  if (state.name !== null && state.name.normalize('NFC') !== p.name) return { refused: 'name_mismatch' };
  try {
    return {
      events: decidePerson(
        state,
        {
          type: 'RecordContribution',
          data: {
            contributionId: received.receiptId,
            scheme: p.scheme,
            regionCode: p.regionCode,
            ...(p.coverageYear !== undefined ? { coverageYear: p.coverageYear } : { coverageMonth: p.coverageMonth }),
            amountFen: p.amountFen,
            payer: 'individual',
            agencyId: received.agencyId,
            agencyReference: received.reference,
            paidAt: p.paidAt,
            // A resident year paid after it ended is a make-up (补缴); employee months are regular whenever paid.
            kind: p.coverageYear !== undefined && Number(chinaDateOf(p.paidAt).slice(0, 4)) > p.coverageYear ? 'make_up' : 'regular',
          },
        },
        { today: chinaToday() },
      ),
    };
  } catch (error) {
    // Every refusal holds the payment: the money was taken and must not be lost.
    if (isDomainError(error)) return { refused: error.code === 'not_registered' ? 'person_not_found' : error.code };
    throw error;
  }
}

function acceptedRow(index: number, received: PaymentReceivedData, personId: string, state: PersonState): RowResult {
  return {
    index,
    reference: received.reference,
    status: 'accepted',
    receiptId: received.receiptId,
    personId,
    reversed: false,
    assessment: assess(state, received),
  };
}

function fromSettled(index: number, reference: string, receiptId: string, settled: Settled): RowResult {
  if (settled.status === 'held') return { index, reference, status: 'held', receiptId, reason: settled.reason };
  if (settled.status === 'reversed') return { index, reference, status: 'accepted', receiptId, personId: null, reversed: true, assessment: null };
  return { index, reference, status: 'accepted', receiptId, personId: settled.personId, reversed: settled.reversed, assessment: settled.assessment };
}

function settledStatus(s: Settled): SettledStatus {
  return s.status === 'accepted' && s.reversed ? 'reversed' : s.status;
}

/** The row's own view of the period after it was recorded; the refunds-due list is the settled, order-independent one. */
function assess(state: PersonState, received: PaymentReceivedData): Assessment {
  const p = received.payment;
  const period = settlePeriod(state, p.scheme, periodOf(p), p.regionCode);
  const refund = period?.refunds.find((r) => r.contributionId === received.receiptId);
  const flags: Assessment['flags'] = [];
  if (period && period.arrearsFen > 0) flags.push('underpaid');
  if (refund) flags.push(refund.reason);
  return { dueFen: period?.dueFen ?? null, paidFen: period?.paidFen ?? 0, arrearsFen: period?.arrearsFen ?? 0, refundFen: refund?.refundFen ?? 0, flags };
}
