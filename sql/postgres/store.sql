-- Named statements of the store on PostgreSQL: the same names as
-- sql/sqlite/store.sql. Conditional writes answer in one round trip: a
-- CTE reads the current row, the write runs beside it, and the result says
-- whether it wrote (column 0) and, if not, why (the probe's columns).
-- The database clock in milliseconds since the epoch is
-- (extract(epoch FROM clock_timestamp()) * 1000)::bigint.

-- name: tx_begin
BEGIN;

-- name: tx_commit
COMMIT;

-- name: tx_rollback
ROLLBACK;

-- name: schema_has_migrations
SELECT count(*) FROM pg_catalog.pg_tables
WHERE schemaname = current_schema() AND tablename = 'schema_migrations';

-- name: schema_version
SELECT coalesce(max(version), 0) FROM schema_migrations;

-- name: clear_all
DELETE FROM actors;
DELETE FROM workers;
DELETE FROM atespaces;
UPDATE locks SET value = '', expires_at_ms = 0 WHERE value <> '';

-- name: analyze
ANALYZE atespaces, actors, workers, locks, worker_labels, worker_events;

-- name: atespace_create
INSERT INTO atespaces (name) VALUES ($1);

-- name: atespace_delete
DELETE FROM atespaces WHERE name = $1 RETURNING name;

-- A record's statements name its columns by template, expanded from the
-- column table (src/schema.c, src/store/columns.h): {actors.columns} is
-- its columns in table order, which bind as parameters 1 .. n in that
-- order ({actors.values}); {actors.key} matches the key (the first
-- columns), {actors.set} writes the mutable columns, {actors.immutable}
-- matches the other immutable ones, {actors.version} is the version's
-- parameter: the record's at create, the expected one at update. An
-- actor's key is $1 atespace, $2 actor_id. The largest version
-- cannot be updated (its successor would overflow).

-- name: actor_create
INSERT INTO actors ({actors.columns}) VALUES ({actors.values});

-- name: actor_update
WITH current AS (
  SELECT version, actor_template_namespace, actor_template_name, status
  FROM actors WHERE atespace = $1 AND actor_id = $2
), written AS (
  UPDATE actors SET {actors.set}, version = actors.version + 1
  WHERE {actors.key} AND version = {actors.version}
    AND version < 9223372036854775807 AND {actors.immutable}
  RETURNING version
)
SELECT written.version, current.version, current.actor_template_namespace,
  current.actor_template_name, current.status
FROM current LEFT JOIN written ON true;

-- name: actor_probe
SELECT version, actor_template_namespace, actor_template_name, status
FROM actors WHERE atespace = $1 AND actor_id = $2;

-- name: actor_delete
WITH current AS (
  SELECT version, actor_template_namespace, actor_template_name, status
  FROM actors WHERE atespace = $1 AND actor_id = $2
), deleted AS (
  DELETE FROM actors WHERE atespace = $1 AND actor_id = $2 AND status = 4
  RETURNING version
)
SELECT deleted.version, current.version, current.actor_template_namespace,
  current.actor_template_name, current.status
FROM current LEFT JOIN deleted ON true;

-- Worker statements use the templates of the actors' ({workers.columns}
-- ...); a worker's key is $1 worker_namespace, $2 worker_pool,
-- $3 worker_pod, and its labels travel as a JSON object
-- (store/labels.c).

-- name: worker_create
INSERT INTO workers ({workers.columns}) VALUES ({workers.values});

-- name: worker_update
WITH current AS (
  SELECT version, ip FROM workers
  WHERE worker_namespace = $1 AND worker_pool = $2 AND worker_pod = $3
), written AS (
  UPDATE workers SET {workers.set}, version = workers.version + 1
  WHERE {workers.key} AND version = {workers.version}
    AND version < 9223372036854775807 AND {workers.immutable}
  RETURNING version
)
SELECT written.version, current.version, current.ip
FROM current LEFT JOIN written ON true;

-- name: worker_probe
SELECT version, ip FROM workers
WHERE worker_namespace = $1 AND worker_pool = $2 AND worker_pod = $3;

-- name: worker_delete
DELETE FROM workers
WHERE worker_namespace = $1 AND worker_pool = $2 AND worker_pod = $3;

-- Locks (src/store/lock.c). A lock's row stays once made (migration
-- 0008): `token` counts the key's acquisitions, and a free lock is one
-- whose expiry has passed; release clears the holder and sets the expiry
-- to 0.

