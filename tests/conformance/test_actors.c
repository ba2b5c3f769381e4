/*
** Actors: create with version 1, get, update with an expected version and
** immutable template fields, delete only when suspended, and every field,
** nested ones included, read back exactly as written.
*/
#include "conformance.h"

/* Strings a naive encoder would mangle: quotes, backslashes, control
** characters, multi-byte UTF-8, SQL and JSON syntax. */
#define QUOTES    "say \"hi\" and 'bye'"
#define BACKSLASH "C:\\path\\to\\snap\\"
#define UNICODE   "snapshot-\xc3\xbc\xe2\x9c\x93-\xe6\x97\xa5\xe6\x9c\xac"
#define CONTROL   "line1\nline2\ttab"
#define SQLISH    "x'); DROP TABLE actors;--"
#define JSONISH   "{\"a\":[1,2]}"

static const char *const node_vms[] = {"node-a",
                                       "n\xc3\xb6"
                                       "de-\xce\xb2",
                                       "\xe8\x8a\x82\xe7\x82\xb9-3",
                                       QUOTES,
                                       "",
                                       BACKSLASH};

/* Labels in an order the store must not keep, and the same sorted by key
** (keys of different lengths: key order is not length-first order). */
static const atesql_label labels_unsorted[] = {
    {"zone", "us-east1"},        {"app", QUOTES},           {"a", BACKSLASH},
    {"tier-long-name", UNICODE}, {"\xc3\xbc-key", JSONISH}, {"empty", ""},
};
static const atesql_label labels_sorted[] = {
    {"a", BACKSLASH},     {"app", QUOTES},
    {"empty", ""},        {"tier-long-name", UNICODE},
    {"zone", "us-east1"}, {"\xc3\xbc-key", JSONISH},
};
#define LABEL_COUNT (sizeof labels_sorted / sizeof labels_sorted[0])

static const atesql_worker_selector selector_unsorted = {labels_unsorted,
                                                         LABEL_COUNT};
static const atesql_worker_selector selector_sorted = {labels_sorted,
                                                       LABEL_COUNT};

/* A local snapshot whose type says external: the oneof member and the
** type are independent, and the store keeps both as written. The
** external member's field is set too, and must be ignored. */
static const atesql_snapshot_info full_snapshot = {
    .type = ATESQL_SNAPSHOT_TYPE_EXTERNAL,
    .data = ATESQL_SNAPSHOT_DATA_LOCAL,
    .external_snapshot_uri_prefix = "gs://bucket/" QUOTES,
    .local_snapshot_prefix = "/var/snap/" UNICODE,
    .local_node_vms = node_vms,
    .local_node_vm_count = sizeof node_vms / sizeof node_vms[0],
};

/* An actor with every field set to a value that is hard to round-trip. */
static atesql_actor make_full_actor(const char *atespace, const char *id) {
  atesql_actor a = make_actor(atespace, id);
  a.actor_template_namespace = QUOTES;
  a.actor_template_name = UNICODE;
  a.status = ATESQL_ACTOR_STATUS_RUNNING;
  a.ateom_pod_namespace = BACKSLASH;
  a.ateom_pod_name = CONTROL;
  a.ateom_pod_ip = "fd00::1";
  a.ateom_pod_uid = SQLISH;
  a.in_progress_snapshot = JSONISH;
  a.worker_pool_name = "pool-\xc3\xa9";
  a.latest_snapshot_info = &full_snapshot;
  a.worker_selector = &selector_unsorted;
  return a;
}

/* The same actor as returned by the store: labels in key order. */
static atesql_actor expected_full_actor(const char *atespace, const char *id) {
  atesql_actor a = make_full_actor(atespace, id);
  a.worker_selector = &selector_sorted;
  return a;
}

static void
test_create_actor_sets_version_one_ignoring_input_version(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor a = make_actor("space", "a1");
  a.version = 42;
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_int_equal(got->version, 1);
  atesql_actor_free(got);
}

static void test_actor_round_trips_every_field(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor a = make_full_actor("space", "a1");
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_actor *got = get_actor(store, "space", "a1");
  atesql_actor want = expected_full_actor("space", "a1");
  assert_actor_fields_equal(got, &want);
  assert_int_equal(got->version, 1);
  atesql_actor_free(got);
}

static void test_actor_listed_has_every_field(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor a = make_full_actor("space", "a1");
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_list_opts opts = {0};
  atesql_actor_page *page = NULL;
  assert_ok(store, atesql_actor_list(store, &opts, &page));
  assert_int_equal(page->count, 1);
  atesql_actor want = expected_full_actor("space", "a1");
  assert_actor_fields_equal(&page->items[0], &want);
  assert_int_equal(page->items[0].version, 1);
  atesql_actor_page_free(page);
}

