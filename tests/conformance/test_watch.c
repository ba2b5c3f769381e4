/*
** The workers' change feed: watches, listings at a revision, compaction.
** Every test watches from the store's revision when it starts (or from a
** listing's), so the events of earlier tests do not matter.
*/
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#include "conformance.h"

#ifdef ATESQL_WITH_POSTGRES
#include <libpq-fe.h>
#endif

#include "backend.h"

enum { WAIT_MS = 10000 };

static atesql_watch *open_watch(const char *selector, int64_t since) {
  atesql_watch_opts o = {0};
  o.selector_text = selector;
  o.since_revision = since;
  atesql_watch *w = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_watch_open(conformance_url, &o, &w, &err);
  if (st != ATESQL_OK)
    fail_msg("watch open: %s: %s", atesql_status_str(st), err.message);
  return w;
}

/* The next event, which must come within WAIT_MS. */
static atesql_worker_event *next_event(atesql_watch *w) {
  atesql_worker_event *e = NULL;
  atesql_status st = atesql_watch_next(w, WAIT_MS, &e);
  if (st != ATESQL_OK)
    fail_msg("watch next: %s: %s", atesql_status_str(st),
             atesql_watch_errmsg(w));
  return e;
}

/* No event is waiting. */
static void expect_no_event(atesql_watch *w) {
  atesql_worker_event *e = NULL;
  atesql_status st = atesql_watch_next(w, 0, &e);
  if (st == ATESQL_OK)
    fail_msg("unexpected event: revision %lld %s", (long long)e->revision,
             e->worker.worker_pod);
  assert_int_equal(st, ATESQL_DEADLINE_EXCEEDED);
}

static int64_t revision_now(atesql_store *s) {
  int64_t r = -1;
  assert_ok(s, atesql_store_revision(s, &r, NULL));
  return r;
}

static void expect_event(atesql_worker_event *e, int64_t revision,
                         atesql_event_type type, atesql_event_type change,
                         const char *pod, int64_t version) {
  assert_non_null(e);
  if (revision >= 0) assert_int_equal(e->revision, revision);
  assert_int_equal(e->type, type);
  assert_int_equal(e->change, change);
  assert_string_equal(e->worker.worker_pod, pod);
  assert_int_equal(e->worker.version, version);
  if (change == ATESQL_EVENT_CREATED)
    assert_null(e->previous);
  else
    assert_non_null(e->previous);
  assert_true(e->committed_at_ms > 0);
}

/* Create, update, claim, release and delete: one event each, in order,
** with dense revisions, the worker as written and as it was. */
static void test_watch_delivers_every_change_in_order(void **state) {
  atesql_store *s = *state;
  int64_t r0 = revision_now(s);
  atesql_watch *w = open_watch(NULL, ATESQL_WATCH_NOW);
  assert_int_equal(atesql_watch_revision(w), r0);
  expect_no_event(w);

  atesql_worker wk = make_worker("ns", "cpu", "p1");
  wk.node_name = "n1";
  assert_ok(s, atesql_worker_create(s, &wk));
  wk.node_name = "n2";
  assert_ok(s, atesql_worker_update(s, &wk, 1, NULL));
  atesql_pool_ref pool = {"ns", "cpu"};
  atesql_claim_request req = {0};
  req.pools = &pool;
  req.pool_count = 1;
  req.actor_atespace = "space";
  req.actor_id = "a1";
  atesql_worker *claimed = NULL;
  assert_ok(s, atesql_worker_claim(s, &req, &claimed));
  atesql_worker_free(claimed);
  bool released = false;
  assert_ok(
      s, atesql_worker_release(s, "ns", "cpu", "p1", "space", "a1", &released));
  assert_true(released);
  assert_ok(s, atesql_worker_delete(s, "ns", "cpu", "p1"));

  atesql_worker_event *e = next_event(w);
  expect_event(e, r0 + 1, ATESQL_EVENT_CREATED, ATESQL_EVENT_CREATED, "p1", 1);
  assert_string_equal(e->worker.node_name, "n1");
  assert_string_equal(e->worker.ip, wk.ip);
  atesql_worker_event_free(e);

  e = next_event(w);
  expect_event(e, r0 + 2, ATESQL_EVENT_UPDATED, ATESQL_EVENT_UPDATED, "p1", 2);
  assert_string_equal(e->worker.node_name, "n2");
  assert_string_equal(e->previous->node_name, "n1");
  assert_int_equal(e->previous->version, 1);
  atesql_worker_event_free(e);

  e = next_event(w);
  expect_event(e, r0 + 3, ATESQL_EVENT_UPDATED, ATESQL_EVENT_UPDATED, "p1", 3);
  assert_string_equal(e->worker.actor_id, "a1");
  assert_string_equal(e->worker.actor_atespace, "space");
  assert_string_equal(e->previous->actor_id, "");
  atesql_worker_event_free(e);

  e = next_event(w);
  expect_event(e, r0 + 4, ATESQL_EVENT_UPDATED, ATESQL_EVENT_UPDATED, "p1", 4);
  assert_string_equal(e->worker.actor_id, "");
  atesql_worker_event_free(e);

  /* A delete carries the worker as last stored. */
  e = next_event(w);
  expect_event(e, r0 + 5, ATESQL_EVENT_DELETED, ATESQL_EVENT_DELETED, "p1", 4);
  assert_string_equal(e->worker.worker_namespace, "ns");
  assert_string_equal(e->worker.worker_pool, "cpu");
  assert_string_equal(e->worker.node_name, "n2");
  assert_int_equal(e->previous->version, 4);
  atesql_worker_event_free(e);

  expect_no_event(w);
  assert_int_equal(atesql_watch_revision(w), r0 + 5);
  assert_int_equal(revision_now(s), r0 + 5);
  atesql_watch_close(w);
}

