/*
** Actor operations: get, create (version 1; the atespace must exist),
** update with expected version (template fields immutable), delete (only
** when SUSPENDED), list and count. The nested fields travel as protojson
** sub-documents in two columns, written and read by src/codec.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json.h"
#include "store/list.h"

enum { ACTOR_PARAMS = 13 }; /* the record's columns, ?1..?13 */

/* The bound form of an actor: params plus the JSON texts they point to. */
typedef struct actor_row {
  db_param params[ACTOR_PARAMS + 1];
  char *snapshot_json;
  char *selector_json;
} actor_row;

static void actor_row_release(actor_row *r) {
  free(r->snapshot_json);
  free(r->selector_json);
}

static void actor_name(const char *atespace, const char *id, char *buf,
                       size_t bufsz) {
  const char *parts[] = {atespace, id};
  name_record(buf, bufsz, "actor", parts, 2);
}

/* Writes need both key parts; reads take empty ones (and find nothing). */
static atesql_status check_key(atesql_store *s, const char *atespace,
                               const char *id, bool for_write) {
  if (!for_write) {
    atesql_status st = check_text(s, "atespace", atespace, false);
    return st == ATESQL_OK ? check_text(s, "actor_id", id, false) : st;
  }
  atesql_status st = check_indexed_text(s, "atespace", atespace, true);
  return st == ATESQL_OK ? check_indexed_text(s, "actor_id", id, true) : st;
}

static atesql_status check_snapshot_info(atesql_store *s,
                                         const atesql_snapshot_info *info) {
  if (info == NULL) return ATESQL_OK;
  switch (info->data) {
  case ATESQL_SNAPSHOT_DATA_NONE: return ATESQL_OK;
  case ATESQL_SNAPSHOT_DATA_EXTERNAL:
    return check_text(s, "latest_snapshot_info.external.snapshot_uri_prefix",
                      info->external_snapshot_uri_prefix, false);
  case ATESQL_SNAPSHOT_DATA_LOCAL: break;
  default:
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "latest_snapshot_info.data %d names no member of the "
                      "oneof (NONE, EXTERNAL or LOCAL)",
                      (int)info->data);
  }
  atesql_status st = check_text(s, "latest_snapshot_info.local.snapshot_prefix",
                                info->local_snapshot_prefix, false);
  if (info->local_node_vm_count && info->local_node_vms == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "latest_snapshot_info.local_node_vms is NULL");
  for (size_t i = 0; st == ATESQL_OK && i < info->local_node_vm_count; i++) {
    if (info->local_node_vms[i] == NULL)
      return store_fail(s, ATESQL_INVALID_ARGUMENT,
                        "latest_snapshot_info.local_node_vms[%zu] is NULL", i);
    st = check_text(s, "a node in latest_snapshot_info.local_node_vms",
                    info->local_node_vms[i], false);
  }
  return st;
}

static atesql_status check_worker_selector(atesql_store *s,
                                           const atesql_worker_selector *sel) {
  if (sel == NULL) return ATESQL_OK;
  if (sel->match_label_count && sel->match_labels == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "worker_selector.match_labels is NULL");
  atesql_status st = ATESQL_OK;
  for (size_t i = 0; st == ATESQL_OK && i < sel->match_label_count; i++) {
    const atesql_label *l = &sel->match_labels[i];
    st = check_text(s, "a worker_selector label key", l->key, false);
    if (st == ATESQL_OK)
      st = check_text(s, "a worker_selector label value", l->value, false);
    for (size_t k = 0; st == ATESQL_OK && k < i; k++)
      if (strcmp(sel->match_labels[k].key ? sel->match_labels[k].key : "",
                 l->key ? l->key : "") == 0)
        st = store_fail(s, ATESQL_INVALID_ARGUMENT,
                        "worker_selector label '%s' appears twice",
                        l->key ? l->key : "");
  }
  return st;
}

