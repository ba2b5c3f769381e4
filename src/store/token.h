/*
** Page tokens: opaque, checksummed cursors of keyset pagination. A token
** carries the last key of a page and a hash of the normalized selector it
** was made for; using it with another selector, or a mangled one, is
** INVALID_ARGUMENT. The checksum is not a MAC (token.c says why).
*/
#ifndef ATESQL_STORE_TOKEN_H
#define ATESQL_STORE_TOKEN_H

#include <stddef.h>

#include "atesql/types.h"

enum { TOKEN_MAX_KEYS = 3 };

typedef struct page_key {
  const char *parts[TOKEN_MAX_KEYS]; /* point into storage */
  size_t lens[TOKEN_MAX_KEYS];
  size_t count;
  char *storage;
} page_key;

/*
** Encode a token for `resource` and the normalized selector text `selector`
** whose page ended at key parts[0..count). *out receives a malloc'd string.
** Errors: NO_MEMORY.
*/
atesql_status token_encode(atesql_resource resource, const char *selector,
                           const char *const *parts, size_t count, char **out);

/*
** Decode `token` for resource and selector into *key (free key->storage).
** expect_count is the number of key parts the resource has. On failure
** msg (msgsz bytes) says why. Errors: INVALID_ARGUMENT, NO_MEMORY.
*/
atesql_status token_decode(const char *token, atesql_resource resource,
                           const char *selector, size_t expect_count,
                           page_key *key, char *msg, size_t msgsz);

#endif /* ATESQL_STORE_TOKEN_H */
