/*
** The watch subcommand's delivery cells: writers update workers at a
** steady total rate while a watcher blocked in atesql_watch_next, in a
** thread of this process or in a child process, receives the events. An
** event's latency runs from its writer's call returning OK to the watcher
** holding the event (CLOCK_MONOTONIC, which both processes share). Every
** committed update must arrive exactly once and in revision order; the
** cell counts what does not. The watcher is every part's: the writes
** cells run one beside their writers too.
*/
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "machine.h"
#include "samples.h"
#include "watch.h"

/* How long the watcher may take, after the writers end, to deliver the
** last event before the cell counts the rest as missing; the arrivals a
** cell's watcher keeps per second when its writers run flat out. */
enum { DRAIN_GRACE_S = 10, FLAT_ARRIVALS_PER_S = 20000 };

const char *const mode_names[M_COUNT] = {"in_process", "other_process"};

static size_t shared_size(size_t cap) {
  return sizeof(watch_shared) + cap * sizeof(arrival_rec);
}

watch_shared *shared_new(size_t cap) {
  void *p = mmap(NULL, shared_size(cap), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die("mmap: %s", strerror(errno));
  watch_shared *sh = p; /* zeroed by mmap */
  sh->cap = cap;
  atomic_store(&sh->target, -1);
  return sh;
}

void shared_free(watch_shared *sh) { munmap(sh, shared_size(sh->cap)); }

int watch_poll_ms(const backend *b, const options *o) {
  return b->id == B_SQLITE ? (int)o->poll_ms : 0;
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
    sh->received++;
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

static void *watcher_thread_main(void *arg) {
  watcher_args *a = arg;
  watch_events(a->url, a->poll_ms, a->sh);
  return NULL;
}

void watcher_start(watcher *wt, mode_id mode, const char *url, int poll_ms,
                   watch_shared *sh) {
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

void watcher_finish(watcher *wt, int64_t target) {
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
** missing, events without a commit unexpected; and the percentiles of
** the commits' update calls. Sorts sh->arrivals.
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
  for (size_t k = 0; k < n; k++)
    latency[k] = commits[k].ms;
  qsort(latency, n, sizeof *latency, compare_doubles);
  res->write_p50_ms = percentile(latency, n, 0.50);
  res->write_p99_ms = percentile(latency, n, 0.99);
  res->write_max_ms = n ? latency[n - 1] : 0;
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
  res->p50_ms = percentile(latency, matched, 0.50);
  res->p99_ms = percentile(latency, matched, 0.99);
  res->max_ms = matched ? latency[matched - 1] : 0;
  res->min_ms = matched ? latency[0] : 0;
  free(latency);
  free(commits);
}

static const report_column delivery_columns[] = {
    {"backend", NULL, COL_TEXT, -9, 0}, {"watcher", NULL, COL_TEXT, -13, 0},
    {"writers", NULL, COL_INT, 7, 0},   {"asked", NULL, COL_REAL, 5, 0},
    {"rate", NULL, COL_REAL, 5, 0},     {"write_ms", NULL, COL_REAL, 8, 3},
    {"commits", NULL, COL_INT, 7, 0},   {"revisions", NULL, COL_INT, 9, 0},
    {"delivered", NULL, COL_INT, 9, 0}, {"missing", NULL, COL_INT, 7, 0},
    {"dup", NULL, COL_INT, 3, 0},       {"extra", NULL, COL_INT, 5, 0},
    {"disorder", NULL, COL_INT, 8, 0},  {"early", NULL, COL_INT, 5, 0},
    {"p50_ms", NULL, COL_REAL, 7, 3},   {"p99_ms", NULL, COL_REAL, 7, 3},
    {"max_ms", NULL, COL_REAL, 7, 3},   {"min_ms", NULL, COL_REAL, 7, 3},
    {"load1", NULL, COL_REAL, 5, 2},
};

static const report_table delivery_table = {"delivery", " ", delivery_columns,
                                            sizeof delivery_columns /
                                                sizeof delivery_columns[0]};

void delivery_header(const options *o) {
  report_note(&o->report,
              "delivery: commit to watcher; %.0f updates/s in all (asked), "
              "or as fast as the writers can (-), %.1f s per cell; poll "
              "interval %ld ms on SQLite, %d ms on PostgreSQL",
              o->rate, o->delivery_seconds,
              o->poll_ms ? o->poll_ms : (long)ATESQL_WATCH_POLL_MS,
              ATESQL_WATCH_POLL_MS_POSTGRES);
  report_header(&o->report, &delivery_table);
}

static void report_delivery(const report *rep, const delivery_result *r) {
  report_value v[] = {TEXT(backend_names[r->backend]),
                      TEXT(mode_names[r->mode]),
                      INT(r->writers),
                      REAL(r->asked > 0 ? r->asked : NAN),
                      REAL(r->rate),
                      REAL(r->write_ms),
                      INT(r->commits),
                      INT(r->revisions),
                      INT(r->delivered),
                      INT(r->missing),
                      INT(r->duplicates),
                      INT(r->unexpected),
                      INT(r->disorder),
                      INT(r->early),
                      REAL(r->p50_ms),
                      REAL(r->p99_ms),
                      REAL(r->max_ms),
                      REAL(r->min_ms),
                      REAL(r->load1)};
  report_row(rep, &delivery_table, v,
             r->failed      ? "WATCHER FAILED"
             : r->timed_out ? "TIMED OUT"
                            : NULL);
}

bool delivery_exact(const delivery_result *r) {
  return !r->failed && !r->timed_out && r->missing == 0 && r->duplicates == 0 &&
         r->unexpected == 0 && r->disorder == 0 &&
         r->revisions == (int64_t)r->commits && r->delivered == r->commits;
}

void delivery_cell(backend *b, const delivery_spec *spec, const options *o,
                   delivery_result *res) {
  watch_backend_fresh_cell(b, F_FEED);
  static cell c;
  const char *url = b->cell_url[F_FEED];
  cell_reset(&c, url, spec->writers);
  c.period = spec->rate > 0 ? spec->writers / spec->rate : 0;
  double per_s = spec->rate > 0 ? spec->rate : FLAT_ARRIVALS_PER_S;
  size_t cap = (size_t)(per_s * spec->seconds * 2) + 10000;
  watch_shared *sh = shared_new(cap);
  *res = (delivery_result){.backend = b->id,
                           .mode = spec->mode,
                           .writers = spec->writers,
                           .asked = spec->rate,
                           .holder = spec->holder,
                           .load1 = load_now()};
  watcher wt;
  watcher_start(&wt, spec->mode, url, watch_poll_ms(b, o), sh);

  int64_t start = url_revision(url);
  PGconn *holder = holder_begin(spec->holder, url);
  run_writers(&c, delivery_writer_main, 0.05, spec->seconds);
  holder_end(holder);
  int64_t end = url_revision(url);
  watcher_finish(&wt, end);

  res->revisions = end - start;
  res->timed_out = sh->timed_out;
  res->failed = sh->failed;
  if (sh->failed) fprintf(stderr, "watcher: %s\n", sh->error);
  judge_delivery(&c, sh, start, res);
  res->rate = (double)res->commits / spec->seconds;
  double writing_s = 0;
  for (int i = 0; i < spec->writers; i++) {
    writing_s += c.w[i].writing_s;
    free(c.w[i].commits);
  }
  res->write_ms = res->commits ? writing_s * 1e3 / (double)res->commits : 0;
  shared_free(sh);
}

bool run_delivery(backend *b, mode_id mode, int writers, double rate,
                  const options *o) {
  delivery_spec spec = {.mode = mode,
                        .writers = writers,
                        .rate = rate,
                        .seconds = o->delivery_seconds,
                        .holder = H_NONE};
  delivery_result res;
  delivery_cell(b, &spec, o, &res);
  report_delivery(&o->report, &res);
  return delivery_exact(&res);
}
