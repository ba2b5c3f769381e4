/*
** The PostgreSQL change feed under the transactions that used to stall
** it (migrations/postgres/0006): writers never wait for another's open
** transaction; a list taken around a slow transaction, then a watch from
** its revision, see every change exactly once; a writer whose connection
** dies leaves no event and holds nothing; an upgrade from migration 0005
** keeps every event and revision, and a watch resumes across it.
**
** Runs against ATESQL_TEST_PG (exit 77 without it, outside CI).
*/
#include "suite.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atesql/atesql.h"
#include "pg_schema.h"

enum { PODS = 16, WAIT_MS = 10000 };

static atesql_worker worker(const char *pod) {
  atesql_worker w = {.worker_namespace = "ns",
                     .worker_pool = "cpu",
                     .worker_pod = pod,
                     .ip = "10.0.0.1",
                     .node_name = "n1"};
  return w;
}

static void pod_name(int i, char *buf, size_t n) {
  snprintf(buf, n, "w%02d", i);
}

static void create_pods(atesql_store *s) {
  for (int i = 0; i < PODS; i++) {
    char pod[8];
    pod_name(i, pod, sizeof pod);
    atesql_worker w = worker(pod);
    if (atesql_worker_create(s, &w) != ATESQL_OK)
      fail_msg("create %s: %s", pod, atesql_errmsg(s));
  }
}

/* A libpq connection to the schema's store, for what atesql does not do:
** a transaction left open, a raw write. */
static PGconn *raw_connect(const char *url) {
  PGconn *c = PQconnectdb(url);
  if (PQstatus(c) != CONNECTION_OK) fail_msg("connect: %s", PQerrorMessage(c));
  return c;
}

static void raw_exec(PGconn *c, const char *sql) {
  PGresult *r = PQexec(c, sql);
  ExecStatusType rs = PQresultStatus(r);
  if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
    fail_msg("%s: %s", sql, PQerrorMessage(c));
  PQclear(r);
}

/* Update a worker's node through atesql, at its current version. */
static void set_node(atesql_store *s, const char *pod, const char *node) {
  atesql_worker *cur = NULL;
  if (atesql_worker_get(s, "ns", "cpu", pod, &cur) != ATESQL_OK)
    fail_msg("get %s: %s", pod, atesql_errmsg(s));
  atesql_worker next = *cur;
  next.node_name = node;
  if (atesql_worker_update(s, &next, cur->version, NULL) != ATESQL_OK)
    fail_msg("update %s: %s", pod, atesql_errmsg(s));
  atesql_worker_free(cur);
}

/* ---- a cache kept by a list, then a watch ---- */

typedef struct cached {
  bool present;
  int64_t version;
  char node[32];
} cached;

typedef struct cache {
  cached pods[PODS];
  int64_t revision;
} cache;

static int pod_index(const char *pod) {
  int i = atoi(pod + 1);
  assert_true(i >= 0 && i < PODS);
  return i;
}

/* Every worker, in pages of 3 (so that later pages are read as of the
** first's revision), into c. */
static void list_into(atesql_store *s, cache *c) {
  memset(c, 0, sizeof *c);
  char token[512] = "";
  int64_t revision = -1;
  for (;;) {
    atesql_list_opts o = {.page_size = 3, .page_token = token};
    atesql_worker_page *page = NULL;
    if (atesql_worker_list(s, &o, &page) != ATESQL_OK)
      fail_msg("list: %s", atesql_errmsg(s));
    if (revision < 0) revision = page->revision;
    assert_int_equal(page->revision, revision);
    for (size_t i = 0; i < page->count; i++) {
      cached *p = &c->pods[pod_index(page->items[i].worker_pod)];
      p->present = true;
      p->version = page->items[i].version;
      snprintf(p->node, sizeof p->node, "%s", page->items[i].node_name);
    }
    snprintf(token, sizeof token, "%s", page->next_page_token);
    atesql_worker_page_free(page);
    if (*token == '\0') break;
  }
  c->revision = revision;
}

