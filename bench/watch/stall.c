/*
** The watch subcommand's holder cells, on PostgreSQL: what a transaction
** that another connection keeps open costs the writers of other workers.
**  - stall: a transaction that updated one unrelated worker stays open
**    while writers update their own workers and a claimer claims and
**    releases free ones; the latencies of each, with and without it;
**  - snapshot: a REPEATABLE READ transaction holds its snapshot without
**    writing while writers update and a watcher in another process
**    receives the events; the writers' commit latency and the delivery
**    latency, with and without it.
** The cells without a holder run first, each phase on a fresh copy of the
** base database.
*/
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "machine.h"
#include "samples.h"
#include "watch.h"

/* The longest a claim may take while another connection's transaction
** that wrote an unrelated worker is open; how much a held snapshot may
** add to the p99 of a commit or of a delivery. */
#define STALL_LIMIT_MS    100.0
#define SNAPSHOT_LIMIT_MS 10.0

/* What the stall cells time. */
typedef enum stall_op { S_UPDATE, S_CLAIM, S_RELEASE, S_COUNT } stall_op;
static const char *const stall_op_names[S_COUNT] = {"update", "claim",
                                                    "release"};

/* One claim and its release, as the claimer timed them. */
typedef struct claim_rec {
  double t0; /* when the claim began */
  double claim_ms, release_ms;
} claim_rec;

/* A thread that claims and releases ns/cpu workers back to back, from a
** warm-up until told to stop. */
typedef struct claimer {
  writer wr; /* its handle and actor ids; none of the cell's writers */
  const char *url;
  pthread_t thread;
  _Atomic bool ready, stop;
  claim_rec *recs;
  size_t n, cap;
} claimer;

static void *claimer_main(void *arg) {
  claimer *cl = arg;
  cl->wr.store = open_store(cl->url);
  claim_release(&cl->wr, NULL, NULL);
  atomic_store(&cl->ready, true);
  while (!atomic_load(&cl->stop)) {
    claim_rec r = {.t0 = now_s()};
    claim_release(&cl->wr, &r.claim_ms, &r.release_ms);
    append((void **)&cl->recs, &cl->n, &cl->cap, sizeof r, &r);
  }
  atesql_store_close(cl->wr.store);
  return NULL;
}

/* Start cl on url, with the writer id `id` (unique among the cell's), and
** wait until it has warmed up. */
static void claimer_start(claimer *cl, const char *url, int id) {
  memset(cl, 0, sizeof *cl);
  cl->wr.id = id;
  cl->url = url;
  int rc = pthread_create(&cl->thread, NULL, claimer_main, cl);
  if (rc != 0) die("pthread_create: %s", strerror(rc));
  while (!atomic_load(&cl->ready))
    sleep_until(now_s() + 0.001);
}

static void claimer_stop(claimer *cl) {
  atomic_store(&cl->stop, true);
  pthread_join(cl->thread, NULL);
}

/* The percentiles of one op of a stall cell. */
typedef struct op_stats {
  size_t n;
  double p50_ms, p99_ms, max_ms;
} op_stats;

/* The stats of samples[0..n), which it sorts. */
static op_stats stats_of(double *samples, size_t n) {
  qsort(samples, n, sizeof *samples, compare_doubles);
  return (op_stats){.n = n,
                    .p50_ms = percentile(samples, n, 0.50),
                    .p99_ms = percentile(samples, n, 0.99),
                    .max_ms = n ? samples[n - 1] : 0};
}

typedef struct stall_result {
  holder_id holder;
  int writers;
  double seconds; /* the writers' time, over which ops/s are counted */
  op_stats ops[S_COUNT];
  int64_t revisions, expected; /* the store revision's advance: one per
                                  write, the holder's included */
  size_t events;               /* what the watcher received */
  double load1;
} stall_result;

static const report_column stall_columns[] = {
    {"backend", NULL, COL_TEXT, -9, 0}, {"holder", NULL, COL_TEXT, -10, 0},
    {"op", NULL, COL_TEXT, -7, 0},      {"writers", NULL, COL_INT, 7, 0},
    {"ops", NULL, COL_INT, 6, 0},       {"ops_per_s", NULL, COL_REAL, 9, 1},
    {"p50_ms", NULL, COL_REAL, 8, 3},   {"p99_ms", NULL, COL_REAL, 8, 3},
    {"max_ms", NULL, COL_REAL, 8, 3},   {"revisions", NULL, COL_INT, 9, 0},
    {"events", NULL, COL_INT, 7, 0},    {"load1", NULL, COL_REAL, 5, 2},
};

