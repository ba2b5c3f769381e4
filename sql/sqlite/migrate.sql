-- Named statements of the migration runner on SQLite. Runners are
-- serialized by BEGIN IMMEDIATE (tx_begin) around each migration, so the
-- lock statement has nothing to do.

-- name: migrate_lock
SELECT 1;

-- name: migrations_table
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER NOT NULL PRIMARY KEY,
  name       TEXT NOT NULL,
  checksum   TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT;

-- name: migrations_applied
SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version;

-- name: migration_record
INSERT INTO schema_migrations (version, name, checksum, applied_at)
VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
