/*
** The atesql commands over a real SQLite file: migrate up and status,
** import (all or nothing) and list --json giving the same documents back,
** paging with --limit and next_page_token (and the revision a workers
** listing writes), get by key, the exit codes and
** one-line errors of bad selectors, bad keys, missing records and an
** unmigrated database, and explain. Every test uses its own
** fresh database: a file under $ATESQL_TEST_DIR, or a schema on the
** PostgreSQL server of ATESQL_TEST_PG (backend.h).
*/
#include "suite.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "cli/run.h"

#define RUN(input, ...) cli_run((const char *const[]){__VA_ARGS__, NULL}, input)

/* A fresh, empty database for one test: a new SQLite file, or a new
** schema on PostgreSQL (backend.h). */
static const char *fresh_db(const char *name) {
  char full[64];
  snprintf(full, sizeof full, "cli_store_%s", name);
  return test_backend_fresh_url(full);
}

/* "?1" or "$1": how the backend numbers parameter n. */
static const char *placeholder_text(int n) {
  static char buf[16];
  snprintf(buf, sizeof buf, "%c%d", test_backend_is_postgres() ? '$' : '?', n);
  return buf;
}

static const char *migrated_db(const char *name) {
  const char *url = fresh_db(name);
  cli_result r = RUN(NULL, "--db", url, "migrate", "up");
  assert_int_equal(r.exit_code, 0);
  cli_result_free(&r);
  return url;
}

/* Exactly one line on stderr, starting "atesql: " and holding needle. */
static void assert_one_error_line(const cli_result *r, const char *needle) {
  if (strncmp(r->err, "atesql: ", 8) != 0 || strstr(r->err, needle) == NULL)
    fail_msg("stderr '%s' lacks 'atesql: ... %s'", r->err, needle);
  assert_ptr_equal(strchr(r->err, '\n'), r->err + strlen(r->err) - 1);
}

static size_t count_lines(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    if (*s == '\n') n++;
  return n;
}

/* Workers as list --json writes them: protojson's default Marshal (fields
** in declaration order, empty ones left out), versions as imported. */
static const char workers_jsonl[] =
    "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\",\"workerPod\":\"p1\","
    "\"ip\":\"10.0.0.1\",\"version\":\"1\",\"workerPodUid\":\"u1\","
    "\"nodeName\":\"node-1\"}\n"
    "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\",\"workerPod\":\"p2\","
    "\"actorNamespace\":\"tns\",\"actorTemplate\":\"t\",\"actorId\":\"a1\","
    "\"ip\":\"10.0.0.2\",\"version\":\"3\",\"workerPodUid\":\"u2\","
    "\"nodeName\":\"node-1\",\"actorAtespace\":\"s1\"}\n"
    "{\"workerNamespace\":\"ns\",\"workerPool\":\"gpu\",\"workerPod\":\"p3\","
    "\"ip\":\"10.0.0.3\",\"version\":\"1000000000000\",\"workerPodUid\":"
    "\"u3\",\"nodeName\":\"n\xc3\xb6"
    "de-2\"}\n";

/* a1 has no latest_snapshot_info (unset); a2 has an empty worker_selector
** (set, no labels), which protojson keeps apart from unset. */
static const char actors_jsonl[] =
    "{\"actorId\":\"a1\",\"version\":\"1\",\"actorTemplateNamespace\":\"tns\","
    "\"actorTemplateName\":\"t\",\"status\":\"STATUS_RUNNING\","
    "\"ateomPodNamespace\":\"ns\",\"ateomPodName\":\"p2\",\"ateomPodIp\":"
    "\"10.0.0.2\",\"ateomPodUid\":\"u2\",\"workerSelector\":{\"matchLabels\":"
    "{\"a\":\"1\",\"b\":\"q\\\"uote\"}},\"workerPoolName\":\"cpu\","
    "\"atespace\":\"s1\"}\n"
    "{\"actorId\":\"a2\",\"version\":\"5\",\"actorTemplateNamespace\":\"tns\","
    "\"actorTemplateName\":\"t\",\"status\":\"STATUS_PAUSED\","
    "\"latestSnapshotInfo\":{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"local\":{"
    "\"snapshotPrefix\":\"snap/a2\",\"nodeVmsWithLocalSnapshots\":[\"node-1\","
    "\"node-2\"]}},\"workerSelector\":{},\"workerPoolName\":\"cpu\","
    "\"atespace\":\"s1\"}\n";

