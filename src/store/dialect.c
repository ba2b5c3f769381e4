/*
** The dialect table of dialect.h: one row per database the store speaks.
*/
#include "store/dialect.h"

#include <stdio.h>

#include "atesql/watch.h"
#include <string.h>

#include "store/claim_paths.h"
#include "store/explain.h"

/* PostgreSQL's claims run in the server's functions (migration 0007). */
static const char *const postgres_absent[] = {
    "claim_lock_actor", "claim_holders", "claim_assign", NULL};

static const store_dialect dialects[] = {
    {
        .id = ATESQL_DIALECT_SQLITE,
        .dir = "sqlite",
        .placeholder = '?',
        .writes_report_probe = false,
        .claim = &claim_in_steps,
        .absent_statements = NULL,
        /* One writer at a time: a claim's transaction excludes the rest. */
        .candidate_lock = "",
        .changed_sql = "PRAGMA data_version",
        .watch_polls = true,
        .watch_poll_ms = ATESQL_WATCH_POLL_MS,
        .read_plan = explain_sqlite,
    },
    {
        .id = ATESQL_DIALECT_POSTGRES,
        .dir = "postgres",
        .placeholder = '$',
        .writes_report_probe = true,
        .claim = &claim_in_one_call,
        .absent_statements = postgres_absent,
        .candidate_lock = " FOR UPDATE SKIP LOCKED",
        .changed_sql = NULL,
        .watch_polls = true,
        .watch_poll_ms = ATESQL_WATCH_POLL_MS_POSTGRES,
        .read_plan = explain_postgres,
    },
};

const store_dialect *store_dialect_of(atesql_dialect id) {
  for (size_t i = 0; i < sizeof dialects / sizeof dialects[0]; i++)
    if (dialects[i].id == id) return &dialects[i];
  return NULL;
}

bool dialect_lacks_statement(const store_dialect *d, const char *name) {
  for (const char *const *p = d->absent_statements; p && *p; p++)
    if (strcmp(*p, name) == 0) return true;
  return false;
}

void placeholder(const store_dialect *d, size_t n, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "%c%zu", d->placeholder, n);
}
