/*
** crash_postgres: the PostgreSQL server stopped with an immediate shutdown
** (a crash: no checkpoint, backends killed, WAL replayed at the next
** start) and started again, over and over, while one long-lived handle
** writes. Acknowledged writes survive, the handle recovers without being
** reopened, and every write that returned UNAVAILABLE (in doubt) is found,
** once reread, either fully applied or not applied at all.
**
** The writer (the main thread, one handle for the whole test) runs the
** workload of workload.h: slot worker creates, updates with their version
** and deletes; lock acquire, steal and release; imports and drops of 1000
** workers or actors in one transaction. A call that fails inside a
** transaction is followed, as a careless caller would, by three more calls
** and a commit, each of which must fail (none may run on the new
** connection on its own). After an UNAVAILABLE the writer rereads
** everything through the same handle, retrying while the server is down,
** and judges the operation in doubt (wl_verify): all of it or none; none
** at all when it failed before its commit. After each restart the whole
** state is compared with the acknowledged writes.
**
** The restarter (a thread) waits a random time under load, runs
** `pg_ctlcluster VERSION CLUSTER stop -m immediate`, keeps the server down
** a random time, and starts it again with `pg_ctlcluster ... start`. The
** cluster is the one `pg_lsclusters` lists on ATESQL_TEST_PG's port (as
** pg_virtualenv creates it: PG_CLUSTER_CONF_ROOT points pg_lsclusters and
** pg_ctlcluster at it), or ATESQL_CRASH_PG_CLUSTER="15/regress". Without
** one, outside CI only, the test falls back to terminating every backend
** (pg_terminate_backend), a weaker substitute that it announces; under CI
** that is a failure. After each start the restarter also uses a second
** handle that sat idle through the restart: its first call may fail
** (nothing was in flight, but its connection died), its next must succeed.
**
** Runs against ATESQL_TEST_PG, in a schema of its own (crash_postgres);
** without it the suite says so and exits 77 (ctest: skipped), except under
** CI, where it fails. RESOURCE_LOCK postgres keeps other PostgreSQL suites
** off the server while it restarts.
**
** Figures: the server's durability settings, restarts, acknowledged
** writes, state checks and records compared, calls answered UNAVAILABLE,
** in-doubt writes found applied or not, calls answered UNAVAILABLE with
** the server up from their start to their end, the worst outage the
** handle saw (first failure .. next success) beside the worst restart
** (stop began .. start returned), the idle handle's first calls, wall
** time.
**
** Bounded (ctest): 5 restarts, about 30 s. Long run, 100 restarts, one
** command from the repository:
**   tests/crash/long-run crash_postgres
** (ctest -V inside pg_virtualenv with ATESQL_CRASH_LONG=1;
** ATESQL_CRASH_RESTARTS=N for another count).
*/
#include "suite.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atesql/atesql.h"
#include "backend.h"
#include "crash.h"
#include "workload.h"

extern char **environ;

enum {
  RESTARTS_BOUNDED = 5,
  RESTARTS_LONG = 100,
  /* A batch costs about 250 plain writes (one round trip each): batches
  ** then take about half the writer's time. */
  BATCH_PERMILLE = 4,
  LOAD_MIN_MS = 300, /* writing between restarts */
  LOAD_MAX_MS = 1500,
  DOWN_MAX_MS = 500, /* the server stays down up to this long */
  /* The handle must be back this long after the server is. */
  RECOVERY_DEADLINE_US = 30 * 1000000
};

static char url[1400];     /* the schema's conninfo */
static char ctl_log[1024]; /* pg_ctlcluster's output */

/* ---- how the server is restarted ---- */

typedef struct restart_method {
  bool cluster; /* pg_ctlcluster; otherwise pg_terminate_backend */
  char version[16];
  char name[64];
} restart_method;

/* The port ATESQL_TEST_PG names, else PGPORT, else 5432. */
static void conninfo_port(const char *conninfo, char *out, size_t outsz) {
  snprintf(out, outsz, "%s", getenv("PGPORT") ? getenv("PGPORT") : "5432");
  PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
  for (PQconninfoOption *o = opts; o && o->keyword; o++)
    if (strcmp(o->keyword, "port") == 0 && o->val && *o->val)
      snprintf(out, outsz, "%s", o->val);
  PQconninfoFree(opts);
}

