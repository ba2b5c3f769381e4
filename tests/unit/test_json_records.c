/*
** Whole records as Go protojson's default Marshal writes them and its
** Unmarshal reads them: the exact documents (declaration order, zero
** values and unset messages left out, int64 as strings, enums by name),
** round trips of every field (unicode, quotes, backslashes, control
** bytes), presence of the two message fields of Actor, the `data` oneof
** of SnapshotInfo, and the records the encoder refuses.
*/
#include "suite.h"
#include <stdio.h>
#include <string.h>

#include "atesql/actor.h"
#include "atesql/atespace.h"
#include "atesql/json.h"
#include "atesql/worker.h"
#include "codec/json.h"
#include "json_fixtures.h"
#include "util/arena.h"

/* Decoding text and encoding the record gives want (text itself when want
** is NULL): the decoder and the encoder agree with protojson's reading. */
static void expect_actor_canonical(const char *text, const char *want) {
  atesql_actor *a = actor_ok(text);
  expect_actor_json(a, want ? want : text);
  atesql_actor_free(a);
}

/* ---- Whole records: exact documents and round trips -------------------- */

static void test_worker_is_written_in_declaration_order(void **state) {
  (void)state;
  expect_worker_json(&full_worker, full_worker_json);
}

static void test_worker_round_trips(void **state) {
  (void)state;
  atesql_worker *w = worker_ok(full_worker_json);
  assert_worker_equal(&full_worker, w);
  expect_worker_json(w, full_worker_json);
  atesql_worker_free(w);
}

static void
test_actor_is_written_in_declaration_order_with_sorted_labels(void **state) {
  (void)state;
  atesql_actor a = make_full_actor();
  expect_actor_json(&a, full_actor_json);
}

static void test_actor_round_trips(void **state) {
  (void)state;
  atesql_actor want = make_full_actor();
  atesql_actor *a = actor_ok(full_actor_json);
  assert_actor_equal(&want, a);
  expect_actor_json(a, full_actor_json);
  atesql_actor_free(a);
}

static void test_atespace_round_trips(void **state) {
  (void)state;
  atesql_atespace in = {TRICKY};
  char *out = NULL;
  assert_int_equal(atesql_atespace_to_json(&in, &out, NULL), ATESQL_OK);
  assert_string_equal(out, "{\"name\":\"" TRICKY_JSON "\"}");
  atesql_atespace *back = NULL;
  assert_int_equal(atesql_atespace_from_json(out, strlen(out), &back, NULL),
                   ATESQL_OK);
  assert_string_equal(back->name, TRICKY);
  atesql_atespace_free(back);
  atesql_free(out);

  atesql_atespace empty = {""};
  assert_int_equal(atesql_atespace_to_json(&empty, &out, NULL), ATESQL_OK);
  assert_string_equal(out, "{}");
  atesql_free(out);
}

/* ---- Encoding: zero values, order, int64 ------------------------------- */

/* Changed: the zero actor used to be written with every field and both
** nested objects; protojson's default Marshal writes nothing of it. */
static void test_zero_actor_is_written_as_empty_object(void **state) {
  (void)state;
  atesql_actor zero = {0};
  expect_actor_json(&zero, "{}");
  atesql_worker zero_worker = {0};
  expect_worker_json(&zero_worker, "{}");
}

