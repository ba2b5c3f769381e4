/*
** concurrency_sqlite, concurrency_postgres: many writers incrementing a
** few workers by optimistic update lose no update and apply none twice.
**
** Each writer repeats: get a worker, update it with the version it read;
** on CONFLICT (someone wrote it in between) or UNAVAILABLE (busy, or the
** connection dropped) it reads again and retries, until the update is OK.
** At the end every worker's version must be 1 + the number of updates
** that returned OK, summed over all writers: a lost update, an update
** applied twice, or one applied although it returned an error, shows up
** as a wrong version. Writers are:
**   - SQLite (one file): 4 processes (fork; one handle each) with the
**     default busy timeout, 4 processes with a 1 ms busy timeout (so busy
**     answers happen and are retried), and 8 threads (one handle each);
**   - PostgreSQL (a schema of its own): 8 threads and 4 processes.
** Counts come back through pipes (processes) or the threads' results.
**
** Figures, printed and never asserted: updates, CONFLICT and UNAVAILABLE
** retries, the worst wait for one successful update (wall time from its
** first read to its OK), its attempts, wall time.
**
** Bounded (ctest): 150 successful increments per writer, a few seconds.
** Long run, 5000 per writer, one command from the repository:
**   tests/crash/long-run concurrency_sqlite concurrency_postgres
** (ctest -V, inside pg_virtualenv for PostgreSQL, with
** ATESQL_CRASH_LONG=1; ATESQL_CRASH_INCREMENTS=N for another count).
*/
#include "suite.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atesql/atesql.h"
#include "backend.h"
#include "crash.h"

enum {
  WORKERS = 3,
  INCREMENTS_BOUNDED = 150,
  INCREMENTS_LONG = 5000,
  STARVED_US = 120 * 1000000 /* no update for this long: a failure */
};

/* What one writer did. Plain data: it crosses a pipe. */
typedef struct tally {
  int64_t successes[WORKERS];
  int64_t conflicts;     /* updates answered CONFLICT */
  int64_t busy;          /* calls answered UNAVAILABLE */
  int64_t worst_wait_us; /* longest first read .. OK of one increment */
  int64_t worst_attempts;
  int failed;
  char message[512];
} tally;

/* One run: its database, its writers, and how they are started. */
typedef struct run {
  const char *label;
  char url[1400];
  int writers;
  bool processes;
  long increments;
} run;

static const char *pod_of(int w) {
  static const char *const pods[WORKERS] = {"counter-0", "counter-1",
                                            "counter-2"};
  return pods[w];
}

static void tally_fail(tally *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tally_fail(tally *t, const char *fmt, ...) {
  if (t->failed) return;
  t->failed = 1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->message, sizeof t->message, fmt, ap);
  va_end(ap);
}

/* Open url, retrying while the database is busy (SQLite sets its journal
** mode on open). NULL, with t failed, when it cannot. */
static atesql_store *open_retrying(const char *url, tally *t) {
  atesql_error err = {0};
  for (int attempt = 0; attempt < 200; attempt++) {
    atesql_store *s = NULL;
    atesql_status st = atesql_store_open(url, &s, &err);
    if (st == ATESQL_OK) return s;
    if (st != ATESQL_UNAVAILABLE) break;
    t->busy++;
    crash_sleep_us(5000);
  }
  tally_fail(t, "open: %s", err.message);
  return NULL;
}

/*
** Writer `id`: `increments` successful optimistic increments spread over
** the workers, retrying CONFLICT and UNAVAILABLE; fills t.
*/
static void write_increments(const run *r, int id, uint64_t seed, tally *t) {
  memset(t, 0, sizeof *t);
  atesql_store *s = open_retrying(r->url, t);
  if (s == NULL) return;
  crash_rng rng = {seed};
  char actor[32];
  snprintf(actor, sizeof actor, "writer-%d", id);
  for (long i = 0; i < r->increments && !t->failed; i++) {
    int w = (int)crash_rng_range(&rng, 0, WORKERS - 1);
    int64_t t0 = crash_now_us(), attempts = 0;
    for (;;) {
      attempts++;
      if (crash_now_us() - t0 > STARVED_US) {
        tally_fail(
            t, "%s: no update of %s succeeded in %d s (%" PRId64 " attempts)",
            actor, pod_of(w), STARVED_US / 1000000, attempts);
        break;
      }
      atesql_worker *cur = NULL;
      atesql_status st =
          atesql_worker_get(s, "crash", "counters", pod_of(w), &cur);
      if (st == ATESQL_UNAVAILABLE) {
        t->busy++;
        crash_sleep_us(crash_rng_range(&rng, 0, 2000));
        continue;
      }
      if (st != ATESQL_OK) {
        tally_fail(t, "%s: get %s: %s: %s", actor, pod_of(w),
                   atesql_status_str(st), atesql_errmsg(s));
        break;
      }
      atesql_worker next = *cur;
      next.actor_id = actor;
      int64_t new_version = 0;
      st = atesql_worker_update(s, &next, cur->version, &new_version);
      int64_t read_version = cur->version;
      atesql_worker_free(cur);
      if (st == ATESQL_OK) {
        if (new_version != read_version + 1)
          tally_fail(t, "%s: update of %s from %" PRId64 " returned %" PRId64,
                     actor, pod_of(w), read_version, new_version);
        t->successes[w]++;
        break;
      }
      if (st == ATESQL_CONFLICT) {
        t->conflicts++;
        continue;
      }
      if (st == ATESQL_UNAVAILABLE) {
        t->busy++;
        crash_sleep_us(crash_rng_range(&rng, 0, 2000));
        continue;
      }
      tally_fail(t, "%s: update %s: %s: %s", actor, pod_of(w),
                 atesql_status_str(st), atesql_errmsg(s));
      break;
    }
    int64_t wait = crash_now_us() - t0;
    if (wait > t->worst_wait_us) t->worst_wait_us = wait;
    if (attempts > t->worst_attempts) t->worst_attempts = attempts;
  }
  atesql_store_close(s);
}

