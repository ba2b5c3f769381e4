/*
** Decoding documents as protojson's default Unmarshal does: NUL
** characters, missing fields, snake_case names, null, labels in key
** order, and every error with the field it names (unknown and repeated
** fields, wrong JSON types, invalid JSON, a document that is not one
** object, bad arguments).
*/
#include "suite.h"

#include "atesql/actor.h"
#include "atesql/json.h"
#include "atesql/worker.h"
#include "json_fixtures.h"

/* ---- NUL characters ----------------------------------------------------- */

/* Changed: "\u0000" used to fail as invalid JSON; it is now refused by the
** name of its field. */
static void test_nul_in_a_string_is_rejected_naming_the_field(void **state) {
  (void)state;
  expect_actor_error("{\"atespace\":\"a\\u0000b\"}",
                     "field 'atespace': contains a NUL character");
  expect_actor_error("{\"actorId\":\"\\u0000\"}",
                     "field 'actorId': contains a NUL character");
  expect_actor_error("{\"latestSnapshotInfo\":{\"local\":{"
                     "\"snapshotPrefix\":\"p\\u0000\"}}}",
                     "field 'latestSnapshotInfo.local.snapshotPrefix': "
                     "contains a NUL character");
  expect_actor_error("{\"latestSnapshotInfo\":{\"external\":{"
                     "\"snapshotUriPrefix\":\"\\u0000\"}}}",
                     "field 'latestSnapshotInfo.external.snapshotUriPrefix': "
                     "contains a NUL character");
  expect_actor_error("{\"latestSnapshotInfo\":{\"local\":{"
                     "\"nodeVmsWithLocalSnapshots\":[\"a\",\"\\u0000\"]}}}",
                     "field 'latestSnapshotInfo.local."
                     "nodeVmsWithLocalSnapshots[1]': contains a NUL "
                     "character");
  expect_actor_error("{\"workerSelector\":{\"matchLabels\":{\"k\":"
                     "\"v\\u0000\"}}}",
                     "field 'workerSelector.matchLabels.k': contains a NUL "
                     "character");
  expect_worker_error("{\"nodeName\":\"n\\u0000\"}",
                      "field 'nodeName': contains a NUL character");
  expect_actor_error("{\"version\":\"7\\u0000\"}", "field 'version'");
}

/* A NUL in a key stops jansson's parse, before the decoder could name the
** field; the message shows the key. */
static void test_nul_in_a_map_key_is_rejected(void **state) {
  (void)state;
  expect_actor_error("{\"workerSelector\":{\"matchLabels\":{"
                     "\"a\\u0000b\":\"v\"}}}",
                     "NUL");
  expect_actor_error("{\"workerSelector\":{\"matchLabels\":{"
                     "\"\\u0000\":\"v\"}}}",
                     "NUL");
}

/* ---- Decoding: names, null, errors ------------------------------------- */

static void
test_missing_fields_are_zero_values_and_strings_are_empty(void **state) {
  (void)state;
  atesql_actor *a = actor_ok("{}");
  expect_actor_json(a, "{}");
  /* Every string field is non-NULL; the messages are unset. */
  const char *const strings[] = {
      a->atespace,
      a->actor_id,
      a->actor_template_namespace,
      a->actor_template_name,
      a->ateom_pod_namespace,
      a->ateom_pod_name,
      a->ateom_pod_ip,
      a->ateom_pod_uid,
      a->in_progress_snapshot,
      a->worker_pool_name,
  };
  for (size_t i = 0; i < COUNT(strings); i++)
    assert_string_equal(strings[i], "");
  assert_int_equal(a->version, 0);
  assert_int_equal(a->status, ATESQL_ACTOR_STATUS_UNSPECIFIED);
  assert_null(a->latest_snapshot_info);
  assert_null(a->worker_selector);
  atesql_actor_free(a);

  /* Nested string fields of a set message are non-NULL too. */
  a = actor_ok("{\"latestSnapshotInfo\":{}}");
  assert_string_equal(a->latest_snapshot_info->external_snapshot_uri_prefix,
                      "");
  assert_string_equal(a->latest_snapshot_info->local_snapshot_prefix, "");
  atesql_actor_free(a);

  atesql_worker *w = worker_ok("{\"workerPool\":\"cpu\"}");
  assert_string_equal(w->worker_pool, "cpu");
  assert_string_equal(w->worker_namespace, "");
  assert_string_equal(w->node_name, "");
  atesql_worker_free(w);
}