/* Find the cluster serving `base` (see the file comment). */
static bool find_cluster(const char *base, restart_method *m) {
  const char *given = getenv("ATESQL_CRASH_PG_CLUSTER");
  if (given && *given) {
    const char *slash = strchr(given, '/');
    if (slash == NULL) fail_msg("ATESQL_CRASH_PG_CLUSTER must be VERSION/NAME");
    snprintf(m->version, sizeof m->version, "%.*s", (int)(slash - given),
             given);
    snprintf(m->name, sizeof m->name, "%s", slash + 1);
    return true;
  }
  char port[16];
  conninfo_port(base, port, sizeof port);
  FILE *p = popen("pg_lsclusters -h 2>/dev/null", "r");
  if (p == NULL) return false;
  char line[1024];
  bool found = false;
  while (!found && fgets(line, sizeof line, p)) {
    char ver[16], name[64], cport[16];
    if (sscanf(line, "%15s %63s %15s", ver, name, cport) == 3 &&
        strcmp(cport, port) == 0) {
      snprintf(m->version, sizeof m->version, "%s", ver);
      snprintf(m->name, sizeof m->name, "%s", name);
      found = true;
    }
  }
  pclose(p);
  return found;
}

/* Run argv (no shell), its output appended to ctl_log; its exit status,
** or -1. */
static int run_command(char *const argv[]) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, ctl_log,
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int pg_ctlcluster(const restart_method *m, const char *action,
                         bool immediate) {
  char *argv[] = {"pg_ctlcluster",
                  (char *)m->version,
                  (char *)m->name,
                  (char *)action,
                  immediate ? "-m" : NULL,
                  "immediate",
                  NULL};
  return run_command(argv);
}

/* Terminate every other backend of the database (the weaker substitute). */
static int terminate_backends(const char *base) {
  PGconn *c = PQconnectdb(base);
  if (PQstatus(c) != CONNECTION_OK) {
    PQfinish(c);
    return -1;
  }
  PGresult *r = PQexec(c, "SELECT pg_terminate_backend(pid) FROM "
                          "pg_stat_activity WHERE pid <> pg_backend_pid() "
                          "AND datname = current_database()");
  int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -1;
  PQclear(r);
  PQfinish(c);
  return rc;
}

