/*
** atesql_bench claims: worker assignment under concurrency. Claimer
** threads, each with its own store handle, claim a worker of one shared
** pool for a fresh actor and release it again, as fast as they can, for a
** few seconds; each claim is timed. Three ways to claim are compared, on
** SQLite and on PostgreSQL: atesql_worker_claim, and the upstream control
** plane's list-pick-update with optimistic versions, at pages of 100 and
** of 1. Every cell starts from a fresh copy of one database and ends by
** checking that no worker was given to two actors. bench/run claims starts
** a PostgreSQL server and runs this; docs/BENCHMARKS.md ("Claims")
** explains the output.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "common.h"
#include "machine.h"
#include "samples.h"

enum {
  CELL_FSYNC_PROBES = 50, /* fdatasync calls of the probe before each cell */
  RESULTS_MAX = 2 * 3 * COUNTS_MAX
};

static const char *const impl_names[IMPL_COUNT] = {"atesql", "upstream",
                                                   "upstream_page1"};

/* ---- Cells and the report ---- */

typedef struct result {
  backend_id backend;
  impl_id impl;
  int claimers;
  size_t claims;
  double claims_per_s, p50_ms, p99_ms, retries_per_claim;
  uint64_t exhausted;
  double fsync_p50_ms; /* the disk's flush time just before the cell */
} result;

/* Run one cell on a fresh copy of the base database. */
static result run_cell(backend *b, impl_id impl, int count, const options *o) {
  claims_backend_fresh_cell(b);
  double fsync_p50, fsync_p99;
  probe_fsync(o->common.dir, CELL_FSYNC_PROBES, &fsync_p50, &fsync_p99);
  static run r;
  memset(&r, 0, sizeof r);
  r.impl = impl;
  r.url = b->cell_url;
  r.writes_in_tx = o->writes_in_tx;
  r.count = count;
  int rc = pthread_barrier_init(&r.barrier, NULL, (unsigned)count + 1);
  if (rc != 0) die("pthread_barrier_init: %s", strerror(rc));
  pthread_t threads[CLAIMERS_MAX];
  for (int i = 0; i < count; i++) {
    r.claimers[i] =
        (claimer){.run = &r, .id = i, .rng = (unsigned)o->seed + 7919u * i};
    rc = pthread_create(&threads[i], NULL, claimer_main, &r.claimers[i]);
    if (rc != 0) die("pthread_create: %s", strerror(rc));
  }
  barrier_wait(&r.barrier); /* warmed up */
  r.start = now_s();
  r.deadline = r.start + o->seconds;
  barrier_wait(&r.barrier); /* go */
  barrier_wait(&r.barrier); /* holding */
  atesql_store *s = open_store(b->cell_url);
  check_holding(s, &r);
  barrier_wait(&r.barrier); /* checked */
  for (int i = 0; i < count; i++)
    pthread_join(threads[i], NULL);
  check_released(s);
  atesql_store_close(s);
  pthread_barrier_destroy(&r.barrier);

  result res = {.backend = b->id,
                .impl = impl,
                .claimers = count,
                .fsync_p50_ms = fsync_p50};
  double end = r.start;
  uint64_t retries = 0;
  for (int i = 0; i < count; i++) {
    const claimer *c = &r.claimers[i];
    res.claims += c->claims;
    retries += c->retries;
    res.exhausted += c->exhausted;
    if (c->last_end > end) end = c->last_end;
  }
  double *all = malloc((res.claims ? res.claims : 1) * sizeof *all);
  if (all == NULL) die("out of memory");
  size_t n = 0;
  for (int i = 0; i < count; i++) {
    claimer *c = &r.claimers[i];
    memcpy(all + n, c->latency_ms, c->claims * sizeof *all);
    n += c->claims;
    free(c->latency_ms);
  }
  qsort(all, n, sizeof *all, compare_doubles);
  res.p50_ms = percentile(all, n, 0.50);
  res.p99_ms = percentile(all, n, 0.99);
  free(all);
  res.claims_per_s = end > r.start ? (double)res.claims / (end - r.start) : 0;
  res.retries_per_claim = res.claims ? (double)retries / (double)res.claims : 0;
  return res;
}

static const report_column result_columns[] = {
    {"backend", NULL, COL_TEXT, -9, 0},
    {"impl", NULL, COL_TEXT, -15, 0},
    {"claimers", NULL, COL_INT, 8, 0},
    {"claims", NULL, COL_INT, 8, 0},
    {"claims_per_s", NULL, COL_REAL, 12, 1},
    {"p50_ms", NULL, COL_REAL, 8, 3},
    {"p99_ms", NULL, COL_REAL, 8, 3},
    {"retries_per_claim", NULL, COL_REAL, 17, 3},
    {"exhausted", NULL, COL_INT, 9, 0},
    {"fsync_p50_ms", NULL, COL_REAL, 12, 3},
};

