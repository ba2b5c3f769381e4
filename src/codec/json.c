/*
** Records as protojson documents, by jansson. Each message of ateapi.proto
** the library stores is a table of fields (JSON name, proto name, kind and
** offset in the C struct); one encoder and one decoder walk those tables,
** so a field is added by adding a row. Message fields with presence
** (Actor.latest_snapshot_info, Actor.worker_selector) are pointers, NULL
** when unset; the members of SnapshotInfo's oneof are flattened into
** atesql_snapshot_info, with `data` saying which one is set.
**
** Encoding is protojson's default Marshal: fields in declaration order,
** zero values (empty strings, 0, empty lists and maps) and unset messages
** left out, a set oneof member written even when empty, int64 as a
** string, enums by name or, without a name, by number.
**
** Decoding follows protojson's default Unmarshal: lowerCamelCase or proto
** (snake_case) names, null means unset, enums by name or by any 32-bit
** number, integers as JSON numbers or as strings holding one ("1e3",
** "4.0"), at most one member of a oneof; every other deviation is
** INVALID_ARGUMENT naming the field by its dotted path
** ("latestSnapshotInfo.local.snapshotPrefix"). A decoded record is one
** arena allocation sized by codec_nested_reserve.
*/
#include "codec/json.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
/* jsmn is one header: its functions static here, strict JSON tokens. */
#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/number.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/utf8.h"

typedef enum field_kind {
  KIND_STRING,      /* const char * */
  KIND_INT64,       /* int64_t; a JSON string on output, as protojson */
  KIND_ENUM,        /* an int-sized open enum; its proto name on output */
  KIND_MESSAGE,     /* a nested message flattened into the parent's struct */
  KIND_MESSAGE_PTR, /* a nested message with presence: a pointer, NULL unset */
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
  size_t size;         /* KIND_MESSAGE_PTR: of the struct pointed to */
  const char *(*enum_name)(int value); /* KIND_ENUM: NULL without a name */
  int enum_count;                      /* KIND_ENUM: names are 0..count-1 */
  const json_message *message;         /* KIND_MESSAGE, KIND_MESSAGE_PTR */
  /* A member of a oneof (KIND_MESSAGE only): the oneof's name, the offset
  ** of the int saying which member is set, and this member's value there. */
  const char *oneof;
  size_t oneof_case_offset;
  int oneof_case;
} json_field;

struct json_message {
  const json_field *fields;
  size_t count;
};

_Static_assert(sizeof(atesql_actor_status) == sizeof(int) &&
                   sizeof(atesql_snapshot_type) == sizeof(int) &&
                   sizeof(atesql_snapshot_data) == sizeof(int),
               "enum fields and the oneof case are read and written as int");

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
#define ENUM(json, snake, type, member, names, count)                          \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_ENUM,             \
    .offset = offsetof(type, member), .enum_name = (names),                    \
    .enum_count = (count)                                                      \
  }
#define ONEOF_MEMBER(json, snake, type, case_member, case_value, table)        \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_MESSAGE,          \
    .offset = 0, .message = &(table), .oneof = "data",                         \
    .oneof_case_offset = offsetof(type, case_member),                          \
    .oneof_case = (case_value)                                                 \
  }
#define OPTIONAL(json, snake, type, member, target, table)                     \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_MESSAGE_PTR,      \
    .offset = offsetof(type, member), .size = sizeof(target),                  \
    .message = &(table)                                                        \
  }
#define REPEATED(json, snake, kind_, type, member, count_member)               \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = (kind_),               \
    .offset = offsetof(type, member),                                          \
    .count_offset = offsetof(type, count_member)                               \
  }

/* Worker, in the declaration order of ateapi.proto. */
static const json_field worker_fields[] = {
    STRING("workerNamespace", "worker_namespace", atesql_worker,
           worker_namespace),
    STRING("workerPool", "worker_pool", atesql_worker, worker_pool),
    STRING("workerPod", "worker_pod", atesql_worker, worker_pod),
    STRING("actorNamespace", "actor_namespace", atesql_worker, actor_namespace),
    STRING("actorTemplate", "actor_template", atesql_worker, actor_template),
    STRING("actorId", "actor_id", atesql_worker, actor_id),
    STRING("ip", "ip", atesql_worker, ip),
    INT64("version", "version", atesql_worker, version),
    STRING("workerPodUid", "worker_pod_uid", atesql_worker, worker_pod_uid),
    STRING("nodeName", "node_name", atesql_worker, node_name),
    STRING("actorAtespace", "actor_atespace", atesql_worker, actor_atespace),
    /* atesql's own: upstream's Worker has no labels, so its documents
    ** (without the field) import as workers without labels. */
    REPEATED("labels", "labels", KIND_LABEL_MAP, atesql_worker, labels,
             label_count),
};

