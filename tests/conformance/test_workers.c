/*
** Workers: create with version 1, get, update with an expected version and
** an immutable ip, idempotent delete, count, and keys and fields read back
** exactly as written.
*/
#include "conformance.h"

/* A worker with every field set, several of them hard to round-trip. */
static atesql_worker make_full_worker(const char *ns, const char *pool,
                                      const char *pod) {
  atesql_worker w = make_worker(ns, pool, pod);
  w.actor_namespace = "ns \"quoted\"";
  w.actor_template = "tmpl\\back";
  w.actor_id = "actor-\xe2\x9c\x93";
  w.actor_atespace = "space 'one'";
  w.ip = "fd00::1:2";
  w.worker_pod_uid = "uid-1234";
  w.node_name = "n\xc3\xb6"
                "de-1";
  return w;
}

static void
test_create_worker_sets_version_one_ignoring_input_version(void **state) {
  atesql_store *store = *state;
  atesql_worker w = make_worker("ns", "pool", "pod");
  w.version = 17;
  assert_ok(store, atesql_worker_create(store, &w));
  atesql_worker *got = get_worker(store, "ns", "pool", "pod");
  assert_int_equal(got->version, 1);
  atesql_worker_free(got);
}

static void test_worker_round_trips_every_field(void **state) {
  atesql_store *store = *state;
  atesql_worker w = make_full_worker("ns", "pool", "pod");
  assert_ok(store, atesql_worker_create(store, &w));
  atesql_worker *got = get_worker(store, "ns", "pool", "pod");
  assert_worker_fields_equal(got, &w);
  atesql_worker_free(got);
}

static void test_worker_listed_has_every_field(void **state) {
  atesql_store *store = *state;
  atesql_worker w = make_full_worker("ns", "pool", "pod");
  assert_ok(store, atesql_worker_create(store, &w));
  atesql_list_opts opts = {0};
  atesql_worker_page *page = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_int_equal(page->count, 1);
  assert_worker_fields_equal(&page->items[0], &w);
  assert_int_equal(page->items[0].version, 1);
  atesql_worker_page_free(page);
}

static void test_worker_with_invalid_utf8_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "pod-1");
  atesql_worker bad_key = make_worker("ns", "pool", "pod-\xff");
  assert_status(store, atesql_worker_create(store, &bad_key),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "UTF-8");
  atesql_worker bad_field = make_worker("ns", "pool", "pod-2");
  bad_field.node_name = "node-\xc3\x28";
  assert_status(store, atesql_worker_create(store, &bad_field),
                ATESQL_INVALID_ARGUMENT);
  atesql_worker update = make_worker("ns", "pool", "pod-1");
  update.actor_id = "\x80";
  assert_status(store, atesql_worker_update(store, &update, 1, NULL),
                ATESQL_INVALID_ARGUMENT);
  atesql_list_opts opts = {0};
  key_list all = list_all_workers(store, &opts);
  char *got = key_list_join(&all);
  assert_string_equal(got, "ns/pool/pod-1");
  free(got);
  key_list_free(&all);
  atesql_worker *w = get_worker(store, "ns", "pool", "pod-1");
  assert_int_equal(w->version, 1);
  atesql_worker_free(w);
}

static void test_null_worker_strings_read_as_empty(void **state) {
  atesql_store *store = *state;
  atesql_worker w = {0};
  w.worker_namespace = "ns";
  w.worker_pool = "pool";
  w.worker_pod = "pod";
  assert_ok(store, atesql_worker_create(store, &w));
  atesql_worker *got = get_worker(store, "ns", "pool", "pod");
  atesql_worker want = make_worker("ns", "pool", "pod");
  want.ip = "";
  assert_worker_fields_equal(got, &want);
  atesql_worker_free(got);
}

static void test_hostile_strings_in_worker_keys_round_trip(void **state) {
  atesql_store *store = *state;
  static const char *const pods[] = {
      "x'); DROP TABLE workers;--", "a/b", "a\\b", "\"q\"", "p\xc3\xbc", "%_*",
  };
  size_t n = sizeof pods / sizeof pods[0];
  for (size_t i = 0; i < n; i++)
    create_worker(store, "ns", "pool", pods[i]);
  for (size_t i = 0; i < n; i++) {
    atesql_worker *got = get_worker(store, "ns", "pool", pods[i]);
    assert_string_equal(got->worker_pod, pods[i]);
    atesql_worker_free(got);
  }
  atesql_list_opts opts = {0};
  int64_t count = -1;
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  assert_int_equal(count, n);
}

