/*
** UTF-8 validation (util/utf8.c).
*/
#ifndef ATESQL_UTIL_UTF8_H
#define ATESQL_UTIL_UTF8_H

#include <stddef.h>

/* The offset of the first byte of text[0..len) that is NUL or not valid
** UTF-8 (overlong forms, surrogates and code points past U+10FFFF are
** invalid), or len when all are valid. */
size_t utf8_invalid_offset(const char *text, size_t len);

#endif /* ATESQL_UTIL_UTF8_H */
