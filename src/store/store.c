/*
** The store handle: opening by URL (driver choice, named statements, the
** schema check), closing, the statement caches, the query and error
** helpers every operation uses, transactions, and clear-all.
*/
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/migrate.h"
#include "store/store.h"
#include "util/error.h"
#include "util/utf8.h"

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

void store_begin_call(atesql_store *s) {
  if (s->tx_broken != ATESQL_OK && s->tx_broken_msg[0] == '\0')
    snprintf(s->tx_broken_msg, sizeof s->tx_broken_msg, "%.*s",
             (int)sizeof s->tx_broken_msg - 1, s->errmsg);
  s->errmsg[0] = '\0';
}

/*
** A transaction fails as a whole. Once a statement in it failed, or its
** connection was lost (PostgreSQL), or the database rolled it back
** (SQLite after SQLITE_FULL or SQLITE_IOERR), no later statement may run:
** on a new connection or in autocommit it would be written on its own.
** Every call until the caller rolls back reports why.
*/
static void tx_break(atesql_store *s, atesql_status status,
                     const char *reason) {
  if (s->tx_broken != ATESQL_OK) return;
  s->tx_broken = status;
  /* Without a reason, the failing call's own final message is the reason,
  ** taken when the next call begins (store_begin_call). */
  error_format(s->tx_broken_msg, sizeof s->tx_broken_msg, "%s",
               reason ? reason : "");
}

/* A statement of the open transaction failed: the transaction is lost if
** the database no longer holds it, else it is stopped. */
static void tx_statement_failed(atesql_store *s) {
  if (s->in_tx)
    tx_break(s,
             s->drv->in_transaction(s->conn) ? ATESQL_FAILED_PRECONDITION
                                             : ATESQL_UNAVAILABLE,
             NULL);
}

atesql_status store_fail(atesql_store *s, atesql_status status, const char *fmt,
                         ...) {
  va_list ap;
  va_start(ap, fmt);
  error_vformat(s->errmsg, sizeof s->errmsg, fmt, ap);
  va_end(ap);
  /* Out of memory, or a failure the store cannot place, part-way through
  ** a call: what the call meant to write is not all there. */
  if (status == ATESQL_NO_MEMORY || status == ATESQL_INTERNAL)
    tx_statement_failed(s);
  return status;
}

atesql_status store_fail_db(atesql_store *s, atesql_status status,
                            const char *fmt, ...) {
  char context[ATESQL_ERROR_MESSAGE_MAX / 2];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(context, sizeof context, fmt, ap);
  va_end(ap);
  /* The detail: errmsg when this call set it (a failed statement copies
  ** the driver's message there, the transaction guard its own), else the
  ** driver's message (a script run by drv->exec). */
  char detail[ATESQL_ERROR_MESSAGE_MAX / 2 - 8];
  snprintf(detail, sizeof detail, "%.*s", (int)sizeof detail - 1,
           s->errmsg[0] ? s->errmsg : s->drv->errmsg(s->conn));
  error_format(s->errmsg, sizeof s->errmsg, "%.*s: %.*s",
               (int)sizeof context - 1, context, (int)sizeof detail - 1,
               detail);
  tx_statement_failed(s); /* a prepare, or a statement, of the call failed */
  return status;
}

db_param param_text(const char *text) {
  db_param p = {DB_TEXT, text ? text : "", text ? strlen(text) : 0, 0};
  return p;
}

db_param param_int64(int64_t v) {
  db_param p = {DB_INT64, NULL, 0, v};
  return p;
}

atesql_status check_text(atesql_store *s, const char *what, const char *text,
                         bool required) {
  size_t len = text ? strlen(text) : 0;
  if (required && len == 0)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "%s must not be empty", what);
  size_t bad = utf8_invalid_offset(text ? text : "", len);
  if (bad < len)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "%s is not valid UTF-8 (byte %zu)", what, bad + 1);
  return ATESQL_OK;
}

atesql_status check_indexed_text(atesql_store *s, const char *what,
                                 const char *text, bool required) {
  atesql_status st = check_text(s, what, text, required);
  size_t len = text ? strlen(text) : 0;
  if (st == ATESQL_OK && len > ATESQL_INDEXED_TEXT_MAX)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "%s is %zu bytes; the limit for an indexed field is %d",
                      what, len, ATESQL_INDEXED_TEXT_MAX);
  return st;
}

