/*
** The in-memory rival. The upstream control plane's scheduler keeps every
** worker in a hash map keyed by namespace/pod, fed by a watch; on each
** assignment it copies all the map's values into a slice, keeps the free
** workers of the eligible pools (on the nodes that hold the actor's local
** snapshot, if any), shuffles them and takes the first. Two forms of that
** answer the worker list workloads that ask for free workers:
**   - "cache", the fastest fair C version: the values live in one dense
**     array beside two columns, a one-byte tag (free, and the pool as a
**     number) and the node as a number; a query walks the tags of every
**     worker, collects the matches and cuts the first page in key order;
**     label strings are interned, so a label question compares the
**     labels of the workers that pass the tag by pointer;
**   - "cache_faithful", upstream's steps: per query, allocate a slice and
**     copy every value pointer into it, filter through a set of eligible
**     pools (and the question's label, looked up in each such worker's
**     labels), shuffle the matches (Fisher-Yates), then cut the page.
** Both load the fleet from the generator when opened, before any timing,
** and keep it until closed, so the peak_rss of their cells includes it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists.h"

enum {
  MAX_POOLS = 64,        /* (namespace, pool) pairs a cache can number */
  ARENA_CHUNK = 4 << 20, /* bytes per string chunk */
  NO_NUMBER = UINT32_MAX /* a name the cache has never seen */
};

static void *checked(void *p) {
  if (p == NULL) die("cache: out of memory");
  return p;
}

/* 64-bit FNV-1a. */
static uint64_t hash_text(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

/* Strings that live as long as the cache: bump allocation in large
** chunks, freed together. */
typedef struct arena {
  char **chunks;
  size_t count, cap;
  size_t used; /* bytes used of the last chunk */
} arena;

/* size bytes (at most ARENA_CHUNK) at a multiple of align (a power of
** two); strings take align 1, so that they pack as tightly as before. */
static void *arena_alloc(arena *a, size_t size, size_t align) {
  a->used = (a->used + align - 1) & ~(align - 1);
  if (a->count == 0 || a->used + size > ARENA_CHUNK) {
    if (a->count == a->cap) {
      a->cap = a->cap ? a->cap * 2 : 16;
      a->chunks = checked(realloc(a->chunks, a->cap * sizeof *a->chunks));
    }
    a->chunks[a->count++] = checked(malloc(ARENA_CHUNK));
    a->used = 0;
  }
  void *p = a->chunks[a->count - 1] + a->used;
  a->used += size;
  return p;
}

static char *arena_strdup(arena *a, const char *s) {
  size_t len = strlen(s) + 1;
  return memcpy(arena_alloc(a, len, 1), s, len);
}

static void arena_free(arena *a) {
  for (size_t i = 0; i < a->count; i++)
    free(a->chunks[i]);
  free(a->chunks);
}

/* An open-addressing map from strings (owned by the caller) to numbers,
** at most half full. */
typedef struct str_map {
  const char **keys; /* NULL: an empty slot */
  uint32_t *values;
  size_t cap, count;
} str_map;

static void map_init(str_map *m, size_t expected) {
  m->cap = 16;
  while (m->cap < expected * 2)
    m->cap *= 2;
  m->keys = checked(calloc(m->cap, sizeof *m->keys));
  m->values = checked(calloc(m->cap, sizeof *m->values));
  m->count = 0;
}

/* The slot of key: where it is, or the empty slot where it would go. */
static size_t map_slot(const str_map *m, const char *key) {
  size_t i = (size_t)hash_text(key) & (m->cap - 1);
  while (m->keys[i] && strcmp(m->keys[i], key) != 0)
    i = (i + 1) & (m->cap - 1);
  return i;
}

static uint32_t map_get(const str_map *m, const char *key) {
  size_t i = map_slot(m, key);
  return m->keys[i] ? m->values[i] : NO_NUMBER;
}

/* Set key to value; key must outlive the map. Grows at half full. */
static void map_put(str_map *m, const char *key, uint32_t value) {
  if ((m->count + 1) * 2 > m->cap) {
    str_map bigger;
    map_init(&bigger, m->cap);
    for (size_t i = 0; i < m->cap; i++)
      if (m->keys[i]) map_put(&bigger, m->keys[i], m->values[i]);
    free(m->keys);
    free(m->values);
    *m = bigger;
  }
  size_t i = map_slot(m, key);
  if (m->keys[i] == NULL) m->count++;
  m->keys[i] = key;
  m->values[i] = value;
}

static void map_free(str_map *m) {
  free(m->keys);
  free(m->values);
}

/* A worker's key as upstream's cache makes it: "namespace:pod". */
static void worker_key(const atesql_worker *w, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "%s:%s", w->worker_namespace, w->worker_pod);
}

