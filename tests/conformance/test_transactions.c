/*
** Transactions: the calls between begin and commit take effect together,
** after rollback not at all; they are invisible to other handles until
** commit; begin does not nest and commit/rollback need a transaction.
*/
#include "conformance.h"

static int64_t count_workers(atesql_store *store) {
  atesql_list_opts opts = {0};
  int64_t count = -1;
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  return count;
}

static void test_commit_makes_every_write_visible(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "existing");
  assert_ok(store, atesql_tx_begin(store));
  create_worker(store, "ns", "pool", "p1");
  create_worker(store, "ns", "pool", "p2");
  create_actor(store, "space", "a1");
  atesql_worker w = make_worker("ns", "pool", "existing");
  w.actor_id = "a1";
  assert_ok(store, atesql_worker_update(store, &w, 1, NULL));
  assert_ok(store, atesql_tx_commit(store));

  atesql_store *other = open_second_store();
  assert_int_equal(count_workers(other), 3);
  atesql_actor_free(get_actor(other, "space", "a1"));
  atesql_worker *got = get_worker(other, "ns", "pool", "existing");
  assert_string_equal(got->actor_id, "a1");
  assert_int_equal(got->version, 2);
  atesql_worker_free(got);
  atesql_store_close(other);
}

static void test_rollback_discards_every_write(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "existing");
  assert_ok(store, atesql_tx_begin(store));
  create_worker(store, "ns", "pool", "p1");
  create_actor(store, "space", "a1");
  atesql_worker w = make_worker("ns", "pool", "existing");
  w.actor_id = "a1";
  assert_ok(store, atesql_worker_update(store, &w, 1, NULL));
  assert_ok(store, atesql_worker_delete(store, "ns", "pool", "existing"));
  bool acquired = false;
  assert_ok(store,
            atesql_lock_acquire(store, "lock", "owner-1", 60000, &acquired));
  assert_ok(store, atesql_tx_rollback(store));

  assert_int_equal(count_workers(store), 1);
  atesql_worker *got = get_worker(store, "ns", "pool", "existing");
  assert_string_equal(got->actor_id, "");
  assert_int_equal(got->version, 1);
  atesql_worker_free(got);
  bool exists = true;
  assert_ok(store, atesql_atespace_exists(store, "space", &exists));
  assert_false(exists);
  assert_ok(store,
            atesql_lock_acquire(store, "lock", "owner-2", 60000, &acquired));
  assert_true(acquired);
}

static void test_reads_inside_transaction_see_its_writes(void **state) {
  atesql_store *store = *state;
  assert_ok(store, atesql_tx_begin(store));
  create_worker(store, "ns", "pool", "p1");
  atesql_worker_free(get_worker(store, "ns", "pool", "p1"));
  assert_int_equal(count_workers(store), 1);
  atesql_list_opts opts = {0};
  key_list keys = list_all_workers(store, &opts);
  assert_int_equal(keys.count, 1);
  key_list_free(&keys);
  assert_ok(store, atesql_tx_rollback(store));
  assert_int_equal(count_workers(store), 0);
}

static void
test_uncommitted_writes_are_invisible_to_other_handles(void **state) {
  atesql_store *store = *state;
  atesql_store *other = open_second_store();
  assert_ok(store, atesql_tx_begin(store));
  create_worker(store, "ns", "pool", "p1");
  atesql_worker *got = NULL;
  assert_status(other, atesql_worker_get(other, "ns", "pool", "p1", &got),
                ATESQL_NOT_FOUND);
  assert_ok(store, atesql_tx_commit(store));
  atesql_worker_free(get_worker(other, "ns", "pool", "p1"));
  atesql_store_close(other);
}

static void test_begin_inside_transaction_is_failed_precondition(void **state) {
  atesql_store *store = *state;
  assert_ok(store, atesql_tx_begin(store));
  create_worker(store, "ns", "pool", "p1");
  assert_status(store, atesql_tx_begin(store), ATESQL_FAILED_PRECONDITION);
  assert_errmsg_names(store, "transaction");
  assert_ok(store, atesql_tx_rollback(store));
  assert_int_equal(count_workers(store), 0);
}

static void
test_commit_outside_transaction_is_failed_precondition(void **state) {
  atesql_store *store = *state;
  assert_status(store, atesql_tx_commit(store), ATESQL_FAILED_PRECONDITION);
  assert_errmsg_names(store, "transaction");
  assert_ok(store, atesql_tx_begin(store));
  assert_ok(store, atesql_tx_commit(store));
  assert_status(store, atesql_tx_commit(store), ATESQL_FAILED_PRECONDITION);
}

static void
test_rollback_outside_transaction_is_failed_precondition(void **state) {
  atesql_store *store = *state;
  assert_status(store, atesql_tx_rollback(store), ATESQL_FAILED_PRECONDITION);
  assert_errmsg_names(store, "transaction");
  assert_ok(store, atesql_tx_begin(store));
  assert_ok(store, atesql_tx_rollback(store));
  assert_status(store, atesql_tx_rollback(store), ATESQL_FAILED_PRECONDITION);
}

