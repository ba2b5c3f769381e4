/*
** atesql_explain: run one page of a list, ask the database for its plan
** (explain_sqlite.c, explain_postgres.c) and judge the plan by what it
** reads against what it returns. A page is index-bound when an index
** search bounds every term of the selector: it then reads the rows it
** returns (O(log n + k)). A search that bounds only some terms reads every
** row those terms match and checks the rest row by row, which the verdict
** names and counts.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector/ast.h"
#include "store/explain.h"
#include "util/arena.h"
#include "util/strbuf.h"

/* The fields of the terms whose bit in mask is (want) set: "a, b". */
static void term_fields(const atesql_selector *sel, uint64_t mask, bool want,
                        strbuf *out) {
  for (size_t i = 0; i < sel->count; i++)
    if ((bool)(mask >> i & 1) == want)
      strbuf_printf(out, "%s%s%s%s", out->len ? ", " : "",
                    sel->terms[i].field->name, sel->terms[i].label ? "." : "",
                    sel->terms[i].label ? sel->terms[i].label : "");
  strbuf_append(out, "", 0);
}

static bool all_bound(const atesql_selector *sel, const judgement *j) {
  return j->searched && !j->scanned && !j->token_filtered &&
         (sel->count == 64 ? j->bounded == UINT64_MAX
                           : j->bounded == (((uint64_t)1 << sel->count) - 1));
}

/* A table of no more rows than this is small: planners may rightly read
** it, or more of an index than the rows returned, rather than search an
** index that bounds every term, and the verdict says so calmly. */
#define SMALL_TABLE_ROWS 5000

/* Whether table holds at most SMALL_TABLE_ROWS rows, counting no further
** than one past that. */
static atesql_status is_small_table(atesql_store *s, const char *table,
                                    bool *small) {
  char sql[160];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM (SELECT 1 FROM %s LIMIT %d) t", table,
           SMALL_TABLE_ROWS + 1);
  query q = {0};
  atesql_status st = query_sql(s, sql, NULL, 0, &q);
  *small = st == ATESQL_OK && q.row && query_int64(&q, 0) <= SMALL_TABLE_ROWS;
  st = query_finish(&q, st);
  return st == ATESQL_OK ? st : store_fail_db(s, st, "count %s", table);
}

static void write_verdict(const char *table, const list_call *c,
                          const judgement *j, bool small_table,
                          const char *bounded, const char *filtered, char *out,
                          size_t outsz) {
  const char *sort = j->sorted ? ", then sorts them" : "";
  long long read = (long long)j->rows_read, ret = (long long)j->rows_returned;
  if (j->token_filtered && j->searched && !j->scanned)
    snprintf(out, outsz,
             "WARNING: index %s bounds %s but not the page token: this later "
             "page reads from the start of the range and skips to the token "
             "row by row: %lld rows read for %lld returned%s",
             j->index, bounded[0] ? bounded : "no term", read, ret, sort);
  else if (all_bound(c->selector, j) && c->selector->count)
    snprintf(out, outsz,
             "index %s bounds %s: reads %lld rows for %lld returned%s "
             "(O(log n + k))",
             j->index, bounded, read, ret, sort);
  else if (j->searched && !j->scanned && c->selector->count && small_table)
    snprintf(out, outsz,
             "%s is small (at most %d rows): the database searches index %s "
             "by %s and filters %s row by row rather than search an index "
             "that bounds every term, which at this size costs little (%lld "
             "rows read for %lld returned%s). A larger table should be "
             "searched by every term; if it is not, refresh statistics "
             "(atesql analyze)",
             table, SMALL_TABLE_ROWS, j->index,
             bounded[0] ? bounded : "the page token", filtered, read, ret,
             sort);
  else if (j->searched && !j->scanned && c->selector->count)
    snprintf(out, outsz,
             "WARNING: index %s bounds only %s: reads the rows those match "
             "and filters %s row by row: %lld rows read for %lld returned%s",
             j->index, bounded[0] ? bounded : "the page token", filtered, read,
             ret, sort);
  else if (j->searched && !j->scanned)
    snprintf(out, outsz,
             "no selector: reads %s in key order through %s, %lld rows for "
             "%lld returned",
             table, j->index, read, ret);
  else if (c->selector->count == 0)
    snprintf(out, outsz,
             "no selector: reads %s in key order, a full listing (%lld rows "
             "read for %lld returned)",
             table, read, ret);
  else if (sel_has_indexable_term(c->selector) && small_table)
    snprintf(out, outsz,
             "%s is small (at most %d rows): the database reads it rather "
             "than search an index that fits this selector, which at this "
             "size costs little (%lld rows read for %lld returned). A larger "
             "table should be searched; if it is not, refresh statistics "
             "(atesql analyze)",
             table, SMALL_TABLE_ROWS, read, ret);
  else if (sel_has_indexable_term(c->selector))
    snprintf(out, outsz,
             "WARNING: the database chose to scan %s although an index fits "
             "this selector (%lld rows read for %lld returned): usual for a "
             "value most rows have; refresh statistics (atesql analyze, "
             "atesql_store_analyze) after bulk loads",
             table, read, ret);
  else
    snprintf(out, outsz,
             "WARNING: this selector cannot use an index (only != or notin "
             "terms): the database scans %s (%lld rows read for %lld "
             "returned)",
             table, read, ret);
}