static const report_table result_table = {NULL, " ", result_columns,
                                          sizeof result_columns /
                                              sizeof result_columns[0]};

static void report_result(const report *rep, const result *r) {
  report_value v[] = {TEXT(backend_names[r->backend]),
                      TEXT(impl_names[r->impl]),
                      INT(r->claimers),
                      INT(r->claims),
                      REAL(r->claims_per_s),
                      REAL(r->p50_ms),
                      REAL(r->p99_ms),
                      REAL(r->retries_per_claim),
                      INT(r->exhausted),
                      REAL(r->fsync_p50_ms)};
  report_row(rep, &result_table, v, NULL);
}

static const result *find_result(const result *rs, size_t n, backend_id b,
                                 impl_id impl, int claimers) {
  for (size_t i = 0; i < n; i++)
    if (rs[i].backend == b && rs[i].impl == impl && rs[i].claimers == claimers)
      return &rs[i];
  return NULL;
}

/*
** The success criteria, at the largest claimer count measured (8 by
** default): on PostgreSQL atesql claims at least 3x as fast as the
** upstream pattern, with zero retries; on SQLite atesql's p99 stays under
** 15 ms.
*/
static void report_criteria(const report *rep, const result *rs, size_t n,
                            int most) {
  report_note(rep, "criteria at %d claimers:", most);
  const result *a = find_result(rs, n, B_POSTGRES, IMPL_ATESQL, most);
  if (a) {
    char line[512];
    size_t at =
        (size_t)snprintf(line, sizeof line,
                         "  postgres: atesql %.1f claims/s, %.3f retries "
                         "per claim",
                         a->claims_per_s, a->retries_per_claim);
    bool met = a->retries_per_claim == 0;
    bool compared = false;
    for (impl_id u = IMPL_UPSTREAM; u < IMPL_COUNT; u++) {
      const result *up = find_result(rs, n, B_POSTGRES, u, most);
      if (up == NULL || up->claims_per_s <= 0 || at >= sizeof line) continue;
      double ratio = a->claims_per_s / up->claims_per_s;
      at += (size_t)snprintf(line + at, sizeof line - at,
                             "; %s %.1f claims/s (atesql %.2fx)", impl_names[u],
                             up->claims_per_s, ratio);
      if (u == IMPL_UPSTREAM) {
        met = met && ratio >= 3.0;
        compared = true;
      }
    }
    report_note(rep, "%s", line);
    report_note(rep, "    need >= 3x upstream with 0 retries: %s",
                compared ? (met ? "met" : "missed") : "not measured");
  }
  a = find_result(rs, n, B_SQLITE, IMPL_ATESQL, most);
  if (a)
    report_note(rep, "  sqlite: atesql p99 %.3f ms; need < 15 ms: %s",
                a->p99_ms, a->p99_ms < 15.0 ? "met" : "missed");
}

/* ---- Options ---- */

static const char *const sqlite_synchronous_names[] = {"full", "normal"};

