-- The initial schema: atespaces, actors, workers and locks.
-- Tables are WITHOUT ROWID, so each secondary index holds the primary key
-- after its own columns: an index on (f) is ordered by (f, primary key),
-- which is exactly the order of a keyset page filtered on f.
-- Every whitelisted selector field has an index led by it, except the
-- first primary-key column, which leads the primary key itself.

CREATE TABLE atespaces (
  name TEXT NOT NULL PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE TABLE actors (
  atespace                 TEXT NOT NULL REFERENCES atespaces (name),
  actor_id                 TEXT NOT NULL,
  version                  INTEGER NOT NULL,
  actor_template_namespace TEXT NOT NULL DEFAULT '',
  actor_template_name      TEXT NOT NULL DEFAULT '',
  status                   INTEGER NOT NULL DEFAULT 0,
  ateom_pod_namespace      TEXT NOT NULL DEFAULT '',
  ateom_pod_name           TEXT NOT NULL DEFAULT '',
  ateom_pod_ip             TEXT NOT NULL DEFAULT '',
  ateom_pod_uid            TEXT NOT NULL DEFAULT '',
  in_progress_snapshot     TEXT NOT NULL DEFAULT '',
  worker_pool_name         TEXT NOT NULL DEFAULT '',
  latest_snapshot_info     TEXT NOT NULL DEFAULT '{}', -- protojson SnapshotInfo
  worker_selector          TEXT NOT NULL DEFAULT '{}', -- protojson Selector
  PRIMARY KEY (atespace, actor_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX actors_actor_id ON actors (actor_id);
CREATE INDEX actors_actor_template_namespace ON actors (actor_template_namespace);
CREATE INDEX actors_actor_template_name ON actors (actor_template_name);
CREATE INDEX actors_status ON actors (status);
CREATE INDEX actors_ateom_pod_namespace ON actors (ateom_pod_namespace);
CREATE INDEX actors_ateom_pod_name ON actors (ateom_pod_name);
CREATE INDEX actors_ateom_pod_ip ON actors (ateom_pod_ip);
CREATE INDEX actors_ateom_pod_uid ON actors (ateom_pod_uid);
CREATE INDEX actors_worker_pool_name ON actors (worker_pool_name);
CREATE INDEX actors_version ON actors (version);
-- "Actors of one atespace by status" in key order.
CREATE INDEX actors_atespace_status ON actors (atespace, status);

CREATE TABLE workers (
  worker_namespace TEXT NOT NULL,
  worker_pool      TEXT NOT NULL,
  worker_pod       TEXT NOT NULL,
  actor_namespace  TEXT NOT NULL DEFAULT '',
  actor_template   TEXT NOT NULL DEFAULT '',
  actor_id         TEXT NOT NULL DEFAULT '',
  actor_atespace   TEXT NOT NULL DEFAULT '',
  ip               TEXT NOT NULL DEFAULT '',
  worker_pod_uid   TEXT NOT NULL DEFAULT '',
  node_name        TEXT NOT NULL DEFAULT '',
  version          INTEGER NOT NULL,
  PRIMARY KEY (worker_namespace, worker_pool, worker_pod)
) STRICT, WITHOUT ROWID;

-- worker_pool and node_name lead composite indexes with actor_id: the
-- scheduler's hottest questions are free workers (actor_id = '') in a pool
-- and on a set of nodes, and the empty value arrives as a bound parameter,
-- which a partial index (WHERE actor_id = '') cannot match.
CREATE INDEX workers_pool_actor ON workers (worker_pool, actor_id);
CREATE INDEX workers_node_actor ON workers (node_name, actor_id);
CREATE INDEX workers_worker_pod ON workers (worker_pod);
CREATE INDEX workers_actor_namespace ON workers (actor_namespace);
CREATE INDEX workers_actor_template ON workers (actor_template);
CREATE INDEX workers_actor_id ON workers (actor_id);
CREATE INDEX workers_actor_atespace ON workers (actor_atespace);
CREATE INDEX workers_ip ON workers (ip);
CREATE INDEX workers_worker_pod_uid ON workers (worker_pod_uid);
CREATE INDEX workers_version ON workers (version);

CREATE TABLE locks (
  key           TEXT NOT NULL PRIMARY KEY,
  value         TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL -- milliseconds since the epoch, database clock
) STRICT, WITHOUT ROWID;