/* ExternalSnapshotInfo and LocalSnapshotInfo: flattened into
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
    ENUM("type", "type", atesql_snapshot_info, type, snapshot_type_name, 3),
    ONEOF_MEMBER("external", "external", atesql_snapshot_info, data,
                 ATESQL_SNAPSHOT_DATA_EXTERNAL, external_snapshot_message),
    ONEOF_MEMBER("local", "local", atesql_snapshot_info, data,
                 ATESQL_SNAPSHOT_DATA_LOCAL, local_snapshot_message),
};

static const json_message snapshot_info_message = MESSAGE(snapshot_info_fields);

static const json_field worker_selector_fields[] = {
    REPEATED("matchLabels", "match_labels", KIND_LABEL_MAP,
             atesql_worker_selector, match_labels, match_label_count),
};

static const json_message worker_selector_message =
    MESSAGE(worker_selector_fields);

/* The two message fields of Actor with presence; also the fields the
** store's JSON columns hold (codec_snapshot_info_to_json ...). */
#define LATEST_SNAPSHOT_INFO                                                   \
  OPTIONAL("latestSnapshotInfo", "latest_snapshot_info", atesql_actor,         \
           latest_snapshot_info, atesql_snapshot_info, snapshot_info_message)
#define WORKER_SELECTOR                                                        \
  OPTIONAL("workerSelector", "worker_selector", atesql_actor, worker_selector, \
           atesql_worker_selector, worker_selector_message)

static const json_field latest_snapshot_info_field = LATEST_SNAPSHOT_INFO;
static const json_field worker_selector_field = WORKER_SELECTOR;

/* Actor, in the declaration order of ateapi.proto. */
static const json_field actor_fields[] = {
    STRING("actorId", "actor_id", atesql_actor, actor_id),
    INT64("version", "version", atesql_actor, version),
    STRING("actorTemplateNamespace", "actor_template_namespace", atesql_actor,
           actor_template_namespace),
    STRING("actorTemplateName", "actor_template_name", atesql_actor,
           actor_template_name),
    ENUM("status", "status", atesql_actor, status, status_name, 7),
    STRING("ateomPodNamespace", "ateom_pod_namespace", atesql_actor,
           ateom_pod_namespace),
    STRING("ateomPodName", "ateom_pod_name", atesql_actor, ateom_pod_name),
    STRING("ateomPodIp", "ateom_pod_ip", atesql_actor, ateom_pod_ip),
    STRING("inProgressSnapshot", "in_progress_snapshot", atesql_actor,
           in_progress_snapshot),
    STRING("ateomPodUid", "ateom_pod_uid", atesql_actor, ateom_pod_uid),
    LATEST_SNAPSHOT_INFO,
    WORKER_SELECTOR,
    STRING("workerPoolName", "worker_pool_name", atesql_actor,
           worker_pool_name),
    STRING("atespace", "atespace", atesql_actor, atespace),
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

/* The encoder's first failure: INVALID_ARGUMENT (a string that is not
** UTF-8) or NO_MEMORY. */
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
    if (v == NULL) {
      json_decref(arr);
      return NULL;
    }
    if (json_array_append_new(arr, v) != 0) {
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

/* Whether protojson's default Marshal writes field f of the message at
** base: not for zero values and unset messages, always for the set member
** of a oneof. */
static bool field_is_populated(const json_field *f, char *base) {
  switch (f->kind) {
  case KIND_STRING: {
    const char *s = *(const char **)member(base, f->offset);
    return s != NULL && s[0] != '\0';
  }
  case KIND_INT64: return *(int64_t *)member(base, f->offset) != 0;
  case KIND_ENUM: return *(int *)member(base, f->offset) != 0;
  case KIND_MESSAGE:
    return *(int *)member(base, f->oneof_case_offset) == f->oneof_case;
  case KIND_MESSAGE_PTR: return *(void **)member(base, f->offset) != NULL;
  case KIND_STRING_LIST:
  case KIND_LABEL_MAP: return *(size_t *)member(base, f->count_offset) != 0;
  }
  return false;
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
    int value = *(int *)member(base, f->offset);
    const char *name = f->enum_name(value);
    if (name) return encode_text(e, name);
    json_t *v = json_integer(value);
    return v ? v : encode_fail(e, ATESQL_NO_MEMORY);
  }
  case KIND_MESSAGE: return encode_message(e, f->message, base + f->offset);
  case KIND_MESSAGE_PTR:
    return encode_message(e, f->message, *(char **)member(base, f->offset));
  case KIND_STRING_LIST:
    return encode_string_list(e, *(const char *const **)member(base, f->offset),
                              *(size_t *)member(base, f->count_offset));
  case KIND_LABEL_MAP:
    return encode_label_map(e, *(const atesql_label **)member(base, f->offset),
                            *(size_t *)member(base, f->count_offset));
  }
  return encode_fail(e, ATESQL_INTERNAL);
}

