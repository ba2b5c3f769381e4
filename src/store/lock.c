/*
** Locks: named leases with an owner token and an expiry on the database
** clock, so that schedulers on different machines agree on when a lease
** ends. Acquire takes a free or expired lock in one statement (an upsert
** that only overwrites an expired row); release deletes only the holder's
** row, and releasing a lock the caller does not hold is not an error.
*/
#include "store/store.h"

static atesql_status check_lock_args(atesql_store *s, const char *key,
                                     const char *value) {
  atesql_status st = check_indexed_text(s, "lock key", key, true);
  return st == ATESQL_OK ? check_text(s, "lock value", value, true) : st;
}

atesql_status atesql_lock_acquire(atesql_store *s, const char *key,
                                  const char *value, int64_t ttl_ms,
                                  bool *acquired) {
  store_begin_call(s);
  if (acquired == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "acquired is NULL");
  *acquired = false;
  atesql_status st = check_lock_args(s, key, value);
  if (st != ATESQL_OK) return st;
  if (ttl_ms <= 0 || ttl_ms > ATESQL_LOCK_TTL_MAX_MS)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "lock ttl_ms must be 1..%lld (30 days), got %lld",
                      (long long)ATESQL_LOCK_TTL_MAX_MS, (long long)ttl_ms);
  db_param params[] = {param_text(key), param_text(value), param_int64(ttl_ms)};
  query q;
  st = query_named(s, STMT_lock_acquire, params, 3, &q);
  bool granted = st == ATESQL_OK && q.row;
  st = query_finish(&q, st);
  *acquired = st == ATESQL_OK && granted;
  return st == ATESQL_OK ? st : store_fail_db(s, st, "acquire lock '%s'", key);
}

atesql_status atesql_lock_release(atesql_store *s, const char *key,
                                  const char *value, bool *released) {
  store_begin_call(s);
  if (released != NULL) *released = false;
  atesql_status st = check_lock_args(s, key, value);
  if (st != ATESQL_OK) return st;
  db_param params[] = {param_text(key), param_text(value)};
  query q;
  st = query_named(s, STMT_lock_release, params, 2, &q);
  bool held = st == ATESQL_OK && q.row && query_int64(&q, 0) != 0;
  st = query_finish(&q, st);
  if (st != ATESQL_OK) return store_fail_db(s, st, "release lock '%s'", key);
  if (released != NULL) *released = held;
  return ATESQL_OK;
}
