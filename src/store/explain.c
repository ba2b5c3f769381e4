/*
** atesql_explain: run the first-page statement of a list under the
** dialect's explain prefix and judge the plan. The table must be reached
** only through an index search: on SQLite a "SEARCH <table> USING ...
** INDEX" line and no "SCAN <table>" line; on PostgreSQL an index node with
** an index condition and no sequential scan or condition-less index walk
** of the table.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector/ast.h"
#include "store/list.h"
#include "util/arena.h"
#include "util/strbuf.h"

typedef struct judgement {
  bool searched; /* an index search reaches the table */
  bool scanned;  /* the table (or a whole index of it) is walked */
  char index[128];
} judgement;

/* SQLite: the plan's detail lines, e.g.
**   SEARCH workers USING INDEX workers_free_by_pool (worker_pool=?)
**   SCAN workers */
static void judge_sqlite_line(const char *table, const char *detail,
                              judgement *j) {
  size_t tlen = strlen(table);
  bool search = strncmp(detail, "SEARCH ", 7) == 0;
  bool scan = strncmp(detail, "SCAN ", 5) == 0;
  const char *rest = detail + (search ? 7 : scan ? 5 : 0);
  if ((!search && !scan) || strncmp(rest, table, tlen) != 0 ||
      (rest[tlen] != ' ' && rest[tlen] != '\0'))
    return;
  if (scan) {
    j->scanned = true;
    return;
  }
  j->searched = true;
  const char *idx = strstr(rest, "INDEX ");
  if (idx && j->index[0] == '\0')
    sscanf(idx + 6, "%127s", j->index);
  else if (strstr(rest, "PRIMARY KEY") && j->index[0] == '\0')
    snprintf(j->index, sizeof j->index, "%s primary key", table);
}

static void judge_pg_node(const char *table, json_t *node, judgement *j) {
  const char *type = json_string_value(json_object_get(node, "Node Type"));
  const char *rel = json_string_value(json_object_get(node, "Relation Name"));
  const char *idx = json_string_value(json_object_get(node, "Index Name"));
  bool ours = rel == NULL || strcmp(rel, table) == 0;
  if (type && ours && strcmp(type, "Seq Scan") == 0 && rel) j->scanned = true;
  if (type && ours && idx && strstr(type, "Index")) {
    if (json_object_get(node, "Index Cond") == NULL)
      j->scanned = true; /* walks the whole index */
    else {
      j->searched = true;
      if (j->index[0] == '\0') snprintf(j->index, sizeof j->index, "%s", idx);
    }
  }
  json_t *children = json_object_get(node, "Plans");
  size_t i;
  json_t *child;
  json_array_foreach(children, i, child) judge_pg_node(table, child, j);
}

/* Read the plan rows of q into text and judge them. */
static atesql_status read_plan(atesql_store *s, query *q, const char *table,
                               strbuf *text, judgement *j) {
  atesql_status st = ATESQL_OK;
  while (st == ATESQL_OK && q->row) {
    size_t len;
    if (s->drv->dialect == ATESQL_DIALECT_SQLITE) {
      const char *detail = query_text(q, 3, &len);
      if (detail == NULL)
        return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
      char line[512];
      snprintf(line, sizeof line, "%.*s", (int)len, detail);
      strbuf_printf(text, "%s%s", text->len ? "\n" : "", line);
      judge_sqlite_line(table, line, j);
    } else {
      const char *doc = query_text(q, 0, &len);
      if (doc == NULL) return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
      strbuf_append(text, doc, len);
      json_t *root = json_loadb(doc, len, 0, NULL);
      judge_pg_node(table, json_object_get(json_array_get(root, 0), "Plan"), j);
      json_decref(root);
    }
    st = query_next(q);
  }
  return st;
}

static void write_verdict(const char *table, const list_call *c,
                          const judgement *j, char *out, size_t outsz) {
  if (j->searched && !j->scanned)
    snprintf(out, outsz,
             "uses index %s: reads only the matching rows (O(log n + k))",
             j->index);
  else if (c->compiled->param_count == 0)
    snprintf(out, outsz, "no selector: reads %s in key order, a full listing",
             table);
  else if (sel_has_indexable_term(c->selector))
    snprintf(out, outsz,
             "the database chose to scan %s although an index fits this "
             "selector: usual for a small table or a value most rows have; "
             "refresh statistics (atesql_store_analyze) after bulk loads",
             table);
  else
    snprintf(out, outsz,
             "WARNING: this selector cannot use an index (only != or notin "
             "terms): the database scans %s",
             table);
}

static const resource_spec *spec_of(atesql_resource r) {
  return r == ATESQL_RESOURCE_WORKERS     ? &worker_spec
         : r == ATESQL_RESOURCE_ACTORS    ? &actor_spec
         : r == ATESQL_RESOURCE_ATESPACES ? &atespace_spec
                                          : NULL;
}

/* Copy the statement, its parameters, plan text and verdict into one
** arena. */
static atesql_plan *make_plan(const list_call *c, size_t nparams,
                              const strbuf *text, const judgement *j,
                              const char *verdict) {
  atesql_plan *p = arena_new(sizeof *p, 0);
  if (p == NULL) return NULL;
  atesql_param *params = arena_alloc(p, nparams * sizeof *params);
  p->sql = arena_strndup(p, c->sql, strlen(c->sql));
  p->plan = arena_strndup(p, text->data, text->len);
  p->index = arena_strndup(p, j->index, strlen(j->index));
  p->verdict = arena_strndup(p, verdict, strlen(verdict));
  bool ok = params && p->sql && p->plan && p->index && p->verdict;
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
  return p;
}

atesql_status atesql_explain(atesql_store *s, atesql_resource resource,
                             const atesql_list_opts *opts, atesql_plan **out) {
  store_begin_call(s);
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  const resource_spec *spec = spec_of(resource);
  if (spec == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "unknown resource %d",
                      (int)resource);
  list_call c = {0};
  size_t nparams = 0;
  atesql_status st =
      list_prepare(s, spec, opts, list_page_size(opts), &c, &nparams);
  strbuf sql = STRBUF_INIT, text = STRBUF_INIT;
  judgement j = {0};
  if (st == ATESQL_OK) {
    strbuf_printf(&sql, "%s%s", s->drv->explain_prefix, c.sql);
    query q = {0};
    st = strbuf_failed(&sql) ? store_fail(s, ATESQL_NO_MEMORY, "out of memory")
                             : query_sql(s, sql.data, c.params, nparams, &q);
    if (st == ATESQL_OK)
      st = read_plan(s, &q, spec->table, &text, &j);
    else
      store_fail_db(s, st, "explain");
    query_done(&q);
  }
  if (st == ATESQL_OK) {
    char verdict[256];
    write_verdict(spec->table, &c, &j, verdict, sizeof verdict);
    strbuf_append(&text, "", 0);
    *out = make_plan(&c, nparams, &text, &j, verdict);
    if (*out == NULL) st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  }
  strbuf_release(&sql);
  strbuf_release(&text);
  list_call_release(&c);
  return st;
}

void atesql_plan_free(atesql_plan *plan) { arena_free(plan); }