/* Whether the oneof case of m (if m has a oneof) is unset or names one of
** its members. */
static bool oneof_case_is_valid(const json_message *m, char *base) {
  const json_field *member_field = NULL;
  for (size_t i = 0; i < m->count; i++) {
    if (m->fields[i].oneof == NULL) continue;
    member_field = &m->fields[i];
    if (*(int *)member(base, member_field->oneof_case_offset) ==
        member_field->oneof_case)
      return true;
  }
  return member_field == NULL ||
         *(int *)member(base, member_field->oneof_case_offset) == 0;
}

/* The populated fields of m, in table order (jansson keeps insertion
** order). */
static json_t *encode_message(encoder *e, const json_message *m, char *base) {
  if (!oneof_case_is_valid(m, base))
    return encode_fail(e, ATESQL_INVALID_ARGUMENT);
  json_t *obj = json_object();
  if (obj == NULL) return encode_fail(e, ATESQL_NO_MEMORY);
  for (size_t i = 0; i < m->count; i++) {
    const json_field *f = &m->fields[i];
    if (!field_is_populated(f, base)) continue;
    if (!encode_member(e, obj, f->json_name, encode_field(e, f, base))) {
      json_decref(obj);
      return NULL;
    }
  }
  return obj;
}

char *codec_dump_compact(json_t *doc) {
  if (doc == NULL) return NULL;
  size_t size = json_dumpb(doc, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
  char *out = size ? malloc(size + 1) : NULL;
  if (out && json_dumpb(doc, out, size, JSON_COMPACT | JSON_ENCODE_ANY) !=
                 size) { /* out of memory inside jansson */
    free(out);
    out = NULL;
  }
  if (out) out[size] = '\0';
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

/* The JSON value of an optional message field of the actor at base: its
** message, or null when unset. A string to free(), NULL on failure. */
static char *encode_optional_column(const json_field *f, char *base) {
  encoder e = {ATESQL_OK};
  json_t *v =
      field_is_populated(f, base) ? encode_field(&e, f, base) : json_null();
  return codec_dump_compact(v);
}

char *codec_snapshot_info_to_json(const atesql_snapshot_info *info) {
  atesql_actor holder = {.latest_snapshot_info = info};
  return encode_optional_column(&latest_snapshot_info_field, (char *)&holder);
}

char *codec_worker_selector_to_json(const atesql_worker_selector *selector) {
  atesql_actor holder = {.worker_selector = selector};
  return encode_optional_column(&worker_selector_field, (char *)&holder);
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

/* A decoded string in the arena; "" without an allocation. A NUL
** character (protojson allows "\u0000") cannot live in a C string, so it
** is refused by name rather than cut short. */
static atesql_status copy_string(decoder *d, const json_t *v,
                                 const char **out) {
  if (!json_is_string(v)) return wrong_type(d, "a string", v);
  size_t len = json_string_length(v);
  if (len == 0) {
    *out = empty_string;
    return ATESQL_OK;
  }
  const char *text = json_string_value(v);
  if (memchr(text, '\0', len) != NULL)
    return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                     "field '%s': contains a NUL character (\\u0000), which "
                     "atesql cannot store",
                     path_text(d));
  char *s = arena_strndup(d->root, text, len);
  if (s == NULL) return out_of_memory(d);
  *out = s;
  return ATESQL_OK;
}

/* 2^53: every integer up to it is exact in a double. */
#define EXACT_DOUBLE_LIMIT 9007199254740992.0

/*
** An integer in [min, max] the way protojson reads one: a JSON number
** whose value is an integer (7, 2.0, 1e3), or a string holding such a
** number ("7", "1e3", "4.0"). `what` names the type in messages ("a
** 64-bit integer"). Numbers with a fraction or exponent, and those beyond
** 64 bits, reach here already replaced by codec_exact_numbers: exact
** integers, 0.5 for one with a fraction, 1e300 for one out of range.
*/
static atesql_status decode_integer(decoder *d, const json_t *v, int64_t min,
                                    int64_t max, const char *what,
                                    int64_t *out) {
  number_class c;
  if (json_is_integer(v)) {
    json_int_t n = json_integer_value(v);
    c = n < min || n > max ? NUMBER_OUT_OF_RANGE : NUMBER_INTEGER;
    *out = (int64_t)n;
  } else if (json_is_real(v)) {
    double x = json_real_value(v);
    if (!(x >= -EXACT_DOUBLE_LIMIT && x <= EXACT_DOUBLE_LIMIT))
      c = NUMBER_OUT_OF_RANGE;
    else if ((double)(int64_t)x != x)
      c = NUMBER_NOT_INTEGER;
    else
      c = x < (double)min || x > (double)max ? NUMBER_OUT_OF_RANGE
                                             : NUMBER_INTEGER;
    *out = c == NUMBER_INTEGER ? (int64_t)x : 0;
  } else if (json_is_string(v)) {
    c = codec_classify_number(json_string_value(v), json_string_length(v), min,
                              max, out);
  } else {
    return wrong_type(d, what, v);
  }
  switch (c) {
  case NUMBER_INTEGER: return ATESQL_OK;
  case NUMBER_NOT_INTEGER:
    return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                     "field '%s': the number has a fraction; expected %s",
                     path_text(d), what);
  case NUMBER_OUT_OF_RANGE:
    return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                     "field '%s': the number is out of range for %s",
                     path_text(d), what);
  case NUMBER_INVALID: break;
  }
  char shown[80];
  error_excerpt(shown, sizeof shown, json_string_value(v),
                json_string_length(v), 64);
  return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                   "field '%s': '%s' is not %s", path_text(d), shown, what);
}

