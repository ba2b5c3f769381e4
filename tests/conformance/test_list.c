/*
** Listing and its pages: primary-key order, the default and the largest
** page size, the empty token of the last page, tokens that visit every
** record exactly once (also while records are inserted and deleted between
** pages), and counts that agree with lists.
*/
#include "conformance.h"

/* Create workers ns/pool/p0000 .. p<n-1> in one transaction. */
static void create_workers_in_tx(atesql_store *store, int n) {
  assert_ok(store, atesql_tx_begin(store));
  char pod[16];
  for (int i = 0; i < n; i++) {
    snprintf(pod, sizeof pod, "p%04d", i);
    create_worker(store, "ns", "pool", pod);
  }
  assert_ok(store, atesql_tx_commit(store));
}

static void test_list_workers_returns_all_in_key_order(void **state) {
  atesql_store *store = *state;
  create_worker(store, "ns2", "pool1", "p1");
  create_worker(store, "ns1", "pool2", "p1");
  create_worker(store, "ns1", "pool1", "p2");
  create_worker(store, "ns1", "pool1", "p10");
  create_worker(store, "ns1", "pool1", "p1");
  create_worker(store, "ns1", "pool10", "p0");
  atesql_list_opts opts = {0};
  key_list all = list_all_workers(store, &opts);
  char *got = key_list_join(&all);
  assert_string_equal(got, "ns1/pool1/p1,ns1/pool1/p10,ns1/pool1/p2,"
                           "ns1/pool10/p0,ns1/pool2/p1,ns2/pool1/p1");
  free(got);
  key_list_free(&all);
}

static void test_list_actors_returns_all_in_key_order(void **state) {
  atesql_store *store = *state;
  create_actor(store, "s2", "a1");
  create_actor(store, "s1", "b");
  create_actor(store, "s10", "a0");
  create_actor(store, "s1", "a2");
  create_actor(store, "s1", "a10");
  atesql_list_opts opts = {0};
  key_list all = list_all_actors(store, &opts);
  char *got = key_list_join(&all);
  assert_string_equal(got, "s1/a10,s1/a2,s1/b,s10/a0,s2/a1");
  free(got);
  key_list_free(&all);
}

static void test_list_of_empty_store_is_one_empty_last_page(void **state) {
  atesql_store *store = *state;
  atesql_list_opts opts = {0};
  atesql_worker_page *workers = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &workers));
  assert_int_equal(workers->count, 0);
  assert_string_equal(workers->next_page_token, "");
  atesql_worker_page_free(workers);
  atesql_actor_page *actors = NULL;
  assert_ok(store, atesql_actor_list(store, &opts, &actors));
  assert_int_equal(actors->count, 0);
  assert_string_equal(actors->next_page_token, "");
  atesql_actor_page_free(actors);
  atesql_atespace_page *spaces = NULL;
  assert_ok(store, atesql_atespace_list(store, &opts, &spaces));
  assert_int_equal(spaces->count, 0);
  assert_string_equal(spaces->next_page_token, "");
  atesql_atespace_page_free(spaces);
}

static void test_default_page_size_is_500(void **state) {
  atesql_store *store = *state;
  create_workers_in_tx(store, ATESQL_DEFAULT_PAGE_SIZE + 1);
  atesql_list_opts opts = {0};
  atesql_worker_page *page = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_int_equal(page->count, ATESQL_DEFAULT_PAGE_SIZE);
  assert_string_not_equal(page->next_page_token, "");
  assert_string_equal(page->items[0].worker_pod, "p0000");
  assert_string_equal(page->items[499].worker_pod, "p0499");
  char *token = strdup(page->next_page_token);
  atesql_worker_page_free(page);
  opts.page_token = token;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_int_equal(page->count, 1);
  assert_string_equal(page->items[0].worker_pod, "p0500");
  assert_string_equal(page->next_page_token, "");
  atesql_worker_page_free(page);
  free(token);
}

static void test_page_size_above_max_is_lowered_to_1000(void **state) {
  atesql_store *store = *state;
  create_workers_in_tx(store, ATESQL_MAX_PAGE_SIZE + 201);
  atesql_list_opts opts = {0};
  opts.page_size = 5000;
  atesql_worker_page *page = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_int_equal(page->count, ATESQL_MAX_PAGE_SIZE);
  assert_string_not_equal(page->next_page_token, "");
  char *token = strdup(page->next_page_token);
  atesql_worker_page_free(page);
  opts.page_token = token;
  opts.page_size = (size_t)-1;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_int_equal(page->count, 201);
  assert_string_equal(page->next_page_token, "");
  atesql_worker_page_free(page);
  free(token);
}

