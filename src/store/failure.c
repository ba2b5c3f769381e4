/*
** The failure state of a handle: the message of its last call
** (atesql_errmsg), and the transaction a failed statement stops, so
** that every later call in it reports why until the caller rolls back.
*/
#include <stdarg.h>
#include <stdio.h>

#include "store/store.h"
#include "util/error.h"

void store_begin_call(atesql_store *s) {
  s->drv->interrupt_clear(s->conn);
  if (s->tx_broken != ATESQL_OK && s->tx_broken_msg[0] == '\0')
    snprintf(s->tx_broken_msg, sizeof s->tx_broken_msg, "%.*s",
             (int)sizeof s->tx_broken_msg - 1, s->errmsg);
  s->errmsg[0] = '\0';
}

/*
** A transaction fails as a whole. Once a statement in it failed, or its
** connection was lost (PostgreSQL), or the database rolled it back
** (SQLite after SQLITE_FULL or SQLITE_IOERR), no later statement may run:
** on a new connection or in autocommit it would be written on its own.
** Every call until the caller rolls back reports why.
*/
void tx_break(atesql_store *s, atesql_status status, const char *reason) {
  if (s->tx_broken != ATESQL_OK) return;
  s->tx_broken = status;
  /* Without a reason, the failing call's own final message is the reason,
  ** taken when the next call begins (store_begin_call). */
  error_format(s->tx_broken_msg, sizeof s->tx_broken_msg, "%s",
               reason ? reason : "");
}

/* A statement of the open transaction failed: the transaction is lost if
** the database no longer holds it, else it is stopped. */
void tx_statement_failed(atesql_store *s) {
  if (s->in_tx)
    tx_break(s,
             s->drv->in_transaction(s->conn) ? ATESQL_FAILED_PRECONDITION
                                             : ATESQL_UNAVAILABLE,
             NULL);
}

atesql_status store_fail(atesql_store *s, atesql_status status, const char *fmt,
                         ...) {
  va_list ap;
  va_start(ap, fmt);
  error_vformat(s->errmsg, sizeof s->errmsg, fmt, ap);
  va_end(ap);
  /* Out of memory, or a failure the store cannot place, part-way through
  ** a call: what the call meant to write is not all there. */
  if (status == ATESQL_NO_MEMORY || status == ATESQL_INTERNAL)
    tx_statement_failed(s);
  return status;
}

atesql_status store_fail_db(atesql_store *s, atesql_status status,
                            const char *fmt, ...) {
  char context[ATESQL_ERROR_MESSAGE_MAX / 2];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(context, sizeof context, fmt, ap);
  va_end(ap);
  /* The detail: errmsg when this call set it (a failed statement copies
  ** the driver's message there, the transaction guard its own), else the
  ** driver's message (a script run by drv->exec). */
  char detail[ATESQL_ERROR_MESSAGE_MAX / 2 - 8];
  snprintf(detail, sizeof detail, "%.*s", (int)sizeof detail - 1,
           s->errmsg[0] ? s->errmsg : s->drv->errmsg(s->conn));
  error_format(s->errmsg, sizeof s->errmsg, "%.*s: %.*s",
               (int)sizeof context - 1, context, (int)sizeof detail - 1,
               detail);
  tx_statement_failed(s); /* a prepare, or a statement, of the call failed */
  return status;
}
