/*
** The benchmark's data and questions, generated rather than stored: worker
** i and actor j of a fleet follow from their index alone, so the SQLite,
** PostgreSQL and Redis loaders write the same records, and operation seq
** of a workload asks every implementation the same question. Also the C
** filters that the scan, Redis and cache implementations apply, and the
** reference answers and digests that check that they all give the same
** answers.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists.h"

const char *const workload_names[WL_COUNT] = {
    [WL_LIST_POOL_FREE] = "list_pool_free",
    [WL_LIST_NODES_FREE] = "list_nodes_free",
    [WL_LIST_POOL_NODES_FREE] = "list_pool_nodes_free",
    [WL_LIST_POOLS_FREE] = "list_pools_free",
    [WL_LIST_HOLDER] = "list_holder",
    [WL_LIST_NODE] = "list_node",
    [WL_LIST_ACTORS_STATUS] = "list_actors_status",
    [WL_LIST_STATUS] = "list_status",
    [WL_LIST_POOL_LABEL_FREE] = "list_pool_label_free",
    [WL_COUNT_POOL_FREE] = "count_pool_free",
    [WL_GET_WORKER] = "get_worker",
    [WL_CREATE_WORKER] = "create_worker",
    [WL_UPDATE_WORKER] = "update_worker",
    [WL_LOCK_CYCLE] = "lock_cycle",
};

bool workload_is_list(workload w) { return w < WL_COUNT_POOL_FREE; }

bool workload_lists_actors(workload w) {
  return w == WL_LIST_ACTORS_STATUS || w == WL_LIST_STATUS;
}

bool workload_has_pages(workload w) {
  return w == WL_LIST_POOL_FREE || w == WL_LIST_POOLS_FREE ||
         w == WL_LIST_ACTORS_STATUS || w == WL_LIST_STATUS ||
         w == WL_LIST_POOL_LABEL_FREE;
}

bool workload_is_write(workload w) {
  return w == WL_CREATE_WORKER || w == WL_UPDATE_WORKER || w == WL_LOCK_CYCLE;
}

void workload_label(workload w, size_t page, char *buf, size_t bufsz) {
  if (page == PAGE_ROWS)
    snprintf(buf, bufsz, "%s", workload_names[w]);
  else
    snprintf(buf, bufsz, "%s@%zu", workload_names[w], page);
}

/* splitmix64: a well-mixed 64-bit hash of x, the benchmark's only source of
** "randomness", so every run and every loader sees the same fleet. */
static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

fleet fleet_of(size_t workers) {
  fleet f = {workers, (workers + WORKERS_PER_NODE - 1) / WORKERS_PER_NODE,
             workers / WORKERS_PER_ACTOR};
  if (f.actors == 0) f.actors = 1;
  return f;
}

void fleet_atespace_name(size_t k, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "space-%02zu", k % FLEET_ATESPACES);
}

static void pool_name(size_t p, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "pool-%02zu", p);
}

static void node_name(size_t k, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "node-%07zu", k);
}

static void namespace_name(size_t k, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "fleet-%zu", k);
}

static void actor_name(size_t j, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "actor-%07zu", j);
}

/* Pools are contiguous ranges of worker indexes, and names are zero-padded,
** so worker i's key (fleet-N, pool-NN, w-NNNNNNN) sorts at position i. */
static size_t worker_pool(const fleet *f, size_t i) {
  return i * FLEET_POOLS / f->workers;
}

/* Nodes hold WORKERS_PER_NODE workers spread over all pools: 7919 is a
** prime, so i -> i * 7919 mod n permutes the workers. */
static size_t worker_node(const fleet *f, size_t i) {
  return (size_t)((uint64_t)i * 7919 % f->workers) / WORKERS_PER_NODE;
}

static void uid(uint64_t seed, char *buf, size_t bufsz) {
  uint64_t a = mix(seed), b = mix(seed ^ 0x5bd1e995u);
  snprintf(buf, bufsz, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32),
           (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xffff,
           (unsigned)(b >> 48), (unsigned long long)(b & 0xffffffffffffull));
}

/* What the questions ask about worker i, from its index alone: cheap
** enough for the reference answers to test every worker of a large fleet
** before generating any of its strings. */
typedef enum worker_label_kind {
  NO_LABEL,
  LABEL_ASKED, /* LABEL_KEY=LABEL_VALUE, the label the workload asks for */
  LABEL_OTHER  /* LABEL_KEY=LABEL_OTHER_VALUE */
} worker_label_kind;

