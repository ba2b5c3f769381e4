/*
** Status names, the library version, and the formatting of error messages
** (one line, bounded, with untrusted input quoted safely).
*/
#include "util/error.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/utf8.h"

const char *atesql_status_str(atesql_status status) {
  switch (status) {
  case ATESQL_OK: return "OK";
  case ATESQL_NOT_FOUND: return "NOT_FOUND";
  case ATESQL_ALREADY_EXISTS: return "ALREADY_EXISTS";
  case ATESQL_CONFLICT: return "CONFLICT";
  case ATESQL_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
  case ATESQL_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
  case ATESQL_UNAVAILABLE: return "UNAVAILABLE";
  case ATESQL_NO_MEMORY: return "NO_MEMORY";
  case ATESQL_INTERNAL: return "INTERNAL";
  case ATESQL_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
  case ATESQL_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
  case ATESQL_CANCELLED: return "CANCELLED";
  case ATESQL_COMPACTED: return "COMPACTED";
  }
  return "UNKNOWN";
}

const char *atesql_version(void) { return ATESQL_VERSION_STRING; }

void atesql_free(void *ptr) { free(ptr); }

void error_vformat(char *out, size_t outsz, const char *fmt, va_list ap) {
  if (outsz == 0) return;
  vsnprintf(out, outsz, fmt, ap);
  size_t end = 0;
  for (size_t i = 0; out[i] != '\0'; i++) {
    unsigned char c = (unsigned char)out[i];
    if (c == '\n' || c == '\r' || c == '\t')
      out[i] = ' ';
    else if (c < 0x20 || c == 0x7f)
      out[i] = '?';
    if (out[i] != ' ') end = i + 1;
  }
  out[end] = '\0';
}

void error_format(char *out, size_t outsz, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  error_vformat(out, outsz, fmt, ap);
  va_end(ap);
}

atesql_status error_set(atesql_error *err, atesql_status status, size_t column,
                        const char *fmt, ...) {
  if (err == NULL) return status;
  err->status = status;
  err->column = column;
  va_list ap;
  va_start(ap, fmt);
  error_vformat(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return status;
}

void error_excerpt(char *out, size_t outsz, const char *text, size_t len,
                   size_t max) {
  size_t o = 0;
  size_t n = len < max ? len : max;
  size_t valid = 0; /* bytes from i on that are valid UTF-8 */
  for (size_t i = 0; i < n && o + 5 < outsz; i++) {
    unsigned char c = (unsigned char)text[i];
    if (valid == 0) valid = utf8_invalid_offset(text + i, n - i);
    bool bad = valid == 0; /* not UTF-8 (or a sequence cut by max) */
    if (valid) valid--;
    if (bad || c < 0x20 || c == 0x7f || c == '\'')
      o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
    else
      out[o++] = (char)c;
  }
  if (n < len && o + 4 < outsz) {
    out[o++] = '.';
    out[o++] = '.';
    out[o++] = '.';
  }
  out[o] = '\0';
}