static void test_snake_case_names_are_accepted(void **state) {
  (void)state;
  atesql_worker *w =
      worker_ok("{\"worker_namespace\":\"ns\",\"worker_pool\":\"cpu\","
                "\"worker_pod\":\"cpu-0001\",\"actor_namespace\":\"an\","
                "\"actor_template\":\"at\",\"actor_id\":\"" TRICKY_JSON "\","
                "\"actor_atespace\":\"team\",\"ip\":\"10.0.0.1\",\"version\":3,"
                "\"worker_pod_uid\":\"uid-1\",\"node_name\":\"node-01\"}");
  assert_worker_equal(&full_worker, w);
  atesql_worker_free(w);

  atesql_actor want = make_full_actor();
  atesql_actor *a = actor_ok(
      "{\"atespace\":\"team\",\"actor_id\":\"actor-1\",\"version\":\"7\","
      "\"actor_template_namespace\":\"tns\",\"actor_template_name\":\"tname\","
      "\"status\":\"STATUS_PAUSED\",\"ateom_pod_namespace\":\"pns\","
      "\"ateom_pod_name\":\"pod\",\"ateom_pod_ip\":\"10.1.0.1\","
      "\"ateom_pod_uid\":\"puid\",\"in_progress_snapshot\":\"" TRICKY_JSON "\","
      "\"worker_pool_name\":\"gpu\",\"latest_snapshot_info\":{\"type\":"
      "\"SNAPSHOT_TYPE_LOCAL\",\"local\":{\"snapshot_prefix\":\"snap/1\","
      "\"node_vms_with_local_snapshots\":[\"node-02\",\"" TRICKY_JSON
      "\",\"\"]}},\"worker_selector\":{\"match_labels\":{\"zone\":\"a\","
      "\"gpu\":\"" TRICKY_JSON "\"}}}");
  assert_actor_equal(&want, a);
  expect_actor_json(a, full_actor_json);
  atesql_actor_free(a);
}

/* Changed: a null message used to decode as a zeroed struct; it is now
** unset (NULL). */
static void test_null_leaves_any_field_unset(void **state) {
  (void)state;
  atesql_actor *a = actor_ok(
      "{\"atespace\":null,\"actorId\":null,\"version\":null,\"status\":null,"
      "\"latestSnapshotInfo\":null,\"workerSelector\":{\"matchLabels\":null}}");
  assert_string_equal(a->atespace, "");
  assert_string_equal(a->actor_id, "");
  assert_int_equal(a->version, 0);
  assert_int_equal(a->status, 0);
  assert_null(a->latest_snapshot_info);
  assert_non_null(a->worker_selector);
  assert_int_equal(a->worker_selector->match_label_count, 0);
  atesql_actor_free(a);

  a = actor_ok("{\"latestSnapshotInfo\":{\"type\":null,\"external\":null,"
               "\"local\":null}}");
  assert_non_null(a->latest_snapshot_info);
  assert_int_equal(a->latest_snapshot_info->type, 0);
  assert_int_equal(a->latest_snapshot_info->data, ATESQL_SNAPSHOT_DATA_NONE);
  atesql_actor_free(a);

  a = actor_ok("{\"latestSnapshotInfo\":{\"local\":{\"snapshotPrefix\":null,"
               "\"nodeVmsWithLocalSnapshots\":null}}}");
  assert_int_equal(a->latest_snapshot_info->data, ATESQL_SNAPSHOT_DATA_LOCAL);
  assert_string_equal(a->latest_snapshot_info->local_snapshot_prefix, "");
  assert_int_equal(a->latest_snapshot_info->local_node_vm_count, 0);
  atesql_actor_free(a);

  atesql_worker *w = worker_ok("{\"nodeName\":null,\"version\":null}");
  assert_string_equal(w->node_name, "");
  assert_int_equal(w->version, 0);
  atesql_worker_free(w);
}

