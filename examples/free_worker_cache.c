/*
** A cache of the free workers of one pool, kept by list + watch:
**
**   free_worker_cache URL
**
** seeds a pool in the database at URL (migrating it first), then
**   1. lists the free workers of pool cpu, page by page: every page
**      reflects the revision of the first (atesql_worker_page.revision);
**   2. opens a watch with the same selector from that revision, so the
**      watch continues the listing with no gap and no duplicate;
**   3. while another handle claims, releases, creates and deletes workers,
**      waits on the watch's descriptor with poll() and applies each event:
**      a worker claimed leaves the selected set (DELETED), one released
**      enters it (CREATED);
**   4. compares the cache with a fresh listing.
** No periodic relist is needed: a watch whose connection drops resumes
** from its last revision by itself. The tests build and run it on SQLite
** and PostgreSQL; it exits non-zero when the cache and the store differ.
*/
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atesql/atesql.h>

#define SELECTOR "worker_pool=cpu,actor_id="
enum { MAX_WORKERS = 64 };

/* The cache: pods of free workers in pool ns/cpu. */
static char pods[MAX_WORKERS][32];
static size_t count;

static long find(const char *pod) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(pods[i], pod) == 0) return (long)i;
  return -1;
}

static int fail(const char *what, const char *detail) {
  fprintf(stderr, "free_worker_cache: %s: %s\n", what, detail);
  return 1;
}

/* Apply one event; a duplicate or a gap would show as an impossible one. */
static int apply(const atesql_worker_event *e) {
  long at = find(e->worker.worker_pod);
  const char *type = e->type == ATESQL_EVENT_CREATED   ? "entered"
                     : e->type == ATESQL_EVENT_UPDATED ? "changed"
                                                       : "left";
  printf("revision %lld: %s %s\n", (long long)e->revision, e->worker.worker_pod,
         type);
  if (e->type == ATESQL_EVENT_CREATED) {
    if (at >= 0 || count == MAX_WORKERS)
      return fail("entered twice", e->worker.worker_pod);
    snprintf(pods[count++], sizeof pods[0], "%s", e->worker.worker_pod);
  } else if (e->type == ATESQL_EVENT_DELETED) {
    if (at < 0) return fail("left, but not cached", e->worker.worker_pod);
    memcpy(pods[at], pods[--count], sizeof pods[0]);
  } else if (at < 0) {
    return fail("changed, but not cached", e->worker.worker_pod);
  }
  return 0;
}

static int seed(atesql_store *s) {
  if (atesql_store_clear(s) != ATESQL_OK)
    return fail("clear", atesql_errmsg(s));
  for (int i = 0; i < 6; i++) {
    char pod[16];
    snprintf(pod, sizeof pod, "w%d", i);
    atesql_worker w = {.worker_namespace = "ns",
                       .worker_pool = i < 5 ? "cpu" : "gpu",
                       .worker_pod = pod,
                       .ip = "10.0.0.1",
                       .actor_atespace = i % 2 ? "space" : "",
                       .actor_id = i % 2 ? "busy" : ""};
    if (atesql_worker_create(s, &w) != ATESQL_OK)
      return fail("create worker", atesql_errmsg(s));
  }
  return 0;
}

/* Step 1: every page of the listing; returns its revision, -1 on error. */
static int64_t list_into_cache(atesql_store *s) {
  atesql_list_opts opts = {.selector_text = SELECTOR, .page_size = 2};
  char token[512] = "";
  int64_t revision = -1;
  do {
    opts.page_token = token;
    atesql_worker_page *page;
    if (atesql_worker_list(s, &opts, &page) != ATESQL_OK) {
      fail("list", atesql_errmsg(s));
      return -1;
    }
    revision = page->revision;
    for (size_t i = 0; i < page->count && count < MAX_WORKERS; i++)
      snprintf(pods[count++], sizeof pods[0], "%s", page->items[i].worker_pod);
    snprintf(token, sizeof token, "%s", page->next_page_token);
    atesql_worker_page_free(page);
  } while (token[0] != '\0');
  return revision;
}