/* "valid values: A, B, C" into buf. */
static void list_enum_names(const json_field *f, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < f->enum_count && used < size; i++) {
    int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                     f->enum_name(i));
    if (n < 0) break;
    used += (size_t)n;
  }
}

/* protojson's open enum: a proto name, or any 32-bit number (named or
** not, as proto3 enums are open). */
static atesql_status decode_enum(decoder *d, const json_field *f,
                                 const json_t *v, int *out) {
  if (!json_is_string(v)) {
    int64_t n;
    atesql_status st = decode_integer(d, v, INT32_MIN, INT32_MAX,
                                      "an enum name or 32-bit number", &n);
    if (st == ATESQL_OK) *out = (int)n;
    return st;
  }
  const char *name = json_string_value(v);
  for (int i = 0; i < f->enum_count; i++) {
    if (strcmp(f->enum_name(i), name) == 0) {
      *out = i;
      return ATESQL_OK;
    }
  }
  char shown[80], valid[256];
  error_excerpt(shown, sizeof shown, name, json_string_length(v), 64);
  list_enum_names(f, valid, sizeof valid);
  return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                   "field '%s': unknown value '%s'; valid values: %s, or a "
                   "number",
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
  size_t key_len;
  json_t *value;
  json_object_keylen_foreach(v, key, key_len, value) {
    path_seg seg;
    path_push(d, &seg, key, 0);
    /* jansson refuses a NUL in a key while parsing. */
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
static void set_empty_strings(const json_message *m, char *base);

/* A message with presence: a zeroed struct in the arena, pointed to. */
static atesql_status decode_message_ptr(decoder *d, const json_field *f,
                                        json_t *v, char *base) {
  if (!json_is_object(v)) return wrong_type(d, "an object", v);
  char *target = arena_alloc(d->root, f->size);
  if (target == NULL) return out_of_memory(d);
  set_empty_strings(f->message, target);
  *(char **)member(base, f->offset) = target;
  return decode_message(d, f->message, v, target);
}

/* A member of a oneof: refused when another member is already set. */
static atesql_status decode_oneof_member(decoder *d, const json_field *f,
                                         json_t *v, char *base) {
  int *set_case = member(base, f->oneof_case_offset);
  if (*set_case != 0)
    return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                     "field '%s': oneof '%s' is already set; at most one of "
                     "its members may be given",
                     path_text(d), f->oneof);
  *set_case = f->oneof_case;
  return decode_message(d, f->message, v, base + f->offset);
}

/* One field's value; null leaves the field unset, as protojson does. */
static atesql_status decode_field(decoder *d, const json_field *f, json_t *v,
                                  char *base) {
  if (json_is_null(v)) return ATESQL_OK;
  switch (f->kind) {
  case KIND_STRING: return copy_string(d, v, member(base, f->offset));
  case KIND_INT64:
    return decode_integer(d, v, INT64_MIN, INT64_MAX, "a 64-bit integer",
                          member(base, f->offset));
  case KIND_ENUM: return decode_enum(d, f, v, member(base, f->offset));
  case KIND_MESSAGE: return decode_oneof_member(d, f, v, base);
  case KIND_MESSAGE_PTR: return decode_message_ptr(d, f, v, base);
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

/* Point every string field of m (and of the messages flattened into it)
** at "", the zero value of a field the document leaves out. */
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
** Parse text and decode it into base, allocating in the arena of root:
** as field f's value when f is not NULL (a JSON column), else as a
** message of table m. Documents from callers (exact_numbers) first have
** their numbers made exact for jansson (codec_exact_numbers); the store's
** own columns hold only plain integers.
*/
static atesql_status decode_document(const char *text, size_t len,
                                     const json_field *f, const json_message *m,
                                     bool exact_numbers, void *root, char *base,
                                     atesql_error *err) {
  if (text == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "no JSON text");
  char *exact = NULL;
  if (exact_numbers) {
    bool oom;
    size_t exact_len;
    exact = codec_exact_numbers(text, len, &exact_len, &oom);
    if (oom)
      return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory reading JSON");
    if (exact) {
      text = exact;
      len = exact_len;
    }
  }
  json_error_t jerr;
  /* A NUL character in a string is let through for the decoder to refuse
  ** naming its field. */
  json_t *doc = json_loadb(
      text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL,
      &jerr);
  free(exact);
  if (doc == NULL && json_error_code(&jerr) == json_error_out_of_memory)
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory reading JSON");
  if (doc == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "invalid JSON at line %d column %d: %s", jerr.line,
                     jerr.column, jerr.text);
  decoder d = {root, err, NULL, ""};
  atesql_status st;
  if (f != NULL) {
    st = decode_field(&d, f, doc, base);
  } else if (!json_is_object(doc)) {
    st = error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                   "expected one JSON object, got %s", json_type_name(doc));
  } else {
    set_empty_strings(m, base);
    st = decode_message(&d, m, doc, base);
  }
  json_decref(doc);
  return st;
}

/* ---- Stored columns, by token ------------------------------------------ */

/*
** A list decodes the two JSON columns of every actor it returns, documents
** the encoder above wrote: compact, and in practice free of escapes and
** numbers. jsmn, a tokenizer that allocates nothing, splits such a
** document into tokens in one pass, and the walk below decodes them by the
** same tables, without building a jansson tree per row.
**
** jsmn is lax (it does not check the punctuation between tokens, nor
** decode escapes), so the walk takes a document only when its tokens are
** exactly JSON that jansson reads the same way: whitespace, ':' and ','
** where JSON puts them and nothing else between tokens; strings without
** escapes or control characters and in valid UTF-8 (their bytes are then
** their value); null as the only literal; no key twice; every value of a
** kind its field takes. It declines everything else (numbers, escapes,
** errors of any sort): the arena is rewound to where it was, and jansson
** decodes the document as before, with the same result or the same error
** (and a record stays one allocation).
*/

enum { COLUMN_TOKENS = 64, COLUMN_MAX_LEN = 1 << 20 };

typedef enum token_result {
  TOKENS_DECODED,
  TOKENS_DECLINED, /* left to jansson */
  TOKENS_NO_MEMORY
} token_result;

typedef struct token_doc {
  const char *text;
  const jsmntok_t *tok;
  int count;
  void *root; /* the arena decoded values go to */
} token_doc;

/* Where a token's text begins and ends: strings with their quotes. */
static int token_begin(const jsmntok_t *t) {
  return t->type == JSMN_STRING ? t->start - 1 : t->start;
}

static int token_end(const jsmntok_t *t) {
  return t->type == JSMN_STRING ? t->end + 1 : t->end;
}

/* Whether text[from..to) is JSON whitespace around exactly one `sep`, or
** whitespace only when sep is 0. */
static bool gap_is(const token_doc *d, int from, int to, char sep) {
  bool seen = sep == 0;
  for (int i = from; i < to; i++) {
    char c = d->text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c != sep || seen) return false;
    seen = true;
  }
  return seen;
}

/* A string whose bytes are its value: no escape, no control character,
** valid UTF-8 (what jansson would refuse, or decode otherwise, is not). */
static bool plain_string(const token_doc *d, const jsmntok_t *t) {
  if (t->type != JSMN_STRING) return false;
  const unsigned char *s = (const unsigned char *)d->text + t->start;
  size_t n = (size_t)(t->end - t->start);
  unsigned char high = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < 0x20 || s[i] == '\\') return false;
    high |= s[i];
  }
  return high < 0x80 || utf8_invalid_offset((const char *)s, n) == n;
}

