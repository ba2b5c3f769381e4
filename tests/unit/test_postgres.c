/*
** What only PostgreSQL can show: the connection killed under an open
** handle (the call in flight is UNAVAILABLE, the next one reconnects and
** re-prepares), a write cut off by connection loss leaving nothing half
** done, passwords kept out of every message, and concurrent migration
** runners serialized by the advisory lock.
**
** Runs against ATESQL_TEST_PG. Without it the suite says that PostgreSQL
** was not tested and exits 77 (ctest: skipped), except under CI, where a
** missing server is a failure.
*/
#include "suite.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atesql/atesql.h"
#include "migration_0002.h"
#include "migration_0008.h"
#include "pg_schema.h"
#include "store/store.h"

static atesql_worker worker(const char *pod) {
  atesql_worker w = {.worker_namespace = "ns",
                     .worker_pool = "cpu",
                     .worker_pod = pod,
                     .ip = "10.0.0.1",
                     .node_name = "n1"};
  return w;
}

static void test_idle_handle_whose_backend_died_reconnects(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_kill", "atesql_kill");
  atesql_worker w = worker("p1");
  assert_int_equal(atesql_worker_create(s, &w), ATESQL_OK);
  atesql_worker *got = NULL;
  assert_int_equal(atesql_worker_get(s, "ns", "cpu", "p1", &got), ATESQL_OK);
  atesql_worker_free(got);

  /* The backend of an idle handle dies: the next call notices the closed
  ** connection before sending, reconnects and prepares again; it does
  ** not fail, since nothing was in flight. */
  atesql_stats stats;
  assert_int_equal(atesql_store_stats(s, &stats), ATESQL_OK);
  assert_int_equal(stats.reconnects, 0);
  kill_backends("atesql_kill");
  assert_int_equal(atesql_worker_get(s, "ns", "cpu", "p1", &got), ATESQL_OK);
  assert_string_equal(got->worker_pod, "p1");
  atesql_worker_free(got);
  /* The handle's statistics count the connection made again. */
  assert_int_equal(atesql_store_stats(s, &stats), ATESQL_OK);
  assert_int_equal(stats.reconnects, 1);
  atesql_list_opts opts = {.selector_text = "worker_pool=cpu"};
  atesql_worker_page *page = NULL;
  assert_int_equal(atesql_worker_list(s, &opts, &page), ATESQL_OK);
  assert_int_equal(page->count, 1);
  atesql_worker_page_free(page);
  atesql_store_close(s);
}

/* The handle's session's plan_cache_mode, read on its own connection. */
static void expect_plan_cache_mode(atesql_store *s, const char *want) {
  query q = {0};
  assert_int_equal(
      query_sql(s, "SELECT current_setting('plan_cache_mode')", NULL, 0, &q),
      ATESQL_OK);
  assert_true(q.row);
  size_t len;
  assert_string_equal(query_text(&q, 0, &len), want);
  assert_int_equal(query_done(&q), ATESQL_OK);
}

/* A handle's session runs prepared statements on their generic plan
** (postgres.c says why), on its first connection and on every one made
** again; behind a transaction pooler, whose server connections other
** clients share, nothing is set. */
static void test_session_keeps_generic_plans_across_reconnects(void **st) {
  (void)st;
  atesql_store *s = open_in_schema("atesql_generic", "atesql_generic");
  expect_plan_cache_mode(s, "force_generic_plan");
  kill_backends("atesql_generic");
  expect_plan_cache_mode(s, "force_generic_plan");
  atesql_stats stats;
  assert_int_equal(atesql_store_stats(s, &stats), ATESQL_OK);
  assert_int_equal(stats.reconnects, 1);
  atesql_store_close(s);

  const char *base = url_in_schema("atesql_generic");
  char url[1200];
  if (strstr(base, "://"))
    snprintf(url, sizeof url, "%s%catesql_pooler=transaction", base,
             strchr(base, '?') ? '&' : '?');
  else /* a key=value conninfo */
    snprintf(url, sizeof url, "%s atesql_pooler=transaction", base);
  atesql_error err = {0};
  assert_int_equal(atesql_store_open(url, &s, &err), ATESQL_OK);
  expect_plan_cache_mode(s, "auto");
  atesql_store_close(s);
}

