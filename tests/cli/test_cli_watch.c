/*
** `atesql watch workers` and `atesql compact`: replay from a revision as
** exact JSON and human lines, a filtered watch reporting a worker updated
** out of its set as DELETED, live events read from a running watch that
** SIGINT or SIGTERM ends with exit 0, a watch from now skipping the past,
** --timeout-ms, compaction by each option and the COMPACTED exit code (at
** the start, and for a running watch that compaction overtook),
** `workers list` writing its revision on stderr, usage errors, and on
** PostgreSQL a watch going on after its connection is terminated. Each
** test has a fresh database (backend.h).
*/
#include "suite.h"
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atesql/atesql.h"
#include "backend.h"
#include "cli/run.h"

#ifdef ATESQL_WITH_POSTGRES
#include <libpq-fe.h>
#endif

#define RUN(input, ...) cli_run((const char *const[]){__VA_ARGS__, NULL}, input)
#define SPAWN(...)      cli_spawn((const char *const[]){__VA_ARGS__, NULL})

/* How long a test waits for a line it expects from a running watch. */
enum { LINE_WAIT_MS = 10000 };

static const char fleet[] =
    "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\",\"workerPod\":\"w1\","
    "\"ip\":\"10.0.0.1\",\"nodeName\":\"n1\"}\n"
    "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\",\"workerPod\":\"w2\","
    "\"nodeName\":\"n2\"}\n";

/* A fresh database holding w1 (revision 1) and w2 (revision 2). */
static const char *fleet_db(const char *name) {
  return cli_workers_db("cli_watch", name, fleet);
}

/* The document `workers get KEY --json` prints, without its newline. */
static char *worker_json(const char *url, const char *key) {
  cli_result r = RUN(NULL, "--db", url, "workers", "get", key, "--json");
  assert_int_equal(r.exit_code, 0);
  char *doc = strndup(r.out, strcspn(r.out, "\n"));
  cli_result_free(&r);
  return doc;
}

/* ATESPACE/ID claims the free worker on node. */
static void claim(const char *url, const char *actor, const char *node) {
  cli_result r =
      RUN(NULL, "--db", url, "workers", "claim", "--pool", "ns/cpu", "--actor",
          actor, "--prefer-node", node, "--require-preferred");
  if (r.exit_code != 0) fail_msg("claim failed: %s", r.err);
  cli_result_free(&r);
}

static void release(const char *url, const char *key, const char *actor) {
  cli_result r =
      RUN(NULL, "--db", url, "workers", "release", key, "--actor", actor);
  assert_int_equal(r.exit_code, 0);
  cli_result_free(&r);
}

/* The CLI deletes nothing: workers go through the library. */
static void delete_worker(const char *url, const char *pod) {
  atesql_store *s = NULL;
  atesql_error err = {0};
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    fail_msg("open: %s", err.message);
  assert_int_equal(atesql_worker_delete(s, "ns", "cpu", pod), ATESQL_OK);
  atesql_store_close(s);
}

/*
** Assert that line is exactly the JSON event of revision `revision`
** with this type, change, worker and previous (NULL: none).
** committedAtMs, the database's clock, is taken from the line after
** checking that it is within a minute of this machine's.
*/
static void assert_json_event(const char *line, int revision, const char *type,
                              const char *change, const char *worker,
                              const char *previous) {
  json_t *doc = json_loads(line, 0, NULL);
  if (doc == NULL) fail_msg("not JSON: %s", line);
  const char *at = json_string_value(json_object_get(doc, "committedAtMs"));
  if (at == NULL) fail_msg("no committedAtMs: %s", line);
  long long ms = strtoll(at, NULL, 10);
  long long now = (long long)time(NULL) * 1000;
  if (ms < now - 60000 || ms > now + 60000)
    fail_msg("committedAtMs %s is not about now (%lld)", at, now);
  char want[4096];
  int n = snprintf(want, sizeof want,
                   "{\"revision\":\"%d\",\"type\":\"%s\",\"change\":\"%s\","
                   "\"committedAtMs\":\"%s\",\"worker\":%s",
                   revision, type, change, at, worker);
  if (previous)
    n += snprintf(want + n, sizeof want - (size_t)n, ",\"previous\":%s",
                  previous);
  snprintf(want + n, sizeof want - (size_t)n, "}");
  assert_string_equal(line, want);
  json_decref(doc);
}