static void import_ok(const char *url, const char *resource, const char *input,
                      const char *want_out) {
  cli_result r = RUN(input, "--db", url, resource, "import");
  if (r.exit_code != 0) fail_msg("import failed: %s", r.err);
  assert_string_equal(r.out, want_out);
  assert_string_equal(r.err, "");
  cli_result_free(&r);
}

static void test_migrate_up_twice_then_status(void **state) {
  (void)state;
  const char *url = fresh_db("migrate");
  cli_result r = RUN(NULL, "--db", url, "migrate", "status");
  assert_int_equal(r.exit_code, 0);
  assert_non_null(strstr(r.out, "VERSION  NAME                APPLIED_AT\n"));
  assert_non_null(strstr(r.out, "init                pending\n"));
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "migrate", "up");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out,
                      "applied 0001_init\napplied 0002_protojson_presence\n"
                      "applied 0003_scheduler_indexes\n"
                      "applied 0004_worker_labels\n"
                      "applied 0005_worker_events\n"
                      "applied 0006_parallel_feed\n"
                      "applied 0007_claim_functions\n"
                      "applied 0008_lock_tokens\n"
                      "applied 0009_numbering_floor\n");
  assert_string_equal(r.err, "");
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "migrate", "up");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "schema is up to date (version 9)\n");
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "migrate", "status");
  assert_int_equal(r.exit_code, 0);
  assert_null(strstr(r.out, "pending"));
  assert_non_null(strstr(r.out, "1        init                2"));
  assert_non_null(strstr(r.out, "2        protojson_presence  2"));
  assert_non_null(strstr(r.out, "3        scheduler_indexes   2"));
  cli_result_free(&r);
}

static void test_migrate_bad_usage_exits_2(void **state) {
  (void)state;
  const char *url = fresh_db("migrate_usage");
  cli_result r = RUN(NULL, "--db", url, "migrate", "down");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "unknown migrate command 'down'");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "migrate");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "usage:");
  cli_result_free(&r);
}

static void test_import_then_list_json_gives_the_input_back(void **state) {
  (void)state;
  const char *url = migrated_db("roundtrip");
  import_ok(url, "workers", workers_jsonl, "imported 3 workers\n");
  import_ok(url, "atespaces", "{\"name\":\"s1\"}\n\n   \n",
            "imported 1 atespace\n");
  import_ok(url, "actors", actors_jsonl, "imported 2 actors\n");

  cli_result r = RUN(NULL, "--db", url, "workers", "list", "--json");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, workers_jsonl);
  /* The store revision the listing reflects: one per imported worker. */
  assert_string_equal(r.err, "revision=3\n");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "actors", "list", "--json");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, actors_jsonl);
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "atespaces", "list", "--json");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "{\"name\":\"s1\"}\n");
  cli_result_free(&r);
}

static void test_import_accepts_snake_case_from_a_file(void **state) {
  (void)state;
  const char *url = migrated_db("import_file");
  char path[1024];
  const char *dir = getenv("ATESQL_TEST_DIR");
  snprintf(path, sizeof path, "%s/cli_store_import.jsonl", dir ? dir : ".");
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("{\"worker_namespace\":\"ns\",\"worker_pool\":\"cpu\","
        "\"worker_pod\":\"p9\",\"version\":7}\r\n",
        f);
  fclose(f);
  cli_result r = RUN(NULL, "--db", url, "workers", "import", path);
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "imported 1 worker\n");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "get", "ns/cpu/p9", "--json");
  assert_int_equal(r.exit_code, 0);
  /* Import keeps the document's version. */
  assert_non_null(strstr(r.out, "\"workerPod\":\"p9\""));
  assert_non_null(strstr(r.out, "\"version\":\"7\""));
  cli_result_free(&r);
  unlink(path);

  r = RUN(NULL, "--db", url, "workers", "import", "/nonexistent/file.jsonl");
  assert_int_equal(r.exit_code, 1);
  assert_one_error_line(&r, "cannot open '/nonexistent/file.jsonl'");
  cli_result_free(&r);

  /* The user's text in an error stays on the error's one line. */
  r = RUN(NULL, "--db", url, "workers", "import", "/nonexistent/two\nlines");
  assert_int_equal(r.exit_code, 1);
  assert_one_error_line(&r, "cannot open '/nonexistent/two lines'");
  cli_result_free(&r);
}

