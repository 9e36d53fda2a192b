import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const STAFF_ROLES = ['clerk', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A bearer token for clerks and auditors. Only its SHA-256 is kept; the token is shown once. */
@Entity({ name: 'api_tokens' })
export class ApiToken {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  role!: StaffRole;

  @Column('text', { unique: true })
  tokenHash!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;
}