static void test_write_cut_by_connection_loss_is_all_or_nothing(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_cut", "atesql_cut");
  atesql_worker w = worker("p1");
  assert_int_equal(atesql_worker_create(s, &w), ATESQL_OK);

  kill_backends("atesql_cut");
  w.actor_id = "a1";
  w.actor_atespace = "s1";
  int64_t version = 0;
  atesql_status st = atesql_worker_update(s, &w, 1, &version);
  /* OK when the handle noticed the dead connection before sending (it
  ** reconnects); UNAVAILABLE when the loss cut the call. */
  assert_true(st == ATESQL_OK || st == ATESQL_UNAVAILABLE);

  /* The caller cannot know whether an UNAVAILABLE write happened; it
  ** rereads. What it finds is the whole old record or the whole new one. */
  atesql_worker *got = NULL;
  assert_int_equal(atesql_worker_get(s, "ns", "cpu", "p1", &got), ATESQL_OK);
  if (got->version == 1) {
    assert_string_equal(got->actor_id, "");
    assert_string_equal(got->actor_atespace, "");
  } else {
    assert_int_equal(got->version, 2);
    assert_string_equal(got->actor_id, "a1");
    assert_string_equal(got->actor_atespace, "s1");
  }
  atesql_worker_free(got);
  atesql_store_close(s);
}

/* The transaction lost with its connection: every later call in it, and
** the commit, report the loss; nothing of it is written, not even the
** calls after the loss (which once ran in autocommit on a new
** connection). */
static void
test_transaction_lost_with_its_connection_fails_whole(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_txlost", "atesql_txlost");
  assert_int_equal(atesql_tx_begin(s), ATESQL_OK);
  atesql_worker a = worker("p1"), b = worker("p2"), c = worker("p3");
  assert_int_equal(atesql_worker_create(s, &a), ATESQL_OK);
  kill_backends("atesql_txlost");
  assert_int_equal(atesql_worker_create(s, &b), ATESQL_UNAVAILABLE);
  assert_int_equal(atesql_worker_create(s, &c), ATESQL_UNAVAILABLE);
  assert_non_null(strstr(atesql_errmsg(s), "roll it back"));
  assert_int_not_equal(atesql_tx_commit(s), ATESQL_OK);
  int64_t count = -1;
  atesql_list_opts opts = {0};
  assert_int_equal(atesql_worker_count(s, &opts, &count), ATESQL_OK);
  assert_int_equal(count, 0);
  /* The handle goes on: a new transaction works. */
  assert_int_equal(atesql_tx_begin(s), ATESQL_OK);
  assert_int_equal(atesql_worker_create(s, &c), ATESQL_OK);
  assert_int_equal(atesql_tx_commit(s), ATESQL_OK);
  assert_int_equal(atesql_worker_count(s, &opts, &count), ATESQL_OK);
  assert_int_equal(count, 1);
  atesql_store_close(s);
}

static void test_conninfo_with_a_bad_port_is_invalid_argument(void **state) {
  (void)state;
  const char *bad[] = {"port=abc dbname=x", "host=a,b port=5432,x",
                       "postgresql://u:pw@h:99999/db",
                       "connect_timeout=soon dbname=x"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    atesql_store *st = NULL;
    atesql_error err = {0};
    assert_int_equal(atesql_store_open(bad[i], &st, &err),
                     ATESQL_INVALID_ARGUMENT);
    assert_null(strstr(err.message, "pw@"));
  }
}

/* The number sql answers in its one row, or -1 when it answers another
** number of rows. */
static long admin_number(const char *sql) {
  PGconn *c = PQconnectdb(base_url);
  assert_int_equal(PQstatus(c), CONNECTION_OK);
  PGresult *r = PQexec(c, sql);
  long n = PQntuples(r) == 1 ? atol(PQgetvalue(r, 0, 0)) : -1;
  PQclear(r);
  PQfinish(c);
  return n;
}

/* The process id of the backend serving application app, or -1. */
static long backend_pid(const char *app) {
  char sql[200];
  snprintf(sql, sizeof sql,
           "SELECT pid FROM pg_stat_activity WHERE application_name = '%s'",
           app);
  return admin_number(sql);
}

/* A server that turned read-only under a handle (a primary fenced after a
** failover) refuses writes with UNAVAILABLE saying so, and the next call
** comes on a new connection, where target_session_attrs=read-write would
** find the new primary. */
static void test_read_only_server_makes_the_handle_reconnect(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_fence", "atesql_fence");
  atesql_worker w = worker("p1");
  assert_int_equal(atesql_worker_create(s, &w), ATESQL_OK);
  long before = backend_pid("atesql_fence");
  assert_true(before > 0);
  admin_exec("ALTER SYSTEM SET default_transaction_read_only = on");
  admin_exec("SELECT pg_reload_conf()");
  /* Backends take a reload when they next wait for a command: give the
  ** signal time to arrive (a wait, not a timing assertion). */
  usleep(500 * 1000);
  atesql_worker p2 = worker("p2");
  atesql_status st = atesql_worker_create(s, &p2);
  admin_exec("ALTER SYSTEM RESET default_transaction_read_only");
  admin_exec("SELECT pg_reload_conf()");
  usleep(500 * 1000);
  assert_int_equal(st, ATESQL_UNAVAILABLE);
  assert_non_null(strstr(atesql_errmsg(s), "read-only"));
  assert_int_equal(atesql_worker_create(s, &p2), ATESQL_OK);
  long after = backend_pid("atesql_fence");
  assert_true(after > 0);
  assert_true(after != before);
  atesql_store_close(s);
}