static void test_page_size_above_max_is_lowered_for_actors(void **state) {
  atesql_store *store = *state;
  create_atespace(store, "space");
  assert_ok(store, atesql_tx_begin(store));
  char id[16];
  for (int i = 0; i < ATESQL_MAX_PAGE_SIZE + 1; i++) {
    snprintf(id, sizeof id, "a%04d", i);
    atesql_actor a = make_actor("space", id);
    assert_ok(store, atesql_actor_create(store, &a));
  }
  assert_ok(store, atesql_tx_commit(store));
  atesql_list_opts opts = {0};
  opts.page_size = ATESQL_MAX_PAGE_SIZE + 1;
  atesql_actor_page *page = NULL;
  assert_ok(store, atesql_actor_list(store, &opts, &page));
  assert_int_equal(page->count, ATESQL_MAX_PAGE_SIZE);
  assert_string_not_equal(page->next_page_token, "");
  atesql_actor_page_free(page);
}

static void
test_last_page_token_is_empty_when_page_is_exactly_full(void **state) {
  atesql_store *store = *state;
  create_workers_in_tx(store, 4);
  atesql_list_opts opts = {0};
  opts.page_size = 4;
  atesql_worker_page *page = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_int_equal(page->count, 4);
  assert_string_equal(page->next_page_token, "");
  atesql_worker_page_free(page);
}

static void test_pages_are_full_until_the_last(void **state) {
  atesql_store *store = *state;
  create_workers_in_tx(store, 10);
  atesql_list_opts opts = {0};
  opts.page_size = 4;
  size_t want[] = {4, 4, 2};
  char *token = NULL;
  for (size_t i = 0; i < 3; i++) {
    opts.page_token = token;
    atesql_worker_page *page = NULL;
    assert_ok(store, atesql_worker_list(store, &opts, &page));
    assert_int_equal(page->count, want[i]);
    if (i < 2)
      assert_string_not_equal(page->next_page_token, "");
    else
      assert_string_equal(page->next_page_token, "");
    free(token);
    token = strdup(page->next_page_token);
    atesql_worker_page_free(page);
  }
  free(token);
}

/* 3 namespaces x 3 pools x 3 pods, created out of order. */
static void create_worker_grid(atesql_store *store) {
  static const char *const parts[] = {"b", "a", "c1"};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      for (int k = 0; k < 3; k++)
        create_worker(store, parts[k], parts[j], parts[i]);
}

static void
test_worker_pages_visit_each_worker_once_in_key_order(void **state) {
  atesql_store *store = *state;
  create_worker_grid(store);
  atesql_list_opts all_at_once = {0};
  key_list want = list_all_workers(store, &all_at_once);
  assert_int_equal(want.count, 27);
  assert_strictly_increasing(&want);
  for (size_t size = 1; size <= 28; size++) {
    atesql_list_opts opts = {0};
    opts.page_size = size;
    key_list got = list_all_workers(store, &opts);
    assert_int_equal(got.count, want.count);
    for (size_t i = 0; i < want.count; i++)
      assert_string_equal(got.keys[i], want.keys[i]);
    key_list_free(&got);
  }
  key_list_free(&want);
}

static void
test_actor_pages_visit_each_actor_once_across_atespaces(void **state) {
  atesql_store *store = *state;
  static const char *const spaces[] = {"s2", "s1", "s10"};
  static const char *const ids[] = {"b", "a", "a1", "c"};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 4; j++)
      create_actor(store, spaces[i], ids[j]);
  atesql_list_opts all_at_once = {0};
  key_list want = list_all_actors(store, &all_at_once);
  assert_int_equal(want.count, 12);
  assert_strictly_increasing(&want);
  for (size_t size = 1; size <= 13; size++) {
    atesql_list_opts opts = {0};
    opts.page_size = size;
    key_list got = list_all_actors(store, &opts);
    assert_int_equal(got.count, want.count);
    for (size_t i = 0; i < want.count; i++)
      assert_string_equal(got.keys[i], want.keys[i]);
    key_list_free(&got);
  }
  key_list_free(&want);
}

