import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { PeriodSettlement } from './settlement';

const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

/** Per person: the periods whose money does not settle exactly, with a refund due or arrears (kept by the persons projection from the person's state). */
@Entity({ name: 'agency_settlement_view' })
export class SettlementView {
  @PrimaryColumn('uuid')
  personId!: string;

  @Column('text', { nullable: true })
  idNumber!: string | null;

  @Column('text', { nullable: true })
  name!: string | null;

  /** Periods with a refund due or arrears only. json, as person_view.state: read whole, never queried inside. */
  @Column('json')
  periods!: PeriodSettlement[];

  @Index()
  @Column('bigint', { transformer: bigintAsNumber })
  refundFen!: number;

  @Column('bigint', { transformer: bigintAsNumber })
  arrearsFen!: number;
}