-- A lock is taken when free or expired, with the next token of its key;
-- a row (the token) comes back only then.
-- $1 key, $2 value, $3 ttl in milliseconds.
-- name: lock_acquire
INSERT INTO locks (key, value, expires_at_ms, token)
VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $3::bigint, 1)
ON CONFLICT (key) DO UPDATE
  SET value = excluded.value, expires_at_ms = excluded.expires_at_ms,
      token = locks.token + 1
  WHERE locks.expires_at_ms <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint
RETURNING token;

-- Extends a live lock of the holder's; the token comes back only then.
-- $1 key, $2 value, $3 ttl in milliseconds.
-- name: lock_renew
UPDATE locks SET expires_at_ms = (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $3::bigint
WHERE key = $1 AND value = $2 AND expires_at_ms > (extract(epoch FROM clock_timestamp()) * 1000)::bigint
RETURNING token;

-- Frees a live lock of the holder's, keeping its token; a row comes back
-- only then.
-- name: lock_release
UPDATE locks SET value = '', expires_at_ms = 0
WHERE key = $1 AND value = $2 AND expires_at_ms > (extract(epoch FROM clock_timestamp()) * 1000)::bigint
RETURNING 1;

-- The lock's holder, token and liveness, with the row locked FOR SHARE:
-- an acquire (its ON CONFLICT DO UPDATE) waits for the transaction's end,
-- so a write made after a successful check commits before any new holder
-- exists. A check that waited reads the newest row.
-- name: lock_check
SELECT value, token, (expires_at_ms > (extract(epoch FROM clock_timestamp()) * 1000)::bigint)::int FROM locks
WHERE key = $1
FOR SHARE;

-- The held locks in key order, each with the database clock.
-- name: lock_list
SELECT key, value, expires_at_ms, token, (extract(epoch FROM clock_timestamp()) * 1000)::bigint FROM locks
WHERE expires_at_ms > (extract(epoch FROM clock_timestamp()) * 1000)::bigint
ORDER BY key;

-- Assignment: a claim and the resume step call the functions of
-- migrations/postgres/0007 (src/store/claim_function.c builds the call
-- from the column table), so this file leaves out the statements of a
-- claim run in steps (claim_lock_actor, claim_holders, claim_assign: see
-- sql/sqlite/store.sql); the dialect table declares them absent.

-- Free a worker if the actor still holds it: $1..$3 its key,
-- $4 actor_atespace, $5 actor_id. Like worker_update, one row: the new
-- version or NULL, then the probe's columns; no row when the worker is
-- missing.
-- name: worker_release
WITH current AS (
  SELECT version, ip FROM workers
  WHERE worker_namespace = $1 AND worker_pool = $2 AND worker_pod = $3
), written AS (
  UPDATE workers SET actor_namespace = '', actor_template = '',
    actor_id = '', actor_atespace = '', version = workers.version + 1
  WHERE worker_namespace = $1 AND worker_pool = $2 AND worker_pod = $3
    AND actor_atespace = $4 AND actor_id = $5 AND actor_id <> ''
    AND version < 9223372036854775807
  RETURNING version
)
SELECT written.version, current.version, current.ip
FROM current LEFT JOIN written ON true;

-- The store revision (the last committed worker change) and the revision
-- events are compacted up to.
-- name: store_revision
SELECT revision, compacted, pending FROM worker_revision;

-- Number the committed changes that await it (store/revision.c;
-- migrations/postgres/0006): the highest revision given, or NULL.
-- name: number_events
SELECT atesql_number_worker_events();

-- The highest revision committed more than $1 milliseconds ago (0: none).
-- name: revision_before_ms
SELECT coalesce(max(revision), 0) FROM worker_events
WHERE committed_at_ms <
  (extract(epoch FROM clock_timestamp()) * 1000)::bigint - $1;

-- Remove the events up to revision $1 and record it; in one transaction.
-- name: compact_events
DELETE FROM worker_events WHERE revision <= $1;

-- name: compact_mark
UPDATE store_revision SET compacted = $1 WHERE id = 1 AND compacted < $1;

-- What a watch runs on each new connection before reading events, so that
-- no numbering after its read goes unnoticed: every numbering notifies
-- this channel (migrations/postgres/0006).
-- name: watch_listen
LISTEN atesql_worker_events;
