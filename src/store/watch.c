/*
** Watches of the workers' change feed. A watch owns a store handle (its
** own connection) and reads the events after the last revision it
** delivered, in batches:
**
**   WITH ev AS (SELECT * FROM worker_events WHERE revision > $last
**               ORDER BY revision LIMIT $batch)
**   SELECT s.revision, s.compacted, ev.*, <ev as written matches>,
**          <ev as it was matches>
**   FROM worker_revision s LEFT JOIN ev ON TRUE ORDER BY ev.revision
**
** One statement, one snapshot: the compacted revision it reads is the one
** its events were read under, so a gap is always seen. Revision order is
** commit order (migrations/<dialect>/0005 and postgres/0006 say how), so
** "revision > last" misses nothing. When the snapshot holds changes that
** await their numbers (PostgreSQL: worker_revision.pending), the watch
** numbers them (store/revision.c) and reads on. A selector is applied in SQL, to the worker as written
** and as it was, by the same compiled WHERE a list runs (over derived
** tables that name the event's columns as the workers table does): an
** update in or out of the selected set is delivered as CREATED or
** DELETED.
**
** Waking: the caller's descriptor is an epoll set of
**  - the driver's wake descriptor: PostgreSQL's socket, where the NOTIFY
**    of every numbering arrives (LISTEN runs on every new connection
**    before the next read); SQLite's eventfd, signalled by this process's
**    writers of the file;
**  - a timer every poll interval: on SQLite for other processes' writers
**    (a read happens only when PRAGMA data_version says the file
**    changed); on PostgreSQL for changes no other reader has numbered;
**  - an eventfd kept signalled while delivered-but-unreturned events wait
**    in the watch's buffer.
** A lost connection is made again by the store handle on the next read;
** the watch notices the new generation, listens again and reads on from
** its last revision.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "selector/ast.h"
#include "store/columns.h"
#include "store/record.h"
#include "store/resources.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/strbuf.h"

enum { BATCH = 256, WATCH_QUERY_TIMEOUT_MS = 30000 };

struct atesql_watch {
  atesql_store *store;
  int epfd;       /* atesql_watch_fd */
  int pending_fd; /* signalled while buf holds events */
  int timer_fd;   /* the poll interval when it polls; else -1 */
  int wake_fd;    /* the driver's, in epfd; -1: not registered */
  bool polling;   /* the driver cannot wake it: the timer alone does */
  uint64_t generation;
  bool listening;       /* watch_listen ran on the connection of generation */
  int64_t data_version; /* the dialect's changed_sql at the last read */
  int64_t last;         /* delivered or passed over */
  int64_t read_to;      /* the last revision read into buf */
  atesql_compiled *compiled;
  char *sql;
  db_param params[ATESQL_SELECTOR_TERMS_MAX + 2];
  size_t nparams;
  atesql_worker_event *buf[BATCH];
  size_t head, count;
  char errmsg[ATESQL_ERROR_MESSAGE_MAX];
};

static atesql_status watch_fail(atesql_watch *w, atesql_status st,
                                const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static atesql_status watch_fail(atesql_watch *w, atesql_status st,
                                const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->errmsg, sizeof w->errmsg, fmt, ap);
  va_end(ap);
  return st;
}

/* A failed store call: its message becomes the watch's. */
static atesql_status store_failed(atesql_watch *w, atesql_status st) {
  return watch_fail(w, st, "%s", atesql_errmsg(w->store));
}

/* The columns of a fetch row: the store's revision, compaction and
** whether changes await their numbers (store/revision.c), the event's
** revision, change and time, the worker's key, its other columns
** as written, then as they were (both in table order), then whether it is
** in the selected set as written and as it was. */
enum {
  COL_STORE_REVISION,
  COL_COMPACTED,
  COL_PENDING,
  COL_REVISION,
  COL_CHANGE,
  COL_AT,
  COL_KEY
};
#define WORKER_KEYS (schema_workers.key_count)
#define WORKER_REST (schema_workers.column_count - WORKER_KEYS)
#define COL_NOW     ((int)(COL_KEY + WORKER_KEYS))
#define COL_PREV    ((int)(COL_NOW + WORKER_REST))
#define COL_NOW_IN  ((int)(COL_PREV + WORKER_REST))
#define COL_WAS_IN  (COL_NOW_IN + 1)

