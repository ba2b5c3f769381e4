/*
** The store handle: opening by URL (the driver for it, its dialect, the
** named statements, the schema check), closing, its timeout, and the
** calls on the whole store (clear, analyze).
*/
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/migrate.h"
#include "store/store.h"
#include "util/error.h"

static const driver *const drivers[] = {
    &sqlite_driver,
#ifdef ATESQL_WITH_POSTGRES
    &postgres_driver,
#endif
};

const driver *driver_for_url(const char *url) {
  for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
    if (drivers[i]->accepts(url)) return drivers[i];
  return NULL;
}

/* The schema must be exactly at the library's version. */
static atesql_status check_schema(atesql_store *s, atesql_error *err) {
  query q;
  atesql_status st = query_named(s, STMT_schema_has_migrations, NULL, 0, &q);
  bool migrated = st == ATESQL_OK && q.row && query_int64(&q, 0) > 0;
  query_done(&q);
  if (st != ATESQL_OK)
    return error_set(err, st, 0, "cannot read the schema: %s", s->errmsg);
  int64_t want = atesql_schema_version();
  if (!migrated)
    return error_set(err, ATESQL_FAILED_PRECONDITION, 0,
                     "database is not migrated (it has no schema_migrations "
                     "table); run `atesql migrate up`");
  st = query_named(s, STMT_schema_version, NULL, 0, &q);
  int64_t have = st == ATESQL_OK && q.row ? query_int64(&q, 0) : 0;
  query_done(&q);
  if (st != ATESQL_OK)
    return error_set(err, st, 0, "cannot read the schema version: %s",
                     s->errmsg);
  if (have < want)
    return error_set(err, ATESQL_FAILED_PRECONDITION, 0,
                     "database schema is at version %lld, this library needs "
                     "%lld; run `atesql migrate up`",
                     (long long)have, (long long)want);
  if (have > want)
    return error_set(err, ATESQL_FAILED_PRECONDITION, 0,
                     "database schema is at version %lld, newer than this "
                     "library's %lld; upgrade atesql (`atesql migrate up` "
                     "cannot downgrade)",
                     (long long)have, (long long)want);
  return ATESQL_OK;
}

atesql_status store_connect(const char *url, atesql_store **out,
                            atesql_error *err) {
  *out = NULL;
  if (url == NULL || *url == '\0')
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "database URL is empty");
  if (sodium_init() < 0)
    return error_set(err, ATESQL_INTERNAL, 0, "libsodium failed to initialize");
  const driver *drv = driver_for_url(url);
  if (drv == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "unsupported database URL: expected sqlite:PATH, "
                     "sqlite::memory:, postgres://... or postgresql://...");
  atesql_store *s = calloc(1, sizeof *s);
  if (s == NULL) return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  s->drv = drv;
  s->dialect = store_dialect_of(drv->dialect);
  atesql_status st =
      statements_load(s->dialect, s->named_sql, &s->named_storage, err);
  if (st == ATESQL_OK) st = drv->connect(url, &s->conn, err);
  if (st != ATESQL_OK) {
    atesql_store_close(s);
    return st;
  }
  *out = s;
  return ATESQL_OK;
}

atesql_status atesql_store_open(const char *url, atesql_store **out,
                                atesql_error *err) {
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "out is NULL");
  atesql_store *s;
  atesql_status st = store_connect(url, &s, err);
  if (st != ATESQL_OK) {
    *out = NULL;
    return st;
  }
  st = check_schema(s, err);
  if (st != ATESQL_OK) {
    atesql_store_close(s);
    *out = NULL;
    return st;
  }
  *out = s;
  return ATESQL_OK;
}

void atesql_store_close(atesql_store *s) {
  if (s == NULL) return;
  if (s->conn) {
    for (int i = 0; i < STMT_COUNT; i++)
      if (s->named[i]) s->drv->finalize(s->conn, s->named[i]);
    for (size_t i = 0; i < DYNAMIC_CACHE_SIZE; i++) {
      if (s->cache[i].sql) s->drv->finalize(s->conn, s->cache[i].stmt);
      free(s->cache[i].sql);
    }
    for (size_t i = 0; i <= ATESQL_RESOURCE_ATESPACES; i++)
      for (size_t j = 0; j < 2; j++)
        if (s->get_stmt[i][j]) s->drv->finalize(s->conn, s->get_stmt[i][j]);
    for (size_t i = 0; i < CLAIM_CALL_COUNT; i++)
      if (s->call_stmt[i]) s->drv->finalize(s->conn, s->call_stmt[i]);
    s->drv->disconnect(s->conn);
  }
  selector_cache_release(&s->selectors);
  for (size_t i = 0; i <= ATESQL_RESOURCE_ATESPACES; i++)
    for (size_t j = 0; j < 2; j++)
      free(s->get_sql[i][j]);
  for (size_t i = 0; i < CLAIM_CALL_COUNT; i++)
    free(s->call_sql[i]);
  free(s->named_storage);
  free(s);
}

const char *atesql_errmsg(const atesql_store *s) {
  return s ? s->errmsg : "store handle is NULL";
}

static atesql_status store_set_timeout_call(atesql_store *s,
                                            int64_t timeout_ms) {
  if (timeout_ms < 0 || timeout_ms > INT32_MAX)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "timeout_ms must be 0 (none) .. %d, got %lld",
                      (int)INT32_MAX, (long long)timeout_ms);
  s->drv->set_timeout(s->conn, (int)timeout_ms);
  return ATESQL_OK;
}

atesql_status atesql_store_set_timeout(atesql_store *s, int64_t timeout_ms) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_STORE_SET_TIMEOUT, start,
                  store_set_timeout_call(s, timeout_ms));
}

void atesql_store_interrupt(atesql_store *s) {
  if (s) s->drv->interrupt(s->conn);
}

atesql_dialect atesql_store_dialect(const atesql_store *s) {
  return s->dialect->id;
}

static atesql_status clear_all(atesql_store *s, void *arg) {
  (void)arg;
  atesql_status st = s->drv->exec(s->conn, s->named_sql[STMT_clear_all]);
  return st == ATESQL_OK ? st : store_fail_db(s, st, "clear");
}

static atesql_status store_clear_call(atesql_store *s) {
  return store_in_tx(s, clear_all, NULL);
}

atesql_status atesql_store_clear(atesql_store *s) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_STORE_CLEAR, start, store_clear_call(s));
}

static atesql_status store_analyze_call(atesql_store *s) {
  atesql_status st = s->drv->exec(s->conn, s->named_sql[STMT_analyze]);
  return st == ATESQL_OK ? st : store_fail_db(s, st, "analyze");
}

atesql_status atesql_store_analyze(atesql_store *s) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_STORE_ANALYZE, start, store_analyze_call(s));
}
