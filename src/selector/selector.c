/*
** The selector itself: creating one, adding terms from C, keeping it
** normalized (the order and deduplication rules of ast.h), comparing and
** formatting it. The text parser (parse.c) and the C builder below both end
** in sel_add_term, so the two routes cannot build different ASTs.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector/ast.h"
#include "util/error.h"
#include "util/label_syntax.h"
#include "util/strbuf.h"
#include "util/utf8.h"

static atesql_status parse_int64(const char *text, size_t len, int64_t *out) {
  char buf[32];
  if (len == 0 || len >= sizeof buf) return ATESQL_INVALID_ARGUMENT;
  memcpy(buf, text, len);
  buf[len] = '\0';
  size_t start = buf[0] == '-' ? 1 : 0;
  if (buf[start] == '\0') return ATESQL_INVALID_ARGUMENT;
  for (size_t i = start; buf[i]; i++)
    if (buf[i] < '0' || buf[i] > '9') return ATESQL_INVALID_ARGUMENT;
  errno = 0;
  long long v = strtoll(buf, NULL, 10);
  if (errno == ERANGE) return ATESQL_INVALID_ARGUMENT;
  *out = (int64_t)v;
  return ATESQL_OK;
}

static atesql_status enum_error(const field_def *field, const char *shown,
                                const char *where, size_t column,
                                atesql_error *err) {
  strbuf names = STRBUF_INIT;
  for (size_t i = 0; i < field->enum_count; i++) {
    if (i) strbuf_puts(&names, ", ");
    strbuf_puts(&names, field->enum_names[i]);
  }
  atesql_status st =
      error_set(err, ATESQL_INVALID_ARGUMENT, column,
                "unknown value '%s' for field '%s'%s; valid values: %s, or a "
                "32-bit number",
                shown, field->name, where, names.data ? names.data : "");
  strbuf_release(&names);
  return st;
}

atesql_status sel_value_make(const field_def *field, const char *raw,
                             size_t len, const char *where, size_t column,
                             sel_value *out, atesql_error *err) {
  char shown[96];
  error_excerpt(shown, sizeof shown, raw, len, 48);
  if (len > ATESQL_SELECTOR_VALUE_MAX)
    return error_set(err, ATESQL_INVALID_ARGUMENT, column,
                     "value for field '%s'%s is %zu bytes; the limit is %d",
                     field->name, where, len, ATESQL_SELECTOR_VALUE_MAX);
  size_t bad = utf8_invalid_offset(raw, len);
  if (bad < len)
    return error_set(err, ATESQL_INVALID_ARGUMENT, column ? column + bad : 0,
                     "value for field '%s'%s has %s at byte %zu", field->name,
                     where, raw[bad] ? "invalid UTF-8" : "a NUL byte", bad + 1);

  char canonical[32];
  const char *text = raw;
  int64_t number = 0;
  const char *why =
      field->type == FIELD_LABEL ? label_value_problem(raw, len) : NULL;
  if (why)
    return error_set(err, ATESQL_INVALID_ARGUMENT, column,
                     "invalid label value '%s'%s: %s", shown, where, why);
  if (field->type == FIELD_ENUM) {
    /* A proto name, or any 32-bit number: proto3 enums are open, and a
    ** record may hold a value without a name. */
    int n = schema_enum_number(field, raw, len);
    if (n >= 0) {
      number = n;
    } else if (parse_int64(raw, len, &number) != ATESQL_OK ||
               number < INT32_MIN || number > INT32_MAX) {
      return enum_error(field, shown, where, column, err);
    } else if (number >= 0 && (size_t)number < field->enum_count) {
      text = field->enum_names[number]; /* "2" is STATUS_RUNNING */
      len = strlen(text);
    }
  } else if (field->type == FIELD_INT64) {
    if (parse_int64(raw, len, &number) != ATESQL_OK)
      return error_set(err, ATESQL_INVALID_ARGUMENT, column,
                       "invalid integer '%s' for field '%s'%s", shown,
                       field->name, where);
    len = (size_t)snprintf(canonical, sizeof canonical, "%" PRId64, number);
    text = canonical;
  }
  out->text = malloc(len + 1);
  if (out->text == NULL)
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  memcpy(out->text, text, len);
  out->text[len] = '\0';
  out->len = len;
  out->number = number;
  return ATESQL_OK;
}

