/*
** Locks: named leases with an owner's value and a TTL on the database
** clock. Acquire takes a free or expired lock, never a held one (not even
** for its holder); renew extends and release frees the holder's live lock
** only, and each says whether it did: renewing or releasing a lock the
** caller does not hold is OK and writes nothing. Every acquisition gets a
** fencing token that grows per key across release, expiry and clear, and
** atesql_lock_check in a transaction fences the transaction's writes.
** TTLs here are short (50 ms) where expiry is the point, long (a
** minute) where it must not happen, and a second where a lock must
** outlive the next call and then expire. The store is cleared between tests
** but keeps its tokens, so tests compare tokens with each other.
*/
#include "conformance.h"

#include <time.h>
#include <unistd.h>

/* RENEWABLE_TTL_MS: long enough for the next call to come before it
** ends, even under a sanitizer on a loaded machine. */
enum {
  HELD_MS = 60000,
  SHORT_TTL_MS = 50,
  PAST_SHORT_TTL_MS = 250,
  RENEWABLE_TTL_MS = 1000,
  PAST_RENEWABLE_TTL_MS = 1300
};

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

/* Acquire must grant the lock; returns its token. */
static int64_t acquire_token(atesql_store *store, const char *key,
                             const char *value, int64_t ttl_ms) {
  bool acquired = false;
  int64_t token = -1;
  assert_ok(store, atesql_lock_acquire_token(store, key, value, ttl_ms,
                                             &acquired, &token));
  if (!acquired) fail_msg("acquire of '%s' by '%s' was refused", key, value);
  if (token < 1)
    fail_msg("acquire of '%s' reported token %lld", key, (long long)token);
  return token;
}

/* Renew must succeed and report whether it renewed; returns the token
** it reported (0 when it did not renew). */
static int64_t renew(atesql_store *store, const char *key, const char *value,
                     int64_t ttl_ms, bool want) {
  bool renewed = !want;
  int64_t token = -1;
  assert_ok(store,
            atesql_lock_renew(store, key, value, ttl_ms, &renewed, &token));
  if (renewed != want)
    fail_msg("renew of '%s' by '%s' reported %s, want %s", key, value,
             renewed ? "renewed" : "not held", want ? "renewed" : "not held");
  if (!want) assert_int_equal(token, 0);
  assert_string_equal(atesql_errmsg(store), "");
  return token;
}

/* The held lock `key` as atesql_lock_list_held reports it; fails when it
** is not listed. */
static atesql_lock_info listed_lock(atesql_store *store, const char *key,
                                    int64_t *now_ms) {
  atesql_lock_list *list = NULL;
  assert_ok(store, atesql_lock_list_held(store, &list));
  for (size_t i = 0; i < list->count; i++) {
    if (strcmp(list->items[i].key, key) != 0) continue;
    atesql_lock_info info = list->items[i];
    info.key = info.value = NULL; /* they die with the list */
    if (now_ms) *now_ms = list->now_ms;
    atesql_lock_list_free(list);
    return info;
  }
  atesql_lock_list_free(list);
  fail_msg("lock '%s' is not listed as held", key);
  return (atesql_lock_info){0};
}

/* A key no run of the suite has locked before (the database may be
** shared by runs, and keeps each key's token). */
static const char *unused_key(char *buf, size_t size) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  snprintf(buf, size, "fresh-%ld-%lld-%ld", (long)getpid(), (long long)t.tv_sec,
           t.tv_nsec);
  return buf;
}

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

/* ---- fencing tokens ---- */

static void test_first_acquisition_of_a_key_gets_token_1(void **state) {
  atesql_store *store = *state;
  char key[96];
  assert_int_equal(
      acquire_token(store, unused_key(key, sizeof key), "owner-1", HELD_MS), 1);
}

static void test_refused_acquire_reports_token_0(void **state) {
  atesql_store *store = *state;
  acquire_token(store, "lock", "owner-1", HELD_MS);
  bool acquired = true;
  int64_t token = -1;
  assert_ok(store, atesql_lock_acquire_token(store, "lock", "owner-2", HELD_MS,
                                             &acquired, &token));
  assert_false(acquired);
  assert_int_equal(token, 0);
}

