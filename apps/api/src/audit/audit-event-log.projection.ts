import type { StoredEvent } from '@ledger/event-store';
import type { Projection } from '@ledger/read-models';
import type { EntityManager } from 'typeorm';
import { copyRowsOrInsert } from '../projections/copy-rows';
import { AuditEventLog } from './audit-event-log.entity';

const COLUMNS = ['position', 'eventId', 'streamName', 'revision', 'type', 'correlationId', 'causationId', 'actor', 'reason', 'recordedAt'] as const;
const COLUMN_LIST = COLUMNS.map((c) => `"${c}"`).join(', ');

const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

function row(e: StoredEvent): Array<string | number | null> {
  const m = e.metadata;
  return [
    e.position,
    e.eventId,
    e.streamName,
    e.revision,
    e.type,
    text(m.correlationId),
    text(m.causationId),
    text(m.actor),
    typeof m.reason === 'string' ? m.reason : null,
    (m.recordedAt as string | undefined) ?? null,
  ];
}

export class AuditEventLogProjection implements Projection {
  readonly name = 'audit-log';
  readonly tables = ['audit_event_log'];
  readonly entities = [AuditEventLog];

  /** One COPY per batch (copyRowsOrInsert): this log takes a row for every event (BENCHMARKS.md). */
  async apply(events: StoredEvent[], manager: EntityManager): Promise<void> {
    await copyRowsOrInsert(manager, 'audit_event_log', COLUMNS, events.map(row), () => this.insert(events, manager));
  }

  /** Columns as arrays, one statement; rows already logged are left as they are. */
  private async insert(events: StoredEvent[], manager: EntityManager): Promise<void> {
    const rows = events.map(row);
    await manager.query(
      `INSERT INTO audit_event_log (${COLUMN_LIST})
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
       ON CONFLICT (position) DO NOTHING`,
      COLUMNS.map((_, i) => rows.map((r) => r[i])),
    );
  }
}
