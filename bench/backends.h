/*
** The backends a run measures and the databases it keeps on them. A
** subcommand offers some backends; the command line chooses among them.
** SQLite databases are files in a new directory of the run's own,
** PostgreSQL databases live on the server a key=value conninfo names. A
** db_place is one of the two: it makes, copies and drops databases by
** name, and gives the URL atesql opens each with. Everything here dies on
** failure.
*/
#ifndef ATESQL_BENCH_BACKENDS_H
#define ATESQL_BENCH_BACKENDS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include <atesql/atesql.h>

#include "options.h"

typedef enum backend_id {
  B_SQLITE,
  B_POSTGRES,
  B_REDIS,  /* a redis-server (the lists' upstream pattern) */
  B_MEMORY, /* this process's memory (the lists' in-memory caches) */
  B_COUNT
} backend_id;

extern const char *const backend_names[B_COUNT];

/*
** The backends to run into chosen[0..B_COUNT): those that common->backends
** names, else every backend of cmd->backends whose server was given
** (SQLite and memory need none; PostgreSQL needs --postgres; Redis needs
** redis_given). Dies on a backend cmd does not offer, and on PostgreSQL
** without --postgres or with a URL instead of a conninfo.
*/
void choose_backends(const command *cmd, const common_options *common,
                     bool redis_given, bool chosen[B_COUNT]);

/* Where a run keeps the databases of one backend. */
typedef struct db_place {
  backend_id backend; /* B_SQLITE or B_POSTGRES */
  char dir[4096];     /* SQLite: the run's directory, removed at the end */
  const char *server; /* PostgreSQL: the server's conninfo */
  PGconn *admin;      /* PostgreSQL: makes and drops the databases */
} db_place;

/*
** Open the place of backend b: for SQLite a new directory
** <dir>/atesql-<subcommand>-XXXXXX, for PostgreSQL a connection to the
** server. Close it with place_close, after dropping its databases.
*/
void place_open(db_place *p, backend_id b, const char *dir, const char *server,
                const char *subcommand);
void place_close(db_place *p);

/* SQLite: the file of database `name`, <dir>/<name>.db. */
void place_file(const db_place *p, const char *name, char *buf, size_t bufsz);

/*
** The URL atesql opens database `name` with: "sqlite:FILE" followed by
** sqlite_query ("?synchronous=full", or ""), or "SERVER dbname=NAME".
*/
void place_url(const db_place *p, const char *name, const char *sqlite_query,
               char *buf, size_t bufsz);

/* A new empty database `name`, replacing one of that name. */
void place_create(db_place *p, const char *name);

/*
** Replace database `to` by a copy of database `from`, which no handle may
** have open: on SQLite all of `from` must be in its file (its WAL
** checkpointed and removed, as the last handle's close leaves it).
*/
void place_copy(db_place *p, const char *from, const char *to);

/* Drop database `name` (its SQLite -wal and -shm files too), if it
** exists. */
void place_drop(db_place *p, const char *name);

/* The server's version and fsync setting, "15.18 (...) (fsync=on)". */
void postgres_describe(const char *server, char *buf, size_t bufsz);

/* A connection to the server of the conninfo, which ignores the server's
** notices. Close it with PQfinish. */
PGconn *pg_connect(const char *conninfo);

/* Run sql, which returns no rows, on c. */
void pg_exec(PGconn *c, const char *sql);

/* A handle on the database at url, to close with atesql_store_close. */
atesql_store *open_store(const char *url);

/* Migrate the empty database at url up; then a handle on it, as
** open_store. */
atesql_store *migrate_and_open(const char *url);

#endif
