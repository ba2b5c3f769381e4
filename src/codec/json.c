/*
** Records as protojson documents, by jansson. Each message of ateapi.proto
** the library stores is a table of fields (JSON name, proto name, kind and
** offset in the C struct); one encoder and one decoder walk those tables,
** so a field is added by adding a row. Nested messages whose C form is
** flattened into the parent (SnapshotInfo.external.snapshot_uri_prefix is
** atesql_snapshot_info.external_snapshot_uri_prefix) are tables whose
** offsets share the parent's base.
**
** Decoding follows protojson: lowerCamelCase or proto (snake_case) names,
** null means the field's zero value, enums by name or by number, int64 as
** a string or a number; every other deviation is INVALID_ARGUMENT naming
** the field by its dotted path ("latestSnapshotInfo.local.snapshotPrefix").
** A decoded record is one arena allocation sized by codec_nested_reserve.
*/
#include "codec/json.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/error.h"
#include "util/utf8.h"

typedef enum field_kind {
  KIND_STRING,      /* const char * */
  KIND_INT64,       /* int64_t; a JSON string on output, as protojson */
  KIND_ENUM,        /* an int-sized enum; its proto name on output */
  KIND_MESSAGE,     /* a nested object with its own table */
  KIND_STRING_LIST, /* const char *const * and a size_t count */
  KIND_LABEL_MAP    /* const atesql_label * and a size_t count; an object */
} field_kind;

typedef struct json_message json_message;

typedef struct json_field {
  const char *json_name;  /* protojson's lowerCamelCase name */
  const char *snake_name; /* the proto name, also accepted on input */
  field_kind kind;
  size_t offset;       /* of the value, from the message's base */
  size_t count_offset; /* KIND_STRING_LIST, KIND_LABEL_MAP: of the count */
  const char *(*enum_name)(int value); /* KIND_ENUM: NULL past the last */
  const json_message *message;         /* KIND_MESSAGE */
} json_field;

struct json_message {
  const json_field *fields;
  size_t count;
};

_Static_assert(sizeof(atesql_actor_status) == sizeof(int) &&
                   sizeof(atesql_snapshot_type) == sizeof(int),
               "enum fields are read and written as int");

static const char *status_name(int value) {
  return atesql_actor_status_name((atesql_actor_status)value);
}

static const char *snapshot_type_name(int value) {
  return atesql_snapshot_type_name((atesql_snapshot_type)value);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MESSAGE(fields)                                                        \
  { fields, COUNT(fields) }
#define STRING(json, snake, type, member)                                      \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_STRING,           \
    .offset = offsetof(type, member)                                           \
  }
#define INT64(json, snake, type, member)                                       \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_INT64,            \
    .offset = offsetof(type, member)                                           \
  }
#define ENUM(json, snake, type, member, names)                                 \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_ENUM,             \
    .offset = offsetof(type, member), .enum_name = (names)                     \
  }
#define NESTED(json, snake, offset_in_parent, table)                           \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_MESSAGE,          \
    .offset = (offset_in_parent), .message = &(table)                          \
  }
#define REPEATED(json, snake, kind_, type, member, count_member)               \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = (kind_),               \
    .offset = offsetof(type, member),                                          \
    .count_offset = offsetof(type, count_member)                               \
  }

static const json_field worker_fields[] = {
    STRING("workerNamespace", "worker_namespace", atesql_worker,
           worker_namespace),
    STRING("workerPool", "worker_pool", atesql_worker, worker_pool),
    STRING("workerPod", "worker_pod", atesql_worker, worker_pod),
    STRING("actorNamespace", "actor_namespace", atesql_worker, actor_namespace),
    STRING("actorTemplate", "actor_template", atesql_worker, actor_template),
    STRING("actorId", "actor_id", atesql_worker, actor_id),
    STRING("actorAtespace", "actor_atespace", atesql_worker, actor_atespace),
    STRING("ip", "ip", atesql_worker, ip),
    INT64("version", "version", atesql_worker, version),
    STRING("workerPodUid", "worker_pod_uid", atesql_worker, worker_pod_uid),
    STRING("nodeName", "node_name", atesql_worker, node_name),
};