/* The (namespace, pool) pairs a cache has seen, names copied; a pair's
** number is its index. */
typedef struct pool_table {
  char *ns[MAX_POOLS];
  char *pool[MAX_POOLS];
  size_t count;
} pool_table;

static uint32_t pool_number(pool_table *t, const atesql_worker *w) {
  for (size_t i = 0; i < t->count; i++)
    if (strcmp(t->pool[i], w->worker_pool) == 0 &&
        strcmp(t->ns[i], w->worker_namespace) == 0)
      return (uint32_t)i;
  if (t->count == MAX_POOLS) die("cache: more than %d pools", MAX_POOLS);
  t->ns[t->count] = checked(strdup(w->worker_namespace));
  t->pool[t->count] = checked(strdup(w->worker_pool));
  return (uint32_t)t->count++;
}

static void pool_table_free(pool_table *t) {
  for (size_t i = 0; i < t->count; i++) {
    free(t->ns[i]);
    free(t->pool[i]);
  }
}

/* Whether question a names its pools; nodes_free asks about every pool. */
static bool names_pools(const op_args *a) { return a->w != WL_LIST_NODES_FREE; }

/*
** The eligible pools of question a, as numbers into t: the pool of a pool
** question (in whichever namespace has it), the two pools of pools_free,
** or every pool when the question names none. Returns their number.
*/
static size_t eligible_pools(const pool_table *t, const op_args *a,
                             uint32_t *out) {
  size_t n = 0;
  for (size_t i = 0; i < t->count; i++) {
    bool eligible = true;
    if (a->w == WL_LIST_POOLS_FREE)
      eligible = strcmp(t->ns[i], a->worker_namespace) == 0 &&
                 name_set_has(&a->pools, t->pool[i]);
    else if (names_pools(a))
      eligible = strcmp(t->pool[i], a->pool) == 0;
    if (eligible) out[n++] = (uint32_t)i;
  }
  return n;
}

/* Whether the question restricts the nodes (the locality questions). */
static bool restricts_nodes(const op_args *a) {
  return a->w == WL_LIST_NODES_FREE || a->w == WL_LIST_POOL_NODES_FREE;
}

static int compare_keys(const atesql_worker *a, const atesql_worker *b) {
  int c = strcmp(a->worker_namespace, b->worker_namespace);
  if (c == 0) c = strcmp(a->worker_pool, b->worker_pool);
  return c ? c : strcmp(a->worker_pod, b->worker_pod);
}

static int compare_key_pointers(const void *x, const void *y) {
  return compare_keys(*(const atesql_worker *const *)x,
                      *(const atesql_worker *const *)y);
}

/* Restore the max-heap (by key) heap[0..n) below position i. */
static void sift_down(const atesql_worker **heap, size_t n, size_t i) {
  for (;;) {
    size_t largest = i, l = 2 * i + 1, r = l + 1;
    if (l < n && compare_keys(heap[l], heap[largest]) > 0) largest = l;
    if (r < n && compare_keys(heap[r], heap[largest]) > 0) largest = r;
    if (largest == i) return;
    const atesql_worker *t = heap[i];
    heap[i] = heap[largest];
    heap[largest] = t;
    i = largest;
  }
}