static void assert_no_workers(const char *url) {
  cli_result r = RUN(NULL, "--db", url, "workers", "list", "--json");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "");
  cli_result_free(&r);
}

static void test_import_with_a_bad_line_3_writes_nothing(void **state) {
  (void)state;
  const char *url = migrated_db("import_bad");
  const char *input = "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
                      "\"workerPod\":\"p1\"}\n"
                      "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
                      "\"workerPod\":\"p2\"}\n"
                      "{\"workerNamespace\":\"ns\",\"wrkerPool\":\"cpu\"}\n"
                      "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
                      "\"workerPod\":\"p4\"}\n";
  cli_result r = RUN(input, "--db", url, "workers", "import", "-");
  assert_int_equal(r.exit_code, 2);
  assert_string_equal(r.out, "");
  assert_one_error_line(&r, "line 3: unknown field 'wrkerPool'");
  cli_result_free(&r);
  assert_no_workers(url);

  /* Blank lines count: line 3 is the bad one. */
  r = RUN("{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
          "\"workerPod\":\"p1\"}\n\nnot json\n",
          "--db", url, "workers", "import");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "line 3: invalid JSON");
  cli_result_free(&r);
  assert_no_workers(url);
}

static void test_import_with_a_failed_create_writes_nothing(void **state) {
  (void)state;
  const char *url = migrated_db("import_dup");
  const char *line = "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
                     "\"workerPod\":\"p1\"}\n";
  char input[512];
  snprintf(input, sizeof input, "%s%s", line, line);
  cli_result r = RUN(input, "--db", url, "workers", "import");
  assert_int_equal(r.exit_code, 1);
  assert_one_error_line(&r, "line 2: ");
  cli_result_free(&r);
  assert_no_workers(url);

  /* An actor in a missing atespace: FAILED_PRECONDITION, exit 1. */
  r = RUN(actors_jsonl, "--db", url, "actors", "import");
  assert_int_equal(r.exit_code, 1);
  assert_one_error_line(&r, "line 1: ");
  cli_result_free(&r);
}

/* n workers as JSON lines, pods p0000.. */
static char *many_workers(size_t n) {
  size_t cap = n * 96 + 1;
  char *s = malloc(cap);
  size_t len = 0;
  for (size_t i = 0; i < n; i++)
    len += (size_t)snprintf(s + len, cap - len,
                            "{\"workerNamespace\":\"ns\",\"workerPool\":"
                            "\"cpu\",\"workerPod\":\"p%04zu\"}\n",
                            i);
  return s;
}

/* The value of "next_page_token=..." on stderr, or NULL. */
static char *token_of(const cli_result *r) {
  const char *p = strstr(r->err, "next_page_token=");
  if (p == NULL) return NULL;
  p += strlen("next_page_token=");
  return strndup(p, strcspn(p, "\n"));
}

static void test_list_with_limit_prints_a_token_that_continues(void **state) {
  (void)state;
  const char *url = migrated_db("paging");
  char *input = many_workers(5);
  import_ok(url, "workers", input, "imported 5 workers\n");
  free(input);

  cli_result r =
      RUN(NULL, "--db", url, "workers", "list", "--limit", "2", "--json");
  assert_int_equal(r.exit_code, 0);
  assert_int_equal(count_lines(r.out), 2);
  assert_non_null(strstr(r.out, "\"p0000\""));
  assert_non_null(strstr(r.out, "\"p0001\""));
  char *token = token_of(&r);
  assert_non_null(token);
  assert_int_equal(count_lines(r.err), 2);
  assert_non_null(strstr(r.err, "revision=5\n"));
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "workers", "list", "--limit=2", "--page-token",
          token, "--json");
  assert_int_equal(r.exit_code, 0);
  assert_int_equal(count_lines(r.out), 2);
  assert_non_null(strstr(r.out, "\"p0002\""));
  assert_non_null(strstr(r.out, "\"p0003\""));
  free(token);
  token = token_of(&r);
  assert_non_null(token);
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "workers", "list", "--limit", "2", "--page-token",
          token, "--json");
  assert_int_equal(r.exit_code, 0);
  assert_int_equal(count_lines(r.out), 1);
  assert_non_null(strstr(r.out, "\"p0004\""));
  assert_string_equal(r.err, "");
  cli_result_free(&r);

  /* Without --limit, a token continues to the end. */
  r = RUN(NULL, "--db", url, "workers", "list", "--page-token", token,
          "--json");
  assert_int_equal(r.exit_code, 0);
  assert_int_equal(count_lines(r.out), 1);
  cli_result_free(&r);

  /* A token is valid only with its selector. */
  r = RUN(NULL, "--db", url, "workers", "list", "--page-token", token,
          "--selector", "worker_pool=gpu");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "token");
  cli_result_free(&r);
  free(token);
}

