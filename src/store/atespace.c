/*
** Atespace operations: create, get, exists, delete (refused while the
** atespace holds actors, by the foreign key, so a concurrent actor create
** cannot slip in between a check and the delete), list, count.
*/
#include <stdio.h>

#include "store/list.h"

static void atespace_name(const char *name, char *buf, size_t bufsz) {
  name_record(buf, bufsz, "atespace", &name, 1);
}

static atesql_status atespace_create_call(atesql_store *s,
                                          const atesql_atespace *a) {
  if (a == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "atespace is NULL");
  atesql_status st = check_indexed_text(s, "atespace name", a->name, true);
  if (st != ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  atespace_name(a->name, what, sizeof what);
  db_param params[] = {param_text(a->name)};
  st = exec_named(s, STMT_atespace_create, params, 1);
  if (st == ATESQL_ALREADY_EXISTS)
    return store_fail(s, st, "%s already exists", what);
  return st == ATESQL_OK ? st : store_fail_db(s, st, "create %s", what);
}

atesql_status atesql_atespace_create(atesql_store *s,
                                     const atesql_atespace *a) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ATESPACE_CREATE, start,
                  atespace_create_call(s, a));
}

static atesql_status get_atespace(atesql_store *s, const char *name,
                                  atesql_atespace **out) {
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  atesql_status st = check_text(s, "atespace name", name, false);
  if (st != ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  atespace_name(name, what, sizeof what);
  const char *parts[] = {name};
  return get_record(s, &atespace_spec, parts, what, (void **)out, NULL, NULL);
}

static atesql_status atespace_get_call(atesql_store *s, const char *name,
                                       atesql_atespace **out) {
  return get_atespace(s, name, out);
}

atesql_status atesql_atespace_get(atesql_store *s, const char *name,
                                  atesql_atespace **out) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ATESPACE_GET, start,
                  atespace_get_call(s, name, out));
}

static atesql_status atespace_exists_call(atesql_store *s, const char *name,
                                          bool *exists) {
  if (exists == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "exists is NULL");
  atesql_atespace *a = NULL;
  atesql_status st = get_atespace(s, name, &a);
  atesql_atespace_free(a);
  *exists = st == ATESQL_OK;
  if (st != ATESQL_NOT_FOUND) return st;
  s->errmsg[0] = '\0'; /* "no" is the answer, not a failure */
  return ATESQL_OK;
}

atesql_status atesql_atespace_exists(atesql_store *s, const char *name,
                                     bool *exists) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ATESPACE_EXISTS, start,
                  atespace_exists_call(s, name, exists));
}

static atesql_status atespace_delete_call(atesql_store *s, const char *name) {
  atesql_status st = check_indexed_text(s, "atespace name", name, true);
  if (st != ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  atespace_name(name, what, sizeof what);
  db_param params[] = {param_text(name)};
  query q;
  st = query_named(s, STMT_atespace_delete, params, 1, &q);
  bool deleted = st == ATESQL_OK && q.row;
  st = query_finish(&q, st);
  if (st == ATESQL_FAILED_PRECONDITION)
    return store_fail(s, st, "cannot delete %s: it still holds actors", what);
  if (st != ATESQL_OK) return store_fail_db(s, st, "delete %s", what);
  if (!deleted) return store_fail(s, ATESQL_NOT_FOUND, "%s not found", what);
  return ATESQL_OK;
}

atesql_status atesql_atespace_delete(atesql_store *s, const char *name) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ATESPACE_DELETE, start,
                  atespace_delete_call(s, name));
}

static atesql_status atespace_list_call(atesql_store *s,
                                        const atesql_list_opts *opts,
                                        atesql_atespace_page **out) {
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  list_result r;
  atesql_status st =
      list_records(s, &atespace_spec, opts, sizeof(atesql_atespace_page), &r);
  *out = r.root;
  if (st == ATESQL_OK) {
    (*out)->items = r.items;
    (*out)->count = r.count;
    (*out)->next_page_token = r.next_page_token;
  }
  return st;
}

atesql_status atesql_atespace_list(atesql_store *s,
                                   const atesql_list_opts *opts,
                                   atesql_atespace_page **out) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ATESPACE_LIST, start,
                  atespace_list_call(s, opts, out));
}

static atesql_status atespace_count_call(atesql_store *s,
                                         const atesql_list_opts *opts,
                                         int64_t *count) {
  return count_records(s, &atespace_spec, opts, count);
}

atesql_status atesql_atespace_count(atesql_store *s,
                                    const atesql_list_opts *opts,
                                    int64_t *count) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ATESPACE_COUNT, start,
                  atespace_count_call(s, opts, count));
}