static void test_encoder_omits_zero_values(void **state) {
  (void)state;
  /* Empty strings (NULL or ""), version 0 and STATUS_UNSPECIFIED are left
  ** out; so are unset messages. */
  atesql_actor a = {.atespace = "team",
                    .actor_id = "a1",
                    .actor_template_name = "",
                    .ateom_pod_ip = NULL,
                    .version = 0,
                    .status = ATESQL_ACTOR_STATUS_UNSPECIFIED};
  expect_actor_json(&a, "{\"actorId\":\"a1\",\"atespace\":\"team\"}");

  /* A set message with only zero values is written empty; a set oneof
  ** member is written even when empty; empty lists and maps are left
  ** out. */
  const atesql_snapshot_info info = {.type = ATESQL_SNAPSHOT_TYPE_UNSPECIFIED,
                                     .data = ATESQL_SNAPSHOT_DATA_LOCAL,
                                     .local_snapshot_prefix = "",
                                     .local_node_vms = NULL,
                                     .local_node_vm_count = 0};
  const atesql_worker_selector sel = {NULL, 0};
  atesql_actor b = {
      .version = 1, .latest_snapshot_info = &info, .worker_selector = &sel};
  expect_actor_json(&b, "{\"version\":\"1\",\"latestSnapshotInfo\":{"
                        "\"local\":{}},\"workerSelector\":{}}");

  /* Repeated strings keep their empty elements: only an empty list is a
  ** zero value. */
  const char *const vms[] = {"", ""};
  const atesql_snapshot_info empties = {.data = ATESQL_SNAPSHOT_DATA_LOCAL,
                                        .local_node_vms = vms,
                                        .local_node_vm_count = 2};
  atesql_actor c = {.latest_snapshot_info = &empties};
  expect_actor_json(&c, "{\"latestSnapshotInfo\":{\"local\":{"
                        "\"nodeVmsWithLocalSnapshots\":[\"\",\"\"]}}}");

  /* A label with an empty key or value is still an entry of the map. */
  const atesql_label empty_label[] = {{"", ""}};
  const atesql_worker_selector one = {empty_label, 1};
  atesql_actor d = {.worker_selector = &one};
  expect_actor_json(&d, "{\"workerSelector\":{\"matchLabels\":{\"\":\"\"}}}");

  atesql_worker w = {.worker_pool = "cpu", .node_name = "", .version = 0};
  expect_worker_json(&w, "{\"workerPool\":\"cpu\"}");
}

static void test_encoder_writes_fields_in_declaration_order(void **state) {
  (void)state;
  /* Given in reverse declaration order and in snake_case, written in
  ** declaration order under lowerCamelCase names. */
  expect_actor_canonical(
      "{\"atespace\":\"s\",\"worker_pool_name\":\"p\",\"workerSelector\":{"
      "\"matchLabels\":{\"k\":\"v\"}},\"latestSnapshotInfo\":{\"local\":{},"
      "\"type\":\"SNAPSHOT_TYPE_LOCAL\"},\"ateomPodUid\":\"u\","
      "\"in_progress_snapshot\":\"i\",\"ateomPodIp\":\"ip\","
      "\"ateomPodName\":\"pn\",\"ateomPodNamespace\":\"pns\","
      "\"status\":\"STATUS_RUNNING\",\"actorTemplateName\":\"tn\","
      "\"actorTemplateNamespace\":\"tns\",\"version\":\"2\","
      "\"actorId\":\"a\"}",
      "{\"actorId\":\"a\",\"version\":\"2\",\"actorTemplateNamespace\":"
      "\"tns\",\"actorTemplateName\":\"tn\",\"status\":\"STATUS_RUNNING\","
      "\"ateomPodNamespace\":\"pns\",\"ateomPodName\":\"pn\","
      "\"ateomPodIp\":\"ip\",\"inProgressSnapshot\":\"i\","
      "\"ateomPodUid\":\"u\",\"latestSnapshotInfo\":{\"type\":"
      "\"SNAPSHOT_TYPE_LOCAL\",\"local\":{}},\"workerSelector\":{"
      "\"matchLabels\":{\"k\":\"v\"}},\"workerPoolName\":\"p\","
      "\"atespace\":\"s\"}");
  /* Within the oneof's messages too. */
  expect_actor_canonical(
      "{\"latestSnapshotInfo\":{\"local\":{\"nodeVmsWithLocalSnapshots\":"
      "[\"n\"],\"snapshotPrefix\":\"p\"}}}",
      "{\"latestSnapshotInfo\":{\"local\":{\"snapshotPrefix\":\"p\","
      "\"nodeVmsWithLocalSnapshots\":[\"n\"]}}}");
  /* Worker: actorAtespace (11) comes after nodeName (10). */
  atesql_worker *w = worker_ok("{\"actorAtespace\":\"t\",\"nodeName\":\"n\","
                               "\"workerPodUid\":\"u\",\"version\":5,"
                               "\"ip\":\"i\",\"workerNamespace\":\"ns\"}");
  expect_worker_json(w, "{\"workerNamespace\":\"ns\",\"ip\":\"i\","
                        "\"version\":\"5\",\"workerPodUid\":\"u\","
                        "\"nodeName\":\"n\",\"actorAtespace\":\"t\"}");
  atesql_worker_free(w);
}

