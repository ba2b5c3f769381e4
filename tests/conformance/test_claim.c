/*
** Assignment: atesql_worker_claim, atesql_worker_release and
** atesql_actor_resume. Each behaviour the scheduler relies on (a retried
** claim takes no second worker, an ineligible holder is freed, preferred
** nodes first, "no capacity" writes nothing, a stale actor claims nothing),
** then threads with their own handles claiming and releasing on a pool
** smaller than the demand.
*/
#include <pthread.h>

#include "conformance.h"

/* Pool "ns/p1" holds w1..w4 on nodes n1..n4; pool "ns/p2" holds v1, v2. */
static void fleet(atesql_store *s) {
  char pod[8], node[8];
  for (int i = 1; i <= 4; i++) {
    snprintf(pod, sizeof pod, "w%d", i);
    snprintf(node, sizeof node, "n%d", i);
    atesql_worker w = make_worker("ns", "p1", pod);
    w.node_name = node;
    assert_ok(s, atesql_worker_create(s, &w));
  }
  for (int i = 1; i <= 2; i++) {
    snprintf(pod, sizeof pod, "v%d", i);
    atesql_worker w = make_worker("ns", "p2", pod);
    w.node_name = "n9";
    assert_ok(s, atesql_worker_create(s, &w));
  }
}

static const atesql_pool_ref p1[] = {{"ns", "p1"}};
static const atesql_pool_ref p2[] = {{"ns", "p2"}};

static atesql_claim_request request(const char *actor_id,
                                    const atesql_pool_ref *pools, size_t n) {
  atesql_claim_request r = {0};
  r.pools = pools;
  r.pool_count = n;
  r.actor_atespace = "space";
  r.actor_id = actor_id;
  r.actor_namespace = "tmpl-ns";
  r.actor_template = "tmpl";
  return r;
}

/* How many workers hold actor_id (in atespace "space"). */
static int64_t holders(atesql_store *s, const char *actor_id) {
  char sel[128];
  snprintf(sel, sizeof sel, "actor_atespace=space,actor_id=%s", actor_id);
  atesql_list_opts opts = {.selector_text = sel};
  int64_t n = -1;
  assert_ok(s, atesql_worker_count(s, &opts, &n));
  return n;
}

static int64_t free_workers(atesql_store *s) {
  atesql_list_opts opts = {.selector_text = "actor_id="};
  int64_t n = -1;
  assert_ok(s, atesql_worker_count(s, &opts, &n));
  return n;
}

static void
test_claim_assigns_a_free_worker_and_bumps_its_version(void **state) {
  atesql_store *s = *state;
  fleet(s);
  atesql_claim_request r = request("a1", p1, 1);
  atesql_worker *w = NULL;
  assert_ok(s, atesql_worker_claim(s, &r, &w));
  assert_string_equal(w->worker_pool, "p1");
  assert_string_equal(w->actor_id, "a1");
  assert_string_equal(w->actor_atespace, "space");
  assert_string_equal(w->actor_namespace, "tmpl-ns");
  assert_string_equal(w->actor_template, "tmpl");
  assert_int_equal(w->version, 2);
  atesql_worker *got = NULL;
  assert_ok(s, atesql_worker_get(s, w->worker_namespace, w->worker_pool,
                                 w->worker_pod, &got));
  assert_string_equal(got->actor_id, "a1");
  assert_int_equal(got->version, 2);
  atesql_worker_free(got);
  atesql_worker_free(w);
  assert_int_equal(free_workers(s), 5);
}

static void
test_a_retried_claim_returns_the_same_worker_unchanged(void **state) {
  atesql_store *s = *state;
  fleet(s);
  atesql_claim_request r = request("a1", p1, 1);
  atesql_worker *first = NULL, *again = NULL;
  assert_ok(s, atesql_worker_claim(s, &r, &first));
  assert_ok(s, atesql_worker_claim(s, &r, &again));
  assert_string_equal(first->worker_pod, again->worker_pod);
  assert_int_equal(again->version, first->version);
  assert_int_equal(holders(s, "a1"), 1);
  /* The same actor id in another atespace is another actor. */
  r.actor_atespace = "other";
  atesql_worker *other = NULL;
  assert_ok(s, atesql_worker_claim(s, &r, &other));
  assert_string_not_equal(other->worker_pod, first->worker_pod);
  atesql_worker_free(first);
  atesql_worker_free(again);
  atesql_worker_free(other);
}

