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

/** Triggers that refuse UPDATE, DELETE and TRUNCATE on a table (ledger_events_immutable raises). */
const immutable = (table: string) => `DROP TRIGGER IF EXISTS ${table}_no_update ON ${table};
CREATE TRIGGER ${table}_no_update BEFORE UPDATE OR DELETE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION ledger_events_immutable();
DROP TRIGGER IF EXISTS ${table}_no_truncate ON ${table};
CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_immutable();`;

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
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'LE003';
END $$;

${immutable('ledger_events')}

-- Keys taken by writes (StreamWrite.reserve), each with the write that took it. Written with the events, in the same
-- transaction, and as immutable as they are.
CREATE TABLE IF NOT EXISTS ledger_reservations (
  key         text   PRIMARY KEY,
  stream_name text   NOT NULL,
  revision    bigint NOT NULL,
  position    bigint NOT NULL
);
${immutable('ledger_reservations')}

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

-- The first condition of a write (StreamWrite.onlyIf) that does not hold, or null: a write of the call it needs was
-- not written (p_done: the outcomes so far, by 0-based index), or a stream that must be empty has events (this
-- transaction's writes included).
CREATE OR REPLACE FUNCTION ledger_unmet_condition(p_done boolean[], p_written int[], p_no_streams text[])
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_i    int;
  v_name text;
BEGIN
  FOREACH v_i IN ARRAY coalesce(p_written, '{}') LOOP
    IF NOT coalesce(p_done[v_i + 1], false) THEN
      RETURN format('write %s of the call was not written', v_i);
    END IF;
  END LOOP;
  FOREACH v_name IN ARRAY coalesce(p_no_streams, '{}') LOOP
    IF EXISTS (SELECT 1 FROM ledger_events e WHERE e.stream_name = v_name) THEN
      RETURN format('stream %s exists', v_name);
    END IF;
  END LOOP;
  RETURN NULL;
END $$;

-- The writes of a batch (p_writes: streamName, expected, count, onlyIfWritten, onlyIfNoStreams) and their events
-- (p_events: the writes' events one after the other, count by count) travel apart, so that the bulk of the text, the
-- events, is parsed once, in one flat json_to_recordset.
DROP FUNCTION IF EXISTS ledger_append_batch_each(json);
DROP FUNCTION IF EXISTS ledger_append_batch(json);

-- Write by write, each in its own sub-transaction: the path for batches that hold a retry.
CREATE OR REPLACE FUNCTION ledger_append_batch_each(p_writes json, p_events json)
RETURNS TABLE(idx int, next_revision bigint, last_position bigint, error_code text, error_detail text)
LANGUAGE plpgsql AS $$
DECLARE
  v_write  record;
  v_events json[];
  v_first  int := 0;
  v_done   boolean[] := '{}';
  v_unmet  text;
  v_stored boolean;
  v_key    text;
  v_row    record;
BEGIN
  PERFORM pg_advisory_xact_lock(${EVENT_STORE_LOCK_KEY});
  SELECT array_agg(e.ev ORDER BY e.n) INTO v_events FROM json_array_elements(p_events) WITH ORDINALITY AS e(ev, n);
  FOR v_write IN
    SELECT * FROM ROWS FROM (json_to_recordset(p_writes) AS ("streamName" text, expected text, count int, "onlyIfWritten" int[], "onlyIfNoStreams" text[], reserve text[]))
      WITH ORDINALITY AS w(name, expected, count, written, no_streams, reserve, wi)
     ORDER BY w.wi
  LOOP
    -- A write already made answers as it did (ledger_append returns its result), whatever its conditions say now.
    v_stored := EXISTS (SELECT 1 FROM ledger_events e WHERE e.event_id = (v_events[v_first + 1]->>'eventId')::uuid);
    v_unmet := CASE WHEN v_stored THEN NULL ELSE ledger_unmet_condition(v_done, v_write.written, v_write.no_streams) END;
    IF v_unmet IS NOT NULL THEN
      RETURN QUERY SELECT v_write.wi::int - 1, NULL::bigint, NULL::bigint, 'LE004'::text, v_unmet;
      v_done := v_done || false;
    ELSE
      BEGIN
        -- A sub-transaction per write: a refused write rolls back alone, the others stay. Its expected revision is
        -- checked (by ledger_append) before its keys.
        SELECT * INTO v_row FROM ledger_append(v_write.name, v_write.expected, array_to_json(v_events[v_first + 1 : v_first + v_write.count]));
        IF NOT v_row.duplicate AND v_write.reserve IS NOT NULL THEN
          v_key := (SELECT k FROM unnest(v_write.reserve) AS k WHERE EXISTS (SELECT 1 FROM ledger_reservations r WHERE r.key = k) LIMIT 1);
          IF v_key IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'LE005', MESSAGE = v_key;
          END IF;
          INSERT INTO ledger_reservations (key, stream_name, revision, position)
          SELECT k, v_write.name, v_row.next_revision - v_write.count + 1, v_row.last_position - v_write.count + 1
            FROM unnest(v_write.reserve) AS k;
        END IF;
        RETURN QUERY SELECT v_write.wi::int - 1, v_row.next_revision, v_row.last_position, NULL::text, NULL::text;
        v_done := v_done || true;
      EXCEPTION WHEN SQLSTATE 'LE001' OR SQLSTATE 'LE002' OR SQLSTATE 'LE005' OR unique_violation THEN
        RETURN QUERY SELECT v_write.wi::int - 1, NULL::bigint, NULL::bigint, SQLSTATE::text, SQLERRM;
        v_done := v_done || false;
      END;
    END IF;
    v_first := v_first + v_write.count;
  END LOOP;
END $$;

-- Many writes, same outcomes as ledger_append_batch_each. When no event id of the batch is stored
-- yet (no retry among them), nothing can fail but an expected revision or a condition, which are checked
-- against heads read once for all the batch's streams; the events then go in with one INSERT. This avoids
-- a sub-transaction per write (past 64 in one transaction PostgreSQL's snapshot bookkeeping
-- overflows) and the per-write lookups.
CREATE OR REPLACE FUNCTION ledger_append_batch(p_writes json, p_events json)
RETURNS TABLE(idx int, next_revision bigint, last_position bigint, error_code text, error_detail text)
LANGUAGE plpgsql AS $$
DECLARE
  -- Per write.
  w_stream   text[];
  w_expected text[];
  w_count    int[];
  w_slot     int[];
  w_ndep     int[];
  w_nabsent  int[];
  w_nres     int[];
  w_done     boolean[] := '{}';
  -- The writes' conditions one after the other, w_ndep and w_nabsent of them a write.
  c_dep      int[];
  c_absent   text[];
  c_slot     int[];
  -- The keys the writes take, one after the other, w_nres of them a write.
  r_key      text[];
  -- Per key taken: the write that took it.
  t_key      text[] := '{}';
  t_stream   text[] := '{}';
  t_rev      bigint[] := '{}';
  t_pos      bigint[] := '{}';
  v_res      int := 0;
  v_t        int := 0;
  v_taken    bigint;
  v_first_rev bigint;
  v_first_pos bigint;
  -- Per event of the batch, in order: the texts the hashes are computed over.
  e_id       text[];
  e_type     text[];
  e_data     text[];
  e_meta     text[];
  e_write    int[];
  -- Per distinct stream (written or required empty): its running head.
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
  v_dep      int := 0;
  v_absent   int := 0;
  v_unmet    text;
  v_k        int := 0;
BEGIN
  -- The json is parsed here, set-based, before the lock: it depends on nothing stored. Under the lock,
  -- which every append of the store waits for, are only the reads of heads, the loop that compares and
  -- hashes, and the insert.
  -- json_to_recordset reads each element's fields in one pass (each ->> would scan the element's text again), and
  -- a json field keeps its text as received, which is what the hashes are over.
  WITH w AS MATERIALIZED (
    SELECT * FROM ROWS FROM (json_to_recordset(p_writes) AS ("streamName" text, expected text, count int, "onlyIfWritten" int[], "onlyIfNoStreams" text[], reserve text[]))
           WITH ORDINALITY AS w(name, expected, count, written, no_streams, reserve, wi)
  )
  SELECT (SELECT array_agg(w.name ORDER BY w.wi) FROM w), (SELECT array_agg(w.expected ORDER BY w.wi) FROM w),
         (SELECT array_agg(w.count ORDER BY w.wi) FROM w), (SELECT array_agg(coalesce(cardinality(w.written), 0) ORDER BY w.wi) FROM w),
         (SELECT array_agg(coalesce(cardinality(w.no_streams), 0) ORDER BY w.wi) FROM w),
         (SELECT array_agg(d.dep ORDER BY w.wi, d.k) FROM w, unnest(w.written) WITH ORDINALITY AS d(dep, k)),
         (SELECT array_agg(a.name ORDER BY w.wi, a.k) FROM w, unnest(w.no_streams) WITH ORDINALITY AS a(name, k)),
         (SELECT array_agg(coalesce(cardinality(w.reserve), 0) ORDER BY w.wi) FROM w),
         (SELECT array_agg(r.key ORDER BY w.wi, r.k) FROM w, unnest(w.reserve) WITH ORDINALITY AS r(key, k))
    INTO w_stream, w_expected, w_count, w_ndep, w_nabsent, c_dep, c_absent, w_nres, r_key;
  IF w_stream IS NULL THEN
    RETURN;
  END IF;
  SELECT array_agg(e.id ORDER BY e.n), array_agg(e.type ORDER BY e.n), array_agg(e.data::text ORDER BY e.n), array_agg(e.meta::text ORDER BY e.n)
    INTO e_id, e_type, e_data, e_meta
    FROM ROWS FROM (json_to_recordset(p_events) AS ("eventId" text, type text, data json, metadata json)) WITH ORDINALITY AS e(id, type, data, meta, n);
  SELECT array_agg(c.wi::int ORDER BY c.wi, g.n) INTO e_write FROM unnest(w_count) WITH ORDINALITY AS c(count, wi), generate_series(1, c.count) AS g(n);
  IF coalesce(cardinality(e_id), 0) <> coalesce(cardinality(e_write), 0) THEN
    RAISE EXCEPTION 'ledger_append_batch: % events for writes that count %', coalesce(cardinality(e_id), 0), coalesce(cardinality(e_write), 0);
  END IF;

  SELECT array_agg(DISTINCT n ORDER BY n) INTO v_names FROM (SELECT unnest(w_stream) UNION ALL SELECT unnest(c_absent)) AS s(n);
  SELECT array_agg(s.slot::int ORDER BY w.wi) INTO w_slot
    FROM unnest(w_stream) WITH ORDINALITY AS w(name, wi) JOIN unnest(v_names) WITH ORDINALITY AS s(name, slot) ON s.name = w.name;
  SELECT array_agg(s.slot::int ORDER BY a.k) INTO c_slot
    FROM unnest(c_absent) WITH ORDINALITY AS a(name, k) JOIN unnest(v_names) WITH ORDINALITY AS s(name, slot) ON s.name = a.name;

  IF 0 = ANY(w_count) OR cardinality(e_id) <> (SELECT count(DISTINCT id) FROM unnest(e_id) AS id) THEN
    RETURN QUERY SELECT * FROM ledger_append_batch_each(p_writes, p_events);
    RETURN;
  END IF;

  PERFORM pg_advisory_xact_lock(${EVENT_STORE_LOCK_KEY});
  IF EXISTS (SELECT 1 FROM ledger_events l WHERE l.event_id = ANY(e_id::uuid[])) THEN
    RETURN QUERY SELECT * FROM ledger_append_batch_each(p_writes, p_events);
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
    v_unmet := NULL;
    FOR v_c IN 1 .. w_ndep[v_w] LOOP
      v_dep := v_dep + 1;
      IF v_unmet IS NULL AND NOT coalesce(w_done[c_dep[v_dep] + 1], false) THEN
        v_unmet := format('write %s of the call was not written', c_dep[v_dep]);
      END IF;
    END LOOP;
    FOR v_c IN 1 .. w_nabsent[v_w] LOOP
      v_absent := v_absent + 1;
      IF v_unmet IS NULL AND s_rev[c_slot[v_absent]] <> -1 THEN
        v_unmet := format('stream %s exists', c_absent[v_absent]);
      END IF;
    END LOOP;
    IF v_unmet IS NOT NULL THEN
      RETURN QUERY SELECT v_w - 1, NULL::bigint, NULL::bigint, 'LE004'::text, v_unmet;
      w_done[v_w] := false;
      v_event := v_event + w_count[v_w];
      v_res := v_res + w_nres[v_w];
      CONTINUE;
    END IF;
    IF (w_expected[v_w] = 'no_stream' AND v_current <> -1)
       OR (w_expected[v_w] = 'stream_exists' AND v_current = -1)
       OR (w_expected[v_w] ~ '^[0-9]+$' AND v_current <> w_expected[v_w]::bigint) THEN
      RETURN QUERY SELECT v_w - 1, NULL::bigint, NULL::bigint, 'LE001'::text, v_current::text;
      w_done[v_w] := false;
      v_event := v_event + w_count[v_w];
      v_res := v_res + w_nres[v_w];
      CONTINUE;
    END IF;
    v_first_rev := v_current + 1;
    v_first_pos := v_head + 1;
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
    w_done[v_w] := true;
    FOR v_r IN v_res + 1 .. v_res + w_nres[v_w] LOOP
      v_t := v_t + 1;
      t_key[v_t] := r_key[v_r];
      t_stream[v_t] := w_stream[v_w];
      t_rev[v_t] := v_first_rev;
      t_pos[v_t] := v_first_pos;
    END LOOP;
    v_res := v_res + w_nres[v_w];
    RETURN QUERY SELECT v_w - 1, v_current, v_head, NULL::text, NULL::text;
  END LOOP;

  IF v_k > 0 THEN
    INSERT INTO ledger_events (position, event_id, stream_name, revision, type, data, metadata, recorded_at, stream_hash, global_hash)
    SELECT o.pos, e.id::uuid, w.name, o.rev, e.type, e.data::jsonb, e.meta::jsonb, (e.meta::json->>'recordedAt')::timestamptz, o.shash, o.ghash
      FROM unnest(o_event, o_pos, o_rev, o_shash, o_ghash) AS o(event, pos, rev, shash, ghash)
      JOIN unnest(e_id, e_type, e_data, e_meta, e_write) WITH ORDINALITY AS e(id, type, data, meta, write, event) ON e.event = o.event
      JOIN unnest(w_stream) WITH ORDINALITY AS w(name, wi) ON w.wi = e.write
     ORDER BY o.pos;
    IF v_t > 0 THEN
      -- Keys are not looked up first: a key taken before, or twice in this call, makes the insert fall short, and the
      -- whole call is undone and made again by ledger_append_batch_each, write by write (the adapter does that on LE006).
      INSERT INTO ledger_reservations (key, stream_name, revision, position)
      SELECT * FROM unnest(t_key, t_stream, t_rev, t_pos)
      ON CONFLICT (key) DO NOTHING;
      GET DIAGNOSTICS v_taken = ROW_COUNT;
      IF v_taken < v_t THEN
        RAISE EXCEPTION USING ERRCODE = 'LE006', MESSAGE = 'a key of the call is taken';
      END IF;
    END IF;
    PERFORM pg_notify('ledger_events', v_head::text);
  END IF;
END $$;
`;
