/*
** atesql_bench stats: what a handle's statistics and trace hook cost.
** A SQLite get of one worker of 1000 (the cheapest call that reaches the
** database) runs in blocks that take turns: with no trace hook, and with
** one that counts the events it is given. The statistics themselves are
** always kept; their cost is two reads of the monotonic clock and a few
** counters per call, and the clock reads are timed on their own. Prints
** the median per-call time of each over the rounds.
**
**   atesql_bench stats [--dir DIR] [--rounds N] [--calls N]
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, compare);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void count_event(void *arg, const atesql_trace_event *e) {
  (void)e;
  (*(unsigned long *)arg)++;
}

/* Per-call ns of calls gets of pod on s. */
static double time_gets(atesql_store *s, int calls) {
  double t0 = now_ns();
  for (int i = 0; i < calls; i++) {
    atesql_worker *w = NULL;
    check(s, atesql_worker_get(s, "ns", "cpu", "pod-0500", &w), "get");
    atesql_worker_free(w);
  }
  return (now_ns() - t0) / calls;
}

int stats_main(int argc, char **argv) {
  const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  int rounds = 30, calls = 2000;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
      dir = argv[++i];
    else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = atoi(argv[++i]);
    else if (strcmp(argv[i], "--calls") == 0 && i + 1 < argc)
      calls = atoi(argv[++i]);
    else if (strcmp(argv[i], "--help") == 0) {
      puts("usage: atesql_bench stats [--dir DIR] [--rounds N] [--calls N]\n"
           "A SQLite get with and without a trace hook, in turns; N rounds\n"
           "(30) of N calls (2000) each.");
      return 0;
    } else
      die("usage: atesql_bench stats [--dir DIR] [--rounds N] [--calls N]");
  }
  if (rounds < 1 || calls < 1) die("--rounds and --calls must be positive");
  char path[4096], url[4200];
  snprintf(path, sizeof path, "%s/atesql-bench-stats-%d.db", dir, getpid());
  snprintf(url, sizeof url, "sqlite:%s", path);
  atesql_error err = {0};
  if (atesql_migrate_up(url, NULL, &err) != ATESQL_OK)
    die("migrate: %s", err.message);
  atesql_store *s = NULL;
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    die("open: %s", err.message);
  check(s, atesql_tx_begin(s), "begin");
  for (int i = 0; i < 1000; i++) {
    char pod[32], node[32];
    snprintf(pod, sizeof pod, "pod-%04d", i);
    snprintf(node, sizeof node, "node-%d", i % 20);
    atesql_worker w = {.worker_namespace = "ns",
                       .worker_pool = "cpu",
                       .worker_pod = pod,
                       .node_name = node};
    check(s, atesql_worker_create(s, &w), "create");
  }
  check(s, atesql_tx_commit(s), "commit");
  time_gets(s, calls); /* warm the cache and the statements */

  double *off = malloc(sizeof *off * (size_t)rounds);
  double *on = malloc(sizeof *on * (size_t)rounds);
  double *clock = malloc(sizeof *clock * (size_t)rounds);
  if (!off || !on || !clock) die("out of memory");
  unsigned long events = 0;
  for (int r = 0; r < rounds; r++) {
    /* Alternate which goes first, so that drift falls on both. */
    for (int k = 0; k < 2; k++) {
      bool hook = (r + k) % 2;
      atesql_store_set_trace(s, hook ? count_event : NULL, &events);
      double ns = time_gets(s, calls);
      (hook ? on : off)[r] = ns;
    }
    double t0 = now_ns();
    for (int i = 0; i < calls; i++) {
      struct timespec a, b;
      clock_gettime(CLOCK_MONOTONIC, &a);
      clock_gettime(CLOCK_MONOTONIC, &b);
      if (b.tv_sec < a.tv_sec) die("clock went back");
    }
    clock[r] = (now_ns() - t0) / calls;
  }
  atesql_store_set_trace(s, NULL, NULL);
  if (events != (unsigned long)rounds * (unsigned long)calls)
    die("the hook saw %lu events, want %d", events, rounds * calls);
  atesql_store_close(s);
  unlink(path);
  char side[4200];
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);

  double m_off = median(off, rounds), m_on = median(on, rounds),
         m_clock = median(clock, rounds);
  printf("| SQLite get, 1000 workers (median of %d rounds of %d calls) | per "
         "call |\n|---|---|\n",
         rounds, calls);
  printf("| statistics kept, no trace hook | %.0f ns |\n", m_off);
  printf("| statistics kept, a trace hook that counts | %.0f ns (%+.1f%%) |\n",
         m_on, (m_on - m_off) / m_off * 100);
  printf("| of which the statistics' two clock reads | %.0f ns (%.1f%% of a "
         "get) |\n",
         m_clock, m_clock / m_off * 100);
  free(off);
  free(on);
  free(clock);
  return 0;
}
