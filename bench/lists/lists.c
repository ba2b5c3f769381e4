/*
** atesql_bench lists: for each fleet size, load the fleet into each
** backend (SQLite, PostgreSQL, Redis, and the process's own memory for the
** caches), check that every implementation gives the reference answers,
** measure every workload at every page size on every implementation, and
** print the cells as they finish; the ratios and targets follow at the
** end. With --scaling it is a focused probe instead: atesql alone, on the
** index-bound scheduler questions at pages of PAGE_ROWS, on SQLite also
** with SQLite's own cache sizes, and the growth of each question's p50
** over every tenfold step of the sizes follows. bench/run lists starts
** the servers and runs it; docs/BENCHMARKS.md ("Lists", "Caches sized
** for a fleet") explains the output.
*/
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends.h"
#include "lists.h"
#include "machine.h"

/* The PostgreSQL database a fleet is loaded into, on the server of
** --postgres. */
#define PG_DB      "atesql_bench"
#define REDIS_HOST "127.0.0.1"

typedef struct options {
  common_options common;
  counts sizes;
  bool quick;
  bool scaling; /* the scaling probe */
  counts pages; /* ascending, distinct */
  bool backends[B_COUNT];
  bool workloads[WL_COUNT]; /* the workloads measured */
  long redis_port;
  long ops;
  budget budget;
  db_place places[B_COUNT]; /* SQLite's and PostgreSQL's, when they run */
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

static const report_column cell_columns[] = {
    {"N", "n", COL_INT, 8, 0},
    {"backend", NULL, COL_TEXT, -8, 0},
    {"workload", NULL, COL_TEXT, -25, 0},
    {"impl", NULL, COL_TEXT, -16, 0},
    {"ops", NULL, COL_INT, 5, 0},
    {"rows", NULL, COL_REAL, 8, 1},
    {"p50_us", NULL, COL_REAL, 10, 1},
    {"p99_us", NULL, COL_REAL, 10, 1},
    {"ops/s", "ops_per_s", COL_REAL, 10, 1},
    {"peak_rss_kb", NULL, COL_INT, 11, 0},
    {"growth_kb", "rss_growth_kb", COL_INT, 9, 0},
};

static const report_table cell_table = {
    NULL, "  ", cell_columns, sizeof cell_columns / sizeof cell_columns[0]};

static void report_cell(const report *r, const cell *c) {
  char label[64];
  workload_label(c->w, c->page, label, sizeof label);
  report_value v[] = {
      INT(c->workers),     TEXT(c->backend),     TEXT(label),
      TEXT(c->impl),       INT(c->ops),          REAL(c->rows),
      REAL(c->p50_us),     REAL(c->p99_us),      REAL(c->ops_per_s),
      INT(c->peak_rss_kb), INT(c->rss_growth_kb)};
  report_row(r, &cell_table, v, NULL);
}

static const command lists_command = {
    .name = "lists",
    .synopsis = "Lists, counts, gets and writes on generated fleets of "
                "workers: atesql against\nthe same SQL through bare drivers, "
                "a scan through atesql, the upstream Redis\npattern and the "
                "upstream in-memory worker cache.",
    .backends = "sqlite,postgres,redis,memory",
};

/*
** The scaling probe's questions: the scheduler's index-bound lists whose
** answers hold as many rows at every size from 20000 workers (the label
** question's and the actor-by-atespace list's grow with the fleet, the
** count reads what it counts), and the get.
*/
static bool scaling_question(workload w) {
  return w == WL_LIST_POOL_FREE || w == WL_LIST_NODES_FREE ||
         w == WL_LIST_POOL_NODES_FREE || w == WL_LIST_POOLS_FREE ||
         w == WL_LIST_HOLDER || w == WL_LIST_NODE || w == WL_LIST_STATUS ||
         w == WL_GET_WORKER;
}

/* The SQLite URL options of the probe's second handle: SQLite's own page
** cache (2000 KiB, about 2 MB) and no mapping of the file. */
#define SQLITE_OWN_SIZES "&cache_size_mb=2&mmap_size_mb=0"

/* The probe's own defaults where the command line left them (0): four
** sizes with two tenfold steps, and a shorter budget per cell. */
static void scaling_defaults(options *o) {
  if (o->sizes.count == 0)
    o->sizes = (counts){{20000, 100000, 200000, 1000000}, 4};
  if (o->ops == 0) o->ops = 1000;
  if (o->budget.seconds == 0) o->budget.seconds = 3.0;
  o->pages = (counts){{PAGE_ROWS}, 1};
  o->backends[B_REDIS] = o->backends[B_MEMORY] = false;
  for (workload w = 0; w < WL_COUNT; w++)
    o->workloads[w] = o->workloads[w] && scaling_question(w);
}

static int compare_sizes(const void *x, const void *y) {
  size_t a = *(const size_t *)x, b = *(const size_t *)y;
  return (a > b) - (a < b);
}

/* The command line into *o; dies (with the usage) on a mistake. */
static void parse_options(int argc, char **argv, options *o) {
  static const char *names[WL_COUNT];
  /* Sizes, ops and seconds stay 0 until the command line is read: the
  ** scaling probe has defaults of its own. */
  *o = (options){.pages = {{1, 100, 1000}, 3}};
  for (workload w = 0; w < WL_COUNT; w++) {
    o->workloads[w] = true;
    names[w] = workload_names[w];
  }
  const option_spec specs[] = {
      {.name = "--sizes",
       .kind = OPT_COUNTS,
       .value = &o->sizes,
       .arg = "N,N,...",
       .help = "fleet sizes (default 10000,100000,1000000; above 1000000 "
               "SQLite only)",
       .min = 1000,
       .max = 1e12},
      {.name = "--quick",
       .kind = OPT_FLAG,
       .value = &o->quick,
       .help = "the size 10000 only"},
      {.name = "--scaling",
       .kind = OPT_FLAG,
       .value = &o->scaling,
       .help = "the scaling probe: atesql alone on the index-bound scheduler "
               "questions at\n      pages of 100 (on SQLite also with SQLite's "
               "own cache sizes, in turns),\n      and each question's p50 "
               "growth over every tenfold step of the sizes\n      (default "
               "sizes 20000,100000,200000,1000000; --ops 1000, --seconds 3;\n"
               "      sqlite and postgres only)"},
      {.name = "--page-sizes",
       .kind = OPT_COUNTS,
       .value = &o->pages,
       .arg = "N,N,...",
       .help = "pages of the workloads whose answers fill any page (default "
               "1,100,1000)",
       .min = 1,
       .max = MAX_PAGE},
      {.name = "--workloads",
       .kind = OPT_NAMES,
       .value = o->workloads,
       .arg = "W,W,...",
       .help = "the workloads to measure (default: all)",
       .names = names,
       .name_count = WL_COUNT},
      {.name = "--redis-port",
       .kind = OPT_INT,
       .value = &o->redis_port,
       .arg = "PORT",
       .help = "the redis-server on 127.0.0.1 (bench/run starts one)",
       .min = 1,
       .max = 65535},
      {.name = "--ops",
       .kind = OPT_INT,
       .value = &o->ops,
       .arg = "N",
       .help = "timed operations per cell, at most (default 2000)",
       .min = 1,
       .max = 1e9},
      {.name = "--seconds",
       .kind = OPT_REAL,
       .value = &o->budget.seconds,
       .arg = "S",
       .help = "time budget of a cell (default 10)",
       .min = 0,
       .max = 1e6},
  };
  command cmd = lists_command;
  cmd.options = specs;
  cmd.option_count = sizeof specs / sizeof specs[0];
  parse_command_line(argc, argv, &cmd, &o->common);
  choose_backends(&cmd, &o->common, o->redis_port > 0, o->backends);
  if (o->scaling) scaling_defaults(o);
  if (o->sizes.count == 0) o->sizes = (counts){{10000, 100000, 1000000}, 3};
  if (o->ops == 0) o->ops = 2000;
  if (o->budget.seconds == 0) o->budget.seconds = 10.0;
  if (o->quick) o->sizes = (counts){{10000}, 1};
  o->budget.ops = (size_t)o->ops;
  qsort(o->pages.n, o->pages.count, sizeof o->pages.n[0], compare_sizes);
  size_t distinct = 1;
  for (size_t i = 1; i < o->pages.count; i++)
    if (o->pages.n[i] != o->pages.n[distinct - 1])
      o->pages.n[distinct++] = o->pages.n[i];
  o->pages.count = distinct;
  if (o->workloads[WL_UPDATE_WORKER] && !o->workloads[WL_CREATE_WORKER])
    die("--workloads: update_worker updates what create_worker made; name "
        "both");
}

/* The name of a fleet's SQLite database (its file, bench-N.db, in the
** run's directory) or PostgreSQL database. */
static void database_name(backend_id b, const fleet *f, char *buf,
                          size_t bufsz) {
  if (b == B_SQLITE)
    snprintf(buf, bufsz, "bench-%zu", f->workers);
  else
    snprintf(buf, bufsz, "%s", PG_DB);
}

/* Let the loader use every CPU (bench/run pins the benchmark to one):
** nothing is measured while it runs. */
static void use_every_cpu(void) {
  cpu_set_t all;
  CPU_ZERO(&all);
  for (long i = 0; i < machine_cores() && i < CPU_SETSIZE; i++)
    CPU_SET((int)i, &all);
  sched_setaffinity(0, sizeof all, &all);
}

/* Load f into backend b (SQLite, PostgreSQL or Redis) in a child process,
** so that the loader's memory never shows in the measuring process's
** peak. */
static void load(options *o, backend_id b, const fleet *f) {
  double start = now_s();
  char name[64], path[4200], conninfo[4200];
  db_place *p = &o->places[b];
  if (b == B_SQLITE || b == B_POSTGRES) {
    database_name(b, f, name, sizeof name);
    place_create(p, name);
    place_url(p, name, "", conninfo, sizeof conninfo);
    if (b == B_SQLITE) place_file(p, name, path, sizeof path);
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    use_every_cpu();
    if (b == B_SQLITE) load_sqlite(path, f);
    if (b == B_POSTGRES) load_postgres(conninfo, f, o->scaling);
    if (b == B_REDIS) load_redis(REDIS_HOST, (int)o->redis_port, f);
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
  memcpy(pages, o->pages.n, o->pages.count * sizeof *pages);
  return o->pages.count;
}

/* The implementations of backend b come in groups opened together: atesql,
** raw and scan share a database, while each cache holds its own copy of
** the fleet, so the caches are opened, measured and closed one at a time
** and only one copy ever counts in a peak. */
static size_t group_count(backend_id b) { return b == B_MEMORY ? 2 : 1; }

/*
** Open group g of backend b into impls, in table order; returns how many.
** raw takes its list statements from atesql's (see open_raw_sqlite), and
** checks them at every page size of the run. The scaling probe opens
** atesql alone and, on SQLite, a second handle with SQLite's own cache
** sizes.
*/
static size_t open_group(const options *o, backend_id b, size_t g,
                         const fleet *f, impl **impls) {
  char name[64], path[4200], url[4300];
  if (b == B_SQLITE || b == B_POSTGRES) {
    database_name(b, f, name, sizeof name);
    /* Durable commits, as raw's connection makes them (impl_raw.c). */
    place_url(&o->places[b], name, "?synchronous=full", url, sizeof url);
    impls[0] = open_atesql(url);
    if (o->scaling && b == B_POSTGRES) return 1;
    if (o->scaling) {
      place_url(&o->places[b], name, "?synchronous=full" SQLITE_OWN_SIZES, url,
                sizeof url);
      impls[1] = open_atesql(url);
      impls[1]->name = "atesql_2mb";
      return 2;
    }
    raw_source src = {impls[0]->ctx, f, o->pages.n, o->pages.count};
    if (b == B_SQLITE) {
      place_file(&o->places[b], name, path, sizeof path);
      impls[1] = open_raw_sqlite(path, &src);
    } else {
      impls[1] = open_raw_postgres(url, &src);
    }
    impls[2] = open_scan(url);
    return 3;
  }
  if (b == B_REDIS) {
    impls[0] = open_redis(REDIS_HOST, (int)o->redis_port);
    return 1;
  }
  double start = now_s();
  impls[0] = g == 0 ? open_cache(f) : open_cache_faithful(f);
  fprintf(stderr, "loaded N=%zu into memory (%s) in %.1f s\n", f->workers,
          impls[0]->name, now_s() - start);
  return 1;
}

static void drop(options *o, backend_id b, const fleet *f) {
  char name[64];
  if (b != B_SQLITE && b != B_POSTGRES) return;
  database_name(b, f, name, sizeof name);
  place_drop(&o->places[b], name);
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

/* "NAME_first", kept for the run (a few names in all). */
static const char *first_pass_name(const char *name) {
  static char names[8][32];
  static size_t count;
  char want[32];
  snprintf(want, sizeof want, "%s_first", name);
  for (size_t i = 0; i < count; i++)
    if (strcmp(names[i], want) == 0) return names[i];
  if (count == sizeof names / sizeof names[0]) die("too many impl names");
  memcpy(names[count], want, sizeof want);
  return names[count++];
}

/*
** One cell of workload w on impls[0..n) into out; returns how many. The
** scaling probe measures it twice, the same questions in the same order
** (each pass numbers its operations from 0), and reports the first pass
** as IMPL_first: a connection's first touch of each page its questions
** read, which costs a page fault apiece (on PostgreSQL in the server
** process, for every 4 KB of shared_buffers it has not touched yet) and
** grows with the pages a larger fleet spreads the answers over. The
** second pass is what a connection that has run a while sees.
*/
static size_t measure_cell(const options *o, const fleet *f, impl **impls,
                           size_t n, workload w, size_t page, cell *out) {
  size_t count = measure_workload(f, impls, n, w, page, &o->budget, out);
  if (!o->scaling) return count;
  for (size_t i = 0; i < count; i++)
    out[i].impl = first_pass_name(out[i].impl);
  return count +
         measure_workload(f, impls, n, w, page, &o->budget, out + count);
}

/* Measure every workload, at each of its page sizes, on impls[0..n). */
static void measure_group(const options *o, const report *r, backend_id b,
                          const fleet *f, impl **impls, size_t n,
                          results *res) {
  /* atesql and raw take turns: their ratio is the finest this benchmark
  ** reports. The scan, 100 to 6000 times slower, runs alone after them,
  ** so that its passes over the whole table do not cool their caches.
  ** The scaling probe's handles all take turns. */
  size_t together = b == B_SQLITE || b == B_POSTGRES ? 2 : 1;
  if (o->scaling) together = n;
  for (workload w = 0; w < WL_COUNT; w++) {
    if (!o->workloads[w]) continue;
    size_t pages[PAGE_SIZES_MAX], page_count = workload_pages(o, w, pages);
    for (size_t k = 0; k < page_count; k++)
      for (size_t first = 0; first < n; first += first ? 1 : together) {
        cell cells[2 * MEASURED_TOGETHER_MAX];
        size_t measured = measure_cell(
            o, f, impls + first, first ? 1 : together, w, pages[k], cells);
        for (size_t i = 0; i < measured; i++) {
          cells[i].backend = backend_names[b];
          report_cell(r, &cells[i]);
          append((void **)&res->cells, &res->count, &res->cap, sizeof cells[i],
                 &cells[i]);
        }
      }
  }
}

/*
** The scaling probe on SQLite: every size is loaded first, and then the
** handles of every size take turns on each question, so that a busy spell
** on the machine slows every size alike and their ratios hold. The sizes
** share no cache but the kernel's, which holds every file: each handle
** has a page cache of its own. (PostgreSQL's databases would share the
** server's shared_buffers, so there the sizes run one after another.)
*/
static void run_sqlite_sizes(options *o, const report *r, const fleet *fleets,
                             const answers *want, results *res) {
  impl *impls[MEASURED_TOGETHER_MAX];
  size_t n = 0;
  for (size_t s = 0; s < o->sizes.count; s++)
    load(o, B_SQLITE, &fleets[s]);
  for (size_t s = 0; s < o->sizes.count; s++) {
    size_t opened = open_group(o, B_SQLITE, 0, &fleets[s], impls + n);
    for (size_t i = 0; i < opened; i++)
      impls[n + i]->f = &fleets[s];
    verify_answers(o, &fleets[s], impls + n, opened, &want[s], "sqlite");
    n += opened;
  }
  for (workload w = 0; w < WL_COUNT; w++) {
    if (!o->workloads[w]) continue;
    cell cells[2 * MEASURED_TOGETHER_MAX];
    size_t measured =
        measure_cell(o, &fleets[0], impls, n, w, PAGE_ROWS, cells);
    for (size_t i = 0; i < measured; i++) {
      cells[i].backend = backend_names[B_SQLITE];
      report_cell(r, &cells[i]);
      append((void **)&res->cells, &res->count, &res->cap, sizeof cells[i],
             &cells[i]);
    }
  }
  for (size_t i = 0; i < n; i++)
    impls[i]->close(impls[i]);
  for (size_t s = 0; s < o->sizes.count; s++)
    drop(o, B_SQLITE, &fleets[s]);
}

static void run_backend(options *o, const report *r, backend_id b,
                        const fleet *f, const answers *want, results *res) {
  if (b != B_MEMORY) load(o, b, f);
  for (size_t g = 0; g < group_count(b); g++) {
    impl *impls[3];
    size_t n = open_group(o, b, g, f, impls);
    verify_answers(o, f, impls, n, want, backend_names[b]);
    measure_group(o, r, b, f, impls, n, res);
    for (size_t i = 0; i < n; i++)
      impls[i]->close(impls[i]);
  }
  drop(o, b, f);
}

/* The first note of the report: versions, cores and load. */
static void report_environment(const report *r, const options *o) {
  char pg[256], redis[32];
  banner b = {.sqlite = "synchronous=full"};
  if (o->backends[B_POSTGRES]) {
    postgres_describe(o->common.postgres, pg, sizeof pg);
    b.postgres = pg;
  }
  if (o->backends[B_REDIS]) {
    redis_version(REDIS_HOST, (int)o->redis_port, redis, sizeof redis);
    b.redis = redis;
  }
  report_banner(r, &b);
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
        "label formula correlated with the free one? (bench/lists/fleet.c)",
        f->workers, c.labeled_free, labeled_free);
}

int lists_main(int argc, char **argv) {
  static options o;
  parse_options(argc, argv, &o);
  report r = {o.common.json};
  for (backend_id b = B_SQLITE; b <= B_POSTGRES; b++)
    if (o.backends[b])
      place_open(&o.places[b], b, o.common.dir, o.common.postgres, "lists");
  report_environment(&r, &o);
  report_header(&r, &cell_table);
  results res = {0};
  double start = now_s();
  static answers want[COUNTS_MAX];
  fleet fleets[COUNTS_MAX];
  for (size_t s = 0; s < o.sizes.count; s++) {
    fleets[s] = fleet_of(o.sizes.n[s]);
    if (o.workloads[WL_LIST_POOL_LABEL_FREE]) check_label_spread(&fleets[s]);
    reference_answers(&o, &fleets[s], &want[s]);
  }
  if (o.scaling && o.backends[B_SQLITE])
    run_sqlite_sizes(&o, &r, fleets, want, &res);
  for (size_t s = 0; s < o.sizes.count; s++) {
    const fleet f = fleets[s];
    for (backend_id b = 0; b < B_COUNT; b++) {
      if (!o.backends[b] || (o.scaling && b == B_SQLITE)) continue;
      if (b != B_SQLITE && f.workers > SQLITE_ONLY_ABOVE) {
        fprintf(stderr, "N=%zu: above %d workers only sqlite runs; not %s\n",
                f.workers, SQLITE_ONLY_ABOVE, backend_names[b]);
        continue;
      }
      run_backend(&o, &r, b, &f, &want[s], &res);
    }
  }
  if (!r.json && o.scaling)
    report_scaling(res.cells, res.count);
  else if (!r.json)
    report_summary(res.cells, res.count);
  report_end(&r, start);
  if (!peak_rss_resets())
    fprintf(stderr, "WARNING: /proc/self/clear_refs did not reset the peak "
                    "RSS: peak_rss_kb is the peak of the run so far\n");
  for (backend_id b = B_SQLITE; b <= B_POSTGRES; b++)
    if (o.backends[b]) place_close(&o.places[b]);
  free(res.cells);
  return 0;
}
