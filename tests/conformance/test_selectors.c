/*
** Selectors against stored data: each operator, empty values (free
** workers), enum and integer fields, combined terms, built selectors and
** their precedence over text, errors that name the column, and hostile
** values that match nothing and harm nothing.
*/
#include "conformance.h"

/*
** Five workers, in key order:
**   ns1/cpu/p1  free      node n1
**   ns1/cpu/p2  actor a1  node n2
**   ns1/gpu/p3  free      node n1
**   ns2/cpu/p4  actor a2  node n3
**   ns2/gpu/p5  free      node n2  (updated once: version 2)
*/
static void create_worker_fleet(atesql_store *store) {
  static const struct {
    const char *ns, *pool, *pod, *actor_id, *node;
  } fleet[] = {
      {"ns2", "cpu", "p4", "a2", "n3"}, {"ns1", "cpu", "p1", "", "n1"},
      {"ns1", "gpu", "p3", "", "n1"},   {"ns2", "gpu", "p5", "", "n2"},
      {"ns1", "cpu", "p2", "a1", "n2"},
  };
  for (size_t i = 0; i < sizeof fleet / sizeof fleet[0]; i++) {
    atesql_worker w = make_worker(fleet[i].ns, fleet[i].pool, fleet[i].pod);
    w.actor_id = fleet[i].actor_id;
    w.node_name = fleet[i].node;
    assert_ok(store, atesql_worker_create(store, &w));
  }
  atesql_worker w = make_worker("ns2", "gpu", "p5");
  w.node_name = "n2";
  assert_ok(store, atesql_worker_update(store, &w, 1, NULL));
}

/*
** Four actors, in key order:
**   s1/a1  STATUS_RUNNING      worker_pool_name cpu  version 2
**   s1/a2  STATUS_SUSPENDED                          version 2
**   s2/a1  STATUS_UNSPECIFIED                        version 1
**   s2/b   STATUS_PAUSED                             version 2
*/
static void create_actor_cast(atesql_store *store) {
  create_actor(store, "s2", "b");
  create_actor(store, "s1", "a2");
  create_actor(store, "s2", "a1");
  create_actor(store, "s1", "a1");
  atesql_actor a = make_actor("s1", "a1");
  a.status = ATESQL_ACTOR_STATUS_RUNNING;
  a.worker_pool_name = "cpu";
  assert_ok(store, atesql_actor_update(store, &a, 1, NULL));
  set_actor_status(store, "s1", "a2", ATESQL_ACTOR_STATUS_SUSPENDED);
  set_actor_status(store, "s2", "b", ATESQL_ACTOR_STATUS_PAUSED);
}

static void test_empty_selector_lists_every_worker(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_worker_pods(store, "", "p1,p2,p3,p4,p5");
  expect_worker_pods(store, NULL, "p1,p2,p3,p4,p5");
}

static void test_equality_selects_matching_workers(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_worker_pods(store, "worker_pool=cpu", "p1,p2,p4");
  expect_worker_pods(store, "worker_pool==cpu", "p1,p2,p4");
  expect_worker_pods(store, "node_name=n2", "p2,p5");
  expect_worker_pods(store, "worker_pod=p3", "p3");
}

static void test_equality_is_exact_not_prefix_or_case_folded(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_worker_pods(store, "worker_pool=cp", "");
  expect_worker_pods(store, "worker_pool=CPU", "");
  expect_worker_pods(store, "worker_pool=c%", "");
  expect_worker_pods(store, "worker_pool=c_u", "");
  expect_worker_pods(store, "worker_pool=cpu\\ ", "");
}

static void test_inequality_selects_other_workers(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_worker_pods(store, "worker_pool!=cpu", "p3,p5");
  expect_worker_pods(store, "worker_namespace!=nothing", "p1,p2,p3,p4,p5");
}

static void test_in_selects_workers_with_any_listed_value(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_worker_pods(store, "node_name in (n1,n3)", "p1,p3,p4");
  expect_worker_pods(store, "node_name in (n3)", "p4");
  expect_worker_pods(store, "node_name in (n9,n8)", "");
}

static void test_notin_selects_workers_with_no_listed_value(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_worker_pods(store, "node_name notin (n1)", "p2,p4,p5");
  expect_worker_pods(store, "node_name notin (n1,n2,n3)", "");
  expect_worker_pods(store, "node_name notin (n9)", "p1,p2,p3,p4,p5");
}

static void test_empty_actor_id_selects_free_workers(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_worker_pods(store, "actor_id=", "p1,p3,p5");
  expect_worker_pods(store, "actor_id!=", "p2,p4");
  expect_worker_pods(store, "actor_id in (,a1)", "p1,p2,p3,p5");
  expect_worker_pods(store, "actor_id notin (,a1)", "p4");
}

