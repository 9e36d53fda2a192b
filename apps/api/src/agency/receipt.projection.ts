import { chinaDateOf, type ContributionRecordedData, type ContributionReversedData } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Projection } from '@ledger/read-models';
import type { EntityManager } from 'typeorm';
import { AgencyEvents, RECEIPT_STREAM, type PaymentCancelledData, type PaymentHeldData, type PaymentReceivedData } from './agency-events';
import { periodOf } from './payment-row';
import { AgencyReceiptView, statusRank, type ReceiptStatus } from './receipt-view.entity';

interface Change {
  status: ReceiptStatus;
  heldReason: string | null;
  personId: string | null;
}

/**
 * Receipts from their claim events, moved forward by what happens to them on the receipt stream
 * (held, cancelled) and on the person's stream (ContributionRecorded / Reversed whose
 * contributionId is the receipt id). Status only rises (pending < held < accepted < reversed),
 * so a batch folds to one update per receipt.
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
    const inserts: AgencyReceiptView[] = [];
    const changes = new Map<string, Change>();
    const raise = (receiptId: string, next: Change) => {
      const current = changes.get(receiptId);
      if (!current || statusRank(next.status) > statusRank(current.status) || (next.status === 'held' && current.status === 'held'))
        changes.set(receiptId, { ...next, personId: next.personId ?? current?.personId ?? null });
      else if (next.personId && !current.personId) current.personId = next.personId;
    };
    for (const e of events) {
      if (e.streamName.startsWith(RECEIPT_STREAM)) {
        if (e.type === AgencyEvents.paymentReceived) inserts.push(receiptRow(e));
        else if (e.type === AgencyEvents.paymentHeld) {
          const d = e.data as PaymentHeldData;
          raise(d.receiptId, { status: 'held', heldReason: d.reason, personId: null });
        } else if (e.type === AgencyEvents.paymentCancelled)
          raise((e.data as PaymentCancelledData).receiptId, { status: 'reversed', heldReason: null, personId: null });
      } else if (e.type === 'ContributionRecorded' && (e.data as ContributionRecordedData).agencyId) {
        raise((e.data as ContributionRecordedData).contributionId, { status: 'accepted', heldReason: null, personId: e.streamName.slice('person-'.length) });
      } else if (e.type === 'ContributionReversed') {
        raise((e.data as ContributionReversedData).contributionId, { status: 'reversed', heldReason: null, personId: null });
      }
    }
    // One JSON parameter rather than TypeORM's insert builder: building 17 parameters a row for a thousand rows cost more CPU than the insert.
    if (inserts.length) {
      await manager.query(
        `INSERT INTO agency_receipt_view ("receiptId", "agencyId", reference, "idNumber", name, scheme, "regionCode", period, "amountFen", "paidAt", "paidOn",
                                          "receivedAt", status, "statusRank", "heldReason", "personId", position)
         SELECT "receiptId", "agencyId", reference, "idNumber", name, scheme, "regionCode", period, "amountFen", "paidAt", "paidOn",
                "receivedAt", status, "statusRank", "heldReason", "personId", position
           FROM json_to_recordset($1::json) AS x("receiptId" uuid, "agencyId" uuid, reference text, "idNumber" text, name text, scheme text, "regionCode" text,
                period text, "amountFen" bigint, "paidAt" text, "paidOn" date, "receivedAt" timestamptz, status text, "statusRank" smallint, "heldReason" text,
                "personId" uuid, position bigint)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(inserts)],
      );
    }
    if (changes.size === 0) return;
    const ids = [...changes.keys()];
    const rows = ids.map((id) => changes.get(id)!);
    // Contributions recorded at the counter share the event type; the join on receiptId leaves them out.
    await manager.query(
      `UPDATE agency_receipt_view v
          SET status = x.status, "statusRank" = x.rank,
              "heldReason" = CASE WHEN x.status = 'held' THEN x.reason ELSE v."heldReason" END,
              "personId" = coalesce(x.person, v."personId")
         FROM unnest($1::uuid[], $2::text[], $3::smallint[], $4::text[], $5::uuid[]) AS x(id, status, rank, reason, person)
        WHERE v."receiptId" = x.id AND (v."statusRank" < x.rank OR (v.status = 'held' AND x.status = 'held'))`,
      [ids, rows.map((r) => r.status), rows.map((r) => statusRank(r.status)), rows.map((r) => r.heldReason), rows.map((r) => r.personId)],
    );
    const withPerson = rows.map((r, i) => [ids[i], r.personId] as const).filter(([, p]) => p !== null);
    if (withPerson.length) {
      await manager.query(
        `UPDATE agency_receipt_view v SET "personId" = x.person FROM unnest($1::uuid[], $2::uuid[]) AS x(id, person) WHERE v."receiptId" = x.id AND v."personId" IS NULL`,
        [withPerson.map(([id]) => id), withPerson.map(([, p]) => p)],
      );
    }
  }
}

function receiptRow(e: StoredEvent): AgencyReceiptView {
  const d = e.data as PaymentReceivedData;
  return Object.assign(new AgencyReceiptView(), {
    receiptId: d.receiptId,
    agencyId: d.agencyId,
    reference: d.reference,
    idNumber: d.payment.idNumber,
    name: d.payment.name,
    scheme: d.payment.scheme,
    regionCode: d.payment.regionCode,
    period: periodOf(d.payment),
    amountFen: d.payment.amountFen,
    paidAt: d.payment.paidAt,
    paidOn: chinaDateOf(d.payment.paidAt),
    receivedAt: new Date(d.receivedAt),
    status: 'pending' as const,
    statusRank: 0,
    heldReason: null,
    personId: null,
    position: e.position,
  });
}
