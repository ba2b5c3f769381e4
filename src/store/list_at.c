/*
** Listings at a revision (workers). Every page of one listing reflects the
** store revision of its first page, so that a watch from that revision
** continues it with no gap and no duplicate.
**
** The plain page statement carries the revision as a column, read in the
** statement's own snapshot, with whether that snapshot holds changes that
** await their numbers (pending: PostgreSQL, migration 0006), so a page
** with rows knows at no cost whether it is exactly the workers at its
** revision. The other cases need more:
**  - an empty page has no row to carry them: a second statement asks for
**    them only if the page's condition still matches nothing (NOT EXISTS,
**    index-bound like the page);
**  - a first page whose snapshot holds pending changes: they are numbered
**    (store/revision.c), which covers every change committed before the
**    call, and the page is read as of the revision R that follows;
**  - a later page whose revision is no longer the store's (workers were
**    written since the first page), or whose snapshot holds pending
**    changes: it is read as of the first page's revision R.
** As of R, from the change feed: a worker with no event after R (numbered
** above R, or pending) is as it was at R; for one with events after R,
** the first of them (in the order they happened, seq) holds in its
** previous image the worker at R (none when that event created it). So
** the page is
**      the workers matching, with no event after R
**      UNION ALL the previous images of the first events after R
**                (not creations) matching
** in key order, both halves under the page's condition and keyset.
** That needs the events after R: when compaction removed them, the page
** is COMPACTED (list again), as Kubernetes answers an expired continue
** token. The events after R are found by the revision and pending
** indexes; their number, not the table's, bounds the work.
** Inside a transaction, which cannot number, a first page with pending
** changes keeps what the transaction sees and the highest revision
** numbered in it: a watch from it may deliver again a change the page
** already shows, and misses none.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector/ast.h"
#include "store/columns.h"
#include "store/list.h"
#include "util/arena.h"

/* "e.k1, e.k2, ...": the key columns after `prefix`. */
static void append_key(strbuf *sb, const resource_def *res,
                       const char *prefix) {
  for (size_t i = 0; i < res->key_count; i++)
    strbuf_printf(sb, "%s%s%s", i ? ", " : "", prefix, res->fields[i].column);
}

/*
** "WITH after AS (...)": the first event after revision `rev` (a
** placeholder) of each worker that has one, numbered above it or pending.
*/
static void append_first_after(strbuf *sb, const resource_def *res,
                               const char *rev) {
  strbuf_puts(sb, "WITH after AS (SELECT * FROM (SELECT e.*, row_number() "
                  "OVER (PARTITION BY ");
  append_key(sb, res, "e.");
  strbuf_printf(sb,
                " ORDER BY e.seq) AS atesql_nth FROM (SELECT * FROM "
                "worker_events WHERE revision > %s UNION ALL SELECT * FROM "
                "(SELECT * FROM worker_pending ORDER BY seq) AS p) AS e) AS f "
                "WHERE atesql_nth = 1) ",
                rev);
}

/* The page statement of c as of a revision, for pages of page_size: the
** selector's parameters, the keyset's, then the revision, then those of
** `prev`: the selector compiled to read an event's labels from its JSON
** column (selector/ast.h, SEL_LABELS_JSON). */
static char *page_at_sql(const store_dialect *d, const resource_spec *spec,
                         const list_call *c, const atesql_compiled *prev,
                         size_t page_size) {
  const resource_def *res = spec->res;
  size_t where_params = c->compiled->param_count;
  size_t n = where_params;
  strbuf cond = STRBUF_INIT;
  strbuf_puts(&cond, c->compiled->sql);
  if (c->keyset) append_keyset(&cond, d, spec, c->pinned, &n);
  char rev[24], limit[24];
  placeholder(d, n + 1, rev, sizeof rev);
  snprintf(limit, sizeof limit, "%zu", page_size + 1);
  char *where = strbuf_detach(&cond);
  if (where == NULL) return NULL;

  strbuf columns = STRBUF_INIT;
  columns_list(&columns, res, "");
  const char *cols = columns.data ? columns.data : "";
  strbuf sb = STRBUF_INIT;
  append_first_after(&sb, res, rev);
  /* Each half in key order with the page's limit, as the plain page is
  ** read (the same index search, stopping at the limit); then the two
  ** merged. */
  strbuf_printf(&sb,
                "SELECT %s, %s FROM (SELECT * FROM (SELECT %s FROM workers "
                "WHERE %s AND NOT EXISTS (SELECT 1 FROM after a WHERE ",
                cols, spec->revision, cols, where);
  for (size_t i = 0; i < res->key_count; i++)
    strbuf_printf(&sb, "%sa.%s = workers.%s", i ? " AND " : "",
                  res->fields[i].column, res->fields[i].column);
  strbuf_puts(&sb, ") ORDER BY ");
  append_key(&sb, res, "");
  strbuf_printf(&sb,
                " LIMIT %s) AS now_part UNION ALL SELECT * FROM (SELECT %s "
                "FROM (SELECT ",
                limit, cols);
  columns_image(&sb, res, "e.", true);
  strbuf_printf(&sb, " FROM after e WHERE e.change <> %d) AS workers WHERE %s",
                (int)ATESQL_EVENT_CREATED, prev->sql);
  if (c->keyset) {
    size_t k = where_params;
    append_keyset(&sb, d, spec, c->pinned, &k);
  }
  strbuf_puts(&sb, " ORDER BY ");
  append_key(&sb, res, "");
  strbuf_printf(&sb, " LIMIT %s) AS then_part) AS page ORDER BY ", limit);
  append_key(&sb, res, "");
  strbuf_printf(&sb, " LIMIT %s", limit);
  free(where);
  bool failed = strbuf_failed(&columns);
  strbuf_release(&columns);
  if (failed) strbuf_release(&sb);
  return failed ? NULL : strbuf_detach(&sb);
}