static void test_token_grows_across_release_expiry_and_reacquire(void **state) {
  atesql_store *store = *state;
  int64_t t1 = acquire_token(store, "lock", "owner-1", HELD_MS);
  expect_released(store, "lock", "owner-1");
  int64_t t2 = acquire_token(store, "lock", "owner-2", SHORT_TTL_MS);
  assert_int_equal(t2, t1 + 1);
  sleep_ms(PAST_SHORT_TTL_MS);
  int64_t t3 = acquire_token(store, "lock", "owner-3", SHORT_TTL_MS);
  assert_int_equal(t3, t2 + 1);
  sleep_ms(PAST_SHORT_TTL_MS);
  int64_t t4 = acquire_token(store, "lock", "owner-3", HELD_MS);
  assert_int_equal(t4, t3 + 1);
  expect_refused(store, "lock", "owner-1", HELD_MS);
  expect_released(store, "lock", "owner-3");
  assert_int_equal(acquire_token(store, "lock", "owner-1", HELD_MS), t4 + 1);
}

static void test_tokens_of_different_keys_are_independent(void **state) {
  atesql_store *store = *state;
  char a[96], b[112];
  unused_key(a, sizeof a);
  snprintf(b, sizeof b, "%s-b", a);
  assert_int_equal(acquire_token(store, a, "owner-1", SHORT_TTL_MS), 1);
  sleep_ms(PAST_SHORT_TTL_MS);
  assert_int_equal(acquire_token(store, a, "owner-1", HELD_MS), 2);
  assert_int_equal(acquire_token(store, b, "owner-1", HELD_MS), 1);
}

static void test_token_grows_across_store_clear(void **state) {
  atesql_store *store = *state;
  int64_t t1 = acquire_token(store, "lock", "owner-1", HELD_MS);
  assert_ok(store, atesql_store_clear(store));
  assert_int_equal(acquire_token(store, "lock", "owner-2", HELD_MS), t1 + 1);
}

/* ---- renewal ---- */

static void test_renew_by_holder_extends_the_lock(void **state) {
  atesql_store *store = *state;
  int64_t token = acquire_token(store, "lock", "owner-1", RENEWABLE_TTL_MS);
  assert_int_equal(renew(store, "lock", "owner-1", HELD_MS, true), token);
  sleep_ms(PAST_RENEWABLE_TTL_MS);
  expect_refused(store, "lock", "owner-2", HELD_MS);
  assert_ok(store, atesql_lock_check(store, "lock", "owner-1", token));
  int64_t now = 0;
  atesql_lock_info held = listed_lock(store, "lock", &now);
  assert_true(held.expires_at_ms > now + HELD_MS - 10000);
  assert_int_equal(held.token, token);
  expect_released(store, "lock", "owner-1");
}

static void test_renew_by_non_holder_writes_nothing(void **state) {
  atesql_store *store = *state;
  int64_t token = acquire_token(store, "lock", "owner-1", HELD_MS);
  atesql_lock_info before = listed_lock(store, "lock", NULL);
  renew(store, "lock", "owner-2", ATESQL_LOCK_TTL_MAX_MS, false);
  atesql_lock_info after = listed_lock(store, "lock", NULL);
  assert_int_equal(after.expires_at_ms, before.expires_at_ms);
  assert_int_equal(after.token, token);
  expect_refused(store, "lock", "owner-2", HELD_MS);
  expect_released(store, "lock", "owner-1");
}

static void test_renew_of_expired_lock_writes_nothing(void **state) {
  atesql_store *store = *state;
  int64_t token = acquire_token(store, "lock", "owner-1", SHORT_TTL_MS);
  sleep_ms(PAST_SHORT_TTL_MS);
  renew(store, "lock", "owner-1", HELD_MS, false);
  atesql_lock_list *list = NULL;
  assert_ok(store, atesql_lock_list_held(store, &list));
  assert_int_equal(list->count, 0);
  atesql_lock_list_free(list);
  assert_int_equal(acquire_token(store, "lock", "owner-2", HELD_MS), token + 1);
}

