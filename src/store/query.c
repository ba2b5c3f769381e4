/*
** Running statements: named ones (prepared on first use), generated ones
** cached by their text (least recently used out), their rows, and the
** conditional writes that learn why they wrote nothing. Every statement
** runs through the transaction guard first.
*/
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/error.h"

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
  s->stats.statements++;
  if (q->row) s->stats.rows_read++;
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
    s->stats.statement_cache_misses++;
    atesql_status st = s->drv->prepare(s->conn, sql, slot);
    if (st != ATESQL_OK) return store_fail_db(s, st, "prepare");
  } else {
    s->stats.statement_cache_hits++;
  }
  q->stmt = *slot;
  return run(q, params, n);
}

atesql_status query_named(atesql_store *s, stmt_id id, const db_param *params,
                          size_t n, query *q) {
  if (s->named_sql[id] == NULL) {
    *q = (query){.store = s};
    return store_fail(s, ATESQL_INTERNAL, "statement '%s' is absent on %s",
                      stmt_names[id], s->dialect->dir);
  }
  s->last_statement = stmt_names[id];
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
      s->stats.statement_cache_hits++;
      return ATESQL_OK;
    }
    if (c->sql == NULL || (victim->sql && c->last_used < victim->last_used))
      victim = c;
  }
  s->stats.statement_cache_misses++;
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
  if (q->row) s->stats.rows_read++;
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
