/*
** The protojson codec against Go protojson's default Marshal and Unmarshal:
** the exact documents it writes (declaration order, zero values and unset
** messages left out, int64 as strings, enums by name or number), presence
** of the two message fields of Actor, the `data` oneof of SnapshotInfo,
** round trips of every field (unicode, quotes, backslashes, control bytes),
** what it accepts on input (snake_case names, integers in every spelling
** protojson reads, null, enum numbers), every error with the field it
** names, the nested-column codecs the store uses, and the one-allocation
** bound of decoded records.
*/
#include "suite.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/actor.h"
#include "atesql/atespace.h"
#include "atesql/json.h"
#include "atesql/worker.h"
#include "codec/json.h"
#include "column_readers.h"
#include "util/arena.h"

/* Strings that must survive a round trip byte for byte. */
#define TRICKY "q\"uo\\te \xc3\xb1 \xe2\x9c\x93 \xf0\x9f\x98\x80 \n\t\x01/"
#define TRICKY_JSON                                                            \
  "q\\\"uo\\\\te \xc3\xb1 \xe2\x9c\x93 \xf0\x9f\x98\x80 \\n\\t\\u0001/"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

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

/* Worker's fields in the declaration order of ateapi.proto: ip (7) and
** version (8) before workerPodUid, actorAtespace (11) last. */
static const char full_worker_json[] =
    "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
    "\"workerPod\":\"cpu-0001\",\"actorNamespace\":\"an\","
    "\"actorTemplate\":\"at\",\"actorId\":\"" TRICKY_JSON "\","
    "\"ip\":\"10.0.0.1\",\"version\":\"3\",\"workerPodUid\":\"uid-1\","
    "\"nodeName\":\"node-01\",\"actorAtespace\":\"team\"}";

static const char *const node_vms[] = {"node-02", TRICKY, ""};
static const atesql_label labels[] = {{"zone", "a"}, {"gpu", TRICKY}};

static const atesql_snapshot_info full_snapshot_info = {
    .type = ATESQL_SNAPSHOT_TYPE_LOCAL,
    .data = ATESQL_SNAPSHOT_DATA_LOCAL,
    .local_snapshot_prefix = "snap/1",
    .local_node_vms = node_vms,
    .local_node_vm_count = 3,
};

static const atesql_worker_selector full_selector = {labels, 2};

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
      .latest_snapshot_info = &full_snapshot_info,
      .worker_selector = &full_selector,
  };
  return a;
}

/* Actor's fields in the declaration order of ateapi.proto:
** inProgressSnapshot (10) before ateomPodUid (11), the two messages (12,
** 13) before workerPoolName, atespace (15) last. */
static const char full_actor_json[] =
    "{\"actorId\":\"actor-1\",\"version\":\"7\","
    "\"actorTemplateNamespace\":\"tns\",\"actorTemplateName\":\"tname\","
    "\"status\":\"STATUS_PAUSED\",\"ateomPodNamespace\":\"pns\","
    "\"ateomPodName\":\"pod\",\"ateomPodIp\":\"10.1.0.1\","
    "\"inProgressSnapshot\":\"" TRICKY_JSON "\",\"ateomPodUid\":\"puid\","
    "\"latestSnapshotInfo\":{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"local\":{"
    "\"snapshotPrefix\":\"snap/1\",\"nodeVmsWithLocalSnapshots\":["
    "\"node-02\",\"" TRICKY_JSON "\",\"\"]}},\"workerSelector\":{"
    "\"matchLabels\":{\"gpu\":\"" TRICKY_JSON "\",\"zone\":\"a\"}},"
    "\"workerPoolName\":\"gpu\",\"atespace\":\"team\"}";

static const char *or_empty(const char *s) { return s ? s : ""; }

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

/* b is the decoding of a: the same presence, type and oneof case, the set
** member's fields equal, the other member's fields "" and empty. */
static void assert_snapshot_info_equal(const atesql_snapshot_info *a,
                                       const atesql_snapshot_info *b) {
  if (a == NULL) {
    assert_null(b);
    return;
  }
  assert_non_null(b);
  assert_int_equal(a->type, b->type);
  assert_int_equal(a->data, b->data);
  assert_non_null(b->external_snapshot_uri_prefix);
  assert_non_null(b->local_snapshot_prefix);
  if (a->data == ATESQL_SNAPSHOT_DATA_EXTERNAL)
    assert_string_equal(or_empty(a->external_snapshot_uri_prefix),
                        b->external_snapshot_uri_prefix);
  else
    assert_string_equal(b->external_snapshot_uri_prefix, "");
  if (a->data == ATESQL_SNAPSHOT_DATA_LOCAL) {
    assert_string_equal(or_empty(a->local_snapshot_prefix),
                        b->local_snapshot_prefix);
    assert_int_equal(a->local_node_vm_count, b->local_node_vm_count);
    for (size_t i = 0; i < a->local_node_vm_count; i++)
      assert_string_equal(or_empty(a->local_node_vms[i]), b->local_node_vms[i]);
  } else {
    assert_string_equal(b->local_snapshot_prefix, "");
    assert_int_equal(b->local_node_vm_count, 0);
  }
}

/* Labels compared as sets: b must be a's labels in key order. */
static void assert_selector_equal(const atesql_worker_selector *a,
                                  const atesql_worker_selector *b) {
  if (a == NULL) {
    assert_null(b);
    return;
  }
  assert_non_null(b);
  assert_int_equal(a->match_label_count, b->match_label_count);
  for (size_t i = 0; i < b->match_label_count; i++) {
    const atesql_label *l = &b->match_labels[i];
    if (i > 0) assert_true(strcmp(b->match_labels[i - 1].key, l->key) < 0);
    bool found = false;
    for (size_t k = 0; k < a->match_label_count; k++)
      if (strcmp(a->match_labels[k].key, l->key) == 0) {
        assert_string_equal(a->match_labels[k].value, l->value);
        found = true;
      }
    assert_true(found);
  }
}

