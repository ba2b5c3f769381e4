/*
** The watch subcommand's parts and what they share: the database every
** cell starts from and its feed variants (database.c), the writer threads
** and their cells (writers.c), the watcher and the delivery cells
** (delivery.c), the writes cells that price the feed (writes.c), and
** the cells with another connection's transaction open (stall.c);
** watch.c runs them.
*/
#ifndef ATESQL_BENCH_WATCH_H
#define ATESQL_BENCH_WATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <atesql/atesql.h>

#include "backends.h"
#include "options.h"
#include "report.h"

/* The database every cell starts from. */
enum {
  UPDATE_WORKERS = 1000, /* pool ns/upd: the updaters', all free at first */
  CLAIM_WORKERS = 1000,  /* pool ns/cpu: the claimers' */
  CLAIM_FREE = 100,      /* of which free; background actors hold the rest */
  OTHER_POOLS = 10,      /* other pools, so that the table is not trivial, */
  OTHER_WORKERS = 1000,  /* of 1000 workers each, */
  OTHER_FREE = 100,      /* of which 100 free */
  NODES = 100            /* per pool */
};

enum {
  WRITERS_MAX = 64,
  ROUNDS_MAX = 64,
  RESULTS_MAX = 2 * 2 * 2 * COUNTS_MAX /* backends, ops, feeds, counts */
};

#define UPDATE_POOL    "upd"
#define CLAIM_POOL     "cpu"
#define NS             "ns"
#define ACTOR_ATESPACE "watch"

/* Where the delivery cells' watcher runs. */
typedef enum mode_id { M_IN_PROCESS, M_OTHER_PROCESS, M_COUNT } mode_id;
extern const char *const mode_names[M_COUNT];

/* What a writes cell's writers do, one operation at a time. */
typedef enum op_id {
  OP_UPDATE, /* atesql_worker_update of a worker of its own: one write */
  OP_CLAIM,  /* atesql_worker_claim + atesql_worker_release: two writes */
  OP_COUNT
} op_id;
extern const char *const op_names[OP_COUNT];

/* What a writes cell's database logs: the feed's triggers as migrated, or
** none of them, which prices the feed. */
typedef enum feed_id {
  F_FEED, /* the triggers as migrated */
  F_NONE, /* the triggers dropped */
  F_COUNT
} feed_id;
extern const char *const feed_names[F_COUNT];

/* Whether writes under f advance the store revision. */
bool feed_logs(feed_id f);

typedef enum part_id {
  P_DELIVERY,
  P_WRITES,
  P_STALL,
  P_SNAPSHOT,
  P_COUNT
} part_id;

typedef struct options {
  common_options common;
  bool backends[B_COUNT];
  bool parts[P_COUNT];
  bool modes[M_COUNT];
  bool ops[OP_COUNT];
  bool feeds[F_COUNT];
  counts delivery_writers; /* default 1, 4 */
  counts flat_writers;     /* delivery flat out: default 8 */
  counts write_writers;    /* default 1, 4, 8 */
  double rate;             /* delivery, stall, snapshot: updates per
                              second, all writers */
  double delivery_seconds; /* per delivery cell */
  double write_seconds;    /* per writes cell and variant */
  long rounds;             /* writes: the variants take turns this often */
  long poll_ms;            /* SQLite watches' poll interval; 0: default */
  long stall_writers;      /* stall, snapshot: updater threads */
  double stall_seconds;    /* per stall cell */
  double snapshot_seconds; /* per snapshot cell */
  report report;
} options;

/* ---- The database (database.c) ---- */

/* A backend under test: where its databases are, and the URLs of its
** cells, one per feed variant (the delivery cells use F_FEED's). */
typedef struct backend {
  backend_id id;
  db_place place;
  char cell_url[F_COUNT][4400]; /* the URLs writers and watchers open */
} backend;

/* The updaters' workers as loaded (free, at version 1); set by
** watch_backend_setup. */
extern atesql_worker update_records[UPDATE_WORKERS];

/* Make the base database of b: migrated, loaded, analyzed, and its load's
** events compacted away, so that every cell's feed starts empty. */
void watch_backend_setup(backend *b, const options *o);

/* Replace the cell of feed variant f with a copy of the base, its feed as
** f says. No handle may be open on either. */
void watch_backend_fresh_cell(backend *b, feed_id f);

/* Drop b's databases and close its place. */
void watch_backend_teardown(backend *b);

/* The store revision of the database at url, on a handle of its own. */
int64_t url_revision(const char *url);

