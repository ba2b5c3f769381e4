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
#include <stdio.h>
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

/* The SQL shapes of one dialect: the first %s is the column, the next
** the placeholder (param_ref). A label term's shapes take the key's
** placeholder and the value's (or list's); in the table form the key
** columns come first. */
typedef struct dialect_shapes {
  char sigil; /* placeholders are ?N or $N */
  const char *eq, *neq, *in, *notin;
  char *(*encode_list)(const sel_term *t);
  /* Label terms against the label table: the value condition after
  ** "key = <key>", by op (EQ, NEQ, IN, NOTIN; EXISTS has none). */
  const char *label_value, *label_list;
  /* Label terms against a JSON column "labels", by op - 1. */
  const char *json[6];
  /* The key's parameter in the JSON form: a path, or the key itself. */
  bool json_path;
} dialect_shapes;

/* A JSON array of the term's values: strings, or numbers for enum/int64
** fields, written by jansson. */
static char *encode_json_list(const sel_term *t) {
  json_t *arr = json_array();
  if (arr == NULL) return NULL;
  for (size_t i = 0; i < t->count; i++) {
    json_t *v = t->field->type == FIELD_TEXT
                    ? json_stringn(t->values[i].text, t->values[i].len)
                : t->field->type == FIELD_LABEL
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
    if (t->field->type == FIELD_ENUM || t->field->type == FIELD_INT64) {
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
    '?',
    "\"%s\" = %s",
    "\"%s\" <> %s",
    "\"%s\" IN (SELECT value FROM json_each(%s))",
    "\"%s\" NOT IN (SELECT value FROM json_each(%s))",
    encode_json_list,
    " AND value = %s",
    " AND value IN (SELECT value FROM json_each(%s))",
    {
        "json_extract(\"labels\", %s) = %s",
        "json_extract(\"labels\", %s) IS NOT %s",
        "json_extract(\"labels\", %s) IN "
        "(SELECT value FROM json_each(%s))",
        "coalesce(json_extract(\"labels\", %s) NOT IN "
        "(SELECT value FROM json_each(%s)), 1)",
        "json_type(\"labels\", %s) IS NOT NULL",
        "json_type(\"labels\", %s) IS NULL",
    },
    true,
};

static const dialect_shapes postgres_shapes = {
    '$',
    "\"%s\" = %s",
    "\"%s\" <> %s",
    "\"%s\" = ANY(%s)",
    "\"%s\" <> ALL(%s)",
    encode_pg_array,
    " AND value = %s",
    " AND value = ANY(%s)",
    {
        "(\"labels\" ->> %s::text) = %s",
        "(\"labels\" ->> %s::text) IS DISTINCT FROM %s",
        "(\"labels\" ->> %s::text) = ANY(%s)",
        "NOT coalesce((\"labels\" ->> %s::text) = ANY(%s), false)",
        "(\"labels\" ->> %s::text) IS NOT NULL",
        "(\"labels\" ->> %s::text) IS NULL",
    },
    false,
};

/* How the placeholders are written: one bound parameter each (?N, $N),
** or (`array`, PostgreSQL) element N of one text[] parameter, $1, cast to
** the type its place needs. */
typedef struct param_style {
  const dialect_shapes *d;
  bool array;
} param_style;

/* A placeholder's text max: "(($1::text[])[128])::integer[]". */
enum { PARAM_REF_MAX = 48 };

/*
** Placeholder n into buf: "?n", "$n" or "(($1::text[])[n])::type". `type`
** is the SQL type the value must have where it stands ("" for text):
** text arrives as text, the other types are cast from it.
*/
static void param_ref(char buf[PARAM_REF_MAX], const param_style *ps, size_t n,
                      const char *type) {
  if (!ps->array)
    snprintf(buf, PARAM_REF_MAX, "%c%zu", ps->d->sigil, n);
  else if (*type)
    snprintf(buf, PARAM_REF_MAX, "(($1::text[])[%zu])::%s", n, type);
  else
    snprintf(buf, PARAM_REF_MAX, "($1::text[])[%zu]", n);
}

/* The SQL type of term t's value where the array style needs a cast: ""
** for text, "bigint", "integer", and for a list (in, notin) the array
** type of its values. */
static const char *value_type(const sel_term *t) {
  bool list = t->op == ATESQL_OP_IN || t->op == ATESQL_OP_NOTIN;
  switch (t->field->type) {
  case FIELD_INT64: return list ? "bigint[]" : "bigint";
  case FIELD_ENUM: return list ? "integer[]" : "integer";
  default: return list ? "text[]" : "";
  }
}

/* Fill *param with the bound form of term t's values (not a label
** term's key); false when out of memory. */
static bool draft_term_param(const dialect_shapes *d, const sel_term *t,
                             draft_param *param) {
  if (t->op == ATESQL_OP_IN || t->op == ATESQL_OP_NOTIN) {
    param->type = ATESQL_PARAM_TEXT;
    param->text = d->encode_list(t);
    return param->text != NULL;
  }
  if (t->field->type == FIELD_ENUM || t->field->type == FIELD_INT64) {
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
static bool compile_term(strbuf *sql, const param_style *ps, const sel_term *t,
                         size_t placeholder) {
  const dialect_shapes *d = ps->d;
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
  char ref[PARAM_REF_MAX];
  param_ref(ref, ps, placeholder, value_type(t));
  strbuf_printf(sql, shape, t->field->column, ref);
  if (t->field->split_empty &&
      (t->op == ATESQL_OP_EQ || t->op == ATESQL_OP_IN) &&
      all_values_nonempty(t))
    strbuf_printf(sql, " AND \"%s\" <> ''", t->field->column);
  return true;
}

/* The key of a label term as its parameter: the key, or for SQLite's
** JSON functions the path $."key" (a label key holds no quote). */
static char *label_key_param(const dialect_shapes *d, const sel_term *t,
                             sel_labels labels) {
  strbuf sb = STRBUF_INIT;
  if (labels == SEL_LABELS_JSON && d->json_path)
    strbuf_printf(&sb, "$.\"%s\"", t->label);
  else
    strbuf_puts(&sb, t->label);
  return strbuf_detach(&sb);
}

/*
** Append label term t, its key at placeholder `at` and its value or list
** (all but EXISTS and NOTEXISTS) at `at + 1`. Against the label table a
** term is a search of its (key, value) index:
**   (key columns) [NOT] IN (SELECT key columns FROM worker_labels
**                           WHERE key = ?k [AND value ...])
** with NOT for !=, notin and absence (Kubernetes: they match records
** without the label).
*/
static void compile_label_term(strbuf *sql, const param_style *ps,
                               const atesql_selector *sel, const sel_term *t,
                               const size_t *placeholders, sel_labels labels,
                               size_t at) {
  const dialect_shapes *d = ps->d;
  const resource_def *res = sel->res;
  bool has_value = t->op != ATESQL_OP_EXISTS && t->op != ATESQL_OP_NOTEXISTS;
  char key[PARAM_REF_MAX], value[PARAM_REF_MAX];
  param_ref(key, ps, at, "");
  param_ref(value, ps, at + 1, value_type(t));
  if (labels == SEL_LABELS_JSON) {
    strbuf_printf(sql, d->json[t->op - 1], key, value);
    return;
  }
  bool negative = t->op == ATESQL_OP_NEQ || t->op == ATESQL_OP_NOTIN ||
                  t->op == ATESQL_OP_NOTEXISTS;
  strbuf_printf(sql,
                "(%s) %sIN (SELECT %s FROM %s WHERE key = ", res->label_key,
                negative ? "NOT " : "", res->label_key, res->label_table);
  strbuf_puts(sql, key);
  if (has_value)
    strbuf_printf(sql,
                  t->op == ATESQL_OP_EQ || t->op == ATESQL_OP_NEQ
                      ? d->label_value
                      : d->label_list,
                  value);
  /* The selector's "=" terms on key columns the label table holds narrow
  ** the label search too (its index continues with worker_pool, then
  ** worker_namespace), at their own placeholders. */
  for (size_t i = 0; !negative && i < sel->count; i++) {
    const sel_term *f = &sel->terms[i];
    if (f->op != ATESQL_OP_EQ || f->field->type == FIELD_LABEL) continue;
    if (f->field->split_empty && is_empty_text(f)) {
      if (res->label_empty)
        strbuf_printf(sql, " AND \"%s\" = 1", res->label_empty);
      continue;
    }
    char quoted[80];
    snprintf(quoted, sizeof quoted, "\"%s\"", f->field->column);
    if (!f->field->immutable || placeholders[i] == 0 ||
        strstr(res->label_key, quoted) == NULL)
      continue;
    char ref[PARAM_REF_MAX];
    param_ref(ref, ps, placeholders[i], "");
    strbuf_printf(sql, " AND \"%s\" = %s", f->field->column, ref);
  }
  strbuf_puts(sql, ")");
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
  return sel_compile(sel, dialect, SEL_LABELS_TABLE, 1, out, err);
}

/* Compile sel with placeholders written in style ps, numbered from
** first_param (sel_compile, sel_compile_array). */
static atesql_status compile_styled(const atesql_selector *sel,
                                    const param_style *ps, sel_labels labels,
                                    size_t first_param, atesql_compiled **out,
                                    atesql_error *err) {
  const dialect_shapes *d = ps->d;
  strbuf sql = STRBUF_INIT;
  /* At most two parameters a term: a label's key and its value(s). */
  draft_param *params = calloc(sel->count ? 2 * sel->count : 1, sizeof *params);
  /* The placeholder of each term's value (0: none, written as ''). */
  size_t placeholders[ATESQL_SELECTOR_TERMS_MAX] = {0};
  bool ok = params != NULL;
  size_t n = 0;
  if (sel->count == 0) strbuf_puts(&sql, "TRUE");
  for (size_t i = 0; ok && i < sel->count; i++) {
    const sel_term *t = &sel->terms[i];
    if (i) strbuf_puts(&sql, " AND ");
    if (t->field->type == FIELD_LABEL) {
      compile_label_term(&sql, ps, sel, t, placeholders, labels,
                         first_param + n);
      params[n].type = ATESQL_PARAM_TEXT;
      ok = (params[n++].text = label_key_param(d, t, labels)) != NULL;
      if (ok && t->op != ATESQL_OP_EXISTS && t->op != ATESQL_OP_NOTEXISTS)
        ok = draft_term_param(d, t, &params[n++]);
    } else if (compile_term(&sql, ps, t, first_param + n)) {
      placeholders[i] = first_param + n;
      ok = draft_term_param(d, t, &params[n++]);
    }
  }
  if (ok && !strbuf_failed(&sql)) *out = pack_compiled(&sql, params, n);
  for (size_t i = 0; params && i < n; i++)
    free(params[i].text);
  free(params);
  strbuf_release(&sql);
  if (*out == NULL) return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  return ATESQL_OK;
}

atesql_status sel_compile(const atesql_selector *sel, atesql_dialect dialect,
                          sel_labels labels, size_t first_param,
                          atesql_compiled **out, atesql_error *err) {
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
  param_style ps = {d, false};
  return compile_styled(sel, &ps, labels, first_param, out, err);
}

atesql_status sel_compile_array(const atesql_selector *sel,
                                atesql_compiled **out, atesql_error *err) {
  if (sel == NULL || out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "selector and out must not be NULL");
  *out = NULL;
  param_style ps = {&postgres_shapes, true};
  return compile_styled(sel, &ps, SEL_LABELS_TABLE, 1, out, err);
}

void atesql_compiled_free(atesql_compiled *compiled) { free(compiled); }
