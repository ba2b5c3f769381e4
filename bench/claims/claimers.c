/*
** The claims subcommand's claimers: threads with a store handle each that
** claim a worker of the shared pool for a fresh actor and release it, as
** fast as they can, each claim timed. A claim is atesql_worker_claim, or
** the upstream pattern (list a page of free workers, pick one, write it
** with the version read, retry on CONFLICT). A table of holders shared by
** the claimers catches a worker given to two actors at once.
*/
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "common.h"
#include "pools.h"
#include "samples.h"

/* The page an upstream claim lists, by implementation. */
static const size_t impl_page_size[IMPL_COUNT] = {0, 100, 1};

static uint64_t claim_tag(const claimer *c) {
  return ((uint64_t)(c->id + 1) << 40) | c->seq;
}

/*
** Note that c now holds the worker w at version: its fields for a later
** write, and its mark in the table of holders. A worker another claimer
** still holds is a double assignment, and fatal.
*/
static void hold(claimer *c, const atesql_worker *w, int64_t version) {
  held_worker *h = &c->held;
  if (sscanf(w->worker_pod, "cpu-%d", &h->index) != 1 || h->index < 0 ||
      h->index >= POOL_WORKERS || strcmp(w->worker_namespace, POOL_NS) != 0 ||
      strcmp(w->worker_pool, POOL_NAME) != 0)
    die("claimer %d got worker %s/%s/%s, not one of pool %s/%s", c->id,
        w->worker_namespace, w->worker_pool, w->worker_pod, POOL_NS, POOL_NAME);
  snprintf(h->pod, sizeof h->pod, "%s", w->worker_pod);
  snprintf(h->ip, sizeof h->ip, "%s", w->ip);
  snprintf(h->uid, sizeof h->uid, "%s", w->worker_pod_uid);
  snprintf(h->node, sizeof h->node, "%s", w->node_name);
  h->version = version;
  uint64_t free_mark = 0;
  if (!atomic_compare_exchange_strong(&c->run->holder[h->index], &free_mark,
                                      claim_tag(c)))
    die("worker %s was given to actor %s while claimer %d's actor held it",
        h->pod, c->actor_id, (int)(free_mark >> 40) - 1);
  h->holding = true;
}

/*
** A single-statement write of a claimer, in an explicit transaction when
** the run asks for it (--writes-in-tx): on SQLite a transaction waits in
** the process's queue of writers, a lone statement in SQLite's busy
** handler. OK and CONFLICT are returned (after a CONFLICT the transaction
** is rolled back); any other failure is fatal.
*/
static void write_begin(claimer *c) {
  if (c->run->writes_in_tx)
    check(c->store, atesql_tx_begin(c->store), "begin a write");
}

static atesql_status write_end(claimer *c, atesql_status st, const char *what) {
  if (st != ATESQL_OK && st != ATESQL_CONFLICT) check(c->store, st, what);
  if (!c->run->writes_in_tx) return st;
  if (st == ATESQL_OK) {
    check(c->store, atesql_tx_commit(c->store), what);
    return ATESQL_OK;
  }
  check(c->store, atesql_tx_rollback(c->store), what);
  return st;
}

/* atesql: one call. False when no worker is free. */
static bool claim_atesql(claimer *c) {
  atesql_pool_ref pool = {POOL_NS, POOL_NAME};
  atesql_claim_request req = {.pools = &pool,
                              .pool_count = 1,
                              .actor_atespace = ACTOR_ATESPACE,
                              .actor_id = c->actor_id,
                              .actor_namespace = POOL_NS,
                              .actor_template = ACTOR_TEMPLATE};
  atesql_worker *w = NULL;
  atesql_status st = atesql_worker_claim(c->store, &req, &w);
  if (st == ATESQL_RESOURCE_EXHAUSTED) return false;
  check(c->store, st, "atesql_worker_claim");
  hold(c, w, w->version);
  atesql_worker_free(w);
  return true;
}