static void assert_actor_equal(const atesql_actor *a, const atesql_actor *b) {
  assert_string_equal(or_empty(a->atespace), b->atespace);
  assert_string_equal(or_empty(a->actor_id), b->actor_id);
  assert_int_equal(a->version, b->version);
  assert_string_equal(or_empty(a->actor_template_namespace),
                      b->actor_template_namespace);
  assert_string_equal(or_empty(a->actor_template_name), b->actor_template_name);
  assert_int_equal(a->status, b->status);
  assert_string_equal(or_empty(a->ateom_pod_namespace), b->ateom_pod_namespace);
  assert_string_equal(or_empty(a->ateom_pod_name), b->ateom_pod_name);
  assert_string_equal(or_empty(a->ateom_pod_ip), b->ateom_pod_ip);
  assert_string_equal(or_empty(a->ateom_pod_uid), b->ateom_pod_uid);
  assert_string_equal(or_empty(a->in_progress_snapshot),
                      b->in_progress_snapshot);
  assert_string_equal(or_empty(a->worker_pool_name), b->worker_pool_name);
  assert_snapshot_info_equal(a->latest_snapshot_info, b->latest_snapshot_info);
  assert_selector_equal(a->worker_selector, b->worker_selector);
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

/* The JSON of an actor; the encoding must succeed. */
static void expect_actor_json(const atesql_actor *a, const char *want) {
  char *out = NULL;
  assert_int_equal(atesql_actor_to_json(a, &out), ATESQL_OK);
  assert_non_null(out);
  if (strcmp(out, want) != 0)
    fail_msg("encoded as\n  %s\nwant\n  %s", out, want);
  atesql_free(out);
}

static void expect_worker_json(const atesql_worker *w, const char *want) {
  char *out = NULL;
  assert_int_equal(atesql_worker_to_json(w, &out), ATESQL_OK);
  assert_non_null(out);
  if (strcmp(out, want) != 0)
    fail_msg("encoded as\n  %s\nwant\n  %s", out, want);
  atesql_free(out);
}

/* Decoding text and encoding the record gives want (text itself when want
** is NULL): the decoder and the encoder agree with protojson's reading. */
static void expect_actor_canonical(const char *text, const char *want) {
  atesql_actor *a = actor_ok(text);
  expect_actor_json(a, want ? want : text);
  atesql_actor_free(a);
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

static void expect_worker_error(const char *text, const char *needle) {
  atesql_worker *w = (atesql_worker *)1;
  atesql_error err = {0};
  atesql_status st = atesql_worker_from_json(text, strlen(text), &w, &err);
  if (st != ATESQL_INVALID_ARGUMENT)
    fail_msg("%s: status %s, want INVALID_ARGUMENT (%s)", text,
             atesql_status_str(st), err.message);
  assert_null(w);
  if (strstr(err.message, needle) == NULL)
    fail_msg("%s: message '%s' lacks '%s'", text, err.message, needle);
}

/* The version an actor document decodes to. */
static int64_t decoded_version(const char *text) {
  atesql_actor *a = actor_ok(text);
  int64_t v = a->version;
  atesql_actor_free(a);
  return v;
}

static int decoded_status(const char *text) {
  atesql_actor *a = actor_ok(text);
  int v = (int)a->status;
  atesql_actor_free(a);
  return v;
}

/* A nested column decoded into a fresh arena, freed by the caller. */
static const atesql_snapshot_info *snapshot_info_ok(const char *text,
                                                    void **root) {
  size_t len = strlen(text);
  *root = arena_new(8, codec_nested_reserve(len));
  assert_non_null(*root);
  const atesql_snapshot_info *info = (const atesql_snapshot_info *)1;
  atesql_error err = {0};
  atesql_status st =
      codec_snapshot_info_from_json(text, len, *root, &info, &err);
  if (st != ATESQL_OK) fail_msg("decode of %s failed: %s", text, err.message);
  return info;
}

static const atesql_worker_selector *selector_ok(const char *text,
                                                 void **root) {
  size_t len = strlen(text);
  *root = arena_new(8, codec_nested_reserve(len));
  assert_non_null(*root);
  const atesql_worker_selector *sel = (const atesql_worker_selector *)1;
  atesql_error err = {0};
  atesql_status st =
      codec_worker_selector_from_json(text, len, *root, &sel, &err);
  if (st != ATESQL_OK) fail_msg("decode of %s failed: %s", text, err.message);
  return sel;
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
  assert_int_equal(atesql_atespace_to_json(&in, &out), ATESQL_OK);
  assert_string_equal(out, "{\"name\":\"" TRICKY_JSON "\"}");
  atesql_atespace *back = NULL;
  assert_int_equal(atesql_atespace_from_json(out, strlen(out), &back, NULL),
                   ATESQL_OK);
  assert_string_equal(back->name, TRICKY);
  atesql_atespace_free(back);
  atesql_free(out);

  atesql_atespace empty = {""};
  assert_int_equal(atesql_atespace_to_json(&empty, &out), ATESQL_OK);
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

/* ---- Enums -------------------------------------------------------------- */

static void test_unnamed_status_values_round_trip_as_numbers(void **state) {
  (void)state;
  static const int values[] = {7, 99, -1, INT32_MIN, INT32_MAX};
  for (size_t i = 0; i < COUNT(values); i++) {
    atesql_actor a = {.status = (atesql_actor_status)values[i]};
    char want[64];
    snprintf(want, sizeof want, "{\"status\":%d}", values[i]);
    expect_actor_json(&a, want);
    atesql_actor *back = actor_ok(want);
    assert_int_equal((int)back->status, values[i]);
    expect_actor_json(back, want);
    atesql_actor_free(back);
  }
}

static void
test_unnamed_snapshot_type_values_round_trip_as_numbers(void **state) {
  (void)state;
  static const int values[] = {3, -1, INT32_MIN, INT32_MAX};
  for (size_t i = 0; i < COUNT(values); i++) {
    atesql_snapshot_info info = {.type = (atesql_snapshot_type)values[i],
                                 .data = ATESQL_SNAPSHOT_DATA_EXTERNAL};
    atesql_actor a = {.latest_snapshot_info = &info};
    char want[96];
    snprintf(want, sizeof want,
             "{\"latestSnapshotInfo\":{\"type\":%d,\"external\":{}}}",
             values[i]);
    expect_actor_json(&a, want);
    atesql_actor *back = actor_ok(want);
    assert_int_equal((int)back->latest_snapshot_info->type, values[i]);
    expect_actor_json(back, want);
    atesql_actor_free(back);
  }
}

static void test_enum_by_number(void **state) {
  (void)state;
  atesql_actor *a =
      actor_ok("{\"status\":2,\"latestSnapshotInfo\":{\"type\":2}}");
  assert_int_equal(a->status, ATESQL_ACTOR_STATUS_RUNNING);
  assert_int_equal(a->latest_snapshot_info->type,
                   ATESQL_SNAPSHOT_TYPE_EXTERNAL);
  /* A named value given by number is written by name. */
  expect_actor_json(a, "{\"status\":\"STATUS_RUNNING\",\"latestSnapshotInfo\":"
                       "{\"type\":\"SNAPSHOT_TYPE_EXTERNAL\"}}");
  atesql_actor_free(a);
}

static void test_enum_numbers_with_integral_value_are_accepted(void **state) {
  (void)state;
  static const struct {
    const char *json;
    int status;
  } cases[] = {
      {"{\"status\":2.0}", 2},
      {"{\"status\":1e0}", 1},
      {"{\"status\":1E0}", 1},
      {"{\"status\":20e-1}", 2},
      {"{\"status\":0.6e1}", 6},
      {"{\"status\":-0}", 0},
      {"{\"status\":-0.0}", 0},
      {"{\"status\":-1.0}", -1},
      {"{\"status\":99.0}", 99},
      {"{\"status\":2147483647}", INT32_MAX},
      {"{\"status\":-2147483648}", INT32_MIN},
      {"{\"status\":2147483647.0}", INT32_MAX},
      {"{\"status\":-2.147483648e9}", INT32_MIN},
  };
  for (size_t i = 0; i < COUNT(cases); i++)
    assert_int_equal(decoded_status(cases[i].json), cases[i].status);
  atesql_actor *a = actor_ok("{\"latestSnapshotInfo\":{\"type\":2e0}}");
  assert_int_equal(a->latest_snapshot_info->type,
                   ATESQL_SNAPSHOT_TYPE_EXTERNAL);
  atesql_actor_free(a);
}

static void test_enum_numbers_not_integral_are_rejected(void **state) {
  (void)state;
  expect_actor_error("{\"status\":1.5}", "field 'status'");
  expect_actor_error("{\"status\":25e-1}", "field 'status'");
  expect_actor_error("{\"status\":-0.5}", "field 'status'");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":1.5}}",
                     "field 'latestSnapshotInfo.type'");
}

static void test_enum_numbers_outside_int32_are_rejected(void **state) {
  (void)state;
  expect_actor_error("{\"status\":2147483648}",
                     "field 'status': the number is out of range");
  expect_actor_error("{\"status\":-2147483649}",
                     "field 'status': the number is out of range");
  expect_actor_error("{\"status\":1e10}", "field 'status'");
  expect_actor_error("{\"status\":2147483648.0}", "field 'status'");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":4294967297}}",
                     "field 'latestSnapshotInfo.type'");
}

/* Changed: 7 and -1 used to be unknown values; proto3 enums are open, so
** they now decode (test_unnamed_status_values_round_trip_as_numbers). A
** string is still only a name, and the list of names says a number may be
** given. */
static void test_unknown_enum_name_lists_valid_ones(void **state) {
  (void)state;
  expect_actor_error("{\"status\":\"RUNNING\"}",
                     "field 'status': unknown value 'RUNNING'; valid values: "
                     "STATUS_UNSPECIFIED, STATUS_RESUMING, STATUS_RUNNING, "
                     "STATUS_SUSPENDING, STATUS_SUSPENDED, STATUS_PAUSING, "
                     "STATUS_PAUSED, or a number");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":\"LOCAL\"}}",
                     "field 'latestSnapshotInfo.type': unknown value 'LOCAL'; "
                     "valid values: SNAPSHOT_TYPE_UNSPECIFIED, "
                     "SNAPSHOT_TYPE_LOCAL, SNAPSHOT_TYPE_EXTERNAL, or a "
                     "number");
}