/* schema_app_url() asking for a read-write session. */
static const char *read_write_url(void) {
  static char url[1200];
  const char *base = schema_app_url();
  snprintf(url, sizeof url, "%s%starget_session_attrs=read-write", base,
           strstr(base, "://") ? "&" : " ");
  return url;
}

static void fence(bool on) {
  admin_exec(on ? "ALTER SYSTEM SET default_transaction_read_only = on"
                : "ALTER SYSTEM RESET default_transaction_read_only");
  admin_exec("SELECT pg_reload_conf()");
  /* Backends take a reload when they next wait for a command: give the
  ** signal time to arrive (a wait, not a timing assertion). */
  usleep(500 * 1000);
}

/* A handle that asked for a read-write session and only reads leaves a
** server that turned read-only, as a writing one does: otherwise it would
** read a fenced primary's rows, which no longer change, for as long as it
** lives. One read may still be answered there (the call that brings the
** server's new setting); the next one reconnects, and with the one server
** here finds none that is read-write. */
static void test_reading_handle_leaves_a_read_only_server(void **state) {
  (void)state;
  atesql_store *w = open_in_schema("atesql_rofence", "atesql_rofence");
  atesql_worker p1 = worker("p1");
  assert_int_equal(atesql_worker_create(w, &p1), ATESQL_OK);
  atesql_store *s = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_store_open(read_write_url(), &s, &err), ATESQL_OK);
  atesql_worker *got = NULL;
  assert_int_equal(atesql_worker_get(s, "ns", "cpu", "p1", &got), ATESQL_OK);
  atesql_worker_free(got);
  fence(true);
  atesql_status first = atesql_worker_get(s, "ns", "cpu", "p1", &got);
  atesql_worker_free(got);
  got = NULL;
  atesql_status second = atesql_worker_get(s, "ns", "cpu", "p1", &got);
  atesql_worker_free(got);
  got = NULL;
  char msg[ATESQL_ERROR_MESSAGE_MAX];
  snprintf(msg, sizeof msg, "%s", atesql_errmsg(s));
  fence(false);
  assert_true(first == ATESQL_OK || first == ATESQL_UNAVAILABLE);
  assert_int_equal(second, ATESQL_UNAVAILABLE);
  assert_non_null(strstr(msg, "read-only"));
  assert_int_equal(atesql_worker_get(s, "ns", "cpu", "p1", &got), ATESQL_OK);
  atesql_worker_free(got);
  atesql_store_close(s);
  atesql_store_close(w);
}

/* The same for a watch, which reads and may never write: on a fenced
** primary it reports UNAVAILABLE instead of waiting there for changes
** that will come only to the new primary. */
static void test_watch_leaves_a_read_only_server(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_wfence", "atesql_wfence");
  atesql_watch_opts o = {.since_revision = 0, .poll_interval_ms = 20};
  atesql_watch *w = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_watch_open(read_write_url(), &o, &w, &err),
                   ATESQL_OK);
  atesql_worker_event *e = NULL;
  assert_int_equal(atesql_watch_next(w, 50, &e), ATESQL_DEADLINE_EXCEEDED);
  fence(true);
  atesql_status st = atesql_watch_next(w, 2000, &e);
  char msg[ATESQL_ERROR_MESSAGE_MAX];
  snprintf(msg, sizeof msg, "%s", atesql_watch_errmsg(w));
  fence(false);
  assert_int_equal(st, ATESQL_UNAVAILABLE);
  assert_non_null(strstr(msg, "read-only"));
  /* Back on a read-write server, it reads on. */
  atesql_worker p1 = worker("p1");
  assert_int_equal(atesql_worker_create(s, &p1), ATESQL_OK);
  st = atesql_watch_next(w, 5000, &e);
  if (st != ATESQL_OK) fail_msg("watch: %s", atesql_watch_errmsg(w));
  assert_string_equal(e->worker.worker_pod, "p1");
  atesql_worker_event_free(e);
  atesql_watch_close(w);
  atesql_store_close(s);
}