static bool is_null(const token_doc *d, const jsmntok_t *t) {
  return t->type == JSMN_PRIMITIVE && t->end - t->start == 4 &&
         memcmp(d->text + t->start, "null", 4) == 0;
}

/* Whether a string token's bytes are name: then it is a plain string. */
static bool token_equals(const token_doc *d, const jsmntok_t *t,
                         const char *name) {
  size_t n = (size_t)(t->end - t->start);
  return t->type == JSMN_STRING && strncmp(name, d->text + t->start, n) == 0 &&
         name[n] == '\0';
}

/* A plain string token's value in the arena; "" without an allocation. */
static token_result token_string(token_doc *d, const jsmntok_t *t,
                                 const char **out) {
  size_t n = (size_t)(t->end - t->start);
  *out = n ? arena_strndup(d->root, d->text + t->start, n) : empty_string;
  return *out ? TOKENS_DECODED : TOKENS_NO_MEMORY;
}

/* The members of an object token, in order: `pos` is where the text after
** the last value read begins, `next` the token that follows it. */
typedef struct members {
  int object, left, pos, next;
  bool first;
} members;

static void members_start(const token_doc *d, int object, members *m) {
  *m = (members){object, d->tok[object].size, d->tok[object].start + 1,
                 object + 1, true};
}

