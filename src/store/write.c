/*
** Writes of a whole record, written once for every resource: create at a
** version, and update with an expected version (record.h).
*/
#include "store/record.h"

atesql_status record_create(atesql_store *s, const resource_def *res,
                            stmt_id create, const void *record,
                            int64_t version) {
  bound_record row;
  atesql_status st = record_bind(s, res, record, version, &row);
  if (st != ATESQL_OK) {
    record_unbind(&row);
    return st;
  }
  st = exec_named(s, create, row.params, row.count);
  record_unbind(&row);
  if (st == ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  record_name_of(res, record, what, sizeof what);
  if (st == ATESQL_ALREADY_EXISTS)
    return store_fail(s, st, "%s already exists", what);
  return store_fail_db(s, st, "create %s", what);
}

atesql_status record_update(atesql_store *s, const resource_def *res,
                            stmt_id update, stmt_id probe, const void *record,
                            int64_t expected_version, int64_t *new_version) {
  bound_record row;
  atesql_status st = record_bind(s, res, record, expected_version, &row);
  if (st != ATESQL_OK) {
    record_unbind(&row);
    return st;
  }
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  record_name_of(res, record, what, sizeof what);
  write_outcome out;
  st = conditional_write(s, update, row.params, row.count, probe,
                         res->key_count, &out);
  if (st != ATESQL_OK) {
    st = store_fail_db(s, st, "update %s", what);
  } else if (!out.wrote) {
    st = record_diagnose_update(s, res, &out, &row, expected_version, what);
    query_done(&out.probe);
  } else if (new_version) {
    *new_version = out.value;
  }
  record_unbind(&row);
  return st;
}