/* The n-th line of text (from 0), in a buffer the caller frees. */
static char *nth_line(const char *text, int n) {
  for (int i = 0; i < n && text; i++) {
    text = strchr(text, '\n');
    if (text) text++;
  }
  if (text == NULL || *text == '\0') fail_msg("no line %d", n);
  return strndup(text, strcspn(text, "\n"));
}

static size_t count_lines(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    if (*s == '\n') n++;
  return n;
}

static void test_since_0_replays_every_event_as_json_lines(void **state) {
  (void)state;
  const char *url = fleet_db("replay");
  char *w1v1 = worker_json(url, "ns/cpu/w1");
  char *w2v1 = worker_json(url, "ns/cpu/w2");
  claim(url, "s1/a1", "n1");
  char *w1v2 = worker_json(url, "ns/cpu/w1");
  delete_worker(url, "w2");

  cli_result r = RUN(NULL, "--db", url, "watch", "workers", "--since", "0",
                     "--json", "--timeout-ms", "300");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.err, "");
  assert_int_equal(count_lines(r.out), 4);
  const struct {
    const char *type, *worker, *previous;
  } want[] = {{"CREATED", w1v1, NULL},
              {"CREATED", w2v1, NULL},
              {"UPDATED", w1v2, w1v1},
              {"DELETED", w2v1, w2v1}};
  for (int i = 0; i < 4; i++) {
    char *line = nth_line(r.out, i);
    assert_json_event(line, i + 1, want[i].type, want[i].type, want[i].worker,
                      want[i].previous);
    free(line);
  }
  cli_result_free(&r);
  free(w1v1);
  free(w2v1);
  free(w1v2);
}

static void test_human_lines_since_a_revision(void **state) {
  (void)state;
  const char *url = fleet_db("human");
  claim(url, "s1/a1", "n1");
  release(url, "ns/cpu/w1", "s1/a1");
  cli_result r = RUN(NULL, "--db", url, "watch", "workers", "--since", "2",
                     "--timeout-ms", "300");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(
      r.out, "3 UPDATED ns/cpu/w1 node=n1 ip=10.0.0.1 actor=s1/a1 version=2\n"
             "4 UPDATED ns/cpu/w1 node=n1 ip=10.0.0.1 actor=- version=3\n");
  assert_string_equal(r.err, "");
  cli_result_free(&r);
}

static void
test_a_filtered_watch_shows_an_update_out_of_its_set_as_deleted(void **state) {
  (void)state;
  const char *url = fleet_db("filtered");
  char *w1v1 = worker_json(url, "ns/cpu/w1");
  claim(url, "s1/a1", "n1");
  char *w1v2 = worker_json(url, "ns/cpu/w1");
  release(url, "ns/cpu/w1", "s1/a1");
  char *w1v3 = worker_json(url, "ns/cpu/w1");
  claim(url, "s1/a2", "n2");

  /* Free workers: w1 leaves the set and comes back; w2 leaves it. */
  cli_result r =
      RUN(NULL, "--db", url, "watch", "workers", "--selector",
          "actor_id=", "--since", "2", "--json", "--timeout-ms", "300");
  assert_int_equal(r.exit_code, 0);
  assert_int_equal(count_lines(r.out), 3);
  char *line = nth_line(r.out, 0);
  assert_json_event(line, 3, "DELETED", "UPDATED", w1v2, w1v1);
  free(line);
  line = nth_line(r.out, 1);
  assert_json_event(line, 4, "CREATED", "UPDATED", w1v3, w1v2);
  free(line);
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "watch", "workers", "--selector",
          "actor_id=", "--since", "2", "--timeout-ms", "300");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "3 DELETED ns/cpu/w1 node=n1 ip=10.0.0.1 "
                             "actor=s1/a1 version=2 change=UPDATED\n"
                             "4 CREATED ns/cpu/w1 node=n1 ip=10.0.0.1 "
                             "actor=- version=3 change=UPDATED\n"
                             "5 DELETED ns/cpu/w2 node=n2 ip=- "
                             "actor=s1/a2 version=2 change=UPDATED\n");
  cli_result_free(&r);

  /* Workers of node n2: w1's events are not in it. */
  r = RUN(NULL, "--db", url, "watch", "workers", "--selector", "node_name=n2",
          "--since", "0", "--timeout-ms", "300");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out,
                      "2 CREATED ns/cpu/w2 node=n2 ip=- actor=- version=1\n"
                      "5 UPDATED ns/cpu/w2 node=n2 ip=- actor=s1/a2 "
                      "version=2\n");
  cli_result_free(&r);
  free(w1v1);
  free(w1v2);
  free(w1v3);
}