/* The next member's key token in *key, its value the token after it: 1;
** 0 at the end of a well-formed object; -1 when the text around the
** tokens is not JSON. The caller checks the key itself. */
static int members_next(const token_doc *d, members *m, int *key) {
  if (m->left == 0)
    return gap_is(d, m->pos, d->tok[m->object].end - 1, 0) ? 0 : -1;
  int k = m->next;
  if (k + 1 >= d->count) return -1;
  const jsmntok_t *kt = &d->tok[k];
  if (kt->type != JSMN_STRING || kt->size != 1 ||
      !gap_is(d, m->pos, kt->start - 1, m->first ? 0 : ',') ||
      !gap_is(d, kt->end + 1, token_begin(&d->tok[k + 1]), ':'))
    return -1;
  m->left--;
  m->first = false;
  *key = k;
  return 1;
}

/* The member's value was token `value`, and the token after it is next. */
static void members_read(const token_doc *d, members *m, int value, int next) {
  m->pos = token_end(&d->tok[value]);
  m->next = next;
}

static token_result tokens_message(token_doc *d, const json_message *m, int v,
                                   char *base, int *next);

/* The string list at token v: an array of plain strings. */
static token_result tokens_string_list(token_doc *d, const json_field *f, int v,
                                       char *base, int *next) {
  const jsmntok_t *arr = &d->tok[v];
  if (arr->type != JSMN_ARRAY || v + arr->size >= d->count)
    return TOKENS_DECLINED;
  size_t n = (size_t)arr->size;
  const char **items = NULL;
  if (n && (items = arena_alloc(d->root, n * sizeof *items)) == NULL)
    return TOKENS_NO_MEMORY;
  int pos = arr->start + 1;
  for (size_t i = 0; i < n; i++) {
    const jsmntok_t *t = &d->tok[v + 1 + (int)i];
    if (!plain_string(d, t) || !gap_is(d, pos, token_begin(t), i ? ',' : 0))
      return TOKENS_DECLINED;
    if (token_string(d, t, &items[i]) != TOKENS_DECODED)
      return TOKENS_NO_MEMORY;
    pos = token_end(t);
  }
  if (!gap_is(d, pos, arr->end - 1, 0)) return TOKENS_DECLINED;
  if (n) {
    *(const char *const **)member(base, f->offset) = items;
    *(size_t *)member(base, f->count_offset) = n;
  }
  *next = v + 1 + arr->size;
  return TOKENS_DECODED;
}