typedef struct worker_facts {
  size_t pool, node;
  bool free;
  size_t actor; /* the actor it holds, when not free */
  worker_label_kind label;
} worker_facts;

/* The label is drawn from a hash of its own: a formula sharing a modulus
** with "free" (i mod 10, i / 10 mod 100, ...) would tie the two together,
** and "free workers with the label" would be all or none of them. */
static worker_label_kind worker_label(size_t i) {
  uint64_t h = mix(i ^ 0x6c6162656c73ull) % LABEL_ONE_IN;
  return h == 0 ? LABEL_ASKED : h == 1 ? LABEL_OTHER : NO_LABEL;
}

static worker_facts worker_facts_of(const fleet *f, size_t i) {
  uint64_t r = mix(i);
  return (worker_facts){worker_pool(f, i), worker_node(f, i),
                        r % FREE_ONE_IN == 0, (size_t)(mix(r) % f->actors),
                        worker_label(i)};
}

void fleet_worker(const fleet *f, size_t i, record_buf *b, atesql_worker *w) {
  worker_facts k = worker_facts_of(f, i);
  memset(w, 0, sizeof *w);
  namespace_name(k.pool / POOLS_PER_NAMESPACE, b->text[0], sizeof b->text[0]);
  pool_name(k.pool, b->text[1], sizeof b->text[1]);
  snprintf(b->text[2], sizeof b->text[2], "w-%07zu", i);
  snprintf(b->text[3], sizeof b->text[3], "tenant-%02zu",
           k.actor % FLEET_ATESPACES);
  snprintf(b->text[4], sizeof b->text[4], "template-%zu", k.actor % 8);
  actor_name(k.actor, b->text[5], sizeof b->text[5]);
  fleet_atespace_name(k.actor, b->text[6], sizeof b->text[6]);
  snprintf(b->text[7], sizeof b->text[7], "10.%zu.%zu.%zu", (i >> 16) & 255,
           (i >> 8) & 255, i & 255);
  uid(i, b->text[8], sizeof b->text[8]);
  node_name(k.node, b->text[9], sizeof b->text[9]);
  w->worker_namespace = b->text[0];
  w->worker_pool = b->text[1];
  w->worker_pod = b->text[2];
  w->actor_namespace = k.free ? "" : b->text[3];
  w->actor_template = k.free ? "" : b->text[4];
  w->actor_id = k.free ? "" : b->text[5];
  w->actor_atespace = k.free ? "" : b->text[6];
  w->ip = b->text[7];
  w->worker_pod_uid = b->text[8];
  w->node_name = b->text[9];
  w->version = 1;
  if (k.label != NO_LABEL) {
    b->worker_label.key = LABEL_KEY;
    b->worker_label.value =
        k.label == LABEL_ASKED ? LABEL_VALUE : LABEL_OTHER_VALUE;
    w->labels = &b->worker_label;
    w->label_count = 1;
  }
}

void worker_labels_json(const atesql_worker *w, char *buf, size_t bufsz) {
  size_t at = (size_t)snprintf(buf, bufsz, "{");
  for (size_t i = 0; i < w->label_count && at < bufsz; i++)
    at += (size_t)snprintf(buf + at, bufsz - at, "%s\"%s\":\"%s\"",
                           i ? "," : "", w->labels[i].key, w->labels[i].value);
  if (at < bufsz) snprintf(buf + at, bufsz - at, "}");
}

bool worker_has_label(const atesql_worker *w, const char *key,
                      const char *value) {
  for (size_t i = 0; i < w->label_count; i++)
    if (strcmp(w->labels[i].key, key) == 0)
      return strcmp(w->labels[i].value, value) == 0;
  return false;
}

/* Actor j's hash: its status and snapshot node. */
static uint64_t actor_hash(size_t j) { return mix(j ^ 0xac7025ull); }

static int actor_status(size_t j) { return (int)(actor_hash(j) % 7); }

