/*
** The dialect table of dialect.h: one row per database the store speaks.
*/
#include "store/dialect.h"

#include <stdio.h>

#include "atesql/watch.h"
#include "store/explain.h"

static const store_dialect dialects[] = {
    {
        .id = ATESQL_DIALECT_SQLITE,
        .dir = "sqlite",
        .placeholder = '?',
        .writes_report_probe = false,
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

void placeholder(const store_dialect *d, size_t n, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "%c%zu", d->placeholder, n);
}