/* The label map at token v: an object of plain strings, sorted by key as
** decode_label_map does; a key given twice (jansson refuses it) is left to
** jansson. */
static token_result tokens_label_map(token_doc *d, const json_field *f, int v,
                                     char *base, int *next) {
  if (d->tok[v].type != JSMN_OBJECT) return TOKENS_DECLINED;
  size_t n = (size_t)d->tok[v].size;
  atesql_label *labels = NULL;
  if (n && (labels = arena_alloc(d->root, n * sizeof *labels)) == NULL)
    return TOKENS_NO_MEMORY;
  members m;
  members_start(d, v, &m);
  int key, r;
  for (size_t i = 0; (r = members_next(d, &m, &key)) == 1; i++) {
    const jsmntok_t *kt = &d->tok[key], *vt = &d->tok[key + 1];
    if (!plain_string(d, kt) || !plain_string(d, vt)) return TOKENS_DECLINED;
    if (token_string(d, kt, &labels[i].key) != TOKENS_DECODED ||
        token_string(d, vt, &labels[i].value) != TOKENS_DECODED)
      return TOKENS_NO_MEMORY;
    members_read(d, &m, key + 1, key + 2);
  }
  if (r < 0) return TOKENS_DECLINED;
  if (n > 1) qsort(labels, n, sizeof *labels, compare_labels);
  for (size_t i = 1; i < n; i++)
    if (strcmp(labels[i - 1].key, labels[i].key) == 0) return TOKENS_DECLINED;
  if (n) {
    *(const atesql_label **)member(base, f->offset) = labels;
    *(size_t *)member(base, f->count_offset) = n;
  }
  *next = m.next;
  return TOKENS_DECODED;
}

/* An enum by its proto name; a number, or a name it does not have, is
** left to jansson. */
static token_result tokens_enum(token_doc *d, const json_field *f, int v,
                                char *base) {
  for (int i = 0; i < f->enum_count; i++) {
    if (!token_equals(d, &d->tok[v], f->enum_name(i))) continue;
    *(int *)member(base, f->offset) = i;
    return TOKENS_DECODED;
  }
  return TOKENS_DECLINED;
}

/* Field f's value at token v, as decode_field takes it; *next receives
** the token after the value. */
static token_result tokens_field(token_doc *d, const json_field *f, int v,
                                 char *base, int *next) {
  const jsmntok_t *t = &d->tok[v];
  *next = v + 1;
  if (is_null(d, t)) return TOKENS_DECODED;
  switch (f->kind) {
  case KIND_STRING:
    if (!plain_string(d, t)) return TOKENS_DECLINED;
    return token_string(d, t, member(base, f->offset));
  case KIND_ENUM: return tokens_enum(d, f, v, base);
  case KIND_MESSAGE:
    if (t->type != JSMN_OBJECT) return TOKENS_DECLINED;
    *(int *)member(base, f->oneof_case_offset) = f->oneof_case;
    return tokens_message(d, f->message, v, base + f->offset, next);
  case KIND_MESSAGE_PTR: {
    if (t->type != JSMN_OBJECT) return TOKENS_DECLINED;
    char *target = arena_alloc(d->root, f->size);
    if (target == NULL) return TOKENS_NO_MEMORY;
    set_empty_strings(f->message, target);
    *(char **)member(base, f->offset) = target;
    return tokens_message(d, f->message, v, target, next);
  }
  case KIND_STRING_LIST: return tokens_string_list(d, f, v, base, next);
  case KIND_LABEL_MAP: return tokens_label_map(d, f, v, base, next);
  case KIND_INT64: break;
  }
  return TOKENS_DECLINED;
}

/* The object at token v as message m: every key a field of m's table
** given once, at most one member of its oneof set (null members aside). */
static token_result tokens_message(token_doc *d, const json_message *m, int v,
                                   char *base, int *next) {
  uint32_t seen = 0;
  bool oneof_set = false;
  members it;
  members_start(d, v, &it);
  int key, r;
  while ((r = members_next(d, &it, &key)) == 1) {
    const json_field *f = NULL;
    for (size_t i = 0; f == NULL && i < m->count; i++)
      if (token_equals(d, &d->tok[key], m->fields[i].json_name) ||
          token_equals(d, &d->tok[key], m->fields[i].snake_name))
        f = &m->fields[i];
    if (f == NULL || (seen & (uint32_t)1 << (f - m->fields)))
      return TOKENS_DECLINED;
    seen |= (uint32_t)1 << (f - m->fields);
    if (f->oneof && !is_null(d, &d->tok[key + 1])) {
      if (oneof_set) return TOKENS_DECLINED;
      oneof_set = true;
    }
    int after;
    token_result res = tokens_field(d, f, key + 1, base, &after);
    if (res != TOKENS_DECODED) return res;
    members_read(d, &it, key + 1, after);
  }
  if (r < 0) return TOKENS_DECLINED;
  *next = it.next;
  return TOKENS_DECODED;
}

