/*
** Atespaces: create, get, exists, delete with its rule about the actors an
** atespace holds, listing by name, and counts that agree with lists.
*/
#include "conformance.h"

static void test_created_atespace_can_be_read_back(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space-1");
  atesql_atespace *got = NULL;
  assert_ok(store, atesql_atespace_get(store, "space-1", &got));
  assert_string_equal(got->name, "space-1");
  atesql_atespace_free(got);
}

static void test_create_existing_atespace_is_already_exists(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space-1");
  atesql_atespace again = {"space-1"};
  assert_status(store, atesql_atespace_create(store, &again),
                ATESQL_ALREADY_EXISTS);
  assert_errmsg_names(store, "space-1");
}

static void
test_create_atespace_with_empty_name_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  atesql_atespace empty = {""};
  assert_status(store, atesql_atespace_create(store, &empty),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "name");
  atesql_atespace null_name = {NULL};
  assert_status(store, atesql_atespace_create(store, &null_name),
                ATESQL_INVALID_ARGUMENT);
  atesql_list_opts opts = {0};
  key_list all = list_all_atespaces(store, &opts);
  assert_int_equal(all.count, 0);
  key_list_free(&all);
}

static void test_get_missing_atespace_is_not_found(void **state) {
  atesql_store *store = *state;
  atesql_atespace *got = NULL;
  assert_status(store, atesql_atespace_get(store, "no-such-space", &got),
                ATESQL_NOT_FOUND);
  assert_errmsg_names(store, "no-such-space");
}

static void test_atespace_exists_reports_presence(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space-1");
  bool exists = false;
  assert_ok(store, atesql_atespace_exists(store, "space-1", &exists));
  assert_true(exists);
  exists = true;
  assert_ok(store, atesql_atespace_exists(store, "space-2", &exists));
  assert_false(exists);
}

static void test_delete_atespace_removes_it(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space-1");
  assert_ok(store, atesql_atespace_delete(store, "space-1"));
  bool exists = true;
  assert_ok(store, atesql_atespace_exists(store, "space-1", &exists));
  assert_false(exists);
  atesql_atespace *got = NULL;
  assert_status(store, atesql_atespace_get(store, "space-1", &got),
                ATESQL_NOT_FOUND);
}

static void test_delete_missing_atespace_is_not_found(void **state) {
  atesql_store *store = *state;
  assert_status(store, atesql_atespace_delete(store, "no-such-space"),
                ATESQL_NOT_FOUND);
  assert_errmsg_names(store, "no-such-space");
}

static void
test_delete_atespace_holding_actors_is_failed_precondition(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space-1", "a1");
  assert_status(store, atesql_atespace_delete(store, "space-1"),
                ATESQL_FAILED_PRECONDITION);
  assert_errmsg_names(store, "space-1");
  bool exists = false;
  assert_ok(store, atesql_atespace_exists(store, "space-1", &exists));
  assert_true(exists);
  atesql_actor_free(get_actor(store, "space-1", "a1"));
}

static void
test_delete_atespace_after_its_actors_are_gone_succeeds(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space-1", "a1");
  create_actor(store, "space-1", "a2");
  set_actor_status(store, "space-1", "a1", ATESQL_ACTOR_STATUS_SUSPENDED);
  set_actor_status(store, "space-1", "a2", ATESQL_ACTOR_STATUS_SUSPENDED);
  assert_ok(store, atesql_actor_delete(store, "space-1", "a1"));
  assert_status(store, atesql_atespace_delete(store, "space-1"),
                ATESQL_FAILED_PRECONDITION);
  assert_ok(store, atesql_actor_delete(store, "space-1", "a2"));
  assert_ok(store, atesql_atespace_delete(store, "space-1"));
  bool exists = true;
  assert_ok(store, atesql_atespace_exists(store, "space-1", &exists));
  assert_false(exists);
}

static void test_actors_of_other_atespaces_do_not_block_delete(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space-1");
  create_actor(store, "space-10", "a1");
  create_actor(store, "space-2", "a1");
  assert_ok(store, atesql_atespace_delete(store, "space-1"));
}

static void test_list_atespaces_returns_all_in_name_order(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "c");
  create_atespace(store, "a");
  create_atespace(store, "b10");
  create_atespace(store, "b");
  atesql_list_opts opts = {0};
  key_list all = list_all_atespaces(store, &opts);
  char *got = key_list_join(&all);
  assert_string_equal(got, "a,b,b10,c");
  free(got);
  key_list_free(&all);
}

