/*
** atesql_explain on SQLite. EXPLAIN QUERY PLAN names the index a page
** searches and the columns that bound the search, e.g.
**   SEARCH workers USING INDEX workers_free_node (node_name=? AND
**     worker_pool=?)
**   USE TEMP B-TREE FOR ORDER BY
** This build of SQLite has no scan-status counters, so what the search
** reads is counted with the data: the rows that satisfy the terms the
** search bounds (those in its condition, and col = '' when a partial
** index's WHERE is that term), from the page token on when the search
** bounds the token too, up to the last row returned when the LIMIT
** stopped the search in key order. Every row in that range is visited;
** the terms the search does not bound are checked on each.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector/ast.h"
#include "store/explain.h"

/* The constraint of a SEARCH line: the text between the parentheses that
** follow the index name, or "" (e.g. "worker_pool=? AND node_name=?"). */
static void search_constraint(const char *detail, char *out, size_t outsz) {
  out[0] = '\0';
  const char *open = strstr(detail, " (");
  const char *close = strrchr(detail, ')');
  if (open && close && close > open + 2)
    snprintf(out, outsz, "%.*s", (int)(close - open - 2), open + 2);
}

/* One plan line of the statement on `table`; res names the table and
** index of its labels (NULL when it has none). */
static void judge_line(const char *table, const resource_def *res,
                       const char *detail, judgement *j, char *constraint,
                       size_t csz) {
  size_t tlen = strlen(table);
  const char *labels = res->label_table;
  if (labels && strncmp(detail, "SEARCH ", 7) == 0 &&
      strncmp(detail + 7, labels, strlen(labels)) == 0 &&
      detail[7 + strlen(labels)] == ' ' && strstr(detail, res->label_index)) {
    j->label_search = true;
    search_constraint(detail + 7, j->label_cond, sizeof j->label_cond);
    return;
  }
  if (strncmp(detail, "USE TEMP B-TREE FOR ORDER BY", 28) == 0 ||
      strncmp(detail, "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY", 42) == 0)
    j->sorted = true;
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
  if (j->index[0] != '\0') return;
  const char *idx = strstr(rest, "INDEX ");
  if (idx)
    sscanf(idx + 6, "%127s", j->index);
  else if (strstr(rest, "PRIMARY KEY"))
    snprintf(j->index, sizeof j->index, "%s primary key", table);
  search_constraint(rest, constraint, csz);
}

/* The WHERE of a partial index, or "" (from sqlite_schema's text). */
static atesql_status partial_predicate(atesql_store *s, const char *index,
                                       char *out, size_t outsz) {
  out[0] = '\0';
  db_param p = param_text(index);
  query q = {0};
  atesql_status st = query_sql(
      s, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1", &p,
      1, &q);
  if (st == ATESQL_OK && q.row && !query_is_null(&q, 0)) {
    size_t len;
    const char *sql = query_text(&q, 0, &len);
    const char *where = sql ? strstr(sql, " WHERE ") : NULL;
    if (where) snprintf(out, outsz, "%s", where + 7);
  }
  atesql_status done = query_done(&q);
  return st != ATESQL_OK ? st : done;
}

/* A selector holding the terms of sel whose bit is set in mask (shallow:
** the terms are sel's). */
static atesql_selector subset(const atesql_selector *sel, uint64_t mask,
                              sel_term *terms) {
  atesql_selector out = {sel->res, terms, 0, 0};
  for (size_t i = 0; i < sel->count; i++)
    if (mask >> i & 1) terms[out.count++] = sel->terms[i];
  out.cap = out.count;
  return out;
}

static void append_row_value(strbuf *sql, const store_dialect *d,
                             const resource_spec *spec, const char *op,
                             size_t *n) {
  char ph[24];
  strbuf_puts(sql, " AND (");
  for (size_t i = 0; i < spec->res->key_count; i++)
    strbuf_printf(sql, "%s%s", i ? ", " : "", spec->res->fields[i].column);
  strbuf_printf(sql, ") %s (", op);
  for (size_t i = 0; i < spec->res->key_count; i++) {
    placeholder(d, ++*n, ph, sizeof ph);
    strbuf_printf(sql, "%s%s", i ? ", " : "", ph);
  }
  strbuf_puts(sql, ")");
}

static uint64_t all_terms(const explained_page *p) {
  size_t n = p->call->selector->count;
  return n == 64 ? UINT64_MAX : ((uint64_t)1 << n) - 1;
}

