/*
** List and count, written once for every resource: resolve the selector
** (text or built), compile it for the handle's dialect, add the keyset
** condition of the page token, run
**   SELECT cols FROM t WHERE <selector> AND (pk) > (<token key>)
**   ORDER BY pk LIMIT page_size + 1
** and decode the rows into one arena. The extra row tells whether another
** page follows; the token then carries the last returned key.
*/
#include "store/list.h"

#include <stdlib.h>
#include <string.h>

#include "store/token.h"
#include "util/arena.h"
#include "util/strbuf.h"

/* The selector of opts, parsed if given as text; *owned is set when the
** caller must free it. */
static atesql_status resolve_selector(atesql_store *s,
                                      const resource_spec *spec,
                                      const atesql_list_opts *opts,
                                      const atesql_selector **sel,
                                      atesql_selector **owned) {
  *owned = NULL;
  if (opts && opts->selector) {
    if (atesql_selector_resource(opts->selector) != spec->id)
      return store_fail(
          s, ATESQL_INVALID_ARGUMENT, "selector is for %s, not %s",
          atesql_resource_name(atesql_selector_resource(opts->selector)),
          spec->table);
    *sel = opts->selector;
    return ATESQL_OK;
  }
  atesql_error err;
  const char *text = opts && opts->selector_text ? opts->selector_text : "";
  atesql_status st =
      atesql_selector_parse(spec->id, text, ATESQL_NUL_TERMINATED, owned, &err);
  if (st != ATESQL_OK) return store_fail(s, st, "selector: %s", err.message);
  *sel = *owned;
  return ATESQL_OK;
}

static db_param compiled_param(const atesql_param *p) {
  return p->type == ATESQL_PARAM_INT64 ? param_int64(p->int64)
                                       : param_text(p->text);
}

/* "a, b, c" or "(a, b, c)" of the primary key. */
static void append_pk(strbuf *sb, const resource_spec *spec) {
  for (size_t i = 0; i < spec->pk_count; i++)
    strbuf_printf(sb, "%s%s", i ? ", " : "", spec->pk[i]);
}

static char *list_sql(atesql_dialect d, const resource_spec *spec,
                      const char *where, size_t nparams, bool keyset) {
  strbuf sb = STRBUF_INIT;
  char ph[24];
  strbuf_printf(&sb, "SELECT %s FROM %s WHERE %s", spec->columns, spec->table,
                where);
  if (keyset) {
    strbuf_puts(&sb, " AND (");
    append_pk(&sb, spec);
    strbuf_puts(&sb, ") > (");
    for (size_t i = 0; i < spec->pk_count; i++) {
      placeholder(d, ++nparams, ph, sizeof ph);
      strbuf_printf(&sb, "%s%s", i ? ", " : "", ph);
    }
    strbuf_puts(&sb, ")");
  }
  strbuf_puts(&sb, " ORDER BY ");
  append_pk(&sb, spec);
  placeholder(d, ++nparams, ph, sizeof ph);
  strbuf_printf(&sb, " LIMIT %s", ph);
  return strbuf_detach(&sb);
}

void list_call_release(list_call *c) {
  atesql_selector_free(c->owned);
  atesql_compiled_free(c->compiled);
  atesql_free(c->normalized);
  free(c->key.storage);
  free(c->sql);
  free(c->params);
}

size_t list_page_size(const atesql_list_opts *opts) {
  size_t n = opts ? opts->page_size : 0;
  if (n == 0) return ATESQL_DEFAULT_PAGE_SIZE;
  return n > ATESQL_MAX_PAGE_SIZE ? ATESQL_MAX_PAGE_SIZE : n;
}

atesql_status list_prepare(atesql_store *s, const resource_spec *spec,
                           const atesql_list_opts *opts, size_t page_size,
                           list_call *c, size_t *nparams) {
  const atesql_selector *sel;
  atesql_status st = resolve_selector(s, spec, opts, &sel, &c->owned);
  if (st != ATESQL_OK) return st;
  c->selector = sel;
  atesql_error err;
  if (atesql_selector_compile(sel, s->drv->dialect, &c->compiled, &err) !=
          ATESQL_OK ||
      atesql_selector_format(sel, &c->normalized) != ATESQL_OK)
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");

  const char *token = opts && opts->page_token ? opts->page_token : "";
  bool keyset = *token != '\0';
  if (keyset) {
    char msg[200];
    st = token_decode(token, spec->id, c->normalized, spec->pk_count, &c->key,
                      msg, sizeof msg);
    if (st != ATESQL_OK) return store_fail(s, st, "%s", msg);
  }
  size_t n = c->compiled->param_count;
  c->sql = list_sql(s->drv->dialect, spec, c->compiled->sql, n, keyset);
  c->params = calloc(n + spec->pk_count + 1, sizeof *c->params);
  if (c->sql == NULL || c->params == NULL)
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  for (size_t i = 0; i < n; i++)
    c->params[i] = compiled_param(&c->compiled->params[i]);
  for (size_t i = 0; keyset && i < spec->pk_count; i++) {
    db_param p = {DB_TEXT, c->key.parts[i], c->key.lens[i], 0};
    c->params[n++] = p;
  }
  c->params[n++] = param_int64((int64_t)page_size + 1);
  *nparams = n;
  return ATESQL_OK;
}