/*
** The upstream pattern: list a page of free workers of the pool, pick one
** at random, and write the assignment with the version read; on CONFLICT
** (another claimer took it first) list again. False when the list is
** empty.
*/
static bool claim_upstream(claimer *c, size_t page_size) {
  atesql_list_opts opts = {.selector_text = UPSTREAM_SELECTOR,
                           .page_size = page_size};
  for (;;) {
    atesql_worker_page *page = NULL;
    check(c->store, atesql_worker_list(c->store, &opts, &page),
          "list free workers");
    if (page->count == 0) {
      atesql_worker_page_free(page);
      return false;
    }
    atesql_worker w = page->items[rand_r(&c->rng) % page->count];
    int64_t read_version = w.version, version = 0;
    w.actor_id = c->actor_id;
    w.actor_atespace = ACTOR_ATESPACE;
    w.actor_namespace = POOL_NS;
    w.actor_template = ACTOR_TEMPLATE;
    write_begin(c);
    atesql_status st =
        write_end(c, atesql_worker_update(c->store, &w, read_version, &version),
                  "assign a listed worker");
    if (st == ATESQL_OK) hold(c, &w, version);
    atesql_worker_page_free(page);
    if (st == ATESQL_OK) return true;
    c->retries++;
  }
}

/*
** Give the held worker back. Its mark is cleared first: until the write
** below, the database still says it is ours, so nobody can take it in
** between. A release that finds the worker no longer ours means it was
** given to another actor meanwhile, and is fatal.
*/
static void release(claimer *c) {
  held_worker *h = &c->held;
  atomic_store(&c->run->holder[h->index], 0);
  write_begin(c);
  if (c->run->impl == IMPL_ATESQL) {
    bool released = false;
    write_end(c,
              atesql_worker_release(c->store, POOL_NS, POOL_NAME, h->pod,
                                    ACTOR_ATESPACE, c->actor_id, &released),
              "atesql_worker_release");
    if (!released)
      die("worker %s was no longer held by actor %s at its release", h->pod,
          c->actor_id);
  } else {
    atesql_worker w = {.worker_namespace = POOL_NS,
                       .worker_pool = POOL_NAME,
                       .worker_pod = h->pod,
                       .actor_namespace = "",
                       .actor_template = "",
                       .actor_id = "",
                       .actor_atespace = "",
                       .ip = h->ip,
                       .worker_pod_uid = h->uid,
                       .node_name = h->node};
    atesql_status st =
        write_end(c, atesql_worker_update(c->store, &w, h->version, NULL),
                  "release a worker by update");
    if (st == ATESQL_CONFLICT)
      die("worker %s changed while actor %s held it (version %lld is stale)",
          h->pod, c->actor_id, (long long)h->version);
  }
  h->holding = false;
}

/* One claim for a fresh actor, timed; recorded when `record`. True when
** it got a worker. */
static bool claim_once(claimer *c, bool record) {
  c->seq++;
  snprintf(c->actor_id, sizeof c->actor_id, "claimer%d-%llu", c->id,
           (unsigned long long)c->seq);
  double t0 = now_s();
  bool got = c->run->impl == IMPL_ATESQL
                 ? claim_atesql(c)
                 : claim_upstream(c, impl_page_size[c->run->impl]);
  double t1 = now_s();
  if (!record) return got;
  c->last_end = t1;
  double ms = (t1 - t0) * 1e3;
  if (got)
    append((void **)&c->latency_ms, &c->claims, &c->cap, sizeof ms, &ms);
  else
    c->exhausted++;
  return got;
}

void *claimer_main(void *arg) {
  claimer *c = arg;
  atesql_error err = {0};
  if (atesql_store_open(c->run->url, &c->store, &err) != ATESQL_OK)
    die("claimer %d: open %s: %s", c->id, c->run->url, err.message);
  if (claim_once(c, false)) release(c);
  barrier_wait(&c->run->barrier); /* warmed up */
  barrier_wait(&c->run->barrier); /* start and deadline set */
  for (;;) {
    bool got = claim_once(c, true);
    if (now_s() >= c->run->deadline) break; /* keep it for the check */
    if (got) release(c);
  }
  barrier_wait(&c->run->barrier); /* holding */
  barrier_wait(&c->run->barrier); /* checked */
  if (c->held.holding) release(c);
  atesql_store_close(c->store);
  return NULL;
}