/* SnapshotInfo.ExternalSnapshot and .LocalSnapshot: flattened into
** atesql_snapshot_info, so their base is the snapshot info's. */
static const json_field external_snapshot_fields[] = {
    STRING("snapshotUriPrefix", "snapshot_uri_prefix", atesql_snapshot_info,
           external_snapshot_uri_prefix),
};

static const json_field local_snapshot_fields[] = {
    STRING("snapshotPrefix", "snapshot_prefix", atesql_snapshot_info,
           local_snapshot_prefix),
    REPEATED("nodeVmsWithLocalSnapshots", "node_vms_with_local_snapshots",
             KIND_STRING_LIST, atesql_snapshot_info, local_node_vms,
             local_node_vm_count),
};

static const json_message external_snapshot_message =
    MESSAGE(external_snapshot_fields);
static const json_message local_snapshot_message =
    MESSAGE(local_snapshot_fields);

static const json_field snapshot_info_fields[] = {
    ENUM("type", "type", atesql_snapshot_info, type, snapshot_type_name),
    NESTED("external", "external", 0, external_snapshot_message),
    NESTED("local", "local", 0, local_snapshot_message),
};

static const json_message snapshot_info_message = MESSAGE(snapshot_info_fields);

/* Selector: flattened into atesql_actor, so its base is the actor's. */
static const json_field worker_selector_fields[] = {
    REPEATED("matchLabels", "match_labels", KIND_LABEL_MAP, atesql_actor,
             worker_selector_labels, worker_selector_label_count),
};

static const json_message worker_selector_message =
    MESSAGE(worker_selector_fields);

static const json_field actor_fields[] = {
    STRING("atespace", "atespace", atesql_actor, atespace),
    STRING("actorId", "actor_id", atesql_actor, actor_id),
    INT64("version", "version", atesql_actor, version),
    STRING("actorTemplateNamespace", "actor_template_namespace", atesql_actor,
           actor_template_namespace),
    STRING("actorTemplateName", "actor_template_name", atesql_actor,
           actor_template_name),
    ENUM("status", "status", atesql_actor, status, status_name),
    STRING("ateomPodNamespace", "ateom_pod_namespace", atesql_actor,
           ateom_pod_namespace),
    STRING("ateomPodName", "ateom_pod_name", atesql_actor, ateom_pod_name),
    STRING("ateomPodIp", "ateom_pod_ip", atesql_actor, ateom_pod_ip),
    STRING("ateomPodUid", "ateom_pod_uid", atesql_actor, ateom_pod_uid),
    STRING("inProgressSnapshot", "in_progress_snapshot", atesql_actor,
           in_progress_snapshot),
    STRING("workerPoolName", "worker_pool_name", atesql_actor,
           worker_pool_name),
    NESTED("latestSnapshotInfo", "latest_snapshot_info",
           offsetof(atesql_actor, latest_snapshot_info), snapshot_info_message),
    NESTED("workerSelector", "worker_selector", 0, worker_selector_message),
};

static const json_field atespace_fields[] = {
    STRING("name", "name", atesql_atespace, name),
};

static const json_message worker_message = MESSAGE(worker_fields);
static const json_message actor_message = MESSAGE(actor_fields);
static const json_message atespace_message = MESSAGE(atespace_fields);

/* The member of the struct at base that a table row's offset names. */
static void *member(char *base, size_t offset) { return base + offset; }

/* ---- Encoding ---------------------------------------------------------- */

/* The encoder's first failure: INVALID_ARGUMENT (an enum out of range, a
** string that is not UTF-8) or NO_MEMORY. */
typedef struct encoder {
  atesql_status status;
} encoder;

static json_t *encode_fail(encoder *e, atesql_status status) {
  if (e->status == ATESQL_OK) e->status = status;
  return NULL;
}

static json_t *encode_text(encoder *e, const char *s) {
  if (s == NULL) s = "";
  size_t len = strlen(s);
  if (utf8_invalid_offset(s, len) != len)
    return encode_fail(e, ATESQL_INVALID_ARGUMENT);
  json_t *v = json_stringn_nocheck(s, len);
  return v ? v : encode_fail(e, ATESQL_NO_MEMORY);
}

