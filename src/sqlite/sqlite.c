/*
** The SQLite driver: a thin adapter over sqlite3. It opens a file (or
** ":memory:") in WAL mode with foreign keys on and a busy timeout, and maps
** SQLite result codes to atesql_status: SQLITE_BUSY after the timeout is
** UNAVAILABLE, a primary-key or unique violation ALREADY_EXISTS, a foreign
** key violation FAILED_PRECONDITION.
**
** URL (sqlite/url.h): sqlite:PATH[?busy_timeout_ms=N&synchronous=full|
** normal&mode=ro&immutable=1&cache_size_mb=N&mmap_size_mb=N],
** sqlite::memory:. synchronous=full (the default) syncs the WAL at every
** commit, so a committed write survives power loss; normal trades the
** last commits before a power loss (never consistency) for faster writes.
** mode=ro opens the database read-only (a write is FAILED_PRECONDITION);
** immutable=1 also tells SQLite that nobody writes the file, which a WAL
** database in a read-only directory needs. cache_size_mb sizes the
** handle's page cache (default 8) and mmap_size_mb how much of the file
** it reads through a memory mapping (default 1024; 0: none).
*/
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "driver.h"
#include "sqlite/url.h"
#include "sqlite/writers.h"
#include "util/clock.h"
#include "util/error.h"

struct driver_conn {
  sqlite3 *db;
  int busy_timeout_ms; /* the URL's */
  int timeout_ms;      /* atesql_store_set_timeout's; 0: none */
  int64_t deadline_ms; /* of the statement running, when timeout_ms */
  writers *queue;      /* this process's writers of the file; NULL: none */
  bool queued;         /* our turn in queue is running */
  /* The write outside a transaction that holds the turn until its reset
  ** (it commits there); NULL when a transaction holds it. */
  sqlite3_stmt *queued_stmt;
  int wake_fd;           /* a watch's eventfd in queue's watchers; -1: none */
  int busy_limit_ms;     /* how long busy_wait waits for a lock */
  int64_t busy_since_ms; /* when the current wait for a lock began */
  uint64_t busy_retries; /* statements tried again after a wait */
  /* Set by atesql_store_interrupt, from another thread. */
  atomic_bool interrupted;
  char msg[ATESQL_ERROR_MESSAGE_MAX];
};

static bool sqlite_accepts(const char *url) {
  return strncmp(url, "sqlite:", 7) == 0;
}

static atesql_status map_code(int rc) {
  switch (rc & 0xff) {
  case SQLITE_OK:
  case SQLITE_ROW:
  case SQLITE_DONE: return ATESQL_OK;
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
  case SQLITE_INTERRUPT: return ATESQL_UNAVAILABLE;
  case SQLITE_NOMEM: return ATESQL_NO_MEMORY;
  case SQLITE_CANTOPEN:
  case SQLITE_IOERR:
  case SQLITE_FULL: return ATESQL_UNAVAILABLE;
  case SQLITE_READONLY: return ATESQL_FAILED_PRECONDITION;
  case SQLITE_CONSTRAINT:
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
      return ATESQL_ALREADY_EXISTS;
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return ATESQL_FAILED_PRECONDITION;
    return ATESQL_INVALID_ARGUMENT;
  default: return ATESQL_INTERNAL;
  }
}

/* Record the connection's error and return its status. */
static atesql_status fail(driver_conn *c, int rc) {
  atesql_status st = map_code(rc);
  if (((rc & 0xff) == SQLITE_INTERRUPT || (rc & 0xff) == SQLITE_BUSY) &&
      atomic_load(&c->interrupted)) {
    snprintf(c->msg, sizeof c->msg,
             "interrupted (atesql_store_interrupt); nothing of the "
             "statement was written");
    return ATESQL_CANCELLED;
  }
  if ((rc & 0xff) == SQLITE_INTERRUPT && c->timeout_ms) {
    snprintf(c->msg, sizeof c->msg,
             "the statement ran past the timeout of %d ms and was "
             "interrupted; nothing of it was written",
             c->timeout_ms);
    return ATESQL_DEADLINE_EXCEEDED;
  }
  if ((rc & 0xff) == SQLITE_BUSY && c->timeout_ms &&
      c->timeout_ms < c->busy_timeout_ms) {
    snprintf(c->msg, sizeof c->msg,
             "database is locked (busy for more than the timeout of %d ms)",
             c->timeout_ms);
    return ATESQL_DEADLINE_EXCEEDED;
  }
  if ((rc & 0xff) == SQLITE_BUSY)
    snprintf(c->msg, sizeof c->msg,
             "database is locked (busy for more than %d ms)",
             c->busy_timeout_ms);
  else
    snprintf(c->msg, sizeof c->msg, "%s", sqlite3_errmsg(c->db));
  return st;
}