/* Apply every event after c->revision up to the store's revision now to
** c, each exactly once: an update must follow the version the cache
** holds. Returns how many events set the pod `pod` to node `node`. */
static int watch_into(const char *url, atesql_store *s, cache *c,
                      const char *pod, const char *node) {
  int64_t target = 0;
  if (atesql_store_revision(s, &target, NULL) != ATESQL_OK)
    fail_msg("revision: %s", atesql_errmsg(s));
  atesql_watch_opts o = {.since_revision = c->revision};
  atesql_watch *w = NULL;
  atesql_error err = {0};
  if (atesql_watch_open(url, &o, &w, &err) != ATESQL_OK)
    fail_msg("watch: %s", err.message);
  int seen = 0;
  while (atesql_watch_revision(w) < target) {
    atesql_worker_event *e = NULL;
    atesql_status st = atesql_watch_next(w, WAIT_MS, &e);
    if (st != ATESQL_OK)
      fail_msg("watch_next: %s: %s", atesql_status_str(st),
               atesql_watch_errmsg(w));
    assert_true(e->revision > c->revision);
    c->revision = e->revision;
    cached *p = &c->pods[pod_index(e->worker.worker_pod)];
    if (e->type == ATESQL_EVENT_DELETED) {
      assert_true(p->present);
      p->present = false;
    } else {
      if (e->type == ATESQL_EVENT_CREATED && p->present)
        fail_msg("%s created at revision %lld: the cache holds it",
                 e->worker.worker_pod, (long long)e->revision);
      if (e->type == ATESQL_EVENT_UPDATED) {
        assert_true(p->present);
        if (e->previous->version != p->version)
          fail_msg("%s at revision %lld: previous version %lld, the cache "
                   "holds %lld",
                   e->worker.worker_pod, (long long)e->revision,
                   (long long)e->previous->version, (long long)p->version);
      }
      p->present = true;
      p->version = e->worker.version;
      snprintf(p->node, sizeof p->node, "%s", e->worker.node_name);
      if (strcmp(e->worker.worker_pod, pod) == 0 &&
          strcmp(e->worker.node_name, node) == 0)
        seen++;
    }
    atesql_worker_event_free(e);
  }
  atesql_watch_close(w);
  return seen;
}

static void expect_cache_is_the_store(atesql_store *s, const cache *c) {
  cache now;
  list_into(s, &now);
  for (int i = 0; i < PODS; i++) {
    assert_int_equal(c->pods[i].present, now.pods[i].present);
    assert_int_equal(c->pods[i].version, now.pods[i].version);
    assert_string_equal(c->pods[i].node, now.pods[i].node);
  }
}

/* Writers updating w01..w15 in turn, each update committed, until told
** to stop. */
typedef struct churn {
  const char *url;
  atomic_bool stop;
  int updates;
} churn;

static void *churn_main(void *arg) {
  churn *ch = arg;
  atesql_store *s = NULL;
  atesql_error err = {0};
  if (atesql_store_open(ch->url, &s, &err) != ATESQL_OK) return NULL;
  for (int i = 0; !atomic_load(&ch->stop); i++) {
    char pod[8], node[16];
    pod_name(1 + i % (PODS - 1), pod, sizeof pod);
    snprintf(node, sizeof node, "n%d", i);
    set_node(s, pod, node);
    ch->updates++;
    usleep(2000);
  }
  atesql_store_close(s);
  return NULL;
}

