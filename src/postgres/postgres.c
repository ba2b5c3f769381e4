/*
** The PostgreSQL driver: a thin adapter over libpq. It connects with any
** URL or key=value conninfo libpq accepts (multi-host lists,
** target_session_attrs, sslmode, PG* environment variables), prepares each
** statement lazily once per connection under a name of its own, sends
** parameters as text, and maps SQLSTATEs to atesql_status.
**
** Connection loss: the call in flight returns UNAVAILABLE with libpq's
** message; the next call resets the connection and re-prepares statements
** as they are used (every statement remembers the connection generation it
** was prepared on).
**
** Passwords: every message that leaves this file passes through redact(),
** which replaces the conninfo's password with "***".
*/
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "driver.h"
#include "postgres/conninfo.h"
#include "util/clock.h"
#include "util/error.h"

/* Seconds to wait for a connection when the URL does not say. */
#define DEFAULT_CONNECT_TIMEOUT_S "10"

struct driver_conn {
  PGconn *pg;
  char *password;      /* to scrub from messages; NULL when none */
  uint64_t generation; /* bumped by every reconnect */
  uint64_t next_name;  /* for statement names s1, s2, ... */
  /* The server refused a write as read-only: reconnect before the next
  ** call, so that target_session_attrs=read-write finds the new primary. */
  bool reconnect;
  /* What the URL's target_session_attrs asks of the server: a read-write
  ** session ("read-write"), or one that is not in recovery ("primary").
  ** A server that stops being so while connected (a primary fenced
  ** read-only, which says so in the default_transaction_read_only it
  ** reports) is left before the next call, reads too: a handle that only
  ** reads, or a watch, would otherwise read a fenced primary's stale rows
  ** for as long as it lives. */
  bool wants_read_write;
  bool wants_primary;
  /* Behind a transaction pooler: statements are sent unnamed (parsed with
  ** every run), as a named one may be missing on the next transaction's
  ** server connection. */
  bool unnamed;
  uint64_t round_trips; /* requests sent and waited on */
  int timeout_ms;       /* the longest wait for the server's answer; 0: none */
  bool timed_out;       /* the last wait ran out; msg says so */
  bool cancelled;       /* the last wait was interrupted; msg says so */
  /* atesql_store_interrupt's, from another thread: the flag, and an
  ** eventfd that wakes the wait for the server (-1: none, and the flag is
  ** seen within 10 ms). */
  atomic_bool interrupted;
  int interrupt_fd;
  char msg[ATESQL_ERROR_MESSAGE_MAX];
};

struct driver_stmt {
  char name[24];
  char *sql;
  uint64_t prepared_on; /* generation it was prepared on; 0 = never */
  PGresult *result;
  int row;
  int rows;
};

static bool postgres_accepts(const char *url) {
  return strncmp(url, "postgres://", 11) == 0 ||
         strncmp(url, "postgresql://", 13) == 0 ||
         (strchr(url, '=') != NULL && strncmp(url, "sqlite:", 7) != 0);
}

/* The message of a failure, one line (libpq's end in newlines and may
** hold several), the password scrubbed. */
static void set_msg(driver_conn *c, const char *text, const char *sqlstate) {
  if (sqlstate && *sqlstate)
    error_format(c->msg, sizeof c->msg, "%s (SQLSTATE %s)", text, sqlstate);
  else
    error_format(c->msg, sizeof c->msg, "%s", text);
  postgres_redact(c->msg, sizeof c->msg, c->password);
}

static atesql_status map_sqlstate(const char *state) {
  if (state == NULL || strlen(state) != 5) return ATESQL_INTERNAL;
  if (strcmp(state, "23505") == 0) return ATESQL_ALREADY_EXISTS;
  if (strcmp(state, "23503") == 0) return ATESQL_FAILED_PRECONDITION;
  if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
    return ATESQL_CONFLICT;
  if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
      strncmp(state, "53", 2) == 0 || strcmp(state, "55P03") == 0 ||
      strcmp(state, "25006") == 0 /* read-only: a standby after failover */)
    return ATESQL_UNAVAILABLE;
  /* 54000: a value too large for an index entry; the store bounds indexed
  ** text first (ATESQL_INDEXED_TEXT_MAX), this is the safety net. */
  if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0 ||
      strcmp(state, "54000") == 0)
    return ATESQL_INVALID_ARGUMENT;
  return ATESQL_INTERNAL;
}

