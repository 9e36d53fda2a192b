import type { ContributionRecordedData } from '@ledger/domain';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per contribution recorded on a person's stream, the first delivered (as the fold keeps it). Kept apart
 * from person_view's state so that a payment adds one small row instead of rewriting a snapshot that grows with
 * every contribution the person ever paid, and so that a payment's period can be read without the others.
 * The key's constraint is named so the start-up upgrade can create the table (read-model-columns.ts).
 */
@Entity({ name: 'person_contribution' })
export class PersonContribution {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'person_contribution_pkey' })
  personId!: string;

  /** contributionPeriodKey: scheme, year or month, region. In the key before the id, so one index serves a person, and a person's periods. */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'person_contribution_pkey' })
  period!: string;

  /** Unique for the person (the decider refuses an id reused for another contribution), so unique with its period too. */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'person_contribution_pkey' })
  contributionId!: string;

  /** json, as person_view.state: stored as written, read whole. */
  @Column('json')
  data!: ContributionRecordedData & { recordedAt?: string };
}