/*
** A transaction writes w00 and stays open 5 s while other writers commit.
** A list taken meanwhile, then a watch from its revision, must deliver
** the slow change exactly once after it commits: no gap, no duplicate.
** `raw` makes the slow change with SQL, else through atesql.
*/
static void slow_transaction_then_list_then_watch(const char *schema,
                                                  bool raw) {
  atesql_store *s = open_in_schema(schema, schema);
  const char *url = schema_app_url();
  create_pods(s);
  assert_int_equal(atesql_store_revision(s, NULL, NULL), ATESQL_OK);

  PGconn *slow_sql = NULL;
  atesql_store *slow = NULL;
  atesql_error err = {0};
  if (raw) {
    slow_sql = raw_connect(url);
    raw_exec(slow_sql, "BEGIN");
    raw_exec(slow_sql, "UPDATE workers SET node_name = 'slow', version = "
                       "version + 1 WHERE worker_pod = 'w00'");
  } else {
    if (atesql_store_open(url, &slow, &err) != ATESQL_OK)
      fail_msg("open: %s", err.message);
    assert_int_equal(atesql_tx_begin(slow), ATESQL_OK);
    set_node(slow, "w00", "slow");
  }

  churn ch = {.url = url};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, churn_main, &ch), 0);
  usleep(1000 * 1000);
  cache c;
  list_into(s, &c);
  assert_string_equal(c.pods[0].node, "n1");
  usleep(4000 * 1000);
  if (raw) {
    raw_exec(slow_sql, "COMMIT");
    PQfinish(slow_sql);
  } else {
    assert_int_equal(atesql_tx_commit(slow), ATESQL_OK);
    atesql_store_close(slow);
  }
  usleep(200 * 1000);
  atomic_store(&ch.stop, true);
  pthread_join(t, NULL);
  assert_true(ch.updates > 100);

  assert_int_equal(watch_into(url, s, &c, "w00", "slow"), 1);
  expect_cache_is_the_store(s, &c);
  atesql_store_close(s);
}

static void test_slow_atesql_transaction_list_then_watch_is_exact(void **st) {
  (void)st;
  slow_transaction_then_list_then_watch("atesql_feed_slow", false);
}

static void test_slow_sql_transaction_list_then_watch_is_exact(void **st) {
  (void)st;
  slow_transaction_then_list_then_watch("atesql_feed_slow_sql", true);
}

/*
** An operator's transaction updates a free worker and stays open: claims,
** updates, lists and watches of other workers go on without waiting for
** it (each bounded by the handle's timeout, far below the time it stays
** open), and the claim passes over the locked worker.
*/
static void test_no_writer_waits_on_an_open_transaction(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_feed_open", "atesql_feed_open");
  const char *url = schema_app_url();
  create_pods(s);
  atesql_store_set_timeout(s, 5000);
  atesql_watch_opts wo = {.since_revision = ATESQL_WATCH_NOW};
  atesql_watch *w = NULL;
  atesql_error err = {0};
  if (atesql_watch_open(url, &wo, &w, &err) != ATESQL_OK)
    fail_msg("watch: %s", err.message);

  PGconn *op = raw_connect(url);
  raw_exec(op, "BEGIN");
  raw_exec(op, "UPDATE workers SET ip = '10.9.9.9', version = version + 1 "
               "WHERE worker_pod = 'w00'");

  atesql_pool_ref pool = {"ns", "cpu"};
  atesql_claim_request req = {
      .pools = &pool, .pool_count = 1, .actor_atespace = "s", .actor_id = "a1"};
  atesql_worker *got = NULL;
  if (atesql_worker_claim(s, &req, &got) != ATESQL_OK)
    fail_msg("claim: %s", atesql_errmsg(s));
  assert_string_not_equal(got->worker_pod, "w00");
  char claimed[8];
  snprintf(claimed, sizeof claimed, "%s", got->worker_pod);
  atesql_worker_free(got);
  set_node(s, "w05", "n2");
  atesql_worker_page *page = NULL;
  assert_int_equal(atesql_worker_list(s, NULL, &page), ATESQL_OK);
  assert_int_equal(page->count, PODS);
  atesql_worker_page_free(page);

  /* Both changes are delivered while the transaction is still open. */
  atesql_worker_event *e = NULL;
  assert_int_equal(atesql_watch_next(w, WAIT_MS, &e), ATESQL_OK);
  assert_string_equal(e->worker.worker_pod, claimed);
  assert_string_equal(e->worker.actor_id, "a1");
  atesql_worker_event_free(e);
  assert_int_equal(atesql_watch_next(w, WAIT_MS, &e), ATESQL_OK);
  assert_string_equal(e->worker.worker_pod, "w05");
  atesql_worker_event_free(e);

  raw_exec(op, "COMMIT");
  PQfinish(op);
  assert_int_equal(atesql_watch_next(w, WAIT_MS, &e), ATESQL_OK);
  assert_string_equal(e->worker.worker_pod, "w00");
  assert_string_equal(e->worker.ip, "10.9.9.9");
  atesql_worker_event_free(e);
  atesql_watch_close(w);
  atesql_store_close(s);
}