/* Add value under key (a string known to be valid UTF-8); value NULL means
** its encoding failed and already set e->status. */
static bool encode_member(encoder *e, json_t *obj, const char *key,
                          json_t *value) {
  if (value == NULL) return false;
  if (json_object_set_new_nocheck(obj, key, value) == 0) return true;
  encode_fail(e, ATESQL_NO_MEMORY);
  return false;
}

static json_t *encode_message(encoder *e, const json_message *m, char *base);

static json_t *encode_string_list(encoder *e, const char *const *items,
                                  size_t n) {
  json_t *arr = json_array();
  if (arr == NULL) return encode_fail(e, ATESQL_NO_MEMORY);
  for (size_t i = 0; i < n; i++) {
    json_t *v = encode_text(e, items[i]);
    if (v == NULL || json_array_append_new(arr, v) != 0) {
      json_decref(arr);
      return encode_fail(e, ATESQL_NO_MEMORY);
    }
  }
  return arr;
}

/* Labels in key order, ties in input order, so the last of equal keys is
** set last and wins. */
static int compare_label_ptrs(const void *a, const void *b) {
  const atesql_label *x = *(const atesql_label *const *)a;
  const atesql_label *y = *(const atesql_label *const *)b;
  int c = strcmp(x->key ? x->key : "", y->key ? y->key : "");
  if (c != 0) return c;
  return x < y ? -1 : x > y;
}

static json_t *encode_label_map(encoder *e, const atesql_label *labels,
                                size_t n) {
  json_t *obj = json_object();
  if (obj == NULL) return encode_fail(e, ATESQL_NO_MEMORY);
  if (n == 0) return obj;
  const atesql_label **order = malloc(n * sizeof *order);
  if (order == NULL) {
    json_decref(obj);
    return encode_fail(e, ATESQL_NO_MEMORY);
  }
  for (size_t i = 0; i < n; i++)
    order[i] = &labels[i];
  qsort(order, n, sizeof *order, compare_label_ptrs);
  bool ok = true;
  for (size_t i = 0; ok && i < n; i++) {
    const char *key = order[i]->key ? order[i]->key : "";
    size_t key_len = strlen(key);
    if (utf8_invalid_offset(key, key_len) != key_len) {
      encode_fail(e, ATESQL_INVALID_ARGUMENT);
      ok = false;
    } else {
      ok = encode_member(e, obj, key, encode_text(e, order[i]->value));
    }
  }
  free(order);
  if (!ok) {
    json_decref(obj);
    return NULL;
  }
  return obj;
}

static json_t *encode_field(encoder *e, const json_field *f, char *base) {
  switch (f->kind) {
  case KIND_STRING:
    return encode_text(e, *(const char **)member(base, f->offset));
  case KIND_INT64: {
    char digits[24];
    snprintf(digits, sizeof digits, "%" PRId64,
             *(int64_t *)member(base, f->offset));
    return encode_text(e, digits);
  }
  case KIND_ENUM: {
    const char *name = f->enum_name(*(int *)member(base, f->offset));
    return name ? encode_text(e, name)
                : encode_fail(e, ATESQL_INVALID_ARGUMENT);
  }
  case KIND_MESSAGE: return encode_message(e, f->message, base + f->offset);
  case KIND_STRING_LIST:
    return encode_string_list(e, *(const char *const **)member(base, f->offset),
                              *(size_t *)member(base, f->count_offset));
  case KIND_LABEL_MAP:
    return encode_label_map(e, *(const atesql_label **)member(base, f->offset),
                            *(size_t *)member(base, f->count_offset));
  }
  return encode_fail(e, ATESQL_INTERNAL);
}

/* Every field of m, in table order (jansson keeps insertion order). */
static json_t *encode_message(encoder *e, const json_message *m, char *base) {
  json_t *obj = json_object();
  if (obj == NULL) return encode_fail(e, ATESQL_NO_MEMORY);
  for (size_t i = 0; i < m->count; i++) {
    const json_field *f = &m->fields[i];
    if (!encode_member(e, obj, f->json_name, encode_field(e, f, base))) {
      json_decref(obj);
      return NULL;
    }
  }
  return obj;
}

