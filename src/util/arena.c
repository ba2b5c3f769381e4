/*
** A bump allocator over linked chunks. The chunk header sits just before
** the root, so the root pointer alone finds the whole arena. Chunks after
** the first double in size, so an arena that outgrows its first chunk
** takes a few allocations, not one per 16 kB.
*/
#include "util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct chunk {
  struct chunk *next;    /* the chunk allocated after this one */
  struct chunk *current; /* in the first chunk: the chunk being filled */
  size_t used;
  size_t cap;
  /* In the first chunk: called with release_arg when the arena is freed. */
  void (*release)(void *arg);
  void *release_arg;
  max_align_t align[]; /* the chunk's bytes start here */
} chunk;

enum { MIN_CHUNK = 16 * 1024, MAX_GROWTH = 4 * 1024 * 1024 };

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

static chunk *chunk_new(size_t cap) {
  if (cap > SIZE_MAX - sizeof(chunk)) return NULL;
  chunk *c = malloc(sizeof(chunk) + cap);
  if (c == NULL) return NULL;
  c->next = NULL;
  c->current = c;
  c->used = 0;
  c->cap = cap;
  c->release = NULL;
  c->release_arg = NULL;
  return c;
}

static chunk *first_chunk(void *root) { return (chunk *)root - 1; }

void *arena_new(size_t root_size, size_t reserve) {
  size_t root = align8(root_size);
  if (reserve > SIZE_MAX - root - 8) return NULL;
  chunk *c = chunk_new(root + align8(reserve));
  if (c == NULL) return NULL;
  c->used = root;
  memset(c->align, 0, root);
  return c->align;
}

/* size (8-aligned) bytes from a chunk after the current one: twice the
** size of the current chunk (up to MAX_GROWTH), at least MIN_CHUNK, and
** at least size. */
static void *alloc_in_new_chunk(chunk *first, size_t size) {
  chunk *cur = first->current;
  size_t cap = cur->cap < MAX_GROWTH / 2 ? 2 * cur->cap : MAX_GROWTH;
  if (cap < MIN_CHUNK) cap = MIN_CHUNK;
  if (cap < size) cap = size;
  chunk *c = chunk_new(cap);
  if (c == NULL) return NULL;
  cur->next = c;
  first->current = c;
  c->used = size;
  return c->align;
}

void *arena_alloc_uninit(void *root, size_t size) {
  chunk *first = first_chunk(root);
  chunk *cur = first->current;
  if (size > SIZE_MAX - 8) return NULL;
  size = align8(size ? size : 1);
  if (cur->cap - cur->used < size) return alloc_in_new_chunk(first, size);
  char *p = (char *)cur->align + cur->used;
  cur->used += size;
  return p;
}

void *arena_alloc(void *root, size_t size) {
  void *p = arena_alloc_uninit(root, size);
  if (p) memset(p, 0, size);
  return p;
}

char *arena_strndup(void *root, const char *bytes, size_t len) {
  char *s = arena_alloc_uninit(root, len + 1);
  if (s == NULL) return NULL;
  if (bytes && len) memcpy(s, bytes, len);
  s[len] = '\0';
  return s;
}

arena_mark arena_save(void *root) {
  chunk *cur = first_chunk(root)->current;
  return (arena_mark){cur, cur->used};
}

void arena_rewind(void *root, arena_mark m) {
  chunk *first = first_chunk(root), *c = m.chunk;
  for (chunk *later = c->next; later;) {
    chunk *next = later->next;
    free(later);
    later = next;
  }
  c->next = NULL;
  c->used = m.used;
  first->current = c;
}

void arena_on_free(void *root, void (*release)(void *arg), void *arg) {
  chunk *first = first_chunk(root);
  first->release = release;
  first->release_arg = arg;
}

void arena_free(void *root) {
  if (root == NULL) return;
  chunk *c = first_chunk(root);
  if (c->release) c->release(c->release_arg);
  while (c) {
    chunk *next = c->next;
    free(c);
    c = next;
  }
}
