/*
** Several handles on one database: optimistic concurrency across handles,
** and threads (one handle each) racing for the same worker, the same lock,
** and an atespace one deletes while the other creates an actor in it.
** Races are repeated over many rounds; every round must have exactly one
** winner. UNAVAILABLE (and, where noted, CONFLICT) are retried: they are
** documented as safe to retry.
*/
#include "conformance.h"

#include <pthread.h>
#include <time.h>

enum { ROUNDS = 20, RACERS = 2, RETRY_LIMIT = 1000 };

static void test_stale_update_from_second_handle_is_conflict(void **state) {
  atesql_store *a = *state;
  atesql_store *b = open_second_store();
  create_worker(a, "ns", "pool", "pod");
  atesql_worker *seen_by_b = get_worker(b, "ns", "pool", "pod");
  atesql_worker w = make_worker("ns", "pool", "pod");
  w.actor_id = "from-a";
  assert_ok(a, atesql_worker_update(a, &w, 1, NULL));
  atesql_worker stale = *seen_by_b;
  stale.actor_id = "from-b";
  assert_status(b, atesql_worker_update(b, &stale, seen_by_b->version, NULL),
                ATESQL_CONFLICT);
  atesql_worker *got = get_worker(b, "ns", "pool", "pod");
  assert_string_equal(got->actor_id, "from-a");
  assert_int_equal(got->version, 2);
  atesql_worker_free(got);
  atesql_worker_free(seen_by_b);
  atesql_store_close(b);
}

static void
test_stale_actor_update_from_second_handle_is_conflict(void **state) {
  atesql_store *a = *state;
  atesql_store *b = open_second_store();
  create_actor(a, "space", "a1");
  atesql_actor *seen_by_b = get_actor(b, "space", "a1");
  set_actor_status(a, "space", "a1", ATESQL_ACTOR_STATUS_RUNNING);
  atesql_actor stale = *seen_by_b;
  stale.status = ATESQL_ACTOR_STATUS_PAUSED;
  assert_status(b, atesql_actor_update(b, &stale, seen_by_b->version, NULL),
                ATESQL_CONFLICT);
  atesql_actor *got = get_actor(b, "space", "a1");
  assert_int_equal(got->status, ATESQL_ACTOR_STATUS_RUNNING);
  atesql_actor_free(got);
  atesql_actor_free(seen_by_b);
  atesql_store_close(b);
}

static void test_second_handle_sees_writes_of_first(void **state) {
  atesql_store *a = *state;
  atesql_store *b = open_second_store();
  create_worker(a, "ns", "pool", "pod");
  atesql_worker_free(get_worker(b, "ns", "pool", "pod"));
  assert_ok(b, atesql_worker_delete(b, "ns", "pool", "pod"));
  atesql_worker *got = NULL;
  assert_status(a, atesql_worker_get(a, "ns", "pool", "pod", &got),
                ATESQL_NOT_FOUND);
  atesql_store_close(b);
}

/* ---- racing threads ---- */

/* One racing thread: its own handle and what happened to it each round. */
typedef struct racer {
  atesql_store *store;
  pthread_barrier_t *barrier;
  int id;
  atesql_status result[ROUNDS];
  char errmsg[ROUNDS][ATESQL_ERROR_MESSAGE_MAX];
} racer;

static void record_result(racer *r, int round, atesql_status st) {
  r->result[round] = st;
  snprintf(r->errmsg[round], sizeof r->errmsg[round], "%s",
           atesql_errmsg(r->store));
}