static void test_renew_of_free_or_released_lock_writes_nothing(void **state) {
  atesql_store *store = *state;
  renew(store, "no-such-lock", "owner-1", HELD_MS, false);
  acquire_token(store, "lock", "owner-1", HELD_MS);
  expect_released(store, "lock", "owner-1");
  renew(store, "lock", "owner-1", HELD_MS, false);
  expect_acquired(store, "lock", "owner-2", HELD_MS);
}

/* ---- checks and fenced writes ---- */

static void test_check_by_holder_with_its_token_is_ok(void **state) {
  atesql_store *store = *state;
  int64_t token = acquire_token(store, "lock", "owner-1", HELD_MS);
  assert_ok(store, atesql_lock_check(store, "lock", "owner-1", token));
  assert_string_equal(atesql_errmsg(store), "");
}

static void test_check_of_a_lock_not_held_is_failed_precondition(void **state) {
  atesql_store *store = *state;
  assert_status(store, atesql_lock_check(store, "no-such-lock", "owner-1", 1),
                ATESQL_FAILED_PRECONDITION);
  assert_errmsg_names(store, "not held");
  int64_t token = acquire_token(store, "lock", "owner-1", SHORT_TTL_MS);
  sleep_ms(PAST_SHORT_TTL_MS);
  assert_status(store, atesql_lock_check(store, "lock", "owner-1", token),
                ATESQL_FAILED_PRECONDITION);
  assert_errmsg_names(store, "expired");
  token = acquire_token(store, "lock", "owner-1", HELD_MS);
  expect_released(store, "lock", "owner-1");
  assert_status(store, atesql_lock_check(store, "lock", "owner-1", token),
                ATESQL_FAILED_PRECONDITION);
}

static void test_check_with_a_stale_token_is_failed_precondition(void **state) {
  atesql_store *store = *state;
  int64_t old = acquire_token(store, "lock", "owner-1", SHORT_TTL_MS);
  sleep_ms(PAST_SHORT_TTL_MS);
  int64_t other = acquire_token(store, "lock", "owner-2", SHORT_TTL_MS);
  assert_status(store, atesql_lock_check(store, "lock", "owner-1", old),
                ATESQL_FAILED_PRECONDITION);
  assert_errmsg_names(store, "another owner");
  sleep_ms(PAST_SHORT_TTL_MS);
  /* The same value again: only the token tells the holders apart. */
  int64_t again = acquire_token(store, "lock", "owner-2", HELD_MS);
  assert_true(again > other);
  assert_status(store, atesql_lock_check(store, "lock", "owner-2", other),
                ATESQL_FAILED_PRECONDITION);
  assert_errmsg_names(store, "acquired again");
  assert_ok(store, atesql_lock_check(store, "lock", "owner-2", again));
}

/* Move worker ns/pool/w to node `node` in a transaction fenced by the
** lock: the documented check-then-write (lock.h). Returns the status of
** the first call that failed, after rolling back; OK once committed. */
static atesql_status fenced_move(atesql_store *store, const char *value,
                                 int64_t token, const char *node) {
  atesql_status st = atesql_tx_begin(store);
  if (st != ATESQL_OK) return st;
  st = atesql_lock_check(store, "lock", value, token);
  if (st == ATESQL_OK) {
    atesql_worker *w = NULL;
    st = atesql_worker_get(store, "ns", "pool", "w", &w);
    if (st == ATESQL_OK) {
      atesql_worker moved = *w;
      moved.node_name = node;
      st = atesql_worker_update(store, &moved, w->version, NULL);
    }
    atesql_worker_free(w);
  }
  if (st == ATESQL_OK) return atesql_tx_commit(store);
  char why[ATESQL_ERROR_MESSAGE_MAX];
  snprintf(why, sizeof why, "%s", atesql_errmsg(store));
  assert_ok(store, atesql_tx_rollback(store));
  if (st != ATESQL_FAILED_PRECONDITION)
    fail_msg("fenced write failed with %s: %s", atesql_status_str(st), why);
  return st;
}

