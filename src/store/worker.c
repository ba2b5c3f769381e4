/*
** Worker operations: get, create (version 1), update with expected version
** (ip immutable), idempotent delete, list and count.
*/
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "store/labels.h"
#include "store/list.h"

/* The record's columns ?1..?10, the version ?11, the labels ?12. */
enum { WORKER_PARAMS = 10, LABELS_PARAM = 11, ALL_PARAMS = 12 };

/* "worker 'ns/pool/pod'" for messages. */
static void worker_name(const char *ns, const char *pool, const char *pod,
                        char *buf, size_t bufsz) {
  const char *parts[] = {ns, pool, pod};
  name_record(buf, bufsz, "worker", parts, 3);
}

/* Writes need every key part; reads take empty ones (and find nothing). */
static atesql_status check_key(atesql_store *s, const char *ns,
                               const char *pool, const char *pod,
                               bool for_write) {
  const char *names[] = {"worker_namespace", "worker_pool", "worker_pod"};
  const char *parts[] = {ns, pool, pod};
  atesql_status st = ATESQL_OK;
  for (int i = 0; st == ATESQL_OK && i < 3; i++)
    st = for_write ? check_indexed_text(s, names[i], parts[i], true)
                   : check_text(s, names[i], parts[i], false);
  return st;
}

/* Validate w and fill params[0..WORKER_PARAMS) and the labels parameter
** in statement order; *labels receives the labels column to free(). */
static atesql_status worker_params(atesql_store *s, const atesql_worker *w,
                                   db_param *params, char **labels) {
  *labels = NULL;
  if (w == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "worker is NULL");
  atesql_status st =
      check_key(s, w->worker_namespace, w->worker_pool, w->worker_pod, true);
  const char *names[] = {
      "actor_namespace", "actor_template", "actor_id", "actor_atespace", "ip",
      "worker_pod_uid",  "node_name"};
  const char *values[] = {w->actor_namespace,
                          w->actor_template,
                          w->actor_id,
                          w->actor_atespace,
                          w->ip,
                          w->worker_pod_uid,
                          w->node_name};
  for (size_t i = 0; st == ATESQL_OK && i < 7; i++)
    st = check_indexed_text(s, names[i], values[i], false);
  if (st == ATESQL_OK) st = labels_check(s, w->labels, w->label_count);
  if (st != ATESQL_OK) return st;
  if ((*labels = labels_to_json(w->labels, w->label_count)) == NULL)
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  params[LABELS_PARAM] = param_text(*labels);
  params[0] = param_text(w->worker_namespace);
  params[1] = param_text(w->worker_pool);
  params[2] = param_text(w->worker_pod);
  for (size_t i = 0; i < 7; i++)
    params[3 + i] = param_text(values[i]);
  return ATESQL_OK;
}

atesql_status atesql_worker_get(atesql_store *s, const char *ns,
                                const char *pool, const char *pod,
                                atesql_worker **out) {
  return atesql_worker_get_at_revision(s, ns, pool, pod, out, NULL);
}

