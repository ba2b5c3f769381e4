/*
** Kubernetes label syntax (label_syntax.h), as its validation of label
** keys and values states it.
*/
#include "util/label_syntax.h"

#include <stdbool.h>
#include <string.h>

static bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

static const char *name_problem(const char *s, size_t len) {
  if (len == 0) return "the name is empty";
  if (len > LABEL_NAME_MAX) return "the name is longer than 63 characters";
  if (!alnum(s[0]) || !alnum(s[len - 1]))
    return "the name must begin and end with a letter or digit";
  for (size_t i = 0; i < len; i++)
    if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
      return "the name may hold only letters, digits, '-', '_' and '.'";
  return NULL;
}

/* A DNS subdomain (RFC 1123): lowercase labels of [a-z0-9-], each
** beginning and ending with a letter or digit, joined by '.'. */
static const char *prefix_problem(const char *s, size_t len) {
  if (len == 0) return "the prefix before '/' is empty";
  if (len > LABEL_PREFIX_MAX) return "the prefix is longer than 253 characters";
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && s[i] != '.') {
      bool ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
                s[i] == '-';
      if (!ok)
        return "the prefix must be a lowercase DNS subdomain ([a-z0-9-.])";
      continue;
    }
    size_t n = i - start;
    if (n == 0 || n > 63 || s[start] == '-' || s[i - 1] == '-')
      return "each part of the prefix must be 1-63 characters [a-z0-9-], "
             "beginning and ending with a letter or digit";
    start = i + 1;
  }
  return NULL;
}

const char *label_key_problem(const char *key, size_t len) {
  const char *slash = memchr(key, '/', len);
  if (slash == NULL) return name_problem(key, len);
  size_t plen = (size_t)(slash - key);
  const char *p = prefix_problem(key, plen);
  return p ? p : name_problem(slash + 1, len - plen - 1);
}

const char *label_value_problem(const char *value, size_t len) {
  return len == 0 ? NULL : name_problem(value, len);
}
