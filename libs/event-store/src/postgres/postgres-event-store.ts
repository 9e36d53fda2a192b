import { EventEmitter } from 'node:events';
import { Client, Pool, type PoolClient } from 'pg';
import { assertConditions, EventIdConflict, KeyReserved, WriteConditionFailed, WrongExpectedRevision } from '../errors';
import type {
  AllFilter,
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  Reservation,
  ReservationCheck,
  StoredEvent,
  StreamWrite,
  StreamWriteResult,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import { canonicalize } from '../integrity/canonical-json';
import type { StoredChainScan, StoredChainScanOptions } from '../integrity/stored-chain';
import { eventsRecordingKeys, withRecordedAt } from '../metadata';
import { scanStoredChain } from './chain-scan';
import { checkReservations } from './reservation-check';
import { EVENT_STORE_SCHEMA } from './schema';

export interface PostgresEventStoreOptions {
  connectionString: string;
  poolSize?: number;
  /** Fallback poll when a NOTIFY is lost (connection drop); subscriptions also wake on NOTIFY. */
  pollIntervalMs?: number;
  /** Events fetched per query by subscriptions. */
  batchSize?: number;
}

const MIGRATION_LOCK_KEY = 7_245_000;

interface EventRow {
  position: string;
  event_id: string;
  stream_name: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: StoredEvent['metadata'];
  stream_hash: string;
  global_hash: string;
}

const COLUMNS = 'position, event_id, stream_name, revision, type, data, metadata, stream_hash, global_hash';

/**
 * Streams from a revision each, in the order asked: one index range probe per stream, whatever the table's size.
 * As a plain join the planner may pick a merge join that walks the whole (stream_name, revision) index up to the
 * last name asked, a cost that grows with the store (164 ms a call at 200,000 events in bench:ingest).
 */
export const READ_STREAMS_SQL = `SELECT e.* FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS wanted(name, from_revision, i)
  CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM ledger_events
                       WHERE stream_name = wanted.name AND revision >= wanted.from_revision ORDER BY revision) AS e
 ORDER BY wanted.i, e.revision`;

/** Canonical texts: ledger_append hashes them as received (see integrity/chain.ts). */
function canonicalEvent(e: NewEvent, now: string) {
  // The uuid column prints ids in lower case and the verifier hashes that text, so the append must hash it too.
  return { eventId: e.eventId.toLowerCase(), type: e.type, data: canonicalize(e.data), metadata: canonicalize(withRecordedAt(e.metadata, now)) };
}

/** Newlines separate the fields of the hashed text, so names must not contain them. */
function assertSafeName(name: string, what: string): void {
  if (!name || /[\n\r]/.test(name) || name.length > 500) throw new Error(`invalid ${what}: ${JSON.stringify(name).slice(0, 80)}`);
}

function toStored(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    streamName: row.stream_name,
    revision: Number(row.revision),
    position: Number(row.position),
    integrity: { streamHash: row.stream_hash, globalHash: row.global_hash },
  };
}

function filterClause(filter: AllFilter | undefined, params: unknown[]): string {
  const parts: string[] = [];
  if (filter?.streamNamePrefixes?.length) {
    params.push(filter.streamNamePrefixes.map((p) => `${p}%`));
    parts.push(`stream_name LIKE ANY($${params.length})`);
  }
  if (filter?.eventTypePrefixes?.length) {
    params.push(filter.eventTypePrefixes.map((p) => `${p}%`));
    parts.push(`type LIKE ANY($${params.length})`);
  }
  return parts.length ? ` AND (${parts.join(' OR ')})` : '';
}