static void test_actor_with_empty_nested_fields_round_trips(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor a = make_actor("space", "a1");
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_actor_fields_equal(got, &a);
  assert_null(got->latest_snapshot_info);
  assert_null(got->worker_selector);
  atesql_actor_free(got);
}

static void test_actor_set_but_empty_nested_fields_stay_set(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  static const atesql_snapshot_info empty_info = {0};
  static const atesql_worker_selector empty_selector = {0};
  atesql_actor a = make_actor("space", "a1");
  a.latest_snapshot_info = &empty_info;
  a.worker_selector = &empty_selector;
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_actor_fields_equal(got, &a);
  assert_int_equal(got->latest_snapshot_info->data, ATESQL_SNAPSHOT_DATA_NONE);
  assert_int_equal(got->worker_selector->match_label_count, 0);
  atesql_actor_free(got);
}

static void test_actor_empty_oneof_member_stays_set(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  static const atesql_snapshot_info empty_local = {
      .data = ATESQL_SNAPSHOT_DATA_LOCAL};
  atesql_actor a = make_actor("space", "a1");
  a.latest_snapshot_info = &empty_local;
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_actor_fields_equal(got, &a);
  atesql_actor_free(got);
}

static void test_actor_open_enum_values_round_trip(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  static const atesql_snapshot_info odd_type = {.type =
                                                    (atesql_snapshot_type)-7};
  atesql_actor a = make_actor("space", "a1");
  a.status = (atesql_actor_status)99;
  a.latest_snapshot_info = &odd_type;
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_actor_fields_equal(got, &a);
  assert_int_equal((int)got->status, 99);
  assert_int_equal((int)got->latest_snapshot_info->type, -7);
  atesql_actor_free(got);
}

static void test_actor_external_snapshot_info_round_trips(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  static const atesql_snapshot_info external = {
      .type = ATESQL_SNAPSHOT_TYPE_EXTERNAL,
      .data = ATESQL_SNAPSHOT_DATA_EXTERNAL,
      .external_snapshot_uri_prefix = "s3://bucket/" UNICODE "/" BACKSLASH};
  atesql_actor a = make_actor("space", "a1");
  a.latest_snapshot_info = &external;
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_actor_fields_equal(got, &a);
  atesql_actor_free(got);
}

static void test_null_actor_strings_read_as_empty(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor a = {0};
  a.atespace = "space";
  a.actor_id = "a1";
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_actor *got = get_actor(store, "space", "a1");
  atesql_actor want = make_actor("space", "a1");
  want.actor_template_namespace = "";
  want.actor_template_name = "";
  assert_actor_fields_equal(got, &want);
  atesql_actor_free(got);
}

static void
test_actor_with_duplicate_label_keys_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  static const atesql_label dup[] = {{"app", "a"}, {"zone", "z"}, {"app", "b"}};
  static const atesql_worker_selector selector = {dup, 3};
  atesql_actor a = make_actor("space", "a1");
  a.worker_selector = &selector;
  assert_status(store, atesql_actor_create(store, &a), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "app");
  atesql_actor *got = NULL;
  assert_status(store, atesql_actor_get(store, "space", "a1", &got),
                ATESQL_NOT_FOUND);
}

static void
test_create_actor_in_missing_atespace_is_failed_precondition(void **state) {
  atesql_store *store = *state;
  atesql_actor a = make_actor("no-such-space", "a1");
  assert_status(store, atesql_actor_create(store, &a),
                ATESQL_FAILED_PRECONDITION);
  assert_errmsg_names(store, "no-such-space");
  bool exists = true;
  assert_ok(store, atesql_atespace_exists(store, "no-such-space", &exists));
  assert_false(exists);
  atesql_actor *got = NULL;
  assert_status(store, atesql_actor_get(store, "no-such-space", "a1", &got),
                ATESQL_NOT_FOUND);
}

static void test_create_existing_actor_is_already_exists(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  atesql_actor again = make_full_actor("space", "a1");
  assert_status(store, atesql_actor_create(store, &again),
                ATESQL_ALREADY_EXISTS);
  assert_errmsg_names(store, "a1");
  atesql_actor *got = get_actor(store, "space", "a1");
  atesql_actor want = make_actor("space", "a1");
  assert_actor_fields_equal(got, &want);
  assert_int_equal(got->version, 1);
  atesql_actor_free(got);
}

