/*
** test_backend_url: the database of a backend-generic suite (backend.h).
*/
#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef ATESQL_WITH_POSTGRES
#include <libpq-fe.h>
#endif

/* A fresh SQLite file: the path, and its -wal and -shm files, removed. */
static const char *fresh_sqlite(const char *name, char *url, size_t urlsz) {
  const char *dir = getenv("ATESQL_TEST_DIR");
  char path[900];
  snprintf(path, sizeof path, "%s/%s.db", dir ? dir : "/tmp", name);
  const char *suffixes[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {
    char f[960];
    snprintf(f, sizeof f, "%s%s", path, suffixes[i]);
    unlink(f);
  }
  snprintf(url, urlsz, "sqlite:%s", path);
  return url;
}

bool test_backend_is_postgres(void) {
  const char *b = getenv("ATESQL_TEST_BACKEND");
  return b && strcmp(b, "postgres") == 0;
}

const char *test_backend_url(const char *name) {
  static char url[1024];
  if (test_backend_is_postgres()) {
    const char *pg = getenv("ATESQL_TEST_PG");
    if (pg == NULL || *pg == '\0') {
      if (getenv("CI")) {
        fprintf(stderr,
                "%s: ATESQL_TEST_PG is not set under CI; PostgreSQL "
                "must be tested\n",
                name);
        exit(1);
      }
      printf("%s: PostgreSQL NOT TESTED (ATESQL_TEST_PG is not set)\n", name);
      exit(77);
    }
    snprintf(url, sizeof url, "%s", pg);
    printf("%s: PostgreSQL at \"%s\"\n", name, pg);
    return url;
  }
  fresh_sqlite(name, url, sizeof url);
  printf("%s: SQLite at %s\n", name, url + strlen("sqlite:"));
  return url;
}

#ifdef ATESQL_WITH_POSTGRES
/* Drop and create schema `name` on the server of base (a conninfo). */
static void recreate_schema(const char *base, const char *name) {
  PGconn *c = PQconnectdb(base);
  if (PQstatus(c) != CONNECTION_OK) {
    fprintf(stderr, "cannot connect to ATESQL_TEST_PG: %s", PQerrorMessage(c));
    exit(1);
  }
  char sql[300];
  snprintf(sql, sizeof sql,
           "SET client_min_messages = warning; DROP SCHEMA IF EXISTS %s "
           "CASCADE; CREATE SCHEMA %s",
           name, name);
  PGresult *r = PQexec(c, sql);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
    exit(1);
  }
  PQclear(r);
  PQfinish(c);
}
#endif

const char *test_backend_fresh_url(const char *name) {
  static char url[1200];
  if (!test_backend_is_postgres()) return fresh_sqlite(name, url, sizeof url);
#ifdef ATESQL_WITH_POSTGRES
  static char base[1024];
  snprintf(base, sizeof base, "%s", test_backend_url(name));
  if (strstr(base, "://")) {
    fprintf(stderr, "ATESQL_TEST_PG must be a key=value conninfo\n");
    exit(1);
  }
  recreate_schema(base, name);
  snprintf(url, sizeof url, "%s options=-csearch_path=%s", base, name);
  return url;
#else
  fprintf(stderr, "this build has no PostgreSQL backend\n");
  exit(1);
#endif
}