static void sift_up(const atesql_worker **heap, size_t i) {
  while (i > 0 && compare_keys(heap[(i - 1) / 2], heap[i]) < 0) {
    const atesql_worker *t = heap[i];
    heap[i] = heap[(i - 1) / 2];
    heap[(i - 1) / 2] = t;
    i = (i - 1) / 2;
  }
}

/*
** The answer: the first `page` of matches[0..n) in key order, whatever
** order they came in (a max-heap of the page keeps the smallest keys seen,
** so a match past a full page costs one comparison). Feeds their keys to
** d and returns how many. page_buf holds MAX_PAGE pointers.
*/
static size_t first_page(const atesql_worker *const *matches, size_t n,
                         size_t page, const atesql_worker **page_buf,
                         digest *d) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (k < page) {
      page_buf[k] = matches[i];
      sift_up(page_buf, k++);
    } else if (compare_keys(matches[i], page_buf[0]) < 0) {
      page_buf[0] = matches[i];
      sift_down(page_buf, k, 0);
    }
  }
  qsort(page_buf, k, sizeof *page_buf, compare_key_pointers);
  for (size_t i = 0; d && i < k; i++)
    digest_worker_key(d, page_buf[i]);
  return k;
}

/* Copy w and its strings into the arena; its labels are the caller's to
** copy. */
static void copy_worker(arena *a, const atesql_worker *w, atesql_worker *out) {
  *out = *w;
  out->worker_namespace = arena_strdup(a, w->worker_namespace);
  out->worker_pool = arena_strdup(a, w->worker_pool);
  out->worker_pod = arena_strdup(a, w->worker_pod);
  out->actor_namespace = arena_strdup(a, w->actor_namespace);
  out->actor_template = arena_strdup(a, w->actor_template);
  out->actor_id = arena_strdup(a, w->actor_id);
  out->actor_atespace = arena_strdup(a, w->actor_atespace);
  out->ip = arena_strdup(a, w->ip);
  out->worker_pod_uid = arena_strdup(a, w->worker_pod_uid);
  out->node_name = arena_strdup(a, w->node_name);
}

/*
** cache: the values in one dense array, and beside them two columns the
** filters read: a one-byte tag (free bit and pool number, so "free in an
** eligible pool" is one lookup in a 128-entry table) and the node's
** number. A pool question reads one byte per worker. Label keys and values
** are interned: one copy of each distinct string, so a label question
** looks its two strings up once and compares pointers.
*/
enum { TAG_FREE = 0x40, TAG_VALUES = 0x80 };

typedef struct cache {
  size_t count;
  atesql_worker *values; /* [count], strings in the arena */
  uint8_t *tags;         /* [count]: TAG_FREE | pool number */
  uint32_t *nodes_of;    /* [count]: node number */
  uint64_t *node_bits;   /* a bit per node: the question's nodes */
  size_t node_words;     /* ... in this many words */
  str_map by_key;        /* "namespace:pod" -> index into values */
  str_map nodes;         /* node name -> number */
  str_map label_strings; /* the interned label keys and values */
  pool_table pools;
  arena strings;
  /* Every value so far came after the one before it in key order, as a
  ** relist from the store delivers them; then the matches come in key
  ** order and the page is their first rows. */
  bool in_key_order;
  const atesql_worker **matches; /* one query's matches */
  const atesql_worker *page_buf[MAX_PAGE];
} cache;

/* The cache's copy of label text, made on first sight. */
static const char *intern(cache *c, const char *text) {
  size_t i = map_slot(&c->label_strings, text);
  if (c->label_strings.keys[i]) return c->label_strings.keys[i];
  const char *copy = arena_strdup(&c->strings, text);
  map_put(&c->label_strings, copy, 0);
  return copy;
}

