/*
** The data of migration 0008 (lock fencing tokens), shared by the SQLite
** and PostgreSQL unit suites: locks as schema 0007 stored them, one held
** (until 2100) and one expired, written before 0008 runs; and what they
** must be after it: the held lock still held by its owner with token 1,
** the expired one free, and each key's next acquisition token 2.
*/
#ifndef ATESQL_TEST_MIGRATION_0008_H
#define ATESQL_TEST_MIGRATION_0008_H

#include <string.h>

#include "atesql/atesql.h"
#include "suite.h"

static const char LOCKS_0007_SQL[] =
    "INSERT INTO locks (key, value, expires_at_ms) VALUES "
    "('lock:actor:held', 'owner-0007', 4102444800000),"
    "('lock:actor:expired', 'owner-old', 1000);";

/* The locks of LOCKS_0007_SQL as they must behave after migration 0008. */
static void check_locks_kept_by_0008(const char *url) {
  atesql_store *s = NULL;
  atesql_error err = {0};
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    fail_msg("open: %s", err.message);
  atesql_lock_list *held = NULL;
  assert_int_equal(atesql_lock_list_held(s, &held), ATESQL_OK);
  assert_int_equal(held->count, 1);
  assert_string_equal(held->items[0].key, "lock:actor:held");
  assert_string_equal(held->items[0].value, "owner-0007");
  assert_int_equal(held->items[0].expires_at_ms, 4102444800000);
  assert_int_equal(held->items[0].token, 1);
  atesql_lock_list_free(held);

  bool acquired = true;
  int64_t token = -1;
  assert_int_equal(atesql_lock_acquire_token(s, "lock:actor:held", "other",
                                             60000, &acquired, &token),
                   ATESQL_OK);
  assert_false(acquired);
  assert_int_equal(atesql_lock_check(s, "lock:actor:held", "owner-0007", 1),
                   ATESQL_OK);
  bool released = false;
  assert_int_equal(
      atesql_lock_release(s, "lock:actor:held", "owner-0007", &released),
      ATESQL_OK);
  assert_true(released);
  assert_int_equal(atesql_lock_acquire_token(s, "lock:actor:held", "other",
                                             60000, &acquired, &token),
                   ATESQL_OK);
  assert_true(acquired);
  assert_int_equal(token, 2);
  assert_int_equal(atesql_lock_acquire_token(s, "lock:actor:expired", "new",
                                             60000, &acquired, &token),
                   ATESQL_OK);
  assert_true(acquired);
  assert_int_equal(token, 2);
  atesql_store_close(s);
}

#endif /* ATESQL_TEST_MIGRATION_0008_H */