static char *fetch_sql(const store_dialect *d, const atesql_compiled *c,
                       bool filtered) {
  const resource_def *res = &schema_workers;
  char last[24], limit[24];
  placeholder(d, c->param_count + 1, last, sizeof last);
  placeholder(d, c->param_count + 2, limit, sizeof limit);
  strbuf sb = STRBUF_INIT;
  strbuf_printf(&sb,
                "WITH ev AS (SELECT * FROM worker_events WHERE revision > %s "
                "ORDER BY revision LIMIT %s)",
                last, limit);
  if (filtered) {
    strbuf_puts(&sb, ", now_in AS (SELECT revision FROM (SELECT revision, ");
    columns_image(&sb, res, "", false);
    strbuf_printf(&sb, " FROM ev WHERE change <> %d) AS workers WHERE %s)",
                  (int)ATESQL_EVENT_DELETED, c->sql);
    strbuf_puts(&sb, ", was_in AS (SELECT revision FROM (SELECT revision, ");
    columns_image(&sb, res, "", true);
    strbuf_printf(&sb, " FROM ev WHERE change <> %d) AS workers WHERE %s)",
                  (int)ATESQL_EVENT_CREATED, c->sql);
  }
  strbuf_puts(&sb, " SELECT s.revision, s.compacted, s.pending, ev.revision, "
                   "ev.change, ev.committed_at_ms");
  for (size_t i = 0; i < res->column_count; i++)
    strbuf_printf(&sb, ", ev.%s", res->fields[i].column);
  for (size_t i = res->key_count; i < res->column_count; i++)
    strbuf_printf(&sb, ", ev.prev_%s", res->fields[i].column);
  if (filtered)
    strbuf_puts(&sb, ", CASE WHEN ev.revision IN (SELECT revision FROM now_in) "
                     "THEN 1 ELSE 0 END, CASE WHEN ev.revision IN (SELECT "
                     "revision FROM was_in) THEN 1 ELSE 0 END");
  else
    strbuf_printf(&sb,
                  ", CASE WHEN ev.change <> %d THEN 1 ELSE 0 END, "
                  "CASE WHEN ev.change <> %d THEN 1 ELSE 0 END",
                  (int)ATESQL_EVENT_DELETED, (int)ATESQL_EVENT_CREATED);
  strbuf_puts(&sb, " FROM worker_revision s LEFT JOIN ev ON TRUE "
                   "ORDER BY ev.revision");
  return strbuf_detach(&sb);
}

/* The worker of q's row as written (prev false) or as it was, into *wk,
** strings in root's arena. */
static atesql_status read_image(atesql_store *s, const query *q, bool prev,
                                void *root, atesql_worker *wk) {
  const resource_def *res = &schema_workers;
  int cols[RECORD_MAX_COLUMNS];
  for (size_t i = 0; i < res->column_count; i++)
    cols[i] = i < res->key_count
                  ? COL_KEY + (int)i
                  : (prev ? COL_PREV : COL_NOW) + (int)(i - res->key_count);
  return record_decode(s, res, q, cols, root, wk);
}

