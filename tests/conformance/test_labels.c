/*
** Worker labels: stored, returned, replaced whole, checked, selected with
** Kubernetes label-selector meaning, carried by claims, watches, listings
** at a revision and the JSON documents.
*/
#include "conformance.h"

static atesql_worker labelled(const char *pod, const atesql_label *labels,
                              size_t n) {
  atesql_worker w = make_worker("ns", "cpu", pod);
  w.labels = labels;
  w.label_count = n;
  return w;
}

static void expect_labels(const atesql_worker *w, const char *want) {
  char got[512] = "";
  size_t len = 0;
  for (size_t i = 0; i < w->label_count; i++)
    len += (size_t)snprintf(got + len, sizeof got - len, "%s%s=%s",
                            i ? "," : "", w->labels[i].key, w->labels[i].value);
  if (strcmp(got, want) != 0)
    fail_msg("worker %s has labels '%s', want '%s'", w->worker_pod, got, want);
}

/* w1 {gpu=h100, zone=a}, w2 {gpu=a100, zone=b}, w3 {zone=a}, w4 none,
** w5 {example.com/rack=r1, gpu=} (an empty value). */
static void create_fleet(atesql_store *s) {
  const atesql_label l1[] = {{"zone", "a"}, {"gpu", "h100"}};
  const atesql_label l2[] = {{"gpu", "a100"}, {"zone", "b"}};
  const atesql_label l3[] = {{"zone", "a"}};
  const atesql_label l5[] = {{"example.com/rack", "r1"}, {"gpu", ""}};
  atesql_worker w[] = {labelled("w1", l1, 2), labelled("w2", l2, 2),
                       labelled("w3", l3, 1), labelled("w4", NULL, 0),
                       labelled("w5", l5, 2)};
  for (size_t i = 0; i < 5; i++)
    assert_ok(s, atesql_worker_create(s, &w[i]));
}

static void test_labels_are_stored_sorted_and_replaced_whole(void **state) {
  atesql_store *s = *state;
  create_fleet(s);
  atesql_worker *w = get_worker(s, "ns", "cpu", "w1");
  expect_labels(w, "gpu=h100,zone=a");
  atesql_worker_free(w);
  w = get_worker(s, "ns", "cpu", "w4");
  expect_labels(w, "");
  atesql_worker_free(w);
  w = get_worker(s, "ns", "cpu", "w5");
  expect_labels(w, "example.com/rack=r1,gpu=");
  atesql_worker_free(w);

  /* An update replaces the set (with the version check). */
  const atesql_label next[] = {{"tier", "spot"}};
  atesql_worker u = labelled("w1", next, 1);
  assert_status(s, atesql_worker_update(s, &u, 7, NULL), ATESQL_CONFLICT);
  assert_ok(s, atesql_worker_update(s, &u, 1, NULL));
  w = get_worker(s, "ns", "cpu", "w1");
  expect_labels(w, "tier=spot");
  assert_int_equal(w->version, 2);
  atesql_worker_free(w);
  expect_worker_pods(s, "labels.gpu=h100", "");
  expect_worker_pods(s, "labels.tier=spot", "w1");
  u = labelled("w1", NULL, 0);
  assert_ok(s, atesql_worker_update(s, &u, 2, NULL));
  expect_worker_pods(s, "labels.tier", "");

  /* Lists return them too. */
  atesql_list_opts opts = {.selector_text = "worker_pod=w2"};
  atesql_worker_page *page = NULL;
  assert_ok(s, atesql_worker_list(s, &opts, &page));
  assert_int_equal(page->count, 1);
  expect_labels(&page->items[0], "gpu=a100,zone=b");
  atesql_worker_page_free(page);

  /* A delete takes the labels with it. */
  assert_ok(s, atesql_worker_delete(s, "ns", "cpu", "w2"));
  expect_worker_pods(s, "labels.gpu=a100", "");
  create_worker(s, "ns", "cpu", "w2");
  expect_worker_pods(s, "labels.gpu=a100", "");
}

