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

/* libpq's parse errors quote the text they stopped at, which may hold a
** piece of the password that no longer matches it whole (cut, unescaped,
** or among stray quotes). With a password about, only the reason before
** the first quote is kept: "invalid connection option ...". */
static void cut_at_quote(char *msg) {
  char *q = strchr(msg, '"');
  if (q == NULL) return;
  while (q > msg && q[-1] == ' ')
    q--;
  strcpy(q, " ...");
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

#define POOLER_KEY "atesql_pooler"

/* Apply atesql_pooler's value to opts. */
static atesql_status set_pooler(const char *value, size_t len,
                                postgres_options *opts, atesql_error *err) {
  if (len == strlen("transaction") && strncmp(value, "transaction", len) == 0)
    opts->transaction_pooler = true;
  else if (len == strlen("none") && strncmp(value, "none", len) == 0)
    opts->transaction_pooler = false;
  else /* the value is not shown: an unclosed quote may run on into
       ** the password */
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "invalid PostgreSQL URL or conninfo: " POOLER_KEY
                     " must be transaction or none");
  return ATESQL_OK;
}

/* A URL: drop atesql_pooler=... from its query parameters into out. */
static atesql_status split_uri(const char *url, char *out,
                               postgres_options *opts, atesql_error *err) {
  const char *q = strchr(url, '?');
  size_t head = q ? (size_t)(q - url) : strlen(url);
  memcpy(out, url, head);
  size_t o = head;
  bool first = true;
  for (const char *p = q ? q + 1 : NULL; p != NULL;) {
    const char *amp = strchr(p, '&');
    size_t len = amp ? (size_t)(amp - p) : strlen(p);
    size_t klen = strlen(POOLER_KEY);
    if (len > klen && strncmp(p, POOLER_KEY "=", klen + 1) == 0) {
      atesql_status st = set_pooler(p + klen + 1, len - klen - 1, opts, err);
      if (st != ATESQL_OK) return st;
    } else if (len > 0) {
      out[o++] = first ? '?' : '&';
      memcpy(out + o, p, len);
      o += len;
      first = false;
    }
    p = amp ? amp + 1 : NULL;
  }
  out[o] = '\0';
  return ATESQL_OK;
}

/* The end of a conninfo value starting at p: a single-quoted one (with
** backslash escapes) or up to the next space. */
static const char *value_end(const char *p) {
  if (*p != '\'') return p + strcspn(p, " \t\n\r\f\v");
  for (p++; *p && *p != '\''; p++)
    if (*p == '\\' && p[1]) p++;
  return *p ? p + 1 : p;
}

/* Malformed conninfo text: copied whole, options unread, for libpq to
** report. */
static atesql_status keep_whole(const char *url, char *out,
                                postgres_options *opts) {
  strcpy(out, url);
  memset(opts, 0, sizeof *opts);
  return ATESQL_OK;
}

/* A key=value conninfo: drop atesql_pooler=... into opts. */
static atesql_status split_keywords(const char *url, char *out,
                                    postgres_options *opts, atesql_error *err) {
  size_t o = 0;
  const char *p = url;
  while (*p) {
    const char *start = p;
    p += strspn(p, " \t\n\r\f\v");
    const char *key = p;
    size_t klen = strcspn(p, "= \t\n\r\f\v");
    p += klen;
    p += strspn(p, " \t\n\r\f\v");
    if (*p != '=') return keep_whole(url, out, opts);
    p++;
    p += strspn(p, " \t\n\r\f\v");
    const char *value = p;
    p = value_end(p);
    if (*p && !strchr(" \t\n\r\f\v", *p)) return keep_whole(url, out, opts);
    if (klen == strlen(POOLER_KEY) && strncmp(key, POOLER_KEY, klen) == 0) {
      size_t vlen = (size_t)(p - value);
      if (vlen >= 2 && value[0] == '\'' && value[vlen - 1] == '\'') {
        value++;
        vlen -= 2;
      }
      atesql_status st = set_pooler(value, vlen, opts, err);
      if (st != ATESQL_OK) return st;
    } else {
      memcpy(out + o, start, (size_t)(p - start));
      o += (size_t)(p - start);
    }
  }
  out[o] = '\0';
  return ATESQL_OK;
}

atesql_status postgres_conninfo_split(const char *url, char **libpq_url,
                                      postgres_options *opts,
                                      atesql_error *err) {
  memset(opts, 0, sizeof *opts);
  *libpq_url = malloc(strlen(url) + 1);
  if (*libpq_url == NULL)
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  bool uri = strncmp(url, "postgres://", 11) == 0 ||
             strncmp(url, "postgresql://", 13) == 0;
  atesql_status st = uri ? split_uri(url, *libpq_url, opts, err)
                         : split_keywords(url, *libpq_url, opts, err);
  if (st != ATESQL_OK) {
    free(*libpq_url);
    *libpq_url = NULL;
  }
  return st;
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
    if (password) cut_at_quote(msg);
    st =
        error_set(err, parse_error ? ATESQL_INVALID_ARGUMENT : ATESQL_NO_MEMORY,
                  0, "invalid PostgreSQL URL or conninfo: %s", msg);
  }
  for (PQconninfoOption *o = opts; st == ATESQL_OK && o && o->keyword; o++) {
    const char *problem = o->val ? option_problem(o->keyword, o->val) : NULL;
    if (problem == NULL) continue;
    /* The value is quoted only when the text holds no password: a value
    ** may run on into it (libpq splits only at ASCII spaces) and hold it
    ** unescaped, cut or escaped so that no redaction would match. */
    char shown[96] = "";
    if (password == NULL) {
      char excerpt[80];
      error_excerpt(excerpt, sizeof excerpt, o->val, strlen(o->val), 64);
      snprintf(shown, sizeof shown, " '%s'", excerpt);
    }
    st = error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                   "invalid PostgreSQL URL or conninfo: %s%s %s", o->keyword,
                   shown, problem);
  }
  PQfreemem(parse_error);
  PQconninfoFree(opts);
  free(password);
  return st;
}
