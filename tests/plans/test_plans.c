/*
** Index use, proven by the database's own plans: for every whitelisted
** field of every resource and for the scheduler's composite questions, the
** first page of a list must search an index and never scan the table. The
** data is large and analyzed enough that the planner's choice is real. A
** second check reads the live schema: every whitelisted field leads an
** index (or is the primary key's first column). A field added to schema.c
** without its index fails both.
*/
#include "suite.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/atesql.h"
#include "backend.h"
#include "schema.h"

enum { ATESPACES = 2000, WORKERS = 20000, ACTORS = 10000, BUMPED = 1000 };

static const char *url;
static atesql_store *store;

/* Worker i: free when i % 4 == 0, in pool i % 20, on node i % 400. */
static void fill_worker(int i, atesql_worker *w, char bufs[9][32]) {
  snprintf(bufs[0], 32, "ns-%d", i % 5);
  snprintf(bufs[1], 32, "pool-%d", i % 20);
  snprintf(bufs[2], 32, "pod-%d", i);
  snprintf(bufs[3], 32, "ans-%d", i % 10);
  snprintf(bufs[4], 32, "tmpl-%d", i % 30);
  snprintf(bufs[5], 32, i % 4 ? "actor-%d" : "", i);
  snprintf(bufs[6], 32, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
  snprintf(bufs[7], 32, "node-%d", i % 400);
  snprintf(bufs[8], 32, i % 4 ? "space-%d" : "", i % 50);
  atesql_worker v = {.worker_namespace = bufs[0],
                     .worker_pool = bufs[1],
                     .worker_pod = bufs[2],
                     .actor_namespace = bufs[3],
                     .actor_template = bufs[4],
                     .actor_id = bufs[5],
                     .actor_atespace = bufs[8],
                     .ip = bufs[6],
                     .worker_pod_uid = bufs[2] + 4,
                     .node_name = bufs[7]};
  *w = v;
}

static void fill_actor(int i, atesql_actor *a, char bufs[9][32]) {
  snprintf(bufs[0], 32, "space-%d", i % 50);
  snprintf(bufs[1], 32, "actor-%d", i);
  snprintf(bufs[2], 32, "tns-%d", i % 20);
  snprintf(bufs[3], 32, "tname-%d", i % 50);
  snprintf(bufs[4], 32, "pns-%d", i % 10);
  snprintf(bufs[5], 32, "apod-%d", i);
  snprintf(bufs[6], 32, "10.9.%d.%d", i >> 8, i & 255);
  snprintf(bufs[7], 32, "pool-%d", i % 20);
  atesql_actor v = {.atespace = bufs[0],
                    .actor_id = bufs[1],
                    .actor_template_namespace = bufs[2],
                    .actor_template_name = bufs[3],
                    .status = (atesql_actor_status)(i % 7),
                    .ateom_pod_namespace = bufs[4],
                    .ateom_pod_name = bufs[5],
                    .ateom_pod_ip = bufs[6],
                    .ateom_pod_uid = bufs[5] + 1,
                    .worker_pool_name = bufs[7]};
  *a = v;
}

#define OK(call)                                                               \
  do {                                                                         \
    atesql_status st_ = (call);                                                \
    if (st_ != ATESQL_OK)                                                      \
      fail_msg("%s: %s: %s", #call, atesql_status_str(st_),                    \
               atesql_errmsg(store));                                          \
  } while (0)

/* The fleet: WORKERS workers and ACTORS actors with varied values, a few
** updated so that versions differ, then ANALYZE. */
static int load_fleet(void **state) {
  (void)state;
  atesql_error err = {0};
  if (atesql_migrate_up(url, NULL, &err) != ATESQL_OK ||
      atesql_store_open(url, &store, &err) != ATESQL_OK) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  OK(atesql_store_clear(store));
  OK(atesql_tx_begin(store));
  char bufs[9][32];
  for (int i = 0; i < ATESPACES; i++) {
    char name[32];
    snprintf(name, sizeof name, "space-%d", i);
    atesql_atespace a = {name};
    OK(atesql_atespace_create(store, &a));
  }
  for (int i = 0; i < WORKERS; i++) {
    atesql_worker w;
    fill_worker(i, &w, bufs);
    OK(atesql_worker_create(store, &w));
  }
  for (int i = 0; i < ACTORS; i++) {
    atesql_actor a;
    fill_actor(i, &a, bufs);
    OK(atesql_actor_create(store, &a));
  }
  for (int i = 0; i < BUMPED; i++) {
    atesql_worker w;
    fill_worker(i * 7, &w, bufs);
    OK(atesql_worker_update(store, &w, 1, NULL));
    atesql_actor a;
    fill_actor(i * 7, &a, bufs);
    OK(atesql_actor_update(store, &a, 1, NULL));
  }
  OK(atesql_tx_commit(store));
  OK(atesql_store_analyze(store));
  return 0;
}

static int close_store(void **state) {
  (void)state;
  atesql_store_close(store);
  return 0;
}

/* A value of each field that selects a realistic share of the rows. */
typedef struct sample {
  atesql_resource resource;
  const char *field;
  const char *value;
} sample;

static const sample samples[] = {
    {ATESQL_RESOURCE_WORKERS, "worker_namespace", "ns-1"},
    {ATESQL_RESOURCE_WORKERS, "worker_pool", "pool-3"},
    {ATESQL_RESOURCE_WORKERS, "worker_pod", "pod-77"},
    {ATESQL_RESOURCE_WORKERS, "actor_namespace", "ans-3"},
    {ATESQL_RESOURCE_WORKERS, "actor_template", "tmpl-4"},
    {ATESQL_RESOURCE_WORKERS, "actor_id", "actor-5"},
    {ATESQL_RESOURCE_WORKERS, "actor_atespace", "space-7"},
    {ATESQL_RESOURCE_WORKERS, "ip", "10.0.0.77"},
    {ATESQL_RESOURCE_WORKERS, "worker_pod_uid", "77"},
    {ATESQL_RESOURCE_WORKERS, "node_name", "node-9"},
    {ATESQL_RESOURCE_WORKERS, "version", "2"},
    {ATESQL_RESOURCE_ACTORS, "atespace", "space-3"},
    {ATESQL_RESOURCE_ACTORS, "actor_id", "actor-3"},
    {ATESQL_RESOURCE_ACTORS, "actor_template_namespace", "tns-2"},
    {ATESQL_RESOURCE_ACTORS, "actor_template_name", "tname-7"},
    {ATESQL_RESOURCE_ACTORS, "status", "STATUS_PAUSED"},
    {ATESQL_RESOURCE_ACTORS, "ateom_pod_namespace", "pns-1"},
    {ATESQL_RESOURCE_ACTORS, "ateom_pod_name", "apod-5"},
    {ATESQL_RESOURCE_ACTORS, "ateom_pod_ip", "10.9.0.5"},
    {ATESQL_RESOURCE_ACTORS, "ateom_pod_uid", "pod-5"},
    {ATESQL_RESOURCE_ACTORS, "worker_pool_name", "pool-3"},
    {ATESQL_RESOURCE_ACTORS, "version", "2"},
    {ATESQL_RESOURCE_ATESPACES, "name", "space-3"},
};

static void expect_index(atesql_resource r, const char *selector) {
  atesql_list_opts opts = {.selector_text = selector, .page_size = 100};
  atesql_plan *plan = NULL;
  OK(atesql_explain(store, r, &opts, &plan));
  if (!plan->uses_index)
    fail_msg("%s '%s' does not search an index: %s\nSQL: %s\nplan:\n%s",
             atesql_resource_name(r), selector, plan->verdict, plan->sql,
             plan->plan);
  atesql_plan_free(plan);
}

static void test_every_whitelisted_field_searches_an_index(void **state) {
  (void)state;
  const atesql_resource all[] = {ATESQL_RESOURCE_WORKERS,
                                 ATESQL_RESOURCE_ACTORS,
                                 ATESQL_RESOURCE_ATESPACES};
  for (size_t r = 0; r < 3; r++) {
    const resource_def *res = schema_resource(all[r]);
    for (size_t f = 0; f < res->field_count; f++) {
      const sample *s = NULL;
      for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++)
        if (samples[k].resource == all[r] &&
            strcmp(samples[k].field, res->fields[f].name) == 0)
          s = &samples[k];
      if (s == NULL)
        fail_msg("no sample value for %s.%s: add the field's index to the "
                 "migrations and a sample here",
                 res->name, res->fields[f].name);
      char selector[128];
      snprintf(selector, sizeof selector, "%s=%s", s->field, s->value);
      expect_index(all[r], selector);
    }
  }
}