static void test_pages_carry_keys_with_special_characters(void **state) {
  atesql_store *store = *state;
  static const char *const pods[] = {
      "a/b", "a",   "a\\",      "a'b",       "a\"b",
      "a b", "a,b", "\xc3\xbc", "a\xc3\xbc", "x'); DROP TABLE workers;--",
      "~",   "A",   "0",
  };
  size_t n = sizeof pods / sizeof pods[0];
  for (size_t i = 0; i < n; i++) {
    create_worker(store, "n/s", "p,l", pods[i]);
    create_worker(store, "n", "s/p", pods[i]);
  }
  atesql_list_opts opts = {0};
  opts.page_size = 1;
  key_list got = list_all_workers(store, &opts);
  assert_int_equal(got.count, 2 * n);
  for (size_t i = 0; i < 2 * n; i++) {
    char key[KEY_MAX];
    snprintf(key, sizeof key, "%s/%s", i < n ? "n/s/p,l" : "n/s/p",
             pods[i % n]);
    if (key_list_occurrences(&got, key) != 1)
      fail_msg("'%s' listed %zu times, want once", key,
               key_list_occurrences(&got, key));
  }
  key_list_free(&got);
}

static void test_selected_pages_visit_each_match_once(void **state) {
  atesql_store *store = *state;
  assert_ok(store, atesql_tx_begin(store));
  char pod[16];
  for (int i = 0; i < 40; i++) {
    snprintf(pod, sizeof pod, "p%02d", i);
    atesql_worker w = make_worker("ns", i % 3 ? "cpu" : "gpu", pod);
    w.actor_id = i % 2 ? "a" : "";
    assert_ok(store, atesql_worker_create(store, &w));
  }
  assert_ok(store, atesql_tx_commit(store));
  atesql_list_opts opts = {0};
  opts.selector_text = "worker_pool=cpu,actor_id=";
  opts.page_size = 3;
  key_list got = list_all_workers(store, &opts);
  key_list want = {0};
  for (int i = 0; i < 40; i++) {
    if (i % 3 == 0 || i % 2 == 1) continue;
    char key[KEY_MAX];
    snprintf(key, sizeof key, "ns/cpu/p%02d", i);
    key_list_add(&want, key);
  }
  assert_int_equal(got.count, want.count);
  for (size_t i = 0; i < want.count; i++)
    assert_string_equal(got.keys[i], want.keys[i]);
  key_list_free(&want);
  key_list_free(&got);
}

/*
** Between pages, delete rows already returned and rows not yet reached, and
** insert rows behind and ahead of the cursor: every page reflects the
** revision of the first, so the listing returns exactly the workers that
** existed then, each once: a row deleted before it is reached is still
** returned (as it was), a row inserted ahead of the cursor is not (a watch
** from the listing's revision delivers both changes).
*/
static void test_pages_survive_inserts_and_deletes_between_pages(void **state) {
  atesql_store *store = *state;
  char pod[16];
  for (int i = 0; i < 20; i++) {
    snprintf(pod, sizeof pod, "w%02d", i * 2);
    create_worker(store, "ns", "pool", pod);
  }
  atesql_list_opts opts = {0};
  opts.page_size = 4;
  key_list seen = {0};
  char *token = NULL;
  int64_t revision = -1;
  for (int page_no = 0;; page_no++) {
    assert_true(page_no < 100);
    opts.page_token = token;
    atesql_worker_page *page = NULL;
    assert_ok(store, atesql_worker_list(store, &opts, &page));
    if (page_no == 0) revision = page->revision;
    assert_int_equal(page->revision, revision);
    for (size_t i = 0; i < page->count; i++) {
      key_list_add(&seen, page->items[i].worker_pod);
      assert_int_equal(page->items[i].version, 1);
    }
    free(token);
    token = strdup(page->next_page_token);
    atesql_worker_page_free(page);
    if (token[0] == '\0') break;
    if (page_no == 0) {
      /* cursor after w06 */
      assert_ok(store, atesql_worker_delete(store, "ns", "pool", "w02"));
      assert_ok(store, atesql_worker_delete(store, "ns", "pool", "w06"));
      assert_ok(store, atesql_worker_delete(store, "ns", "pool", "w10"));
      assert_ok(store, atesql_worker_delete(store, "ns", "pool", "w08"));
      create_worker(store, "ns", "pool", "w01");
      create_worker(store, "ns", "pool", "w07");
      create_worker(store, "ns", "pool", "w21");
      /* Updated ahead of the cursor: returned as it was. */
      atesql_worker w = make_worker("ns", "pool", "w12");
      w.actor_id = "a1";
      assert_ok(store, atesql_worker_update(store, &w, 1, NULL));
      assert_ok(store, atesql_worker_update(store, &w, 2, NULL));
    }
    if (page_no == 2) {
      create_worker(store, "ns", "pool", "w99");
      assert_ok(store, atesql_worker_delete(store, "ns", "pool", "w38"));
    }
  }
  free(token);
  assert_int_equal(seen.count, 20);
  for (int i = 0; i < 20; i++) {
    snprintf(pod, sizeof pod, "w%02d", i * 2);
    if (key_list_occurrences(&seen, pod) != 1)
      fail_msg("'%s' returned %zu times, want 1", pod,
               key_list_occurrences(&seen, pod));
  }
  key_list_free(&seen);

  /* A new listing reflects the changes. */
  opts.page_token = NULL;
  opts.page_size = 100;
  atesql_worker_page *page = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_true(page->revision > revision);
  assert_int_equal(page->count, 20 - 5 + 4);
  atesql_worker_page_free(page);
}