static void
test_stale_holder_fenced_write_fails_and_writes_nothing(void **state) {
  atesql_store *store = *state;
  atesql_store *other = open_second_store();
  create_worker(store, "ns", "pool", "w");
  int64_t stale = acquire_token(store, "lock", "owner-1", SHORT_TTL_MS);
  sleep_ms(PAST_SHORT_TTL_MS);
  int64_t current = acquire_token(other, "lock", "owner-2", HELD_MS);
  assert_int_equal(fenced_move(other, "owner-2", current, "node-new"),
                   ATESQL_OK);
  assert_int_equal(fenced_move(store, "owner-1", stale, "node-stale"),
                   ATESQL_FAILED_PRECONDITION);
  atesql_worker *w = get_worker(store, "ns", "pool", "w");
  assert_string_equal(w->node_name, "node-new");
  assert_int_equal(w->version, 2);
  atesql_worker_free(w);
  atesql_store_close(other);
}

/* A check in a transaction holds the lock's key still: even once the
** lock expires, a new acquirer waits for the transaction's end, so the
** fenced write commits before any new holder exists. */
static void test_check_in_transaction_holds_off_a_new_acquirer(void **state) {
  atesql_store *store = *state;
  atesql_store *other = open_second_store();
  create_worker(store, "ns", "pool", "w");
  int64_t token = acquire_token(store, "lock", "owner-1", RENEWABLE_TTL_MS);
  assert_ok(store, atesql_tx_begin(store));
  assert_ok(store, atesql_lock_check(store, "lock", "owner-1", token));
  sleep_ms(PAST_RENEWABLE_TTL_MS);
  assert_ok(other, atesql_store_set_timeout(other, 200));
  bool acquired = true;
  assert_status(
      other, atesql_lock_acquire(other, "lock", "owner-2", HELD_MS, &acquired),
      ATESQL_DEADLINE_EXCEEDED);
  assert_false(acquired);
  atesql_worker w = make_worker("ns", "pool", "w");
  w.node_name = "fenced";
  assert_ok(store, atesql_worker_update(store, &w, 1, NULL));
  assert_ok(store, atesql_tx_commit(store));
  /* The acquire that timed out may still have run once the commit let it
  ** (PostgreSQL finishes an abandoned statement: DEADLINE_EXCEEDED means
  ** "may or may not have happened"). Either way the next holder gets the
  ** next token. */
  assert_ok(other, atesql_store_set_timeout(other, 0));
  int64_t next = 0;
  assert_ok(other, atesql_lock_acquire_token(other, "lock", "owner-2", HELD_MS,
                                             &acquired, &next));
  atesql_lock_list *list = NULL;
  assert_ok(other, atesql_lock_list_held(other, &list));
  assert_int_equal(list->count, 1);
  assert_string_equal(list->items[0].value, "owner-2");
  assert_int_equal(list->items[0].token, token + 1);
  if (acquired) assert_int_equal(next, token + 1);
  atesql_lock_list_free(list);
  atesql_store_close(other);
}

/* ---- listing ---- */

static void test_list_held_shows_only_live_locks_in_key_order(void **state) {
  atesql_store *store = *state;
  int64_t tb = acquire_token(store, "lock-b", "owner-b", HELD_MS);
  int64_t ta = acquire_token(store, "lock-a", "owner-a", HELD_MS);
  acquire_token(store, "lock-expired", "owner-1", SHORT_TTL_MS);
  acquire_token(store, "lock-released", "owner-1", HELD_MS);
  expect_released(store, "lock-released", "owner-1");
  sleep_ms(PAST_SHORT_TTL_MS);
  atesql_lock_list *list = NULL;
  assert_ok(store, atesql_lock_list_held(store, &list));
  assert_int_equal(list->count, 2);
  assert_string_equal(list->items[0].key, "lock-a");
  assert_string_equal(list->items[0].value, "owner-a");
  assert_int_equal(list->items[0].token, ta);
  assert_string_equal(list->items[1].key, "lock-b");
  assert_int_equal(list->items[1].token, tb);
  int64_t left = list->items[1].expires_at_ms - list->now_ms;
  assert_true(left > HELD_MS - 10000 && left <= HELD_MS);
  atesql_lock_list_free(list);
}

