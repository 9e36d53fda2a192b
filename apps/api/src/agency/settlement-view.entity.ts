import type { PersonState } from '@ledger/domain';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { PeriodSettlement } from './settlement';

const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

/** Per person: the money facts that settle periods (categories, contributions, reversals) and the settlement they give. */
@Entity({ name: 'agency_settlement_view' })
export class SettlementView {
  @PrimaryColumn('uuid')
  personId!: string;

  @Column('text', { nullable: true })
  idNumber!: string | null;

  @Column('text', { nullable: true })
  name!: string | null;

  /** A PersonState holding only what settlement reads; other fields stay at their initial values. */
  @Column('jsonb')
  state!: PersonState;

  @Column('jsonb')
  periods!: PeriodSettlement[];

  @Index()
  @Column('bigint', { transformer: bigintAsNumber })
  refundFen!: number;

  @Column('bigint', { transformer: bigintAsNumber })
  arrearsFen!: number;
}
