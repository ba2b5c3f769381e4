/*
** atesql_explain on PostgreSQL. A prepared statement is planned twice in
** its life: with custom plans for its first five executions and, from the
** sixth on, with a generic plan that cannot see the values if that one
** does not look more expensive than the custom ones did. A list that is
** index-bound only under custom plans degrades after five calls (the
** store keeps its statements prepared), so both are judged:
**   custom:   EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) <statement>, bound
**   repeated: PREPARE it, EXECUTE it five times, then EXPLAIN ANALYZE
**             EXECUTE it: the plan of the sixth execution, generic or
**             custom as the server chose, under the session's
**             plan_cache_mode
** The repeated run happens under a savepoint that is rolled back, inside
** the caller's transaction or one of its own. EXPLAIN ANALYZE gives what
** each plan read: at the nodes that read the table, the rows they produced
** plus those their filter removed.
*/
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "selector/ast.h"
#include "store/explain.h"

static int64_t plan_int(json_t *node, const char *key) {
  json_t *v = json_object_get(node, key);
  return json_is_integer(v) ? (int64_t)json_integer_value(v)
         : json_is_real(v)  ? (int64_t)json_real_value(v)
                            : 0;
}

/* Walk the plan tree: index searches and scans of `table`, sorts, and the
** rows read; *filters collects the Filter texts of the table's nodes.
** res names the table and index of its labels (NULL when it has none): a
** search of that index that drives the plan (not a SubPlan checked row by
** row) is noted with its condition. `parent` is the relation of the node
** above (a Bitmap Index Scan names none: it is its heap scan's). */
static void judge_node(const char *table, const resource_def *res, json_t *node,
                       const char *parent, bool in_subplan, judgement *j,
                       strbuf *filters) {
  const char *type = json_string_value(json_object_get(node, "Node Type"));
  const char *rel = json_string_value(json_object_get(node, "Relation Name"));
  const char *idx = json_string_value(json_object_get(node, "Index Name"));
  const char *how =
      json_string_value(json_object_get(node, "Parent Relationship"));
  in_subplan = in_subplan || (how && strcmp(how, "SubPlan") == 0);
  /* Rows are counted at the nodes that name the table; a Bitmap Index
  ** Scan (it names none) searches for its heap scan. */
  bool ours = rel != NULL && strcmp(rel, table) == 0;
  if (rel == NULL && type && strcmp(type, "Bitmap Index Scan") == 0)
    rel = parent;
  bool our_index = rel != NULL && strcmp(rel, table) == 0;
  if (res->label_index && idx && strcmp(idx, res->label_index) == 0 &&
      !in_subplan) {
    const char *cond = json_string_value(json_object_get(node, "Index Cond"));
    j->label_search = true;
    if (cond) snprintf(j->label_cond, sizeof j->label_cond, "%s", cond);
  }
  if (type &&
      (strcmp(type, "Sort") == 0 || strcmp(type, "Incremental Sort") == 0))
    j->sorted = true;
  if (type && ours) {
    if (strcmp(type, "Seq Scan") == 0) j->scanned = true;
    int64_t loops = plan_int(node, "Actual Loops");
    j->rows_read += (plan_int(node, "Actual Rows") +
                     plan_int(node, "Rows Removed by Filter") +
                     plan_int(node, "Rows Removed by Index Recheck")) *
                    (loops ? loops : 1);
    const char *filter = json_string_value(json_object_get(node, "Filter"));
    if (filter) strbuf_printf(filters, "%s ", filter);
  }
  /* An index node of our table (a Bitmap Index Scan under our Bitmap
  ** Heap Scan included). */
  if (type && idx && our_index && strstr(type, "Index")) {
    if (json_object_get(node, "Index Cond") == NULL &&
        strcmp(type, "Bitmap Index Scan") != 0)
      j->scanned = true; /* walks the whole index in order */
    else {
      j->searched = true;
      if (j->index[0] == '\0') snprintf(j->index, sizeof j->index, "%s", idx);
    }
  }
  json_t *children = json_object_get(node, "Plans");
  size_t i;
  json_t *child;
  json_array_foreach(children, i, child)
      judge_node(table, res, child, rel, in_subplan, j, filters);
}