static void test_list_without_limit_follows_every_page(void **state) {
  (void)state;
  const char *url = migrated_db("all_pages");
  char *input = many_workers(2345);
  import_ok(url, "workers", input, "imported 2345 workers\n");
  cli_result r = RUN(NULL, "--db", url, "workers", "list", "--json");
  assert_int_equal(r.exit_code, 0);
  assert_int_equal(count_lines(r.out), 2345);
  assert_string_equal(r.err, "revision=2345\n");
  cli_result_free(&r);
  /* The human table: a header and one row per worker. */
  r = RUN(NULL, "--db", url, "workers", "list", "--selector",
          "worker_pod in (p0001,p2344)");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out,
                      "NAMESPACE  POOL  POD    NODE  IP  ACTOR  VERSION  "
                      "LABELS\n"
                      "ns         cpu   p0001  -     -   -      1        -\n"
                      "ns         cpu   p2344  -     -   -      1        -\n");
  cli_result_free(&r);
  free(input);
}

static void test_list_human_table_shows_status_by_name(void **state) {
  (void)state;
  const char *url = migrated_db("actors_table");
  import_ok(url, "atespaces", "{\"name\":\"s1\"}\n", "imported 1 atespace\n");
  import_ok(url, "actors", actors_jsonl, "imported 2 actors\n");
  cli_result r = RUN(NULL, "--db", url, "actors", "list", "--selector",
                     "status=STATUS_PAUSED");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "ATESPACE  ACTOR_ID  STATUS         TEMPLATE  "
                             "POOL  ATEOM_POD  SNAPSHOT             VERSION\n"
                             "s1        a2        STATUS_PAUSED  tns/t     "
                             "cpu   -          local:node-1,node-2  5\n");
  cli_result_free(&r);
}

static void
test_list_with_a_bad_selector_exits_2_with_the_column(void **state) {
  (void)state;
  const char *url = migrated_db("bad_selector");
  cli_result r = RUN(NULL, "--db", url, "workers", "list", "--selector",
                     "worker_pool=cpu,nod_name=a");
  assert_int_equal(r.exit_code, 2);
  assert_string_equal(r.out, "");
  assert_one_error_line(&r, "unknown field 'nod_name' at column 17; did you "
                            "mean 'node_name'?");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "actors", "list", "--selector", "status=RUNNING");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "STATUS_RUNNING");
  cli_result_free(&r);
}

static void test_list_bad_options_exit_2(void **state) {
  (void)state;
  const char *url = migrated_db("list_usage");
  const char *const limit0[] = {"--db",    url, "workers", "list",
                                "--limit", "0", NULL};
  const char *const limitx[] = {"--db",    url,  "workers", "list",
                                "--limit", "2x", NULL};
  const char *const unknown[] = {"--db", url,      "workers",
                                 "list", "--frob", NULL};
  const char *const missing[] = {"--db", url,          "workers",
                                 "list", "--selector", NULL};
  const char *const extra[] = {"--db", url, "workers", "list", "x", NULL};
  const char *const verb[] = {"--db", url, "workers", "delete", NULL};
  const char *const noverb[] = {"--db", url, "workers", NULL};
  const char *const *cases[] = {limit0, limitx, unknown, missing,
                                extra,  verb,   noverb};
  const char *const needles[] = {"--limit",
                                 "--limit",
                                 "unknown option '--frob'",
                                 "option '--selector' needs a value",
                                 "unexpected argument 'x'",
                                 "unknown workers command 'delete'",
                                 "usage"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cli_result r = cli_run(cases[i], NULL);
    assert_int_equal(r.exit_code, 2);
    assert_one_error_line(&r, needles[i]);
    cli_result_free(&r);
  }
}