static void test_workers_differing_in_one_key_part_are_distinct(void **state) {
  atesql_store *store = *state;
  create_worker(store, "a/b", "c", "d");
  create_worker(store, "a", "b/c", "d");
  create_worker(store, "a", "b", "c/d");
  create_worker(store, "a", "b", "c");
  create_worker(store, "b", "a", "c");
  atesql_worker *got = get_worker(store, "a", "b/c", "d");
  assert_string_equal(got->worker_namespace, "a");
  assert_string_equal(got->worker_pool, "b/c");
  atesql_worker_free(got);
  got = get_worker(store, "a", "b", "c/d");
  assert_string_equal(got->worker_pod, "c/d");
  atesql_worker_free(got);
  atesql_worker *missing = NULL;
  assert_status(store, atesql_worker_get(store, "a/b", "c/d", "c", &missing),
                ATESQL_NOT_FOUND);
  atesql_list_opts opts = {0};
  int64_t count = -1;
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  assert_int_equal(count, 5);
}

static void test_create_existing_worker_is_already_exists(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "pod-1");
  atesql_worker again = make_full_worker("ns", "pool", "pod-1");
  assert_status(store, atesql_worker_create(store, &again),
                ATESQL_ALREADY_EXISTS);
  assert_errmsg_names(store, "pod-1");
  atesql_worker *got = get_worker(store, "ns", "pool", "pod-1");
  atesql_worker want = make_worker("ns", "pool", "pod-1");
  assert_worker_fields_equal(got, &want);
  atesql_worker_free(got);
}

static void
test_create_worker_with_empty_key_part_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  atesql_worker no_ns = make_worker("", "pool", "pod");
  assert_status(store, atesql_worker_create(store, &no_ns),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "worker_namespace");
  atesql_worker no_pool = make_worker("ns", "", "pod");
  assert_status(store, atesql_worker_create(store, &no_pool),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "worker_pool");
  atesql_worker no_pod = make_worker("ns", "pool", "");
  assert_status(store, atesql_worker_create(store, &no_pod),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "worker_pod");
  atesql_worker null_pod = make_worker("ns", "pool", NULL);
  assert_status(store, atesql_worker_create(store, &null_pod),
                ATESQL_INVALID_ARGUMENT);
  atesql_list_opts opts = {0};
  int64_t count = -1;
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  assert_int_equal(count, 0);
}

static void test_get_missing_worker_is_not_found(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "pod-1");
  atesql_worker *got = NULL;
  assert_status(store, atesql_worker_get(store, "ns", "pool", "pod-2", &got),
                ATESQL_NOT_FOUND);
  assert_errmsg_names(store, "pod-2");
}

static void
test_update_worker_returns_next_version_and_stores_every_field(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "pod");
  atesql_worker claimed = make_full_worker("ns", "pool", "pod");
  claimed.ip = "10.0.0.1";
  int64_t new_version = 0;
  assert_ok(store, atesql_worker_update(store, &claimed, 1, &new_version));
  assert_int_equal(new_version, 2);
  atesql_worker *got = get_worker(store, "ns", "pool", "pod");
  assert_worker_fields_equal(got, &claimed);
  assert_int_equal(got->version, 2);
  atesql_worker_free(got);
}

static void test_update_worker_can_free_it_again(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "pod");
  atesql_worker w = make_worker("ns", "pool", "pod");
  w.actor_id = "a1";
  w.actor_atespace = "space";
  assert_ok(store, atesql_worker_update(store, &w, 1, NULL));
  w.actor_id = "";
  w.actor_atespace = "";
  int64_t new_version = 0;
  assert_ok(store, atesql_worker_update(store, &w, 2, &new_version));
  assert_int_equal(new_version, 3);
  atesql_worker *got = get_worker(store, "ns", "pool", "pod");
  assert_worker_fields_equal(got, &w);
  atesql_worker_free(got);
}

static void test_update_worker_ignores_input_version_field(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "pod");
  atesql_worker w = make_worker("ns", "pool", "pod");
  w.version = 5;
  w.node_name = "n1";
  int64_t new_version = 0;
  assert_ok(store, atesql_worker_update(store, &w, 1, &new_version));
  assert_int_equal(new_version, 2);
}

static void test_update_worker_with_stale_version_is_conflict(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "pod");
  atesql_worker w = make_worker("ns", "pool", "pod");
  w.node_name = "n1";
  assert_ok(store, atesql_worker_update(store, &w, 1, NULL));
  atesql_worker stale = make_worker("ns", "pool", "pod");
  stale.actor_id = "a1";
  assert_status(store, atesql_worker_update(store, &stale, 1, NULL),
                ATESQL_CONFLICT);
  assert_errmsg_names(store, "version");
  assert_status(store, atesql_worker_update(store, &stale, 0, NULL),
                ATESQL_CONFLICT);
  assert_status(store, atesql_worker_update(store, &stale, 3, NULL),
                ATESQL_CONFLICT);
  atesql_worker *got = get_worker(store, "ns", "pool", "pod");
  assert_worker_fields_equal(got, &w);
  assert_int_equal(got->version, 2);
  atesql_worker_free(got);
}

