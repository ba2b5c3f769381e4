/*
** The column table of every resource (schema.h). A selector field that is
** not in the selectable part of these tables is an error, and every column
** name that reaches SQL text comes from here. Adding a field means adding
** a row here, a member to the record's struct, and a migration of every
** dialect that adds its column (and, when it is selectable, its index).
*/
#include "schema.h"

#include <stddef.h>
#include <string.h>

#include "util/count.h"

static const char *const actor_status_names[] = {
    "STATUS_UNSPECIFIED", "STATUS_RESUMING",  "STATUS_RUNNING",
    "STATUS_SUSPENDING",  "STATUS_SUSPENDED", "STATUS_PAUSING",
    "STATUS_PAUSED",
};

const char *const schema_snapshot_type_names[SCHEMA_SNAPSHOT_TYPES] = {
    "SNAPSHOT_TYPE_UNSPECIFIED",
    "SNAPSHOT_TYPE_LOCAL",
    "SNAPSHOT_TYPE_EXTERNAL",
};

/* A text column, IMMUTABLE or MUTABLE after create (a key part is
** immutable). */
enum { MUTABLE = 0, IMMUTABLE = 1 };
#define TEXT(rec, member, json, number, immutable_)                            \
  {                                                                            \
    .name = #member, .column = #member, .type = FIELD_TEXT,                    \
    .immutable = (immutable_), .offset = offsetof(rec, member),                \
    .json_name = (json), .proto_number = (number)                              \
  }
#define VERSION(rec, number)                                                   \
  {                                                                            \
    .name = "version", .column = "version", .type = FIELD_INT64,               \
    .version = true, .offset = offsetof(rec, version), .json_name = "version", \
    .proto_number = (number)                                                   \
  }

/* Workers: the key, the selectable fields, then the labels. */
static const field_def worker_fields[] = {
    TEXT(atesql_worker, worker_namespace, "workerNamespace", 1, IMMUTABLE),
    TEXT(atesql_worker, worker_pool, "workerPool", 2, IMMUTABLE),
    TEXT(atesql_worker, worker_pod, "workerPod", 3, IMMUTABLE),
    TEXT(atesql_worker, actor_namespace, "actorNamespace", 4, MUTABLE),
    TEXT(atesql_worker, actor_template, "actorTemplate", 5, MUTABLE),
    /* Free workers (empty) and held ones have separate indexes. */
    {.name = "actor_id",
     .column = "actor_id",
     .type = FIELD_TEXT,
     .split_empty = true,
     .offset = offsetof(atesql_worker, actor_id),
     .json_name = "actorId",
     .proto_number = 6},
    TEXT(atesql_worker, actor_atespace, "actorAtespace", 11, MUTABLE),
    TEXT(atesql_worker, ip, "ip", 7, IMMUTABLE),
    TEXT(atesql_worker, worker_pod_uid, "workerPodUid", 9, MUTABLE),
    TEXT(atesql_worker, node_name, "nodeName", 10, MUTABLE),
    VERSION(atesql_worker, 8),
    /* atesql's own: upstream's Worker has no labels, so its documents
    ** (without the field) import as workers without labels. */
    {.name = "labels",
     .column = "labels",
     .type = FIELD_LABEL_MAP,
     .offset = offsetof(atesql_worker, labels),
     .count_offset = offsetof(atesql_worker, label_count),
     .json_name = "labels",
     .proto_number = 0},
};
enum { WORKER_KEYS = 3, WORKER_SELECTABLE = 11 };

/* Actors: the key, the selectable fields, then the unindexed ones. */
static const field_def actor_fields[] = {
    TEXT(atesql_actor, atespace, "atespace", 15, IMMUTABLE),
    TEXT(atesql_actor, actor_id, "actorId", 1, IMMUTABLE),
    TEXT(atesql_actor, actor_template_namespace, "actorTemplateNamespace", 3,
         IMMUTABLE),
    TEXT(atesql_actor, actor_template_name, "actorTemplateName", 4, IMMUTABLE),
    {.name = "status",
     .column = "status",
     .type = FIELD_ENUM,
     .enum_names = actor_status_names,
     .enum_count = COUNT(actor_status_names),
     .offset = offsetof(atesql_actor, status),
     .json_name = "status",
     .proto_number = 5},
    TEXT(atesql_actor, ateom_pod_namespace, "ateomPodNamespace", 6, MUTABLE),
    TEXT(atesql_actor, ateom_pod_name, "ateomPodName", 7, MUTABLE),
    TEXT(atesql_actor, ateom_pod_ip, "ateomPodIp", 8, MUTABLE),
    TEXT(atesql_actor, ateom_pod_uid, "ateomPodUid", 11, MUTABLE),
    TEXT(atesql_actor, worker_pool_name, "workerPoolName", 14, MUTABLE),
    VERSION(atesql_actor, 2),
    TEXT(atesql_actor, in_progress_snapshot, "inProgressSnapshot", 10, MUTABLE),
    {.name = "latest_snapshot_info",
     .column = "latest_snapshot_info",
     .type = FIELD_MESSAGE,
     .message = MESSAGE_SNAPSHOT_INFO,
     .offset = offsetof(atesql_actor, latest_snapshot_info),
     .json_name = "latestSnapshotInfo",
     .proto_number = 12},
    {.name = "worker_selector",
     .column = "worker_selector",
     .type = FIELD_MESSAGE,
     .message = MESSAGE_WORKER_SELECTOR,
     .offset = offsetof(atesql_actor, worker_selector),
     .json_name = "workerSelector",
     .proto_number = 13},
};
enum { ACTOR_KEYS = 2, ACTOR_SELECTABLE = 11 };

