/*
** Rules every record shares, whatever its kind: import keeps a record's
** version, reads with an empty key part find nothing, indexed text has one
** length limit on every backend, and error messages stay one bounded line
** whatever the caller's text holds.
*/
#include <stdint.h>
#include <string.h>

#include "conformance.h"

static void test_import_worker_keeps_its_version(void **state) {
  atesql_store *store = *state;
  atesql_worker w = make_worker("ns", "pool", "pod");
  w.version = 1000000000000;
  assert_ok(store, atesql_worker_import(store, &w));
  atesql_worker *got = get_worker(store, "ns", "pool", "pod");
  assert_int_equal(got->version, 1000000000000);
  atesql_worker_free(got);
  int64_t next = 0;
  assert_ok(store, atesql_worker_update(store, &w, 1000000000000, &next));
  assert_int_equal(next, 1000000000001);
}

static void test_import_actor_keeps_its_version(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor a = make_actor("space", "a1");
  a.version = 7;
  assert_ok(store, atesql_actor_import(store, &a));
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_int_equal(got->version, 7);
  atesql_actor_free(got);
  assert_status(store, atesql_actor_update(store, &a, 1, NULL),
                ATESQL_CONFLICT);
  assert_ok(store, atesql_actor_update(store, &a, 7, NULL));
}

static void test_import_without_version_sets_version_one(void **state) {
  atesql_store *store = *state;
  atesql_worker w = make_worker("ns", "pool", "pod");
  assert_ok(store, atesql_worker_import(store, &w));
  atesql_worker *got = get_worker(store, "ns", "pool", "pod");
  assert_int_equal(got->version, 1);
  atesql_worker_free(got);
}

static void
test_import_with_negative_version_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor a = make_actor("space", "a1");
  a.version = -1;
  assert_status(store, atesql_actor_import(store, &a), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "version");
  atesql_actor *got = NULL;
  assert_status(store, atesql_actor_get(store, "space", "a1", &got),
                ATESQL_NOT_FOUND);
}

static void
test_update_at_largest_version_is_failed_precondition(void **state) {
  atesql_store *store = *state;
  atesql_worker w = make_worker("ns", "pool", "pod");
  w.version = INT64_MAX;
  assert_ok(store, atesql_worker_import(store, &w));
  w.node_name = "node-b";
  assert_status(store, atesql_worker_update(store, &w, INT64_MAX, NULL),
                ATESQL_FAILED_PRECONDITION);
  assert_errmsg_names(store, "largest");
  atesql_worker *got = get_worker(store, "ns", "pool", "pod");
  assert_int_equal(got->version, INT64_MAX);
  assert_string_equal(got->node_name, "");
  atesql_worker_free(got);
}

static void test_get_with_empty_key_part_is_not_found(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  create_worker(store, "ns", "pool", "pod");
  atesql_actor *actor = NULL;
  assert_status(store, atesql_actor_get(store, "", "a1", &actor),
                ATESQL_NOT_FOUND);
  assert_status(store, atesql_actor_get(store, "space", "", &actor),
                ATESQL_NOT_FOUND);
  assert_status(store, atesql_actor_get(store, NULL, NULL, &actor),
                ATESQL_NOT_FOUND);
  atesql_worker *worker = NULL;
  assert_status(store, atesql_worker_get(store, "ns", "", "pod", &worker),
                ATESQL_NOT_FOUND);
  atesql_atespace *space = NULL;
  assert_status(store, atesql_atespace_get(store, "", &space),
                ATESQL_NOT_FOUND);
  bool exists = true;
  assert_ok(store, atesql_atespace_exists(store, "", &exists));
  assert_false(exists);
}

static void test_write_with_empty_key_part_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  assert_status(store, atesql_worker_delete(store, "ns", "", "pod"),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "worker_pool");
  assert_status(store, atesql_actor_delete(store, "space", ""),
                ATESQL_INVALID_ARGUMENT);
  assert_status(store, atesql_atespace_delete(store, ""),
                ATESQL_INVALID_ARGUMENT);
}

