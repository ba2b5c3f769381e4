/*
** Filling an atesql_error, and the static names of statuses. Every error
** message in the library is formatted through error_set so that it is one
** line and fits ATESQL_ERROR_MESSAGE_MAX.
*/
#ifndef ATESQL_UTIL_ERROR_H
#define ATESQL_UTIL_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#include "atesql/types.h"

/*
** Fill *err (if not NULL) with status, column and a printf-formatted
** message, truncated to fit. Returns status, so callers can write
** `return error_set(err, ATESQL_INVALID_ARGUMENT, col, "...")`.
*/
atesql_status error_set(atesql_error *err, atesql_status status, size_t column,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
** printf-format into out (size outsz), truncated to fit, as one line:
** newlines, carriage returns and tabs become spaces, other control bytes
** '?', trailing spaces are dropped. Every message the library reports
** passes through here, so no caller text or driver message can break a
** line of a log.
*/
void error_vformat(char *out, size_t outsz, const char *fmt, va_list ap);
void error_format(char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
** Write a printable excerpt of untrusted bytes into out (size outsz):
** at most `max` bytes of text, control bytes and quotes as \xNN, an
** ellipsis when cut. For quoting user input inside messages.
*/
void error_excerpt(char *out, size_t outsz, const char *text, size_t len,
                   size_t max);

#endif /* ATESQL_UTIL_ERROR_H */
