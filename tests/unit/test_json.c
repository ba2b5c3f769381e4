/*
** The protojson codec: the exact documents it writes, round trips of every
** field (unicode, quotes, backslashes, control bytes, empty lists), what it
** accepts on input (snake_case names, version as string or number, null,
** enum numbers), every error with the field it names, the nested-column
** codecs the store uses, and the one-allocation bound of decoded records.
*/
#include "suite.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/json.h"
#include "atesql/store.h"
#include "codec/json.h"
#include "util/arena.h"

/* Strings that must survive a round trip byte for byte. */
#define TRICKY "q\"uo\\te \xc3\xb1 \xe2\x9c\x93 \xf0\x9f\x98\x80 \n\t\x01/"
#define TRICKY_JSON                                                            \
  "q\\\"uo\\\\te \xc3\xb1 \xe2\x9c\x93 \xf0\x9f\x98\x80 \\n\\t\\u0001/"

static const atesql_worker full_worker = {
    .worker_namespace = "ns",
    .worker_pool = "cpu",
    .worker_pod = "cpu-0001",
    .actor_namespace = "an",
    .actor_template = "at",
    .actor_id = TRICKY,
    .actor_atespace = "team",
    .ip = "10.0.0.1",
    .worker_pod_uid = "uid-1",
    .node_name = "node-01",
    .version = 3,
};

static const char full_worker_json[] =
    "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
    "\"workerPod\":\"cpu-0001\",\"actorNamespace\":\"an\","
    "\"actorTemplate\":\"at\",\"actorId\":\"" TRICKY_JSON "\","
    "\"actorAtespace\":\"team\",\"ip\":\"10.0.0.1\",\"version\":\"3\","
    "\"workerPodUid\":\"uid-1\",\"nodeName\":\"node-01\"}";

static const char *const node_vms[] = {"node-02", TRICKY, ""};
static const atesql_label labels[] = {{"zone", "a"}, {"gpu", TRICKY}};

static atesql_actor make_full_actor(void) {
  atesql_actor a = {
      .atespace = "team",
      .actor_id = "actor-1",
      .version = 7,
      .actor_template_namespace = "tns",
      .actor_template_name = "tname",
      .status = ATESQL_ACTOR_STATUS_PAUSED,
      .ateom_pod_namespace = "pns",
      .ateom_pod_name = "pod",
      .ateom_pod_ip = "10.1.0.1",
      .ateom_pod_uid = "puid",
      .in_progress_snapshot = TRICKY,
      .worker_pool_name = "gpu",
      .latest_snapshot_info = {ATESQL_SNAPSHOT_TYPE_LOCAL, "gs://b/x", "snap/1",
                               node_vms, 3},
      .worker_selector_labels = labels,
      .worker_selector_label_count = 2,
  };
  return a;
}

static const char full_actor_json[] =
    "{\"atespace\":\"team\",\"actorId\":\"actor-1\",\"version\":\"7\","
    "\"actorTemplateNamespace\":\"tns\",\"actorTemplateName\":\"tname\","
    "\"status\":\"STATUS_PAUSED\",\"ateomPodNamespace\":\"pns\","
    "\"ateomPodName\":\"pod\",\"ateomPodIp\":\"10.1.0.1\","
    "\"ateomPodUid\":\"puid\",\"inProgressSnapshot\":\"" TRICKY_JSON "\","
    "\"workerPoolName\":\"gpu\",\"latestSnapshotInfo\":{\"type\":"
    "\"TYPE_LOCAL\",\"external\":{\"snapshotUriPrefix\":\"gs://b/x\"},"
    "\"local\":{\"snapshotPrefix\":\"snap/1\",\"nodeVmsWithLocalSnapshots\":["
    "\"node-02\",\"" TRICKY_JSON "\",\"\"]}},\"workerSelector\":{"
    "\"matchLabels\":{\"gpu\":\"" TRICKY_JSON "\",\"zone\":\"a\"}}}";