/* A rolled-back transaction and a failed write are never events, and
** give their revisions back. */
static void test_watch_sees_nothing_rolled_back(void **state) {
  atesql_store *s = *state;
  int64_t r0 = revision_now(s);
  atesql_watch *w = open_watch(NULL, ATESQL_WATCH_NOW);
  assert_ok(s, atesql_tx_begin(s));
  create_worker(s, "ns", "cpu", "rolled-back");
  create_worker(s, "ns", "cpu", "rolled-back-2");
  assert_ok(s, atesql_tx_rollback(s));
  create_worker(s, "ns", "cpu", "kept");
  atesql_worker dup = make_worker("ns", "cpu", "kept");
  assert_status(s, atesql_worker_create(s, &dup), ATESQL_ALREADY_EXISTS);
  assert_status(s, atesql_worker_update(s, &dup, 7, NULL), ATESQL_CONFLICT);
  assert_ok(s, atesql_worker_delete(s, "ns", "cpu", "missing")); /* no-op */
  atesql_worker_event *e = next_event(w);
  expect_event(e, r0 + 1, ATESQL_EVENT_CREATED, ATESQL_EVENT_CREATED, "kept",
               1);
  atesql_worker_event_free(e);
  expect_no_event(w);
  assert_int_equal(revision_now(s), r0 + 1);
  atesql_watch_close(w);
}

/* With a selector, a worker updated into the set enters it (CREATED), one
** updated out of it leaves it (DELETED), and changes outside it are
** passed over (the watch's revision still moves past them). */
static void test_filtered_watch_reports_entering_and_leaving(void **state) {
  atesql_store *s = *state;
  int64_t r0 = revision_now(s);
  atesql_watch *w = open_watch("worker_pool=cpu,actor_id=", ATESQL_WATCH_NOW);

  create_worker(s, "ns", "gpu", "g1"); /* r0+1: not in the set */
  create_worker(s, "ns", "cpu", "c1"); /* r0+2: enters */
  atesql_worker c1 = make_worker("ns", "cpu", "c1");
  c1.actor_id = "a1";
  c1.actor_atespace = "space";
  assert_ok(s, atesql_worker_update(s, &c1, 1, NULL)); /* r0+3: leaves */
  c1.node_name = "n9";
  assert_ok(s, atesql_worker_update(s, &c1, 2, NULL)); /* r0+4: outside */
  c1.actor_id = "";
  c1.actor_atespace = "";
  assert_ok(s, atesql_worker_update(s, &c1, 3, NULL)); /* r0+5: enters */
  c1.node_name = "n10";
  assert_ok(s, atesql_worker_update(s, &c1, 4, NULL));      /* r0+6: stays */
  assert_ok(s, atesql_worker_delete(s, "ns", "gpu", "g1")); /* r0+7: outside */
  assert_ok(s, atesql_worker_delete(s, "ns", "cpu", "c1")); /* r0+8: leaves */

  atesql_worker_event *e = next_event(w);
  expect_event(e, r0 + 2, ATESQL_EVENT_CREATED, ATESQL_EVENT_CREATED, "c1", 1);
  atesql_worker_event_free(e);
  e = next_event(w);
  expect_event(e, r0 + 3, ATESQL_EVENT_DELETED, ATESQL_EVENT_UPDATED, "c1", 2);
  assert_string_equal(e->worker.actor_id, "a1"); /* as written */
  assert_string_equal(e->previous->actor_id, "");
  atesql_worker_event_free(e);
  e = next_event(w);
  expect_event(e, r0 + 5, ATESQL_EVENT_CREATED, ATESQL_EVENT_UPDATED, "c1", 4);
  assert_string_equal(e->worker.node_name, "n9");
  atesql_worker_event_free(e);
  e = next_event(w);
  expect_event(e, r0 + 6, ATESQL_EVENT_UPDATED, ATESQL_EVENT_UPDATED, "c1", 5);
  assert_string_equal(e->worker.node_name, "n10");
  atesql_worker_event_free(e);
  e = next_event(w);
  expect_event(e, r0 + 8, ATESQL_EVENT_DELETED, ATESQL_EVENT_DELETED, "c1", 5);
  atesql_worker_event_free(e);
  expect_no_event(w);
  assert_int_equal(atesql_watch_revision(w), r0 + 8);

  /* Passed-over events move the revision with nothing delivered. */
  create_worker(s, "ns", "gpu", "g2");
  expect_no_event(w);
  assert_int_equal(atesql_watch_revision(w), r0 + 9);
  atesql_watch_close(w);

  /* An `in` list and a != term, as a list filters. */
  w = open_watch("node_name in (n1,n2),worker_pod!=skip", ATESQL_WATCH_NOW);
  atesql_worker x = make_worker("ns", "cpu", "x");
  x.node_name = "n1";
  assert_ok(s, atesql_worker_create(s, &x));
  atesql_worker skip = make_worker("ns", "cpu", "skip");
  skip.node_name = "n2";
  assert_ok(s, atesql_worker_create(s, &skip));
  x.node_name = "n3";
  assert_ok(s, atesql_worker_update(s, &x, 1, NULL));
  e = next_event(w);
  expect_event(e, -1, ATESQL_EVENT_CREATED, ATESQL_EVENT_CREATED, "x", 1);
  atesql_worker_event_free(e);
  e = next_event(w);
  expect_event(e, -1, ATESQL_EVENT_DELETED, ATESQL_EVENT_UPDATED, "x", 2);
  atesql_worker_event_free(e);
  expect_no_event(w);
  atesql_watch_close(w);
}