void fleet_actor(const fleet *f, size_t j, record_buf *b, atesql_actor *a) {
  uint64_t r = actor_hash(j);
  memset(a, 0, sizeof *a);
  fleet_atespace_name(j, b->text[0], sizeof b->text[0]);
  actor_name(j, b->text[1], sizeof b->text[1]);
  snprintf(b->text[2], sizeof b->text[2], "tenant-%02zu", j % FLEET_ATESPACES);
  snprintf(b->text[3], sizeof b->text[3], "template-%zu", j % 8);
  snprintf(b->text[4], sizeof b->text[4], "ateom-%07zu", j);
  snprintf(b->text[5], sizeof b->text[5], "10.128.%zu.%zu", (j >> 8) & 255,
           j & 255);
  uid(j ^ 0xa0a0ull, b->text[6], sizeof b->text[6]);
  pool_name(j % FLEET_POOLS, b->text[7], sizeof b->text[7]);
  snprintf(b->text[8], sizeof b->text[8], "snapshots/actor-%07zu", j);
  node_name((size_t)(r >> 8) % f->nodes, b->snapshot_node,
            sizeof b->snapshot_node);
  a->atespace = b->text[0];
  a->actor_id = b->text[1];
  a->actor_template_namespace = b->text[2];
  a->actor_template_name = b->text[3];
  a->status = (atesql_actor_status)actor_status(j);
  a->ateom_pod_namespace = "ateom";
  a->ateom_pod_name = b->text[4];
  a->ateom_pod_ip = b->text[5];
  a->ateom_pod_uid = b->text[6];
  a->in_progress_snapshot = "";
  a->worker_pool_name = b->text[7];
  a->version = 1;
  /* Suspended and paused actors keep a local snapshot on one node. */
  if (a->status == ATESQL_ACTOR_STATUS_SUSPENDED ||
      a->status == ATESQL_ACTOR_STATUS_PAUSED) {
    b->snapshot_nodes[0] = b->snapshot_node;
    b->snapshot = (atesql_snapshot_info){
        .type = ATESQL_SNAPSHOT_TYPE_LOCAL,
        .data = ATESQL_SNAPSHOT_DATA_LOCAL,
        .local_snapshot_prefix = b->text[8],
        .local_node_vms = b->snapshot_nodes,
        .local_node_vm_count = 1,
    };
    a->latest_snapshot_info = &b->snapshot;
  }
  b->label.key = "pool";
  b->label.value = b->text[7];
  b->selector = (atesql_worker_selector){&b->label, 1};
  a->worker_selector = &b->selector;
}

label_census fleet_label_census(const fleet *f) {
  label_census c = {0};
  for (size_t i = 0; i < f->workers; i++) {
    worker_facts k = worker_facts_of(f, i);
    if (k.label != LABEL_ASKED) continue;
    c.labeled++;
    c.labeled_free += k.free;
  }
  return c;
}

static int compare_strings(const void *x, const void *y) {
  return strcmp((const char *)x, (const char *)y);
}

static int compare_sizes(const void *x, const void *y) {
  size_t a = *(const size_t *)x, b = *(const size_t *)y;
  return (a > b) - (a < b);
}

typedef void (*namer)(size_t k, char *buf, size_t bufsz);

/* s->index[0..count) holds distinct numbers: sort them, name them (names
** are zero-padded, so they sort as their numbers do) and write the two
** encodings the drivers bind. */
static void finish_set(name_set *s, namer name) {
  qsort(s->index, s->count, sizeof s->index[0], compare_sizes);
  size_t js = (size_t)snprintf(s->json, sizeof s->json, "[");
  size_t pg = (size_t)snprintf(s->pg, sizeof s->pg, "{");
  for (size_t i = 0; i < s->count; i++) {
    const char *sep = i ? "," : "";
    name(s->index[i], s->names[i], sizeof s->names[i]);
    js += (size_t)snprintf(s->json + js, sizeof s->json - js, "%s\"%s\"", sep,
                           s->names[i]);
    pg += (size_t)snprintf(s->pg + pg, sizeof s->pg - pg, "%s\"%s\"", sep,
                           s->names[i]);
  }
  snprintf(s->json + js, sizeof s->json - js, "]");
  snprintf(s->pg + pg, sizeof s->pg - pg, "}");
}

/* The names of s as a selector lists them: "a,b,c". */
static void join_names(const name_set *s, char *buf, size_t bufsz) {
  size_t at = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < s->count && at < bufsz; i++)
    at += (size_t)snprintf(buf + at, bufsz - at, "%s%s", i ? "," : "",
                           s->names[i]);
}

static bool contains_number(const name_set *s, size_t k) {
  for (size_t i = 0; i < s->count; i++)
    if (s->index[i] == k) return true;
  return false;
}

/* NODE_SET distinct nodes chosen by r (fewer in a tiny fleet). */
static void pick_nodes(const fleet *f, uint64_t r, name_set *s) {
  s->count = 0;
  for (uint64_t k = 0; s->count < NODE_SET && s->count < f->nodes; k++) {
    size_t node = (size_t)(mix(r + k) % f->nodes);
    if (!contains_number(s, node)) s->index[s->count++] = node;
  }
  finish_set(s, node_name);
}