/* The WHERE of a partial index, as the server prints it
** ("(actor_id = ''::text)"), or "". */
static atesql_status index_predicate(atesql_store *s, const char *index,
                                     char *out, size_t outsz) {
  out[0] = '\0';
  db_param p = param_text(index);
  query q = {0};
  atesql_status st = query_sql(
      s,
      "SELECT coalesce(pg_get_expr(indpred, indrelid), '') FROM pg_index "
      "WHERE indexrelid = to_regclass($1)",
      &p, 1, &q);
  if (st == ATESQL_OK && q.row) {
    size_t len;
    const char *v = query_text(&q, 0, &len);
    if (v) snprintf(out, outsz, "%.*s", (int)len, v);
  }
  atesql_status done = query_done(&q);
  return st != ATESQL_OK ? st : done;
}

/* Run an EXPLAIN statement, append its document to text and judge it. */
static atesql_status explain_one(atesql_store *s, const explained_page *p,
                                 const char *sql, const db_param *params,
                                 size_t n, strbuf *text, judgement *j) {
  query q = {0};
  atesql_status st = query_sql(s, sql, params, n, &q);
  strbuf filters = STRBUF_INIT;
  while (st == ATESQL_OK && q.row) {
    size_t len;
    const char *doc = query_text(&q, 0, &len);
    if (doc == NULL) {
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
      break;
    }
    strbuf_append(text, doc, len);
    json_t *root = json_loadb(doc, len, 0, NULL);
    json_t *top = json_array_get(root, 0);
    judge_node(p->spec->res->table, p->call->selector->res,
               json_object_get(top, "Plan"), NULL, false, j, &filters);
    json_decref(root);
    st = query_next(&q);
  }
  atesql_status done = query_done(&q);
  if (st == ATESQL_OK) st = done;
  if (st != ATESQL_OK) {
    strbuf_release(&filters);
    return st;
  }
  /* Every term is bound unless the table is scanned or its column is
  ** checked by a Filter (an Index Cond or a partial index's WHERE holds the
  ** others). A FOR UPDATE scan keeps the partial index's condition as a
  ** Filter too, to recheck a row that changed under it: a term that is
  ** that condition stays bound. */
  char predicate[512] = "";
  if (j->searched && !j->scanned && j->index[0])
    st = index_predicate(s, j->index, predicate, sizeof predicate);
  const atesql_selector *sel = p->call->selector;
  if (st == ATESQL_OK && j->searched && !j->scanned)
    for (size_t i = 0; i < sel->count; i++) {
      const sel_term *t = &sel->terms[i];
      /* A label term is bound when a search of the label index drives
      ** the plan; a negative one is always checked row by row. */
      if (t->field->column == NULL) {
        if (j->label_search &&
            (t->op == ATESQL_OP_EQ || t->op == ATESQL_OP_IN ||
             t->op == ATESQL_OP_EXISTS))
          j->bounded |= (uint64_t)1 << i;
        continue;
      }
      if (explain_term_implied(t, predicate) ||
          !explain_mentions(filters.data ? filters.data : "", t->field->column))
        j->bounded |= (uint64_t)1 << i;
    }
  strbuf_release(&filters);
  if (st != ATESQL_OK) return st;
  if (strbuf_failed(text))
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  return ATESQL_OK;
}

typedef struct generic_run {
  const explained_page *page;
  strbuf *text;
  judgement *j;
} generic_run;