/* The cache's copy of text if some label holds it, else NULL. */
static const char *interned(const cache *c, const char *text) {
  return c->label_strings.keys[map_slot(&c->label_strings, text)];
}

/* out's labels: w's, as interned strings in an array in the arena. */
static void copy_labels(cache *c, const atesql_worker *w, atesql_worker *out) {
  out->labels = NULL;
  if (w->label_count == 0) return;
  atesql_label *labels = arena_alloc(
      &c->strings, w->label_count * sizeof *labels, _Alignof(atesql_label));
  for (size_t j = 0; j < w->label_count; j++)
    labels[j] = (atesql_label){intern(c, w->labels[j].key),
                               intern(c, w->labels[j].value)};
  out->labels = labels;
}

/* Whether w has label key=value, both interned (NULL: no label has it). */
static bool has_interned_label(const atesql_worker *w, const char *key,
                               const char *value) {
  for (size_t j = 0; j < w->label_count; j++)
    if (w->labels[j].key == key) return w->labels[j].value == value;
  return false;
}

/* Add w, or replace the worker with its key: a watch event's effect. */
static void cache_put(cache *c, const atesql_worker *w) {
  char key[256];
  worker_key(w, key, sizeof key);
  uint32_t i = map_get(&c->by_key, key);
  if (i == NO_NUMBER) {
    i = (uint32_t)c->count++;
    map_put(&c->by_key, arena_strdup(&c->strings, key), i);
    if (i > 0 && compare_keys(&c->values[i - 1], w) > 0)
      c->in_key_order = false;
  }
  copy_worker(&c->strings, w, &c->values[i]);
  copy_labels(c, w, &c->values[i]);
  const atesql_worker *v = &c->values[i];
  uint32_t node = map_get(&c->nodes, v->node_name);
  if (node == NO_NUMBER) {
    node = (uint32_t)c->nodes.count;
    map_put(&c->nodes, v->node_name, node);
  }
  if (node / 64 >= c->node_words) {
    size_t words = c->node_words ? c->node_words * 2 : 16;
    c->node_bits = checked(realloc(c->node_bits, words * sizeof(uint64_t)));
    memset(c->node_bits + c->node_words, 0,
           (words - c->node_words) * sizeof(uint64_t));
    c->node_words = words;
  }
  c->nodes_of[i] = node;
  c->tags[i] = (uint8_t)((v->actor_id[0] == '\0' ? TAG_FREE : 0) |
                         pool_number(&c->pools, v));
}

/* Mark (or unmark) the question's nodes in the node bitmap; returns
** whether the question names nodes. A node the cache never saw has no
** bit. */
static bool mark_nodes(cache *c, const op_args *a, bool on) {
  if (!restricts_nodes(a)) return false;
  for (size_t i = 0; i < a->nodes.count; i++) {
    uint32_t node = map_get(&c->nodes, a->nodes.names[i]);
    if (node == NO_NUMBER) continue;
    uint64_t bit = 1ull << (node % 64);
    c->node_bits[node / 64] =
        on ? c->node_bits[node / 64] | bit : c->node_bits[node / 64] & ~bit;
  }
  return true;
}

