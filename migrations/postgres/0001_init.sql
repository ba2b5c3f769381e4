-- The initial schema: atespaces, actors, workers and locks; the same
-- version, tables and columns as migrations/sqlite/0001_init.sql.
-- Text columns use the "C" collation so that keys sort by bytes, as on
-- SQLite: pages come in the same order on both backends.
-- Each selector field's index carries the primary key after it, so a page
-- filtered on the field is read in key order straight from the index.

CREATE TABLE atespaces (
  name text COLLATE "C" NOT NULL PRIMARY KEY
);

CREATE TABLE actors (
  atespace                 text COLLATE "C" NOT NULL REFERENCES atespaces (name),
  actor_id                 text COLLATE "C" NOT NULL,
  version                  bigint NOT NULL,
  actor_template_namespace text COLLATE "C" NOT NULL DEFAULT '',
  actor_template_name      text COLLATE "C" NOT NULL DEFAULT '',
  status                   integer NOT NULL DEFAULT 0,
  ateom_pod_namespace      text COLLATE "C" NOT NULL DEFAULT '',
  ateom_pod_name           text COLLATE "C" NOT NULL DEFAULT '',
  ateom_pod_ip             text COLLATE "C" NOT NULL DEFAULT '',
  ateom_pod_uid            text COLLATE "C" NOT NULL DEFAULT '',
  in_progress_snapshot     text COLLATE "C" NOT NULL DEFAULT '',
  worker_pool_name         text COLLATE "C" NOT NULL DEFAULT '',
  latest_snapshot_info     jsonb NOT NULL DEFAULT '{}', -- protojson SnapshotInfo
  worker_selector          jsonb NOT NULL DEFAULT '{}', -- protojson Selector
  PRIMARY KEY (atespace, actor_id)
);

CREATE INDEX actors_actor_id ON actors (actor_id, atespace);
CREATE INDEX actors_actor_template_namespace ON actors (actor_template_namespace, atespace, actor_id);
CREATE INDEX actors_actor_template_name ON actors (actor_template_name, atespace, actor_id);
CREATE INDEX actors_status ON actors (status, atespace, actor_id);
CREATE INDEX actors_ateom_pod_namespace ON actors (ateom_pod_namespace, atespace, actor_id);
CREATE INDEX actors_ateom_pod_name ON actors (ateom_pod_name, atespace, actor_id);
CREATE INDEX actors_ateom_pod_ip ON actors (ateom_pod_ip, atespace, actor_id);
CREATE INDEX actors_ateom_pod_uid ON actors (ateom_pod_uid, atespace, actor_id);
CREATE INDEX actors_worker_pool_name ON actors (worker_pool_name, atespace, actor_id);
CREATE INDEX actors_version ON actors (version, atespace, actor_id);
-- "Actors of one atespace by status" in key order.
CREATE INDEX actors_atespace_status ON actors (atespace, status, actor_id);

CREATE TABLE workers (
  worker_namespace text COLLATE "C" NOT NULL,
  worker_pool      text COLLATE "C" NOT NULL,
  worker_pod       text COLLATE "C" NOT NULL,
  actor_namespace  text COLLATE "C" NOT NULL DEFAULT '',
  actor_template   text COLLATE "C" NOT NULL DEFAULT '',
  actor_id         text COLLATE "C" NOT NULL DEFAULT '',
  actor_atespace   text COLLATE "C" NOT NULL DEFAULT '',
  ip               text COLLATE "C" NOT NULL DEFAULT '',
  worker_pod_uid   text COLLATE "C" NOT NULL DEFAULT '',
  node_name        text COLLATE "C" NOT NULL DEFAULT '',
  version          bigint NOT NULL,
  PRIMARY KEY (worker_namespace, worker_pool, worker_pod)
);

-- worker_pool and node_name lead composite indexes with actor_id: the
-- scheduler's hottest questions are free workers (actor_id = '') in a pool
-- and on a set of nodes, and the empty value arrives as a bound parameter,
-- which a partial index (WHERE actor_id = '') cannot match in a generic
-- plan.
CREATE INDEX workers_pool_actor ON workers (worker_pool, actor_id, worker_namespace, worker_pod);
CREATE INDEX workers_node_actor ON workers (node_name, actor_id, worker_namespace, worker_pool, worker_pod);
CREATE INDEX workers_worker_pod ON workers (worker_pod, worker_namespace, worker_pool);
CREATE INDEX workers_actor_namespace ON workers (actor_namespace, worker_namespace, worker_pool, worker_pod);
CREATE INDEX workers_actor_template ON workers (actor_template, worker_namespace, worker_pool, worker_pod);
CREATE INDEX workers_actor_id ON workers (actor_id, worker_namespace, worker_pool, worker_pod);
CREATE INDEX workers_actor_atespace ON workers (actor_atespace, worker_namespace, worker_pool, worker_pod);
CREATE INDEX workers_ip ON workers (ip, worker_namespace, worker_pool, worker_pod);
CREATE INDEX workers_worker_pod_uid ON workers (worker_pod_uid, worker_namespace, worker_pool, worker_pod);
CREATE INDEX workers_version ON workers (version, worker_namespace, worker_pool, worker_pod);

CREATE TABLE locks (
  key           text COLLATE "C" NOT NULL PRIMARY KEY,
  value         text COLLATE "C" NOT NULL,
  expires_at_ms bigint NOT NULL -- milliseconds since the epoch, database clock
);
