import type { StoredEvent } from '@ledger/event-store';
import type { Projection } from '@ledger/read-models';
import type { EntityManager } from 'typeorm';
import { AuditEventLog } from './audit-event-log.entity';

export class AuditEventLogProjection implements Projection {
  readonly name = 'audit-log';
  readonly tables = ['audit_event_log'];
  readonly entities = [AuditEventLog];

  /** One statement per batch, columns as arrays: the ORM's row-by-row upsert was most of this projection's cost. */
  async apply(events: StoredEvent[], manager: EntityManager): Promise<void> {
    if (events.length === 0) return;
    const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
    await manager.query(
      `INSERT INTO audit_event_log (position, "eventId", "streamName", revision, type, "correlationId", "causationId", actor, reason, "recordedAt")
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
       ON CONFLICT (position) DO NOTHING`,
      [
        events.map((e) => e.position),
        events.map((e) => e.eventId),
        events.map((e) => e.streamName),
        events.map((e) => e.revision),
        events.map((e) => e.type),
        events.map((e) => text(e.metadata.correlationId)),
        events.map((e) => text(e.metadata.causationId)),
        events.map((e) => text(e.metadata.actor)),
        events.map((e) => (typeof e.metadata.reason === 'string' ? e.metadata.reason : null)),
        events.map((e) => e.metadata.recordedAt),
      ],
    );
  }
}
