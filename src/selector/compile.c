/*
** The selector compiler: walks a normalized AST once and emits a WHERE
** fragment with numbered placeholders plus the parameters in order. Column
** names come only from the whitelist; values only ever become parameters,
** except the empty string, which is written as the constant '' (see
** compile_term).
** An "in"/"notin" list is one parameter holding the whole list (a JSON array
** for SQLite's json_each, an array literal for PostgreSQL's ANY/ALL), so the
** statement text does not depend on the list's length.
*/
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json.h"
#include "selector/ast.h"
#include "util/error.h"
#include "util/strbuf.h"

/* A parameter under construction: owned text, or a number. */
typedef struct draft_param {
  atesql_param_type type;
  char *text;
  int64_t int64;
} draft_param;

/* The SQL shapes of one dialect: %s is the column, %zu the placeholder's
** number. */
typedef struct dialect_shapes {
  const char *eq, *neq, *in, *notin;
  char *(*encode_list)(const sel_term *t);
} dialect_shapes;

/* A JSON array of the term's values: strings, or numbers for enum/int64
** fields, written by jansson. */
static char *encode_json_list(const sel_term *t) {
  json_t *arr = json_array();
  if (arr == NULL) return NULL;
  for (size_t i = 0; i < t->count; i++) {
    json_t *v = t->field->type == FIELD_TEXT
                    ? json_stringn(t->values[i].text, t->values[i].len)
                    : json_integer((json_int_t)t->values[i].number);
    if (json_array_append_new(arr, v) != 0) {
      json_decref(arr);
      return NULL;
    }
  }
  return codec_dump_compact(arr);
}

/* A PostgreSQL array literal: {"a","b\"c"} for text, {1,2} for numbers. */
static char *encode_pg_array(const sel_term *t) {
  strbuf sb = STRBUF_INIT;
  strbuf_puts(&sb, "{");
  for (size_t i = 0; i < t->count; i++) {
    const sel_value *v = &t->values[i];
    if (i) strbuf_puts(&sb, ",");
    if (t->field->type != FIELD_TEXT) {
      strbuf_printf(&sb, "%" PRId64, v->number);
      continue;
    }
    strbuf_puts(&sb, "\"");
    for (size_t k = 0; k < v->len; k++) {
      if (v->text[k] == '"' || v->text[k] == '\\') strbuf_puts(&sb, "\\");
      strbuf_append(&sb, &v->text[k], 1);
    }
    strbuf_puts(&sb, "\"");
  }
  strbuf_puts(&sb, "}");
  return strbuf_detach(&sb);
}

static const dialect_shapes sqlite_shapes = {
    "\"%s\" = ?%zu",
    "\"%s\" <> ?%zu",
    "\"%s\" IN (SELECT value FROM json_each(?%zu))",
    "\"%s\" NOT IN (SELECT value FROM json_each(?%zu))",
    encode_json_list,
};

static const dialect_shapes postgres_shapes = {
    "\"%s\" = $%zu",       "\"%s\" <> $%zu", "\"%s\" = ANY($%zu)",
    "\"%s\" <> ALL($%zu)", encode_pg_array,
};

/* Fill *param with the bound form of term t; false when out of memory. */
static bool draft_term_param(const dialect_shapes *d, const sel_term *t,
                             draft_param *param) {
  if (t->op == ATESQL_OP_IN || t->op == ATESQL_OP_NOTIN) {
    param->type = ATESQL_PARAM_TEXT;
    param->text = d->encode_list(t);
    return param->text != NULL;
  }
  if (t->field->type != FIELD_TEXT) {
    param->type = ATESQL_PARAM_INT64;
    param->int64 = t->values[0].number;
    return true;
  }
  param->type = ATESQL_PARAM_TEXT;
  param->text = strdup(t->values[0].text);
  return param->text != NULL;
}

static bool is_empty_text(const sel_term *t) {
  return t->field->type == FIELD_TEXT && t->count == 1 && t->values[0].len == 0;
}

/* Does the term hold only non-empty values? */
static bool all_values_nonempty(const sel_term *t) {
  for (size_t i = 0; i < t->count; i++)
    if (t->values[i].len == 0) return false;
  return true;
}

