/*
** The actors' two JSON columns read by token. A list decodes the two JSON
** columns of every actor it returns, documents codec/encode.c wrote:
** compact, and in practice free of escapes and numbers. jsmn, a tokenizer
** that allocates nothing, splits such a document into tokens in one pass,
** and the walk below decodes them by the field tables of
** codec/messages.c, without building a jansson tree per row.
**
** jsmn is lax (it does not check the punctuation between tokens, nor
** decode escapes), so the walk takes a document only when its tokens are
** exactly JSON that jansson reads the same way: whitespace, ':' and ','
** where JSON puts them and nothing else between tokens; strings without
** escapes or control characters and in valid UTF-8 (their bytes are then
** their value); null as the only literal; no key twice; every value of a
** kind its field takes. It declines everything else (numbers, escapes,
** errors of any sort): the arena is rewound to where it was, and jansson
** decodes the document as before (codec/decode.c), with the same result
** or the same error (and a record stays one allocation).
*/
#include <stdint.h>
/* jsmn is one header: its functions static here, strict JSON tokens. */
#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json_internal.h"
#include "util/arena.h"
#include "util/utf8.h"

enum { COLUMN_TOKENS = 64, COLUMN_MAX_LEN = 1 << 20 };

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
  *out = n ? arena_strndup(d->root, d->text + t->start, n) : codec_empty_string;
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
  if (n > 1) qsort(labels, n, sizeof *labels, codec_compare_labels);
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
  for (size_t i = 0; i < f->enum_count; i++) {
    if (!token_equals(d, &d->tok[v], f->enum_names[i])) continue;
    *(int *)member(base, f->offset) = (int)i;
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
    codec_set_empty_strings(f->message, target);
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

token_result codec_decode_column_tokens(const char *text, size_t len,
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
