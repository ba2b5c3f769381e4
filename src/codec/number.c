/*
** Integers written as JSON number text, read the way Go's protojson reads
** them (its parseNumberParts and normalizeToIntString): split the number
** into sign, integer digits, fraction digits and exponent, shift the
** decimal point by the exponent, and accept the result only when no
** non-zero digit is left after the point. Exact for any length of text:
** no floating point is involved.
*/
#include "codec/number.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The digits of a number after normalization: at most 20 (the digits of
** the largest uint64), as protojson caps them before parsing. */
enum { MAX_INTEGER_DIGITS = 20 };

/* The parts of a JSON number's text; digit runs point into the text. */
typedef struct number_parts {
  bool negative;
  const char *int_digits; /* without a leading "0": "0.5" has none */
  size_t int_len;
  const char *frac_digits; /* trailing zeros removed */
  size_t frac_len;
  int64_t exponent;
  bool exponent_overflow; /* beyond 32 bits, as protojson refuses */
} number_parts;

/* Split text as JSON's number grammar: false when it is not exactly one
** number. */
static bool split_number(const char *s, size_t len, number_parts *p) {
  size_t i = 0;
  memset(p, 0, sizeof *p);
  p->int_digits = p->frac_digits = s; /* empty runs, never NULL */
  if (i < len && s[i] == '-') {
    p->negative = true;
    i++;
  }
  if (i >= len) return false;
  if (s[i] == '0') {
    i++;
  } else if (is_digit(s[i])) {
    p->int_digits = s + i;
    while (i < len && is_digit(s[i]))
      i++;
    p->int_len = (size_t)(s + i - p->int_digits);
  } else {
    return false;
  }
  if (i < len && s[i] == '.') {
    if (i + 1 >= len || !is_digit(s[i + 1])) return false;
    p->frac_digits = s + ++i;
    while (i < len && is_digit(s[i]))
      i++;
    p->frac_len = (size_t)(s + i - p->frac_digits);
    while (p->frac_len > 0 && p->frac_digits[p->frac_len - 1] == '0')
      p->frac_len--;
  }
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    bool negative_exponent = i < len && s[i] == '-';
    if (i < len && (s[i] == '-' || s[i] == '+')) i++;
    if (i >= len || !is_digit(s[i])) return false;
    int64_t e = 0;
    while (i < len && is_digit(s[i])) {
      if (e <= INT32_MAX) e = e * 10 + (s[i] - '0');
      i++;
    }
    p->exponent_overflow = e > INT32_MAX;
    p->exponent = negative_exponent ? -e : e;
  }
  return i == len;
}

typedef enum shift_result {
  SHIFT_OK,
  SHIFT_FRACTION, /* a non-zero digit is left after the decimal point */
  SHIFT_TOO_LONG  /* more than MAX_INTEGER_DIGITS digits */
} shift_result;

/* The integer digits of p after shifting by its exponent into digits[]. */
static shift_result shift_to_integer(const number_parts *p,
                                     char digits[MAX_INTEGER_DIGITS],
                                     size_t *n) {
  if (p->exponent >= 0) {
    if ((int64_t)p->frac_len > p->exponent) return SHIFT_FRACTION;
    if ((int64_t)p->int_len + p->exponent > MAX_INTEGER_DIGITS)
      return SHIFT_TOO_LONG;
    memcpy(digits, p->int_digits, p->int_len);
    memcpy(digits + p->int_len, p->frac_digits, p->frac_len);
    size_t zeros = (size_t)p->exponent - p->frac_len;
    memset(digits + p->int_len + p->frac_len, '0', zeros);
    *n = p->int_len + p->frac_len + zeros;
    return SHIFT_OK;
  }
  if (p->frac_len > 0) return SHIFT_FRACTION;
  int64_t point = (int64_t)p->int_len + p->exponent;
  if (point < 0) return SHIFT_FRACTION; /* int digits are non-zero here */
  for (size_t i = (size_t)point; i < p->int_len; i++)
    if (p->int_digits[i] != '0') return SHIFT_FRACTION;
  if ((size_t)point > MAX_INTEGER_DIGITS) return SHIFT_TOO_LONG;
  memcpy(digits, p->int_digits, (size_t)point);
  *n = (size_t)point;
  return SHIFT_OK;
}