static void test_get_found_and_not_found(void **state) {
  (void)state;
  const char *url = migrated_db("get");
  import_ok(url, "workers", workers_jsonl, "imported 3 workers\n");
  cli_result r = RUN(NULL, "--db", url, "workers", "get", "ns/cpu/p2",
                     "ns/cpu/nope", "ns/gpu/p3", "--json");
  assert_int_equal(r.exit_code, 3);
  assert_int_equal(count_lines(r.out), 2);
  assert_non_null(strstr(r.out, "\"workerPod\":\"p2\""));
  assert_non_null(strstr(r.out, "\"workerPod\":\"p3\""));
  assert_one_error_line(&r, "worker 'ns/cpu/nope' not found");
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "workers", "get", "ns/cpu/p1");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "NAMESPACE  POOL  POD  NODE    IP        "
                             "ACTOR  VERSION  LABELS\n"
                             "ns         cpu   p1   node-1  10.0.0.1  -      "
                             "1        -\n");
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "actors", "get", "s1/a1");
  assert_int_equal(r.exit_code, 3);
  assert_string_equal(r.out, "");
  assert_one_error_line(&r, "actor 's1/a1' not found");
  cli_result_free(&r);
}

static void test_get_with_a_bad_key_exits_2(void **state) {
  (void)state;
  const char *url = migrated_db("get_key");
  cli_result r = RUN(NULL, "--db", url, "workers", "get", "ns/cpu");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "invalid worker key 'ns/cpu'; expected "
                            "NAMESPACE/POOL/POD");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "actors", "get", "a/b/c");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "expected ATESPACE/ACTOR_ID");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "actors", "get");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "usage");
  cli_result_free(&r);
}

static void test_unmigrated_database_exits_1_naming_migrate_up(void **state) {
  (void)state;
  const char *url = fresh_db("unmigrated");
  cli_result r = RUN(NULL, "--db", url, "workers", "list");
  assert_int_equal(r.exit_code, 1);
  assert_string_equal(r.out, "");
  assert_one_error_line(&r, "atesql migrate up");
  cli_result_free(&r);
}

static void test_db_defaults_to_the_environment(void **state) {
  (void)state;
  const char *url = migrated_db("env");
  setenv("ATESQL_DB", url, 1);
  cli_result r = RUN("{\"name\":\"from-env\"}\n", "atespaces", "import");
  unsetenv("ATESQL_DB");
  assert_int_equal(r.exit_code, 0);
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "atespaces", "list");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "NAME\nfrom-env\n");
  cli_result_free(&r);
}

static void test_password_in_db_url_is_never_printed(void **state) {
  (void)state;
  static const char *const urls[] = {
      "host=127.0.0.1 port=1 user=u password=Sup3rSecretPw connect_timeout=2",
      "postgresql://u:Sup3rSecretPw@127.0.0.1:1/db?connect_timeout=2",
      "postgresql://u:Sup3rSecretPw@127.0.0.1:notaport/db",
  };
  for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
    cli_result r = RUN(NULL, "--db", urls[i], "workers", "list");
    assert_int_not_equal(r.exit_code, 0);
    assert_one_error_line(&r, "");
    if (strstr(r.err, "Sup3rSecretPw") || strstr(r.out, "Sup3rSecretPw"))
      fail_msg("password printed: %s", r.err);
    cli_result_free(&r);
    r = RUN(NULL, "--db", urls[i], "migrate", "up");
    assert_int_not_equal(r.exit_code, 0);
    if (strstr(r.err, "Sup3rSecretPw") || strstr(r.out, "Sup3rSecretPw"))
      fail_msg("password printed by migrate: %s", r.err);
    cli_result_free(&r);
  }
}