/* n bytes of 'x', NUL-terminated, in buf (at least n + 1 bytes). */
static const char *text_of_length(char *buf, size_t n) {
  memset(buf, 'x', n);
  buf[n] = '\0';
  return buf;
}

static void test_indexed_text_at_the_limit_is_stored(void **state) {
  atesql_store *store = *state;
  char a[ATESQL_INDEXED_TEXT_MAX + 1], b[ATESQL_INDEXED_TEXT_MAX + 1],
      c[ATESQL_INDEXED_TEXT_MAX + 1], d[ATESQL_INDEXED_TEXT_MAX + 1];
  atesql_worker w = make_worker(text_of_length(a, ATESQL_INDEXED_TEXT_MAX),
                                text_of_length(b, ATESQL_INDEXED_TEXT_MAX),
                                text_of_length(c, ATESQL_INDEXED_TEXT_MAX));
  /* node_name leads the widest index: (node_name, actor_id, key). */
  w.node_name = text_of_length(d, ATESQL_INDEXED_TEXT_MAX);
  w.actor_id = w.node_name;
  assert_ok(store, atesql_worker_create(store, &w));
  atesql_worker *got = get_worker(store, a, b, c);
  assert_worker_fields_equal(got, &w);
  atesql_worker_free(got);
}

static void test_indexed_text_over_the_limit_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  char long_text[4000];
  text_of_length(long_text, ATESQL_INDEXED_TEXT_MAX + 1);
  atesql_worker w = make_worker("ns", "pool", "pod");
  w.node_name = long_text;
  assert_status(store, atesql_worker_create(store, &w),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "node_name");
  atesql_actor a = make_actor("space", long_text);
  assert_status(store, atesql_actor_create(store, &a), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "actor_id");
  /* Far past PostgreSQL's B-tree entry limit (about 2700 bytes). */
  text_of_length(long_text, 3000);
  a = make_actor("space", "a1");
  a.ateom_pod_name = long_text;
  assert_status(store, atesql_actor_create(store, &a), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "ateom_pod_name");
  bool acquired = true;
  assert_status(store,
                atesql_lock_acquire(store, long_text, "me", 1000, &acquired),
                ATESQL_INVALID_ARGUMENT);
  atesql_list_opts opts = {0};
  int64_t count = -1;
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  assert_int_equal(count, 0);
}

static void test_unindexed_text_has_no_such_limit(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  char long_text[8001];
  atesql_actor a = make_actor("space", "a1");
  a.in_progress_snapshot = text_of_length(long_text, 8000);
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_string_equal(got->in_progress_snapshot, long_text);
  atesql_actor_free(got);
}

static void test_error_message_is_one_bounded_line(void **state) {
  atesql_store *store = *state;
  char id[400];
  memset(id, 'y', sizeof id - 1);
  id[sizeof id - 1] = '\0';
  memcpy(id, "evil\nline\r", 10);
  create_actor(store, "space", id);
  atesql_actor again = make_actor("space", id);
  assert_status(store, atesql_actor_create(store, &again),
                ATESQL_ALREADY_EXISTS);
  const char *msg = atesql_errmsg(store);
  assert_null(strchr(msg, '\n'));
  assert_null(strchr(msg, '\r'));
  assert_non_null(strstr(msg, "evil"));
  /* The key is quoted as an excerpt, not whole. */
  assert_true(strlen(msg) < 200);
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_import_worker_keeps_its_version),
    STORE_TEST(test_import_actor_keeps_its_version),
    STORE_TEST(test_import_without_version_sets_version_one),
    STORE_TEST(test_import_with_negative_version_is_invalid_argument),
    STORE_TEST(test_update_at_largest_version_is_failed_precondition),
    STORE_TEST(test_get_with_empty_key_part_is_not_found),
    STORE_TEST(test_write_with_empty_key_part_is_invalid_argument),
    STORE_TEST(test_indexed_text_at_the_limit_is_stored),
    STORE_TEST(test_indexed_text_over_the_limit_is_invalid_argument),
    STORE_TEST(test_unindexed_text_has_no_such_limit),
    STORE_TEST(test_error_message_is_one_bounded_line),
};

const struct CMUnitTest *record_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