/* A cache of workers keyed by "ns/pool/pod". */
typedef struct cache {
  char **keys;
  atesql_worker *items; /* their strings are the cache's own copies */
  size_t count, cap;
} cache;

static ssize_t cache_find(const cache *c, const char *key) {
  for (size_t i = 0; i < c->count; i++)
    if (strcmp(c->keys[i], key) == 0) return (ssize_t)i;
  return -1;
}

static char *dupstr(const char *s) {
  char *d = strdup(s);
  assert_non_null(d);
  return d;
}

enum { WORKER_STRINGS = 10 };

/* Point f at the worker's string fields, which the cache holds copies of. */
static void worker_strings(atesql_worker *w, const char **f[WORKER_STRINGS]) {
  const char **all[WORKER_STRINGS] = {&w->worker_namespace, &w->worker_pool,
                                      &w->worker_pod,       &w->actor_namespace,
                                      &w->actor_template,   &w->actor_id,
                                      &w->actor_atespace,   &w->ip,
                                      &w->worker_pod_uid,   &w->node_name};
  memcpy(f, all, sizeof all);
}

/* Free the cache's copies of a cached worker's strings. */
static void free_worker_strings(atesql_worker *w) {
  const char **f[WORKER_STRINGS];
  worker_strings(w, f);
  for (size_t i = 0; i < WORKER_STRINGS; i++)
    free((char *)*f[i]);
}

static void cache_put(cache *c, const atesql_worker *wk) {
  char key[KEY_MAX];
  worker_key(key, wk);
  ssize_t at = cache_find(c, key);
  if (at < 0) {
    if (c->count == c->cap) {
      c->cap = c->cap ? 2 * c->cap : 64;
      c->keys = realloc(c->keys, c->cap * sizeof *c->keys);
      c->items = realloc(c->items, c->cap * sizeof *c->items);
      assert_non_null(c->keys);
      assert_non_null(c->items);
    }
    at = (ssize_t)c->count++;
    c->keys[at] = dupstr(key);
  } else {
    free_worker_strings(&c->items[at]);
  }
  atesql_worker *n = &c->items[at];
  *n = *wk;
  /* The workloads here write no labels (test_labels.c follows labels
  ** through events); the record's label array is not the cache's. */
  assert_int_equal(wk->label_count, 0);
  n->labels = NULL;
  const char **f[WORKER_STRINGS];
  worker_strings(n, f);
  for (size_t i = 0; i < WORKER_STRINGS; i++)
    *f[i] = dupstr(*f[i]);
}

static void cache_drop(cache *c, const atesql_worker *wk) {
  char key[KEY_MAX];
  worker_key(key, wk);
  ssize_t at = cache_find(c, key);
  if (at < 0) fail_msg("event deletes '%s', which the cache lacks", key);
  free_worker_strings(&c->items[at]);
  free(c->keys[at]);
  c->count--;
  c->keys[at] = c->keys[c->count];
  c->items[at] = c->items[c->count];
}