static void test_global_usage_errors_exit_2(void **state) {
  (void)state;
  cli_result r = RUN(NULL, "--db");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "'--db' needs a URL");
  cli_result_free(&r);
  r = RUN(NULL, "--frob", "workers", "list");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "unknown option '--frob'");
  cli_result_free(&r);
  const char *const none[] = {NULL};
  r = cli_run(none, NULL);
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "no command");
  cli_result_free(&r);
  r = RUN(NULL, "--help");
  assert_int_equal(r.exit_code, 0);
  assert_non_null(strstr(r.out, "migrate up|status"));
  cli_result_free(&r);
}

static void test_explain_shows_the_statement_plan_and_verdict(void **state) {
  (void)state;
  const char *url = migrated_db("explain");
  cli_result r =
      RUN(NULL, "--db", url, "explain", "workers", "worker_pool=cpu,actor_id=");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.err, "");
  assert_non_null(strstr(r.out, "SQL      SELECT "));
  /* The page's limit (500 and the "more?" row) is in the statement. */
  assert_non_null(strstr(r.out, " LIMIT 501\n"));
  char params[64];
  snprintf(params, sizeof params, "params   %s='cpu'\n", placeholder_text(1));
  assert_non_null(strstr(r.out, params));
  assert_non_null(strstr(r.out, "\nplan     "));
  assert_non_null(strstr(r.out, "\nreads    0 rows for 0 returned\n"));
  /* Which index an empty table gets is the planner's choice. */
  assert_non_null(strstr(r.out, "\nbounds   "));
  assert_non_null(strstr(r.out, "\nfilters  "));
  assert_non_null(strstr(r.out, "\nverdict  "));
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "explain", "workers", "node_name!=n1", "--json");
  assert_int_equal(r.exit_code, 0);
  json_t *doc = json_loads(r.out, 0, NULL);
  assert_non_null(doc);
  assert_string_equal(json_string_value(json_object_get(doc, "resource")),
                      "workers");
  assert_true(json_is_false(json_object_get(doc, "uses_index")));
  assert_non_null(
      strstr(json_string_value(json_object_get(doc, "verdict")), "WARNING"));
  assert_int_equal(json_array_size(json_object_get(doc, "params")), 1);
  assert_non_null(json_object_get(doc, "plan"));
  assert_true(json_is_false(json_object_get(doc, "index_bound")));
  assert_string_equal(json_string_value(json_object_get(doc, "filtered")),
                      "node_name");
  assert_true(json_is_integer(json_object_get(doc, "rows_read")));
  json_decref(doc);
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "explain", "actors", "stat=x");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "unknown field 'stat' at column 1");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "explain", "nodes", "a=b");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "unknown resource 'nodes'");
  cli_result_free(&r);
}

/* Labels through the CLI: imported from the documents' labels map, shown
** in the LABELS column and in --json, selected by list and claim. */
static void test_labels_import_list_and_claim(void **state) {
  (void)state;
  const char *url = migrated_db("labels");
  import_ok(url, "workers",
            "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
            "\"workerPod\":\"p1\",\"labels\":{\"zone\":\"a\","
            "\"gpu_type\":\"h100\"}}\n"
            "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
            "\"workerPod\":\"p2\"}\n",
            "imported 2 workers\n");
  cli_result r = RUN(NULL, "--db", url, "workers", "list", "--selector",
                     "labels.gpu_type=h100");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out,
                      "NAMESPACE  POOL  POD  NODE  IP  ACTOR  VERSION  LABELS\n"
                      "ns         cpu   p1   -     -   -      1        "
                      "gpu_type=h100,zone=a\n");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "get", "ns/cpu/p1", "--json");
  assert_int_equal(r.exit_code, 0);
  assert_non_null(
      strstr(r.out, "\"labels\":{\"gpu_type\":\"h100\",\"zone\":\"a\"}"));
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "list", "--selector", "!labels.zone");
  assert_int_equal(r.exit_code, 0);
  assert_non_null(strstr(r.out, " p2 "));
  assert_null(strstr(r.out, " p1 "));
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "claim", "--pool", "ns/cpu", "--actor",
          "space/a1", "--selector", "labels.zone=a");
  assert_int_equal(r.exit_code, 0);
  assert_non_null(strstr(r.out, " p1 "));
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "list", "--selector", "labels.Bad_=x");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "invalid label key 'Bad_'");
  cli_result_free(&r);
}

