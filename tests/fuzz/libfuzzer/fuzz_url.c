/*
** libFuzzer harness of the database URL parsers. The input, up to its
** first NUL byte, follows "sqlite:" and goes to sqlite_url_parse
** (src/sqlite/url.h):
**   - success: the path is the text up to the first '?', non-empty; the
**     busy timeout is within 0..SQLITE_MAX_BUSY_TIMEOUT_MS; the access
**     mode is one of the three;
**   - failure: INVALID_ARGUMENT, no path to release, a clean one-line
**     message.
** With the PostgreSQL backend, the same text (not prefixed) goes to
** postgres_conninfo_check (src/postgres/conninfo.h: parse and check a URL
** or key=value conninfo without connecting): OK, or INVALID_ARGUMENT with a
** clean one-line message that does not show the password the text holds
** (as libpq reads it, else by its shape: user:PASSWORD@ or password=...),
** neither as it is nor quoted or cut short as error_excerpt quotes text.
** The text also goes through postgres_conninfo_split (atesql's own
** options taken out, as postgres_connect does first): OK with a text no
** longer than the input that splits again to itself, then checked as
** above; or INVALID_ARGUMENT with the same message contract.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sqlite/url.h"

#ifdef ATESQL_WITH_POSTGRES
#include <libpq-fe.h>

#include "postgres/conninfo.h"
#endif

static void check_sqlite(const char *text) {
  size_t n = strlen(text);
  char *url = malloc(7 + n + 1);
  memcpy(url, "sqlite:", 7);
  memcpy(url + 7, text, n + 1);
  sqlite_url u;
  atesql_error err = {0};
  atesql_status st = sqlite_url_parse(url, &u, &err);
  if (st != ATESQL_OK) {
    harness_check_error("sqlite_url_parse", st, ATESQL_INVALID_ARGUMENT, &err);
    HARNESS_REQUIRE(u.path == NULL);
    free(url);
    return;
  }
  size_t path_len = strcspn(text, "?");
  HARNESS_REQUIRE(u.path != NULL && path_len > 0);
  if (strlen(u.path) != path_len || memcmp(u.path, text, path_len) != 0)
    harness_fail("url '%s': path '%s'", url, u.path);
  HARNESS_REQUIRE(u.busy_timeout_ms >= 0 &&
                  u.busy_timeout_ms <= SQLITE_MAX_BUSY_TIMEOUT_MS);
  HARNESS_REQUIRE(u.access == SQLITE_ACCESS_READ_WRITE ||
                  u.access == SQLITE_ACCESS_READ_ONLY ||
                  u.access == SQLITE_ACCESS_IMMUTABLE);
  sqlite_url_release(&u);
  HARNESS_REQUIRE(u.path == NULL);
  free(url);
}

#ifdef ATESQL_WITH_POSTGRES
/*
** Does msg show password: as it is, as error_excerpt quotes it (control
** bytes and quotes as \xNN), or its first 8 or more bytes so quoted and
** cut with "..."? Only a password of 6 bytes or more holding a letter and
** a digit counts, and only a cut one whose kept bytes hold both: a
** shorter or plainer text can occur in the message's own words ("host",
** "65535", or "percent-encoded token: ..." where the message is cut
** before a quote).
*/
static int shows(const char *msg, const char *password) {
  size_t len = strlen(password);
  int letter = 0, digit = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)password[i];
    letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    digit |= c >= '0' && c <= '9';
  }
  if (len < 6 || !letter || !digit) return 0;
  if (strstr(msg, password) != NULL) return 1;
  char quoted[4 * 256 + 4];
  size_t o = 0;
  int kept_letter = 0, kept_digit = 0;
  for (size_t i = 0; i < len && i < 256; i++) {
    unsigned char c = (unsigned char)password[i];
    kept_letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    kept_digit |= c >= '0' && c <= '9';
    if (c < 0x20 || c == 0x7f || c == '\'')
      o += (size_t)snprintf(quoted + o, sizeof quoted - o, "\\x%02x", c);
    else
      quoted[o++] = (char)c;
    quoted[o] = '\0';
    if (i + 1 == len && strstr(msg, quoted) != NULL) return 1;
    if (i + 1 >= 8 && i + 1 < len && kept_letter && kept_digit) {
      memcpy(quoted + o, "...", 4);
      if (strstr(msg, quoted) != NULL) return 1;
      quoted[o] = '\0';
    }
  }
  return 0;
}

