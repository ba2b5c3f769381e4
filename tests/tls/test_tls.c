/*
** atesql to PostgreSQL over TLS, against the server tests/tls/run.sh
** starts: a certificate for "localhost" signed by a CA made for the run,
** TCP clients accepted over TLS only, with a password. What a production
** URL with sslmode=verify-full and sslrootcert promises:
**
**   the CA's certificate connects, and the session is TLS (pg_stat_ssl);
**   a host name the certificate does not name is refused, and the message
**   says so; a certificate from a CA the client does not trust is refused,
**   and the message says so; no failure shows the URL's password.
*/
#include "suite.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/atesql.h"

#define ROLE     "scheduler"
#define PASSWORD "Tls-s3cret-9f2"
/* A password the server does not take, over a good TLS session. */
#define WRONG_PASSWORD "wrong-Tls-pw-7c1"
#define DATABASE       "fleet"
/* The application_name of the session whose encryption is checked. */
#define APP_NAME "atesql_tls_check"

static const char *port, *socket_dir, *trusted_ca, *other_ca;

/* The length of the password p starts with, or 0. */
static size_t password_at(const char *p) {
  const char *const passwords[] = {PASSWORD, WRONG_PASSWORD};
  for (size_t i = 0; i < sizeof passwords / sizeof passwords[0]; i++)
    if (strncmp(p, passwords[i], strlen(passwords[i])) == 0)
      return strlen(passwords[i]);
  return 0;
}

/* url as the test prints it: the passwords written as <password>, so that
** the log shows what the tested messages leave out. */
static const char *printable(const char *url) {
  static char buf[1024];
  size_t o = 0;
  for (const char *p = url; *p && o + 11 < sizeof buf;) {
    size_t n = password_at(p);
    if (n == 0) {
      buf[o++] = *p++;
      continue;
    }
    memcpy(buf + o, "<password>", 10);
    o += 10;
    p += n;
  }
  buf[o] = '\0';
  return buf;
}

/* The superuser's conninfo, over the Unix socket (trusted, no TLS). */
static const char *superuser_conninfo(const char *dbname) {
  static char buf[1024];
  snprintf(buf, sizeof buf, "host=%s port=%s user=postgres dbname=%s",
           socket_dir, port, dbname);
  return buf;
}

/* Run sql as the superuser; fails the test unless it succeeds. Returns
** the result, for the caller to PQclear. */
static PGresult *superuser_query(const char *dbname, const char *sql) {
  PGconn *c = PQconnectdb(superuser_conninfo(dbname));
  if (PQstatus(c) != CONNECTION_OK)
    fail_msg("connect as postgres: %s", PQerrorMessage(c));
  PGresult *r = PQexec(c, sql);
  ExecStatusType rs = PQresultStatus(r);
  if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
    fail_msg("%s: %s", printable(sql), PQerrorMessage(c));
  PQfinish(c);
  return r;
}

/* A URL as a production user writes it: role, password, host, port,
** database, then the TLS options (and any more) as query parameters. In a
** static buffer of 8 rotating slots. */
static const char *url_to(const char *host, const char *password,
                          const char *params) {
  static char buf[8][1024];
  static int next;
  char *out = buf[next++ % 8];
  snprintf(out, sizeof buf[0], "postgresql://%s:%s@%s:%s/%s?%s", ROLE, password,
           host, port, DATABASE, params);
  return out;
}

/* "sslmode=verify-full&sslrootcert=CA", in 8 rotating slots. */
static const char *verify_full(const char *ca) {
  static char buf[8][512];
  static int next;
  char *out = buf[next++ % 8];
  snprintf(out, sizeof buf[0], "sslmode=verify-full&sslrootcert=%s", ca);
  return out;
}

/* Opens url, which must fail; returns its status, the message in err. */
static atesql_status open_fails(const char *url, atesql_error *err) {
  atesql_store *s = NULL;
  atesql_status st = atesql_store_open(url, &s, err);
  if (st == ATESQL_OK) {
    atesql_store_close(s);
    fail_msg("opened %s, which must be refused", printable(url));
  }
  printf("  %s\n    -> %s: %s\n", printable(url), atesql_status_str(st),
         err->message);
  return st;
}

static void assert_contains(const char *text, const char *part) {
  if (strstr(text, part) == NULL)
    fail_msg("\"%s\" does not say \"%s\"", text, part);
}

static void assert_hides(const char *text, const char *secret) {
  if (strstr(text, secret) != NULL) fail_msg("\"%s\" shows the password", text);
}