static void test_free_workers_in_a_pool_search_an_index(void **state) {
  (void)state;
  expect_index(ATESQL_RESOURCE_WORKERS, "worker_pool=pool-4,actor_id=");
}

static void test_free_workers_in_pools_on_nodes_search_an_index(void **state) {
  (void)state;
  expect_index(ATESQL_RESOURCE_WORKERS,
               "worker_pool in (pool-4,pool-8),node_name in "
               "(node-4,node-8,node-24),actor_id=");
}

static void test_actors_of_an_atespace_by_status_search_an_index(void **state) {
  (void)state;
  expect_index(ATESQL_RESOURCE_ACTORS, "atespace=space-3,status=STATUS_PAUSED");
  expect_index(ATESQL_RESOURCE_ACTORS,
               "atespace=space-3,status in (STATUS_PAUSED,STATUS_RUNNING)");
}

static void test_later_pages_search_an_index(void **state) {
  (void)state;
  atesql_list_opts opts = {.selector_text = "worker_pool=pool-4,actor_id=",
                           .page_size = 10};
  atesql_worker_page *page = NULL;
  OK(atesql_worker_list(store, &opts, &page));
  assert_true(strlen(page->next_page_token) > 0);
  opts.page_token = page->next_page_token;
  atesql_plan *plan = NULL;
  OK(atesql_explain(store, ATESQL_RESOURCE_WORKERS, &opts, &plan));
  assert_true(plan->uses_index);
  atesql_plan_free(plan);
  atesql_worker_page_free(page);
}

