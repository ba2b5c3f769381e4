/*
** atesql on replicated PostgreSQL, against the servers tests/replication/
** run.sh starts: a primary with a synchronous streaming standby, and
** pgbouncer in session and transaction pooling mode. One scenario a run
** (the first argument), since failover and fencing change the servers:
**
** A watch runs beside the writers in each, and must deliver every change
** once, in revision order, with no gap.
**
**   pooler    several clients through pgbouncer in each pooling mode,
**             migrations through the transaction pooler, reads on the
**             standby, a deadline against a stopped backend
**   failover  the primary stopped (-m immediate) under a writer holding
**             one multi-host handle, the standby promoted: no acknowledged
**             write lost, the handle recovers without reopening
**   fence     the primary fenced read-only and the standby promoted: the
**             handle leaves the fenced primary for the new one
**
** Each prints its figures (calls failed, time to recover, writes checked).
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

static const char *primary, *standby, *bouncer_session, *bouncer_transaction;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* conninfo base + " " + more, in a static buffer of 4 rotating slots. */
static const char *with(const char *base, const char *more) {
  static char buf[4][1024];
  static int next;
  char *out = buf[next++ % 4];
  snprintf(out, sizeof buf[0], "%s %s", base, more);
  return out;
}

static void admin_exec(const char *conninfo, const char *sql) {
  PGconn *c = PQconnectdb(conninfo);
  if (PQstatus(c) != CONNECTION_OK)
    fail_msg("connect %s: %s", conninfo, PQerrorMessage(c));
  PQclear(PQexec(c, "SET client_min_messages = warning"));
  PGresult *r = PQexec(c, sql);
  ExecStatusType rs = PQresultStatus(r);
  if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
    fail_msg("%s: %s", sql, PQerrorMessage(c));
  PQclear(r);
  PQfinish(c);
}

/* A new, empty database on the primary. */
static void create_database(const char *name) {
  char sql[128];
  snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
  admin_exec(with(primary, "dbname=postgres"), sql);
  snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
  admin_exec(with(primary, "dbname=postgres"), sql);
}

/* Run a server program (pg_ctl ...) as the servers' owner. */
static void server_command(const char *args) {
  char cmd[1024];
  const char *as_pg = geteuid() == 0
                          ? "setpriv --reuid=postgres --regid=postgres "
                            "--init-groups -- "
                          : "";
  snprintf(cmd, sizeof cmd, "%s%s/%s >/dev/null 2>&1", as_pg,
           getenv("ATESQL_REPL_PGBIN"), args);
  if (system(cmd) != 0) fail_msg("failed: %s", cmd);
}

static atesql_store *open_ok(const char *url) {
  atesql_store *s = NULL;
  atesql_error err = {0};
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    fail_msg("open %s: %s", url, err.message);
  return s;
}

static void migrate_ok(const char *url) {
  atesql_error err = {0};
  if (atesql_migrate_up(url, NULL, &err) != ATESQL_OK)
    fail_msg("migrate up %s: %s", url, err.message);
}

static atesql_worker make_worker(const char *pod) {
  atesql_worker w = {.worker_namespace = "ns",
                     .worker_pool = "cpu",
                     .worker_pod = pod,
                     .ip = "10.0.0.1"};
  return w;
}

/* ---- the change feed ------------------------------------------------------ */

/* One delivered event. */
typedef struct delivery {
  int64_t revision, version;
  char pod[32];
} delivery;

/*
** A watch from revision 0 in a thread of its own, on one URL for its whole
** life: through a pooler, or a multi-host URL across a failover. A call
** that fails (the server gone) is retried after a pause, as the watch's
** contract says. It stops once it has delivered up to `target`.
*/
typedef struct watcher {
  const char *url;
  _Atomic int64_t target; /* -1 until the writers are done */
  int failures;
  char first_failure[ATESQL_ERROR_MESSAGE_MAX];
  delivery *got;
  size_t count, cap;
} watcher;