/* Changed: an empty list or map used to be written ([] and {}); it is now
** left out as a zero value. */
static void test_empty_lists_and_maps_are_left_out(void **state) {
  (void)state;
  atesql_actor *a =
      actor_ok("{\"latestSnapshotInfo\":{\"local\":{"
               "\"nodeVmsWithLocalSnapshots\":[]}},\"workerSelector\":{"
               "\"matchLabels\":{}}}");
  assert_int_equal(a->latest_snapshot_info->local_node_vm_count, 0);
  assert_int_equal(a->worker_selector->match_label_count, 0);
  expect_actor_json(a, "{\"latestSnapshotInfo\":{\"local\":{}},"
                       "\"workerSelector\":{}}");
  atesql_actor_free(a);
}

static void test_decoded_labels_are_sorted_by_key(void **state) {
  (void)state;
  atesql_actor *a =
      actor_ok("{\"workerSelector\":{\"matchLabels\":{\"c\":\"3\",\"a\":\"1\","
               "\"b\":\"2\",\"\":\"0\"}}}");
  assert_int_equal(a->worker_selector->match_label_count, 4);
  const char *const keys[] = {"", "a", "b", "c"};
  const char *const values[] = {"0", "1", "2", "3"};
  for (size_t i = 0; i < 4; i++) {
    assert_string_equal(a->worker_selector->match_labels[i].key, keys[i]);
    assert_string_equal(a->worker_selector->match_labels[i].value, values[i]);
  }
  atesql_actor_free(a);
}

static void test_unknown_field_is_named(void **state) {
  (void)state;
  expect_actor_error("{\"atespace\":\"a\",\"bogus\":1}",
                     "unknown field 'bogus'");
  expect_actor_error("{\"latestSnapshotInfo\":{\"local\":{\"nodes\":[]}}}",
                     "unknown field 'latestSnapshotInfo.local.nodes'");
  expect_actor_error("{\"latestSnapshotInfo\":{\"data\":{}}}",
                     "unknown field 'latestSnapshotInfo.data'");
  expect_actor_error("{\"\":1}", "unknown field ''");
  /* A key with control bytes is quoted safely. */
  expect_actor_error("{\"a\\u0001'b\":1}", "unknown field 'a\\x01\\x27b'");
  /* An unknown field whose value is null is still unknown. */
  expect_actor_error("{\"bogus\":null}", "unknown field 'bogus'");
}

/* Changed: the messages of numeric fields name what they take now that
** numbers and numeric strings are accepted ("a 64-bit integer", "an enum
** name or 32-bit number"); 1.5 is no longer a wrong type but a number with
** a fraction (test_int64_non_integral_reals_are_rejected). */
static void test_wrong_type_names_field_and_types(void **state) {
  (void)state;
  expect_actor_error("{\"atespace\":1}",
                     "field 'atespace': expected a string, got number");
  expect_actor_error("{\"actorId\":true}",
                     "field 'actorId': expected a string, got boolean");
  expect_actor_error("{\"version\":[]}",
                     "field 'version': expected a 64-bit integer, got array");
  expect_actor_error("{\"version\":true}",
                     "field 'version': expected a 64-bit integer, got "
                     "boolean");
  expect_actor_error("{\"status\":{}}",
                     "field 'status': expected an enum name or 32-bit "
                     "number, got object");
  expect_actor_error("{\"status\":false}",
                     "field 'status': expected an enum name or 32-bit "
                     "number, got boolean");
  expect_actor_error("{\"latestSnapshotInfo\":[]}",
                     "field 'latestSnapshotInfo': expected an object, "
                     "got array");
  expect_actor_error("{\"workerSelector\":\"x\"}",
                     "field 'workerSelector': expected an object, got "
                     "string");
  expect_actor_error("{\"latestSnapshotInfo\":{\"local\":[]}}",
                     "field 'latestSnapshotInfo.local': expected an object, "
                     "got array");
  expect_actor_error(
      "{\"latestSnapshotInfo\":{\"local\":{\"nodeVmsWithLocalSnapshots\":"
      "[\"a\",2]}}}",
      "field 'latestSnapshotInfo.local.nodeVmsWithLocalSnapshots[1]': "
      "expected a string, got number");
  expect_actor_error(
      "{\"latestSnapshotInfo\":{\"local\":{\"nodeVmsWithLocalSnapshots\":"
      "[null]}}}",
      "field 'latestSnapshotInfo.local.nodeVmsWithLocalSnapshots[0]': "
      "expected a string, got null");
  expect_actor_error(
      "{\"latestSnapshotInfo\":{\"local\":{\"nodeVmsWithLocalSnapshots\":"
      "\"a\"}}}",
      "field 'latestSnapshotInfo.local.nodeVmsWithLocalSnapshots': expected "
      "an array of strings, got string");
  expect_actor_error("{\"workerSelector\":{\"matchLabels\":{\"k\":null}}}",
                     "field 'workerSelector.matchLabels.k': expected a "
                     "string, got null");
  expect_actor_error("{\"workerSelector\":{\"matchLabels\":[]}}",
                     "field 'workerSelector.matchLabels': expected an object "
                     "of strings, got array");
}