/* The event of q's current row as its watch sees it, into *out; NULL
** when the selector passes it over. */
static atesql_status event_from_row(atesql_watch *w, const query *q,
                                    atesql_worker_event **out) {
  *out = NULL;
  bool now_in = query_int64(q, COL_NOW_IN) != 0;
  bool was_in = query_int64(q, COL_WAS_IN) != 0;
  if (!now_in && !was_in) return ATESQL_OK;
  atesql_event_type change = (atesql_event_type)query_int64(q, COL_CHANGE);
  atesql_worker_event *e = arena_new(sizeof *e, 512);
  if (e == NULL) return watch_fail(w, ATESQL_NO_MEMORY, "out of memory");
  e->revision = query_int64(q, COL_REVISION);
  e->change = change;
  e->committed_at_ms = query_int64(q, COL_AT);
  e->type = now_in && was_in ? ATESQL_EVENT_UPDATED
            : now_in         ? ATESQL_EVENT_CREATED
                             : ATESQL_EVENT_DELETED;
  /* A deletion's worker is its last image. */
  atesql_status st =
      read_image(w->store, q, change == ATESQL_EVENT_DELETED, e, &e->worker);
  if (st == ATESQL_OK && change != ATESQL_EVENT_CREATED) {
    atesql_worker *prev = arena_alloc(e, sizeof *prev);
    st = prev ? read_image(w->store, q, true, e, prev) : ATESQL_NO_MEMORY;
    e->previous = prev;
  }
  if (st != ATESQL_OK) {
    arena_free(e);
    return st == ATESQL_NO_MEMORY
               ? watch_fail(w, ATESQL_NO_MEMORY, "out of memory")
               : store_failed(w, st);
  }
  *out = e;
  return ATESQL_OK;
}

static void set_pending(atesql_watch *w) {
  uint64_t v;
  if (w->count) {
    v = 1;
    ssize_t n = write(w->pending_fd, &v, sizeof v);
    (void)n;
  } else {
    ssize_t n = read(w->pending_fd, &v, sizeof v);
    (void)n;
  }
}

/* A new connection (or the first): register its wake descriptor and run
** the listen statement, before any read on it. */
static atesql_status ensure_listening(atesql_watch *w) {
  if (w->polling) return ATESQL_OK;
  const driver *drv = w->store->drv;
  uint64_t gen = 0;
  int fd = drv->wake_fd ? drv->wake_fd(w->store->conn, &gen) : -1;
  if (w->listening && gen == w->generation && fd == w->wake_fd)
    return ATESQL_OK;
  /* The statement reconnects a lost connection first. */
  atesql_status st =
      drv->exec(w->store->conn, w->store->named_sql[STMT_watch_listen]);
  if (st != ATESQL_OK)
    return watch_fail(w, st, "watch: listen: %s", drv->errmsg(w->store->conn));
  fd = drv->wake_fd ? drv->wake_fd(w->store->conn, &gen) : -1;
  if (fd != w->wake_fd || gen != w->generation) {
    if (w->wake_fd >= 0) epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->wake_fd, NULL);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    if (fd >= 0 && epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0 &&
        !(errno == EEXIST && epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev) == 0))
      return watch_fail(w, ATESQL_INTERNAL, "watch: epoll: %s",
                        strerror(errno));
    w->wake_fd = fd;
  }
  w->generation = gen;
  w->listening = true;
  return ATESQL_OK;
}

/* Whether the database changed since the last read, by the dialect's
** changed_sql (SQLite: the file's data_version); always true where the
** dialect has none (PostgreSQL, which reads only when woken). */
static atesql_status database_changed(atesql_watch *w, bool *changed) {
  *changed = true;
  const char *sql = w->store->dialect->changed_sql;
  if (sql == NULL) return ATESQL_OK;
  query q = {0};
  atesql_status st = query_sql(w->store, sql, NULL, 0, &q);
  if (st == ATESQL_OK && q.row) {
    int64_t v = query_int64(&q, 0);
    *changed = v != w->data_version;
    w->data_version = v;
  }
  query_done(&q);
  return st == ATESQL_OK ? st : store_failed(w, st);
}