/* Open one handle per racer, run `body` in a thread per racer, join. */
static void run_racers(racer racers[RACERS], void *(*body)(void *)) {
  pthread_barrier_t barrier;
  assert_int_equal(pthread_barrier_init(&barrier, NULL, RACERS), 0);
  pthread_t threads[RACERS];
  for (int i = 0; i < RACERS; i++) {
    racers[i].store = open_second_store();
    racers[i].barrier = &barrier;
    racers[i].id = i;
  }
  for (int i = 0; i < RACERS; i++)
    assert_int_equal(pthread_create(&threads[i], NULL, body, &racers[i]), 0);
  for (int i = 0; i < RACERS; i++)
    assert_int_equal(pthread_join(threads[i], NULL), 0);
  for (int i = 0; i < RACERS; i++)
    atesql_store_close(racers[i].store);
  pthread_barrier_destroy(&barrier);
}

static void pod_name(char out[16], int round) {
  snprintf(out, 16, "pod-%02d", round);
}

/*
** Each round: read the free worker (version 1), wait for the other racer
** to have read it too, then claim it with update-with-version.
*/
static void *claim_workers(void *arg) {
  racer *r = arg;
  char actor_id[16];
  snprintf(actor_id, sizeof actor_id, "actor-%d", r->id);
  for (int round = 0; round < ROUNDS; round++) {
    char pod[16];
    pod_name(pod, round);
    atesql_worker *w = NULL;
    atesql_status st = atesql_worker_get(r->store, "ns", "pool", pod, &w);
    pthread_barrier_wait(r->barrier);
    if (st != ATESQL_OK) {
      record_result(r, round, st);
      continue;
    }
    atesql_worker claim = *w;
    claim.actor_id = actor_id;
    int tries = 0;
    do
      st = atesql_worker_update(r->store, &claim, w->version, NULL);
    while (st == ATESQL_UNAVAILABLE && ++tries < RETRY_LIMIT);
    record_result(r, round, st);
    atesql_worker_free(w);
  }
  return NULL;
}

static void test_racing_claims_of_a_free_worker_have_one_winner(void **state) {
  atesql_store *store = *state;
  for (int round = 0; round < ROUNDS; round++) {
    char pod[16];
    pod_name(pod, round);
    create_worker(store, "ns", "pool", pod);
  }
  racer racers[RACERS];
  memset(racers, 0, sizeof racers);
  run_racers(racers, claim_workers);
  for (int round = 0; round < ROUNDS; round++) {
    int winners = 0, winner = -1;
    for (int i = 0; i < RACERS; i++) {
      atesql_status st = racers[i].result[round];
      if (st == ATESQL_OK) {
        winners++;
        winner = i;
      } else if (st != ATESQL_CONFLICT) {
        fail_msg("round %d racer %d: %s (%s), want OK or CONFLICT", round, i,
                 atesql_status_str(st), racers[i].errmsg[round]);
      }
    }
    if (winners != 1) fail_msg("round %d: %d winners, want 1", round, winners);
    char pod[16], want[16];
    pod_name(pod, round);
    snprintf(want, sizeof want, "actor-%d", winner);
    atesql_worker *got = get_worker(store, "ns", "pool", pod);
    assert_string_equal(got->actor_id, want);
    assert_int_equal(got->version, 2);
    atesql_worker_free(got);
  }
}

/* Each round: both racers try to take lock-N at the same moment. */
static void *take_locks(void *arg) {
  racer *r = arg;
  char owner[16];
  snprintf(owner, sizeof owner, "owner-%d", r->id);
  for (int round = 0; round < ROUNDS; round++) {
    char key[16];
    snprintf(key, sizeof key, "lock-%02d", round);
    pthread_barrier_wait(r->barrier);
    bool acquired = false;
    atesql_status st;
    int tries = 0;
    do
      st = atesql_lock_acquire(r->store, key, owner, 60000, &acquired);
    while ((st == ATESQL_UNAVAILABLE || st == ATESQL_CONFLICT) &&
           ++tries < RETRY_LIMIT);
    /* OK+acquired is a win; OK+held is recorded as CONFLICT (lost). */
    record_result(r, round,
                  st == ATESQL_OK && !acquired ? ATESQL_CONFLICT : st);
  }
  return NULL;
}