/* migrate up against an up-to-date database only reads: it works on a
** read-only session (a standby, a fenced primary). */
static void test_migrate_up_to_date_on_read_only_target_is_ok(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_romig", "atesql_romig");
  atesql_store_close(s);
  char url[1100];
  if (strstr(base_url, "://"))
    snprintf(url, sizeof url, "%s",
             url_with("options", "-csearch_path%3Datesql_romig%20"
                                 "-cdefault_transaction_read_only%3Don"));
  else
    snprintf(url, sizeof url,
             "%s options='-csearch_path=atesql_romig "
             "-cdefault_transaction_read_only=on'",
             base_url);
  atesql_migration_list *applied = NULL;
  atesql_error err = {0};
  if (atesql_migrate_up(url, &applied, &err) != ATESQL_OK)
    fail_msg("migrate up on a read-only target: %s", err.message);
  assert_int_equal(applied->count, 0);
  atesql_migration_list_free(applied);
}

/* Holds an exclusive lock on atesql_wait.workers for 5 s, then lets go:
** long enough for a call with a short timeout to give up, short enough
** that a call without one comes back and fails the test. */
static void *hold_workers_lock(void *arg) {
  PGconn *c = arg;
  PQclear(PQexec(c, "SELECT pg_sleep(5)"));
  PQclear(PQexec(c, "COMMIT"));
  return NULL;
}

/* A call whose server does not answer returns UNAVAILABLE after the
** handle's timeout, and the handle works again afterwards. */
static void test_store_timeout_bounds_a_call_the_server_holds(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_wait", "atesql_wait");
  atesql_worker w = worker("p1");
  assert_int_equal(atesql_worker_create(s, &w), ATESQL_OK);
  PGconn *admin = PQconnectdb(base_url);
  assert_int_equal(PQstatus(admin), CONNECTION_OK);
  PQclear(PQexec(admin, "BEGIN"));
  PGresult *r =
      PQexec(admin, "LOCK TABLE atesql_wait.workers IN ACCESS EXCLUSIVE MODE");
  assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  pthread_t holder;
  pthread_create(&holder, NULL, hold_workers_lock, admin);
  assert_int_equal(atesql_store_set_timeout(s, 300), ATESQL_OK);
  atesql_worker *got = NULL;
  atesql_status st = atesql_worker_get(s, "ns", "cpu", "p1", &got);
  pthread_join(holder, NULL);
  PQfinish(admin);
  assert_int_equal(st, ATESQL_DEADLINE_EXCEEDED);
  assert_non_null(strstr(atesql_errmsg(s), "no answer from the server"));
  assert_int_equal(atesql_worker_get(s, "ns", "cpu", "p1", &got), ATESQL_OK);
  atesql_worker_free(got);
  atesql_store_close(s);
}

static void test_killed_transaction_writes_nothing(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_txkill", "atesql_txkill");
  assert_int_equal(atesql_tx_begin(s), ATESQL_OK);
  atesql_worker a = worker("p1"), b = worker("p2");
  assert_int_equal(atesql_worker_create(s, &a), ATESQL_OK);
  kill_backends("atesql_txkill");
  assert_int_equal(atesql_worker_create(s, &b), ATESQL_UNAVAILABLE);
  atesql_tx_rollback(s);
  int64_t count = -1;
  atesql_list_opts opts = {0};
  assert_int_equal(atesql_worker_count(s, &opts, &count), ATESQL_OK);
  assert_int_equal(count, 0);
  atesql_store_close(s);
}

/* ---- claims: one round trip, and CONFLICT when every free one is locked */

static const atesql_pool_ref cpu_pool[] = {{"ns", "cpu"}};

static atesql_claim_request claim_for(const char *actor_id) {
  atesql_claim_request r = {.pools = cpu_pool,
                            .pool_count = 1,
                            .actor_atespace = "space",
                            .actor_id = actor_id};
  return r;
}

/* The requests the handle has sent to the server and waited on. */
static uint64_t round_trips(atesql_store *s) {
  return s->drv->round_trips(s->conn);
}

static void create_actor(atesql_store *s, const char *id) {
  atesql_actor a = {.atespace = "space", .actor_id = id};
  assert_int_equal(atesql_actor_create(s, &a), ATESQL_OK);
}