void name_record(char *buf, size_t bufsz, const char *kind,
                 const char *const *parts, size_t count) {
  size_t n = (size_t)snprintf(buf, bufsz, "%s '", kind);
  for (size_t i = 0; i < count && n < bufsz; i++) {
    char shown[80];
    const char *p = parts[i] ? parts[i] : "";
    error_excerpt(shown, sizeof shown, p, strlen(p), 64);
    n += (size_t)snprintf(buf + n, bufsz - n, "%s%s", i ? "/" : "", shown);
  }
  if (n < bufsz) snprintf(buf + n, bufsz - n, "'");
}

atesql_status import_version(atesql_store *s, int64_t given, int64_t *version) {
  if (given < 0)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "version %lld is negative; a stored version is at least "
                      "1",
                      (long long)given);
  *version = given == 0 ? 1 : given;
  return ATESQL_OK;
}

atesql_status fail_last_version(atesql_store *s, const char *what) {
  return store_fail(s, ATESQL_FAILED_PRECONDITION,
                    "%s is at version %lld, the largest there is; it cannot "
                    "be updated",
                    what, (long long)INT64_MAX);
}

/* Before a statement: OK unless the open transaction cannot go on. */
static atesql_status tx_guard(atesql_store *s) {
  if (!s->in_tx) return ATESQL_OK;
  if (s->tx_broken == ATESQL_OK && !s->drv->in_transaction(s->conn))
    tx_break(s, ATESQL_UNAVAILABLE,
             "it was lost (its connection was lost, or the database rolled "
             "it back)");
  if (s->tx_broken == ATESQL_OK) return ATESQL_OK;
  return store_fail(s, s->tx_broken,
                    "the transaction cannot go on: roll it back and retry "
                    "it; it failed at: %s",
                    s->tx_broken_msg);
}

static atesql_status run(query *q, const db_param *params, size_t n) {
  atesql_store *s = q->store;
  atesql_status st = tx_guard(s);
  if (st != ATESQL_OK) return st;
  st = s->drv->query(s->conn, q->stmt, params, n, &q->row);
  if (st != ATESQL_OK) {
    error_format(s->errmsg, sizeof s->errmsg, "%s", s->drv->errmsg(s->conn));
    s->drv->reset(s->conn, q->stmt);
    tx_statement_failed(s);
  }
  return st;
}

atesql_status query_slot(atesql_store *s, driver_stmt **slot, const char *sql,
                         const db_param *params, size_t n, query *q) {
  q->store = s;
  q->row = false;
  q->borrow_text = false;
  q->stmt = NULL;
  if (*slot == NULL) {
    atesql_status st = s->drv->prepare(s->conn, sql, slot);
    if (st != ATESQL_OK) return store_fail_db(s, st, "prepare");
  }
  q->stmt = *slot;
  return run(q, params, n);
}

atesql_status query_named(atesql_store *s, stmt_id id, const db_param *params,
                          size_t n, query *q) {
  atesql_status st =
      query_slot(s, &s->named[id], s->named_sql[id], params, n, q);
  if (st != ATESQL_OK && q->stmt == NULL)
    store_fail_db(s, st, "prepare statement '%s'", stmt_names[id]);
  return st;
}

uint64_t sql_hash(const char *sql) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
    h = (h ^ *p) * 1099511628211ull;
  return h;
}

/* The cached statement for sql, prepared on a miss; the least recently
** used entry makes room when the cache is full. */
static atesql_status cached_statement(atesql_store *s, const char *sql,
                                      uint64_t h, driver_stmt **out) {
  cached_stmt *victim = &s->cache[0];
  for (size_t i = 0; i < DYNAMIC_CACHE_SIZE; i++) {
    cached_stmt *c = &s->cache[i];
    if (c->sql && c->hash == h && strcmp(c->sql, sql) == 0) {
      c->last_used = ++s->clock;
      *out = c->stmt;
      return ATESQL_OK;
    }
    if (c->sql == NULL || (victim->sql && c->last_used < victim->last_used))
      victim = c;
  }
  char *copy = strdup(sql);
  if (copy == NULL) return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  driver_stmt *stmt;
  atesql_status st = s->drv->prepare(s->conn, sql, &stmt);
  if (st != ATESQL_OK) {
    free(copy);
    return store_fail_db(s, st, "prepare");
  }
  if (victim->sql) {
    s->drv->finalize(s->conn, victim->stmt);
    free(victim->sql);
  }
  victim->sql = copy;
  victim->hash = h;
  victim->stmt = stmt;
  victim->last_used = ++s->clock;
  *out = stmt;
  return ATESQL_OK;
}

atesql_status query_sql(atesql_store *s, const char *sql,
                        const db_param *params, size_t n, query *q) {
  return query_sql_hashed(s, sql, sql_hash(sql), params, n, q);
}

