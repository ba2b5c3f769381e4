/*
** The watch subcommand's writes cells, which price the feed: writers
** update workers (or claim and release them) as fast as they can, with the
** feed's triggers as migrated and with them dropped from a copy of the
** database, while a watcher thread consumes the events as a scheduler's
** worker cache would (on PostgreSQL its watch numbers them). The copies
** take turns in short rounds, so that both sides of a ratio see the same
** machine on a shared host.
*/
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "machine.h"
#include "samples.h"
#include "watch.h"

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
  r->p50_ms = percentile(v->latency_ms, v->nops, 0.50);
  r->p99_ms = percentile(v->latency_ms, v->nops, 0.99);
  free(v->latency_ms);
  v->latency_ms = NULL;
  r->revisions = url_revision(v->c.url) - v->start_revision;
}

static void round_range(const write_result *r, double *lo, double *hi) {
  *lo = *hi = r->rounds ? r->round_ops_per_s[0] : 0;
  for (int i = 1; i < r->rounds; i++) {
    if (r->round_ops_per_s[i] < *lo) *lo = r->round_ops_per_s[i];
    if (r->round_ops_per_s[i] > *hi) *hi = r->round_ops_per_s[i];
  }
}

static const report_column write_columns[] = {
    {"backend", NULL, COL_TEXT, -9, 0},  {"op", NULL, COL_TEXT, -13, 0},
    {"feed", NULL, COL_TEXT, -11, 0},    {"writers", NULL, COL_INT, 7, 0},
    {"ops", NULL, COL_INT, 7, 0},        {"ops_per_s", NULL, COL_REAL, 9, 1},
    {"round_min", NULL, COL_REAL, 9, 1}, {"round_max", NULL, COL_REAL, 9, 1},
    {"p50_ms", NULL, COL_REAL, 8, 3},    {"p99_ms", NULL, COL_REAL, 8, 3},
    {"writes", NULL, COL_INT, 7, 0},     {"revisions", NULL, COL_INT, 9, 0},
    {"events", NULL, COL_INT, 7, 0},     {"load1", NULL, COL_REAL, 5, 2},
};

static const report_table write_table = {"writes", " ", write_columns,
                                         sizeof write_columns /
                                             sizeof write_columns[0]};

void writes_header(const options *o) {
  report_note(&o->report,
              "writes: back to back; %ld rounds of %.2f s per variant, the "
              "variants in turn; feed = the triggers as migrated, none = "
              "dropped; in every round a watcher thread consumes the events "
              "(default watch options: on PostgreSQL it numbers them every "
              "%d ms)",
              o->rounds, o->write_seconds / (double)o->rounds,
              ATESQL_WATCH_POLL_MS_POSTGRES);
  report_header(&o->report, &write_table);
}

static void report_write(const report *rep, const write_result *r) {
  int64_t expected = feed_logs(r->feed) ? (int64_t)r->writes : 0;
  double lo, hi;
  round_range(r, &lo, &hi);
  report_value v[] = {TEXT(backend_names[r->backend]),
                      TEXT(op_names[r->op]),
                      TEXT(feed_names[r->feed]),
                      INT(r->writers),
                      INT(r->ops),
                      REAL(r->ops_per_s),
                      REAL(lo),
                      REAL(hi),
                      REAL(r->p50_ms),
                      REAL(r->p99_ms),
                      INT(r->writes),
                      INT(r->revisions),
                      INT(r->events),
                      REAL(r->load1)};
  report_row(rep, &write_table, v,
             r->revisions != expected              ? "REVISIONS != EXPECTED"
             : r->events != (uint64_t)r->revisions ? "EVENTS != REVISIONS"
                                                   : NULL);
}

static const report_column cost_columns[] = {
    {"backend", NULL, COL_TEXT, -9, 0},
    {"op", NULL, COL_TEXT, -13, 0},
    {"feed", NULL, COL_TEXT, -11, 0},
    {"writers", NULL, COL_INT, 7, 0},
    {"ops_per_s", NULL, COL_REAL, 9, 1},
    {"none_ops_per_s", NULL, COL_REAL, 14, 1},
    {"ops_ratio", NULL, COL_REAL, 9, 2},
    {"round_min", NULL, COL_REAL, 9, 2},
    {"round_max", NULL, COL_REAL, 9, 2},
    {"growth", NULL, COL_REAL, 6, 2},
    {"none_growth", NULL, COL_REAL, 11, 2},
    {"p99_ms", NULL, COL_REAL, 8, 3},
    {"none_p99_ms", NULL, COL_REAL, 11, 3},
};

static const report_table cost_table = {"feed_cost", " ", cost_columns,
                                        sizeof cost_columns /
                                            sizeof cost_columns[0]};

/* The feed's target on PostgreSQL: with TARGET_WRITERS writers, updates
** with the feed reach TARGET_RATIO of the rate without it, and the rate
** grows from 1 writer to TARGET_WRITERS, as it does without the feed. */
enum { TARGET_WRITERS = 8 };
#define TARGET_RATIO 0.9

static double ratio(double a, double b) { return b > 0 ? a / b : 0; }

/* The result of rs[0..n) for (backend, op, feed, writers); NULL if none.
** writers 0: the one with the fewest writers. */
static const write_result *find_result(const write_result *rs, size_t n,
                                       backend_id b, op_id op, feed_id f,
                                       int writers) {
  const write_result *found = NULL;
  for (size_t i = 0; i < n; i++) {
    const write_result *r = &rs[i];
    if (r->backend != b || r->op != op || r->feed != f) continue;
    if (writers ? r->writers == writers
                : found == NULL || r->writers < found->writers)
      found = r;
  }
  return found;
}

