/*
** The lists subcommand's vocabulary: the fleet a run loads, the workloads
** it measures, the arguments of one operation, and the implementations
** that answer them (atesql, the same SQL through bare drivers, a full scan
** through atesql, Redis, and an in-memory cache of every worker). Every
** implementation is a row of operation functions indexed by workload, so
** one loop measures the whole table.
*/
#ifndef ATESQL_BENCH_LISTS_H
#define ATESQL_BENCH_LISTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <atesql/atesql.h>

#include "common.h"
#include "options.h"
#include "report.h"
#include "samples.h"

/* The shape of the fleet, the same at every size. */
enum {
  FLEET_POOLS = 20, /* worker pools */
  POOLS_PER_NAMESPACE = 5,
  FLEET_ATESPACES = 50,        /* atespaces holding the actors */
  WORKERS_PER_NODE = 50,       /* nodes = workers / 50 */
  FREE_ONE_IN = 10,            /* one worker in 10 is free */
  WORKERS_PER_ACTOR = 10,      /* actors = workers / 10 */
  PAGE_ROWS = 100,             /* the page size of the list workloads */
  MAX_PAGE = 1000,             /* the largest page a list returns */
  PAGE_SIZES_MAX = COUNTS_MAX, /* page sizes one run measures */
  NODE_SET = 10,               /* nodes in "free workers on a set of nodes" */
  POOL_SET = 2,                /* pools in "free workers of eligible pools" */
  SCAN_PAGE = 1000,            /* the page size of the scan implementation */
  LOCK_KEYS = 64,              /* distinct lock keys the lock workload cycles */
  /* One worker in 100 carries the label the label workload asks for
  ** (LABEL_KEY=LABEL_VALUE), another one in 100 the same key with
  ** LABEL_OTHER_VALUE, drawn independently of which workers are free. */
  LABEL_ONE_IN = 100,
  LABELS_JSON_MAX = 64, /* a worker's labels as a JSON object */
  /* Above this many workers only SQLite runs: PostgreSQL, Redis and the
  ** in-memory cache would take too long to load or too much memory. */
  SQLITE_ONLY_ABOVE = 1000000
};

#define LABEL_KEY         "gpu_type"
#define LABEL_VALUE       "h100"
#define LABEL_OTHER_VALUE "a100"

/* A fleet of one size: every record follows from its index and n. */
typedef struct fleet {
  size_t workers;
  size_t nodes;
  size_t actors;
} fleet;

fleet fleet_of(size_t workers);

/* The strings of one generated record; a record's fields point into it. */
typedef struct record_buf {
  char text[12][64];
  char snapshot_node[32];
  const char *snapshot_nodes[1];
  atesql_label label;        /* an actor's worker selector */
  atesql_label worker_label; /* a worker's label, when it has one */
  atesql_snapshot_info snapshot;
  atesql_worker_selector selector;
} record_buf;

/* Worker i (0 <= i < workers); workers come in primary-key order. */
void fleet_worker(const fleet *f, size_t i, record_buf *b, atesql_worker *w);
/* w's labels as atesql stores them, a JSON object sorted by key:
** {"gpu_type":"h100"} or {}. */
void worker_labels_json(const atesql_worker *w, char *buf, size_t bufsz);
/* Whether w carries label key=value. */
bool worker_has_label(const atesql_worker *w, const char *key,
                      const char *value);
/* How many workers of f carry LABEL_KEY=LABEL_VALUE, and how many of
** those are free: about workers / LABEL_ONE_IN and a FREE_ONE_IN-th of
** that, when the label is independent of being free. */
typedef struct label_census {
  size_t labeled, labeled_free;
} label_census;
label_census fleet_label_census(const fleet *f);
/* Actor j (0 <= j < actors). */
void fleet_actor(const fleet *f, size_t j, record_buf *b, atesql_actor *a);
/* The name of atespace k mod FLEET_ATESPACES. */
void fleet_atespace_name(size_t k, char *buf, size_t bufsz);

/* The workloads, in the order a run measures them: reads first (the lists
** before all others), writes last, so that rows the writes add cannot
** change what the reads see. */
typedef enum workload {
  WL_LIST_POOL_FREE,       /* free workers in one pool, first page */
  WL_LIST_NODES_FREE,      /* free workers on a set of 10 nodes */
  WL_LIST_POOL_NODES_FREE, /* ... of one pool on a set of 10 nodes */
  WL_LIST_POOLS_FREE,      /* free workers of two pools of a namespace */
  WL_LIST_HOLDER,          /* the workers that hold one actor */
  WL_LIST_NODE,            /* every worker of one node */
  WL_LIST_ACTORS_STATUS,   /* actors of one atespace in one status */
  WL_LIST_STATUS,          /* actors in one status, every atespace */
  WL_LIST_POOL_LABEL_FREE, /* free workers in one pool with one label */
  WL_COUNT_POOL_FREE,      /* the number of free workers in one pool */
  WL_GET_WORKER,           /* one worker by key */
  WL_CREATE_WORKER,        /* a new worker in the benchmark's namespace */
  WL_UPDATE_WORKER,        /* update a created worker with its version */
  WL_LOCK_CYCLE,           /* acquire and release a lock */
  WL_COUNT
} workload;

