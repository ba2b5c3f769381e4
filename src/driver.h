/*
** The narrow interface every backend implements. A driver connects,
** prepares statements, binds text/int64/null parameters, steps through
** rows, runs parameterless scripts, and maps its native errors (SQLite
** result codes, PostgreSQL SQLSTATEs) to atesql_status. It knows nothing of
** records, selectors or operations: those live once in src/store/.
*/
#ifndef ATESQL_DRIVER_H
#define ATESQL_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atesql/selector.h"
#include "atesql/types.h"

typedef struct driver_conn driver_conn;
typedef struct driver_stmt driver_stmt;

typedef enum db_type { DB_TEXT = 1, DB_INT64, DB_NULL } db_type;

/* One bound parameter; text is borrowed for the call. */
typedef struct db_param {
  db_type type;
  const char *text;
  size_t len;
  int64_t int64;
} db_param;

typedef struct driver {
  const char *name;
  atesql_dialect dialect;
  /* Is `url` addressed to this driver? */
  bool (*accepts)(const char *url);
  /* Connect. On failure *out is NULL and err says why (never repeating a
  ** password from the URL). */
  atesql_status (*connect)(const char *url, driver_conn **out,
                           atesql_error *err);
  void (*disconnect)(driver_conn *c);
  /* Run a script of one or more statements without parameters or rows. */
  atesql_status (*exec)(driver_conn *c, const char *sql);
  /* Prepare one statement for repeated use. */
  atesql_status (*prepare)(driver_conn *c, const char *sql, driver_stmt **out);
  void (*finalize)(driver_conn *c, driver_stmt *s);
  /* Bind params[0..n) and run s; *has_row tells whether a first row is
  ** current. */
  atesql_status (*query)(driver_conn *c, driver_stmt *s, const db_param *params,
                         size_t n, bool *has_row);
  /* Advance to the next row. */
  atesql_status (*next)(driver_conn *c, driver_stmt *s, bool *has_row);
  /* Columns of the current row, 0-based. Text is valid until the next
  ** next/reset on s; SQL NULL reads as "". column_text returns NULL when
  ** it ran out of memory (SQLite converting a number to text). */
  bool (*column_is_null)(driver_stmt *s, int col);
  const char *(*column_text)(driver_stmt *s, int col, size_t *len);
  int64_t (*column_int64)(driver_stmt *s, int col);
  /* Hand the rows of s's current run over to the caller: the text that
  ** column_text returned for any of them stays valid, across next and
  ** reset, until release_rows(rows). Call before reset; the run then
  ** reads no further rows. NULL, both, when the driver's text lives only
  ** until the next step (SQLite): the store copies it instead. */
  void *(*keep_rows)(driver_stmt *s);
  void (*release_rows)(void *rows);
  /* Finish the current run of s, releasing its rows and locks. A write
  ** outside a transaction may commit here (SQLite's RETURNING), so the
  ** status is the write's. */
  atesql_status (*reset)(driver_conn *c, driver_stmt *s);
  /* Whether a transaction is open on the connection: false once the
  ** connection is lost or the database rolled the transaction back. */
  bool (*in_transaction)(driver_conn *c);
  /* Bound every wait for the database (a statement's answer, a lock) to
  ** timeout_ms; 0 removes the bound. A statement that runs out is
  ** UNAVAILABLE. */
  void (*set_timeout)(driver_conn *c, int timeout_ms);
  /* Optional (NULL: nothing to do). Called before a transaction begins
  ** and after it ends, for a driver that queues its process's writers
  ** (SQLite, sqlite/writers.h). tx_enter fails with UNAVAILABLE when the
  ** turn does not come within the timeout. */
  atesql_status (*tx_enter)(driver_conn *c);
  void (*tx_leave)(driver_conn *c);
  /* Optional (NULL: the driver cannot wake a watch). For a watch of the
  ** workers' change feed (store/watch.c): a descriptor that becomes
  ** readable when another connection may have committed a change
  ** (SQLite: an eventfd this process's writers of the file signal at the
  ** end of each write; PostgreSQL: the socket, where NOTIFY arrives once
  ** the watch has run its listen statement). *generation changes when the
  ** connection was made again: the descriptor may be new, and the listen
  ** statement must run again. -1 when there is none. */
  int (*wake_fd)(driver_conn *c, uint64_t *generation);
  /* Consume what made wake_fd readable; true when something was pending
  ** (a notification, a signal, or a connection that broke). */
  bool (*wake_drain)(driver_conn *c);
  /* Optional (NULL: a driver whose statements cost no round trip). The
  ** requests c has sent to the server and waited on: each is one network
  ** round trip. Lets tests hold an operation to its round trips. */
  uint64_t (*round_trips)(driver_conn *c);
  /* Optional (NULL: none). Connections made again since c was opened,
  ** and statements tried again after waiting for a lock (SQLite's busy
  ** waits), for atesql_store_stats. */
  void (*counters)(driver_conn *c, uint64_t *reconnects, uint64_t *retries);
  /* Interrupt what c is running or waiting for, from another thread
  ** (atesql_store_interrupt): the call returns CANCELLED. Thread-safe.
  ** interrupt_clear, at the start of every call, forgets an interrupt
  ** that came while no call ran. */
  void (*interrupt)(driver_conn *c);
  void (*interrupt_clear)(driver_conn *c);
  /* The detail of the last failure on c. */
  const char *(*errmsg)(driver_conn *c);
} driver;

extern const driver sqlite_driver;
extern const driver postgres_driver;

#endif /* ATESQL_DRIVER_H */