static void test_update_missing_worker_is_not_found(void **state) {
  atesql_store *store = *state;
  atesql_worker w = make_worker("ns", "pool", "no-such-pod");
  assert_status(store, atesql_worker_update(store, &w, 1, NULL),
                ATESQL_NOT_FOUND);
  assert_errmsg_names(store, "no-such-pod");
  atesql_worker *got = NULL;
  assert_status(store,
                atesql_worker_get(store, "ns", "pool", "no-such-pod", &got),
                ATESQL_NOT_FOUND);
}

static void test_update_worker_ip_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "pod");
  atesql_worker w = make_worker("ns", "pool", "pod");
  w.ip = "10.9.9.9";
  w.actor_id = "a1";
  assert_status(store, atesql_worker_update(store, &w, 1, NULL),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "ip");
  atesql_worker *got = get_worker(store, "ns", "pool", "pod");
  atesql_worker want = make_worker("ns", "pool", "pod");
  assert_worker_fields_equal(got, &want);
  assert_int_equal(got->version, 1);
  atesql_worker_free(got);
}

static void test_delete_worker_removes_it(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "pod-1");
  create_worker(store, "ns", "pool", "pod-2");
  assert_ok(store, atesql_worker_delete(store, "ns", "pool", "pod-1"));
  atesql_worker *got = NULL;
  assert_status(store, atesql_worker_get(store, "ns", "pool", "pod-1", &got),
                ATESQL_NOT_FOUND);
  atesql_worker_free(get_worker(store, "ns", "pool", "pod-2"));
}

static void test_delete_missing_worker_is_ok(void **state) {
  atesql_store *store = *state;
  assert_ok(store, atesql_worker_delete(store, "ns", "pool", "no-such-pod"));
  create_worker(store, "ns", "pool", "pod");
  assert_ok(store, atesql_worker_delete(store, "ns", "pool", "pod"));
  assert_ok(store, atesql_worker_delete(store, "ns", "pool", "pod"));
}

static void
test_deleted_worker_can_be_created_again_at_version_one(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "pod");
  atesql_worker w = make_worker("ns", "pool", "pod");
  assert_ok(store, atesql_worker_update(store, &w, 1, NULL));
  assert_ok(store, atesql_worker_delete(store, "ns", "pool", "pod"));
  create_worker(store, "ns", "pool", "pod");
  atesql_worker *got = get_worker(store, "ns", "pool", "pod");
  assert_int_equal(got->version, 1);
  atesql_worker_free(got);
}

static void test_count_workers_counts_every_worker(void **state) {
  atesql_store *store = *state;
  atesql_list_opts opts = {0};
  int64_t count = -1;
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  assert_int_equal(count, 0);
  create_worker(store, "ns", "pool", "pod-1");
  create_worker(store, "ns", "pool", "pod-2");
  create_worker(store, "ns-2", "pool", "pod-1");
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  assert_int_equal(count, 3);
  assert_ok(store, atesql_worker_delete(store, "ns", "pool", "pod-2"));
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  assert_int_equal(count, 2);
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_create_worker_sets_version_one_ignoring_input_version),
    STORE_TEST(test_worker_round_trips_every_field),
    STORE_TEST(test_worker_listed_has_every_field),
    STORE_TEST(test_worker_with_invalid_utf8_is_invalid_argument),
    STORE_TEST(test_null_worker_strings_read_as_empty),
    STORE_TEST(test_hostile_strings_in_worker_keys_round_trip),
    STORE_TEST(test_workers_differing_in_one_key_part_are_distinct),
    STORE_TEST(test_create_existing_worker_is_already_exists),
    STORE_TEST(test_create_worker_with_empty_key_part_is_invalid_argument),
    STORE_TEST(test_get_missing_worker_is_not_found),
    STORE_TEST(test_update_worker_returns_next_version_and_stores_every_field),
    STORE_TEST(test_update_worker_can_free_it_again),
    STORE_TEST(test_update_worker_ignores_input_version_field),
    STORE_TEST(test_update_worker_with_stale_version_is_conflict),
    STORE_TEST(test_update_missing_worker_is_not_found),
    STORE_TEST(test_update_worker_ip_is_invalid_argument),
    STORE_TEST(test_delete_worker_removes_it),
    STORE_TEST(test_delete_missing_worker_is_ok),
    STORE_TEST(test_deleted_worker_can_be_created_again_at_version_one),
    STORE_TEST(test_count_workers_counts_every_worker),
};

const struct CMUnitTest *worker_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
