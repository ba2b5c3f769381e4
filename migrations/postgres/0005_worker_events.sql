-- The workers' change feed: every create, update and delete of a worker
-- appends an event, numbered by the store revision, in the transaction
-- that makes the change; the same tables as migrations/sqlite/0005. A
-- trigger writes it, so that no path that writes a worker (the store's
-- operations, an import, an operator's SQL) can leave the feed behind.
--
-- Revision order must be commit order, or a watcher reading
-- "revision > last" skips an event whose transaction commits after a
-- later-numbered one it already read. A sequence cannot give that: it
-- hands out numbers at insert time, and transactions commit in another
-- order. So a writer first takes a transaction-scoped advisory lock (one
-- per schema: its key is worker_events' oid), held until it ends, and
-- only then reads the last revision (max(revision), one step down the
-- primary key; compacted when every event is compacted away) in a new
-- statement, whose snapshot includes the commit of the writer it waited
-- for. The next writer of a worker waits at the lock, then takes the
-- number after. A rollback gives its numbers back. A transaction that
-- sees revision r therefore sees every change up to r and none after,
-- and revisions are dense.
-- The price: transactions that write workers commit one at a time, from
-- their first worker write to their end (docs/BENCHMARKS.md, Watch,
-- measures it). Other options were weighed. A counter row updated per
-- change serializes the same way, but a transaction that writes many
-- workers (an import) leaves one dead version of the row per change, and
-- every update walks them: quadratic. Reading only below the oldest
-- transaction in flight (txid snapshots, as PgQ does) keeps writers
-- parallel but delays every event behind the slowest open transaction
-- and needs the txid horizon in every read. Logical decoding needs a
-- replication slot and wal_level=logical, a server setting users may not
-- control.
--
-- An event holds the worker as written (NULL for a delete) and as it was
-- before (prev_*, NULL for a create), labels included (migrations 0004):
-- a watch with a selector tells from the two whether the worker entered,
-- stayed in or left the selected set.
-- Every change notifies the channel atesql_worker_events (delivered at
-- commit, once per transaction) to wake watchers.

-- The revision events are compacted up to (one row). The store's revision
-- is worker_revision's: the last event's, or this when none is left.
CREATE TABLE store_revision (
  id        integer PRIMARY KEY CHECK (id = 1),
  compacted bigint NOT NULL  -- events up to this revision are removed
);
INSERT INTO store_revision (id, compacted) VALUES (1, 0);

CREATE TABLE worker_events (
  revision             bigint PRIMARY KEY,
  change               integer NOT NULL, -- 1 created, 2 updated, 3 deleted
  committed_at_ms      bigint NOT NULL,  -- database clock, for retention
  worker_namespace     text COLLATE "C" NOT NULL,
  worker_pool          text COLLATE "C" NOT NULL,
  worker_pod           text COLLATE "C" NOT NULL,
  actor_namespace      text COLLATE "C",
  actor_template       text COLLATE "C",
  actor_id             text COLLATE "C",
  actor_atespace       text COLLATE "C",
  ip                   text COLLATE "C",
  worker_pod_uid       text COLLATE "C",
  node_name            text COLLATE "C",
  version              bigint,
  prev_actor_namespace text COLLATE "C",
  prev_actor_template  text COLLATE "C",
  prev_actor_id        text COLLATE "C",
  prev_actor_atespace  text COLLATE "C",
  prev_ip              text COLLATE "C",
  prev_worker_pod_uid  text COLLATE "C",
  prev_node_name       text COLLATE "C",
  prev_version         bigint,
  labels               jsonb,
  prev_labels          jsonb
);
-- A worker's events in order: a list's later page, read at the revision
-- of its first, finds the workers changed since.
CREATE INDEX worker_events_key
  ON worker_events (worker_namespace, worker_pool, worker_pod, revision);

-- The store revision (the last committed change) and the compacted one,
-- as every reader asks for them.
CREATE VIEW worker_revision AS
SELECT coalesce((SELECT max(revision) FROM worker_events), compacted)
         AS revision,
       compacted
FROM store_revision WHERE id = 1;

CREATE FUNCTION atesql_worker_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  r bigint;
  ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
BEGIN
  -- Held to the end of the transaction; taken again at no cost.
  PERFORM pg_advisory_xact_lock(1096041793, 'worker_events'::regclass::oid::integer);
  -- A statement of its own: its snapshot follows the lock wait.
  SELECT revision + 1 INTO r FROM worker_revision;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO worker_events VALUES (r, 1, ms,
      NEW.worker_namespace, NEW.worker_pool, NEW.worker_pod,
      NEW.actor_namespace, NEW.actor_template, NEW.actor_id,
      NEW.actor_atespace, NEW.ip, NEW.worker_pod_uid, NEW.node_name,
      NEW.version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NEW.labels, NULL);
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO worker_events VALUES (r, 2, ms,
      NEW.worker_namespace, NEW.worker_pool, NEW.worker_pod,
      NEW.actor_namespace, NEW.actor_template, NEW.actor_id,
      NEW.actor_atespace, NEW.ip, NEW.worker_pod_uid, NEW.node_name,
      NEW.version, OLD.actor_namespace, OLD.actor_template, OLD.actor_id,
      OLD.actor_atespace, OLD.ip, OLD.worker_pod_uid, OLD.node_name,
      OLD.version, NEW.labels, OLD.labels);
  ELSE
    INSERT INTO worker_events VALUES (r, 3, ms,
      OLD.worker_namespace, OLD.worker_pool, OLD.worker_pod,
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      OLD.actor_namespace, OLD.actor_template, OLD.actor_id,
      OLD.actor_atespace, OLD.ip, OLD.worker_pod_uid, OLD.node_name,
      OLD.version, NULL, OLD.labels);
  END IF;
  PERFORM pg_notify('atesql_worker_events', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER workers_events AFTER INSERT OR UPDATE OR DELETE ON workers
FOR EACH ROW EXECUTE FUNCTION atesql_worker_event();
