/*
** The claims subcommand's database: the base every cell copies (the pool
** the claimers share among 20 others, 21 000 workers), the cell's fresh
** copy, and the checks that no worker was given to two actors. claims.h
** says what each function it shares does.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "common.h"
#include "pools.h"
#include "samples.h"

/* The databases: the base every cell copies, and the cell's copy. */
#define BASE_DB "atesql_claims_base"
#define CELL_DB "atesql_claims_cell"

/* Migrate the empty database at url and load the workers, in one
** transaction, then refresh the planner statistics. */
static void load_database(const char *url) {
  atesql_store *s = migrate_and_open(url);
  check(s, atesql_tx_begin(s), "begin the load");
  pool_spec pool = {.ns = POOL_NS,
                    .pool = POOL_NAME,
                    .workers = POOL_WORKERS,
                    .free_every = POOL_WORKERS / POOL_FREE,
                    .pod_prefix = "cpu",
                    .node_prefix = "node",
                    .nodes = POOL_NODES,
                    .ip_block = 0};
  load_pool(s, &pool);
  for (int n = 0; n < OTHER_NAMESPACES; n++)
    for (int p = 0; p < OTHER_POOLS; p++) {
      char ns[16], name[16], nodes[32];
      snprintf(ns, sizeof ns, "other-%d", n);
      snprintf(name, sizeof name, "pool-%d", p);
      snprintf(nodes, sizeof nodes, "%s-%s", ns, name);
      pool_spec other = {.ns = ns,
                         .pool = name,
                         .workers = OTHER_WORKERS,
                         .free_every = OTHER_WORKERS / OTHER_FREE,
                         .pod_prefix = "pod",
                         .node_prefix = nodes,
                         .nodes = OTHER_NODES,
                         .ip_block = 1 + n * OTHER_POOLS + p};
      load_pool(s, &other);
    }
  check(s, atesql_tx_commit(s), "commit the load");
  check(s, atesql_store_analyze(s), "analyze");
  atesql_store_close(s);
}

void claims_backend_setup(backend *b, const options *o) {
  double t0 = now_s();
  char url[4400];
  place_open(&b->place, b->id, o->common.dir, o->common.postgres, "claims");
  place_create(&b->place, BASE_DB);
  place_url(&b->place, BASE_DB, "", url, sizeof url);
  load_database(url);
  if (b->id == B_POSTGRES) {
    PGconn *base = pg_connect(url);
    pg_exec(base, "VACUUM workers");
    if (o->no_feed)
      pg_exec(base, "ALTER TABLE workers DISABLE TRIGGER workers_events");
    PQfinish(base);
  }
  char query[128];
  snprintf(query, sizeof query, "?synchronous=%s&busy_timeout_ms=%ld",
           o->sqlite_synchronous, o->sqlite_busy_timeout_ms);
  place_url(&b->place, CELL_DB, query, b->cell_url, sizeof b->cell_url);
  fprintf(stderr, "%s: base database loaded in %.1f s\n", backend_names[b->id],
          now_s() - t0);
}

void claims_backend_fresh_cell(backend *b) {
  place_copy(&b->place, BASE_DB, CELL_DB);
}

void claims_backend_teardown(backend *b) {
  place_drop(&b->place, CELL_DB);
  place_drop(&b->place, BASE_DB);
  place_close(&b->place);
}

/* ---- Checks ---- */

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int64_t count_workers(atesql_store *s, const char *selector) {
  atesql_list_opts opts = {.selector_text = selector};
  int64_t n = 0;
  check(s, atesql_worker_count(s, &opts, &n), "count workers");
  return n;
}

void check_holding(atesql_store *s, const run *r) {
  int holding = 0;
  for (int i = 0; i < r->count; i++)
    holding += r->claimers[i].held.holding;
  atesql_list_opts opts = {.selector_text = POOL_SELECTOR,
                           .page_size = POOL_WORKERS};
  atesql_worker_page *page = NULL;
  check(s, atesql_worker_list(s, &opts, &page), "list the pool");
  if (page->count != POOL_WORKERS || *page->next_page_token)
    die("the pool lists %zu workers, not %d", page->count, POOL_WORKERS);
  char *holders[POOL_WORKERS];
  size_t held = 0;
  for (size_t i = 0; i < page->count; i++) {
    const atesql_worker *w = &page->items[i];
    if (!*w->actor_id) continue;
    if (asprintf(&holders[held++], "%s/%s", w->actor_atespace, w->actor_id) < 0)
      die("out of memory");
  }
  qsort(holders, held, sizeof holders[0], compare_strings);
  size_t distinct = held ? 1 : 0;
  for (size_t i = 1; i < held; i++)
    distinct += strcmp(holders[i - 1], holders[i]) != 0;
  for (size_t i = 0; i < held; i++)
    free(holders[i]);
  size_t expected = POOL_WORKERS - POOL_FREE + (size_t)holding;
  if (held != expected || distinct != held)
    die("%zu workers held by %zu actors; expected %zu by as many", held,
        distinct, expected);
  for (int i = 0; i < r->count; i++) {
    const claimer *c = &r->claimers[i];
    if (!c->held.holding) continue;
    const atesql_worker *w = &page->items[c->held.index];
    if (strcmp(w->worker_pod, c->held.pod) != 0 ||
        strcmp(w->actor_id, c->actor_id) != 0)
      die("worker %s is held by '%s', not by claimer %d's actor %s",
          c->held.pod, w->actor_id, c->id, c->actor_id);
  }
  atesql_worker_page_free(page);
  int64_t free_now = count_workers(s, POOL_FREE_SELECTOR);
  if (free_now != POOL_FREE - holding)
    die("%lld workers of the pool are free, not %d", (long long)free_now,
        POOL_FREE - holding);
}

void check_released(atesql_store *s) {
  int64_t pool_free = count_workers(s, POOL_FREE_SELECTOR);
  int64_t all_free = count_workers(s, "actor_id=");
  int64_t expected = POOL_FREE + OTHER_NAMESPACES * OTHER_POOLS * OTHER_FREE;
  if (pool_free != POOL_FREE || all_free != expected)
    die("after the cell %lld workers of the pool and %lld in all are free, "
        "not %d and %lld",
        (long long)pool_free, (long long)all_free, POOL_FREE,
        (long long)expected);
}