/* The question in the cache's numbers, then one pass over every worker's
** tag, and over the node of those that pass when the question names
** nodes. */
static size_t cache_list(void *ctx, const op_args *a, digest *d) {
  cache *c = ctx;
  uint8_t wanted[TAG_VALUES] = {0};
  uint32_t pools[MAX_POOLS];
  size_t pool_count = eligible_pools(&c->pools, a, pools);
  for (size_t i = 0; i < pool_count; i++)
    wanted[TAG_FREE | pools[i]] = 1;
  bool by_node = mark_nodes(c, a, true);
  bool by_label = a->label_key != NULL;
  const char *key = by_label ? interned(c, a->label_key) : NULL;
  const char *value = by_label ? interned(c, a->label_value) : NULL;
  size_t n = 0;
  if (names_pools(a)) { /* one worker in 200 passes the tag: branch on it */
    for (size_t i = 0; i < c->count; i++) {
      if (!wanted[c->tags[i]]) continue;
      uint32_t node = c->nodes_of[i];
      if (by_node && !(c->node_bits[node / 64] >> (node % 64) & 1)) continue;
      if (by_label && !has_interned_label(&c->values[i], key, value)) continue;
      c->matches[n++] = &c->values[i];
    }
  } else { /* every free worker passes: a branch would mispredict */
    for (size_t i = 0; i < c->count; i++) {
      uint32_t node = c->nodes_of[i];
      c->matches[n] = &c->values[i];
      n += wanted[c->tags[i]] & (c->node_bits[node / 64] >> (node % 64));
    }
  }
  mark_nodes(c, a, false);
  if (!c->in_key_order)
    return first_page(c->matches, n, a->page, c->page_buf, d);
  size_t rows = n < a->page ? n : a->page;
  for (size_t i = 0; d && i < rows; i++)
    digest_worker_key(d, c->matches[i]);
  return rows;
}

static void close_cache(impl *im) {
  cache *c = im->ctx;
  free(c->values);
  free(c->tags);
  free(c->nodes_of);
  free(c->node_bits);
  free(c->matches);
  map_free(&c->by_key);
  map_free(&c->nodes);
  map_free(&c->label_strings);
  pool_table_free(&c->pools);
  arena_free(&c->strings);
  free(c);
  free(im);
}

static const op_fn cache_ops[WL_COUNT] = {
    [WL_LIST_POOL_FREE] = cache_list,       [WL_LIST_NODES_FREE] = cache_list,
    [WL_LIST_POOL_NODES_FREE] = cache_list, [WL_LIST_POOLS_FREE] = cache_list,
    [WL_LIST_POOL_LABEL_FREE] = cache_list,
};

impl *open_cache(const fleet *f) {
  cache *c = checked(calloc(1, sizeof *c));
  c->in_key_order = true;
  c->values = checked(malloc(f->workers * sizeof *c->values));
  c->tags = checked(malloc(f->workers * sizeof *c->tags));
  c->nodes_of = checked(malloc(f->workers * sizeof *c->nodes_of));
  c->matches = checked(malloc(f->workers * sizeof *c->matches));
  map_init(&c->by_key, f->workers);
  map_init(&c->nodes, f->nodes);
  map_init(&c->label_strings, 16);
  for (size_t i = 0; i < f->workers; i++) {
    record_buf b;
    atesql_worker w;
    fleet_worker(f, i, &b, &w);
    cache_put(c, &w);
  }
  impl *im = checked(calloc(1, sizeof *im));
  *im = (impl){
      .name = "cache", .ctx = c, .every_page = true, .close = close_cache};
  memcpy(im->ops, cache_ops, sizeof cache_ops);
  return im;
}

/* cache_faithful: upstream's map and steps. */

/* A slot of the map: key and value pointer, as a Go map[string]*Worker
** holds them. */
typedef struct faithful_slot {
  const char *key;
  atesql_worker *value;
} faithful_slot;

typedef struct faithful {
  faithful_slot *slots; /* open addressing, at most 13/16 full (Go's 6.5/8) */
  size_t cap, count;
  pool_table pools;
  uint64_t rng;
  const atesql_worker *page_buf[MAX_PAGE];
} faithful;

/* Append text at *at, returning the copy. */
static const char *append_text(char **at, const char *text) {
  size_t len = strlen(text) + 1;
  char *copy = memcpy(*at, text, len);
  *at += len;
  return copy;
}