/* Record why res (possibly NULL) failed and return its status. A lost
** connection is UNAVAILABLE whatever the result says. */
static atesql_status fail(driver_conn *c, const PGresult *res) {
  if (res == NULL && c->timed_out) {
    c->timed_out = false;
    return ATESQL_DEADLINE_EXCEEDED;
  }
  if (res == NULL && c->cancelled) {
    c->cancelled = false;
    return ATESQL_CANCELLED;
  }
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *text = res ? PQresultErrorMessage(res) : "";
  if (text == NULL || *text == '\0') text = PQerrorMessage(c->pg);
  if (state && strcmp(state, "25006") == 0) {
    /* A standby, or an old primary fenced read-only after a failover. A
    ** session that began read-write keeps its settings, so only a new
    ** connection can reach the primary: the next call makes one. */
    c->reconnect = true;
    char why[ATESQL_ERROR_MESSAGE_MAX];
    snprintf(why, sizeof why,
             "the server is read-only (a standby or a fenced primary); the "
             "next call reconnects: %.300s",
             text);
    set_msg(c, why, state);
    return ATESQL_UNAVAILABLE;
  }
  set_msg(c, text, state);
  if (PQstatus(c->pg) == CONNECTION_BAD) return ATESQL_UNAVAILABLE;
  return res ? map_sqlstate(state) : ATESQL_UNAVAILABLE;
}

/* What target_session_attrs (the URL's, or PGTARGETSESSIONATTRS) asks. */
static void read_session_attrs(driver_conn *c) {
  PQconninfoOption *opts = PQconninfo(c->pg);
  for (PQconninfoOption *o = opts; o && o->keyword; o++) {
    if (strcmp(o->keyword, "target_session_attrs") != 0 || o->val == NULL)
      continue;
    c->wants_read_write = strcmp(o->val, "read-write") == 0;
    c->wants_primary = strcmp(o->val, "primary") == 0;
  }
  PQconninfoFree(opts);
}

/* Whether the server is no longer what target_session_attrs asked for,
** by the settings it reports (PostgreSQL 14 and later report both on
** every change, with the answer to the call that saw it). */
static bool left_target_session(driver_conn *c) {
  if (!c->wants_read_write && !c->wants_primary) return false;
  const char *standby = PQparameterStatus(c->pg, "in_hot_standby");
  if (standby && strcmp(standby, "on") == 0) return true;
  const char *ro = PQparameterStatus(c->pg, "default_transaction_read_only");
  return c->wants_read_write && ro && strcmp(ro, "on") == 0;
}

/*
** Settings every named-statement session gets, at each connect. A
** prepared statement keeps one generic plan: atesql's statements carry
** every value as a parameter but the empty one, the partial indexes are
** built for exactly that (migration 0003), tests/plans judges that plan
** at a million workers, and a list's limit is in its text (store/page.c).
** Left to choose, the server planned a statement afresh at every call
** (0.2-0.4 ms, more than the page) whenever its estimates made the
** generic plan look costlier than the custom plans of the first five
** calls, which from one fleet size to the next held for different
** statements. (Behind a transaction pooler statements are unnamed, and a
** SET would outlive the transaction on a server connection other clients
** share: nothing is set there.)
*/
#define SESSION_SETTINGS "SET plan_cache_mode = force_generic_plan"

/* Apply SESSION_SETTINGS on a new connection; fails like a connect. */
static bool set_up_session(driver_conn *c) {
  if (c->unnamed) return true;
  PGresult *res = PQexec(c->pg, SESSION_SETTINGS);
  bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!ok)
    set_msg(c, res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg), NULL);
  PQclear(res);
  return ok;
}