static void test_int64_is_written_as_a_json_string(void **state) {
  (void)state;
  atesql_actor a = {.version = -2};
  expect_actor_json(&a, "{\"version\":\"-2\"}");
  a.version = INT64_MAX;
  expect_actor_json(&a, "{\"version\":\"9223372036854775807\"}");
  a.version = INT64_MIN;
  expect_actor_json(&a, "{\"version\":\"-9223372036854775808\"}");
  atesql_worker w = {.version = 1};
  expect_worker_json(&w, "{\"version\":\"1\"}");
}

static void test_named_enum_values_are_written_by_name(void **state) {
  (void)state;
  static const char *const statuses[] = {NULL,
                                         "STATUS_RESUMING",
                                         "STATUS_RUNNING",
                                         "STATUS_SUSPENDING",
                                         "STATUS_SUSPENDED",
                                         "STATUS_PAUSING",
                                         "STATUS_PAUSED"};
  for (int i = 1; i < (int)COUNT(statuses); i++) {
    atesql_actor a = {.status = (atesql_actor_status)i};
    char want[64];
    snprintf(want, sizeof want, "{\"status\":\"%s\"}", statuses[i]);
    expect_actor_json(&a, want);
  }
  atesql_snapshot_info info = {.type = ATESQL_SNAPSHOT_TYPE_LOCAL};
  atesql_actor b = {.latest_snapshot_info = &info};
  expect_actor_json(
      &b, "{\"latestSnapshotInfo\":{\"type\":\"SNAPSHOT_TYPE_LOCAL\"}}");
  info.type = ATESQL_SNAPSHOT_TYPE_EXTERNAL;
  expect_actor_json(
      &b, "{\"latestSnapshotInfo\":{\"type\":\"SNAPSHOT_TYPE_EXTERNAL\"}}");
}

/* ---- Presence of the message fields ------------------------------------ */

static void
test_unset_snapshot_info_is_omitted_and_decodes_as_null(void **state) {
  (void)state;
  atesql_actor a = {.actor_id = "a", .latest_snapshot_info = NULL};
  expect_actor_json(&a, "{\"actorId\":\"a\"}");
  atesql_actor *back = actor_ok("{\"actorId\":\"a\"}");
  assert_null(back->latest_snapshot_info);
  atesql_actor_free(back);
  back = actor_ok("{\"actorId\":\"a\",\"latestSnapshotInfo\":null}");
  assert_null(back->latest_snapshot_info);
  atesql_actor_free(back);
}

static void test_empty_snapshot_info_round_trips_as_empty_object(void **state) {
  (void)state;
  const atesql_snapshot_info empty = {0};
  atesql_actor a = {.latest_snapshot_info = &empty};
  expect_actor_json(&a, "{\"latestSnapshotInfo\":{}}");
  atesql_actor *back = actor_ok("{\"latestSnapshotInfo\":{}}");
  assert_non_null(back->latest_snapshot_info);
  assert_snapshot_info_equal(&empty, back->latest_snapshot_info);
  expect_actor_json(back, "{\"latestSnapshotInfo\":{}}");
  atesql_actor_free(back);
}

