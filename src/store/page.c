/*
** Building and reading one page, for every resource: resolve the selector
** (text, through the handle's selector cache, or built in C), compile it
** for the handle's dialect, add the keyset condition of the page token,
** and read the rows into one arena. The entry points (list.c) and
** listings at a revision (list_at.c) are built on these.
**
** The keyset condition leaves out the key columns the selector pins with
** "=" (every matching row, the token's included, has that value): with
** worker_pool=p it is (worker_namespace, worker_pod) > (?, ?), which is
** exactly the order of an index on (worker_pool, key...), so a later page
** starts its search at the token instead of reading from the pool's first
** row and filtering.
**
** The page's limit is written into the statement, not bound. PostgreSQL
** runs a prepared statement on one generic plan (the session's
** plan_cache_mode, postgres/postgres.c), which cannot see a bound limit
** and costs it as a tenth of the rows the condition matches: in the text,
** the plan has the page's real row goal (and, left to choose, the server
** no longer finds the generic plan costlier than custom ones and plans
** every call, 0.2-0.4 ms at 200k workers). A handle prepares a statement
** per page size it uses.
*/
#include "store/list.h"

#include <stdlib.h>
#include <string.h>

#include "selector/ast.h"
#include "store/columns.h"
#include "store/record.h"
#include "store/token.h"
#include "util/arena.h"
#include "util/strbuf.h"

size_t bind_compiled(const atesql_compiled *c, db_param *params) {
  for (size_t i = 0; i < c->param_count; i++)
    params[i] = c->params[i].type == ATESQL_PARAM_INT64
                    ? param_int64(c->params[i].int64)
                    : param_text(c->params[i].text);
  return c->param_count;
}

/* "a, b, c" of the primary key. */
static void append_pk(strbuf *sb, const resource_spec *spec) {
  for (size_t i = 0; i < spec->res->key_count; i++) {
    if (i) strbuf_puts(sb, ", ");
    strbuf_puts(sb, spec->res->fields[i].column);
  }
}

/* "SELECT what FROM table WHERE where", built by appending: a selector
** the cache has not seen builds its statements, and printf would cost
** more than the rest of a one-row list. */
static void append_select(strbuf *sb, const char *what,
                          const resource_spec *spec, const char *where) {
  strbuf_puts(sb, "SELECT ");
  strbuf_puts(sb, what);
  strbuf_puts(sb, " FROM ");
  strbuf_puts(sb, spec->res->table);
  strbuf_puts(sb, " WHERE ");
  strbuf_puts(sb, where);
}

/* Bit k: primary-key column k is pinned by an "=" term of sel. */
static unsigned pinned_key_columns(const atesql_selector *sel,
                                   const resource_spec *spec) {
  unsigned pinned = 0;
  for (size_t k = 0; k < spec->res->key_count; k++)
    for (size_t i = 0; i < sel->count; i++)
      if (sel->terms[i].op == ATESQL_OP_EQ && sel->terms[i].field->column &&
          strcmp(sel->terms[i].field->column, spec->res->fields[k].column) == 0)
        pinned |= 1u << k;
  return pinned;
}

void append_keyset(strbuf *sb, const store_dialect *d,
                   const resource_spec *spec, unsigned pinned,
                   size_t *nparams) {
  char ph[24];
  if (pinned == (1u << spec->res->key_count) - 1) {
    strbuf_puts(sb, " AND FALSE"); /* one row can match: no next page */
    return;
  }
  strbuf_puts(sb, " AND (");
  size_t n = 0;
  for (size_t k = 0; k < spec->res->key_count; k++) {
    if (pinned >> k & 1) continue;
    if (n++) strbuf_puts(sb, ", ");
    strbuf_puts(sb, spec->res->fields[k].column);
  }
  strbuf_puts(sb, ") > (");
  for (size_t k = 0, i = 0; k < spec->res->key_count; k++) {
    if (pinned >> k & 1) continue;
    placeholder(d, ++*nparams, ph, sizeof ph);
    if (i++) strbuf_puts(sb, ", ");
    strbuf_puts(sb, ph);
  }
  strbuf_puts(sb, ")");
}

void append_columns(strbuf *sb, const resource_spec *spec) {
  columns_list(sb, spec->res, "");
  if (spec->revision) {
    strbuf_puts(sb, ", ");
    strbuf_puts(sb, spec->revision);
  }
}

