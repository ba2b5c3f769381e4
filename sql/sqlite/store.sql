-- Named statements of the store on SQLite. Each operation in src/store/
-- runs these by name; the PostgreSQL file defines the same names.
-- The database clock in milliseconds since the epoch is
-- CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER).

-- name: tx_begin
BEGIN IMMEDIATE;

-- name: tx_commit
COMMIT;

-- name: tx_rollback
ROLLBACK;

-- name: schema_has_migrations
SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations';

-- name: schema_version
SELECT coalesce(max(version), 0) FROM schema_migrations;

-- name: clear_all
DELETE FROM actors;
DELETE FROM workers;
DELETE FROM atespaces;
UPDATE locks SET value = '', expires_at_ms = 0 WHERE value <> '';

-- Statistics, then one correction: no skip-scan of the workers' primary
-- key. With few namespaces SQLite's averaged statistics make skipping
-- through worker_namespace look cheaper than the index of free workers
-- by pool, and a small fleet's "free workers of a pool" then read every
-- worker of the pool. Every selectable field has its own index, so the
-- skip-scan is never needed. ANALYZE sqlite_schema reloads the changed
-- statistics.
-- name: analyze
ANALYZE;
UPDATE sqlite_stat1 SET stat = stat || ' noskipscan'
WHERE tbl = 'workers' AND idx = 'workers' AND stat NOT LIKE '% noskipscan';
ANALYZE sqlite_schema;

-- name: atespace_create
INSERT INTO atespaces (name) VALUES (?1);

-- name: atespace_delete
DELETE FROM atespaces WHERE name = ?1 RETURNING name;

-- A record's statements name its columns by template, expanded from the
-- column table (src/schema.c, src/store/columns.h): {actors.columns} is
-- its columns in table order, which bind as parameters 1 .. n in that
-- order ({actors.values}); {actors.key} matches the key (the first
-- columns), {actors.set} writes the mutable columns, {actors.immutable}
-- matches the other immutable ones, {actors.version} is the version's
-- parameter: the record's at create, the expected one at update. An
-- actor's key is ?1 atespace, ?2 actor_id. The largest version
-- cannot be updated (its successor would overflow).

-- name: actor_create
INSERT INTO actors ({actors.columns}) VALUES ({actors.values});

-- name: actor_update
UPDATE actors SET {actors.set}, version = version + 1
WHERE {actors.key} AND version = {actors.version}
  AND version < 9223372036854775807 AND {actors.immutable}
RETURNING version;

-- Why an update or delete did not happen: the stored version, immutable
-- fields and status, or no row.
-- name: actor_probe
SELECT version, actor_template_namespace, actor_template_name, status
FROM actors WHERE atespace = ?1 AND actor_id = ?2;

-- name: actor_delete
DELETE FROM actors WHERE atespace = ?1 AND actor_id = ?2 AND status = 4
RETURNING version;

-- Worker statements use the templates of the actors' ({workers.columns}
-- ...); a worker's key is ?1 worker_namespace, ?2 worker_pool,
-- ?3 worker_pod, and its labels travel as a JSON object
-- (store/labels.c).

-- name: worker_create
INSERT INTO workers ({workers.columns}) VALUES ({workers.values});

-- name: worker_update
UPDATE workers SET {workers.set}, version = version + 1
WHERE {workers.key} AND version = {workers.version}
  AND version < 9223372036854775807 AND {workers.immutable}
RETURNING version;

-- name: worker_probe
SELECT version, ip FROM workers
WHERE worker_namespace = ?1 AND worker_pool = ?2 AND worker_pod = ?3;

-- name: worker_delete
DELETE FROM workers
WHERE worker_namespace = ?1 AND worker_pool = ?2 AND worker_pod = ?3;

-- Locks (src/store/lock.c). A lock's row stays once made (migration
-- 0008): `token` counts the key's acquisitions, and a free lock is one
-- whose expiry has passed; release clears the holder and sets the expiry
-- to 0.

