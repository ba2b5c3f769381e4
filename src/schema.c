/*
** The field whitelist of every resource, as tables. A selector field that is
** not in these tables is an error, and every column name that reaches SQL
** text comes from here. Adding a field means adding a row here, a column and
** its index in the migrations of every dialect.
*/
#include "schema.h"

#include <string.h>

static const char *const actor_status_names[] = {
    "STATUS_UNSPECIFIED", "STATUS_RESUMING",  "STATUS_RUNNING",
    "STATUS_SUSPENDING",  "STATUS_SUSPENDED", "STATUS_PAUSING",
    "STATUS_PAUSED",
};

static const char *const snapshot_type_names[] = {
    "SNAPSHOT_TYPE_UNSPECIFIED",
    "SNAPSHOT_TYPE_LOCAL",
    "SNAPSHOT_TYPE_EXTERNAL",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define TEXT(name, immutable)                                                  \
  { name, name, FIELD_TEXT, NULL, 0, immutable, false }

static const field_def worker_fields[] = {
    TEXT("worker_namespace", true),
    TEXT("worker_pool", true),
    TEXT("worker_pod", true),
    TEXT("actor_namespace", false),
    TEXT("actor_template", false),
    /* Free workers (empty) and held ones have separate indexes. */
    {"actor_id", "actor_id", FIELD_TEXT, NULL, 0, false, true},
    TEXT("actor_atespace", false),
    TEXT("ip", true),
    TEXT("worker_pod_uid", false),
    TEXT("node_name", false),
    {"version", "version", FIELD_INT64, NULL, 0, false, false},
};

static const field_def actor_fields[] = {
    TEXT("atespace", true),
    TEXT("actor_id", true),
    TEXT("actor_template_namespace", true),
    TEXT("actor_template_name", true),
    {"status", "status", FIELD_ENUM, actor_status_names,
     COUNT(actor_status_names), false, false},
    TEXT("ateom_pod_namespace", false),
    TEXT("ateom_pod_name", false),
    TEXT("ateom_pod_ip", false),
    TEXT("ateom_pod_uid", false),
    TEXT("worker_pool_name", false),
    {"version", "version", FIELD_INT64, NULL, 0, false, false},
};

/* "labels.KEY": the worker_labels table (migrations 0004). */
static const field_def worker_labels_field = {
    "labels", NULL, FIELD_LABEL, NULL, 0, false, false};

static const field_def atespace_fields[] = {
    TEXT("name", true),
};

static const resource_def resources[] = {
    {ATESQL_RESOURCE_WORKERS, "workers", "workers", worker_fields,
     COUNT(worker_fields), &worker_labels_field, "worker_labels",
     "\"worker_namespace\", \"worker_pool\", \"worker_pod\"",
     "worker_labels_key_value", "worker_free"},
    {ATESQL_RESOURCE_ACTORS, "actors", "actors", actor_fields,
     COUNT(actor_fields), NULL, NULL, NULL, NULL, NULL},
    {ATESQL_RESOURCE_ATESPACES, "atespaces", "atespaces", atespace_fields,
     COUNT(atespace_fields), NULL, NULL, NULL, NULL, NULL},
};

const resource_def *schema_resource(atesql_resource id) {
  for (size_t i = 0; i < COUNT(resources); i++)
    if (resources[i].id == id) return &resources[i];
  return NULL;
}

const resource_def *schema_resource_by_name(const char *name) {
  for (size_t i = 0; i < COUNT(resources); i++)
    if (strcmp(resources[i].name, name) == 0) return &resources[i];
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
  if ((int)type < 0 || (size_t)type >= COUNT(snapshot_type_names)) return NULL;
  return snapshot_type_names[type];
}