/* Apply an event exactly as a client would: a CREATED must be new to the
** cache and an UPDATED or DELETED must find it at the previous version,
** so a duplicate or a gap fails here. */
static void cache_apply(cache *c, const atesql_worker_event *e) {
  char key[KEY_MAX];
  worker_key(key, &e->worker);
  ssize_t at = cache_find(c, key);
  switch (e->type) {
  case ATESQL_EVENT_CREATED:
    if (at >= 0)
      fail_msg("revision %lld creates '%s', already in the cache",
               (long long)e->revision, key);
    cache_put(c, &e->worker);
    break;
  case ATESQL_EVENT_UPDATED:
    if (at < 0 || c->items[at].version != e->previous->version)
      fail_msg("revision %lld updates '%s' from version %lld, cache has %lld",
               (long long)e->revision, key, (long long)e->previous->version,
               at < 0 ? -1LL : (long long)c->items[at].version);
    cache_put(c, &e->worker);
    break;
  case ATESQL_EVENT_DELETED:
    if (at < 0 || c->items[at].version !=
                      (e->previous ? e->previous->version : e->worker.version))
      fail_msg("revision %lld deletes '%s', cache has %s",
               (long long)e->revision, key, at < 0 ? "none" : "another");
    cache_drop(c, &e->worker);
    break;
  }
}

static void cache_free(cache *c) {
  while (c->count)
    cache_drop(c, &c->items[0]);
  free(c->keys);
  free(c->items);
}

/* Fill the cache with every page of a listing; returns its revision. */
static int64_t cache_list(atesql_store *s, cache *c, const char *selector,
                          size_t page_size,
                          void (*between_pages)(atesql_store *, int)) {
  atesql_list_opts opts = {0};
  opts.selector_text = selector;
  opts.page_size = page_size;
  char *token = NULL;
  int64_t revision = -1;
  for (int page_no = 0;; page_no++) {
    opts.page_token = token;
    atesql_worker_page *page = NULL;
    assert_ok(s, atesql_worker_list(s, &opts, &page));
    if (revision < 0) revision = page->revision;
    assert_int_equal(page->revision, revision);
    for (size_t i = 0; i < page->count; i++)
      cache_put(c, &page->items[i]);
    free(token);
    token = dupstr(page->next_page_token);
    atesql_worker_page_free(page);
    if (*token == '\0') break;
    if (between_pages) between_pages(s, page_no);
  }
  free(token);
  return revision;
}

/* The cache equals a fresh listing with the selector, field by field. */
static void expect_cache_exact(atesql_store *s, const cache *c,
                               const char *selector) {
  cache fresh = {0};
  cache_list(s, &fresh, selector, 1000, NULL);
  if (fresh.count != c->count)
    fail_msg("cache holds %zu workers, a fresh list %zu", c->count,
             fresh.count);
  for (size_t i = 0; i < fresh.count; i++) {
    ssize_t at = cache_find(c, fresh.keys[i]);
    if (at < 0) fail_msg("cache lacks '%s'", fresh.keys[i]);
    assert_worker_fields_equal(&c->items[at], &fresh.items[i]);
    assert_int_equal(c->items[at].version, fresh.items[i].version);
  }
  cache_free(&fresh);
}

/* Read events until the watch has passed `until`. */
static void drain_into(atesql_watch *w, cache *c, int64_t until) {
  while (atesql_watch_revision(w) < until) {
    atesql_worker_event *e = NULL;
    atesql_status st = atesql_watch_next(w, WAIT_MS, &e);
    if (st == ATESQL_UNAVAILABLE) continue; /* retried by the next call */
    if (st != ATESQL_OK)
      fail_msg("watch next at %lld of %lld: %s: %s",
               (long long)atesql_watch_revision(w), (long long)until,
               atesql_status_str(st), atesql_watch_errmsg(w));
    cache_apply(c, e);
    atesql_worker_event_free(e);
  }
}

static void churn_between_pages(atesql_store *s, int page_no) {
  char pod[16];
  if (page_no == 0) {
    atesql_worker w = make_worker("ns", "cpu", "p05");
    w.node_name = "moved";
    assert_ok(s, atesql_worker_update(s, &w, 1, NULL));
    assert_ok(s, atesql_worker_delete(s, "ns", "cpu", "p08"));
    create_worker(s, "ns", "cpu", "p11");
    create_worker(s, "ns", "cpu", "p00a");
  }
  if (page_no == 1) {
    snprintf(pod, sizeof pod, "p%02d", 9);
    assert_ok(s, atesql_worker_delete(s, "ns", "cpu", pod));
  }
}

/* List (with writes between its pages), then watch from the listing's
** revision: each change arrives once, none is missing, and the cache
** equals a fresh listing. */
static void test_list_then_watch_has_no_gap_and_no_duplicate(void **state) {
  atesql_store *s = *state;
  char pod[16];
  for (int i = 0; i < 10; i++) {
    snprintf(pod, sizeof pod, "p%02d", i);
    create_worker(s, "ns", "cpu", pod);
  }
  cache c = {0};
  int64_t r = cache_list(s, &c, "", 3, churn_between_pages);
  assert_int_equal(c.count, 10); /* the workers at the listing's revision */
  atesql_watch *w = open_watch("", r);
  create_worker(s, "ns", "cpu", "p12");
  drain_into(w, &c, revision_now(s));
  expect_cache_exact(s, &c, "");
  expect_no_event(w);
  atesql_watch_close(w);
  cache_free(&c);
}

