/*
** atesql_claims: worker assignment under concurrency. Claimer threads, each
** with its own store handle, claim a worker of one shared pool for a fresh
** actor and release it again, as fast as they can, for a few seconds; each
** claim is timed. Three ways to claim are compared, on SQLite and on
** PostgreSQL: atesql_worker_claim, and the upstream control plane's
** list-pick-update with optimistic versions, at pages of 100 and of 1.
** Every cell starts from a fresh copy of one database and ends by checking
** that no worker was given to two actors. bench/claims_run starts a
** PostgreSQL server and runs this; docs/BENCHMARKS.md ("Claims") explains
** the output.
*/
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atesql/atesql.h>

/* The database every cell starts from. */
enum {
  POOL_WORKERS = 1000, /* the pool the claimers share: ns/cpu */
  POOL_FREE = 100,     /* of which free; background actors hold the rest */
  POOL_NODES = 100,
  OTHER_NAMESPACES = 4, /* other pools, so that the table is not trivial: */
  OTHER_POOLS = 5,      /* 5 per namespace, */
  OTHER_WORKERS = 1000, /* of 1000 workers each, */
  OTHER_FREE = 100,     /* of which 100 free */
  OTHER_NODES = 100     /* per pool */
};

enum {
  CLAIMERS_MAX = 64,
  COUNTS_MAX = 16,
  FSYNC_PROBES = 200,     /* fdatasync calls of the disk probe */
  CELL_FSYNC_PROBES = 50, /* ... and of the probe before each cell */
  RESULTS_MAX = 2 * 3 * COUNTS_MAX
};

#define POOL_NS            "ns"
#define POOL_NAME          "cpu"
#define ACTOR_ATESPACE     "claims"
#define ACTOR_TEMPLATE     "tmpl"
#define UPSTREAM_SELECTOR  "worker_pool=cpu,actor_id="
#define POOL_SELECTOR      "worker_namespace=ns,worker_pool=cpu"
#define POOL_FREE_SELECTOR "worker_namespace=ns,worker_pool=cpu,actor_id="
#define PG_BASE_DB         "atesql_claims_base"
#define PG_CELL_DB         "atesql_claims_cell"

typedef enum backend_id { B_SQLITE, B_POSTGRES, B_COUNT } backend_id;
static const char *const backend_names[B_COUNT] = {"sqlite", "postgres"};

typedef enum impl_id {
  IMPL_ATESQL,         /* atesql_worker_claim, atesql_worker_release */
  IMPL_UPSTREAM,       /* list a page of 100 free, pick one, update */
  IMPL_UPSTREAM_PAGE1, /* the same with pages of 1 */
  IMPL_COUNT
} impl_id;
static const char *const impl_names[IMPL_COUNT] = {"atesql", "upstream",
                                                   "upstream_page1"};
static const size_t impl_page_size[IMPL_COUNT] = {0, 100, 1};

