import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AgencyReceiptView, RECEIPT_STATUSES, type ReceiptStatus } from './receipt-view.entity';

export const RECONCILIATION_COLUMNS = ['reference', 'receiptId', 'status', 'amountFen', 'paidAt'] as const;

export const CANONICAL_FORM =
  'One line per receipt paid that China-time day: reference,receiptId,status,amountFen,paidAt (RFC 4180 quoting when a field holds a comma, quote or line break), ' +
  'sorted by the UTF-8 bytes of reference, each line ending in LF, no header; digest = lowercase hex SHA-256 of those UTF-8 bytes. ' +
  'It is exactly the CSV answer without its header line.';

export interface Reconciliation {
  agencyId: string;
  date: string;
  timeZone: 'Asia/Shanghai';
  basis: 'paidAt';
  totals: Record<ReceiptStatus | 'all', { count: number; amountFen: number }>;
  receipts: Array<{ reference: string; receiptId: string; status: ReceiptStatus; amountFen: number; paidAt: string }>;
  digest: { algorithm: 'sha256'; value: string; canonicalForm: string };
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function canonicalLines(receipts: Reconciliation['receipts']): string {
  return receipts.map((r) => `${RECONCILIATION_COLUMNS.map((c) => csvField(r[c])).join(',')}\n`).join('');
}

/** One agency's receipts for one China-time day of payment, with totals per status and a digest both sides can compute. */
@Injectable()
export class ReconciliationService {
  constructor(private readonly dataSource: DataSource) {}

  async forDay(agencyId: string, date: string): Promise<Reconciliation> {
    const rows = await this.dataSource.getRepository(AgencyReceiptView).find({
      where: { agencyId, paidOn: date },
      select: { reference: true, receiptId: true, status: true, amountFen: true, paidAt: true },
    });
    const receipts = rows
      .map((r) => ({ reference: r.reference, receiptId: r.receiptId, status: r.status, amountFen: r.amountFen, paidAt: r.paidAt }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.reference), Buffer.from(b.reference)));
    const totals = Object.fromEntries([...RECEIPT_STATUSES, 'all'].map((s) => [s, { count: 0, amountFen: 0 }])) as Reconciliation['totals'];
    for (const r of receipts) {
      for (const key of [r.status, 'all'] as const) {
        totals[key].count++;
        totals[key].amountFen += r.amountFen;
      }
    }
    const digest = createHash('sha256').update(canonicalLines(receipts), 'utf8').digest('hex');
    return {
      agencyId,
      date,
      timeZone: 'Asia/Shanghai',
      basis: 'paidAt',
      totals,
      receipts,
      digest: { algorithm: 'sha256', value: digest, canonicalForm: CANONICAL_FORM },
    };
  }

  static csv(reconciliation: Reconciliation): string {
    return `${RECONCILIATION_COLUMNS.join(',')}\n${canonicalLines(reconciliation.receipts)}`;
  }
}