/* POOL_SET distinct pools of one namespace chosen by r. */
static void pick_pools(uint64_t r, op_args *a) {
  size_t namespaces = FLEET_POOLS / POOLS_PER_NAMESPACE;
  size_t first = (size_t)(mix(r) % POOLS_PER_NAMESPACE);
  size_t step = 1 + (size_t)(mix(r + 1) % (POOLS_PER_NAMESPACE - 1));
  a->namespace_index = (size_t)(r % namespaces);
  namespace_name(a->namespace_index, a->worker_namespace,
                 sizeof a->worker_namespace);
  a->pools.count = POOL_SET;
  for (size_t i = 0; i < POOL_SET; i++)
    a->pools.index[i] = a->namespace_index * POOLS_PER_NAMESPACE +
                        (first + i * step) % POOLS_PER_NAMESPACE;
  finish_set(&a->pools, pool_name);
}

static void pick_pool(uint64_t r, op_args *a) {
  a->pool_index = (size_t)(r % FLEET_POOLS);
  pool_name(a->pool_index, a->pool, sizeof a->pool);
}

/* The worker that create operation k of impl_name makes: a copy of a fleet
** worker under the benchmark's own namespace and pool, busy, so that no
** read workload's question can match it. */
static void created_worker(const fleet *f, size_t k, const char *impl_name,
                           op_args *a) {
  fleet_worker(f, k % f->workers, &a->buf, &a->worker);
  record_buf *b = &a->buf;
  snprintf(b->text[0], sizeof b->text[0], "bench-%s", impl_name);
  snprintf(b->text[1], sizeof b->text[1], "bench");
  snprintf(b->text[2], sizeof b->text[2], "p-%07zu", k);
  a->worker.actor_id = "bench-actor";
}

/* The questions of the list and count workloads. */
static void make_question(const fleet *f, workload w, uint64_t r, op_args *a) {
  char list[NODE_SET * 36];
  switch (w) {
  case WL_LIST_POOL_FREE:
  case WL_COUNT_POOL_FREE:
    pick_pool(r, a);
    snprintf(a->selector, sizeof a->selector,
             "worker_pool=%s,actor_id=", a->pool);
    break;
  case WL_LIST_POOL_LABEL_FREE:
    pick_pool(r, a);
    a->label_key = LABEL_KEY;
    a->label_value = LABEL_VALUE;
    snprintf(a->selector, sizeof a->selector,
             "worker_pool=%s,actor_id=,labels.%s=%s", a->pool, a->label_key,
             a->label_value);
    break;
  case WL_LIST_NODES_FREE:
    pick_nodes(f, r, &a->nodes);
    join_names(&a->nodes, list, sizeof list);
    snprintf(a->selector, sizeof a->selector, "actor_id=,node_name in (%s)",
             list);
    break;
  case WL_LIST_POOL_NODES_FREE:
    pick_pool(r, a);
    pick_nodes(f, mix(r), &a->nodes);
    join_names(&a->nodes, list, sizeof list);
    snprintf(a->selector, sizeof a->selector,
             "worker_pool=%s,actor_id=,node_name in (%s)", a->pool, list);
    break;
  case WL_LIST_POOLS_FREE:
    pick_pools(r, a);
    join_names(&a->pools, list, sizeof list);
    snprintf(a->selector, sizeof a->selector,
             "worker_namespace=%s,worker_pool in (%s),actor_id=",
             a->worker_namespace, list);
    break;
  case WL_LIST_HOLDER:
    a->actor_index = (size_t)(r % f->actors);
    actor_name(a->actor_index, a->actor_id, sizeof a->actor_id);
    a->atespace_index = a->actor_index % FLEET_ATESPACES;
    fleet_atespace_name(a->atespace_index, a->atespace, sizeof a->atespace);
    snprintf(a->selector, sizeof a->selector, "actor_atespace=%s,actor_id=%s",
             a->atespace, a->actor_id);
    break;
  case WL_LIST_NODE:
    a->node_index = (size_t)(r % f->nodes);
    node_name(a->node_index, a->node, sizeof a->node);
    snprintf(a->selector, sizeof a->selector, "node_name=%s", a->node);
    break;
  case WL_LIST_ACTORS_STATUS:
  case WL_LIST_STATUS:
    a->atespace_index = (size_t)(r % FLEET_ATESPACES);
    fleet_atespace_name(a->atespace_index, a->atespace, sizeof a->atespace);
    a->status = (int)(mix(r) % 7);
    const char *status =
        atesql_actor_status_name((atesql_actor_status)a->status);
    if (w == WL_LIST_STATUS)
      snprintf(a->selector, sizeof a->selector, "status=%s", status);
    else
      snprintf(a->selector, sizeof a->selector, "atespace=%s,status=%s",
               a->atespace, status);
    break;
  default: die("no question for %s", workload_names[w]);
  }
}

