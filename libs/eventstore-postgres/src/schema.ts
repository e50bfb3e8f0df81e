/**
 * The event store's tables and its append function, as ordered migrations. The same SQL runs on a
 * Postgres server and on PGlite.
 *
 * Ordering of $all (the sequence-gap problem): global_position comes from a sequence, so a
 * transaction can take position 10, stay open, and commit after 11 was read. Each row therefore
 * also keeps the id of its writing transaction (xid8), and readers only return rows whose
 * transaction is older than the oldest transaction still running (pg_snapshot_xmin of the current
 * snapshot), ordered by (transaction_id, global_position). Every transaction below that horizon has
 * finished, so nothing can appear later before a position already read. We chose this over
 * serializing writers with a lock (one commit at a time caps throughput) and over gap detection
 * with timeouts (a slow transaction past the timeout is skipped for good).
 */
import type { Migration } from '#event-sourcing';

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'events',
    sql: `
CREATE TABLE observa_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id        uuid NOT NULL,
  stream_id       text NOT NULL,
  stream_version  bigint NOT NULL,
  category        text NOT NULL,
  type            text NOT NULL,
  schema_version  integer NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  hash            text NOT NULL,
  previous_hash   text,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT observa_events_stream_version UNIQUE (stream_id, stream_version),
  CONSTRAINT observa_events_stream_event UNIQUE (stream_id, event_id)
);
CREATE INDEX observa_events_all ON observa_events (transaction_id, global_position);
CREATE INDEX observa_events_category ON observa_events (category, transaction_id, global_position);

-- Appends p_events (a JSON array of {eventId, type, schemaVersion, data, metadata, contentHash}) to
-- a stream in one round trip: checks the expected version, recognises an idempotent re-append,
-- chains each event's hash to the previous one, and inserts all rows in one statement.
-- p_expected_kind: 'version' (then p_expected is the revision), 'no_stream', 'stream_exists', 'any'.
CREATE FUNCTION observa_append(p_stream text, p_category text, p_expected_kind text, p_expected bigint, p_events jsonb)
RETURNS TABLE (event_id uuid, stream_version bigint, transaction_id xid8, global_position bigint, appended boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_head bigint;
  v_hash text;
  v_prev text;
  v_count int := jsonb_array_length(p_events);
  v_found int;
  v_hashes text[] := '{}';
  v_event jsonb;
  v_i int := 0;
BEGIN
  SELECT e.stream_version, e.hash INTO v_head, v_hash
    FROM observa_events e WHERE e.stream_id = p_stream ORDER BY e.stream_version DESC LIMIT 1;

  v_prev := v_hash;

  IF v_head IS NOT NULL AND EXISTS (
       SELECT 1 FROM observa_events e
        WHERE e.stream_id = p_stream AND e.event_id = (p_events->0->>'eventId')::uuid) THEN
    SELECT count(*) INTO v_found FROM observa_events e
     WHERE e.stream_id = p_stream
       AND e.event_id IN (SELECT (x->>'eventId')::uuid FROM jsonb_array_elements(p_events) x);
    IF v_found <> v_count THEN
      RAISE EXCEPTION 'only % of % event ids are already in stream %', v_found, v_count, p_stream
        USING ERRCODE = 'OB422';
    END IF;
    RETURN QUERY SELECT e.event_id, e.stream_version, e.transaction_id, e.global_position, false
      FROM observa_events e
     WHERE e.stream_id = p_stream
       AND e.event_id IN (SELECT (x->>'eventId')::uuid FROM jsonb_array_elements(p_events) x)
     ORDER BY e.stream_version;
    RETURN;
  END IF;

  IF (p_expected_kind = 'no_stream' AND v_head IS NOT NULL)
     OR (p_expected_kind = 'stream_exists' AND v_head IS NULL)
     OR (p_expected_kind = 'version' AND v_head IS DISTINCT FROM p_expected) THEN
    RAISE EXCEPTION 'stream % is at %', p_stream, coalesce(v_head::text, 'no_stream')
      USING ERRCODE = 'OB409', DETAIL = coalesce(v_head::text, 'no_stream');
  END IF;

  FOR v_event IN SELECT x FROM jsonb_array_elements(p_events) x LOOP
    v_hash := encode(sha256(convert_to(
      coalesce(v_hash, '') || ':' || (coalesce(v_head, -1) + 1 + v_i) || ':' || (v_event->>'contentHash'), 'UTF8')), 'hex');
    v_hashes := v_hashes || v_hash;
    v_i := v_i + 1;
  END LOOP;

  RETURN QUERY
  INSERT INTO observa_events AS e
    (event_id, stream_id, stream_version, category, type, schema_version, data, metadata, hash, previous_hash)
  SELECT (x.value->>'eventId')::uuid, p_stream, coalesce(v_head, -1) + x.ordinality, p_category,
         x.value->>'type', (x.value->>'schemaVersion')::int, x.value->'data', x.value->'metadata',
         v_hashes[x.ordinality],
         CASE WHEN x.ordinality = 1 THEN v_prev ELSE v_hashes[x.ordinality - 1] END
    FROM jsonb_array_elements(p_events) WITH ORDINALITY x
  RETURNING e.event_id, e.stream_version, e.transaction_id, e.global_position, true;
END
$fn$;
`,
  },
];
