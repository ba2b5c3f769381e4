/*
** The arena behind every record and page the library returns: a root
** object (the record or page struct) followed by everything it points to,
** in one chunk when the first size suffices and in linked chunks when not,
** all freed by one arena_free(root). Records size their first chunk to fit,
** so a record is one allocation.
*/
#ifndef ATESQL_UTIL_ARENA_H
#define ATESQL_UTIL_ARENA_H

#include <stddef.h>

/*
** Allocate an arena whose first chunk holds root_size bytes of zeroed root
** object plus `reserve` more bytes. Returns the root, or NULL when out of
** memory.
*/
void *arena_new(size_t root_size, size_t reserve);

/* size bytes, 8-aligned and zeroed, from the arena of root; NULL when out
** of memory. */
void *arena_alloc(void *root, size_t size);

/* A NUL-terminated copy of bytes[0..len) in the arena; NULL when out of
** memory. A NULL bytes gives "". */
char *arena_strndup(void *root, const char *bytes, size_t len);

/* Free the root and every chunk of its arena. NULL is a no-op. */
void arena_free(void *root);

#endif /* ATESQL_UTIL_ARENA_H */