static void *watcher_run(void *arg) {
  watcher *wa = arg;
  atesql_watch_opts o = {.since_revision = 0};
  atesql_watch *w = NULL;
  atesql_error err = {0};
  if (atesql_watch_open(wa->url, &o, &w, &err) != ATESQL_OK) {
    wa->failures++;
    snprintf(wa->first_failure, sizeof wa->first_failure, "%s", err.message);
    return NULL;
  }
  for (;;) {
    int64_t target = atomic_load(&wa->target);
    if (target >= 0 && atesql_watch_revision(w) >= target) break;
    atesql_worker_event *e = NULL;
    atesql_status st = atesql_watch_next(w, 200, &e);
    if (st == ATESQL_DEADLINE_EXCEEDED) continue;
    if (st != ATESQL_OK) {
      if (wa->failures++ == 0)
        snprintf(wa->first_failure, sizeof wa->first_failure, "%s",
                 atesql_watch_errmsg(w));
      if (st != ATESQL_UNAVAILABLE || wa->failures > 200) break;
      usleep(50 * 1000);
      continue;
    }
    if (wa->count == wa->cap) {
      wa->cap = wa->cap ? 2 * wa->cap : 1024;
      wa->got = realloc(wa->got, wa->cap * sizeof *wa->got);
      assert_non_null(wa->got);
    }
    delivery *d = &wa->got[wa->count++];
    d->revision = e->revision;
    d->version = e->worker.version;
    snprintf(d->pod, sizeof d->pod, "%s", e->worker.worker_pod);
    atesql_worker_event_free(e);
  }
  atesql_watch_close(w);
  return NULL;
}

static int compare_deliveries(const void *a, const void *b) {
  const delivery *x = a, *y = b;
  int c = strcmp(x->pod, y->pod);
  return c ? c : (x->version > y->version) - (x->version < y->version);
}

/*
** Stop the watcher at the store's revision now (read through url) and
** check what it delivered: revisions rising by one from 1 (no gap, none
** twice, commit order), each worker's versions once each from 1 up to
** its version in the store (none lost, none twice). Returns how many
** events it delivered.
*/
static size_t finish_watcher(watcher *wa, pthread_t t, const char *url) {
  atesql_store *s = open_ok(url);
  int64_t revision = -1;
  assert_int_equal(atesql_store_revision(s, &revision, NULL), ATESQL_OK);
  atomic_store(&wa->target, revision);
  pthread_join(t, NULL);
  if (wa->failures)
    printf("  the watch retried %d calls, first: %s\n", wa->failures,
           wa->first_failure);
  assert_int_equal((int64_t)wa->count, revision);
  for (size_t i = 0; i < wa->count; i++)
    if (wa->got[i].revision != (int64_t)i + 1)
      fail_msg("delivery %zu has revision %lld", i,
               (long long)wa->got[i].revision);
  qsort(wa->got, wa->count, sizeof *wa->got, compare_deliveries);
  for (size_t i = 0; i < wa->count;) {
    size_t j = i;
    while (j < wa->count && strcmp(wa->got[j].pod, wa->got[i].pod) == 0) {
      if (wa->got[j].version != (int64_t)(j - i) + 1)
        fail_msg("%s: version %lld delivered as its change %zu", wa->got[i].pod,
                 (long long)wa->got[j].version, j - i + 1);
      j++;
    }
    atesql_worker *now = NULL;
    assert_int_equal(atesql_worker_get(s, "ns", "cpu", wa->got[i].pod, &now),
                     ATESQL_OK);
    assert_int_equal(now->version, (int64_t)(j - i));
    atesql_worker_free(now);
    i = j;
  }
  atesql_store_close(s);
  free(wa->got);
  printf("  the watch delivered %zu changes, each once, in revision order\n",
         wa->count);
  return wa->count;
}

/* ---- pooler ------------------------------------------------------------ */

enum { CLIENTS = 4, CLIENT_WRITES = 50 };

typedef struct client {
  const char *url;
  int id;
  int failures;
  char first_failure[ATESQL_ERROR_MESSAGE_MAX];
} client;

/* Creates then updates CLIENT_WRITES workers of its own on its own
** handle, counting the calls that failed. */
static void *client_run(void *arg) {
  client *c = arg;
  atesql_store *s = NULL;
  atesql_error err = {0};
  if (atesql_store_open(c->url, &s, &err) != ATESQL_OK) {
    c->failures = CLIENT_WRITES * 2;
    snprintf(c->first_failure, sizeof c->first_failure, "%s", err.message);
    return NULL;
  }
  for (int i = 0; i < CLIENT_WRITES; i++) {
    char pod[32];
    snprintf(pod, sizeof pod, "c%d-%d", c->id, i);
    atesql_worker w = make_worker(pod);
    atesql_status st = atesql_worker_create(s, &w);
    if (st == ATESQL_OK) {
      w.actor_id = "a";
      st = atesql_worker_update(s, &w, 1, NULL);
    }
    if (st != ATESQL_OK && c->failures++ == 0)
      snprintf(c->first_failure, sizeof c->first_failure, "%s",
               atesql_errmsg(s));
  }
  atesql_store_close(s);
  return NULL;
}

