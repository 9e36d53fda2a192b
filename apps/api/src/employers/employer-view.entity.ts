import type { EmployerState } from '@ledger/domain';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

/** One row per employer (unit): the folded state and the make-up date the deferral list filters on. */
@Entity({ name: 'employer_view' })
export class EmployerView {
  @PrimaryColumn('text')
  employerId!: string;

  @Index()
  @Column('text')
  name!: string;

  @Column('text')
  regionCode!: string;

  @Column('jsonb')
  state!: EmployerState;

  /** Earliest make-up due date among deferrals not fully made up; null when nothing is owed. */
  @Index()
  @Column('date', { nullable: true })
  makeUpDueOn!: string | null;

  @Column('bigint', { transformer: bigintAsNumber })
  revision!: number;

  @Column('bigint', { transformer: bigintAsNumber })
  position!: number;
}
