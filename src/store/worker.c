/*
** Worker operations: get, create (version 1), update with expected version
** (ip immutable), idempotent delete, list and count.
*/
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "store/list.h"
#include "store/record.h"
#include "util/count.h"

/* "worker 'ns/pool/pod'" for messages. */
static void worker_name(const char *ns, const char *pool, const char *pod,
                        char *buf, size_t bufsz) {
  const char *parts[] = {ns, pool, pod};
  record_name(&schema_workers, parts, buf, bufsz);
}

/* Writes need every key part; reads take empty ones (and find nothing). */
static atesql_status check_key(atesql_store *s, const char *ns,
                               const char *pool, const char *pod,
                               bool for_write) {
  const char *parts[] = {ns, pool, pod};
  return record_check_key(s, &schema_workers, parts, for_write);
}

enum { GET_AT_REVISION_TRIES = 3 };

/*
** A get, and the revision it reflects into *revision (may be NULL). A
** worker whose changes await their numbers (PostgreSQL) is read again
** after numbering them, so that the record is exactly the worker at the
** revision; inside a transaction, which cannot number, the revision is
** the highest numbered one the transaction sees, and a watch from it may
** deliver again a change the record already shows.
*/
static atesql_status get_worker(atesql_store *s, const char *ns,
                                const char *pool, const char *pod,
                                atesql_worker **out, int64_t *revision) {
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  atesql_status st = check_key(s, ns, pool, pod, false);
  if (st != ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  worker_name(ns, pool, pod, what, sizeof what);
  const char *parts[] = {ns, pool, pod};
  for (int tries = 1;; tries++) {
    /* A plain get asks for neither: its row is the record, whatever the
    ** feed holds, and finding this worker's pending changes walks the
    ** pending events (their number, not the fleet's, bounds that). */
    bool pending = false;
    st = get_record(s, &worker_spec, parts, what, (void **)out, revision,
                    revision ? &pending : NULL);
    if (st != ATESQL_OK || revision == NULL || !pending || s->in_tx) return st;
    atesql_worker_free(*out);
    *out = NULL;
    /* Written again between its numbering and the read, every time. */
    if (tries == GET_AT_REVISION_TRIES)
      return store_fail(s, ATESQL_CONFLICT,
                        "%s changed %d times while its revision was read; "
                        "retry",
                        what, tries);
    st = number_events(s);
    if (st != ATESQL_OK) return st;
  }
}

static atesql_status worker_get_call(atesql_store *s, const char *ns,
                                     const char *pool, const char *pod,
                                     atesql_worker **out) {
  return get_worker(s, ns, pool, pod, out, NULL);
}

atesql_status atesql_worker_get(atesql_store *s, const char *ns,
                                const char *pool, const char *pod,
                                atesql_worker **out) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_WORKER_GET, start,
                  worker_get_call(s, ns, pool, pod, out));
}

static atesql_status
worker_get_at_revision_call(atesql_store *s, const char *ns, const char *pool,
                            const char *pod, atesql_worker **out,
                            int64_t *revision) {
  return get_worker(s, ns, pool, pod, out, revision);
}

atesql_status atesql_worker_get_at_revision(atesql_store *s, const char *ns,
                                            const char *pool, const char *pod,
                                            atesql_worker **out,
                                            int64_t *revision) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_WORKER_GET_AT_REVISION, start,
                  worker_get_at_revision_call(s, ns, pool, pod, out, revision));
}

/* Create w at `version`: 1 for a create, the record's own for an import. */
static atesql_status create_worker(atesql_store *s, const atesql_worker *w,
                                   int64_t version) {
  return record_create(s, &schema_workers, STMT_worker_create, w, version);
}

static atesql_status worker_create_call(atesql_store *s,
                                        const atesql_worker *w) {
  return create_worker(s, w, 1);
}

atesql_status atesql_worker_create(atesql_store *s, const atesql_worker *w) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_WORKER_CREATE, start,
                  worker_create_call(s, w));
}

static atesql_status worker_import_call(atesql_store *s,
                                        const atesql_worker *w) {
  int64_t version;
  atesql_status st = import_version(s, w ? w->version : 0, &version);
  return st == ATESQL_OK ? create_worker(s, w, version) : st;
}

atesql_status atesql_worker_import(atesql_store *s, const atesql_worker *w) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_WORKER_IMPORT, start,
                  worker_import_call(s, w));
}

static atesql_status worker_update_call(atesql_store *s, const atesql_worker *w,
                                        int64_t expected_version,
                                        int64_t *new_version) {
  return record_update(s, &schema_workers, STMT_worker_update,
                       STMT_worker_probe, w, expected_version, new_version);
}

atesql_status atesql_worker_update(atesql_store *s, const atesql_worker *w,
                                   int64_t expected_version,
                                   int64_t *new_version) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_WORKER_UPDATE, start,
                  worker_update_call(s, w, expected_version, new_version));
}

static atesql_status worker_delete_call(atesql_store *s, const char *ns,
                                        const char *pool, const char *pod) {
  atesql_status st = check_key(s, ns, pool, pod, true);
  if (st != ATESQL_OK) return st;
  db_param params[] = {param_text(ns), param_text(pool), param_text(pod)};
  st = exec_named(s, STMT_worker_delete, params, COUNT(params));
  if (st == ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  worker_name(ns, pool, pod, what, sizeof what);
  return store_fail_db(s, st, "delete %s", what);
}

atesql_status atesql_worker_delete(atesql_store *s, const char *ns,
                                   const char *pool, const char *pod) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_WORKER_DELETE, start,
                  worker_delete_call(s, ns, pool, pod));
}

static atesql_status worker_list_call(atesql_store *s,
                                      const atesql_list_opts *opts,
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

atesql_status atesql_worker_list(atesql_store *s, const atesql_list_opts *opts,
                                 atesql_worker_page **out) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_WORKER_LIST, start,
                  worker_list_call(s, opts, out));
}

static atesql_status worker_count_call(atesql_store *s,
                                       const atesql_list_opts *opts,
                                       int64_t *count) {
  return count_records(s, &worker_spec, opts, count);
}

atesql_status atesql_worker_count(atesql_store *s, const atesql_list_opts *opts,
                                  int64_t *count) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_WORKER_COUNT, start,
                  worker_count_call(s, opts, count));
}