static const report_table stall_table = {"stall", " ", stall_columns,
                                         sizeof stall_columns /
                                             sizeof stall_columns[0]};

static void report_stall(const report *rep, const stall_result *r) {
  for (stall_op k = 0; k < S_COUNT; k++) {
    const op_stats *s = &r->ops[k];
    report_value v[] = {TEXT(backend_names[B_POSTGRES]),
                        TEXT(holder_names[r->holder]),
                        TEXT(stall_op_names[k]),
                        INT(r->writers),
                        INT(s->n),
                        REAL(r->seconds > 0 ? (double)s->n / r->seconds : 0),
                        REAL(s->p50_ms),
                        REAL(s->p99_ms),
                        REAL(s->max_ms),
                        INT(r->revisions),
                        INT(r->events),
                        REAL(r->load1)};
    report_row(rep, &stall_table, v,
               r->revisions != r->expected         ? "REVISIONS != EXPECTED"
               : r->events != (size_t)r->revisions ? "EVENTS != REVISIONS"
                                                   : NULL);
  }
}

/*
** Run the stall cell of holder h on a fresh copy of b's base database:
** a watcher thread (default options) consumes the events, the claimer
** warms up, h begins, the writers update at --rate for --stall-seconds,
** h commits, the claimer stops, and the watcher receives the rest. The
** claims timed are those begun while the writers ran.
*/
static void run_stall_cell(backend *b, holder_id h, const options *o,
                           stall_result *res) {
  watch_backend_fresh_cell(b, F_FEED);
  const char *url = b->cell_url[F_FEED];
  static cell c;
  int writers = (int)o->stall_writers;
  cell_reset(&c, url, writers);
  c.period = o->rate > 0 ? writers / o->rate : 0;
  *res = (stall_result){.holder = h,
                        .writers = writers,
                        .seconds = o->stall_seconds,
                        .load1 = load_now()};
  watch_shared *sh = shared_new(0);
  watcher wt;
  watcher_start(&wt, M_IN_PROCESS, url, 0, sh);
  int64_t start = url_revision(url);
  static claimer cl;
  claimer_start(&cl, url, writers);
  PGconn *holder = holder_begin(h, url);
  run_writers(&c, delivery_writer_main, 0.05, o->stall_seconds);
  holder_end(holder);
  claimer_stop(&cl);
  int64_t end = url_revision(url);
  watcher_finish(&wt, end);
  if (sh->failed) die("watcher: %s", sh->error);
  res->events = sh->received;
  shared_free(sh);

  res->revisions = end - start;
  res->expected = (int64_t)cl.wr.writes + (h == H_WRITE);
  double *samples = NULL;
  size_t n = 0, cap = 0;
  for (int i = 0; i < writers; i++) {
    res->expected += (int64_t)c.w[i].ncommits;
    for (size_t k = 0; k < c.w[i].ncommits; k++)
      append((void **)&samples, &n, &cap, sizeof(double),
             &c.w[i].commits[k].ms);
    free(c.w[i].commits);
  }
  res->ops[S_UPDATE] = stats_of(samples, n);
  for (stall_op op = S_CLAIM; op <= S_RELEASE; op++) {
    n = 0;
    for (size_t k = 0; k < cl.n; k++) {
      const claim_rec *r = &cl.recs[k];
      if (r->t0 < c.start || r->t0 >= c.deadline) continue;
      double ms = op == S_CLAIM ? r->claim_ms : r->release_ms;
      append((void **)&samples, &n, &cap, sizeof(double), &ms);
    }
    res->ops[op] = stats_of(samples, n);
  }
  free(samples);
  free(cl.recs);
}

/* The verdict on a held write: the slowest claim during it against
** STALL_LIMIT_MS, and the updates' p99 and maximum beside those without
** it. */
static void report_stall_verdict(const report *rep, const stall_result *none,
                                 const stall_result *held) {
  const op_stats *c = &held->ops[S_CLAIM];
  report_note(rep,
              "during the open transaction: claims p99 %.1f ms, at most %.1f "
              "ms (under %.0f ms: %s); updates p99 %.1f ms, at most %.1f ms "
              "(without it %.1f and %.1f ms)",
              c->p99_ms, c->max_ms, STALL_LIMIT_MS,
              c->n > 0 && c->max_ms < STALL_LIMIT_MS ? "met" : "MISSED",
              held->ops[S_UPDATE].p99_ms, held->ops[S_UPDATE].max_ms,
              none->ops[S_UPDATE].p99_ms, none->ops[S_UPDATE].max_ms);
}