/*
** A filtered listing at its first page's revision: workers updated into
** and out of the selected set between pages are listed as they were.
*/
static void test_filtered_pages_reflect_the_first_pages_revision(void **state) {
  atesql_store *store = *state;
  char pod[16];
  for (int i = 0; i < 12; i++) {
    snprintf(pod, sizeof pod, "p%02d", i);
    atesql_worker w = make_worker("ns", "cpu", pod);
    w.actor_id = i % 2 ? "held" : "";
    assert_ok(store, atesql_worker_create(store, &w));
  }
  atesql_list_opts opts = {0};
  opts.selector_text = "worker_pool=cpu,actor_id=";
  opts.page_size = 2;
  atesql_worker_page *page = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_int_equal(page->count, 2); /* p00, p02 */
  int64_t revision = page->revision;
  char *token = strdup(page->next_page_token);
  atesql_worker_page_free(page);
  /* p04 leaves the set, p05 enters it, p06 is deleted, p13 is created. */
  atesql_worker w = make_worker("ns", "cpu", "p04");
  w.actor_id = "taken";
  assert_ok(store, atesql_worker_update(store, &w, 1, NULL));
  w = make_worker("ns", "cpu", "p05");
  assert_ok(store, atesql_worker_update(store, &w, 1, NULL));
  assert_ok(store, atesql_worker_delete(store, "ns", "cpu", "p06"));
  w = make_worker("ns", "cpu", "p13");
  assert_ok(store, atesql_worker_create(store, &w));

  key_list seen = {0};
  while (token[0] != '\0') {
    opts.page_token = token;
    assert_ok(store, atesql_worker_list(store, &opts, &page));
    assert_int_equal(page->revision, revision);
    for (size_t i = 0; i < page->count; i++) {
      key_list_add(&seen, page->items[i].worker_pod);
      assert_string_equal(page->items[i].actor_id, "");
      assert_int_equal(page->items[i].version, 1);
    }
    free(token);
    token = strdup(page->next_page_token);
    atesql_worker_page_free(page);
  }
  free(token);
  static const char *const want[] = {"p04", "p06", "p08", "p10"};
  assert_int_equal(seen.count, 4);
  for (size_t i = 0; i < 4; i++)
    assert_string_equal(seen.keys[i], want[i]);
  key_list_free(&seen);

  /* Compacted past the listing's revision: its next page is refused. */
  opts.page_token = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  token = strdup(page->next_page_token);
  atesql_worker_page_free(page);
  w = make_worker("ns", "cpu", "p14");
  assert_ok(store, atesql_worker_create(store, &w));
  int64_t now = 0;
  assert_ok(store, atesql_store_revision(store, &now, NULL));
  atesql_compact_opts co = {.revision = now};
  assert_ok(store, atesql_compact(store, &co, NULL));
  opts.page_token = token;
  assert_int_equal(atesql_worker_list(store, &opts, &page), ATESQL_COMPACTED);
  assert_non_null(strstr(atesql_errmsg(store), "list again"));
  free(token);
}

static void test_count_equals_number_of_listed_records(void **state) {
  atesql_store *store = *state;
  create_worker_grid(store);
  static const char *const selectors[] = {
      "",
      "worker_namespace=a",
      "worker_pool!=b",
      "worker_pod in (a,c1)",
      "worker_namespace notin (a,b),worker_pool=c1",
      "worker_pool=none",
  };
  for (size_t i = 0; i < sizeof selectors / sizeof selectors[0]; i++) {
    atesql_list_opts opts = {0};
    opts.selector_text = selectors[i];
    opts.page_size = 5;
    key_list listed = list_all_workers(store, &opts);
    int64_t count = -1;
    assert_ok(store, atesql_worker_count(store, &opts, &count));
    if (count != (int64_t)listed.count)
      fail_msg("'%s': count %lld, listed %zu", selectors[i], (long long)count,
               listed.count);
    key_list_free(&listed);
  }
}

