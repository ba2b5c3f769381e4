/*
** Decoding protojson documents by jansson, walking the field tables of
** codec/messages.c. Decoding follows protojson's default Unmarshal:
** lowerCamelCase or proto (snake_case) names, null means unset, enums by
** name or by any 32-bit number, integers as JSON numbers or as strings
** holding one ("1e3", "4.0"), at most one member of a oneof; every other
** deviation is INVALID_ARGUMENT naming the field by its dotted path
** ("latestSnapshotInfo.local.snapshotPrefix").
*/
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json_internal.h"
#include "codec/number.h"
#include "util/arena.h"
#include "util/error.h"

const char codec_empty_string[] = "";

typedef struct decoder {
  void *root;        /* the arena strings and arrays are allocated in */
  atesql_error *err; /* may be NULL */
  field_path path;   /* to the field being decoded */
} decoder;

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
                   "field '%s': expected %s, got %s", path_text(&d->path),
                   expected, json_type_name(v));
}

static atesql_status out_of_memory(decoder *d) {
  return error_set(d->err, ATESQL_NO_MEMORY, 0, "out of memory decoding '%s'",
                   path_text(&d->path));
}

/* A decoded string in the arena; "" without an allocation. A NUL
** character (protojson allows "\u0000") cannot live in a C string, so it
** is refused by name rather than cut short. */
static atesql_status copy_string(decoder *d, const json_t *v,
                                 const char **out) {
  if (!json_is_string(v)) return wrong_type(d, "a string", v);
  size_t len = json_string_length(v);
  if (len == 0) {
    *out = codec_empty_string;
    return ATESQL_OK;
  }
  const char *text = json_string_value(v);
  if (memchr(text, '\0', len) != NULL)
    return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                     "field '%s': contains a NUL character (\\u0000), which "
                     "atesql cannot store",
                     path_text(&d->path));
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
                     path_text(&d->path), what);
  case NUMBER_OUT_OF_RANGE:
    return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                     "field '%s': the number is out of range for %s",
                     path_text(&d->path), what);
  case NUMBER_INVALID: break;
  }
  char shown[80];
  error_excerpt(shown, sizeof shown, json_string_value(v),
                json_string_length(v), 64);
  return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                   "field '%s': '%s' is not %s", path_text(&d->path), shown,
                   what);
}

/* "valid values: A, B, C" into buf. */
static void list_enum_names(const json_field *f, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < f->enum_count && used < size; i++) {
    int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                     f->enum_names[i]);
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
  for (size_t i = 0; i < f->enum_count; i++) {
    if (strcmp(f->enum_names[i], name) == 0) {
      *out = (int)i;
      return ATESQL_OK;
    }
  }
  char shown[80], valid[256];
  error_excerpt(shown, sizeof shown, name, json_string_length(v), 64);
  list_enum_names(f, valid, sizeof valid);
  return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                   "field '%s': unknown value '%s'; valid values: %s, or a "
                   "number",
                   path_text(&d->path), shown, valid);
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
    path_push(&d->path, &seg, NULL, i);
    atesql_status st = copy_string(d, json_array_get(v, i), &out[i]);
    if (st != ATESQL_OK) return st;
    path_pop(&d->path, &seg);
  }
  *items = out;
  *count = n;
  return ATESQL_OK;
}

int codec_compare_labels(const void *a, const void *b) {
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
    path_push(&d->path, &seg, key, 0);
    /* jansson refuses a NUL in a key while parsing. */
    out[i].key =
        key_len ? arena_strndup(d->root, key, key_len) : codec_empty_string;
    if (out[i].key == NULL) return out_of_memory(d);
    atesql_status st = copy_string(d, value, &out[i].value);
    if (st != ATESQL_OK) return st;
    path_pop(&d->path, &seg);
    i++;
  }
  qsort(out, n, sizeof *out, codec_compare_labels);
  *labels = out;
  *count = n;
  return ATESQL_OK;
}

static atesql_status decode_message(decoder *d, const json_message *m,
                                    json_t *obj, char *base);

/* A message with presence: a zeroed struct in the arena, pointed to. */
static atesql_status decode_message_ptr(decoder *d, const json_field *f,
                                        json_t *v, char *base) {
  if (!json_is_object(v)) return wrong_type(d, "an object", v);
  char *target = arena_alloc(d->root, f->size);
  if (target == NULL) return out_of_memory(d);
  codec_set_empty_strings(f->message, target);
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
                     path_text(&d->path), f->oneof);
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
                   path_text(&d->path));
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
  const char *key;
  json_t *value;
  json_object_foreach(obj, key, value) {
    path_seg seg;
    path_push(&d->path, &seg, key, 0);
    const json_field *f = find_field(m, key);
    if (f == NULL)
      return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0, "unknown field '%s'",
                       path_text(&d->path));
    uint32_t bit = (uint32_t)1 << (f - m->fields);
    if (seen & bit)
      return error_set(d->err, ATESQL_INVALID_ARGUMENT, 0,
                       "field '%s': given twice (as '%s' and '%s')",
                       path_text(&d->path), f->json_name, f->snake_name);
    seen |= bit;
    atesql_status st = decode_field(d, f, value, base);
    if (st != ATESQL_OK) return st;
    path_pop(&d->path, &seg);
  }
  return ATESQL_OK;
}

void codec_set_empty_strings(const json_message *m, char *base) {
  for (size_t i = 0; i < m->count; i++) {
    const json_field *f = &m->fields[i];
    if (f->kind == KIND_STRING)
      *(const char **)member(base, f->offset) = codec_empty_string;
    if (f->kind == KIND_MESSAGE)
      codec_set_empty_strings(f->message, base + f->offset);
  }
}

atesql_status codec_decode_document(const char *text, size_t len,
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
  decoder d = {root, err, {NULL, ""}};
  atesql_status st;
  if (f != NULL) {
    st = decode_field(&d, f, doc, base);
  } else if (!json_is_object(doc)) {
    st = error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                   "expected one JSON object, got %s", json_type_name(doc));
  } else {
    codec_set_empty_strings(m, base);
    st = decode_message(&d, m, doc, base);
  }
  json_decref(doc);
  return st;
}