/* Server notices ("relation already exists, skipping") are not errors and
** must not reach the application's stderr. */
static void ignore_notice(void *arg, const char *message) {
  (void)arg;
  (void)message;
}

static atesql_status postgres_connect(const char *url, driver_conn **out,
                                      atesql_error *err) {
  *out = NULL;
  postgres_options opts;
  char *libpq_url = NULL;
  atesql_status st = postgres_conninfo_split(url, &libpq_url, &opts, err);
  if (st == ATESQL_OK) st = postgres_conninfo_check(libpq_url, err);
  driver_conn *c = st == ATESQL_OK ? calloc(1, sizeof *c) : NULL;
  if (c == NULL) {
    free(libpq_url);
    return st != ATESQL_OK
               ? st
               : error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  }
  url = libpq_url;
  c->unnamed = opts.transaction_pooler;
  c->password = postgres_conninfo_password(url);
  c->generation = 1;
  /* connect_timeout defaults to 10 s (libpq's default is to wait
  ** forever); the URL's own setting, expanded after it, wins. */
  const char *const keys[] = {"connect_timeout", "dbname", NULL};
  const char *const values[] = {DEFAULT_CONNECT_TIMEOUT_S, url, NULL};
  c->pg = PQconnectdbParams(keys, values, 1);
  if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
    set_msg(c, c->pg ? PQerrorMessage(c->pg) : "out of memory", NULL);
    st = error_set(err, ATESQL_UNAVAILABLE, 0,
                   "cannot connect to PostgreSQL: %s", c->msg);
    PQfinish(c->pg);
    free(c->password);
    free(c);
    free(libpq_url);
    return st;
  }
  free(libpq_url);
  PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
  if (!set_up_session(c)) {
    st = error_set(err, ATESQL_UNAVAILABLE, 0,
                   "cannot set up the PostgreSQL session: %s", c->msg);
    PQfinish(c->pg);
    free(c->password);
    free(c);
    return st;
  }
  read_session_attrs(c);
  c->interrupt_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  *out = c;
  return ATESQL_OK;
}

static void postgres_set_timeout(driver_conn *c, int timeout_ms) {
  c->timeout_ms = timeout_ms;
}

static void postgres_disconnect(driver_conn *c) {
  if (c == NULL) return;
  if (c->interrupt_fd >= 0) close(c->interrupt_fd);
  PQfinish(c->pg);
  free(c->password);
  free(c);
}

/*
** Whether the server closed the connection since the last call (a
** restart, an idle timeout): what it sent meanwhile is read without
** waiting. Then the call goes to a new connection instead of failing on
** the dead one, which would make a write that never left look in doubt.
*/
static bool closed_while_idle(driver_conn *c) {
  for (int i = 0; i < 8 && PQstatus(c->pg) == CONNECTION_OK; i++) {
    struct pollfd p = {.fd = PQsocket(c->pg), .events = POLLIN};
    if (poll(&p, 1, 0) <= 0) return false;
    if (!PQconsumeInput(c->pg)) break;
  }
  return PQstatus(c->pg) != CONNECTION_OK;
}

/* Before each call: a connection lost earlier, or one to a server that
** turned read-only, is reset here, and its statements will be prepared
** again on their next use. */
static atesql_status ensure_connected(driver_conn *c) {
  if (PQstatus(c->pg) == CONNECTION_OK && !c->reconnect) {
    bool in_tx = PQtransactionStatus(c->pg) != PQTRANS_IDLE;
    if (!closed_while_idle(c) && (in_tx || !left_target_session(c)))
      return ATESQL_OK;
    if (in_tx) { /* a new connection would run the call outside it */
      set_msg(c, "the connection was lost, and its transaction with it", NULL);
      return ATESQL_UNAVAILABLE;
    }
  }
  /* Not inside a transaction: the store refuses calls in a transaction
  ** whose connection is gone before they get here. */
  c->reconnect = false;
  PQreset(c->pg);
  c->generation++;
  if (PQstatus(c->pg) != CONNECTION_OK) {
    set_msg(c, PQerrorMessage(c->pg), NULL);
    return ATESQL_UNAVAILABLE;
  }
  PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
  if (set_up_session(c)) return ATESQL_OK;
  /* A session without its settings is not used: the next call connects
  ** again. */
  c->reconnect = true;
  return ATESQL_UNAVAILABLE;
}