static void
test_unset_worker_selector_is_omitted_and_decodes_as_null(void **state) {
  (void)state;
  atesql_actor a = {.actor_id = "a", .worker_selector = NULL};
  expect_actor_json(&a, "{\"actorId\":\"a\"}");
  atesql_actor *back = actor_ok("{\"actorId\":\"a\"}");
  assert_null(back->worker_selector);
  atesql_actor_free(back);
  back = actor_ok("{\"actorId\":\"a\",\"workerSelector\":null}");
  assert_null(back->worker_selector);
  atesql_actor_free(back);
}

static void
test_empty_worker_selector_round_trips_as_empty_object(void **state) {
  (void)state;
  const atesql_worker_selector empty = {NULL, 0};
  atesql_actor a = {.worker_selector = &empty};
  expect_actor_json(&a, "{\"workerSelector\":{}}");
  /* An empty map and a null map are the empty selector too. */
  static const char *const docs[] = {
      "{\"workerSelector\":{}}",
      "{\"workerSelector\":{\"matchLabels\":{}}}",
      "{\"workerSelector\":{\"matchLabels\":null}}",
  };
  for (size_t i = 0; i < COUNT(docs); i++) {
    atesql_actor *back = actor_ok(docs[i]);
    assert_non_null(back->worker_selector);
    assert_int_equal(back->worker_selector->match_label_count, 0);
    expect_actor_json(back, "{\"workerSelector\":{}}");
    atesql_actor_free(back);
  }
}

static void test_presence_of_both_messages_is_independent(void **state) {
  (void)state;
  const atesql_snapshot_info info = {0};
  const atesql_worker_selector sel = {0};
  atesql_actor only_info = {.latest_snapshot_info = &info};
  atesql_actor only_sel = {.worker_selector = &sel};
  expect_actor_json(&only_info, "{\"latestSnapshotInfo\":{}}");
  expect_actor_json(&only_sel, "{\"workerSelector\":{}}");
  atesql_actor *a = actor_ok("{\"workerSelector\":{}}");
  assert_null(a->latest_snapshot_info);
  assert_non_null(a->worker_selector);
  atesql_actor_free(a);
  a = actor_ok("{\"latestSnapshotInfo\":{}}");
  assert_non_null(a->latest_snapshot_info);
  assert_null(a->worker_selector);
  atesql_actor_free(a);
}

/* ---- The `data` oneof of SnapshotInfo ---------------------------------- */

static void test_oneof_external_round_trips(void **state) {
  (void)state;
  const atesql_snapshot_info info = {
      .type = ATESQL_SNAPSHOT_TYPE_EXTERNAL,
      .data = ATESQL_SNAPSHOT_DATA_EXTERNAL,
      .external_snapshot_uri_prefix = "gs://b/" TRICKY,
  };
  const char json[] =
      "{\"latestSnapshotInfo\":{\"type\":\"SNAPSHOT_TYPE_EXTERNAL\","
      "\"external\":{\"snapshotUriPrefix\":\"gs://b/" TRICKY_JSON "\"}}}";
  atesql_actor a = {.latest_snapshot_info = &info};
  expect_actor_json(&a, json);
  atesql_actor *back = actor_ok(json);
  assert_snapshot_info_equal(&info, back->latest_snapshot_info);
  expect_actor_json(back, json);
  atesql_actor_free(back);
}

static void test_oneof_local_round_trips(void **state) {
  (void)state;
  const char json[] =
      "{\"latestSnapshotInfo\":{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"local\":{"
      "\"snapshotPrefix\":\"snap/1\",\"nodeVmsWithLocalSnapshots\":["
      "\"node-02\",\"" TRICKY_JSON "\",\"\"]}}}";
  atesql_actor a = {.latest_snapshot_info = &full_snapshot_info};
  expect_actor_json(&a, json);
  atesql_actor *back = actor_ok(json);
  assert_snapshot_info_equal(&full_snapshot_info, back->latest_snapshot_info);
  expect_actor_json(back, json);
  atesql_actor_free(back);
}

