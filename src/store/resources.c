/*
** The record specs of resources.h: column lists, keys, row decoders, and
** get-by-key written once for every resource.
*/
#include "store/resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json.h"
#include "store/labels.h"
#include "util/arena.h"
#include "util/strbuf.h"

enum { MAX_TEXT_COLUMNS = 10 }; /* a worker's, an actor's (not its JSON) */

/*
** Columns first .. first + n - 1 of the current row into *fields[0..n):
** pointed to when the query lends its text (q->borrow_text), else copied,
** NUL-terminated, into one allocation from the arena of root. False when
** out of memory.
*/
static bool read_texts(const query *q, int first, int n, void *root,
                       const char **const *fields) {
  const char *text[MAX_TEXT_COLUMNS];
  size_t len[MAX_TEXT_COLUMNS], total = 0;
  for (int i = 0; i < n; i++) {
    text[i] = query_text(q, first + i, &len[i]);
    if (text[i] == NULL) return false;
    total += len[i] + 1;
  }
  if (q->borrow_text) {
    for (int i = 0; i < n; i++)
      *fields[i] = text[i];
    return true;
  }
  char *copy = arena_alloc_uninit(root, total);
  if (copy == NULL) return false;
  for (int i = 0; i < n; i++) {
    memcpy(copy, text[i], len[i]);
    copy[len[i]] = '\0';
    *fields[i] = copy;
    copy += len[i] + 1;
  }
  return true;
}

static atesql_status decode_worker(atesql_store *s, const query *q, void *root,
                                   void *item) {
  atesql_worker *w = item;
  const char **const fields[] = {&w->worker_namespace, &w->worker_pool,
                                 &w->worker_pod,       &w->actor_namespace,
                                 &w->actor_template,   &w->actor_id,
                                 &w->actor_atespace,   &w->ip,
                                 &w->worker_pod_uid,   &w->node_name};
  _Static_assert(sizeof fields / sizeof *fields <= MAX_TEXT_COLUMNS,
                 "read_texts takes at most MAX_TEXT_COLUMNS");
  if (!read_texts(q, 0, 10, root, fields))
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  w->version = query_int64(q, 10);
  size_t len;
  const char *json = query_text(q, 11, &len);
  atesql_status st =
      json ? labels_from_json(json, len, root, &w->labels, &w->label_count)
           : ATESQL_NO_MEMORY;
  if (st == ATESQL_NO_MEMORY)
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  if (st != ATESQL_OK)
    return store_fail(s, ATESQL_INTERNAL,
                      "worker '%s/%s/%s': stored labels are not a JSON object "
                      "of strings",
                      w->worker_namespace, w->worker_pool, w->worker_pod);
  return ATESQL_OK;
}

static void worker_key(const void *item, const char **parts) {
  const atesql_worker *w = item;
  parts[0] = w->worker_namespace;
  parts[1] = w->worker_pool;
  parts[2] = w->worker_pod;
}

/* A stored JSON column that could not be read: out of memory (json NULL,
** or the codec said so), else the column is not what the store writes. */
static atesql_status stored_column_failed(atesql_store *s,
                                          const atesql_actor *a,
                                          const char *column, const char *json,
                                          const atesql_error *err) {
  if (json == NULL || err->status == ATESQL_NO_MEMORY)
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  return store_fail(s, ATESQL_INTERNAL, "actor '%s/%s': stored %s: %s",
                    a->atespace, a->actor_id, column, err->message);
}

static atesql_status decode_actor(atesql_store *s, const query *q, void *root,
                                  void *item) {
  atesql_actor *a = item;
  const char **const fields[] = {&a->atespace,
                                 &a->actor_id,
                                 &a->actor_template_namespace,
                                 &a->actor_template_name,
                                 &a->ateom_pod_namespace,
                                 &a->ateom_pod_name,
                                 &a->ateom_pod_ip,
                                 &a->ateom_pod_uid,
                                 &a->in_progress_snapshot,
                                 &a->worker_pool_name};
  _Static_assert(sizeof fields / sizeof *fields <= MAX_TEXT_COLUMNS,
                 "read_texts takes at most MAX_TEXT_COLUMNS");
  if (!read_texts(q, 0, 10, root, fields))
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  a->status = (atesql_actor_status)query_int64(q, 10);
  a->version = query_int64(q, 11);
  size_t len;
  const char *json = query_text(q, 12, &len);
  atesql_error err = {0};
  if (json == NULL ||
      codec_snapshot_info_from_json(json, len, root, &a->latest_snapshot_info,
                                    &err) != ATESQL_OK)
    return stored_column_failed(s, a, "latest_snapshot_info", json, &err);
  json = query_text(q, 13, &len);
  if (json == NULL ||
      codec_worker_selector_from_json(json, len, root, &a->worker_selector,
                                      &err) != ATESQL_OK)
    return stored_column_failed(s, a, "worker_selector", json, &err);
  return ATESQL_OK;
}

static void actor_key(const void *item, const char **parts) {
  const atesql_actor *a = item;
  parts[0] = a->atespace;
  parts[1] = a->actor_id;
}