/* Once a handle's statements are prepared (a first claim, release and
** resume), a claim, a release and a resume step each send one request:
** the driver counts every request it waits on. */
static void
test_claim_release_and_resume_take_one_round_trip_each(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_trips", "atesql_trips");
  const char *pods[] = {"p1", "p2", "p3", "p4"};
  for (size_t i = 0; i < 4; i++) {
    atesql_worker w = worker(pods[i]);
    assert_int_equal(atesql_worker_create(s, &w), ATESQL_OK);
  }
  atesql_atespace space = {.name = "space"};
  assert_int_equal(atesql_atespace_create(s, &space), ATESQL_OK);
  create_actor(s, "warm");
  create_actor(s, "a1");
  atesql_claim_request warm = claim_for("warm");
  atesql_worker *w = NULL;
  atesql_actor *a = NULL;
  assert_int_equal(atesql_worker_claim(s, &warm, &w), ATESQL_OK);
  assert_int_equal(atesql_worker_release(s, "ns", "cpu", w->worker_pod, "space",
                                         "warm", NULL),
                   ATESQL_OK);
  atesql_worker_free(w);
  assert_int_equal(atesql_actor_resume(s, &warm, 1, &w, &a), ATESQL_OK);
  atesql_worker_free(w);
  atesql_actor_free(a);

  atesql_claim_request r = claim_for("a1");
  uint64_t before = round_trips(s);
  assert_int_equal(atesql_worker_claim(s, &r, &w), ATESQL_OK);
  assert_int_equal(round_trips(s) - before, 1);
  before = round_trips(s);
  bool released = false;
  assert_int_equal(atesql_worker_release(s, "ns", "cpu", w->worker_pod, "space",
                                         "a1", &released),
                   ATESQL_OK);
  assert_true(released);
  assert_int_equal(round_trips(s) - before, 1);
  atesql_worker_free(w);
  before = round_trips(s);
  assert_int_equal(atesql_actor_resume(s, &r, 1, &w, &a), ATESQL_OK);
  assert_int_equal(round_trips(s) - before, 1);
  assert_int_equal(a->status, ATESQL_ACTOR_STATUS_RESUMING);
  assert_string_equal(a->ateom_pod_name, w->worker_pod);
  atesql_worker_free(w);
  atesql_actor_free(a);
  /* A retried claim (the actor holds a worker) and one with no capacity
  ** are one request too. */
  before = round_trips(s);
  assert_int_equal(atesql_worker_claim(s, &r, &w), ATESQL_OK);
  atesql_worker_free(w);
  assert_int_equal(round_trips(s) - before, 1);
  atesql_store_close(s);
}

/* A connection of its own to the test's server, with an open transaction
** in schema `schema` that ran `sql`. */
static PGconn *open_transaction(const char *schema, const char *sql) {
  PGconn *c = PQconnectdb(base_url);
  assert_int_equal(PQstatus(c), CONNECTION_OK);
  char path[128];
  snprintf(path, sizeof path, "SET search_path = %s", schema);
  PQclear(PQexec(c, path));
  PQclear(PQexec(c, "BEGIN"));
  PGresult *r = PQexec(c, sql);
  ExecStatusType rs = PQresultStatus(r);
  if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
    fail_msg("%s: %s", sql, PQerrorMessage(c));
  PQclear(r);
  return c;
}

/* The only free worker is locked by another transaction (an operator's
** SELECT ... FOR UPDATE): a claim answers CONFLICT at once, without
** waiting for it, and the message says to retry; inside the caller's
** transaction it leaves that transaction usable. With no free worker at
** all the answer is RESOURCE_EXHAUSTED. */
static void
test_a_claim_whose_free_workers_are_all_locked_is_conflict(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_locked", "atesql_locked");
  atesql_worker p1 = worker("p1"), p2 = worker("p2");
  p2.actor_id = "held";
  p2.actor_atespace = "space";
  assert_int_equal(atesql_worker_create(s, &p1), ATESQL_OK);
  assert_int_equal(atesql_worker_create(s, &p2), ATESQL_OK);
  PGconn *other = open_transaction(
      "atesql_locked", "SELECT * FROM workers WHERE worker_pod = 'p1' FOR "
                       "UPDATE");
  atesql_claim_request r = claim_for("a1");
  atesql_worker *w = NULL;
  /* A claim that waited for the other transaction, which stays open,
  ** would end DEADLINE_EXCEEDED. */
  assert_int_equal(atesql_store_set_timeout(s, 5000), ATESQL_OK);
  atesql_status st = atesql_worker_claim(s, &r, &w);
  assert_int_equal(st, ATESQL_CONFLICT);
  assert_null(w);
  assert_non_null(strstr(atesql_errmsg(s), "another transaction; retry"));

  assert_int_equal(atesql_tx_begin(s), ATESQL_OK);
  assert_int_equal(atesql_worker_claim(s, &r, &w), ATESQL_CONFLICT);
  atesql_worker *got = NULL;
  assert_int_equal(atesql_worker_get(s, "ns", "cpu", "p2", &got), ATESQL_OK);
  atesql_worker_free(got);
  assert_int_equal(atesql_tx_commit(s), ATESQL_OK);

  PQclear(PQexec(other, "COMMIT"));
  PQfinish(other);
  assert_int_equal(atesql_worker_claim(s, &r, &w), ATESQL_OK);
  assert_string_equal(w->worker_pod, "p1");
  atesql_worker_free(w);
  atesql_claim_request r2 = claim_for("a2");
  assert_int_equal(atesql_worker_claim(s, &r2, &w), ATESQL_RESOURCE_EXHAUSTED);
  assert_null(w);
  atesql_store_close(s);
}

