/*
** The examples in examples/ are built and run against the suite's backend
** (a fresh SQLite file, or a fresh schema on PostgreSQL): each must exit 0,
** which it does only when the library behaved as the example says.
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_resume_actor_runs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