atesql_status query_sql_hashed(atesql_store *s, const char *sql, uint64_t hash,
                               const db_param *params, size_t n, query *q) {
  q->store = s;
  q->row = false;
  q->borrow_text = false;
  atesql_status st = cached_statement(s, sql, hash, &q->stmt);
  if (st != ATESQL_OK) return st;
  return run(q, params, n);
}

atesql_status query_next(query *q) {
  atesql_store *s = q->store;
  atesql_status st = s->drv->next(s->conn, q->stmt, &q->row);
  if (st != ATESQL_OK)
    error_format(s->errmsg, sizeof s->errmsg, "%s", s->drv->errmsg(s->conn));
  return st;
}

atesql_status query_done(query *q) {
  atesql_status st = ATESQL_OK;
  atesql_store *s = q->store;
  if (q->stmt && (st = s->drv->reset(s->conn, q->stmt)) != ATESQL_OK) {
    error_format(s->errmsg, sizeof s->errmsg, "%s", s->drv->errmsg(s->conn));
    tx_statement_failed(s);
  }
  q->stmt = NULL;
  q->row = false;
  return st;
}

atesql_status query_finish(query *q, atesql_status st) {
  atesql_status done = query_done(q);
  return st != ATESQL_OK ? st : done;
}

const char *query_text(const query *q, int col, size_t *len) {
  return q->store->drv->column_text(q->stmt, col, len);
}

int64_t query_int64(const query *q, int col) {
  return q->store->drv->column_int64(q->stmt, col);
}

bool query_is_null(const query *q, int col) {
  return q->store->drv->column_is_null(q->stmt, col);
}

atesql_status exec_named(atesql_store *s, stmt_id id, const db_param *params,
                         size_t n) {
  query q;
  return query_finish(&q, query_named(s, id, params, n, &q));
}

atesql_status conditional_write(atesql_store *s, stmt_id write,
                                const db_param *params, size_t n, stmt_id probe,
                                size_t probe_n, write_outcome *out) {
  memset(out, 0, sizeof *out);
  atesql_status st = query_named(s, write, params, n, &out->probe);
  if (st != ATESQL_OK) {
    query_done(&out->probe);
    return st;
  }
  if (out->probe.row && !query_is_null(&out->probe, 0)) {
    /* The row was read; the write commits (outside a transaction) or
    ** fails when the statement is finished. */
    out->value = query_int64(&out->probe, 0);
    st = query_done(&out->probe);
    out->wrote = st == ATESQL_OK;
    return st;
  }
  if (s->dialect->writes_report_probe) {
    out->found = out->probe.row;
    out->col = 1;
    return ATESQL_OK;
  }
  st = query_done(&out->probe);
  if (st != ATESQL_OK) return st;
  st = query_named(s, probe, params, probe_n, &out->probe);
  out->found = st == ATESQL_OK && out->probe.row;
  if (st != ATESQL_OK) query_done(&out->probe);
  return st;
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
      if (s->get_stmt[i]) s->drv->finalize(s->conn, s->get_stmt[i]);
    s->drv->disconnect(s->conn);
  }
  selector_cache_release(&s->selectors);
  for (size_t i = 0; i <= ATESQL_RESOURCE_ATESPACES; i++)
    free(s->get_sql[i]);
  free(s->named_storage);
  free(s);
}

const char *atesql_errmsg(const atesql_store *s) {
  return s ? s->errmsg : "store handle is NULL";
}

atesql_status atesql_store_set_timeout(atesql_store *s, int64_t timeout_ms) {
  store_begin_call(s);
  if (timeout_ms < 0 || timeout_ms > INT32_MAX)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "timeout_ms must be 0 (none) .. %d, got %lld",
                      (int)INT32_MAX, (long long)timeout_ms);
  s->drv->set_timeout(s->conn, (int)timeout_ms);
  return ATESQL_OK;
}

atesql_dialect atesql_store_dialect(const atesql_store *s) {
  return s->dialect->id;
}

/* The transaction is over: let the driver's queue of writers go on. */
static void tx_leave(atesql_store *s) {
  if (s->drv->tx_leave) s->drv->tx_leave(s->conn);
}

