/*
** PostgreSQL suites' shared ground: the server of ATESQL_TEST_PG, a
** schema of one's own per test (selected by search_path), statements run
** as the administrator, and backends ended as a failover would.
*/
#ifndef ATESQL_TEST_PG_SCHEMA_H
#define ATESQL_TEST_PG_SCHEMA_H

#include "atesql/atesql.h"

/* ATESQL_TEST_PG, set by pg_schema_init. */
extern const char *base_url;

/* Read ATESQL_TEST_PG into base_url. Returns the exit code a suite ends
** with when it is unset (77, skipped; 1 under CI, where PostgreSQL must
** be tested), after saying so; 0 when it is set. */
int pg_schema_init(void);

/* base_url with one more connection option, in its own syntax. Static,
** one of four buffers in turn. */
char *url_with(const char *key, const char *value);

/* Run sql (one or more statements) on a connection of its own; fails the
** test on an error. */
void admin_exec(const char *sql);

/* base_url selecting schema by search_path. Static, overwritten by the
** next call. */
const char *url_in_schema(const char *schema);

/* A store on a schema of its own (dropped and made again), migrated and
** empty, its connections named `app` (application_name). Static URL as
** url_in_schema's. */
atesql_store *open_in_schema(const char *schema, const char *app);

/* The URL open_in_schema opened its store with (with the application
** name). */
const char *schema_app_url(void);

/* Terminate the backends of application app and wait until they are gone
** (their sockets closed). */
void kill_backends(const char *app);

#endif /* ATESQL_TEST_PG_SCHEMA_H */
