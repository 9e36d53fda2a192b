import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

/** One row per event with who, when and why: lets auditors follow a correlation id and cut exports by time. */
@Entity({ name: 'audit_event_log' })
export class AuditEventLog {
  @PrimaryColumn('bigint', { transformer: bigintAsNumber })
  position!: number;

  @Column('uuid')
  eventId!: string;

  // Not indexed, nor is `type`: exports cut by recordedAt and filter types as they stream, and a
  // person's events come from the store. Each index would be written for every event of the log.
  @Column('text')
  streamName!: string;

  @Column('bigint', { transformer: bigintAsNumber })
  revision!: number;

  @Column('text')
  type!: string;

  @Index()
  @Column('text')
  correlationId!: string;

  @Column('text')
  causationId!: string;

  @Column('text')
  actor!: string;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Index()
  @Column('timestamptz')
  recordedAt!: Date;
}
