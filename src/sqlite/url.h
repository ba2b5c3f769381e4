/*
** The SQLite driver's URL: sqlite:PATH[?OPTION&...] and sqlite::memory:
** (sqlite/url.c). Kept apart from the driver so that the parser can be
** tested and fuzzed on its own.
*/
#ifndef ATESQL_SQLITE_URL_H
#define ATESQL_SQLITE_URL_H

#include <stdbool.h>

#include "atesql/types.h"

typedef enum sqlite_access {
  SQLITE_ACCESS_READ_WRITE, /* the default: created when missing */
  SQLITE_ACCESS_READ_ONLY,  /* mode=ro: no writes, others may write */
  SQLITE_ACCESS_IMMUTABLE   /* immutable=1: nobody writes the file */
} sqlite_access;

typedef struct sqlite_url {
  char *path; /* malloc'd, as given (":memory:" for an in-memory database) */
  int busy_timeout_ms;
  bool synchronous_full; /* fsync the WAL at every commit */
  sqlite_access access;
  int cache_size_mb; /* this handle's page cache */
  int mmap_size_mb;  /* of the file mapped into memory; 0: none */
} sqlite_url;

/*
** The page cache is the handle's own memory, and a process may hold many
** handles (the Go package pools 8), so its default is modest; mapped
** pages are the kernel's page cache, shared by every handle and process
** on the file, so the mapping's default covers the file of a fleet of
** about 1.5M workers (SQLite maps what the file holds, up to this). The
** mapping's maximum is a bound of our own: SQLite caps it at its build's
** limit (2047 MB in standard builds).
*/
enum {
  SQLITE_DEFAULT_BUSY_TIMEOUT_MS = 5000,
  SQLITE_MAX_BUSY_TIMEOUT_MS = 3600000,
  SQLITE_DEFAULT_CACHE_SIZE_MB = 8,
  SQLITE_MAX_CACHE_SIZE_MB = 65536,
  SQLITE_DEFAULT_MMAP_SIZE_MB = 1024,
  SQLITE_MAX_MMAP_SIZE_MB = 1048576
};

/*
** Parse url (which starts with "sqlite:"). Options, joined by '&':
** busy_timeout_ms=N (0..3600000, default 5000), synchronous=full|normal
** (default full), mode=ro, immutable=1, cache_size_mb=N (1..65536,
** default 8), mmap_size_mb=N (0..1048576, default 1024; 0: no mapping).
** On success out holds a path to release with sqlite_url_release.
** Errors: INVALID_ARGUMENT naming the option (quoted as a bounded
** excerpt) and its range, NO_MEMORY.
*/
atesql_status sqlite_url_parse(const char *url, sqlite_url *out,
                               atesql_error *err);

void sqlite_url_release(sqlite_url *u);

#endif /* ATESQL_SQLITE_URL_H */
