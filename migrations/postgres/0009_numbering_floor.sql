-- The numbering moves the floor of the pending events at once when it
-- can. The pending index keeps an entry for every event until VACUUM
-- removes it, numbered or not, and every reader's pending check (the
-- worker_revision view, a listing's first page) walks the entries from
-- store_revision.numbered_below up. Migration 0006 moved that floor only
-- to the candidate of the numbering before, so after one numbering of a
-- large batch (the first listing after a bulk import of a million
-- workers) the floor stayed below the whole batch until the next
-- numbering, which only pending events start: on a quiet store every
-- listing walked the batch's dead entries, milliseconds at a million.
--
-- Now a numbering that saw no older transaction running also moves the
-- floor past the last seq issued before it took its transaction id,
-- `issued`. Why that is safe: an event's writer has its transaction id
-- before its trigger takes the event's seq, so every event with seq <=
-- issued was written by a transaction whose id is below this one's,
-- `mine`. The statement that reads the pending events also reads its
-- snapshot's xmin; when that is at least `mine`, no transaction below
-- `mine` was running at that snapshot (one that had not ended would hold
-- xmin at or below its id, whether listed in the snapshot or above its
-- xmax), so each such event was committed and seen, hence numbered here
-- or before, or rolled back. Otherwise the candidate of 0006 still moves
-- the floor one numbering later.
CREATE OR REPLACE FUNCTION atesql_number_worker_events() RETURNS bigint
LANGUAGE plpgsql
-- Its statements read a handful of rows by index or by address; a hash
-- join planned from statistics that lag the feed (all pending one moment,
-- none the next) would read the whole table instead.
SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
DECLARE
  before_call bigint;
  issued bigint;
  mine xid8;
  state store_revision;
  oldest xid8;
  settled xid8;
  todo tid[];
  top bigint;
BEGIN
  -- (A sequence set but never called has issued the one before.)
  SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END
  INTO before_call FROM worker_events_seq;
  LOOP
    IF NOT EXISTS (SELECT 1 FROM worker_pending WHERE seq <= before_call
                   ORDER BY seq LIMIT 1) THEN
      RETURN NULL;
    END IF;
    -- One numbering at a time; each of the statements below takes a
    -- snapshot after the previous numbering's commit.
    EXIT WHEN pg_try_advisory_xact_lock(1096041793,
                                        'worker_events'::regclass::oid::integer);
    -- Wait for the numbering under way to end, then look again.
    PERFORM pg_advisory_lock_shared(1096041793,
                                    'worker_events'::regclass::oid::integer);
    PERFORM pg_advisory_unlock_shared(1096041793,
                                      'worker_events'::regclass::oid::integer);
  END LOOP;
  -- The last seq issued, read before the transaction id is taken.
  SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END
  INTO issued FROM worker_events_seq;
  mine := pg_current_xact_id();
  -- Each statement below sees what the one before it saw, and more.
  SELECT * INTO state FROM store_revision WHERE id = 1;
  oldest := pg_snapshot_xmin(pg_current_snapshot());
  -- The pending events in seq order, by row address: the update below
  -- reaches each row directly whatever the statistics say (they lag
  -- behind a table whose rows are all pending one moment, none the next).
  -- settled: the xmin of the very snapshot that found them.
  SELECT array_agg(ctid ORDER BY seq),
         pg_snapshot_xmin(pg_current_snapshot())
  INTO todo, settled FROM worker_events
  WHERE revision IS NULL AND seq >= state.numbered_below;
  IF todo IS NOT NULL THEN
    UPDATE worker_events e SET revision = state.revision + u.n
    FROM unnest(todo) WITH ORDINALITY AS u(t, n) WHERE e.ctid = u.t;
    top := state.revision + cardinality(todo);
  END IF;
  IF settled >= mine THEN
    -- No older transaction was running: every event up to issued is
    -- numbered (above, or before) or was rolled back.
    UPDATE store_revision
    SET revision = coalesce(top, revision), numbered_below = issued + 1,
        candidate_xmax = mine, candidate_seq = issued
    WHERE id = 1;
  ELSIF state.candidate_xmax < oldest THEN
    -- Every transaction below the candidate's id has ended: its events
    -- are numbered (above, or before), and the floor passes them.
    UPDATE store_revision
    SET revision = coalesce(top, revision),
        numbered_below = state.candidate_seq + 1, candidate_xmax = mine,
        candidate_seq = issued
    WHERE id = 1;
  ELSIF top IS NOT NULL THEN
    UPDATE store_revision SET revision = top WHERE id = 1;
  END IF;
  IF top IS NOT NULL THEN
    PERFORM pg_notify('atesql_worker_events', '');
  END IF;
  RETURN top;
END
$$;
