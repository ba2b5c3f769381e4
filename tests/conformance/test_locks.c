/*
** Locks: named leases with an owner token and a TTL on the database clock.
** Acquire takes a free or expired lock, never a held one (not even for its
** holder); release frees the holder's lock only, and says whether it did:
** releasing a lock the caller does not hold is OK and releases nothing. TTLs here are short (50 ms)
** where expiry is the point and long (a minute) where it must not happen.
*/
#include "conformance.h"

enum { HELD_MS = 60000, SHORT_TTL_MS = 50, PAST_SHORT_TTL_MS = 250 };

/* Acquire must succeed and report that the lock was taken, or not. */
static void expect_lock_acquire(atesql_store *store, const char *key,
                                const char *value, int64_t ttl_ms, bool want) {
  bool acquired = !want;
  assert_ok(store, atesql_lock_acquire(store, key, value, ttl_ms, &acquired));
  if (acquired != want)
    fail_msg("acquire of '%s' by '%s' reported %s, want %s", key, value,
             acquired ? "acquired" : "held", want ? "acquired" : "held");
}

#define expect_acquired(store, key, value, ttl)                                \
  expect_lock_acquire(store, key, value, ttl, true)
#define expect_refused(store, key, value, ttl)                                 \
  expect_lock_acquire(store, key, value, ttl, false)

/* Release must succeed, report whether value's lock was released, and
** leave no message (it is not an error). */
static void expect_lock_release(atesql_store *store, const char *key,
                                const char *value, bool want) {
  bool released = !want;
  assert_ok(store, atesql_lock_release(store, key, value, &released));
  if (released != want)
    fail_msg("release of '%s' by '%s' reported %s, want %s", key, value,
             released ? "released" : "not held",
             want ? "released" : "not held");
  assert_string_equal(atesql_errmsg(store), "");
}

#define expect_released(store, key, value)                                     \
  expect_lock_release(store, key, value, true)
#define expect_not_held(store, key, value)                                     \
  expect_lock_release(store, key, value, false)

static void test_acquire_free_lock_succeeds(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock", "owner-1", HELD_MS);
}

static void test_acquire_held_lock_by_other_owner_fails(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock", "owner-1", HELD_MS);
  expect_refused(store, "lock", "owner-2", HELD_MS);
  expect_released(store, "lock", "owner-1");
}

static void test_acquire_held_lock_by_same_owner_fails(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock", "owner-1", HELD_MS);
  expect_refused(store, "lock", "owner-1", HELD_MS);
  expect_released(store, "lock", "owner-1");
  expect_not_held(store, "lock", "owner-1");
}

static void test_locks_with_different_keys_are_independent(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock-1", "owner-1", HELD_MS);
  expect_acquired(store, "lock-2", "owner-2", HELD_MS);
  expect_acquired(store, "lock-10", "owner-1", HELD_MS);
  expect_released(store, "lock-2", "owner-2");
  expect_refused(store, "lock-1", "owner-2", HELD_MS);
}

static void test_expired_lock_can_be_acquired_by_another_owner(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock", "owner-1", SHORT_TTL_MS);
  sleep_ms(PAST_SHORT_TTL_MS);
  expect_acquired(store, "lock", "owner-2", HELD_MS);
  expect_refused(store, "lock", "owner-1", HELD_MS);
}

static void test_expired_lock_can_be_acquired_again_by_its_owner(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock", "owner-1", SHORT_TTL_MS);
  sleep_ms(PAST_SHORT_TTL_MS);
  expect_acquired(store, "lock", "owner-1", HELD_MS);
}

static void test_unexpired_lock_stays_held(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock", "owner-1", HELD_MS);
  expect_acquired(store, "short", "owner-1", SHORT_TTL_MS);
  sleep_ms(PAST_SHORT_TTL_MS);
  expect_refused(store, "lock", "owner-2", HELD_MS);
  expect_acquired(store, "short", "owner-2", HELD_MS);
}

static void test_release_by_holder_frees_the_lock(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock", "owner-1", HELD_MS);
  expect_released(store, "lock", "owner-1");
  expect_acquired(store, "lock", "owner-2", HELD_MS);
}

