-- The workers' change feed: every create, update and delete of a worker
-- appends an event, numbered by the store revision, in the transaction
-- that makes the change. Triggers write it, so that no path that writes a
-- worker (the store's operations, an import, an operator's SQL) can leave
-- the feed behind.
--
-- Revision order is commit order: SQLite lets one transaction write at a
-- time, so the revision a writer takes from store_revision is the one
-- after the last commit, and no later writer can commit before it ends.
-- A rolled-back transaction takes its revisions back with it: revisions
-- are dense.
--
-- An event holds the worker as written (NULL for a delete) and as it was
-- before (prev_*, NULL for a create), labels included (migrations 0004):
-- a watch with a selector tells from the two whether the worker entered,
-- stayed in or left the selected set.

CREATE TABLE store_revision (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  revision  INTEGER NOT NULL, -- the revision of the last committed change
  compacted INTEGER NOT NULL  -- events up to this revision are removed
);
INSERT INTO store_revision (id, revision, compacted) VALUES (1, 0, 0);

-- The store revision and the compacted one, as every reader asks for them
-- (the same view on PostgreSQL, which keeps no counter row).
CREATE VIEW worker_revision AS
SELECT revision, compacted FROM store_revision WHERE id = 1;

CREATE TABLE worker_events (
  revision             INTEGER PRIMARY KEY,
  change               INTEGER NOT NULL, -- 1 created, 2 updated, 3 deleted
  committed_at_ms      INTEGER NOT NULL, -- database clock, for retention
  worker_namespace     TEXT NOT NULL,
  worker_pool          TEXT NOT NULL,
  worker_pod           TEXT NOT NULL,
  actor_namespace      TEXT,
  actor_template       TEXT,
  actor_id             TEXT,
  actor_atespace       TEXT,
  ip                   TEXT,
  worker_pod_uid       TEXT,
  node_name            TEXT,
  version              INTEGER,
  prev_actor_namespace TEXT,
  prev_actor_template  TEXT,
  prev_actor_id        TEXT,
  prev_actor_atespace  TEXT,
  prev_ip              TEXT,
  prev_worker_pod_uid  TEXT,
  prev_node_name       TEXT,
  prev_version         INTEGER,
  labels               TEXT,
  prev_labels          TEXT
);
-- A worker's events in order: a list's later page, read at the revision
-- of its first, finds the workers changed since.
CREATE INDEX worker_events_key
  ON worker_events (worker_namespace, worker_pool, worker_pod, revision);

CREATE TRIGGER workers_event_created AFTER INSERT ON workers BEGIN
  UPDATE store_revision SET revision = revision + 1 WHERE id = 1;
  INSERT INTO worker_events VALUES (
    (SELECT revision FROM store_revision WHERE id = 1), 1,
    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
    NEW.worker_namespace, NEW.worker_pool, NEW.worker_pod,
    NEW.actor_namespace, NEW.actor_template, NEW.actor_id, NEW.actor_atespace,
    NEW.ip, NEW.worker_pod_uid, NEW.node_name, NEW.version,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NEW.labels, NULL);
END;

CREATE TRIGGER workers_event_updated AFTER UPDATE ON workers BEGIN
  UPDATE store_revision SET revision = revision + 1 WHERE id = 1;
  INSERT INTO worker_events VALUES (
    (SELECT revision FROM store_revision WHERE id = 1), 2,
    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
    NEW.worker_namespace, NEW.worker_pool, NEW.worker_pod,
    NEW.actor_namespace, NEW.actor_template, NEW.actor_id, NEW.actor_atespace,
    NEW.ip, NEW.worker_pod_uid, NEW.node_name, NEW.version,
    OLD.actor_namespace, OLD.actor_template, OLD.actor_id, OLD.actor_atespace,
    OLD.ip, OLD.worker_pod_uid, OLD.node_name, OLD.version, NEW.labels,
    OLD.labels);
END;

CREATE TRIGGER workers_event_deleted AFTER DELETE ON workers BEGIN
  UPDATE store_revision SET revision = revision + 1 WHERE id = 1;
  INSERT INTO worker_events VALUES (
    (SELECT revision FROM store_revision WHERE id = 1), 3,
    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
    OLD.worker_namespace, OLD.worker_pool, OLD.worker_pod,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    OLD.actor_namespace, OLD.actor_template, OLD.actor_id, OLD.actor_atespace,
    OLD.ip, OLD.worker_pod_uid, OLD.node_name, OLD.version, NULL, OLD.labels);
END;