void make_args(const fleet *f, workload w, size_t page, size_t seq,
               const char *impl_name, size_t created, op_args *a) {
  uint64_t r = mix(seq * 1000003u + (uint64_t)w);
  memset(a, 0, sizeof *a);
  a->w = w;
  a->page = page;
  switch (w) {
  case WL_GET_WORKER:
    fleet_worker(f, (size_t)(r % f->workers), &a->buf, &a->worker);
    break;
  case WL_CREATE_WORKER:
    created_worker(f, seq, impl_name, a);
    worker_labels_json(&a->worker, a->worker_labels, sizeof a->worker_labels);
    break;
  case WL_UPDATE_WORKER:
    if (created == 0) die("update_worker: %s created no workers", impl_name);
    created_worker(f, seq % created, impl_name, a);
    uid(seq ^ 0x0bd47eull, a->buf.text[8], sizeof a->buf.text[8]);
    a->expected_version = 1 + (int64_t)(seq / created);
    worker_labels_json(&a->worker, a->worker_labels, sizeof a->worker_labels);
    break;
  case WL_LOCK_CYCLE:
    snprintf(a->lock_key, sizeof a->lock_key, "bench-lock-%02zu",
             seq % LOCK_KEYS);
    snprintf(a->lock_owner, sizeof a->lock_owner, "bench-%s", impl_name);
    break;
  default: make_question(f, w, r, a); break;
  }
}

bool name_set_has(const name_set *s, const char *name) {
  return bsearch(name, s->names, s->count, sizeof s->names[0],
                 compare_strings) != NULL;
}

bool worker_matches(const op_args *a, const atesql_worker *w) {
  bool free_worker = w->actor_id[0] == '\0';
  switch (a->w) {
  case WL_LIST_POOL_FREE:
  case WL_COUNT_POOL_FREE:
    return free_worker && strcmp(w->worker_pool, a->pool) == 0;
  case WL_LIST_POOL_LABEL_FREE:
    return free_worker && strcmp(w->worker_pool, a->pool) == 0 &&
           worker_has_label(w, a->label_key, a->label_value);
  case WL_LIST_NODES_FREE:
    return free_worker && name_set_has(&a->nodes, w->node_name);
  case WL_LIST_POOL_NODES_FREE:
    return free_worker && strcmp(w->worker_pool, a->pool) == 0 &&
           name_set_has(&a->nodes, w->node_name);
  case WL_LIST_POOLS_FREE:
    return free_worker &&
           strcmp(w->worker_namespace, a->worker_namespace) == 0 &&
           name_set_has(&a->pools, w->worker_pool);
  case WL_LIST_HOLDER:
    return strcmp(w->actor_id, a->actor_id) == 0 &&
           strcmp(w->actor_atespace, a->atespace) == 0;
  case WL_LIST_NODE: return strcmp(w->node_name, a->node) == 0;
  default: return false;
  }
}

bool actor_matches(const op_args *a, const atesql_actor *act) {
  return (int)act->status == a->status &&
         (a->w == WL_LIST_STATUS || strcmp(act->atespace, a->atespace) == 0);
}

void digest_init(digest *d) { d->hash = 1469598103934665603ull; }

/* FNV-1a over the bytes, then a separator byte. */
void digest_add(digest *d, const char *text, size_t len) {
  for (size_t i = 0; i < len; i++)
    d->hash = (d->hash ^ (unsigned char)text[i]) * 1099511628211ull;
  d->hash = (d->hash ^ 0x1f) * 1099511628211ull;
}

void digest_worker_key(digest *d, const atesql_worker *w) {
  digest_add(d, w->worker_namespace, strlen(w->worker_namespace));
  digest_add(d, w->worker_pool, strlen(w->worker_pool));
  digest_add(d, w->worker_pod, strlen(w->worker_pod));
}

void digest_actor_key(digest *d, const atesql_actor *a) {
  digest_add(d, a->atespace, strlen(a->atespace));
  digest_add(d, a->actor_id, strlen(a->actor_id));
}