static void test_enum_string_that_is_not_a_name_is_rejected(void **state) {
  (void)state;
  /* Numbers are JSON numbers only; names are case-sensitive; the old
  ** TYPE_* names are gone. */
  expect_actor_error("{\"status\":\"2\"}", "field 'status': unknown value '2'");
  expect_actor_error("{\"status\":\"2.0\"}", "field 'status': unknown value");
  expect_actor_error("{\"status\":\"\"}", "field 'status': unknown value ''");
  expect_actor_error("{\"status\":\"status_running\"}",
                     "field 'status': unknown value 'status_running'");
  expect_actor_error("{\"status\":\"STATUS_RUNNING \"}",
                     "field 'status': unknown value");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":\"TYPE_LOCAL\"}}",
                     "field 'latestSnapshotInfo.type': unknown value "
                     "'TYPE_LOCAL'");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":\"1\"}}",
                     "field 'latestSnapshotInfo.type': unknown value '1'");
}

/* ---- int64 -------------------------------------------------------------- */

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
      {"{\"version\":\"-9223372036854775808\"}", INT64_MIN},
      {"{\"version\":9223372036854775807}", INT64_MAX},
      {"{\"version\":-9223372036854775808}", INT64_MIN},
      {"{\"version\":null}", 0},
  };
  for (size_t i = 0; i < COUNT(cases); i++) {
    atesql_worker *w = worker_ok(cases[i].json);
    assert_int_equal(w->version, cases[i].version);
    atesql_worker_free(w);
  }
}