typedef struct options {
  bool backends[B_COUNT];
  bool impls[IMPL_COUNT];
  int counts[COUNTS_MAX]; /* claimers per cell */
  size_t count_count;
  double seconds;       /* per cell */
  const char *dir;      /* where the temporary SQLite directory goes */
  const char *postgres; /* key=value conninfo of the server; NULL: none */
  unsigned seed;
  bool json;
  /* Diagnostics (docs/BENCHMARKS.md, "Claims"): SQLite's synchronous
  ** setting ("full", the default, or "normal"), and whether the claimers'
  ** single-statement writes (releases; upstream's assigning update) run in
  ** an explicit transaction. */
  const char *sqlite_synchronous;
  bool writes_in_tx;
  /* How long a SQLite handle waits for the write lock (the URL's
  ** busy_timeout_ms; atesql's default is 5000). Long, so that a writer
  ** starved by SQLite's busy handler shows as latency, not as an error. */
  long sqlite_busy_timeout_ms;
} options;

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("atesql_claims: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void check(atesql_store *s, atesql_status st, const char *what) {
  if (st != ATESQL_OK)
    die("%s: %s: %s", what, atesql_status_str(st), atesql_errmsg(s));
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The 1-, 5- and 15-minute load averages, as /proc/loadavg spells them. */
static void load_average(char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "?");
  FILE *f = fopen("/proc/loadavg", "r");
  if (f == NULL) return;
  double a, b, c;
  if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
    snprintf(buf, bufsz, "%.2f %.2f %.2f", a, b, c);
  fclose(f);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The nearest-rank percentile p of sorted[0..n); 0 when n is 0. */
static double percentile(const double *sorted, size_t n, double p) {
  if (n == 0) return 0;
  size_t rank = (size_t)ceil(p / 100.0 * (double)n);
  return sorted[rank ? rank - 1 : 0];
}

/*
** The flush time of the disk the databases write to: `probes` times (at
** most FSYNC_PROBES), write 4 kB into a file in dir and fdatasync it, as a
** WAL commit does. p50 and p99 in ms.
*/
static void probe_fsync(const char *dir, int probes, double *p50, double *p99) {
  char path[4096];
  snprintf(path, sizeof path, "%s/fsync-probe", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) die("open %s: %s", path, strerror(errno));
  static double ms[FSYNC_PROBES];
  char block[4096];
  memset(block, 'x', sizeof block);
  for (int i = 0; i < probes; i++) {
    double t0 = now_s();
    if (pwrite(fd, block, sizeof block, (off_t)(i % 64) * 4096) < 0 ||
        fdatasync(fd) != 0)
      die("write %s: %s", path, strerror(errno));
    ms[i] = (now_s() - t0) * 1e3;
  }
  close(fd);
  unlink(path);
  qsort(ms, (size_t)probes, sizeof ms[0], compare_doubles);
  *p50 = percentile(ms, (size_t)probes, 50);
  *p99 = percentile(ms, (size_t)probes, 99);
}

/* ---- The database every cell starts from ---- */

/* The strings of one generated worker. */
typedef struct worker_buf {
  char ns[32], pool[32], pod[32], actor_id[64], ip[32], uid[64], node[64];
} worker_buf;

/*
** Worker i of pool (ns, pool), free when i is a multiple of free_every,
** else held by a background actor; nodes node_prefix-0 .. -(nodes - 1).
*/
static void make_worker(const char *ns, const char *pool,
                        const char *pod_prefix, int i, int free_every,
                        const char *node_prefix, int nodes, int ip_block,
                        worker_buf *b, atesql_worker *w) {
  snprintf(b->ns, sizeof b->ns, "%s", ns);
  snprintf(b->pool, sizeof b->pool, "%s", pool);
  snprintf(b->pod, sizeof b->pod, "%s-%04d", pod_prefix, i);
  snprintf(b->ip, sizeof b->ip, "10.%d.%d.%d", ip_block, i / 250, i % 250);
  snprintf(b->uid, sizeof b->uid, "uid-%s-%s-%04d", ns, pool, i);
  snprintf(b->node, sizeof b->node, "%s-%03d", node_prefix, i % nodes);
  bool free_worker = i % free_every == 0;
  snprintf(b->actor_id, sizeof b->actor_id, "bg-%s-%s-%04d", ns, pool, i);
  *w = (atesql_worker){
      .worker_namespace = b->ns,
      .worker_pool = b->pool,
      .worker_pod = b->pod,
      .actor_namespace = free_worker ? "" : b->ns,
      .actor_template = free_worker ? "" : ACTOR_TEMPLATE,
      .actor_id = free_worker ? "" : b->actor_id,
      .actor_atespace = free_worker ? "" : "background",
      .ip = b->ip,
      .worker_pod_uid = b->uid,
      .node_name = b->node,
  };
}

/* Migrate the empty database at url and load the workers, in one
** transaction, then refresh the planner statistics. */
static void load_database(const char *url) {
  atesql_error err = {0};
  atesql_migration_list *applied = NULL;
  if (atesql_migrate_up(url, &applied, &err) != ATESQL_OK)
    die("migrate %s: %s", url, err.message);
  atesql_migration_list_free(applied);
  atesql_store *s = NULL;
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    die("open %s: %s", url, err.message);
  check(s, atesql_tx_begin(s), "begin the load");
  worker_buf b;
  atesql_worker w;
  for (int i = 0; i < POOL_WORKERS; i++) {
    make_worker(POOL_NS, POOL_NAME, "cpu", i, POOL_WORKERS / POOL_FREE, "node",
                POOL_NODES, 0, &b, &w);
    check(s, atesql_worker_create(s, &w), "load a worker");
  }
  for (int n = 0; n < OTHER_NAMESPACES; n++)
    for (int p = 0; p < OTHER_POOLS; p++) {
      char ns[16], pool[16], nodes[32];
      snprintf(ns, sizeof ns, "other-%d", n);
      snprintf(pool, sizeof pool, "pool-%d", p);
      snprintf(nodes, sizeof nodes, "%s-%s", ns, pool);
      for (int i = 0; i < OTHER_WORKERS; i++) {
        make_worker(ns, pool, "pod", i, OTHER_WORKERS / OTHER_FREE, nodes,
                    OTHER_NODES, 1 + n * OTHER_POOLS + p, &b, &w);
        check(s, atesql_worker_create(s, &w), "load a worker");
      }
    }
  check(s, atesql_tx_commit(s), "commit the load");
  check(s, atesql_store_analyze(s), "analyze");
  atesql_store_close(s);
}

/* A backend under test: how to reach its base database and its cell. */
typedef struct backend {
  backend_id id;
  char dir[4096];      /* SQLite: the temporary directory */
  char base[4096];     /* SQLite: the base file */
  char cell_url[4200]; /* the URL the claimers open */
  PGconn *admin;       /* PostgreSQL: to make and drop databases */
  const char *conninfo;
} backend;

static void pg_exec(PGconn *c, const char *sql) {
  PGresult *res = PQexec(c, sql);
  if (PQresultStatus(res) != PGRES_COMMAND_OK)
    die("postgres: %s: %s", sql, PQresultErrorMessage(res));
  PQclear(res);
}

/* Server notices ("database does not exist, skipping") are not news. */
static void ignore_notice(void *arg, const char *message) {
  (void)arg;
  (void)message;
}

static PGconn *pg_connect(const char *conninfo) {
  PGconn *c = PQconnectdb(conninfo);
  if (PQstatus(c) != CONNECTION_OK)
    die("postgres connect '%s': %s", conninfo, PQerrorMessage(c));
  PQsetNoticeProcessor(c, ignore_notice, NULL);
  return c;
}

static void copy_file(const char *from, const char *to) {
  int in = open(from, O_RDONLY);
  int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (in < 0 || out < 0) die("copy %s to %s: %s", from, to, strerror(errno));
  static char buf[1 << 16];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n)
      die("write %s: %s", to, strerror(errno));
  if (n < 0 || fsync(out) != 0) die("copy %s: %s", from, strerror(errno));
  close(in);
  close(out);
}

