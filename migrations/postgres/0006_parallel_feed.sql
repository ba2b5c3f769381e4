-- The workers' change feed without a writers' lock: a worker's writers
-- run in parallel, and readers number what they committed.
--
-- Until this migration (0005) a writer took the feed's advisory lock at
-- its first worker write and held it to its end, so that it could number
-- its events max+1 knowing no other writer would commit in between: every
-- transaction that wrote a worker waited for the previous one to commit,
-- and one left open stalled them all. Now:
--
--  1. A writer's trigger only appends its event, unnumbered (revision
--     NULL), with seq from a sequence. It takes no lock and sends no
--     NOTIFY (NOTIFY's queue lock is held until the commit is flushed,
--     which would serialize writers again).
--  2. Readers (a list, a watch, the store revision; src/store/revision.c)
--     number the committed events: atesql_number_worker_events(), under
--     its own advisory lock, gives every unnumbered event it can see the
--     next revisions, in seq order, in one statement, and commits. Then it
--     notifies atesql_worker_events, which wakes the watches.
--
-- Why revision order is commit order. A numbering transaction N sees the
-- commits that came before its statement began; the next one waits for
-- N's lock, so its statement sees N's numbers and every commit N saw. So
--  - an event is numbered only once it is committed, and a rolled-back
--    transaction's events are never seen, so never numbered;
--  - the batches of numbers are handed out in the order the numbering
--    transactions commit, each after the commits of its events: a reader
--    that sees revision r sees the numbering that gave it, hence every
--    lower revision and every change they stand for; revisions are dense
--    and never reused (each numbering goes on from store_revision.revision,
--    which the one before it wrote);
--  - two changes of one worker cannot be committed in the other order
--    than their seq (the second writer waits for the row lock of the
--    first, which commits before the second's trigger takes its seq), and
--    a batch numbers in seq order: a worker's events are numbered in the
--    order they happened, and always after its earlier ones.
-- What a reader may assume: a snapshot in which the highest revision is r
-- holds every change numbered up to r, none numbered above, and possibly
-- changes committed since that await their numbers. Those are pending; a
-- reader that must be exact at r (a list page, src/store/list_at.c) reads
-- the workers as of r, treating pending events as later than r. The
-- worker_revision view tells a snapshot whether it holds pending events.
--
-- Finding the pending events stays cheap under long transactions: the
-- pending index holds only unnumbered events, and a scan starts at
-- store_revision.numbered_below, below which every event is numbered or
-- was rolled back. A numbering reads the last seq issued, S, then takes
-- its own transaction id, X, and records (X, S) as a candidate. Every
-- event with seq <= S was written by a transaction whose id is below X (a
-- writer has its id from its workers write, before its trigger takes a
-- seq, and ids are handed out in order). A later numbering whose snapshot
-- has no transaction below X still running (its xmin is above X) sees
-- every such transaction ended, numbers what of them committed, and moves
-- numbered_below to S + 1. (The snapshot's xmax would not do for X: it is
-- one past the last transaction to end, and a running writer may hold a
-- higher id.) A reader that holds a snapshot without writing
-- has no transaction id and holds nothing back; a writer left open holds
-- back only the floor, never the numbering of others' events.
--
-- The existing events keep their revisions (seq = revision), and the
-- sequence starts after them: a watch from before the upgrade goes on.

ALTER TABLE worker_events DROP CONSTRAINT worker_events_pkey;
ALTER TABLE worker_events ALTER COLUMN revision DROP NOT NULL;
ALTER TABLE worker_events ADD COLUMN seq bigint;
UPDATE worker_events SET seq = revision;
ALTER TABLE worker_events ALTER COLUMN seq SET NOT NULL;
CREATE SEQUENCE worker_events_seq OWNED BY worker_events.seq;
SELECT setval('worker_events_seq',
              (SELECT revision FROM worker_revision) + 1, false);
ALTER TABLE worker_events
  ALTER COLUMN seq SET DEFAULT nextval('worker_events_seq');

-- Numbered events by revision: the watch's reads, compaction.
CREATE UNIQUE INDEX worker_events_revision ON worker_events (revision)
  WHERE revision IS NOT NULL;
-- The events awaiting their numbers, in seq order.
CREATE INDEX worker_events_pending ON worker_events (seq)
  WHERE revision IS NULL;
-- No index by worker: a writer's insert into one lands on a random page
-- (and, after each checkpoint, writes that page whole to the WAL), which
-- cost the writers more than the rest of the feed together. A listing read
-- as of a revision finds a worker's events among those after the revision
-- instead (src/store/list_at.c).
DROP INDEX worker_events_key;

-- The store revision is kept in store_revision's row, as on SQLite,
-- written by each numbering: reading max(revision) from the index walks
-- every entry compaction left dead at its top.
ALTER TABLE store_revision
  ADD COLUMN revision bigint NOT NULL DEFAULT 0,
  ADD COLUMN numbered_below bigint NOT NULL DEFAULT 0,
  ADD COLUMN candidate_xmax xid8 NOT NULL DEFAULT '0',
  ADD COLUMN candidate_seq bigint NOT NULL DEFAULT 0;
UPDATE store_revision SET revision = (SELECT revision FROM worker_revision)
WHERE id = 1;

-- Every read of the feed is a short range of one of these indexes; a
-- parallel plan, which the planner picks when its statistics make a range
-- look large (after a bulk load, say), costs more to start than the read.
ALTER TABLE worker_events SET (parallel_workers = 0);

-- The committed events a snapshot holds that await their numbers.
CREATE VIEW worker_pending AS
SELECT e.* FROM worker_events e
WHERE e.revision IS NULL
  AND e.seq >= (SELECT numbered_below FROM store_revision WHERE id = 1);

-- pending: 1 when the snapshot holds any. Asked as "the first in seq
-- order", which only the pending index answers without reading the
-- table: statistics taken while every event was pending (after a bulk
-- load) make an EXISTS scan the whole table.
CREATE OR REPLACE VIEW worker_revision AS
SELECT revision, compacted,
       CASE WHEN (SELECT seq FROM worker_pending ORDER BY seq LIMIT 1)
                 IS NOT NULL
            THEN 1 ELSE 0 END AS pending
FROM store_revision s WHERE id = 1;

CREATE OR REPLACE FUNCTION atesql_worker_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO worker_events (change, committed_at_ms,
      worker_namespace, worker_pool, worker_pod, actor_namespace,
      actor_template, actor_id, actor_atespace, ip, worker_pod_uid,
      node_name, version, labels)
    VALUES (1, ms, NEW.worker_namespace, NEW.worker_pool, NEW.worker_pod,
      NEW.actor_namespace, NEW.actor_template, NEW.actor_id,
      NEW.actor_atespace, NEW.ip, NEW.worker_pod_uid, NEW.node_name,
      NEW.version, NEW.labels);
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO worker_events (change, committed_at_ms,
      worker_namespace, worker_pool, worker_pod, actor_namespace,
      actor_template, actor_id, actor_atespace, ip, worker_pod_uid,
      node_name, version, prev_actor_namespace, prev_actor_template,
      prev_actor_id, prev_actor_atespace, prev_ip, prev_worker_pod_uid,
      prev_node_name, prev_version, labels, prev_labels)
    VALUES (2, ms, NEW.worker_namespace, NEW.worker_pool, NEW.worker_pod,
      NEW.actor_namespace, NEW.actor_template, NEW.actor_id,
      NEW.actor_atespace, NEW.ip, NEW.worker_pod_uid, NEW.node_name,
      NEW.version, OLD.actor_namespace, OLD.actor_template, OLD.actor_id,
      OLD.actor_atespace, OLD.ip, OLD.worker_pod_uid, OLD.node_name,
      OLD.version, NEW.labels, OLD.labels);
  ELSE
    INSERT INTO worker_events (change, committed_at_ms,
      worker_namespace, worker_pool, worker_pod, prev_actor_namespace,
      prev_actor_template, prev_actor_id, prev_actor_atespace, prev_ip,
      prev_worker_pod_uid, prev_node_name, prev_version, prev_labels)
    VALUES (3, ms, OLD.worker_namespace, OLD.worker_pool, OLD.worker_pod,
      OLD.actor_namespace, OLD.actor_template, OLD.actor_id,
      OLD.actor_atespace, OLD.ip, OLD.worker_pod_uid, OLD.node_name,
      OLD.version, OLD.labels);
  END IF;
  RETURN NULL;
END
$$;

-- Number the committed events that await it, at least every one committed
-- before the call; the highest revision given, or NULL when this call gave
-- none. Run it outside a transaction (it commits what it numbers).
--
-- Readers that find a numbering under way wait for it to end instead of
-- queueing to number one after another (each numbering commits, and
-- queued ones would each wait for their own flush): every event committed
-- before a call has a seq at most the last seq issued when the call began
-- (its writer took it before committing), so once none of those is
-- pending the call is done, whoever numbered them. Only when some are
-- still pending and the lock is free does the call number.
CREATE FUNCTION atesql_number_worker_events() RETURNS bigint
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
  SELECT array_agg(ctid ORDER BY seq) INTO todo FROM worker_events
  WHERE revision IS NULL AND seq >= state.numbered_below;
  IF todo IS NOT NULL THEN
    UPDATE worker_events e SET revision = state.revision + u.n
    FROM unnest(todo) WITH ORDINALITY AS u(t, n) WHERE e.ctid = u.t;
    top := state.revision + cardinality(todo);
  END IF;
  -- Every transaction below the candidate's id has ended: its events
  -- are numbered (above, or before), and the floor passes them.
  IF state.candidate_xmax < oldest THEN
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