export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly wakeups = new EventEmitter();
  private listener?: Client;
  private listening?: Promise<void>;
  private notifications = 0;
  private closed = false;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.pool = new Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
    this.pool.on('error', () => undefined); // idle-client errors surface on the next query instead
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 2000;
    this.wakeups.setMaxListeners(0);
  }

  /** Creates the tables and functions if missing; safe to run from several processes at once. */
  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(EVENT_STORE_SCHEMA);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      client.release();
    }
  }

  async appendToStream(streamName: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const expected = options.expectedRevision ?? 'any';
    for (const e of events) assertSafeName(e.type, 'event type');
    assertSafeName(streamName, 'stream name');
    const now = new Date().toISOString();
    const payload = JSON.stringify(events.map((e) => canonicalEvent(e, now)));
    try {
      const { rows } = await this.pool.query<{ next_revision: string; last_position: string }>(
        'SELECT next_revision, last_position FROM ledger_append($1, $2, $3::json)',
        [streamName, String(expected), payload],
      );
      return { nextExpectedRevision: Number(rows[0].next_revision), position: Number(rows[0].last_position) };
    } catch (error) {
      const pgError = error as { code?: string; message: string; constraint?: string };
      if (pgError.code === 'LE001') throw new WrongExpectedRevision(streamName, expected, Number(pgError.message));
      if (pgError.code === 'LE002') throw new EventIdConflict(pgError.message, streamName);
      if (pgError.code === '23505' && pgError.constraint === 'ledger_events_event_id_key') {
        throw new EventIdConflict('(one of the batch)', streamName);
      }
      throw error;
    }
  }

  async appendToStreams(writes: StreamWrite[]): Promise<StreamWriteResult[]> {
    if (writes.length === 0) return [];
    const events: ReturnType<typeof canonicalEvent>[] = [];
    // One instant for the call: the events of one call are recorded together.
    const now = new Date().toISOString();
    const heads = writes.map((w, i) => {
      if (w.events.length === 0) throw new Error(`appendToStreams: the write to ${w.streamName} has no events`);
      assertSafeName(w.streamName, 'stream name');
      assertConditions(w, i);
      for (const e of eventsRecordingKeys(w)) {
        assertSafeName(e.type, 'event type');
        events.push(canonicalEvent(e, now));
      }
      return {
        streamName: w.streamName,
        expected: String(w.expectedRevision ?? 'any'),
        count: w.events.length,
        ...(w.onlyIf?.written?.length ? { onlyIfWritten: w.onlyIf.written } : {}),
        ...(w.onlyIf?.noStreams?.length ? { onlyIfNoStreams: w.onlyIf.noStreams } : {}),
        ...(w.reserve?.length ? { reserve: w.reserve } : {}),
      };
    });
    type Row = { idx: number; next_revision: string | null; last_position: string | null; error_code: string | null; error_detail: string | null };
    const call = async (fn: 'ledger_append_batch' | 'ledger_append_batch_each') =>
      (
        await this.pool.query<Row>(`SELECT idx, next_revision, last_position, error_code, error_detail FROM ${fn}($1::json, $2::json) ORDER BY idx`, [
          JSON.stringify(heads),
          JSON.stringify(events),
        ])
      ).rows;
    let rows: Row[];
    try {
      rows = await call('ledger_append_batch');
    } catch (error) {
      // A key of the call was taken (before, or twice in it): the one-INSERT path wrote nothing; write by write instead.
      if ((error as { code?: string }).code !== 'LE006') throw error;
      rows = await call('ledger_append_batch_each');
    }
    return rows.map((row, i): StreamWriteResult => {
      const write = writes[i];
      if (row.error_code === null) {
        return { streamName: write.streamName, ok: true, result: { nextExpectedRevision: Number(row.next_revision), position: Number(row.last_position) } };
      }
      const error =
        row.error_code === 'LE001'
          ? new WrongExpectedRevision(write.streamName, write.expectedRevision ?? 'any', Number(row.error_detail))
          : row.error_code === 'LE004'
            ? new WriteConditionFailed(write.streamName, String(row.error_detail))
            : row.error_code === 'LE005'
              ? new KeyReserved(write.streamName, String(row.error_detail))
              : new EventIdConflict(row.error_code === 'LE002' ? String(row.error_detail) : '(one of the batch)', write.streamName);
      return { streamName: write.streamName, ok: false, error };
    });
  }

  async reservation(key: string): Promise<Reservation | null> {
    const { rows } = await this.pool.query<{ stream_name: string; revision: string }>('SELECT stream_name, revision FROM ledger_reservations WHERE key = $1', [
      key,
    ]);
    return rows[0] ? { key, streamName: rows[0].stream_name, revision: Number(rows[0].revision) } : null;
  }

  async checkReservations(): Promise<ReservationCheck> {
    const client = await this.pool.connect();
    try {
      // One snapshot for the check's reads, so that a write committing meanwhile is seen by all of them or none.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const check = await checkReservations(client);
      await client.query('COMMIT');
      return check;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async readStreams(streamNames: string[], fromRevisions?: ReadonlyMap<string, number>): Promise<Map<string, StoredEvent[]>> {
    const streams = new Map<string, StoredEvent[]>(streamNames.map((n) => [n, []]));
    if (streamNames.length === 0) return streams;
    const names = [...streams.keys()];
    const { rows } = await this.pool.query<EventRow>(READ_STREAMS_SQL, [names, names.map((n) => fromRevisions?.get(n) ?? 0)]);
    for (const row of rows) streams.get(row.stream_name)!.push(toStored(row));
    return streams;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    const params: unknown[] = [streamName];
    let where = 'stream_name = $1';
    if (typeof from === 'number') {
      params.push(from);
      where += backwards ? ` AND revision <= $2` : ` AND revision >= $2`;
    }
    params.push(options.maxCount ?? null);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM ledger_events WHERE ${where} ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
    return rows.map(toStored);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.readAllFiltered(options, undefined);
  }

  private async readAllFiltered(options: ReadAllOptions, filter: AllFilter | undefined, client?: PoolClient): Promise<StoredEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromPosition ?? (backwards ? 'end' : 'start');
    const params: unknown[] = [];
    let where = 'TRUE';
    if (typeof from === 'number') {
      params.push(from);
      where = backwards ? 'position < $1' : 'position > $1';
    }
    where += filterClause(filter, params);
    params.push(options.maxCount ?? null);
    const sql = `SELECT ${COLUMNS} FROM ledger_events WHERE ${where} ORDER BY position ${backwards ? 'DESC' : 'ASC'} LIMIT $${params.length}`;
    const { rows } = await (client ?? this.pool).query<EventRow>(sql, params);
    return rows.map(toStored);
  }

  /**
   * A subscription's page: the events after `from` that pass the filter, and the head position of the same snapshot.
   * Positions are visible in order (ledger_append's lock), so a page shorter than batchSize has seen everything up to it.
   */
  private async readPage(from: number, filter: AllFilter | undefined): Promise<{ events: StoredEvent[]; scannedTo: number }> {
    if (!filter) {
      const events = await this.readAllFiltered({ fromPosition: from, maxCount: this.batchSize }, undefined);
      return { events, scannedTo: events.at(-1)?.position ?? from };
    }
    const params: unknown[] = [from];
    const where = filterClause(filter, params);
    params.push(this.batchSize);
    const { rows } = await this.pool.query<EventRow & { head: string | null }>(
      `SELECT e.*, h.head FROM (SELECT max(position) AS head FROM ledger_events) h
         LEFT JOIN LATERAL (SELECT ${COLUMNS} FROM ledger_events WHERE position > $1 AND position <= h.head${where}
                             ORDER BY position LIMIT $${params.length}) e ON true`,
      params,
    );
    const events = rows.filter((r) => r.position !== null).map(toStored);
    return { events, scannedTo: Number(rows[0]?.head ?? from) };
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const start = options.fromPosition === undefined || options.fromPosition === 'start' ? 0 : options.fromPosition;
    let stopped = false;
    let wake: (() => void) | undefined;
    const stop = async () => {
      stopped = true;
      wake?.();
    };
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    async function* iterate(): AsyncGenerator<StoredEvent> {
      await store.startListening();
      let checkpoint = start;
      try {
        while (!stopped && !store.closed) {
          const seen = store.notifications;
          const { events: batch, scannedTo } = await store.readPage(checkpoint, options.filter);
          for (const event of batch) {
            if (stopped) return;
            yield event;
            checkpoint = event.position;
          }
          // A short page matched everything there is up to the head read with it: the next read starts there, not at the
          // last match (a filter that matches rarely would otherwise scan everything since then on every wake-up).
          if (batch.length < store.batchSize) checkpoint = Math.max(checkpoint, scannedTo);
          if (batch.length === store.batchSize || store.notifications !== seen) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, store.pollIntervalMs);
            function done() {
              clearTimeout(timer);
              store.wakeups.off('append', done);
              wake = undefined;
              resolve();
            }
            wake = done;
            store.wakeups.once('append', done);
          });
        }
      } finally {
        stopped = true;
      }
    }
    const generator = iterate();
    return {
      [Symbol.asyncIterator]: () => generator,
      unsubscribe: async () => {
        await stop();
      },
    };
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ head: string | null }>('SELECT max(position) AS head FROM ledger_events');
    return Number(rows[0].head ?? 0);
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    try {
      const head = await this.headPosition();
      return { ok: true, detail: `postgres event store, head position ${head}` };
    } catch (error) {
      return { ok: false, detail: `postgres event store unreachable: ${(error as Error).message}` };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeups.emit('append');
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  /** One LISTEN connection per store, shared by every subscription; polling covers its outages. */
  private startListening(): Promise<void> {
    if (this.listening) return this.listening;
    this.listening = (async () => {
      const client = new Client({ connectionString: this.options.connectionString });
      client.on('notification', () => {
        this.notifications++;
        this.wakeups.emit('append');
      });
      client.on('error', () => {
        // Subscriptions keep polling; the next subscription retries LISTEN.
        this.listener = undefined;
        this.listening = undefined;
      });
      try {
        await client.connect();
        await client.query('LISTEN ledger_events');
        if (this.closed) await client.end();
        else this.listener = client;
      } catch {
        this.listening = undefined;
      }
    })();
    return this.listening;
  }

  /** verifyStore's fast path: checks the stored hash chain in segments, on worker threads (chain-scan.ts). */
  scanStoredChain(options: StoredChainScanOptions): Promise<StoredChainScan> {
    return scanStoredChain(this.pool, this.options.connectionString, options);
  }
}
