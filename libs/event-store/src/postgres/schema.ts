/**
 * DDL of the PostgreSQL event store. Idempotent: run at every start.
 *
 * Why a transaction-scoped advisory lock in ledger_append: a reader that follows the global
 * position must never see position N+1 committed before N, or it would checkpoint past N and
 * lose it. Taking one lock before assigning positions and holding it to commit makes positions
 * visible strictly in order (and dense), at the price of serialising appends.
 *
 * Why hashes: each event's stream_hash chains its canonical content to the previous event of its
 * stream, and global_hash chains that to the previous event of the store, so an edit, a deletion
 * or a swap made behind the application's back breaks a link the verifier recomputes
 * (integrity/chain.ts holds the same formula). The canonical texts of data and metadata are
 * sent by the adapter as json (not jsonb), so the function hashes exactly the bytes the verifier
 * rebuilds.
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
  stream_hash  text        NOT NULL,
  global_hash  text        NOT NULL,
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

-- The two links of the hash chain, in one place for both append functions (integrity/chain.ts has the same formula).
CREATE OR REPLACE FUNCTION ledger_stream_link(p_previous text, p_event_id text, p_stream text, p_revision bigint, p_type text, p_data text, p_metadata text)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws(E'\n', p_previous, p_event_id, p_stream, p_revision::text, p_type, p_data, p_metadata), 'UTF8')), 'hex')
$$;
CREATE OR REPLACE FUNCTION ledger_global_link(p_previous text, p_stream_hash text)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(p_previous || E'\n' || p_stream_hash, 'UTF8')), 'hex')
$$;

DROP FUNCTION IF EXISTS ledger_append(text, text, jsonb);
CREATE OR REPLACE FUNCTION ledger_append(p_stream text, p_expected text, p_events json)
RETURNS TABLE(next_revision bigint, last_position bigint, duplicate boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_count       int := json_array_length(p_events);
  v_first_id    uuid := (p_events->0->>'eventId')::uuid;
  v_current     bigint;
  v_head        bigint;
  v_existing    record;
  v_matched     int;
  v_stream_hash text;
  v_global_hash text;
  v_ev          json;
  v_i           int := 0;
  v_stream_hashes text[] := '{}';
  v_global_hashes text[] := '{}';
BEGIN
  PERFORM pg_advisory_xact_lock(${EVENT_STORE_LOCK_KEY});

  -- A retry of an append that already happened returns the original result.
  SELECT e.stream_name, e.revision INTO v_existing FROM ledger_events e WHERE e.event_id = v_first_id;
  IF FOUND THEN
    SELECT count(*) INTO v_matched
      FROM json_array_elements(p_events) WITH ORDINALITY AS n(ev, ord)
      JOIN ledger_events e ON e.event_id = (n.ev->>'eventId')::uuid
     WHERE e.stream_name = p_stream AND e.revision = v_existing.revision + n.ord - 1;
    IF v_existing.stream_name = p_stream AND v_matched = v_count THEN
      RETURN QUERY SELECT e.revision, e.position, true FROM ledger_events e
        WHERE e.stream_name = p_stream AND e.revision = v_existing.revision + v_count - 1;
      RETURN;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'LE002', MESSAGE = v_first_id::text;
  END IF;

  SELECT e.revision, e.stream_hash INTO v_current, v_stream_hash
    FROM ledger_events e WHERE e.stream_name = p_stream ORDER BY e.revision DESC LIMIT 1;
  v_current := coalesce(v_current, -1);
  IF (p_expected = 'no_stream' AND v_current <> -1)
     OR (p_expected = 'stream_exists' AND v_current = -1)
     OR (p_expected ~ '^[0-9]+$' AND v_current <> p_expected::bigint) THEN
    RAISE EXCEPTION USING ERRCODE = 'LE001', MESSAGE = v_current::text;
  END IF;

  SELECT e.position, e.global_hash INTO v_head, v_global_hash FROM ledger_events e ORDER BY e.position DESC LIMIT 1;
  v_head := coalesce(v_head, 0);
  v_stream_hash := coalesce(v_stream_hash, repeat('0', 64));
  v_global_hash := coalesce(v_global_hash, repeat('0', 64));
  FOR v_ev IN SELECT * FROM json_array_elements(p_events) LOOP
    v_i := v_i + 1;
    v_stream_hash := ledger_stream_link(v_stream_hash, v_ev->>'eventId', p_stream, v_current + v_i, v_ev->>'type', (v_ev->'data')::text, (v_ev->'metadata')::text);
    v_global_hash := ledger_global_link(v_global_hash, v_stream_hash);
    v_stream_hashes := v_stream_hashes || v_stream_hash;
    v_global_hashes := v_global_hashes || v_global_hash;
  END LOOP;

  INSERT INTO ledger_events (position, event_id, stream_name, revision, type, data, metadata, recorded_at, stream_hash, global_hash)
  SELECT v_head + n.ord, (n.ev->>'eventId')::uuid, p_stream, v_current + n.ord, n.ev->>'type', (n.ev->'data')::jsonb,
         (n.ev->'metadata')::jsonb, (n.ev->'metadata'->>'recordedAt')::timestamptz,
         v_stream_hashes[n.ord], v_global_hashes[n.ord]
    FROM json_array_elements(p_events) WITH ORDINALITY AS n(ev, ord);

  PERFORM pg_notify('ledger_events', (v_head + v_count)::text);
  RETURN QUERY SELECT v_current + v_count, v_head + v_count, false;
END $$;

-- Write by write, each in its own sub-transaction: the path for batches that hold a retry.
CREATE OR REPLACE FUNCTION ledger_append_batch_each(p_writes json)
RETURNS TABLE(idx int, next_revision bigint, last_position bigint, error_code text, error_detail text)
LANGUAGE plpgsql AS $$
DECLARE
  v_write json;
  v_i     int := 0;
  v_row   record;
BEGIN
  PERFORM pg_advisory_xact_lock(${EVENT_STORE_LOCK_KEY});
  FOR v_write IN SELECT * FROM json_array_elements(p_writes) LOOP
    BEGIN
      -- A sub-transaction per write: a refused write rolls back alone, the others stay.
      SELECT * INTO v_row FROM ledger_append(v_write->>'streamName', v_write->>'expected', v_write->'events');
      RETURN QUERY SELECT v_i, v_row.next_revision, v_row.last_position, NULL::text, NULL::text;
    EXCEPTION WHEN SQLSTATE 'LE001' OR SQLSTATE 'LE002' OR unique_violation THEN
      RETURN QUERY SELECT v_i, NULL::bigint, NULL::bigint, SQLSTATE::text, SQLERRM;
    END;
    v_i := v_i + 1;
  END LOOP;
END $$;

-- Many writes, same outcomes as ledger_append_batch_each. When no event id of the batch is stored
-- yet (no retry among them), nothing can fail but an expected revision, which is checked against
-- heads read once for all the batch's streams; the events then go in with one INSERT. This avoids
-- a sub-transaction per write (past 64 in one transaction PostgreSQL's snapshot bookkeeping
-- overflows) and the per-write lookups.
CREATE OR REPLACE FUNCTION ledger_append_batch(p_writes json)
RETURNS TABLE(idx int, next_revision bigint, last_position bigint, error_code text, error_detail text)
LANGUAGE plpgsql AS $$
DECLARE
  -- Per write.
  w_stream   text[];
  w_expected text[];
  w_count    int[];
  w_slot     int[];
  -- Per event of the batch, in order: the texts the hashes are computed over.
  e_id       text[];
  e_type     text[];
  e_data     text[];
  e_meta     text[];
  e_write    int[];
  -- Per distinct stream: its running head.
  s_rev      bigint[];
  s_hash     text[];
  -- Per event written.
  o_event    int[] := '{}';
  o_pos      bigint[] := '{}';
  o_rev      bigint[] := '{}';
  o_shash    text[] := '{}';
  o_ghash    text[] := '{}';
  v_names    text[];
  v_head     bigint;
  v_ghash    text;
  v_current  bigint;
  v_slot     int;
  v_event    int := 0;
  v_k        int := 0;
BEGIN
  -- The json is parsed once here, set-based, before the lock: it depends on nothing stored. Under the lock,
  -- which every append of the store waits for, are only the reads of heads, the loop that compares and
  -- hashes, and the insert.
  -- json_to_recordset reads each element's fields in one pass (each ->> would scan the element's text again), and
  -- a json field keeps its text as received, which is what the hashes are over.
  SELECT array_agg(w.name ORDER BY w.wi), array_agg(w.expected ORDER BY w.wi), array_agg(json_array_length(w.events) ORDER BY w.wi)
    INTO w_stream, w_expected, w_count
    FROM ROWS FROM (json_to_recordset(p_writes) AS ("streamName" text, expected text, events json)) WITH ORDINALITY AS w(name, expected, events, wi);
  SELECT array_agg(e.id ORDER BY w.wi, e.ei), array_agg(e.type ORDER BY w.wi, e.ei),
         array_agg(e.data::text ORDER BY w.wi, e.ei), array_agg(e.meta::text ORDER BY w.wi, e.ei),
         array_agg(w.wi::int ORDER BY w.wi, e.ei)
    INTO e_id, e_type, e_data, e_meta, e_write
    FROM ROWS FROM (json_to_recordset(p_writes) AS (events json)) WITH ORDINALITY AS w(events, wi),
         ROWS FROM (json_to_recordset(w.events) AS ("eventId" text, type text, data json, metadata json)) WITH ORDINALITY AS e(id, type, data, meta, ei);

  IF w_stream IS NULL THEN
    RETURN;
  END IF;
  SELECT array_agg(DISTINCT n ORDER BY n) INTO v_names FROM unnest(w_stream) AS n;
  SELECT array_agg(s.slot::int ORDER BY w.wi) INTO w_slot
    FROM unnest(w_stream) WITH ORDINALITY AS w(name, wi) JOIN unnest(v_names) WITH ORDINALITY AS s(name, slot) ON s.name = w.name;

  IF 0 = ANY(w_count) OR cardinality(e_id) <> (SELECT count(DISTINCT id) FROM unnest(e_id) AS id) THEN
    RETURN QUERY SELECT * FROM ledger_append_batch_each(p_writes);
    RETURN;
  END IF;

  PERFORM pg_advisory_xact_lock(${EVENT_STORE_LOCK_KEY});
  IF EXISTS (SELECT 1 FROM ledger_events l WHERE l.event_id = ANY(e_id::uuid[])) THEN
    RETURN QUERY SELECT * FROM ledger_append_batch_each(p_writes);
    RETURN;
  END IF;

  SELECT array_agg(coalesce(h.revision, -1) ORDER BY s.slot), array_agg(coalesce(h.stream_hash, repeat('0', 64)) ORDER BY s.slot)
    INTO s_rev, s_hash
    FROM unnest(v_names) WITH ORDINALITY AS s(name, slot)
    LEFT JOIN LATERAL (SELECT e.revision, e.stream_hash FROM ledger_events e WHERE e.stream_name = s.name ORDER BY e.revision DESC LIMIT 1) h ON true;
  SELECT e.position, e.global_hash INTO v_head, v_ghash FROM ledger_events e ORDER BY e.position DESC LIMIT 1;
  v_head := coalesce(v_head, 0);
  v_ghash := coalesce(v_ghash, repeat('0', 64));

  FOR v_w IN 1 .. cardinality(w_stream) LOOP
    v_slot := w_slot[v_w];
    v_current := s_rev[v_slot];
    IF (w_expected[v_w] = 'no_stream' AND v_current <> -1)
       OR (w_expected[v_w] = 'stream_exists' AND v_current = -1)
       OR (w_expected[v_w] ~ '^[0-9]+$' AND v_current <> w_expected[v_w]::bigint) THEN
      RETURN QUERY SELECT v_w - 1, NULL::bigint, NULL::bigint, 'LE001'::text, v_current::text;
      v_event := v_event + w_count[v_w];
      CONTINUE;
    END IF;
    FOR v_e IN 1 .. w_count[v_w] LOOP
      v_event := v_event + 1;
      v_current := v_current + 1;
      v_head := v_head + 1;
      s_hash[v_slot] := ledger_stream_link(s_hash[v_slot], e_id[v_event], w_stream[v_w], v_current, e_type[v_event], e_data[v_event], e_meta[v_event]);
      v_ghash := ledger_global_link(v_ghash, s_hash[v_slot]);
      v_k := v_k + 1;
      o_event[v_k] := v_event;
      o_pos[v_k] := v_head;
      o_rev[v_k] := v_current;
      o_shash[v_k] := s_hash[v_slot];
      o_ghash[v_k] := v_ghash;
    END LOOP;
    s_rev[v_slot] := v_current;
    RETURN QUERY SELECT v_w - 1, v_current, v_head, NULL::text, NULL::text;
  END LOOP;

  IF v_k > 0 THEN
    INSERT INTO ledger_events (position, event_id, stream_name, revision, type, data, metadata, recorded_at, stream_hash, global_hash)
    SELECT o.pos, e.id::uuid, w.name, o.rev, e.type, e.data::jsonb, e.meta::jsonb, (e.meta::json->>'recordedAt')::timestamptz, o.shash, o.ghash
      FROM unnest(o_event, o_pos, o_rev, o_shash, o_ghash) AS o(event, pos, rev, shash, ghash)
      JOIN unnest(e_id, e_type, e_data, e_meta, e_write) WITH ORDINALITY AS e(id, type, data, meta, write, event) ON e.event = o.event
      JOIN unnest(w_stream) WITH ORDINALITY AS w(name, wi) ON w.wi = e.write
     ORDER BY o.pos;
    PERFORM pg_notify('ledger_events', v_head::text);
  END IF;
END $$;
`;