char *codec_dump_compact(json_t *doc) {
  if (doc == NULL) return NULL;
  size_t size = json_dumpb(doc, NULL, 0, JSON_COMPACT);
  char *out = size ? malloc(size + 1) : NULL;
  if (out) {
    json_dumpb(doc, out, size, JSON_COMPACT);
    out[size] = '\0';
  }
  json_decref(doc);
  return out;
}

static atesql_status encode_record(const json_message *m, const void *record,
                                   char **out) {
  if (out == NULL) return ATESQL_INVALID_ARGUMENT;
  *out = NULL;
  if (record == NULL) return ATESQL_INVALID_ARGUMENT;
  encoder e = {ATESQL_OK};
  json_t *doc = encode_message(&e, m, (char *)record);
  if (doc == NULL) return e.status;
  *out = codec_dump_compact(doc);
  return *out ? ATESQL_OK : ATESQL_NO_MEMORY;
}

atesql_status atesql_worker_to_json(const atesql_worker *worker, char **out) {
  return encode_record(&worker_message, worker, out);
}

atesql_status atesql_actor_to_json(const atesql_actor *actor, char **out) {
  return encode_record(&actor_message, actor, out);
}

atesql_status atesql_atespace_to_json(const atesql_atespace *atespace,
                                      char **out) {
  return encode_record(&atespace_message, atespace, out);
}

char *codec_snapshot_info_to_json(const atesql_snapshot_info *info) {
  encoder e = {ATESQL_OK};
  return codec_dump_compact(
      encode_message(&e, &snapshot_info_message, (char *)info));
}

char *codec_worker_selector_to_json(const atesql_label *labels, size_t n) {
  atesql_actor holder = {0};
  holder.worker_selector_labels = labels;
  holder.worker_selector_label_count = n;
  encoder e = {ATESQL_OK};
  return codec_dump_compact(
      encode_message(&e, &worker_selector_message, (char *)&holder));
}

/* ---- Decoding ---------------------------------------------------------- */

/* The string every absent or empty field points to. */
static const char empty_string[] = "";

/* One step of the path to the field being decoded, kept on the C stack of
** the decoding functions: the path is only formatted when an error names
** it, so decoding a valid document does no formatting at all. */
typedef struct path_seg {
  const char *name; /* a member name, or NULL for an array index */
  size_t index;
  const struct path_seg *up;
} path_seg;

typedef struct decoder {
  void *root;        /* the arena strings and arrays are allocated in */
  atesql_error *err; /* may be NULL */
  const path_seg *top;
  char path[200]; /* the formatted path, filled by path_text */
} decoder;

static void path_push(decoder *d, path_seg *seg, const char *name,
                      size_t index) {
  seg->name = name;
  seg->index = index;
  seg->up = d->top;
  d->top = seg;
}

static void path_pop(decoder *d, const path_seg *seg) { d->top = seg->up; }

/* Write the segments from the outermost down, ".name" or "[i]", names
** quoted safely; returns the length written. */
static size_t format_path(const path_seg *seg, char *out, size_t outsz) {
  if (seg == NULL) return 0;
  size_t n = format_path(seg->up, out, outsz);
  if (n >= outsz) return n;
  if (seg->name) {
    char shown[80];
    error_excerpt(shown, sizeof shown, seg->name, strlen(seg->name), 64);
    n += (size_t)snprintf(out + n, outsz - n, "%s%s", n ? "." : "", shown);
  } else {
    n += (size_t)snprintf(out + n, outsz - n, "[%zu]", seg->index);
  }
  return n < outsz ? n : outsz - 1;
}

/* The dotted path of the field being decoded, for an error message. */
static const char *path_text(decoder *d) {
  d->path[0] = '\0';
  format_path(d->top, d->path, sizeof d->path);
  return d->path;
}

static const char *json_type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "object";
  case JSON_ARRAY: return "array";
  case JSON_STRING: return "string";
  case JSON_INTEGER:
  case JSON_REAL: return "number";
  case JSON_TRUE:
  case JSON_FALSE: return "boolean";
  case JSON_NULL: return "null";
  }
  return "value";
}

