/*
** atesql_bench: for each fleet size, load the fleet into each backend
** (SQLite, PostgreSQL, Redis, and the process's own memory for the caches),
** check that every implementation gives the reference answers, measure
** every workload at every page size on every implementation, and print the
** cells as they finish; the ratios and targets follow at the end.
** bench/run starts the servers and runs it; docs/BENCHMARKS.md explains the
** output.
*/
#include <sched.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* PostgreSQL: the server comes from the PG* environment (pg_virtualenv
** sets it); the benchmark makes and drops a database of its own there. */
#define PG_ADMIN   ""
#define PG_DB      "dbname=atesql_bench"
#define REDIS_HOST "127.0.0.1"

typedef enum backend_id {
  B_SQLITE,
  B_POSTGRES,
  B_REDIS,
  B_MEMORY,
  B_COUNT
} backend_id;
static const char *const backend_names[B_COUNT] = {"sqlite", "postgres",
                                                   "redis", "memory"};

typedef struct options {
  size_t sizes[16];
  size_t size_count;
  size_t pages[PAGE_SIZES_MAX]; /* ascending, distinct */
  size_t page_count;
  bool backends[B_COUNT];
  bool workloads[WL_COUNT]; /* the workloads measured */
  bool json;
  const char *dir; /* where SQLite files go */
  int redis_port;
  budget budget;
} options;

/* The answer every implementation must give to operation `seq` of a read
** workload at one page size. */
typedef struct expected {
  size_t seq;
  size_t rows;
  digest d;
} expected;

/* Operations tried for a check whose answer is not empty. */
enum { CHECK_SEQS = 64 };

/* The answers of one fleet: [workload][index of the page size]. */
typedef struct answers {
  expected at[WL_COUNT][PAGE_SIZES_MAX];
} answers;

typedef struct results {
  cell *cells;
  size_t count, cap;
} results;

void die(const char *fmt, ...) {
  va_list ap;
  fflush(stdout);
  fputs("atesql_bench: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

static void usage(void) {
  fputs("usage: atesql_bench [--sizes N,N,...] [--quick] [--json]\n"
        "                    [--backends sqlite,postgres,redis,memory]\n"
        "                    [--page-sizes N,N,...] [--workloads W,W,...]\n"
        "                    [--dir DIR]\n"
        "                    [--redis-port PORT] [--ops N] [--seconds S]\n",
        stderr);
  exit(2);
}

static void parse_sizes(const char *text, options *o) {
  o->size_count = 0;
  for (const char *p = text; *p;) {
    char *end;
    unsigned long long n = strtoull(p, &end, 10);
    if (end == p || n < 1000 || o->size_count == 16 ||
        (*end != ',' && *end != '\0'))
      die("--sizes: expected up to 16 comma-separated sizes >= 1000, got '%s'",
          text);
    o->sizes[o->size_count++] = (size_t)n;
    p = *end ? end + 1 : end;
  }
}

static int compare_sizes(const void *x, const void *y) {
  size_t a = *(const size_t *)x, b = *(const size_t *)y;
  return (a > b) - (a < b);
}

static void parse_pages(const char *text, options *o) {
  o->page_count = 0;
  for (const char *p = text; *p;) {
    char *end;
    unsigned long long n = strtoull(p, &end, 10);
    if (end == p || n < 1 || n > MAX_PAGE || o->page_count == PAGE_SIZES_MAX ||
        (*end != ',' && *end != '\0'))
      die("--page-sizes: expected up to %d comma-separated sizes from 1 to "
          "%d, got '%s'",
          PAGE_SIZES_MAX, MAX_PAGE, text);
    o->pages[o->page_count++] = (size_t)n;
    p = *end ? end + 1 : end;
  }
  qsort(o->pages, o->page_count, sizeof o->pages[0], compare_sizes);
  size_t distinct = 1;
  for (size_t i = 1; i < o->page_count; i++)
    if (o->pages[i] != o->pages[distinct - 1])
      o->pages[distinct++] = o->pages[i];
  o->page_count = distinct;
}

static void parse_backends(const char *text, options *o) {
  memset(o->backends, 0, sizeof o->backends);
  char copy[128];
  snprintf(copy, sizeof copy, "%s", text);
  for (char *name = strtok(copy, ","); name; name = strtok(NULL, ",")) {
    backend_id b = 0;
    while (b < B_COUNT && strcmp(backend_names[b], name) != 0)
      b++;
    if (b == B_COUNT) die("--backends: unknown backend '%s'", name);
    o->backends[b] = true;
  }
}

/* Workload names, as the output names them at PAGE_ROWS. update_worker
** updates the workers create_worker made, so it needs it. */
static void parse_workloads(const char *text, options *o) {
  memset(o->workloads, 0, sizeof o->workloads);
  char copy[512];
  snprintf(copy, sizeof copy, "%s", text);
  for (char *name = strtok(copy, ","); name; name = strtok(NULL, ",")) {
    workload w = 0;
    while (w < WL_COUNT && strcmp(workload_names[w], name) != 0)
      w++;
    if (w == WL_COUNT) die("--workloads: unknown workload '%s'", name);
    o->workloads[w] = true;
  }
  if (o->workloads[WL_UPDATE_WORKER] && !o->workloads[WL_CREATE_WORKER])
    die("--workloads: update_worker updates what create_worker made; name "
        "both");
}

static options parse_options(int argc, char **argv) {
  options o = {
      .backends = {true, true, true, true}, .dir = ".", .budget = {2000, 10.0}};
  for (workload w = 0; w < WL_COUNT; w++)
    o.workloads[w] = true;
  parse_sizes("10000,100000,1000000", &o);
  parse_pages("1,100,1000", &o);
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(arg, "--quick") == 0)
      parse_sizes("10000", &o);
    else if (strcmp(arg, "--json") == 0)
      o.json = true;
    else if (value == NULL)
      usage();
    else if (strcmp(arg, "--sizes") == 0)
      parse_sizes(value, &o), i++;
    else if (strcmp(arg, "--backends") == 0)
      parse_backends(value, &o), i++;
    else if (strcmp(arg, "--page-sizes") == 0)
      parse_pages(value, &o), i++;
    else if (strcmp(arg, "--workloads") == 0)
      parse_workloads(value, &o), i++;
    else if (strcmp(arg, "--dir") == 0)
      o.dir = value, i++;
    else if (strcmp(arg, "--redis-port") == 0)
      o.redis_port = atoi(value), i++;
    else if (strcmp(arg, "--ops") == 0)
      o.budget.ops = (size_t)strtoul(value, NULL, 10), i++;
    else if (strcmp(arg, "--seconds") == 0)
      o.budget.seconds = atof(value), i++;
    else
      usage();
  }
  if (o.budget.ops == 0 || o.budget.seconds <= 0)
    die("--ops and --seconds must be positive");
  if (o.backends[B_REDIS] && o.redis_port <= 0)
    die("the redis backend needs --redis-port (bench/run starts a server)");
  return o;
}