void run_stall_part(backend *b, const options *o) {
  report_note(&o->report,
              "stall: %ld writers update their own workers at %.0f/s in all "
              "and a claimer claims and releases free workers back to back, "
              "%.1f s per cell, while a watcher thread consumes the events; "
              "open_write: meanwhile another connection's transaction has "
              "updated a worker that no writer or claimer touches, and stays "
              "open",
              o->stall_writers, o->rate, o->stall_seconds);
  report_header(&o->report, &stall_table);
  stall_result res[2];
  const holder_id holders[2] = {H_NONE, H_WRITE};
  for (int i = 0; i < 2; i++) {
    fprintf(stderr, "stall postgres %s\n", holder_names[holders[i]]);
    run_stall_cell(b, holders[i], o, &res[i]);
    report_stall(&o->report, &res[i]);
  }
  report_stall_verdict(&o->report, &res[0], &res[1]);
}

static const report_column snapshot_columns[] = {
    {"backend", NULL, COL_TEXT, -9, 0},
    {"holder", NULL, COL_TEXT, -10, 0},
    {"writers", NULL, COL_INT, 7, 0},
    {"rate", NULL, COL_REAL, 5, 0},
    {"commits", NULL, COL_INT, 7, 0},
    {"write_p50_ms", NULL, COL_REAL, 12, 3},
    {"write_p99_ms", NULL, COL_REAL, 12, 3},
    {"write_max_ms", NULL, COL_REAL, 12, 3},
    {"p50_ms", NULL, COL_REAL, 8, 3},
    {"p99_ms", NULL, COL_REAL, 8, 3},
    {"max_ms", NULL, COL_REAL, 8, 3},
    {"load1", NULL, COL_REAL, 5, 2},
};

static const report_table snapshot_table = {"snapshot", " ", snapshot_columns,
                                            sizeof snapshot_columns /
                                                sizeof snapshot_columns[0]};

static void report_snapshot(const report *rep, const delivery_result *r) {
  report_value v[] = {TEXT(backend_names[r->backend]),
                      TEXT(holder_names[r->holder]),
                      INT(r->writers),
                      REAL(r->rate),
                      INT(r->commits),
                      REAL(r->write_p50_ms),
                      REAL(r->write_p99_ms),
                      REAL(r->write_max_ms),
                      REAL(r->p50_ms),
                      REAL(r->p99_ms),
                      REAL(r->max_ms),
                      REAL(r->load1)};
  report_row(rep, &snapshot_table, v, delivery_exact(r) ? NULL : "NOT EXACT");
}

/* The verdict on a held snapshot: what it added to the p99 of a commit
** and of a delivery, against SNAPSHOT_LIMIT_MS. */
static void report_snapshot_verdict(const report *rep,
                                    const delivery_result *none,
                                    const delivery_result *held) {
  double commit = held->write_p99_ms - none->write_p99_ms;
  double delivery = held->p99_ms - none->p99_ms;
  bool met = commit <= SNAPSHOT_LIMIT_MS && delivery <= SNAPSHOT_LIMIT_MS;
  report_note(rep,
              "the held snapshot added %+.3f ms to the commits' p99 and %+.3f "
              "ms to the deliveries' (each at most %.0f ms: %s)",
              commit, delivery, SNAPSHOT_LIMIT_MS, met ? "met" : "MISSED");
}

void run_snapshot_part(backend *b, const options *o) {
  report_note(&o->report,
              "snapshot: %ld writers update their own workers at %.0f/s in "
              "all for %.1f s per cell, a watcher in another process "
              "receives the events; snapshot: meanwhile another connection's "
              "REPEATABLE READ transaction has run one SELECT and holds its "
              "snapshot without writing; write_*: the update calls; p50_ms "
              "to max_ms: commit to watcher",
              o->stall_writers, o->rate, o->snapshot_seconds);
  report_header(&o->report, &snapshot_table);
  delivery_result res[2];
  const holder_id holders[2] = {H_NONE, H_SNAPSHOT};
  for (int i = 0; i < 2; i++) {
    fprintf(stderr, "snapshot postgres %s\n", holder_names[holders[i]]);
    delivery_spec spec = {.mode = M_OTHER_PROCESS,
                          .writers = (int)o->stall_writers,
                          .rate = o->rate,
                          .seconds = o->snapshot_seconds,
                          .holder = holders[i]};
    delivery_cell(b, &spec, o, &res[i]);
    report_snapshot(&o->report, &res[i]);
  }
  report_snapshot_verdict(&o->report, &res[0], &res[1]);
}