/* Validate a and fill row->params[0..ACTOR_PARAMS) in statement order. */
static atesql_status actor_params(atesql_store *s, const atesql_actor *a,
                                  actor_row *row) {
  memset(row, 0, sizeof *row);
  if (a == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "actor is NULL");
  atesql_status st = check_key(s, a->atespace, a->actor_id, true);
  if (st != ATESQL_OK) return st;
  const char *names[] = {
      "actor_template_namespace", "actor_template_name", "ateom_pod_namespace",
      "ateom_pod_name",           "ateom_pod_ip",        "ateom_pod_uid",
      "in_progress_snapshot",     "worker_pool_name"};
  /* Every one has an index but in_progress_snapshot. */
  static const bool indexed[] = {true, true, true,  true,
                                 true, true, false, true};
  const char *values[] = {a->actor_template_namespace,
                          a->actor_template_name,
                          a->ateom_pod_namespace,
                          a->ateom_pod_name,
                          a->ateom_pod_ip,
                          a->ateom_pod_uid,
                          a->in_progress_snapshot,
                          a->worker_pool_name};
  for (size_t i = 0; st == ATESQL_OK && i < 8; i++)
    st = indexed[i] ? check_indexed_text(s, names[i], values[i], false)
                    : check_text(s, names[i], values[i], false);
  if (st == ATESQL_OK) st = check_snapshot_info(s, a->latest_snapshot_info);
  if (st == ATESQL_OK) st = check_worker_selector(s, a->worker_selector);
  if (st != ATESQL_OK) return st;

  row->snapshot_json = codec_snapshot_info_to_json(a->latest_snapshot_info);
  row->selector_json = codec_worker_selector_to_json(a->worker_selector);
  if (row->snapshot_json == NULL || row->selector_json == NULL) {
    actor_row_release(row);
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  }
  db_param *p = row->params;
  p[0] = param_text(a->atespace);
  p[1] = param_text(a->actor_id);
  p[2] = param_text(values[0]);
  p[3] = param_text(values[1]);
  p[4] = param_int64((int)a->status);
  for (size_t i = 2; i < 8; i++)
    p[3 + i] = param_text(values[i]);
  p[11] = param_text(row->snapshot_json);
  p[12] = param_text(row->selector_json);
  return ATESQL_OK;
}

