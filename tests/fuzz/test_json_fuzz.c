/*
** Mutation fuzzing of the protojson codec, deterministic (fixed seed):
** documents `import` reads are mutated byte by byte and every result must
** decode or fail with INVALID_ARGUMENT and a message; a decoded record must
** encode and decode again to the same document (a fixed point). The
** actors' JSON columns are mutated too, and their two readers (by token,
** and jansson) must agree on every result.
*/
#include "suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/atesql.h"
#include "column_readers.h"
#include "fuzz/mutate.h"

enum { ITERATIONS = 30000, MAX_LEN = 1024 };

/* The seeds: documents as protojson writes them and as it also reads
** them (snake_case names, numbers in other spellings, null, open enum
** values, empty messages), so that mutations reach every path of the
** decoder. */
typedef struct seed {
  bool actor;
  const char *text;
} seed;

static const seed seeds[] = {
    {true,
     "{\"actorId\":\"a1\",\"version\":\"3\",\"actorTemplateName\":\"t\","
     "\"status\":\"STATUS_PAUSED\",\"latestSnapshotInfo\":{\"type\":"
     "\"SNAPSHOT_TYPE_LOCAL\",\"local\":{\"snapshotPrefix\":\"p/\","
     "\"nodeVmsWithLocalSnapshots\":[\"n1\",\"n\xc3\xa9\"]}},"
     "\"workerSelector\":{\"matchLabels\":{\"gpu\":\"h100\",\"zone\":\"a\"}},"
     "\"atespace\":\"s1\"}"},
    {true, "{\"actor_id\":\"a2\",\"version\":\"1e3\",\"status\":99,"
           "\"latest_snapshot_info\":{\"type\":2.0,\"external\":{"
           "\"snapshot_uri_prefix\":\"gs://b/\\u00e9\"},\"local\":null},"
           "\"workerSelector\":{},\"atespace\":\"s2\"}"},
    {true, "{\"version\":-1.0e1,\"status\":-1,\"latestSnapshotInfo\":{"
           "\"type\":\"SNAPSHOT_TYPE_EXTERNAL\",\"local\":{}},"
           "\"workerSelector\":{\"match_labels\":{\"\":\"\"}},"
           "\"inProgressSnapshot\":null}"},
    {false, "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
            "\"workerPod\":\"p\",\"actor_id\":\"a\\\"1\",\"version\":7,"
            "\"nodeName\":\"n\\u00e9\"}"},
    {false, "{\"worker_namespace\":\"ns\",\"ip\":\"10.0.0.1\","
            "\"version\":\"-0\",\"actorAtespace\":\"\",\"node_name\":null}"},
};

static const char alphabet[] = "{}[]\":,\\0123456789.-eE tnulfrsa\xc3\xff";

/* Decode text, encode the record, decode and encode that again: the two
** encodings must be equal. True when text decoded; a rejection must be
** INVALID_ARGUMENT with a message. Failures show the input. */
static bool round_trip(bool actor, const char *text, size_t len) {
  atesql_error err = {0};
  char *first = NULL, *second = NULL;
  atesql_status st, st1, st2, st3;
  if (actor) {
    atesql_actor *a = NULL, *b = NULL;
    st = atesql_actor_from_json(text, len, &a, &err);
    if (st != ATESQL_OK) goto rejected;
    st1 = atesql_actor_to_json(a, &first, &err);
    st2 = first ? atesql_actor_from_json(first, strlen(first), &b, &err)
                : ATESQL_INTERNAL;
    st3 = b ? atesql_actor_to_json(b, &second, &err) : ATESQL_INTERNAL;
    atesql_actor_free(a);
    atesql_actor_free(b);
  } else {
    atesql_worker *a = NULL, *b = NULL;
    st = atesql_worker_from_json(text, len, &a, &err);
    if (st != ATESQL_OK) goto rejected;
    st1 = atesql_worker_to_json(a, &first, &err);
    st2 = first ? atesql_worker_from_json(first, strlen(first), &b, &err)
                : ATESQL_INTERNAL;
    st3 = b ? atesql_worker_to_json(b, &second, &err) : ATESQL_INTERNAL;
    atesql_worker_free(a);
    atesql_worker_free(b);
  }
  if (st1 != ATESQL_OK || st2 != ATESQL_OK || st3 != ATESQL_OK)
    fail_msg("input %.*s\n  encode %s, decode again %s (%s), encode again "
             "%s\n  first %s",
             (int)len, text, atesql_status_str(st1), atesql_status_str(st2),
             err.message, atesql_status_str(st3), first ? first : "-");
  if (strcmp(first, second) != 0)
    fail_msg("input %.*s\n  first  %s\n  second %s", (int)len, text, first,
             second);
  atesql_free(first);
  atesql_free(second);
  return true;
rejected:
  if (st != ATESQL_INVALID_ARGUMENT || err.message[0] == '\0')
    fail_msg("input %.*s\n  rejected with %s '%s'", (int)len, text,
             atesql_status_str(st), err.message);
  return false;
}