/* "labels.KEY": the worker_labels table (migrations 0004). */
static const field_def worker_labels_field = {
    .name = "labels", .column = NULL, .type = FIELD_LABEL};

static const field_def atespace_fields[] = {
    TEXT(atesql_atespace, name, "name", 1, IMMUTABLE),
};

const resource_def schema_workers = {
    .id = ATESQL_RESOURCE_WORKERS,
    .name = "workers",
    .table = "workers",
    .fields = worker_fields,
    .key_count = WORKER_KEYS,
    .field_count = WORKER_SELECTABLE,
    .column_count = COUNT(worker_fields),
    .record_size = sizeof(atesql_worker),
    .kind = "worker",
    .labels = &worker_labels_field,
    .label_table = "worker_labels",
    .label_key = "\"worker_namespace\", \"worker_pool\", \"worker_pod\"",
    .label_index = "worker_labels_key_value",
    .label_empty = "worker_free"};

const resource_def schema_actors = {.id = ATESQL_RESOURCE_ACTORS,
                                    .name = "actors",
                                    .table = "actors",
                                    .fields = actor_fields,
                                    .key_count = ACTOR_KEYS,
                                    .field_count = ACTOR_SELECTABLE,
                                    .column_count = COUNT(actor_fields),
                                    .record_size = sizeof(atesql_actor),
                                    .kind = "actor"};

const resource_def schema_atespaces = {.id = ATESQL_RESOURCE_ATESPACES,
                                       .name = "atespaces",
                                       .table = "atespaces",
                                       .fields = atespace_fields,
                                       .key_count = 1,
                                       .field_count = COUNT(atespace_fields),
                                       .column_count = COUNT(atespace_fields),
                                       .record_size = sizeof(atesql_atespace),
                                       .kind = "atespace"};

static const resource_def *const resources[] = {&schema_workers, &schema_actors,
                                                &schema_atespaces};

const resource_def *schema_resource(atesql_resource id) {
  for (size_t i = 0; i < COUNT(resources); i++)
    if (resources[i]->id == id) return resources[i];
  return NULL;
}

const resource_def *schema_resource_by_name(const char *name) {
  for (size_t i = 0; i < COUNT(resources); i++)
    if (strcmp(resources[i]->name, name) == 0) return resources[i];
  return NULL;
}

const field_def *schema_field(const resource_def *res, const char *name,
                              size_t len) {
  for (size_t i = 0; i < res->field_count; i++) {
    const char *f = res->fields[i].name;
    if (strlen(f) == len && memcmp(f, name, len) == 0) return &res->fields[i];
  }
  return NULL;
}

/*
** Levenshtein distance between a (alen bytes) and b, with one row of
** memory. Field names are short; longer inputs are cut at 64 bytes, which
** only makes a far-off name look farther.
*/
static size_t edit_distance(const char *a, size_t alen, const char *b) {
  enum { MAXLEN = 64 };
  size_t blen = strlen(b);
  if (alen > MAXLEN) alen = MAXLEN;
  if (blen > MAXLEN) blen = MAXLEN;
  size_t row[MAXLEN + 1];
  for (size_t j = 0; j <= blen; j++)
    row[j] = j;
  for (size_t i = 1; i <= alen; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= blen; j++) {
      size_t up = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = diag + cost;
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[blen];
}

const field_def *schema_nearest_field(const resource_def *res, const char *name,
                                      size_t len) {
  const field_def *best = NULL;
  size_t best_distance = (size_t)-1;
  for (size_t i = 0; i < res->field_count; i++) {
    size_t d = edit_distance(name, len, res->fields[i].name);
    if (d < best_distance) {
      best_distance = d;
      best = &res->fields[i];
    }
  }
  /* A typo changes a few characters; beyond a third of the name (and at
  ** least 2) the nearest name is a guess, not a suggestion. */
  size_t plausible = len / 3 > 2 ? len / 3 : 2;
  return best_distance <= plausible ? best : NULL;
}

size_t schema_field_index(const resource_def *res, const field_def *field) {
  if (field == res->labels) return res->field_count;
  return (size_t)(field - res->fields);
}

int schema_enum_number(const field_def *field, const char *name, size_t len) {
  for (size_t i = 0; i < field->enum_count; i++) {
    const char *e = field->enum_names[i];
    if (strlen(e) == len && memcmp(e, name, len) == 0) return (int)i;
  }
  return -1;
}

const char *atesql_resource_name(atesql_resource resource) {
  const resource_def *res = schema_resource(resource);
  return res ? res->name : NULL;
}

const char *atesql_actor_status_name(atesql_actor_status status) {
  if ((int)status < 0 || (size_t)status >= COUNT(actor_status_names))
    return NULL;
  return actor_status_names[status];
}

const char *atesql_snapshot_type_name(atesql_snapshot_type type) {
  if ((int)type < 0 || (size_t)type >= COUNT(schema_snapshot_type_names))
    return NULL;
  return schema_snapshot_type_names[type];
}