atesql_status atesql_tx_begin(atesql_store *s) {
  store_begin_call(s);
  if (s->in_tx)
    return store_fail(s, ATESQL_FAILED_PRECONDITION,
                      "a transaction is already open on this handle");
  /* ROLLBACK is prepared before the transaction begins, so that ending it
  ** needs no allocation that could fail part-way. */
  atesql_status st = ATESQL_OK;
  if (s->named[STMT_tx_rollback] == NULL)
    st = s->drv->prepare(s->conn, s->named_sql[STMT_tx_rollback],
                         &s->named[STMT_tx_rollback]);
  if (st != ATESQL_OK) return store_fail_db(s, st, "prepare rollback");
  if (s->drv->tx_enter) {
    st = s->drv->tx_enter(s->conn);
    if (st != ATESQL_OK) return store_fail_db(s, st, "begin transaction");
  }
  st = exec_named(s, STMT_tx_begin, NULL, 0);
  if (st != ATESQL_OK) {
    tx_leave(s);
    return store_fail_db(s, st, "begin transaction");
  }
  s->in_tx = true;
  s->tx_broken = ATESQL_OK;
  return ATESQL_OK;
}

/*
** End the open transaction by rolling it back: OK when the database no
** longer holds it (it rolled it back, or its connection is gone) or the
** rollback ran. When the rollback fails and the database still holds the
** transaction, the handle stays in it (every call refused) for the caller
** to roll back again.
*/
static atesql_status tx_end_by_rollback(atesql_store *s) {
  s->in_tx = false;
  if (!s->drv->in_transaction(s->conn)) {
    tx_leave(s);
    return ATESQL_OK;
  }
  atesql_status st = exec_named(s, STMT_tx_rollback, NULL, 0);
  if (st != ATESQL_OK && s->drv->in_transaction(s->conn)) {
    s->in_tx = true;
    if (s->tx_broken == ATESQL_OK) s->tx_broken = ATESQL_FAILED_PRECONDITION;
    snprintf(s->tx_broken_msg, sizeof s->tx_broken_msg, "its rollback failed");
    return st;
  }
  tx_leave(s);
  return st;
}

atesql_status atesql_tx_commit(atesql_store *s) {
  store_begin_call(s);
  if (!s->in_tx)
    return store_fail(s, ATESQL_FAILED_PRECONDITION,
                      "no transaction is open on this handle");
  atesql_status st = exec_named(s, STMT_tx_commit, NULL, 0);
  if (st == ATESQL_OK && s->drv->in_transaction(s->conn))
    st = store_fail(s, ATESQL_INTERNAL, "the transaction is still open");
  if (st == ATESQL_OK) {
    s->in_tx = false;
    tx_leave(s);
    return ATESQL_OK;
  }
  /* A failed commit ends the transaction with nothing of it written: roll
  ** back what remains. */
  char msg[ATESQL_ERROR_MESSAGE_MAX];
  snprintf(msg, sizeof msg, "%s", s->errmsg);
  if (tx_end_by_rollback(s) != ATESQL_OK)
    return store_fail(s, st,
                      "commit: %s; the rollback failed too, so the "
                      "transaction is still open: roll it back",
                      msg);
  return store_fail(s, st, "commit: %s", msg);
}

atesql_status atesql_tx_rollback(atesql_store *s) {
  store_begin_call(s);
  if (!s->in_tx)
    return store_fail(s, ATESQL_FAILED_PRECONDITION,
                      "no transaction is open on this handle");
  atesql_status st = tx_end_by_rollback(s);
  return st == ATESQL_OK ? st : store_fail_db(s, st, "rollback");
}

atesql_status store_in_tx(atesql_store *s,
                          atesql_status (*fn)(atesql_store *s, void *arg),
                          void *arg) {
  if (s->in_tx) return fn(s, arg);
  atesql_status st = atesql_tx_begin(s);
  if (st != ATESQL_OK) return st;
  st = fn(s, arg);
  if (st == ATESQL_OK) return atesql_tx_commit(s);
  char msg[ATESQL_ERROR_MESSAGE_MAX];
  snprintf(msg, sizeof msg, "%s", s->errmsg);
  atesql_tx_rollback(s);
  snprintf(s->errmsg, sizeof s->errmsg, "%s", msg);
  return st;
}

static atesql_status clear_all(atesql_store *s, void *arg) {
  (void)arg;
  atesql_status st = s->drv->exec(s->conn, s->named_sql[STMT_clear_all]);
  return st == ATESQL_OK ? st : store_fail_db(s, st, "clear");
}

atesql_status atesql_store_clear(atesql_store *s) {
  store_begin_call(s);
  return store_in_tx(s, clear_all, NULL);
}

atesql_status atesql_store_analyze(atesql_store *s) {
  store_begin_call(s);
  atesql_status st = s->drv->exec(s->conn, s->named_sql[STMT_analyze]);
  return st == ATESQL_OK ? st : store_fail_db(s, st, "analyze");
}
