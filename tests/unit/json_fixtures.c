/*
** The fixtures and expectations the codec's suites share (json_fixtures.h).
*/
#include "json_fixtures.h"

#include "suite.h"
#include <stdbool.h>
#include <string.h>

const atesql_worker full_worker = {
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
const char full_worker_json[] =
    "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
    "\"workerPod\":\"cpu-0001\",\"actorNamespace\":\"an\","
    "\"actorTemplate\":\"at\",\"actorId\":\"" TRICKY_JSON "\","
    "\"ip\":\"10.0.0.1\",\"version\":\"3\",\"workerPodUid\":\"uid-1\","
    "\"nodeName\":\"node-01\",\"actorAtespace\":\"team\"}";

static const char *const node_vms[] = {"node-02", TRICKY, ""};
static const atesql_label labels[] = {{"zone", "a"}, {"gpu", TRICKY}};

const atesql_snapshot_info full_snapshot_info = {
    .type = ATESQL_SNAPSHOT_TYPE_LOCAL,
    .data = ATESQL_SNAPSHOT_DATA_LOCAL,
    .local_snapshot_prefix = "snap/1",
    .local_node_vms = node_vms,
    .local_node_vm_count = 3,
};

const atesql_worker_selector full_selector = {labels, 2};

atesql_actor make_full_actor(void) {
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
const char full_actor_json[] =
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

void assert_worker_equal(const atesql_worker *a, const atesql_worker *b) {
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

void assert_snapshot_info_equal(const atesql_snapshot_info *a,
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

void assert_selector_equal(const atesql_worker_selector *a,
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

void assert_actor_equal(const atesql_actor *a, const atesql_actor *b) {
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

atesql_worker *worker_ok(const char *text) {
  atesql_worker *w = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_worker_from_json(text, strlen(text), &w, &err);
  if (st != ATESQL_OK) fail_msg("decode of %s failed: %s", text, err.message);
  assert_non_null(w);
  return w;
}

atesql_actor *actor_ok(const char *text) {
  atesql_actor *a = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_actor_from_json(text, strlen(text), &a, &err);
  if (st != ATESQL_OK) fail_msg("decode of %s failed: %s", text, err.message);
  assert_non_null(a);
  return a;
}

void expect_actor_json(const atesql_actor *a, const char *want) {
  char *out = NULL;
  assert_int_equal(atesql_actor_to_json(a, &out, NULL), ATESQL_OK);
  assert_non_null(out);
  if (strcmp(out, want) != 0)
    fail_msg("encoded as\n  %s\nwant\n  %s", out, want);
  atesql_free(out);
}

void expect_worker_json(const atesql_worker *w, const char *want) {
  char *out = NULL;
  assert_int_equal(atesql_worker_to_json(w, &out, NULL), ATESQL_OK);
  assert_non_null(out);
  if (strcmp(out, want) != 0)
    fail_msg("encoded as\n  %s\nwant\n  %s", out, want);
  atesql_free(out);
}

void expect_actor_error_len(const char *text, size_t len, atesql_status status,
                            const char *needle) {
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

void expect_actor_error(const char *text, const char *needle) {
  expect_actor_error_len(text, strlen(text), ATESQL_INVALID_ARGUMENT, needle);
}

void expect_worker_error(const char *text, const char *needle) {
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