static void test_int64_strings_with_integral_value_are_accepted(void **state) {
  (void)state;
  static const struct {
    const char *text;
    int64_t version;
  } cases[] = {
      {"7", 7},
      {"-0", 0},
      {"0", 0},
      {"1e3", 1000},
      {"1E3", 1000},
      {"1e+3", 1000},
      {"4.0", 4},
      {"1.50e1", 15},
      {"1e-0", 1},
      {"10e-1", 1},
      {"0.0e-5", 0},
      {"-2.5e1", -25},
      {"922337203685477580.7e1", INT64_MAX},
      {"-922337203685477580.8e1", INT64_MIN},
      {"100000000000000000000e-2", 1000000000000000000},
  };
  for (size_t i = 0; i < COUNT(cases); i++) {
    char json[96];
    snprintf(json, sizeof json, "{\"version\":\"%s\"}", cases[i].text);
    int64_t got = decoded_version(json);
    if (got != cases[i].version)
      fail_msg("%s decoded as %lld", json, (long long)got);
  }
}

static void test_int64_strings_not_integers_are_rejected(void **state) {
  (void)state;
  static const char *const texts[] = {"007",
                                      " 7",
                                      "7 ",
                                      "+7",
                                      "1.5",
                                      "0x10",
                                      "",
                                      "1e20",
                                      "1e-1",
                                      "-",
                                      "--1",
                                      "00",
                                      ".5",
                                      "5.",
                                      "1e",
                                      "1e+",
                                      "abc",
                                      "3x",
                                      "Infinity",
                                      "NaN",
                                      "-9223372036854775809",
                                      "9223372036854775808",
                                      "18446744073709551616",
                                      "\t7",
                                      "7\n"};
  for (size_t i = 0; i < COUNT(texts); i++) {
    /* The texts need no JSON escaping but for a tab or a newline. */
    char json[96];
    size_t n = (size_t)snprintf(json, sizeof json, "{\"version\":\"");
    for (const char *c = texts[i]; *c; c++) {
      if (*c == '\t' || *c == '\n') {
        json[n++] = '\\';
        json[n++] = *c == '\t' ? 't' : 'n';
      } else {
        json[n++] = *c;
      }
    }
    snprintf(json + n, sizeof json - n, "\"}");
    expect_actor_error(json, "field 'version': ");
  }
}

static void test_bad_version_text_is_an_error(void **state) {
  (void)state;
  expect_actor_error("{\"version\":\"abc\"}",
                     "field 'version': 'abc' is not a 64-bit integer");
  expect_actor_error("{\"version\":\"\"}", "'' is not a 64-bit integer");
  expect_actor_error("{\"version\":\" 3\"}", "' 3' is not a 64-bit integer");
  expect_actor_error("{\"version\":\"3x\"}", "'3x' is not a 64-bit integer");
  expect_actor_error("{\"version\":\"+3\"}", "'+3' is not a 64-bit integer");
  /* Changed: a number out of range, or with a fraction, now says so. */
  expect_actor_error("{\"version\":\"9223372036854775808\"}",
                     "field 'version': the number is out of range for a "
                     "64-bit integer");
  expect_actor_error("{\"version\":\"1.5\"}",
                     "field 'version': the number has a fraction; expected a "
                     "64-bit integer");
}

static void test_int64_integral_reals_are_accepted(void **state) {
  (void)state;
  static const struct {
    const char *json;
    int64_t version;
  } cases[] = {
      {"{\"version\":2.0}", 2},
      {"{\"version\":1e3}", 1000},
      {"{\"version\":1E3}", 1000},
      {"{\"version\":1.5e1}", 15},
      {"{\"version\":-0.0}", 0},
      {"{\"version\":-7.0}", -7},
      {"{\"version\":9007199254740992.0}", 9007199254740992},
      {"{\"version\":-9007199254740992.0}", -9007199254740992},
      {"{\"version\":9.007199254740991e15}", 9007199254740991},
  };
  for (size_t i = 0; i < COUNT(cases); i++)
    assert_int_equal(decoded_version(cases[i].json), cases[i].version);
}

/* A JSON number is read by its text, as protojson reads it, not through
** a double: exact beyond 2^53 and at the bounds of int64. */
static void test_int64_numbers_are_read_exactly(void **state) {
  (void)state;
  static const struct {
    const char *json;
    int64_t version;
  } cases[] = {
      {"{\"version\":9007199254740993.0}", 9007199254740993},
      {"{\"version\":9007199254740993}", 9007199254740993},
      {"{\"version\":123456789012345678.9e1}", 1234567890123456789},
      {"{\"version\":9.223372036854775807e18}", INT64_MAX},
      {"{\"version\":-9.223372036854775808e18}", INT64_MIN},
      {"{\"version\":100000000000000000000e-2}", 1000000000000000000},
      {"{\"version\":1e18}", 1000000000000000000},
  };
  for (size_t i = 0; i < COUNT(cases); i++) {
    int64_t got = decoded_version(cases[i].json);
    if (got != cases[i].version)
      fail_msg("%s decoded as %lld", cases[i].json, (long long)got);
  }
  /* The same holds for a worker and for an enum. */
  atesql_worker *w = worker_ok("{\"version\":9007199254740995.00}");
  assert_int_equal(w->version, 9007199254740995);
  atesql_worker_free(w);
  assert_int_equal(decoded_status("{\"status\":2.147483647e9}"), INT32_MAX);
}

static void test_int64_non_integral_reals_are_rejected(void **state) {
  (void)state;
  expect_actor_error("{\"version\":1.5}",
                     "field 'version': the number has a fraction");
  expect_actor_error("{\"version\":1e-1}", "field 'version'");
  expect_actor_error("{\"version\":-2.25}", "field 'version'");
}

/* A number with a fraction is integral only by its text: one whose
** fraction lies below a double's precision, or that would underflow to 0,
** is not an integer to protojson, though the double it parses to is. */
static void test_int64_reals_rounding_to_an_integer_are_rejected(void **state) {
  (void)state;
  expect_actor_error("{\"version\":1.0000000000000001}", "field 'version'");
  expect_actor_error("{\"version\":1.0000000000000000000001}",
                     "field 'version'");
  expect_actor_error("{\"version\":4503599627370496.5}", "field 'version'");
  expect_actor_error("{\"version\":9007199254740991.5}", "field 'version'");
  expect_actor_error("{\"version\":1e-400}", "field 'version'");
  expect_actor_error("{\"status\":2.0000000000000001}", "field 'status'");
  expect_actor_error("{\"status\":-1e-400}", "field 'status'");
}