/*
** SQLite's busy handler: wait for a lock in steps of at most 5 ms, up to
** busy_limit_ms, and not at all once the call is interrupted (SQLite's
** own handler sleeps on regardless of sqlite3_interrupt). Non-zero: try
** again.
*/
static int busy_wait(void *arg, int count) {
  driver_conn *c = arg;
  int64_t now = clock_now_ms();
  if (count == 0) c->busy_since_ms = now;
  if (atomic_load(&c->interrupted)) return 0;
  int64_t left = c->busy_limit_ms - (now - c->busy_since_ms);
  if (left <= 0) return 0;
  int step = count < 4 ? 1 : 5;
  sqlite3_sleep(step < left ? step : (int)left);
  c->busy_retries++;
  return 1;
}

/*
** The name sqlite3_open_v2 gets for u: the path itself, or for an
** immutable database a "file:" URI with the path's %, ? and # escaped.
** malloc'd; NULL when out of memory.
*/
static char *open_name(const sqlite_url *u) {
  if (u->access != SQLITE_ACCESS_IMMUTABLE) return strdup(u->path);
  size_t n = strlen(u->path);
  char *name = malloc(3 * n + sizeof "file:?immutable=1");
  if (name == NULL) return NULL;
  char *o = stpcpy(name, "file:");
  for (const char *p = u->path; *p; p++) {
    if (*p == '%' || *p == '?' || *p == '#')
      o += sprintf(o, "%%%02x", (unsigned char)*p);
    else
      *o++ = *p;
  }
  strcpy(o, "?immutable=1");
  return name;
}

/* The script a handle starts with, into buf. Every handle sizes its
** page cache and its mapping of the file (sqlite/url.h says why these
** defaults); neither is a write. A read-only handle leaves the journal
** mode alone (setting it is a write) and reads the schema once, so that a
** WAL database it cannot read (no -shm file, and none can be made) fails
** here, where the error can say what to do. */
static void startup_pragmas(const sqlite_url *u, char *buf, size_t bufsz) {
  int n = snprintf(buf, bufsz,
                   "PRAGMA cache_size = -%ld; PRAGMA mmap_size = %lld; "
                   "PRAGMA foreign_keys = ON; ",
                   (long)u->cache_size_mb * 1024,
                   (long long)u->mmap_size_mb * 1024 * 1024);
  const char *rest =
      u->access != SQLITE_ACCESS_READ_WRITE
          ? "SELECT count(*) FROM sqlite_master;"
      : u->synchronous_full
          ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
          : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
  snprintf(buf + n, bufsz - (size_t)n, "%s", rest);
}

/* What to do when opening u failed with code: how to read a database
** this process may not write. */
static const char *open_hint(const sqlite_url *u, int code) {
  bool read_only = (code & 0xff) == SQLITE_READONLY;
  bool cant_open = (code & 0xff) == SQLITE_CANTOPEN;
  if (u->access == SQLITE_ACCESS_READ_WRITE && read_only)
    return "; to read a database this process may not write, open "
           "sqlite:PATH?mode=ro (or ?immutable=1 when nothing writes it)";
  if (u->access == SQLITE_ACCESS_READ_ONLY && (read_only || cant_open))
    return "; a WAL database in a directory this process may not write "
           "opens only with ?immutable=1 (when nothing writes it)";
  return "";
}

static atesql_status sqlite_connect(const char *url, driver_conn **out,
                                    atesql_error *err) {
  *out = NULL;
  sqlite_url u;
  atesql_status st = sqlite_url_parse(url, &u, err);
  if (st != ATESQL_OK) return st;
  driver_conn *c = calloc(1, sizeof *c);
  char *name = open_name(&u);
  if (c == NULL || name == NULL) {
    free(c);
    free(name);
    sqlite_url_release(&u);
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  }
  c->busy_timeout_ms = u.busy_timeout_ms;
  c->wake_fd = -1;
  int flags = u.access == SQLITE_ACCESS_READ_WRITE
                  ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                  : SQLITE_OPEN_READONLY;
  int rc = sqlite3_open_v2(name, &c->db,
                           flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
  c->busy_limit_ms = u.busy_timeout_ms;
  if (rc == SQLITE_OK) rc = sqlite3_busy_handler(c->db, busy_wait, c);
  if (rc == SQLITE_OK) rc = sqlite3_extended_result_codes(c->db, 1);
  char script[256];
  startup_pragmas(&u, script, sizeof script);
  if (rc == SQLITE_OK) rc = sqlite3_exec(c->db, script, NULL, NULL, NULL);
  free(name);
  if (rc != SQLITE_OK) {
    int code = c->db ? sqlite3_extended_errcode(c->db) : rc;
    bool read_only = (code & 0xff) == SQLITE_READONLY;
    st = error_set(err, read_only ? ATESQL_FAILED_PRECONDITION : map_code(rc),
                   0, "cannot open sqlite database '%s': %s%s", u.path,
                   c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc),
                   open_hint(&u, code));
    sqlite3_close(c->db);
    free(c);
    sqlite_url_release(&u);
    return st;
  }
  /* A file opened for writing gets its process-wide writer queue (an
  ** in-memory database is private to its connection and needs none). */
  const char *file = sqlite3_db_filename(c->db, "main");
  if (u.access == SQLITE_ACCESS_READ_WRITE && file && *file)
    c->queue = writers_of(file);
  sqlite_url_release(&u);
  *out = c;
  return ATESQL_OK;
}

