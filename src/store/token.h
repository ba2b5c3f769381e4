/*
** Page tokens: opaque, checksummed cursors of keyset pagination. A token
** carries the last key of a page and a hash of the normalized selector it
** was made for; using it with another selector, or a mangled one, is
** INVALID_ARGUMENT. The checksum is not a MAC (token.c says why).
*/
#ifndef ATESQL_STORE_TOKEN_H
#define ATESQL_STORE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "atesql/types.h"

enum { TOKEN_MAX_KEYS = 3, TOKEN_SELECTOR_HASH = 8 };

typedef struct page_key {
  const char *parts[TOKEN_MAX_KEYS]; /* point into storage */
  size_t lens[TOKEN_MAX_KEYS];
  size_t count;
  int64_t revision; /* the store revision the listing reflects */
  char *storage;
} page_key;

/*
** The hash of a normalized selector text that binds a token to it. A
** handle computes it once per cached selector (store/selector_cache.h).
*/
void token_selector_hash(const char *selector,
                         unsigned char out[TOKEN_SELECTOR_HASH]);

/*
** Encode a token for `resource` and the normalized selector whose hash is
** selector_hash, whose page ended at key parts[0..count), of a listing at
** store revision `revision` (0 for resources without one). *out receives
** a malloc'd string. Errors: NO_MEMORY.
*/
atesql_status token_encode(atesql_resource resource,
                           const unsigned char *selector_hash,
                           const char *const *parts, size_t count,
                           int64_t revision, char **out);

/*
** Decode `token` for resource and the selector whose hash is selector_hash
** into *key (free key->storage). expect_count is the number of key parts
** the resource has. On failure msg (msgsz bytes) says why.
** Errors: INVALID_ARGUMENT, NO_MEMORY.
*/
atesql_status token_decode(const char *token, atesql_resource resource,
                           const unsigned char *selector_hash,
                           size_t expect_count, page_key *key, char *msg,
                           size_t msgsz);

#endif /* ATESQL_STORE_TOKEN_H */