/* Make the base database of b: a fresh SQLite file in a new temporary
** directory under dir, or a fresh PostgreSQL database. */
static void backend_setup(backend *b, const options *o) {
  double t0 = now_s();
  if (b->id == B_SQLITE) {
    snprintf(b->dir, sizeof b->dir, "%s/atesql-claims-XXXXXX", o->dir);
    if (mkdtemp(b->dir) == NULL) die("mkdtemp %s: %s", b->dir, strerror(errno));
    snprintf(b->base, sizeof b->base, "%s/base.db", b->dir);
    char url[4200];
    snprintf(url, sizeof url, "sqlite:%s", b->base);
    load_database(url);
    snprintf(b->cell_url, sizeof b->cell_url,
             "sqlite:%s/cell.db?synchronous=%s&busy_timeout_ms=%ld", b->dir,
             o->sqlite_synchronous, o->sqlite_busy_timeout_ms);
  } else {
    b->conninfo = o->postgres;
    b->admin = pg_connect(o->postgres);
    pg_exec(b->admin, "DROP DATABASE IF EXISTS " PG_CELL_DB " WITH (FORCE)");
    pg_exec(b->admin, "DROP DATABASE IF EXISTS " PG_BASE_DB " WITH (FORCE)");
    pg_exec(b->admin, "CREATE DATABASE " PG_BASE_DB);
    char url[4200];
    snprintf(url, sizeof url, "%s dbname=" PG_BASE_DB, o->postgres);
    load_database(url);
    PGconn *base = pg_connect(url);
    pg_exec(base, "VACUUM workers");
    PQfinish(base);
    snprintf(b->cell_url, sizeof b->cell_url, "%s dbname=" PG_CELL_DB,
             o->postgres);
  }
  fprintf(stderr, "%s: base database loaded in %.1f s\n", backend_names[b->id],
          now_s() - t0);
}

/* Replace the cell's database with a copy of the base. No handle may be
** open on either. */
static void backend_fresh_cell(backend *b) {
  if (b->id == B_SQLITE) {
    /* The last handle on the base checkpointed and removed its WAL, so
    ** the file alone holds the database. */
    char wal[4200];
    struct stat st;
    snprintf(wal, sizeof wal, "%s-wal", b->base);
    if (stat(wal, &st) == 0 && st.st_size > 0)
      die("%s is not empty: the base is not in one file", wal);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
      char path[4200];
      snprintf(path, sizeof path, "%s/cell.db%s", b->dir, suffixes[i]);
      if (unlink(path) != 0 && errno != ENOENT)
        die("remove %s: %s", path, strerror(errno));
    }
    char cell[4200];
    snprintf(cell, sizeof cell, "%s/cell.db", b->dir);
    copy_file(b->base, cell);
  } else {
    pg_exec(b->admin, "DROP DATABASE IF EXISTS " PG_CELL_DB " WITH (FORCE)");
    pg_exec(b->admin, "CREATE DATABASE " PG_CELL_DB " TEMPLATE " PG_BASE_DB);
  }
}

static void backend_teardown(backend *b) {
  if (b->id == B_SQLITE) {
    const char *names[] = {"base.db", "base.db-wal", "base.db-shm",
                           "cell.db", "cell.db-wal", "cell.db-shm"};
    for (int i = 0; i < 6; i++) {
      char path[4200];
      snprintf(path, sizeof path, "%s/%s", b->dir, names[i]);
      unlink(path);
    }
    rmdir(b->dir);
  } else {
    pg_exec(b->admin, "DROP DATABASE IF EXISTS " PG_CELL_DB " WITH (FORCE)");
    pg_exec(b->admin, "DROP DATABASE IF EXISTS " PG_BASE_DB " WITH (FORCE)");
    PQfinish(b->admin);
  }
}

/* ---- Claimers ---- */

/* The worker a claimer holds, with what the upstream pattern needs to
** write it back. */
typedef struct held_worker {
  bool holding;
  int index; /* in the pool: the number of its pod */
  char pod[32], ip[32], uid[48], node[32];
  int64_t version; /* after the claim */
} held_worker;

struct run;