/* The SQLite file of a fleet; the process id keeps concurrent runs
** apart. */
static void sqlite_path(const options *o, const fleet *f, char *buf,
                        size_t bufsz) {
  snprintf(buf, bufsz, "%s/bench-%zu-%ld.db", o->dir, f->workers,
           (long)getpid());
}

/* Let the loader use every CPU (bench/run pins the benchmark to one):
** nothing is measured while it runs. */
static void use_every_cpu(void) {
  cpu_set_t all;
  CPU_ZERO(&all);
  for (long i = 0; i < sysconf(_SC_NPROCESSORS_ONLN) && i < CPU_SETSIZE; i++)
    CPU_SET((int)i, &all);
  sched_setaffinity(0, sizeof all, &all);
}

/* Load in a child process, so that the loader's memory never shows in
** the measuring process's peak. */
static void load(const options *o, backend_id b, const fleet *f) {
  double start = now_s();
  char path[4096];
  sqlite_path(o, f, path, sizeof path);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    use_every_cpu();
    if (b == B_SQLITE) load_sqlite(path, f);
    if (b == B_POSTGRES) load_postgres(PG_ADMIN, PG_DB, f);
    if (b == B_REDIS) load_redis(REDIS_HOST, o->redis_port, f);
    _exit(0);
  }
  int status;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0)
    die("loading %s failed", backend_names[b]);
  fprintf(stderr, "loaded N=%zu into %s in %.1f s\n", f->workers,
          backend_names[b], now_s() - start);
}

/* The page sizes workload w runs at: the run's, or PAGE_ROWS alone. */
static size_t workload_pages(const options *o, workload w, size_t *pages) {
  if (!workload_has_pages(w)) {
    pages[0] = PAGE_ROWS;
    return 1;
  }
  memcpy(pages, o->pages, o->page_count * sizeof *pages);
  return o->page_count;
}

/* The implementations of backend b come in groups opened together: atesql,
** raw and scan share a database, while each cache holds its own copy of
** the fleet, so the caches are opened, measured and closed one at a time
** and only one copy ever counts in a peak. */
static size_t group_count(backend_id b) { return b == B_MEMORY ? 2 : 1; }