static char *list_sql(const store_dialect *d, const resource_spec *spec,
                      const char *where, size_t nparams, bool keyset,
                      unsigned pinned, size_t page_size) {
  strbuf sb = STRBUF_INIT;
  strbuf_puts(&sb, "SELECT ");
  append_columns(&sb, spec);
  strbuf_puts(&sb, " FROM ");
  strbuf_puts(&sb, spec->res->table);
  strbuf_puts(&sb, " WHERE ");
  strbuf_puts(&sb, where);
  if (keyset) append_keyset(&sb, d, spec, pinned, &nparams);
  strbuf_puts(&sb, " ORDER BY ");
  append_pk(&sb, spec);
  strbuf_printf(&sb, " LIMIT %zu", page_size + 1);
  return strbuf_detach(&sb);
}

/* The statement of `kind` for a compiled selector (a page of page_size
** records): malloc'd, NULL when out of memory. */
static char *statement_sql(const store_dialect *d, const resource_spec *spec,
                           const atesql_selector *sel,
                           const atesql_compiled *compiled, selector_sql kind,
                           size_t page_size) {
  if (kind != SELECTOR_SQL_COUNT)
    return list_sql(d, spec, compiled->sql, compiled->param_count,
                    kind == SELECTOR_SQL_NEXT_PAGE,
                    pinned_key_columns(sel, spec), page_size);
  strbuf sb = STRBUF_INIT;
  append_select(&sb, "count(*)", spec, compiled->sql);
  return strbuf_detach(&sb);
}

/* A selector given as text: its compiled form and statement come from the
** handle's selector cache, the statement built there on first use. */
static atesql_status resolve_cached(atesql_store *s, const resource_spec *spec,
                                    const char *text, selector_sql kind,
                                    size_t page_size, list_call *c) {
  atesql_error err;
  cached_selector *e;
  atesql_status st = selector_cache_get(&s->selectors, spec->res->id,
                                        s->dialect->id, text, &e, &err);
  if (st != ATESQL_OK) return store_fail(s, st, "selector: %s", err.message);
  if (e->sql[kind] && e->sql_page[kind] != page_size) {
    free(e->sql[kind]);
    e->sql[kind] = NULL;
    e->sql_hash[kind] = 0;
  }
  if (e->sql[kind] == NULL &&
      (e->sql[kind] = statement_sql(s->dialect, spec, e->selector, e->compiled,
                                    kind, page_size)) == NULL)
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  e->sql_page[kind] = page_size;
  if (e->sql_hash[kind] == 0) e->sql_hash[kind] = sql_hash(e->sql[kind]);
  c->selector = e->selector;
  c->compiled = e->compiled;
  c->normalized = e->normalized;
  c->token_hash = e->token_hash;
  c->sql = e->sql[kind];
  c->sql_hash = e->sql_hash[kind];
  return ATESQL_OK;
}

/* A selector built in C: compiled (and, for a list, normalized) for this
** call alone, as the caller may change it before the next. */
static atesql_status resolve_built(atesql_store *s, const resource_spec *spec,
                                   const atesql_selector *sel,
                                   selector_sql kind, size_t page_size,
                                   list_call *c) {
  if (atesql_selector_resource(sel) != spec->res->id)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "selector is for %s, not %s",
                      atesql_resource_name(atesql_selector_resource(sel)),
                      spec->res->table);
  atesql_error err;
  if (atesql_selector_compile(sel, s->dialect->id, &c->owned_compiled, &err) !=
          ATESQL_OK ||
      (kind != SELECTOR_SQL_COUNT &&
       atesql_selector_format(sel, &c->owned_normalized) != ATESQL_OK) ||
      (c->owned_sql = statement_sql(s->dialect, spec, sel, c->owned_compiled,
                                    kind, page_size)) == NULL)
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  c->selector = sel;
  c->compiled = c->owned_compiled;
  c->normalized = c->owned_normalized;
  if (c->owned_normalized)
    token_selector_hash(c->owned_normalized, c->owned_token_hash);
  c->token_hash = c->owned_token_hash;
  c->sql = c->owned_sql;
  c->sql_hash = sql_hash(c->owned_sql);
  return ATESQL_OK;
}

/* The selector of opts (built, else text; none selects everything) and
** the statement of `kind` for it, into c. */
atesql_status resolve_selector(atesql_store *s, const resource_spec *spec,
                               const atesql_list_opts *opts, selector_sql kind,
                               size_t page_size, list_call *c) {
  if (opts && opts->selector)
    return resolve_built(s, spec, opts->selector, kind, page_size, c);
  const char *text = opts && opts->selector_text ? opts->selector_text : "";
  return resolve_cached(s, spec, text, kind, page_size, c);
}

void list_call_release(list_call *c) {
  atesql_compiled_free(c->owned_compiled);
  atesql_free(c->owned_normalized);
  free(c->owned_sql);
  free(c->key.storage);
}