static bool result_failed(const PGresult *r) {
  ExecStatusType rs = PQresultStatus(r);
  return rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK;
}

enum wait_result { WAIT_READY, WAIT_TIMED_OUT, WAIT_INTERRUPTED };

/* Wait until the socket is ready for events, the deadline (0: none)
** passes, or the call is interrupted. */
static enum wait_result wait_socket(driver_conn *c, short events,
                                    int64_t deadline) {
  for (;;) {
    if (atomic_load(&c->interrupted)) return WAIT_INTERRUPTED;
    int wait = -1;
    if (deadline) {
      int64_t left = deadline - clock_now_ms();
      if (left <= 0) return WAIT_TIMED_OUT;
      wait = left > INT32_MAX ? INT32_MAX : (int)left;
    }
    if (c->interrupt_fd < 0 && (wait < 0 || wait > 10)) wait = 10;
    struct pollfd p[2] = {{.fd = PQsocket(c->pg), .events = events},
                          {.fd = c->interrupt_fd, .events = POLLIN}};
    int n = poll(p, c->interrupt_fd >= 0 ? 2 : 1, wait);
    if (n > 0 && p[0].revents) return WAIT_READY;
    if (n > 0) { /* the eventfd: interrupted, or a stale wake-up */
      uint64_t v;
      if (read(c->interrupt_fd, &v, sizeof v) < 0) {
        /* nothing to drain: another wake-up took it */
      }
      continue;
    }
    if (n < 0 && errno != EINTR) return WAIT_READY;
    if (n == 0 && deadline && clock_now_ms() >= deadline) return WAIT_TIMED_OUT;
  }
}

/*
** The answer to a query just sent (sent: the PQsend* call's result): its
** first failed result, else its last one. NULL when sending failed, the
** connection was lost, or no answer came within timeout_ms; then c->msg
** says which. A call that timed out leaves its connection behind (the
** server may still be working on it): the next call makes a new one, and
** a write that timed out may or may not have happened.
*/
static PGresult *await_result(driver_conn *c, int sent) {
  if (!sent) return NULL;
  c->round_trips++;
  int64_t deadline = c->timeout_ms ? clock_now_ms() + c->timeout_ms : 0;
  enum wait_result w = WAIT_READY;
  while (w == WAIT_READY && PQflush(c->pg) == 1)
    w = wait_socket(c, POLLIN | POLLOUT, deadline);
  bool timed_out = w != WAIT_READY;
  PGresult *kept = NULL;
  while (!timed_out) {
    while (!timed_out && PQisBusy(c->pg)) {
      w = wait_socket(c, POLLIN, deadline);
      timed_out = w != WAIT_READY;
      if (!timed_out && !PQconsumeInput(c->pg)) {
        PQclear(kept);
        return NULL;
      }
    }
    if (timed_out) break;
    PGresult *r = PQgetResult(c->pg);
    if (r == NULL) return kept;
    if (kept && result_failed(kept)) {
      PQclear(r); /* the first failure is the one to report */
    } else {
      PQclear(kept);
      kept = r;
    }
  }
  PQclear(kept);
  c->reconnect = true;
  char why[ATESQL_ERROR_MESSAGE_MAX];
  if (w == WAIT_INTERRUPTED) {
    c->cancelled = true;
    snprintf(why, sizeof why,
             "interrupted (atesql_store_interrupt) while waiting for the "
             "server; the call was abandoned and the next one reconnects (a "
             "write may or may not have happened: reread it)");
  } else {
    c->timed_out = true;
    snprintf(why, sizeof why,
             "no answer from the server within %d ms; the call was "
             "abandoned and the next one reconnects (a write may or may not "
             "have happened: reread it)",
             c->timeout_ms);
  }
  set_msg(c, why, NULL);
  return NULL;
}