/* One read of the events after w->read_to into the buffer (empty);
** *pending tells whether its snapshot held changes awaiting numbers. */
static atesql_status read_batch(atesql_watch *w, bool *pending) {
  w->params[w->nparams - 2] = param_int64(w->read_to);
  w->params[w->nparams - 1] = param_int64(BATCH);
  query q = {0};
  atesql_status st = query_sql(w->store, w->sql, w->params, w->nparams, &q);
  *pending = st == ATESQL_OK && q.row && query_int64(&q, COL_PENDING) != 0;
  if (st == ATESQL_OK && q.row && query_int64(&q, COL_COMPACTED) > w->read_to) {
    st = watch_fail(w, ATESQL_COMPACTED,
                    "watch: the events after revision %lld were compacted "
                    "(up to %lld): list again, and watch from the list's "
                    "revision",
                    (long long)w->read_to,
                    (long long)query_int64(&q, COL_COMPACTED));
    query_done(&q);
    return st;
  }
  while (st == ATESQL_OK && q.row && !query_is_null(&q, COL_REVISION)) {
    atesql_worker_event *e;
    st = event_from_row(w, &q, &e);
    if (st != ATESQL_OK) break;
    w->read_to = query_int64(&q, COL_REVISION);
    if (e) w->buf[(w->head + w->count++) % BATCH] = e;
    st = query_next(&q);
  }
  atesql_status done = query_done(&q);
  if (st == ATESQL_OK) st = done;
  if (st != ATESQL_OK && *w->errmsg == '\0') store_failed(w, st);
  /* With nothing left to deliver, passed-over events move the revision. */
  if (w->count == 0) w->last = w->read_to;
  return st;
}

/* Read the events after w->read_to; when changes await their numbers
** and the batch left room, number them and read on. */
static atesql_status read_events(atesql_watch *w) {
  bool pending = false;
  atesql_status st = read_batch(w, &pending);
  if (st == ATESQL_OK && pending && w->count < BATCH) {
    st = number_events(w->store);
    if (st != ATESQL_OK) return store_failed(w, st);
    /* A batch still being delivered is read after. */
    if (w->count == 0) st = read_batch(w, &pending);
  }
  return st;
}

/* Read what is new: after a lost connection, once more on the new one
** (made by the read that failed), listening first. */
static atesql_status refresh(atesql_watch *w) {
  atesql_status st = ATESQL_OK;
  for (int attempt = 0; attempt < 3; attempt++) {
    *w->errmsg = '\0';
    st = ensure_listening(w);
    bool changed = true;
    if (st == ATESQL_OK) st = database_changed(w, &changed);
    if (st == ATESQL_OK && changed) st = read_events(w);
    if (st == ATESQL_OK) {
      /* Read on a connection made again during the read: listen, read
      ** again. */
      uint64_t gen = 0;
      const driver *drv = w->store->drv;
      if (w->polling) return ATESQL_OK;
      drv->wake_fd(w->store->conn, &gen);
      if (gen == w->generation) return ATESQL_OK;
      w->listening = false;
      continue;
    }
    if (st != ATESQL_UNAVAILABLE && st != ATESQL_DEADLINE_EXCEEDED) return st;
    w->listening = false;
  }
  return st;
}

static atesql_worker_event *take(atesql_watch *w) {
  atesql_worker_event *e = w->buf[w->head];
  w->head = (w->head + 1) % BATCH;
  w->count--;
  w->last = w->count ? e->revision : w->read_to;
  set_pending(w);
  return e;
}

/* Consume what woke us: the driver's descriptor, the timer. */
static bool drain(atesql_watch *w) {
  bool any = false;
  const driver *drv = w->store->drv;
  if (drv->wake_drain && drv->wake_drain(w->store->conn)) any = true;
  uint64_t ticks;
  if (w->timer_fd >= 0 && read(w->timer_fd, &ticks, sizeof ticks) > 0)
    any = true;
  return any;
}