/* atesql_worker_get_at_revision reports the revision the record reflects. */
static void test_get_reports_its_revision(void **state) {
  atesql_store *s = *state;
  create_worker(s, "ns", "cpu", "g");
  int64_t now = revision_now(s), got = -1;
  atesql_worker *wk = NULL;
  assert_ok(s, atesql_worker_get_at_revision(s, "ns", "cpu", "g", &wk, &got));
  assert_int_equal(got, now);
  atesql_worker_free(wk);
  assert_status(s,
                atesql_worker_get_at_revision(s, "ns", "cpu", "x", &wk, &got),
                ATESQL_NOT_FOUND);
  /* An empty page reports the revision too. */
  atesql_list_opts opts = {0};
  opts.selector_text = "worker_pool=none";
  atesql_worker_page *page = NULL;
  assert_ok(s, atesql_worker_list(s, &opts, &page));
  assert_int_equal(page->count, 0);
  assert_int_equal(page->revision, now);
  atesql_worker_page_free(page);
}

static void test_compaction(void **state) {
  atesql_store *s = *state;
  int64_t r0 = revision_now(s);
  atesql_watch *early = open_watch(NULL, r0);
  for (int i = 0; i < 6; i++) {
    char pod[16];
    snprintf(pod, sizeof pod, "c%d", i);
    create_worker(s, "ns", "cpu", pod);
  }
  int64_t compacted = -1;
  atesql_compact_opts o = {.keep_revisions = 2};
  assert_ok(s, atesql_compact(s, &o, &compacted));
  assert_int_equal(compacted, r0 + 4);
  int64_t rev = 0, done = 0;
  assert_ok(s, atesql_store_revision(s, &rev, &done));
  assert_int_equal(rev, r0 + 6);
  assert_int_equal(done, r0 + 4);

  /* A watch below the compacted revision is told to list again. */
  atesql_watch_opts wo = {0};
  wo.since_revision = r0 + 3;
  atesql_watch *w = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_watch_open(conformance_url, &wo, &w, &err),
                   ATESQL_COMPACTED);
  assert_null(w);
  assert_non_null(strstr(err.message, "list again"));
  atesql_worker_event *e = NULL;
  assert_int_equal(atesql_watch_next(early, WAIT_MS, &e), ATESQL_COMPACTED);
  assert_non_null(strstr(atesql_watch_errmsg(early), "list again"));
  atesql_watch_close(early);

  /* At the compacted revision: the kept events. */
  w = open_watch(NULL, r0 + 4);
  e = next_event(w);
  expect_event(e, r0 + 5, ATESQL_EVENT_CREATED, ATESQL_EVENT_CREATED, "c4", 1);
  atesql_worker_event_free(e);
  e = next_event(w);
  expect_event(e, r0 + 6, ATESQL_EVENT_CREATED, ATESQL_EVENT_CREATED, "c5", 1);
  atesql_worker_event_free(e);
  atesql_watch_close(w);

  /* Compacting less than done is a no-op; the lowest bound wins. */
  o = (atesql_compact_opts){.revision = r0 + 1};
  assert_ok(s, atesql_compact(s, &o, &compacted));
  assert_int_equal(compacted, r0 + 4);
  o = (atesql_compact_opts){.revision = r0 + 6, .keep_ms = 3600 * 1000};
  assert_ok(s, atesql_compact(s, &o, &compacted));
  assert_int_equal(compacted, r0 + 4); /* the events are younger */
  o = (atesql_compact_opts){.revision = r0 + 5};
  assert_ok(s, atesql_compact(s, &o, &compacted));
  assert_int_equal(compacted, r0 + 5);

  /* Bad requests. */
  o = (atesql_compact_opts){0};
  assert_status(s, atesql_compact(s, &o, NULL), ATESQL_INVALID_ARGUMENT);
  o = (atesql_compact_opts){.keep_revisions = -1};
  assert_status(s, atesql_compact(s, &o, NULL), ATESQL_INVALID_ARGUMENT);
  o = (atesql_compact_opts){.revision = r0 + 7};
  assert_status(s, atesql_compact(s, &o, NULL), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(s, "beyond");
}