/*
** A writer's connection dies in the middle of its transaction: nothing of
** it is delivered, and its worker is free to write again as soon as the
** server has ended it.
*/
static void test_writer_killed_mid_transaction_leaves_no_event(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_feed_kill", "atesql_feed_kill");
  create_pods(s);
  atesql_store_set_timeout(s, 5000);
  cache c;
  list_into(s, &c);

  PGconn *victim =
      raw_connect(url_with("application_name", "atesql_feed_victim"));
  raw_exec(victim, "SET search_path = atesql_feed_kill");
  raw_exec(victim, "BEGIN");
  raw_exec(victim, "UPDATE workers SET node_name = 'doomed', version = "
                   "version + 1 WHERE worker_pod = 'w00'");
  set_node(s, "w01", "n2");
  kill_backends("atesql_feed_victim");
  PQfinish(victim);
  set_node(s, "w00", "n3");

  assert_int_equal(watch_into(schema_app_url(), s, &c, "w00", "doomed"), 0);
  assert_string_equal(c.pods[0].node, "n3");
  assert_int_equal(c.pods[0].version, 2);
  expect_cache_is_the_store(s, &c);
  atesql_store_close(s);
}

/*
** A numbering that fails (here a trigger refuses it; in life a lost
** connection or a full disk) fails the call that needed it: no list page,
** revision or event is reported as if the changes were numbered, and once
** numbering works again everything is delivered.
*/
static void test_failed_numbering_fails_the_reader(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_feed_fail", "atesql_feed_fail");
  create_pods(s);
  admin_exec("CREATE FUNCTION atesql_feed_fail.refuse() RETURNS trigger "
             "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'numbering "
             "refused'; END $$; CREATE TRIGGER refuse BEFORE UPDATE ON "
             "atesql_feed_fail.worker_events FOR EACH ROW EXECUTE FUNCTION "
             "atesql_feed_fail.refuse()");
  atesql_worker_page *page = NULL;
  assert_int_equal(atesql_worker_list(s, NULL, &page), ATESQL_INTERNAL);
  assert_null(page);
  assert_non_null(strstr(atesql_errmsg(s), "numbering refused"));
  int64_t revision = -1;
  assert_int_not_equal(atesql_store_revision(s, &revision, NULL), ATESQL_OK);
  atesql_worker *got = NULL;
  assert_int_not_equal(
      atesql_worker_get_at_revision(s, "ns", "cpu", "w00", &got, &revision),
      ATESQL_OK);
  assert_null(got);
  atesql_watch_opts o = {.since_revision = 0};
  atesql_watch *w = NULL;
  atesql_error err = {0};
  assert_int_not_equal(atesql_watch_open(schema_app_url(), &o, &w, &err),
                       ATESQL_OK);

  admin_exec("DROP TRIGGER refuse ON atesql_feed_fail.worker_events");
  cache c;
  list_into(s, &c);
  assert_int_equal(c.revision, PODS);
  c.revision = 0;
  memset(c.pods, 0, sizeof c.pods);
  assert_int_equal(watch_into(schema_app_url(), s, &c, "w00", "n1"), 1);
  expect_cache_is_the_store(s, &c);
  atesql_store_close(s);
}

/* ---- the floor of the pending events ---- */

