import type { ContributionRecordedData } from '@ledger/domain';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per contribution recorded on a person's stream, the first delivered (as the fold keeps it). Kept apart
 * from person_view's state so that a payment adds one small row instead of rewriting a snapshot that grows with
 * every contribution the person ever paid. The constraint is named so the start-up upgrade can create the table.
 */
@Entity({ name: 'person_contribution' })
export class PersonContribution {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'person_contribution_pkey' })
  personId!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'person_contribution_pkey' })
  contributionId!: string;

  /** json, as person_view.state: stored as written, read whole. */
  @Column('json')
  data!: ContributionRecordedData & { recordedAt?: string };
}