static void
test_rollback_after_failed_call_discards_earlier_writes(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "existing");
  assert_ok(store, atesql_tx_begin(store));
  create_worker(store, "ns", "pool", "p1");
  atesql_worker dup = make_worker("ns", "pool", "existing");
  assert_status(store, atesql_worker_create(store, &dup),
                ATESQL_ALREADY_EXISTS);
  assert_ok(store, atesql_tx_rollback(store));
  assert_int_equal(count_workers(store), 1);
  atesql_worker *got = NULL;
  assert_status(store, atesql_worker_get(store, "ns", "pool", "p1", &got),
                ATESQL_NOT_FOUND);
}

/* A transaction fails as a whole, the same on both backends: after a
** statement in it failed, later calls and the commit are refused until
** rollback, and nothing of it is written. */
static void
test_failed_statement_stops_the_transaction_until_rollback(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "existing");
  assert_ok(store, atesql_tx_begin(store));
  create_worker(store, "ns", "pool", "p1");
  atesql_worker dup = make_worker("ns", "pool", "existing");
  assert_status(store, atesql_worker_create(store, &dup),
                ATESQL_ALREADY_EXISTS);
  atesql_worker p2 = make_worker("ns", "pool", "p2");
  assert_status(store, atesql_worker_create(store, &p2),
                ATESQL_FAILED_PRECONDITION);
  assert_errmsg_names(store, "roll it back");
  assert_errmsg_names(store, "already exists");
  assert_ok(store, atesql_tx_rollback(store));
  assert_int_equal(count_workers(store), 1);
  /* The handle goes on. */
  create_worker(store, "ns", "pool", "p2");
  assert_int_equal(count_workers(store), 2);
}

static void test_commit_after_a_failed_statement_writes_nothing(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "existing");
  assert_ok(store, atesql_tx_begin(store));
  create_worker(store, "ns", "pool", "p1");
  atesql_worker dup = make_worker("ns", "pool", "existing");
  assert_status(store, atesql_worker_create(store, &dup),
                ATESQL_ALREADY_EXISTS);
  assert_status(store, atesql_tx_commit(store), ATESQL_FAILED_PRECONDITION);
  assert_int_equal(count_workers(store), 1);
  /* The failed commit ended the transaction. */
  assert_status(store, atesql_tx_rollback(store), ATESQL_FAILED_PRECONDITION);
}

/* Checks that fail before a statement runs (bad input) do not stop it. */
static void test_invalid_argument_leaves_the_transaction_usable(void **state) {
  atesql_store *store = *state;
  assert_ok(store, atesql_tx_begin(store));
  atesql_worker bad = make_worker("ns", "", "pod");
  assert_status(store, atesql_worker_create(store, &bad),
                ATESQL_INVALID_ARGUMENT);
  create_worker(store, "ns", "pool", "p1");
  assert_ok(store, atesql_tx_commit(store));
  assert_int_equal(count_workers(store), 1);
}

static void test_transactions_can_follow_one_another(void **state) {
  atesql_store *store = *state;
  assert_ok(store, atesql_tx_begin(store));
  create_worker(store, "ns", "pool", "p1");
  assert_ok(store, atesql_tx_commit(store));
  assert_ok(store, atesql_tx_begin(store));
  create_worker(store, "ns", "pool", "p2");
  assert_ok(store, atesql_tx_rollback(store));
  assert_ok(store, atesql_tx_begin(store));
  create_worker(store, "ns", "pool", "p3");
  assert_ok(store, atesql_tx_commit(store));
  atesql_list_opts opts = {0};
  key_list keys = list_all_workers(store, &opts);
  char *got = key_list_join(&keys);
  assert_string_equal(got, "ns/pool/p1,ns/pool/p3");
  free(got);
  key_list_free(&keys);
}

static void
test_closing_handle_in_transaction_discards_its_writes(void **state) {
  atesql_store *store = *state;
  atesql_store *other = open_second_store();
  assert_ok(other, atesql_tx_begin(other));
  create_worker(other, "ns", "pool", "p1");
  atesql_store_close(other);
  assert_int_equal(count_workers(store), 0);
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_commit_makes_every_write_visible),
    STORE_TEST(test_rollback_discards_every_write),
    STORE_TEST(test_reads_inside_transaction_see_its_writes),
    STORE_TEST(test_uncommitted_writes_are_invisible_to_other_handles),
    STORE_TEST(test_begin_inside_transaction_is_failed_precondition),
    STORE_TEST(test_commit_outside_transaction_is_failed_precondition),
    STORE_TEST(test_rollback_outside_transaction_is_failed_precondition),
    STORE_TEST(test_rollback_after_failed_call_discards_earlier_writes),
    STORE_TEST(test_transactions_can_follow_one_another),
    STORE_TEST(test_failed_statement_stops_the_transaction_until_rollback),
    STORE_TEST(test_commit_after_a_failed_statement_writes_nothing),
    STORE_TEST(test_invalid_argument_leaves_the_transaction_usable),
    STORE_TEST(test_closing_handle_in_transaction_discards_its_writes),
};

const struct CMUnitTest *transaction_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
