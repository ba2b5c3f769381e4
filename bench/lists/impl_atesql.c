/*
** Two implementations over the atesql API. "atesql" asks each question the
** way an application would: selector text, one page, the record calls
** for get and writes. "scan" is the way before field selectors: list
** every record (pages of SCAN_PAGE, no selector) and filter in C, which is
** what a list cost when the store could not filter.
*/
#include <stdio.h>
#include <stdlib.h>

#include "backends.h"
#include "lists.h"

static atesql_list_opts page_opts(const op_args *a) {
  atesql_list_opts o = {.selector_text = a->selector, .page_size = a->page};
  return o;
}

static size_t list_workers(void *ctx, const op_args *a, digest *d) {
  atesql_list_opts o = page_opts(a);
  atesql_worker_page *page;
  check(ctx, atesql_worker_list(ctx, &o, &page), "atesql list workers");
  size_t rows = page->count;
  for (size_t i = 0; d && i < rows; i++)
    digest_worker_key(d, &page->items[i]);
  atesql_worker_page_free(page);
  return rows;
}

static size_t list_actors(void *ctx, const op_args *a, digest *d) {
  atesql_list_opts o = page_opts(a);
  atesql_actor_page *page;
  check(ctx, atesql_actor_list(ctx, &o, &page), "atesql list actors");
  size_t rows = page->count;
  for (size_t i = 0; d && i < rows; i++)
    digest_actor_key(d, &page->items[i]);
  atesql_actor_page_free(page);
  return rows;
}

static size_t count_workers(void *ctx, const op_args *a, digest *d) {
  atesql_list_opts o = page_opts(a);
  int64_t count;
  check(ctx, atesql_worker_count(ctx, &o, &count), "atesql count workers");
  if (d) digest_count(d, (size_t)count);
  return (size_t)count;
}

static size_t get_worker(void *ctx, const op_args *a, digest *d) {
  const atesql_worker *k = &a->worker;
  atesql_worker *w;
  check(ctx,
        atesql_worker_get(ctx, k->worker_namespace, k->worker_pool,
                          k->worker_pod, &w),
        "atesql get worker");
  if (d) digest_worker_key(d, w);
  atesql_worker_free(w);
  return 1;
}

static size_t create_worker(void *ctx, const op_args *a, digest *d) {
  (void)d;
  check(ctx, atesql_worker_create(ctx, &a->worker), "atesql create worker");
  return 1;
}

static size_t update_worker(void *ctx, const op_args *a, digest *d) {
  (void)d;
  int64_t version;
  check(ctx,
        atesql_worker_update(ctx, &a->worker, a->expected_version, &version),
        "atesql update worker");
  if (version != a->expected_version + 1)
    die("atesql update worker: version %lld, expected %lld", (long long)version,
        (long long)a->expected_version + 1);
  return 1;
}

static size_t lock_cycle(void *ctx, const op_args *a, digest *d) {
  (void)d;
  bool acquired;
  check(ctx,
        atesql_lock_acquire(ctx, a->lock_key, a->lock_owner, 30000, &acquired),
        "atesql acquire lock");
  if (!acquired) die("atesql acquire lock '%s': held", a->lock_key);
  bool released;
  check(ctx, atesql_lock_release(ctx, a->lock_key, a->lock_owner, &released),
        "atesql release lock");
  if (!released) die("atesql release lock '%s': not held", a->lock_key);
  return 1;
}

/*
** scan: every worker in key order, SCAN_PAGE at a time, filtered in C.
** The previous page stays alive until the next arrives, since its token
** points into it. Returns the matches (a page's worth for a list, a->page
** rows) and digests the answer as the list or count would.
*/
static size_t scan_workers(void *ctx, const op_args *a, digest *d) {
  atesql_list_opts o = {.page_size = SCAN_PAGE};
  atesql_worker_page *prev = NULL, *page;
  size_t matches = 0;
  bool count = a->w == WL_COUNT_POOL_FREE;
  do {
    o.page_token = prev ? prev->next_page_token : NULL;
    check(ctx, atesql_worker_list(ctx, &o, &page), "atesql scan workers");
    atesql_worker_page_free(prev);
    for (size_t i = 0; i < page->count; i++) {
      if (!worker_matches(a, &page->items[i])) continue;
      if (d && !count && matches < a->page)
        digest_worker_key(d, &page->items[i]);
      matches++;
    }
    prev = page;
  } while (page->next_page_token[0] != '\0');
  atesql_worker_page_free(prev);
  if (count && d) digest_count(d, matches);
  return count || matches < a->page ? matches : a->page;
}

static size_t scan_actors(void *ctx, const op_args *a, digest *d) {
  atesql_list_opts o = {.page_size = SCAN_PAGE};
  atesql_actor_page *prev = NULL, *page;
  size_t matches = 0;
  do {
    o.page_token = prev ? prev->next_page_token : NULL;
    check(ctx, atesql_actor_list(ctx, &o, &page), "atesql scan actors");
    atesql_actor_page_free(prev);
    for (size_t i = 0; i < page->count; i++) {
      if (!actor_matches(a, &page->items[i])) continue;
      if (d && matches < a->page) digest_actor_key(d, &page->items[i]);
      matches++;
    }
    prev = page;
  } while (page->next_page_token[0] != '\0');
  atesql_actor_page_free(prev);
  return matches < a->page ? matches : a->page;
}

static void close_atesql(impl *im) {
  atesql_store_close(im->ctx);
  free(im);
}

impl *open_atesql(const char *url) {
  impl *im = calloc(1, sizeof *im);
  if (im == NULL) die("out of memory");
  *im = (impl){
      .name = "atesql",
      .close = close_atesql,
      .ctx = open_store(url),
      .every_page = true,
      .ops =
          {
              [WL_LIST_POOL_FREE] = list_workers,
              [WL_LIST_NODES_FREE] = list_workers,
              [WL_LIST_POOL_NODES_FREE] = list_workers,
              [WL_LIST_POOLS_FREE] = list_workers,
              [WL_LIST_HOLDER] = list_workers,
              [WL_LIST_NODE] = list_workers,
              [WL_LIST_ACTORS_STATUS] = list_actors,
              [WL_LIST_STATUS] = list_actors,
              [WL_LIST_POOL_LABEL_FREE] = list_workers,
              [WL_COUNT_POOL_FREE] = count_workers,
              [WL_GET_WORKER] = get_worker,
              [WL_CREATE_WORKER] = create_worker,
              [WL_UPDATE_WORKER] = update_worker,
              [WL_LOCK_CYCLE] = lock_cycle,
          },
  };
  return im;
}

impl *open_scan(const char *url) {
  impl *im = calloc(1, sizeof *im);
  if (im == NULL) die("out of memory");
  *im = (impl){
      .name = "scan",
      .close = close_atesql,
      .ctx = open_store(url),
      .ops =
          {
              [WL_LIST_POOL_FREE] = scan_workers,
              [WL_LIST_NODES_FREE] = scan_workers,
              [WL_LIST_POOL_NODES_FREE] = scan_workers,
              [WL_LIST_POOLS_FREE] = scan_workers,
              [WL_LIST_HOLDER] = scan_workers,
              [WL_LIST_NODE] = scan_workers,
              [WL_LIST_ACTORS_STATUS] = scan_actors,
              [WL_LIST_STATUS] = scan_actors,
              [WL_LIST_POOL_LABEL_FREE] = scan_workers,
              [WL_COUNT_POOL_FREE] = scan_workers,
          },
  };
  return im;
}