/* 3000 workers on 100 nodes, half of them free, as JSON lines. */
static char *fleet_jsonl(void) {
  enum { WORKERS = 3000, LINE = 200 };
  char *out = malloc(WORKERS * LINE);
  assert_non_null(out);
  size_t len = 0;
  for (int i = 0; i < WORKERS; i++)
    len += (size_t)snprintf(
        out + len, LINE,
        "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\","
        "\"workerPod\":\"pod-%05d\",\"nodeName\":\"node-%03d\"%s}\n",
        i, i % 100, i % 2 ? ",\"actorId\":\"a\",\"actorAtespace\":\"s\"" : "");
  return out;
}

/* `analyze` refreshes statistics; a small table read whole, or searched by
** one term and filtered by the other, is explained calmly, not as a
** WARNING (which is kept for reads that grow with the fleet): the planner
** may read 3000 rows, or a node's 60 for its 30 free ones, rather than
** search an index that bounds every term, and that costs little. */
static void test_analyze_and_a_small_table_read_whole(void **state) {
  (void)state;
  const char *url = migrated_db("analyze");
  char *fleet = fleet_jsonl();
  import_ok(url, "workers", fleet, "imported 3000 workers\n");
  free(fleet);
  cli_result r = RUN(NULL, "--db", url, "analyze");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "statistics refreshed\n");
  assert_string_equal(r.err, "");
  cli_result_free(&r);
  /* --stats: the handle's numbers on stderr after the output. */
  r = RUN(NULL, "--stats", "--db", url, "workers", "get", "ns/cpu/pod-00001",
          "ns/cpu/none");
  assert_int_equal(r.exit_code, 3);
  assert_non_null(strstr(r.out, "pod-00001"));
  assert_null(strstr(r.out, "stats:"));
  if (!strstr(r.err, "stats: worker_get calls=2 OK=1 NOT_FOUND=1 p50<") ||
      !strstr(r.err, "\nstats: statements="))
    fail_msg("--stats printed: %s", r.err);
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "analyze", "extra");
  assert_int_equal(r.exit_code, 2);
  assert_one_error_line(&r, "extra");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "explain", "workers",
          "node_name in (node-001,node-002),actor_id=", "--json");
  assert_int_equal(r.exit_code, 0);
  json_t *doc = json_loads(r.out, 0, NULL);
  assert_non_null(doc);
  const char *verdict = json_string_value(json_object_get(doc, "verdict"));
  printf("  3000 workers, two nodes' free ones: %s\n", verdict);
  if (strstr(verdict, "WARNING"))
    fail_msg("a small table's plan is a WARNING: %s", verdict);
  if (!json_is_true(json_object_get(doc, "index_bound")))
    assert_non_null(strstr(verdict, "workers is small (at most 5000 rows)"));
  json_decref(doc);
  cli_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_migrate_up_twice_then_status),
      cmocka_unit_test(test_migrate_bad_usage_exits_2),
      cmocka_unit_test(test_import_then_list_json_gives_the_input_back),
      cmocka_unit_test(test_import_accepts_snake_case_from_a_file),
      cmocka_unit_test(test_import_with_a_bad_line_3_writes_nothing),
      cmocka_unit_test(test_import_with_a_failed_create_writes_nothing),
      cmocka_unit_test(test_list_with_limit_prints_a_token_that_continues),
      cmocka_unit_test(test_list_without_limit_follows_every_page),
      cmocka_unit_test(test_list_human_table_shows_status_by_name),
      cmocka_unit_test(test_list_with_a_bad_selector_exits_2_with_the_column),
      cmocka_unit_test(test_list_bad_options_exit_2),
      cmocka_unit_test(test_get_found_and_not_found),
      cmocka_unit_test(test_get_with_a_bad_key_exits_2),
      cmocka_unit_test(test_unmigrated_database_exits_1_naming_migrate_up),
      cmocka_unit_test(test_db_defaults_to_the_environment),
      cmocka_unit_test(test_global_usage_errors_exit_2),
      cmocka_unit_test(test_password_in_db_url_is_never_printed),
      cmocka_unit_test(test_explain_shows_the_statement_plan_and_verdict),
      cmocka_unit_test(test_labels_import_list_and_claim),
      cmocka_unit_test(test_analyze_and_a_small_table_read_whole),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
