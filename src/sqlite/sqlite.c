/*
** The SQLite driver: a thin adapter over sqlite3. It opens a file (or
** ":memory:") in WAL mode with foreign keys on and a busy timeout, and maps
** SQLite result codes to atesql_status: SQLITE_BUSY after the timeout is
** UNAVAILABLE, a primary-key or unique violation ALREADY_EXISTS, a foreign
** key violation FAILED_PRECONDITION.
**
** URL: sqlite:PATH[?busy_timeout_ms=N&synchronous=full|normal],
** sqlite::memory:. synchronous=full (the default) syncs the WAL at every
** commit, so a committed write survives power loss; normal trades the last
** commits before a power loss (never consistency) for faster writes.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "util/error.h"

enum { DEFAULT_BUSY_TIMEOUT_MS = 5000 };

struct driver_conn {
  sqlite3 *db;
  int busy_timeout_ms;
  char msg[ATESQL_ERROR_MESSAGE_MAX];
};

static bool sqlite_accepts(const char *url) {
  return strncmp(url, "sqlite:", 7) == 0;
}

typedef struct url_options {
  int busy_timeout_ms;
  bool synchronous_full; /* fsync the WAL at every commit */
} url_options;

/* Parse "busy_timeout_ms=N" and "synchronous=full|normal", joined by '&';
** any other option is an error. */
static atesql_status parse_options(const char *query, url_options *o,
                                   atesql_error *err) {
  while (*query) {
    const char *amp = strchr(query, '&');
    size_t len = amp ? (size_t)(amp - query) : strlen(query);
    const char *key = "busy_timeout_ms=";
    size_t klen = strlen(key);
    if (len == strlen("synchronous=full") &&
        strncmp(query, "synchronous=full", len) == 0) {
      o->synchronous_full = true;
    } else if (len == strlen("synchronous=normal") &&
               strncmp(query, "synchronous=normal", len) == 0) {
      o->synchronous_full = false;
    } else if (len > klen && strncmp(query, key, klen) == 0) {
      char num[16];
      size_t nlen = len - klen;
      char *end;
      if (nlen >= sizeof num) nlen = sizeof num - 1;
      memcpy(num, query + klen, nlen);
      num[nlen] = '\0';
      long v = strtol(num, &end, 10);
      if (*end || v < 0 || v > 3600000)
        return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                         "sqlite URL: busy_timeout_ms must be 0..3600000, got "
                         "'%s'",
                         num);
      o->busy_timeout_ms = (int)v;
    } else {
      return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                       "sqlite URL: unknown option '%.*s'; the options are "
                       "busy_timeout_ms=N and synchronous=full|normal",
                       (int)(len > 64 ? 64 : len), query);
    }
    query += len + (amp ? 1 : 0);
  }
  return ATESQL_OK;
}

static atesql_status map_code(int rc) {
  switch (rc & 0xff) {
  case SQLITE_OK:
  case SQLITE_ROW:
  case SQLITE_DONE: return ATESQL_OK;
  case SQLITE_BUSY:
  case SQLITE_LOCKED: return ATESQL_UNAVAILABLE;
  case SQLITE_NOMEM: return ATESQL_NO_MEMORY;
  case SQLITE_CANTOPEN:
  case SQLITE_IOERR:
  case SQLITE_FULL:
  case SQLITE_READONLY: return ATESQL_UNAVAILABLE;
  case SQLITE_CONSTRAINT:
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
      return ATESQL_ALREADY_EXISTS;
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return ATESQL_FAILED_PRECONDITION;
    return ATESQL_INVALID_ARGUMENT;
  default: return ATESQL_INTERNAL;
  }
}

/* Record the connection's error and return its status. */
static atesql_status fail(driver_conn *c, int rc) {
  atesql_status st = map_code(rc);
  if ((rc & 0xff) == SQLITE_BUSY)
    snprintf(c->msg, sizeof c->msg,
             "database is locked (busy for more than %d ms)",
             c->busy_timeout_ms);
  else
    snprintf(c->msg, sizeof c->msg, "%s", sqlite3_errmsg(c->db));
  return st;
}