/* The trusted CA, the host name its certificate names: migrate, write a
** worker, read it back, and the server's view of that session says TLS.
** A client without TLS is turned away, so that view is not a default. */
static void test_verify_full_with_the_ca_connects_over_tls(void **state) {
  (void)state;
  char params[768];
  snprintf(params, sizeof params, "%s&application_name=" APP_NAME,
           verify_full(trusted_ca));
  const char *url = url_to("localhost", PASSWORD, params);
  atesql_error err = {0};
  if (atesql_migrate_up(url, NULL, &err) != ATESQL_OK)
    fail_msg("migrate up %s: %s", printable(url), err.message);
  atesql_store *s = NULL;
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    fail_msg("open %s: %s", printable(url), err.message);
  atesql_worker w = {.worker_namespace = "ns",
                     .worker_pool = "cpu",
                     .worker_pod = "tls-0",
                     .ip = "10.0.0.1",
                     .node_name = "node-1"};
  assert_int_equal(atesql_worker_create(s, &w), ATESQL_OK);
  atesql_worker *got = NULL;
  assert_int_equal(atesql_worker_get(s, "ns", "cpu", "tls-0", &got), ATESQL_OK);
  assert_string_equal(got->node_name, "node-1");
  assert_int_equal(got->version, 1);
  atesql_worker_free(got);

  PGresult *r = superuser_query(
      "postgres", "SELECT s.ssl, s.version, s.cipher FROM pg_stat_ssl s "
                  "JOIN pg_stat_activity a USING (pid) "
                  "WHERE a.application_name = '" APP_NAME "'");
  assert_int_equal(PQntuples(r), 1); /* the store's one session */
  printf("  the store's session: ssl=%s %s %s\n", PQgetvalue(r, 0, 0),
         PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
  assert_string_equal(PQgetvalue(r, 0, 0), "t");
  PQclear(r);
  atesql_store_close(s);

  assert_int_equal(
      open_fails(url_to("localhost", PASSWORD, "sslmode=disable"), &err),
      ATESQL_UNAVAILABLE);
  assert_contains(err.message, "no encryption");
}

/* The certificate names "localhost"; a client that asked for another name
** (an address, or a name with hostaddr= giving the address) must not
** accept it, and the message names the mismatch. */
static void test_wrong_host_name_is_refused(void **state) {
  (void)state;
  atesql_error err = {0};
  assert_int_equal(
      open_fails(url_to("127.0.0.1", PASSWORD, verify_full(trusted_ca)), &err),
      ATESQL_UNAVAILABLE);
  assert_contains(err.message, "server certificate for \"localhost\"");
  assert_contains(err.message, "does not match host name \"127.0.0.1\"");

  char params[768];
  snprintf(params, sizeof params, "%s&hostaddr=127.0.0.1",
           verify_full(trusted_ca));
  assert_int_equal(
      open_fails(url_to("db.wrong.example", PASSWORD, params), &err),
      ATESQL_UNAVAILABLE);
  assert_contains(err.message, "server certificate for \"localhost\"");
  assert_contains(err.message, "does not match host name \"db.wrong.example\"");
}

/* The right host name, but sslrootcert holds another CA: the chain does
** not verify, and the message says so. */
static void test_untrusted_ca_is_refused(void **state) {
  (void)state;
  atesql_error err = {0};
  assert_int_equal(
      open_fails(url_to("localhost", PASSWORD, verify_full(other_ca)), &err),
      ATESQL_UNAVAILABLE);
  assert_contains(err.message, "certificate verify failed");
}

/* Every TLS failure above, a CA file that is not there, and a wrong
** password over a good TLS session, with the password in a URL and in a
** key=value conninfo: the message names the cause and never shows the
** password. */
static void test_tls_failures_never_show_the_password(void **state) {
  (void)state;
  char hostaddr[768];
  snprintf(hostaddr, sizeof hostaddr, "%s&hostaddr=127.0.0.1",
           verify_full(trusted_ca));
  const struct {
    const char *url, *cause;
  } cases[] = {
      {url_to("127.0.0.1", PASSWORD, verify_full(trusted_ca)),
       "does not match host name"},
      {url_to("db.wrong.example", PASSWORD, hostaddr),
       "does not match host name"},
      {url_to("localhost", PASSWORD, verify_full(other_ca)),
       "certificate verify failed"},
      {url_to("localhost", PASSWORD, verify_full("/nonexistent/ca.pem")),
       "root certificate file \"/nonexistent/ca.pem\" does not exist"},
  };
  atesql_error err = {0};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    open_fails(cases[i].url, &err);
    assert_contains(err.message, cases[i].cause);
    assert_hides(err.message, PASSWORD);
  }

  char conninfo[1024];
  snprintf(conninfo, sizeof conninfo,
           "host=127.0.0.1 port=%s dbname=" DATABASE " user=" ROLE
           " password=" PASSWORD " sslmode=verify-full sslrootcert=%s",
           port, trusted_ca);
  open_fails(conninfo, &err);
  assert_contains(err.message, "does not match host name");
  assert_hides(err.message, PASSWORD);

  assert_int_equal(
      open_fails(url_to("localhost", WRONG_PASSWORD, verify_full(trusted_ca)),
                 &err),
      ATESQL_UNAVAILABLE);
  assert_contains(err.message, "password authentication failed");
  assert_hides(err.message, WRONG_PASSWORD);
}

/* The role the store connects as, with its password, owning the
** database the store migrates (the server is new: neither exists). */
static int create_role_and_database(void **state) {
  (void)state;
  PQclear(superuser_query("postgres", "CREATE ROLE " ROLE
                                      " LOGIN PASSWORD '" PASSWORD "'"));
  PQclear(
      superuser_query("postgres", "CREATE DATABASE " DATABASE " OWNER " ROLE));
  return 0;
}

int main(void) {
  port = getenv("ATESQL_TLS_PORT");
  socket_dir = getenv("ATESQL_TLS_SOCKET_DIR");
  trusted_ca = getenv("ATESQL_TLS_CA");
  other_ca = getenv("ATESQL_TLS_OTHER_CA");
  if (!port || !socket_dir || !trusted_ca || !other_ca) {
    fprintf(stderr, "tls_postgres: run through tests/tls/run.sh, which "
                    "starts the server and sets ATESQL_TLS_*\n");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_verify_full_with_the_ca_connects_over_tls),
      cmocka_unit_test(test_wrong_host_name_is_refused),
      cmocka_unit_test(test_untrusted_ca_is_refused),
      cmocka_unit_test(test_tls_failures_never_show_the_password),
  };
  return cmocka_run_group_tests_name("tls_postgres", tests,
                                     create_role_and_database, NULL);
}
