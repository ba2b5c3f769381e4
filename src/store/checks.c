/*
** What the operations check of a caller's input before the database
** sees it (text, indexed text, versions), how they bind parameters and
** how messages name a record.
*/
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "util/error.h"
#include "util/utf8.h"

db_param param_text(const char *text) {
  db_param p = {DB_TEXT, text ? text : "", text ? strlen(text) : 0, 0};
  return p;
}

db_param param_int64(int64_t v) {
  db_param p = {DB_INT64, NULL, 0, v};
  return p;
}

atesql_status check_text(atesql_store *s, const char *what, const char *text,
                         bool required) {
  size_t len = text ? strlen(text) : 0;
  if (required && len == 0)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "%s must not be empty", what);
  size_t bad = utf8_invalid_offset(text ? text : "", len);
  if (bad < len)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "%s is not valid UTF-8 (byte %zu)", what, bad + 1);
  return ATESQL_OK;
}

atesql_status check_indexed_text(atesql_store *s, const char *what,
                                 const char *text, bool required) {
  atesql_status st = check_text(s, what, text, required);
  size_t len = text ? strlen(text) : 0;
  if (st == ATESQL_OK && len > ATESQL_INDEXED_TEXT_MAX)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "%s is %zu bytes; the limit for an indexed field is %d",
                      what, len, ATESQL_INDEXED_TEXT_MAX);
  return st;
}

void name_record(char *buf, size_t bufsz, const char *kind,
                 const char *const *parts, size_t count) {
  size_t n = (size_t)snprintf(buf, bufsz, "%s '", kind);
  for (size_t i = 0; i < count && n < bufsz; i++) {
    char shown[80];
    const char *p = parts[i] ? parts[i] : "";
    error_excerpt(shown, sizeof shown, p, strlen(p), 64);
    n += (size_t)snprintf(buf + n, bufsz - n, "%s%s", i ? "/" : "", shown);
  }
  if (n < bufsz) snprintf(buf + n, bufsz - n, "'");
}

atesql_status import_version(atesql_store *s, int64_t given, int64_t *version) {
  if (given < 0)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "version %lld is negative; a stored version is at least "
                      "1",
                      (long long)given);
  *version = given == 0 ? 1 : given;
  return ATESQL_OK;
}

atesql_status fail_last_version(atesql_store *s, const char *what) {
  return store_fail(s, ATESQL_FAILED_PRECONDITION,
                    "%s is at version %lld, the largest there is; it cannot "
                    "be updated",
                    what, (long long)INT64_MAX);
}