static atesql_status sqlite_connect(const char *url, driver_conn **out,
                                    atesql_error *err) {
  *out = NULL;
  const char *rest = url + 7;
  const char *q = strchr(rest, '?');
  size_t path_len = q ? (size_t)(q - rest) : strlen(rest);
  if (path_len == 0)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "sqlite URL has no path: use sqlite:PATH or "
                     "sqlite::memory:");
  url_options opts = {DEFAULT_BUSY_TIMEOUT_MS, true};
  atesql_status st = parse_options(q ? q + 1 : "", &opts, err);
  if (st != ATESQL_OK) return st;

  driver_conn *c = calloc(1, sizeof *c);
  char *path = strndup(rest, path_len);
  if (c == NULL || path == NULL) {
    free(c);
    free(path);
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  }
  c->busy_timeout_ms = opts.busy_timeout_ms;
  int rc = sqlite3_open_v2(
      path, &c->db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(c->db, opts.busy_timeout_ms);
  if (rc == SQLITE_OK) rc = sqlite3_extended_result_codes(c->db, 1);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(c->db,
                      opts.synchronous_full
                          ? "PRAGMA foreign_keys = ON; PRAGMA journal_mode = "
                            "WAL; PRAGMA synchronous = FULL;"
                          : "PRAGMA foreign_keys = ON; PRAGMA journal_mode = "
                            "WAL; PRAGMA synchronous = NORMAL;",
                      NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    st = error_set(err, map_code(rc), 0, "cannot open sqlite database '%s': %s",
                   path, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
    sqlite3_close(c->db);
    free(c);
    free(path);
    return st;
  }
  free(path);
  *out = c;
  return ATESQL_OK;
}

static void sqlite_disconnect(driver_conn *c) {
  if (c == NULL) return;
  sqlite3_close(c->db);
  free(c);
}

static atesql_status sqlite_exec(driver_conn *c, const char *sql) {
  int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? ATESQL_OK : fail(c, rc);
}

static atesql_status sqlite_prepare(driver_conn *c, const char *sql,
                                    driver_stmt **out) {
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                              NULL);
  if (rc != SQLITE_OK) return fail(c, rc);
  *out = (driver_stmt *)stmt;
  return ATESQL_OK;
}

static void sqlite_finalize(driver_conn *c, driver_stmt *s) {
  (void)c;
  sqlite3_finalize((sqlite3_stmt *)s);
}

static atesql_status step(driver_conn *c, sqlite3_stmt *stmt, bool *has_row) {
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    *has_row = true;
    return ATESQL_OK;
  }
  *has_row = false;
  if (rc == SQLITE_DONE) return ATESQL_OK;
  /* The error code is reported by reset on statements from prepare_v3. */
  atesql_status st = fail(c, sqlite3_extended_errcode(c->db));
  sqlite3_reset(stmt);
  return st;
}

static atesql_status sqlite_query(driver_conn *c, driver_stmt *s,
                                  const db_param *params, size_t n,
                                  bool *has_row) {
  sqlite3_stmt *stmt = (sqlite3_stmt *)s;
  sqlite3_reset(stmt);
  for (size_t i = 0; i < n; i++) {
    int idx = (int)i + 1, rc;
    if (params[i].type == DB_TEXT)
      rc = sqlite3_bind_text(stmt, idx, params[i].text, (int)params[i].len,
                             SQLITE_STATIC);
    else if (params[i].type == DB_INT64)
      rc = sqlite3_bind_int64(stmt, idx, params[i].int64);
    else
      rc = sqlite3_bind_null(stmt, idx);
    if (rc != SQLITE_OK) return fail(c, rc);
  }
  return step(c, stmt, has_row);
}

static atesql_status sqlite_next(driver_conn *c, driver_stmt *s,
                                 bool *has_row) {
  return step(c, (sqlite3_stmt *)s, has_row);
}

static bool sqlite_column_is_null(driver_stmt *s, int col) {
  return sqlite3_column_type((sqlite3_stmt *)s, col) == SQLITE_NULL;
}

static const char *sqlite_column_text(driver_stmt *s, int col, size_t *len) {
  const unsigned char *t = sqlite3_column_text((sqlite3_stmt *)s, col);
  *len = (size_t)sqlite3_column_bytes((sqlite3_stmt *)s, col);
  return t ? (const char *)t : "";
}

static int64_t sqlite_column_int64(driver_stmt *s, int col) {
  return sqlite3_column_int64((sqlite3_stmt *)s, col);
}

static void sqlite_reset(driver_conn *c, driver_stmt *s) {
  (void)c;
  sqlite3_reset((sqlite3_stmt *)s);
}

static const char *sqlite_errmsg(driver_conn *c) { return c->msg; }

const driver sqlite_driver = {
    .name = "sqlite",
    .dialect = ATESQL_DIALECT_SQLITE,
    .writes_report_probe = false,
    .explain_prefix = "EXPLAIN QUERY PLAN ",
    .accepts = sqlite_accepts,
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .exec = sqlite_exec,
    .prepare = sqlite_prepare,
    .finalize = sqlite_finalize,
    .query = sqlite_query,
    .next = sqlite_next,
    .column_is_null = sqlite_column_is_null,
    .column_text = sqlite_column_text,
    .column_int64 = sqlite_column_int64,
    .reset = sqlite_reset,
    .errmsg = sqlite_errmsg,
};
