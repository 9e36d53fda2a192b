import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@ledger/event-store';
import { entityDatabase } from '../../../../test/support/test-database';
import { AuditEventLog } from './audit-event-log.entity';
import { copyLine } from '../projections/copy-rows';
import { AuditEventLogProjection } from './audit-event-log.projection';

const event = (position: number, reason?: string | null): StoredEvent => ({
  eventId: randomUUID(),
  type: 'ContributionRecorded',
  data: {},
  metadata: {
    recordedAt: `2026-11-2${position % 10}T0${position % 10}:15:30.125Z`,
    correlationId: `desk-${position}`,
    causationId: `cmd-${position}`,
    actor: 'staff:clerk:7',
    ...(reason === undefined ? {} : { reason }),
  },
  streamName: `person-${position}`,
  revision: position - 1,
  position,
});

describe('AuditEventLogProjection', () => {
  const projection = new AuditEventLogProjection();
  const db = entityDatabase([AuditEventLog]);

  const logged = async () =>
    (await db.dataSource.query('SELECT * FROM audit_event_log ORDER BY position')).map((r: Record<string, unknown>) => ({
      ...r,
      position: Number(r.position),
      revision: Number(r.revision),
      recordedAt: (r.recordedAt as Date).toISOString(),
    }));
  const expected = (e: StoredEvent) => ({
    position: e.position,
    eventId: e.eventId,
    streamName: e.streamName,
    revision: e.revision,
    type: e.type,
    correlationId: e.metadata.correlationId,
    causationId: e.metadata.causationId,
    actor: e.metadata.actor,
    reason: typeof e.metadata.reason === 'string' ? e.metadata.reason : null,
    recordedAt: e.metadata.recordedAt,
  });

  it('escapes what COPY text format gives a meaning to, and nothing else', () => {
    expect(copyLine([1, 'a\tb', 'c\nd\re', 'back\\slash', null, '\\N', '中文 "quoted" ,;'])).toBe(
      '1\ta\\tb\tc\\nd\\re\tback\\\\slash\t\\N\t\\\\N\t中文 "quoted" ,;\n',
    );
  });

  it('logs every event of a batch exactly as it was, free-text reasons included', async () => {
    const batch = [event(1, 'paid twice;\trefund\nrequested by 王芳 \\ see note'), event(2, null), event(3), event(4, '\\N'), event(5, 'carriage\r\nreturn')];
    await db.dataSource.transaction((manager) => projection.apply(batch, manager));
    expect(await logged()).toEqual(batch.map(expected));
  });

  it('falls back to the idempotent insert when a row of the batch is already logged, in the same transaction', async () => {
    const before = await logged();
    const overlapping = [event(5, 'a different reason'), event(6, 'new'), event(7)];
    await db.dataSource.transaction((manager) => projection.apply(overlapping, manager));
    const after = await logged();
    // Position 5 keeps the row logged first; 6 and 7 are added.
    expect(after).toEqual([...before, expected(overlapping[1]!), expected(overlapping[2]!)]);
  });

  it('works outside a transaction too, with the same insert', async () => {
    await projection.apply([event(8, 'x')], db.dataSource.manager);
    expect((await logged()).map((r: { position: number }) => r.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('leaves nothing behind when the batch fails for another reason', async () => {
    const bad = { ...event(9), metadata: { ...event(9).metadata, recordedAt: 'not a time' } } as StoredEvent;
    await expect(db.dataSource.transaction((manager) => projection.apply([event(10), bad], manager))).rejects.toThrow(/timestamp/);
    expect((await logged()).map((r: { position: number }) => r.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