/* ---- threads ---- */

typedef struct thread_arg {
  const run *r;
  int id;
  uint64_t seed;
  pthread_barrier_t *start;
  tally t;
} thread_arg;

static void *thread_main(void *p) {
  thread_arg *a = p;
  pthread_barrier_wait(a->start);
  write_increments(a->r, a->id, a->seed, &a->t);
  return NULL;
}

static void run_threads(const run *r, uint64_t seed, tally *out) {
  pthread_barrier_t start;
  assert_int_equal(pthread_barrier_init(&start, NULL, (unsigned)r->writers), 0);
  thread_arg *args = calloc((size_t)r->writers, sizeof *args);
  pthread_t *threads = calloc((size_t)r->writers, sizeof *threads);
  assert_non_null(args);
  assert_non_null(threads);
  for (int i = 0; i < r->writers; i++) {
    args[i].r = r;
    args[i].id = i;
    args[i].seed = seed + (uint64_t)i;
    args[i].start = &start;
    assert_int_equal(pthread_create(&threads[i], NULL, thread_main, &args[i]),
                     0);
  }
  for (int i = 0; i < r->writers; i++) {
    assert_int_equal(pthread_join(threads[i], NULL), 0);
    out[i] = args[i].t;
  }
  pthread_barrier_destroy(&start);
  free(threads);
  free(args);
}

/* ---- processes ---- */