-- A lock is taken when free or expired, with the next token of its key;
-- a row (the token) comes back only then.
-- ?1 key, ?2 value, ?3 ttl in milliseconds.
-- name: lock_acquire
INSERT INTO locks (key, value, expires_at_ms, token)
VALUES (?1, ?2, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) + ?3, 1)
ON CONFLICT (key) DO UPDATE
  SET value = excluded.value, expires_at_ms = excluded.expires_at_ms,
      token = locks.token + 1
  WHERE locks.expires_at_ms <= CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)
RETURNING token;

-- Extends a live lock of the holder's; the token comes back only then.
-- ?1 key, ?2 value, ?3 ttl in milliseconds.
-- name: lock_renew
UPDATE locks SET expires_at_ms = CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) + ?3
WHERE key = ?1 AND value = ?2 AND expires_at_ms > CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)
RETURNING token;

-- Frees a live lock of the holder's, keeping its token; a row comes back
-- only then.
-- name: lock_release
UPDATE locks SET value = '', expires_at_ms = 0
WHERE key = ?1 AND value = ?2 AND expires_at_ms > CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)
RETURNING 1;

-- The lock's holder, token and liveness. Inside a transaction (BEGIN
-- IMMEDIATE) the database's write lock already keeps every acquire out
-- until the commit.
-- name: lock_check
SELECT value, token, expires_at_ms > CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) FROM locks WHERE key = ?1;

-- The held locks in key order, each with the database clock.
-- name: lock_list
SELECT key, value, expires_at_ms, token, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) FROM locks
WHERE expires_at_ms > CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)
ORDER BY key;

-- Assignment (src/store/claim_steps.c). A claim is one write transaction
-- (BEGIN IMMEDIATE), so claims never interleave on SQLite: taking the
-- actor's lock is a no-op.
-- name: claim_lock_actor
SELECT ?1;

-- The workers holding an actor: ?1 actor_id (not empty), ?2 actor_atespace.
-- The rows are the workers' records (the columns of a get).
-- name: claim_holders
SELECT {workers.columns} FROM workers
WHERE actor_id = ?1 AND actor_id <> '' AND actor_atespace = ?2
ORDER BY worker_namespace, worker_pool, worker_pod;

-- Assign a free worker: ?1..?3 its key, ?4 actor_namespace,
-- ?5 actor_template, ?6 actor_id, ?7 actor_atespace.
-- name: claim_assign
UPDATE workers SET actor_namespace = ?4, actor_template = ?5, actor_id = ?6,
  actor_atespace = ?7, version = version + 1
WHERE worker_namespace = ?1 AND worker_pool = ?2 AND worker_pod = ?3
  AND actor_id = '' AND version < 9223372036854775807
RETURNING {workers.columns};

-- Free a worker if the actor still holds it: ?1..?3 its key,
-- ?4 actor_atespace, ?5 actor_id.
-- name: worker_release
UPDATE workers SET actor_namespace = '', actor_template = '', actor_id = '',
  actor_atespace = '', version = version + 1
WHERE worker_namespace = ?1 AND worker_pool = ?2 AND worker_pod = ?3
  AND actor_atespace = ?4 AND actor_id = ?5 AND actor_id <> ''
  AND version < 9223372036854775807
RETURNING version;

-- The store revision (the last committed worker change) and the revision
-- events are compacted up to.
-- name: store_revision
SELECT revision, compacted, pending FROM worker_revision;

-- Number the committed changes that await it (store/revision.c): nothing
-- to do here, where a writer numbers its own.
-- name: number_events
SELECT NULL;

-- The highest revision committed more than $1 milliseconds ago (0: none).
-- name: revision_before_ms
SELECT coalesce(max(revision), 0) FROM worker_events
WHERE committed_at_ms <
  CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) - ?1;

-- Remove the events up to revision $1 and record it; in one transaction.
-- name: compact_events
DELETE FROM worker_events WHERE revision <= ?1;

-- name: compact_mark
UPDATE store_revision SET compacted = ?1 WHERE id = 1 AND compacted < ?1;

-- What a watch runs on each new connection before reading events: nothing
-- on SQLite, whose writers signal or are polled (store/watch.c).
-- name: watch_listen
SELECT 1;