/* The EXECUTE argument list: every parameter as a literal quoted by the
** server (quote_literal), so no value is ever spliced by hand. */
static atesql_status execute_args(atesql_store *s, const explained_page *p,
                                  strbuf *args) {
  strbuf sql = STRBUF_INIT;
  strbuf_puts(&sql, "SELECT ");
  db_param texts[EXPLAIN_MAX_PARAMS];
  size_t nt = 0;
  char ph[24];
  for (size_t i = 0; i < p->nparams; i++) {
    if (p->call->params[i].type != DB_TEXT) continue;
    texts[nt++] = p->call->params[i];
    placeholder(s->dialect, nt, ph, sizeof ph);
    strbuf_printf(&sql, "%squote_literal(%s::text)", nt > 1 ? ", " : "", ph);
  }
  if (nt == 0) strbuf_puts(&sql, "1");
  if (strbuf_failed(&sql))
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  query q = {0};
  atesql_status st = query_sql(s, sql.data, texts, nt, &q);
  strbuf_release(&sql);
  size_t t = 0;
  for (size_t i = 0; st == ATESQL_OK && i < p->nparams; i++) {
    if (i) strbuf_puts(args, ", ");
    if (p->call->params[i].type != DB_TEXT) {
      strbuf_printf(args, "(%" PRId64 ")", p->call->params[i].int64);
      continue;
    }
    size_t len;
    const char *lit = q.row ? query_text(&q, (int)t++, &len) : NULL;
    if (lit == NULL) {
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
      break;
    }
    strbuf_append(args, lit, len);
  }
  atesql_status done = query_done(&q);
  if (st == ATESQL_OK) st = done;
  if (st == ATESQL_OK && strbuf_failed(args))
    st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  return st;
}

/* Run sql to its end, rows ignored. */
static atesql_status exec_sql(atesql_store *s, const char *sql) {
  query q = {0};
  atesql_status st = query_sql(s, sql, NULL, 0, &q);
  while (st == ATESQL_OK && q.row)
    st = query_next(&q);
  atesql_status done = query_done(&q);
  return st != ATESQL_OK ? st : done;
}

static atesql_status run_generic(atesql_store *s, void *arg) {
  const generic_run *g = arg;
  const explained_page *p = g->page;
  strbuf args = STRBUF_INIT, prepare = STRBUF_INIT, explain = STRBUF_INIT;
  atesql_status st = execute_args(s, p, &args);
  if (st == ATESQL_OK) st = exec_sql(s, "SAVEPOINT atesql_explain");
  if (st != ATESQL_OK) goto out;
  strbuf_printf(&prepare, "PREPARE atesql_explain AS %s", p->call->sql);
  strbuf_printf(&explain,
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE "
                "atesql_explain(%s)",
                args.data ? args.data : "");
  if (strbuf_failed(&prepare) || strbuf_failed(&explain))
    st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  if (st == ATESQL_OK) st = exec_sql(s, prepare.data);
  if (st == ATESQL_OK) {
    /* The plan cache decides on the sixth execution. */
    const char *execute =
        explain.data + strlen("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ");
    for (int i = 0; st == ATESQL_OK && i < 5; i++)
      st = exec_sql(s, execute);
    if (st == ATESQL_OK)
      st = explain_one(s, p, explain.data, NULL, 0, g->text, g->j);
    atesql_status dealloc = exec_sql(s, "DEALLOCATE atesql_explain");
    if (st == ATESQL_OK) st = dealloc;
  }
  if (st == ATESQL_OK) st = exec_sql(s, "ROLLBACK TO SAVEPOINT atesql_explain");
  if (st == ATESQL_OK) st = exec_sql(s, "RELEASE SAVEPOINT atesql_explain");
out:
  if (st != ATESQL_OK) store_fail_db(s, st, "explain the repeated plan");
  strbuf_release(&args);
  strbuf_release(&prepare);
  strbuf_release(&explain);
  return st;
}

atesql_status explain_postgres(atesql_store *s, const explained_page *p,
                               strbuf *text, strbuf *generic, judgement *j) {
  strbuf sql = STRBUF_INIT;
  strbuf_printf(&sql, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) %s",
                p->call->sql);
  if (strbuf_failed(&sql))
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  judgement custom = *j;
  atesql_status st =
      explain_one(s, p, sql.data, p->call->params, p->nparams, text, &custom);
  strbuf_release(&sql);
  if (st != ATESQL_OK) return store_fail_db(s, st, "explain");

  judgement gen = *j;
  generic_run g = {p, generic, &gen};
  st = store_in_tx(s, run_generic, &g);
  if (st != ATESQL_OK) return st;
  /* The verdict is the worse plan's. */
  *j = gen.rows_read > custom.rows_read ||
               (gen.rows_read == custom.rows_read && !custom.searched)
           ? gen
           : custom;
  return ATESQL_OK;
}