static void test_watch_open_rejects_bad_requests(void **state) {
  atesql_store *s = *state;
  atesql_watch *w = NULL;
  atesql_error err = {0};
  atesql_watch_opts o = {0};
  o.since_revision = revision_now(s) + 1;
  assert_int_equal(atesql_watch_open(conformance_url, &o, &w, &err),
                   ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "beyond"));
  o.since_revision = -2;
  assert_int_equal(atesql_watch_open(conformance_url, &o, &w, &err),
                   ATESQL_INVALID_ARGUMENT);
  o.since_revision = ATESQL_WATCH_NOW;
  o.selector_text = "wrker_pool=cpu";
  assert_int_equal(atesql_watch_open(conformance_url, &o, &w, &err),
                   ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "worker_pool"));
  assert_int_equal(atesql_watch_open("sqlite::memory:", NULL, &w, &err),
                   ATESQL_INVALID_ARGUMENT);
  assert_null(w);
}

/* The descriptor wakes a poll loop when a change commits: on SQLite at
** once (in-process writers signal it); on PostgreSQL when a reader
** numbers the change (a list here; every numbering notifies). */
static void test_watch_fd_wakes_a_poll_loop(void **state) {
  atesql_store *s = *state;
  atesql_watch_opts o = {0};
  o.since_revision = ATESQL_WATCH_NOW;
  o.poll_interval_ms = 60000; /* not the timer */
  atesql_watch *w = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_watch_open(conformance_url, &o, &w, &err), ATESQL_OK);
  expect_no_event(w);
  struct pollfd p = {.fd = atesql_watch_fd(w), .events = POLLIN};
  assert_int_equal(poll(&p, 1, 0), 0);
  atesql_store *other = open_second_store();
  create_worker(other, "ns", "cpu", "woken");
  if (test_backend_is_postgres()) {
    atesql_worker_page *page = NULL;
    assert_ok(other, atesql_worker_list(other, NULL, &page));
    atesql_worker_page_free(page);
  }
  atesql_store_close(other);
  assert_int_equal(poll(&p, 1, WAIT_MS), 1);
  atesql_worker_event *e = NULL;
  assert_int_equal(atesql_watch_next(w, 0, &e), ATESQL_OK);
  assert_string_equal(e->worker.worker_pod, "woken");
  atesql_worker_event_free(e);
  expect_no_event(w);
  assert_int_equal(poll(&p, 1, 0), 0);
  (void)s;
  atesql_watch_close(w);
}

/* ---- concurrent writers ---- */

enum { WRITERS = 4, ROUNDS = 40, WORKERS_PER_WRITER = 4 };

/* Completion order: each commit that returned takes the next index; a
** writer notes in the worker it writes how many commits had returned
** before it began, which every such commit's revision must be below. */
static atomic_long completed;
static atomic_int writers_done;

/* A commit is known by the unique worker_pod_uid it wrote (a delete: the
** one of the write it deleted). */
typedef struct commit {
  char uid[32];
  bool deleted;
  long index; /* in completion order */
} commit;

typedef struct writer {
  int id;
  commit commits[ROUNDS * 4];
  size_t count;
  size_t rolled_back;
} writer;

static void note_commit(writer *wr, const char *uid, bool deleted) {
  commit *c = &wr->commits[wr->count++];
  snprintf(c->uid, sizeof c->uid, "%s", uid);
  c->deleted = deleted;
  c->index = atomic_fetch_add(&completed, 1);
}

/* The event of commit c among events[0..n), which must be exactly one. */
static const atesql_worker_event *event_of(atesql_worker_event *const *events,
                                           size_t n, const commit *c) {
  const atesql_worker_event *found = NULL;
  for (size_t k = 0; k < n; k++) {
    const atesql_worker_event *e = events[k];
    if ((e->change == ATESQL_EVENT_DELETED) != c->deleted ||
        strcmp(e->worker.worker_pod_uid, c->uid) != 0)
      continue;
    if (found)
      fail_msg("the %s of %s delivered twice (revisions %lld and %lld)",
               c->deleted ? "delete" : "write", c->uid,
               (long long)found->revision, (long long)e->revision);
    found = e;
  }
  if (found == NULL)
    fail_msg("the %s of %s never delivered", c->deleted ? "delete" : "write",
             c->uid);
  return found;
}