/* CLIENTS handles through url at once; every call succeeds and every
** worker is at version 2; a watch through url delivers every change once,
** in order. */
static void run_clients(const char *url, const char *label) {
  migrate_ok(url);
  watcher wa = {.url = url, .target = -1};
  pthread_t wt;
  pthread_create(&wt, NULL, watcher_run, &wa);
  pthread_t t[CLIENTS];
  client c[CLIENTS];
  for (int i = 0; i < CLIENTS; i++) {
    c[i] = (client){.url = url, .id = i};
    pthread_create(&t[i], NULL, client_run, &c[i]);
  }
  int failures = 0;
  for (int i = 0; i < CLIENTS; i++) {
    pthread_join(t[i], NULL);
    if (c[i].failures)
      print_error("%s client %d: %d failed calls, first: %s\n", label, i,
                  c[i].failures, c[i].first_failure);
    failures += c[i].failures;
  }
  atesql_store *s = open_ok(url);
  atesql_list_opts opts = {.selector_text = "version=2"};
  int64_t count = -1;
  assert_int_equal(atesql_worker_count(s, &opts, &count), ATESQL_OK);
  atesql_store_close(s);
  printf("%s: %d clients x %d creates and updates, %d failed calls, %lld "
         "workers at version 2\n",
         label, CLIENTS, CLIENT_WRITES, failures, (long long)count);
  assert_int_equal(failures, 0);
  assert_int_equal(count, CLIENTS * CLIENT_WRITES);
  assert_int_equal(finish_watcher(&wa, wt, url), 2 * CLIENTS * CLIENT_WRITES);
}

static void test_transaction_pooler_serves_several_clients(void **state) {
  (void)state;
  create_database("pool_tx");
  run_clients(with(bouncer_transaction, "dbname=pool_tx "
                                        "atesql_pooler=transaction"),
              "pgbouncer pool_mode=transaction");
}

static void test_session_pooler_serves_several_clients(void **state) {
  (void)state;
  create_database("pool_session");
  run_clients(with(bouncer_session, "dbname=pool_session"),
              "pgbouncer pool_mode=session");
}

static void *migrate_thread(void *arg) {
  atesql_migration_list *applied = NULL;
  atesql_error err = {0};
  if (atesql_migrate_up(arg, &applied, &err) != ATESQL_OK) {
    print_error("migrate up: %s\n", err.message);
    return (void *)-1;
  }
  size_t n = applied->count;
  atesql_migration_list_free(applied);
  return (void *)n;
}

/* Concurrent runners through a transaction pooler apply each migration
** once: the lock is taken inside each migration's transaction. */
static void test_migrations_through_transaction_pooler(void **state) {
  (void)state;
  create_database("pool_migrate");
  const char *url = with(bouncer_transaction,
                         "dbname=pool_migrate atesql_pooler=transaction");
  pthread_t t[3];
  for (int i = 0; i < 3; i++)
    pthread_create(&t[i], NULL, migrate_thread, (void *)url);
  size_t total = 0;
  for (int i = 0; i < 3; i++) {
    void *r;
    pthread_join(t[i], &r);
    assert_ptr_not_equal(r, (void *)-1);
    total += (size_t)r;
  }
  assert_int_equal(total, atesql_schema_version());
}

/* Reads go to the standby; with synchronous_commit=remote_apply a write
** acknowledged on the primary is visible there at once. A write on the
** standby is refused as read-only. */
static void test_reads_on_the_standby(void **state) {
  (void)state;
  create_database("replica_reads");
  const char *url = with(primary, "dbname=replica_reads");
  migrate_ok(url);
  atesql_store *w = open_ok(url);
  atesql_worker worker = make_worker("p1");
  assert_int_equal(atesql_worker_create(w, &worker), ATESQL_OK);
  atesql_store_close(w);
  atesql_store *r = open_ok(with(standby, "dbname=replica_reads"));
  atesql_worker *got = NULL;
  assert_int_equal(atesql_worker_get(r, "ns", "cpu", "p1", &got), ATESQL_OK);
  atesql_worker_free(got);
  atesql_worker other = make_worker("p2");
  assert_int_equal(atesql_worker_create(r, &other), ATESQL_UNAVAILABLE);
  assert_non_null(strstr(atesql_errmsg(r), "read-only"));
  atesql_store_close(r);
}