static void
test_a_running_watch_prints_each_commit_and_sigint_ends_it(void **state) {
  (void)state;
  const char *url = fleet_db("live");
  char *w1v1 = worker_json(url, "ns/cpu/w1");
  /* From revision 2, so nothing is missed however late the child opens
  ** its watch. */
  cli_child *child =
      SPAWN("--db", url, "watch", "workers", "--since", "2", "--json");
  claim(url, "s1/a1", "n1");
  char *w1v2 = worker_json(url, "ns/cpu/w1");
  char *line = cli_child_line(child, LINE_WAIT_MS);
  if (line == NULL) fail_msg("no event from the running watch");
  assert_json_event(line, 3, "UPDATED", "UPDATED", w1v2, w1v1);
  free(line);

  delete_worker(url, "w1");
  line = cli_child_line(child, LINE_WAIT_MS);
  if (line == NULL) fail_msg("no second event from the running watch");
  assert_json_event(line, 4, "DELETED", "DELETED", w1v2, w1v2);
  free(line);

  cli_result r = cli_child_finish(child, SIGINT);
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "");
  assert_string_equal(r.err, "");
  cli_result_free(&r);
  free(w1v1);
  free(w1v2);
}

/* Change w2 for the n-th time (from 0): claim it, release it, and so on. */
static void touch_w2(const char *url, int n) {
  if (n % 2 == 0)
    claim(url, "s1/a1", "n2");
  else
    release(url, "ns/cpu/w2", "s1/a1");
}

static void test_a_watch_without_since_starts_now(void **state) {
  (void)state;
  const char *url = fleet_db("now");
  cli_child *child = SPAWN("--db", url, "watch", "workers");
  /* Touch w2 until the watch, once open, reports a touch: its first line
  ** is one of them (revision 3 on), never the past's revision 1 or 2. */
  int touches = 0;
  char *line = NULL;
  while (touches < 50 && line == NULL) {
    touch_w2(url, touches++);
    line = cli_child_line(child, 200);
  }
  if (line == NULL) fail_msg("the watch reported none of 50 changes");
  long long revision = strtoll(line, NULL, 10);
  if (revision < 3 || revision > 2 + touches ||
      strstr(line, " UPDATED ns/cpu/w2 node=n2 ") == NULL)
    fail_msg("first line '%s' is not a change made after the start", line);
  free(line);

  /* The touches after it follow in order, with no gap. */
  touch_w2(url, touches++);
  while (revision < 2 + touches) {
    line = cli_child_line(child, LINE_WAIT_MS);
    if (line == NULL) fail_msg("revision %lld is missing", revision + 1);
    assert_int_equal(strtoll(line, NULL, 10), ++revision);
    free(line);
  }
  cli_result r = cli_child_finish(child, SIGTERM);
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "");
  assert_string_equal(r.err, "");
  cli_result_free(&r);
}

static void test_timeout_ms_ends_a_quiet_watch_with_exit_0(void **state) {
  (void)state;
  const char *url = fleet_db("quiet");
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  cli_result r =
      RUN(NULL, "--db", url, "watch", "workers", "--timeout-ms", "400");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "");
  assert_string_equal(r.err, "");
  long long ms =
      (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  if (ms < 400) fail_msg("exited after %lld ms, before the timeout", ms);
  cli_result_free(&r);
}