extern const char *const workload_names[WL_COUNT];

/* The list workloads (atesql_explain shows their SQL), those of them that
** list actors, those whose answers fill a page of any size (so they run at
** every page size of the run; the others at PAGE_ROWS), and the writes. */
bool workload_is_list(workload w);
bool workload_lists_actors(workload w);
bool workload_has_pages(workload w);
bool workload_is_write(workload w);

/* A workload's name in the output: "list_pool_free" at PAGE_ROWS, else
** with its page size, "list_pool_free@1". */
void workload_label(workload w, size_t page, char *buf, size_t bufsz);

/* A set of names a selector lists with "in": sorted and distinct, with
** their numbers in the fleet and the encodings the drivers bind. */
typedef struct name_set {
  char names[NODE_SET][32];
  size_t index[NODE_SET];
  size_t count;
  char json[NODE_SET * 36]; /* a JSON array: SQLite's json_each */
  char pg[NODE_SET * 36];   /* an array literal: PostgreSQL's ANY */
} name_set;

bool name_set_has(const name_set *s, const char *name);

/*
** The arguments of one operation, made before its clock starts: the same
** question in every implementation's terms (selector text for atesql,
** bound values for raw SQL, fields for the C filters of scan, Redis and
** the caches).
*/
typedef struct op_args {
  workload w;
  size_t page;               /* rows per page (lists) */
  char selector[512];        /* atesql selector text */
  size_t pool_index;         /* one pool: its number */
  char pool[32];             /* ... and name */
  name_set pools;            /* pools_free: POOL_SET pools of ... */
  size_t namespace_index;    /* ... one namespace: its number */
  char worker_namespace[32]; /* ... and name */
  name_set nodes;            /* a set of nodes (fewer in a tiny fleet) */
  size_t node_index;         /* node: its number */
  char node[32];             /* ... and name */
  size_t actor_index;        /* holder: the actor's number */
  char actor_id[32];         /* ... and id; atespace below */
  size_t atespace_index;     /* actors, holder: the atespace's number */
  char atespace[32];         /* ... and name */
  int status;                /* actors: the status */
  const char *label_key;     /* pool_label_free: the label */
  const char *label_value;
  record_buf buf;       /* the strings of worker */
  atesql_worker worker; /* get: its key; create/update: all of it */
  char worker_labels[LABELS_JSON_MAX]; /* create/update: worker's labels */
  int64_t expected_version;            /* update */
  char lock_key[32];
  char lock_owner[32];
} op_args;

/*
** Fill *a for operation number seq of workload w, with pages of `page`
** rows, by implementation `impl_name`. `created` is how many workers that
** implementation's create workload made (the update workload cycles
** through them).
*/
void make_args(const fleet *f, workload w, size_t page, size_t seq,
               const char *impl_name, size_t created, op_args *a);

/* True when a worker or actor is an answer to a's question (the C filter
** of the scan and Redis implementations). */
bool worker_matches(const op_args *a, const atesql_worker *w);
bool actor_matches(const op_args *a, const atesql_actor *act);

/*
** What an operation answers: the rows it returned (a count for the count
** workload) and, when asked, a digest of its answer's keys in order, so
** that implementations can be checked to give the same answer.
*/
typedef struct digest {
  uint64_t hash;
} digest;

void digest_init(digest *d);
void digest_add(digest *d, const char *text, size_t len);
void digest_worker_key(digest *d, const atesql_worker *w);
void digest_actor_key(digest *d, const atesql_actor *a);
void digest_count(digest *d, size_t count);

/*
** The answer a correct implementation gives to a (a read workload),
** computed from the generator alone: its row count, and its keys fed to d.
** The checks compare every implementation against it.
*/
size_t reference_answer(const fleet *f, const op_args *a, digest *d);

/*
** One operation of one workload: runs the question of a and returns its
** row count. d is NULL while timing; otherwise the operation also feeds
** the keys of its answer to d. Failures are fatal (see die()).
*/
typedef size_t (*op_fn)(void *ctx, const op_args *a, digest *d);