/* The store's revision and pending flag, if the page condition of c
** (its nparams parameters) still matches nothing; else *revision = -1. */
static atesql_status revision_if_empty(atesql_store *s,
                                       const resource_spec *spec,
                                       const list_call *c, size_t nparams,
                                       int64_t *revision, bool *pending) {
  size_t n = c->compiled->param_count;
  strbuf sb = STRBUF_INIT;
  strbuf_printf(&sb,
                "SELECT revision, pending FROM worker_revision WHERE NOT "
                "EXISTS (SELECT 1 FROM %s WHERE %s",
                spec->res->table, c->compiled->sql);
  if (c->keyset) append_keyset(&sb, s->dialect, spec, c->pinned, &n);
  strbuf_puts(&sb, ")");
  char *sql = strbuf_detach(&sb);
  if (sql == NULL) return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  query q = {0};
  atesql_status st = query_sql(s, sql, c->params, nparams, &q);
  free(sql);
  if (st != ATESQL_OK) {
    query_done(&q);
    return store_fail_db(s, st, "list %s", spec->res->table);
  }
  *revision = q.row ? query_int64(&q, 0) : -1;
  *pending = q.row && query_int64(&q, 1) != 0;
  return query_done(&q);
}

atesql_status list_settle_revision(atesql_store *s, const resource_spec *spec,
                                   list_call *c, size_t nparams,
                                   size_t page_size, size_t page_struct,
                                   list_result *out, bool *more) {
  int64_t want = c->keyset ? c->key.revision : -1;
  int64_t have = out->revision;
  bool pending = out->pending;
  atesql_status st = ATESQL_OK;
  if (out->count == 0)
    st = revision_if_empty(s, spec, c, nparams, &have, &pending);
  if (st != ATESQL_OK) {
    arena_free(out->root);
    memset(out, 0, sizeof *out);
    return st;
  }
  /* Exactly the workers at its revision; or, in a transaction, what the
  ** transaction sees (see above). */
  if (have >= 0 && want < 0 && (!pending || s->in_tx)) {
    out->revision = have;
    out->pending = false;
    return ATESQL_OK;
  }
  if (have >= 0 && have == want && !pending) return ATESQL_OK;
  /* A first page with pending changes, or whose condition matched rows
  ** by the time its empty answer was checked: read it as of the store's
  ** revision now, which numbers what is pending first. */
  if (want < 0) st = read_store_revision(s, &want, NULL);
  arena_free(out->root);
  memset(out, 0, sizeof *out);
  if (st != ATESQL_OK) return st;

  atesql_compiled *prev = NULL;
  atesql_error err;
  if (sel_compile(c->selector, s->dialect->id, SEL_LABELS_JSON, nparams + 2,
                  &prev, &err) != ATESQL_OK)
    return store_fail(s, err.status, "%s", err.message);
  db_param params[LIST_MAX_PARAMS + 1 + 2 * ATESQL_SELECTOR_TERMS_MAX];
  memcpy(params, c->params, nparams * sizeof *params);
  params[nparams] = param_int64(want);
  size_t n = nparams + 1 + bind_compiled(prev, params + nparams + 1);
  char *sql = page_at_sql(s->dialect, spec, c, prev, page_size);
  if (sql == NULL) {
    atesql_compiled_free(prev);
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  }
  st = run_list(s, spec, sql, sql_hash(sql), params, n, page_size, page_struct,
                out, more);
  free(sql);
  atesql_compiled_free(prev);
  int64_t compacted = 0;
  bool later = false;
  if (st == ATESQL_OK) st = read_revision_row(s, NULL, &compacted, &later);
  if (st == ATESQL_OK && compacted > want)
    st = store_fail(s, ATESQL_COMPACTED,
                    "list %s: the listing reflects revision %lld, whose later "
                    "events were compacted (up to %lld): list again from the "
                    "first page",
                    spec->res->table, (long long)want, (long long)compacted);
  if (st != ATESQL_OK) {
    arena_free(out->root);
    memset(out, 0, sizeof *out);
    return st;
  }
  out->revision = want;
  return ATESQL_OK;
}