/* The revision=N a workers list writes on stderr; -1 without one. */
static long long revision_of(const cli_result *r) {
  const char *p = strstr(r->err, "revision=");
  return p ? strtoll(p + strlen("revision="), NULL, 10) : -1;
}

static void
test_workers_list_writes_the_revision_a_watch_continues_from(void **state) {
  (void)state;
  const char *url = fleet_db("list_revision");
  char *w2v1 = worker_json(url, "ns/cpu/w2");
  cli_result r = RUN(NULL, "--db", url, "workers", "list", "--json");
  assert_int_equal(r.exit_code, 0);
  assert_int_equal(count_lines(r.out), 2);
  assert_string_equal(r.err, "revision=2\n");
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "workers", "list", "--limit", "1");
  assert_int_equal(r.exit_code, 0);
  assert_int_equal(revision_of(&r), 2);
  const char *token = strstr(r.err, "next_page_token=");
  assert_non_null(token);
  assert_ptr_equal(token, r.err + strlen("revision=2\n"));
  char *next = strndup(token + strlen("next_page_token="),
                       strcspn(token, "\n") - strlen("next_page_token="));
  cli_result_free(&r);

  /* A later page reflects the first page's revision and does not repeat
  ** it; the watch from it continues with the change the pages missed. */
  claim(url, "s1/a1", "n2");
  r = RUN(NULL, "--db", url, "workers", "list", "--limit", "1", "--page-token",
          next, "--json");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.err, "");
  assert_memory_equal(r.out, w2v1, strlen(w2v1));
  assert_string_equal(r.out + strlen(w2v1), "\n");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "watch", "workers", "--since", "2", "--timeout-ms",
          "300");
  assert_string_equal(r.out, "3 UPDATED ns/cpu/w2 node=n2 ip=- actor=s1/a1 "
                             "version=2\n");
  cli_result_free(&r);

  /* Other kinds have no change feed and no revision. */
  r = RUN(NULL, "--db", url, "atespaces", "list");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.err, "");
  cli_result_free(&r);
  free(next);
  free(w2v1);
}

static void test_compacted_events_exit_5_saying_list_again(void **state) {
  (void)state;
  const char *url = fleet_db("compacted");
  cli_result r = RUN(NULL, "--db", url, "workers", "list", "--limit", "1");
  const char *token = strstr(r.err, "next_page_token=");
  assert_non_null(token);
  char *next = strndup(token + strlen("next_page_token="),
                       strcspn(token, "\n") - strlen("next_page_token="));
  cli_result_free(&r);
  claim(url, "s1/a1", "n1");

  r = RUN(NULL, "--db", url, "compact", "--revision", "2");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "compacted up to revision 2\n");
  assert_string_equal(r.err, "");
  cli_result_free(&r);

  r = RUN(NULL, "--db", url, "watch", "workers", "--since", "0");
  assert_string_equal(r.out, "");
  cli_assert_error(&r, 5, "compacted");
  assert_non_null(strstr(r.err, "list again"));
  assert_non_null(strstr(r.err, "'atesql watch workers --since N'"));
  cli_result_free(&r);

  /* From the compacted revision on, events are still there. */
  r = RUN(NULL, "--db", url, "watch", "workers", "--since", "2", "--timeout-ms",
          "300");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(
      r.out, "3 UPDATED ns/cpu/w1 node=n1 ip=10.0.0.1 actor=s1/a1 version=2\n");
  cli_result_free(&r);

  /* A later page of a listing older than the compaction is gone too. */
  r = RUN(NULL, "--db", url, "compact", "--revision", "3");
  assert_string_equal(r.out, "compacted up to revision 3\n");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "list", "--limit", "1", "--page-token",
          next);
  cli_assert_error(&r, 5, "list again");
  cli_result_free(&r);
  free(next);
}