static void test_same_actor_id_in_two_atespaces_is_two_actors(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space-1", "a1");
  create_actor(store, "space-2", "a1");
  set_actor_status(store, "space-2", "a1", ATESQL_ACTOR_STATUS_PAUSED);
  atesql_actor *one = get_actor(store, "space-1", "a1");
  atesql_actor *two = get_actor(store, "space-2", "a1");
  assert_int_equal(one->status, ATESQL_ACTOR_STATUS_UNSPECIFIED);
  assert_int_equal(two->status, ATESQL_ACTOR_STATUS_PAUSED);
  atesql_actor_free(one);
  atesql_actor_free(two);
}

static void test_create_actor_with_empty_key_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor no_id = make_actor("space", "");
  assert_status(store, atesql_actor_create(store, &no_id),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "actor_id");
  atesql_actor no_space = make_actor("", "a1");
  assert_status(store, atesql_actor_create(store, &no_space),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "atespace");
  atesql_actor null_id = make_actor("space", NULL);
  assert_status(store, atesql_actor_create(store, &null_id),
                ATESQL_INVALID_ARGUMENT);
  atesql_list_opts opts = {0};
  int64_t count = -1;
  assert_ok(store, atesql_actor_count(store, &opts, &count));
  assert_int_equal(count, 0);
}

static void test_create_actor_with_oneof_case_out_of_range_is_invalid_argument(
    void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  static const atesql_snapshot_info bad_case = {.data =
                                                    (atesql_snapshot_data)1};
  atesql_actor a = make_actor("space", "a1");
  a.latest_snapshot_info = &bad_case;
  assert_status(store, atesql_actor_create(store, &a), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "latest_snapshot_info.data");
  atesql_actor *got = NULL;
  assert_status(store, atesql_actor_get(store, "space", "a1", &got),
                ATESQL_NOT_FOUND);
}

static void test_actor_with_invalid_utf8_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  atesql_actor a = make_actor("space", "a2");
  a.ateom_pod_name = "pod-\xff";
  assert_status(store, atesql_actor_create(store, &a), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "UTF-8");
  static const atesql_label bad_label[] = {{"app", "\xc3"}};
  static const atesql_worker_selector bad_selector = {bad_label, 1};
  atesql_actor labelled = make_actor("space", "a2");
  labelled.worker_selector = &bad_selector;
  assert_status(store, atesql_actor_create(store, &labelled),
                ATESQL_INVALID_ARGUMENT);
  atesql_actor update = make_actor("space", "a1");
  update.in_progress_snapshot = "snap-\xed\xa0\x80";
  assert_status(store, atesql_actor_update(store, &update, 1, NULL),
                ATESQL_INVALID_ARGUMENT);
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_int_equal(got->version, 1);
  assert_string_equal(got->in_progress_snapshot, "");
  atesql_actor_free(got);
  assert_status(store, atesql_actor_get(store, "space", "a2", &got),
                ATESQL_NOT_FOUND);
}

static void test_get_missing_actor_is_not_found(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor *got = NULL;
  assert_status(store, atesql_actor_get(store, "space", "no-such-actor", &got),
                ATESQL_NOT_FOUND);
  assert_errmsg_names(store, "no-such-actor");
}

/* A replacement for the full actor with every mutable field changed. */
static const char *const other_vms[] = {"vm-x"};
static const atesql_label other_labels[] = {{"pool", "gpu"}};
static const atesql_worker_selector other_selector = {other_labels, 1};
static const atesql_snapshot_info other_snapshot = {
    .type = ATESQL_SNAPSHOT_TYPE_EXTERNAL,
    .data = ATESQL_SNAPSHOT_DATA_EXTERNAL,
    .external_snapshot_uri_prefix = "gs://other",
    .local_node_vms = other_vms,
    .local_node_vm_count = 1,
};

static atesql_actor make_changed_actor(const char *atespace, const char *id) {
  atesql_actor a = make_full_actor(atespace, id);
  a.status = ATESQL_ACTOR_STATUS_SUSPENDING;
  a.ateom_pod_namespace = "ns-2";
  a.ateom_pod_name = "pod-2";
  a.ateom_pod_ip = "10.1.2.3";
  a.ateom_pod_uid = "uid-2";
  a.in_progress_snapshot = "";
  a.worker_pool_name = "";
  a.latest_snapshot_info = &other_snapshot;
  a.worker_selector = &other_selector;
  return a;
}

static void
test_update_actor_returns_next_version_and_stores_every_field(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor a = make_full_actor("space", "a1");
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_actor changed = make_changed_actor("space", "a1");
  int64_t new_version = 0;
  assert_ok(store, atesql_actor_update(store, &changed, 1, &new_version));
  assert_int_equal(new_version, 2);
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_actor_fields_equal(got, &changed);
  assert_int_equal(got->version, 2);
  atesql_actor_free(got);
}