static const char empty_actor_json[] =
    "{\"atespace\":\"\",\"actorId\":\"\",\"version\":\"0\","
    "\"actorTemplateNamespace\":\"\",\"actorTemplateName\":\"\","
    "\"status\":\"STATUS_UNSPECIFIED\",\"ateomPodNamespace\":\"\","
    "\"ateomPodName\":\"\",\"ateomPodIp\":\"\",\"ateomPodUid\":\"\","
    "\"inProgressSnapshot\":\"\",\"workerPoolName\":\"\","
    "\"latestSnapshotInfo\":{\"type\":\"TYPE_UNSPECIFIED\",\"external\":{"
    "\"snapshotUriPrefix\":\"\"},\"local\":{\"snapshotPrefix\":\"\","
    "\"nodeVmsWithLocalSnapshots\":[]}},\"workerSelector\":{"
    "\"matchLabels\":{}}}";

static void assert_worker_equal(const atesql_worker *a,
                                const atesql_worker *b) {
  assert_string_equal(a->worker_namespace, b->worker_namespace);
  assert_string_equal(a->worker_pool, b->worker_pool);
  assert_string_equal(a->worker_pod, b->worker_pod);
  assert_string_equal(a->actor_namespace, b->actor_namespace);
  assert_string_equal(a->actor_template, b->actor_template);
  assert_string_equal(a->actor_id, b->actor_id);
  assert_string_equal(a->actor_atespace, b->actor_atespace);
  assert_string_equal(a->ip, b->ip);
  assert_string_equal(a->worker_pod_uid, b->worker_pod_uid);
  assert_string_equal(a->node_name, b->node_name);
  assert_int_equal(a->version, b->version);
}

/* Labels compared as sets: b must be a's labels in key order. */
static void assert_actor_equal(const atesql_actor *a, const atesql_actor *b) {
  assert_string_equal(a->atespace, b->atespace);
  assert_string_equal(a->actor_id, b->actor_id);
  assert_int_equal(a->version, b->version);
  assert_string_equal(a->actor_template_namespace, b->actor_template_namespace);
  assert_string_equal(a->actor_template_name, b->actor_template_name);
  assert_int_equal(a->status, b->status);
  assert_string_equal(a->ateom_pod_namespace, b->ateom_pod_namespace);
  assert_string_equal(a->ateom_pod_name, b->ateom_pod_name);
  assert_string_equal(a->ateom_pod_ip, b->ateom_pod_ip);
  assert_string_equal(a->ateom_pod_uid, b->ateom_pod_uid);
  assert_string_equal(a->in_progress_snapshot, b->in_progress_snapshot);
  assert_string_equal(a->worker_pool_name, b->worker_pool_name);
  const atesql_snapshot_info *x = &a->latest_snapshot_info;
  const atesql_snapshot_info *y = &b->latest_snapshot_info;
  assert_int_equal(x->type, y->type);
  assert_string_equal(x->external_snapshot_uri_prefix,
                      y->external_snapshot_uri_prefix);
  assert_string_equal(x->local_snapshot_prefix, y->local_snapshot_prefix);
  assert_int_equal(x->local_node_vm_count, y->local_node_vm_count);
  for (size_t i = 0; i < x->local_node_vm_count; i++)
    assert_string_equal(x->local_node_vms[i], y->local_node_vms[i]);
  assert_int_equal(a->worker_selector_label_count,
                   b->worker_selector_label_count);
  for (size_t i = 0; i < b->worker_selector_label_count; i++) {
    const atesql_label *l = &b->worker_selector_labels[i];
    if (i > 0)
      assert_true(strcmp(b->worker_selector_labels[i - 1].key, l->key) < 0);
    bool found = false;
    for (size_t k = 0; k < a->worker_selector_label_count; k++)
      if (strcmp(a->worker_selector_labels[k].key, l->key) == 0) {
        assert_string_equal(a->worker_selector_labels[k].value, l->value);
        found = true;
      }
    assert_true(found);
  }
}

static atesql_worker *worker_ok(const char *text) {
  atesql_worker *w = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_worker_from_json(text, strlen(text), &w, &err);
  if (st != ATESQL_OK) fail_msg("decode of %s failed: %s", text, err.message);
  assert_non_null(w);
  return w;
}

static atesql_actor *actor_ok(const char *text) {
  atesql_actor *a = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_actor_from_json(text, strlen(text), &a, &err);
  if (st != ATESQL_OK) fail_msg("decode of %s failed: %s", text, err.message);
  assert_non_null(a);
  return a;
}