static void test_a_watch_overtaken_by_compaction_exits_5(void **state) {
  (void)state;
  const char *url = fleet_db("overtaken");
  cli_child *child = SPAWN("--db", url, "watch", "workers", "--since", "2");
  claim(url, "s1/a1", "n1");
  char *line = cli_child_line(child, LINE_WAIT_MS);
  if (line == NULL) fail_msg("no event from the running watch");
  free(line);
  /* Stopped, it falls behind; the events it has not read are removed. */
  cli_child_signal(child, SIGSTOP);
  release(url, "ns/cpu/w1", "s1/a1");
  cli_result r = RUN(NULL, "--db", url, "compact", "--revision", "4");
  assert_string_equal(r.out, "compacted up to revision 4\n");
  cli_result_free(&r);
  r = cli_child_finish(child, SIGCONT);
  assert_string_equal(r.out, "");
  cli_assert_error(&r, 5,
                   "the events after revision 3 were compacted (up to 4)");
  assert_non_null(strstr(r.err, "'atesql watch workers --since N'"));
  cli_result_free(&r);
}

static void test_compact_removes_what_every_option_allows(void **state) {
  (void)state;
  const char *url = fleet_db("compact");
  claim(url, "s1/a1", "n1");
  release(url, "ns/cpu/w1", "s1/a1");
  claim(url, "s1/a1", "n1"); /* revision 5 */
  const struct {
    const char *option, *value, *out;
  } steps[] = {
      {"--keep-revisions", "3", "compacted up to revision 2\n"},
      {"--keep", "1h", "compacted up to revision 2\n"}, /* all are newer */
      {"--keep", "3600000", "compacted up to revision 2\n"},
      {"--revision", "4", "compacted up to revision 4\n"},
      {"--revision", "1", "compacted up to revision 4\n"}, /* never back */
  };
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    cli_result r =
        RUN(NULL, "--db", url, "compact", steps[i].option, steps[i].value);
    if (r.exit_code != 0) fail_msg("compact failed: %s", r.err);
    assert_string_equal(r.out, steps[i].out);
    cli_result_free(&r);
  }
  /* Several options: only what each of them removes. */
  cli_result r = RUN(NULL, "--db", url, "compact", "--revision", "5",
                     "--keep-revisions", "1", "--keep", "90s");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "compacted up to revision 4\n");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "compact", "--revision", "9");
  cli_assert_error(&r, 2, "beyond");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "watch", "workers", "--since", "4", "--timeout-ms",
          "300");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(
      r.out, "5 UPDATED ns/cpu/w1 node=n1 ip=10.0.0.1 actor=s1/a1 version=4\n");
  cli_result_free(&r);
}

/* A usage error: the arguments after `atesql --db URL COMMAND`, and what
** its report holds. */
typedef struct usage_case {
  const char *args[4];
  const char *needle;
} usage_case;

/* Each case of `command` exits 2 with its one-line report and no output. */
static void assert_usage_errors(const char *url, const char *command,
                                const usage_case *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const char *argv[8] = {"--db", url, command};
    for (size_t k = 0; k < 4 && cases[i].args[k]; k++)
      argv[3 + k] = cases[i].args[k];
    cli_result r = cli_run(argv, NULL);
    assert_string_equal(r.out, "");
    cli_assert_error(&r, 2, cases[i].needle);
    cli_result_free(&r);
  }
}

static void test_compact_bad_usage_exits_2(void **state) {
  (void)state;
  const char *url = fleet_db("compact_usage");
  const usage_case cases[] = {
      {{NULL},
       "say what to remove with --revision, --keep-revisions or "
       "--keep; usage: atesql compact"},
      {{"--revision", "0"}, "--revision takes a positive number, not '0'"},
      {{"--revision", "x"}, "--revision takes a positive number, not 'x'"},
      {{"--keep-revisions", "-1"}, "--keep-revisions takes a positive"},
      {{"--keep", "5x"}, "--keep takes a duration such as 90s"},
      {{"--keep", "0s"}, "--keep takes a duration"},
      {{"--keep", "h"}, "--keep takes a duration"},
      {{"--keep"}, "option '--keep' needs a value"},
      {{"--revision", "2", "now"}, "unexpected argument 'now'"},
      {{"--frob"}, "unknown option '--frob'"},
  };
  assert_usage_errors(url, "compact", cases, sizeof cases / sizeof cases[0]);
}

