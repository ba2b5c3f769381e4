/*
** A bump allocator over linked chunks. The chunk header sits just before
** the root, so the root pointer alone finds the whole arena.
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
  max_align_t align[]; /* the chunk's bytes start here */
} chunk;

enum { MIN_CHUNK = 16 * 1024 };

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

static chunk *chunk_new(size_t cap) {
  chunk *c = malloc(sizeof(chunk) + cap);
  if (c == NULL) return NULL;
  c->next = NULL;
  c->current = c;
  c->used = 0;
  c->cap = cap;
  return c;
}

static chunk *first_chunk(void *root) { return (chunk *)root - 1; }

void *arena_new(size_t root_size, size_t reserve) {
  size_t root = align8(root_size);
  chunk *c = chunk_new(root + align8(reserve));
  if (c == NULL) return NULL;
  c->used = root;
  memset(c->align, 0, root);
  return c->align;
}

void *arena_alloc(void *root, size_t size) {
  chunk *first = first_chunk(root);
  chunk *cur = first->current;
  size = align8(size ? size : 1);
  if (cur->cap - cur->used < size) {
    size_t cap = size > MIN_CHUNK ? size : MIN_CHUNK;
    if (cap < cur->cap) cap = cur->cap; /* grow geometrically-ish */
    chunk *c = chunk_new(cap);
    if (c == NULL) return NULL;
    cur->next = c;
    first->current = cur = c;
  }
  char *p = (char *)cur->align + cur->used;
  cur->used += size;
  memset(p, 0, size);
  return p;
}

char *arena_strndup(void *root, const char *bytes, size_t len) {
  char *s = arena_alloc(root, len + 1);
  if (s == NULL) return NULL;
  if (bytes && len) memcpy(s, bytes, len);
  s[len] = '\0';
  return s;
}

void arena_free(void *root) {
  if (root == NULL) return;
  chunk *c = first_chunk(root);
  while (c) {
    chunk *next = c->next;
    free(c);
    c = next;
  }
}