/* Changed: an integer beyond 64 bits used to fail as "invalid JSON"
** without naming its field. */
static void test_too_big_integer_names_its_field(void **state) {
  (void)state;
  expect_actor_error("{\"actorId\":\"a\",\"version\":9223372036854775808}",
                     "field 'version'");
  expect_actor_error("{\"version\":-9223372036854775809}", "field 'version'");
  expect_actor_error("{\"version\":99999999999999999999}", "field 'version'");
  expect_actor_error("{\"version\":123456789012345678901234567890}",
                     "field 'version'");
  expect_actor_error("{\"version\":1e19}",
                     "field 'version': the number is out of range");
  expect_actor_error("{\"version\":-1e400}", "field 'version'");
  expect_actor_error("{\"status\":99999999999999999999}", "field 'status'");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":"
                     "-99999999999999999999}}",
                     "field 'latestSnapshotInfo.type'");
  expect_actor_error("{\"workerSelector\":{\"matchLabels\":{\"k\":"
                     "99999999999999999999}}}",
                     "field 'workerSelector.matchLabels.k'");
  expect_worker_error("{\"version\":9223372036854775808}", "field 'version'");
  /* Still one error when every field is fine but that one. */
  expect_actor_error("{\"version\":99999999999999999999,\"status\":2}",
                     "field 'version'");
}

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

/* Changed: an enum value without a name used to be an encoding error; it
** is now written as a number (test_unnamed_*_round_trip_as_numbers). */
static void test_encode_errors(void **state) {
  (void)state;
  char *out = (char *)1;
  atesql_worker w = {.node_name = "bad \xff utf-8"};
  assert_int_equal(atesql_worker_to_json(&w, &out), ATESQL_INVALID_ARGUMENT);
  assert_null(out);
  const atesql_label bad_key = {"\xc0\x80", "v"};
  const atesql_worker_selector sel = {&bad_key, 1};
  atesql_actor c = {.worker_selector = &sel};
  assert_int_equal(atesql_actor_to_json(&c, &out), ATESQL_INVALID_ARGUMENT);
  const atesql_label bad_value = {"k", "\xe2\x82"};
  const atesql_worker_selector sel2 = {&bad_value, 1};
  atesql_actor d = {.worker_selector = &sel2};
  assert_int_equal(atesql_actor_to_json(&d, &out), ATESQL_INVALID_ARGUMENT);
  const char *const bad_vm[] = {"\xed\xa0\x80"};
  const atesql_snapshot_info info = {.data = ATESQL_SNAPSHOT_DATA_LOCAL,
                                     .local_node_vms = bad_vm,
                                     .local_node_vm_count = 1};
  atesql_actor e = {.latest_snapshot_info = &info};
  assert_int_equal(atesql_actor_to_json(&e, &out), ATESQL_INVALID_ARGUMENT);
  assert_int_equal(atesql_worker_to_json(NULL, &out), ATESQL_INVALID_ARGUMENT);
  assert_int_equal(atesql_worker_to_json(&w, NULL), ATESQL_INVALID_ARGUMENT);
}

/* ---- The nested columns ------------------------------------------------- */

static void test_encoder_writes_last_of_duplicate_label_keys(void **state) {
  (void)state;
  const atesql_label dup[] = {{"b", "1"}, {"a", "x"}, {"b", "2"}, {NULL, "n"}};
  const atesql_worker_selector sel = {dup, 4};
  char *out = codec_worker_selector_to_json(&sel);
  assert_non_null(out);
  assert_string_equal(out,
                      "{\"matchLabels\":{\"\":\"n\",\"a\":\"x\",\"b\":\"2\"}}");
  free(out);
}

static void test_nested_snapshot_info_round_trips(void **state) {
  (void)state;
  char *text = codec_snapshot_info_to_json(&full_snapshot_info);
  assert_non_null(text);
  assert_string_equal(
      text,
      "{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"local\":{\"snapshotPrefix\":"
      "\"snap/1\",\"nodeVmsWithLocalSnapshots\":[\"node-02\",\"" TRICKY_JSON
      "\",\"\"]}}");
  void *root;
  const atesql_snapshot_info *back = snapshot_info_ok(text, &root);
  assert_snapshot_info_equal(&full_snapshot_info, back);
  arena_free(root);
  free(text);

  /* Changed: a type without a name used to fail to encode. */
  const atesql_snapshot_info unnamed = {.type = (atesql_snapshot_type)9};
  text = codec_snapshot_info_to_json(&unnamed);
  assert_non_null(text);
  assert_string_equal(text, "{\"type\":9}");
  free(text);

  const atesql_snapshot_info bad = {.data = ATESQL_SNAPSHOT_DATA_EXTERNAL,
                                    .external_snapshot_uri_prefix = "\xff"};
  assert_null(codec_snapshot_info_to_json(&bad));
}

static void test_nested_worker_selector_round_trips(void **state) {
  (void)state;
  char *text = codec_worker_selector_to_json(&full_selector);
  assert_non_null(text);
  assert_string_equal(text, "{\"matchLabels\":{\"gpu\":\"" TRICKY_JSON
                            "\",\"zone\":\"a\"}}");
  void *root;
  const atesql_worker_selector *back = selector_ok(text, &root);
  assert_selector_equal(&full_selector, back);
  arena_free(root);
  free(text);
}

/* Changed: a selector without labels used to be written
** {"matchLabels":{}}; NULL is now the unset selector, written null, and an
** empty one is {}. */
static void test_nested_columns_write_null_for_unset(void **state) {
  (void)state;
  char *text = codec_snapshot_info_to_json(NULL);
  assert_string_equal(text, "null");
  free(text);
  text = codec_worker_selector_to_json(NULL);
  assert_string_equal(text, "null");
  free(text);

  const atesql_snapshot_info empty_info = {0};
  text = codec_snapshot_info_to_json(&empty_info);
  assert_string_equal(text, "{}");
  free(text);
  const atesql_worker_selector empty_sel = {NULL, 0};
  text = codec_worker_selector_to_json(&empty_sel);
  assert_string_equal(text, "{}");
  free(text);
}