static atesql_status decode_atespace(atesql_store *s, const query *q,
                                     void *root, void *item) {
  atesql_atespace *a = item;
  const char **const fields[] = {&a->name};
  if (!read_texts(q, 0, 1, root, fields))
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  return ATESQL_OK;
}

static void atespace_key(const void *item, const char **parts) {
  parts[0] = ((const atesql_atespace *)item)->name;
}

static const char *const worker_pk[] = {"worker_namespace", "worker_pool",
                                        "worker_pod"};
static const char *const actor_pk[] = {"atespace", "actor_id"};
static const char *const atespace_pk[] = {"name"};

const resource_spec worker_spec = {
    ATESQL_RESOURCE_WORKERS,
    "workers",
    "worker_namespace, worker_pool, worker_pod, actor_namespace, "
    "actor_template, actor_id, actor_atespace, ip, worker_pod_uid, node_name, "
    "version, labels",
    12,
    1u << 10,
    1u << 11,
    worker_pk,
    3,
    "(SELECT revision FROM worker_revision)",
    sizeof(atesql_worker),
    decode_worker,
    worker_key,
};

const resource_spec actor_spec = {
    ATESQL_RESOURCE_ACTORS,
    "actors",
    "atespace, actor_id, actor_template_namespace, actor_template_name, "
    "ateom_pod_namespace, ateom_pod_name, ateom_pod_ip, ateom_pod_uid, "
    "in_progress_snapshot, worker_pool_name, status, version, "
    "latest_snapshot_info, worker_selector",
    14,
    1u << 10 | 1u << 11,
    1u << 12 | 1u << 13,
    actor_pk,
    2,
    NULL,
    sizeof(atesql_actor),
    decode_actor,
    actor_key,
};

const resource_spec atespace_spec = {
    ATESQL_RESOURCE_ATESPACES,
    "atespaces",
    "name",
    1,
    0,
    0,
    atespace_pk,
    1,
    NULL,
    sizeof(atesql_atespace),
    decode_atespace,
    atespace_key,
};

/* SELECT <columns> FROM <table> WHERE pk1 = ?1 AND ...: built and
** prepared once per handle. */
static char *get_sql(const store_dialect *d, const resource_spec *spec) {
  strbuf sb = STRBUF_INIT;
  strbuf_printf(&sb, "SELECT %s%s%s FROM %s WHERE ", spec->columns,
                spec->revision ? ", " : "",
                spec->revision ? spec->revision : "", spec->table);
  for (size_t i = 0; i < spec->pk_count; i++) {
    char ph[24];
    placeholder(d, i + 1, ph, sizeof ph);
    strbuf_printf(&sb, "%s%s = %s", i ? " AND " : "", spec->pk[i], ph);
  }
  return strbuf_detach(&sb);
}

/* An upper bound of the arena bytes decoding the current row can take:
** every column's text, and for JSON columns the arrays they can hold. */
static size_t row_reserve(const query *q, const resource_spec *spec) {
  size_t total = 0;
  for (int i = 0; i < spec->column_count; i++) {
    if (spec->int_columns >> i & 1) continue;
    size_t len;
    query_text(q, i, &len);
    total += codec_nested_reserve(len) + len + 8;
  }
  return total;
}

size_t row_page_bytes(const query *q, const resource_spec *spec) {
  size_t total = 0;
  for (int i = 0; i < spec->column_count; i++) {
    if (spec->int_columns >> i & 1) continue;
    size_t len;
    query_text(q, i, &len);
    if (spec->json_columns >> i & 1)
      total += len + 64; /* its structs and strings, roughly */
    else if (!q->borrow_text)
      total += len + 1;
  }
  return total;
}

atesql_status get_record(atesql_store *s, const resource_spec *spec,
                         const char *const *parts, const char *what, void **out,
                         int64_t *revision) {
  *out = NULL;
  db_param params[3];
  for (size_t i = 0; i < spec->pk_count; i++) {
    /* Writes refuse empty key parts, so no record has one. */
    if (parts[i] == NULL || parts[i][0] == '\0')
      return store_fail(s, ATESQL_NOT_FOUND, "%s not found", what);
    params[i] = param_text(parts[i]);
  }
  char **sql = &s->get_sql[spec->id];
  if (*sql == NULL && (*sql = get_sql(s->dialect, spec)) == NULL)
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  query q;
  atesql_status st =
      query_slot(s, &s->get_stmt[spec->id], *sql, params, spec->pk_count, &q);
  if (st != ATESQL_OK) return store_fail_db(s, st, "get %s", what);
  if (!q.row) {
    query_done(&q);
    return store_fail(s, ATESQL_NOT_FOUND, "%s not found", what);
  }
  st = record_from_row(s, spec, &q, out);
  if (st == ATESQL_OK && revision && spec->revision)
    *revision = query_int64(&q, spec->column_count);
  query_done(&q);
  return st;
}

atesql_status record_from_row(atesql_store *s, const resource_spec *spec,
                              const query *q, void **out) {
  *out = NULL;
  void *root = arena_new(spec->item_size, row_reserve(q, spec));
  if (root == NULL) return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  atesql_status st = spec->decode(s, q, root, root);
  if (st != ATESQL_OK) {
    arena_free(root);
    return st;
  }
  *out = root;
  return ATESQL_OK;
}