/* Count the rows the search visits (see the comment at the top). */
static atesql_status count_read(atesql_store *s, const explained_page *p,
                                bool token_bounded, judgement *j) {
  const atesql_selector *sel = p->call->selector;
  sel_term terms[ATESQL_SELECTOR_TERMS_MAX];
  atesql_selector bounded = subset(sel, j->bounded, terms);
  atesql_compiled *c = NULL;
  atesql_error err;
  if (atesql_selector_compile(&bounded, s->dialect->id, &c, &err) != ATESQL_OK)
    return store_fail(s, err.status, "%s", err.message);
  db_param params[EXPLAIN_MAX_PARAMS];
  size_t n = bind_compiled(c, params);
  strbuf sql = STRBUF_INIT;
  strbuf_printf(&sql, "SELECT count(*) FROM %s WHERE %s", p->spec->res->table,
                c->sql);
  const page_key *key = &p->call->key;
  if (token_bounded && key->count) {
    size_t first = n;
    append_row_value(&sql, s->dialect, p->spec, ">", &n);
    for (size_t i = 0; i < key->count; i++)
      params[first + i] = (db_param){DB_TEXT, key->parts[i], key->lens[i], 0};
  }
  bool limit_stopped = p->returned == (int64_t)p->page_size + 1;
  if (!p->key_order && limit_stopped && j->bounded == all_terms(p)) {
    /* Unordered, every visited row matches: the search stopped at the
    ** LIMIT's last row. */
    atesql_compiled_free(c);
    strbuf_release(&sql);
    j->rows_read = p->returned;
    return ATESQL_OK;
  }
  if (!j->sorted && p->key_order && limit_stopped) {
    size_t first = n;
    append_row_value(&sql, s->dialect, p->spec, "<=", &n);
    for (size_t i = 0; i < p->spec->res->key_count; i++)
      params[first + i] = param_text(p->last_key[i]);
  }
  atesql_status st = ATESQL_OK;
  if (strbuf_failed(&sql))
    st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  query q = {0};
  if (st == ATESQL_OK) st = query_sql(s, sql.data, params, n, &q);
  if (st == ATESQL_OK) j->rows_read = q.row ? query_int64(&q, 0) : 0;
  atesql_status done = query_done(&q);
  if (st == ATESQL_OK) st = done;
  if (st != ATESQL_OK) store_fail_db(s, st, "count the rows a plan reads");
  strbuf_release(&sql);
  atesql_compiled_free(c);
  return st;
}

/* Is every primary-key column either pinned by a bound "=" term or named
** in the search's condition (the page token's range)? */
static bool token_is_bounded(const explained_page *p, const judgement *j,
                             const char *constraint) {
  const atesql_selector *sel = p->call->selector;
  for (size_t k = 0; k < p->spec->res->key_count; k++) {
    const char *col = p->spec->res->fields[k].column;
    bool pinned = false;
    for (size_t i = 0; i < sel->count && !pinned; i++)
      pinned = (j->bounded >> i & 1) && sel->terms[i].op == ATESQL_OP_EQ &&
               sel->terms[i].field->column &&
               strcmp(sel->terms[i].field->column, col) == 0;
    if (!pinned && !explain_mentions(constraint, col)) return false;
  }
  return true;
}

atesql_status explain_sqlite(atesql_store *s, const explained_page *p,
                             strbuf *text, strbuf *generic, judgement *j) {
  (void)generic; /* one plan: SQLite plans every run afresh */
  strbuf sql = STRBUF_INIT;
  strbuf_printf(&sql, "EXPLAIN QUERY PLAN %s", p->call->sql);
  if (strbuf_failed(&sql))
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  query q = {0};
  atesql_status st = query_sql(s, sql.data, p->call->params, p->nparams, &q);
  strbuf_release(&sql);
  char constraint[512] = "";
  while (st == ATESQL_OK && q.row) {
    size_t len;
    const char *detail = query_text(&q, 3, &len);
    if (detail == NULL) {
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
      break;
    }
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)len, detail);
    strbuf_printf(text, "%s%s", text->len ? "\n" : "", line);
    judge_line(p->spec->res->table, p->call->selector->res, line, j, constraint,
               sizeof constraint);
    st = query_next(&q);
  }
  atesql_status done = query_done(&q);
  if (st == ATESQL_OK) st = done;
  if (st != ATESQL_OK) return store_fail_db(s, st, "explain");

  char predicate[512] = "";
  if (j->searched && !j->scanned && j->index[0] &&
      !strstr(j->index, " primary key")) {
    st = partial_predicate(s, j->index, predicate, sizeof predicate);
    if (st != ATESQL_OK) return store_fail_db(s, st, "explain");
  }
  const atesql_selector *sel = p->call->selector;
  /* Records fetched by their whole key: driven by a label search, which
  ** bounds what it names; the key's own condition bounds no term. */
  bool by_key = true;
  for (size_t k = 0; k < p->spec->res->key_count; k++) {
    char eq[80];
    snprintf(eq, sizeof eq, "%s=?", p->spec->res->fields[k].column);
    by_key = by_key && strstr(constraint, eq) != NULL;
  }
  j->by_key = by_key;
  uint64_t by_labels = explain_label_bounded(sel, j);
  if (by_labels) {
    j->bounded = by_labels;
  } else if (j->searched && !j->scanned) {
    for (size_t i = 0; i < sel->count; i++) {
      const sel_term *t = &sel->terms[i];
      if (t->field->column == NULL) continue; /* a label term: filtered */
      if (explain_mentions(constraint, t->field->column) ||
          explain_term_implied(t, predicate))
        j->bounded |= (uint64_t)1 << i;
    }
  }
  bool token_bounded = !by_labels && token_is_bounded(p, j, constraint);
  j->token_filtered = p->call->key.count > 0 && !token_bounded;
  return count_read(s, p, token_bounded, j);
}
