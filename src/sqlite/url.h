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
} sqlite_url;

enum {
  SQLITE_DEFAULT_BUSY_TIMEOUT_MS = 5000,
  SQLITE_MAX_BUSY_TIMEOUT_MS = 3600000
};

/*
** Parse url (which starts with "sqlite:"). Options, joined by '&':
** busy_timeout_ms=N (0..3600000, default 5000), synchronous=full|normal
** (default full), mode=ro, immutable=1. On success out holds a path to
** release with sqlite_url_release. Errors: INVALID_ARGUMENT naming the
** option (quoted as a bounded excerpt), NO_MEMORY.
*/
atesql_status sqlite_url_parse(const char *url, sqlite_url *out,
                               atesql_error *err);

void sqlite_url_release(sqlite_url *u);

#endif /* ATESQL_SQLITE_URL_H */