atesql_status atesql_actor_get(atesql_store *s, const char *atespace,
                               const char *id, atesql_actor **out) {
  store_begin_call(s);
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  atesql_status st = check_key(s, atespace, id, false);
  if (st != ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  actor_name(atespace, id, what, sizeof what);
  const char *parts[] = {atespace, id};
  return get_record(s, &actor_spec, parts, what, (void **)out, NULL);
}

/* Create a at `version`: 1 for a create, the record's own for an import. */
static atesql_status create_actor(atesql_store *s, const atesql_actor *a,
                                  int64_t version) {
  actor_row row;
  atesql_status st = actor_params(s, a, &row);
  if (st != ATESQL_OK) return st;
  row.params[ACTOR_PARAMS] = param_int64(version);
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  actor_name(a->atespace, a->actor_id, what, sizeof what);
  st = exec_named(s, STMT_actor_create, row.params, ACTOR_PARAMS + 1);
  actor_row_release(&row);
  if (st == ATESQL_ALREADY_EXISTS)
    return store_fail(s, st, "%s already exists", what);
  if (st == ATESQL_FAILED_PRECONDITION) {
    char space[ATESQL_ERROR_MESSAGE_MAX / 4];
    name_record(space, sizeof space, "atespace", &a->atespace, 1);
    return store_fail(s, st, "cannot create %s: %s does not exist", what,
                      space);
  }
  return st == ATESQL_OK ? st : store_fail_db(s, st, "create %s", what);
}

atesql_status atesql_actor_create(atesql_store *s, const atesql_actor *a) {
  store_begin_call(s);
  return create_actor(s, a, 1);
}

atesql_status atesql_actor_import(atesql_store *s, const atesql_actor *a) {
  store_begin_call(s);
  int64_t version;
  atesql_status st = import_version(s, a ? a->version : 0, &version);
  return st == ATESQL_OK ? create_actor(s, a, version) : st;
}

/* Why an update wrote nothing, from the probe row (version,
** actor_template_namespace, actor_template_name, status). */
static atesql_status diagnose_update(atesql_store *s, write_outcome *w,
                                     const db_param *params,
                                     int64_t expected_version,
                                     const char *what) {
  if (!w->found) return store_fail(s, ATESQL_NOT_FOUND, "%s not found", what);
  int64_t version = query_int64(&w->probe, w->col);
  if (version != expected_version)
    return store_fail(s, ATESQL_CONFLICT,
                      "%s is at version %lld, not %lld; reload and retry", what,
                      (long long)version, (long long)expected_version);
  if (version == INT64_MAX) return fail_last_version(s, what);
  static const char *const immutable[] = {"actor_template_namespace",
                                          "actor_template_name"};
  for (int i = 0; i < 2; i++) {
    size_t len;
    const char *stored = query_text(&w->probe, w->col + 1 + i, &len);
    if (stored == NULL) return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
    const db_param *given = &params[2 + i];
    if (given->len != len || memcmp(stored, given->text, len) != 0)
      return store_fail(s, ATESQL_INVALID_ARGUMENT,
                        "field '%s' of %s is immutable (stored '%.*s', given "
                        "'%s')",
                        immutable[i], what, (int)(len > 64 ? 64 : len), stored,
                        given->text);
  }
  return store_fail(s, ATESQL_CONFLICT,
                    "%s changed concurrently; reload and retry", what);
}

atesql_status atesql_actor_update(atesql_store *s, const atesql_actor *a,
                                  int64_t expected_version,
                                  int64_t *new_version) {
  store_begin_call(s);
  actor_row row;
  atesql_status st = actor_params(s, a, &row);
  if (st != ATESQL_OK) return st;
  row.params[ACTOR_PARAMS] = param_int64(expected_version);
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  actor_name(a->atespace, a->actor_id, what, sizeof what);
  write_outcome out;
  st = conditional_write(s, STMT_actor_update, row.params, ACTOR_PARAMS + 1,
                         STMT_actor_probe, 2, &out);
  if (st != ATESQL_OK) {
    st = store_fail_db(s, st, "update %s", what);
  } else if (!out.wrote) {
    st = diagnose_update(s, &out, row.params, expected_version, what);
    query_done(&out.probe);
  } else if (new_version) {
    *new_version = out.value;
  }
  actor_row_release(&row);
  return st;
}

atesql_status atesql_actor_delete(atesql_store *s, const char *atespace,
                                  const char *id) {
  store_begin_call(s);
  atesql_status st = check_key(s, atespace, id, true);
  if (st != ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  actor_name(atespace, id, what, sizeof what);
  db_param params[] = {param_text(atespace), param_text(id)};
  write_outcome out;
  st = conditional_write(s, STMT_actor_delete, params, 2, STMT_actor_probe, 2,
                         &out);
  if (st != ATESQL_OK) return store_fail_db(s, st, "delete %s", what);
  if (out.wrote) return ATESQL_OK;
  if (!out.found) return store_fail(s, ATESQL_NOT_FOUND, "%s not found", what);
  atesql_actor_status status =
      (atesql_actor_status)query_int64(&out.probe, out.col + 3);
  query_done(&out.probe);
  if (status == ATESQL_ACTOR_STATUS_SUSPENDED)
    return store_fail(s, ATESQL_CONFLICT,
                      "%s changed concurrently; reload and retry", what);
  const char *name = atesql_actor_status_name(status);
  return store_fail(s, ATESQL_FAILED_PRECONDITION,
                    "cannot delete %s: it is %s, only STATUS_SUSPENDED actors "
                    "can be deleted",
                    what, name ? name : "in an unknown status");
}

atesql_status atesql_actor_list(atesql_store *s, const atesql_list_opts *opts,
                                atesql_actor_page **out) {
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  list_result r;
  atesql_status st =
      list_records(s, &actor_spec, opts, sizeof(atesql_actor_page), &r);
  *out = r.root;
  if (st == ATESQL_OK) {
    (*out)->items = r.items;
    (*out)->count = r.count;
    (*out)->next_page_token = r.next_page_token;
  }
  return st;
}

atesql_status atesql_actor_count(atesql_store *s, const atesql_list_opts *opts,
                                 int64_t *count) {
  return count_records(s, &actor_spec, opts, count);
}
