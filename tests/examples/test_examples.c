/*
** The examples in examples/ are built and run against the suite's backend
** (a fresh SQLite file, or a fresh schema on PostgreSQL): each must exit 0,
** which it does only when the library behaved as the example says. The
** demo (atesql-demo) must also refuse a database that holds records.
*/
#include "suite.h"
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "cli/run.h"

static void test_resume_actor_runs(void **state) {
  (void)state;
  const char *url = test_backend_fresh_url("example_resume");
  cli_result r = cli_run((const char *const[]){url, NULL}, NULL);
  printf("%s", r.out);
  if (r.exit_code != 0)
    fail_msg("resume_actor exited %d: %s", r.exit_code, r.err);
  assert_non_null(strstr(r.out, "resumed space/a1 on ns/cpu/"));
  assert_non_null(strstr(r.out, "the pool is full: RESOURCE_EXHAUSTED"));
  assert_non_null(strstr(r.out, "resume_actor: ok\n"));
  cli_result_free(&r);
}

/* examples/free_worker_cache.c: a cache kept by list + watch equals a
** fresh listing after claims, releases, creates and deletes. */
static void test_free_worker_cache_runs(void **state) {
  (void)state;
  const char *url = test_backend_fresh_url("example_cache");
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "'%s' '%s' 2>&1", FREE_WORKER_CACHE_PATH, url);
  FILE *f = popen(cmd, "r");
  assert_non_null(f);
  char out[8192];
  size_t n = fread(out, 1, sizeof out - 1, f);
  out[n] = '\0';
  int status = pclose(f);
  printf("%s", out);
  if (status != 0) fail_msg("free_worker_cache exited with status %d", status);
  assert_non_null(strstr(out, "listed 3 free workers at revision "));
  assert_non_null(strstr(out, ": w1 entered\n"));
  assert_non_null(strstr(out, ": w9 entered\n"));
  assert_non_null(strstr(out, "cache: 3 free workers, as a fresh listing"));
  assert_non_null(strstr(out, "free_worker_cache: ok\n"));
}

/* examples/demo.c: the main flow on an empty database, with the SQL of
** the backend's dialect, ending with the stale claim caught; a database
** that holds records is left alone. */
static void test_demo_runs_and_catches_the_stale_claim(void **state) {
  (void)state;
  const char *url = test_backend_fresh_url("example_demo");
  const char *const args[] = {"--db", url, NULL};
  cli_result r = cli_run_program(ATESQL_DEMO_PATH, args, NULL);
  if (r.exit_code != 0) fail_msg("demo failed: %s", r.err);
  assert_string_equal(r.err, "");
  assert_non_null(strstr(r.out, "applied 0001_init"));
  assert_non_null(strstr(r.out, "node_name in ("));
  char where[64];
  snprintf(where, sizeof where, "WHERE \"worker_pool\" = %c1",
           test_backend_is_postgres() ? '$' : '?');
  assert_non_null(strstr(r.out, where));
  assert_non_null(strstr(r.out, "-> OK, version 2"));
  assert_non_null(strstr(r.out, "-> CONFLICT"));
  cli_result_free(&r);

  /* A database that holds records is left alone. */
  r = cli_run_program(ATESQL_DEMO_PATH, args, NULL);
  cli_assert_error(&r, 1, "empty database");
  cli_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_resume_actor_runs),
      cmocka_unit_test(test_free_worker_cache_runs),
      cmocka_unit_test(test_demo_runs_and_catches_the_stale_claim),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