static void test_watch_bad_usage_exits_2(void **state) {
  (void)state;
  const char *url = fleet_db("watch_usage");
  const usage_case cases[] = {
      {{NULL}, "what to watch? usage: atesql watch workers"},
      {{"actors"}, "only workers have a change feed, not 'actors'"},
      {{"workers", "w1"}, "unexpected argument 'w1'"},
      {{"workers", "--since", "-1"}, "--since takes a revision"},
      {{"workers", "--since", "x"}, "--since takes a revision"},
      {{"workers", "--since", "99"}, "beyond the store's revision 2"},
      {{"workers", "--timeout-ms", "1.5"}, "--timeout-ms takes milliseconds"},
      {{"workers", "--selector", "nod=x"}, "unknown field 'nod' at column 1"},
      {{"workers", "--json=yes"}, "option '--json' takes no value"},
  };
  assert_usage_errors(url, "watch", cases, sizeof cases / sizeof cases[0]);
}

#ifdef ATESQL_WITH_POSTGRES
/* Terminate the server processes of connections named application. */
static int terminate_backends(const char *application) {
  PGconn *c = PQconnectdb(getenv("ATESQL_TEST_PG"));
  if (PQstatus(c) != CONNECTION_OK) fail_msg("%s", PQerrorMessage(c));
  const char *params[] = {application};
  PGresult *res = PQexecParams(
      c,
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE application_name = $1",
      1, NULL, params, NULL, NULL, 0);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) fail_msg("%s", PQerrorMessage(c));
  int n = atoi(PQgetvalue(res, 0, 0));
  PQclear(res);
  PQfinish(c);
  return n;
}
#endif

static void
test_a_watch_goes_on_after_its_connection_is_terminated(void **state) {
  (void)state;
  if (!test_backend_is_postgres()) {
    skip();
    return;
  }
#ifdef ATESQL_WITH_POSTGRES
  const char *base = fleet_db("terminated");
  char url[1400];
  snprintf(url, sizeof url, "%s application_name=atesql_cli_watch_test", base);
  cli_child *child = SPAWN("--db", url, "watch", "workers", "--since", "2");
  claim(base, "s1/a1", "n1");
  char *line = cli_child_line(child, LINE_WAIT_MS);
  assert_non_null(line);
  assert_string_equal(
      line, "3 UPDATED ns/cpu/w1 node=n1 ip=10.0.0.1 actor=s1/a1 version=2");
  free(line);

  assert_int_equal(terminate_backends("atesql_cli_watch_test"), 1);
  release(base, "ns/cpu/w1", "s1/a1");
  line = cli_child_line(child, LINE_WAIT_MS);
  if (line == NULL) fail_msg("no event after the connection was terminated");
  assert_string_equal(
      line, "4 UPDATED ns/cpu/w1 node=n1 ip=10.0.0.1 actor=- version=3");
  free(line);
  cli_result r = cli_child_finish(child, SIGINT);
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.err, "");
  cli_result_free(&r);
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_since_0_replays_every_event_as_json_lines),
      cmocka_unit_test(test_human_lines_since_a_revision),
      cmocka_unit_test(
          test_a_filtered_watch_shows_an_update_out_of_its_set_as_deleted),
      cmocka_unit_test(
          test_a_running_watch_prints_each_commit_and_sigint_ends_it),
      cmocka_unit_test(test_a_watch_without_since_starts_now),
      cmocka_unit_test(test_timeout_ms_ends_a_quiet_watch_with_exit_0),
      cmocka_unit_test(
          test_workers_list_writes_the_revision_a_watch_continues_from),
      cmocka_unit_test(test_compacted_events_exit_5_saying_list_again),
      cmocka_unit_test(test_a_watch_overtaken_by_compaction_exits_5),
      cmocka_unit_test(test_compact_removes_what_every_option_allows),
      cmocka_unit_test(test_compact_bad_usage_exits_2),
      cmocka_unit_test(test_watch_bad_usage_exits_2),
      cmocka_unit_test(test_a_watch_goes_on_after_its_connection_is_terminated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
