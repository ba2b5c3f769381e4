/*
** Schema migrations. The migrations of every dialect are embedded in the
** library at build time; the runner applies the ones a database lacks, each
** in its own transaction, and records them in the table schema_migrations
** (version, name, checksum, applied_at). Concurrent runners on one database
** are serialized. The `atesql migrate` command is a thin shell over these
** calls.
**
** Threads: the calls open their own connection; they are safe to call from
** any thread.
*/
#ifndef ATESQL_MIGRATE_H
#define ATESQL_MIGRATE_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One migration, as embedded and as recorded in a database. */
typedef struct atesql_migration {
  int64_t version;      /* 1, 2, ...: the NNNN of NNNN_name.sql */
  const char *name;     /* the file's name part, e.g. "init" */
  const char *checksum; /* hex SHA-256 of the embedded text */
  bool applied;         /* recorded in the database */
  const char
      *applied_at; /* when, on the database clock, ISO 8601; "" if pending */
} atesql_migration;

/* A list of migrations in version order; one allocation. */
typedef struct atesql_migration_list {
  atesql_migration *items;
  size_t count;
} atesql_migration_list;

/* The highest migration version this library embeds (the schema version a
** store needs). */
ATESQL_API int64_t atesql_schema_version(void);

/*
** Apply every pending migration to the database at `url` (see
** atesql_store_open for URLs). *applied (may be NULL) receives the list of
** the migrations this call applied, empty when the database was up to date;
** free it with atesql_migration_list_free. When it applied any and the
** schema is now the latest, it refreshes the planner's statistics
** (atesql_store_analyze), as a best effort: the migrations have committed
** by then, so a failed refresh is not an error of the call.
** Errors: FAILED_PRECONDITION when an applied migration's text differs from
** the embedded one (the message names it) or the database holds a newer
** schema; UNAVAILABLE; INVALID_ARGUMENT (URL); INTERNAL (a migration
** failed: its transaction is rolled back and the message names it);
** NO_MEMORY. Each migration commits on its own, so on an error the ones
** before it stay applied (atesql_migrate_status tells which); so does a
** NO_MEMORY in making *applied after every migration committed.
*/
ATESQL_API atesql_status atesql_migrate_up(const char *url,
                                           atesql_migration_list **applied,
                                           atesql_error *err);

/*
** As atesql_migrate_up, applying the pending migrations up to `version`
** only (a staged upgrade; a version beyond the last means every one).
** Errors: as atesql_migrate_up; INVALID_ARGUMENT for a version below 1.
*/
ATESQL_API atesql_status atesql_migrate_up_to(const char *url, int64_t version,
                                              atesql_migration_list **applied,
                                              atesql_error *err);

/*
** Every embedded migration with whether the database at `url` has applied
** it. *out receives a list to free with atesql_migration_list_free.
** Errors: as atesql_migrate_up, without INTERNAL for a failed migration.
*/
ATESQL_API atesql_status atesql_migrate_status(const char *url,
                                               atesql_migration_list **out,
                                               atesql_error *err);

/* Free a migration list. NULL is a no-op. */
ATESQL_API void atesql_migration_list_free(atesql_migration_list *list);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_MIGRATE_H */