static atesql_status postgres_exec(driver_conn *c, const char *sql) {
  atesql_status st = ensure_connected(c);
  if (st != ATESQL_OK) return st;
  PGresult *res = await_result(c, PQsendQuery(c->pg, sql));
  ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  st = (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK) ? ATESQL_OK
                                                         : fail(c, res);
  PQclear(res);
  return st;
}

static atesql_status postgres_prepare(driver_conn *c, const char *sql,
                                      driver_stmt **out) {
  driver_stmt *s = calloc(1, sizeof *s);
  if (s) s->sql = strdup(sql);
  if (s == NULL || s->sql == NULL) {
    free(s);
    set_msg(c, "out of memory", NULL);
    return ATESQL_NO_MEMORY;
  }
  snprintf(s->name, sizeof s->name, "atesql_%" PRIu64, ++c->next_name);
  *out = s;
  return ATESQL_OK;
}

static void postgres_finalize(driver_conn *c, driver_stmt *s) {
  if (s == NULL) return;
  PQclear(s->result);
  if (s->prepared_on == c->generation && PQstatus(c->pg) == CONNECTION_OK) {
    char sql[64];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
    PQclear(await_result(c, PQsendQuery(c->pg, sql)));
  }
  free(s->sql);
  free(s);
}

static atesql_status prepare_on_server(driver_conn *c, driver_stmt *s) {
  if (s->prepared_on == c->generation) return ATESQL_OK;
  PGresult *res =
      await_result(c, PQsendPrepare(c->pg, s->name, s->sql, 0, NULL));
  atesql_status st =
      res && PQresultStatus(res) == PGRES_COMMAND_OK ? ATESQL_OK : fail(c, res);
  PQclear(res);
  if (st == ATESQL_OK) s->prepared_on = c->generation;
  return st;
}

/* A statement's parameters: one per selector term, the page token's key
** (at most 3 columns) and the page size, or a record's columns; a page
** read as of a revision (store/list_at.c) has the selector's twice and
** the revision. */
enum { MAX_PARAMS = 2 * ATESQL_SELECTOR_TERMS_MAX + 8 };
_Static_assert(MAX_PARAMS >= 16, "a record's columns are parameters too");

static atesql_status postgres_query(driver_conn *c, driver_stmt *s,
                                    const db_param *params, size_t n,
                                    bool *has_row) {
  *has_row = false;
  PQclear(s->result);
  s->result = NULL;
  if (n > MAX_PARAMS) {
    set_msg(c, "too many parameters", NULL);
    return ATESQL_INTERNAL;
  }
  atesql_status st = ensure_connected(c);
  if (st == ATESQL_OK && !c->unnamed) st = prepare_on_server(c, s);
  if (st != ATESQL_OK) return st;

  const char *values[MAX_PARAMS];
  char numbers[MAX_PARAMS][24];
  for (size_t i = 0; i < n; i++) {
    if (params[i].type == DB_INT64) {
      snprintf(numbers[i], sizeof numbers[i], "%" PRId64, params[i].int64);
      values[i] = numbers[i];
    } else {
      values[i] = params[i].type == DB_TEXT ? params[i].text : NULL;
    }
  }
  int sent = c->unnamed ? PQsendQueryParams(c->pg, s->sql, (int)n, NULL, values,
                                            NULL, NULL, 0)
                        : PQsendQueryPrepared(c->pg, s->name, (int)n, values,
                                              NULL, NULL, 0);
  PGresult *res = await_result(c, sent);
  ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
    st = fail(c, res);
    PQclear(res);
    return st;
  }
  s->result = res;
  s->row = 0;
  s->rows = PQntuples(res);
  *has_row = s->rows > 0;
  return ATESQL_OK;
}

static atesql_status postgres_next(driver_conn *c, driver_stmt *s,
                                   bool *has_row) {
  (void)c;
  s->row++;
  *has_row = s->row < s->rows;
  return ATESQL_OK;
}

