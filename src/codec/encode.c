/*
** Records and the actors' JSON columns as protojson documents, by jansson,
** walking the field tables of codec/messages.c. Encoding is protojson's
** default Marshal: fields in declaration order, zero values (empty
** strings, 0, empty lists and maps) and unset messages left out, a set
** oneof member written even when empty, int64 as a string, enums by name
** or, without a name, by number.
*/
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json.h"
#include "codec/json_internal.h"
#include "util/error.h"
#include "util/utf8.h"

/* The encoder's first failure: INVALID_ARGUMENT (a string that is not
** UTF-8, a oneof case naming no member) or NO_MEMORY, and err (may be
** NULL) to fill with it, naming the field by its path. */
typedef struct encoder {
  atesql_status status;
  atesql_error *err;
  field_path path; /* to the field being encoded */
} encoder;

static json_t *encode_fail(encoder *e, atesql_status status, const char *fmt,
                           ...) __attribute__((format(printf, 3, 4)));

/* Record the first failure, err getting status and the message fmt
** formats; returns NULL, for the caller to return. */
static json_t *encode_fail(encoder *e, atesql_status status, const char *fmt,
                           ...) {
  if (e->status != ATESQL_OK) return NULL;
  e->status = status;
  if (e->err != NULL) {
    char message[sizeof e->err->message];
    va_list ap;
    va_start(ap, fmt);
    error_vformat(message, sizeof message, fmt, ap);
    va_end(ap);
    error_set(e->err, status, 0, "%s", message);
  }
  return NULL;
}

static json_t *out_of_memory(encoder *e) {
  return encode_fail(e, ATESQL_NO_MEMORY, "out of memory encoding JSON");
}

static json_t *encode_text(encoder *e, const char *s) {
  if (s == NULL) s = "";
  size_t len = strlen(s);
  size_t bad = utf8_invalid_offset(s, len);
  if (bad != len)
    return encode_fail(e, ATESQL_INVALID_ARGUMENT,
                       "field '%s': the string is not valid UTF-8 (byte %zu)",
                       path_text(&e->path), bad + 1);
  json_t *v = json_stringn_nocheck(s, len);
  return v ? v : out_of_memory(e);
}

/* Add value under key (a string known to be valid UTF-8); value NULL means
** its encoding failed and already set e->status. */
static bool encode_member(encoder *e, json_t *obj, const char *key,
                          json_t *value) {
  if (value == NULL) return false;
  if (json_object_set_new_nocheck(obj, key, value) == 0) return true;
  out_of_memory(e);
  return false;
}

static json_t *encode_message(encoder *e, const json_message *m, char *base);

static json_t *encode_string_list(encoder *e, const char *const *items,
                                  size_t n) {
  json_t *arr = json_array();
  if (arr == NULL) return out_of_memory(e);
  for (size_t i = 0; i < n; i++) {
    path_seg seg;
    path_push(&e->path, &seg, NULL, i);
    json_t *v = encode_text(e, items[i]);
    path_pop(&e->path, &seg);
    if (v == NULL) {
      json_decref(arr);
      return NULL;
    }
    if (json_array_append_new(arr, v) != 0) {
      json_decref(arr);
      return out_of_memory(e);
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
  if (obj == NULL) return out_of_memory(e);
  if (n == 0) return obj;
  const atesql_label **order = malloc(n * sizeof *order);
  if (order == NULL) {
    json_decref(obj);
    return out_of_memory(e);
  }
  for (size_t i = 0; i < n; i++)
    order[i] = &labels[i];
  qsort(order, n, sizeof *order, compare_label_ptrs);
  bool ok = true;
  for (size_t i = 0; ok && i < n; i++) {
    const char *key = order[i]->key ? order[i]->key : "";
    size_t key_len = strlen(key);
    size_t bad = utf8_invalid_offset(key, key_len);
    if (bad != key_len) {
      char shown[80];
      error_excerpt(shown, sizeof shown, key, key_len, 64);
      encode_fail(e, ATESQL_INVALID_ARGUMENT,
                  "field '%s': the key '%s' is not valid UTF-8 (byte %zu)",
                  path_text(&e->path), shown, bad + 1);
      ok = false;
    } else {
      path_seg seg;
      path_push(&e->path, &seg, key, 0);
      ok = encode_member(e, obj, key, encode_text(e, order[i]->value));
      path_pop(&e->path, &seg);
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
    if (value >= 0 && (size_t)value < f->enum_count)
      return encode_text(e, f->enum_names[value]);
    json_t *v = json_integer(value);
    return v ? v : out_of_memory(e);
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
  return encode_fail(e, ATESQL_INTERNAL, "field '%s': bad table",
                     path_text(&e->path));
}

/* A member of m's oneof when the oneof's case names none of its members
** (for the oneof's name and case); NULL when m has no oneof, or its case
** is unset or names a member. */
static const json_field *oneof_with_invalid_case(const json_message *m,
                                                 char *base) {
  const json_field *member_field = NULL;
  for (size_t i = 0; i < m->count; i++) {
    if (m->fields[i].oneof == NULL) continue;
    member_field = &m->fields[i];
    if (*(int *)member(base, member_field->oneof_case_offset) ==
        member_field->oneof_case)
      return NULL;
  }
  if (member_field == NULL ||
      *(int *)member(base, member_field->oneof_case_offset) == 0)
    return NULL;
  return member_field;
}

/* The populated fields of m, in table order (jansson keeps insertion
** order). */
static json_t *encode_message(encoder *e, const json_message *m, char *base) {
  const json_field *oneof = oneof_with_invalid_case(m, base);
  if (oneof != NULL)
    return encode_fail(e, ATESQL_INVALID_ARGUMENT,
                       "field '%s': oneof '%s' is %d, which names none of its "
                       "members",
                       path_text(&e->path), oneof->oneof,
                       *(int *)member(base, oneof->oneof_case_offset));
  json_t *obj = json_object();
  if (obj == NULL) return out_of_memory(e);
  for (size_t i = 0; i < m->count; i++) {
    const json_field *f = &m->fields[i];
    if (!field_is_populated(f, base)) continue;
    path_seg seg;
    path_push(&e->path, &seg, f->json_name, 0);
    bool ok = encode_member(e, obj, f->json_name, encode_field(e, f, base));
    path_pop(&e->path, &seg);
    if (!ok) {
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

atesql_status codec_encode_record(const json_message *m, const void *record,
                                  char **out, atesql_error *err) {
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "out is NULL");
  *out = NULL;
  if (record == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "the record is NULL");
  encoder e = {ATESQL_OK, err, {NULL, ""}};
  json_t *doc = encode_message(&e, m, (char *)record);
  if (doc == NULL) return e.status;
  *out = codec_dump_compact(doc);
  if (*out == NULL)
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory encoding JSON");
  return ATESQL_OK;
}

char *codec_encode_optional_column(const json_field *f, char *base) {
  encoder e = {ATESQL_OK, NULL, {NULL, ""}};
  json_t *v =
      field_is_populated(f, base) ? encode_field(&e, f, base) : json_null();
  return codec_dump_compact(v);
}
