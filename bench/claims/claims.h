/*
** The claims subcommand's parts and what they share: the database every
** cell starts from and the checks of what it holds after (database.c), the
** claimer threads and the three ways they claim (claimers.c); claims.c
** runs the cells and reports them.
*/
#ifndef ATESQL_BENCH_CLAIMS_H
#define ATESQL_BENCH_CLAIMS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <atesql/atesql.h>

#include "backends.h"
#include "options.h"
#include "report.h"

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

enum { CLAIMERS_MAX = 64 };

#define POOL_NS            "ns"
#define POOL_NAME          "cpu"
#define ACTOR_ATESPACE     "claims"
#define UPSTREAM_SELECTOR  "worker_pool=cpu,actor_id="
#define POOL_SELECTOR      "worker_namespace=ns,worker_pool=cpu"
#define POOL_FREE_SELECTOR "worker_namespace=ns,worker_pool=cpu,actor_id="
typedef enum impl_id {
  IMPL_ATESQL,         /* atesql_worker_claim, atesql_worker_release */
  IMPL_UPSTREAM,       /* list a page of 100 free, pick one, update */
  IMPL_UPSTREAM_PAGE1, /* the same with pages of 1 */
  IMPL_COUNT
} impl_id;

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
  /* Diagnostic: PostgreSQL's workers without the change feed's trigger
  ** (workers_events disabled), to show what a claim reaches alone. */
  bool no_feed;
  /* How long a SQLite handle waits for the write lock (the URL's
  ** busy_timeout_ms; atesql's default is 5000). Long, so that a writer
  ** starved by SQLite's busy handler shows as latency, not as an error. */
  long sqlite_busy_timeout_ms;
  report report;
} options;

/* ---- The database (database.c) ---- */

/* A backend under test: where its databases are, and the URL of its
** cell. */
typedef struct backend {
  backend_id id;
  db_place place;
  char cell_url[4400]; /* the URL the claimers open */
} backend;

/* Make the base database of b: in a new temporary directory under the
** run's DIR, or on the PostgreSQL server. */
void claims_backend_setup(backend *b, const options *o);

/* Replace the cell's database with a copy of the base. No handle may be
** open on either. */
void claims_backend_fresh_cell(backend *b);

/* Drop b's databases and close its place. */
void claims_backend_teardown(backend *b);

/* ---- Claimers (claimers.c) ---- */

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

/*
** A claimer's life, in step with the main thread at each barrier of its
** run: warm up (one claim and release, not recorded) | claim and release
** until the deadline, ending after a claim, so that it may hold a worker |
** the main thread checks the assignments | release and close. arg is the
** claimer.
*/
void *claimer_main(void *arg);

/* ---- Checks (database.c) ---- */

/*
** While the claimers hold their last workers: every held worker of the
** pool has its own actor (held workers = distinct holders), there are as
** many as the background's plus the claimers', and each claimer's worker
** is held by its actor in the database. Dies otherwise.
*/
void check_holding(atesql_store *s, const run *r);

/* After the claimers released everything: the database is as it began;
** dies otherwise. */
void check_released(atesql_store *s);

#endif