static void test_oneof_empty_external_member_round_trips(void **state) {
  (void)state;
  const atesql_snapshot_info info = {.data = ATESQL_SNAPSHOT_DATA_EXTERNAL};
  const char json[] = "{\"latestSnapshotInfo\":{\"external\":{}}}";
  atesql_actor a = {.latest_snapshot_info = &info};
  expect_actor_json(&a, json);
  atesql_actor *back = actor_ok(json);
  assert_snapshot_info_equal(&info, back->latest_snapshot_info);
  expect_actor_json(back, json);
  atesql_actor_free(back);
  /* A member holding only zero values is set all the same. */
  expect_actor_canonical("{\"latestSnapshotInfo\":{\"external\":{"
                         "\"snapshotUriPrefix\":\"\"}}}",
                         json);
  expect_actor_canonical("{\"latestSnapshotInfo\":{\"external\":{"
                         "\"snapshotUriPrefix\":null}}}",
                         json);
}

static void test_oneof_empty_local_member_round_trips(void **state) {
  (void)state;
  const atesql_snapshot_info info = {.data = ATESQL_SNAPSHOT_DATA_LOCAL};
  const char json[] = "{\"latestSnapshotInfo\":{\"local\":{}}}";
  atesql_actor a = {.latest_snapshot_info = &info};
  expect_actor_json(&a, json);
  atesql_actor *back = actor_ok(json);
  assert_snapshot_info_equal(&info, back->latest_snapshot_info);
  expect_actor_json(back, json);
  atesql_actor_free(back);
  expect_actor_canonical("{\"latestSnapshotInfo\":{\"local\":{"
                         "\"snapshotPrefix\":\"\","
                         "\"nodeVmsWithLocalSnapshots\":[]}}}",
                         json);
}

static void test_oneof_unset_writes_no_member(void **state) {
  (void)state;
  /* Only the set member's fields are read: with no member set, neither is
  ** written, whatever the struct's other fields hold. */
  const char *const vms[] = {"n"};
  const atesql_snapshot_info info = {
      .type = ATESQL_SNAPSHOT_TYPE_LOCAL,
      .data = ATESQL_SNAPSHOT_DATA_NONE,
      .external_snapshot_uri_prefix = "gs://ignored",
      .local_snapshot_prefix = "ignored",
      .local_node_vms = vms,
      .local_node_vm_count = 1,
  };
  atesql_actor a = {.latest_snapshot_info = &info};
  expect_actor_json(
      &a, "{\"latestSnapshotInfo\":{\"type\":\"SNAPSHOT_TYPE_LOCAL\"}}");
  atesql_actor *back =
      actor_ok("{\"latestSnapshotInfo\":{\"type\":\"SNAPSHOT_TYPE_LOCAL\"}}");
  assert_int_equal(back->latest_snapshot_info->data, ATESQL_SNAPSHOT_DATA_NONE);
  assert_int_equal(back->latest_snapshot_info->type,
                   ATESQL_SNAPSHOT_TYPE_LOCAL);
  atesql_actor_free(back);
}

static void test_oneof_only_the_set_member_is_written(void **state) {
  (void)state;
  const char *const vms[] = {"n"};
  atesql_snapshot_info info = {
      .data = ATESQL_SNAPSHOT_DATA_EXTERNAL,
      .external_snapshot_uri_prefix = "gs://x",
      .local_snapshot_prefix = "ignored",
      .local_node_vms = vms,
      .local_node_vm_count = 1,
  };
  atesql_actor a = {.latest_snapshot_info = &info};
  expect_actor_json(&a, "{\"latestSnapshotInfo\":{\"external\":{"
                        "\"snapshotUriPrefix\":\"gs://x\"}}}");
  info.data = ATESQL_SNAPSHOT_DATA_LOCAL;
  info.external_snapshot_uri_prefix = "gs://ignored";
  info.local_snapshot_prefix = "p";
  expect_actor_json(&a, "{\"latestSnapshotInfo\":{\"local\":{"
                        "\"snapshotPrefix\":\"p\","
                        "\"nodeVmsWithLocalSnapshots\":[\"n\"]}}}");
}

