/*
** Transactions: begin, commit and rollback on a handle, which fail as a
** whole (store.h, tx_break), and store_in_tx, which runs an operation in
** the caller's transaction or in one of its own.
*/
#include <stdio.h>

#include "store/store.h"

/* The transaction is over: let the driver's queue of writers go on. */
static void tx_leave(atesql_store *s) {
  if (s->drv->tx_leave) s->drv->tx_leave(s->conn);
}

static atesql_status tx_begin(atesql_store *s) {
  if (s->in_tx)
    return store_fail(s, ATESQL_FAILED_PRECONDITION,
                      "a transaction is already open on this handle");
  /* ROLLBACK is prepared before the transaction begins, so that ending it
  ** needs no allocation that could fail part-way. */
  atesql_status st = ATESQL_OK;
  if (s->named[STMT_tx_rollback] == NULL)
    st = s->drv->prepare(s->conn, s->named_sql[STMT_tx_rollback],
                         &s->named[STMT_tx_rollback]);
  if (st != ATESQL_OK) return store_fail_db(s, st, "prepare rollback");
  if (s->drv->tx_enter) {
    st = s->drv->tx_enter(s->conn);
    if (st != ATESQL_OK) return store_fail_db(s, st, "begin transaction");
  }
  st = exec_named(s, STMT_tx_begin, NULL, 0);
  if (st != ATESQL_OK) {
    tx_leave(s);
    return store_fail_db(s, st, "begin transaction");
  }
  s->in_tx = true;
  s->tx_broken = ATESQL_OK;
  return ATESQL_OK;
}

/*
** End the open transaction by rolling it back: OK when the database no
** longer holds it (it rolled it back, or its connection is gone) or the
** rollback ran. When the rollback fails and the database still holds the
** transaction, the handle stays in it (every call refused) for the caller
** to roll back again.
*/
static atesql_status tx_end_by_rollback(atesql_store *s) {
  s->in_tx = false;
  if (!s->drv->in_transaction(s->conn)) {
    tx_leave(s);
    return ATESQL_OK;
  }
  atesql_status st = exec_named(s, STMT_tx_rollback, NULL, 0);
  if (st != ATESQL_OK && s->drv->in_transaction(s->conn)) {
    s->in_tx = true;
    if (s->tx_broken == ATESQL_OK) s->tx_broken = ATESQL_FAILED_PRECONDITION;
    snprintf(s->tx_broken_msg, sizeof s->tx_broken_msg, "its rollback failed");
    return st;
  }
  tx_leave(s);
  return st;
}

static atesql_status tx_commit(atesql_store *s) {
  if (!s->in_tx)
    return store_fail(s, ATESQL_FAILED_PRECONDITION,
                      "no transaction is open on this handle");
  atesql_status st = exec_named(s, STMT_tx_commit, NULL, 0);
  if (st == ATESQL_OK && s->drv->in_transaction(s->conn))
    st = store_fail(s, ATESQL_INTERNAL, "the transaction is still open");
  if (st == ATESQL_OK) {
    s->in_tx = false;
    tx_leave(s);
    return ATESQL_OK;
  }
  /* A failed commit ends the transaction with nothing of it written: roll
  ** back what remains. */
  char msg[ATESQL_ERROR_MESSAGE_MAX];
  snprintf(msg, sizeof msg, "%s", s->errmsg);
  if (tx_end_by_rollback(s) != ATESQL_OK)
    return store_fail(s, st,
                      "commit: %s; the rollback failed too, so the "
                      "transaction is still open: roll it back",
                      msg);
  return store_fail(s, st, "commit: %s", msg);
}

static atesql_status tx_rollback(atesql_store *s) {
  if (!s->in_tx)
    return store_fail(s, ATESQL_FAILED_PRECONDITION,
                      "no transaction is open on this handle");
  atesql_status st = tx_end_by_rollback(s);
  return st == ATESQL_OK ? st : store_fail_db(s, st, "rollback");
}

static atesql_status tx_begin_call(atesql_store *s) { return tx_begin(s); }

atesql_status atesql_tx_begin(atesql_store *s) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_TX_BEGIN, start, tx_begin_call(s));
}

static atesql_status tx_commit_call(atesql_store *s) { return tx_commit(s); }

atesql_status atesql_tx_commit(atesql_store *s) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_TX_COMMIT, start, tx_commit_call(s));
}

static atesql_status tx_rollback_call(atesql_store *s) {
  return tx_rollback(s);
}

atesql_status atesql_tx_rollback(atesql_store *s) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_TX_ROLLBACK, start, tx_rollback_call(s));
}

atesql_status store_in_tx(atesql_store *s,
                          atesql_status (*fn)(atesql_store *s, void *arg),
                          void *arg) {
  if (s->in_tx) return fn(s, arg);
  atesql_status st = tx_begin(s);
  if (st != ATESQL_OK) return st;
  st = fn(s, arg);
  if (st == ATESQL_OK) return tx_commit(s);
  char msg[ATESQL_ERROR_MESSAGE_MAX];
  snprintf(msg, sizeof msg, "%s", s->errmsg);
  tx_rollback(s);
  snprintf(s->errmsg, sizeof s->errmsg, "%s", msg);
  return st;
}
