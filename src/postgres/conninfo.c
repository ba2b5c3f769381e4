/*
** PostgreSQL URLs and conninfo strings, checked before a connection is
** tried: libpq parses them (PQconninfoParse), and the numeric options it
** would only reject while connecting (a failure that looks like an
** unreachable server) are checked here, so a typo is INVALID_ARGUMENT.
*/
#include "postgres/conninfo.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

void postgres_redact(char *buf, size_t bufsz, const char *password) {
  if (password == NULL || *password == '\0' || strstr(buf, password) == NULL)
    return;
  char out[ATESQL_ERROR_MESSAGE_MAX];
  size_t plen = strlen(password), o = 0;
  for (const char *p = buf; *p && o + 4 < sizeof out;) {
    if (strncmp(p, password, plen) == 0) {
      memcpy(out + o, "***", 3);
      o += 3;
      p += plen;
    } else {
      out[o++] = *p++;
    }
  }
  out[o] = '\0';
  snprintf(buf, bufsz, "%s", out);
}

/* The password found by its shape (user:PASSWORD@ or password=VALUE), so
** that even a text libpq cannot parse is scrubbed. */
static char *password_by_shape(const char *url) {
  const char *start = NULL, *end = NULL;
  const char *scheme = strstr(url, "://");
  if (scheme) {
    const char *at = strchr(scheme + 3, '@');
    const char *colon = strchr(scheme + 3, ':');
    if (at && colon && colon < at) {
      start = colon + 1;
      end = at;
    }
  } else if ((start = strstr(url, "password=")) != NULL) {
    start += 9;
    end = start + strcspn(start, " ");
  }
  return start && end > start ? strndup(start, (size_t)(end - start)) : NULL;
}

char *postgres_conninfo_password(const char *url) {
  PQconninfoOption *opts = PQconninfoParse(url, NULL);
  char *password = NULL;
  for (PQconninfoOption *o = opts; o && o->keyword; o++)
    if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
      password = strdup(o->val);
  PQconninfoFree(opts);
  return password ? password : password_by_shape(url);
}

/* An integer in [min, max] written in full, or "" when allow_empty. */
static bool is_integer_in(const char *text, size_t len, long min, long max,
                          bool allow_empty) {
  if (len == 0) return allow_empty;
  size_t i = text[0] == '-' ? 1 : 0;
  if (i == len) return false;
  long v = 0;
  for (; i < len; i++) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
    if (v > max + 1L) return false;
  }
  if (text[0] == '-') v = -v;
  return v >= min && v <= max;
}

/* What is wrong with option keyword=value, or NULL when nothing is. */
static const char *option_problem(const char *keyword, const char *value) {
  size_t len = strlen(value);
  if (strcmp(keyword, "port") == 0) {
    /* A list, one port per host; an empty entry means the default. */
    for (const char *p = value;;) {
      size_t n = strcspn(p, ",");
      if (!is_integer_in(p, n, 1, 65535, true))
        return "must be a port number 1..65535 (or a comma-separated list)";
      if (p[n] == '\0') return NULL;
      p += n + 1;
    }
  }
  static const char *const integers[] = {
      "connect_timeout",     "keepalives",       "keepalives_idle",
      "keepalives_interval", "keepalives_count", "tcp_user_timeout",
  };
  for (size_t i = 0; i < sizeof integers / sizeof integers[0]; i++)
    if (strcmp(keyword, integers[i]) == 0 &&
        !is_integer_in(value, len, 0, 2147483647L, true))
      return "must be a non-negative integer";
  return NULL;
}

atesql_status postgres_conninfo_check(const char *url, atesql_error *err) {
  char *parse_error = NULL;
  PQconninfoOption *opts = PQconninfoParse(url, &parse_error);
  char *password = postgres_conninfo_password(url);
  atesql_status st = ATESQL_OK;
  if (opts == NULL) {
    char msg[ATESQL_ERROR_MESSAGE_MAX];
    snprintf(msg, sizeof msg, "%s",
             parse_error ? parse_error : "out of memory");
    postgres_redact(msg, sizeof msg, password);
    st =
        error_set(err, parse_error ? ATESQL_INVALID_ARGUMENT : ATESQL_NO_MEMORY,
                  0, "invalid PostgreSQL URL or conninfo: %s", msg);
  }
  for (PQconninfoOption *o = opts; st == ATESQL_OK && o && o->keyword; o++) {
    const char *problem = o->val ? option_problem(o->keyword, o->val) : NULL;
    if (problem == NULL) continue;
    char shown[96];
    error_excerpt(shown, sizeof shown, o->val, strlen(o->val), 64);
    postgres_redact(shown, sizeof shown, password);
    st = error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                   "invalid PostgreSQL URL or conninfo: %s '%s' %s", o->keyword,
                   shown, problem);
  }
  PQfreemem(parse_error);
  PQconninfoFree(opts);
  free(password);
  return st;
}