static void test_oneof_unset_member_decodes_empty(void **state) {
  (void)state;
  atesql_actor *a = actor_ok("{\"latestSnapshotInfo\":{\"local\":{"
                             "\"snapshotPrefix\":\"p\"}}}");
  assert_string_equal(a->latest_snapshot_info->external_snapshot_uri_prefix,
                      "");
  assert_string_equal(a->latest_snapshot_info->local_snapshot_prefix, "p");
  atesql_actor_free(a);
  a = actor_ok("{\"latestSnapshotInfo\":{\"external\":{"
               "\"snapshotUriPrefix\":\"u\"}}}");
  assert_string_equal(a->latest_snapshot_info->local_snapshot_prefix, "");
  assert_int_equal(a->latest_snapshot_info->local_node_vm_count, 0);
  atesql_actor_free(a);
}

static void test_oneof_type_and_member_may_disagree(void **state) {
  (void)state;
  /* protojson keeps `type` and the oneof apart: an EXTERNAL type holding
  ** `local` (and the reverse) round-trips unchanged. */
  const char *const vms[] = {"n1"};
  const atesql_snapshot_info info = {
      .type = ATESQL_SNAPSHOT_TYPE_EXTERNAL,
      .data = ATESQL_SNAPSHOT_DATA_LOCAL,
      .local_snapshot_prefix = "p",
      .local_node_vms = vms,
      .local_node_vm_count = 1,
  };
  const char json[] =
      "{\"latestSnapshotInfo\":{\"type\":\"SNAPSHOT_TYPE_EXTERNAL\","
      "\"local\":{\"snapshotPrefix\":\"p\","
      "\"nodeVmsWithLocalSnapshots\":[\"n1\"]}}}";
  atesql_actor a = {.latest_snapshot_info = &info};
  expect_actor_json(&a, json);
  atesql_actor *back = actor_ok(json);
  assert_snapshot_info_equal(&info, back->latest_snapshot_info);
  expect_actor_json(back, json);
  atesql_actor_free(back);

  expect_actor_canonical("{\"latestSnapshotInfo\":{\"type\":"
                         "\"SNAPSHOT_TYPE_LOCAL\",\"external\":{}}}",
                         NULL);
  expect_actor_canonical("{\"latestSnapshotInfo\":{\"type\":"
                         "\"SNAPSHOT_TYPE_UNSPECIFIED\",\"local\":{}}}",
                         "{\"latestSnapshotInfo\":{\"local\":{}}}");
}

static void test_oneof_with_both_members_is_rejected(void **state) {
  (void)state;
  expect_actor_error("{\"latestSnapshotInfo\":{\"external\":{},"
                     "\"local\":{}}}",
                     "field 'latestSnapshotInfo.local': oneof 'data' is "
                     "already set");
  expect_actor_error("{\"latestSnapshotInfo\":{\"local\":{\"snapshotPrefix\":"
                     "\"p\"},\"type\":1,\"external\":{"
                     "\"snapshotUriPrefix\":\"u\"}}}",
                     "field 'latestSnapshotInfo.external': oneof 'data' is "
                     "already set");
  /* The nested column decoder refuses it as well. */
  void *root = arena_new(8, 256);
  const atesql_snapshot_info *info = NULL;
  atesql_error err = {0};
  const char text[] = "{\"external\":{},\"local\":{}}";
  assert_int_equal(
      codec_snapshot_info_from_json(text, strlen(text), root, &info, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "oneof 'data' is already set"));
  arena_free(root);
}