/* An implementation: a name and one operation per workload (NULL: not
** measured for that workload). */
typedef struct impl {
  const char *name;
  void *ctx;
  op_fn ops[WL_COUNT];
  /* Measured at every page size of the run, or only at PAGE_ROWS: a scan
  ** of every record costs the same whatever page it cuts. */
  bool every_page;
  void (*close)(struct impl *im); /* frees ctx and im */
  size_t created; /* workers its create workload made, for update */
  /* The fleet its database holds, where implementations of several
  ** sizes take turns (the scaling probe); NULL: the fleet measure_workload
  ** is given. */
  const fleet *f;
} impl;

/* True when im is measured on workload w with pages of `page` rows. */
bool impl_answers(const impl *im, workload w, size_t page);

/* The implementations; they die on failure. For atesql and scan, ctx is
** the atesql_store *. */
impl *open_atesql(const char *url);
impl *open_scan(const char *url);
impl *open_redis(const char *host, int port);

/*
** raw (impl_raw.c): atesql's statements through a bare sqlite3 or libpq
** connection. The list statements are those atesql_explain reports on
** atesql's store for operation 0 of each list workload, and the count's
** WHERE clause the compiled selector's; at each of pages[0..page_count)
** (for the workloads with pages) explain's parameters must be the ones
** raw binds, or raw dies naming the workload. Prints atesql_explain's
** verdicts on stderr and, on PostgreSQL, the plan a prepared statement
** gets after ten runs.
*/
typedef struct raw_source {
  atesql_store *atesql; /* the store atesql_explain asks */
  const fleet *f;
  const size_t *pages;
  size_t page_count;
} raw_source;
impl *open_raw_sqlite(const char *path, const raw_source *src);
impl *open_raw_postgres(const char *conninfo, const raw_source *src);
/* The in-memory caches (impl_cache.c): every worker of f in a hash map,
** loaded from the generator when opened. */
impl *open_cache(const fleet *f);
impl *open_cache_faithful(const fleet *f);

/* The version of the redis-server at host:port, e.g. "7.0.15". */
void redis_version(const char *host, int port, char *buf, size_t bufsz);

/* How long a cell runs: up to `ops` timed operations or `seconds` of
** them, whichever ends first, but at least MIN_OPS, after a warm-up of up
** to WARMUP_OPS operations or one second. */
enum { WARMUP_OPS = 100, MIN_OPS = 3 };
typedef struct budget {
  size_t ops;
  double seconds;
} budget;

/* The measurement of one implementation answering one workload. */
typedef struct cell {
  size_t workers;      /* N */
  const char *backend; /* "sqlite", "postgres", "redis", "memory" */
  const char *impl;
  workload w;
  size_t page; /* rows per page */
  size_t ops;  /* timed operations */
  double rows; /* mean rows per operation (the count, for count) */
  double p50_us, p99_us;
  double ops_per_s;   /* timed operations / their summed latency */
  long peak_rss_kb;   /* VmHWM over a pass of up to 50 operations alone */
  long rss_growth_kb; /* ... minus VmRSS before that pass */
} cell;

/* Implementations one measurement interleaves, at most. */
enum { MEASURED_TOGETHER_MAX = 2 * COUNTS_MAX };

/*
** Measure every implementation of impls[0..n) that answers w with pages of
** `page` rows, interleaved (see measure.c), each on its own fleet or f;
** out[i] receives the i-th such implementation's cell, all but its
** backend. Returns the number of cells (at most MEASURED_TOGETHER_MAX).
** After the create workload, each implementation's `created` says how many
** workers it made.
*/
size_t measure_workload(const fleet *f, impl **impls, size_t n, workload w,
                        size_t page, const budget *b, cell *out);

/* False when /proc/self/clear_refs cannot reset the peak, so peak_rss_kb
** is the peak of the whole run so far. */
bool peak_rss_resets(void);

/* Loaders (load.c, impl_redis.c): fleet f into an empty database (SQLite:
** the file at path, which must not exist; PostgreSQL: the database of
** conninfo, just created), analyzed, with prewarm its tables and indexes
** read into shared_buffers; or into a redis-server, flushed first. Run in
** a child process, so their memory never counts in a measurement. */
void load_sqlite(const char *path, const fleet *f);
void load_postgres(const char *conninfo, const fleet *f, bool prewarm);
void load_redis(const char *host, int port, const fleet *f);

/* After a table of cells: the ratios and the targets (summary.c). */
void report_summary(const cell *cells, size_t count);
/* After the scaling probe's cells: the growth of each question's p50 over
** every tenfold step of the sizes, against its target (summary.c). */
void report_scaling(const cell *cells, size_t count);

#endif
