/*
** A handle's statistics and trace hook: each call counted once, under its
** own name, by the status it returned, its time in the histogram; the
** statements, rows and statement cache behind them; the hook called once
** per call with what the call did, and not at all once unset; a reset
** starts from zero.
*/
#include "conformance.h"

#include <string.h>

/* The calls a trace hook saw. */
typedef struct traced {
  size_t count;
  atesql_trace_event last;
  char statement[64];
  char message[256];
} traced;

static void record_event(void *arg, const atesql_trace_event *e) {
  traced *t = arg;
  t->count++;
  t->last = *e;
  snprintf(t->statement, sizeof t->statement, "%s", e->statement);
  snprintf(t->message, sizeof t->message, "%s", e->message);
}

static uint64_t histogram_total(const atesql_call_stats *c) {
  uint64_t n = 0;
  for (int i = 0; i < ATESQL_LATENCY_BUCKETS; i++)
    n += c->latency[i];
  return n;
}

static void test_calls_are_counted_by_name_and_status(void **state) {
  atesql_store *store = *state;
  atesql_store_stats_reset(store);
  atesql_worker w = make_worker("ns", "cpu", "stats-1");
  assert_ok(store, atesql_worker_create(store, &w));
  atesql_worker *got = NULL;
  assert_ok(store, atesql_worker_get(store, "ns", "cpu", "stats-1", &got));
  atesql_worker_free(got);
  got = NULL;
  assert_ok(store, atesql_worker_get(store, "ns", "cpu", "stats-1", &got));
  atesql_worker_free(got);
  got = NULL;
  assert_int_equal(atesql_worker_get(store, "ns", "cpu", "missing", &got),
                   ATESQL_NOT_FOUND);
  atesql_list_opts opts = {.selector_text = "worker_pool=cpu"};
  atesql_worker_page *page = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  size_t listed = page->count;
  atesql_worker_page_free(page);

  atesql_stats s;
  assert_int_equal(atesql_store_stats(store, &s), ATESQL_OK);
  const atesql_call_stats *get = &s.calls[ATESQL_CALL_WORKER_GET];
  assert_int_equal(get->calls, 3);
  assert_int_equal(get->by_status[ATESQL_OK], 2);
  assert_int_equal(get->by_status[ATESQL_NOT_FOUND], 1);
  assert_int_equal(histogram_total(get), 3);
  assert_int_equal(s.calls[ATESQL_CALL_WORKER_CREATE].calls, 1);
  assert_int_equal(s.calls[ATESQL_CALL_WORKER_LIST].calls, 1);
  assert_int_equal(s.calls[ATESQL_CALL_WORKER_UPDATE].calls, 0);
  assert_true(s.calls[ATESQL_CALL_WORKER_LIST].total_us > 0);
  /* Each call ran a statement at least; the two found gets and the list
  ** read rows; the second get ran a statement prepared by the first. */
  assert_true(s.statements >= 5);
  assert_true(s.rows_read >= 2 + listed);
  assert_true(s.statement_cache_hits >= 1);
  assert_string_equal(atesql_call_name(ATESQL_CALL_WORKER_GET), "worker_get");
  assert_string_equal(atesql_call_name(ATESQL_CALL_COUNT), "unknown");

  atesql_store_stats_reset(store);
  assert_int_equal(atesql_store_stats(store, &s), ATESQL_OK);
  assert_int_equal(s.calls[ATESQL_CALL_WORKER_GET].calls, 0);
  assert_int_equal(s.statements, 0);
  assert_int_equal(s.reconnects, 0);
}

static void test_trace_hook_sees_each_call_until_unset(void **state) {
  atesql_store *store = *state;
  traced t = {0};
  atesql_store_set_trace(store, record_event, &t);
  atesql_worker w = make_worker("ns", "cpu", "trace-1");
  assert_ok(store, atesql_worker_create(store, &w));
  assert_int_equal(t.count, 1);
  assert_int_equal(t.last.call, ATESQL_CALL_WORKER_CREATE);
  assert_string_equal(t.last.call_name, "worker_create");
  assert_string_equal(t.statement, "worker_create");
  assert_int_equal(t.last.status, ATESQL_OK);
  assert_string_equal(t.message, "");
  assert_true(t.last.duration_ns > 0);

  assert_int_equal(atesql_worker_create(store, &w), ATESQL_ALREADY_EXISTS);
  assert_int_equal(t.count, 2);
  assert_int_equal(t.last.status, ATESQL_ALREADY_EXISTS);
  assert_string_equal(t.message, atesql_errmsg(store));
  assert_true(strlen(t.message) > 0);

  atesql_list_opts opts = {.selector_text = "worker_pool=cpu"};
  int64_t count = 0;
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  assert_int_equal(t.count, 3);
  assert_string_equal(t.last.call_name, "worker_count");
  assert_true(strlen(t.statement) > 0);

  /* A call refused before any statement ran names none. */
  assert_int_equal(atesql_worker_get(store, "", "cpu", "x", NULL),
                   ATESQL_INVALID_ARGUMENT);
  assert_int_equal(t.count, 4);
  assert_string_equal(t.statement, "");

  atesql_store_set_trace(store, NULL, NULL);
  assert_int_equal(atesql_worker_count(store, &opts, &count), ATESQL_OK);
  assert_int_equal(t.count, 4);
}

/* atesql_lock_acquire and atesql_lock_acquire_token are one call. */
static void test_both_acquires_count_as_lock_acquire(void **state) {
  atesql_store *store = *state;
  atesql_store_stats_reset(store);
  bool acquired = false;
  int64_t token = 0;
  assert_ok(store,
            atesql_lock_acquire(store, "stats-lock", "a", 60000, &acquired));
  assert_true(acquired);
  assert_ok(store, atesql_lock_acquire_token(store, "stats-lock", "b", 60000,
                                             &acquired, &token));
  assert_false(acquired);
  bool released = false;
  assert_ok(store, atesql_lock_release(store, "stats-lock", "a", &released));
  atesql_stats s;
  assert_int_equal(atesql_store_stats(store, &s), ATESQL_OK);
  assert_int_equal(s.calls[ATESQL_CALL_LOCK_ACQUIRE].calls, 2);
  assert_int_equal(s.calls[ATESQL_CALL_LOCK_RELEASE].calls, 1);
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_calls_are_counted_by_name_and_status),
    STORE_TEST(test_trace_hook_sees_each_call_until_unset),
    STORE_TEST(test_both_acquires_count_as_lock_acquire),
};

const struct CMUnitTest *stats_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