/* The row of the feed's cost of f, against x (none, same cell). */
static void report_cost_row(const report *rep, const write_result *rs, size_t n,
                            const write_result *f, const write_result *x) {
  double lo = 0, hi = 0;
  for (int k = 0; k < f->rounds && k < x->rounds; k++) {
    double q = ratio(f->round_ops_per_s[k], x->round_ops_per_s[k]);
    if (k == 0 || q < lo) lo = q;
    if (k == 0 || q > hi) hi = q;
  }
  const write_result *f0 = find_result(rs, n, f->backend, f->op, f->feed, 0);
  const write_result *x0 = find_result(rs, n, x->backend, x->op, x->feed, 0);
  report_value v[] = {TEXT(backend_names[f->backend]),
                      TEXT(op_names[f->op]),
                      TEXT(feed_names[f->feed]),
                      INT(f->writers),
                      REAL(f->ops_per_s),
                      REAL(x->ops_per_s),
                      REAL(ratio(f->ops_per_s, x->ops_per_s)),
                      REAL(lo),
                      REAL(hi),
                      REAL(ratio(f->ops_per_s, f0->ops_per_s)),
                      REAL(ratio(x->ops_per_s, x0->ops_per_s)),
                      REAL(f->p99_ms),
                      REAL(x->p99_ms)};
  report_row(rep, &cost_table, v, NULL);
}

/* The verdict on the feed's target, when rs[0..n) holds its cells. */
static void report_feed_target(const report *rep, const write_result *rs,
                               size_t n) {
  const write_result *f1 = find_result(rs, n, B_POSTGRES, OP_UPDATE, F_FEED, 1);
  const write_result *x1 = find_result(rs, n, B_POSTGRES, OP_UPDATE, F_NONE, 1);
  const write_result *f8 =
      find_result(rs, n, B_POSTGRES, OP_UPDATE, F_FEED, TARGET_WRITERS);
  const write_result *x8 =
      find_result(rs, n, B_POSTGRES, OP_UPDATE, F_NONE, TARGET_WRITERS);
  if (f1 == NULL || x1 == NULL || f8 == NULL || x8 == NULL) return;
  double q = ratio(f8->ops_per_s, x8->ops_per_s);
  report_note(
      rep,
      "the feed's target on postgres: with %d writers, updates with "
      "the feed at %.3f of the rate without (at least %.2f: %s); "
      "with the feed %.1f/s at 1 writer and %.1f/s at %d (x%.2f: "
      "%s), without it %.1f/s and %.1f/s (x%.2f)",
      TARGET_WRITERS, q, TARGET_RATIO, q >= TARGET_RATIO ? "met" : "MISSED",
      f1->ops_per_s, f8->ops_per_s, TARGET_WRITERS,
      ratio(f8->ops_per_s, f1->ops_per_s),
      f8->ops_per_s > f1->ops_per_s ? "grows, met" : "MISSED", x1->ops_per_s,
      x8->ops_per_s, ratio(x8->ops_per_s, x1->ops_per_s));
}

/*
** The feed's cost per backend, op and writer count, against none (no
** triggers): the ratio of all rounds' ops/s, the lowest and highest ratio
** of one round to the round of none that ran next to it, and how the rate
** of each grew from the fewest writers run; then the verdict on the
** feed's target.
*/
void report_feed_cost(const report *rep, const write_result *rs, size_t n) {
  report_note(rep, "the feed's cost: feed against none (no triggers); "
                   "growth: ops/s over ops/s with the fewest writers");
  report_header(rep, &cost_table);
  for (size_t i = 0; i < n; i++) {
    if (rs[i].feed == F_NONE) continue;
    const write_result *x =
        find_result(rs, n, rs[i].backend, rs[i].op, F_NONE, rs[i].writers);
    if (x != NULL) report_cost_row(rep, rs, n, &rs[i], x);
  }
  report_feed_target(rep, rs, n);
}

/*
** One round of v's writers, `seconds` long, while a watcher thread holds a
** watch with the default options on v's cell (on PostgreSQL it numbers
** what is pending every ATESQL_WATCH_POLL_MS_POSTGRES ms) and consumes
** the events; after the writers end it receives the rest, up to the
** store revision. The round's measures and events add to v's.
*/
static void run_round(variant *v, double seconds) {
  watch_shared *sh = shared_new(0);
  watcher wt;
  watcher_start(&wt, M_IN_PROCESS, v->c.url, 0, sh);
  run_writers(&v->c, write_writer_main, 0, seconds);
  watcher_finish(&wt, url_revision(v->c.url));
  if (sh->failed) die("watcher: %s", sh->error);
  v->res.events += sh->received;
  shared_free(sh);
  harvest_round(v);
}

void run_writes(backend *b, op_id op, const feed_id *feeds, size_t nfeeds,
                int writers, const options *o, write_result *out) {
  static variant vs[F_COUNT];
  double load1 = load_now();
  for (size_t j = 0; j < nfeeds; j++) {
    variant *v = &vs[j];
    watch_backend_fresh_cell(b, feeds[j]);
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
      run_round(v, round_s);
    }
  for (size_t j = 0; j < nfeeds; j++) {
    finish_variant(&vs[j]);
    out[j] = vs[j].res;
    report_write(&o->report, &out[j]);
  }
}