/* Open group g of backend b into impls, in table order; returns how many. */
static size_t open_group(const options *o, backend_id b, size_t g,
                         const fleet *f, impl **impls) {
  char path[4096], url[4200];
  sqlite_path(o, f, path, sizeof path);
  /* Durable commits, as raw's connection makes them (impl_raw.c). */
  snprintf(url, sizeof url, "sqlite:%s?synchronous=full", path);
  switch (b) {
  case B_SQLITE:
    impls[0] = open_atesql(url);
    impls[1] = open_raw_sqlite(path);
    impls[2] = open_scan(url);
    return 3;
  case B_POSTGRES:
    impls[0] = open_atesql(PG_DB);
    impls[1] = open_raw_postgres(PG_DB);
    impls[2] = open_scan(PG_DB);
    return 3;
  case B_REDIS: impls[0] = open_redis(REDIS_HOST, o->redis_port); return 1;
  default: {
    double start = now_s();
    impls[0] = g == 0 ? open_cache(f) : open_cache_faithful(f);
    fprintf(stderr, "loaded N=%zu into memory (%s) in %.1f s\n", f->workers,
            impls[0]->name, now_s() - start);
    return 1;
  }
  }
}

static void drop(const options *o, backend_id b, const fleet *f) {
  char path[4096];
  sqlite_path(o, f, path, sizeof path);
  if (b == B_SQLITE) remove_sqlite_files(path);
  if (b == B_POSTGRES) drop_postgres(PG_ADMIN);
}

/* *e: the reference answer to operation seq of w with pages of `page`
** rows; returns its rows. */
static size_t reference_for(const fleet *f, workload w, size_t page, size_t seq,
                            expected *e) {
  op_args a;
  make_args(f, w, page, seq, "check", 0, &a);
  e->seq = seq;
  digest_init(&e->d);
  e->rows = reference_answer(f, &a, &e->d);
  return e->rows;
}

/* The reference answers of every read workload at each of its page
** sizes: to its first operation whose answer is not empty (operation 0,
** but for a rare label in a small fleet), so that the check compares
** rows. */
static void reference_answers(const options *o, const fleet *f, answers *want) {
  for (workload w = 0; w < WL_COUNT; w++) {
    if (workload_is_write(w) || !o->workloads[w]) continue;
    size_t pages[PAGE_SIZES_MAX], n = workload_pages(o, w, pages);
    for (size_t k = 0; k < n; k++) {
      expected *e = &want->at[w][k];
      size_t seq = 0;
      while (seq < CHECK_SEQS && reference_for(f, w, pages[k], seq, e) == 0)
        seq++;
      if (seq == CHECK_SEQS) reference_for(f, w, pages[k], 0, e);
    }
  }
}

/* Every implementation must give the reference answer to its operation of
** every read workload it answers: the same rows, in the same order. */
static void verify_answers(const options *o, const fleet *f, impl **impls,
                           size_t n, const answers *want, const char *backend) {
  for (workload w = 0; w < WL_COUNT; w++) {
    if (workload_is_write(w) || !o->workloads[w]) continue;
    size_t pages[PAGE_SIZES_MAX], count = workload_pages(o, w, pages);
    for (size_t k = 0; k < count; k++)
      for (size_t i = 0; i < n; i++) {
        if (!impl_answers(impls[i], w, pages[k])) continue;
        const expected *e = &want->at[w][k];
        op_args a;
        digest d;
        char label[64];
        make_args(f, w, pages[k], e->seq, impls[i]->name, 0, &a);
        digest_init(&d);
        size_t rows = impls[i]->ops[w](impls[i]->ctx, &a, &d);
        workload_label(w, pages[k], label, sizeof label);
        if (rows != e->rows || d.hash != e->d.hash)
          die("%s %s %s: operation %zu answered %zu rows, not the %zu "
              "expected (or other keys)",
              backend, impls[i]->name, label, e->seq, rows, e->rows);
      }
  }
}

static void add_result(results *r, const cell *c) {
  if (r->count == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 64;
    r->cells = realloc(r->cells, r->cap * sizeof *r->cells);
    if (r->cells == NULL) die("out of memory");
  }
  r->cells[r->count++] = *c;
}

/* Measure every workload, at each of its page sizes, on impls[0..n). */
static void measure_group(const options *o, backend_id b, const fleet *f,
                          impl **impls, size_t n, results *res) {
  /* atesql and raw take turns: their ratio is the finest this benchmark
  ** reports. The scan, 100 to 6000 times slower, runs alone after them,
  ** so that its passes over the whole table do not cool their caches. */
  size_t together = b == B_SQLITE || b == B_POSTGRES ? 2 : 1;
  for (workload w = 0; w < WL_COUNT; w++) {
    if (!o->workloads[w]) continue;
    size_t pages[PAGE_SIZES_MAX], page_count = workload_pages(o, w, pages);
    for (size_t k = 0; k < page_count; k++)
      for (size_t first = 0; first < n; first += first ? 1 : together) {
        cell cells[3];
        size_t measured =
            measure_workload(f, impls + first, first ? 1 : together, w,
                             pages[k], &o->budget, cells);
        for (size_t i = 0; i < measured; i++) {
          cells[i].backend = backend_names[b];
          report_cell(o->json, &cells[i]);
          add_result(res, &cells[i]);
        }
      }
  }
}

