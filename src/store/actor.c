/*
** Actor operations: get, create (version 1; the atespace must exist),
** update with expected version (template fields immutable), delete (only
** when SUSPENDED), list and count. The nested fields travel as protojson
** sub-documents in two columns, written and read by src/codec.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/list.h"
#include "store/operations.h"
#include "store/record.h"

/* The column of the status in actor_probe's row: after the version and
** the two immutable template fields. */
enum { PROBE_STATUS = 3 };

static void actor_name(const char *atespace, const char *id, char *buf,
                       size_t bufsz) {
  const char *parts[] = {atespace, id};
  record_name(&schema_actors, parts, buf, bufsz);
}

/* Writes need both key parts; reads take empty ones (and find nothing). */
static atesql_status check_key(atesql_store *s, const char *atespace,
                               const char *id, bool for_write) {
  const char *parts[] = {atespace, id};
  return record_check_key(s, &schema_actors, parts, for_write);
}

atesql_status actor_get(atesql_store *s, const char *atespace, const char *id,
                        atesql_actor **out) {

  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  atesql_status st = check_key(s, atespace, id, false);
  if (st != ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  actor_name(atespace, id, what, sizeof what);
  const char *parts[] = {atespace, id};
  return get_record(s, &actor_spec, parts, what, (void **)out, NULL, NULL);
}

static atesql_status actor_get_call(atesql_store *s, const char *atespace,
                                    const char *id, atesql_actor **out) {
  return actor_get(s, atespace, id, out);
}

atesql_status atesql_actor_get(atesql_store *s, const char *atespace,
                               const char *id, atesql_actor **out) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ACTOR_GET, start,
                  actor_get_call(s, atespace, id, out));
}

/* Create a at `version`: 1 for a create, the record's own for an import. */
static atesql_status create_actor(atesql_store *s, const atesql_actor *a,
                                  int64_t version) {
  atesql_status st =
      record_create(s, &schema_actors, STMT_actor_create, a, version);
  if (st != ATESQL_FAILED_PRECONDITION) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2], space[ATESQL_ERROR_MESSAGE_MAX / 4];
  actor_name(a->atespace, a->actor_id, what, sizeof what);
  name_record(space, sizeof space, "atespace", &a->atespace, 1);
  return store_fail(s, st, "cannot create %s: %s does not exist", what, space);
}

static atesql_status actor_create_call(atesql_store *s, const atesql_actor *a) {
  return create_actor(s, a, 1);
}

atesql_status atesql_actor_create(atesql_store *s, const atesql_actor *a) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ACTOR_CREATE, start, actor_create_call(s, a));
}

static atesql_status actor_import_call(atesql_store *s, const atesql_actor *a) {
  int64_t version;
  atesql_status st = import_version(s, a ? a->version : 0, &version);
  return st == ATESQL_OK ? create_actor(s, a, version) : st;
}

atesql_status atesql_actor_import(atesql_store *s, const atesql_actor *a) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ACTOR_IMPORT, start, actor_import_call(s, a));
}

atesql_status actor_update(atesql_store *s, const atesql_actor *a,
                           int64_t expected_version, int64_t *new_version) {
  return record_update(s, &schema_actors, STMT_actor_update, STMT_actor_probe,
                       a, expected_version, new_version);
}

static atesql_status actor_update_call(atesql_store *s, const atesql_actor *a,
                                       int64_t expected_version,
                                       int64_t *new_version) {
  return actor_update(s, a, expected_version, new_version);
}

atesql_status atesql_actor_update(atesql_store *s, const atesql_actor *a,
                                  int64_t expected_version,
                                  int64_t *new_version) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ACTOR_UPDATE, start,
                  actor_update_call(s, a, expected_version, new_version));
}

static atesql_status actor_delete_call(atesql_store *s, const char *atespace,
                                       const char *id) {
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
      (atesql_actor_status)query_int64(&out.probe, out.col + PROBE_STATUS);
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

atesql_status atesql_actor_delete(atesql_store *s, const char *atespace,
                                  const char *id) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ACTOR_DELETE, start,
                  actor_delete_call(s, atespace, id));
}

static atesql_status actor_list_call(atesql_store *s,
                                     const atesql_list_opts *opts,
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

atesql_status atesql_actor_list(atesql_store *s, const atesql_list_opts *opts,
                                atesql_actor_page **out) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ACTOR_LIST, start,
                  actor_list_call(s, opts, out));
}

static atesql_status actor_count_call(atesql_store *s,
                                      const atesql_list_opts *opts,
                                      int64_t *count) {
  return count_records(s, &actor_spec, opts, count);
}

atesql_status atesql_actor_count(atesql_store *s, const atesql_list_opts *opts,
                                 int64_t *count) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ACTOR_COUNT, start,
                  actor_count_call(s, opts, count));
}