/* The process id of the backend serving application app on the primary. */
static long backend_pid(const char *app) {
  PGconn *c = PQconnectdb(with(primary, "dbname=postgres"));
  assert_int_equal(PQstatus(c), CONNECTION_OK);
  char sql[200];
  snprintf(sql, sizeof sql,
           "SELECT pid FROM pg_stat_activity WHERE application_name = '%s'",
           app);
  PGresult *r = PQexec(c, sql);
  long pid = PQntuples(r) == 1 ? atol(PQgetvalue(r, 0, 0)) : -1;
  PQclear(r);
  PQfinish(c);
  return pid;
}

/* A backend stopped with SIGSTOP holds its caller no longer than the
** handle's timeout: DEADLINE_EXCEEDED, and the handle goes on. */
static void test_deadline_against_a_stopped_backend(void **state) {
  (void)state;
  create_database("deadline");
  const char *url = with(primary, "dbname=deadline application_name=stopped");
  migrate_ok(url);
  atesql_store *s = open_ok(url);
  assert_int_equal(atesql_store_set_timeout(s, 500), ATESQL_OK);
  atesql_worker w = make_worker("p1");
  assert_int_equal(atesql_worker_create(s, &w), ATESQL_OK);
  long pid = backend_pid("stopped");
  assert_true(pid > 0);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "kill -STOP %ld", pid);
  assert_int_equal(system(cmd), 0);
  double start = now_s();
  atesql_worker *got = NULL;
  atesql_status st = atesql_worker_get(s, "ns", "cpu", "p1", &got);
  double waited = now_s() - start;
  snprintf(cmd, sizeof cmd, "kill -CONT %ld", pid);
  assert_int_equal(system(cmd), 0);
  printf("deadline: a call to a stopped backend returned %s after %.2f s "
         "(timeout 0.5 s)\n",
         atesql_status_str(st), waited);
  assert_int_equal(st, ATESQL_DEADLINE_EXCEEDED);
  assert_int_equal(atesql_worker_get(s, "ns", "cpu", "p1", &got), ATESQL_OK);
  atesql_worker_free(got);
  atesql_store_close(s);
}

/* ---- failover and fencing ---------------------------------------------- */

enum { MAX_ACKED = 100000 };

typedef struct writer {
  const char *url;
  volatile int stop;
  int acked;          /* creates acknowledged (OK, or in doubt then present) */
  int failed;         /* calls that did not succeed */
  double last_ok;     /* time of the last acknowledged write */
  double longest_gap; /* between two acknowledged writes: the outage */
} writer;

/* Creates workers w0, w1, ... one at a time on ONE handle, never reopened.
** A call that fails is retried for the same worker; ALREADY_EXISTS after
** a failure is a write in doubt that did land. */
static void *writer_run(void *arg) {
  writer *wr = arg;
  atesql_store *s = open_ok(wr->url);
  assert_int_equal(atesql_store_set_timeout(s, 2000), ATESQL_OK);
  bool in_doubt = false;
  while (!wr->stop && wr->acked < MAX_ACKED) {
    char pod[32];
    snprintf(pod, sizeof pod, "w%d", wr->acked);
    atesql_worker w = make_worker(pod);
    atesql_status st = atesql_worker_create(s, &w);
    if (st == ATESQL_OK || (in_doubt && st == ATESQL_ALREADY_EXISTS)) {
      double t = now_s();
      if (wr->acked && t - wr->last_ok > wr->longest_gap)
        wr->longest_gap = t - wr->last_ok;
      wr->acked++;
      wr->last_ok = t;
      in_doubt = false;
    } else {
      wr->failed++;
      in_doubt = true;
      usleep(20 * 1000);
    }
  }
  atesql_store_close(s);
  return NULL;
}

/* Every worker the writer acknowledged is on the server of url. */
static void assert_all_acknowledged_present(const char *url, int acked) {
  atesql_store *s = open_ok(url);
  int lost = 0;
  for (int i = 0; i < acked; i++) {
    char pod[32];
    snprintf(pod, sizeof pod, "w%d", i);
    atesql_worker *got = NULL;
    if (atesql_worker_get(s, "ns", "cpu", pod, &got) != ATESQL_OK) lost++;
    atesql_worker_free(got);
  }
  atesql_store_close(s);
  printf("  acknowledged writes checked: %d, lost: %d\n", acked, lost);
  assert_int_equal(lost, 0);
}