/* "PostgreSQL 15.18, fsync on, synchronous_commit on": what durability
** the server promises, for the figures. */
static void server_settings(const char *base, char *out, size_t outsz) {
  snprintf(out, outsz, "unknown settings");
  PGconn *c = PQconnectdb(base);
  PGresult *r = PQexec(c, "SELECT current_setting('server_version'), "
                          "current_setting('fsync'), "
                          "current_setting('synchronous_commit')");
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
    snprintf(out, outsz, "PostgreSQL %s, fsync %s, synchronous_commit %s",
             PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
  PQclear(r);
  PQfinish(c);
}

/* ---- the restarter thread ---- */

/* Shared between the writer and the restarter. */
typedef struct shared {
  pthread_mutex_t mu;
  int64_t stops;      /* stops begun */
  int64_t restarts;   /* starts completed: the server is up when equal */
  int64_t stop_at_us; /* when the last stop began */
  int64_t up_at_us;   /* when the last start returned */
  atomic_bool stop;   /* the writer asks the restarter to finish */
  atomic_bool done;   /* the restarter finished */
  char error[512];    /* a restart that failed */
} shared;

/* The restarter's own figures, and its idle handle. */
typedef struct restarter {
  shared *sh;
  restart_method method;
  const char *base; /* admin conninfo */
  long restarts;
  uint64_t seed;
  atesql_store *idle;
  int64_t idle_version;
  int64_t idle_first_ok, idle_first_unavailable, idle_first_other;
  int64_t idle_second_failed;
  int64_t idle_in_doubt_applied;
  int64_t worst_restart_us; /* stop began .. start returned */
  char idle_error[512];
} restarter;

static void restarter_error(restarter *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void restarter_error(restarter *r, const char *fmt, ...) {
  pthread_mutex_lock(&r->sh->mu);
  if (r->sh->error[0] == '\0') {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->sh->error, sizeof r->sh->error, fmt, ap);
    va_end(ap);
  }
  pthread_mutex_unlock(&r->sh->mu);
}

/* Sleep up to ms, waking early when the writer asks to stop. */
static void load_sleep(restarter *r, int64_t ms) {
  for (int64_t slept = 0; slept < ms && !atomic_load(&r->sh->stop); slept += 10)
    crash_sleep_us(10000);
}

static const atesql_worker idle_probe = {.worker_namespace = "idle",
                                         .worker_pool = "idle",
                                         .worker_pod = "probe",
                                         .ip = "10.3.0.1"};

/*
** The idle handle's first call after a restart: an update of its probe
** worker. When it fails, the next call (a reread) must succeed; it tells
** whether the update applied (counted; either is allowed).
*/
static void probe_idle_handle(restarter *r) {
  atesql_worker w = idle_probe;
  w.actor_id = "idle";
  int64_t v = 0;
  atesql_status st = atesql_worker_update(r->idle, &w, r->idle_version, &v);
  if (st == ATESQL_OK) {
    r->idle_first_ok++;
    r->idle_version = v;
    return;
  }
  if (st != ATESQL_UNAVAILABLE) {
    r->idle_first_other++;
    snprintf(r->idle_error, sizeof r->idle_error, "idle handle: %s: %s",
             atesql_status_str(st), atesql_errmsg(r->idle));
    return;
  }
  r->idle_first_unavailable++;
  atesql_worker *got = NULL;
  st = atesql_worker_get(r->idle, "idle", "idle", "probe", &got);
  if (st != ATESQL_OK) {
    r->idle_second_failed++;
    snprintf(r->idle_error, sizeof r->idle_error,
             "idle handle: the call after an UNAVAILABLE failed too, with the "
             "server up: %s: %s",
             atesql_status_str(st), atesql_errmsg(r->idle));
    for (int i = 0; i < 100 && st != ATESQL_OK; i++) {
      crash_sleep_us(50000);
      st = atesql_worker_get(r->idle, "idle", "idle", "probe", &got);
    }
    if (st != ATESQL_OK) return;
  }
  if (got->version == r->idle_version + 1) r->idle_in_doubt_applied++;
  r->idle_version = got->version;
  atesql_worker_free(got);
}

static void *restarter_main(void *p) {
  restarter *r = p;
  crash_rng rng = {r->seed};
  for (long i = 0; i < r->restarts && !atomic_load(&r->sh->stop); i++) {
    load_sleep(r, crash_rng_range(&rng, LOAD_MIN_MS, LOAD_MAX_MS));
    if (atomic_load(&r->sh->stop)) break;
    int64_t t0 = crash_now_us();
    pthread_mutex_lock(&r->sh->mu);
    r->sh->stops++;
    r->sh->stop_at_us = t0;
    pthread_mutex_unlock(&r->sh->mu);
    if (r->method.cluster) {
      if (pg_ctlcluster(&r->method, "stop", true) != 0)
        restarter_error(r,
                        "pg_ctlcluster %s %s stop -m immediate failed "
                        "(see %s)",
                        r->method.version, r->method.name, ctl_log);
      crash_sleep_us(crash_rng_range(&rng, 0, DOWN_MAX_MS) * 1000);
      int rc = -1;
      for (int attempt = 0; attempt < 5 && rc != 0; attempt++)
        if ((rc = pg_ctlcluster(&r->method, "start", false)) != 0)
          crash_sleep_us(1000000);
      if (rc != 0) {
        restarter_error(r, "pg_ctlcluster %s %s start failed (see %s)",
                        r->method.version, r->method.name, ctl_log);
        break;
      }
    } else if (terminate_backends(r->base) != 0) {
      restarter_error(r, "pg_terminate_backend failed");
      break;
    }
    int64_t now = crash_now_us();
    if (now - t0 > r->worst_restart_us) r->worst_restart_us = now - t0;
    pthread_mutex_lock(&r->sh->mu);
    r->sh->up_at_us = now;
    r->sh->restarts++;
    pthread_mutex_unlock(&r->sh->mu);
    probe_idle_handle(r);
  }
  atomic_store(&r->sh->done, true);
  return NULL;
}

/* ---- reading locks with libpq ---- */

/* "terminating connection due to immediate shutdown" is expected here. */
static void ignore_notice(void *arg, const char *message) {
  (void)arg;
  (void)message;
}

typedef struct pg_reader {
  const char *url;
  PGconn *c;
} pg_reader;

static atesql_status pg_lock_holder(void *ctx, const char *key, char *buf,
                                    size_t bufsz) {
  pg_reader *rd = ctx;
  buf[0] = '\0';
  for (int attempt = 0; attempt < 2; attempt++) {
    if (rd->c == NULL || PQstatus(rd->c) != CONNECTION_OK) {
      PQfinish(rd->c);
      rd->c = PQconnectdb(rd->url);
      if (PQstatus(rd->c) != CONNECTION_OK) continue;
      PQsetNoticeProcessor(rd->c, ignore_notice, NULL);
    }
    const char *params[] = {key};
    PGresult *r = PQexecParams(rd->c, "SELECT value FROM locks WHERE key = $1",
                               1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
      buf[0] = '\0';
      if (PQntuples(r) > 0) snprintf(buf, bufsz, "%s", PQgetvalue(r, 0, 0));
      PQclear(r);
      return ATESQL_OK;
    }
    snprintf(buf, bufsz, "%s", PQerrorMessage(rd->c));
    PQclear(r);
    if (PQstatus(rd->c) == CONNECTION_OK) return ATESQL_INTERNAL;
  }
  return ATESQL_UNAVAILABLE;
}

/* ---- the test ---- */

static restarter rs;
static shared sh = {.mu = PTHREAD_MUTEX_INITIALIZER};
static pthread_t restarter_thread;
static bool restarter_running;

/* Stop the restarter (it leaves the server up) before failing. */
static void finish_restarter(void) {
  if (!restarter_running) return;
  atomic_store(&sh.stop, true);
  pthread_join(restarter_thread, NULL);
  restarter_running = false;
}

#define FAIL(...)                                                              \
  do {                                                                         \
    finish_restarter();                                                        \
    fail_msg(__VA_ARGS__);                                                     \
  } while (0)

/* The writer's figures beyond wl_stats. */
typedef struct figures {
  int64_t calls_unavailable; /* operations answered UNAVAILABLE */
  int64_t reads_unavailable; /* rereads answered UNAVAILABLE */
  /* Operations answered UNAVAILABLE although the server was up from their
  ** start to their end, and the most of them in a row. */
  int64_t failed_while_up;
  int64_t worst_failed_while_up;
  int64_t before_commit;   /* batches failed before commit: absent */
  int64_t worst_outage_us; /* the handle's first failure .. next success */
  int64_t worst_back_us;   /* stop began .. the handle's next success */
  int64_t outages;
} figures;

/* The restarter's progress as the writer sees it. */
typedef struct server_view {
  int64_t stops, restarts, stop_at_us, up_at_us;
} server_view;

static server_view server_now(void) {
  pthread_mutex_lock(&sh.mu);
  server_view v = {sh.stops, sh.restarts, sh.stop_at_us, sh.up_at_us};
  pthread_mutex_unlock(&sh.mu);
  return v;
}

/*
** Compare the database with m through the writer's handle, retrying while
** it is unreachable; fail when the handle is not back
** RECOVERY_DEADLINE_US after the server is.
*/
static void verify_retrying(atesql_store *s, pg_reader *rdctx, wl_model *m,
                            const wl_op *flight, wl_check *chk, figures *f,
                            const char *why) {
  wl_reader rd = {pg_lock_holder, rdctx};
  for (;;) {
    atesql_status st = wl_verify(s, &rd, m, flight, chk);
    if (st == ATESQL_OK) break;
    f->reads_unavailable++;
    server_view v = server_now();
    if (atomic_load(&sh.done) && v.stops != v.restarts)
      FAIL("%s: the server was not started again: %s", why, sh.error);
    if (v.stops == v.restarts &&
        crash_now_us() - v.up_at_us > RECOVERY_DEADLINE_US)
      FAIL("%s: the handle has not recovered %d s after the server came "
           "back: %s: %s",
           why, RECOVERY_DEADLINE_US / 1000000, atesql_status_str(st),
           atesql_errmsg(s));
    crash_sleep_us(20000);
  }
  if (chk->failed) {
    char what[128];
    wl_describe(flight ? flight : &(wl_op){WL_NONE, 0, 0}, what, sizeof what);
    FAIL("%s (in doubt: %s): %s", why, what, chk->message);
  }
}

static void test_immediate_restarts_lose_no_acknowledged_write(void **state) {
  (void)state;
  const char *base = getenv("ATESQL_TEST_PG"); /* set: main checked */
  snprintf(url, sizeof url, "%s", test_backend_fresh_url("crash_postgres"));
  snprintf(ctl_log, sizeof ctl_log, "%s/crash_postgres_ctl.log", crash_dir());
  long restarts =
      crash_count("ATESQL_CRASH_RESTARTS", RESTARTS_BOUNDED, RESTARTS_LONG);
  uint64_t seed = crash_seed();

  rs.sh = &sh;
  rs.base = base;
  rs.restarts = restarts;
  rs.seed = seed ^ 0x5bd1e995u;
  rs.method.cluster = find_cluster(base, &rs.method);
  char settings[256];
  server_settings(base, settings, sizeof settings);
  if (rs.method.cluster) {
    printf("crash_postgres: %ld immediate restarts of cluster %s/%s "
           "(pg_ctlcluster stop -m immediate; start; %s), seed %" PRIu64 "\n",
           restarts, rs.method.version, rs.method.name, settings, seed);
  } else {
    if (getenv("CI"))
      fail_msg("no PostgreSQL cluster on ATESQL_TEST_PG's port is visible to "
               "pg_lsclusters; under CI the server must be restarted, not "
               "only its backends terminated");
    printf("crash_postgres: WEAKER SUBSTITUTE: no cluster found to restart "
           "(pg_lsclusters, ATESQL_CRASH_PG_CLUSTER); terminating every "
           "backend %ld times instead (pg_terminate_backend), seed %" PRIu64
           "\n",
           restarts, seed);
  }

  atesql_error err = {0};
  if (atesql_migrate_up(url, NULL, &err) != ATESQL_OK)
    fail_msg("migrate: %s", err.message);
  atesql_store *s = NULL;
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    fail_msg("open: %s", err.message);
  if (atesql_store_open(url, &rs.idle, &err) != ATESQL_OK)
    fail_msg("open: %s", err.message);
  if (atesql_worker_create(rs.idle, &idle_probe) != ATESQL_OK)
    fail_msg("create the idle probe: %s", atesql_errmsg(rs.idle));
  rs.idle_version = 1;
  pg_reader rdctx = {url, NULL};

  crash_rng rng = {seed};
  wl_model m;
  wl_model_init(&m);
  wl_stats stats = {0};
  figures f = {0};
  int64_t started = crash_now_us();
  assert_int_equal(pthread_create(&restarter_thread, NULL, restarter_main, &rs),
                   0);
  restarter_running = true;

  int64_t outage_start = 0, failed_in_a_row_while_up = 0, checked_restarts = 0;
  while (!atomic_load(&sh.done)) {
    wl_op op = wl_choose(&m, &rng, BATCH_PERMILLE);
    int64_t call_start = crash_now_us();
    server_view before = server_now();
    wl_exec ex;
    wl_exec_op(s, &op, true, &ex);
    server_view after = server_now();
    if (ex.defect) FAIL("%s", ex.message);
    if (ex.status == ATESQL_OK) {
      wl_apply(&m, &op);
      wl_count_acked(&stats, &op);
      if (outage_start) {
        int64_t now = crash_now_us();
        if (now - outage_start > f.worst_outage_us)
          f.worst_outage_us = now - outage_start;
        if (now - after.stop_at_us > f.worst_back_us)
          f.worst_back_us = now - after.stop_at_us;
        outage_start = 0;
        failed_in_a_row_while_up = 0;
      }
      if (after.restarts > checked_restarts) {
        /* The server is back and the handle works: everything acknowledged
        ** must be there. */
        wl_check chk;
        verify_retrying(s, &rdctx, &m, NULL, &chk, &f, "after a restart");
        stats.checks++;
        stats.records_checked += chk.records;
        checked_restarts = after.restarts;
        if (restarts >= 50 && checked_restarts % 10 == 0)
          printf("crash_postgres: %" PRId64 "/%ld restarts, %.0f s\n",
                 checked_restarts, restarts,
                 (double)(crash_now_us() - started) / 1e6);
      }
      continue;
    }
    char what[128];
    wl_describe(&op, what, sizeof what);
    if (ex.status != ATESQL_UNAVAILABLE)
      FAIL("%s: %s (want OK, or UNAVAILABLE while the server restarts)", what,
           ex.message);
    f.calls_unavailable++;
    if (outage_start == 0) {
      outage_start = call_start;
      f.outages++;
    }
    if (before.stops == before.restarts && after.stops == before.stops) {
      /* The contract: the call after a lost connection reconnects. */
      f.failed_while_up++;
      if (++failed_in_a_row_while_up > f.worst_failed_while_up)
        f.worst_failed_while_up = failed_in_a_row_while_up;
      if (failed_in_a_row_while_up > 1)
        FAIL("%s: %s: the handle failed %" PRId64 " operations in a row "
             "with the server up throughout",
             what, ex.message, failed_in_a_row_while_up);
    }
    /* In doubt: reread through the same handle. */
    wl_check chk;
    verify_retrying(s, &rdctx, &m, &op, &chk, &f,
                    "rereading an in-doubt write");
    stats.checks++;
    stats.records_checked += chk.records;
    if (ex.before_commit) {
      f.before_commit++;
      if (chk.applied)
        FAIL("%s failed before its commit (%s) but is present", what,
             ex.message);
    }
    wl_count_flight(&stats, &op, chk.applied);
  }
  finish_restarter();
  if (sh.error[0]) fail_msg("restarting the server: %s", sh.error);
  if (rs.idle_error[0] && (rs.idle_second_failed || rs.idle_first_other))
    fail_msg("%s", rs.idle_error);

  /* The end: the same handle, then a fresh one, see every acknowledged
  ** write. */
  wl_check chk;
  verify_retrying(s, &rdctx, &m, NULL, &chk, &f, "at the end");
  stats.checks++;
  stats.records_checked += chk.records;
  atesql_store *fresh = NULL;
  if (atesql_store_open(url, &fresh, &err) != ATESQL_OK)
    fail_msg("open a fresh handle: %s", err.message);
  verify_retrying(fresh, &rdctx, &m, NULL, &chk, &f, "on a fresh handle");
  stats.checks++;
  stats.records_checked += chk.records;
  atesql_store_close(fresh);
  atesql_store_close(s);
  atesql_store_close(rs.idle);
  PQfinish(rdctx.c);
  double wall = (double)(crash_now_us() - started) / 1e6;

  printf("crash_postgres: %s: %" PRId64 "; worst stop began .. start "
         "returned %.2f s\n",
         rs.method.cluster ? "immediate restarts" : "backends terminated",
         sh.restarts, (double)rs.worst_restart_us / 1e6);
  wl_print_stats("crash_postgres", &stats);
  printf("crash_postgres: calls answered UNAVAILABLE: %" PRId64
         " operations in %" PRId64 " outages, %" PRId64
         " rereads; batches failed before commit: %" PRId64
         " (all found absent)\n",
         f.calls_unavailable, f.outages, f.reads_unavailable, f.before_commit);
  printf("crash_postgres: operations answered UNAVAILABLE with the server "
         "up throughout: %" PRId64 " (at most %" PRId64 " in a row)\n",
         f.failed_while_up, f.worst_failed_while_up);
  printf("crash_postgres: worst outage seen by the handle (first failure .. "
         "next success) %.2f s; worst stop began .. handle's next success "
         "%.2f s\n",
         (double)f.worst_outage_us / 1e6, (double)f.worst_back_us / 1e6);
  printf("crash_postgres: idle handle's first call after a restart: OK "
         "%" PRId64 ", UNAVAILABLE %" PRId64 " (applied %" PRId64
         "), its next call failed %" PRId64 "\n",
         rs.idle_first_ok, rs.idle_first_unavailable, rs.idle_in_doubt_applied,
         rs.idle_second_failed);
  printf("crash_postgres: wall time %.1f s\n", wall);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  test_backend_url("crash_postgres"); /* exits 77 without ATESQL_TEST_PG */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_immediate_restarts_lose_no_acknowledged_write),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