static void test_oneof_null_member_is_ignored(void **state) {
  (void)state;
  expect_actor_canonical("{\"latestSnapshotInfo\":{\"external\":null,"
                         "\"local\":{\"snapshotPrefix\":\"p\"}}}",
                         "{\"latestSnapshotInfo\":{\"local\":{"
                         "\"snapshotPrefix\":\"p\"}}}");
  expect_actor_canonical("{\"latestSnapshotInfo\":{\"local\":{},"
                         "\"external\":null}}",
                         "{\"latestSnapshotInfo\":{\"local\":{}}}");
  expect_actor_canonical("{\"latestSnapshotInfo\":{\"external\":{},"
                         "\"local\":null}}",
                         "{\"latestSnapshotInfo\":{\"external\":{}}}");
  atesql_actor *a = actor_ok("{\"latestSnapshotInfo\":{\"external\":null,"
                             "\"local\":null}}");
  assert_int_equal(a->latest_snapshot_info->data, ATESQL_SNAPSHOT_DATA_NONE);
  expect_actor_json(a, "{\"latestSnapshotInfo\":{}}");
  atesql_actor_free(a);
}

/* ---- Encoding errors ---------------------------------------------------- */

/* Changed: an enum value without a name used to be an encoding error; it
** is now written as a number (test_unnamed_*_round_trip_as_numbers). */
static void test_encode_errors(void **state) {
  (void)state;
  char *out = (char *)1;
  atesql_worker w = {.node_name = "bad \xff utf-8"};
  assert_int_equal(atesql_worker_to_json(&w, &out, NULL),
                   ATESQL_INVALID_ARGUMENT);
  assert_null(out);
  const atesql_label bad_key = {"\xc0\x80", "v"};
  const atesql_worker_selector sel = {&bad_key, 1};
  atesql_actor c = {.worker_selector = &sel};
  assert_int_equal(atesql_actor_to_json(&c, &out, NULL),
                   ATESQL_INVALID_ARGUMENT);
  const atesql_label bad_value = {"k", "\xe2\x82"};
  const atesql_worker_selector sel2 = {&bad_value, 1};
  atesql_actor d = {.worker_selector = &sel2};
  assert_int_equal(atesql_actor_to_json(&d, &out, NULL),
                   ATESQL_INVALID_ARGUMENT);
  const char *const bad_vm[] = {"\xed\xa0\x80"};
  const atesql_snapshot_info info = {.data = ATESQL_SNAPSHOT_DATA_LOCAL,
                                     .local_node_vms = bad_vm,
                                     .local_node_vm_count = 1};
  atesql_actor e = {.latest_snapshot_info = &info};
  assert_int_equal(atesql_actor_to_json(&e, &out, NULL),
                   ATESQL_INVALID_ARGUMENT);
  assert_int_equal(atesql_worker_to_json(NULL, &out, NULL),
                   ATESQL_INVALID_ARGUMENT);
  assert_int_equal(atesql_worker_to_json(&w, NULL, NULL),
                   ATESQL_INVALID_ARGUMENT);
}

/* A refused encoding: INVALID_ARGUMENT, *out NULL, and err naming what
** was wrong (a message holding needle). */
static void expect_encode_error(atesql_status st, const char *out,
                                const atesql_error *err, const char *needle) {
  assert_int_equal(st, ATESQL_INVALID_ARGUMENT);
  assert_null(out);
  assert_int_equal(err->status, ATESQL_INVALID_ARGUMENT);
  if (strstr(err->message, needle) == NULL)
    fail_msg("message '%s' lacks '%s'", err->message, needle);
}