void sel_values_free(sel_value *values, size_t count) {
  if (values == NULL) return;
  for (size_t i = 0; i < count; i++)
    free(values[i].text);
  free(values);
}

static int value_cmp(const field_def *field, const sel_value *a,
                     const sel_value *b) {
  if (field->type == FIELD_ENUM || field->type == FIELD_INT64)
    return (a->number > b->number) - (a->number < b->number);
  size_t n = a->len < b->len ? a->len : b->len;
  int c = memcmp(a->text, b->text, n);
  if (c) return c;
  return (a->len > b->len) - (a->len < b->len);
}

/* Insertion sort with deduplication: lists are short and this keeps the
** comparison's field context without a global. Returns the new count. */
static size_t sort_unique_values(const field_def *field, sel_value *v,
                                 size_t count) {
  size_t n = 0;
  for (size_t i = 0; i < count; i++) {
    sel_value cur = v[i];
    size_t j = n;
    while (j > 0 && value_cmp(field, &v[j - 1], &cur) > 0)
      j--;
    if (j > 0 && value_cmp(field, &v[j - 1], &cur) == 0) {
      free(cur.text);
      continue;
    }
    memmove(&v[j + 1], &v[j], (n - j) * sizeof *v);
    v[j] = cur;
    n++;
  }
  return n;
}

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  int c = memcmp(a, b, alen < blen ? alen : blen);
  if (c) return c;
  return (alen > blen) - (alen < blen);
}

static int term_cmp(const resource_def *res, const sel_term *a,
                    const sel_term *b) {
  size_t fa = schema_field_index(res, a->field);
  size_t fb = schema_field_index(res, b->field);
  if (fa != fb) return fa < fb ? -1 : 1;
  if (a->label || b->label) {
    int c = bytes_cmp(a->label, a->label_len, b->label, b->label_len);
    if (c) return c;
  }
  if (a->op != b->op) return a->op < b->op ? -1 : 1;
  for (size_t i = 0; i < a->count && i < b->count; i++) {
    int c = value_cmp(a->field, &a->values[i], &b->values[i]);
    if (c) return c;
  }
  return (a->count > b->count) - (a->count < b->count);
}

atesql_status sel_add_term(atesql_selector *sel, const field_def *field,
                           char *label, atesql_op op, sel_value *values,
                           size_t count, size_t column, atesql_error *err) {
  sel_term term = {field,  op,
                   values, sort_unique_values(field, values, count),
                   label,  label ? strlen(label) : 0};
  size_t pos = sel->count;
  while (pos > 0 && term_cmp(sel->res, &sel->terms[pos - 1], &term) > 0)
    pos--;
  if (pos > 0 && term_cmp(sel->res, &sel->terms[pos - 1], &term) == 0) {
    sel_values_free(values, term.count);
    free(label);
    return ATESQL_OK;
  }
  if (sel->count == ATESQL_SELECTOR_TERMS_MAX) {
    sel_values_free(values, term.count);
    free(label);
    if (column)
      return error_set(err, ATESQL_INVALID_ARGUMENT, column,
                       "too many terms at column %zu; the limit is %d", column,
                       ATESQL_SELECTOR_TERMS_MAX);
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "too many terms; the limit is %d",
                     ATESQL_SELECTOR_TERMS_MAX);
  }
  if (sel->count == sel->cap) {
    size_t cap = sel->cap ? sel->cap * 2 : 4;
    sel_term *terms = realloc(sel->terms, cap * sizeof *terms);
    if (terms == NULL) {
      sel_values_free(values, term.count);
      free(label);
      return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
    }
    sel->terms = terms;
    sel->cap = cap;
  }
  memmove(&sel->terms[pos + 1], &sel->terms[pos],
          (sel->count - pos) * sizeof term);
  sel->terms[pos] = term;
  sel->count++;
  return ATESQL_OK;
}

