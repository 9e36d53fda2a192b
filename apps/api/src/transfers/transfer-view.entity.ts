import type { TransferState } from '@ledger/domain';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

/** One row per transfer: the folded state, plus the columns the clerks' queue filters and sorts on. */
@Entity({ name: 'transfer_view' })
export class TransferView {
  @PrimaryColumn('uuid')
  transferId!: string;

  @Index()
  @Column('uuid')
  personId!: string;

  @Index()
  @Column('text')
  step!: string;

  @Column('date')
  requestedOn!: string;

  /** Deadline of the pending step; null once closed. */
  @Index()
  @Column('date', { nullable: true })
  dueOn!: string | null;

  @Column('jsonb')
  state!: TransferState;

  /** Stream revision last applied: what a clerk sends back as expectedRevision. */
  @Column('bigint', { transformer: bigintAsNumber })
  revision!: number;

  @Column('bigint', { transformer: bigintAsNumber })
  position!: number;
}