static atesql_status wrong_type(decoder *d, const char *expected,
                                const json_t *v) {
  return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                   "field '%s': expected %s, got %s", path_text(d), expected,
                   json_type_name(v));
}

static atesql_status out_of_memory(decoder *d) {
  return error_set(d->err, ATESQL_NO_MEMORY, 0, "out of memory decoding '%s'",
                   path_text(d));
}

/* A decoded string in the arena; "" without an allocation. */
static atesql_status copy_string(decoder *d, const json_t *v,
                                 const char **out) {
  if (!json_is_string(v)) return wrong_type(d, "a string", v);
  size_t len = json_string_length(v);
  if (len == 0) {
    *out = empty_string;
    return ATESQL_OK;
  }
  char *s = arena_strndup(d->root, json_string_value(v), len);
  if (s == NULL) return out_of_memory(d);
  *out = s;
  return ATESQL_OK;
}

/* protojson's int64: a JSON integer, or a string of one in decimal. */
static atesql_status decode_int64(decoder *d, const json_t *v, int64_t *out) {
  if (json_is_integer(v)) {
    *out = (int64_t)json_integer_value(v);
    return ATESQL_OK;
  }
  if (!json_is_string(v)) return wrong_type(d, "an integer", v);
  const char *s = json_string_value(v);
  char *end;
  errno = 0;
  long long n = strtoll(s, &end, 10);
  bool digits = (s[0] >= '0' && s[0] <= '9') ||
                (s[0] == '-' && s[1] >= '0' && s[1] <= '9');
  if (!digits || *end != '\0' || errno == ERANGE) {
    char shown[80];
    error_excerpt(shown, sizeof shown, s, json_string_length(v), 64);
    return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                     "field '%s': '%s' is not a 64-bit integer", path_text(d),
                     shown);
  }
  *out = (int64_t)n;
  return ATESQL_OK;
}

/* "valid values: A, B, C" into buf. */
static void list_enum_names(const json_field *f, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; f->enum_name(i) != NULL && used < size; i++) {
    int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                     f->enum_name(i));
    if (n < 0) break;
    used += (size_t)n;
  }
}

/* protojson's enum: its proto name, or its number when it has a name. */
static atesql_status decode_enum(decoder *d, const json_field *f,
                                 const json_t *v, int *out) {
  char valid[256];
  if (json_is_integer(v)) {
    json_int_t n = json_integer_value(v);
    if (n >= 0 && n <= INT32_MAX && f->enum_name((int)n) != NULL) {
      *out = (int)n;
      return ATESQL_OK;
    }
    list_enum_names(f, valid, sizeof valid);
    return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                     "field '%s': unknown value %" JSON_INTEGER_FORMAT
                     "; valid values: %s",
                     path_text(d), n, valid);
  }
  if (!json_is_string(v)) return wrong_type(d, "an enum name", v);
  const char *name = json_string_value(v);
  for (int i = 0; f->enum_name(i) != NULL; i++) {
    if (strcmp(f->enum_name(i), name) == 0) {
      *out = i;
      return ATESQL_OK;
    }
  }
  char shown[80];
  error_excerpt(shown, sizeof shown, name, json_string_length(v), 64);
  list_enum_names(f, valid, sizeof valid);
  return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                   "field '%s': unknown value '%s'; valid values: %s",
                   path_text(d), shown, valid);
}

static atesql_status decode_string_list(decoder *d, const json_t *v,
                                        const char *const **items,
                                        size_t *count) {
  if (!json_is_array(v)) return wrong_type(d, "an array of strings", v);
  size_t n = json_array_size(v);
  if (n == 0) return ATESQL_OK;
  const char **out = arena_alloc(d->root, n * sizeof *out);
  if (out == NULL) return out_of_memory(d);
  for (size_t i = 0; i < n; i++) {
    path_seg seg;
    path_push(d, &seg, NULL, i);
    atesql_status st = copy_string(d, json_array_get(v, i), &out[i]);
    if (st != ATESQL_OK) return st;
    path_pop(d, &seg);
  }
  *items = out;
  *count = n;
  return ATESQL_OK;
}