typedef struct claimer {
  struct run *run;
  int id;
  atesql_store *store;
  unsigned rng;
  uint64_t seq;      /* claims attempted: the actor ids' numbers */
  char actor_id[48]; /* of the current claim */
  held_worker held;
  double *latency_ms; /* of each recorded claim */
  size_t claims, cap;
  uint64_t retries;   /* upstream: updates that met CONFLICT */
  uint64_t exhausted; /* claims that found no free worker */
  double last_end;    /* when its last claim ended */
} claimer;

/* One cell: the claimers and what they share. */
typedef struct run {
  impl_id impl;
  const char *url;
  bool writes_in_tx; /* options.writes_in_tx */
  double start, deadline;
  pthread_barrier_t barrier; /* every claimer and the main thread */
  /* Who holds each worker of the pool, as the claimers believe: 0 or
  ** the holding claim's tag. Taking a held worker is a double assignment. */
  _Atomic uint64_t holder[POOL_WORKERS];
  claimer claimers[CLAIMERS_MAX];
  int count;
} run;

static void barrier_wait(run *r) {
  int rc = pthread_barrier_wait(&r->barrier);
  if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
    die("pthread_barrier_wait: %s", strerror(rc));
}

static uint64_t claim_tag(const claimer *c) {
  return ((uint64_t)(c->id + 1) << 40) | c->seq;
}

/*
** Note that c now holds the worker w at version: its fields for a later
** write, and its mark in the table of holders. A worker another claimer
** still holds is a double assignment, and fatal.
*/
static void hold(claimer *c, const atesql_worker *w, int64_t version) {
  held_worker *h = &c->held;
  if (sscanf(w->worker_pod, "cpu-%d", &h->index) != 1 || h->index < 0 ||
      h->index >= POOL_WORKERS || strcmp(w->worker_namespace, POOL_NS) != 0 ||
      strcmp(w->worker_pool, POOL_NAME) != 0)
    die("claimer %d got worker %s/%s/%s, not one of pool %s/%s", c->id,
        w->worker_namespace, w->worker_pool, w->worker_pod, POOL_NS, POOL_NAME);
  snprintf(h->pod, sizeof h->pod, "%s", w->worker_pod);
  snprintf(h->ip, sizeof h->ip, "%s", w->ip);
  snprintf(h->uid, sizeof h->uid, "%s", w->worker_pod_uid);
  snprintf(h->node, sizeof h->node, "%s", w->node_name);
  h->version = version;
  uint64_t free_mark = 0;
  if (!atomic_compare_exchange_strong(&c->run->holder[h->index], &free_mark,
                                      claim_tag(c)))
    die("worker %s was given to actor %s while claimer %d's actor held it",
        h->pod, c->actor_id, (int)(free_mark >> 40) - 1);
  h->holding = true;
}

/*
** A single-statement write of a claimer, in an explicit transaction when
** the run asks for it (--writes-in-tx): on SQLite a transaction waits in
** the process's queue of writers, a lone statement in SQLite's busy
** handler. OK and CONFLICT are returned (after a CONFLICT the transaction
** is rolled back); any other failure is fatal.
*/
static void write_begin(claimer *c) {
  if (c->run->writes_in_tx)
    check(c->store, atesql_tx_begin(c->store), "begin a write");
}

static atesql_status write_end(claimer *c, atesql_status st, const char *what) {
  if (st != ATESQL_OK && st != ATESQL_CONFLICT) check(c->store, st, what);
  if (!c->run->writes_in_tx) return st;
  if (st == ATESQL_OK) {
    check(c->store, atesql_tx_commit(c->store), what);
    return ATESQL_OK;
  }
  check(c->store, atesql_tx_rollback(c->store), what);
  return st;
}

/* atesql: one call. False when no worker is free. */
static bool claim_atesql(claimer *c) {
  atesql_pool_ref pool = {POOL_NS, POOL_NAME};
  atesql_claim_request req = {.pools = &pool,
                              .pool_count = 1,
                              .actor_atespace = ACTOR_ATESPACE,
                              .actor_id = c->actor_id,
                              .actor_namespace = POOL_NS,
                              .actor_template = ACTOR_TEMPLATE};
  atesql_worker *w = NULL;
  atesql_status st = atesql_worker_claim(c->store, &req, &w);
  if (st == ATESQL_RESOURCE_EXHAUSTED) return false;
  check(c->store, st, "atesql_worker_claim");
  hold(c, w, w->version);
  atesql_worker_free(w);
  return true;
}

/*
** The upstream pattern: list a page of free workers of the pool, pick one
** at random, and write the assignment with the version read; on CONFLICT
** (another claimer took it first) list again. False when the list is
** empty.
*/
static bool claim_upstream(claimer *c, size_t page_size) {
  atesql_list_opts opts = {.selector_text = UPSTREAM_SELECTOR,
                           .page_size = page_size};
  for (;;) {
    atesql_worker_page *page = NULL;
    check(c->store, atesql_worker_list(c->store, &opts, &page),
          "list free workers");
    if (page->count == 0) {
      atesql_worker_page_free(page);
      return false;
    }
    atesql_worker w = page->items[rand_r(&c->rng) % page->count];
    int64_t read_version = w.version, version = 0;
    w.actor_id = c->actor_id;
    w.actor_atespace = ACTOR_ATESPACE;
    w.actor_namespace = POOL_NS;
    w.actor_template = ACTOR_TEMPLATE;
    write_begin(c);
    atesql_status st =
        write_end(c, atesql_worker_update(c->store, &w, read_version, &version),
                  "assign a listed worker");
    if (st == ATESQL_OK) hold(c, &w, version);
    atesql_worker_page_free(page);
    if (st == ATESQL_OK) return true;
    c->retries++;
  }
}