/* Take our turn among this process's writers of the file, before BEGIN
** IMMEDIATE or a write outside a transaction, waiting at most as long as
** the busy handler would. */
static atesql_status sqlite_tx_enter(driver_conn *c) {
  if (c->queue == NULL || c->queued) return ATESQL_OK;
  int wait_ms = c->timeout_ms && c->timeout_ms < c->busy_timeout_ms
                    ? c->timeout_ms
                    : c->busy_timeout_ms;
  /* Waiting out the turn is waiting for the lock: the same answer as
  ** the busy handler's. */
  if (!writers_enter(c->queue, wait_ms, &c->interrupted))
    return fail(c, SQLITE_BUSY);
  c->queued = true;
  return ATESQL_OK;
}

static void sqlite_tx_leave(driver_conn *c) {
  if (!c->queued) return;
  c->queued = false;
  c->queued_stmt = NULL;
  writers_leave(c->queue);
}

/* SQLite's progress handler: non-zero interrupts the statement. */
static int past_deadline(void *arg) {
  driver_conn *c = arg;
  return c->deadline_ms && clock_now_ms() > c->deadline_ms;
}

/* The timeout bounds a statement's run (a progress handler checks the
** clock every 1000 virtual machine steps) and its wait for a lock (the
** busy timeout, never longer than the URL's). */
static void sqlite_set_timeout(driver_conn *c, int timeout_ms) {
  c->timeout_ms = timeout_ms;
  c->busy_limit_ms = timeout_ms && timeout_ms < c->busy_timeout_ms
                         ? timeout_ms
                         : c->busy_timeout_ms;
  sqlite3_progress_handler(c->db, timeout_ms ? 1000 : 0,
                           timeout_ms ? past_deadline : NULL, c);
}

static void sqlite_tx_leave(driver_conn *c);

static void sqlite_disconnect(driver_conn *c) {
  if (c == NULL) return;
  sqlite3_close(c->db); /* ends an open transaction */
  sqlite_tx_leave(c);
  if (c->wake_fd >= 0) {
    writers_unwatch(c->queue, c->wake_fd);
    close(c->wake_fd);
  }
  free(c);
}

/* This process's writers of the file signal the eventfd as each write
** ends; writers in other processes are found by polling (store/watch.c). */
static int sqlite_wake_fd(driver_conn *c, uint64_t *generation) {
  *generation = 0;
  if (c->wake_fd >= 0 || c->queue == NULL) return c->wake_fd;
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd >= 0 && !writers_watch(c->queue, fd)) {
    close(fd);
    fd = -1;
  }
  return c->wake_fd = fd;
}

static bool sqlite_wake_drain(driver_conn *c) {
  uint64_t count = 0;
  return c->wake_fd >= 0 &&
         read(c->wake_fd, &count, sizeof count) == (ssize_t)sizeof count &&
         count > 0;
}

static atesql_status sqlite_exec(driver_conn *c, const char *sql) {
  int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? ATESQL_OK : fail(c, rc);
}

static atesql_status sqlite_prepare(driver_conn *c, const char *sql,
                                    driver_stmt **out) {
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                              NULL);
  if (rc != SQLITE_OK) return fail(c, rc);
  *out = (driver_stmt *)stmt;
  return ATESQL_OK;
}

static void sqlite_finalize(driver_conn *c, driver_stmt *s) {
  sqlite3_finalize((sqlite3_stmt *)s);
  if (c->queued_stmt == (sqlite3_stmt *)s) sqlite_tx_leave(c);
}

static atesql_status step(driver_conn *c, sqlite3_stmt *stmt, bool *has_row) {
  c->deadline_ms = c->timeout_ms ? clock_now_ms() + c->timeout_ms : 0;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    *has_row = true;
    return ATESQL_OK;
  }
  *has_row = false;
  if (rc == SQLITE_DONE) return ATESQL_OK;
  /* The error code is reported by reset on statements from prepare_v3. */
  atesql_status st = fail(c, sqlite3_extended_errcode(c->db));
  sqlite3_reset(stmt);
  return st;
}