static void test_version_selects_by_integer(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_worker_pods(store, "version=2", "p5");
  expect_worker_pods(store, "version=1", "p1,p2,p3,p4");
  expect_worker_pods(store, "version!=1", "p5");
  expect_worker_pods(store, "version in (2,3)", "p5");
}

static void test_combined_terms_must_all_match(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_worker_pods(store, "worker_pool=cpu,actor_id=", "p1");
  expect_worker_pods(store, "worker_namespace=ns2,worker_pool=gpu", "p5");
  expect_worker_pods(store, "actor_id=,node_name in (n1,n2),worker_pool!=gpu",
                     "p1");
  expect_worker_pods(store, "worker_pool=cpu,worker_pool=gpu", "");
}

static void test_actor_status_selects_by_proto_name(void **state) {
  atesql_store *store = *state;
  create_actor_cast(store);
  expect_actor_keys(store, "status=STATUS_RUNNING", "s1/a1");
  expect_actor_keys(store, "status=STATUS_UNSPECIFIED", "s2/a1");
  expect_actor_keys(store, "status in (STATUS_SUSPENDED,STATUS_PAUSED)",
                    "s1/a2,s2/b");
  expect_actor_keys(store, "status!=STATUS_UNSPECIFIED", "s1/a1,s1/a2,s2/b");
  expect_actor_keys(store, "status notin (STATUS_RUNNING,STATUS_PAUSED)",
                    "s1/a2,s2/a1");
  expect_actor_keys(store, "status=STATUS_RESUMING", "");
}

static void test_actor_fields_select_actors(void **state) {
  atesql_store *store = *state;
  create_actor_cast(store);
  expect_actor_keys(store, "", "s1/a1,s1/a2,s2/a1,s2/b");
  expect_actor_keys(store, "atespace=s1", "s1/a1,s1/a2");
  expect_actor_keys(store, "actor_id=a1", "s1/a1,s2/a1");
  expect_actor_keys(store, "atespace=s2,actor_id=a1", "s2/a1");
  expect_actor_keys(store, "version=1", "s2/a1");
  expect_actor_keys(store, "worker_pool_name=", "s1/a2,s2/a1,s2/b");
  expect_actor_keys(store, "worker_pool_name=cpu,status=STATUS_RUNNING",
                    "s1/a1");
  expect_actor_keys(store, "actor_template_name=tmpl",
                    "s1/a1,s1/a2,s2/a1,s2/b");
}

/* A built selector for `resource` with one term; free with
** atesql_selector_free. */
static atesql_selector *build_selector(atesql_resource resource,
                                       const char *field, atesql_op op,
                                       const char *const *values, size_t n) {
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  if (atesql_selector_new(resource, &sel, &err) != ATESQL_OK)
    fail_msg("selector_new: %s", err.message);
  if (field &&
      atesql_selector_add(sel, field, op, values, n, &err) != ATESQL_OK)
    fail_msg("selector_add %s: %s", field, err.message);
  return sel;
}

static char *list_worker_keys_joined(atesql_store *store,
                                     const atesql_list_opts *opts) {
  key_list keys = list_all_workers(store, opts);
  char *joined = key_list_join(&keys);
  key_list_free(&keys);
  return joined;
}

static void test_built_selector_lists_like_equivalent_text(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  static const char *const nodes[] = {"n3", "n1"};
  atesql_selector *sel = build_selector(ATESQL_RESOURCE_WORKERS, "node_name",
                                        ATESQL_OP_IN, nodes, 2);
  static const char *const free_id[] = {""};
  atesql_error err = {0};
  assert_int_equal(
      atesql_selector_add(sel, "actor_id", ATESQL_OP_EQ, free_id, 1, &err),
      ATESQL_OK);
  atesql_list_opts built = {0};
  built.selector = sel;
  built.page_size = 1;
  atesql_list_opts text = {0};
  text.selector_text = "node_name in (n1,n3),actor_id=";
  char *from_built = list_worker_keys_joined(store, &built);
  char *from_text = list_worker_keys_joined(store, &text);
  assert_string_equal(from_built, "ns1/cpu/p1,ns1/gpu/p3");
  assert_string_equal(from_built, from_text);
  int64_t count = -1;
  assert_ok(store, atesql_worker_count(store, &built, &count));
  assert_int_equal(count, 2);
  free(from_built);
  free(from_text);
  atesql_selector_free(sel);
}

static void test_empty_built_selector_lists_everything(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  atesql_selector *sel =
      build_selector(ATESQL_RESOURCE_WORKERS, NULL, ATESQL_OP_EQ, NULL, 0);
  atesql_list_opts opts = {0};
  opts.selector = sel;
  key_list keys = list_all_workers(store, &opts);
  assert_int_equal(keys.count, 5);
  key_list_free(&keys);
  atesql_selector_free(sel);
}

