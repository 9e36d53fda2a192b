import { createHash } from 'node:crypto';
import type { StoredEvent } from '@ledger/event-store';
import type { AgencyPayment } from './payment-row';
import type { SealedSecret } from './agency-secret-box';

/** Agencies are event-sourced like everything else: `agency-<id>` holds registration and rotations. */
export const AGENCY_STREAM = 'agency-';
/**
 * One stream per (agency, reference), for a payment that has to wait (a person not known yet, a refusal, a reversal
 * first): its first event is the claim, which takes the receipt's key (receiptKey).
 */
export const RECEIPT_STREAM = 'receipt-';
/** One stream per (agency, reference) reversal request, so a reversal can arrive before its payment. */
export const REVERSAL_STREAM = 'receiptreversal-';

export const AgencyEvents = {
  registered: 'AgencyRegistered',
  secretRotated: 'AgencySecretRotated',
  paymentReceived: 'AgencyPaymentReceived',
  paymentHeld: 'AgencyPaymentHeld',
  paymentCancelled: 'AgencyPaymentCancelled',
  reversalRequested: 'AgencyReversalRequested',
} as const;

export interface AgencyRegisteredData {
  agencyId: string;
  name: string;
  regions: string[];
  secret: SealedSecret;
  registeredAt: string;
}

export interface AgencySecretRotatedData {
  secret: SealedSecret;
  rotatedAt: string;
  /** Until when the secret it replaces still verifies (a short overlap for the agency's deployment). */
  previousValidUntil: string;
}

export interface PaymentReceivedData {
  receiptId: string;
  agencyId: string;
  reference: string;
  payment: AgencyPayment;
  receivedAt: string;
}

export interface PaymentHeldData {
  receiptId: string;
  reason: string;
}

/** A reversal of a payment that never reached a person's ledger (held or not yet settled). */
export interface PaymentCancelledData {
  receiptId: string;
  reason: string;
  cancelledAt: string;
}

export interface ReversalRequestedData {
  receiptId: string;
  agencyId: string;
  reference: string;
  reason: string;
  requestedAt: string;
}

const referenceKey = (agencyId: string, reference: string) => createHash('sha256').update(`${agencyId}\n${reference}`).digest('hex');

export const agencyStream = (agencyId: string) => `${AGENCY_STREAM}${agencyId}`;
export const receiptStream = (agencyId: string, reference: string) => `${RECEIPT_STREAM}${referenceKey(agencyId, reference)}`;
export const reversalStream = (agencyId: string, reference: string) => `${REVERSAL_STREAM}${referenceKey(agencyId, reference)}`;
/** reversalStream from the receipt stream of the same reference, without hashing again. */
export const reversalStreamOf = (receiptStreamName: string) => `${REVERSAL_STREAM}${receiptStreamName.slice(RECEIPT_STREAM.length)}`;

/**
 * The key (StreamWrite.reserve) that makes a posting exactly-once: taken by the contribution of a payment that goes
 * straight to the person's ledger, or by the claim of one that has to wait. The reference itself rather than its hash,
 * so that an agency's serial references take neighbouring places in the store's index of keys.
 */
export const receiptKey = (agencyId: string, reference: string) => `receipt:${agencyId}:${reference}`;

/** Deterministic, so the receipt id doubles as the person's contributionId and a re-decided append stays idempotent. */
export function receiptIdFor(agencyId: string, reference: string): string {
  const h = createHash('sha256').update(`receipt\n${agencyId}\n${reference}`).digest('hex');
  // RFC 4122 layout (version 5 style, variant 10xx) so it passes uuid validators.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A receipt stream folded: the claimed content and what happened to it on the receipt side. */
export interface ReceiptState {
  stream: string;
  revision: number;
  received: PaymentReceivedData;
  heldReason: string | null;
  cancelled: boolean;
}

export function foldReceipt(stream: string, events: StoredEvent[]): ReceiptState | null {
  const first = events[0];
  if (!first || first.type !== AgencyEvents.paymentReceived) return null;
  const state: ReceiptState = { stream, revision: first.revision, received: first.data as PaymentReceivedData, heldReason: null, cancelled: false };
  for (const e of events.slice(1)) {
    state.revision = e.revision;
    if (e.type === AgencyEvents.paymentHeld) state.heldReason = (e.data as PaymentHeldData).reason;
    if (e.type === AgencyEvents.paymentCancelled) state.cancelled = true;
  }
  return state;
}