/*
** Give the held worker back. Its mark is cleared first: until the write
** below, the database still says it is ours, so nobody can take it in
** between. A release that finds the worker no longer ours means it was
** given to another actor meanwhile, and is fatal.
*/
static void release(claimer *c) {
  held_worker *h = &c->held;
  atomic_store(&c->run->holder[h->index], 0);
  write_begin(c);
  if (c->run->impl == IMPL_ATESQL) {
    bool released = false;
    write_end(c,
              atesql_worker_release(c->store, POOL_NS, POOL_NAME, h->pod,
                                    ACTOR_ATESPACE, c->actor_id, &released),
              "atesql_worker_release");
    if (!released)
      die("worker %s was no longer held by actor %s at its release", h->pod,
          c->actor_id);
  } else {
    atesql_worker w = {.worker_namespace = POOL_NS,
                       .worker_pool = POOL_NAME,
                       .worker_pod = h->pod,
                       .actor_namespace = "",
                       .actor_template = "",
                       .actor_id = "",
                       .actor_atespace = "",
                       .ip = h->ip,
                       .worker_pod_uid = h->uid,
                       .node_name = h->node};
    atesql_status st =
        write_end(c, atesql_worker_update(c->store, &w, h->version, NULL),
                  "release a worker by update");
    if (st == ATESQL_CONFLICT)
      die("worker %s changed while actor %s held it (version %lld is stale)",
          h->pod, c->actor_id, (long long)h->version);
  }
  h->holding = false;
}

static void record_latency(claimer *c, double ms) {
  if (c->claims == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 4096;
    c->latency_ms = realloc(c->latency_ms, c->cap * sizeof *c->latency_ms);
    if (c->latency_ms == NULL) die("out of memory");
  }
  c->latency_ms[c->claims++] = ms;
}

/* One claim for a fresh actor, timed; recorded when `record`. True when
** it got a worker. */
static bool claim_once(claimer *c, bool record) {
  c->seq++;
  snprintf(c->actor_id, sizeof c->actor_id, "claimer%d-%llu", c->id,
           (unsigned long long)c->seq);
  double t0 = now_s();
  bool got = c->run->impl == IMPL_ATESQL
                 ? claim_atesql(c)
                 : claim_upstream(c, impl_page_size[c->run->impl]);
  double t1 = now_s();
  if (!record) return got;
  c->last_end = t1;
  if (got)
    record_latency(c, (t1 - t0) * 1e3);
  else
    c->exhausted++;
  return got;
}

/*
** A claimer's life, in step with the main thread at each barrier: warm up
** (one claim and release, not recorded) | claim and release until the
** deadline, ending after a claim, so that it may hold a worker | the main
** thread checks the assignments | release and close.
*/
static void *claimer_main(void *arg) {
  claimer *c = arg;
  atesql_error err = {0};
  if (atesql_store_open(c->run->url, &c->store, &err) != ATESQL_OK)
    die("claimer %d: open %s: %s", c->id, c->run->url, err.message);
  if (claim_once(c, false)) release(c);
  barrier_wait(c->run); /* warmed up */
  barrier_wait(c->run); /* start and deadline set */
  for (;;) {
    bool got = claim_once(c, true);
    if (now_s() >= c->run->deadline) break; /* keep it for the check */
    if (got) release(c);
  }
  barrier_wait(c->run); /* holding */
  barrier_wait(c->run); /* checked */
  if (c->held.holding) release(c);
  atesql_store_close(c->store);
  return NULL;
}

/* ---- Checks ---- */

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int64_t count_workers(atesql_store *s, const char *selector) {
  atesql_list_opts opts = {.selector_text = selector};
  int64_t n = 0;
  check(s, atesql_worker_count(s, &opts, &n), "count workers");
  return n;
}