/* Copy the statement, its parameters, plans, judgement and verdict into
** one arena. */
static atesql_plan *make_plan(const list_call *c, size_t nparams,
                              const strbuf *text, const strbuf *generic,
                              const judgement *j, const char *bounded,
                              const char *filtered, const char *verdict) {
  atesql_plan *p = arena_new(sizeof *p, 0);
  if (p == NULL) return NULL;
  atesql_param *params = arena_alloc(p, nparams * sizeof *params);
  p->sql = arena_strndup(p, c->sql, strlen(c->sql));
  p->plan = arena_strndup(p, text->data, text->len);
  p->generic_plan = arena_strndup(p, generic->data ? generic->data : "",
                                  generic->data ? generic->len : 0);
  p->index = arena_strndup(p, j->index, strlen(j->index));
  p->verdict = arena_strndup(p, verdict, strlen(verdict));
  p->bounded = arena_strndup(p, bounded, strlen(bounded));
  p->filtered = arena_strndup(p, filtered, strlen(filtered));
  bool ok = params && p->sql && p->plan && p->generic_plan && p->index &&
            p->verdict && p->bounded && p->filtered;
  for (size_t i = 0; ok && i < nparams; i++) {
    const db_param *d = &c->params[i];
    params[i].type =
        d->type == DB_INT64 ? ATESQL_PARAM_INT64 : ATESQL_PARAM_TEXT;
    params[i].int64 = d->int64;
    if (d->type == DB_TEXT)
      ok = (params[i].text = arena_strndup(p, d->text, d->len)) != NULL;
  }
  if (!ok) {
    arena_free(p);
    return NULL;
  }
  p->params = params;
  p->param_count = nparams;
  p->uses_index = j->searched && !j->scanned;
  p->index_bound = all_bound(c->selector, j);
  p->sorted = j->sorted;
  p->rows_read = j->rows_read;
  p->rows_returned = j->rows_returned;
  return p;
}

/* Run the page itself: how many rows it returns, and the key of the last. */
static atesql_status run_page(atesql_store *s, explained_page *p) {
  query q = {0};
  atesql_status st =
      query_sql(s, p->call->sql, p->call->params, p->nparams, &q);
  while (st == ATESQL_OK && q.row) {
    p->returned++;
    for (size_t i = 0; i < p->spec->res->key_count; i++) {
      size_t len;
      const char *v = query_text(&q, (int)i, &len);
      free(p->last_key[i]);
      p->last_key[i] = v ? strndup(v, len) : NULL;
      if (p->last_key[i] == NULL) {
        st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
        break;
      }
    }
    if (st == ATESQL_OK) st = query_next(&q);
  }
  atesql_status done = query_done(&q);
  if (st == ATESQL_OK) st = done;
  if (st != ATESQL_OK) store_fail_db(s, st, "list %s", p->spec->res->table);
  return st;
}

atesql_status explain_run(atesql_store *s, explained_page *page,
                          atesql_plan **out) {
  const list_call *c = page->call;
  strbuf text = STRBUF_INIT, generic = STRBUF_INIT;
  strbuf bounded = STRBUF_INIT, filtered = STRBUF_INIT;
  judgement j = {0};
  atesql_status st = run_page(s, page);
  if (st == ATESQL_OK) st = s->dialect->read_plan(s, page, &text, &generic, &j);
  if (st == ATESQL_OK) {
    j.rows_returned = page->returned;
    char verdict[512];
    term_fields(c->selector, j.bounded, true, &bounded);
    term_fields(c->selector, j.bounded, false, &filtered);
    strbuf_append(&text, "", 0);
    if (strbuf_failed(&bounded) || strbuf_failed(&filtered) ||
        strbuf_failed(&text))
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
    bool small_table = false;
    if (st == ATESQL_OK && !all_bound(c->selector, &j))
      st = is_small_table(s, page->spec->res->table, &small_table);
    if (st == ATESQL_OK) {
      write_verdict(page->spec->res->table, c, &j, small_table, bounded.data,
                    filtered.data, verdict, sizeof verdict);
      *out = make_plan(c, page->nparams, &text, &generic, &j, bounded.data,
                       filtered.data, verdict);
      if (*out == NULL) st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
    }
  }
  for (size_t i = 0; i < TOKEN_MAX_KEYS; i++)
    free(page->last_key[i]);
  strbuf_release(&text);
  strbuf_release(&generic);
  strbuf_release(&bounded);
  strbuf_release(&filtered);
  return st;
}

static atesql_status explain_call(atesql_store *s, atesql_resource resource,
                                  const atesql_list_opts *opts,
                                  atesql_plan **out) {
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  const resource_spec *spec = resource_spec_of(resource);
  if (spec == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "unknown resource %d",
                      (int)resource);
  list_call c = {0};
  explained_page page = {spec, &c, 0, list_page_size(opts), true, 0, {0}};
  atesql_status st =
      list_prepare(s, spec, opts, page.page_size, &c, &page.nparams);
  if (st == ATESQL_OK) st = explain_run(s, &page, out);
  list_call_release(&c);
  return st;
}

atesql_status atesql_explain(atesql_store *s, atesql_resource resource,
                             const atesql_list_opts *opts, atesql_plan **out) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_EXPLAIN, start,
                  explain_call(s, resource, opts, out));
}

void atesql_plan_free(atesql_plan *plan) { arena_free(plan); }
