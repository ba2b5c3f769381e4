/*
** The record columns of record.h: check, bind, decode and name a record
** of any resource by walking its column table.
*/
#include "store/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json.h"
#include "store/labels.h"
#include "store/messages.h"
#include "util/arena.h"

/* The member of the record at base that a column's offset names. */
static void *member(void *base, size_t offset) { return (char *)base + offset; }
static const void *cmember(const void *base, size_t offset) {
  return (const char *)base + offset;
}

static const char *text_at(const void *record, const field_def *f) {
  return *(const char *const *)cmember(record, f->offset);
}

atesql_status record_check_key(atesql_store *s, const resource_def *res,
                               const char *const *parts, bool for_write) {
  atesql_status st = ATESQL_OK;
  for (size_t i = 0; st == ATESQL_OK && i < res->key_count; i++)
    st = for_write ? check_indexed_text(s, res->fields[i].name, parts[i], true)
                   : check_text(s, res->fields[i].name, parts[i], false);
  return st;
}

/* Check column i of record for writing: key parts are required, the
** selectable columns are indexed text, nested values are checked. */
static atesql_status check_column(atesql_store *s, const resource_def *res,
                                  size_t i, const void *record) {
  const field_def *f = &res->fields[i];
  switch (f->type) {
  case FIELD_TEXT:
    return i < res->field_count
               ? check_indexed_text(s, f->name, text_at(record, f),
                                    i < res->key_count)
               : check_text(s, f->name, text_at(record, f), false);
  case FIELD_LABEL_MAP:
    return labels_check(
        s, *(const atesql_label *const *)cmember(record, f->offset),
        *(const size_t *)cmember(record, f->count_offset));
  case FIELD_MESSAGE:
    return message_check(s, f->message,
                         *(const void *const *)cmember(record, f->offset));
  default: return ATESQL_OK;
  }
}

/* Bind column i of record into b (a JSON column's text owned by b). */
static bool bind_column(const resource_def *res, size_t i, const void *record,
                        int64_t version, bound_record *b) {
  const field_def *f = &res->fields[i];
  const void *at = cmember(record, f->offset);
  switch (f->type) {
  case FIELD_TEXT: b->params[i] = param_text(text_at(record, f)); return true;
  case FIELD_ENUM: b->params[i] = param_int64(*(const int *)at); return true;
  case FIELD_INT64:
    b->params[i] = param_int64(f->version ? version : *(const int64_t *)at);
    return true;
  case FIELD_LABEL_MAP:
    b->json[i] =
        labels_to_json(*(const atesql_label *const *)at,
                       *(const size_t *)cmember(record, f->count_offset));
    break;
  case FIELD_MESSAGE:
    b->json[i] = codec_message_to_json(f->message, *(const void *const *)at);
    break;
  default: return false;
  }
  b->params[i] = param_text(b->json[i]);
  return b->json[i] != NULL;
}

atesql_status record_bind(atesql_store *s, const resource_def *res,
                          const void *record, int64_t version,
                          bound_record *b) {
  memset(b, 0, sizeof *b);
  if (record == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "%s is NULL", res->kind);
  atesql_status st = ATESQL_OK;
  for (size_t i = 0; st == ATESQL_OK && i < res->column_count; i++)
    st = check_column(s, res, i, record);
  if (st != ATESQL_OK) return st;
  b->count = res->column_count;
  for (size_t i = 0; i < res->column_count; i++)
    if (!bind_column(res, i, record, version, b))
      return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  return ATESQL_OK;
}

void record_unbind(bound_record *b) {
  for (size_t i = 0; i < RECORD_MAX_COLUMNS; i++)
    free(b->json[i]);
  memset(b, 0, sizeof *b);
}

/*
** The text columns of res among its first `columns`, whose text
** record_decode found in text[] and len[], into item: pointed to when the
** query lends its text (q->borrow_text), else copied, NUL-terminated,
** into one allocation from root's arena. False when out of memory.
*/
static bool place_texts(const resource_def *res, const query *q,
                        const char *const *text, const size_t *len,
                        size_t columns, size_t total, void *root, void *item) {
  char *copy = q->borrow_text ? NULL : arena_alloc_uninit(root, total);
  if (!q->borrow_text && copy == NULL) return false;
  for (size_t i = 0; i < columns; i++) {
    const field_def *f = &res->fields[i];
    if (f->type != FIELD_TEXT) continue;
    const char **field = member(item, f->offset);
    if (q->borrow_text) {
      *field = text[i];
      continue;
    }
    memcpy(copy, text[i], len[i]);
    copy[len[i]] = '\0';
    *field = copy;
    copy += len[i] + 1;
  }
  return true;
}