static int compare_labels(const void *a, const void *b) {
  return strcmp(((const atesql_label *)a)->key, ((const atesql_label *)b)->key);
}

/* A map<string,string> object; keys are unique (the parser rejects
** duplicates), returned in byte order. */
static atesql_status decode_label_map(decoder *d, json_t *v,
                                      const atesql_label **labels,
                                      size_t *count) {
  if (!json_is_object(v)) return wrong_type(d, "an object of strings", v);
  size_t n = json_object_size(v);
  if (n == 0) return ATESQL_OK;
  atesql_label *out = arena_alloc(d->root, n * sizeof *out);
  if (out == NULL) return out_of_memory(d);
  size_t i = 0;
  const char *key;
  json_t *value;
  json_object_foreach(v, key, value) {
    path_seg seg;
    path_push(d, &seg, key, 0);
    size_t key_len = strlen(key);
    out[i].key = key_len ? arena_strndup(d->root, key, key_len) : empty_string;
    if (out[i].key == NULL) return out_of_memory(d);
    atesql_status st = copy_string(d, value, &out[i].value);
    if (st != ATESQL_OK) return st;
    path_pop(d, &seg);
    i++;
  }
  qsort(out, n, sizeof *out, compare_labels);
  *labels = out;
  *count = n;
  return ATESQL_OK;
}

static atesql_status decode_message(decoder *d, const json_message *m,
                                    json_t *obj, char *base);

/* One field's value; null leaves the zero value, as protojson does. */
static atesql_status decode_field(decoder *d, const json_field *f, json_t *v,
                                  char *base) {
  if (json_is_null(v)) return ATESQL_OK;
  switch (f->kind) {
  case KIND_STRING: return copy_string(d, v, member(base, f->offset));
  case KIND_INT64: return decode_int64(d, v, member(base, f->offset));
  case KIND_ENUM: return decode_enum(d, f, v, member(base, f->offset));
  case KIND_MESSAGE: return decode_message(d, f->message, v, base + f->offset);
  case KIND_STRING_LIST:
    return decode_string_list(d, v, member(base, f->offset),
                              member(base, f->count_offset));
  case KIND_LABEL_MAP:
    return decode_label_map(d, v, member(base, f->offset),
                            member(base, f->count_offset));
  }
  return error_set(d->err, ATESQL_INTERNAL, 0, "field '%s': bad table",
                   path_text(d));
}

static const json_field *find_field(const json_message *m, const char *name) {
  for (size_t i = 0; i < m->count; i++)
    if (strcmp(m->fields[i].json_name, name) == 0 ||
        strcmp(m->fields[i].snake_name, name) == 0)
      return &m->fields[i];
  return NULL;
}

/*
** Decode the members of obj into base by m's table. A member outside the
** table, or a field given under both of its names, is an error.
*/
static atesql_status decode_message(decoder *d, const json_message *m,
                                    json_t *obj, char *base) {
  if (!json_is_object(obj)) return wrong_type(d, "an object", obj);
  uint32_t seen = 0;
  _Static_assert(COUNT(actor_fields) <= 32,
                 "seen is a 32-bit mask; actor_fields is the largest table");
  const char *key;
  json_t *value;
  json_object_foreach(obj, key, value) {
    path_seg seg;
    path_push(d, &seg, key, 0);
    const json_field *f = find_field(m, key);
    if (f == NULL)
      return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0, "unknown field '%s'",
                       path_text(d));
    uint32_t bit = (uint32_t)1 << (f - m->fields);
    if (seen & bit)
      return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                       "field '%s': given twice (as '%s' and '%s')",
                       path_text(d), f->json_name, f->snake_name);
    seen |= bit;
    atesql_status st = decode_field(d, f, value, base);
    if (st != ATESQL_OK) return st;
    path_pop(d, &seg);
  }
  return ATESQL_OK;
}

/* Point every string field of m (nested ones too) at "", the zero value
** of a field the document leaves out. */
static void set_empty_strings(const json_message *m, char *base) {
  for (size_t i = 0; i < m->count; i++) {
    const json_field *f = &m->fields[i];
    if (f->kind == KIND_STRING)
      *(const char **)member(base, f->offset) = empty_string;
    if (f->kind == KIND_MESSAGE)
      set_empty_strings(f->message, base + f->offset);
  }
}