/* The selector lists `want` (names joined by ","), and counts as many. */
static void expect_atespaces(atesql_store *store, const char *selector,
                             const char *want) {
  atesql_list_opts opts = {0};
  opts.selector_text = selector;
  key_list all = list_all_atespaces(store, &opts);
  char *got = key_list_join(&all);
  if (strcmp(got, want) != 0)
    fail_msg("atespaces '%s' listed '%s', want '%s'", selector, got, want);
  int64_t count = -1;
  assert_ok(store, atesql_atespace_count(store, &opts, &count));
  if (count != (int64_t)all.count)
    fail_msg("atespaces '%s' counted %lld, listed %zu", selector,
             (long long)count, all.count);
  free(got);
  key_list_free(&all);
}

static void test_list_atespaces_by_name_selector(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "a");
  create_atespace(store, "b");
  create_atespace(store, "c");
  expect_atespaces(store, "name=b", "b");
  expect_atespaces(store, "name!=b", "a,c");
  expect_atespaces(store, "name in (c,a,zz)", "a,c");
  expect_atespaces(store, "name notin (a)", "b,c");
  expect_atespaces(store, "name=zz", "");
}

static void test_list_atespaces_pages_follow_tokens(void **state) {
  atesql_store *store = *state;
  char name[16];
  for (int i = 0; i < 7; i++) {
    snprintf(name, sizeof name, "s%02d", i);
    create_atespace(store, name);
  }
  atesql_list_opts opts = {0};
  opts.page_size = 3;
  key_list all = list_all_atespaces(store, &opts);
  char *got = key_list_join(&all);
  assert_string_equal(got, "s00,s01,s02,s03,s04,s05,s06");
  free(got);
  key_list_free(&all);
}

static void
test_list_atespaces_with_unknown_field_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  atesql_list_opts opts = {0};
  opts.selector_text = "nmae=a";
  atesql_atespace_page *page = NULL;
  assert_status(store, atesql_atespace_list(store, &opts, &page),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "nmae");
  assert_errmsg_names(store, "column 1");
}

static void test_atespace_count_follows_creates_and_deletes(void **state) {
  atesql_store *store = *state;
  atesql_list_opts opts = {0};
  int64_t count = -1;
  assert_ok(store, atesql_atespace_count(store, &opts, &count));
  assert_int_equal(count, 0);
  create_atespace(store, "a");
  create_atespace(store, "b");
  create_atespace(store, "c");
  assert_ok(store, atesql_atespace_count(store, NULL, &count));
  assert_int_equal(count, 3);
  assert_ok(store, atesql_atespace_delete(store, "b"));
  assert_ok(store, atesql_atespace_count(store, &opts, &count));
  assert_int_equal(count, 2);
}

static void test_atespace_count_ignores_page_size_and_token(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "a");
  create_atespace(store, "b");
  create_atespace(store, "c");
  atesql_list_opts opts = {0};
  opts.page_size = 1;
  opts.page_token = "not a token";
  int64_t count = -1;
  assert_ok(store, atesql_atespace_count(store, &opts, &count));
  assert_int_equal(count, 3);
}

static void
test_count_atespaces_with_unknown_field_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "a");
  atesql_list_opts opts = {0};
  opts.selector_text = "nmae=a";
  int64_t count = -1;
  assert_status(store, atesql_atespace_count(store, &opts, &count),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "nmae");
  opts.selector_text = NULL;
  assert_status(store, atesql_atespace_count(store, &opts, NULL),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "count");
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_created_atespace_can_be_read_back),
    STORE_TEST(test_create_existing_atespace_is_already_exists),
    STORE_TEST(test_create_atespace_with_empty_name_is_invalid_argument),
    STORE_TEST(test_get_missing_atespace_is_not_found),
    STORE_TEST(test_atespace_exists_reports_presence),
    STORE_TEST(test_delete_atespace_removes_it),
    STORE_TEST(test_delete_missing_atespace_is_not_found),
    STORE_TEST(test_delete_atespace_holding_actors_is_failed_precondition),
    STORE_TEST(test_delete_atespace_after_its_actors_are_gone_succeeds),
    STORE_TEST(test_actors_of_other_atespaces_do_not_block_delete),
    STORE_TEST(test_list_atespaces_returns_all_in_name_order),
    STORE_TEST(test_list_atespaces_by_name_selector),
    STORE_TEST(test_list_atespaces_pages_follow_tokens),
    STORE_TEST(test_list_atespaces_with_unknown_field_is_invalid_argument),
    STORE_TEST(test_atespace_count_follows_creates_and_deletes),
    STORE_TEST(test_atespace_count_ignores_page_size_and_token),
    STORE_TEST(test_count_atespaces_with_unknown_field_is_invalid_argument),
};

const struct CMUnitTest *atespace_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