static void test_racing_lock_acquires_have_one_winner(void **state) {
  atesql_store *store = *state;
  racer racers[RACERS];
  memset(racers, 0, sizeof racers);
  run_racers(racers, take_locks);
  for (int round = 0; round < ROUNDS; round++) {
    int winners = 0, winner = -1;
    for (int i = 0; i < RACERS; i++) {
      atesql_status st = racers[i].result[round];
      if (st == ATESQL_OK) {
        winners++;
        winner = i;
      } else if (st != ATESQL_CONFLICT) {
        fail_msg("round %d racer %d: %s (%s)", round, i, atesql_status_str(st),
                 racers[i].errmsg[round]);
      }
    }
    if (winners != 1) fail_msg("round %d: %d winners, want 1", round, winners);
    char key[16], owner[16];
    snprintf(key, sizeof key, "lock-%02d", round);
    snprintf(owner, sizeof owner, "owner-%d", winner);
    bool released = false;
    assert_ok(store, atesql_lock_release(store, key, owner, &released));
    if (!released) fail_msg("round %d: the winner did not hold %s", round, key);
  }
}

/*
** Each round, on atespace race-N: racer 0 deletes the atespace while racer 1
** creates an actor in it. UNAVAILABLE and CONFLICT (a serialization
** failure) are retried.
*/
static void *delete_or_populate_atespace(void *arg) {
  racer *r = arg;
  for (int round = 0; round < ROUNDS; round++) {
    char space[16];
    snprintf(space, sizeof space, "race-%02d", round);
    pthread_barrier_wait(r->barrier);
    atesql_status st;
    int tries = 0;
    do {
      if (r->id == 0) {
        st = atesql_atespace_delete(r->store, space);
      } else {
        atesql_actor a = make_actor(space, "a1");
        st = atesql_actor_create(r->store, &a);
      }
    } while ((st == ATESQL_UNAVAILABLE || st == ATESQL_CONFLICT) &&
             ++tries < RETRY_LIMIT);
    record_result(r, round, st);
  }
  return NULL;
}

static void
test_racing_atespace_delete_and_actor_create_have_one_winner(void **state) {
  atesql_store *store = *state;
  for (int round = 0; round < ROUNDS; round++) {
    char space[16];
    snprintf(space, sizeof space, "race-%02d", round);
    create_atespace(store, space);
  }
  racer racers[RACERS];
  memset(racers, 0, sizeof racers);
  run_racers(racers, delete_or_populate_atespace);
  for (int round = 0; round < ROUNDS; round++) {
    char space[16];
    snprintf(space, sizeof space, "race-%02d", round);
    atesql_status deleted = racers[0].result[round];
    atesql_status created = racers[1].result[round];
    bool space_exists = false;
    assert_ok(store, atesql_atespace_exists(store, space, &space_exists));
    atesql_actor *actor = NULL;
    atesql_status got = atesql_actor_get(store, space, "a1", &actor);
    atesql_actor_free(actor);
    if (deleted == ATESQL_OK && created == ATESQL_FAILED_PRECONDITION) {
      assert_false(space_exists);
      assert_int_equal(got, ATESQL_NOT_FOUND);
    } else if (created == ATESQL_OK && deleted == ATESQL_FAILED_PRECONDITION) {
      assert_true(space_exists);
      assert_int_equal(got, ATESQL_OK);
    } else {
      fail_msg("round %d: delete %s (%s), create %s (%s); want exactly one "
               "OK and the other FAILED_PRECONDITION",
               round, atesql_status_str(deleted), racers[0].errmsg[round],
               atesql_status_str(created), racers[1].errmsg[round]);
    }
  }
}

/* ---- interrupting a call from another thread ---- */

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

typedef struct blocked_update {
  atesql_store *store;
  atesql_status status;
  int64_t returned_ms;
  char errmsg[ATESQL_ERROR_MESSAGE_MAX];
} blocked_update;