static void test_a_holder_in_an_ineligible_pool_is_freed(void **state) {
  atesql_store *s = *state;
  fleet(s);
  atesql_claim_request r = request("a1", p1, 1);
  atesql_worker *old = NULL, *now = NULL;
  assert_ok(s, atesql_worker_claim(s, &r, &old));
  r = request("a1", p2, 1);
  assert_ok(s, atesql_worker_claim(s, &r, &now));
  assert_string_equal(now->worker_pool, "p2");
  atesql_worker *freed = NULL;
  assert_ok(s, atesql_worker_get(s, "ns", "p1", old->worker_pod, &freed));
  assert_string_equal(freed->actor_id, "");
  assert_string_equal(freed->actor_atespace, "");
  assert_string_equal(freed->actor_namespace, "");
  assert_string_equal(freed->actor_template, "");
  assert_int_equal(freed->version, old->version + 1);
  assert_int_equal(holders(s, "a1"), 1);
  atesql_worker_free(old);
  atesql_worker_free(now);
  atesql_worker_free(freed);
}

static void test_preferred_nodes_first_then_any_eligible(void **state) {
  atesql_store *s = *state;
  fleet(s);
  const char *nodes[] = {"n3"};
  atesql_claim_request r = request("a1", p1, 1);
  r.preferred_nodes = nodes;
  r.preferred_node_count = 1;
  atesql_worker *w = NULL;
  assert_ok(s, atesql_worker_claim(s, &r, &w));
  assert_string_equal(w->worker_pod, "w3");
  atesql_worker_free(w);
  /* n3 is now busy: a second actor preferring it falls back. */
  r.actor_id = "a2";
  assert_ok(s, atesql_worker_claim(s, &r, &w));
  assert_string_equal(w->worker_pool, "p1");
  assert_string_not_equal(w->worker_pod, "w3");
  atesql_worker_free(w);
}

static void
test_required_nodes_without_a_free_worker_write_nothing(void **state) {
  atesql_store *s = *state;
  fleet(s);
  const char *nodes[] = {"n3"};
  atesql_claim_request r = request("a1", p1, 1);
  r.preferred_nodes = nodes;
  r.preferred_node_count = 1;
  r.policy = ATESQL_NODES_REQUIRE;
  atesql_worker *w = NULL;
  assert_ok(s, atesql_worker_claim(s, &r, &w));
  atesql_worker_free(w);
  /* The actor a1 moves to pool p2 but requires n3, where p2 has nobody:
  ** its p1 worker is not freed, nothing is written. */
  r = request("a1", p2, 1);
  r.preferred_nodes = nodes;
  r.preferred_node_count = 1;
  r.policy = ATESQL_NODES_REQUIRE;
  w = NULL;
  assert_status(s, atesql_worker_claim(s, &r, &w), ATESQL_RESOURCE_EXHAUSTED);
  assert_null(w);
  assert_errmsg_names(s, "no free worker");
  assert_errmsg_names(s, "required nodes");
  atesql_worker *kept = NULL;
  assert_ok(s, atesql_worker_get(s, "ns", "p1", "w3", &kept));
  assert_string_equal(kept->actor_id, "a1");
  assert_int_equal(kept->version, 2);
  atesql_worker_free(kept);
}

static void test_no_capacity_is_resource_exhausted(void **state) {
  atesql_store *s = *state;
  fleet(s);
  atesql_worker *w = NULL;
  for (int i = 0; i < 2; i++) {
    char id[8];
    snprintf(id, sizeof id, "a%d", i);
    atesql_claim_request r = request(id, p2, 1);
    assert_ok(s, atesql_worker_claim(s, &r, &w));
    atesql_worker_free(w);
  }
  atesql_claim_request r = request("late", p2, 1);
  w = NULL;
  assert_status(s, atesql_worker_claim(s, &r, &w), ATESQL_RESOURCE_EXHAUSTED);
  assert_null(w);
  assert_errmsg_names(s, "no free worker");
  assert_errmsg_names(s, "ns/p2");
  assert_string_equal(atesql_status_str(ATESQL_RESOURCE_EXHAUSTED),
                      "RESOURCE_EXHAUSTED");
  /* Two eligible pools: the other one has room. */
  const atesql_pool_ref both[] = {{"ns", "p2"}, {"ns", "p1"}};
  r = request("late", both, 2);
  assert_ok(s, atesql_worker_claim(s, &r, &w));
  assert_string_equal(w->worker_pool, "p1");
  atesql_worker_free(w);
}