atesql_status atesql_selector_new(atesql_resource resource,
                                  atesql_selector **out, atesql_error *err) {
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "out is NULL");
  *out = NULL;
  const resource_def *res = schema_resource(resource);
  if (res == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "unknown resource %d",
                     (int)resource);
  atesql_selector *sel = calloc(1, sizeof *sel);
  if (sel == NULL) return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  sel->res = res;
  *out = sel;
  return ATESQL_OK;
}

void atesql_selector_free(atesql_selector *sel) {
  if (sel == NULL) return;
  for (size_t i = 0; i < sel->count; i++) {
    sel_values_free(sel->terms[i].values, sel->terms[i].count);
    free(sel->terms[i].label);
  }
  free(sel->terms);
  free(sel);
}

bool sel_has_indexable_term(const atesql_selector *sel) {
  for (size_t i = 0; i < sel->count; i++)
    if (sel->terms[i].op == ATESQL_OP_EQ || sel->terms[i].op == ATESQL_OP_IN ||
        sel->terms[i].op == ATESQL_OP_EXISTS)
      return true;
  return false;
}

atesql_resource atesql_selector_resource(const atesql_selector *sel) {
  return sel->res->id;
}

static const char *op_text(atesql_op op) {
  switch (op) {
  case ATESQL_OP_EQ: return "=";
  case ATESQL_OP_NEQ: return "!=";
  case ATESQL_OP_IN: return "in";
  case ATESQL_OP_NOTIN: return "notin";
  case ATESQL_OP_EXISTS: return "exists";
  case ATESQL_OP_NOTEXISTS: return "notexists";
  }
  return "?";
}

static atesql_status unknown_field_error(const resource_def *res,
                                         const char *name, size_t len,
                                         const char *where, size_t column,
                                         atesql_error *err) {
  char shown[96];
  error_excerpt(shown, sizeof shown, name, len, 48);
  const field_def *near = schema_nearest_field(res, name, len);
  if (near)
    return error_set(err, ATESQL_INVALID_ARGUMENT, column,
                     "unknown field '%s'%s; did you mean '%s'?", shown, where,
                     near->name);
  strbuf names = STRBUF_INIT;
  for (size_t i = 0; i < res->field_count; i++) {
    if (i) strbuf_puts(&names, ", ");
    strbuf_puts(&names, res->fields[i].name);
  }
  atesql_status st = error_set(err, ATESQL_INVALID_ARGUMENT, column,
                               "unknown field '%s'%s; %s fields: %s", shown,
                               where, res->name, names.data ? names.data : "");
  strbuf_release(&names);
  return st;
}

atesql_status sel_unknown_field(const resource_def *res, const char *name,
                                size_t len, size_t column, atesql_error *err) {
  char where[40];
  snprintf(where, sizeof where, " at column %zu", column);
  return unknown_field_error(res, name, len, where, column, err);
}

atesql_status atesql_selector_add(atesql_selector *sel, const char *field,
                                  atesql_op op, const char *const *values,
                                  size_t value_count, atesql_error *err) {
  if (sel == NULL || field == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "selector and field must not be NULL");
  const char *key = NULL;
  atesql_status kst =
      sel_label_key(sel->res, field, strlen(field), "", 0, &key, err);
  if (kst != ATESQL_OK) return kst;
  const field_def *f =
      key ? sel->res->labels : schema_field(sel->res, field, strlen(field));
  if (f == NULL)
    return unknown_field_error(sel->res, field, strlen(field), "", 0, err);
  if (op < ATESQL_OP_EQ || op > ATESQL_OP_NOTEXISTS)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "unknown operator %d for field '%s'", (int)op, field);
  bool existence = op == ATESQL_OP_EXISTS || op == ATESQL_OP_NOTEXISTS;
  if (existence && key == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "operator '%s' is for labels, not field '%s'", op_text(op),
                     f->name);
  if (existence && value_count != 0)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "operator '%s' on '%s' takes no value, got %zu",
                     op_text(op), field, value_count);
  if (existence) {
    char *label = strdup(key);
    if (label == NULL)
      return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
    return sel_add_term(sel, f, label, op, NULL, 0, 0, err);
  }
  bool single = op == ATESQL_OP_EQ || op == ATESQL_OP_NEQ;
  if (single && value_count != 1)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "operator '%s' on field '%s' takes exactly one value, got "
                     "%zu",
                     op_text(op), f->name, value_count);
  if (!single && value_count == 0)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "empty '%s' list for field '%s'", op_text(op), f->name);
  if (value_count > ATESQL_SELECTOR_LIST_MAX)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "'%s' list for field '%s' has %zu values; the limit is %d",
                     op_text(op), f->name, value_count,
                     ATESQL_SELECTOR_LIST_MAX);
  if (values == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "values is NULL");

  sel_value *owned = calloc(value_count, sizeof *owned);
  if (owned == NULL)
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  for (size_t i = 0; i < value_count; i++) {
    char where[48];
    snprintf(where, sizeof where, " (value %zu)", i + 1);
    atesql_status st =
        values[i] == NULL
            ? error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                        "value %zu for field '%s' is NULL", i + 1, f->name)
            : sel_value_make(f, values[i], strlen(values[i]), where, 0,
                             &owned[i], err);
    if (st != ATESQL_OK) {
      sel_values_free(owned, i);
      return st;
    }
  }
  char *label = key ? strdup(key) : NULL;
  if (key && label == NULL) {
    sel_values_free(owned, value_count);
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  }
  return sel_add_term(sel, f, label, op, owned, value_count, 0, err);
}