/*
** While the claimers hold their last workers: every held worker of the
** pool has its own actor (held workers = distinct holders), there are as
** many as the background's plus the claimers', and each claimer's worker
** is held by its actor in the database.
*/
static void check_holding(atesql_store *s, const run *r) {
  int holding = 0;
  for (int i = 0; i < r->count; i++)
    holding += r->claimers[i].held.holding;
  atesql_list_opts opts = {.selector_text = POOL_SELECTOR,
                           .page_size = POOL_WORKERS};
  atesql_worker_page *page = NULL;
  check(s, atesql_worker_list(s, &opts, &page), "list the pool");
  if (page->count != POOL_WORKERS || *page->next_page_token)
    die("the pool lists %zu workers, not %d", page->count, POOL_WORKERS);
  char *holders[POOL_WORKERS];
  size_t held = 0;
  for (size_t i = 0; i < page->count; i++) {
    const atesql_worker *w = &page->items[i];
    if (!*w->actor_id) continue;
    if (asprintf(&holders[held++], "%s/%s", w->actor_atespace, w->actor_id) < 0)
      die("out of memory");
  }
  qsort(holders, held, sizeof holders[0], compare_strings);
  size_t distinct = held ? 1 : 0;
  for (size_t i = 1; i < held; i++)
    distinct += strcmp(holders[i - 1], holders[i]) != 0;
  for (size_t i = 0; i < held; i++)
    free(holders[i]);
  size_t expected = POOL_WORKERS - POOL_FREE + (size_t)holding;
  if (held != expected || distinct != held)
    die("%zu workers held by %zu actors; expected %zu by as many", held,
        distinct, expected);
  for (int i = 0; i < r->count; i++) {
    const claimer *c = &r->claimers[i];
    if (!c->held.holding) continue;
    const atesql_worker *w = &page->items[c->held.index];
    if (strcmp(w->worker_pod, c->held.pod) != 0 ||
        strcmp(w->actor_id, c->actor_id) != 0)
      die("worker %s is held by '%s', not by claimer %d's actor %s",
          c->held.pod, w->actor_id, c->id, c->actor_id);
  }
  atesql_worker_page_free(page);
  int64_t free_now = count_workers(s, POOL_FREE_SELECTOR);
  if (free_now != POOL_FREE - holding)
    die("%lld workers of the pool are free, not %d", (long long)free_now,
        POOL_FREE - holding);
}

/* After the claimers released everything: the database is as it began. */
static void check_released(atesql_store *s) {
  int64_t pool_free = count_workers(s, POOL_FREE_SELECTOR);
  int64_t all_free = count_workers(s, "actor_id=");
  int64_t expected = POOL_FREE + OTHER_NAMESPACES * OTHER_POOLS * OTHER_FREE;
  if (pool_free != POOL_FREE || all_free != expected)
    die("after the cell %lld workers of the pool and %lld in all are free, "
        "not %d and %lld",
        (long long)pool_free, (long long)all_free, POOL_FREE,
        (long long)expected);
}

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
  backend_fresh_cell(b);
  double fsync_p50, fsync_p99;
  probe_fsync(o->dir, CELL_FSYNC_PROBES, &fsync_p50, &fsync_p99);
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
    r.claimers[i] = (claimer){.run = &r, .id = i, .rng = o->seed + 7919u * i};
    rc = pthread_create(&threads[i], NULL, claimer_main, &r.claimers[i]);
    if (rc != 0) die("pthread_create: %s", strerror(rc));
  }
  barrier_wait(&r); /* warmed up */
  r.start = now_s();
  r.deadline = r.start + o->seconds;
  barrier_wait(&r); /* go */
  barrier_wait(&r); /* holding */
  atesql_error err = {0};
  atesql_store *s = NULL;
  if (atesql_store_open(b->cell_url, &s, &err) != ATESQL_OK)
    die("open %s: %s", b->cell_url, err.message);
  check_holding(s, &r);
  barrier_wait(&r); /* checked */
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
  res.p50_ms = percentile(all, n, 50);
  res.p99_ms = percentile(all, n, 99);
  free(all);
  res.claims_per_s = end > r.start ? (double)res.claims / (end - r.start) : 0;
  res.retries_per_claim = res.claims ? (double)retries / (double)res.claims : 0;
  return res;
}

static void print_table_header(void) {
  printf("%-9s %-15s %8s %8s %12s %8s %8s %17s %9s %12s\n", "backend", "impl",
         "claimers", "claims", "claims_per_s", "p50_ms", "p99_ms",
         "retries_per_claim", "exhausted", "fsync_p50_ms");
}

static void print_result(const result *r, bool json) {
  if (json)
    printf("{\"backend\":\"%s\",\"impl\":\"%s\",\"claimers\":%d,\"claims\":%zu,"
           "\"claims_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
           "\"retries_per_claim\":%.3f,\"exhausted\":%llu,"
           "\"fsync_p50_ms\":%.3f}\n",
           backend_names[r->backend], impl_names[r->impl], r->claimers,
           r->claims, r->claims_per_s, r->p50_ms, r->p99_ms,
           r->retries_per_claim, (unsigned long long)r->exhausted,
           r->fsync_p50_ms);
  else
    printf("%-9s %-15s %8d %8zu %12.1f %8.3f %8.3f %17.3f %9llu %12.3f\n",
           backend_names[r->backend], impl_names[r->impl], r->claimers,
           r->claims, r->claims_per_s, r->p50_ms, r->p99_ms,
           r->retries_per_claim, (unsigned long long)r->exhausted,
           r->fsync_p50_ms);
  fflush(stdout);
}

static const result *find_result(const result *rs, size_t n, backend_id b,
                                 impl_id impl, int claimers) {
  for (size_t i = 0; i < n; i++)
    if (rs[i].backend == b && rs[i].impl == impl && rs[i].claimers == claimers)
      return &rs[i];
  return NULL;
}

