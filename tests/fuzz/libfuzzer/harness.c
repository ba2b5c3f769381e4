/*
** The helpers of harness.h: failing loudly, and checking error reports.
*/
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void harness_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("harness: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  abort();
}

int harness_is_one_line(const char *msg, size_t max) {
  size_t len = strnlen(msg, max);
  if (len == 0 || len == max || msg[len - 1] == ' ') return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)msg[i];
    if (c < 0x20 || c == 0x7f) return 0;
  }
  return 1;
}

void harness_check_error(const char *what, atesql_status got,
                         atesql_status want, const atesql_error *err) {
  if (got != want)
    harness_fail("%s returned %s, want %s (message: %.*s)", what,
                 atesql_status_str(got), atesql_status_str(want),
                 ATESQL_ERROR_MESSAGE_MAX, err->message);
  if (err->status != got)
    harness_fail("%s returned %s but err->status is %s", what,
                 atesql_status_str(got), atesql_status_str(err->status));
  if (!harness_is_one_line(err->message, sizeof err->message))
    harness_fail("%s: message is not one clean line: '%.*s'", what,
                 ATESQL_ERROR_MESSAGE_MAX, err->message);
}