/* Decoding text as an actor must fail with status and a message holding
** needle. */
static void expect_actor_error_len(const char *text, size_t len,
                                   atesql_status status, const char *needle) {
  atesql_actor *a = (atesql_actor *)1;
  atesql_error err = {0};
  atesql_status st = atesql_actor_from_json(text, len, &a, &err);
  if (st != status)
    fail_msg("%s: status %s, want %s (%s)", text, atesql_status_str(st),
             atesql_status_str(status), err.message);
  assert_null(a);
  assert_int_equal(err.status, status);
  if (strstr(err.message, needle) == NULL)
    fail_msg("%s: message '%s' lacks '%s'", text, err.message, needle);
}

static void expect_actor_error(const char *text, const char *needle) {
  expect_actor_error_len(text, strlen(text), ATESQL_INVALID_ARGUMENT, needle);
}

static void test_worker_is_written_with_every_field(void **state) {
  (void)state;
  char *out = NULL;
  assert_int_equal(atesql_worker_to_json(&full_worker, &out), ATESQL_OK);
  assert_string_equal(out, full_worker_json);
  atesql_free(out);
}

static void test_worker_round_trips(void **state) {
  (void)state;
  atesql_worker *w = worker_ok(full_worker_json);
  assert_worker_equal(&full_worker, w);
  char *again = NULL;
  assert_int_equal(atesql_worker_to_json(w, &again), ATESQL_OK);
  assert_string_equal(again, full_worker_json);
  atesql_free(again);
  atesql_worker_free(w);
}

static void
test_actor_is_written_with_every_field_and_sorted_labels(void **state) {
  (void)state;
  atesql_actor a = make_full_actor();
  char *out = NULL;
  assert_int_equal(atesql_actor_to_json(&a, &out), ATESQL_OK);
  assert_string_equal(out, full_actor_json);
  atesql_free(out);
}

static void test_actor_round_trips(void **state) {
  (void)state;
  atesql_actor want = make_full_actor();
  atesql_actor *a = actor_ok(full_actor_json);
  assert_actor_equal(&want, a);
  char *again = NULL;
  assert_int_equal(atesql_actor_to_json(a, &again), ATESQL_OK);
  assert_string_equal(again, full_actor_json);
  atesql_free(again);
  atesql_actor_free(a);
}

static void test_zero_actor_writes_every_nested_object(void **state) {
  (void)state;
  atesql_actor zero = {0};
  char *out = NULL;
  assert_int_equal(atesql_actor_to_json(&zero, &out), ATESQL_OK);
  assert_string_equal(out, empty_actor_json);
  atesql_free(out);
}

static void test_empty_lists_round_trip(void **state) {
  (void)state;
  atesql_actor *a = actor_ok(empty_actor_json);
  assert_int_equal(a->latest_snapshot_info.local_node_vm_count, 0);
  assert_int_equal(a->worker_selector_label_count, 0);
  char *again = NULL;
  assert_int_equal(atesql_actor_to_json(a, &again), ATESQL_OK);
  assert_string_equal(again, empty_actor_json);
  atesql_free(again);
  atesql_actor_free(a);
}

static void test_atespace_round_trips(void **state) {
  (void)state;
  atesql_atespace in = {TRICKY};
  char *out = NULL;
  assert_int_equal(atesql_atespace_to_json(&in, &out), ATESQL_OK);
  assert_string_equal(out, "{\"name\":\"" TRICKY_JSON "\"}");
  atesql_atespace *back = NULL;
  assert_int_equal(atesql_atespace_from_json(out, strlen(out), &back, NULL),
                   ATESQL_OK);
  assert_string_equal(back->name, TRICKY);
  atesql_atespace_free(back);
  atesql_free(out);
}

static void
test_missing_fields_are_zero_values_and_strings_are_empty(void **state) {
  (void)state;
  atesql_actor *a = actor_ok("{}");
  atesql_actor zero = {0};
  char *out = NULL;
  assert_int_equal(atesql_actor_to_json(a, &out), ATESQL_OK);
  assert_string_equal(out, empty_actor_json);
  atesql_free(out);
  /* Every string field is non-NULL, nested ones included. */
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
      a->latest_snapshot_info.external_snapshot_uri_prefix,
      a->latest_snapshot_info.local_snapshot_prefix,
  };
  for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
    assert_string_equal(strings[i], "");
  assert_int_equal(a->version, zero.version);
  assert_int_equal(a->status, ATESQL_ACTOR_STATUS_UNSPECIFIED);
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
      "\"TYPE_LOCAL\",\"external\":{\"snapshot_uri_prefix\":\"gs://b/x\"},"
      "\"local\":{\"snapshot_prefix\":\"snap/1\","
      "\"node_vms_with_local_snapshots\":[\"node-02\",\"" TRICKY_JSON
      "\",\"\"]}},\"worker_selector\":{\"match_labels\":{\"zone\":\"a\","
      "\"gpu\":\"" TRICKY_JSON "\"}}}");
  assert_actor_equal(&want, a);
  atesql_actor_free(a);
}