static void test_document_must_be_one_object(void **state) {
  (void)state;
  expect_actor_error("[]", "expected one JSON object, got array");
  expect_actor_error("3", "expected one JSON object, got number");
  expect_actor_error("\"a\"", "expected one JSON object, got string");
  expect_actor_error("null", "expected one JSON object, got null");
  expect_actor_error("{} {}", "invalid JSON at line 1");
}

/* Changed: "\u0000" and integers beyond 64 bits are no longer plain
** "invalid JSON" (test_nul_in_a_string_is_rejected_naming_the_field,
** test_too_big_integer_names_its_field), nor is 1e400. */
static void test_invalid_json_is_an_error(void **state) {
  (void)state;
  expect_actor_error("", "invalid JSON");
  expect_actor_error("{\"atespace\":", "invalid JSON");
  expect_actor_error("{atespace:1}", "invalid JSON");
  expect_actor_error("{\"atespace\":\"\xff\"}", "invalid JSON");
  expect_actor_error("{\"atespace\":\"\xed\xa0\x80\"}", "invalid JSON");
  expect_actor_error("{\"atespace\":\"\\ud800\"}", "invalid JSON");
  expect_actor_error_len("{\"atespace\":\"a\0\"}", 16, ATESQL_INVALID_ARGUMENT,
                         "invalid JSON");
}

static void test_duplicate_fields_are_errors(void **state) {
  (void)state;
  expect_actor_error("{\"atespace\":\"a\",\"atespace\":\"b\"}",
                     "duplicate object key");
  expect_actor_error("{\"actorId\":\"a\",\"actor_id\":\"b\"}",
                     "field 'actor_id': given twice (as 'actorId' and "
                     "'actor_id')");
  expect_actor_error("{\"latestSnapshotInfo\":{},\"latest_snapshot_info\":"
                     "null}",
                     "given twice");
  expect_actor_error("{\"workerSelector\":{\"matchLabels\":{\"k\":\"a\","
                     "\"k\":\"b\"}}}",
                     "duplicate object key");
}

static void test_decode_argument_errors(void **state) {
  (void)state;
  atesql_error err = {0};
  assert_int_equal(atesql_worker_from_json("{}", 2, NULL, &err),
                   ATESQL_INVALID_ARGUMENT);
  atesql_worker *w = (atesql_worker *)1;
  assert_int_equal(atesql_worker_from_json(NULL, 0, &w, &err),
                   ATESQL_INVALID_ARGUMENT);
  assert_null(w);
  /* A length shorter than the text decodes only the prefix. */
  assert_int_equal(atesql_worker_from_json("{}garbage", 2, &w, NULL),
                   ATESQL_OK);
  atesql_worker_free(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nul_in_a_string_is_rejected_naming_the_field),
      cmocka_unit_test(test_nul_in_a_map_key_is_rejected),
      cmocka_unit_test(
          test_missing_fields_are_zero_values_and_strings_are_empty),
      cmocka_unit_test(test_snake_case_names_are_accepted),
      cmocka_unit_test(test_null_leaves_any_field_unset),
      cmocka_unit_test(test_empty_lists_and_maps_are_left_out),
      cmocka_unit_test(test_decoded_labels_are_sorted_by_key),
      cmocka_unit_test(test_unknown_field_is_named),
      cmocka_unit_test(test_wrong_type_names_field_and_types),
      cmocka_unit_test(test_document_must_be_one_object),
      cmocka_unit_test(test_invalid_json_is_an_error),
      cmocka_unit_test(test_duplicate_fields_are_errors),
      cmocka_unit_test(test_decode_argument_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