static ssize_t read_full(int fd, void *buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = read(fd, (char *)buf + got, len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

/*
** Fork r->writers processes. Each waits at a gate (a pipe whose write end
** the parent closes once all are forked), runs its increments and writes
** its tally to a pipe of its own.
*/
static void run_processes(const run *r, uint64_t seed, tally *out) {
  int gate[2];
  assert_int_equal(pipe(gate), 0);
  pid_t *pids = calloc((size_t)r->writers, sizeof *pids);
  int *results = calloc((size_t)r->writers, sizeof *results);
  assert_non_null(pids);
  assert_non_null(results);
  fflush(stdout);
  fflush(stderr);
  for (int i = 0; i < r->writers; i++) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    pids[i] = fork();
    assert_true(pids[i] >= 0);
    if (pids[i] == 0) {
      close(gate[1]);
      close(p[0]);
      char c;
      while (read(gate[0], &c, 1) < 0 && errno == EINTR)
        ;
      tally t;
      write_increments(r, i, seed + (uint64_t)i, &t);
      _exit(write(p[1], &t, sizeof t) == (ssize_t)sizeof t ? 0 : 1);
    }
    close(p[1]);
    results[i] = p[0];
  }
  close(gate[0]);
  close(gate[1]); /* open the gate */
  for (int i = 0; i < r->writers; i++) {
    memset(&out[i], 0, sizeof out[i]);
    if (read_full(results[i], &out[i], sizeof out[i]) != sizeof out[i])
      tally_fail(&out[i], "writer process %d sent no result", i);
    close(results[i]);
    int status = 0;
    while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
      ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      tally_fail(&out[i], "writer process %d ended with status %d", i, status);
  }
  free(results);
  free(pids);
}

/* ---- the tests ---- */

/* A fresh, migrated database at r->url holding the counters, version 1. */
static void prepare(run *r, const char *name, const char *url_suffix) {
  snprintf(r->url, sizeof r->url, "%s%s", test_backend_fresh_url(name),
           url_suffix);
  atesql_error err = {0};
  if (atesql_migrate_up(r->url, NULL, &err) != ATESQL_OK)
    fail_msg("migrate: %s", err.message);
  atesql_store *s = NULL;
  if (atesql_store_open(r->url, &s, &err) != ATESQL_OK)
    fail_msg("open: %s", err.message);
  for (int w = 0; w < WORKERS; w++) {
    atesql_worker c = {.worker_namespace = "crash",
                       .worker_pool = "counters",
                       .worker_pod = pod_of(w),
                       .ip = "10.2.0.1"};
    atesql_status st = atesql_worker_create(s, &c);
    if (st != ATESQL_OK) fail_msg("create %s: %s", pod_of(w), atesql_errmsg(s));
  }
  atesql_store_close(s);
}

/* Run r's writers, check every counter, print the figures. */
static void run_and_check(run *r) {
  r->increments = crash_count("ATESQL_CRASH_INCREMENTS", INCREMENTS_BOUNDED,
                              INCREMENTS_LONG);
  uint64_t seed = crash_seed();
  tally *t = calloc((size_t)r->writers, sizeof *t);
  assert_non_null(t);
  int64_t t0 = crash_now_us();
  if (r->processes)
    run_processes(r, seed, t);
  else
    run_threads(r, seed, t);
  double wall = (double)(crash_now_us() - t0) / 1e6;

  int64_t successes[WORKERS] = {0}, conflicts = 0, busy = 0, worst = 0,
          worst_attempts = 0, total = 0;
  for (int i = 0; i < r->writers; i++) {
    if (t[i].failed) fail_msg("%s: %s", r->label, t[i].message);
    for (int w = 0; w < WORKERS; w++)
      successes[w] += t[i].successes[w];
    conflicts += t[i].conflicts;
    busy += t[i].busy;
    if (t[i].worst_wait_us > worst) worst = t[i].worst_wait_us;
    if (t[i].worst_attempts > worst_attempts)
      worst_attempts = t[i].worst_attempts;
  }
  free(t);

  atesql_store *s = NULL;
  atesql_error err = {0};
  if (atesql_store_open(r->url, &s, &err) != ATESQL_OK)
    fail_msg("open: %s", err.message);
  char versions[128] = "";
  size_t n = 0;
  bool wrong = false;
  for (int w = 0; w < WORKERS; w++) {
    atesql_worker *got = NULL;
    atesql_status st =
        atesql_worker_get(s, "crash", "counters", pod_of(w), &got);
    if (st != ATESQL_OK) fail_msg("get %s: %s", pod_of(w), atesql_errmsg(s));
    n += (size_t)snprintf(versions + n, sizeof versions - n,
                          "%s%s %" PRId64 " (want %" PRId64 ")", w ? ", " : "",
                          pod_of(w), got->version, 1 + successes[w]);
    if (got->version != 1 + successes[w]) wrong = true;
    total += successes[w];
    atesql_worker_free(got);
  }
  atesql_store_close(s);

  printf("%s: %d %s x %ld increments on %d workers: %" PRId64
         " updates in %.2f s\n",
         r->label, r->writers, r->processes ? "processes" : "threads",
         r->increments, WORKERS, total, wall);
  printf("%s: retries: CONFLICT %" PRId64 ", UNAVAILABLE %" PRId64
         "; worst wait for one update %.1f ms; most attempts %" PRId64 "\n",
         r->label, conflicts, busy, (double)worst / 1000.0, worst_attempts);
  printf("%s: final versions: %s\n", r->label, versions);
  if (wrong)
    fail_msg("%s: a final version is not 1 + the successful updates: %s",
             r->label, versions);
}

static void test_processes_incrementing_sqlite_lose_no_update(void **state) {
  (void)state;
  run r = {
      .label = "concurrency_sqlite processes", .writers = 4, .processes = true};
  prepare(&r, "concurrency_processes", "");
  run_and_check(&r);
}

static void test_processes_retrying_busy_sqlite_lose_no_update(void **state) {
  (void)state;
  run r = {.label = "concurrency_sqlite processes, busy_timeout_ms=1",
           .writers = 4,
           .processes = true};
  prepare(&r, "concurrency_busy", "?busy_timeout_ms=1");
  run_and_check(&r);
}

static void test_threads_incrementing_sqlite_lose_no_update(void **state) {
  (void)state;
  run r = {
      .label = "concurrency_sqlite threads", .writers = 8, .processes = false};
  prepare(&r, "concurrency_threads", "");
  run_and_check(&r);
}

static void test_threads_incrementing_postgres_lose_no_update(void **state) {
  (void)state;
  run r = {.label = "concurrency_postgres threads",
           .writers = 8,
           .processes = false};
  prepare(&r, "concurrency_threads", "");
  run_and_check(&r);
}

static void test_processes_incrementing_postgres_lose_no_update(void **state) {
  (void)state;
  run r = {.label = "concurrency_postgres processes",
           .writers = 4,
           .processes = true};
  prepare(&r, "concurrency_processes", "");
  run_and_check(&r);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *name = test_backend_is_postgres() ? "concurrency_postgres"
                                                : "concurrency_sqlite";
  test_backend_url(name); /* exits 77 when PostgreSQL is not configured */
  if (test_backend_is_postgres()) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_incrementing_postgres_lose_no_update),
        cmocka_unit_test(test_processes_incrementing_postgres_lose_no_update),
    };
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_processes_incrementing_sqlite_lose_no_update),
      cmocka_unit_test(test_processes_retrying_busy_sqlite_lose_no_update),
      cmocka_unit_test(test_threads_incrementing_sqlite_lose_no_update),
  };
  return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
