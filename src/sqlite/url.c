/*
** Parsing the SQLite driver's URL. Every option is checked whole: a value
** is a number only when all of it is digits, so "busy_timeout_ms=1junk"
** is an error, not 1 ms.
*/
#include "sqlite/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* Does option text[0..len) read "key=value" for this key? *value points
** after the '='. */
static bool option_is(const char *text, size_t len, const char *key,
                      const char **value, size_t *value_len) {
  size_t klen = strlen(key);
  if (len <= klen || strncmp(text, key, klen) != 0 || text[klen] != '=')
    return false;
  *value = text + klen + 1;
  *value_len = len - klen - 1;
  return true;
}

static bool value_is(const char *value, size_t len, const char *want) {
  return len == strlen(want) && strncmp(value, want, len) == 0;
}

/* A decimal in [0, max], all of text[0..len) digits. */
static bool parse_bounded(const char *text, size_t len, long max, long *out) {
  if (len == 0) return false;
  long v = 0;
  for (size_t i = 0; i < len; i++) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
    if (v > max) return false;
  }
  *out = v;
  return true;
}

static atesql_status bad_option(const char *text, size_t len, const char *why,
                                atesql_error *err) {
  char shown[96];
  error_excerpt(shown, sizeof shown, text, len, 64);
  return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                   "sqlite URL: option '%s' %s", shown, why);
}

/* A number option in [min, max] into *out. */
static atesql_status parse_number_option(const char *text, size_t len,
                                         const char *value, size_t vlen,
                                         long min, long max, int *out,
                                         atesql_error *err) {
  long v;
  if (!parse_bounded(value, vlen, max, &v) || v < min) {
    char why[96];
    size_t klen = (size_t)(value - text) - 1;
    snprintf(why, sizeof why, "must be %.*s=%ld..%ld", (int)klen, text, min,
             max);
    return bad_option(text, len, why, err);
  }
  *out = (int)v;
  return ATESQL_OK;
}

/* One option of the query string into u. */
static atesql_status parse_option(const char *text, size_t len, sqlite_url *u,
                                  atesql_error *err) {
  const char *value;
  size_t vlen;
  if (option_is(text, len, "busy_timeout_ms", &value, &vlen)) {
    return parse_number_option(text, len, value, vlen, 0,
                               SQLITE_MAX_BUSY_TIMEOUT_MS, &u->busy_timeout_ms,
                               err);
  } else if (option_is(text, len, "cache_size_mb", &value, &vlen)) {
    return parse_number_option(text, len, value, vlen, 1,
                               SQLITE_MAX_CACHE_SIZE_MB, &u->cache_size_mb,
                               err);
  } else if (option_is(text, len, "mmap_size_mb", &value, &vlen)) {
    return parse_number_option(text, len, value, vlen, 0,
                               SQLITE_MAX_MMAP_SIZE_MB, &u->mmap_size_mb, err);
  } else if (option_is(text, len, "synchronous", &value, &vlen)) {
    if (value_is(value, vlen, "full"))
      u->synchronous_full = true;
    else if (value_is(value, vlen, "normal"))
      u->synchronous_full = false;
    else
      return bad_option(text, len, "must be synchronous=full or normal", err);
  } else if (option_is(text, len, "mode", &value, &vlen)) {
    if (!value_is(value, vlen, "ro"))
      return bad_option(text, len, "must be mode=ro", err);
    if (u->access == SQLITE_ACCESS_READ_WRITE)
      u->access = SQLITE_ACCESS_READ_ONLY;
  } else if (option_is(text, len, "immutable", &value, &vlen)) {
    if (!value_is(value, vlen, "1"))
      return bad_option(text, len, "must be immutable=1", err);
    u->access = SQLITE_ACCESS_IMMUTABLE;
  } else {
    return bad_option(text, len,
                      "is unknown; the options are busy_timeout_ms=N, "
                      "synchronous=full|normal, mode=ro, immutable=1, "
                      "cache_size_mb=N and mmap_size_mb=N",
                      err);
  }
  return ATESQL_OK;
}

atesql_status sqlite_url_parse(const char *url, sqlite_url *out,
                               atesql_error *err) {
  memset(out, 0, sizeof *out);
  out->busy_timeout_ms = SQLITE_DEFAULT_BUSY_TIMEOUT_MS;
  out->synchronous_full = true;
  out->cache_size_mb = SQLITE_DEFAULT_CACHE_SIZE_MB;
  out->mmap_size_mb = SQLITE_DEFAULT_MMAP_SIZE_MB;
  if (url == NULL || strncmp(url, "sqlite:", 7) != 0)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "not a sqlite URL: use sqlite:PATH or sqlite::memory:");
  const char *rest = url + 7;
  const char *q = strchr(rest, '?');
  size_t path_len = q ? (size_t)(q - rest) : strlen(rest);
  if (path_len == 0)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "sqlite URL has no path: use sqlite:PATH or "
                     "sqlite::memory:");
  for (const char *o = q ? q + 1 : NULL; o != NULL;) {
    const char *amp = strchr(o, '&');
    size_t len = amp ? (size_t)(amp - o) : strlen(o);
    atesql_status st = len ? parse_option(o, len, out, err) : ATESQL_OK;
    if (st != ATESQL_OK) return st;
    o = amp ? amp + 1 : NULL;
  }
  out->path = strndup(rest, path_len);
  if (out->path == NULL)
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  return ATESQL_OK;
}

void sqlite_url_release(sqlite_url *u) {
  free(u->path);
  u->path = NULL;
}
