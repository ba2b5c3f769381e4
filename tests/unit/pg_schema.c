/*
** The PostgreSQL suites' shared ground of pg_schema.h.
*/
#include "pg_schema.h"

#include "suite.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *base_url;
static char app_url[1100];

int pg_schema_init(void) {
  base_url = getenv("ATESQL_TEST_PG");
  if (base_url != NULL && *base_url != '\0') return 0;
  if (getenv("CI")) {
    fprintf(stderr, "ATESQL_TEST_PG is not set under CI: PostgreSQL must "
                    "be tested\n");
    return 1;
  }
  printf("PostgreSQL NOT TESTED: ATESQL_TEST_PG is not set\n");
  return 77;
}

char *url_with(const char *key, const char *value) {
  static char buf[4][1024];
  static int next;
  char *out = buf[next++ % 4];
  if (strstr(base_url, "://"))
    snprintf(out, sizeof buf[0], "%s%s%s=%s", base_url,
             strchr(base_url, '?') ? "&" : "?", key, value);
  else
    snprintf(out, sizeof buf[0], "%s %s=%s", base_url, key, value);
  return out;
}

void admin_exec(const char *sql) {
  PGconn *c = PQconnectdb(base_url);
  assert_int_equal(PQstatus(c), CONNECTION_OK);
  PQclear(PQexec(c, "SET client_min_messages = warning"));
  PGresult *r = PQexec(c, sql);
  ExecStatusType rs = PQresultStatus(r);
  if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
    fail_msg("%s: %s", sql, PQerrorMessage(c));
  PQclear(r);
  PQfinish(c);
}

const char *url_in_schema(const char *schema) {
  static char url[1024];
  if (strstr(base_url, "://")) {
    char options[128];
    snprintf(options, sizeof options, "-csearch_path%%3D%s", schema);
    snprintf(url, sizeof url, "%s", url_with("options", options));
  } else {
    snprintf(url, sizeof url, "%s options=-csearch_path=%s", base_url, schema);
  }
  return url;
}

atesql_store *open_in_schema(const char *schema, const char *app) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema,
           schema);
  admin_exec(sql);
  const char *url = url_in_schema(schema);
  if (strstr(url, "://"))
    snprintf(app_url, sizeof app_url, "%s&application_name=%s", url, app);
  else
    snprintf(app_url, sizeof app_url, "%s application_name=%s", url, app);
  atesql_error err = {0};
  if (atesql_migrate_up(app_url, NULL, &err) != ATESQL_OK)
    fail_msg("migrate: %s", err.message);
  atesql_store *s = NULL;
  if (atesql_store_open(app_url, &s, &err) != ATESQL_OK)
    fail_msg("open: %s", err.message);
  return s;
}

const char *schema_app_url(void) { return app_url; }

void kill_backends(const char *app) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
           "WHERE application_name = '%s'",
           app);
  admin_exec(sql);
}
