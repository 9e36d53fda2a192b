import { chinaDateOf, personIdOfStream, type ContributionRecordedData, type ContributionReversedData } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Projection } from '@ledger/read-models';
import type { EntityManager } from 'typeorm';
import { AgencyEvents, RECEIPT_STREAM, type PaymentCancelledData, type PaymentHeldData, type PaymentReceivedData } from './agency-events';
import { paymentOfContribution, periodOf, type AgencyPayment } from './payment-row';
import { AgencyReceiptView, statusRank, type ReceiptStatus } from './receipt-view.entity';

interface Change {
  status: ReceiptStatus;
  heldReason: string | null;
  personId: string | null;
}

/**
 * Receipts from their claim events, or from the contribution of a payment that went straight to
 * the person's ledger (no claim), moved forward by what happens to them on the receipt stream
 * (held, cancelled) and on the person's stream (ContributionRecorded / Reversed whose
 * contributionId is the receipt id). Status only rises (pending < held < accepted < reversed) and
 * a hold's reason is the last one given, so a batch folds to one write per receipt and the rows do
 * not depend on how the events were split into batches (a rebuild compares equal to the live view).
 */
export class ReceiptProjection implements Projection {
  readonly name = 'agency-receipts';
  readonly eventTypes: ReadonlySet<string> = new Set([
    AgencyEvents.paymentReceived,
    AgencyEvents.paymentHeld,
    AgencyEvents.paymentCancelled,
    'ContributionRecorded',
    'ContributionReversed',
  ]);
  readonly tables = ['agency_receipt_view'];
  readonly entities = [AgencyReceiptView];

  async apply(events: StoredEvent[], manager: EntityManager): Promise<void> {
    const inserts = new Map<string, AgencyReceiptView>();
    const changes = new Map<string, Change>();
    const raise = (receiptId: string, next: Change) => {
      const current = changes.get(receiptId);
      if (!current) changes.set(receiptId, { ...next });
      else {
        if (statusRank(next.status) > statusRank(current.status)) current.status = next.status;
        current.heldReason = next.heldReason ?? current.heldReason;
        current.personId = current.personId ?? next.personId;
      }
    };
    for (const e of events) {
      if (e.streamName.startsWith(RECEIPT_STREAM)) {
        if (e.type === AgencyEvents.paymentReceived) {
          const d = e.data as PaymentReceivedData;
          inserts.set(d.receiptId, receiptRow(d.receiptId, d.agencyId, d.payment, d.receivedAt, e.position));
        } else if (e.type === AgencyEvents.paymentHeld) {
          const d = e.data as PaymentHeldData;
          raise(d.receiptId, { status: 'held', heldReason: d.reason, personId: null });
        } else if (e.type === AgencyEvents.paymentCancelled)
          raise((e.data as PaymentCancelledData).receiptId, { status: 'reversed', heldReason: null, personId: null });
      } else if (e.type === 'ContributionRecorded' && (e.data as ContributionRecordedData).agencyId) {
        const d = e.data as ContributionRecordedData;
        // A payment that went straight to the person's ledger has no claim: its contribution is the receipt. A claim's
        // row, written earlier or earlier in this batch, stays as the claim made it.
        const posted = paymentOfContribution(d);
        if (posted && !inserts.has(d.contributionId))
          inserts.set(d.contributionId, receiptRow(d.contributionId, d.agencyId!, posted, e.metadata.recordedAt, e.position));
        raise(d.contributionId, { status: 'accepted', heldReason: null, personId: personIdOfStream(e.streamName) });
      } else if (e.type === 'ContributionReversed') {
        raise((e.data as ContributionReversedData).contributionId, { status: 'reversed', heldReason: null, personId: null });
      }
    }
    // A receipt claimed in this batch is written once, with what the rest of the batch did to it (at intake speed the
    // claim and the contribution usually share a batch), instead of inserted pending and then updated.
    const folded = new Map<string, Change>();
    for (const [receiptId, change] of changes) {
      const row = inserts.get(receiptId);
      if (!row) continue;
      Object.assign(row, { status: change.status, statusRank: statusRank(change.status), heldReason: change.heldReason, personId: change.personId });
      folded.set(receiptId, change);
      changes.delete(receiptId);
    }
    if (inserts.size) {
      // One JSON parameter rather than TypeORM's insert builder: building 17 parameters a row for a thousand rows cost more CPU than the insert.
      const inserted: Array<{ receiptId: string }> = await manager.query(
        `INSERT INTO agency_receipt_view ("receiptId", "agencyId", reference, "idNumber", name, scheme, "regionCode", period, "amountFen", "paidAt", "paidOn",
                                          "receivedAt", status, "statusRank", "heldReason", "personId", position)
         SELECT "receiptId", "agencyId", reference, "idNumber", name, scheme, "regionCode", period, "amountFen", "paidAt", "paidOn",
                "receivedAt", status, "statusRank", "heldReason", "personId", position
           FROM json_to_recordset($1::json) AS x("receiptId" uuid, "agencyId" uuid, reference text, "idNumber" text, name text, scheme text, "regionCode" text,
                period text, "amountFen" bigint, "paidAt" text, "paidOn" date, "receivedAt" timestamptz, status text, "statusRank" smallint, "heldReason" text,
                "personId" uuid, position bigint)
         ON CONFLICT DO NOTHING
         RETURNING "receiptId"`,
        [JSON.stringify([...inserts.values()])],
      );
      // A claim already in the table (it is never delivered twice, but the write must not depend on that) takes its changes as updates.
      if (inserted.length < inserts.size) {
        const written = new Set(inserted.map((r) => r.receiptId));
        for (const [receiptId, change] of folded) if (!written.has(receiptId)) changes.set(receiptId, change);
      }
    }
    if (changes.size === 0) return;
    const ids = [...changes.keys()];
    const rows = ids.map((id) => changes.get(id)!);
    // The status only rises, the last reason for a hold is kept, and a person learned is filled in, so the row does not
    // depend on where batches split. Contributions recorded at the counter share the event type; the join on receiptId leaves them out.
    await manager.query(
      `UPDATE agency_receipt_view v
          SET status = CASE WHEN v."statusRank" < x.rank THEN x.status ELSE v.status END,
              "statusRank" = greatest(v."statusRank", x.rank),
              "heldReason" = coalesce(x.reason, v."heldReason"),
              "personId" = coalesce(v."personId", x.person)
         FROM unnest($1::uuid[], $2::text[], $3::smallint[], $4::text[], $5::uuid[]) AS x(id, status, rank, reason, person)
        WHERE v."receiptId" = x.id AND (v."statusRank" < x.rank OR x.reason IS NOT NULL OR (x.person IS NOT NULL AND v."personId" IS NULL))`,
      [ids, rows.map((r) => r.status), rows.map((r) => statusRank(r.status)), rows.map((r) => r.heldReason), rows.map((r) => r.personId)],
    );
  }
}

function receiptRow(receiptId: string, agencyId: string, payment: AgencyPayment, receivedAt: string, position: number): AgencyReceiptView {
  return Object.assign(new AgencyReceiptView(), {
    receiptId,
    agencyId,
    reference: payment.reference,
    idNumber: payment.idNumber,
    name: payment.name,
    scheme: payment.scheme,
    regionCode: payment.regionCode,
    period: periodOf(payment),
    amountFen: payment.amountFen,
    paidAt: payment.paidAt,
    paidOn: chinaDateOf(payment.paidAt),
    receivedAt: new Date(receivedAt),
    status: 'pending' as const,
    statusRank: 0,
    heldReason: null,
    personId: null,
    position,
  });
}