static void test_bad_labels_are_refused_naming_the_label(void **state) {
  atesql_store *s = *state;
  static const struct {
    atesql_label label;
    const char *named;
  } bad[] = {
      {{"", "v"}, "name is empty"},
      {{"-gpu", "v"}, "'-gpu'"},
      {{"gpu type", "v"}, "'gpu type'"},
      {{"a123456789012345678901234567890123456789012345678901234567890123",
        "v"},
       "longer than 63"},
      {{"Example.com/zone", "v"}, "prefix"},
      {{"/zone", "v"}, "prefix"},
      {{"example.com/", "v"}, "name is empty"},
      {{"zone", "a b"}, "value 'a b'"},
      {{"zone", "a/b"}, "value 'a/b'"},
      {{"zone", "-a"}, "value '-a'"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    atesql_worker w = labelled("bad", &bad[i].label, 1);
    assert_status(s, atesql_worker_create(s, &w), ATESQL_INVALID_ARGUMENT);
    assert_errmsg_names(s, bad[i].named);
  }
  const atesql_label twice[] = {{"zone", "a"}, {"zone", "b"}};
  atesql_worker w = labelled("bad", twice, 2);
  assert_status(s, atesql_worker_create(s, &w), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(s, "'zone' is given twice");
  atesql_label many[ATESQL_WORKER_LABELS_MAX + 1];
  char keys[ATESQL_WORKER_LABELS_MAX + 1][8];
  for (int i = 0; i <= ATESQL_WORKER_LABELS_MAX; i++) {
    snprintf(keys[i], sizeof keys[i], "k%d", i);
    many[i] = (atesql_label){keys[i], "v"};
  }
  w = labelled("bad", many, ATESQL_WORKER_LABELS_MAX + 1);
  assert_status(s, atesql_worker_create(s, &w), ATESQL_INVALID_ARGUMENT);
  w.label_count = ATESQL_WORKER_LABELS_MAX;
  assert_ok(s, atesql_worker_create(s, &w)); /* the limit itself is fine */
  atesql_worker *got = get_worker(s, "ns", "cpu", "bad");
  assert_int_equal(got->label_count, ATESQL_WORKER_LABELS_MAX);
  atesql_worker_free(got);
  /* Nothing was written by the refused ones. */
  expect_worker_pods(s, "labels.zone", "");
  const atesql_label null_value[] = {{"zone", NULL}};
  w = labelled("bad2", null_value, 1);
  assert_status(s, atesql_worker_create(s, &w), ATESQL_INVALID_ARGUMENT);
}

static void test_label_selectors_mean_what_kubernetes_says(void **state) {
  atesql_store *s = *state;
  create_fleet(s);
  expect_worker_pods(s, "labels.gpu=h100", "w1");
  expect_worker_pods(s, "labels.gpu==h100", "w1");
  expect_worker_pods(s, "labels.gpu!=h100", "w2,w3,w4,w5");
  expect_worker_pods(s, "labels.gpu in (h100,a100)", "w1,w2");
  expect_worker_pods(s, "labels.gpu notin (h100)", "w2,w3,w4,w5");
  expect_worker_pods(s, "labels.gpu", "w1,w2,w5");
  expect_worker_pods(s, "!labels.gpu", "w3,w4");
  expect_worker_pods(s, "labels.gpu=", "w5");
  expect_worker_pods(s, "labels.zone=a,labels.gpu", "w1");
  expect_worker_pods(s, "labels.zone=a,!labels.gpu", "w3");
  expect_worker_pods(s, "labels.example.com/rack=r1", "w5");
  expect_worker_pods(s, "labels.zone in (a,b),worker_pod!=w2", "w1,w3");
  expect_worker_pods(s, "worker_pool=cpu,actor_id=,labels.zone=a", "w1,w3");
  expect_worker_pods(s, "labels.zone=c", "");

  /* The same built in C. */
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_selector_new(ATESQL_RESOURCE_WORKERS, &sel, &err),
                   ATESQL_OK);
  const char *zones[] = {"a", "b"};
  assert_int_equal(
      atesql_selector_add(sel, "labels.zone", ATESQL_OP_IN, zones, 2, &err),
      ATESQL_OK);
  assert_int_equal(atesql_selector_add(sel, "labels.gpu", ATESQL_OP_NOTEXISTS,
                                       NULL, 0, &err),
                   ATESQL_OK);
  char *text = NULL;
  assert_int_equal(atesql_selector_format(sel, &text), ATESQL_OK);
  assert_string_equal(text, "!labels.gpu,labels.zone in (a,b)");
  atesql_free(text);
  atesql_list_opts opts = {.selector = sel};
  key_list keys = list_all_workers(s, &opts);
  char *got = key_list_join(&keys);
  assert_string_equal(got, "ns/cpu/w3");
  free(got);
  key_list_free(&keys);
  assert_int_equal(
      atesql_selector_add(sel, "labels.gpu", ATESQL_OP_EXISTS, zones, 1, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_int_equal(
      atesql_selector_add(sel, "worker_pool", ATESQL_OP_EXISTS, NULL, 0, &err),
      ATESQL_INVALID_ARGUMENT);
  atesql_selector_free(sel);
}

static void expect_selector_error(atesql_resource r, const char *text,
                                  const char *needle) {
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  assert_int_equal(
      atesql_selector_parse(r, text, ATESQL_NUL_TERMINATED, &sel, &err),
      ATESQL_INVALID_ARGUMENT);
  if (strstr(err.message, needle) == NULL)
    fail_msg("'%s': message '%s' lacks '%s'", text, err.message, needle);
}

static void test_bad_label_selectors_are_refused(void **state) {
  (void)state;
  expect_selector_error(ATESQL_RESOURCE_WORKERS, "labels.Bad_=x",
                        "invalid label key 'Bad_' at column 1");
  expect_selector_error(ATESQL_RESOURCE_WORKERS, "labels.=x",
                        "invalid label key");
  expect_selector_error(ATESQL_RESOURCE_WORKERS, "labels.zone=a/b",
                        "invalid label value 'a/b' at column 13");
  expect_selector_error(ATESQL_RESOURCE_WORKERS, "!labels.zone=a",
                        "'!labels.KEY' stands alone");
  expect_selector_error(ATESQL_RESOURCE_WORKERS, "!worker_pool",
                        "only a label's absence");
  expect_selector_error(ATESQL_RESOURCE_ACTORS, "labels.zone=a",
                        "unknown field 'labels.zone'");
}

/* A claim's eligibility selector takes label terms; a claim or release
** moves the worker out of and into "free workers with label L". */
static void test_claims_take_label_terms(void **state) {
  atesql_store *s = *state;
  create_fleet(s);
  atesql_pool_ref pool = {"ns", "cpu"};
  atesql_claim_request req = {.pools = &pool,
                              .pool_count = 1,
                              .selector_text = "labels.gpu=h100",
                              .actor_atespace = "space",
                              .actor_id = "a1"};
  atesql_worker *w = NULL;
  assert_ok(s, atesql_worker_claim(s, &req, &w));
  assert_string_equal(w->worker_pod, "w1");
  expect_labels(w, "gpu=h100,zone=a");
  atesql_worker_free(w);
  expect_worker_pods(s, "actor_id=,labels.gpu=h100", "");
  expect_worker_pods(s, "worker_pool=cpu,actor_id=,labels.zone=a", "w3");
  req.actor_id = "a2";
  assert_status(s, atesql_worker_claim(s, &req, &w), ATESQL_RESOURCE_EXHAUSTED);
  bool released = false;
  assert_ok(
      s, atesql_worker_release(s, "ns", "cpu", "w1", "space", "a1", &released));
  assert_true(released);
  expect_worker_pods(s, "worker_pool=cpu,actor_id=,labels.gpu=h100", "w1");
  req.selector_text = "labels.zone=a,!labels.gpu";
  assert_ok(s, atesql_worker_claim(s, &req, &w));
  assert_string_equal(w->worker_pod, "w3");
  atesql_worker_free(w);
  expect_worker_pods(s, "worker_pool=cpu,actor_id=,labels.zone=a", "w1");
}

/* A watch's selector reads the labels each event carries: a worker whose
** labels change into the set enters it, out of it leaves it. */
static void test_watches_carry_and_select_labels(void **state) {
  atesql_store *s = *state;
  int64_t r0 = 0;
  assert_ok(s, atesql_store_revision(s, &r0, NULL));
  atesql_watch_opts o = {.selector_text = "labels.gpu=h100",
                         .since_revision = r0};
  atesql_watch *watch = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_watch_open(conformance_url, &o, &watch, &err),
                   ATESQL_OK);
  create_fleet(s); /* w1 enters */
  const atesql_label l[] = {{"gpu", "h100"}};
  atesql_worker w3 = labelled("w3", l, 1);
  assert_ok(s, atesql_worker_update(s, &w3, 1, NULL)); /* w3 enters */
  atesql_worker w1 = labelled("w1", NULL, 0);
  assert_ok(s, atesql_worker_update(s, &w1, 1, NULL)); /* w1 leaves */
  const char *want[] = {"w1", "w3", "w1"};
  atesql_event_type types[] = {ATESQL_EVENT_CREATED, ATESQL_EVENT_CREATED,
                               ATESQL_EVENT_DELETED};
  for (int i = 0; i < 3; i++) {
    atesql_worker_event *e = NULL;
    atesql_status st = atesql_watch_next(watch, 10000, &e);
    if (st != ATESQL_OK)
      fail_msg("watch next: %s: %s", atesql_status_str(st),
               atesql_watch_errmsg(watch));
    assert_string_equal(e->worker.worker_pod, want[i]);
    assert_int_equal(e->type, types[i]);
    if (i == 1) {
      expect_labels(&e->worker, "gpu=h100");
      expect_labels(e->previous, "zone=a");
    }
    if (i == 2) {
      expect_labels(&e->worker, "");
      expect_labels(e->previous, "gpu=h100,zone=a");
    }
    atesql_worker_event_free(e);
  }
  atesql_worker_event *e = NULL;
  assert_int_equal(atesql_watch_next(watch, 0, &e), ATESQL_DEADLINE_EXCEEDED);
  atesql_watch_close(watch);
}

/* A listing's later page reflects its first page's revision, labels
** included: a worker whose label went away since is listed as it was. */
static void
test_a_listing_at_a_revision_reads_labels_as_they_were(void **state) {
  atesql_store *s = *state;
  const atesql_label g[] = {{"gpu", "h100"}};
  for (int i = 0; i < 6; i++) {
    char pod[8];
    snprintf(pod, sizeof pod, "p%d", i);
    atesql_worker w = labelled(pod, g, 1);
    assert_ok(s, atesql_worker_create(s, &w));
  }
  create_worker(s, "ns", "cpu", "p6");
  atesql_list_opts opts = {.selector_text = "labels.gpu=h100", .page_size = 2};
  atesql_worker_page *page = NULL;
  assert_ok(s, atesql_worker_list(s, &opts, &page));
  assert_int_equal(page->count, 2);
  char *token = strdup(page->next_page_token);
  atesql_worker_page_free(page);
  atesql_worker p4 = labelled("p4", NULL, 0);
  assert_ok(s, atesql_worker_update(s, &p4, 1, NULL));
  atesql_worker p6 = labelled("p6", g, 1);
  assert_ok(s, atesql_worker_update(s, &p6, 1, NULL));
  key_list seen = {0};
  while (token[0]) {
    opts.page_token = token;
    assert_ok(s, atesql_worker_list(s, &opts, &page));
    for (size_t i = 0; i < page->count; i++) {
      key_list_add(&seen, page->items[i].worker_pod);
      expect_labels(&page->items[i], "gpu=h100");
    }
    free(token);
    token = strdup(page->next_page_token);
    atesql_worker_page_free(page);
  }
  free(token);
  char *got = key_list_join(&seen);
  assert_string_equal(got, "p2,p3,p4,p5");
  free(got);
  key_list_free(&seen);
}

static void test_labels_travel_in_json_documents(void **state) {
  atesql_store *s = *state;
  create_fleet(s);
  atesql_worker *w = get_worker(s, "ns", "cpu", "w1");
  char *json = NULL;
  assert_int_equal(atesql_worker_to_json(w, &json, NULL), ATESQL_OK);
  assert_non_null(strstr(json, "\"labels\":{\"gpu\":\"h100\",\"zone\":\"a\"}"));
  atesql_worker *back = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_worker_from_json(json, strlen(json), &back, &err),
                   ATESQL_OK);
  expect_labels(back, "gpu=h100,zone=a");
  atesql_free(json);
  atesql_worker_free(back);
  atesql_worker_free(w);
  /* Without labels the field is left out, as protojson leaves out an
  ** empty map, and an upstream document (no field) has none. */
  w = get_worker(s, "ns", "cpu", "w4");
  assert_int_equal(atesql_worker_to_json(w, &json, NULL), ATESQL_OK);
  assert_null(strstr(json, "labels"));
  atesql_free(json);
  atesql_worker_free(w);
  static const char doc[] =
      "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
      "\"workerPod\":\"w9\",\"labels\":{\"b\":\"2\",\"a\":\"1\"}}";
  assert_int_equal(atesql_worker_from_json(doc, strlen(doc), &back, &err),
                   ATESQL_OK);
  assert_ok(s, atesql_worker_import(s, back));
  atesql_worker_free(back);
  expect_worker_pods(s, "labels.a=1,labels.b=2", "w9");
  /* A label the store refuses is refused on import too. */
  static const char bad[] =
      "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
      "\"workerPod\":\"w10\",\"labels\":{\"a b\":\"1\"}}";
  assert_int_equal(atesql_worker_from_json(bad, strlen(bad), &back, &err),
                   ATESQL_OK);
  assert_status(s, atesql_worker_import(s, back), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(s, "'a b'");
  atesql_worker_free(back);
}

const struct CMUnitTest *label_tests(size_t *count) {
  static const struct CMUnitTest tests[] = {
      STORE_TEST(test_labels_are_stored_sorted_and_replaced_whole),
      STORE_TEST(test_bad_labels_are_refused_naming_the_label),
      STORE_TEST(test_label_selectors_mean_what_kubernetes_says),
      STORE_TEST(test_bad_label_selectors_are_refused),
      STORE_TEST(test_claims_take_label_terms),
      STORE_TEST(test_watches_carry_and_select_labels),
      STORE_TEST(test_a_listing_at_a_revision_reads_labels_as_they_were),
      STORE_TEST(test_labels_travel_in_json_documents),
  };
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
