/*
** The per-handle cache of compiled selectors (selector_cache.h). A
** selector's compiled SQL, parameters and normalized text depend only on
** its resource, its text and the dialect, which a handle never changes, so
** an entry never goes stale; it only makes room for another.
*/
#include "store/selector_cache.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static uint64_t hash_text(const char *text) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    h = (h ^ *p) * 1099511628211ull;
  return h;
}

static void entry_release(cached_selector *e) {
  free(e->text);
  atesql_selector_free(e->selector);
  atesql_compiled_free(e->compiled);
  atesql_free(e->normalized);
  for (int i = 0; i < SELECTOR_SQL_KINDS; i++)
    free(e->sql[i]);
  memset(e, 0, sizeof *e);
}

/* Fill *e for text: parse, compile and normalize. On failure e holds
** nothing. */
static atesql_status entry_make(cached_selector *e, atesql_resource resource,
                                atesql_dialect dialect, const char *text,
                                uint64_t hash, atesql_error *err) {
  memset(e, 0, sizeof *e);
  atesql_status st = atesql_selector_parse(
      resource, text, ATESQL_NUL_TERMINATED, &e->selector, err);
  if (st == ATESQL_OK)
    st = atesql_selector_compile(e->selector, dialect, &e->compiled, err);
  if (st == ATESQL_OK &&
      atesql_selector_format(e->selector, &e->normalized) != ATESQL_OK)
    st = error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  if (st == ATESQL_OK && (e->text = strdup(text)) == NULL)
    st = error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  if (st != ATESQL_OK) {
    entry_release(e);
    return st;
  }
  token_selector_hash(e->normalized, e->token_hash);
  e->resource = resource;
  e->hash = hash;
  return ATESQL_OK;
}

atesql_status selector_cache_get(selector_cache *cache,
                                 atesql_resource resource,
                                 atesql_dialect dialect, const char *text,
                                 cached_selector **out, atesql_error *err) {
  uint64_t hash = hash_text(text);
  cached_selector *victim = &cache->entries[0];
  for (size_t i = 0; i < SELECTOR_CACHE_SIZE; i++) {
    cached_selector *e = &cache->entries[i];
    if (e->resource == resource && e->hash == hash &&
        strcmp(e->text, text) == 0) {
      e->last_used = ++cache->clock;
      *out = e;
      return ATESQL_OK;
    }
    if (e->resource == 0 ||
        (victim->resource != 0 && e->last_used < victim->last_used))
      victim = e;
  }
  cached_selector made;
  atesql_status st = entry_make(&made, resource, dialect, text, hash, err);
  if (st != ATESQL_OK) return st;
  entry_release(victim);
  *victim = made;
  victim->last_used = ++cache->clock;
  *out = victim;
  return ATESQL_OK;
}

void selector_cache_release(selector_cache *cache) {
  for (size_t i = 0; i < SELECTOR_CACHE_SIZE; i++)
    entry_release(&cache->entries[i]);
  cache->clock = 0;
}