/* One integer the query sql answers on c. */
static long long raw_int(PGconn *c, const char *sql) {
  PGresult *r = PQexec(c, sql);
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
    fail_msg("%s: %s", sql, PQerrorMessage(c));
  long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
  PQclear(r);
  return v;
}

/*
** A numbering that saw no older transaction running moves the floor past
** every event it numbered at once (migration 0009), so that a quiet
** store's readers do not walk the batch's dead index entries; one that
** saw a writer still running keeps the floor at or below that writer's
** event, which is numbered once it commits.
*/
static void test_numbering_moves_the_floor_only_past_ended_writers(void **st) {
  (void)st;
  atesql_store *s = open_in_schema("atesql_feed_floor", "atesql_feed_floor");
  create_pods(s);
  PGconn *c = raw_connect(url_in_schema("atesql_feed_floor"));
  int64_t revision = 0;
  assert_int_equal(atesql_store_revision(s, &revision, NULL), ATESQL_OK);
  assert_int_equal(revision, PODS);
  long long top = raw_int(c, "SELECT max(seq) FROM worker_events");
  assert_int_equal(raw_int(c, "SELECT numbered_below FROM store_revision"),
                   top + 1);

  /* A writer left open with its change, then others that commit. */
  PGconn *slow = raw_connect(url_in_schema("atesql_feed_floor"));
  raw_exec(slow, "BEGIN");
  raw_exec(slow, "UPDATE workers SET node_name = 'slow', version = "
                 "version + 1 WHERE worker_pod = 'w00'");
  long long slow_seq =
      raw_int(slow, "SELECT seq FROM worker_events WHERE revision IS NULL");
  set_node(s, "w01", "n2");
  set_node(s, "w02", "n2");
  assert_int_equal(atesql_store_revision(s, &revision, NULL), ATESQL_OK);
  assert_int_equal(revision, PODS + 2);
  assert_true(raw_int(c, "SELECT numbered_below FROM store_revision") <=
              slow_seq);

  /* Once it commits, its change is numbered after the others'. */
  raw_exec(slow, "COMMIT");
  assert_int_equal(atesql_store_revision(s, &revision, NULL), ATESQL_OK);
  assert_int_equal(revision, PODS + 3);
  char sql[128];
  snprintf(sql, sizeof sql,
           "SELECT revision FROM worker_events WHERE seq = %lld", slow_seq);
  assert_int_equal(raw_int(c, sql), PODS + 3);
  assert_int_equal(raw_int(c, "SELECT count(*) FROM worker_events WHERE "
                              "revision IS NULL"),
                   0);
  PQfinish(slow);
  PQfinish(c);
  atesql_store_close(s);
}

/* ---- upgrade ---- */

typedef struct event_row {
  int64_t revision, version;
  int change;
  char pod[8], node[16];
} event_row;

/* The events of the schema's feed in revision order, numbered ones only,
** into rows (at most max); returns how many. */
static int read_events(PGconn *c, event_row *rows, int max) {
  PGresult *r =
      PQexec(c, "SELECT revision, change, worker_pod, coalesce(version, "
                "prev_version), coalesce(node_name, prev_node_name) FROM "
                "worker_events WHERE revision IS NOT NULL ORDER BY revision");
  if (PQresultStatus(r) != PGRES_TUPLES_OK)
    fail_msg("read events: %s", PQerrorMessage(c));
  int n = PQntuples(r);
  assert_true(n <= max);
  for (int i = 0; i < n; i++) {
    rows[i].revision = atoll(PQgetvalue(r, i, 0));
    rows[i].change = atoi(PQgetvalue(r, i, 1));
    snprintf(rows[i].pod, sizeof rows[i].pod, "%s", PQgetvalue(r, i, 2));
    rows[i].version = atoll(PQgetvalue(r, i, 3));
    snprintf(rows[i].node, sizeof rows[i].node, "%s", PQgetvalue(r, i, 4));
  }
  PQclear(r);
  return n;
}

