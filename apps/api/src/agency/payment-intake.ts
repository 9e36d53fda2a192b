import { Inject, Injectable } from '@nestjs/common';
import {
  chinaDateOf,
  chinaToday,
  contributionPeriodKey,
  decidePerson,
  evolvePerson,
  isDomainError,
  personIdOfStream,
  personStreamId,
  type ContributionRecordedData,
  type PersonEvent,
  type PersonState,
} from '@ledger/domain';
import {
  newEventId,
  EVENT_STORE,
  KeyReserved,
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
  receiptKey,
  receiptStream,
  reversalStream,
  reversalStreamOf,
  type PaymentCancelledData,
  type PaymentHeldData,
  type PaymentReceivedData,
  type ReceiptState,
  type ReversalRequestedData,
} from './agency-events';
import type { Agency } from './agency-registry';
import { mapBounded } from './bounded';
import { agencyMayCollect, checkPaymentRow, paymentOfContribution, periodOf, samePayment, type AgencyPayment } from './payment-row';
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
   * their states, decide each person's rows in input order, and write in one call each person's contributions at the
   * revision read, together with a claim for every row that cannot go to a person's ledger now. Each contribution takes
   * its receipt's key (reserve), as a claim does, so the key stays the one gate of exactly-once; a person's
   * contributions are written only if no reversal was requested for them and no claim predates the keys (onlyIf,
   * checked under the store's append lock). Whatever does not fit that path (a key already taken, a person not found or
   * refusing, a pending reversal, a person written meanwhile) is handed to the per-row path, which re-reads and
   * re-decides: the batch only saves round trips, it never decides differently.
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
    const claims = rows.map(({ index, payment }) => claimOf(agency, index, payment, receivedAt));
    const alone = (c: Claim) =>
      perRow.add(c.payment.idNumber, c.index, async () => (results[c.index] = await this.ingest(agency, c.payment, c.index, context, track)));
    const byPerson = new Map<string, Claim[]>();
    for (const c of claims) {
      const personId = personIds.get(c.payment.idNumber);
      if (!personId) continue;
      const ofPerson = byPerson.get(personId);
      if (ofPerson) ofPerson.push(c);
      else byPerson.set(personId, [c]);
    }
    // The first decision trusts person_view's snapshots: the expected revision catches one that lags, and the retries
    // below read the stream's tail.
    const decided = await this.decide(byPerson, context, { trustSnapshots: true });
    const applied = new Set<Claim>();
    for (const person of decided) for (const a of person.applied) applied.add(a.claim);

    const writes: StreamWrite[] = [];
    const contributionsAt: Array<{ at: number; person: DecidedPerson }> = [];
    for (const person of decided) {
      if (!person.write) continue;
      contributionsAt.push({ at: writes.length, person });
      writes.push(this.contributionWrite(agency, person));
    }
    // Rows no person's write carries: claimed, to be held (or applied by the per-row path when it can).
    const claimAt = new Map<Claim, number>();
    for (const c of claims) {
      if (applied.has(c)) continue;
      claimAt.set(c, writes.length);
      writes.push(claimWrite(c, context));
    }
    const written = await this.store.appendToStreams(writes);

    for (const [c, at] of claimAt) {
      const outcome = written[at]!;
      if (outcome.ok) {
        track(outcome.result.position);
        perRow.add(
          c.payment.idNumber,
          c.index,
          async () => (results[c.index] = fromSettled(c.index, c.payment.reference, c.received.receiptId, await this.settle(c.receipt, context, track))),
        );
      } else if (outcome.error instanceof WrongExpectedRevision || outcome.error instanceof KeyReserved) {
        // Posted before (a retry, a racing request): duplicate or conflict, as the per-row path finds.
        alone(c);
      } else throw outcome.error;
    }
    const accept = (person: DecidedPerson, position: number) => {
      track(position);
      for (const a of person.applied) results[a.claim.index] = acceptedRow(a.claim.index, a.claim.received, person.personId, a.state);
    };
    let contended = new Map<string, Claim[]>();
    for (const { at, person } of contributionsAt) {
      const outcome = written[at]!;
      if (outcome.ok) accept(person, outcome.result.position);
      else if (outcome.error instanceof WrongExpectedRevision)
        contended.set(
          person.personId,
          person.applied.map((a) => a.claim),
        );
      // A key taken (posted before), a reversal waiting or an older claim: each row on its own.
      else if (outcome.error instanceof KeyReserved || outcome.error instanceof WriteConditionFailed) for (const a of person.applied) alone(a.claim);
      else throw outcome.error;
    }

    // A person written by another request meanwhile is read again and re-decided in batch a few times; rows still
    // contended after that go the per-row way.
    for (let attempt = 2; contended.size > 0; attempt++) {
      const again = await this.decide(contended, context);
      const next = new Map<string, Claim[]>();
      const retried = again.filter((p) => p.write !== null);
      const outcomes = await this.store.appendToStreams(retried.map((p) => this.contributionWrite(agency, p)));
      outcomes.forEach((outcome, i) => {
        const person = retried[i]!;
        if (outcome.ok) accept(person, outcome.result.position);
        else if (outcome.error instanceof WrongExpectedRevision && attempt < BATCH_ATTEMPTS)
          next.set(
            person.personId,
            person.applied.map((a) => a.claim),
          );
        else if (outcome.error instanceof WrongExpectedRevision || outcome.error instanceof KeyReserved || outcome.error instanceof WriteConditionFailed)
          for (const a of person.applied) alone(a.claim);
        else throw outcome.error;
      });
      for (const person of again) for (const c of person.refused) alone(c);
      contended = next;
    }
  }

  /**
   * A person's decided contributions, taking their receipts' keys. Written only while no reversal waits for them and no
   * claim of theirs exists (a claim written before contributions took keys holds none).
   */
  private contributionWrite(agency: Agency, person: DecidedPerson): StreamWrite {
    const receiptStreams = person.applied.map((a) => a.claim.receipt.stream);
    return {
      ...person.write!,
      reserve: person.applied.map((a) => receiptKey(agency.id, a.claim.payment.reference)),
      onlyIf: { noStreams: [...receiptStreams.map(reversalStreamOf), ...receiptStreams] },
    };
  }

  /**
   * Each person's rows decided in input order on its state, which holds only the periods those rows pay for (deciding
   * and assessing a payment needs no other): the contributions to write at the revision read, with the state after
   * each row; and the rows the decider refuses or finds recorded already, which the per-row path settles.
   */
  private async decide(byPerson: ReadonlyMap<string, Claim[]>, context: CommandContext, load: { trustSnapshots?: boolean } = {}): Promise<DecidedPerson[]> {
    if (byPerson.size === 0) return [];
    const scopes = new Map([...byPerson].map(([personId, claims]) => [personId, new Set(claims.map((c) => contributionPeriodKey(c.payment)))]));
    const loaded = await this.personStates.load([...byPerson.keys()], scopes, load);
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
        person.write = personWrite(personId, pending, revision, context);
      }
      decided.push(person);
    }
    return decided;
  }

  /**
   * One row on its own: straight to the person's ledger when the person takes it (the contribution taking the
   * receipt's key), else claimed and settled (held; or applied, then reversed, when a reversal waits). A key found
   * taken makes the row a duplicate or a conflict of the posting that took it.
   */
  private async ingest(agency: Agency, payment: AgencyPayment, index: number, context: CommandContext, track: (p: number) => void): Promise<RowResult> {
    const claim = claimOf(agency, index, payment, new Date().toISOString());
    const direct = await this.recordDirectly(agency, claim, context, track);
    if (direct === 'taken') return this.answerTaken(agency, payment, index, context, track);
    if (direct) return acceptedRow(index, claim.received, direct.personId, direct.state);
    const [claimed] = await this.store.appendToStreams([claimWrite(claim, context)]);
    if (!claimed!.ok) {
      if (claimed!.error instanceof WrongExpectedRevision || claimed!.error instanceof KeyReserved)
        return this.answerTaken(agency, payment, index, context, track);
      throw claimed!.error;
    }
    track(claimed!.result.position);
    return fromSettled(index, payment.reference, claim.received.receiptId, await this.settle(claim.receipt, context, track));
  }

  /**
   * The contribution on the person's stream, taking the receipt's key; 'taken' when the key or the contribution is
   * there already; null when the row must be claimed instead (no such person, a refusal, a reversal waiting, a claim).
   */
  private async recordDirectly(
    agency: Agency,
    claim: Claim,
    context: CommandContext,
    track: (p: number) => void,
  ): Promise<{ personId: string; state: PersonState } | 'taken' | null> {
    const personId = await this.persons.personIdOf(claim.payment.idNumber);
    if (!personId) return null;
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.loadPerson(personId);
      if (state.contributions[claim.received.receiptId]) return 'taken';
      const decision = decideContribution(state, claim.received);
      if ('refused' in decision || decision.events.length === 0) return null;
      const after = decision.events.reduce((s, e) => evolvePerson(s, e), state);
      const person: DecidedPerson = {
        personId,
        applied: [{ claim, state: after }],
        refused: [],
        write: personWrite(personId, decision.events, revision, context),
      };
      const [outcome] = await this.store.appendToStreams([this.contributionWrite(agency, person)]);
      if (outcome!.ok) {
        track(outcome!.result.position);
        return { personId, state: after };
      }
      if (outcome!.error instanceof WrongExpectedRevision && attempt < MAX_ATTEMPTS) continue;
      if (outcome!.error instanceof KeyReserved) return 'taken';
      if (outcome!.error instanceof WriteConditionFailed) return null;
      throw outcome!.error;
    }
  }

  /** The row's receipt key is taken: by a claim or by a contribution. The row is that posting's duplicate, or a conflict. */
  private async answerTaken(agency: Agency, payment: AgencyPayment, index: number, context: CommandContext, track: (p: number) => void): Promise<RowResult> {
    const receiptId = receiptIdFor(agency.id, payment.reference);
    const conflict = (): RowResult => ({
      index,
      reference: payment.reference,
      status: 'conflict',
      receiptId,
      code: 'reference_conflict',
      message: `reference ${payment.reference} was already posted with different content; nothing was written (receipt ${receiptId})`,
    });
    const duplicate = (originalStatus: SettledStatus): RowResult => ({ index, reference: payment.reference, status: 'duplicate', receiptId, originalStatus });
    const claimed = await this.loadReceipt(receiptStream(agency.id, payment.reference));
    if (claimed) {
      if (!samePayment(claimed.received.payment, payment)) return conflict();
      return duplicate(settledStatus(await this.settle(claimed, context, track)));
    }
    const recorded = await this.recordedContribution(agency.id, payment.reference);
    if (!recorded) {
      // Only on EventStoreDB: a key taken by a write still in flight, or left by a crash before its write (README).
      throw new Problem(503, 'receipt_key_unresolved', `reference ${payment.reference}: its key is taken by a write that is not stored (yet); retry later`, {
        receiptId,
      });
    }
    const original = paymentOfContribution(recorded.data);
    if (!original || !samePayment(original, payment)) return conflict();
    const reversal = await this.reversalOf(agency.id, payment.reference);
    if (!reversal) return duplicate('accepted');
    await this.reverseContribution(recorded.personId, receiptId, reversal.reason, context, track);
    return duplicate('reversed');
  }

  /** The contribution that took a receipt's key, when one did (rather than a claim). */
  private async recordedContribution(agencyId: string, reference: string): Promise<{ personId: string; data: ContributionRecordedData } | null> {
    const holder = await this.store.reservation(receiptKey(agencyId, reference));
    const personId = holder && holder.revision >= 0 ? personIdOfStream(holder.streamName) : null;
    if (!holder || !personId) return null;
    // The key names the write that took it; a write of several rows of the person holds this one somewhere in it.
    const receiptId = receiptIdFor(agencyId, reference);
    for (const event of await this.store.readStream(holder.streamName, { fromRevision: holder.revision })) {
      if (event.type === 'ContributionRecorded' && (event.data as ContributionRecordedData).contributionId === receiptId) {
        return { personId, data: event.data as ContributionRecordedData };
      }
    }
    return null;
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
      const reversal = await this.reversalOf(receipt.received.agencyId, receipt.received.reference);
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
        const write = personWrite(personId, decided, revision, context);
        const written = await this.store.appendToStream(write.streamName, write.events, { expectedRevision: write.expectedRevision });
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

  private async reversalOf(agencyId: string, reference: string): Promise<ReversalRequestedData | null> {
    const [requested] = await this.store.readStream(reversalStream(agencyId, reference), { maxCount: 1 });
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
    } else {
      // A payment that went straight to the person's ledger: its contribution holds the key. A payment written after
      // the request above found it (its onlyIf) and took the claim's way instead.
      const recorded = await this.recordedContribution(agency.id, reference);
      if (recorded) {
        await this.reverseContribution(recorded.personId, receiptId, reason, context, track);
        status = 'reversed';
      }
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

function claimOf(agency: Agency, index: number, payment: AgencyPayment, receivedAt: string): Claim {
  const receiptId = receiptIdFor(agency.id, payment.reference);
  const received: PaymentReceivedData = { receiptId, agencyId: agency.id, reference: payment.reference, payment, receivedAt };
  const stream = receiptStream(agency.id, payment.reference);
  return { index, payment, received, receipt: { stream, revision: 0, received, heldReason: null, cancelled: false } };
}

/** Decided events for a person's stream, at the revision they were decided on (-1: the stream did not exist). */
function personWrite(personId: string, events: PersonEvent[], revision: number, context: CommandContext): StreamWrite {
  return {
    streamName: personStreamId(personId),
    events: events.map((e) => ({ eventId: newEventId(), type: e.type, data: e.data, metadata: metadataOf(context) })),
    expectedRevision: revision < 0 ? 'no_stream' : revision,
  };
}

/** A payment that cannot go to a person's ledger now, claimed on its receipt stream: the claim takes the receipt's key. */
function claimWrite(claim: Claim, context: CommandContext): StreamWrite {
  return {
    streamName: claim.receipt.stream,
    events: [{ eventId: newEventId(), type: AgencyEvents.paymentReceived, data: claim.received, metadata: metadataOf(context) }],
    expectedRevision: 'no_stream',
    reserve: [receiptKey(claim.received.agencyId, claim.received.reference)],
  };
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
            payerIdNumber: p.idNumber,
            payerName: p.name,
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
