/*
** Kubernetes label syntax, shared by the store (worker labels) and the
** selector (labels.KEY terms): a key is an optional prefix, a DNS
** subdomain of at most 253 bytes, and '/', then a name; a name is 1 to 63
** characters [A-Za-z0-9._-] beginning and ending with a letter or digit; a
** value is empty or a name.
*/
#ifndef ATESQL_UTIL_LABEL_SYNTAX_H
#define ATESQL_UTIL_LABEL_SYNTAX_H

#include <stddef.h>

enum { LABEL_NAME_MAX = 63, LABEL_PREFIX_MAX = 253 };

/* NULL when key[0..len) is a valid label key, else what is wrong with it
** (a static string). */
const char *label_key_problem(const char *key, size_t len);

/* NULL when value[0..len) is a valid label value, else what is wrong. */
const char *label_value_problem(const char *value, size_t len);

#endif /* ATESQL_UTIL_LABEL_SYNTAX_H */