/* Step 3's writes, from a handle of their own. */
static int churn(atesql_store *s) {
  atesql_pool_ref pool = {"ns", "cpu"};
  atesql_claim_request req = {.pools = &pool,
                              .pool_count = 1,
                              .actor_atespace = "space",
                              .actor_id = "a1"};
  atesql_worker *w;
  bool released;
  atesql_worker fresh = {.worker_namespace = "ns",
                         .worker_pool = "cpu",
                         .worker_pod = "w9",
                         .ip = "10.0.0.9"};
  if (atesql_worker_claim(s, &req, &w) != ATESQL_OK)
    return fail("claim", atesql_errmsg(s));
  printf("claimed %s for space/a1\n", w->worker_pod);
  atesql_worker_free(w);
  if (atesql_worker_release(s, "ns", "cpu", "w1", "space", "busy", &released) !=
          ATESQL_OK ||
      !released)
    return fail("release w1", atesql_errmsg(s));
  if (atesql_worker_create(s, &fresh) != ATESQL_OK ||
      atesql_worker_delete(s, "ns", "cpu", "w4") != ATESQL_OK ||
      atesql_worker_delete(s, "ns", "gpu", "w5") != ATESQL_OK)
    return fail("write", atesql_errmsg(s));
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: free_worker_cache URL\n");
    return 2;
  }
  const char *url = argv[1];
  atesql_error err;
  atesql_store *s, *writer;
  if (atesql_migrate_up(url, NULL, &err) != ATESQL_OK ||
      atesql_store_open(url, &s, &err) != ATESQL_OK ||
      atesql_store_open(url, &writer, &err) != ATESQL_OK)
    return fail("open", err.message);
  if (seed(s)) return 1;

  int64_t revision = list_into_cache(s);
  if (revision < 0) return 1;
  printf("listed %zu free workers at revision %lld\n", count,
         (long long)revision);

  atesql_watch_opts wopts = {.selector_text = SELECTOR,
                             .since_revision = revision};
  atesql_watch *watch;
  if (atesql_watch_open(url, &wopts, &watch, &err) != ATESQL_OK)
    return fail("watch", err.message);
  if (churn(writer)) return 1;
  int64_t target = 0;
  if (atesql_store_revision(writer, &target, NULL) != ATESQL_OK)
    return fail("revision", atesql_errmsg(writer));

  /* The caller's event loop: poll, then take every waiting event. */
  struct pollfd p = {.fd = atesql_watch_fd(watch), .events = POLLIN};
  while (atesql_watch_revision(watch) < target) {
    if (poll(&p, 1, 10000) <= 0) return fail("poll", "no event in 10 s");
    atesql_worker_event *e;
    atesql_status st;
    while ((st = atesql_watch_next(watch, 0, &e)) == ATESQL_OK) {
      int bad = apply(e);
      atesql_worker_event_free(e);
      if (bad) return 1;
    }
    if (st != ATESQL_DEADLINE_EXCEEDED && st != ATESQL_UNAVAILABLE)
      return fail("watch next", atesql_watch_errmsg(watch));
  }

  /* Step 4: the cache against a fresh listing. */
  size_t cached = count;
  char saved[MAX_WORKERS][32];
  memcpy(saved, pods, sizeof saved);
  count = 0;
  if (list_into_cache(s) < 0) return 1;
  bool same = cached == count;
  for (size_t i = 0; same && i < cached; i++)
    same = find(saved[i]) >= 0;
  if (!same) return fail("cache", "differs from a fresh listing");
  printf("cache: %zu free workers, as a fresh listing has them\n", count);
  atesql_watch_close(watch);
  atesql_store_close(writer);
  atesql_store_close(s);
  printf("free_worker_cache: ok\n");
  return 0;
}
