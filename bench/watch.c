/*
** atesql_watch: the workers' change feed under load, on SQLite and on
** PostgreSQL. Two measurements:
**  - delivery: writer threads, each with its own store handle, update
**    workers at a steady total rate while a watcher blocked in
**    atesql_watch_next receives the events, in a thread of this process or
**    in a child process. An event's latency runs from its writer's call
**    returning OK to the watcher holding the event (CLOCK_MONOTONIC, which
**    both processes share). Every committed update must arrive exactly
**    once and in revision order; the program counts what does not.
**  - writes: writers update workers (or claim and release them) as fast as
**    they can, with the feed's triggers as migrated and with them dropped
**    from a copy of the database, so that the feed's cost shows. The two
**    copies take turns in short rounds, so that both see the same machine
**    on a shared host.
** Every cell starts from a fresh copy of one database. bench/watch_run
** starts a PostgreSQL server and runs this; docs/BENCHMARKS.md ("Watch")
** explains the output.
*/
#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atesql/atesql.h>

#include "harness.h"

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
  /* How long the watcher may take, after the writers end, to deliver the
  ** last event before the cell counts the rest as missing. */
  DRAIN_GRACE_S = 10,
  ROUNDS_MAX = 64,
  RESULTS_MAX = 2 * 2 * 4 * COUNTS_MAX /* backends, ops, feeds, counts */
};

/* Delivery writers: how far behind its schedule (seconds) a writer may
** fall and still catch up back to back. */
#define BACKLOG_S 0.1

#define UPDATE_POOL    "upd"
#define CLAIM_POOL     "cpu"
#define NS             "ns"
#define ACTOR_ATESPACE "watch"
#define PG_BASE_DB     "atesql_watch_base"
#define PG_CELL_DB     "atesql_watch_" /* + the feed variant's name */

const char program_name[] = "atesql_watch";

/* Where the delivery cells' watcher runs. */
typedef enum mode_id { M_IN_PROCESS, M_OTHER_PROCESS, M_COUNT } mode_id;
static const char *const mode_names[M_COUNT] = {"in_process", "other_process"};

/* What a writes cell's writers do, one operation at a time. */
typedef enum op_id {
  OP_UPDATE, /* atesql_worker_update of a worker of its own: one write */
  OP_CLAIM,  /* atesql_worker_claim + atesql_worker_release: two writes */
  OP_COUNT
} op_id;
static const char *const op_names[OP_COUNT] = {"update", "claim_release"};

/*
** What a writes cell's database logs. The two diagnostic variants split
** PostgreSQL's trigger into its two parts, each of which makes concurrent
** writers commit one at a time: the revision row's lock (held from the
** first worker write to the end of the transaction) and the NOTIFY (the
** server serializes notifying transactions from just before their commit
** to its end, under one lock for the whole cluster). SQLite's triggers
** notify nobody, so there the variants would equal feed and none, and
** are not run.
*/
typedef enum feed_id {
  F_FEED,        /* the triggers as migrated */
  F_LOG_ONLY,    /* PostgreSQL: the trigger without its NOTIFY */
  F_NOTIFY_ONLY, /* PostgreSQL: a trigger that only notifies */
  F_NONE,        /* the triggers dropped */
  F_COUNT
} feed_id;
static const char *const feed_names[F_COUNT] = {"feed", "log_only",
                                                "notify_only", "none"};

/* Whether writes under f advance the store revision. */
static bool feed_logs(feed_id f) { return f == F_FEED || f == F_LOG_ONLY; }

typedef enum part_id { P_DELIVERY, P_WRITES, P_COUNT } part_id;
static const char *const part_names[P_COUNT] = {"delivery", "writes"};

typedef struct options {
  bool backends[B_COUNT];
  bool parts[P_COUNT];
  bool modes[M_COUNT];
  bool ops[OP_COUNT];
  bool feeds[F_COUNT];
  counts delivery_writers; /* default 1, 4 */
  counts write_writers;    /* default 1, 4, 8 */
  double rate;             /* delivery: updates per second, all writers */
  double delivery_seconds; /* per delivery cell */
  double write_seconds;    /* per writes cell and variant */
  int rounds;              /* writes: the variants take turns this often */
  int poll_ms;             /* SQLite watches' poll interval; 0: default */
  const char *dir;         /* where the temporary SQLite directory goes */
  const char *postgres;    /* key=value conninfo of the server; NULL: none */
} options;

