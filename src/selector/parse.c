/*
** The selector text parser: a hand-written recursive descent over bytes
** with one byte of lookahead. It turns untrusted text into the AST of ast.h
** (through sel_add_term, like the C builder) or into one error naming the
** problem and the 1-based byte column where it starts.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector/ast.h"
#include "util/error.h"
#include "util/utf8.h"

typedef struct parser {
  const char *text;
  size_t len;
  size_t pos; /* 0-based; columns in messages are pos + 1 */
  atesql_selector *sel;
  atesql_error *err;
} parser;

static bool at_end(const parser *p) { return p->pos >= p->len; }

static char peek(const parser *p) { return at_end(p) ? '\0' : p->text[p->pos]; }

static void skip_spaces(parser *p) {
  while (!at_end(p) && (peek(p) == ' ' || peek(p) == '\t'))
    p->pos++;
}

static bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static bool is_escapable(char c) { return c != '\0' && strchr(",=!()\\ ", c); }

/*
** Report a syntax error: "<problem> at column N", then "; <hint>" when a
** hint is given. Always INVALID_ARGUMENT.
*/
static atesql_status fail(parser *p, size_t pos, const char *hint,
                          const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static atesql_status fail(parser *p, size_t pos, const char *hint,
                          const char *fmt, ...) {
  char problem[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(problem, sizeof problem, fmt, ap);
  va_end(ap);
  return error_set(p->err, ATESQL_INVALID_ARGUMENT, pos + 1,
                   "%s at column %zu%s%s", problem, pos + 1, hint ? "; " : "",
                   hint ? hint : "");
}

/* What the byte at pos looks like in a message: 'c', or "end of input". */
static const char *describe(const parser *p, size_t pos, char *buf,
                            size_t bufsz) {
  if (pos >= p->len) return "end of input";
  char c[8];
  error_excerpt(c, sizeof c, p->text + pos, 1, 1);
  snprintf(buf, bufsz, "'%s'", c);
  return buf;
}

static size_t scan_name(parser *p) {
  size_t start = p->pos;
  while (!at_end(p) && is_name_char(peek(p)))
    p->pos++;
  return p->pos - start;
}

/*
** Read one value up to an unescaped terminator: ',' and whitespace always,
** and ')' inside a list. Unescapes into a new buffer and hands it to
** sel_value_make for the field's checks.
*/
static atesql_status parse_value(parser *p, const field_def *field,
                                 bool in_list, sel_value *out) {
  size_t start = p->pos;
  char *buf = malloc(p->len - start + 1);
  if (buf == NULL)
    return error_set(p->err, ATESQL_NO_MEMORY, 0, "out of memory");
  size_t n = 0;
  atesql_status st = ATESQL_OK;
  while (!at_end(p)) {
    char c = peek(p);
    if (c == ',' || c == ' ' || c == '\t' || (in_list && c == ')')) break;
    if (c == '\\') {
      if (p->pos + 1 >= p->len) {
        st = fail(p, p->pos, NULL, "dangling escape '\\'");
        break;
      }
      char next = p->text[p->pos + 1];
      if (!is_escapable(next)) {
        char shown[8];
        error_excerpt(shown, sizeof shown, &next, 1, 1);
        st = fail(p, p->pos, "only , = ! ( ) \\ and space can be escaped",
                  "invalid escape '\\%s'", shown);
        break;
      }
      buf[n++] = next;
      p->pos += 2;
      continue;
    }
    if (strchr("=!()", c)) {
      char hint[32];
      snprintf(hint, sizeof hint, "write it as '\\%c'", c);
      st = fail(p, p->pos, hint, "unescaped '%c' in a value", c);
      break;
    }
    buf[n++] = c;
    p->pos++;
  }
  if (st == ATESQL_OK) {
    char where[40];
    snprintf(where, sizeof where, " at column %zu", start + 1);
    st = sel_value_make(field, buf, n, where, start + 1, out, p->err);
  }
  free(buf);
  return st;
}

/* "(" value ("," value)* ")" with the opening parenthesis at p->pos. */
static atesql_status parse_list(parser *p, const field_def *field,
                                const char *opname, sel_value **values,
                                size_t *count) {
  char seen[24];
  skip_spaces(p);
  if (peek(p) != '(') {
    return fail(p, p->pos, NULL, "expected '(' after '%s', found %s", opname,
                describe(p, p->pos, seen, sizeof seen));
  }
  size_t open = p->pos++;
  skip_spaces(p);
  if (peek(p) == ')')
    return fail(p, open, NULL, "empty value list '%s ()'", opname);
  size_t cap = 4;
  *count = 0;
  *values = malloc(cap * sizeof **values);
  if (*values == NULL)
    return error_set(p->err, ATESQL_NO_MEMORY, 0, "out of memory");
  for (;;) {
    skip_spaces(p);
    if (*count == ATESQL_SELECTOR_LIST_MAX) {
      return fail(p, p->pos, NULL, "too many values in list (limit %d)",
                  ATESQL_SELECTOR_LIST_MAX);
    }
    if (*count == cap) {
      cap *= 2;
      sel_value *grown = realloc(*values, cap * sizeof *grown);
      if (grown == NULL)
        return error_set(p->err, ATESQL_NO_MEMORY, 0, "out of memory");
      *values = grown;
    }
    atesql_status st = parse_value(p, field, true, &(*values)[*count]);
    if (st != ATESQL_OK) return st;
    (*count)++;
    skip_spaces(p);
    if (peek(p) == ',') {
      p->pos++;
      continue;
    }
    if (peek(p) == ')') {
      p->pos++;
      return ATESQL_OK;
    }
    if (at_end(p)) return fail(p, open, NULL, "unterminated '('");
    return fail(p, p->pos, NULL, "expected ',' or ')' in value list, found %s",
                describe(p, p->pos, seen, sizeof seen));
  }
}

/* A label key may hold '/' (prefix/name); field names never do. */
static size_t scan_field(parser *p) {
  size_t start = p->pos;
  while (!at_end(p) && (is_name_char(peek(p)) || peek(p) == '/'))
    p->pos++;
  return p->pos - start;
}

static atesql_status parse_term(parser *p) {
  char seen[24];
  size_t bang_pos = p->pos;
  bool negated = peek(p) == '!';
  if (negated) p->pos++;
  size_t field_pos = p->pos;
  size_t name_len = scan_field(p);
  if (name_len == 0)
    return fail(p, field_pos, NULL, "expected a field name, found %s",
                describe(p, field_pos, seen, sizeof seen));
  char where[40];
  snprintf(where, sizeof where, " at column %zu", field_pos + 1);
  const char *key = NULL;
  atesql_status st = sel_label_key(p->sel->res, p->text + field_pos, name_len,
                                   where, field_pos + 1, &key, p->err);
  if (st != ATESQL_OK) return st;
  const field_def *field =
      key ? p->sel->res->labels
          : schema_field(p->sel->res, p->text + field_pos, name_len);
  if (field == NULL)
    return sel_unknown_field(p->sel->res, p->text + field_pos, name_len,
                             field_pos + 1, p->err);
  if (negated && key == NULL)
    return fail(p, bang_pos, "write 'field!=value'",
                "'!' before field '%s': only a label's absence is written "
                "'!labels.KEY'",
                field->name);
  char *label = NULL;
  if (key) {
    size_t klen = name_len - (size_t)(key - (p->text + field_pos));
    label = malloc(klen + 1);
    if (label == NULL)
      return error_set(p->err, ATESQL_NO_MEMORY, 0, "out of memory");
    memcpy(label, key, klen);
    label[klen] = '\0';
  }
  skip_spaces(p);
  if (key && (at_end(p) || peek(p) == ','))
    return sel_add_term(p->sel, field, label,
                        negated ? ATESQL_OP_NOTEXISTS : ATESQL_OP_EXISTS, NULL,
                        0, field_pos + 1, p->err);
  if (negated) {
    st = fail(p, p->pos, "'!labels.KEY' stands alone; write 'labels.KEY!=v'",
              "unexpected %s after '!labels.%.60s'",
              describe(p, p->pos, seen, sizeof seen), label);
    free(label);
    return st;
  }

  size_t op_pos = p->pos;
  atesql_op op;
  if (peek(p) == '=') {
    op = ATESQL_OP_EQ;
    p->pos += (p->pos + 1 < p->len && p->text[p->pos + 1] == '=') ? 2 : 1;
  } else if (peek(p) == '!' && p->pos + 1 < p->len &&
             p->text[p->pos + 1] == '=') {
    op = ATESQL_OP_NEQ;
    p->pos += 2;
  } else {
    size_t word = scan_name(p);
    if (word == 2 && memcmp(p->text + op_pos, "in", 2) == 0)
      op = ATESQL_OP_IN;
    else if (word == 5 && memcmp(p->text + op_pos, "notin", 5) == 0)
      op = ATESQL_OP_NOTIN;
    else {
      free(label);
      return fail(p, op_pos, "expected =, ==, !=, in or notin",
                  "missing operator after field '%s'", field->name);
    }
  }

  sel_value *values = NULL;
  size_t count = 0;
  if (op == ATESQL_OP_EQ || op == ATESQL_OP_NEQ) {
    skip_spaces(p);
    values = calloc(1, sizeof *values);
    if (values == NULL) {
      free(label);
      return error_set(p->err, ATESQL_NO_MEMORY, 0, "out of memory");
    }
    st = parse_value(p, field, false, &values[0]);
    count = st == ATESQL_OK ? 1 : 0;
  } else {
    st = parse_list(p, field, op == ATESQL_OP_IN ? "in" : "notin", &values,
                    &count);
  }
  if (st != ATESQL_OK) {
    sel_values_free(values, count);
    free(label);
    return st;
  }
  return sel_add_term(p->sel, field, label, op, values, count, field_pos + 1,
                      p->err);
}

static atesql_status parse_selector(parser *p) {
  char seen[24];
  skip_spaces(p);
  if (at_end(p)) return ATESQL_OK;
  for (;;) {
    atesql_status st = parse_term(p);
    if (st != ATESQL_OK) return st;
    skip_spaces(p);
    if (at_end(p)) return ATESQL_OK;
    if (peek(p) != ',')
      return fail(p, p->pos,
                  "separate terms with ',' and escape spaces in values as "
                  "'\\ '",
                  "unexpected %s", describe(p, p->pos, seen, sizeof seen));
    size_t comma = p->pos++;
    skip_spaces(p);
    if (at_end(p)) return fail(p, comma, NULL, "trailing comma");
  }
}

atesql_status atesql_selector_parse(atesql_resource resource, const char *text,
                                    size_t len, atesql_selector **out,
                                    atesql_error *err) {
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "out is NULL");
  *out = NULL;
  if (text == NULL) text = "";
  if (len == ATESQL_NUL_TERMINATED) len = strlen(text);
  size_t bad = utf8_invalid_offset(text, len);
  if (bad < len)
    return error_set(err, ATESQL_INVALID_ARGUMENT, bad + 1, "%s at column %zu",
                     text[bad] ? "invalid UTF-8" : "NUL byte", bad + 1);

  atesql_selector *sel;
  atesql_status st = atesql_selector_new(resource, &sel, err);
  if (st != ATESQL_OK) return st;
  parser p = {text, len, 0, sel, err};
  st = parse_selector(&p);
  if (st != ATESQL_OK) {
    atesql_selector_free(sel);
    return st;
  }
  *out = sel;
  return ATESQL_OK;
}
