import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { chinaDateOf, chinaToday, decidePerson, evolvePerson, isDomainError, personStreamId, replayPerson, type PersonEvent, type PersonState } from '@ledger/domain';
import { EVENT_STORE, WrongExpectedRevision, type EventMetadata, type EventStore } from '@ledger/event-store';
import { Problem } from '../common/problem';
import { LedgerWriter, type CommandContext } from '../common/ledger-writer';
import { toPersonHistory } from '../persons/person-command';
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
import { PersonLookup } from './person-lookup';
import { settlePeriods } from './settlement';

/** Rows of different persons go to the store this many at a time; more only queues on the append lock and the pool. */
const PARALLEL_PERSONS = 12;
const MAX_ATTEMPTS = 6;

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
  | { status: 'accepted'; personId: string; reversed: boolean; assessment: Assessment }
  | { status: 'held'; reason: string }
  | { status: 'reversed' };
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
  ) {}

  async post(agency: Agency, rows: unknown[], context: CommandContext): Promise<BatchAnswer> {
    const today = chinaToday();
    const checks = rows.map((row) => checkPaymentRow(row, today));
    const outside = checks.flatMap((c, index) => (c.ok && !agencyMayCollect(agency.regions, c.payment.regionCode) ? [{ index, reference: c.payment.reference, regionCode: c.payment.regionCode }] : []));
    if (outside.length) {
      throw new Problem(403, 'region_not_allowed', `The agency may collect only for ${agency.regions.join(', ')}; ${outside.length} row(s) are for other regions. Nothing was written.`, {
        rows: outside.slice(0, 100),
      });
    }
    const results = new Array<RowResult>(rows.length);
    let position = 0;
    const track = (p: number) => (position = Math.max(position, p));
    // Rows of one person (or one reference) run in input order; different persons in parallel.
    const groups = new Map<string, number[]>();
    const groupOfReference = new Map<string, string>();
    checks.forEach((c, index) => {
      if (!c.ok) {
        results[index] = { index, reference: c.reference, status: 'rejected', code: c.code, message: c.message };
        return;
      }
      const key = groupOfReference.get(c.payment.reference) ?? c.payment.idNumber;
      groupOfReference.set(c.payment.reference, key);
      groups.set(key, [...(groups.get(key) ?? []), index]);
    });
    await mapBounded([...groups.values()], PARALLEL_PERSONS, async (indexes) => {
      for (const index of indexes) {
        const check = checks[index]!;
        if (check.ok) results[index] = await this.ingest(agency, check.payment, index, context, track);
      }
    });
    const summary = { accepted: 0, duplicate: 0, conflict: 0, held: 0, rejected: 0 };
    for (const r of results) summary[r.status]++;
    return { results, summary, position, projected: position === 0 ? true : await this.writer.caughtUp(position) };
  }

  private async ingest(agency: Agency, payment: AgencyPayment, index: number, context: CommandContext, track: (p: number) => void): Promise<RowResult> {
    const receiptId = receiptIdFor(agency.id, payment.reference);
    const stream = receiptStream(agency.id, payment.reference);
    const received: PaymentReceivedData = { receiptId, agencyId: agency.id, reference: payment.reference, payment, receivedAt: new Date().toISOString() };
    let receipt: ReceiptState;
    try {
      const written = await this.store.appendToStream(stream, [{ eventId: randomUUID(), type: AgencyEvents.paymentReceived, data: received, metadata: metadataOf(context) }], {
        expectedRevision: 'no_stream',
      });
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
    const settled = await this.settle(receipt, context, track);
    if (settled.status === 'held') return { index, reference: payment.reference, status: 'held', receiptId, reason: settled.reason };
    if (settled.status === 'reversed') return { index, reference: payment.reference, status: 'accepted', receiptId, personId: null, reversed: true, assessment: null };
    return { index, reference: payment.reference, status: 'accepted', receiptId, personId: settled.personId, reversed: settled.reversed, assessment: settled.assessment };
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
          const written = await this.store.appendToStream(receipt.stream, [{ eventId: randomUUID(), type: AgencyEvents.paymentHeld, data: held, metadata: metadataOf(context) }], {
            expectedRevision: receipt.revision,
          });
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
      const events = await this.store.readStream(personStreamId(personId));
      const state = replayPerson(toPersonHistory(events));
      if (state.personId === null) return { applied: false, reason: 'person_not_found' };
      if (state.contributions[received.receiptId]) return { applied: true, personId, state };
      if (state.name !== null && state.name.normalize('NFC') !== p.name) return { applied: false, reason: 'name_mismatch' };
      let decided: PersonEvent[];
      try {
        decided = decidePerson(
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
        );
      } catch (error) {
        // Every refusal holds the payment: the money was taken and must not be lost.
        if (isDomainError(error)) return { applied: false, reason: error.code === 'not_registered' ? 'person_not_found' : error.code };
        throw error;
      }
      const revision = events.length ? events[events.length - 1]!.revision : -1;
      try {
        const written = await this.store.appendToStream(
          personStreamId(personId),
          decided.map((e) => ({ eventId: randomUUID(), type: e.type, data: e.data, metadata: metadataOf(context) })),
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

  private async reversalOf(received: PaymentReceivedData): Promise<ReversalRequestedData | null> {
    const [requested] = await this.store.readStream(reversalStream(received.agencyId, received.reference), { maxCount: 1 });
    return requested ? (requested.data as ReversalRequestedData) : null;
  }

  private async cancel(receipt: ReceiptState, reason: string, context: CommandContext, track: (p: number) => void): Promise<Settled> {
    for (let attempt = 1; ; attempt++) {
      if (receipt.cancelled) return { status: 'reversed' };
      try {
        const data: PaymentCancelledData = { receiptId: receipt.received.receiptId, reason, cancelledAt: new Date().toISOString() };
        const written = await this.store.appendToStream(receipt.stream, [{ eventId: randomUUID(), type: AgencyEvents.paymentCancelled, data, metadata: metadataOf(context, reason) }], {
          expectedRevision: receipt.revision,
        });
        track(written.position);
        return { status: 'reversed' };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision) || attempt >= MAX_ATTEMPTS) throw error;
        receipt = (await this.loadReceipt(receipt.stream)) ?? receipt;
      }
    }
  }

  private async reverseContribution(personId: string, contributionId: string, reason: string, context: CommandContext, track: (p: number) => void): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const events = await this.store.readStream(personStreamId(personId));
      const state = replayPerson(toPersonHistory(events));
      if (state.reversals[contributionId]) return true;
      const decided = decidePerson(state, { type: 'ReverseContribution', data: { contributionId, reversedAt: new Date().toISOString(), reason } }, { today: chinaToday() });
      try {
        const written = await this.store.appendToStream(
          personStreamId(personId),
          decided.map((e) => ({ eventId: randomUUID(), type: e.type, data: e.data, metadata: metadataOf(context, reason) })),
          { expectedRevision: events[events.length - 1]!.revision },
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
  async reverse(agency: Agency, reference: string, reason: string, context: CommandContext): Promise<{ receiptId: string; status: 'reversed' | 'held'; position: number; projected: boolean }> {
    const receiptId = receiptIdFor(agency.id, reference);
    let position = 0;
    const track = (p: number) => (position = Math.max(position, p));
    const request: ReversalRequestedData = { receiptId, agencyId: agency.id, reference, reason, requestedAt: new Date().toISOString() };
    try {
      const written = await this.store.appendToStream(
        reversalStream(agency.id, reference),
        [{ eventId: randomUUID(), type: AgencyEvents.reversalRequested, data: request, metadata: metadataOf(context, reason) }],
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

function settledStatus(s: Settled): SettledStatus {
  return s.status === 'accepted' && s.reversed ? 'reversed' : s.status;
}

/** The row's own view of the period after it was recorded; the refunds-due list is the settled, order-independent one. */
function assess(state: PersonState, received: PaymentReceivedData): Assessment {
  const p = received.payment;
  const period = settlePeriods(state).find((s) => s.scheme === p.scheme && s.period === periodOf(p) && s.regionCode === p.regionCode);
  const refund = period?.refunds.find((r) => r.contributionId === received.receiptId);
  const flags: Assessment['flags'] = [];
  if (period && period.arrearsFen > 0) flags.push('underpaid');
  if (refund) flags.push(refund.reason);
  return { dueFen: period?.dueFen ?? null, paidFen: period?.paidFen ?? 0, arrearsFen: period?.arrearsFen ?? 0, refundFen: refund?.refundFen ?? 0, flags };
}