/* The command line into *o; dies (with the usage) on a mistake. */
static void parse_options(int argc, char **argv, options *o) {
  *o = (options){.seconds = 5,
                 .seed = 1,
                 .claimers = {{1, 2, 4, 8}, 4},
                 .impls = {true, true, true},
                 .sqlite_synchronous = "full",
                 .sqlite_busy_timeout_ms = 60000};
  const option_spec specs[] = {
      {.name = "--impls",
       .kind = OPT_NAMES,
       .value = o->impls,
       .arg = "LIST",
       .help = "the ways to claim (default: all)",
       .names = impl_names,
       .name_count = IMPL_COUNT},
      {.name = "--claimers",
       .kind = OPT_COUNTS,
       .value = &o->claimers,
       .arg = "N,N,...",
       .help = "claimer threads per cell (default 1,2,4,8)",
       .min = 1,
       .max = CLAIMERS_MAX},
      {.name = "--seconds",
       .kind = OPT_REAL,
       .value = &o->seconds,
       .arg = "S",
       .help = "the time of each cell (default 5)",
       .min = 0,
       .max = 3600},
      {.name = "--seed",
       .kind = OPT_INT,
       .value = &o->seed,
       .arg = "N",
       .help = "the upstream pattern's random picks (default 1)",
       .min = 0,
       .max = 4294967295.0},
      {.name = "--sqlite-synchronous",
       .kind = OPT_TEXT,
       .value = &o->sqlite_synchronous,
       .arg = "full|normal",
       .help = "diagnostic: SQLite's synchronous setting (default full)"},
      {.name = "--sqlite-busy-timeout-ms",
       .kind = OPT_INT,
       .value = &o->sqlite_busy_timeout_ms,
       .arg = "N",
       .help = "how long a SQLite handle waits for the write lock (default "
               "60000)",
       .min = 0,
       .max = 3600000},
      {.name = "--writes-in-tx",
       .kind = OPT_FLAG,
       .value = &o->writes_in_tx,
       .help = "diagnostic: each release and upstream update in a "
               "transaction"},
      {.name = "--no-feed",
       .kind = OPT_FLAG,
       .value = &o->no_feed,
       .help = "diagnostic: PostgreSQL without the change feed's trigger "
               "on workers"},
  };
  command cmd = {"claims",
                 "Worker assignment under concurrency: atesql_worker_claim "
                 "against the upstream\nlist-pick-update pattern (pages of "
                 "100 and of 1), on SQLite and PostgreSQL.",
                 "sqlite,postgres", specs, sizeof specs / sizeof specs[0]};
  parse_command_line(argc, argv, &cmd, &o->common);
  choose_backends(&cmd, &o->common, false, o->backends);
  bool any_impl = false;
  for (int i = 0; i < IMPL_COUNT; i++)
    any_impl |= o->impls[i];
  if (!any_impl)
    for (int i = 0; i < IMPL_COUNT; i++)
      o->impls[i] = true;
  if (strcmp(o->sqlite_synchronous, sqlite_synchronous_names[0]) != 0 &&
      strcmp(o->sqlite_synchronous, sqlite_synchronous_names[1]) != 0)
    die("--sqlite-synchronous takes full or normal");
  o->report = (report){o->common.json};
}

/* The first notes of the report: versions, machine, load, settings and
** disk. */
static void report_environment(const options *o) {
  char sqlite[128], pg[256];
  snprintf(sqlite, sizeof sqlite, "synchronous=%s, busy_timeout_ms=%ld",
           o->sqlite_synchronous, o->sqlite_busy_timeout_ms);
  banner b = {.sqlite = sqlite};
  if (o->backends[B_POSTGRES]) {
    postgres_describe(o->common.postgres, pg, sizeof pg);
    b.postgres = pg;
  }
  report_banner(&o->report, &b);
  report_note(&o->report, "single-statement writes %s; %.1f s per cell",
              o->writes_in_tx ? "in a transaction (--writes-in-tx)"
                              : "on their own",
              o->seconds);
  if (o->no_feed)
    report_note(&o->report, "PostgreSQL: the change feed's trigger on "
                            "workers disabled (--no-feed)");
  report_fsync(&o->report, o->common.dir, true);
}

int claims_main(int argc, char **argv) {
  static options o;
  parse_options(argc, argv, &o);
  const report *rep = &o.report;
  double t0 = now_s();
  static backend backends[B_COUNT];
  for (backend_id b = B_SQLITE; b <= B_POSTGRES; b++) {
    backends[b].id = b;
    if (o.backends[b]) claims_backend_setup(&backends[b], &o);
  }
  report_environment(&o);
  report_header(rep, &result_table);
  static result results[RESULTS_MAX];
  size_t n = 0;
  int most = 0;
  for (size_t k = 0; k < o.claimers.count; k++)
    if ((int)o.claimers.n[k] > most) most = (int)o.claimers.n[k];
  for (backend_id b = B_SQLITE; b <= B_POSTGRES; b++) {
    if (!o.backends[b]) continue;
    /* The implementations take turns at each count, so that the cells
    ** compared are measured close together on a shared machine. */
    for (size_t k = 0; k < o.claimers.count; k++) {
      int claimers = (int)o.claimers.n[k];
      for (impl_id impl = 0; impl < IMPL_COUNT && n < RESULTS_MAX; impl++) {
        if (!o.impls[impl]) continue;
        char load[64];
        load_average(load, sizeof load);
        fprintf(stderr, "%s %s %d claimers (load %s)\n", backend_names[b],
                impl_names[impl], claimers, load);
        results[n] = run_cell(&backends[b], impl, claimers, &o);
        report_result(rep, &results[n]);
        n++;
      }
    }
  }
  report_end(rep, t0);
  report_criteria(rep, results, n, most);
  report_fsync(rep, o.common.dir, false);
  for (backend_id b = B_SQLITE; b <= B_POSTGRES; b++)
    if (o.backends[b]) claims_backend_teardown(&backends[b]);
  return 0;
}
