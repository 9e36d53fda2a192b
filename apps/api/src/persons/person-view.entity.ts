import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { StoredPersonState } from './person-state-rows';

const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

/** One row per person: the folded state the coverage and timeline calculators read, with its contributions in person_contribution (person-state-rows.ts). */
@Entity({ name: 'person_view' })
export class PersonView {
  @PrimaryColumn('uuid')
  personId!: string;

  @Index({ unique: true })
  @Column('text')
  idNumber!: string;

  @Index()
  @Column('text')
  name!: string;

  @Column('date')
  birthDate!: string;

  /** json, not jsonb: an opaque snapshot never queried inside, so it is stored as written, without jsonb's conversion (a third cheaper to write and read). */
  @Column('json')
  state!: StoredPersonState;

  /** Stream revision last applied: the expected revision a client may send back. */
  @Column('bigint', { transformer: bigintAsNumber })
  revision!: number;

  @Column('bigint', { transformer: bigintAsNumber })
  position!: number;
}