static bool postgres_column_is_null(driver_stmt *s, int col) {
  return PQgetisnull(s->result, s->row, col);
}

static const char *postgres_column_text(driver_stmt *s, int col, size_t *len) {
  *len = (size_t)PQgetlength(s->result, s->row, col);
  return PQgetvalue(s->result, s->row, col);
}

static int64_t postgres_column_int64(driver_stmt *s, int col) {
  return strtoll(PQgetvalue(s->result, s->row, col), NULL, 10);
}

/* The PGresult holds every row of the run, its text NUL-terminated: a
** page of a list points into it instead of copying it. */
static void *postgres_keep_rows(driver_stmt *s) {
  PGresult *rows = s->result;
  s->result = NULL;
  s->rows = s->row = 0;
  return rows;
}

static void postgres_release_rows(void *rows) { PQclear(rows); }

static atesql_status postgres_reset(driver_conn *c, driver_stmt *s) {
  (void)c;
  PQclear(s->result);
  s->result = NULL;
  s->rows = s->row = 0;
  return ATESQL_OK;
}

/* Open, or failed and waiting for ROLLBACK; not when the connection is
** gone (PQTRANS_UNKNOWN). */
static bool postgres_in_transaction(driver_conn *c) {
  if (c->reconnect) return false; /* abandoned with its connection */
  PGTransactionStatusType t = PQtransactionStatus(c->pg);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* NOTIFY arrives on the socket once the watch has run LISTEN on this
** connection; a new connection (generation) needs LISTEN again. Behind a
** transaction pooler a LISTEN lasts one transaction of some server
** connection: none, and the watch polls. */
static int postgres_wake_fd(driver_conn *c, uint64_t *generation) {
  *generation = c->generation;
  if (c->unnamed) return -1;
  return PQstatus(c->pg) == CONNECTION_OK ? PQsocket(c->pg) : -1;
}

static bool postgres_wake_drain(driver_conn *c) {
  if (!PQconsumeInput(c->pg)) return true; /* broken: the next call tells */
  bool any = false;
  PGnotify *n;
  while ((n = PQnotifies(c->pg)) != NULL) {
    PQfreemem(n);
    any = true;
  }
  return any;
}

static uint64_t postgres_round_trips(driver_conn *c) { return c->round_trips; }

static void postgres_counters(driver_conn *c, uint64_t *reconnects,
                              uint64_t *retries) {
  *reconnects = c->generation - 1;
  *retries = 0;
}

static const char *postgres_errmsg(driver_conn *c) { return c->msg; }

static void postgres_interrupt(driver_conn *c) {
  atomic_store(&c->interrupted, true);
  if (c->interrupt_fd >= 0) {
    uint64_t one = 1;
    if (write(c->interrupt_fd, &one, sizeof one) < 0) {
      /* the counter is full: it is readable already */
    }
  }
}

static void postgres_interrupt_clear(driver_conn *c) {
  atomic_store(&c->interrupted, false);
}

const driver postgres_driver = {
    .name = "postgres",
    .dialect = ATESQL_DIALECT_POSTGRES,
    .accepts = postgres_accepts,
    .connect = postgres_connect,
    .disconnect = postgres_disconnect,
    .exec = postgres_exec,
    .prepare = postgres_prepare,
    .finalize = postgres_finalize,
    .query = postgres_query,
    .next = postgres_next,
    .column_is_null = postgres_column_is_null,
    .column_text = postgres_column_text,
    .column_int64 = postgres_column_int64,
    .in_transaction = postgres_in_transaction,
    .set_timeout = postgres_set_timeout,
    .keep_rows = postgres_keep_rows,
    .release_rows = postgres_release_rows,
    .reset = postgres_reset,
    .wake_fd = postgres_wake_fd,
    .wake_drain = postgres_wake_drain,
    .round_trips = postgres_round_trips,
    .counters = postgres_counters,
    .interrupt = postgres_interrupt,
    .interrupt_clear = postgres_interrupt_clear,
    .errmsg = postgres_errmsg,
};