/* A worker, its labels and its strings in one allocation of its own, as a
** decoded protobuf message lives on the heap. */
static atesql_worker *new_record(const atesql_worker *w) {
  const char *fields[] = {w->worker_namespace, w->worker_pool,
                          w->worker_pod,       w->actor_namespace,
                          w->actor_template,   w->actor_id,
                          w->actor_atespace,   w->ip,
                          w->worker_pod_uid,   w->node_name};
  size_t size = sizeof(atesql_worker) + w->label_count * sizeof(atesql_label);
  for (size_t i = 0; i < 10; i++)
    size += strlen(fields[i]) + 1;
  for (size_t j = 0; j < w->label_count; j++)
    size += strlen(w->labels[j].key) + strlen(w->labels[j].value) + 2;
  atesql_worker *r = checked(malloc(size));
  *r = *w;
  const char **out[] = {&r->worker_namespace, &r->worker_pool,
                        &r->worker_pod,       &r->actor_namespace,
                        &r->actor_template,   &r->actor_id,
                        &r->actor_atespace,   &r->ip,
                        &r->worker_pod_uid,   &r->node_name};
  atesql_label *labels = (atesql_label *)(r + 1);
  char *at = (char *)(labels + w->label_count);
  for (size_t i = 0; i < 10; i++)
    *out[i] = append_text(&at, fields[i]);
  for (size_t j = 0; j < w->label_count; j++) {
    labels[j].key = append_text(&at, w->labels[j].key);
    labels[j].value = append_text(&at, w->labels[j].value);
  }
  r->labels = w->label_count ? labels : NULL;
  return r;
}

/* The slot of key in c: where it is, or the empty slot where it goes. */
static size_t faithful_slot_of(const faithful *c, const char *key) {
  size_t i = (size_t)hash_text(key) & (c->cap - 1);
  while (c->slots[i].key && strcmp(c->slots[i].key, key) != 0)
    i = (i + 1) & (c->cap - 1);
  return i;
}

/* Double the slots when one more key would fill more than 13/16. */
static void faithful_reserve(faithful *c) {
  if ((c->count + 1) * 16 <= c->cap * 13) return;
  faithful old = *c;
  c->cap = old.cap ? old.cap * 2 : 16;
  c->slots = checked(calloc(c->cap, sizeof *c->slots));
  for (size_t i = 0; i < old.cap; i++)
    if (old.slots[i].key)
      c->slots[faithful_slot_of(c, old.slots[i].key)] = old.slots[i];
  free(old.slots);
}

static void faithful_put(faithful *c, const atesql_worker *w) {
  char key[256];
  worker_key(w, key, sizeof key);
  faithful_reserve(c);
  size_t i = faithful_slot_of(c, key);
  if (c->slots[i].key == NULL) {
    c->slots[i].key = checked(strdup(key));
    c->count++;
  } else {
    free(c->slots[i].value);
  }
  c->slots[i].value = new_record(w);
  pool_number(&c->pools, c->slots[i].value);
}

/* The eligible pools as upstream holds them, a set of (namespace, pool):
** open addressing over a hash of both names. */
typedef struct eligible_set {
  const char *ns[2 * MAX_POOLS];
  const char *pool[2 * MAX_POOLS];
} eligible_set;

static size_t pair_slot(const char *ns, const char *pool) {
  return (size_t)((hash_text(ns) * 31 + hash_text(pool)) % (2 * MAX_POOLS));
}

static bool eligible_has(const eligible_set *e, const atesql_worker *w) {
  size_t i = pair_slot(w->worker_namespace, w->worker_pool);
  for (; e->ns[i]; i = (i + 1) % (2 * MAX_POOLS))
    if (strcmp(e->pool[i], w->worker_pool) == 0 &&
        strcmp(e->ns[i], w->worker_namespace) == 0)
      return true;
  return false;
}