/* What a second connection holds open on a PostgreSQL cell while its
** writers run (libpq directly, as an operator's session or another
** program would). */
typedef enum holder_id {
  H_NONE,
  H_WRITE,    /* a transaction that updated a worker of ns/cpu held by a
                 background actor (so neither a claimer's candidate nor an
                 updater's worker) and stays open */
  H_SNAPSHOT, /* a REPEATABLE READ transaction that took its snapshot with
                 one SELECT and writes nothing */
  H_COUNT
} holder_id;
extern const char *const holder_names[H_COUNT];

/* Begin what h holds on the PostgreSQL database at url (a cell's URL,
** which is a conninfo); NULL for H_NONE. */
PGconn *holder_begin(holder_id h, const char *url);

/* Commit what holder_begin began and close its connection; NULL is a
** no-op. */
void holder_end(PGconn *c);

/* ---- Writers (writers.c) ---- */

/* One update as its writer saw it return OK. */
typedef struct commit_rec {
  int worker; /* index in the updaters' pool */
  int64_t version;
  double t;  /* just after the call returned OK */
  double ms; /* the call's time */
} commit_rec;

struct cell;

typedef struct writer {
  struct cell *cell;
  int id;
  atesql_store *store;
  int cursor;   /* the next of its workers to update */
  uint64_t seq; /* operations begun: the actor ids' numbers */
  char actor_id[48];
  commit_rec *commits; /* delivery: each update */
  size_t ncommits, commit_cap;
  double *latency_ms; /* writes: each timed operation */
  size_t nops, op_cap;
  uint64_t writes;  /* worker writes that returned OK, warm-ups included */
  double last_end;  /* when its last timed operation ended */
  double writing_s; /* delivery: the time its update calls took */
} writer;

/* One cell: the writers and what they share. */
typedef struct cell {
  const char *url;
  int writers;
  op_id op;
  double period; /* delivery: seconds between one writer's updates */
  double start, deadline;
  pthread_barrier_t barrier; /* every writer and the main thread */
  /* The updaters' workers: worker i belongs to writer i % writers, which
  ** alone reads and writes its entries. */
  int64_t version[UPDATE_WORKERS];
  bool held[UPDATE_WORKERS];
  writer w[WRITERS_MAX];
} cell;

/* A fresh cell of `writers` writers on the database at url, every updater
** worker at version 1. */
void cell_reset(cell *c, const char *url, int writers);

/*
** A delivery writer: from its slot in the first period on, one update
** every period until the deadline, each commit recorded in its commits.
*/
void *delivery_writer_main(void *arg);

/*
** Claim a worker of ns/cpu for a fresh actor of wr's and release it: two
** writes, counted in wr->writes. *claim_ms and *release_ms (either may be
** NULL) receive each call's time. Needs only wr's id, seq and store.
*/
void claim_release(writer *wr, double *claim_ms, double *release_ms);

/* A writes writer: one untimed warm-up operation, then c->op back to back
** until the deadline, each timed into its latency_ms. */
void *write_writer_main(void *arg);

/*
** Start c->writers threads running `body` on c, wait for them to open
** their handles (and warm up), then give them a common start `lead`
** seconds ahead and `seconds` to run, and wait for them to end.
*/
void run_writers(cell *c, void *(*body)(void *), double lead, double seconds);

/* ---- The watcher (delivery.c) ---- */

/* One event as the watcher received it. */
typedef struct arrival_rec {
  int worker; /* index in the updaters' pool; -1 for any other worker */
  int64_t version;
  int64_t revision;
  double t; /* just after atesql_watch_next returned it */
} arrival_rec;

/*
** What the watcher and the main thread share: in memory mapped shared, so
** that a watcher in a child process writes it as a thread would. The
** watcher alone writes received, arrivals, count, overflow, failed and
** error, and the main thread reads them only after the watcher ended.
*/
typedef struct watch_shared {
  _Atomic int ready;          /* 1: the watch is open; -1: it failed */
  _Atomic int64_t target;     /* stop at this revision; -1 until known */
  _Atomic int64_t stop_by_ns; /* CLOCK_MONOTONIC: give up then */
  bool failed, timed_out;
  char error[1024];
  size_t received;             /* every event */
  size_t count, overflow, cap; /* arrivals kept, and those beyond cap */
  arrival_rec arrivals[];
} watch_shared;

/* Shared memory for a watcher that keeps up to cap arrivals (0: it only
** counts them), to free with shared_free; dies on failure. */
watch_shared *shared_new(size_t cap);
void shared_free(watch_shared *sh);

typedef struct watcher_args {
  const char *url;
  int poll_ms;
  watch_shared *sh;
} watcher_args;

/* A running watcher: a thread of this process or a child process. */
typedef struct watcher {
  mode_id mode;
  pthread_t thread;
  pid_t child;
  watcher_args args;
} watcher;

/* The poll interval the cells' watches of b take: --poll-ms on SQLite,
** the default (0) on PostgreSQL. */
int watch_poll_ms(const backend *b, const options *o);