/*
** The success criteria, at the largest claimer count measured
** (8 by default): on PostgreSQL atesql claims at least 3x as fast as the
** upstream pattern, with zero retries; on SQLite atesql's p99 stays under
** 15 ms.
*/
static void print_criteria(FILE *out, const result *rs, size_t n, int most) {
  fprintf(out, "# criteria at %d claimers:\n", most);
  const result *a = find_result(rs, n, B_POSTGRES, IMPL_ATESQL, most);
  if (a) {
    fprintf(out, "#   postgres: atesql %.1f claims/s, %.3f retries per claim",
            a->claims_per_s, a->retries_per_claim);
    bool met = a->retries_per_claim == 0;
    bool compared = false;
    for (impl_id u = IMPL_UPSTREAM; u < IMPL_COUNT; u++) {
      const result *up = find_result(rs, n, B_POSTGRES, u, most);
      if (up == NULL || up->claims_per_s <= 0) continue;
      double ratio = a->claims_per_s / up->claims_per_s;
      fprintf(out, "; %s %.1f claims/s (atesql %.2fx)", impl_names[u],
              up->claims_per_s, ratio);
      if (u == IMPL_UPSTREAM) {
        met = met && ratio >= 3.0;
        compared = true;
      }
    }
    fprintf(out, "\n#     need >= 3x upstream with 0 retries: %s\n",
            compared ? (met ? "met" : "missed") : "not measured");
  }
  a = find_result(rs, n, B_SQLITE, IMPL_ATESQL, most);
  if (a)
    fprintf(out, "#   sqlite: atesql p99 %.3f ms; need < 15 ms: %s\n",
            a->p99_ms, a->p99_ms < 15.0 ? "met" : "missed");
}

/* ---- Options ---- */

static void usage(void) {
  static const char *const lines[] = {
      "usage: atesql_claims [--backends sqlite,postgres] [--postgres CONNINFO]",
      "                     [--impls atesql,upstream,upstream_page1]",
      "                     [--claimers 1,2,4,8] [--seconds S] [--dir DIR]",
      "                     [--seed N] [--json]",
      "                     [--sqlite-synchronous full|normal]",
      "                     [--sqlite-busy-timeout-ms N] [--writes-in-tx]",
      "CONNINFO is a libpq key=value string (\"\" takes the server from",
      "the PG* environment); the benchmark makes and drops the databases",
      PG_BASE_DB " and " PG_CELL_DB " there. SQLite files go to a temporary",
      "directory under DIR (default: $TMPDIR or /tmp)."};
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
    fprintf(stderr, "%s\n", lines[i]);
  exit(2);
}

/* Set flags[i] for each comma-separated name of names[0..n) in list. */
static void parse_names(const char *list, const char *const *names, size_t n,
                        bool *flags) {
  memset(flags, 0, n * sizeof *flags);
  char *copy = strdup(list), *save = NULL;
  if (copy == NULL) die("out of memory");
  for (char *t = strtok_r(copy, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    size_t i = 0;
    while (i < n && strcmp(t, names[i]) != 0)
      i++;
    if (i == n) die("unknown name '%s' in '%s'", t, list);
    flags[i] = true;
  }
  free(copy);
}

static void parse_counts(const char *list, options *o) {
  o->count_count = 0;
  char *copy = strdup(list), *save = NULL;
  if (copy == NULL) die("out of memory");
  for (char *t = strtok_r(copy, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    char *end;
    long v = strtol(t, &end, 10);
    if (*end || v < 1 || v > CLAIMERS_MAX || o->count_count == COUNTS_MAX)
      die("--claimers: '%s' is not 1..%d (at most %d counts)", t, CLAIMERS_MAX,
          COUNTS_MAX);
    o->counts[o->count_count++] = (int)v;
  }
  free(copy);
  if (o->count_count == 0) die("--claimers names no count");
}

static options parse_options(int argc, char **argv) {
  options o = {.seconds = 5,
               .seed = 1,
               .counts = {1, 2, 4, 8},
               .count_count = 4,
               .sqlite_synchronous = "full",
               .sqlite_busy_timeout_ms = 60000};
  const char *tmp = getenv("TMPDIR");
  o.dir = tmp && *tmp ? tmp : "/tmp";
  const char *backends = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--json") == 0 || strcmp(a, "--writes-in-tx") == 0) {
      o.json |= strcmp(a, "--json") == 0;
      o.writes_in_tx |= strcmp(a, "--writes-in-tx") == 0;
      continue;
    }
    if (v == NULL) usage();
    i++;
    if (strcmp(a, "--backends") == 0)
      backends = v;
    else if (strcmp(a, "--postgres") == 0)
      o.postgres = v;
    else if (strcmp(a, "--impls") == 0)
      parse_names(v, impl_names, IMPL_COUNT, o.impls);
    else if (strcmp(a, "--claimers") == 0)
      parse_counts(v, &o);
    else if (strcmp(a, "--seconds") == 0)
      o.seconds = atof(v);
    else if (strcmp(a, "--dir") == 0)
      o.dir = v;
    else if (strcmp(a, "--seed") == 0)
      o.seed = (unsigned)strtoul(v, NULL, 10);
    else if (strcmp(a, "--sqlite-synchronous") == 0)
      o.sqlite_synchronous = v;
    else if (strcmp(a, "--sqlite-busy-timeout-ms") == 0)
      o.sqlite_busy_timeout_ms = strtol(v, NULL, 10);
    else
      usage();
  }
  bool any_impl = false;
  for (int i = 0; i < IMPL_COUNT; i++)
    any_impl |= o.impls[i];
  if (!any_impl)
    for (int i = 0; i < IMPL_COUNT; i++)
      o.impls[i] = true;
  if (backends)
    parse_names(backends, backend_names, B_COUNT, o.backends);
  else {
    o.backends[B_SQLITE] = true;
    o.backends[B_POSTGRES] = o.postgres != NULL;
  }
  if (o.backends[B_POSTGRES] && o.postgres == NULL)
    die("the postgres backend needs --postgres CONNINFO");
  if (o.postgres && (strncmp(o.postgres, "postgres://", 11) == 0 ||
                     strncmp(o.postgres, "postgresql://", 13) == 0))
    die("--postgres takes a key=value conninfo, not a URL");
  if (!(o.seconds > 0)) die("--seconds must be positive");
  if (strcmp(o.sqlite_synchronous, "full") != 0 &&
      strcmp(o.sqlite_synchronous, "normal") != 0)
    die("--sqlite-synchronous takes full or normal");
  if (o.sqlite_busy_timeout_ms < 0 || o.sqlite_busy_timeout_ms > 3600000)
    die("--sqlite-busy-timeout-ms takes 0..3600000");
  return o;
}