static void test_release_without_released_frees_the_lock(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock", "owner-1", HELD_MS);
  assert_ok(store, atesql_lock_release(store, "lock", "owner-1", NULL));
  expect_acquired(store, "lock", "owner-2", HELD_MS);
  assert_ok(store, atesql_lock_release(store, "lock", "owner-1", NULL));
  expect_refused(store, "lock", "owner-3", HELD_MS);
}

static void
test_release_by_non_holder_releases_nothing_and_lock_stays_held(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock", "owner-1", HELD_MS);
  expect_not_held(store, "lock", "owner-2");
  expect_refused(store, "lock", "owner-2", HELD_MS);
  expect_released(store, "lock", "owner-1");
}

static void test_release_of_free_lock_releases_nothing(void **state) {
  atesql_store *store = *state;
  expect_not_held(store, "no-such-lock", "owner-1");
  expect_acquired(store, "no-such-lock", "owner-2", HELD_MS);
}

static void test_release_of_expired_lock_releases_nothing(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock", "owner-1", SHORT_TTL_MS);
  sleep_ms(PAST_SHORT_TTL_MS);
  expect_not_held(store, "lock", "owner-1");
}

static void test_release_by_expired_holder_keeps_new_holder(void **state) {
  atesql_store *store = *state;
  expect_acquired(store, "lock", "owner-1", SHORT_TTL_MS);
  sleep_ms(PAST_SHORT_TTL_MS);
  expect_acquired(store, "lock", "owner-2", HELD_MS);
  expect_not_held(store, "lock", "owner-1");
  expect_refused(store, "lock", "owner-3", HELD_MS);
  expect_released(store, "lock", "owner-2");
}

static void test_lock_with_invalid_arguments_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  bool acquired = true;
  assert_status(store, atesql_lock_acquire(store, "", "owner", 1000, &acquired),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "key");
  assert_status(store, atesql_lock_acquire(store, "lock", "", 1000, &acquired),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "value");
  assert_status(store,
                atesql_lock_acquire(store, "lock", "owner", 0, &acquired),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "ttl");
  assert_status(store,
                atesql_lock_acquire(store, "lock", "owner", -5, &acquired),
                ATESQL_INVALID_ARGUMENT);
  assert_status(
      store, atesql_lock_acquire(store, "lock", "owner", INT64_MAX, &acquired),
      ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "ttl");
  assert_status(store,
                atesql_lock_acquire(store, "lock", "owner",
                                    ATESQL_LOCK_TTL_MAX_MS + 1, &acquired),
                ATESQL_INVALID_ARGUMENT);
  expect_acquired(store, "lock", "owner", HELD_MS);
  bool released = true;
  assert_status(store, atesql_lock_release(store, "", "owner", &released),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "key");
  assert_false(released);
  assert_status(store, atesql_lock_release(store, "lock", "", &released),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "value");
  expect_refused(store, "lock", "other", HELD_MS);
}

static void test_lock_held_on_one_handle_is_held_on_another(void **state) {
  atesql_store *store = *state;
  atesql_store *other = open_second_store();
  expect_acquired(store, "lock", "owner-1", HELD_MS);
  expect_refused(other, "lock", "owner-2", HELD_MS);
  expect_not_held(other, "lock", "owner-2");
  expect_released(other, "lock", "owner-1");
  expect_acquired(other, "lock", "owner-2", HELD_MS);
  atesql_store_close(other);
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_acquire_free_lock_succeeds),
    STORE_TEST(test_acquire_held_lock_by_other_owner_fails),
    STORE_TEST(test_acquire_held_lock_by_same_owner_fails),
    STORE_TEST(test_locks_with_different_keys_are_independent),
    STORE_TEST(test_expired_lock_can_be_acquired_by_another_owner),
    STORE_TEST(test_expired_lock_can_be_acquired_again_by_its_owner),
    STORE_TEST(test_unexpired_lock_stays_held),
    STORE_TEST(test_release_by_holder_frees_the_lock),
    STORE_TEST(test_release_without_released_frees_the_lock),
    STORE_TEST(test_release_by_non_holder_releases_nothing_and_lock_stays_held),
    STORE_TEST(test_release_of_free_lock_releases_nothing),
    STORE_TEST(test_release_of_expired_lock_releases_nothing),
    STORE_TEST(test_release_by_expired_holder_keeps_new_holder),
    STORE_TEST(test_lock_with_invalid_arguments_is_invalid_argument),
    STORE_TEST(test_lock_held_on_one_handle_is_held_on_another),
};

const struct CMUnitTest *lock_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