static void test_list_held_with_no_lock_is_empty(void **state) {
  atesql_store *store = *state;
  atesql_lock_list *list = NULL;
  assert_ok(store, atesql_lock_list_held(store, &list));
  assert_int_equal(list->count, 0);
  atesql_lock_list_free(list);
  assert_status(store, atesql_lock_list_held(store, NULL),
                ATESQL_INVALID_ARGUMENT);
}

static void
test_renew_and_check_with_invalid_arguments_are_invalid_argument(void **state) {
  atesql_store *store = *state;
  int64_t token = acquire_token(store, "lock", "owner", HELD_MS);
  bool renewed = true;
  assert_status(store,
                atesql_lock_renew(store, "", "owner", 1000, &renewed, NULL),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "key");
  assert_false(renewed);
  assert_status(store,
                atesql_lock_renew(store, "lock", "", 1000, &renewed, NULL),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "value");
  assert_status(store,
                atesql_lock_renew(store, "lock", "owner", 0, &renewed, NULL),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "ttl");
  assert_status(store,
                atesql_lock_renew(store, "lock", "owner",
                                  ATESQL_LOCK_TTL_MAX_MS + 1, &renewed, NULL),
                ATESQL_INVALID_ARGUMENT);
  assert_status(store,
                atesql_lock_renew(store, "lock", "owner", 1000, NULL, NULL),
                ATESQL_INVALID_ARGUMENT);
  assert_status(store, atesql_lock_check(store, "lock", "owner", 0),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "token");
  assert_status(store, atesql_lock_check(store, "", "owner", token),
                ATESQL_INVALID_ARGUMENT);
  assert_status(store, atesql_lock_check(store, "lock", "", token),
                ATESQL_INVALID_ARGUMENT);
  bool acquired = true;
  assert_status(
      store,
      atesql_lock_acquire_token(store, "lock", "owner", 0, &acquired, NULL),
      ATESQL_INVALID_ARGUMENT);
  /* Nothing above touched the lock. */
  assert_int_equal(listed_lock(store, "lock", NULL).token, token);
  assert_ok(store, atesql_lock_check(store, "lock", "owner", token));
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
    STORE_TEST(test_first_acquisition_of_a_key_gets_token_1),
    STORE_TEST(test_refused_acquire_reports_token_0),
    STORE_TEST(test_token_grows_across_release_expiry_and_reacquire),
    STORE_TEST(test_tokens_of_different_keys_are_independent),
    STORE_TEST(test_token_grows_across_store_clear),
    STORE_TEST(test_renew_by_holder_extends_the_lock),
    STORE_TEST(test_renew_by_non_holder_writes_nothing),
    STORE_TEST(test_renew_of_expired_lock_writes_nothing),
    STORE_TEST(test_renew_of_free_or_released_lock_writes_nothing),
    STORE_TEST(test_check_by_holder_with_its_token_is_ok),
    STORE_TEST(test_check_of_a_lock_not_held_is_failed_precondition),
    STORE_TEST(test_check_with_a_stale_token_is_failed_precondition),
    STORE_TEST(test_stale_holder_fenced_write_fails_and_writes_nothing),
    STORE_TEST(test_check_in_transaction_holds_off_a_new_acquirer),
    STORE_TEST(test_list_held_shows_only_live_locks_in_key_order),
    STORE_TEST(test_list_held_with_no_lock_is_empty),
    STORE_TEST(
        test_renew_and_check_with_invalid_arguments_are_invalid_argument),
};

const struct CMUnitTest *lock_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