number_class codec_classify_number(const char *text, size_t len, int64_t min,
                                   int64_t max, int64_t *out) {
  number_parts p;
  if (!split_number(text, len, &p)) return NUMBER_INVALID;
  if (p.int_len == 0 && p.frac_len == 0) {
    if (0 < min || 0 > max) return NUMBER_OUT_OF_RANGE;
    *out = 0; /* "0", "-0", "0.0e7": zero whatever the exponent */
    return NUMBER_INTEGER;
  }
  if (p.exponent_overflow)
    return p.exponent < 0 ? NUMBER_NOT_INTEGER : NUMBER_OUT_OF_RANGE;
  char digits[MAX_INTEGER_DIGITS];
  size_t n;
  switch (shift_to_integer(&p, digits, &n)) {
  case SHIFT_OK: break;
  case SHIFT_FRACTION: return NUMBER_NOT_INTEGER;
  case SHIFT_TOO_LONG: return NUMBER_OUT_OF_RANGE;
  }
  /* The magnitude, with room to tell 2^63 (INT64_MIN's) from overflow. */
  uint64_t magnitude = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned d = (unsigned)(digits[i] - '0');
    if (magnitude > (UINT64_MAX - d) / 10) return NUMBER_OUT_OF_RANGE;
    magnitude = magnitude * 10 + d;
  }
  if (p.negative) {
    if (magnitude > (uint64_t)INT64_MAX + 1) return NUMBER_OUT_OF_RANGE;
    int64_t v =
        magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)magnitude;
    if (v < min) return NUMBER_OUT_OF_RANGE;
    *out = v;
    return NUMBER_INTEGER;
  }
  if (magnitude > (uint64_t)max) return NUMBER_OUT_OF_RANGE;
  *out = (int64_t)magnitude;
  return NUMBER_INTEGER;
}

/* The end of the number token starting at text[i]: JSON number bytes. */
static size_t number_token_end(const char *text, size_t len, size_t i) {
  while (i < len && (is_digit(text[i]) || text[i] == '-' || text[i] == '+' ||
                     text[i] == '.' || text[i] == 'e' || text[i] == 'E'))
    i++;
  return i;
}

/* A plain integer jansson reads exactly: digits only (after a '-'), at
** most 18 of them (so surely within 64 bits). */
static bool is_plain_integer(const char *tok, size_t len) {
  size_t i = tok[0] == '-';
  if (len - i > 18) return false;
  for (; i < len; i++)
    if (!is_digit(tok[i])) return false;
  return true;
}

/*
** The exact replacement of one number token into out (at least 24 bytes):
** its length, or 0 to keep the token as it is.
*/
static size_t exact_replacement(const char *tok, size_t len, char *out) {
  if (is_plain_integer(tok, len)) return 0;
  int64_t v;
  switch (codec_classify_number(tok, len, INT64_MIN, INT64_MAX, &v)) {
  case NUMBER_INTEGER: return (size_t)snprintf(out, 24, "%" PRId64, v);
  case NUMBER_NOT_INTEGER: return (size_t)snprintf(out, 24, "0.5");
  case NUMBER_OUT_OF_RANGE: return (size_t)snprintf(out, 24, "1e300");
  case NUMBER_INVALID: break;
  }
  return 0;
}

/*
** Walk the number tokens of text outside strings; call emit for the text
** between them and for each token's replacement. Returns how many tokens
** were replaced. emit may be NULL (counting only).
*/
typedef struct rewriter {
  char *out;
  size_t used;
} rewriter;

static void emit(rewriter *w, const char *bytes, size_t n) {
  if (w == NULL) return;
  memcpy(w->out + w->used, bytes, n);
  w->used += n;
}

static size_t rewrite_numbers(const char *text, size_t len, rewriter *w) {
  size_t replaced = 0, copied = 0, i = 0;
  bool in_string = false;
  while (i < len) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = false;
      i++;
    } else if (c == '"') {
      in_string = true;
      i++;
    } else if (c == '-' || is_digit(c)) {
      size_t end = number_token_end(text, len, i);
      char exact[24];
      size_t n = exact_replacement(text + i, end - i, exact);
      if (n > 0) {
        emit(w, text + copied, i - copied);
        emit(w, exact, n);
        copied = end;
        replaced++;
      }
      i = end;
    } else {
      i++;
    }
  }
  emit(w, text + copied, len - copied);
  return replaced;
}

char *codec_exact_numbers(const char *text, size_t len, size_t *copy_len,
                          bool *oom) {
  *oom = false;
  size_t replaced = rewrite_numbers(text, len, NULL);
  if (replaced == 0) return NULL;
  /* A replacement is at most 20 bytes; its token at least 1. */
  if (replaced > (SIZE_MAX - len - 1) / 20) {
    *oom = true;
    return NULL;
  }
  rewriter w = {malloc(len + 20 * replaced + 1), 0};
  if (w.out == NULL) {
    *oom = true;
    return NULL;
  }
  rewrite_numbers(text, len, &w);
  w.out[w.used] = '\0';
  *copy_len = w.used;
  return w.out;
}