static void test_mutated_documents_decode_or_fail_cleanly(void **state) {
  (void)state;
  enum { SEEDS = sizeof seeds / sizeof seeds[0] };
  const char *splices[SEEDS];
  for (size_t i = 0; i < SEEDS; i++) {
    splices[i] = seeds[i].text;
    /* Every seed decodes and is at its fixed point after one encoding. */
    assert_true(
        round_trip(seeds[i].actor, seeds[i].text, strlen(seeds[i].text)));
  }
  mutator m = {0x2545f4914f6cdd1dull, alphabet, splices, SEEDS, MAX_LEN};
  size_t decoded = 0;
  for (int i = 0; i < ITERATIONS; i++) {
    const seed *s = &seeds[(size_t)i % SEEDS];
    char buf[MAX_LEN];
    size_t len = strlen(s->text);
    memcpy(buf, s->text, len);
    len = mutator_apply(&m, buf, len);
    decoded += round_trip(s->actor, buf, len);
  }
  printf("fuzz: %d mutated documents, %zu decoded\n", ITERATIONS, decoded);
  assert_true(decoded > 100 && decoded < ITERATIONS);
}

/* Columns as the encoder writes them, and as a hand-edited row might
** hold them (snake_case names, spaces, escapes, numbers, null). */
typedef struct column_seed {
  field_message column;
  const char *text;
} column_seed;

static const column_seed column_seeds[] = {
    {MESSAGE_SNAPSHOT_INFO,
     "{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"local\":{\"snapshotPrefix\":"
     "\"snapshots/actor-1\",\"nodeVmsWithLocalSnapshots\":[\"node-1\","
     "\"n\xc3\xa9\"]}}"},
    {MESSAGE_SNAPSHOT_INFO,
     "{\"type\":\"SNAPSHOT_TYPE_EXTERNAL\",\"external\":{"
     "\"snapshotUriPrefix\":\"gs://b/\"}}"},
    {MESSAGE_SNAPSHOT_INFO,
     "{ \"type\" : 2 , \"local\" : { \"snapshot_prefix\" : \"a\\\"b\" ,"
     " \"node_vms_with_local_snapshots\" : [ ] } , \"external\" : null }"},
    {MESSAGE_SNAPSHOT_INFO, "null"},
    {MESSAGE_WORKER_SELECTOR,
     "{\"matchLabels\":{\"gpu\":\"h100\",\"pool\":\"pool-07\",\"zone\":"
     "\"a\"}}"},
    {MESSAGE_WORKER_SELECTOR,
     "{ \"match_labels\" : { \"\" : \"\" , \"k\\u00e9\" : \"v\" } }"},
    {MESSAGE_WORKER_SELECTOR, "{}"},
};

static void test_mutated_columns_read_alike_by_both_readers(void **state) {
  (void)state;
  enum { SEEDS = sizeof column_seeds / sizeof column_seeds[0] };
  const char *splices[SEEDS];
  for (size_t i = 0; i < SEEDS; i++)
    splices[i] = column_seeds[i].text;
  mutator m = {0x9e3779b97f4a7c15ull, alphabet, splices, SEEDS, MAX_LEN};
  size_t decoded = 0;
  for (int i = 0; i < ITERATIONS; i++) {
    const column_seed *s = &column_seeds[(size_t)i % SEEDS];
    char buf[MAX_LEN], why[512];
    size_t len = strlen(s->text);
    memcpy(buf, s->text, len);
    len = mutator_apply(&m, buf, len);
    bool ok;
    if (!column_readers_agree(s->column, buf, len, &ok, why, sizeof why))
      fail_msg("input %.*s\n  %s", (int)len, buf, why);
    decoded += ok;
  }
  printf("fuzz: %d mutated columns, %zu decoded\n", ITERATIONS, decoded);
  assert_true(decoded > 100 && decoded < ITERATIONS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mutated_documents_decode_or_fail_cleanly),
      cmocka_unit_test(test_mutated_columns_read_alike_by_both_readers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
