/*
** The embedded SQL: every dialect defines every named statement (but
** those its dialect declares absent, which it must not define), and the
** migrations of all dialects have the same versions and names, so the
** operations written once in src/store run on each backend.
*/
#include "suite.h"

#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "store/store.h"

/* Dialect directories that have embedded files. */
static size_t dialects(const char *out[4]) {
  size_t n = 0;
  for (size_t i = 0; i < embedded_file_count; i++) {
    bool seen = false;
    for (size_t k = 0; k < n; k++)
      seen |= strcmp(out[k], embedded_files[i].dialect) == 0;
    if (!seen && n < 4) out[n++] = embedded_files[i].dialect;
  }
  return n;
}

static void test_every_dialect_defines_every_statement(void **state) {
  (void)state;
  const char *dirs[4];
  size_t n = dialects(dirs);
  assert_true(n >= 1);
  for (size_t i = 0; i < n; i++) {
    atesql_dialect d = strcmp(dirs[i], "sqlite") == 0 ? ATESQL_DIALECT_SQLITE
                                                      : ATESQL_DIALECT_POSTGRES;
    const char *sql[STMT_COUNT];
    char *storage = NULL;
    atesql_error err = {0};
    if (statements_load(store_dialect_of(d), sql, &storage, &err) != ATESQL_OK)
      fail_msg("%s: %s", dirs[i], err.message);
    for (int k = 0; k < STMT_COUNT; k++) {
      if (dialect_lacks_statement(store_dialect_of(d), stmt_names[k]))
        assert_null(sql[k]);
      else
        assert_true(strlen(sql[k]) > 0);
    }
    free(storage);
  }
}

static void test_dialects_have_the_same_migrations(void **state) {
  (void)state;
  const char *dirs[4];
  size_t n = dialects(dirs);
  for (size_t i = 1; i < n; i++) {
    size_t a = 0, b = 0;
    for (size_t k = 0; k < embedded_file_count; k++) {
      const embedded_file *f = &embedded_files[k];
      if (strcmp(f->kind, "migrations") != 0) continue;
      if (strcmp(f->dialect, dirs[0]) == 0) a++;
      if (strcmp(f->dialect, dirs[i]) != 0) continue;
      b++;
      bool found = false;
      for (size_t j = 0; j < embedded_file_count; j++)
        found |= strcmp(embedded_files[j].kind, "migrations") == 0 &&
                 strcmp(embedded_files[j].dialect, dirs[0]) == 0 &&
                 strcmp(embedded_files[j].name, f->name) == 0;
      if (!found) fail_msg("%s/%s has no %s twin", dirs[i], f->name, dirs[0]);
    }
    assert_int_equal(a, b);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_dialect_defines_every_statement),
      cmocka_unit_test(test_dialects_have_the_same_migrations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