/* The first line of the report: versions, machine, load and disk. */
static void print_banner(FILE *out, const options *o) {
  char pg[64] = "";
  if (o->backends[B_POSTGRES]) {
    PGconn *c = pg_connect(o->postgres);
    const char *v = PQparameterStatus(c, "server_version");
    snprintf(pg, sizeof pg, ", PostgreSQL %s", v ? v : "?");
    PQfinish(c);
  }
  char load[64];
  load_average(load, sizeof load);
  fprintf(out,
          "# atesql %s, SQLite %s%s; %ld cores, load average %s at start; "
          "%.1f s per cell\n",
          atesql_version(), sqlite3_libversion(), pg,
          sysconf(_SC_NPROCESSORS_ONLN), load, o->seconds);
  fprintf(out,
          "# SQLite synchronous=%s, busy_timeout_ms=%ld; single-statement "
          "writes %s\n",
          o->sqlite_synchronous, o->sqlite_busy_timeout_ms,
          o->writes_in_tx ? "in a transaction (--writes-in-tx)"
                          : "on their own");
  double p50, p99;
  probe_fsync(o->dir, FSYNC_PROBES, &p50, &p99);
  fprintf(out, "# fdatasync of 4 kB in %s: p50 %.3f ms, p99 %.3f ms\n", o->dir,
          p50, p99);
  fflush(out);
}

int main(int argc, char **argv) {
  options o = parse_options(argc, argv);
  FILE *notes = o.json ? stderr : stdout;
  double t0 = now_s();
  static backend backends[B_COUNT];
  for (backend_id b = 0; b < B_COUNT; b++) {
    backends[b].id = b;
    if (o.backends[b]) backend_setup(&backends[b], &o);
  }
  print_banner(notes, &o);
  if (!o.json) print_table_header();
  static result results[RESULTS_MAX];
  size_t n = 0;
  int most = 0;
  for (size_t k = 0; k < o.count_count; k++)
    if (o.counts[k] > most) most = o.counts[k];
  for (backend_id b = 0; b < B_COUNT; b++) {
    if (!o.backends[b]) continue;
    /* The implementations take turns at each count, so that the cells
    ** compared are measured close together on a shared machine. */
    for (size_t k = 0; k < o.count_count; k++) {
      for (impl_id impl = 0; impl < IMPL_COUNT && n < RESULTS_MAX; impl++) {
        if (!o.impls[impl]) continue;
        char load[64];
        load_average(load, sizeof load);
        fprintf(stderr, "%s %s %d claimers (load %s)\n", backend_names[b],
                impl_names[impl], o.counts[k], load);
        results[n] = run_cell(&backends[b], impl, o.counts[k], &o);
        print_result(&results[n], o.json);
        n++;
      }
    }
  }
  char load[64];
  load_average(load, sizeof load);
  fprintf(notes, "# load average %s at the end; %.0f s in all\n", load,
          now_s() - t0);
  print_criteria(notes, results, n, most);
  double p50, p99;
  probe_fsync(o.dir, FSYNC_PROBES, &p50, &p99);
  fprintf(notes, "# fdatasync of 4 kB at the end: p50 %.3f ms, p99 %.3f ms\n",
          p50, p99);
  for (backend_id b = 0; b < B_COUNT; b++)
    if (o.backends[b]) backend_teardown(&backends[b]);
  return 0;
}
