/*
** A growable NUL-terminated byte string for building SQL text and
** messages. An allocation failure is sticky: later appends do nothing and
** strbuf_failed() reports it once at the end, so callers check one place.
*/
#ifndef ATESQL_UTIL_STRBUF_H
#define ATESQL_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct strbuf {
  char *data; /* NUL-terminated when len > 0 or after any append */
  size_t len;
  size_t cap;
  bool failed;
} strbuf;

#define STRBUF_INIT                                                            \
  { NULL, 0, 0, false }

void strbuf_append(strbuf *sb, const char *bytes, size_t len);
void strbuf_puts(strbuf *sb, const char *s);
void strbuf_printf(strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool strbuf_failed(const strbuf *sb);
/* Hand the buffer to the caller ("" if nothing was appended; NULL if an
** allocation failed) and reset sb. */
char *strbuf_detach(strbuf *sb);
void strbuf_release(strbuf *sb);

#endif /* ATESQL_UTIL_STRBUF_H */