static void test_nested_columns_read_null_as_unset(void **state) {
  (void)state;
  void *root;
  assert_null(snapshot_info_ok("null", &root));
  arena_free(root);
  assert_null(selector_ok("null", &root));
  arena_free(root);

  const atesql_snapshot_info *info = snapshot_info_ok("{}", &root);
  assert_non_null(info);
  assert_int_equal(info->data, ATESQL_SNAPSHOT_DATA_NONE);
  assert_string_equal(info->external_snapshot_uri_prefix, "");
  assert_string_equal(info->local_snapshot_prefix, "");
  arena_free(root);
  const atesql_worker_selector *sel = selector_ok("{}", &root);
  assert_non_null(sel);
  assert_int_equal(sel->match_label_count, 0);
  arena_free(root);

  info = snapshot_info_ok("{\"external\":{}}", &root);
  assert_int_equal(info->data, ATESQL_SNAPSHOT_DATA_EXTERNAL);
  arena_free(root);
}

static void
test_nested_errors_name_the_field_in_the_sub_document(void **state) {
  (void)state;
  void *root = arena_new(8, 64);
  atesql_error err = {0};
  const atesql_snapshot_info *info = NULL;
  const char *text = "{\"type\":\"NOPE\"}";
  assert_int_equal(
      codec_snapshot_info_from_json(text, strlen(text), root, &info, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "field 'type': unknown value 'NOPE'"));
  const atesql_worker_selector *sel = NULL;
  text = "{\"matchLabels\":{\"k\":1}}";
  assert_int_equal(
      codec_worker_selector_from_json(text, strlen(text), root, &sel, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "field 'matchLabels.k': expected a "
                                      "string, got number"));
  text = "[]";
  assert_int_equal(
      codec_worker_selector_from_json(text, strlen(text), root, &sel, &err),
      ATESQL_INVALID_ARGUMENT);
  arena_free(root);
}

/* ---- The column reader by token ----------------------------------------- */

/* Every document here is decoded by both column readers, which must agree:
** those the token reader takes as written, and those it must leave to
** jansson (escapes, numbers, punctuation jsmn does not check, repeated
** keys, invalid UTF-8, errors of every kind). */
static const char *const snapshot_columns[] = {
    "null",
    " null ",
    "{}",
    " {\n}\t",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"local\":{\"snapshotPrefix\":"
    "\"snapshots/actor-1\",\"nodeVmsWithLocalSnapshots\":[\"node-1\","
    "\"n\xc3\xa9\",\"\"]}}",
    "{\"type\":\"SNAPSHOT_TYPE_EXTERNAL\",\"external\":{"
    "\"snapshotUriPrefix\":\"gs://b/\"}}",
    "{\"external\":{}}",
    "{\"local\":{}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[]}}",
    "{ \"type\" : \"SNAPSHOT_TYPE_LOCAL\" ,\r\n \"local\" : { "
    "\"snapshot_prefix\""
    " : \"p\" , \"node_vms_with_local_snapshots\" : [ \"a\" , \"b\" ] } }",
    "{\"type\":null,\"external\":null,\"local\":{\"snapshotPrefix\":null,"
    "\"nodeVmsWithLocalSnapshots\":null}}",
    "{\"local\":{},\"external\":null}",
    "{\"type\":\"SNAPSHOT_TYPE_UNSPECIFIED\"}",
    /* Left to jansson. */
    "{\"type\":9}",
    "{\"type\":1.0}",
    "{\"type\":\"1\"}",
    "{\"type\":\"NOPE\"}",
    "{\"type\":true}",
    "{\"external\":{},\"local\":{}}",
    "{\"local\":{\"snapshotPrefix\":\"p\"},\"external\":{}}",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"type\":\"SNAPSHOT_TYPE_LOCAL\"}",
    "{\"local\":{\"snapshotPrefix\":\"a\",\"snapshot_prefix\":\"b\"}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[\"a\",null]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[\"a\" \"b\"]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[\"a\",]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[,\"a\"]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[\"a\",,\"b\"]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[[\"a\"]]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":\"a\"}}",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\",}",
    "{,\"type\":\"SNAPSHOT_TYPE_LOCAL\"}",
    "{\"type\" \"SNAPSHOT_TYPE_LOCAL\"}",
    "{\"type\"::\"SNAPSHOT_TYPE_LOCAL\"}",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"local\"}",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\"}}",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\"} {}",
    "{} x",
    "{\"local\":{\"snapshotPrefix\":\"a\\\"b\"}}",
    "{\"local\":{\"snapshotPrefix\":\"a\\u00e9\"}}",
    "{\"local\":{\"snapshotPrefix\":\"a\\u0000b\"}}",
    "{\"local\":{\"snapshotPrefix\":\"\\ud800\"}}",
    "{\"local\":{\"snapshotPrefix\":\"\xff\"}}",
    "{\"local\":{\"snapshotPrefix\":\"\xed\xa0\x80\"}}",
    "{\"local\":{\"snapshotPrefix\":\"\xc0\x80\"}}",
    "{\"local\":{\"snapshotPrefix\":\"a\tb\"}}",
    "{\"loc\\u0061l\":{}}",
    "{\"unknown\":{}}",
    "{\"local\":[]}",
    "{\"local\":\"x\"}",
    "\xef\xbb\xbf{}",
    "",
    "[]",
    "\"x\"",
    "nul",
    "nulll",
    "null null",
    "true",
    "{",
    "{\"local\":{\"snapshotPrefix\":\"p\"}",
};

