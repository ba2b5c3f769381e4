/*
** The examples in examples/ are built and run against the suite's backend
** (a fresh SQLite file, or a fresh schema on PostgreSQL): each must exit 0,
** which it does only when the library behaved as the example says. The
** demo (atesql-demo) must also refuse a database that holds records, and
** leave only its database file where it runs.
*/
#include "suite.h"
#include <stdio.h>
#include <stdlib.h>
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

/* The demo's output on success: the questions with the SQL of the
** backend's dialect and no plan warned about, then the race under the
** watch: A's claim, B's RESOURCE_EXHAUSTED, the release, B's retry, A's
** retried claim, each change printed by the watch. */
static void assert_demo_output(const cli_result *r, bool postgres) {
  if (r->exit_code != 0) fail_msg("demo failed: %s", r->err);
  assert_string_equal(r->err, "");
  assert_non_null(strstr(r->out, "applied 0001_init"));
  char where[64];
  snprintf(where, sizeof where, "WHERE \"worker_pool\" = %c1",
           postgres ? '$' : '?');
  assert_non_null(strstr(r->out, where));
  assert_non_null(strstr(r->out, "node_name in ("));
  assert_non_null(strstr(r->out, "labels.accelerator=nvidia-h100"));
  assert_null(strstr(r->out, "WARNING"));
  assert_non_null(strstr(r->out, "  watch     worker_pool=gpu,node_name in ("));
  assert_non_null(strstr(r->out, "-> OK: fleet/gpu/gpu-22-01 on node-22; "
                                 "trainer-03 STATUS_RESUMING, version 2"));
  assert_non_null(strstr(r->out, "UPDATED fleet/gpu/gpu-22-01 on node-22: "
                                 "free -> ml-training/trainer-03"));
  assert_non_null(strstr(r->out, "-> RESOURCE_EXHAUSTED, nothing written"));
  assert_non_null(strstr(r->out, "ml-training/trainer-19) -> released"));
  assert_non_null(strstr(r->out, "UPDATED fleet/gpu/gpu-21-00 on node-21: "
                                 "ml-training/trainer-19 -> free"));
  assert_non_null(strstr(r->out, "-> OK: fleet/gpu/gpu-21-00 on node-21; "
                                 "trainer-13 STATUS_RESUMING, version 2"));
  assert_non_null(strstr(r->out, "free -> ml-training/trainer-13"));
  assert_non_null(strstr(r->out, "the worker it holds, fleet/gpu/gpu-22-01, "
                                 "still at version 2"));
}

/* examples/demo.c on an empty database of the suite's backend; a
** database that holds records is left alone. */
static void test_demo_races_claims_under_a_watch(void **state) {
  (void)state;
  const char *url = test_backend_fresh_url("example_demo");
  const char *const args[] = {"--db", url, "--cli", "/opt/atesql", NULL};
  cli_result r = cli_run_program(ATESQL_DEMO_PATH, args, NULL);
  assert_demo_output(&r, test_backend_is_postgres());
  assert_non_null(strstr(r.out, "\nExplore it: /opt/atesql --db "));
  cli_result_free(&r);

  r = cli_run_program(ATESQL_DEMO_PATH, args, NULL);
  cli_assert_error(&r, 1, "empty database");
  cli_result_free(&r);
}

/* The demo without --db, as scripts/demo runs it: in the directory it
** runs in it leaves atesql-demo.db and nothing else (no -wal, -shm), and
** a second run starts afresh. */
static void test_demo_leaves_one_file(void **state) {
  (void)state;
  const char *base = getenv("ATESQL_TEST_DIR");
  assert_non_null(base);
  char dir[1024], cmd[4096];
  snprintf(dir, sizeof dir, "%s/example_demo_dir", base);
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir '%s'", dir, dir);
  assert_int_equal(system(cmd), 0);
  for (int run = 0; run < 2; run++) {
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' >out.txt 2>&1; echo $? >rc", dir,
             ATESQL_DEMO_PATH);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && test \"$(cat rc)\" = 0 && rm out.txt rc && "
             "test \"$(ls -A)\" = atesql-demo.db",
             dir);
    if (system(cmd) != 0) {
      snprintf(cmd, sizeof cmd, "ls -A '%s'; cat '%s/out.txt'", dir, dir);
      (void)system(cmd);
      fail_msg("the demo failed or left more than atesql-demo.db in %s", dir);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_resume_actor_runs),
      cmocka_unit_test(test_free_worker_cache_runs),
      cmocka_unit_test(test_demo_races_claims_under_a_watch),
      cmocka_unit_test(test_demo_leaves_one_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
