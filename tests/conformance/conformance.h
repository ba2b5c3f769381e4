/*
** The conformance suite's shared fixture and helpers. The suite is written
** once against the public API and runs against whatever backend
** ATESQL_TEST_URL names; every test starts from an empty, migrated
** database (store_setup) and nothing here may depend on the backend.
*/
#ifndef ATESQL_CONFORMANCE_H
#define ATESQL_CONFORMANCE_H

#include "suite.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/atesql.h"

/* The URL of the database under test, from ATESQL_TEST_URL. */
extern const char *conformance_url;

/*
** Per-test fixture: *state receives a store open on conformance_url whose
** atespaces, actors, workers and locks have been cleared; teardown closes
** it.
*/
int store_setup(void **state);
int store_teardown(void **state);

#define STORE_TEST(f)                                                          \
  cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)

/* The tests of each file, as a table and its length. */
const struct CMUnitTest *store_handle_tests(size_t *count);
const struct CMUnitTest *atespace_tests(size_t *count);
const struct CMUnitTest *actor_tests(size_t *count);
const struct CMUnitTest *worker_tests(size_t *count);
const struct CMUnitTest *list_tests(size_t *count);
const struct CMUnitTest *selector_tests(size_t *count);
const struct CMUnitTest *page_token_tests(size_t *count);
const struct CMUnitTest *lock_tests(size_t *count);
const struct CMUnitTest *stats_tests(size_t *count);
const struct CMUnitTest *transaction_tests(size_t *count);
const struct CMUnitTest *concurrency_tests(size_t *count);
const struct CMUnitTest *record_tests(size_t *count);
const struct CMUnitTest *claim_tests(size_t *count);
const struct CMUnitTest *watch_tests(size_t *count);
const struct CMUnitTest *label_tests(size_t *count);

/*
** Fail unless `call` returns `want`; the failure names both statuses and
** the handle's error message.
*/
#define assert_status(store, call, want)                                       \
  do {                                                                         \
    atesql_status got_ = (call);                                               \
    atesql_status want_ = (want);                                              \
    if (got_ != want_)                                                         \
      fail_msg("%s\n  returned %s, want %s (errmsg: '%s')", #call,             \
               atesql_status_str(got_), atesql_status_str(want_),              \
               atesql_errmsg(store));                                          \
  } while (0)

#define assert_ok(store, call) assert_status(store, call, ATESQL_OK)

/* Fail unless the handle's error message is non-empty and holds needle. */
void assert_errmsg_names(atesql_store *store, const char *needle);

/* A second handle on conformance_url; close it with atesql_store_close. */
atesql_store *open_second_store(void);

/* Sleep for ms milliseconds. */
void sleep_ms(long ms);

/* ---- records ---- */

/* A worker with the given key, a fixed ip and every other field empty. */
atesql_worker make_worker(const char *ns, const char *pool, const char *pod);

/* An actor with the given key, template "tmpl-ns/tmpl" and status
** STATUS_UNSPECIFIED; nested fields empty. */
atesql_actor make_actor(const char *atespace, const char *actor_id);

/* Create records, asserting success. */
void create_atespace(atesql_store *store, const char *name);
void create_worker(atesql_store *store, const char *ns, const char *pool,
                   const char *pod);
/* Creates the atespace first when it does not exist. */
void create_actor(atesql_store *store, const char *atespace,
                  const char *actor_id);

/* Get a record, asserting it exists; free with the matching *_free. */
atesql_worker *get_worker(atesql_store *store, const char *ns, const char *pool,
                          const char *pod);
atesql_actor *get_actor(atesql_store *store, const char *atespace,
                        const char *actor_id);

/* Set a stored actor's status through update-with-version. */
void set_actor_status(atesql_store *store, const char *atespace,
                      const char *actor_id, atesql_actor_status status);

/* Fail unless every field but version of got equals want's. */
void assert_worker_fields_equal(const atesql_worker *got,
                                const atesql_worker *want);
void assert_actor_fields_equal(const atesql_actor *got,
                               const atesql_actor *want);

/* ---- listing ---- */

/* A growable list of record keys ("ns/pool/pod", "atespace/actor_id"). */
typedef struct key_list {
  char **keys;
  size_t count;
} key_list;

void key_list_add(key_list *list, const char *key);
void key_list_free(key_list *list);
/* How many times key occurs in the list. */
size_t key_list_occurrences(const key_list *list, const char *key);
/* The keys joined by ","; free with free(). */
char *key_list_join(const key_list *list);

/* "ns/pool/pod" and "atespace/actor_id" in a caller's buffer. */
enum { KEY_MAX = 512 };
void worker_key(char out[KEY_MAX], const atesql_worker *w);
void actor_key(char out[KEY_MAX], const atesql_actor *a);

/*
** Follow next_page_token from the first page to the last with opts'
** selector and page size, asserting every call succeeds and no page is
** larger than the page size, and return every key in the order returned.
*/
key_list list_all_workers(atesql_store *store, const atesql_list_opts *opts);
key_list list_all_actors(atesql_store *store, const atesql_list_opts *opts);
key_list list_all_atespaces(atesql_store *store, const atesql_list_opts *opts);

/*
** Fail unless listing with selector text returns exactly `want` (record
** keys joined by "," in list order; pods only for workers) and counting
** with it gives the same number.
*/
void expect_worker_pods(atesql_store *store, const char *selector,
                        const char *want);
void expect_actor_keys(atesql_store *store, const char *selector,
                       const char *want);

/* Fail unless keys are in strictly increasing byte order. */
void assert_strictly_increasing(const key_list *list);

#endif /* ATESQL_CONFORMANCE_H */
