/*
** libFuzzer harness of the selector parser and compiler. The input is
** selector text (exactly `size` bytes, not NUL-terminated, so a read past
** the end is caught), parsed for each resource in turn. For every parse:
**   - failure: INVALID_ARGUMENT, *out NULL, a clean one-line message, and a
**     column inside the text (1..size+1, size+1 meaning end of input);
**   - success: the normalized text parses back to an equal selector whose
**     normalized text is byte-identical (a fixed point); the selector
**     compiles for both dialects, deterministically, into SQL made only of
**     whitelisted columns, operators and placeholders ?1..?N / $1..$N in
**     order, one per parameter; and the two dialects bind the same values:
**     an in/notin list as a JSON array on SQLite holds exactly the
**     elements of the PostgreSQL array literal.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/selector.h"
#include "harness.h"
#include "schema.h"

/* Is name[0..len) the column of a whitelisted field of res, or the label
** table's copy of "free" (label terms)? */
static int is_column(const resource_def *res, const char *name, size_t len) {
  if (res->label_empty && strlen(res->label_empty) == len &&
      memcmp(res->label_empty, name, len) == 0)
    return 1;
  for (size_t i = 0; i < res->field_count; i++)
    if (strlen(res->fields[i].column) == len &&
        memcmp(res->fields[i].column, name, len) == 0)
      return 1;
  return 0;
}

/*
** Check the SQL of a compiled selector: only bytes of the fragment
** grammar, every quoted identifier a whitelisted column, and placeholders
** numbered 1, 2, ... in order with the dialect's sigil, one per parameter
** (a label term's search repeats the placeholders of the "=" terms it
** narrows by, never a later one). The only constants: '' and, in a label
** search, "worker_free" = 1.
*/
static void check_sql(const resource_def *res, const atesql_compiled *c,
                      char sigil) {
  const char *sql = c->sql;
  if (strcmp(sql, "TRUE") == 0) {
    if (c->param_count != 0)
      harness_fail("SQL TRUE with %zu parameters", c->param_count);
    return;
  }
  size_t next = 1;
  for (const char *p = sql; *p;) {
    if (*p == '"') {
      const char *end = strchr(p + 1, '"');
      if (end == NULL || !is_column(res, p + 1, (size_t)(end - p - 1)))
        harness_fail("SQL '%s': '%s' is not a whitelisted column", sql, p);
      p = end + 1;
    } else if (*p == '?' || *p == '$') {
      char *end;
      unsigned long n = strtoul(p + 1, &end, 10);
      if (*p != sigil || end == p + 1 || n == 0 || n > next)
        harness_fail("SQL '%s': placeholder at '%s', want %c%zu", sql, p, sigil,
                     next);
      if (n == next) next++;
      p = end;
    } else if (strncmp(p, " = 1)", 5) == 0 || strncmp(p, " = 1 ", 5) == 0) {
      if (p - sql < 13 || strncmp(p - 13, "\"worker_free\"", 13) != 0)
        harness_fail("SQL '%s': constant 1 after '%.20s'", sql, p - 13);
      p += 4;
    } else if (p[0] == '\'' && p[1] == '\'') {
      p += 2; /* the empty string, the only constant the compiler writes */
    } else if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_ "
                      "=<>(),",
                      *p) == NULL) {
      harness_fail("SQL '%s': unexpected byte 0x%02x", sql, (unsigned char)*p);
    } else {
      p++;
    }
  }
  if (next != c->param_count + 1)
    harness_fail("SQL '%s' has %zu placeholders for %zu parameters", sql,
                 next - 1, c->param_count);
}

/*
** Parse a PostgreSQL array literal as compile.c writes it ({"a","b\"c"}
** for text, {1,-2} for numbers) into a jansson array of strings (quoted
** elements) and integers (bare ones). NULL when it is not one.
*/
static json_t *parse_pg_array(const char *s) {
  if (*s++ != '{') return NULL;
  json_t *arr = json_array();
  if (*s == '}' && s[1] == '\0') return arr;
  for (;;) {
    json_t *item = NULL;
    if (*s == '"') {
      size_t cap = strlen(s) + 1, n = 0;
      char *buf = malloc(cap);
      for (s++; *s && *s != '"'; s++) {
        if (*s == '\\' && s[1] != '\0') s++;
        buf[n++] = *s;
      }
      if (*s == '"') {
        item = json_stringn(buf, n);
        s++;
      }
      free(buf);
    } else {
      char *end;
      long long v = strtoll(s, &end, 10);
      if (end != s) {
        item = json_integer(v);
        s = end;
      }
    }
    if (item == NULL) break;
    json_array_append_new(arr, item);
    if (*s == ',') {
      s++;
      continue;
    }
    if (*s == '}' && s[1] == '\0') return arr;
    break;
  }
  json_decref(arr);
  return NULL;
}

/* The " AND "-separated term of a PostgreSQL fragment that holds
** placeholder $n, into buf (terms with the constant '' hold none, so the
** n-th parameter is not always in the n-th term). */
static void term_of_placeholder(const char *sql, size_t n, char *buf,
                                size_t bufsz) {
  char ph[24];
  snprintf(ph, sizeof ph, "$%zu", n);
  const char *at = sql;
  while ((at = strstr(at, ph)) != NULL && at[strlen(ph)] >= '0' &&
         at[strlen(ph)] <= '9')
    at++;
  if (at == NULL) harness_fail("SQL '%s' has no placeholder %s", sql, ph);
  const char *start = sql;
  for (const char *p = sql; (p = strstr(p, " AND ")) != NULL && p < at; p += 5)
    start = p + 5;
  const char *end = strstr(at, " AND ");
  size_t len = end ? (size_t)(end - start) : strlen(start);
  snprintf(buf, bufsz, "%.*s", (int)len, start);
}