/* A stored JSON column that could not be read: out of memory, else the
** column is not what the store writes. */
static atesql_status
stored_column_failed(atesql_store *s, const resource_def *res, const void *item,
                     const field_def *f, atesql_status st, const char *detail) {
  if (st == ATESQL_NO_MEMORY)
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  record_name_of(res, item, what, sizeof what);
  return store_fail(s, ATESQL_INTERNAL, "%s: stored %s: %s", what, f->name,
                    detail);
}

/* Decode the JSON column i of the row of q into item; on failure *detail
** says why (err holds the codec's message). */
static atesql_status decode_json_column(const resource_def *res, const query *q,
                                        int col, size_t i, void *root,
                                        void *item, atesql_error *err,
                                        const char **detail) {
  const field_def *f = &res->fields[i];
  size_t len;
  const char *json = query_text(q, col, &len);
  if (json == NULL) return ATESQL_NO_MEMORY;
  if (f->type == FIELD_LABEL_MAP) {
    *detail = "not a JSON object of strings";
    return labels_from_json(json, len, root, member(item, f->offset),
                            member(item, f->count_offset));
  }
  *detail = err->message;
  return codec_message_from_json(f->message, json, len, root,
                                 member(item, f->offset), err);
}

atesql_status record_decode(atesql_store *s, const resource_def *res,
                            const query *q, const int *cols, void *root,
                            void *item) {
  /* One pass reads every column, a second places the text: a list
  ** decodes every row of its page this way. */
  const char *text[RECORD_MAX_COLUMNS];
  size_t len[RECORD_MAX_COLUMNS], total = 0, read = 0;
  const field_def *failed = NULL;
  atesql_status failure = ATESQL_OK;
  atesql_error err;
  const char *detail = "";
  for (size_t i = 0; i < res->column_count; i++) {
    const field_def *f = &res->fields[i];
    int col = cols ? cols[i] : (int)i;
    atesql_status st = ATESQL_OK;
    switch (f->type) {
    case FIELD_TEXT:
      if ((text[i] = query_text(q, col, &len[i])) == NULL)
        return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
      total += len[i] + 1;
      break;
    case FIELD_ENUM:
      *(int *)member(item, f->offset) = (int)query_int64(q, col);
      break;
    case FIELD_INT64:
      *(int64_t *)member(item, f->offset) = query_int64(q, col);
      break;
    case FIELD_LABEL_MAP:
    case FIELD_MESSAGE:
      st = decode_json_column(res, q, col, i, root, item, &err, &detail);
      break;
    default: break;
    }
    if (st != ATESQL_OK) {
      failed = f;
      failure = st;
      break;
    }
    read = i + 1;
  }
  if (!place_texts(res, q, text, len, read, total, root, item))
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  if (failed)
    return stored_column_failed(s, res, item, failed, failure, detail);
  return ATESQL_OK;
}

void record_key(const resource_def *res, const void *record,
                const char **parts) {
  for (size_t i = 0; i < res->key_count; i++)
    parts[i] = text_at(record, &res->fields[i]);
}

void record_name(const resource_def *res, const char *const *parts, char *buf,
                 size_t bufsz) {
  name_record(buf, bufsz, res->kind, parts, res->key_count);
}

void record_name_of(const resource_def *res, const void *record, char *buf,
                    size_t bufsz) {
  const char *parts[RECORD_MAX_KEYS];
  record_key(res, record, parts);
  record_name(res, parts, buf, bufsz);
}

atesql_status record_diagnose_update(atesql_store *s, const resource_def *res,
                                     const write_outcome *w,
                                     const bound_record *b,
                                     int64_t expected_version,
                                     const char *what) {
  if (!w->found) return store_fail(s, ATESQL_NOT_FOUND, "%s not found", what);
  int64_t version = query_int64(&w->probe, w->col);
  if (version != expected_version)
    return store_fail(s, ATESQL_CONFLICT,
                      "%s is at version %lld, not %lld; reload and retry", what,
                      (long long)version, (long long)expected_version);
  if (version == INT64_MAX) return fail_last_version(s, what);
  int col = w->col + 1;
  for (size_t i = res->key_count; i < res->column_count; i++) {
    const field_def *f = &res->fields[i];
    if (!f->immutable) continue;
    size_t len;
    const char *stored = query_text(&w->probe, col++, &len);
    if (stored == NULL) return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
    const db_param *given = &b->params[i];
    if (given->len != len || memcmp(stored, given->text, len) != 0)
      return store_fail(s, ATESQL_INVALID_ARGUMENT,
                        "field '%s' of %s is immutable (stored '%.*s', given "
                        "'%s')",
                        f->name, what, (int)(len > 64 ? 64 : len), stored,
                        given->text);
  }
  /* Matched at the probe but not at the write: changed in between. */
  return store_fail(s, ATESQL_CONFLICT,
                    "%s changed concurrently; reload and retry", what);
}