static void eligible_build(const faithful *c, const op_args *a,
                           eligible_set *e) {
  uint32_t numbers[MAX_POOLS];
  size_t n = eligible_pools(&c->pools, a, numbers);
  memset(e, 0, sizeof *e);
  for (size_t k = 0; k < n; k++) {
    const char *ns = c->pools.ns[numbers[k]], *pool = c->pools.pool[numbers[k]];
    size_t i = pair_slot(ns, pool);
    while (e->ns[i])
      i = (i + 1) % (2 * MAX_POOLS);
    e->ns[i] = ns;
    e->pool[i] = pool;
  }
}

/* slices.Contains over the snapshot's nodes. */
static bool node_listed(const op_args *a, const char *node) {
  for (size_t i = 0; i < a->nodes.count; i++)
    if (strcmp(a->nodes.names[i], node) == 0) return true;
  return false;
}

/* A random number below n from splitmix64 (the bias of % is far below
** anything a shuffle's cost depends on). */
static size_t random_below(uint64_t *state, size_t n) {
  uint64_t x = (*state += 0x9e3779b97f4a7c15ull);
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return (size_t)((x ^ (x >> 31)) % n);
}

static size_t faithful_list(void *ctx, const op_args *a, digest *d) {
  faithful *c = ctx;
  eligible_set eligible;
  eligible_build(c, a, &eligible);
  bool by_node = restricts_nodes(a);
  /* Workers(): a new slice holding every value. */
  const atesql_worker **all = checked(calloc(c->count + 1, sizeof *all));
  size_t n = 0;
  for (size_t i = 0; i < c->cap; i++)
    if (c->slots[i].key) all[n++] = c->slots[i].value;
  /* findFreeWorker: append the matches to a slice that grows. */
  const atesql_worker **found = NULL;
  size_t count = 0, cap = 0;
  for (size_t i = 0; i < n; i++) {
    const atesql_worker *w = all[i];
    if (w->actor_id[0] != '\0' || !eligible_has(&eligible, w)) continue;
    if (by_node && !node_listed(a, w->node_name)) continue;
    /* A selector's label looked up in the worker's labels. */
    if (a->label_key && !worker_has_label(w, a->label_key, a->label_value))
      continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 1;
      found = checked(realloc(found, cap * sizeof *found));
    }
    found[count++] = w;
  }
  for (size_t i = count; i > 1; i--) {
    size_t j = random_below(&c->rng, i);
    const atesql_worker *t = found[i - 1];
    found[i - 1] = found[j];
    found[j] = t;
  }
  /* Upstream takes found[0]; the page in key order is what the checks
  ** compare. */
  size_t rows = first_page(found, count, a->page, c->page_buf, d);
  free(found);
  free(all);
  return rows;
}

static void close_faithful(impl *im) {
  faithful *c = im->ctx;
  for (size_t i = 0; i < c->cap; i++) {
    free((char *)c->slots[i].key);
    free(c->slots[i].value);
  }
  free(c->slots);
  pool_table_free(&c->pools);
  free(c);
  free(im);
}

static const op_fn faithful_ops[WL_COUNT] = {
    [WL_LIST_POOL_FREE] = faithful_list,
    [WL_LIST_NODES_FREE] = faithful_list,
    [WL_LIST_POOL_NODES_FREE] = faithful_list,
    [WL_LIST_POOLS_FREE] = faithful_list,
    [WL_LIST_POOL_LABEL_FREE] = faithful_list,
};

impl *open_cache_faithful(const fleet *f) {
  faithful *c = checked(calloc(1, sizeof *c));
  c->rng = 0x5eed;
  for (size_t i = 0; i < f->workers; i++) {
    record_buf b;
    atesql_worker w;
    fleet_worker(f, i, &b, &w);
    faithful_put(c, &w);
  }
  impl *im = checked(calloc(1, sizeof *im));
  *im = (impl){.name = "cache_faithful",
               .ctx = c,
               .every_page = true,
               .close = close_faithful};
  memcpy(im->ops, faithful_ops, sizeof faithful_ops);
  return im;
}