atesql_status atesql_worker_get_at_revision(atesql_store *s, const char *ns,
                                            const char *pool, const char *pod,
                                            atesql_worker **out,
                                            int64_t *revision) {
  store_begin_call(s);
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  atesql_status st = check_key(s, ns, pool, pod, false);
  if (st != ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  worker_name(ns, pool, pod, what, sizeof what);
  const char *parts[] = {ns, pool, pod};
  return get_record(s, &worker_spec, parts, what, (void **)out, revision);
}

/* Create w at `version`: 1 for a create, the record's own for an import. */
static atesql_status create_worker(atesql_store *s, const atesql_worker *w,
                                   int64_t version) {
  db_param params[ALL_PARAMS];
  char *labels;
  atesql_status st = worker_params(s, w, params, &labels);
  if (st != ATESQL_OK) return st;
  params[WORKER_PARAMS] = param_int64(version);
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  worker_name(w->worker_namespace, w->worker_pool, w->worker_pod, what,
              sizeof what);
  st = exec_named(s, STMT_worker_create, params, ALL_PARAMS);
  free(labels);
  if (st == ATESQL_ALREADY_EXISTS)
    return store_fail(s, st, "%s already exists", what);
  return st == ATESQL_OK ? st : store_fail_db(s, st, "create %s", what);
}

atesql_status atesql_worker_create(atesql_store *s, const atesql_worker *w) {
  store_begin_call(s);
  return create_worker(s, w, 1);
}

atesql_status atesql_worker_import(atesql_store *s, const atesql_worker *w) {
  store_begin_call(s);
  int64_t version;
  atesql_status st = import_version(s, w ? w->version : 0, &version);
  return st == ATESQL_OK ? create_worker(s, w, version) : st;
}

/* Why an update wrote nothing, from the probe row (version, ip). */
static atesql_status diagnose_update(atesql_store *s, write_outcome *w,
                                     int64_t expected_version,
                                     const char *given_ip, const char *what) {
  if (!w->found) return store_fail(s, ATESQL_NOT_FOUND, "%s not found", what);
  int64_t version = query_int64(&w->probe, w->col);
  size_t len;
  const char *ip = query_text(&w->probe, w->col + 1, &len);
  if (ip == NULL) return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  given_ip = given_ip ? given_ip : "";
  if (version != expected_version)
    return store_fail(s, ATESQL_CONFLICT,
                      "%s is at version %lld, not %lld; reload and retry", what,
                      (long long)version, (long long)expected_version);
  if (version == INT64_MAX) return fail_last_version(s, what);
  if (strlen(given_ip) != len || memcmp(ip, given_ip, len) != 0)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "field 'ip' of %s is immutable (stored '%.*s', given "
                      "'%s')",
                      what, (int)(len > 64 ? 64 : len), ip, given_ip);
  /* Matched at the probe but not at the write: changed in between. */
  return store_fail(s, ATESQL_CONFLICT,
                    "%s changed concurrently; reload and retry", what);
}

atesql_status atesql_worker_update(atesql_store *s, const atesql_worker *w,
                                   int64_t expected_version,
                                   int64_t *new_version) {
  store_begin_call(s);
  db_param params[ALL_PARAMS];
  char *labels;
  atesql_status st = worker_params(s, w, params, &labels);
  if (st != ATESQL_OK) return st;
  params[WORKER_PARAMS] = param_int64(expected_version);
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  worker_name(w->worker_namespace, w->worker_pool, w->worker_pod, what,
              sizeof what);
  write_outcome out;
  st = conditional_write(s, STMT_worker_update, params, ALL_PARAMS,
                         STMT_worker_probe, 3, &out);
  free(labels);
  if (st != ATESQL_OK) return store_fail_db(s, st, "update %s", what);
  if (!out.wrote) {
    st = diagnose_update(s, &out, expected_version, w->ip, what);
    query_done(&out.probe);
    return st;
  }
  if (new_version) *new_version = out.value;
  return ATESQL_OK;
}

atesql_status atesql_worker_delete(atesql_store *s, const char *ns,
                                   const char *pool, const char *pod) {
  store_begin_call(s);
  atesql_status st = check_key(s, ns, pool, pod, true);
  if (st != ATESQL_OK) return st;
  db_param params[] = {param_text(ns), param_text(pool), param_text(pod)};
  st = exec_named(s, STMT_worker_delete, params, 3);
  if (st == ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  worker_name(ns, pool, pod, what, sizeof what);
  return store_fail_db(s, st, "delete %s", what);
}

atesql_status atesql_worker_list(atesql_store *s, const atesql_list_opts *opts,
                                 atesql_worker_page **out) {
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  list_result r;
  atesql_status st =
      list_records(s, &worker_spec, opts, sizeof(atesql_worker_page), &r);
  *out = r.root;
  if (st == ATESQL_OK) {
    (*out)->items = r.items;
    (*out)->count = r.count;
    (*out)->next_page_token = r.next_page_token;
    (*out)->revision = r.revision;
  }
  return st;
}

atesql_status atesql_worker_count(atesql_store *s, const atesql_list_opts *opts,
                                  int64_t *count) {
  return count_records(s, &worker_spec, opts, count);
}