static void wait_for_writes(writer *wr, int more) {
  int target = wr->acked + more;
  for (int i = 0; i < 3000 && wr->acked < target; i++)
    usleep(10 * 1000);
  if (wr->acked < target)
    fail_msg("the writer made no progress (%d acknowledged, %d failed)",
             wr->acked, wr->failed);
}

/*
** The scenario of failover and fence: a writer on one multi-host handle,
** the event (stop or fence the primary, promote the standby) after some
** writes, then more writes, then the check on the new primary.
*/
static void run_failover(const char *label, bool fence) {
  create_database("failover");
  char url[1024];
  snprintf(url, sizeof url,
           "host=127.0.0.1,127.0.0.1 port=%s,%s user=postgres "
           "dbname=failover target_session_attrs=read-write",
           getenv("ATESQL_REPL_PRIMARY_PORT"),
           getenv("ATESQL_REPL_STANDBY_PORT"));
  migrate_ok(with(primary, "dbname=failover"));
  watcher wa = {.url = url, .target = -1};
  pthread_t wt;
  pthread_create(&wt, NULL, watcher_run, &wa);
  writer wr = {.url = url};
  pthread_t t;
  pthread_create(&t, NULL, writer_run, &wr);
  wait_for_writes(&wr, 200);

  char cmd[600];
  const char *dir = getenv("ATESQL_REPL_DIR");
  int failed_before = wr.failed;
  if (fence) {
    admin_exec(with(primary, "dbname=postgres"),
               "ALTER SYSTEM SET default_transaction_read_only = on");
    admin_exec(with(primary, "dbname=postgres"), "SELECT pg_reload_conf()");
  } else {
    snprintf(cmd, sizeof cmd, "pg_ctl -D %s/primary -m immediate stop", dir);
    server_command(cmd);
  }
  snprintf(cmd, sizeof cmd, "pg_ctl -D %s/standby -w promote", dir);
  server_command(cmd);
  wait_for_writes(&wr, 200);
  wr.stop = 1;
  pthread_join(t, NULL);
  printf("%s: the handle recovered without reopening; longest wait between "
         "acknowledged writes %.2f s, %d calls failed, %d writes "
         "acknowledged\n",
         label, wr.longest_gap, wr.failed - failed_before, wr.acked);
  assert_all_acknowledged_present(with(standby, "dbname=failover"), wr.acked);
  /* Every write that landed, the acknowledged ones and any in doubt. */
  assert_true(finish_watcher(&wa, wt, url) >= (size_t)wr.acked);
}

static void test_failover_loses_no_acknowledged_write(void **state) {
  (void)state;
  run_failover("failover (primary stopped -m immediate, standby promoted)",
               false);
}

static void test_fenced_primary_is_left_for_the_new_one(void **state) {
  (void)state;
  run_failover("fence (primary read-only, standby promoted)", true);
}

int main(int argc, char **argv) {
  primary = getenv("ATESQL_REPL_PRIMARY");
  standby = getenv("ATESQL_REPL_STANDBY");
  bouncer_session = getenv("ATESQL_REPL_BOUNCER_SESSION");
  bouncer_transaction = getenv("ATESQL_REPL_BOUNCER_TRANSACTION");
  if (!primary || !standby || !bouncer_session || !bouncer_transaction ||
      argc != 2) {
    fprintf(stderr, "run through tests/replication/run.sh PROGRAM "
                    "pooler|failover|fence\n");
    return 2;
  }
  const struct CMUnitTest pooler[] = {
      cmocka_unit_test(test_transaction_pooler_serves_several_clients),
      cmocka_unit_test(test_session_pooler_serves_several_clients),
      cmocka_unit_test(test_migrations_through_transaction_pooler),
      cmocka_unit_test(test_reads_on_the_standby),
      cmocka_unit_test(test_deadline_against_a_stopped_backend),
  };
  const struct CMUnitTest failover[] = {
      cmocka_unit_test(test_failover_loses_no_acknowledged_write),
  };
  const struct CMUnitTest fence[] = {
      cmocka_unit_test(test_fenced_primary_is_left_for_the_new_one),
  };
  if (strcmp(argv[1], "pooler") == 0)
    return cmocka_run_group_tests_name("pooler", pooler, NULL, NULL);
  if (strcmp(argv[1], "failover") == 0)
    return cmocka_run_group_tests_name("failover", failover, NULL, NULL);
  if (strcmp(argv[1], "fence") == 0)
    return cmocka_run_group_tests_name("fence", fence, NULL, NULL);
  fprintf(stderr, "unknown scenario '%s'\n", argv[1]);
  return 2;
}
