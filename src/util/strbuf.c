/*
** The growable string of strbuf.h: doubling growth, sticky failure.
*/
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool strbuf_reserve(strbuf *sb, size_t extra) {
  if (sb->failed) return false;
  if (sb->len + extra + 1 <= sb->cap) return true;
  size_t cap = sb->cap ? sb->cap : 64;
  while (cap < sb->len + extra + 1)
    cap *= 2;
  char *data = realloc(sb->data, cap);
  if (data == NULL) {
    sb->failed = true;
    return false;
  }
  sb->data = data;
  sb->cap = cap;
  return true;
}

void strbuf_append(strbuf *sb, const char *bytes, size_t len) {
  if (!strbuf_reserve(sb, len)) return;
  memcpy(sb->data + sb->len, bytes, len);
  sb->len += len;
  sb->data[sb->len] = '\0';
}

void strbuf_puts(strbuf *sb, const char *s) { strbuf_append(sb, s, strlen(s)); }

void strbuf_printf(strbuf *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !strbuf_reserve(sb, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sb->len += (size_t)n;
}

bool strbuf_failed(const strbuf *sb) { return sb->failed; }

char *strbuf_detach(strbuf *sb) {
  char *out = NULL;
  if (!sb->failed) {
    out = sb->data ? sb->data : calloc(1, 1);
    sb->data = NULL;
  }
  strbuf_release(sb);
  return out;
}

void strbuf_release(strbuf *sb) {
  free(sb->data);
  sb->data = NULL;
  sb->len = sb->cap = 0;
  sb->failed = false;
}
