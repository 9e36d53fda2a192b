import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StoredEvent } from '@ledger/event-store';
import type { Projection } from '@ledger/read-models';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { AuditEventLog } from './audit-event-log.entity';

const COLUMNS = ['position', 'eventId', 'streamName', 'revision', 'type', 'correlationId', 'causationId', 'actor', 'reason', 'recordedAt'] as const;
const COLUMN_LIST = COLUMNS.map((c) => `"${c}"`).join(', ');
const UNIQUE_VIOLATION = '23505';

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

/** COPY's text format: tab-separated, \N for null, and backslash, tab, newline and carriage return escaped. */
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
export function copyLine(values: ReadonlyArray<string | number | null>): string {
  return values.map((v) => (v === null ? '\\N' : typeof v === 'number' ? String(v) : v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!))).join('\t') + '\n';
}

export class AuditEventLogProjection implements Projection {
  readonly name = 'audit-log';
  readonly tables = ['audit_event_log'];
  readonly entities = [AuditEventLog];

  /**
   * One COPY per batch: PostgreSQL spent about 8 µs a row on the array-parameter INSERT and about 5.8 on
   * COPY, and this log takes a row for every event (BENCHMARKS.md). COPY has no ON CONFLICT; the
   * runner's checkpoint lock already keeps a batch from being applied twice, and should a row exist
   * anyway the batch falls back to the idempotent INSERT.
   */
  async apply(events: StoredEvent[], manager: EntityManager): Promise<void> {
    if (events.length === 0) return;
    // The transaction's own connection (connect() hands back the one already held).
    const runner = manager.queryRunner as PostgresQueryRunner | undefined;
    if (!runner?.isTransactionActive) return this.insert(events, manager);
    const client = (await runner.connect()) as PoolClient;
    await manager.query('SAVEPOINT audit_copy');
    try {
      const lines = events.map((e) => copyLine(row(e))).join('');
      await pipeline(Readable.from([lines]), client.query(copyFrom(`COPY audit_event_log (${COLUMN_LIST}) FROM STDIN`)));
      await manager.query('RELEASE SAVEPOINT audit_copy');
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await manager.query('ROLLBACK TO SAVEPOINT audit_copy');
      await this.insert(events, manager);
    }
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