/*
** The column text as field f's value (decode_document's job for a column),
** into base, when its tokens are JSON the walk takes. What it declines it
** may have half written: the caller rewinds the arena and clears f.
*/
static token_result decode_column_tokens(const char *text, size_t len,
                                         const json_field *f, void *root,
                                         char *base) {
  if (len == 4 && memcmp(text, "null", 4) == 0) return TOKENS_DECODED;
  if (len > COLUMN_MAX_LEN) return TOKENS_DECLINED;
  jsmntok_t tok[COLUMN_TOKENS];
  jsmn_parser parser;
  jsmn_init(&parser);
  int count = jsmn_parse(&parser, text, len, tok, COLUMN_TOKENS);
  if (count < 1) return TOKENS_DECLINED;
  token_doc d = {text, tok, count, root};
  if (!gap_is(&d, 0, token_begin(&tok[0]), 0) ||
      !gap_is(&d, token_end(&tok[0]), (int)len, 0))
    return TOKENS_DECLINED;
  int next;
  token_result r = tokens_field(&d, f, 0, base, &next);
  return r == TOKENS_DECODED && next != count ? TOKENS_DECLINED : r;
}

/*
** Why 4 * len + 64 bytes suffice. Only strings, string lists, label maps
** and set optional messages allocate; every one is a distinct part of the
** text, and escapes only shrink a string. An empty string allocates
** nothing (it points at a static ""), an empty list or map nothing. A
** string of d >= 1 bytes takes align8(d + 1) <= d + 8 bytes for at least
** d + 2 bytes of text (its quotes). A list element adds an 8-byte pointer
** for at least 3 bytes of text ("a" and a comma, or the brackets for the
** last): at worst d = 1, 16 bytes for 4 bytes of text. A label adds a
** 16-byte atesql_label for at least 6 bytes ("":"" and a comma or brace):
** at worst key and value of one byte each, 32 bytes for 8 bytes of text.
** An optional message takes its struct (at most 40 bytes) for at least
** its name and "{}" ("workerSelector":{} is 19 bytes, for a 16-byte
** struct; "latestSnapshotInfo":{} 23 for 40). A named field costs at least
** its name's text on top. So no part of the text allocates more than 4
** times its length.
*/
size_t codec_nested_reserve(size_t json_len) {
  if (json_len > (SIZE_MAX - 64) / 4) return SIZE_MAX;
  return 4 * json_len + 64;
}

_Static_assert(sizeof(atesql_snapshot_info) <= 40 &&
                   sizeof(atesql_worker_selector) <= 16,
               "codec_nested_reserve's bound counts on these sizes");

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
  *status = decode_document(text, len, NULL, m, true, root, root, err);
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

atesql_status codec_column_from_json(codec_column column, const char *text,
                                     size_t len, void *arena_root,
                                     bool jansson_only, atesql_actor *holder,
                                     atesql_error *err) {
  const json_field *f = column == CODEC_COLUMN_SNAPSHOT_INFO
                            ? &latest_snapshot_info_field
                            : &worker_selector_field;
  if (text == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "no JSON text");
  if (!jansson_only) {
    arena_mark mark = arena_save(arena_root);
    token_result r =
        decode_column_tokens(text, len, f, arena_root, (char *)holder);
    if (r == TOKENS_DECODED) return ATESQL_OK;
    if (r == TOKENS_NO_MEMORY)
      return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory decoding '%s'",
                       f->json_name);
    arena_rewind(arena_root, mark);
    *(void **)member((char *)holder, f->offset) = NULL;
  }
  return decode_document(text, len, f, NULL, false, arena_root, (char *)holder,
                         err);
}

atesql_status codec_snapshot_info_from_json(const char *text, size_t len,
                                            void *arena_root,
                                            const atesql_snapshot_info **out,
                                            atesql_error *err) {
  atesql_actor holder = {0};
  atesql_status st = codec_column_from_json(
      CODEC_COLUMN_SNAPSHOT_INFO, text, len, arena_root, false, &holder, err);
  *out = holder.latest_snapshot_info;
  return st;
}

atesql_status
codec_worker_selector_from_json(const char *text, size_t len, void *arena_root,
                                const atesql_worker_selector **out,
                                atesql_error *err) {
  atesql_actor holder = {0};
  atesql_status st = codec_column_from_json(
      CODEC_COLUMN_WORKER_SELECTOR, text, len, arena_root, false, &holder, err);
  *out = holder.worker_selector;
  return st;
}
