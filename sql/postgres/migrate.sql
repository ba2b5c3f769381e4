-- Named statements of the migration runner on PostgreSQL. A
-- transaction-scoped advisory lock, taken first in each migration's
-- transaction, serializes concurrent runners; it is released by the
-- commit, and works through a transaction pooler (a session lock would
-- not: its unlock may reach another server connection).

-- name: migrate_lock
SELECT pg_advisory_xact_lock(7406548563);

-- name: migrations_table
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    bigint NOT NULL PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at text NOT NULL
);

-- name: migrations_applied
SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version;

-- name: migration_record
INSERT INTO schema_migrations (version, name, checksum, applied_at)
VALUES ($1, $2, $3, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