atesql_status sel_label_key(const resource_def *res, const char *name,
                            size_t len, const char *where, size_t column,
                            const char **key, atesql_error *err) {
  static const char prefix[] = "labels.";
  *key = NULL;
  if (res->labels == NULL || len < sizeof prefix - 1 ||
      memcmp(name, prefix, sizeof prefix - 1) != 0)
    return ATESQL_OK;
  const char *k = name + sizeof prefix - 1;
  size_t klen = len - (sizeof prefix - 1);
  const char *why = label_key_problem(k, klen);
  if (why) {
    char shown[96];
    error_excerpt(shown, sizeof shown, k, klen, 48);
    return error_set(err, ATESQL_INVALID_ARGUMENT, column,
                     "invalid label key '%s'%s: %s", shown, where, why);
  }
  *key = k;
  return ATESQL_OK;
}

bool atesql_selector_equal(const atesql_selector *a, const atesql_selector *b) {
  if (a == NULL || b == NULL || a->res != b->res || a->count != b->count)
    return false;
  for (size_t i = 0; i < a->count; i++)
    if (term_cmp(a->res, &a->terms[i], &b->terms[i]) != 0) return false;
  return true;
}

static void format_value(strbuf *sb, const sel_value *v) {
  for (size_t i = 0; i < v->len; i++) {
    char c = v->text[i];
    if (strchr(",=!()\\ ", c) && c != '\0') strbuf_append(sb, "\\", 1);
    strbuf_append(sb, &c, 1);
  }
}

atesql_status atesql_selector_format(const atesql_selector *sel, char **out) {
  strbuf sb = STRBUF_INIT;
  strbuf_append(&sb, "", 0);
  for (size_t i = 0; i < sel->count; i++) {
    const sel_term *t = &sel->terms[i];
    if (i) strbuf_puts(&sb, ",");
    if (t->op == ATESQL_OP_NOTEXISTS) strbuf_puts(&sb, "!");
    strbuf_puts(&sb, t->field->name);
    if (t->label) {
      strbuf_puts(&sb, ".");
      strbuf_append(&sb, t->label, t->label_len);
    }
    if (t->op == ATESQL_OP_EXISTS || t->op == ATESQL_OP_NOTEXISTS) continue;
    if (t->op == ATESQL_OP_EQ || t->op == ATESQL_OP_NEQ) {
      strbuf_puts(&sb, op_text(t->op));
      format_value(&sb, &t->values[0]);
      continue;
    }
    strbuf_printf(&sb, " %s (", op_text(t->op));
    for (size_t k = 0; k < t->count; k++) {
      if (k) strbuf_puts(&sb, ",");
      format_value(&sb, &t->values[k]);
    }
    /* A list of only the empty value reads "(,)": "()" is no list. */
    if (t->count == 1 && t->values[0].len == 0) strbuf_puts(&sb, ",");
    strbuf_puts(&sb, ")");
  }
  *out = strbuf_detach(&sb);
  return *out ? ATESQL_OK : ATESQL_NO_MEMORY;
}
