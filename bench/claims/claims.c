/*
** atesql_bench claims: worker assignment under concurrency. Claimer threads,
*each
** with its own store handle, claim a worker of one shared pool for a fresh
** actor and release it again, as fast as they can, for a few seconds; each
** claim is timed. Three ways to claim are compared, on SQLite and on
** PostgreSQL: atesql_worker_claim, and the upstream control plane's
** list-pick-update with optimistic versions, at pages of 100 and of 1.
** Every cell starts from a fresh copy of one database and ends by checking
** that no worker was given to two actors. bench/run claims starts a
** PostgreSQL server and runs this; docs/BENCHMARKS.md ("Claims") explains
** the output.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atesql/atesql.h>

#include "backends.h"
#include "common.h"
#include "machine.h"
#include "options.h"
#include "pools.h"
#include "report.h"
#include "samples.h"

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
  CELL_FSYNC_PROBES = 50, /* fdatasync calls of the probe before each cell */
  RESULTS_MAX = 2 * 3 * COUNTS_MAX
};

#define POOL_NS            "ns"
#define POOL_NAME          "cpu"
#define ACTOR_ATESPACE     "claims"
#define UPSTREAM_SELECTOR  "worker_pool=cpu,actor_id="
#define POOL_SELECTOR      "worker_namespace=ns,worker_pool=cpu"
#define POOL_FREE_SELECTOR "worker_namespace=ns,worker_pool=cpu,actor_id="
/* The databases: the base every cell copies, and the cell's copy. */
#define BASE_DB "atesql_claims_base"
#define CELL_DB "atesql_claims_cell"

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
  common_options common;
  bool backends[B_COUNT];
  bool impls[IMPL_COUNT];
  counts claimers; /* per cell */
  double seconds;  /* per cell */
  long seed;
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
  report report;
} options;

/* ---- The database every cell starts from ---- */

/* Migrate the empty database at url and load the workers, in one
** transaction, then refresh the planner statistics. */
static void load_database(const char *url) {
  atesql_store *s = migrate_and_open(url);
  check(s, atesql_tx_begin(s), "begin the load");
  pool_spec pool = {.ns = POOL_NS,
                    .pool = POOL_NAME,
                    .workers = POOL_WORKERS,
                    .free_every = POOL_WORKERS / POOL_FREE,
                    .pod_prefix = "cpu",
                    .node_prefix = "node",
                    .nodes = POOL_NODES,
                    .ip_block = 0};
  load_pool(s, &pool);
  for (int n = 0; n < OTHER_NAMESPACES; n++)
    for (int p = 0; p < OTHER_POOLS; p++) {
      char ns[16], name[16], nodes[32];
      snprintf(ns, sizeof ns, "other-%d", n);
      snprintf(name, sizeof name, "pool-%d", p);
      snprintf(nodes, sizeof nodes, "%s-%s", ns, name);
      pool_spec other = {.ns = ns,
                         .pool = name,
                         .workers = OTHER_WORKERS,
                         .free_every = OTHER_WORKERS / OTHER_FREE,
                         .pod_prefix = "pod",
                         .node_prefix = nodes,
                         .nodes = OTHER_NODES,
                         .ip_block = 1 + n * OTHER_POOLS + p};
      load_pool(s, &other);
    }
  check(s, atesql_tx_commit(s), "commit the load");
  check(s, atesql_store_analyze(s), "analyze");
  atesql_store_close(s);
}

/* A backend under test: where its databases are, and the URL of its
** cell. */
typedef struct backend {
  backend_id id;
  db_place place;
  char cell_url[4400]; /* the URL the claimers open */
} backend;

/* Make the base database of b: in a new temporary directory under the
** run's DIR, or on the PostgreSQL server. */
static void backend_setup(backend *b, const options *o) {
  double t0 = now_s();
  char url[4400];
  place_open(&b->place, b->id, o->common.dir, o->common.postgres, "claims");
  place_create(&b->place, BASE_DB);
  place_url(&b->place, BASE_DB, "", url, sizeof url);
  load_database(url);
  if (b->id == B_POSTGRES) {
    PGconn *base = pg_connect(url);
    pg_exec(base, "VACUUM workers");
    PQfinish(base);
  }
  char query[128];
  snprintf(query, sizeof query, "?synchronous=%s&busy_timeout_ms=%ld",
           o->sqlite_synchronous, o->sqlite_busy_timeout_ms);
  place_url(&b->place, CELL_DB, query, b->cell_url, sizeof b->cell_url);
  fprintf(stderr, "%s: base database loaded in %.1f s\n", backend_names[b->id],
          now_s() - t0);
}

/* Replace the cell's database with a copy of the base. No handle may be
** open on either. */
static void backend_fresh_cell(backend *b) {
  place_copy(&b->place, BASE_DB, CELL_DB);
}

static void backend_teardown(backend *b) {
  place_drop(&b->place, CELL_DB);
  place_drop(&b->place, BASE_DB);
  place_close(&b->place);
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
  double ms = (t1 - t0) * 1e3;
  if (got)
    append((void **)&c->latency_ms, &c->claims, &c->cap, sizeof ms, &ms);
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
  barrier_wait(&c->run->barrier); /* warmed up */
  barrier_wait(&c->run->barrier); /* start and deadline set */
  for (;;) {
    bool got = claim_once(c, true);
    if (now_s() >= c->run->deadline) break; /* keep it for the check */
    if (got) release(c);
  }
  barrier_wait(&c->run->barrier); /* holding */
  barrier_wait(&c->run->barrier); /* checked */
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
    if (o.backends[b]) backend_setup(&backends[b], &o);
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
    if (o.backends[b]) backend_teardown(&backends[b]);
  return 0;
}