static const char *const selector_columns[] = {
    "null",
    "{}",
    "{\"matchLabels\":{}}",
    "{\"matchLabels\":null}",
    "{\"matchLabels\":{\"gpu\":\"h100\",\"zone\":\"a\"}}",
    "{\"matchLabels\":{\"zone\":\"a\",\"gpu\":\"h100\",\"\":\"\"}}",
    "{\"match_labels\":{\"k\xc3\xa9\":\"v\xe2\x9c\x93\"}}",
    "{ \"matchLabels\" : { \"a\" : \"1\" , \"b\" : \"2\" } }",
    /* Left to jansson. */
    "{\"matchLabels\":{\"a\":\"1\",\"a\":\"2\"}}",
    "{\"matchLabels\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"1\"}}",
    "{\"matchLabels\":{\"a\":1}}",
    "{\"matchLabels\":{\"a\":null}}",
    "{\"matchLabels\":{\"a\":{}}}",
    "{\"matchLabels\":{\"a\":\"1\"},\"match_labels\":{}}",
    "{\"matchLabels\":{\"a\":\"1\",}}",
    "{\"matchLabels\":{\"a\" \"1\"}}",
    "{\"matchLabels\":{\"a\":\"1\" \"b\":\"2\"}}",
    "{\"matchLabels\":[\"a\"]}",
    "{\"matchLabels\":{\"k\\u00e9\":\"v\"}}",
    "{\"matchLabels\":{\"k\":\"v\\n\"}}",
    "{\"matchLabels\":{\"\\u0000\":\"v\"}}",
    "{\"selector\":{}}",
    "[]",
};

static void expect_readers_agree(codec_column column, const char *text,
                                 size_t len) {
  char why[512];
  bool decoded;
  if (!column_readers_agree(column, text, len, &decoded, why, sizeof why))
    fail_msg("the readers differ on %.*s: %s", (int)len, text, why);
}

static void test_column_readers_agree_on_every_kind_of_document(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(snapshot_columns); i++)
    expect_readers_agree(CODEC_COLUMN_SNAPSHOT_INFO, snapshot_columns[i],
                         strlen(snapshot_columns[i]));
  for (size_t i = 0; i < COUNT(selector_columns); i++)
    expect_readers_agree(CODEC_COLUMN_WORKER_SELECTOR, selector_columns[i],
                         strlen(selector_columns[i]));
  /* A NUL byte ends no document early. */
  static const char nul_after[] = "{}\0x";
  static const char nul_inside[] = "{\"matchLabels\":{\"a\":\"\0\"}}";
  expect_readers_agree(CODEC_COLUMN_SNAPSHOT_INFO, nul_after,
                       sizeof nul_after - 1);
  expect_readers_agree(CODEC_COLUMN_WORKER_SELECTOR, nul_inside,
                       sizeof nul_inside - 1);
}

/* More tokens than the token reader holds: jansson reads it, the same. */
static void test_column_readers_agree_on_a_long_node_list(void **state) {
  (void)state;
  char text[4096];
  size_t len = (size_t)snprintf(text, sizeof text,
                                "{\"local\":{\"nodeVmsWithLocalSnapshots\":[");
  for (int i = 0; i < 200; i++)
    len += (size_t)snprintf(text + len, sizeof text - len, "%s\"node-%d\"",
                            i ? "," : "", i);
  len += (size_t)snprintf(text + len, sizeof text - len, "]}}");
  expect_readers_agree(CODEC_COLUMN_SNAPSHOT_INFO, text, len);
}

static long jansson_allocations;

static void *counting_alloc(size_t size) {
  jansson_allocations++;
  return malloc(size);
}

/* What the encoders write is read by token, not by jansson. */
static void test_columns_as_written_are_read_without_jansson(void **state) {
  (void)state;
  char *info = codec_snapshot_info_to_json(&full_snapshot_info);
  char *sel = codec_worker_selector_to_json(&full_selector);
  assert_non_null(info);
  assert_non_null(sel);
  /* TRICKY holds characters the encoder escapes: those go to jansson. */
  static const char *const node_vms_plain[] = {"node-02", "n\xc3\xa9", ""};
  static const atesql_label labels_plain[] = {{"zone", "a"},
                                              {"gpu", "h\xe2\x9c\x93"}};
  atesql_snapshot_info plain_info = full_snapshot_info;
  plain_info.local_node_vms = node_vms_plain;
  const atesql_worker_selector plain_sel = {labels_plain, 2};
  char *plain_info_text = codec_snapshot_info_to_json(&plain_info);
  char *plain_sel_text = codec_worker_selector_to_json(&plain_sel);

  json_set_alloc_funcs(counting_alloc, free);
  jansson_allocations = 0;
  void *root = arena_new(8, 0);
  atesql_actor holder = {0};
  atesql_error err = {0};
  assert_int_equal(codec_column_from_json(
                       CODEC_COLUMN_SNAPSHOT_INFO, plain_info_text,
                       strlen(plain_info_text), root, false, &holder, &err),
                   ATESQL_OK);
  assert_int_equal(codec_column_from_json(
                       CODEC_COLUMN_WORKER_SELECTOR, plain_sel_text,
                       strlen(plain_sel_text), root, false, &holder, &err),
                   ATESQL_OK);
  long plain = jansson_allocations;
  assert_int_equal(codec_column_from_json(CODEC_COLUMN_SNAPSHOT_INFO, info,
                                          strlen(info), root, false, &holder,
                                          &err),
                   ATESQL_OK);
  long escaped = jansson_allocations - plain;
  json_set_alloc_funcs(malloc, free);
  assert_int_equal(plain, 0);
  assert_true(escaped > 0);
  assert_snapshot_info_equal(&full_snapshot_info, holder.latest_snapshot_info);
  arena_free(root);
  expect_readers_agree(CODEC_COLUMN_SNAPSHOT_INFO, info, strlen(info));
  expect_readers_agree(CODEC_COLUMN_WORKER_SELECTOR, sel, strlen(sel));
  expect_readers_agree(CODEC_COLUMN_SNAPSHOT_INFO, plain_info_text,
                       strlen(plain_info_text));
  expect_readers_agree(CODEC_COLUMN_WORKER_SELECTOR, plain_sel_text,
                       strlen(plain_sel_text));
  free(info);
  free(sel);
  free(plain_info_text);
  free(plain_sel_text);
}

