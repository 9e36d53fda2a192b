import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

export const RECEIPT_STATUSES = ['pending', 'held', 'accepted', 'reversed'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];
/** Statuses only move forward (a held payment can be applied, an applied one reversed), whatever order the events are applied in. */
export const statusRank = (s: ReceiptStatus): number => RECEIPT_STATUSES.indexOf(s);

/** One row per agency receipt: what reconciliation, the held queue and duplicate answers read. */
@Entity({ name: 'agency_receipt_view' })
@Index(['agencyId', 'paidOn'])
// Held receipts only: the clerk's queue and the releaser's sweep page them by id, and the releaser finds a person's by
// ID number. An applied receipt, nearly every one, takes an entry in neither (two index writes fewer per payment).
@Index('agency_receipt_view_held_by_id', ['receiptId'], { where: `"status" = 'held'` })
@Index('agency_receipt_view_held_by_id_number', ['idNumber'], { where: `"status" = 'held'` })
export class AgencyReceiptView {
  @PrimaryColumn('uuid')
  receiptId!: string;

  @Column('uuid')
  agencyId!: string;

  @Column('text')
  reference!: string;

  @Column('text')
  idNumber!: string;

  @Column('text')
  name!: string;

  @Column('text')
  scheme!: string;

  @Column('text')
  regionCode!: string;

  @Column('text')
  period!: string;

  @Column('bigint', { transformer: bigintAsNumber })
  amountFen!: number;

  @Column('text')
  paidAt!: string;

  /** China calendar date of paidAt: the day reconciliation files it under. */
  @Column('date')
  paidOn!: string;

  @Column('timestamptz')
  receivedAt!: Date;

  @Column('text')
  status!: ReceiptStatus;

  @Column('smallint')
  statusRank!: number;

  /** Why it was last held: kept once the payment is applied, as history; null when it never was. */
  @Column('text', { nullable: true })
  heldReason!: string | null;

  @Column('uuid', { nullable: true })
  personId!: string | null;

  @Column('bigint', { transformer: bigintAsNumber })
  position!: number;
}
