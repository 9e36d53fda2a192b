import type { PoolClient } from 'pg';
import type { ReservationCheck, ReservationMismatch } from '../event-store.port';
import { heldKeyNotRecorded, recordedKeyNotHeld } from '../integrity/reservation-mismatch';

/**
 * checkReservations on PostgreSQL: the keys held in ledger_reservations against the keys events record
 * (metadata.reservedKeys), in one pass over both tables; the few rows that disagree are then read for their detail.
 *
 * Why one full join rather than a probe per key: at 1,000,000 keys, probing the other table for each row took 3 s
 * and two joins 1.5 s more; the parallel hash full join takes about 1 s (BENCHMARKS.md, session 17).
 */

// Events before the first one that records keys were written by builds that did not record them (legacy). That event
// is looked for from the oldest key held on: on a store that holds none, a walk from position 1 would read every event
// (0.76 s at 1,100,000 events) only to find none.
const FIRST_RECORDING = `coalesce((SELECT position FROM ledger_events
  WHERE position >= (SELECT min(position) FROM ledger_reservations) AND metadata ? 'reservedKeys' ORDER BY position LIMIT 1), 9223372036854775807)`;

const RECORDED_KEYS = `SELECT k.key, e.stream_name, e.revision, e.position
  FROM ledger_events e CROSS JOIN LATERAL jsonb_array_elements_text(
         CASE WHEN jsonb_typeof(e.metadata -> 'reservedKeys') = 'array' THEN e.metadata -> 'reservedKeys' ELSE '[]' END) AS k(key)
 WHERE e.metadata ? 'reservedKeys'`;

/** A held row and a recorded key pair up when they agree in everything: key, stream, revision and position. */
const PAIRED = `WITH first AS MATERIALIZED (SELECT ${FIRST_RECORDING} AS position),
recorded AS (${RECORDED_KEYS}),
paired AS (
  SELECT r.key AS held_key, r.position AS held_position, c.position AS recorded_position
    FROM ledger_reservations r FULL JOIN recorded c
      ON c.key = r.key AND c.stream_name = r.stream_name AND c.revision = r.revision AND c.position = r.position)
SELECT (SELECT position FROM first) AS first_recording,
       count(held_key) AS checked,
       count(*) FILTER (WHERE recorded_position IS NULL AND held_position < (SELECT position FROM first)) AS legacy,
       min(held_position) FILTER (WHERE recorded_position IS NULL AND held_position >= (SELECT position FROM first)) AS first_held_alone,
       min(recorded_position) FILTER (WHERE held_key IS NULL) AS first_recorded_alone
  FROM paired`;

/** A held row beside the event at the stream and revision it names. */
const HELD_WITH_EVENT = `SELECT r.key, r.stream_name, r.revision, r.position, e.position AS event_position
  FROM ledger_reservations r LEFT JOIN ledger_events e ON e.stream_name = r.stream_name AND e.revision = r.revision`;

interface Summary {
  first_recording: string;
  checked: string;
  legacy: string;
  first_held_alone: string | null;
  first_recorded_alone: string | null;
}

interface KeyRow {
  key: string;
  stream_name: string;
  revision: string;
  position: string;
  event_position: string | null;
}

interface Found {
  position: number;
  mismatch: ReservationMismatch;
}

export async function checkReservations(client: PoolClient): Promise<ReservationCheck> {
  const { rows } = await client.query<Summary>(PAIRED);
  const summary = rows[0]!;
  const found: Found[] = [];
  if (summary.first_recorded_alone !== null) {
    // A key an event records that no held row agrees with: deleted, or moved to another write.
    const { rows: alone } = await client.query<KeyRow>(
      `SELECT c.*, c.position AS event_position FROM (${RECORDED_KEYS} AND e.position = $1) AS c
        WHERE NOT EXISTS (SELECT 1 FROM ledger_reservations r WHERE r.key = c.key AND r.stream_name = c.stream_name AND r.revision = c.revision AND r.position = c.position)
        ORDER BY c.key LIMIT 1`,
      [summary.first_recorded_alone],
    );
    if (alone[0]) found.push({ position: Number(alone[0].position), mismatch: keyWithoutRow(alone[0]) });
  }
  if (summary.first_held_alone !== null) {
    // A held row, of the time writes record their keys, that no event records.
    const { rows: alone } = await client.query<KeyRow>(
      `${HELD_WITH_EVENT} WHERE r.position = $1
          AND NOT coalesce(e.position = r.position AND jsonb_typeof(e.metadata -> 'reservedKeys') = 'array' AND (e.metadata -> 'reservedKeys') ? r.key, false)
        ORDER BY r.key LIMIT 1`,
      [summary.first_held_alone],
    );
    if (alone[0]) found.push({ position: Number(alone[0].position), mismatch: rowWithoutKey(alone[0]) });
  }
  let unrecorded = 0;
  if (Number(summary.legacy) > 0) {
    // Held rows of the time before writes recorded keys: their event must at least be where the row says.
    const { rows: legacy } = await client.query<{ unrecorded: string; first_astray: string | null }>(
      `SELECT count(*) FILTER (WHERE e.position = r.position) AS unrecorded, min(r.position) FILTER (WHERE e.position IS DISTINCT FROM r.position) AS first_astray
         FROM ledger_reservations r LEFT JOIN ledger_events e ON e.stream_name = r.stream_name AND e.revision = r.revision
        WHERE r.position < $1`,
      [summary.first_recording],
    );
    unrecorded = Number(legacy[0]!.unrecorded);
    if (legacy[0]!.first_astray !== null) {
      const { rows: astray } = await client.query<KeyRow>(
        `${HELD_WITH_EVENT} WHERE r.position = $1 AND e.position IS DISTINCT FROM r.position ORDER BY r.key LIMIT 1`,
        [legacy[0]!.first_astray],
      );
      found.push({ position: Number(astray[0]!.position), mismatch: rowWithoutKey(astray[0]!) });
    }
  }
  found.sort((a, b) => a.position - b.position);
  return { checked: Number(summary.checked), unrecorded, ...(found[0] ? { mismatch: found[0].mismatch } : {}) };
}

function keyWithoutRow(row: KeyRow): ReservationMismatch {
  return recordedKeyNotHeld(row.key, row.stream_name, Number(row.revision), Number(row.position));
}

function rowWithoutKey(row: KeyRow): ReservationMismatch {
  const at = `${row.stream_name}@${row.revision}`;
  if (row.event_position === null)
    return { key: row.key, streamName: row.stream_name, revision: -1, detail: `key ${row.key} is held for ${at}, which is not stored` };
  if (row.event_position !== row.position) {
    return {
      key: row.key,
      streamName: row.stream_name,
      revision: Number(row.revision),
      detail: `key ${row.key} is held for ${at} at position ${row.position}, but that event is at position ${row.event_position}`,
    };
  }
  return heldKeyNotRecorded(row.key, row.stream_name, Number(row.revision));
}
