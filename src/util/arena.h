/*
** The arena behind every record and page the library returns: a root
** object (the record or page struct) followed by everything it points to,
** in one chunk when the first size suffices and in linked chunks when not,
** all freed by one arena_free(root). Records size their first chunk to fit,
** so a record is one allocation; pages size theirs from their first row.
** A page may also own memory outside its chunks (the PostgreSQL result its
** strings point into), released by the arena's release function.
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

/* arena_alloc without the zeroing, for bytes the caller writes at once. */
void *arena_alloc_uninit(void *root, size_t size);

/* A NUL-terminated copy of bytes[0..len) in the arena; NULL when out of
** memory. A NULL bytes gives "". */
char *arena_strndup(void *root, const char *bytes, size_t len);

/* A point in an arena's allocations to go back to (arena_rewind). */
typedef struct arena_mark {
  void *chunk;
  size_t used;
} arena_mark;

arena_mark arena_save(void *root);

/* Take back everything allocated from the arena of root since m was
** saved: the space is reused, chunks added since are freed. */
void arena_rewind(void *root, arena_mark m);

/*
** Make arena_free(root) call release(arg) first: the arena then owns what
** arg holds (one release per arena; a second call replaces the first).
** Cannot fail.
*/
void arena_on_free(void *root, void (*release)(void *arg), void *arg);

/* Free the root and every chunk of its arena, after calling its release
** function if it has one. NULL is a no-op. */
void arena_free(void *root);

#endif /* ATESQL_UTIL_ARENA_H */