typedef struct claim_thread {
  atesql_store *store;
  atesql_status result;
} claim_thread;

static void *claim_a1(void *arg) {
  claim_thread *t = arg;
  atesql_claim_request r = claim_for("a1");
  atesql_worker *w = NULL;
  t->result = atesql_worker_claim(t->store, &r, &w);
  atesql_worker_free(w);
  return NULL;
}

/* Whether application app's backend waits for an advisory lock. */
static bool waits_for_advisory_lock(const char *app) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
           "'%s' AND wait_event = 'advisory'",
           app);
  return admin_number(sql) == 1;
}

/* A claim whose connection dies inside the server's function (waiting
** for the actor's lock, which another session holds) is UNAVAILABLE and
** writes nothing; the next claim reconnects and takes the worker. */
static void test_claim_cut_inside_the_function_writes_nothing(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_claimcut", "atesql_claimcut");
  atesql_worker p1 = worker("p1");
  assert_int_equal(atesql_worker_create(s, &p1), ATESQL_OK);
  PGconn *other = open_transaction(
      "atesql_claimcut",
      "SELECT pg_advisory_xact_lock(hashtextextended('atesql claim "
      "space/a1', 0))");
  claim_thread t = {s, ATESQL_OK};
  pthread_t thread;
  assert_int_equal(pthread_create(&thread, NULL, claim_a1, &t), 0);
  for (int i = 0; i < 500 && !waits_for_advisory_lock("atesql_claimcut"); i++)
    usleep(10 * 1000);
  kill_backends("atesql_claimcut");
  assert_int_equal(pthread_join(thread, NULL), 0);
  PQclear(PQexec(other, "COMMIT"));
  PQfinish(other);
  assert_int_equal(t.result, ATESQL_UNAVAILABLE);
  atesql_worker *got = NULL;
  assert_int_equal(atesql_worker_get(s, "ns", "cpu", "p1", &got), ATESQL_OK);
  assert_string_equal(got->actor_id, "");
  assert_int_equal(got->version, 1);
  atesql_worker_free(got);
  claim_a1(&t);
  assert_int_equal(t.result, ATESQL_OK);
  atesql_store_close(s);
}

static void test_password_never_appears_in_messages(void **state) {
  (void)state;
  static const char secret[] = "Sup3rSecretPassw0rd";
  char url[512];
  const char *urls[3];
  /* A wrong password for a real server, an unparsable URI, an unknown
  ** conninfo option. */
  urls[0] = url_with("password", secret);
  snprintf(url, sizeof url, "postgresql://someone:%s@localhost:notaport/db",
           secret);
  urls[1] = url;
  static char kv[256];
  snprintf(kv, sizeof kv, "host=localhost password=%s bogus_option=1", secret);
  urls[2] = kv;
  for (int i = 0; i < 3; i++) {
    atesql_store *s = NULL;
    atesql_error err = {0};
    atesql_status st = atesql_store_open(urls[i], &s, &err);
    assert_int_not_equal(st, ATESQL_OK);
    assert_null(s);
    if (strstr(err.message, secret))
      fail_msg("password leaked: %s", err.message);
    assert_true(strlen(err.message) > 0);
    st = atesql_migrate_up(urls[i], NULL, &err);
    assert_int_not_equal(st, ATESQL_OK);
    if (strstr(err.message, secret))
      fail_msg("password leaked by migrate: %s", err.message);
  }
}

