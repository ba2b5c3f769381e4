/*
** The compiled selectors of one store handle, by resource and selector
** text: a list or count with a selector the handle has seen recently skips
** parsing, normalizing and compiling it, and building its SQL. A bounded
** cache (a scheduler's pools, or atespaces by status, fit), least recently
** used out first, freed with the handle.
*/
#ifndef ATESQL_STORE_SELECTOR_CACHE_H
#define ATESQL_STORE_SELECTOR_CACHE_H

#include <stdint.h>

#include "atesql/selector.h"
#include "store/token.h"

/* The statements a cached selector's SQL slots hold, built by list.c on
** first use. */
typedef enum selector_sql {
  SELECTOR_SQL_FIRST_PAGE, /* a list without a page token */
  SELECTOR_SQL_NEXT_PAGE,  /* a list from a page token's key on */
  SELECTOR_SQL_COUNT,
  SELECTOR_SQL_KINDS
} selector_sql;

/* One selector text and everything derived from it for the handle's
** dialect. Owned by the cache. */
typedef struct cached_selector {
  atesql_resource resource; /* 0: the slot is empty */
  char *text;               /* the key: the caller's text */
  uint64_t hash;            /* of resource and text */
  uint64_t last_used;
  atesql_selector *selector;
  atesql_compiled *compiled;
  char *normalized; /* atesql_selector_format's text */
  unsigned char token_hash[TOKEN_SELECTOR_HASH]; /* of normalized */
  char *sql[SELECTOR_SQL_KINDS];
  uint64_t sql_hash[SELECTOR_SQL_KINDS]; /* sql_hash(sql[k]); 0 not yet */
  size_t sql_page[SELECTOR_SQL_KINDS];   /* the page size sql[k] limits */
} cached_selector;

enum { SELECTOR_CACHE_SIZE = 512, SELECTOR_INDEX_SIZE = 1024 };

typedef struct selector_cache {
  cached_selector entries[SELECTOR_CACHE_SIZE]; /* [0, used) are filled */
  size_t used;
  /* The entries by hash: open addressing, linear probing; an entry's
  ** number + 1, 0 for an empty place. */
  uint16_t index[SELECTOR_INDEX_SIZE];
  uint64_t clock;
} selector_cache;

/*
** The cached selector for `text` (NUL-terminated) of `resource`, compiled
** for `dialect`: found, or parsed, compiled, normalized and stored in
** place of the least recently used one. *out stays valid until the next
** selector_cache_get or selector_cache_release on the cache.
** Errors: INVALID_ARGUMENT (the selector; err says what and where),
** NO_MEMORY; the cache is unchanged then.
*/
atesql_status selector_cache_get(selector_cache *cache,
                                 atesql_resource resource,
                                 atesql_dialect dialect, const char *text,
                                 cached_selector **out, atesql_error *err);

/* Free every entry. */
void selector_cache_release(selector_cache *cache);

#endif /* ATESQL_STORE_SELECTOR_CACHE_H */
