/*
** Mutation fuzzing of the protojson codec, deterministic (fixed seed):
** documents `import` reads are mutated byte by byte and every result must
** decode or fail with INVALID_ARGUMENT and a message; a decoded record must
** encode and decode again to the same document (a fixed point).
*/
#include "suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/atesql.h"
#include "fuzz/mutate.h"

enum { ITERATIONS = 30000, MAX_LEN = 1024 };

static const char actor_doc[] =
    "{\"atespace\":\"s1\",\"actorId\":\"a1\",\"version\":\"3\","
    "\"status\":\"STATUS_PAUSED\",\"actorTemplateName\":\"t\","
    "\"latestSnapshotInfo\":{\"type\":\"TYPE_LOCAL\",\"local\":{"
    "\"snapshotPrefix\":\"p/"
    "\",\"nodeVmsWithLocalSnapshots\":[\"n1\",\"n\xc3\xa9\"]}},"
    "\"workerSelector\":{\"matchLabels\":{\"gpu\":\"h100\",\"zone\":\"a\"}}}";
static const char worker_doc[] =
    "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\",\"workerPod\":\"p\","
    "\"actor_id\":\"a\\\"1\",\"version\":7,\"nodeName\":\"n\\u00e9\"}";

static const char alphabet[] = "{}[]\":,\\0123456789.-eE tnulfrsa\xc3\xff";
static bool round_trip(bool actor, const char *text, size_t len) {
  atesql_error err = {0};
  char *first = NULL, *second = NULL;
  atesql_status st;
  if (actor) {
    atesql_actor *a = NULL, *b = NULL;
    st = atesql_actor_from_json(text, len, &a, &err);
    if (st != ATESQL_OK) goto rejected;
    assert_int_equal(atesql_actor_to_json(a, &first), ATESQL_OK);
    assert_int_equal(atesql_actor_from_json(first, strlen(first), &b, &err),
                     ATESQL_OK);
    assert_int_equal(atesql_actor_to_json(b, &second), ATESQL_OK);
    atesql_actor_free(a);
    atesql_actor_free(b);
  } else {
    atesql_worker *a = NULL, *b = NULL;
    st = atesql_worker_from_json(text, len, &a, &err);
    if (st != ATESQL_OK) goto rejected;
    assert_int_equal(atesql_worker_to_json(a, &first), ATESQL_OK);
    assert_int_equal(atesql_worker_from_json(first, strlen(first), &b, &err),
                     ATESQL_OK);
    assert_int_equal(atesql_worker_to_json(b, &second), ATESQL_OK);
    atesql_worker_free(a);
    atesql_worker_free(b);
  }
  assert_string_equal(first, second);
  atesql_free(first);
  atesql_free(second);
  return true;
rejected:
  assert_int_equal(st, ATESQL_INVALID_ARGUMENT);
  assert_true(strlen(err.message) > 0);
  return false;
}

static void test_mutated_documents_decode_or_fail_cleanly(void **state) {
  (void)state;
  mutator m = {0x2545f4914f6cdd1dull, alphabet, NULL, 0, MAX_LEN};
  size_t decoded = 0;
  for (int i = 0; i < ITERATIONS; i++) {
    bool actor = i % 2;
    const char *seed = actor ? actor_doc : worker_doc;
    char buf[MAX_LEN];
    size_t len = strlen(seed);
    memcpy(buf, seed, len);
    len = mutator_apply(&m, buf, len);
    decoded += round_trip(actor, buf, len);
  }
  printf("fuzz: %d mutated documents, %zu decoded\n", ITERATIONS, decoded);
  assert_true(decoded > 100 && decoded < ITERATIONS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mutated_documents_decode_or_fail_cleanly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