static void test_encode_errors_name_the_field(void **state) {
  (void)state;
  char *out;
  atesql_error err = {0};
  atesql_status st;
  atesql_worker w = {.worker_pod = "p", .node_name = "bad \xff utf-8"};
  out = (char *)1;
  st = atesql_worker_to_json(&w, &out, &err);
  expect_encode_error(
      st, out, &err,
      "field 'nodeName': the string is not valid UTF-8 (byte 5)");
  const atesql_label bad_value = {"zone", "a\xe2\x82"};
  atesql_worker labelled = {.labels = &bad_value, .label_count = 1};
  out = (char *)1;
  st = atesql_worker_to_json(&labelled, &out, &err);
  expect_encode_error(
      st, out, &err,
      "field 'labels.zone': the string is not valid UTF-8 (byte 2)");
  const atesql_label bad_key = {"k\xc0\x80", "v"};
  const atesql_worker_selector sel = {&bad_key, 1};
  atesql_actor c = {.actor_id = "a", .worker_selector = &sel};
  out = (char *)1;
  st = atesql_actor_to_json(&c, &out, &err);
  expect_encode_error(st, out, &err,
                      "field 'workerSelector.matchLabels': the key 'k\\xc0"
                      "\\x80' is not valid UTF-8 (byte 2)");
  const char *const vms[] = {"node-1", "\xed\xa0\x80"};
  const atesql_snapshot_info local = {.data = ATESQL_SNAPSHOT_DATA_LOCAL,
                                      .local_node_vms = vms,
                                      .local_node_vm_count = 2};
  atesql_actor d = {.latest_snapshot_info = &local};
  out = (char *)1;
  st = atesql_actor_to_json(&d, &out, &err);
  expect_encode_error(st, out, &err,
                      "field 'latestSnapshotInfo.local."
                      "nodeVmsWithLocalSnapshots[1]': the string is not valid "
                      "UTF-8 (byte 1)");
  const atesql_snapshot_info no_member = {.data = (atesql_snapshot_data)7};
  atesql_actor e = {.latest_snapshot_info = &no_member};
  out = (char *)1;
  st = atesql_actor_to_json(&e, &out, &err);
  expect_encode_error(st, out, &err,
                      "field 'latestSnapshotInfo': oneof 'data' is 7, which "
                      "names none of its members");
  atesql_atespace space = {.name = "\xff"};
  out = (char *)1;
  st = atesql_atespace_to_json(&space, &out, &err);
  expect_encode_error(st, out, &err,
                      "field 'name': the string is not valid UTF-8 (byte 1)");
  out = (char *)1;
  st = atesql_actor_to_json(NULL, &out, &err);
  expect_encode_error(st, out, &err, "the record is NULL");
  assert_int_equal(atesql_atespace_to_json(&space, NULL, &err),
                   ATESQL_INVALID_ARGUMENT);
  assert_string_equal(err.message, "out is NULL");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_worker_is_written_in_declaration_order),
      cmocka_unit_test(test_worker_round_trips),
      cmocka_unit_test(
          test_actor_is_written_in_declaration_order_with_sorted_labels),
      cmocka_unit_test(test_actor_round_trips),
      cmocka_unit_test(test_atespace_round_trips),
      cmocka_unit_test(test_zero_actor_is_written_as_empty_object),
      cmocka_unit_test(test_encoder_omits_zero_values),
      cmocka_unit_test(test_encoder_writes_fields_in_declaration_order),
      cmocka_unit_test(test_int64_is_written_as_a_json_string),
      cmocka_unit_test(test_named_enum_values_are_written_by_name),
      cmocka_unit_test(test_unset_snapshot_info_is_omitted_and_decodes_as_null),
      cmocka_unit_test(test_empty_snapshot_info_round_trips_as_empty_object),
      cmocka_unit_test(
          test_unset_worker_selector_is_omitted_and_decodes_as_null),
      cmocka_unit_test(test_empty_worker_selector_round_trips_as_empty_object),
      cmocka_unit_test(test_presence_of_both_messages_is_independent),
      cmocka_unit_test(test_oneof_external_round_trips),
      cmocka_unit_test(test_oneof_local_round_trips),
      cmocka_unit_test(test_oneof_empty_external_member_round_trips),
      cmocka_unit_test(test_oneof_empty_local_member_round_trips),
      cmocka_unit_test(test_oneof_unset_writes_no_member),
      cmocka_unit_test(test_oneof_only_the_set_member_is_written),
      cmocka_unit_test(test_oneof_unset_member_decodes_empty),
      cmocka_unit_test(test_oneof_type_and_member_may_disagree),
      cmocka_unit_test(test_oneof_with_both_members_is_rejected),
      cmocka_unit_test(test_oneof_null_member_is_ignored),
      cmocka_unit_test(test_encode_errors),
      cmocka_unit_test(test_encode_errors_name_the_field),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