static void *write_loop(void *arg) {
  writer *wr = arg;
  atesql_store *s = open_second_store();
  int64_t version[WORKERS_PER_WRITER] = {0};
  char uid[WORKERS_PER_WRITER][32];
  unsigned seed = (unsigned)wr->id * 7919u + 1;
  for (int round = 0; round < ROUNDS; round++) {
    int i = (int)(rand_r(&seed) % WORKERS_PER_WRITER);
    char pod[32], before[32], next_uid[32];
    snprintf(pod, sizeof pod, "w%d-%d", wr->id, i);
    snprintf(before, sizeof before, "%ld", atomic_load(&completed));
    snprintf(next_uid, sizeof next_uid, "u%d-%d", wr->id, round);
    atesql_worker wk = make_worker("ns", "pool", pod);
    wk.node_name = before;
    wk.worker_pod_uid = next_uid;
    int what = (int)(rand_r(&seed) % 10);
    atesql_status st = ATESQL_OK;
    if (what == 0) { /* a transaction that writes, then rolls back */
      atesql_worker rb = make_worker("ns", "pool", "rolled-back");
      if (atesql_tx_begin(s) == ATESQL_OK) {
        atesql_worker_create(s, &rb);
        if (version[i]) atesql_worker_update(s, &wk, version[i], NULL);
        atesql_tx_rollback(s);
        wr->rolled_back++;
      }
    } else if (version[i] == 0) {
      st = atesql_worker_create(s, &wk);
      version[i] = 1;
    } else if (what == 1) {
      st = atesql_worker_delete(s, "ns", "pool", pod);
      if (st == ATESQL_OK) note_commit(wr, uid[i], true);
      version[i] = 0;
      continue;
    } else {
      st = atesql_worker_update(s, &wk, version[i], &version[i]);
    }
    if (st != ATESQL_OK)
      fail_msg("writer %d: %s: %s", wr->id, atesql_status_str(st),
               atesql_errmsg(s));
    if (what != 0) {
      note_commit(wr, next_uid, false);
      memcpy(uid[i], next_uid, sizeof next_uid);
    }
  }
  atesql_store_close(s);
  atomic_fetch_add(&writers_done, 1);
  return NULL;
}

/*
** Four writers (creates, updates, deletes, rolled-back transactions) and a
** watcher: every committed change is delivered once, revisions are dense
** and follow commit order (a change begun after another returned has the
** higher revision), and nothing rolled back appears.
*/
static void test_concurrent_writers_every_change_once_in_order(void **state) {
  atesql_store *s = *state;
  int64_t r0 = revision_now(s);
  atesql_watch *w = open_watch(NULL, r0);
  atomic_store(&completed, 0);
  atomic_store(&writers_done, 0);
  static writer writers[WRITERS];
  pthread_t t[WRITERS];
  for (int i = 0; i < WRITERS; i++) {
    memset(&writers[i], 0, sizeof writers[i]);
    writers[i].id = i;
    assert_int_equal(pthread_create(&t[i], NULL, write_loop, &writers[i]), 0);
  }
  /* Read while they write, until they are done and every commit is in. */
  size_t cap = WRITERS * ROUNDS, seen = 0;
  atesql_worker_event **events = calloc(cap, sizeof *events);
  assert_non_null(events);
  while (atomic_load(&writers_done) < WRITERS ||
         (long)seen < atomic_load(&completed)) {
    atesql_worker_event *e = NULL;
    atesql_status st = atesql_watch_next(w, 200, &e);
    if (st == ATESQL_DEADLINE_EXCEEDED) continue;
    if (st != ATESQL_OK)
      fail_msg("watch next: %s: %s", atesql_status_str(st),
               atesql_watch_errmsg(w));
    assert_true(seen < cap);
    events[seen++] = e;
  }
  for (int i = 0; i < WRITERS; i++)
    pthread_join(t[i], NULL);
  size_t commits = 0;
  for (int i = 0; i < WRITERS; i++)
    commits += writers[i].count;
  assert_int_equal(seen, commits);
  expect_no_event(w);
  assert_int_equal(revision_now(s), r0 + (int64_t)commits);

  /* Dense, in order, nothing rolled back, versions in order per worker. */
  for (size_t k = 0; k < seen; k++) {
    atesql_worker_event *e = events[k];
    assert_int_equal(e->revision, r0 + 1 + (int64_t)k);
    if (strcmp(e->worker.worker_pod, "rolled-back") == 0)
      fail_msg("revision %lld: a rolled-back change", (long long)e->revision);
  }
  /* Each commit is one event; a commit begun after others returned has
  ** a higher revision than each of them. */
  for (int i = 0; i < WRITERS; i++)
    for (size_t j = 0; j < writers[i].count; j++) {
      const commit *c = &writers[i].commits[j];
      const atesql_worker_event *e = event_of(events, seen, c);
      if (c->deleted) continue; /* a delete writes no "before" */
      long began_after = strtol(e->worker.node_name, NULL, 10);
      for (int i2 = 0; i2 < WRITERS; i2++)
        for (size_t j2 = 0; j2 < writers[i2].count; j2++) {
          const commit *d = &writers[i2].commits[j2];
          if (d->index >= began_after) continue;
          const atesql_worker_event *f = event_of(events, seen, d);
          if (f->revision > e->revision)
            fail_msg("%s (revision %lld) returned before %s (revision %lld) "
                     "began, yet has the higher revision",
                     d->uid, (long long)f->revision, c->uid,
                     (long long)e->revision);
        }
    }
  for (size_t k = 0; k < seen; k++)
    atesql_worker_event_free(events[k]);
  free(events);
  atesql_watch_close(w);
}

