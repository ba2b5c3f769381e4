/*
** test_backend_url: the database of a backend-generic suite (backend.h).
*/
#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
  const char *dir = getenv("ATESQL_TEST_DIR");
  char path[900];
  snprintf(path, sizeof path, "%s/%s.db", dir ? dir : "/tmp", name);
  const char *suffixes[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {
    char f[960];
    snprintf(f, sizeof f, "%s%s", path, suffixes[i]);
    unlink(f);
  }
  snprintf(url, sizeof url, "sqlite:%s", path);
  printf("%s: SQLite at %s\n", name, path);
  return url;
}