/* The two dialects bind the same values, parameter by parameter. */
static void check_same_params(const atesql_compiled *lite,
                              const atesql_compiled *pg) {
  HARNESS_REQUIRE(lite->param_count == pg->param_count);
  for (size_t i = 0; i < lite->param_count; i++) {
    const atesql_param *a = &lite->params[i], *b = &pg->params[i];
    HARNESS_REQUIRE(a->type == b->type);
    if (a->type == ATESQL_PARAM_INT64) {
      HARNESS_REQUIRE(a->text == NULL && b->text == NULL);
      HARNESS_REQUIRE(a->int64 == b->int64);
      continue;
    }
    HARNESS_REQUIRE(a->type == ATESQL_PARAM_TEXT);
    HARNESS_REQUIRE(a->text != NULL && b->text != NULL);
    char term[256];
    term_of_placeholder(pg->sql, i + 1, term, sizeof term);
    if (strstr(term, "ANY(") == NULL && strstr(term, "ALL(") == NULL) {
      if (strcmp(a->text, b->text) != 0)
        harness_fail("parameter %zu: SQLite '%s', PostgreSQL '%s'", i + 1,
                     a->text, b->text);
      continue;
    }
    json_error_t jerr;
    json_t *from_json = json_loads(a->text, 0, &jerr);
    json_t *from_pg = parse_pg_array(b->text);
    if (!json_is_array(from_json) || from_pg == NULL ||
        !json_equal(from_json, from_pg))
      harness_fail("parameter %zu: SQLite list '%s' and PostgreSQL array "
                   "'%s' differ",
                   i + 1, a->text, b->text);
    json_decref(from_json);
    json_decref(from_pg);
  }
}

/* Compile sel for dialect; failure is a defect. */
static atesql_compiled *compile(const atesql_selector *sel, atesql_dialect d) {
  atesql_compiled *c = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_selector_compile(sel, d, &c, &err);
  if (st != ATESQL_OK || c == NULL)
    harness_fail("compile (dialect %d) failed: %s: %s", (int)d,
                 atesql_status_str(st), err.message);
  return c;
}

static void check_parsed(atesql_resource resource, const atesql_selector *sel,
                         const char *text, size_t len) {
  const resource_def *res = schema_resource(resource);
  HARNESS_REQUIRE(atesql_selector_resource(sel) == resource);
  char *normal = NULL;
  HARNESS_REQUIRE(atesql_selector_format(sel, &normal) == ATESQL_OK);
  atesql_selector *again = NULL;
  atesql_error err = {0};
  if (atesql_selector_parse(resource, normal, ATESQL_NUL_TERMINATED, &again,
                            &err) != ATESQL_OK)
    harness_fail("normalized '%s' of '%.*s' does not parse: %s", normal,
                 (int)len, text, err.message);
  if (!atesql_selector_equal(sel, again))
    harness_fail("normalized '%s' of '%.*s' parses to another selector", normal,
                 (int)len, text);
  char *normal2 = NULL;
  HARNESS_REQUIRE(atesql_selector_format(again, &normal2) == ATESQL_OK);
  if (strcmp(normal, normal2) != 0)
    harness_fail("normal form is not a fixed point: '%s' then '%s'", normal,
                 normal2);

  atesql_compiled *lite = compile(sel, ATESQL_DIALECT_SQLITE);
  atesql_compiled *pg = compile(sel, ATESQL_DIALECT_POSTGRES);
  check_sql(res, lite, '?');
  check_sql(res, pg, '$');
  check_same_params(lite, pg);
  atesql_compiled *lite2 = compile(again, ATESQL_DIALECT_SQLITE);
  if (strcmp(lite->sql, lite2->sql) != 0)
    harness_fail("equal selectors compile differently: '%s' and '%s'",
                 lite->sql, lite2->sql);
  atesql_compiled_free(lite2);
  atesql_compiled_free(pg);
  atesql_compiled_free(lite);
  atesql_free(normal2);
  atesql_free(normal);
  atesql_selector_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  static const atesql_resource resources[] = {ATESQL_RESOURCE_WORKERS,
                                              ATESQL_RESOURCE_ACTORS,
                                              ATESQL_RESOURCE_ATESPACES};
  for (size_t r = 0; r < sizeof resources / sizeof *resources; r++) {
    atesql_selector *sel = (atesql_selector *)1; /* must become NULL */
    atesql_error err = {0};
    atesql_status st =
        atesql_selector_parse(resources[r], text, size, &sel, &err);
    if (st == ATESQL_OK) {
      HARNESS_REQUIRE(sel != NULL);
      check_parsed(resources[r], sel, text, size);
      atesql_selector_free(sel);
      continue;
    }
    harness_check_error("atesql_selector_parse", st, ATESQL_INVALID_ARGUMENT,
                        &err);
    HARNESS_REQUIRE(sel == NULL);
    if (err.column < 1 || err.column > size + 1)
      harness_fail("'%.*s': column %zu outside 1..%zu (%s)", (int)size, text,
                   err.column, size + 1, err.message);
  }
  return 0;
}