/* Sleep until CLOCK_MONOTONIC reads t (seconds). */
static void sleep_until(double t) {
  struct timespec ts = {.tv_sec = (time_t)t,
                        .tv_nsec = (long)((t - floor(t)) * 1e9)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

static double load_now(void) {
  char buf[64];
  double one;
  load_average(buf, sizeof buf, &one);
  return one;
}

/* ---- The database every cell starts from ---- */

/* The updaters' workers as loaded (free, at version 1). */
static worker_buf update_bufs[UPDATE_WORKERS];
static atesql_worker update_records[UPDATE_WORKERS];

static void make_update_workers(void) {
  pool_spec pool = {.ns = NS,
                    .pool = UPDATE_POOL,
                    .workers = UPDATE_WORKERS,
                    .free_every = 1,
                    .pod_prefix = UPDATE_POOL,
                    .node_prefix = NS "-" UPDATE_POOL,
                    .nodes = NODES,
                    .ip_block = 0};
  for (int i = 0; i < UPDATE_WORKERS; i++)
    make_worker(&pool, i, &update_bufs[i], &update_records[i]);
}

/*
** Migrate the empty database at url and load the workers in one
** transaction; refresh the planner statistics and compact the load's
** events away, so that every cell's feed starts empty.
*/
static void load_database(const char *url) {
  atesql_store *s = migrate_and_open(url);
  check(s, atesql_tx_begin(s), "begin the load");
  for (int i = 0; i < UPDATE_WORKERS; i++)
    check(s, atesql_worker_create(s, &update_records[i]), "load a worker");
  pool_spec claim = {.ns = NS,
                     .pool = CLAIM_POOL,
                     .workers = CLAIM_WORKERS,
                     .free_every = CLAIM_WORKERS / CLAIM_FREE,
                     .pod_prefix = CLAIM_POOL,
                     .node_prefix = NS "-" CLAIM_POOL,
                     .nodes = NODES,
                     .ip_block = 1};
  load_pool(s, &claim);
  for (int p = 0; p < OTHER_POOLS; p++) {
    char pool[16], nodes[32];
    snprintf(pool, sizeof pool, "pool-%d", p);
    snprintf(nodes, sizeof nodes, "other-%s", pool);
    pool_spec other = {.ns = "other",
                       .pool = pool,
                       .workers = OTHER_WORKERS,
                       .free_every = OTHER_WORKERS / OTHER_FREE,
                       .pod_prefix = pool,
                       .node_prefix = nodes,
                       .nodes = NODES,
                       .ip_block = 2 + p};
    load_pool(s, &other);
  }
  check(s, atesql_tx_commit(s), "commit the load");
  check(s, atesql_store_analyze(s), "analyze");
  int64_t revision = 0;
  check(s, atesql_store_revision(s, &revision, NULL), "read the revision");
  atesql_compact_opts compact = {.revision = revision};
  check(s, atesql_compact(s, &compact, NULL), "compact the load's events");
  atesql_store_close(s);
}

/* A backend under test: how to reach its base database and its cells,
** one per feed variant (the delivery cells use F_FEED's). */
typedef struct backend {
  backend_id id;
  char dir[4096];               /* SQLite: the temporary directory */
  char base[4200];              /* SQLite: the base file */
  char cell[F_COUNT][4200];     /* SQLite: the cells' files */
  char cell_db[F_COUNT][64];    /* PostgreSQL: the cells' databases */
  char cell_url[F_COUNT][4300]; /* the URLs writers and watchers open */
  PGconn *admin;                /* PostgreSQL: to make and drop databases */
} backend;

/* Make the base database of b: a fresh SQLite file in a new temporary
** directory under dir, or a fresh PostgreSQL database. */
static void backend_setup(backend *b, const options *o) {
  double t0 = now_s();
  if (b->id == B_SQLITE) {
    make_temp_dir(b->dir, sizeof b->dir, o->dir, "atesql-watch");
    snprintf(b->base, sizeof b->base, "%s/base.db", b->dir);
    char url[4300];
    snprintf(url, sizeof url, "sqlite:%s", b->base);
    load_database(url);
    /* A long busy timeout: a writer that waits shows as latency. */
    for (feed_id f = 0; f < F_COUNT; f++) {
      snprintf(b->cell[f], sizeof b->cell[f], "%s/cell-%s.db", b->dir,
               feed_names[f]);
      snprintf(b->cell_url[f], sizeof b->cell_url[f],
               "sqlite:%s?busy_timeout_ms=60000", b->cell[f]);
    }
  } else {
    b->admin = pg_connect(o->postgres);
    for (feed_id f = 0; f < F_COUNT; f++) {
      snprintf(b->cell_db[f], sizeof b->cell_db[f], PG_CELL_DB "%s",
               feed_names[f]);
      snprintf(b->cell_url[f], sizeof b->cell_url[f], "%s dbname=%s",
               o->postgres, b->cell_db[f]);
      pg_drop_database(b->admin, b->cell_db[f]);
    }
    pg_drop_database(b->admin, PG_BASE_DB);
    pg_exec(b->admin, "CREATE DATABASE " PG_BASE_DB);
    char url[4200];
    snprintf(url, sizeof url, "%s dbname=" PG_BASE_DB, o->postgres);
    load_database(url);
    PGconn *base = pg_connect(url);
    pg_exec(base, "VACUUM ANALYZE");
    PQfinish(base);
  }
  fprintf(stderr, "%s: base database loaded in %.1f s\n", backend_names[b->id],
          now_s() - t0);
}

/* PostgreSQL: the trigger function without its NOTIFY, made from the
** function the migration installed; the statement fails unless it found
** the NOTIFY to remove. */
static const char pg_log_only_sql[] =
    "DO $$ DECLARE def text := pg_get_functiondef("
    "'atesql_worker_event'::regproc); "
    "stripped text := replace(def, "
    "'PERFORM pg_notify(''atesql_worker_events'', '''');', ''); "
    "BEGIN IF stripped = def THEN "
    "RAISE EXCEPTION 'no NOTIFY found in atesql_worker_event()'; END IF; "
    "EXECUTE stripped; END $$";

/* PostgreSQL: the feed's trigger replaced by one that only notifies. */
static const char pg_notify_only_sql[] =
    "DROP TRIGGER workers_events ON workers; "
    "CREATE FUNCTION bench_worker_notify() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM pg_notify('atesql_worker_events', ''); RETURN NULL; END $$; "
    "CREATE TRIGGER workers_notify AFTER INSERT OR UPDATE OR DELETE ON "
    "workers FOR EACH ROW EXECUTE FUNCTION bench_worker_notify()";

/* Change the cell's feed from as migrated to f: drop its triggers (the
** workers' writes then log nothing and notify nobody) or, on PostgreSQL,
** keep one of its two parts. */
static void set_feed(backend *b, feed_id f) {
  if (f == F_FEED) return;
  if (b->id == B_SQLITE) {
    if (f != F_NONE) die("--feeds %s is for PostgreSQL only", feed_names[f]);
    sqlite3 *db = NULL;
    char *msg = NULL;
    if (sqlite3_open_v2(b->cell[f], &db, SQLITE_OPEN_READWRITE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(db,
                     "DROP TRIGGER workers_event_created;"
                     "DROP TRIGGER workers_event_updated;"
                     "DROP TRIGGER workers_event_deleted;",
                     NULL, NULL, &msg) != SQLITE_OK)
      die("drop the feed's triggers in %s: %s", b->cell[f],
          msg ? msg : sqlite3_errmsg(db));
    sqlite3_close(db);
  } else {
    PGconn *c = pg_connect(b->cell_url[f]);
    pg_exec(c, f == F_NONE       ? "DROP TRIGGER workers_events ON workers"
               : f == F_LOG_ONLY ? pg_log_only_sql
                                 : pg_notify_only_sql);
    PQfinish(c);
  }
}

/* Replace the cell of feed variant f with a copy of the base, its feed
** as f says. No handle may be open on either. */
static void backend_fresh_cell(backend *b, feed_id f) {
  if (b->id == B_SQLITE)
    sqlite_copy_database(b->base, b->cell[f]);
  else
    pg_copy_database(b->admin, PG_BASE_DB, b->cell_db[f]);
  set_feed(b, f);
}

static void backend_teardown(backend *b) {
  if (b->id == B_SQLITE) {
    sqlite_remove_database(b->base);
    for (feed_id f = 0; f < F_COUNT; f++)
      sqlite_remove_database(b->cell[f]);
    rmdir(b->dir);
  } else {
    for (feed_id f = 0; f < F_COUNT; f++)
      pg_drop_database(b->admin, b->cell_db[f]);
    pg_drop_database(b->admin, PG_BASE_DB);
    PQfinish(b->admin);
  }
}

/* The store revision of the database at url, on a handle of its own. */
static int64_t url_revision(const char *url) {
  atesql_store *s = open_store(url);
  int64_t revision = 0;
  check(s, atesql_store_revision(s, &revision, NULL), "read the revision");
  atesql_store_close(s);
  return revision;
}

/* ---- Writers ---- */

/* One update as its writer saw it return OK. */
typedef struct commit_rec {
  int worker; /* index in the updaters' pool */
  int64_t version;
  double t; /* just after the call returned OK */
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

static void next_actor(writer *wr) {
  wr->seq++;
  snprintf(wr->actor_id, sizeof wr->actor_id, "w%d-%llu", wr->id,
           (unsigned long long)wr->seq);
}

/*
** Update the next of wr's workers at the version it last wrote: assign it
** to a fresh actor when free, free it when held (the scheduler's writes).
** Returns the worker's index; its new version is in cell->version.
*/
static int update_once(writer *wr) {
  cell *c = wr->cell;
  int i = wr->cursor;
  wr->cursor += c->writers;
  if (wr->cursor >= UPDATE_WORKERS) wr->cursor = wr->id;
  atesql_worker w = update_records[i];
  if (!c->held[i]) {
    next_actor(wr);
    w.actor_namespace = NS;
    w.actor_template = ACTOR_TEMPLATE;
    w.actor_id = wr->actor_id;
    w.actor_atespace = ACTOR_ATESPACE;
  }
  int64_t version = 0;
  check(wr->store, atesql_worker_update(wr->store, &w, c->version[i], &version),
        "atesql_worker_update");
  c->version[i] = version;
  c->held[i] = !c->held[i];
  wr->writes++;
  return i;
}

/* Claim a worker of ns/cpu for a fresh actor and release it: two writes. */
static void claim_release_once(writer *wr) {
  next_actor(wr);
  atesql_pool_ref pool = {NS, CLAIM_POOL};
  atesql_claim_request req = {.pools = &pool,
                              .pool_count = 1,
                              .actor_atespace = ACTOR_ATESPACE,
                              .actor_id = wr->actor_id,
                              .actor_namespace = NS,
                              .actor_template = ACTOR_TEMPLATE};
  atesql_worker *w = NULL;
  check(wr->store, atesql_worker_claim(wr->store, &req, &w),
        "atesql_worker_claim");
  wr->writes++;
  bool released = false;
  check(wr->store,
        atesql_worker_release(wr->store, w->worker_namespace, w->worker_pool,
                              w->worker_pod, ACTOR_ATESPACE, wr->actor_id,
                              &released),
        "atesql_worker_release");
  if (!released)
    die("worker %s was no longer held by actor %s at its release",
        w->worker_pod, wr->actor_id);
  wr->writes++;
  atesql_worker_free(w);
}

static void writer_open(writer *wr) {
  atesql_error err = {0};
  if (atesql_store_open(wr->cell->url, &wr->store, &err) != ATESQL_OK)
    die("writer %d: open %s: %s", wr->id, wr->cell->url, err.message);
}

/*
** A delivery writer: from its slot in the first period on, one update
** every period until the deadline, each commit recorded. A writer that
** falls behind its schedule catches up back to back, unless it is more
** than BACKLOG_S behind: then it drops the missed updates and starts again
** from now (the cell's rate column shows the updates made).
*/
static void *delivery_writer_main(void *arg) {
  writer *wr = arg;
  cell *c = wr->cell;
  writer_open(wr);
  barrier_wait(&c->barrier); /* opened */
  barrier_wait(&c->barrier); /* start and deadline set */
  double next = c->start + c->period * wr->id / c->writers;
  while (next < c->deadline) {
    sleep_until(next);
    double t0 = now_s();
    int i = update_once(wr);
    commit_rec r = {.worker = i, .version = c->version[i], .t = now_s()};
    wr->writing_s += r.t - t0;
    append((void **)&wr->commits, &wr->ncommits, &wr->commit_cap, sizeof r, &r);
    next += c->period;
    if (next < r.t - BACKLOG_S) next = r.t;
  }
  atesql_store_close(wr->store);
  return NULL;
}

/* A writes writer: one untimed warm-up operation, then operations back to
** back until the deadline, each timed. */
static void *write_writer_main(void *arg) {
  writer *wr = arg;
  cell *c = wr->cell;
  writer_open(wr);
  if (c->op == OP_UPDATE)
    update_once(wr);
  else
    claim_release_once(wr);
  barrier_wait(&c->barrier); /* warmed up */
  barrier_wait(&c->barrier); /* start and deadline set */
  do {
    double t0 = now_s();
    if (c->op == OP_UPDATE)
      update_once(wr);
    else
      claim_release_once(wr);
    double t1 = now_s();
    double ms = (t1 - t0) * 1e3;
    append((void **)&wr->latency_ms, &wr->nops, &wr->op_cap, sizeof ms, &ms);
    wr->last_end = t1;
  } while (wr->last_end < c->deadline);
  atesql_store_close(wr->store);
  return NULL;
}

/*
** Start c->writers threads running `body` on c (reset first), wait for
** them to open their handles (and warm up), then give them a common start
** `lead` seconds ahead and `seconds` to run, and wait for them to end.
*/
static void run_writers(cell *c, void *(*body)(void *), double lead,
                        double seconds) {
  int rc = pthread_barrier_init(&c->barrier, NULL, (unsigned)c->writers + 1);
  if (rc != 0) die("pthread_barrier_init: %s", strerror(rc));
  pthread_t threads[WRITERS_MAX];
  for (int i = 0; i < c->writers; i++) {
    c->w[i] = (writer){.cell = c, .id = i, .cursor = i};
    rc = pthread_create(&threads[i], NULL, body, &c->w[i]);
    if (rc != 0) die("pthread_create: %s", strerror(rc));
  }
  barrier_wait(&c->barrier);
  c->start = now_s() + lead;
  c->deadline = c->start + seconds;
  barrier_wait(&c->barrier);
  for (int i = 0; i < c->writers; i++)
    pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&c->barrier);
}

static void cell_reset(cell *c, const char *url, int writers) {
  memset(c, 0, sizeof *c);
  c->url = url;
  c->writers = writers;
  for (int i = 0; i < UPDATE_WORKERS; i++)
    c->version[i] = 1;
}

/* ---- The watcher ---- */

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
** watcher alone writes arrivals, count, overflow, failed and error, and the
** main thread reads them only after the watcher ended.
*/
typedef struct watch_shared {
  _Atomic int ready;          /* 1: the watch is open; -1: it failed */
  _Atomic int64_t target;     /* stop at this revision; -1 until known */
  _Atomic int64_t stop_by_ns; /* CLOCK_MONOTONIC: give up then */
  bool failed, timed_out;
  char error[1024];
  size_t count, overflow, cap;
  arrival_rec arrivals[];
} watch_shared;

static size_t shared_size(size_t cap) {
  return sizeof(watch_shared) + cap * sizeof(arrival_rec);
}

static watch_shared *shared_new(size_t cap) {
  void *p = mmap(NULL, shared_size(cap), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die("mmap: %s", strerror(errno));
  watch_shared *sh = p; /* zeroed by mmap */
  sh->cap = cap;
  atomic_store(&sh->target, -1);
  return sh;
}

/* The worker's index in the updaters' pool, or -1. */
static int update_index(const atesql_worker *w) {
  int i;
  char tail;
  if (strcmp(w->worker_namespace, NS) != 0 ||
      strcmp(w->worker_pool, UPDATE_POOL) != 0 ||
      sscanf(w->worker_pod, UPDATE_POOL "-%d%c", &i, &tail) != 1 || i < 0 ||
      i >= UPDATE_WORKERS)
    return -1;
  return i;
}

/* Whether the watcher is done: at the target, or past the grace. */
static bool watcher_done(watch_shared *sh, const atesql_watch *w) {
  int64_t target = atomic_load(&sh->target);
  if (target < 0) return false;
  if (atesql_watch_revision(w) >= target) return true;
  if (now_s() * 1e9 > (double)atomic_load(&sh->stop_by_ns)) {
    sh->timed_out = true;
    return true;
  }
  return false;
}

/*
** The watcher: open a watch on every worker from now, say so in sh->ready,
** and record each event's arrival until the watch reaches sh->target (or
** the grace runs out). Returns 0, or 1 after a failure described in
** sh->error.
*/
static int watch_events(const char *url, int poll_ms, watch_shared *sh) {
  atesql_watch_opts opts = {.since_revision = ATESQL_WATCH_NOW,
                            .poll_interval_ms = poll_ms};
  atesql_error err = {0};
  atesql_watch *w = NULL;
  if (atesql_watch_open(url, &opts, &w, &err) != ATESQL_OK) {
    snprintf(sh->error, sizeof sh->error, "atesql_watch_open: %s: %s",
             atesql_status_str(err.status), err.message);
    sh->failed = true;
    atomic_store(&sh->ready, -1);
    return 1;
  }
  atomic_store(&sh->ready, 1);
  while (!watcher_done(sh, w)) {
    atesql_worker_event *e = NULL;
    atesql_status st = atesql_watch_next(w, 100, &e);
    double t = now_s();
    if (st == ATESQL_DEADLINE_EXCEEDED) continue;
    if (st != ATESQL_OK) {
      snprintf(sh->error, sizeof sh->error, "atesql_watch_next: %s: %s",
               atesql_status_str(st), atesql_watch_errmsg(w));
      sh->failed = true;
      break;
    }
    if (sh->count < sh->cap)
      sh->arrivals[sh->count++] =
          (arrival_rec){.worker = update_index(&e->worker),
                        .version = e->worker.version,
                        .revision = e->revision,
                        .t = t};
    else
      sh->overflow++;
    atesql_worker_event_free(e);
  }
  atesql_watch_close(w);
  return sh->failed ? 1 : 0;
}

typedef struct watcher_args {
  const char *url;
  int poll_ms;
  watch_shared *sh;
} watcher_args;

static void *watcher_thread_main(void *arg) {
  watcher_args *a = arg;
  watch_events(a->url, a->poll_ms, a->sh);
  return NULL;
}

/* A running watcher: a thread of this process or a child process. */
typedef struct watcher {
  mode_id mode;
  pthread_t thread;
  pid_t child;
  watcher_args args;
} watcher;

/*
** Start the watcher of mode on url and wait until its watch is open. A
** child is forked while this process runs no other thread and holds no
** store handle (only PostgreSQL's admin connection, which the child never
** touches), and leaves by _exit.
*/
static void watcher_start(watcher *wt, mode_id mode, const char *url,
                          int poll_ms, watch_shared *sh) {
  *wt = (watcher){.mode = mode, .child = -1, .args = {url, poll_ms, sh}};
  if (mode == M_IN_PROCESS) {
    int rc = pthread_create(&wt->thread, NULL, watcher_thread_main, &wt->args);
    if (rc != 0) die("pthread_create: %s", strerror(rc));
  } else {
    fflush(stdout);
    fflush(stderr);
    wt->child = fork();
    if (wt->child < 0) die("fork: %s", strerror(errno));
    if (wt->child == 0) _exit(watch_events(url, poll_ms, sh));
  }
  while (atomic_load(&sh->ready) == 0)
    usleep(1000);
  if (atomic_load(&sh->ready) < 0) die("watcher: %s", sh->error);
}

/* Tell the watcher to stop at revision target (or after the grace) and
** wait for it to end. */
static void watcher_finish(watcher *wt, int64_t target) {
  watch_shared *sh = wt->args.sh;
  atomic_store(&sh->stop_by_ns, (int64_t)((now_s() + DRAIN_GRACE_S) * 1e9));
  atomic_store(&sh->target, target);
  if (wt->mode == M_IN_PROCESS) {
    pthread_join(wt->thread, NULL);
    return;
  }
  int status = 0;
  if (waitpid(wt->child, &status, 0) < 0) die("waitpid: %s", strerror(errno));
  if (!WIFEXITED(status) && !sh->failed) {
    snprintf(sh->error, sizeof sh->error, "the watcher process died (%s)",
             WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "?");
    sh->failed = true;
  }
}

/* ---- Delivery cells ---- */

typedef struct delivery_result {
  backend_id backend;
  mode_id mode;
  int writers;
  double rate;     /* updates per second achieved */
  double write_ms; /* the mean update call; writers cannot keep up with a
                      rate above writers * 1000 / write_ms */
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

/* Order by (worker, version): the key an update and its event share. */
static int compare_keys(int wa, int64_t va, int wb, int64_t vb) {
  if (wa != wb) return (wa > wb) - (wa < wb);
  return (va > vb) - (va < vb);
}

static int compare_commits(const void *a, const void *b) {
  const commit_rec *x = a, *y = b;
  return compare_keys(x->worker, x->version, y->worker, y->version);
}

/* By key, then by arrival. */
static int compare_arrivals(const void *a, const void *b) {
  const arrival_rec *x = a, *y = b;
  int k = compare_keys(x->worker, x->version, y->worker, y->version);
  return k ? k : (x->t > y->t) - (x->t < y->t);
}

/*
** Judge the watcher's arrivals against the writers' commits: order (each
** event's revision the one after the previous, from `start`), then a
** merge of both sorted by (worker, version): each commit's first event
** gives its latency, later ones are duplicates, commits without one are
** missing, events without a commit unexpected. Sorts sh->arrivals.
*/
static void judge_delivery(const cell *c, watch_shared *sh, int64_t start,
                           delivery_result *res) {
  int64_t previous = start;
  for (size_t i = 0; i < sh->count; i++) {
    if (sh->arrivals[i].revision != previous + 1) res->disorder++;
    previous = sh->arrivals[i].revision;
  }
  size_t n = 0;
  for (int i = 0; i < c->writers; i++)
    n += c->w[i].ncommits;
  commit_rec *commits = malloc((n ? n : 1) * sizeof *commits);
  double *latency = malloc((n ? n : 1) * sizeof *latency);
  if (commits == NULL || latency == NULL) die("out of memory");
  n = 0;
  for (int i = 0; i < c->writers; i++) {
    memcpy(commits + n, c->w[i].commits, c->w[i].ncommits * sizeof *commits);
    n += c->w[i].ncommits;
  }
  qsort(commits, n, sizeof *commits, compare_commits);
  qsort(sh->arrivals, sh->count, sizeof *sh->arrivals, compare_arrivals);
  const arrival_rec *ev = sh->arrivals;
  size_t a = 0, matched = 0;
  for (size_t k = 0; k < n; k++) {
    const commit_rec *cm = &commits[k];
    while (a < sh->count && compare_keys(ev[a].worker, ev[a].version,
                                         cm->worker, cm->version) < 0) {
      res->unexpected++;
      a++;
    }
    size_t first = a;
    while (a < sh->count && compare_keys(ev[a].worker, ev[a].version,
                                         cm->worker, cm->version) == 0)
      a++;
    if (a == first) {
      res->missing++;
      continue;
    }
    res->duplicates += a - first - 1;
    latency[matched] = (ev[first].t - cm->t) * 1e3;
    res->early += latency[matched++] < 0;
  }
  res->unexpected += sh->count - a + sh->overflow;
  res->commits = n;
  res->delivered = matched;
  qsort(latency, matched, sizeof *latency, compare_doubles);
  res->p50_ms = percentile(latency, matched, 50);
  res->p99_ms = percentile(latency, matched, 99);
  res->max_ms = matched ? latency[matched - 1] : 0;
  res->min_ms = matched ? latency[0] : 0;
  free(latency);
  free(commits);
}

/* Run one delivery cell on a fresh copy of the base database. */
static delivery_result run_delivery(backend *b, mode_id mode, int writers,
                                    const options *o) {
  backend_fresh_cell(b, F_FEED);
  static cell c;
  const char *url = b->cell_url[F_FEED];
  cell_reset(&c, url, writers);
  c.period = writers / o->rate;
  size_t cap = (size_t)(o->rate * o->delivery_seconds * 2) + 10000;
  watch_shared *sh = shared_new(cap);
  delivery_result res = {
      .backend = b->id, .mode = mode, .writers = writers, .load1 = load_now()};
  watcher wt;
  watcher_start(&wt, mode, url, o->poll_ms, sh);

  int64_t start = url_revision(url);
  run_writers(&c, delivery_writer_main, 0.05, o->delivery_seconds);
  int64_t end = url_revision(url);
  watcher_finish(&wt, end);

  res.revisions = end - start;
  res.timed_out = sh->timed_out;
  res.failed = sh->failed;
  if (sh->failed) fprintf(stderr, "watcher: %s\n", sh->error);
  judge_delivery(&c, sh, start, &res);
  res.rate = (double)res.commits / o->delivery_seconds;
  double writing_s = 0;
  for (int i = 0; i < writers; i++) {
    writing_s += c.w[i].writing_s;
    free(c.w[i].commits);
  }
  res.write_ms = res.commits ? writing_s * 1e3 / (double)res.commits : 0;
  munmap(sh, shared_size(cap));
  return res;
}

/* Whether every committed update of r's cell was delivered exactly once,
** in revision order, and nothing else was. */
static bool delivery_exact(const delivery_result *r) {
  return !r->failed && !r->timed_out && r->missing == 0 && r->duplicates == 0 &&
         r->unexpected == 0 && r->disorder == 0 &&
         r->revisions == (int64_t)r->commits && r->delivered == r->commits;
}

static void print_delivery_header(const options *o) {
  printf("# delivery: commit to watcher; %.0f updates/s in all, %.1f s per "
         "cell; SQLite poll interval %d ms\n",
         o->rate, o->delivery_seconds,
         o->poll_ms ? o->poll_ms : ATESQL_WATCH_POLL_MS);
  printf("%-9s %-13s %7s %5s %8s %7s %9s %9s %7s %3s %5s %8s %5s %7s %7s "
         "%7s %7s %5s\n",
         "backend", "watcher", "writers", "rate", "write_ms", "commits",
         "revisions", "delivered", "missing", "dup", "extra", "disorder",
         "early", "p50_ms", "p99_ms", "max_ms", "min_ms", "load1");
}

static void print_delivery(const delivery_result *r) {
  printf("%-9s %-13s %7d %5.0f %8.3f %7zu %9lld %9zu %7zu %3zu %5zu %8zu %5zu "
         "%7.3f %7.3f %7.3f %7.3f %5.2f%s\n",
         backend_names[r->backend], mode_names[r->mode], r->writers, r->rate,
         r->write_ms, r->commits, (long long)r->revisions, r->delivered,
         r->missing, r->duplicates, r->unexpected, r->disorder, r->early,
         r->p50_ms, r->p99_ms, r->max_ms, r->min_ms, r->load1,
         r->failed      ? "  WATCHER FAILED"
         : r->timed_out ? "  TIMED OUT"
                        : "");
  fflush(stdout);
}

/* ---- Writes cells ---- */

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
  double load1;
} write_result;

/* One feed variant of a writes group: its cell, kept over the rounds (the
** updaters' versions), and what the rounds measured. */
typedef struct variant {
  cell c;
  write_result res;
  double *latency_ms; /* of every timed operation of every round */
  size_t nops, cap;
  double seconds; /* the rounds' times from start to last end, summed */
  int64_t start_revision;
} variant;

/* Add what the writers of v's last round measured to v. */
static void harvest_round(variant *v) {
  cell *c = &v->c;
  double end = c->start;
  size_t ops = 0;
  for (int i = 0; i < c->writers; i++) {
    writer *wr = &c->w[i];
    for (size_t k = 0; k < wr->nops; k++)
      append((void **)&v->latency_ms, &v->nops, &v->cap, sizeof(double),
             &wr->latency_ms[k]);
    ops += wr->nops;
    v->res.writes += wr->writes;
    if (wr->last_end > end) end = wr->last_end;
    free(wr->latency_ms);
  }
  v->seconds += end - c->start;
  v->res.round_ops_per_s[v->res.rounds++] =
      end > c->start ? (double)ops / (end - c->start) : 0;
}

/* The result of v after its rounds. Frees its latencies. */
static void finish_variant(variant *v) {
  write_result *r = &v->res;
  r->ops = v->nops;
  r->ops_per_s = v->seconds > 0 ? (double)v->nops / v->seconds : 0;
  qsort(v->latency_ms, v->nops, sizeof *v->latency_ms, compare_doubles);
  r->p50_ms = percentile(v->latency_ms, v->nops, 50);
  r->p99_ms = percentile(v->latency_ms, v->nops, 99);
  free(v->latency_ms);
  v->latency_ms = NULL;
  r->revisions = url_revision(v->c.url) - v->start_revision;
}

/*
** Run the writes group (backend, op, writers) for the feed variants
** feeds[0..nfeeds): a fresh cell each, then o->rounds rounds in which
** each variant's writers run o->write_seconds / o->rounds seconds in
** turn, the order rotating each round, so that the variants compared see
** the same machine on a shared host. Results go to out[0..nfeeds).
*/
static void run_writes(backend *b, op_id op, const feed_id *feeds,
                       size_t nfeeds, int writers, const options *o,
                       write_result *out) {
  static variant vs[F_COUNT];
  double load1 = load_now();
  for (size_t j = 0; j < nfeeds; j++) {
    variant *v = &vs[j];
    backend_fresh_cell(b, feeds[j]);
    cell_reset(&v->c, b->cell_url[feeds[j]], writers);
    v->c.op = op;
    v->res = (write_result){.backend = b->id,
                            .op = op,
                            .feed = feeds[j],
                            .writers = writers,
                            .load1 = load1};
    v->latency_ms = NULL;
    v->nops = v->cap = 0;
    v->seconds = 0;
    v->start_revision = url_revision(v->c.url);
  }
  double round_s = o->write_seconds / o->rounds;
  for (int r = 0; r < o->rounds; r++)
    for (size_t j = 0; j < nfeeds; j++) {
      variant *v = &vs[(j + (size_t)r) % nfeeds];
      run_writers(&v->c, write_writer_main, 0, round_s);
      harvest_round(v);
    }
  for (size_t j = 0; j < nfeeds; j++) {
    finish_variant(&vs[j]);
    out[j] = vs[j].res;
  }
}

static void print_writes_header(const options *o) {
  printf("# writes: back to back; %d rounds of %.2f s per variant, the "
         "variants in turn; feed = the triggers as migrated, none = "
         "dropped, log_only / notify_only = PostgreSQL's trigger without its "
         "NOTIFY / with only its NOTIFY\n",
         o->rounds, o->write_seconds / o->rounds);
  printf("%-9s %-13s %-11s %7s %7s %9s %9s %9s %8s %8s %7s %9s %5s\n",
         "backend", "op", "feed", "writers", "ops", "ops_per_s", "round_min",
         "round_max", "p50_ms", "p99_ms", "writes", "revisions", "load1");
}

static void round_range(const write_result *r, double *lo, double *hi) {
  *lo = *hi = r->rounds ? r->round_ops_per_s[0] : 0;
  for (int i = 1; i < r->rounds; i++) {
    if (r->round_ops_per_s[i] < *lo) *lo = r->round_ops_per_s[i];
    if (r->round_ops_per_s[i] > *hi) *hi = r->round_ops_per_s[i];
  }
}

static void print_write(const write_result *r) {
  int64_t expected = feed_logs(r->feed) ? (int64_t)r->writes : 0;
  double lo, hi;
  round_range(r, &lo, &hi);
  printf("%-9s %-13s %-11s %7d %7zu %9.1f %9.1f %9.1f %8.3f %8.3f %7llu "
         "%9lld %5.2f%s\n",
         backend_names[r->backend], op_names[r->op], feed_names[r->feed],
         r->writers, r->ops, r->ops_per_s, lo, hi, r->p50_ms, r->p99_ms,
         (unsigned long long)r->writes, (long long)r->revisions, r->load1,
         r->revisions == expected ? "" : "  REVISIONS != EXPECTED");
  fflush(stdout);
}

/*
** The cost of each logging variant per backend, op and writer count,
** against none (no triggers): the ratio of all rounds' ops/s, and the
** lowest and highest ratio of one round to the round of none that ran
** next to it.
*/
static void print_write_ratios(const write_result *rs, size_t n) {
  printf("# the feed's cost: each variant against none (no triggers)\n");
  printf("%-9s %-13s %-11s %7s %9s %14s %9s %9s %9s %8s %11s\n", "backend",
         "op", "feed", "writers", "ops_per_s", "none_ops_per_s", "ops_ratio",
         "round_min", "round_max", "p99_ms", "none_p99_ms");
  for (size_t i = 0; i < n; i++) {
    if (rs[i].feed == F_NONE) continue;
    for (size_t j = 0; j < n; j++) {
      const write_result *f = &rs[i], *x = &rs[j];
      if (x->feed != F_NONE || x->backend != f->backend || x->op != f->op ||
          x->writers != f->writers)
        continue;
      double lo = 0, hi = 0;
      for (int k = 0; k < f->rounds && k < x->rounds; k++) {
        double q = x->round_ops_per_s[k] > 0
                       ? f->round_ops_per_s[k] / x->round_ops_per_s[k]
                       : 0;
        if (k == 0 || q < lo) lo = q;
        if (k == 0 || q > hi) hi = q;
      }
      printf("%-9s %-13s %-11s %7d %9.1f %14.1f %9.2f %9.2f %9.2f %8.3f "
             "%11.3f\n",
             backend_names[f->backend], op_names[f->op], feed_names[f->feed],
             f->writers, f->ops_per_s, x->ops_per_s,
             x->ops_per_s > 0 ? f->ops_per_s / x->ops_per_s : 0, lo, hi,
             f->p99_ms, x->p99_ms);
    }
  }
  fflush(stdout);
}

/* ---- Options ---- */

static void usage(void) {
  static const char *const lines[] = {
      "usage: atesql_watch [--backends sqlite,postgres] [--postgres CONNINFO]",
      "                    [--parts delivery,writes] [--dir DIR]",
      "                    [--rate N] [--delivery-writers 1,4]",
      "                    [--watchers in_process,other_process]",
      "                    [--delivery-seconds S] [--poll-ms N]",
      "                    [--write-writers 1,4,8] [--ops "
      "update,claim_release]",
      "                    [--feeds feed,none] [--write-seconds S] [--rounds "
      "N]",
      "--feeds also takes log_only and notify_only (PostgreSQL only): the",
      "feed's trigger without its NOTIFY, and a trigger with only a NOTIFY."};
  print_usage_and_exit(lines, sizeof lines / sizeof lines[0], PG_BASE_DB,
                       PG_CELL_DB);
}

static void all_true(bool *flags, size_t n) {
  for (size_t i = 0; i < n; i++)
    flags[i] = true;
}

static options parse_options(int argc, char **argv) {
  options o = {.delivery_writers = {{1, 4}, 2},
               .write_writers = {{1, 4, 8}, 3},
               .rate = 500,
               .delivery_seconds = 5,
               .write_seconds = 4,
               .rounds = 8};
  all_true(o.parts, P_COUNT);
  all_true(o.modes, M_COUNT);
  all_true(o.ops, OP_COUNT);
  o.feeds[F_FEED] = o.feeds[F_NONE] = true;
  o.dir = default_dir();
  const char *backends = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (v == NULL) usage();
    i++;
    if (strcmp(a, "--backends") == 0)
      backends = v;
    else if (strcmp(a, "--postgres") == 0)
      o.postgres = v;
    else if (strcmp(a, "--parts") == 0)
      parse_names(v, part_names, P_COUNT, o.parts);
    else if (strcmp(a, "--watchers") == 0)
      parse_names(v, mode_names, M_COUNT, o.modes);
    else if (strcmp(a, "--ops") == 0)
      parse_names(v, op_names, OP_COUNT, o.ops);
    else if (strcmp(a, "--feeds") == 0)
      parse_names(v, feed_names, F_COUNT, o.feeds);
    else if (strcmp(a, "--delivery-writers") == 0)
      parse_counts(a, v, WRITERS_MAX, &o.delivery_writers);
    else if (strcmp(a, "--write-writers") == 0)
      parse_counts(a, v, WRITERS_MAX, &o.write_writers);
    else if (strcmp(a, "--rate") == 0)
      o.rate = atof(v);
    else if (strcmp(a, "--delivery-seconds") == 0)
      o.delivery_seconds = atof(v);
    else if (strcmp(a, "--write-seconds") == 0)
      o.write_seconds = atof(v);
    else if (strcmp(a, "--rounds") == 0)
      o.rounds = atoi(v);
    else if (strcmp(a, "--poll-ms") == 0)
      o.poll_ms = atoi(v);
    else if (strcmp(a, "--dir") == 0)
      o.dir = v;
    else
      usage();
  }
  parse_backends(backends, o.postgres, o.backends);
  if (!(o.rate > 0 && o.rate <= 100000)) die("--rate takes 1..100000");
  if (!(o.delivery_seconds > 0 && o.write_seconds > 0))
    die("--delivery-seconds and --write-seconds must be positive");
  if (o.poll_ms < 0) die("--poll-ms must not be negative");
  if (o.rounds < 1 || o.rounds > ROUNDS_MAX)
    die("--rounds takes 1..%d", ROUNDS_MAX);
  return o;
}

/* The first lines of the report: versions, machine, load and disk. */
static void print_banner(const options *o) {
  char pg[64] = "";
  if (o->backends[B_POSTGRES]) {
    PGconn *c = pg_connect(o->postgres);
    const char *v = PQparameterStatus(c, "server_version");
    PGresult *r = PQexec(c, "SHOW fsync");
    snprintf(pg, sizeof pg, ", PostgreSQL %s (fsync=%s)", v ? v : "?",
             PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0) : "?");
    PQclear(r);
    PQfinish(c);
  }
  char load[64];
  load_average(load, sizeof load, NULL);
  printf("# atesql %s, SQLite %s (synchronous=full)%s; %ld cores, load "
         "average %s at start\n",
         atesql_version(), sqlite3_libversion(), pg,
         sysconf(_SC_NPROCESSORS_ONLN), load);
  print_fsync_at_start(stdout, o->dir);
  fflush(stdout);
}

static void progress(const char *what, backend_id b, const char *detail,
                     int writers) {
  char load[64];
  load_average(load, sizeof load, NULL);
  fprintf(stderr, "%s %s %s %d writers (load %s)\n", what, backend_names[b],
          detail, writers, load);
}

int main(int argc, char **argv) {
  options o = parse_options(argc, argv);
  double t0 = now_s();
  make_update_workers();
  static backend backends[B_COUNT];
  for (backend_id b = 0; b < B_COUNT; b++) {
    backends[b].id = b;
    if (o.backends[b]) backend_setup(&backends[b], &o);
  }
  print_banner(&o);

  if (o.parts[P_DELIVERY]) {
    print_delivery_header(&o);
    size_t cells = 0, faulty = 0;
    for (backend_id b = 0; b < B_COUNT; b++) {
      if (!o.backends[b]) continue;
      for (mode_id m = 0; m < M_COUNT; m++) {
        if (!o.modes[m]) continue;
        for (size_t k = 0; k < o.delivery_writers.count; k++) {
          int n = o.delivery_writers.n[k];
          progress("delivery", b, mode_names[m], n);
          delivery_result r = run_delivery(&backends[b], m, n, &o);
          print_delivery(&r);
          cells++;
          faulty += !delivery_exact(&r);
        }
      }
    }
    printf("# every committed update delivered exactly once, in revision "
           "order: %s (%zu of %zu cells)\n",
           faulty ? "NO" : "yes", cells - faulty, cells);
  }

  if (o.parts[P_WRITES]) {
    print_writes_header(&o);
    static write_result results[RESULTS_MAX];
    size_t n = 0;
    for (backend_id b = 0; b < B_COUNT; b++) {
      if (!o.backends[b]) continue;
      for (op_id op = 0; op < OP_COUNT; op++) {
        if (!o.ops[op]) continue;
        for (size_t k = 0; k < o.write_writers.count; k++) {
          feed_id feeds[F_COUNT];
          size_t nfeeds = 0;
          for (feed_id f = 0; f < F_COUNT; f++)
            if (o.feeds[f] && (b != B_SQLITE || f == F_FEED || f == F_NONE))
              feeds[nfeeds++] = f;
          if (nfeeds == 0 || n + nfeeds > RESULTS_MAX) continue;
          int w = o.write_writers.n[k];
          progress("writes", b, op_names[op], w);
          run_writes(&backends[b], op, feeds, nfeeds, w, &o, &results[n]);
          for (size_t j = 0; j < nfeeds; j++)
            print_write(&results[n++]);
        }
      }
    }
    print_write_ratios(results, n);
  }

  print_load_at_end(stdout, t0);
  print_fsync_at_end(stdout, o.dir);
  for (backend_id b = 0; b < B_COUNT; b++)
    if (o.backends[b]) backend_teardown(&backends[b]);
  return 0;
}