static void test_built_selector_takes_precedence_over_text(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  static const char *const cpu[] = {"cpu"};
  atesql_selector *sel = build_selector(ATESQL_RESOURCE_WORKERS, "worker_pool",
                                        ATESQL_OP_EQ, cpu, 1);
  atesql_list_opts opts = {0};
  opts.selector = sel;
  opts.selector_text = "worker_pool=gpu";
  char *got = list_worker_keys_joined(store, &opts);
  assert_string_equal(got, "ns1/cpu/p1,ns1/cpu/p2,ns2/cpu/p4");
  free(got);
  opts.selector_text = "this is (not a selector";
  got = list_worker_keys_joined(store, &opts);
  assert_string_equal(got, "ns1/cpu/p1,ns1/cpu/p2,ns2/cpu/p4");
  free(got);
  int64_t count = -1;
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  assert_int_equal(count, 3);
  atesql_selector_free(sel);
}

static void test_built_actor_selector_lists_actors(void **state) {
  atesql_store *store = *state;
  create_actor_cast(store);
  static const char *const statuses[] = {"STATUS_PAUSED", "STATUS_RUNNING"};
  atesql_selector *sel = build_selector(ATESQL_RESOURCE_ACTORS, "status",
                                        ATESQL_OP_NOTIN, statuses, 2);
  atesql_list_opts opts = {0};
  opts.selector = sel;
  key_list keys = list_all_actors(store, &opts);
  char *got = key_list_join(&keys);
  assert_string_equal(got, "s1/a2,s2/a1");
  free(got);
  key_list_free(&keys);
  atesql_selector_free(sel);
}

/* Listing and counting workers with selector text must be INVALID_ARGUMENT
** with an error message holding each needle. */
static void expect_bad_worker_selector(atesql_store *store, const char *text,
                                       const char *needle1,
                                       const char *needle2) {
  atesql_list_opts opts = {0};
  opts.selector_text = text;
  atesql_worker_page *page = NULL;
  assert_status(store, atesql_worker_list(store, &opts, &page),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, needle1);
  if (needle2) assert_errmsg_names(store, needle2);
  int64_t count = -1;
  assert_status(store, atesql_worker_count(store, &opts, &count),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, needle1);
}

static void test_unknown_field_is_invalid_argument_naming_column(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_bad_worker_selector(store, "wrker_pool=cpu", "wrker_pool", "column 1");
  expect_bad_worker_selector(store, "worker_pool=cpu,nde_name=n1", "nde_name",
                             "column 17");
}

static void test_malformed_selector_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_bad_worker_selector(store, "worker_pool", "column", NULL);
  expect_bad_worker_selector(store, "node_name in (n1", "column", NULL);
  expect_bad_worker_selector(store, "version=abc", "abc", "column 9");
}

static void test_unknown_actor_status_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_actor_cast(store);
  atesql_list_opts opts = {0};
  opts.selector_text = "status=RUNNING";
  atesql_actor_page *page = NULL;
  assert_status(store, atesql_actor_list(store, &opts, &page),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "STATUS_RUNNING");
  int64_t count = -1;
  assert_status(store, atesql_actor_count(store, &opts, &count),
                ATESQL_INVALID_ARGUMENT);
}

static void test_field_of_other_resource_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  create_actor_cast(store);
  expect_bad_worker_selector(store, "status=STATUS_RUNNING", "status",
                             "column 1");
  atesql_list_opts opts = {0};
  opts.selector_text = "worker_pool=cpu";
  atesql_actor_page *actors = NULL;
  assert_status(store, atesql_actor_list(store, &opts, &actors),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "worker_pool");
  atesql_atespace_page *spaces = NULL;
  assert_status(store, atesql_atespace_list(store, &opts, &spaces),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "worker_pool");
}

static void
test_built_selector_of_other_resource_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  static const char *const a1[] = {"a1"};
  atesql_selector *sel =
      build_selector(ATESQL_RESOURCE_ACTORS, "actor_id", ATESQL_OP_EQ, a1, 1);
  atesql_list_opts opts = {0};
  opts.selector = sel;
  atesql_worker_page *page = NULL;
  assert_status(store, atesql_worker_list(store, &opts, &page),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "actors");
  int64_t count = -1;
  assert_status(store, atesql_worker_count(store, &opts, &count),
                ATESQL_INVALID_ARGUMENT);
  atesql_selector_free(sel);
}