static atesql_status sqlite_query(driver_conn *c, driver_stmt *s,
                                  const db_param *params, size_t n,
                                  bool *has_row) {
  sqlite3_stmt *stmt = (sqlite3_stmt *)s;
  sqlite3_reset(stmt);
  /* A write outside a transaction queues like a transaction does. */
  if (!c->queued && sqlite3_get_autocommit(c->db) &&
      !sqlite3_stmt_readonly(stmt)) {
    atesql_status st = sqlite_tx_enter(c);
    if (st != ATESQL_OK) return st;
    if (c->queued) c->queued_stmt = stmt;
  }
  for (size_t i = 0; i < n; i++) {
    int idx = (int)i + 1, rc;
    if (params[i].type == DB_TEXT)
      rc = sqlite3_bind_text(stmt, idx, params[i].text, (int)params[i].len,
                             SQLITE_STATIC);
    else if (params[i].type == DB_INT64)
      rc = sqlite3_bind_int64(stmt, idx, params[i].int64);
    else
      rc = sqlite3_bind_null(stmt, idx);
    if (rc != SQLITE_OK) return fail(c, rc);
  }
  return step(c, stmt, has_row);
}

static atesql_status sqlite_next(driver_conn *c, driver_stmt *s,
                                 bool *has_row) {
  return step(c, (sqlite3_stmt *)s, has_row);
}

static bool sqlite_column_is_null(driver_stmt *s, int col) {
  return sqlite3_column_type((sqlite3_stmt *)s, col) == SQLITE_NULL;
}

static const char *sqlite_column_text(driver_stmt *s, int col, size_t *len) {
  sqlite3_stmt *stmt = (sqlite3_stmt *)s;
  const unsigned char *t = sqlite3_column_text(stmt, col);
  *len = t ? (size_t)sqlite3_column_bytes(stmt, col) : 0;
  if (t) return (const char *)t;
  /* NULL for a value that is not SQL NULL: converting it ran out of
  ** memory. */
  return sqlite3_column_type(stmt, col) == SQLITE_NULL ? "" : NULL;
}

static int64_t sqlite_column_int64(driver_stmt *s, int col) {
  return sqlite3_column_int64((sqlite3_stmt *)s, col);
}

/* Reset reports what finishing the statement did: a write with RETURNING
** outside a transaction commits here, and may fail here (SQLITE_FULL,
** SQLITE_IOERR) after its row was read. */
static atesql_status sqlite_reset(driver_conn *c, driver_stmt *s) {
  int rc = sqlite3_reset((sqlite3_stmt *)s);
  if (c->queued_stmt == (sqlite3_stmt *)s) sqlite_tx_leave(c);
  return rc == SQLITE_OK ? ATESQL_OK : fail(c, rc);
}

static bool sqlite_in_transaction(driver_conn *c) {
  return !sqlite3_get_autocommit(c->db);
}

static const char *sqlite_errmsg(driver_conn *c) { return c->msg; }

/* A statement running stops at once (sqlite3_interrupt is thread-safe);
** a wait for a lock or for our writer's turn sees the flag within 5 ms. */
static void sqlite_interrupt(driver_conn *c) {
  atomic_store(&c->interrupted, true);
  sqlite3_interrupt(c->db);
}

static void sqlite_interrupt_clear(driver_conn *c) {
  atomic_store(&c->interrupted, false);
}

static void sqlite_counters(driver_conn *c, uint64_t *reconnects,
                            uint64_t *retries) {
  *reconnects = 0;
  *retries = c->busy_retries;
}

const driver sqlite_driver = {
    .name = "sqlite",
    .dialect = ATESQL_DIALECT_SQLITE,
    .accepts = sqlite_accepts,
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .exec = sqlite_exec,
    .prepare = sqlite_prepare,
    .finalize = sqlite_finalize,
    .query = sqlite_query,
    .next = sqlite_next,
    .column_is_null = sqlite_column_is_null,
    .column_text = sqlite_column_text,
    .column_int64 = sqlite_column_int64,
    .reset = sqlite_reset,
    .in_transaction = sqlite_in_transaction,
    .set_timeout = sqlite_set_timeout,
    .tx_enter = sqlite_tx_enter,
    .tx_leave = sqlite_tx_leave,
    .wake_fd = sqlite_wake_fd,
    .wake_drain = sqlite_wake_drain,
    .interrupt = sqlite_interrupt,
    .counters = sqlite_counters,
    .interrupt_clear = sqlite_interrupt_clear,
    .errmsg = sqlite_errmsg,
};