static void test_version_as_string_or_number(void **state) {
  (void)state;
  static const struct {
    const char *json;
    int64_t version;
  } cases[] = {
      {"{\"version\":\"3\"}", 3},
      {"{\"version\":3}", 3},
      {"{\"version\":\"-2\"}", -2},
      {"{\"version\":\"9223372036854775807\"}", INT64_MAX},
      {"{\"version\":-9223372036854775808}", INT64_MIN},
      {"{\"version\":null}", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    atesql_worker *w = worker_ok(cases[i].json);
    assert_int_equal(w->version, cases[i].version);
    atesql_worker_free(w);
  }
}

static void test_null_is_the_zero_value(void **state) {
  (void)state;
  atesql_actor *a =
      actor_ok("{\"atespace\":null,\"status\":null,\"latestSnapshotInfo\":null,"
               "\"workerSelector\":{\"matchLabels\":null}}");
  assert_string_equal(a->atespace, "");
  assert_int_equal(a->status, 0);
  assert_string_equal(a->latest_snapshot_info.local_snapshot_prefix, "");
  assert_int_equal(a->worker_selector_label_count, 0);
  atesql_actor_free(a);
}

static void test_enum_by_number(void **state) {
  (void)state;
  atesql_actor *a =
      actor_ok("{\"status\":2,\"latestSnapshotInfo\":{\"type\":2}}");
  assert_int_equal(a->status, ATESQL_ACTOR_STATUS_RUNNING);
  assert_int_equal(a->latest_snapshot_info.type, ATESQL_SNAPSHOT_TYPE_EXTERNAL);
  atesql_actor_free(a);
}

static void test_decoded_labels_are_sorted_by_key(void **state) {
  (void)state;
  atesql_actor *a =
      actor_ok("{\"workerSelector\":{\"matchLabels\":{\"c\":\"3\",\"a\":\"1\","
               "\"b\":\"2\",\"\":\"0\"}}}");
  assert_int_equal(a->worker_selector_label_count, 4);
  const char *const keys[] = {"", "a", "b", "c"};
  const char *const values[] = {"0", "1", "2", "3"};
  for (size_t i = 0; i < 4; i++) {
    assert_string_equal(a->worker_selector_labels[i].key, keys[i]);
    assert_string_equal(a->worker_selector_labels[i].value, values[i]);
  }
  atesql_actor_free(a);
}

static void test_unknown_field_is_named(void **state) {
  (void)state;
  expect_actor_error("{\"atespace\":\"a\",\"bogus\":1}",
                     "unknown field 'bogus'");
  expect_actor_error("{\"latestSnapshotInfo\":{\"local\":{\"nodes\":[]}}}",
                     "unknown field 'latestSnapshotInfo.local.nodes'");
  expect_actor_error("{\"\":1}", "unknown field ''");
  /* A key with control bytes is quoted safely. */
  expect_actor_error("{\"a\\u0001'b\":1}", "unknown field 'a\\x01\\x27b'");
}

static void test_wrong_type_names_field_and_types(void **state) {
  (void)state;
  expect_actor_error("{\"atespace\":1}",
                     "field 'atespace': expected a string, got number");
  expect_actor_error("{\"actorId\":true}",
                     "field 'actorId': expected a string, got boolean");
  expect_actor_error("{\"version\":1.5}",
                     "field 'version': expected an integer, got number");
  expect_actor_error("{\"version\":[]}",
                     "field 'version': expected an integer, got array");
  expect_actor_error("{\"status\":{}}",
                     "field 'status': expected an enum name, got object");
  expect_actor_error("{\"latestSnapshotInfo\":[]}",
                     "field 'latestSnapshotInfo': expected an object, "
                     "got array");
  expect_actor_error(
      "{\"latestSnapshotInfo\":{\"local\":{\"nodeVmsWithLocalSnapshots\":"
      "[\"a\",2]}}}",
      "field 'latestSnapshotInfo.local.nodeVmsWithLocalSnapshots[1]': "
      "expected a string, got number");
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

static void test_bad_version_text_is_an_error(void **state) {
  (void)state;
  expect_actor_error("{\"version\":\"abc\"}",
                     "field 'version': 'abc' is not a 64-bit integer");
  expect_actor_error("{\"version\":\"\"}", "'' is not a 64-bit integer");
  expect_actor_error("{\"version\":\" 3\"}", "' 3' is not a 64-bit integer");
  expect_actor_error("{\"version\":\"3x\"}", "'3x' is not a 64-bit integer");
  expect_actor_error("{\"version\":\"+3\"}", "'+3' is not a 64-bit integer");
  expect_actor_error("{\"version\":\"9223372036854775808\"}",
                     "'9223372036854775808' is not a 64-bit integer");
}

static void test_unknown_enum_value_lists_valid_ones(void **state) {
  (void)state;
  expect_actor_error("{\"status\":\"RUNNING\"}",
                     "field 'status': unknown value 'RUNNING'; valid values: "
                     "STATUS_UNSPECIFIED, STATUS_RESUMING, STATUS_RUNNING, "
                     "STATUS_SUSPENDING, STATUS_SUSPENDED, STATUS_PAUSING, "
                     "STATUS_PAUSED");
  expect_actor_error("{\"status\":7}", "field 'status': unknown value 7; ");
  expect_actor_error("{\"status\":-1}", "field 'status': unknown value -1; ");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":\"LOCAL\"}}",
                     "field 'latestSnapshotInfo.type': unknown value 'LOCAL'; "
                     "valid values: TYPE_UNSPECIFIED, TYPE_LOCAL, "
                     "TYPE_EXTERNAL");
}

static void test_document_must_be_one_object(void **state) {
  (void)state;
  expect_actor_error("[]", "expected one JSON object, got array");
  expect_actor_error("3", "expected one JSON object, got number");
  expect_actor_error("\"a\"", "expected one JSON object, got string");
  expect_actor_error("null", "expected one JSON object, got null");
  expect_actor_error("{} {}", "invalid JSON at line 1");
}

static void test_invalid_json_is_an_error(void **state) {
  (void)state;
  expect_actor_error("", "invalid JSON");
  expect_actor_error("{\"atespace\":", "invalid JSON");
  expect_actor_error("{atespace:1}", "invalid JSON");
  expect_actor_error("{\"atespace\":\"a\\u0000b\"}", "invalid JSON");
  expect_actor_error("{\"atespace\":\"\xff\"}", "invalid JSON");
  expect_actor_error("{\"atespace\":\"\xed\xa0\x80\"}", "invalid JSON");
  expect_actor_error_len("{\"atespace\":\"a\0\"}", 16, ATESQL_INVALID_ARGUMENT,
                         "invalid JSON");
  expect_actor_error("{\"version\":99999999999999999999}", "invalid JSON");
}

static void test_duplicate_fields_are_errors(void **state) {
  (void)state;
  expect_actor_error("{\"atespace\":\"a\",\"atespace\":\"b\"}",
                     "duplicate object key");
  expect_actor_error("{\"actorId\":\"a\",\"actor_id\":\"b\"}",
                     "field 'actor_id': given twice (as 'actorId' and "
                     "'actor_id')");
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

static void test_encode_errors(void **state) {
  (void)state;
  char *out = (char *)1;
  atesql_actor a = {.status = (atesql_actor_status)7};
  assert_int_equal(atesql_actor_to_json(&a, &out), ATESQL_INVALID_ARGUMENT);
  assert_null(out);
  atesql_actor b = {.latest_snapshot_info.type = (atesql_snapshot_type)3};
  assert_int_equal(atesql_actor_to_json(&b, &out), ATESQL_INVALID_ARGUMENT);
  atesql_worker w = {.node_name = "bad \xff utf-8"};
  assert_int_equal(atesql_worker_to_json(&w, &out), ATESQL_INVALID_ARGUMENT);
  atesql_label bad_key = {"\xc0\x80", "v"};
  atesql_actor c = {.worker_selector_labels = &bad_key,
                    .worker_selector_label_count = 1};
  assert_int_equal(atesql_actor_to_json(&c, &out), ATESQL_INVALID_ARGUMENT);
  assert_int_equal(atesql_worker_to_json(NULL, &out), ATESQL_INVALID_ARGUMENT);
  assert_int_equal(atesql_worker_to_json(&w, NULL), ATESQL_INVALID_ARGUMENT);
}

static void test_encoder_writes_last_of_duplicate_label_keys(void **state) {
  (void)state;
  const atesql_label dup[] = {{"b", "1"}, {"a", "x"}, {"b", "2"}, {NULL, "n"}};
  char *out = codec_worker_selector_to_json(dup, 4);
  assert_non_null(out);
  assert_string_equal(out,
                      "{\"matchLabels\":{\"\":\"n\",\"a\":\"x\",\"b\":\"2\"}}");
  free(out);
}

static void test_nested_snapshot_info_round_trips(void **state) {
  (void)state;
  atesql_actor a = make_full_actor();
  char *text = codec_snapshot_info_to_json(&a.latest_snapshot_info);
  assert_non_null(text);
  assert_string_equal(
      text,
      "{\"type\":\"TYPE_LOCAL\",\"external\":{\"snapshotUriPrefix\":"
      "\"gs://b/x\"},\"local\":{\"snapshotPrefix\":\"snap/1\","
      "\"nodeVmsWithLocalSnapshots\":[\"node-02\",\"" TRICKY_JSON "\",\"\"]}}");
  size_t len = strlen(text);
  void *root = arena_new(8, codec_nested_reserve(len));
  atesql_snapshot_info back;
  atesql_error err = {0};
  assert_int_equal(codec_snapshot_info_from_json(text, len, root, &back, &err),
                   ATESQL_OK);
  assert_int_equal(back.type, ATESQL_SNAPSHOT_TYPE_LOCAL);
  assert_string_equal(back.external_snapshot_uri_prefix, "gs://b/x");
  assert_string_equal(back.local_snapshot_prefix, "snap/1");
  assert_int_equal(back.local_node_vm_count, 3);
  assert_string_equal(back.local_node_vms[1], TRICKY);
  arena_free(root);
  free(text);

  atesql_snapshot_info bad = {.type = (atesql_snapshot_type)9};
  assert_null(codec_snapshot_info_to_json(&bad));
}

static void test_nested_worker_selector_round_trips(void **state) {
  (void)state;
  char *text = codec_worker_selector_to_json(labels, 2);
  assert_non_null(text);
  assert_string_equal(text, "{\"matchLabels\":{\"gpu\":\"" TRICKY_JSON
                            "\",\"zone\":\"a\"}}");
  size_t len = strlen(text);
  void *root = arena_new(8, codec_nested_reserve(len));
  const atesql_label *back = NULL;
  size_t n = 0;
  assert_int_equal(
      codec_worker_selector_from_json(text, len, root, &back, &n, NULL),
      ATESQL_OK);
  assert_int_equal(n, 2);
  assert_string_equal(back[0].key, "gpu");
  assert_string_equal(back[0].value, TRICKY);
  assert_string_equal(back[1].key, "zone");
  arena_free(root);
  free(text);

  char *none = codec_worker_selector_to_json(NULL, 0);
  assert_string_equal(none, "{\"matchLabels\":{}}");
  free(none);
}

static void
test_nested_errors_name_the_field_in_the_sub_document(void **state) {
  (void)state;
  void *root = arena_new(8, 64);
  atesql_error err = {0};
  atesql_snapshot_info info;
  const char *text = "{\"type\":\"NOPE\"}";
  assert_int_equal(
      codec_snapshot_info_from_json(text, strlen(text), root, &info, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "field 'type': unknown value 'NOPE'"));
  const atesql_label *l;
  size_t n;
  text = "{\"matchLabels\":{\"k\":1}}";
  assert_int_equal(
      codec_worker_selector_from_json(text, strlen(text), root, &l, &n, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "field 'matchLabels.k': expected a "
                                      "string, got number"));
  arena_free(root);
}

/* True when every string of the actor lies in its first chunk (or is a
** static ""), that is the record is one allocation. */
static void assert_in_first_chunk(const void *root, size_t json_len,
                                  const char *p) {
  if (p[0] == '\0') return;
  const char *lo = root;
  const char *hi = lo + sizeof(atesql_actor) + codec_nested_reserve(json_len);
  assert_true(p >= lo && p < hi);
}

/* The worst cases of the reserve bound: one-byte labels and list elements,
** one-byte string fields. */
static void test_decoded_record_is_one_allocation(void **state) {
  (void)state;
  enum { N = 2000 };
  size_t cap = N * 16 + 256;
  char *text = malloc(cap);
  size_t len = (size_t)snprintf(text, cap,
                                "{\"atespace\":\"a\",\"actorId\":\"b\","
                                "\"latestSnapshotInfo\":{\"local\":{"
                                "\"nodeVmsWithLocalSnapshots\":[");
  for (size_t i = 0; i < N; i++)
    len += (size_t)snprintf(text + len, cap - len, "%s\"%c\"", i ? "," : "",
                            'a' + (int)(i % 26));
  len += (size_t)snprintf(text + len, cap - len,
                          "]}},\"workerSelector\":{\"matchLabels\":{");
  for (size_t i = 0; i < 26; i++)
    len += (size_t)snprintf(text + len, cap - len, "%s\"%c\":\"x\"",
                            i ? "," : "", 'a' + (int)i);
  len += (size_t)snprintf(text + len, cap - len, "}}}");
  atesql_actor *a = actor_ok(text);
  assert_int_equal(a->latest_snapshot_info.local_node_vm_count, N);
  assert_in_first_chunk(a, len, a->atespace);
  assert_in_first_chunk(a, len, a->actor_id);
  assert_in_first_chunk(a, len,
                        (const char *)a->latest_snapshot_info.local_node_vms);
  for (size_t i = 0; i < N; i++)
    assert_in_first_chunk(a, len, a->latest_snapshot_info.local_node_vms[i]);
  assert_in_first_chunk(a, len, (const char *)a->worker_selector_labels);
  for (size_t i = 0; i < a->worker_selector_label_count; i++) {
    assert_in_first_chunk(a, len, a->worker_selector_labels[i].key);
    assert_in_first_chunk(a, len, a->worker_selector_labels[i].value);
  }
  atesql_actor_free(a);
  free(text);
}

static void test_reserve_saturates(void **state) {
  (void)state;
  assert_int_equal(codec_nested_reserve(10), 104);
  assert_int_equal(codec_nested_reserve(SIZE_MAX / 2), SIZE_MAX);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_worker_is_written_with_every_field),
      cmocka_unit_test(test_worker_round_trips),
      cmocka_unit_test(
          test_actor_is_written_with_every_field_and_sorted_labels),
      cmocka_unit_test(test_actor_round_trips),
      cmocka_unit_test(test_zero_actor_writes_every_nested_object),
      cmocka_unit_test(test_empty_lists_round_trip),
      cmocka_unit_test(test_atespace_round_trips),
      cmocka_unit_test(
          test_missing_fields_are_zero_values_and_strings_are_empty),
      cmocka_unit_test(test_snake_case_names_are_accepted),
      cmocka_unit_test(test_version_as_string_or_number),
      cmocka_unit_test(test_null_is_the_zero_value),
      cmocka_unit_test(test_enum_by_number),
      cmocka_unit_test(test_decoded_labels_are_sorted_by_key),
      cmocka_unit_test(test_unknown_field_is_named),
      cmocka_unit_test(test_wrong_type_names_field_and_types),
      cmocka_unit_test(test_bad_version_text_is_an_error),
      cmocka_unit_test(test_unknown_enum_value_lists_valid_ones),
      cmocka_unit_test(test_document_must_be_one_object),
      cmocka_unit_test(test_invalid_json_is_an_error),
      cmocka_unit_test(test_duplicate_fields_are_errors),
      cmocka_unit_test(test_decode_argument_errors),
      cmocka_unit_test(test_encode_errors),
      cmocka_unit_test(test_encoder_writes_last_of_duplicate_label_keys),
      cmocka_unit_test(test_nested_snapshot_info_round_trips),
      cmocka_unit_test(test_nested_worker_selector_round_trips),
      cmocka_unit_test(test_nested_errors_name_the_field_in_the_sub_document),
      cmocka_unit_test(test_decoded_record_is_one_allocation),
      cmocka_unit_test(test_reserve_saturates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