/*
** A database at migration 0005 with events, some of which a watch has
** delivered: the upgrade keeps every event at its revision, and a watch
** from the last revision delivered goes on with the rest, then with the
** changes made after the upgrade, numbered on from there.
*/
static void test_upgrade_from_0005_keeps_events_and_resumes(void **state) {
  (void)state;
  admin_exec("DROP SCHEMA IF EXISTS atesql_feed_up CASCADE; CREATE SCHEMA "
             "atesql_feed_up");
  char url[1100];
  snprintf(url, sizeof url, "%s", url_in_schema("atesql_feed_up"));
  atesql_error err = {0};
  if (atesql_migrate_up_to(url, 5, NULL, &err) != ATESQL_OK)
    fail_msg("migrate to 5: %s", err.message);

  /* Writers of 0005 (its trigger numbers at write). */
  PGconn *c = raw_connect(url);
  raw_exec(c, "INSERT INTO workers (worker_namespace, worker_pool, "
              "worker_pod, node_name, version) SELECT 'ns', 'cpu', "
              "'w' || lpad(g::text, 2, '0'), 'n1', 1 FROM "
              "generate_series(0, 15) g");
  for (int i = 0; i < 3; i++)
    raw_exec(c, "UPDATE workers SET node_name = 'old', version = version + "
                "1 WHERE worker_pod IN ('w01', 'w02')");
  static event_row before[64], after[128];
  int nbefore = read_events(c, before, 64);
  assert_int_equal(nbefore, PODS + 6);
  assert_int_equal(before[nbefore - 1].revision, nbefore);
  int64_t delivered = 10; /* a watch of 0005 had delivered up to here */

  if (atesql_migrate_up(url, NULL, &err) != ATESQL_OK)
    fail_msg("migrate up: %s", err.message);
  int nkept = read_events(c, after, 128);
  assert_int_equal(nkept, nbefore);
  assert_memory_equal(before, after, sizeof before[0] * (size_t)nbefore);

  atesql_store *s = NULL;
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    fail_msg("open: %s", err.message);
  set_node(s, "w03", "new");
  set_node(s, "w01", "new");
  atesql_watch_opts o = {.since_revision = delivered};
  atesql_watch *w = NULL;
  if (atesql_watch_open(url, &o, &w, &err) != ATESQL_OK)
    fail_msg("watch: %s", err.message);
  for (int64_t r = delivered + 1; r <= nbefore + 2; r++) {
    atesql_worker_event *e = NULL;
    if (atesql_watch_next(w, WAIT_MS, &e) != ATESQL_OK)
      fail_msg("watch_next at %lld: %s", (long long)r, atesql_watch_errmsg(w));
    assert_int_equal(e->revision, r);
    if (r <= nbefore) {
      const event_row *b = &before[r - 1];
      assert_string_equal(e->worker.worker_pod, b->pod);
      assert_int_equal((int)e->change, b->change);
      assert_int_equal(e->worker.version, b->version);
    } else {
      assert_string_equal(e->worker.worker_pod,
                          r == nbefore + 1 ? "w03" : "w01");
      assert_string_equal(e->worker.node_name, "new");
    }
    atesql_worker_event_free(e);
  }
  atesql_worker_event *e = NULL;
  assert_int_equal(atesql_watch_next(w, 200, &e), ATESQL_DEADLINE_EXCEEDED);
  atesql_watch_close(w);
  atesql_store_close(s);
  PQfinish(c);
}

int main(void) {
  int skip = pg_schema_init();
  if (skip) return skip;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_slow_atesql_transaction_list_then_watch_is_exact),
      cmocka_unit_test(test_slow_sql_transaction_list_then_watch_is_exact),
      cmocka_unit_test(test_no_writer_waits_on_an_open_transaction),
      cmocka_unit_test(test_writer_killed_mid_transaction_leaves_no_event),
      cmocka_unit_test(test_failed_numbering_fails_the_reader),
      cmocka_unit_test(test_numbering_moves_the_floor_only_past_ended_writers),
      cmocka_unit_test(test_upgrade_from_0005_keeps_events_and_resumes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
