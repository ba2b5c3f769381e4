/*
** `atesql workers claim` and `atesql workers release`: the worker printed
** as a row or its protojson document, a retried claim giving the same
** worker, preferred and required nodes, exit code 4 for no free worker,
** release by the holder only, and usage errors. Each test has a fresh
** database (backend.h).
*/
#include "suite.h"
#include <jansson.h>
#include <string.h>

#include "cli/run.h"

#define RUN(input, ...) cli_run((const char *const[]){__VA_ARGS__, NULL}, input)

static const char fleet[] =
    "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\",\"workerPod\":\"w1\","
    "\"ip\":\"10.0.0.1\",\"nodeName\":\"n1\"}\n"
    "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\",\"workerPod\":\"w2\","
    "\"ip\":\"10.0.0.2\",\"nodeName\":\"n2\"}\n";

static const char *fleet_db(const char *name) {
  return cli_workers_db("cli_claim", name, fleet);
}

static void
test_claim_prints_the_worker_and_a_retry_gets_it_again(void **state) {
  (void)state;
  const char *url = fleet_db("retry");
  cli_result r = RUN(NULL, "--db", url, "workers", "claim", "--pool", "ns/cpu",
                     "--actor", "s1/a1", "--prefer-node", "n2");
  assert_int_equal(r.exit_code, 0);
  assert_non_null(
      strstr(r.out, "ns         cpu   w2   n2    10.0.0.2  s1/a1  2"));
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "claim", "--pool", "ns/cpu", "--actor",
          "s1/a1", "--actor-namespace", "tns", "--json");
  assert_int_equal(r.exit_code, 0);
  json_t *doc = json_loads(r.out, 0, NULL);
  assert_non_null(doc);
  assert_string_equal(json_string_value(json_object_get(doc, "workerPod")),
                      "w2");
  assert_string_equal(json_string_value(json_object_get(doc, "version")), "2");
  json_decref(doc);
  cli_result_free(&r);
}

static void test_no_free_worker_exits_4(void **state) {
  (void)state;
  const char *url = fleet_db("capacity");
  cli_result r =
      RUN(NULL, "--db", url, "workers", "claim", "--pool", "ns/cpu", "--actor",
          "s1/a1", "--prefer-node", "n9", "--require-preferred");
  cli_assert_error(&r, 4, "no free worker");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "claim", "--pool", "ns/gpu", "--actor",
          "s1/a1");
  cli_assert_error(&r, 4, "'ns/gpu'");
  cli_result_free(&r);
}

static void test_release_frees_only_for_the_holder(void **state) {
  (void)state;
  const char *url = fleet_db("release");
  cli_result r = RUN(NULL, "--db", url, "workers", "claim", "--pool", "ns/cpu",
                     "--actor", "s1/a1", "--prefer-node", "n1");
  assert_int_equal(r.exit_code, 0);
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "release", "ns/cpu/w1", "--actor",
          "s1/other");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(
      r.out, "ns/cpu/w1 is not held by s1/other; nothing to release\n");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "release", "ns/cpu/w1", "--actor",
          "s1/a1");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "released ns/cpu/w1\n");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "release", "ns/cpu/w7", "--actor",
          "s1/a1");
  cli_assert_error(&r, 3, "not found");
  cli_result_free(&r);
}

static void test_bad_usage_exits_2(void **state) {
  (void)state;
  const char *url = fleet_db("usage");
  cli_result r = RUN(NULL, "--db", url, "workers", "claim", "--actor", "s1/a1");
  cli_assert_error(&r, 2, "usage: atesql workers claim");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "claim", "--pool", "cpu", "--actor",
          "s1/a1");
  cli_assert_error(&r, 2, "invalid pool 'cpu'");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "claim", "--pool", "ns/cpu", "--actor",
          "s1/a1", "--require-preferred");
  cli_assert_error(&r, 2, "--require-preferred needs --prefer-node");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "claim", "--pool", "ns/cpu", "--actor",
          "s1/a1", "--selector", "nod=x");
  cli_assert_error(&r, 2, "unknown field 'nod'");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "workers", "release", "ns/cpu/w1");
  cli_assert_error(&r, 2, "usage: atesql workers release");
  cli_result_free(&r);
  r = RUN(NULL, "--db", url, "actors", "claim");
  cli_assert_error(&r, 2, "expected list, get or import");
  cli_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_claim_prints_the_worker_and_a_retry_gets_it_again),
      cmocka_unit_test(test_no_free_worker_exits_4),
      cmocka_unit_test(test_release_frees_only_for_the_holder),
      cmocka_unit_test(test_bad_usage_exits_2),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