/*
** Parse text as one JSON object and decode it into base by m, allocating
** in the arena of root.
*/
static atesql_status decode_document(const char *text, size_t len,
                                     const json_message *m, void *root,
                                     char *base, atesql_error *err) {
  if (text == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "no JSON text");
  json_error_t jerr;
  json_t *doc =
      json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
  if (doc == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "invalid JSON at line %d column %d: %s", jerr.line,
                     jerr.column, jerr.text);
  atesql_status st;
  if (!json_is_object(doc)) {
    st = error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                   "expected one JSON object, got %s", json_type_name(doc));
  } else {
    decoder d = {root, err, NULL, ""};
    set_empty_strings(m, base);
    st = decode_message(&d, m, doc, base);
  }
  json_decref(doc);
  return st;
}

/*
** Why 4 * len + 64 bytes suffice. Only strings, string lists and label
** maps allocate; every one is a distinct part of the text, and escapes
** only shrink a string. An empty string allocates nothing (it points at a
** static ""), an empty list or map nothing. A string of d >= 1 bytes takes
** align8(d + 1) <= d + 8 bytes for at least d + 2 bytes of text (its
** quotes). A list element adds an 8-byte pointer for at least 3 bytes of
** text ("a" and a comma, or the brackets for the last): at worst d = 1,
** 16 bytes for 4 bytes of text. A label adds a 16-byte atesql_label for at
** least 6 bytes ("":"" and a comma or brace): at worst key and value of one
** byte each, 32 bytes for 8 bytes of text. A named field costs at least its
** name's text on top. So no part of the text allocates more than 4 times
** its length.
*/
size_t codec_nested_reserve(size_t json_len) {
  if (json_len > (SIZE_MAX - 64) / 4) return SIZE_MAX;
  return 4 * json_len + 64;
}

/* Decode a whole record of root_size bytes into a new arena; NULL on error
** with *status set. */
static void *decode_record(const char *text, size_t len, const json_message *m,
                           size_t root_size, atesql_status *status,
                           atesql_error *err) {
  size_t reserve = codec_nested_reserve(len);
  void *root = reserve == SIZE_MAX ? NULL : arena_new(root_size, reserve);
  if (root == NULL) {
    *status =
        error_set(err, ATESQL_NO_MEMORY, 0, "out of memory decoding JSON");
    return NULL;
  }
  *status = decode_document(text, len, m, root, root, err);
  if (*status == ATESQL_OK) return root;
  arena_free(root);
  return NULL;
}

atesql_status atesql_worker_from_json(const char *text, size_t len,
                                      atesql_worker **out, atesql_error *err) {
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "out is NULL");
  atesql_status st;
  *out = decode_record(text, len, &worker_message, sizeof **out, &st, err);
  return st;
}

atesql_status atesql_actor_from_json(const char *text, size_t len,
                                     atesql_actor **out, atesql_error *err) {
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "out is NULL");
  atesql_status st;
  *out = decode_record(text, len, &actor_message, sizeof **out, &st, err);
  return st;
}

atesql_status atesql_atespace_from_json(const char *text, size_t len,
                                        atesql_atespace **out,
                                        atesql_error *err) {
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "out is NULL");
  atesql_status st;
  *out = decode_record(text, len, &atespace_message, sizeof **out, &st, err);
  return st;
}

atesql_status codec_snapshot_info_from_json(const char *text, size_t len,
                                            void *arena_root,
                                            atesql_snapshot_info *out,
                                            atesql_error *err) {
  memset(out, 0, sizeof *out);
  return decode_document(text, len, &snapshot_info_message, arena_root,
                         (char *)out, err);
}

atesql_status codec_worker_selector_from_json(const char *text, size_t len,
                                              void *arena_root,
                                              const atesql_label **labels,
                                              size_t *count,
                                              atesql_error *err) {
  atesql_actor holder = {0};
  atesql_status st = decode_document(text, len, &worker_selector_message,
                                     arena_root, (char *)&holder, err);
  *labels = holder.worker_selector_labels;
  *count = holder.worker_selector_label_count;
  return st;
}