static void run_backend(const options *o, backend_id b, const fleet *f,
                        const answers *want, results *res) {
  if (b != B_MEMORY) load(o, b, f);
  for (size_t g = 0; g < group_count(b); g++) {
    impl *impls[3];
    size_t n = open_group(o, b, g, f, impls);
    if (b == B_SQLITE || b == B_POSTGRES)
      check_raw_matches_atesql(impls[0], impls[1], f, o->pages, o->page_count);
    verify_answers(o, f, impls, n, want, backend_names[b]);
    measure_group(o, b, f, impls, n, res);
    for (size_t i = 0; i < n; i++)
      impls[i]->close(impls[i]);
  }
  drop(o, b, f);
}

static double load_average(void) {
  double avg = -1;
  FILE *f = fopen("/proc/loadavg", "r");
  if (f && fscanf(f, "%lf", &avg) != 1) avg = -1;
  if (f) fclose(f);
  return avg;
}

static void describe_environment(const options *o, char *buf, size_t bufsz) {
  char pg[32] = "-", redis[32] = "-";
  if (o->backends[B_POSTGRES]) postgres_version(PG_ADMIN, pg, sizeof pg);
  if (o->backends[B_REDIS])
    redis_version(REDIS_HOST, o->redis_port, redis, sizeof redis);
  snprintf(buf, bufsz,
           "atesql %s, SQLite %s, PostgreSQL %s, Redis %s; %ld cores, load "
           "average %.2f at start",
           atesql_version(), sqlite3_libversion(), pg, redis,
           sysconf(_SC_NPROCESSORS_ONLN), load_average());
}

/*
** The label the label workload asks for must be spread over the fleet
** independently of being free: about workers / LABEL_ONE_IN carry it and a
** FREE_ONE_IN-th of those are free. Dies when none is free, or when a
** count large enough to judge is off by more than a quarter (a label
** formula correlated with the free one); prints the counts and operation
** 0's matches.
*/
static void check_label_spread(const fleet *f) {
  label_census c = fleet_label_census(f);
  double labeled = (double)f->workers / LABEL_ONE_IN;
  double labeled_free = labeled / FREE_ONE_IN;
  op_args a;
  digest d;
  make_args(f, WL_LIST_POOL_LABEL_FREE, MAX_PAGE, 0, "check", 0, &a);
  digest_init(&d);
  size_t op0 = reference_answer(f, &a, &d);
  fprintf(stderr,
          "N=%zu: %s=%s on %zu workers (expected %.0f), %zu of them free "
          "(expected %.0f); operation 0 (%s) matches %zu\n",
          f->workers, LABEL_KEY, LABEL_VALUE, c.labeled, labeled,
          c.labeled_free, labeled_free, a.selector, op0);
  bool off =
      labeled_free >= 100 && ((double)c.labeled_free < 0.75 * labeled_free ||
                              (double)c.labeled_free > 1.25 * labeled_free);
  if (c.labeled_free == 0 || off)
    die("N=%zu: %zu free workers carry the label, not about %.0f: is the "
        "label formula correlated with the free one? (bench/fleet.c)",
        f->workers, c.labeled_free, labeled_free);
}

int main(int argc, char **argv) {
  options o = parse_options(argc, argv);
  char environment[512];
  describe_environment(&o, environment, sizeof environment);
  report_header(o.json, environment);
  results res = {0};
  double start = now_s();
  answers want;
  for (size_t s = 0; s < o.size_count; s++) {
    fleet f = fleet_of(o.sizes[s]);
    if (o.workloads[WL_LIST_POOL_LABEL_FREE]) check_label_spread(&f);
    reference_answers(&o, &f, &want);
    for (backend_id b = 0; b < B_COUNT; b++) {
      if (!o.backends[b]) continue;
      if (b != B_SQLITE && f.workers > SQLITE_ONLY_ABOVE) {
        fprintf(stderr, "N=%zu: above %d workers only sqlite runs; not %s\n",
                f.workers, SQLITE_ONLY_ABOVE, backend_names[b]);
        continue;
      }
      run_backend(&o, b, &f, &want, &res);
    }
  }
  if (!o.json) report_summary(res.cells, res.count);
  fprintf(stderr, "done in %.0f s; load average %.2f at the end%s\n",
          now_s() - start, load_average(),
          peak_rss_resets() ? ""
                            : "; WARNING: /proc/self/clear_refs did not "
                              "reset the peak RSS");
  free(res.cells);
  return 0;
}