/* The README's grants for the scheduler's role are enough for every store
** operation, and not enough to migrate. */
static void test_scheduler_role_with_documented_grants_suffices(void **state) {
  (void)state;
  atesql_store *owner = open_in_schema("atesql_roles", "atesql_roles");
  atesql_store_close(owner);
  admin_exec("DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = "
             "'atesql_scheduler_test') THEN DROP OWNED BY "
             "atesql_scheduler_test CASCADE; DROP ROLE atesql_scheduler_test; "
             "END IF; END $$");
  admin_exec("CREATE ROLE atesql_scheduler_test LOGIN PASSWORD 'sched-pw'");
  admin_exec("GRANT USAGE ON SCHEMA atesql_roles TO atesql_scheduler_test");
  admin_exec("GRANT SELECT, INSERT, UPDATE, DELETE ON atesql_roles.atespaces, "
             "atesql_roles.actors, atesql_roles.workers, atesql_roles.locks "
             "TO atesql_scheduler_test");
  admin_exec("GRANT SELECT, INSERT, UPDATE, DELETE ON "
             "atesql_roles.worker_events TO atesql_scheduler_test");
  admin_exec("GRANT SELECT, USAGE ON atesql_roles.worker_events_seq TO "
             "atesql_scheduler_test");
  admin_exec("GRANT SELECT, INSERT, UPDATE, DELETE ON "
             "atesql_roles.worker_labels TO atesql_scheduler_test");
  admin_exec("GRANT SELECT, UPDATE ON atesql_roles.store_revision TO "
             "atesql_scheduler_test");
  admin_exec("GRANT SELECT ON atesql_roles.worker_revision, "
             "atesql_roles.worker_pending, atesql_roles.schema_migrations TO "
             "atesql_scheduler_test");

  char url[1200];
  if (strstr(base_url, "://"))
    snprintf(url, sizeof url, "%s&user=atesql_scheduler_test&password=sched-pw",
             url_with("options", "-csearch_path%3Datesql_roles"));
  else
    snprintf(url, sizeof url,
             "%s options=-csearch_path=atesql_roles user=atesql_scheduler_test "
             "password=sched-pw",
             base_url);
  atesql_store *s = NULL;
  atesql_error err = {0};
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    fail_msg("open as scheduler: %s", err.message);
  atesql_atespace space = {"s1"};
  assert_int_equal(atesql_atespace_create(s, &space), ATESQL_OK);
  atesql_actor actor = {.atespace = "s1",
                        .actor_id = "a1",
                        .status = ATESQL_ACTOR_STATUS_SUSPENDED};
  assert_int_equal(atesql_actor_create(s, &actor), ATESQL_OK);
  atesql_worker w = worker("p1");
  const atesql_label gpu[] = {{"gpu_type", "h100"}};
  w.labels = gpu;
  w.label_count = 1;
  assert_int_equal(atesql_worker_create(s, &w), ATESQL_OK);
  w.actor_id = "a1";
  assert_int_equal(atesql_worker_update(s, &w, 1, NULL), ATESQL_OK);
  bool held = false;
  assert_int_equal(atesql_lock_acquire(s, "k", "v", 1000, &held), ATESQL_OK);
  assert_true(held);
  bool released = false;
  assert_int_equal(atesql_lock_release(s, "k", "v", &released), ATESQL_OK);
  assert_true(released);
  atesql_list_opts opts = {.selector_text = "actor_id=a1"};
  int64_t n = 0;
  assert_int_equal(atesql_worker_count(s, &opts, &n), ATESQL_OK);
  assert_int_equal(n, 1);
  assert_int_equal(atesql_actor_delete(s, "s1", "a1"), ATESQL_OK);
  /* The change feed: a watch sees the role's writes; compaction. */
  atesql_watch_opts wo = {.since_revision = 0};
  atesql_watch *watch = NULL;
  if (atesql_watch_open(url, &wo, &watch, &err) != ATESQL_OK)
    fail_msg("watch as scheduler: %s", err.message);
  atesql_worker_event *e = NULL;
  assert_int_equal(atesql_watch_next(watch, 10000, &e), ATESQL_OK);
  assert_string_equal(e->worker.worker_pod, "p1");
  atesql_worker_event_free(e);
  atesql_watch_close(watch);
  atesql_compact_opts co = {.keep_revisions = 1};
  assert_int_equal(atesql_compact(s, &co, NULL), ATESQL_OK);
  assert_int_equal(atesql_store_clear(s), ATESQL_OK);
  atesql_store_close(s);

  /* Migrating needs CREATE on the schema, which this role lacks. */
  admin_exec("DROP TABLE atesql_roles.schema_migrations");
  assert_int_not_equal(atesql_migrate_up(url, NULL, &err), ATESQL_OK);
  assert_non_null(strstr(err.message, "permission denied"));
  admin_exec("DROP OWNED BY atesql_scheduler_test CASCADE");
  admin_exec("DROP ROLE atesql_scheduler_test");
}