static void test_update_actor_can_empty_nested_fields(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor a = make_full_actor("space", "a1");
  assert_ok(store, atesql_actor_create(store, &a));
  atesql_actor emptied = make_actor("space", "a1");
  emptied.actor_template_namespace = a.actor_template_namespace;
  emptied.actor_template_name = a.actor_template_name;
  assert_ok(store, atesql_actor_update(store, &emptied, 1, NULL));
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_actor_fields_equal(got, &emptied);
  assert_int_equal(got->version, 2);
  atesql_actor_free(got);
}

static void test_update_actor_ignores_input_version_field(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  atesql_actor a = make_actor("space", "a1");
  a.version = 99;
  a.status = ATESQL_ACTOR_STATUS_RESUMING;
  int64_t new_version = 0;
  assert_ok(store, atesql_actor_update(store, &a, 1, &new_version));
  assert_int_equal(new_version, 2);
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_int_equal(got->version, 2);
  assert_int_equal(got->status, ATESQL_ACTOR_STATUS_RESUMING);
  atesql_actor_free(got);
}

static void test_successive_actor_updates_increment_version(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  atesql_actor a = make_actor("space", "a1");
  int64_t version = 1;
  for (int i = 0; i < 5; i++) {
    a.status = i % 2 ? ATESQL_ACTOR_STATUS_RUNNING : ATESQL_ACTOR_STATUS_PAUSED;
    int64_t next = 0;
    assert_ok(store, atesql_actor_update(store, &a, version, &next));
    assert_int_equal(next, version + 1);
    version = next;
  }
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_int_equal(got->version, 6);
  atesql_actor_free(got);
}

static void test_update_actor_with_stale_version_is_conflict(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  set_actor_status(store, "space", "a1", ATESQL_ACTOR_STATUS_RUNNING);
  atesql_actor stale = make_changed_actor("space", "a1");
  stale.actor_template_namespace = "tmpl-ns";
  stale.actor_template_name = "tmpl";
  int64_t new_version = -7;
  assert_status(store, atesql_actor_update(store, &stale, 1, &new_version),
                ATESQL_CONFLICT);
  assert_errmsg_names(store, "version");
  assert_status(store, atesql_actor_update(store, &stale, 3, &new_version),
                ATESQL_CONFLICT);
  atesql_actor *got = get_actor(store, "space", "a1");
  atesql_actor want = make_actor("space", "a1");
  want.status = ATESQL_ACTOR_STATUS_RUNNING;
  assert_actor_fields_equal(got, &want);
  assert_int_equal(got->version, 2);
  atesql_actor_free(got);
}

static void test_update_missing_actor_is_not_found(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  atesql_actor a = make_actor("space", "no-such-actor");
  assert_status(store, atesql_actor_update(store, &a, 1, NULL),
                ATESQL_NOT_FOUND);
  assert_errmsg_names(store, "no-such-actor");
  atesql_actor *got = NULL;
  assert_status(store, atesql_actor_get(store, "space", "no-such-actor", &got),
                ATESQL_NOT_FOUND);
}

/* Updating a1 with one template field changed must fail and write nothing. */
static void expect_immutable_actor_field(atesql_store *store,
                                         atesql_actor *changed,
                                         const char *field) {
  changed->status = ATESQL_ACTOR_STATUS_RUNNING;
  assert_status(store, atesql_actor_update(store, changed, 1, NULL),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, field);
  atesql_actor *got = get_actor(store, "space", "a1");
  atesql_actor want = make_actor("space", "a1");
  assert_actor_fields_equal(got, &want);
  assert_int_equal(got->version, 1);
  atesql_actor_free(got);
}

static void
test_update_actor_template_namespace_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  atesql_actor a = make_actor("space", "a1");
  a.actor_template_namespace = "other-ns";
  expect_immutable_actor_field(store, &a, "actor_template_namespace");
}

static void test_update_actor_template_name_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  atesql_actor a = make_actor("space", "a1");
  a.actor_template_name = "other";
  expect_immutable_actor_field(store, &a, "actor_template_name");
}

static void test_update_actor_to_unnamed_status_stores_it(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  atesql_actor a = make_actor("space", "a1");
  a.status = (atesql_actor_status)-3;
  assert_ok(store, atesql_actor_update(store, &a, 1, NULL));
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_int_equal((int)got->status, -3);
  assert_int_equal(got->version, 2);
  atesql_actor_free(got);
}

