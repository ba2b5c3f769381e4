/*
** The per-handle cache of compiled selectors (src/store/selector_cache.c):
** a text is compiled once and found again until it is the least recently
** used of more than SELECTOR_CACHE_SIZE; its entry is the selector that
** text compiles to; a bad text is an error that leaves the cache as it was.
*/
#include "suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/selector_cache.h"

enum { TEXTS = 1200, STEPS = 30000 };

/* A reference LRU of text numbers: when[i] the step text i was last got,
** -1 when not cached. */
typedef struct model {
  long when[TEXTS];
  size_t cached;
} model;

static void text_of(int i, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "node_name=n%d,worker_pool in (p%d,q)", i, i % 7);
}

/* Record text i got at step t; evict the least recent when over size. */
static bool model_get(model *m, int i, long t) {
  bool hit = m->when[i] >= 0;
  if (!hit && m->cached == SELECTOR_CACHE_SIZE) {
    int oldest = -1;
    for (int k = 0; k < TEXTS; k++)
      if (m->when[k] >= 0 && (oldest < 0 || m->when[k] < m->when[oldest]))
        oldest = k;
    m->when[oldest] = -1;
    m->cached--;
  }
  if (!hit) m->cached++;
  m->when[i] = t;
  return hit;
}

static void test_cache_keeps_the_most_recently_used_selectors(void **state) {
  (void)state;
  selector_cache *cache = calloc(1, sizeof *cache);
  model *m = malloc(sizeof *m);
  cached_selector **seen = calloc(TEXTS, sizeof *seen);
  for (int i = 0; i < TEXTS; i++)
    m->when[i] = -1;
  m->cached = 0;
  unsigned long long r = 88172645463325252ull;
  for (long t = 0; t < STEPS; t++) {
    r ^= r << 13, r ^= r >> 7, r ^= r << 17;
    /* Mostly a working set that fits, sometimes any text: both hits and
    ** evictions, so the index is probed past removed entries. */
    int i = (int)(t % 5 == 0 ? r % TEXTS : r % (SELECTOR_CACHE_SIZE - 12));
    char text[64];
    text_of(i, text, sizeof text);
    cached_selector *e = NULL;
    atesql_error err = {0};
    assert_int_equal(selector_cache_get(cache, ATESQL_RESOURCE_WORKERS,
                                        ATESQL_DIALECT_SQLITE, text, &e, &err),
                     ATESQL_OK);
    assert_string_equal(e->text, text);
    char want[64];
    snprintf(want, sizeof want, "worker_pool in (p%d,q),node_name=n%d", i % 7,
             i); /* normalized: whitelist order */
    assert_string_equal(e->normalized, want);
    assert_non_null(e->compiled);
    bool hit = model_get(m, i, t);
    if (hit) assert_ptr_equal(e, seen[i]); /* found again, not remade */
    seen[i] = e;
    assert_int_equal(cache->used, m->cached);
  }
  selector_cache_release(cache);
  assert_int_equal(cache->used, 0);
  free(seen);
  free(m);
  free(cache);
}

static void test_same_text_of_another_resource_is_another_entry(void **state) {
  (void)state;
  selector_cache *cache = calloc(1, sizeof *cache);
  cached_selector *w, *a;
  atesql_error err = {0};
  assert_int_equal(selector_cache_get(cache, ATESQL_RESOURCE_WORKERS,
                                      ATESQL_DIALECT_POSTGRES, "", &w, &err),
                   ATESQL_OK);
  assert_int_equal(selector_cache_get(cache, ATESQL_RESOURCE_ACTORS,
                                      ATESQL_DIALECT_POSTGRES, "", &a, &err),
                   ATESQL_OK);
  assert_ptr_not_equal(w, a);
  assert_int_equal(w->resource, ATESQL_RESOURCE_WORKERS);
  assert_int_equal(a->resource, ATESQL_RESOURCE_ACTORS);
  selector_cache_release(cache);
  free(cache);
}

static void test_bad_selector_is_an_error_and_not_kept(void **state) {
  (void)state;
  selector_cache *cache = calloc(1, sizeof *cache);
  cached_selector *e = NULL;
  atesql_error err = {0};
  assert_int_equal(selector_cache_get(cache, ATESQL_RESOURCE_WORKERS,
                                      ATESQL_DIALECT_SQLITE, "wrker_pool=a", &e,
                                      &err),
                   ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "did you mean 'worker_pool'"));
  assert_int_equal(cache->used, 0);
  selector_cache_release(cache);
  free(cache);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cache_keeps_the_most_recently_used_selectors),
      cmocka_unit_test(test_same_text_of_another_resource_is_another_entry),
      cmocka_unit_test(test_bad_selector_is_an_error_and_not_kept),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
