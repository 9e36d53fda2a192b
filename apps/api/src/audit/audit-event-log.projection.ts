import type { StoredEvent } from '@ledger/event-store';
import type { Projection } from '@ledger/read-models';
import type { EntityManager } from 'typeorm';
import { AuditEventLog } from './audit-event-log.entity';

export class AuditEventLogProjection implements Projection {
  readonly name = 'audit-log';
  readonly tables = ['audit_event_log'];
  readonly entities = [AuditEventLog];

  async apply(events: StoredEvent[], manager: EntityManager): Promise<void> {
    const rows = events.map((e) => ({
      position: e.position,
      eventId: e.eventId,
      streamName: e.streamName,
      revision: e.revision,
      type: e.type,
      correlationId: String(e.metadata.correlationId ?? ''),
      causationId: String(e.metadata.causationId ?? ''),
      actor: String(e.metadata.actor ?? ''),
      reason: typeof e.metadata.reason === 'string' ? e.metadata.reason : null,
      recordedAt: new Date(e.metadata.recordedAt),
    }));
    // Chunks keep each statement under PostgreSQL's parameter limit.
    for (let i = 0; i < rows.length; i += 2000) await manager.upsert(AuditEventLog, rows.slice(i, i + 2000), ['position']);
  }
}
