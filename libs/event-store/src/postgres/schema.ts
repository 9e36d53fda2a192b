/**
 * DDL of the PostgreSQL event store. Idempotent: run at every start.
 *
 * Why a transaction-scoped advisory lock in ledger_append: a reader that follows the global
 * position must never see position N+1 committed before N, or it would checkpoint past N and
 * lose it. Taking one lock before assigning positions and holding it to commit makes positions
 * visible strictly in order (and dense), at the price of serialising appends.
 *
 * Why triggers: events are immutable. The application role cannot update, delete or truncate
 * them; only an operator who disables the triggers on purpose can, and the hash chain of the
 * audit issue is what catches that.
 */
export const EVENT_STORE_LOCK_KEY = 7_245_001;

export const EVENT_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_events (
  position     bigint      PRIMARY KEY,
  event_id     uuid        NOT NULL UNIQUE,
  stream_name  text        NOT NULL,
  revision     bigint      NOT NULL,
  type         text        NOT NULL,
  data         jsonb       NOT NULL,
  metadata     jsonb       NOT NULL,
  recorded_at  timestamptz NOT NULL,
  CONSTRAINT ledger_events_stream_revision UNIQUE (stream_name, revision)
);

CREATE OR REPLACE FUNCTION ledger_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_events is append-only: % refused', TG_OP USING ERRCODE = 'LE003';
END $$;

DROP TRIGGER IF EXISTS ledger_events_no_update ON ledger_events;
CREATE TRIGGER ledger_events_no_update BEFORE UPDATE OR DELETE ON ledger_events
  FOR EACH ROW EXECUTE FUNCTION ledger_events_immutable();
DROP TRIGGER IF EXISTS ledger_events_no_truncate ON ledger_events;
CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_immutable();

CREATE OR REPLACE FUNCTION ledger_append(p_stream text, p_expected text, p_events jsonb)
RETURNS TABLE(next_revision bigint, last_position bigint, duplicate boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_count    int := jsonb_array_length(p_events);
  v_first_id uuid := (p_events->0->>'eventId')::uuid;
  v_current  bigint;
  v_head     bigint;
  v_existing record;
  v_matched  int;
BEGIN
  PERFORM pg_advisory_xact_lock(${EVENT_STORE_LOCK_KEY});

  -- A retry of an append that already happened returns the original result.
  SELECT e.stream_name, e.revision INTO v_existing FROM ledger_events e WHERE e.event_id = v_first_id;
  IF FOUND THEN
    SELECT count(*) INTO v_matched
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS n(ev, ord)
      JOIN ledger_events e ON e.event_id = (n.ev->>'eventId')::uuid
     WHERE e.stream_name = p_stream AND e.revision = v_existing.revision + n.ord - 1;
    IF v_existing.stream_name = p_stream AND v_matched = v_count THEN
      RETURN QUERY SELECT e.revision, e.position, true FROM ledger_events e
        WHERE e.stream_name = p_stream AND e.revision = v_existing.revision + v_count - 1;
      RETURN;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'LE002', MESSAGE = v_first_id::text;
  END IF;

  SELECT coalesce(max(e.revision), -1) INTO v_current FROM ledger_events e WHERE e.stream_name = p_stream;
  IF (p_expected = 'no_stream' AND v_current <> -1)
     OR (p_expected = 'stream_exists' AND v_current = -1)
     OR (p_expected ~ '^[0-9]+$' AND v_current <> p_expected::bigint) THEN
    RAISE EXCEPTION USING ERRCODE = 'LE001', MESSAGE = v_current::text;
  END IF;

  SELECT coalesce(max(e.position), 0) INTO v_head FROM ledger_events e;
  INSERT INTO ledger_events (position, event_id, stream_name, revision, type, data, metadata, recorded_at)
  SELECT v_head + n.ord, (n.ev->>'eventId')::uuid, p_stream, v_current + n.ord, n.ev->>'type', n.ev->'data',
         n.ev->'metadata', (n.ev->'metadata'->>'recordedAt')::timestamptz
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS n(ev, ord);

  PERFORM pg_notify('ledger_events', (v_head + v_count)::text);
  RETURN QUERY SELECT v_current + v_count, v_head + v_count, false;
END $$;
`;