/*
** Start a watcher of mode on url, watching every worker from now, and
** wait until its watch is open; it records every event into sh until
** watcher_finish. A child is forked while this process runs no other
** thread and holds no store handle (only PostgreSQL's admin connection,
** which the child never touches), and leaves by _exit.
*/
void watcher_start(watcher *wt, mode_id mode, const char *url, int poll_ms,
                   watch_shared *sh);

/* Tell the watcher to stop at revision target (or after a grace of 10 s)
** and wait for it to end. */
void watcher_finish(watcher *wt, int64_t target);

/* ---- Delivery cells (delivery.c) ---- */

/* One delivery cell: where its watcher runs, its writers, and what a
** second connection holds meanwhile. */
typedef struct delivery_spec {
  mode_id mode;
  int writers;
  double rate;      /* updates per second of all writers; 0: flat out */
  double seconds;   /* the writers' time */
  holder_id holder; /* H_NONE or H_SNAPSHOT: a holder that wrote would add
                       an event of no writer's */
} delivery_spec;

typedef struct delivery_result {
  backend_id backend;
  mode_id mode;
  int writers;
  holder_id holder;
  double asked;    /* the rate asked; 0: flat out */
  double rate;     /* updates per second achieved */
  double write_ms; /* the mean update call; writers cannot keep up with a
                      rate above writers * 1000 / write_ms */
  double write_p50_ms, write_p99_ms, write_max_ms; /* of the update calls */
  size_t commits;
  int64_t revisions; /* the store revision's advance over the cell */
  size_t delivered;  /* events of committed updates, each counted once */
  size_t missing;    /* committed updates never delivered */
  size_t duplicates; /* deliveries of an update beyond its first */
  size_t unexpected; /* events of no update the writers committed */
  size_t disorder;   /* events whose revision was not the one after the
                        previous event's */
  size_t early;      /* events the watcher held before their writer read the
                        clock after its call: latency below 0 */
  double p50_ms, p99_ms, max_ms, min_ms;
  double load1;
  bool timed_out, failed;
} delivery_result;

/* Print the delivery part's notes and table header. */
void delivery_header(const options *o);

/*
** Run the delivery cell spec on a fresh copy of b's base database: the
** watcher opens its watch, the holder (if any) begins, the writers run,
** the holder ends, and the watcher receives everything up to the store
** revision. The measures and checks go to *res; nothing is printed.
*/
void delivery_cell(backend *b, const delivery_spec *spec, const options *o,
                   delivery_result *res);

/* Whether every committed update of r's cell was delivered exactly once,
** in revision order, and nothing else was. */
bool delivery_exact(const delivery_result *r);

/* Run the delivery cell (b, watcher mode, writers, rate; 0: flat out) for
** --delivery-seconds and print its row; false when its feed was not
** exact. */
bool run_delivery(backend *b, mode_id mode, int writers, double rate,
                  const options *o);

/* ---- Writes cells (writes.c) ---- */

typedef struct write_result {
  backend_id backend;
  op_id op;
  feed_id feed;
  int writers;
  size_t ops;
  double ops_per_s, p50_ms, p99_ms;
  double round_ops_per_s[ROUNDS_MAX];
  int rounds;
  uint64_t writes;   /* worker writes, warm-ups included */
  int64_t revisions; /* the store revision's advance: `writes` when the
                        feed logs, else 0 */
  uint64_t events;   /* what the rounds' watchers received: `revisions` */
  double load1;
} write_result;

/* Print the writes part's notes and table header. */
void writes_header(const options *o);

/*
** Run the writes group (b, op, writers) for the feed variants
** feeds[0..nfeeds): a fresh cell each, then o->rounds rounds in which
** each variant's writers run in turn, the order rotating each round, so
** that the variants compared see the same machine on a shared host.
** Results go to out[0..nfeeds) and their rows to the report.
*/
void run_writes(backend *b, op_id op, const feed_id *feeds, size_t nfeeds,
                int writers, const options *o, write_result *out);

/* The feed's cost: each feed row of rs[0..n) against none, and the
** verdict on the feed's target on PostgreSQL (updates at 8 writers). */
void report_feed_cost(const report *r, const write_result *rs, size_t n);

/* ---- Holder cells, PostgreSQL only (stall.c) ---- */

/* The stall cells, without a holder and with H_WRITE on b, their table
** and the verdict: every claim under 100 ms while the transaction is
** open. */
void run_stall_part(backend *b, const options *o);

/* The snapshot cells, without a holder and with H_SNAPSHOT on b, their
** table and the verdict: the snapshot adds at most 10 ms to the p99 of a
** commit and of a delivery. */
void run_snapshot_part(backend *b, const options *o);

#endif