void digest_count(digest *d, size_t count) {
  char text[24];
  digest_add(d, text, (size_t)snprintf(text, sizeof text, "%zu", count));
}

/* worker_matches in the integer terms of worker_facts, written separately
** so that the checks do not trust the filter they check. */
static bool facts_match(const op_args *a, const worker_facts *k) {
  switch (a->w) {
  case WL_LIST_POOL_FREE:
  case WL_COUNT_POOL_FREE: return k->free && k->pool == a->pool_index;
  case WL_LIST_POOL_LABEL_FREE:
    return k->free && k->pool == a->pool_index && k->label == LABEL_ASKED;
  case WL_LIST_NODES_FREE:
    return k->free && contains_number(&a->nodes, k->node);
  case WL_LIST_POOL_NODES_FREE:
    return k->free && k->pool == a->pool_index &&
           contains_number(&a->nodes, k->node);
  case WL_LIST_POOLS_FREE:
    return k->free && contains_number(&a->pools, k->pool);
  case WL_LIST_HOLDER: return !k->free && k->actor == a->actor_index;
  case WL_LIST_NODE: return k->node == a->node_index;
  default: return false;
  }
}

/* The first worker of pool p: pool p holds the workers i with
** i * FLEET_POOLS / workers == p. */
static size_t pool_start(const fleet *f, size_t p) {
  return (p * f->workers + FLEET_POOLS - 1) / FLEET_POOLS;
}

/* The workers a question about workers can match, as ranges of indexes in
** key order: its pools, or the whole fleet. */
static size_t candidate_ranges(const fleet *f, const op_args *a,
                               size_t ranges[POOL_SET][2]) {
  const size_t *pools = &a->pool_index;
  size_t n = 1;
  if (a->w == WL_LIST_POOLS_FREE) pools = a->pools.index, n = a->pools.count;
  if (a->w == WL_LIST_NODES_FREE || a->w == WL_LIST_HOLDER ||
      a->w == WL_LIST_NODE) {
    ranges[0][0] = 0;
    ranges[0][1] = f->workers;
    return 1;
  }
  for (size_t i = 0; i < n; i++) {
    ranges[i][0] = pool_start(f, pools[i]);
    ranges[i][1] = pool_start(f, pools[i] + 1);
  }
  return n;
}

/* The first a->page workers that answer a, fed to d; returns how many
** answer (all of them, for the count). */
static size_t reference_workers(const fleet *f, const op_args *a, digest *d) {
  bool count = a->w == WL_COUNT_POOL_FREE;
  size_t ranges[POOL_SET][2], matches = 0;
  size_t n = candidate_ranges(f, a, ranges);
  for (size_t r = 0; r < n; r++)
    for (size_t i = ranges[r][0];
         i < ranges[r][1] && (count || matches < a->page); i++) {
      worker_facts k = worker_facts_of(f, i);
      if (!facts_match(a, &k)) continue;
      if (!count) {
        record_buf b;
        atesql_worker w;
        fleet_worker(f, i, &b, &w);
        digest_worker_key(d, &w);
      }
      matches++;
    }
  if (count) digest_count(d, matches);
  return matches;
}

/* The first a->page actors that answer a, fed to d. Actor j is in atespace
** j mod FLEET_ATESPACES; within one atespace its ids ascend with j, which
** is key order. */
static size_t reference_actors(const fleet *f, const op_args *a, digest *d) {
  bool every = a->w == WL_LIST_STATUS;
  size_t first = every ? 0 : a->atespace_index;
  size_t last = every ? FLEET_ATESPACES : a->atespace_index + 1;
  size_t rows = 0;
  for (size_t k = first; k < last; k++)
    for (size_t j = k; j < f->actors && rows < a->page; j += FLEET_ATESPACES) {
      if (actor_status(j) != a->status) continue;
      record_buf b;
      atesql_actor act;
      fleet_actor(f, j, &b, &act);
      digest_actor_key(d, &act);
      rows++;
    }
  return rows;
}

size_t reference_answer(const fleet *f, const op_args *a, digest *d) {
  if (a->w == WL_GET_WORKER) {
    digest_worker_key(d, &a->worker);
    return 1;
  }
  if (workload_lists_actors(a->w)) return reference_actors(f, a, d);
  if (workload_is_list(a->w) || a->w == WL_COUNT_POOL_FREE)
    return reference_workers(f, a, d);
  die("no reference answer for %s", workload_names[a->w]);
}