size_t list_page_size(const atesql_list_opts *opts) {
  size_t n = opts ? opts->page_size : 0;
  if (n == 0) return ATESQL_DEFAULT_PAGE_SIZE;
  return n > ATESQL_MAX_PAGE_SIZE ? ATESQL_MAX_PAGE_SIZE : n;
}

atesql_status list_prepare(atesql_store *s, const resource_spec *spec,
                           const atesql_list_opts *opts, size_t page_size,
                           list_call *c, size_t *nparams) {
  const char *token = opts && opts->page_token ? opts->page_token : "";
  bool keyset = *token != '\0';
  atesql_status st = resolve_selector(
      s, spec, opts, keyset ? SELECTOR_SQL_NEXT_PAGE : SELECTOR_SQL_FIRST_PAGE,
      page_size, c);
  if (st != ATESQL_OK) return st;
  if (keyset) {
    char msg[200];
    st = token_decode(token, spec->res->id, c->token_hash, spec->res->key_count,
                      &c->key, msg, sizeof msg);
    if (st != ATESQL_OK) return store_fail(s, st, "%s", msg);
  }
  size_t n = bind_compiled(c->compiled, c->params);
  unsigned pinned = keyset ? pinned_key_columns(c->selector, spec) : 0;
  c->keyset = keyset;
  c->pinned = pinned;
  for (size_t i = 0; keyset && i < spec->res->key_count; i++) {
    if (pinned == (1u << spec->res->key_count) - 1) break; /* "AND FALSE" */
    if (pinned >> i & 1) continue;
    db_param p = {DB_TEXT, c->key.parts[i], c->key.lens[i], 0};
    c->params[n++] = p;
  }
  *nparams = n;
  return ATESQL_OK;
}

/* The first chunk of a page: room for page_size items and, up to a bound,
** page_size rows the size of the first (q's current row); a small page
** guesses instead of measuring. */
static size_t page_reserve(const query *q, const resource_spec *spec,
                           size_t page_size) {
  enum { MAX_TEXT_RESERVE = 4 * 1024 * 1024, SMALL_PAGE = 16, ROW_GUESS = 512 };
  if (!q->row) return 0;
  size_t per_row =
      page_size <= SMALL_PAGE ? ROW_GUESS : row_page_bytes(q, spec);
  size_t text = per_row > MAX_TEXT_RESERVE / page_size ? MAX_TEXT_RESERVE
                                                       : per_row * page_size;
  return page_size * spec->res->record_size + text;
}

/*
** Read up to page_size rows of q into a new page: an arena whose root is
** the page struct (page_struct bytes), in out->root, out->items and
** out->count; *more tells whether another row followed. On failure no
** page is left.
*/
static atesql_status read_page(atesql_store *s, const resource_spec *spec,
                               query *q, size_t page_size, size_t page_struct,
                               list_result *out, bool *more) {
  void *root = arena_new(page_struct, page_reserve(q, spec, page_size));
  char *items =
      root && q->row
          ? arena_alloc_uninit(root, page_size * spec->res->record_size)
          : NULL;
  if (root == NULL || (q->row && items == NULL)) {
    arena_free(root);
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  }
  size_t count = 0;
  atesql_status st = ATESQL_OK;
  out->revision = -1;
  out->pending = false;
  if (spec->revision && q->row) {
    out->revision = query_int64(q, spec->res->column_count);
    out->pending = query_int64(q, spec->res->column_count + 1) != 0;
  }
  while (st == ATESQL_OK && q->row && count < page_size) {
    void *item = items + count * spec->res->record_size;
    memset(item, 0, spec->res->record_size);
    st = record_decode(s, spec->res, q, NULL, root, item);
    if (st != ATESQL_OK) break;
    count++;
    st = query_next(q);
  }
  if (st != ATESQL_OK) {
    arena_free(root);
    return st;
  }
  *more = q->row;
  out->root = root;
  out->items = items;
  out->count = count;
  return ATESQL_OK;
}

atesql_status run_list(atesql_store *s, const resource_spec *spec,
                       const char *sql, uint64_t hash, const db_param *params,
                       size_t nparams, size_t page_size, size_t page_struct,
                       list_result *out, bool *more) {
  query q = {0};
  atesql_status st = query_sql_hashed(s, sql, hash, params, nparams, &q);
  if (st != ATESQL_OK) {
    store_fail_db(s, st, "list %s", spec->res->table);
    query_done(&q);
    return st;
  }
  q.borrow_text = s->drv->keep_rows != NULL;
  st = read_page(s, spec, &q, page_size, page_struct, out, more);
  if (st == ATESQL_OK && q.borrow_text && out->count)
    arena_on_free(out->root, s->drv->release_rows, s->drv->keep_rows(q.stmt));
  query_done(&q);
  return st;
}
