/*
** The per-handle cache of compiled selectors (selector_cache.h). A
** selector's compiled SQL, parameters and normalized text depend only on
** its resource, its text and the dialect, which a handle never changes, so
** an entry never goes stale; it only makes room for another.
*/
#include "store/selector_cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static uint64_t hash_text(atesql_resource resource, const char *text) {
  uint64_t h = 1469598103934665603ull ^ (uint64_t)resource; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    h = (h ^ *p) * 1099511628211ull;
  return h;
}

enum { INDEX_MASK = SELECTOR_INDEX_SIZE - 1 };
_Static_assert((SELECTOR_INDEX_SIZE & INDEX_MASK) == 0 &&
                   SELECTOR_INDEX_SIZE >= 2 * SELECTOR_CACHE_SIZE &&
                   SELECTOR_CACHE_SIZE < UINT16_MAX,
               "the index is a power of two, at most half full");

static void index_insert(selector_cache *cache, size_t n) {
  size_t i = cache->entries[n].hash & INDEX_MASK;
  while (cache->index[i])
    i = (i + 1) & INDEX_MASK;
  cache->index[i] = (uint16_t)(n + 1);
}

/* Take entry n out of the index, moving up the entries probed past it
** (backward-shift deletion keeps every entry reachable from its home). */
static void index_remove(selector_cache *cache, size_t n) {
  size_t i = cache->entries[n].hash & INDEX_MASK;
  while (cache->index[i] != n + 1)
    i = (i + 1) & INDEX_MASK;
  for (size_t j = i;;) {
    cache->index[i] = 0;
    for (;;) {
      j = (j + 1) & INDEX_MASK;
      if (cache->index[j] == 0) return;
      size_t home = cache->entries[cache->index[j] - 1].hash & INDEX_MASK;
      bool stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) break;
    }
    cache->index[i] = cache->index[j];
    i = j;
  }
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

/* The least recently used entry, to make room. */
static cached_selector *oldest_entry(selector_cache *cache) {
  cached_selector *oldest = &cache->entries[0];
  for (size_t i = 1; i < cache->used; i++)
    if (cache->entries[i].last_used < oldest->last_used)
      oldest = &cache->entries[i];
  return oldest;
}

atesql_status selector_cache_get(selector_cache *cache,
                                 atesql_resource resource,
                                 atesql_dialect dialect, const char *text,
                                 cached_selector **out, atesql_error *err) {
  uint64_t hash = hash_text(resource, text);
  for (size_t i = hash & INDEX_MASK; cache->index[i];
       i = (i + 1) & INDEX_MASK) {
    cached_selector *e = &cache->entries[cache->index[i] - 1];
    if (e->hash == hash && e->resource == resource &&
        strcmp(e->text, text) == 0) {
      e->last_used = ++cache->clock;
      *out = e;
      return ATESQL_OK;
    }
  }
  cached_selector made;
  atesql_status st = entry_make(&made, resource, dialect, text, hash, err);
  if (st != ATESQL_OK) return st;
  cached_selector *slot;
  if (cache->used < SELECTOR_CACHE_SIZE) {
    slot = &cache->entries[cache->used++];
  } else {
    slot = oldest_entry(cache);
    index_remove(cache, (size_t)(slot - cache->entries));
    entry_release(slot);
  }
  *slot = made;
  slot->last_used = ++cache->clock;
  index_insert(cache, (size_t)(slot - cache->entries));
  *out = slot;
  return ATESQL_OK;
}

void selector_cache_release(selector_cache *cache) {
  for (size_t i = 0; i < cache->used; i++)
    entry_release(&cache->entries[i]);
  memset(cache->index, 0, sizeof cache->index);
  cache->used = 0;
  cache->clock = 0;
}