static void test_hostile_values_match_nothing_and_harm_nothing(void **state) {
  atesql_store *store = *state;
  create_worker_fleet(store);
  expect_worker_pods(store, "worker_pool=x';\\ DROP\\ TABLE\\ workers;--", "");
  expect_worker_pods(store, "worker_pool in (x'\\)\\ OR\\ 1\\=1;--,\")", "");
  expect_worker_pods(store, "node_name notin (x\"\\,\"y)", "p1,p2,p3,p4,p5");
  static const char *const hostile[] = {
      "x'; DROP TABLE workers;--", "' OR '1'='1", "\") OR 1=1 --",
      "]}\"; DELETE FROM workers", "$1",          "?1",
  };
  size_t n = sizeof hostile / sizeof hostile[0];
  for (size_t i = 0; i < n; i++) {
    atesql_selector *sel = build_selector(
        ATESQL_RESOURCE_WORKERS, "worker_pool", ATESQL_OP_EQ, &hostile[i], 1);
    atesql_list_opts opts = {0};
    opts.selector = sel;
    key_list keys = list_all_workers(store, &opts);
    if (keys.count != 0) fail_msg("'%s' matched workers", hostile[i]);
    key_list_free(&keys);
    atesql_selector_free(sel);
  }
  atesql_selector *sel = build_selector(ATESQL_RESOURCE_WORKERS, "node_name",
                                        ATESQL_OP_IN, hostile, n);
  atesql_list_opts opts = {0};
  opts.selector = sel;
  key_list keys = list_all_workers(store, &opts);
  assert_int_equal(keys.count, 0);
  key_list_free(&keys);
  atesql_selector_free(sel);
  expect_worker_pods(store, "", "p1,p2,p3,p4,p5");
}

static void test_hostile_stored_value_is_selected_exactly(void **state) {
  atesql_store *store = *state;
  const char *hostile = "x'); DROP TABLE workers;--";
  atesql_worker w = make_worker("ns", "pool", "p1");
  w.node_name = hostile;
  assert_ok(store, atesql_worker_create(store, &w));
  create_worker(store, "ns", "pool", "p2");
  atesql_selector *sel = build_selector(ATESQL_RESOURCE_WORKERS, "node_name",
                                        ATESQL_OP_EQ, &hostile, 1);
  atesql_list_opts opts = {0};
  opts.selector = sel;
  char *got = list_worker_keys_joined(store, &opts);
  assert_string_equal(got, "ns/pool/p1");
  free(got);
  atesql_selector_free(sel);
  expect_worker_pods(store, "node_name=x'\\);\\ DROP\\ TABLE\\ workers;--",
                     "p1");
}

static void test_unicode_value_selects_exactly(void **state) {
  atesql_store *store = *state;
  atesql_worker w = make_worker("ns", "pool", "p1");
  w.node_name = "n\xc3\xb6"
                "de";
  assert_ok(store, atesql_worker_create(store, &w));
  w = make_worker("ns", "pool", "p2");
  w.node_name = "node";
  assert_ok(store, atesql_worker_create(store, &w));
  expect_worker_pods(store,
                     "node_name=n\xc3\xb6"
                     "de",
                     "p1");
  expect_worker_pods(store,
                     "node_name!=n\xc3\xb6"
                     "de",
                     "p2");
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_empty_selector_lists_every_worker),
    STORE_TEST(test_equality_selects_matching_workers),
    STORE_TEST(test_equality_is_exact_not_prefix_or_case_folded),
    STORE_TEST(test_inequality_selects_other_workers),
    STORE_TEST(test_in_selects_workers_with_any_listed_value),
    STORE_TEST(test_notin_selects_workers_with_no_listed_value),
    STORE_TEST(test_empty_actor_id_selects_free_workers),
    STORE_TEST(test_version_selects_by_integer),
    STORE_TEST(test_combined_terms_must_all_match),
    STORE_TEST(test_actor_status_selects_by_proto_name),
    STORE_TEST(test_actor_fields_select_actors),
    STORE_TEST(test_built_selector_lists_like_equivalent_text),
    STORE_TEST(test_empty_built_selector_lists_everything),
    STORE_TEST(test_built_selector_takes_precedence_over_text),
    STORE_TEST(test_built_actor_selector_lists_actors),
    STORE_TEST(test_unknown_field_is_invalid_argument_naming_column),
    STORE_TEST(test_malformed_selector_is_invalid_argument),
    STORE_TEST(test_unknown_actor_status_is_invalid_argument),
    STORE_TEST(test_field_of_other_resource_is_invalid_argument),
    STORE_TEST(test_built_selector_of_other_resource_is_invalid_argument),
    STORE_TEST(test_hostile_values_match_nothing_and_harm_nothing),
    STORE_TEST(test_hostile_stored_value_is_selected_exactly),
    STORE_TEST(test_unicode_value_selects_exactly),
};

const struct CMUnitTest *selector_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