/* A stored record stays one allocation when its column goes to jansson:
** the token reader gives back what it allocated before it declined, so
** the arena ends as jansson alone leaves it. */
static void test_declined_column_leaves_the_arena_as_it_was(void **state) {
  (void)state;
  char text[1024];
  size_t len = (size_t)snprintf(text, sizeof text,
                                "{\"local\":{\"nodeVmsWithLocalSnapshots\":[");
  for (int i = 0; i < 20; i++)
    len += (size_t)snprintf(text + len, sizeof text - len, "%s\"node-%02d\"",
                            i ? "," : "", i);
  len += (size_t)snprintf(text + len, sizeof text - len,
                          "],\"snapshotPrefix\":\"a\\\"b\"}}");
  size_t used[2];
  for (int jansson_only = 0; jansson_only < 2; jansson_only++) {
    void *root = arena_new(8, codec_nested_reserve(len));
    arena_mark start = arena_save(root);
    atesql_actor holder = {0};
    atesql_error err = {0};
    assert_int_equal(codec_column_from_json(CODEC_COLUMN_SNAPSHOT_INFO, text,
                                            len, root, jansson_only, &holder,
                                            &err),
                     ATESQL_OK);
    assert_string_equal(holder.latest_snapshot_info->local_snapshot_prefix,
                        "a\"b");
    arena_mark end = arena_save(root);
    assert_ptr_equal(end.chunk, start.chunk); /* still the first chunk */
    used[jansson_only] = end.used;
    arena_free(root);
  }
  assert_int_equal(used[0], used[1]);
}

/* ---- Allocation --------------------------------------------------------- */

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
  const atesql_snapshot_info *info = a->latest_snapshot_info;
  const atesql_worker_selector *sel = a->worker_selector;
  assert_int_equal(info->local_node_vm_count, N);
  assert_in_first_chunk(a, len, a->atespace);
  assert_in_first_chunk(a, len, a->actor_id);
  assert_in_first_chunk(a, len, (const char *)info);
  assert_in_first_chunk(a, len, (const char *)sel);
  assert_in_first_chunk(a, len, (const char *)info->local_node_vms);
  for (size_t i = 0; i < N; i++)
    assert_in_first_chunk(a, len, info->local_node_vms[i]);
  assert_in_first_chunk(a, len, (const char *)sel->match_labels);
  for (size_t i = 0; i < sel->match_label_count; i++) {
    assert_in_first_chunk(a, len, sel->match_labels[i].key);
    assert_in_first_chunk(a, len, sel->match_labels[i].value);
  }
  atesql_actor_free(a);
  free(text);
}

/* The smallest documents that set the two messages: their structs must
** still fit the first chunk. */
static void test_empty_messages_are_one_allocation(void **state) {
  (void)state;
  static const char *const docs[] = {
      "{\"latestSnapshotInfo\":{},\"workerSelector\":{}}",
      "{\"latest_snapshot_info\":{},\"worker_selector\":{}}",
  };
  for (size_t i = 0; i < COUNT(docs); i++) {
    size_t len = strlen(docs[i]);
    atesql_actor *a = actor_ok(docs[i]);
    const char *lo = (const char *)a;
    const char *hi = lo + sizeof(atesql_actor) + codec_nested_reserve(len);
    const char *info = (const char *)a->latest_snapshot_info;
    const char *sel = (const char *)a->worker_selector;
    assert_true(info >= lo && info + sizeof(atesql_snapshot_info) <= hi);
    assert_true(sel >= lo && sel + sizeof(atesql_worker_selector) <= hi);
    atesql_actor_free(a);
  }
}

static void test_reserve_saturates(void **state) {
  (void)state;
  assert_int_equal(codec_nested_reserve(10), 104);
  assert_int_equal(codec_nested_reserve(SIZE_MAX / 2), SIZE_MAX);
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
      cmocka_unit_test(test_unnamed_status_values_round_trip_as_numbers),
      cmocka_unit_test(test_unnamed_snapshot_type_values_round_trip_as_numbers),
      cmocka_unit_test(test_enum_by_number),
      cmocka_unit_test(test_enum_numbers_with_integral_value_are_accepted),
      cmocka_unit_test(test_enum_numbers_not_integral_are_rejected),
      cmocka_unit_test(test_enum_numbers_outside_int32_are_rejected),
      cmocka_unit_test(test_unknown_enum_name_lists_valid_ones),
      cmocka_unit_test(test_enum_string_that_is_not_a_name_is_rejected),
      cmocka_unit_test(test_version_as_string_or_number),
      cmocka_unit_test(test_int64_strings_with_integral_value_are_accepted),
      cmocka_unit_test(test_int64_strings_not_integers_are_rejected),
      cmocka_unit_test(test_bad_version_text_is_an_error),
      cmocka_unit_test(test_int64_integral_reals_are_accepted),
      cmocka_unit_test(test_int64_numbers_are_read_exactly),
      cmocka_unit_test(test_int64_non_integral_reals_are_rejected),
      cmocka_unit_test(test_int64_reals_rounding_to_an_integer_are_rejected),
      cmocka_unit_test(test_too_big_integer_names_its_field),
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
      cmocka_unit_test(test_encode_errors),
      cmocka_unit_test(test_encoder_writes_last_of_duplicate_label_keys),
      cmocka_unit_test(test_nested_snapshot_info_round_trips),
      cmocka_unit_test(test_nested_worker_selector_round_trips),
      cmocka_unit_test(test_nested_columns_write_null_for_unset),
      cmocka_unit_test(test_nested_columns_read_null_as_unset),
      cmocka_unit_test(test_nested_errors_name_the_field_in_the_sub_document),
      cmocka_unit_test(test_column_readers_agree_on_every_kind_of_document),
      cmocka_unit_test(test_column_readers_agree_on_a_long_node_list),
      cmocka_unit_test(test_columns_as_written_are_read_without_jansson),
      cmocka_unit_test(test_declined_column_leaves_the_arena_as_it_was),
      cmocka_unit_test(test_decoded_record_is_one_allocation),
      cmocka_unit_test(test_empty_messages_are_one_allocation),
      cmocka_unit_test(test_reserve_saturates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