static void test_actor_count_equals_number_of_listed_actors(void **state) {
  atesql_store *store = *state;
  create_actor(store, "s1", "a1");
  create_actor(store, "s1", "a2");
  create_actor(store, "s2", "a1");
  set_actor_status(store, "s1", "a2", ATESQL_ACTOR_STATUS_RUNNING);
  static const char *const selectors[] = {
      "",
      "atespace=s1",
      "actor_id=a1",
      "status=STATUS_RUNNING",
      "status!=STATUS_RUNNING",
      "atespace=s3",
  };
  for (size_t i = 0; i < sizeof selectors / sizeof selectors[0]; i++) {
    atesql_list_opts opts = {0};
    opts.selector_text = selectors[i];
    opts.page_size = 2;
    key_list listed = list_all_actors(store, &opts);
    int64_t count = -1;
    assert_ok(store, atesql_actor_count(store, &opts, &count));
    if (count != (int64_t)listed.count)
      fail_msg("'%s': count %lld, listed %zu", selectors[i], (long long)count,
               listed.count);
    key_list_free(&listed);
  }
}

static void test_count_ignores_page_size_and_token(void **state) {
  atesql_store *store = *state;
  create_workers_in_tx(store, 7);
  atesql_list_opts opts = {0};
  opts.page_size = 2;
  opts.page_token = "not a token";
  int64_t count = -1;
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  assert_int_equal(count, 7);
}

/* A selector of ATESQL_SELECTOR_TERMS_MAX terms, the documented maximum,
** pages on every backend: its parameters, the page token's keys and the
** page size all fit a statement. */
static void test_selector_of_the_most_terms_pages(void **state) {
  atesql_store *store = *state;
  for (int i = 0; i < 3; i++) {
    char pod[16];
    snprintf(pod, sizeof pod, "p%d", i);
    create_worker(store, "ns", "pool", pod);
  }
  char text[ATESQL_SELECTOR_TERMS_MAX * 32];
  size_t used = 0;
  for (int i = 0; i < ATESQL_SELECTOR_TERMS_MAX; i++)
    used += (size_t)snprintf(text + used, sizeof text - used,
                             "%snode_name!=n%d", i ? "," : "", i);
  atesql_list_opts opts = {.selector_text = text, .page_size = 1};
  int listed = 0;
  for (int page_no = 0; page_no < 4; page_no++) {
    atesql_worker_page *page = NULL;
    assert_ok(store, atesql_worker_list(store, &opts, &page));
    listed += (int)page->count;
    static char token[512];
    snprintf(token, sizeof token, "%s", page->next_page_token);
    bool last = page->next_page_token[0] == '\0';
    atesql_worker_page_free(page);
    if (last) break;
    opts.page_token = token;
  }
  assert_int_equal(listed, 3);
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_selector_of_the_most_terms_pages),
    STORE_TEST(test_list_workers_returns_all_in_key_order),
    STORE_TEST(test_list_actors_returns_all_in_key_order),
    STORE_TEST(test_list_of_empty_store_is_one_empty_last_page),
    STORE_TEST(test_default_page_size_is_500),
    STORE_TEST(test_page_size_above_max_is_lowered_to_1000),
    STORE_TEST(test_page_size_above_max_is_lowered_for_actors),
    STORE_TEST(test_last_page_token_is_empty_when_page_is_exactly_full),
    STORE_TEST(test_pages_are_full_until_the_last),
    STORE_TEST(test_worker_pages_visit_each_worker_once_in_key_order),
    STORE_TEST(test_actor_pages_visit_each_actor_once_across_atespaces),
    STORE_TEST(test_pages_carry_keys_with_special_characters),
    STORE_TEST(test_selected_pages_visit_each_match_once),
    STORE_TEST(test_pages_survive_inserts_and_deletes_between_pages),
    STORE_TEST(test_filtered_pages_reflect_the_first_pages_revision),
    STORE_TEST(test_count_equals_number_of_listed_records),
    STORE_TEST(test_actor_count_equals_number_of_listed_actors),
    STORE_TEST(test_count_ignores_page_size_and_token),
};

const struct CMUnitTest *list_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
