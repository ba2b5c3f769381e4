/*
** List and count, written once for every resource: run
**   SELECT cols FROM t WHERE <selector> AND (pk) > (<token key>)
**   ORDER BY pk LIMIT page_size + 1
** (page.c builds and reads it) and, for a resource with a change feed,
** settle the page at the listing's revision (list_at.c). The extra row
** tells whether another page follows; the token then carries the last
** returned key.
*/
#include "store/list.h"

#include <stdlib.h>
#include <string.h>

#include "store/record.h"
#include "store/token.h"
#include "util/arena.h"

atesql_status list_records(atesql_store *s, const resource_spec *spec,
                           const atesql_list_opts *opts, size_t page_struct,
                           list_result *out) {
  memset(out, 0, sizeof *out);
  size_t page_size = list_page_size(opts);
  list_call c = {0};
  size_t nparams = 0;
  bool more = false;
  atesql_status st = list_prepare(s, spec, opts, page_size, &c, &nparams);
  if (st == ATESQL_OK)
    st = run_list(s, spec, c.sql, c.sql_hash, c.params, nparams, page_size,
                  page_struct, out, &more);
  if (st == ATESQL_OK && spec->revision)
    st = list_settle_revision(s, spec, &c, nparams, page_size, page_struct, out,
                              &more);

  if (st == ATESQL_OK) out->next_page_token = "";
  if (st == ATESQL_OK && more) {
    const char *parts[TOKEN_MAX_KEYS];
    record_key(spec->res,
               (char *)out->items + (out->count - 1) * spec->res->record_size,
               parts);
    char *token = NULL;
    st = token_encode(spec->res->id, c.token_hash, parts, spec->res->key_count,
                      spec->revision ? out->revision : 0, &token);
    out->next_page_token =
        token ? arena_strndup(out->root, token, strlen(token)) : NULL;
    free(token);
    if (st != ATESQL_OK || out->next_page_token == NULL)
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  }
  list_call_release(&c);
  if (st != ATESQL_OK) {
    arena_free(out->root);
    memset(out, 0, sizeof *out);
  }
  return st;
}

atesql_status count_records(atesql_store *s, const resource_spec *spec,
                            const atesql_list_opts *opts, int64_t *count) {
  if (count == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "count is NULL");
  list_call c = {0};
  atesql_status st = resolve_selector(s, spec, opts, SELECTOR_SQL_COUNT, 0, &c);
  query q = {0};
  if (st == ATESQL_OK) {
    size_t n = bind_compiled(c.compiled, c.params);
    st = query_sql_hashed(s, c.sql, c.sql_hash, c.params, n, &q);
    if (st != ATESQL_OK)
      store_fail_db(s, st, "count %s", spec->res->table);
    else
      *count = q.row ? query_int64(&q, 0) : 0;
  }
  query_done(&q);
  list_call_release(&c);
  return st;
}