/*
** Append term t. An empty text value under = or != is written as the
** literal '', not a parameter: the planner then sees it in every plan (a
** PostgreSQL prepared statement's generic plan included) and a partial
** index WHERE col = '' fits. On a split_empty field, a term that can only
** match non-empty values also gets col <> '', which the partial index of
** non-empty values needs. Returns whether the term took a parameter.
*/
static bool compile_term(strbuf *sql, const dialect_shapes *d,
                         const sel_term *t, size_t placeholder) {
  bool literal =
      is_empty_text(t) && (t->op == ATESQL_OP_EQ || t->op == ATESQL_OP_NEQ);
  if (literal) {
    strbuf_printf(sql, "\"%s\" %s ''", t->field->column,
                  t->op == ATESQL_OP_EQ ? "=" : "<>");
    return false;
  }
  const char *shape = t->op == ATESQL_OP_EQ    ? d->eq
                      : t->op == ATESQL_OP_NEQ ? d->neq
                      : t->op == ATESQL_OP_IN  ? d->in
                                               : d->notin;
  strbuf_printf(sql, shape, t->field->column, placeholder);
  if (t->field->split_empty &&
      (t->op == ATESQL_OP_EQ || t->op == ATESQL_OP_IN) &&
      all_values_nonempty(t))
    strbuf_printf(sql, " AND \"%s\" <> ''", t->field->column);
  return true;
}

/*
** Pack the SQL text and the parameters into one allocation: the struct,
** then the parameter array, then every string.
*/
static atesql_compiled *pack_compiled(const strbuf *sql,
                                      const draft_param *params, size_t n) {
  size_t size =
      sizeof(atesql_compiled) + n * sizeof(atesql_param) + sql->len + 1;
  for (size_t i = 0; i < n; i++)
    if (params[i].text) size += strlen(params[i].text) + 1;
  atesql_compiled *c = malloc(size);
  if (c == NULL) return NULL;
  atesql_param *out = (atesql_param *)(c + 1);
  char *strings = (char *)(out + n);
  memcpy(strings, sql->data, sql->len + 1);
  c->sql = strings;
  strings += sql->len + 1;
  for (size_t i = 0; i < n; i++) {
    out[i].type = params[i].type;
    out[i].int64 = params[i].int64;
    out[i].text = NULL;
    if (params[i].text) {
      size_t len = strlen(params[i].text) + 1;
      memcpy(strings, params[i].text, len);
      out[i].text = strings;
      strings += len;
    }
  }
  c->params = out;
  c->param_count = n;
  return c;
}

atesql_status atesql_selector_compile(const atesql_selector *sel,
                                      atesql_dialect dialect,
                                      atesql_compiled **out,
                                      atesql_error *err) {
  if (sel == NULL || out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "selector and out must not be NULL");
  *out = NULL;
  const dialect_shapes *d = dialect == ATESQL_DIALECT_SQLITE ? &sqlite_shapes
                            : dialect == ATESQL_DIALECT_POSTGRES
                                ? &postgres_shapes
                                : NULL;
  if (d == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "unknown dialect %d",
                     (int)dialect);

  strbuf sql = STRBUF_INIT;
  draft_param *params = calloc(sel->count ? sel->count : 1, sizeof *params);
  bool ok = params != NULL;
  size_t n = 0;
  if (sel->count == 0) strbuf_puts(&sql, "TRUE");
  for (size_t i = 0; ok && i < sel->count; i++) {
    if (i) strbuf_puts(&sql, " AND ");
    if (compile_term(&sql, d, &sel->terms[i], n + 1))
      ok = draft_term_param(d, &sel->terms[i], &params[n++]);
  }
  if (ok && !strbuf_failed(&sql)) *out = pack_compiled(&sql, params, n);
  for (size_t i = 0; params && i < n; i++)
    free(params[i].text);
  free(params);
  strbuf_release(&sql);
  if (*out == NULL) return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  return ATESQL_OK;
}

void atesql_compiled_free(atesql_compiled *compiled) { free(compiled); }
