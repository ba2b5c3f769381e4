/*
** Mutation fuzzing of the selector parser, deterministic (fixed seed) so a
** failure reproduces. Valid selectors are mutated byte by byte (flips,
** inserts of grammar bytes, deletions, splices) and every result must:
** parse or fail with INVALID_ARGUMENT and a column inside the text (+1 for
** end of input); when it parses, its normalized text must parse back to an
** equal selector, and it must compile for both dialects with every value
** in a parameter. Under the asan preset this also checks memory safety.
*/
#include "suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/selector.h"
#include "fuzz/mutate.h"

enum { ITERATIONS = 60000, MAX_LEN = 256 };

static const char *const seeds[] = {
    "worker_pool=cpu,actor_id=",
    "node_name in (n1,n2\\,x),worker_pool!=gpu",
    "actor_id notin (,a1, a2 ),version==7",
    "worker_pod=a\\ b\\=c\\(d\\)",
    "ip=10.0.0.1,worker_pod_uid=\xc3\xa9\xe2\x82\xac",
    "worker_pool=cpu,actor_id=,labels.gpu_type=h100",
    "!labels.zone,labels.example.com/rack in (r1,r2),labels.tier",
    "labels.a notin (x,y),labels.b!=c,worker_namespace=ns",
};

/* Bytes the grammar gives meaning to, and a few it does not. */
static const char alphabet[] = "=!(),\\ \t_aeinostw0123456789./\xc3\xff\x80";

static void check_parsed(const atesql_selector *sel, const char *text,
                         size_t len) {
  char *normal = NULL;
  assert_int_equal(atesql_selector_format(sel, &normal), ATESQL_OK);
  atesql_selector *again = NULL;
  atesql_error err = {0};
  if (atesql_selector_parse(ATESQL_RESOURCE_WORKERS, normal,
                            ATESQL_NUL_TERMINATED, &again, &err) != ATESQL_OK)
    fail_msg("normalized '%s' of '%.*s' does not parse: %s", normal, (int)len,
             text, err.message);
  assert_true(atesql_selector_equal(sel, again));
  const atesql_dialect dialects[] = {ATESQL_DIALECT_SQLITE,
                                     ATESQL_DIALECT_POSTGRES};
  for (int d = 0; d < 2; d++) {
    atesql_compiled *c = NULL;
    assert_int_equal(atesql_selector_compile(sel, dialects[d], &c, &err),
                     ATESQL_OK);
    /* No byte of a value reaches SQL: the SQL is made of whitelisted
    ** names, operators, placeholders, row values (label terms), the empty
    ** string '' and a label search's "worker_free" = 1 only. */
    for (const char *p = c->sql; *p; p++)
      if (p[0] == '\'' && p[1] == '\'')
        p++;
      else if (!strchr("abcdefghijklmnopqrstuvwxyz_\" "
                       "=<>?$0123456789(),ANDINOTSELCVUFRMJHYW",
                       *p))
        fail_msg("unexpected byte '%c' in SQL '%s'", *p, c->sql);
    atesql_compiled_free(c);
  }
  atesql_selector_free(again);
  atesql_free(normal);
}

static void test_mutated_selectors_parse_or_fail_cleanly(void **state) {
  (void)state;
  mutator m = {0x9e3779b97f4a7c15ull, alphabet, seeds,
               sizeof seeds / sizeof *seeds, MAX_LEN};
  size_t parsed = 0, rejected = 0;
  for (int i = 0; i < ITERATIONS; i++) {
    char buf[MAX_LEN];
    const char *seed = seeds[i % (sizeof seeds / sizeof *seeds)];
    size_t len = strlen(seed);
    memcpy(buf, seed, len);
    len = mutator_apply(&m, buf, len);
    atesql_selector *sel = NULL;
    atesql_error err = {0};
    atesql_status st =
        atesql_selector_parse(ATESQL_RESOURCE_WORKERS, buf, len, &sel, &err);
    if (st == ATESQL_OK) {
      check_parsed(sel, buf, len);
      atesql_selector_free(sel);
      parsed++;
      continue;
    }
    rejected++;
    assert_int_equal(st, ATESQL_INVALID_ARGUMENT);
    assert_null(sel);
    if (err.column < 1 || err.column > len + 1)
      fail_msg("'%.*s': column %zu outside 1..%zu (%s)", (int)len, buf,
               err.column, len + 1, err.message);
    assert_true(strlen(err.message) > 0);
    assert_non_null(strchr(err.message, ' '));
  }
  printf("fuzz: %d mutations, %zu parsed, %zu rejected\n", ITERATIONS, parsed,
         rejected);
  assert_true(parsed > 100 && rejected > 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mutated_selectors_parse_or_fail_cleanly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
