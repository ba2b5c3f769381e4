/*
** The benchmark's data and questions, generated rather than stored: worker
** i and actor j of a fleet follow from their index alone, so the SQLite,
** PostgreSQL and Redis loaders write the same records, and operation seq
** of a workload asks every implementation the same question. Also the C
** filters that the scan and Redis implementations apply, and the digest
** that checks that implementations give the same answers.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

const char *const workload_names[WL_COUNT] = {
    [WL_LIST_POOL_FREE] = "list_pool_free",
    [WL_LIST_NODES_FREE] = "list_nodes_free",
    [WL_LIST_ACTORS_STATUS] = "list_actors_status",
    [WL_COUNT_POOL_FREE] = "count_pool_free",
    [WL_GET_WORKER] = "get_worker",
    [WL_CREATE_WORKER] = "create_worker",
    [WL_UPDATE_WORKER] = "update_worker",
    [WL_LOCK_CYCLE] = "lock_cycle",
};

bool workload_is_list(workload w) {
  return w == WL_LIST_POOL_FREE || w == WL_LIST_NODES_FREE ||
         w == WL_LIST_ACTORS_STATUS;
}

bool workload_is_write(workload w) {
  return w == WL_CREATE_WORKER || w == WL_UPDATE_WORKER || w == WL_LOCK_CYCLE;
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

void fleet_worker(const fleet *f, size_t i, record_buf *b, atesql_worker *w) {
  size_t p = worker_pool(f, i);
  uint64_t r = mix(i);
  bool free_worker = r % FREE_ONE_IN == 0;
  size_t actor = (size_t)(mix(r) % f->actors);
  memset(w, 0, sizeof *w);
  snprintf(b->text[0], sizeof b->text[0], "fleet-%zu", p / POOLS_PER_NAMESPACE);
  pool_name(p, b->text[1], sizeof b->text[1]);
  snprintf(b->text[2], sizeof b->text[2], "w-%07zu", i);
  snprintf(b->text[3], sizeof b->text[3], "tenant-%02zu",
           actor % FLEET_ATESPACES);
  snprintf(b->text[4], sizeof b->text[4], "template-%zu", actor % 8);
  snprintf(b->text[5], sizeof b->text[5], "actor-%07zu", actor);
  fleet_atespace_name(actor, b->text[6], sizeof b->text[6]);
  snprintf(b->text[7], sizeof b->text[7], "10.%zu.%zu.%zu", (i >> 16) & 255,
           (i >> 8) & 255, i & 255);
  uid(i, b->text[8], sizeof b->text[8]);
  node_name(worker_node(f, i), b->text[9], sizeof b->text[9]);
  w->worker_namespace = b->text[0];
  w->worker_pool = b->text[1];
  w->worker_pod = b->text[2];
  w->actor_namespace = free_worker ? "" : b->text[3];
  w->actor_template = free_worker ? "" : b->text[4];
  w->actor_id = free_worker ? "" : b->text[5];
  w->actor_atespace = free_worker ? "" : b->text[6];
  w->ip = b->text[7];
  w->worker_pod_uid = b->text[8];
  w->node_name = b->text[9];
  w->version = 1;
}

void fleet_actor(const fleet *f, size_t j, record_buf *b, atesql_actor *a) {
  uint64_t r = mix(j ^ 0xac7025ull);
  memset(a, 0, sizeof *a);
  fleet_atespace_name(j, b->text[0], sizeof b->text[0]);
  snprintf(b->text[1], sizeof b->text[1], "actor-%07zu", j);
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
  a->status = (atesql_actor_status)(r % 7);
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

static int compare_strings(const void *x, const void *y) {
  return strcmp((const char *)x, (const char *)y);
}

/* NODE_SET distinct nodes chosen by r, sorted, in three encodings: names,
** a JSON array (SQLite's json_each) and an array literal (PostgreSQL). */
static void pick_nodes(const fleet *f, uint64_t r, op_args *a) {
  size_t n = 0;
  for (uint64_t k = 0; n < NODE_SET && n < f->nodes; k++) {
    char name[32];
    node_name((size_t)(mix(r + k) % f->nodes), name, sizeof name);
    bool seen = false;
    for (size_t i = 0; i < n && !seen; i++)
      seen = strcmp(a->nodes[i], name) == 0;
    if (!seen) snprintf(a->nodes[n++], sizeof a->nodes[0], "%s", name);
  }
  qsort(a->nodes, n, sizeof a->nodes[0], compare_strings);
  size_t js = 0, pg = 0, sel;
  sel = (size_t)snprintf(a->selector, sizeof a->selector,
                         "actor_id=,node_name in (");
  js += (size_t)snprintf(a->nodes_json, sizeof a->nodes_json, "[");
  pg += (size_t)snprintf(a->nodes_pg, sizeof a->nodes_pg, "{");
  for (size_t i = 0; i < n; i++) {
    const char *sep = i ? "," : "";
    sel += (size_t)snprintf(a->selector + sel, sizeof a->selector - sel, "%s%s",
                            sep, a->nodes[i]);
    js += (size_t)snprintf(a->nodes_json + js, sizeof a->nodes_json - js,
                           "%s\"%s\"", sep, a->nodes[i]);
    pg += (size_t)snprintf(a->nodes_pg + pg, sizeof a->nodes_pg - pg,
                           "%s\"%s\"", sep, a->nodes[i]);
  }
  snprintf(a->selector + sel, sizeof a->selector - sel, ")");
  snprintf(a->nodes_json + js, sizeof a->nodes_json - js, "]");
  snprintf(a->nodes_pg + pg, sizeof a->nodes_pg - pg, "}");
  a->node_count = n;
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

void make_args(const fleet *f, workload w, size_t seq, const char *impl_name,
               size_t created, op_args *a) {
  uint64_t r = mix(seq * 1000003u + (uint64_t)w);
  memset(a, 0, sizeof *a);
  a->w = w;
  switch (w) {
  case WL_LIST_POOL_FREE:
  case WL_COUNT_POOL_FREE:
    a->pool_index = r % FLEET_POOLS;
    pool_name(a->pool_index, a->pool, sizeof a->pool);
    snprintf(a->selector, sizeof a->selector,
             "worker_pool=%s,actor_id=", a->pool);
    break;
  case WL_LIST_NODES_FREE: pick_nodes(f, r, a); break;
  case WL_LIST_ACTORS_STATUS:
    a->atespace_index = r % FLEET_ATESPACES;
    fleet_atespace_name(a->atespace_index, a->atespace, sizeof a->atespace);
    a->status = (int)(mix(r) % 7);
    snprintf(a->status_text, sizeof a->status_text, "%d", a->status);
    snprintf(a->selector, sizeof a->selector, "atespace=%s,status=%s",
             a->atespace,
             atesql_actor_status_name((atesql_actor_status)a->status));
    break;
  case WL_GET_WORKER:
    fleet_worker(f, (size_t)(r % f->workers), &a->buf, &a->worker);
    break;
  case WL_CREATE_WORKER: created_worker(f, seq, impl_name, a); break;
  case WL_UPDATE_WORKER:
    if (created == 0) die("update_worker: %s created no workers", impl_name);
    created_worker(f, seq % created, impl_name, a);
    uid(seq ^ 0x0bd47eull, a->buf.text[8], sizeof a->buf.text[8]);
    a->expected_version = 1 + (int64_t)(seq / created);
    snprintf(a->version_text, sizeof a->version_text, "%lld",
             (long long)a->expected_version);
    break;
  case WL_LOCK_CYCLE:
    snprintf(a->lock_key, sizeof a->lock_key, "bench-lock-%02zu",
             seq % LOCK_KEYS);
    snprintf(a->lock_owner, sizeof a->lock_owner, "bench-%s", impl_name);
    break;
  case WL_COUNT: break;
  }
}

bool worker_matches(const op_args *a, const atesql_worker *w) {
  if (w->actor_id[0] != '\0') return false;
  if (a->w != WL_LIST_NODES_FREE) return strcmp(w->worker_pool, a->pool) == 0;
  return bsearch(w->node_name, a->nodes, a->node_count, sizeof a->nodes[0],
                 compare_strings) != NULL;
}

bool actor_matches(const op_args *a, const atesql_actor *act) {
  return (int)act->status == a->status &&
         strcmp(act->atespace, a->atespace) == 0;
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

/* Feed the first PAGE_ROWS matching workers among [from, to) to d. */
static size_t reference_workers(const fleet *f, const op_args *a, size_t from,
                                size_t to, digest *d) {
  size_t matches = 0;
  for (size_t i = from; i < to; i++) {
    record_buf b;
    atesql_worker w;
    fleet_worker(f, i, &b, &w);
    if (!worker_matches(a, &w)) continue;
    if (a->w != WL_COUNT_POOL_FREE && matches < PAGE_ROWS)
      digest_worker_key(d, &w);
    matches++;
  }
  return matches;
}

size_t reference_answer(const fleet *f, const op_args *a, digest *d) {
  size_t rows = 0;
  switch (a->w) {
  case WL_LIST_POOL_FREE:
  case WL_COUNT_POOL_FREE:
    /* Pool p holds the workers i with i * FLEET_POOLS / workers == p. */
    rows = reference_workers(
        f, a, (a->pool_index * f->workers + FLEET_POOLS - 1) / FLEET_POOLS,
        ((a->pool_index + 1) * f->workers + FLEET_POOLS - 1) / FLEET_POOLS, d);
    if (a->w == WL_COUNT_POOL_FREE) digest_count(d, rows);
    return a->w == WL_COUNT_POOL_FREE || rows < PAGE_ROWS ? rows : PAGE_ROWS;
  case WL_LIST_NODES_FREE:
    rows = reference_workers(f, a, 0, f->workers, d);
    return rows < PAGE_ROWS ? rows : PAGE_ROWS;
  case WL_LIST_ACTORS_STATUS:
    /* Actor j is in atespace j mod FLEET_ATESPACES; within one atespace
    ** its ids ascend with j, which is key order. */
    for (size_t j = a->atespace_index; j < f->actors && rows < PAGE_ROWS;
         j += FLEET_ATESPACES) {
      record_buf b;
      atesql_actor act;
      fleet_actor(f, j, &b, &act);
      if (actor_matches(a, &act)) {
        digest_actor_key(d, &act);
        rows++;
      }
    }
    return rows;
  case WL_GET_WORKER: digest_worker_key(d, &a->worker); return 1;
  default: die("no reference answer for %s", workload_names[a->w]);
  }
}