static void test_the_selector_restricts_the_candidates(void **state) {
  atesql_store *s = *state;
  fleet(s);
  atesql_claim_request r = request("a1", p1, 1);
  r.selector_text = "node_name notin (n1,n2,n3)";
  atesql_worker *w = NULL;
  assert_ok(s, atesql_worker_claim(s, &r, &w));
  assert_string_equal(w->worker_pod, "w4");
  atesql_worker_free(w);
  r.actor_id = "a2";
  assert_status(s, atesql_worker_claim(s, &r, &w), ATESQL_RESOURCE_EXHAUSTED);
  r.selector_text = "nod_name=x";
  assert_status(s, atesql_worker_claim(s, &r, &w), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(s, "unknown field 'nod_name'");
}

static void test_bad_requests_are_invalid_and_write_nothing(void **state) {
  atesql_store *s = *state;
  fleet(s);
  atesql_worker *w = NULL;
  atesql_claim_request r = request("a1", p1, 0);
  assert_status(s, atesql_worker_claim(s, &r, &w), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(s, "no eligible pool");
  r = request("", p1, 1);
  assert_status(s, atesql_worker_claim(s, &r, &w), ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(s, "actor_id");
  const atesql_pool_ref bad[] = {{"ns", ""}};
  r = request("a1", bad, 1);
  assert_status(s, atesql_worker_claim(s, &r, &w), ATESQL_INVALID_ARGUMENT);
  r = request("a1", p1, 1);
  r.policy = ATESQL_NODES_REQUIRE;
  assert_status(s, atesql_worker_claim(s, &r, &w), ATESQL_INVALID_ARGUMENT);
  assert_status(s, atesql_worker_claim(s, NULL, &w), ATESQL_INVALID_ARGUMENT);
  assert_int_equal(free_workers(s), 6);
}

static void test_release_frees_only_for_the_holder(void **state) {
  atesql_store *s = *state;
  fleet(s);
  atesql_claim_request r = request("a1", p1, 1);
  atesql_worker *w = NULL;
  assert_ok(s, atesql_worker_claim(s, &r, &w));
  bool released = true;
  assert_ok(s, atesql_worker_release(s, "ns", "p1", w->worker_pod, "space",
                                     "other", &released));
  assert_false(released);
  assert_ok(s, atesql_worker_release(s, "ns", "p1", w->worker_pod, "other",
                                     "a1", &released));
  assert_false(released);
  assert_ok(s, atesql_worker_release(s, "ns", "p1", w->worker_pod, "space",
                                     "a1", &released));
  assert_true(released);
  atesql_worker *got = NULL;
  assert_ok(s, atesql_worker_get(s, "ns", "p1", w->worker_pod, &got));
  assert_string_equal(got->actor_id, "");
  assert_string_equal(got->actor_atespace, "");
  assert_int_equal(got->version, w->version + 1);
  atesql_worker_free(got);
  /* Idempotent. */
  assert_ok(s, atesql_worker_release(s, "ns", "p1", w->worker_pod, "space",
                                     "a1", &released));
  assert_false(released);
  assert_status(
      s, atesql_worker_release(s, "ns", "p1", "nope", "space", "a1", &released),
      ATESQL_NOT_FOUND);
  assert_status(s,
                atesql_worker_release(s, "ns", "p1", w->worker_pod, "space", "",
                                      &released),
                ATESQL_INVALID_ARGUMENT);
  atesql_worker_free(w);
}

/* released may be NULL, as a lock release's: the worker is freed all the
** same. */
static void test_release_without_released_frees(void **state) {
  atesql_store *s = *state;
  fleet(s);
  atesql_claim_request r = request("a1", p1, 1);
  atesql_worker *w = NULL;
  assert_ok(s, atesql_worker_claim(s, &r, &w));
  assert_ok(s, atesql_worker_release(s, "ns", "p1", w->worker_pod, "space",
                                     "a1", NULL));
  atesql_worker *got = NULL;
  assert_ok(s, atesql_worker_get(s, "ns", "p1", w->worker_pod, &got));
  assert_string_equal(got->actor_id, "");
  assert_int_equal(got->version, w->version + 1);
  atesql_worker_free(got);
  atesql_worker_free(w);
}

static void test_resume_claims_and_moves_the_actor_together(void **state) {
  atesql_store *s = *state;
  fleet(s);
  create_atespace(s, "space");
  atesql_actor a = make_actor("space", "a1");
  assert_ok(s, atesql_actor_create(s, &a));
  atesql_claim_request r = request("a1", p1, 1);
  r.actor_namespace = NULL;
  r.actor_template = NULL;
  atesql_worker *w = NULL;
  atesql_actor *moved = NULL;
  assert_ok(s, atesql_actor_resume(s, &r, 1, &w, &moved));
  assert_int_equal(moved->status, ATESQL_ACTOR_STATUS_RESUMING);
  assert_int_equal(moved->version, 2);
  assert_string_equal(moved->ateom_pod_namespace, w->worker_namespace);
  assert_string_equal(moved->ateom_pod_name, w->worker_pod);
  assert_string_equal(moved->ateom_pod_ip, w->ip);
  assert_string_equal(moved->ateom_pod_uid, w->worker_pod_uid);
  assert_string_equal(moved->worker_pool_name, "p1");
  /* The template names default to the actor's. */
  assert_string_equal(w->actor_namespace, a.actor_template_namespace);
  assert_string_equal(w->actor_template, a.actor_template_name);
  assert_string_equal(w->actor_id, "a1");
  atesql_worker_free(w);
  atesql_actor_free(moved);
}

static void test_resume_with_a_stale_version_claims_nothing(void **state) {
  atesql_store *s = *state;
  fleet(s);
  create_atespace(s, "space");
  atesql_actor a = make_actor("space", "a1");
  assert_ok(s, atesql_actor_create(s, &a));
  atesql_claim_request r = request("a1", p1, 1);
  atesql_worker *w = NULL;
  atesql_actor *moved = NULL;
  assert_status(s, atesql_actor_resume(s, &r, 7, &w, &moved), ATESQL_CONFLICT);
  assert_null(w);
  assert_null(moved);
  assert_errmsg_names(s, "version 1, not 7");
  assert_int_equal(free_workers(s), 6);
  /* No capacity: the actor is not moved either. */
  r = request("a1", p2, 1);
  r.selector_text = "node_name=nowhere";
  assert_status(s, atesql_actor_resume(s, &r, 1, &w, &moved),
                ATESQL_RESOURCE_EXHAUSTED);
  atesql_actor *same = NULL;
  assert_ok(s, atesql_actor_get(s, "space", "a1", &same));
  assert_int_equal(same->version, 1);
  assert_int_equal(same->status, ATESQL_ACTOR_STATUS_UNSPECIFIED);
  atesql_actor_free(same);
  r = request("missing", p1, 1);
  assert_status(s, atesql_actor_resume(s, &r, 1, &w, &moved), ATESQL_NOT_FOUND);
  assert_int_equal(free_workers(s), 6);
}

/* ---- racing claimers ---- */

enum { CLAIMERS = 8, CLAIM_ROUNDS = 25, POOL_WORKERS = 3 };

typedef struct claimer {
  atesql_store *store;
  pthread_barrier_t *barrier;
  int id;
  char actor_id[16]; /* claimers 2k and 2k+1 claim the same actor */
  char held[CLAIM_ROUNDS][16];
  atesql_status result[CLAIM_ROUNDS];
  int conflicts; /* claims answered CONFLICT, then retried */
  char errmsg[ATESQL_ERROR_MESSAGE_MAX];
} claimer;

static void *claim_and_release(void *arg) {
  claimer *c = arg;
  const atesql_pool_ref pool[] = {{"race", "pool"}};
  for (int round = 0; round < CLAIM_ROUNDS; round++) {
    pthread_barrier_wait(c->barrier);
    atesql_claim_request r = request(c->actor_id, pool, 1);
    atesql_worker *w = NULL;
    /* CONFLICT (PostgreSQL): every free worker was locked by a claim in
    ** flight, which is about to commit or roll back: retry. */
    int tries = 0;
    do {
      c->result[round] = atesql_worker_claim(c->store, &r, &w);
      c->conflicts += c->result[round] == ATESQL_CONFLICT;
    } while (c->result[round] == ATESQL_CONFLICT && ++tries < 1000);
    if (c->result[round] == ATESQL_OK)
      snprintf(c->held[round], sizeof c->held[round], "%s", w->worker_pod);
    else if (c->result[round] != ATESQL_RESOURCE_EXHAUSTED)
      snprintf(c->errmsg, sizeof c->errmsg, "%s", atesql_errmsg(c->store));
    pthread_barrier_wait(c->barrier); /* the main thread checks here */
    pthread_barrier_wait(c->barrier);
    bool released;
    if (w && c->id % 2 == 0 && round % 3 != 2)
      atesql_worker_release(c->store, "race", "pool", w->worker_pod, "space",
                            c->actor_id, &released);
    atesql_worker_free(w);
  }
  return NULL;
}

static void test_racing_claimers_never_share_or_double_a_worker(void **state) {
  atesql_store *s = *state;
  char pod[8];
  for (int i = 0; i < POOL_WORKERS; i++) {
    snprintf(pod, sizeof pod, "r%d", i);
    atesql_worker w = make_worker("race", "pool", pod);
    assert_ok(s, atesql_worker_create(s, &w));
  }
  pthread_barrier_t barrier;
  assert_int_equal(pthread_barrier_init(&barrier, NULL, CLAIMERS + 1), 0);
  static claimer claimers[CLAIMERS];
  pthread_t threads[CLAIMERS];
  for (int i = 0; i < CLAIMERS; i++) {
    memset(&claimers[i], 0, sizeof claimers[i]);
    claimers[i].store = open_second_store();
    claimers[i].barrier = &barrier;
    claimers[i].id = i;
    snprintf(claimers[i].actor_id, sizeof claimers[i].actor_id, "actor-%d",
             i / 2);
    assert_int_equal(
        pthread_create(&threads[i], NULL, claim_and_release, &claimers[i]), 0);
  }
  int ok = 0, exhausted = 0;
  for (int round = 0; round < CLAIM_ROUNDS; round++) {
    pthread_barrier_wait(&barrier); /* start */
    pthread_barrier_wait(&barrier); /* claimed */
    for (int i = 0; i < CLAIMERS; i++) {
      atesql_status st = claimers[i].result[round];
      if (st != ATESQL_OK && st != ATESQL_RESOURCE_EXHAUSTED)
        fail_msg("round %d claimer %d: %s: %s", round, i, atesql_status_str(st),
                 claimers[i].errmsg);
      ok += st == ATESQL_OK;
      exhausted += st == ATESQL_RESOURCE_EXHAUSTED;
    }
    /* Both claimers of one actor got the same worker; no actor holds two,
    ** no worker is held by two actors (one row, one actor_id). */
    for (int a = 0; a < CLAIMERS / 2; a++) {
      claimer *x = &claimers[2 * a], *y = &claimers[2 * a + 1];
      if (x->result[round] == ATESQL_OK && y->result[round] == ATESQL_OK &&
          strcmp(x->held[round], y->held[round]) != 0)
        fail_msg("round %d: actor-%d got two workers, %s and %s", round, a,
                 x->held[round], y->held[round]);
      char id[16];
      snprintf(id, sizeof id, "actor-%d", a);
      int64_t n = holders(s, id);
      if (n > 1)
        fail_msg("round %d: actor-%d holds %lld workers", round, a,
                 (long long)n);
    }
    for (int i = 0; i < CLAIMERS; i++)
      for (int j = 0; j < CLAIMERS; j++)
        if (claimers[i].result[round] == ATESQL_OK &&
            claimers[j].result[round] == ATESQL_OK &&
            claimers[i].id / 2 != claimers[j].id / 2 &&
            strcmp(claimers[i].held[round], claimers[j].held[round]) == 0)
          fail_msg("round %d: worker %s given to actor-%d and actor-%d", round,
                   claimers[i].held[round], i / 2, j / 2);
    pthread_barrier_wait(&barrier); /* release */
  }
  for (int i = 0; i < CLAIMERS; i++) {
    assert_int_equal(pthread_join(threads[i], NULL), 0);
    atesql_store_close(claimers[i].store);
  }
  pthread_barrier_destroy(&barrier);
  int conflicts = 0;
  for (int i = 0; i < CLAIMERS; i++)
    conflicts += claimers[i].conflicts;
  printf("racing claimers: %d claims, %d no capacity, %d retried after "
         "CONFLICT\n",
         ok, exhausted, conflicts);
  /* Four actors, three workers: some claims found no capacity, most did. */
  assert_true(ok > 0);
  assert_true(exhausted > 0);
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_claim_assigns_a_free_worker_and_bumps_its_version),
    STORE_TEST(test_a_retried_claim_returns_the_same_worker_unchanged),
    STORE_TEST(test_a_holder_in_an_ineligible_pool_is_freed),
    STORE_TEST(test_preferred_nodes_first_then_any_eligible),
    STORE_TEST(test_required_nodes_without_a_free_worker_write_nothing),
    STORE_TEST(test_no_capacity_is_resource_exhausted),
    STORE_TEST(test_the_selector_restricts_the_candidates),
    STORE_TEST(test_bad_requests_are_invalid_and_write_nothing),
    STORE_TEST(test_release_frees_only_for_the_holder),
    STORE_TEST(test_release_without_released_frees),
    STORE_TEST(test_resume_claims_and_moves_the_actor_together),
    STORE_TEST(test_resume_with_a_stale_version_claims_nothing),
    STORE_TEST(test_racing_claimers_never_share_or_double_a_worker),
};

const struct CMUnitTest *claim_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