atesql_status atesql_watch_next(atesql_watch *w, int timeout_ms,
                                atesql_worker_event **out) {
  if (w == NULL || out == NULL) return ATESQL_INVALID_ARGUMENT;
  *out = NULL;
  *w->errmsg = '\0';
  int64_t deadline = timeout_ms > 0 ? clock_now_ms() + timeout_ms : 0;
  for (;;) {
    if (w->count) {
      *out = take(w);
      return ATESQL_OK;
    }
    drain(w);
    atesql_status st = refresh(w);
    /* A read that ran out of the watch's own time is a server that does
    ** not answer: UNAVAILABLE, so that DEADLINE_EXCEEDED means only "no
    ** event within timeout_ms". */
    if (st == ATESQL_DEADLINE_EXCEEDED) st = ATESQL_UNAVAILABLE;
    if (st != ATESQL_OK) return st;
    /* Notifications that arrived during the read: read again. */
    if (w->count == 0 && drain(w)) continue;
    if (w->count) continue;
    int wait = -1;
    if (timeout_ms == 0) {
      wait = 0;
    } else if (timeout_ms > 0) {
      int64_t left = deadline - clock_now_ms();
      wait = left > 0 ? (int)left : 0;
    }
    if (wait == 0)
      return watch_fail(w, ATESQL_DEADLINE_EXCEEDED,
                        "watch: no event within %d ms", timeout_ms);
    struct epoll_event ev[4];
    if (epoll_wait(w->epfd, ev, 4, wait) < 0 && errno != EINTR)
      return watch_fail(w, ATESQL_INTERNAL, "watch: epoll_wait: %s",
                        strerror(errno));
  }
}

int atesql_watch_fd(const atesql_watch *w) { return w ? w->epfd : -1; }

int64_t atesql_watch_revision(const atesql_watch *w) { return w ? w->last : 0; }

const char *atesql_watch_errmsg(const atesql_watch *w) {
  return w ? w->errmsg : "watch is NULL";
}

void atesql_worker_event_free(atesql_worker_event *e) { arena_free(e); }

void atesql_watch_close(atesql_watch *w) {
  if (w == NULL) return;
  while (w->count)
    arena_free(take(w));
  atesql_store_close(w->store);
  atesql_compiled_free(w->compiled);
  free(w->sql);
  if (w->epfd >= 0) close(w->epfd);
  if (w->pending_fd >= 0) close(w->pending_fd);
  if (w->timer_fd >= 0) close(w->timer_fd);
  free(w);
}

/* The selector of opts, compiled for d (text parsed here). */
static atesql_status compile_selector(const atesql_watch_opts *o,
                                      atesql_dialect d, atesql_compiled **out,
                                      atesql_error *err) {
  atesql_selector *parsed = NULL;
  const atesql_selector *sel = o ? o->selector : NULL;
  if (sel && atesql_selector_resource(sel) != ATESQL_RESOURCE_WORKERS)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "watch: the selector is not for workers");
  if (sel == NULL) {
    const char *text = o && o->selector_text ? o->selector_text : "";
    atesql_status st = atesql_selector_parse(
        ATESQL_RESOURCE_WORKERS, text, ATESQL_NUL_TERMINATED, &parsed, err);
    if (st != ATESQL_OK) return st;
    sel = parsed;
  }
  /* An event holds its worker's labels as a JSON column. */
  atesql_status st = sel_compile(sel, d, SEL_LABELS_JSON, 1, out, err);
  atesql_selector_free(parsed);
  return st;
}