/* The password of text by its shape: user:PASSWORD@ after "://", or the
** word after "password=". malloc'd; NULL when none. */
static char *password_by_shape(const char *text) {
  const char *start = NULL;
  size_t len = 0;
  const char *scheme = strstr(text, "://");
  if (scheme) {
    const char *at = strchr(scheme + 3, '@');
    const char *colon = strchr(scheme + 3, ':');
    if (at && colon && colon < at) {
      start = colon + 1;
      len = (size_t)(at - start);
    }
  } else if ((start = strstr(text, "password=")) != NULL) {
    start += 9;
    len = strcspn(start, " ");
  }
  return start ? strndup(start, len) : NULL;
}

/*
** The password text holds, as postgres/conninfo.h defines it: the one
** libpq reads, or when libpq reads none (or cannot parse text), the one
** its shape shows. malloc'd; NULL when none.
*/
static char *password_of(const char *text) {
  PQconninfoOption *opts = PQconninfoParse(text, NULL);
  char *password = NULL;
  for (PQconninfoOption *o = opts; o && o->keyword; o++)
    if (strcmp(o->keyword, "password") == 0 && o->val && *o->val &&
        password == NULL)
      password = strdup(o->val);
  PQconninfoFree(opts);
  return password ? password : password_by_shape(text);
}

/* The password of text must not be in msg. */
static void check_hidden(const char *what, const char *text, const char *msg) {
  char *password = password_of(text);
  if (password && shows(msg, password))
    harness_fail("%s '%s': message shows the password '%s': %s", what, text,
                 password, msg);
  free(password);
}

static void check_conninfo(const char *text) {
  atesql_error err = {0};
  atesql_status st = postgres_conninfo_check(text, &err);
  if (st == ATESQL_OK) return;
  harness_check_error("postgres_conninfo_check", st, ATESQL_INVALID_ARGUMENT,
                      &err);
  check_hidden("postgres_conninfo_check", text, err.message);
}

/*
** As postgres_connect does: take atesql's options out of text, then check
** what is left for libpq. The split text is no longer than text, and
** splitting it again changes nothing.
*/
static void check_split(const char *text) {
  char *libpq_url = (char *)1; /* must become NULL on failure */
  postgres_options opts;
  atesql_error err = {0};
  atesql_status st = postgres_conninfo_split(text, &libpq_url, &opts, &err);
  if (st != ATESQL_OK) {
    harness_check_error("postgres_conninfo_split", st, ATESQL_INVALID_ARGUMENT,
                        &err);
    HARNESS_REQUIRE(libpq_url == NULL);
    check_hidden("postgres_conninfo_split", text, err.message);
    return;
  }
  HARNESS_REQUIRE(libpq_url != NULL && strlen(libpq_url) <= strlen(text));
  char *again = NULL;
  postgres_options opts2;
  if (postgres_conninfo_split(libpq_url, &again, &opts2, &err) != ATESQL_OK ||
      strcmp(again, libpq_url) != 0)
    harness_fail("conninfo '%s' splits to '%s', then to '%s' (%s)", text,
                 libpq_url, again ? again : "(error)",
                 again ? "" : err.message);
  free(again);
  if (strcmp(libpq_url, text) != 0) check_conninfo(libpq_url);
  free(libpq_url);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  memcpy(text, data, size);
  text[size] = '\0';
  check_sqlite(text);
#ifdef ATESQL_WITH_POSTGRES
  check_conninfo(text);
  check_split(text);
#endif
  free(text);
  return 0;
}