/* ---- a dropped connection ---- */

/* PostgreSQL: end the watch's server connection, as a failover or an
** operator's pg_terminate_backend would. */
static int terminate_watchers(void) {
#ifdef ATESQL_WITH_POSTGRES
  if (!test_backend_is_postgres()) return 0;
  PGconn *pg = PQconnectdb(conformance_url);
  if (PQstatus(pg) != CONNECTION_OK)
    fail_msg("admin connection: %s", PQerrorMessage(pg));
  PGresult *r = PQexec(pg, "SELECT pg_terminate_backend(pid) FROM "
                           "pg_stat_activity WHERE pid <> pg_backend_pid() "
                           "AND (query LIKE 'LISTEN atesql_worker_events%' "
                           "OR query LIKE 'WITH ev AS%' "
                           "OR query LIKE 'SELECT atesql_number%')");
  if (PQresultStatus(r) != PGRES_TUPLES_OK)
    fail_msg("terminate: %s", PQerrorMessage(pg));
  int n = PQntuples(r);
  PQclear(r);
  PQfinish(pg);
  return n;
#else
  return 0;
#endif
}

static void random_change(atesql_store *s, unsigned *seed, int round) {
  char pod[16];
  snprintf(pod, sizeof pod, "r%02u", rand_r(seed) % 24);
  atesql_worker *cur = NULL;
  atesql_status st = atesql_worker_get(s, "ns", "cpu", pod, &cur);
  if (st == ATESQL_NOT_FOUND) {
    atesql_worker wk = make_worker("ns", "cpu", pod);
    wk.node_name = round % 2 ? "n1" : "n2";
    assert_ok(s, atesql_worker_create(s, &wk));
    return;
  }
  assert_int_equal(st, ATESQL_OK);
  unsigned what = rand_r(seed) % 4;
  if (what == 0) {
    assert_ok(s, atesql_worker_delete(s, "ns", "cpu", pod));
  } else {
    atesql_worker wk = *cur;
    char node[16];
    snprintf(node, sizeof node, "n%u", rand_r(seed) % 3);
    wk.node_name = node;
    wk.actor_id = what == 1 ? "" : "a";
    wk.actor_atespace = what == 1 ? "" : "space";
    assert_ok(s, atesql_worker_update(s, &wk, cur->version, NULL));
  }
  atesql_worker_free(cur);
}

/*
** A cache kept by list + watch (filtered and not) stays exact through a
** random workload and dropped connections (PostgreSQL: the watch's
** backend terminated; both: a watch closed and reopened from its
** revision), with no relist.
*/
static void test_cache_from_list_and_watch_stays_exact(void **state) {
  atesql_store *s = *state;
  unsigned seed = 42;
  for (int i = 0; i < 30; i++)
    random_change(s, &seed, i);
  static const char *const selectors[] = {"", "actor_id=,node_name!=n0"};
  cache c[2] = {{0}, {0}};
  atesql_watch *w[2];
  for (int k = 0; k < 2; k++) {
    int64_t r = cache_list(s, &c[k], selectors[k], 4, NULL);
    w[k] = open_watch(selectors[k], r);
  }
  int dropped = 0;
  for (int round = 0; round < 300; round++) {
    random_change(s, &seed, round);
    if (round % 50 == 25) {
      for (int k = 0; k < 2; k++)
        drain_into(w[k], &c[k], revision_now(s));
      dropped += terminate_watchers();
    }
    if (round == 150) { /* close one, reopen from its revision */
      int64_t r = atesql_watch_revision(w[1]);
      atesql_watch_close(w[1]);
      w[1] = open_watch(selectors[1], r);
    }
  }
  for (int k = 0; k < 2; k++) {
    drain_into(w[k], &c[k], revision_now(s));
    expect_cache_exact(s, &c[k], selectors[k]);
    expect_no_event(w[k]);
    atesql_watch_close(w[k]);
    cache_free(&c[k]);
  }
  if (test_backend_is_postgres() && dropped < 6)
    fail_msg("terminated %d watch connections, want 6 or more", dropped);
}

const struct CMUnitTest *watch_tests(size_t *count) {
  static const struct CMUnitTest tests[] = {
      STORE_TEST(test_watch_delivers_every_change_in_order),
      STORE_TEST(test_watch_sees_nothing_rolled_back),
      STORE_TEST(test_filtered_watch_reports_entering_and_leaving),
      STORE_TEST(test_list_then_watch_has_no_gap_and_no_duplicate),
      STORE_TEST(test_get_reports_its_revision),
      STORE_TEST(test_compaction),
      STORE_TEST(test_watch_open_rejects_bad_requests),
      STORE_TEST(test_watch_fd_wakes_a_poll_loop),
      STORE_TEST(test_concurrent_writers_every_change_once_in_order),
      STORE_TEST(test_cache_from_list_and_watch_stays_exact),
  };
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
