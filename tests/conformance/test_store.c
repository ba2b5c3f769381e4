/*
** The store handle itself: opening by URL and its errors, the dialect it
** reports, the migration status of the database under test, the error
** message of a fresh handle, and clear-all.
*/
#include "conformance.h"

/* Opening `url` must fail with INVALID_ARGUMENT, *out NULL and a message. */
static void expect_open_rejects(const char *url) {
  atesql_store *store = (atesql_store *)&store;
  atesql_error err = {0};
  atesql_status st = atesql_store_open(url, &store, &err);
  if (st != ATESQL_INVALID_ARGUMENT)
    fail_msg("open '%s' returned %s, want INVALID_ARGUMENT (%s)", url,
             atesql_status_str(st), err.message);
  assert_null(store);
  assert_int_equal(err.status, ATESQL_INVALID_ARGUMENT);
  assert_true(err.message[0] != '\0');
}

static void test_open_with_unknown_scheme_is_invalid_argument(void **state) {
  (void)state;
  expect_open_rejects("nosuchscheme:x");
}

static void
test_open_sqlite_url_without_path_is_invalid_argument(void **state) {
  (void)state;
  expect_open_rejects("sqlite:");
}

static void test_store_dialect_matches_url(void **state) {
  atesql_store *store = *state;
  atesql_dialect want = strncmp(conformance_url, "sqlite:", 7) == 0
                            ? ATESQL_DIALECT_SQLITE
                            : ATESQL_DIALECT_POSTGRES;
  assert_int_equal(atesql_store_dialect(store), want);
}

static void test_errmsg_of_fresh_handle_is_empty(void **state) {
  (void)state;
  atesql_store *fresh = open_second_store();
  assert_string_equal(atesql_errmsg(fresh), "");
  atesql_store_close(fresh);
}

static void test_close_of_null_is_a_no_op(void **state) {
  (void)state;
  atesql_store_close(NULL);
}

static void test_migrate_status_reports_every_migration_applied(void **state) {
  (void)state;
  atesql_migration_list *list = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_migrate_status(conformance_url, &list, &err);
  if (st != ATESQL_OK)
    fail_msg("migrate status: %s: %s", atesql_status_str(st), err.message);
  assert_int_equal(list->count, atesql_schema_version());
  for (size_t i = 0; i < list->count; i++) {
    assert_int_equal(list->items[i].version, (int64_t)i + 1);
    assert_true(list->items[i].applied);
    assert_true(list->items[i].name[0] != '\0');
    assert_true(list->items[i].applied_at[0] != '\0');
    assert_int_equal(strlen(list->items[i].checksum), 64);
  }
  atesql_migration_list_free(list);
}

static void test_migrate_up_again_applies_nothing(void **state) {
  (void)state;
  atesql_migration_list *applied = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_migrate_up(conformance_url, &applied, &err);
  if (st != ATESQL_OK)
    fail_msg("migrate up: %s: %s", atesql_status_str(st), err.message);
  assert_non_null(applied);
  assert_int_equal(applied->count, 0);
  atesql_migration_list_free(applied);
}

static void test_clear_removes_every_record_and_lock(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  create_atespace(store, "empty-space");
  create_worker(store, "ns", "pool", "pod");
  bool acquired = false;
  assert_ok(store,
            atesql_lock_acquire(store, "lock", "owner-1", 60000, &acquired));
  assert_true(acquired);

  assert_ok(store, atesql_store_clear(store));

  atesql_list_opts opts = {0};
  int64_t count = -1;
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  assert_int_equal(count, 0);
  assert_ok(store, atesql_actor_count(store, &opts, &count));
  assert_int_equal(count, 0);
  atesql_atespace_page *page = NULL;
  assert_ok(store, atesql_atespace_list(store, &opts, &page));
  assert_int_equal(page->count, 0);
  atesql_atespace_page_free(page);
  assert_ok(store,
            atesql_lock_acquire(store, "lock", "owner-2", 60000, &acquired));
  assert_true(acquired);
}

static void test_store_is_usable_after_clear(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns", "pool", "pod");
  assert_ok(store, atesql_store_clear(store));
  create_worker(store, "ns", "pool", "pod");
  atesql_worker *w = get_worker(store, "ns", "pool", "pod");
  assert_int_equal(w->version, 1);
  atesql_worker_free(w);
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_open_with_unknown_scheme_is_invalid_argument),
    STORE_TEST(test_open_sqlite_url_without_path_is_invalid_argument),
    STORE_TEST(test_store_dialect_matches_url),
    STORE_TEST(test_errmsg_of_fresh_handle_is_empty),
    STORE_TEST(test_close_of_null_is_a_no_op),
    STORE_TEST(test_migrate_status_reports_every_migration_applied),
    STORE_TEST(test_migrate_up_again_applies_nothing),
    STORE_TEST(test_clear_removes_every_record_and_lock),
    STORE_TEST(test_store_is_usable_after_clear),
};

const struct CMUnitTest *store_handle_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
