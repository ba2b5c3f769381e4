/*
** Listings at a revision (workers). Every page of one listing reflects the
** store revision of its first page, so that a watch from that revision
** continues it with no gap and no duplicate.
**
** The plain page statement carries the revision as a column, read in the
** statement's own snapshot, so a page with rows knows its revision at no
** cost. Two cases need more:
**  - an empty page has no row to carry it: a second statement asks for the
**    revision only if the page's condition still matches nothing
**    (NOT EXISTS, index-bound like the page);
**  - a later page whose revision is no longer the store's (workers were
**    written since the first page): it is read as of the first page's
**    revision R from the change feed. A worker with no event after R is
**    as it was at R; for one with events after R, the first such event's
**    previous image is the worker at R (none when that event created it).
**    So the page is
**      the workers matching, with no event after R
**      UNION ALL the previous images of the first events after R
**                (not creations) matching
**    in key order, both halves under the page's condition and keyset.
**    That needs the events after R: when compaction removed them, the
**    page is COMPACTED (list again), as Kubernetes answers an expired
**    continue token.
** The first case falls back to the second when the page condition matched
** rows by the time it was asked (a write between the two statements).
*/
#include <stdlib.h>
#include <string.h>

#include "selector/ast.h"
#include "store/columns.h"
#include "store/list.h"
#include "util/arena.h"

/*
** The previous images of the first events after revision `rev` (a
** placeholder) of each worker, except creations: its columns named as
** the workers table names them, so that the compiled selector applies
** unchanged.
*/
static void append_prev_images(strbuf *sb, const resource_def *res,
                               const char *rev) {
  strbuf_puts(sb, "SELECT ");
  columns_image(sb, res, "e.", true);
  strbuf_printf(sb,
                " FROM worker_events e WHERE e.revision > %s AND e.change <> "
                "%d AND NOT EXISTS (SELECT 1 FROM worker_events f WHERE ",
                rev, (int)ATESQL_EVENT_CREATED);
  for (size_t i = 0; i < res->key_count; i++)
    strbuf_printf(sb, "f.%s = e.%s AND ", res->fields[i].column,
                  res->fields[i].column);
  strbuf_printf(sb, "f.revision > %s AND f.revision < e.revision)", rev);
}

/* "e.k1 = workers.k1 AND ...": an event of the worker of the row. */
static void append_same_key(strbuf *sb, const resource_def *res) {
  for (size_t i = 0; i < res->key_count; i++)
    strbuf_printf(sb, "e.%s = workers.%s AND ", res->fields[i].column,
                  res->fields[i].column);
}

/* The page statement of c as of a revision: the selector's parameters,
** the keyset's, then the revision, then the limit, then those of `prev`:
** the selector compiled to read an event's labels from its JSON column
** (selector/ast.h, SEL_LABELS_JSON). */
static char *page_at_sql(const store_dialect *d, const resource_spec *spec,
                         const list_call *c, const atesql_compiled *prev) {
  size_t where_params = c->compiled->param_count;
  size_t n = where_params;
  strbuf cond = STRBUF_INIT;
  strbuf_puts(&cond, c->compiled->sql);
  if (c->keyset) append_keyset(&cond, d, spec, c->pinned, &n);
  char rev[24], limit[24];
  placeholder(d, n + 1, rev, sizeof rev);
  placeholder(d, n + 2, limit, sizeof limit);
  char *where = strbuf_detach(&cond);
  if (where == NULL) return NULL;

  strbuf columns = STRBUF_INIT;
  columns_list(&columns, spec->res, "");
  const char *cols = columns.data ? columns.data : "";
  strbuf sb = STRBUF_INIT;
  strbuf_printf(&sb,
                "SELECT %s, %s FROM (SELECT %s FROM workers WHERE %s "
                "AND NOT EXISTS (SELECT 1 FROM worker_events e WHERE ",
                cols, spec->revision, cols, where);
  append_same_key(&sb, spec->res);
  strbuf_printf(&sb, "e.revision > %s) UNION ALL SELECT %s FROM (", rev, cols);
  append_prev_images(&sb, spec->res, rev);
  strbuf_printf(&sb, ") AS workers WHERE %s", prev->sql);

  if (c->keyset) {
    size_t k = where_params;
    append_keyset(&sb, d, spec, c->pinned, &k);
  }
  strbuf_puts(&sb, ") AS page ORDER BY ");
  for (size_t i = 0; i < spec->res->key_count; i++)
    strbuf_printf(&sb, "%s%s", i ? ", " : "", spec->res->fields[i].column);
  strbuf_printf(&sb, " LIMIT %s", limit);
  free(where);
  bool failed = strbuf_failed(&columns);
  strbuf_release(&columns);
  if (failed) strbuf_release(&sb);
  return failed ? NULL : strbuf_detach(&sb);
}