static bool add_fd(int epfd, int fd) {
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

/* Everything of open after the handle: descriptors, statement, start. */
static atesql_status watch_setup(atesql_watch *w, const atesql_watch_opts *o,
                                 atesql_error *err) {
  const store_dialect *d = w->store->dialect;
  atesql_status st = compile_selector(o, d->id, &w->compiled, err);
  if (st != ATESQL_OK) return st;
  bool filtered = strcmp(w->compiled->sql, "TRUE") != 0;
  if ((w->sql = fetch_sql(d, w->compiled, filtered)) == NULL)
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  for (size_t i = 0; i < w->compiled->param_count; i++) {
    const atesql_param *p = &w->compiled->params[i];
    w->params[i] = p->type == ATESQL_PARAM_INT64 ? param_int64(p->int64)
                                                 : param_text(p->text);
  }
  w->nparams = w->compiled->param_count + 2;

  w->epfd = epoll_create1(EPOLL_CLOEXEC);
  w->pending_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (w->epfd < 0 || w->pending_fd < 0 || !add_fd(w->epfd, w->pending_fd))
    return error_set(err, ATESQL_INTERNAL, 0, "watch: %s", strerror(errno));
  /* A connection the driver cannot wake (PostgreSQL behind a transaction
  ** pooler, where LISTEN holds for one transaction; a read-only SQLite
  ** file) is polled at the interval, as SQLite always is for other
  ** processes' writers. */
  uint64_t gen;
  const driver *drv = w->store->drv;
  w->polling = drv->wake_fd == NULL || drv->wake_fd(w->store->conn, &gen) < 0;
  if (d->watch_polls || w->polling) {
    int ms =
        o && o->poll_interval_ms > 0 ? o->poll_interval_ms : d->watch_poll_ms;
    struct itimerspec every = {{ms / 1000, (long)(ms % 1000) * 1000000L},
                               {ms / 1000, (long)(ms % 1000) * 1000000L}};
    w->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (w->timer_fd < 0 || timerfd_settime(w->timer_fd, 0, &every, NULL) != 0 ||
        !add_fd(w->epfd, w->timer_fd))
      return error_set(err, ATESQL_INTERNAL, 0, "watch: timer: %s",
                       strerror(errno));
  }

  int64_t since = o ? o->since_revision : ATESQL_WATCH_NOW;
  if (since < ATESQL_WATCH_NOW)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "watch: since_revision %lld is negative",
                     (long long)since);
  int64_t current = 0, compacted = 0;
  st = ensure_listening(w);
  if (st == ATESQL_OK)
    st = atesql_store_revision(w->store, &current, &compacted);
  if (st != ATESQL_OK)
    return error_set(err, st, 0, "%s",
                     *w->errmsg ? w->errmsg : atesql_errmsg(w->store));
  if (since > current)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "watch: since_revision %lld is beyond the store's "
                     "revision %lld",
                     (long long)since, (long long)current);
  if (since == ATESQL_WATCH_NOW) since = current;
  if (since < compacted)
    return error_set(err, ATESQL_COMPACTED, 0,
                     "watch: the events after revision %lld were compacted "
                     "(up to %lld): list again, and watch from the list's "
                     "revision",
                     (long long)since, (long long)compacted);
  w->last = w->read_to = since;
  return ATESQL_OK;
}

atesql_status atesql_watch_open(const char *url, const atesql_watch_opts *o,
                                atesql_watch **out, atesql_error *err) {
  atesql_error local;
  if (err == NULL) err = &local;
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "watch: out is NULL");
  *out = NULL;
  if (url && strncmp(url, "sqlite::memory:", 15) == 0)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "watch: an in-memory SQLite database is private to its "
                     "connection; watch a file");
  atesql_watch *w = calloc(1, sizeof *w);
  if (w == NULL) return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  w->epfd = w->pending_fd = w->timer_fd = w->wake_fd = -1;
  w->data_version = -1;
  atesql_status st = atesql_store_open(url, &w->store, err);
  if (st == ATESQL_OK) {
    atesql_store_set_timeout(w->store, WATCH_QUERY_TIMEOUT_MS);
    st = watch_setup(w, o, err);
  }
  if (st != ATESQL_OK) {
    atesql_watch_close(w);
    return st;
  }
  *out = w;
  return ATESQL_OK;
}