static void test_delete_missing_actor_is_not_found(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  assert_status(store, atesql_actor_delete(store, "space", "no-such-actor"),
                ATESQL_NOT_FOUND);
  assert_errmsg_names(store, "no-such-actor");
}

static void
test_delete_actor_not_suspended_is_failed_precondition(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  for (int s = ATESQL_ACTOR_STATUS_UNSPECIFIED; s <= ATESQL_ACTOR_STATUS_PAUSED;
       s++) {
    if (s == ATESQL_ACTOR_STATUS_SUSPENDED) continue;
    if (s != ATESQL_ACTOR_STATUS_UNSPECIFIED)
      set_actor_status(store, "space", "a1", (atesql_actor_status)s);
    atesql_status st = atesql_actor_delete(store, "space", "a1");
    if (st != ATESQL_FAILED_PRECONDITION)
      fail_msg("delete of a %s actor returned %s, want FAILED_PRECONDITION",
               atesql_actor_status_name((atesql_actor_status)s),
               atesql_status_str(st));
    assert_errmsg_names(store, "a1");
    atesql_actor_free(get_actor(store, "space", "a1"));
  }
}

static void test_delete_suspended_actor_removes_it(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  create_actor(store, "space", "a2");
  set_actor_status(store, "space", "a1", ATESQL_ACTOR_STATUS_SUSPENDED);
  assert_ok(store, atesql_actor_delete(store, "space", "a1"));
  atesql_actor *got = NULL;
  assert_status(store, atesql_actor_get(store, "space", "a1", &got),
                ATESQL_NOT_FOUND);
  assert_status(store, atesql_actor_delete(store, "space", "a1"),
                ATESQL_NOT_FOUND);
  atesql_actor_free(get_actor(store, "space", "a2"));
}

static void
test_deleted_actor_can_be_created_again_at_version_one(void **state) {
  atesql_store *store = *state;
  create_actor(store, "space", "a1");
  set_actor_status(store, "space", "a1", ATESQL_ACTOR_STATUS_SUSPENDED);
  assert_ok(store, atesql_actor_delete(store, "space", "a1"));
  create_actor(store, "space", "a1");
  atesql_actor *got = get_actor(store, "space", "a1");
  assert_int_equal(got->version, 1);
  assert_int_equal(got->status, ATESQL_ACTOR_STATUS_UNSPECIFIED);
  atesql_actor_free(got);
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_create_actor_sets_version_one_ignoring_input_version),
    STORE_TEST(test_actor_round_trips_every_field),
    STORE_TEST(test_actor_listed_has_every_field),
    STORE_TEST(test_actor_with_empty_nested_fields_round_trips),
    STORE_TEST(test_actor_set_but_empty_nested_fields_stay_set),
    STORE_TEST(test_actor_empty_oneof_member_stays_set),
    STORE_TEST(test_actor_open_enum_values_round_trip),
    STORE_TEST(test_actor_external_snapshot_info_round_trips),
    STORE_TEST(test_null_actor_strings_read_as_empty),
    STORE_TEST(test_actor_with_duplicate_label_keys_is_invalid_argument),
    STORE_TEST(test_create_actor_in_missing_atespace_is_failed_precondition),
    STORE_TEST(test_create_existing_actor_is_already_exists),
    STORE_TEST(test_same_actor_id_in_two_atespaces_is_two_actors),
    STORE_TEST(test_create_actor_with_empty_key_is_invalid_argument),
    STORE_TEST(
        test_create_actor_with_oneof_case_out_of_range_is_invalid_argument),
    STORE_TEST(test_actor_with_invalid_utf8_is_invalid_argument),
    STORE_TEST(test_get_missing_actor_is_not_found),
    STORE_TEST(test_update_actor_returns_next_version_and_stores_every_field),
    STORE_TEST(test_update_actor_can_empty_nested_fields),
    STORE_TEST(test_update_actor_ignores_input_version_field),
    STORE_TEST(test_successive_actor_updates_increment_version),
    STORE_TEST(test_update_actor_with_stale_version_is_conflict),
    STORE_TEST(test_update_missing_actor_is_not_found),
    STORE_TEST(test_update_actor_template_namespace_is_invalid_argument),
    STORE_TEST(test_update_actor_template_name_is_invalid_argument),
    STORE_TEST(test_update_actor_to_unnamed_status_stores_it),
    STORE_TEST(test_delete_missing_actor_is_not_found),
    STORE_TEST(test_delete_actor_not_suspended_is_failed_precondition),
    STORE_TEST(test_delete_suspended_actor_removes_it),
    STORE_TEST(test_deleted_actor_can_be_created_again_at_version_one),
};

const struct CMUnitTest *actor_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