static void *update_worker_thread(void *arg) {
  blocked_update *u = arg;
  atesql_worker w = make_worker("ns", "pool", "pod");
  w.node_name = "from-the-blocked-call";
  u->status = atesql_worker_update(u->store, &w, 1, NULL);
  u->returned_ms = now_ms();
  snprintf(u->errmsg, sizeof u->errmsg, "%s", atesql_errmsg(u->store));
  return NULL;
}

/* A call waiting for a row another handle's transaction holds (and, on
** SQLite, for the write lock, in this process's writers' queue) returns
** CANCELLED soon after atesql_store_interrupt from another thread, and
** the handle works afterwards. */
static void test_interrupt_ends_a_call_waiting_for_a_lock(void **state) {
  atesql_store *a = *state;
  atesql_store *b = open_second_store();
  create_worker(a, "ns", "pool", "pod");
  assert_ok(b, atesql_tx_begin(b));
  atesql_worker held = make_worker("ns", "pool", "pod");
  held.node_name = "held";
  assert_ok(b, atesql_worker_update(b, &held, 1, NULL));

  blocked_update u = {.store = a};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, update_worker_thread, &u), 0);
  sleep_ms(300);
  int64_t interrupted = now_ms();
  atesql_store_interrupt(a);
  pthread_join(t, NULL);
  if (u.status != ATESQL_CANCELLED)
    fail_msg("the blocked update returned %s (%s), want CANCELLED",
             atesql_status_str(u.status), u.errmsg);
  assert_non_null(strstr(u.errmsg, "interrupted"));
  if (u.returned_ms - interrupted > 500)
    fail_msg("the interrupted call returned %lld ms after the interrupt",
             (long long)(u.returned_ms - interrupted));

  assert_ok(b, atesql_tx_rollback(b));
  atesql_store_close(b);
  /* The handle is sound, and the interrupt is spent. The interrupted
  ** update may or may not have been written: on PostgreSQL the server goes
  ** on with a statement whose connection was abandoned, and it runs once
  ** the row is free. */
  atesql_status st = ATESQL_CONFLICT;
  for (int tries = 0; st == ATESQL_CONFLICT && tries < 50; tries++) {
    if (tries) sleep_ms(20);
    atesql_worker *now = get_worker(a, "ns", "pool", "pod");
    if (now->version == 2)
      assert_string_equal(now->node_name, "from-the-blocked-call");
    else
      assert_int_equal(now->version, 1);
    atesql_worker w = make_worker("ns", "pool", "pod");
    w.node_name = "after";
    st = atesql_worker_update(a, &w, now->version, NULL);
    atesql_worker_free(now);
  }
  assert_int_equal(st, ATESQL_OK);
  atesql_worker *got = get_worker(a, "ns", "pool", "pod");
  assert_string_equal(got->node_name, "after");
  atesql_worker_free(got);
}

/* An interrupt while no call runs is forgotten when the next call
** begins. */
static void test_interrupt_of_an_idle_handle_is_forgotten(void **state) {
  atesql_store *a = *state;
  atesql_store_interrupt(a);
  create_worker(a, "ns", "pool", "pod");
  atesql_worker_free(get_worker(a, "ns", "pool", "pod"));
  atesql_store_interrupt(NULL);
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_stale_update_from_second_handle_is_conflict),
    STORE_TEST(test_stale_actor_update_from_second_handle_is_conflict),
    STORE_TEST(test_second_handle_sees_writes_of_first),
    STORE_TEST(test_racing_claims_of_a_free_worker_have_one_winner),
    STORE_TEST(test_racing_lock_acquires_have_one_winner),
    STORE_TEST(test_racing_atespace_delete_and_actor_create_have_one_winner),
    STORE_TEST(test_interrupt_ends_a_call_waiting_for_a_lock),
    STORE_TEST(test_interrupt_of_an_idle_handle_is_forgotten),
};

const struct CMUnitTest *concurrency_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