static void test_not_equal_only_selector_is_reported_as_a_scan(void **state) {
  (void)state;
  atesql_list_opts opts = {.selector_text = "node_name!=node-1"};
  atesql_plan *plan = NULL;
  OK(atesql_explain(store, ATESQL_RESOURCE_WORKERS, &opts, &plan));
  assert_false(plan->uses_index);
  assert_non_null(strstr(plan->verdict, "WARNING"));
  assert_true(strlen(plan->plan) > 0);
  atesql_plan_free(plan);
}

/* Does an index of `table` have `column` as its first column? */
static bool sqlite_has_leading_index(sqlite3 *db, const char *table,
                                     const char *column) {
  sqlite3_stmt *st;
  sqlite3_prepare_v2(db,
                     "SELECT count(*) FROM pragma_index_list(?1) AS il, "
                     "pragma_index_info(il.name) AS ii "
                     "WHERE ii.seqno = 0 AND ii.name = ?2",
                     -1, &st, NULL);
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
  bool found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
  sqlite3_finalize(st);
  return found;
}

static bool pg_has_leading_index(PGconn *pg, const char *table,
                                 const char *column) {
  const char *params[] = {table, column};
  PGresult *r = PQexecParams(
      pg,
      "SELECT count(*) FROM pg_index i "
      "JOIN pg_class t ON t.oid = i.indrelid "
      "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] "
      "WHERE t.relname = $1 AND a.attname = $2 "
      "AND t.relnamespace = current_schema()::regnamespace",
      2, NULL, params, NULL, NULL, 0);
  bool found =
      PQresultStatus(r) == PGRES_TUPLES_OK && atoi(PQgetvalue(r, 0, 0)) > 0;
  PQclear(r);
  return found;
}

static void test_live_schema_has_an_index_led_by_every_field(void **state) {
  (void)state;
  sqlite3 *db = NULL;
  PGconn *pg = NULL;
  if (test_backend_is_postgres()) {
    pg = PQconnectdb(url);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
  } else {
    assert_int_equal(sqlite3_open(url + strlen("sqlite:"), &db), SQLITE_OK);
  }
  const atesql_resource all[] = {ATESQL_RESOURCE_WORKERS,
                                 ATESQL_RESOURCE_ACTORS,
                                 ATESQL_RESOURCE_ATESPACES};
  for (size_t r = 0; r < 3; r++) {
    const resource_def *res = schema_resource(all[r]);
    for (size_t f = 0; f < res->field_count; f++) {
      const char *col = res->fields[f].column;
      bool found = pg ? pg_has_leading_index(pg, res->table, col)
                      : sqlite_has_leading_index(db, res->table, col);
      if (!found)
        fail_msg("%s.%s is selectable but no index of %s starts with it",
                 res->name, col, res->table);
    }
  }
  sqlite3_close(db);
  PQfinish(pg);
}

int main(void) {
  url = test_backend_url("plans");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_live_schema_has_an_index_led_by_every_field),
      cmocka_unit_test(test_every_whitelisted_field_searches_an_index),
      cmocka_unit_test(test_free_workers_in_a_pool_search_an_index),
      cmocka_unit_test(test_free_workers_in_pools_on_nodes_search_an_index),
      cmocka_unit_test(test_actors_of_an_atespace_by_status_search_an_index),
      cmocka_unit_test(test_later_pages_search_an_index),
      cmocka_unit_test(test_not_equal_only_selector_is_reported_as_a_scan),
  };
  return cmocka_run_group_tests(tests, load_fleet, close_store);
}
