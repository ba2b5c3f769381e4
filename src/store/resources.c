/*
** The resource specs of resources.h, and get-by-key written once for every
** resource.
*/
#include "store/resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json.h"
#include "store/columns.h"
#include "store/record.h"
#include "util/arena.h"
#include "util/strbuf.h"

const resource_spec worker_spec = {
    .res = &schema_workers,
    .revision = "(SELECT revision FROM worker_revision), "
                "(SELECT pending FROM worker_revision)",
    .record_revision =
        "(SELECT revision FROM worker_revision), "
        "CASE WHEN (SELECT p.seq FROM worker_pending p "
        "WHERE p.worker_namespace = workers.worker_namespace "
        "AND p.worker_pool = workers.worker_pool "
        "AND p.worker_pod = workers.worker_pod ORDER BY p.seq LIMIT 1) "
        "IS NOT NULL THEN 1 ELSE 0 END",
};
const resource_spec actor_spec = {.res = &schema_actors};
const resource_spec atespace_spec = {.res = &schema_atespaces};

const resource_spec *resource_spec_of(atesql_resource id) {
  return id == ATESQL_RESOURCE_WORKERS     ? &worker_spec
         : id == ATESQL_RESOURCE_ACTORS    ? &actor_spec
         : id == ATESQL_RESOURCE_ATESPACES ? &atespace_spec
                                           : NULL;
}

/* SELECT <columns> FROM <table> WHERE pk1 = ?1 AND ...: built and
** prepared once per handle; with `at_revision` also the record's revision
** columns, which a plain get leaves out (they probe the feed). */
static char *get_sql(const store_dialect *d, const resource_spec *spec,
                     bool at_revision) {
  const resource_def *res = spec->res;
  strbuf sb = STRBUF_INIT;
  strbuf_puts(&sb, "SELECT ");
  columns_list(&sb, res, "");
  if (at_revision) strbuf_printf(&sb, ", %s", spec->record_revision);
  strbuf_printf(&sb, " FROM %s WHERE ", res->table);
  for (size_t i = 0; i < res->key_count; i++) {
    char ph[24];
    placeholder(d, i + 1, ph, sizeof ph);
    strbuf_printf(&sb, "%s%s = %s", i ? " AND " : "", res->fields[i].column,
                  ph);
  }
  return strbuf_detach(&sb);
}

/* Does column i hold text the decoder reads (text, or a JSON document)? */
static bool is_text_column(const field_def *f) {
  return f->type != FIELD_INT64 && f->type != FIELD_ENUM;
}

/* An upper bound of the arena bytes decoding the current row can take:
** every column's text (from query column `first` on), and for JSON
** columns the arrays they can hold. */
static size_t row_reserve(const query *q, const resource_spec *spec,
                          int first) {
  size_t total = 0;
  for (size_t i = 0; i < spec->res->column_count; i++) {
    if (!is_text_column(&spec->res->fields[i])) continue;
    size_t len;
    query_text(q, first + (int)i, &len);
    total += codec_nested_reserve(len) + len + 8;
  }
  return total;
}

size_t row_page_bytes(const query *q, const resource_spec *spec) {
  size_t total = 0;
  for (size_t i = 0; i < spec->res->column_count; i++) {
    const field_def *f = &spec->res->fields[i];
    if (!is_text_column(f)) continue;
    size_t len;
    query_text(q, (int)i, &len);
    if (f->type != FIELD_TEXT)
      total += len + 64; /* its structs and strings, roughly */
    else if (!q->borrow_text)
      total += len + 1;
  }
  return total;
}

atesql_status get_record(atesql_store *s, const resource_spec *spec,
                         const char *const *parts, const char *what, void **out,
                         int64_t *revision, bool *pending) {
  *out = NULL;
  const resource_def *res = spec->res;
  db_param params[RECORD_MAX_KEYS];
  for (size_t i = 0; i < res->key_count; i++) {
    /* Writes refuse empty key parts, so no record has one. */
    if (parts[i] == NULL || parts[i][0] == '\0')
      return store_fail(s, ATESQL_NOT_FOUND, "%s not found", what);
    params[i] = param_text(parts[i]);
  }
  bool at = spec->record_revision && (revision || pending);
  char **sql = &s->get_sql[res->id][at];
  if (*sql == NULL && (*sql = get_sql(s->dialect, spec, at)) == NULL)
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  query q;
  atesql_status st = query_slot(s, &s->get_stmt[res->id][at], *sql, params,
                                res->key_count, &q);
  if (st != ATESQL_OK) return store_fail_db(s, st, "get %s", what);
  if (!q.row) {
    query_done(&q);
    return store_fail(s, ATESQL_NOT_FOUND, "%s not found", what);
  }
  st = record_from_row(s, spec, &q, 0, out);
  if (st == ATESQL_OK && at) {
    if (revision) *revision = query_int64(&q, (int)res->column_count);
    if (pending) *pending = query_int64(&q, (int)res->column_count + 1) != 0;
  }
  query_done(&q);
  return st;
}

atesql_status record_from_row(atesql_store *s, const resource_spec *spec,
                              const query *q, int first, void **out) {
  *out = NULL;
  int cols[RECORD_MAX_COLUMNS];
  for (size_t i = 0; i < spec->res->column_count; i++)
    cols[i] = first + (int)i;
  void *root = arena_new(spec->res->record_size, row_reserve(q, spec, first));
  if (root == NULL) return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  atesql_status st = record_decode(s, spec->res, q, cols, root, root);
  if (st != ATESQL_OK) {
    arena_free(root);
    return st;
  }
  *out = root;
  return ATESQL_OK;
}