/* Read up to page_size rows into the arena of root; *more tells whether
** another row followed. */
static atesql_status read_rows(atesql_store *s, const resource_spec *spec,
                               query *q, size_t page_size, void *root,
                               list_result *out, bool *more) {
  size_t cap = 0;
  char *items = NULL;
  size_t count = 0;
  atesql_status st = ATESQL_OK;
  while (st == ATESQL_OK && q->row && count < page_size) {
    if (count == cap) {
      cap = cap ? cap * 2 : 16;
      if (cap > page_size) cap = page_size;
      char *grown = realloc(items, cap * spec->item_size);
      if (grown == NULL) {
        st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
        break;
      }
      items = grown;
    }
    void *item = items + count * spec->item_size;
    memset(item, 0, spec->item_size);
    st = spec->decode(s, q, root, item);
    if (st != ATESQL_OK) break;
    count++;
    st = query_next(q);
  }
  *more = st == ATESQL_OK && q->row;
  if (st == ATESQL_OK && count) {
    out->items = arena_alloc(root, count * spec->item_size);
    if (out->items == NULL)
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
    else
      memcpy(out->items, items, count * spec->item_size);
  }
  out->count = st == ATESQL_OK ? count : 0;
  free(items);
  return st;
}

atesql_status list_records(atesql_store *s, const resource_spec *spec,
                           const atesql_list_opts *opts, size_t page_struct,
                           list_result *out) {
  memset(out, 0, sizeof *out);
  store_begin_call(s);
  size_t page_size = list_page_size(opts);
  list_call c = {0};
  size_t nparams = 0;
  atesql_status st = list_prepare(s, spec, opts, page_size, &c, &nparams);
  void *root = NULL;
  if (st == ATESQL_OK) {
    root = arena_new(page_struct, 0);
    if (root == NULL) st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  }
  query q = {0};
  if (st == ATESQL_OK) {
    st = query_sql(s, c.sql, c.params, nparams, &q);
    if (st != ATESQL_OK) store_fail_db(s, st, "list %s", spec->table);
  }
  bool more = false;
  if (st == ATESQL_OK) st = read_rows(s, spec, &q, page_size, root, out, &more);
  query_done(&q);

  out->next_page_token = "";
  if (st == ATESQL_OK && more) {
    const char *parts[TOKEN_MAX_KEYS];
    spec->item_key((char *)out->items + (out->count - 1) * spec->item_size,
                   parts);
    char *token = NULL;
    st = token_encode(spec->id, c.normalized, parts, spec->pk_count, &token);
    out->next_page_token =
        token ? arena_strndup(root, token, strlen(token)) : NULL;
    free(token);
    if (st != ATESQL_OK || out->next_page_token == NULL)
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  }
  list_call_release(&c);
  if (st != ATESQL_OK) {
    arena_free(root);
    memset(out, 0, sizeof *out);
    return st;
  }
  out->root = root;
  return ATESQL_OK;
}

atesql_status count_records(atesql_store *s, const resource_spec *spec,
                            const atesql_list_opts *opts, int64_t *count) {
  store_begin_call(s);
  if (count == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "count is NULL");
  list_call c = {0};
  const atesql_selector *sel;
  atesql_status st = resolve_selector(s, spec, opts, &sel, &c.owned);
  atesql_error err;
  if (st == ATESQL_OK &&
      atesql_selector_compile(sel, s->drv->dialect, &c.compiled, &err) !=
          ATESQL_OK)
    st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  strbuf sb = STRBUF_INIT;
  if (st == ATESQL_OK) {
    strbuf_printf(&sb, "SELECT count(*) FROM %s WHERE %s", spec->table,
                  c.compiled->sql);
    c.sql = strbuf_detach(&sb);
    c.params = calloc(c.compiled->param_count + 1, sizeof *c.params);
    if (c.sql == NULL || c.params == NULL)
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  }
  query q = {0};
  if (st == ATESQL_OK) {
    for (size_t i = 0; i < c.compiled->param_count; i++)
      c.params[i] = compiled_param(&c.compiled->params[i]);
    st = query_sql(s, c.sql, c.params, c.compiled->param_count, &q);
    if (st != ATESQL_OK)
      store_fail_db(s, st, "count %s", spec->table);
    else
      *count = q.row ? query_int64(&q, 0) : 0;
  }
  query_done(&q);
  list_call_release(&c);
  return st;
}