static void *migrate_thread(void *arg) {
  const char *url = arg;
  atesql_migration_list *list = NULL;
  atesql_error err = {0};
  if (atesql_migrate_up(url, &list, &err) != ATESQL_OK) return (void *)-1;
  size_t n = list->count;
  atesql_migration_list_free(list);
  return (void *)n;
}

static void test_concurrent_migrations_apply_once(void **state) {
  (void)state;
  admin_exec("DROP SCHEMA IF EXISTS atesql_race CASCADE; CREATE SCHEMA "
             "atesql_race");
  const char *url = url_in_schema("atesql_race");
  enum { RUNNERS = 4 };
  pthread_t t[RUNNERS];
  for (int i = 0; i < RUNNERS; i++)
    pthread_create(&t[i], NULL, migrate_thread, (void *)url);
  size_t total = 0;
  for (int i = 0; i < RUNNERS; i++) {
    void *r;
    pthread_join(t[i], &r);
    assert_ptr_not_equal(r, (void *)-1);
    total += (size_t)r;
  }
  assert_int_equal(total, atesql_schema_version());
}

static void test_0002_maps_old_nested_fields_to_presence(void **state) {
  (void)state;
  atesql_store *s = open_in_schema("atesql_0002", "atesql_0002");
  atesql_store_close(s);
  static char sql[8192];
  snprintf(sql, sizeof sql, "SET search_path = atesql_0002; %s %s",
           UNDO_0004_POSTGRES_SQL, OLD_ROWS_SQL);
  admin_exec(sql);
  const char *url = url_in_schema("atesql_0002");
  atesql_migration_list *applied = NULL;
  atesql_error err = {0};
  if (atesql_migrate_up(url, &applied, &err) != ATESQL_OK)
    fail_msg("migrate: %s", err.message);
  /* 0002 and every later migration. */
  assert_int_equal(applied->count, (size_t)atesql_schema_version() - 1);
  atesql_migration_list_free(applied);
  check_migrated_rows(url);
}

static void test_0008_keeps_held_locks_at_token_1(void **state) {
  (void)state;
  admin_exec("DROP SCHEMA IF EXISTS atesql_0008 CASCADE; CREATE SCHEMA "
             "atesql_0008");
  const char *url = url_in_schema("atesql_0008");
  atesql_error err = {0};
  if (atesql_migrate_up_to(url, 7, NULL, &err) != ATESQL_OK)
    fail_msg("migrate up to 7: %s", err.message);
  static char sql[1024];
  snprintf(sql, sizeof sql, "SET search_path = atesql_0008; %s",
           LOCKS_0007_SQL);
  admin_exec(sql);
  atesql_migration_list *applied = NULL;
  if (atesql_migrate_up(url, &applied, &err) != ATESQL_OK)
    fail_msg("migrate: %s", err.message);
  assert_int_equal(applied->count, (size_t)atesql_schema_version() - 7);
  atesql_migration_list_free(applied);
  check_locks_kept_by_0008(url);
}

int main(void) {
  int skip = pg_schema_init();
  if (skip) return skip;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_idle_handle_whose_backend_died_reconnects),
      cmocka_unit_test(test_session_keeps_generic_plans_across_reconnects),
      cmocka_unit_test(test_write_cut_by_connection_loss_is_all_or_nothing),
      cmocka_unit_test(test_killed_transaction_writes_nothing),
      cmocka_unit_test(test_transaction_lost_with_its_connection_fails_whole),
      cmocka_unit_test(test_conninfo_with_a_bad_port_is_invalid_argument),
      cmocka_unit_test(test_read_only_server_makes_the_handle_reconnect),
      cmocka_unit_test(test_reading_handle_leaves_a_read_only_server),
      cmocka_unit_test(test_watch_leaves_a_read_only_server),
      cmocka_unit_test(test_migrate_up_to_date_on_read_only_target_is_ok),
      cmocka_unit_test(test_store_timeout_bounds_a_call_the_server_holds),
      cmocka_unit_test(test_claim_release_and_resume_take_one_round_trip_each),
      cmocka_unit_test(
          test_a_claim_whose_free_workers_are_all_locked_is_conflict),
      cmocka_unit_test(test_claim_cut_inside_the_function_writes_nothing),
      cmocka_unit_test(test_password_never_appears_in_messages),
      cmocka_unit_test(test_scheduler_role_with_documented_grants_suffices),
      cmocka_unit_test(test_concurrent_migrations_apply_once),
      cmocka_unit_test(test_0002_maps_old_nested_fields_to_presence),
      cmocka_unit_test(test_0008_keeps_held_locks_at_token_1),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
