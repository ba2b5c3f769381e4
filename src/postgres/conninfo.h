/*
** Checking a PostgreSQL URL or key=value conninfo before connecting, and
** keeping its password out of every message (postgres/conninfo.c). Kept
** apart from the driver so that it can be tested and fuzzed without a
** server.
*/
#ifndef ATESQL_POSTGRES_CONNINFO_H
#define ATESQL_POSTGRES_CONNINFO_H

#include <stddef.h>

#include "atesql/types.h"

/*
** Parse url as libpq does and check what libpq would only refuse when
** connecting: every port (a comma-separated list for multi-host URLs) is
** empty or 1..65535, connect_timeout and keepalive settings are integers.
** Errors: INVALID_ARGUMENT naming the option, its value quoted as a
** bounded excerpt, the password never shown; NO_MEMORY.
*/
atesql_status postgres_conninfo_check(const char *url, atesql_error *err);

/* atesql's own options in a PostgreSQL URL or conninfo. */
typedef struct postgres_options {
  /* atesql_pooler=transaction: a transaction pooler (pgbouncer's
  ** pool_mode=transaction) sits between atesql and the server, so no
  ** statement may outlive a transaction: statements are sent unnamed. */
  bool transaction_pooler;
} postgres_options;

/*
** Take atesql's options out of url: *libpq_url receives the rest, for
** libpq (malloc'd), and *opts the options. The option is a query
** parameter of a URL (postgresql://h/db?atesql_pooler=transaction) or a
** key=value pair of a conninfo. Errors: INVALID_ARGUMENT for an unknown
** value, NO_MEMORY.
*/
atesql_status postgres_conninfo_split(const char *url, char **libpq_url,
                                      postgres_options *opts,
                                      atesql_error *err);

/* The password url gives (user:PASSWORD@ or password=...), malloc'd; NULL
** when none or out of memory. Works on text libpq cannot parse. */
char *postgres_conninfo_password(const char *url);

/* Replace every occurrence of password in buf (size bufsz) with "***". */
void postgres_redact(char *buf, size_t bufsz, const char *password);

#endif /* ATESQL_POSTGRES_CONNINFO_H */