/* The store's revision, if the page condition of c (without its limit,
** the last of nparams) still matches nothing; else *revision = -1. */
static atesql_status revision_if_empty(atesql_store *s,
                                       const resource_spec *spec,
                                       const list_call *c, size_t nparams,
                                       int64_t *revision) {
  size_t n = c->compiled->param_count;
  strbuf sb = STRBUF_INIT;
  strbuf_printf(&sb,
                "SELECT revision FROM worker_revision WHERE NOT EXISTS "
                "(SELECT 1 FROM %s WHERE %s",
                spec->res->table, c->compiled->sql);
  if (c->keyset) append_keyset(&sb, s->dialect, spec, c->pinned, &n);
  strbuf_puts(&sb, ")");
  char *sql = strbuf_detach(&sb);
  if (sql == NULL) return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  query q = {0};
  atesql_status st = query_sql(s, sql, c->params, nparams - 1, &q);
  free(sql);
  if (st != ATESQL_OK) {
    query_done(&q);
    return store_fail_db(s, st, "list %s", spec->res->table);
  }
  *revision = q.row ? query_int64(&q, 0) : -1;
  return query_done(&q);
}

atesql_status list_settle_revision(atesql_store *s, const resource_spec *spec,
                                   list_call *c, size_t nparams,
                                   size_t page_size, size_t page_struct,
                                   list_result *out, bool *more) {
  int64_t want = c->keyset ? c->key.revision : -1;
  int64_t have = out->revision;
  atesql_status st = ATESQL_OK;
  if (out->count == 0) st = revision_if_empty(s, spec, c, nparams, &have);
  if (st == ATESQL_OK && have >= 0 && (want < 0 || have == want)) {
    out->revision = have;
    return ATESQL_OK;
  }
  /* A first page whose condition matched rows by the time its empty
  ** answer was checked: read it as of the store's revision now. */
  if (st == ATESQL_OK && want < 0) st = read_store_revision(s, &want, NULL);
  arena_free(out->root);
  memset(out, 0, sizeof *out);
  if (st != ATESQL_OK) return st;

  atesql_compiled *prev = NULL;
  atesql_error err;
  if (sel_compile(c->selector, s->dialect->id, SEL_LABELS_JSON, nparams + 2,
                  &prev, &err) != ATESQL_OK)
    return store_fail(s, err.status, "%s", err.message);
  db_param params[LIST_MAX_PARAMS + 1 + 2 * ATESQL_SELECTOR_TERMS_MAX];
  memcpy(params, c->params, (nparams - 1) * sizeof *params);
  params[nparams - 1] = param_int64(want);
  params[nparams] = c->params[nparams - 1]; /* the limit */
  size_t n = nparams + 1 + bind_compiled(prev, params + nparams + 1);
  char *sql = page_at_sql(s->dialect, spec, c, prev);
  if (sql == NULL) {
    atesql_compiled_free(prev);
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  }
  st = run_list(s, spec, sql, sql_hash(sql), params, n, page_size, page_struct,
                out, more);
  free(sql);
  atesql_compiled_free(prev);
  int64_t compacted = 0;
  if (st == ATESQL_OK) st = read_store_revision(s, NULL, &compacted);
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
