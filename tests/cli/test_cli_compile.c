/*
** `atesql compile`: the SQL and parameters it prints, its --json object,
** and its exit codes and one-line errors for bad input.
*/
#include "suite.h"
#include <jansson.h>
#include <string.h>

#include "cli/run.h"

static void test_compile_prints_sql_and_params(void **state) {
  (void)state;
  const char *args[] = {"compile", "workers",
                        "worker_pool=cpu,actor_id=", NULL};
  cli_result r = cli_run(args, NULL);
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out,
                      "WHERE \"worker_pool\" = ?1 AND \"actor_id\" = ''\n"
                      "  ?1 = \"cpu\"\n");
  assert_string_equal(r.err, "");
  cli_result_free(&r);
}

static void test_compile_json_is_one_object(void **state) {
  (void)state;
  const char *args[] = {"compile", "workers",
                        "worker_pool=cpu,actor_id=", "--json", NULL};
  cli_result r = cli_run(args, NULL);
  assert_int_equal(r.exit_code, 0);
  json_error_t jerr;
  json_t *obj = json_loads(r.out, 0, &jerr);
  assert_non_null(obj);
  assert_string_equal(json_string_value(json_object_get(obj, "resource")),
                      "workers");
  assert_string_equal(json_string_value(json_object_get(obj, "dialect")),
                      "sqlite");
  assert_string_equal(json_string_value(json_object_get(obj, "sql")),
                      "\"worker_pool\" = ?1 AND \"actor_id\" = ''");
  json_t *params = json_object_get(obj, "params");
  assert_int_equal(json_array_size(params), 1);
  assert_string_equal(json_string_value(json_array_get(params, 0)), "cpu");
  json_decref(obj);
  cli_result_free(&r);
}

static void test_compile_postgres_dialect(void **state) {
  (void)state;
  const char *args[] = {"compile",   "actors",   "status in (STATUS_RUNNING)",
                        "--dialect", "postgres", "--json",
                        NULL};
  cli_result r = cli_run(args, NULL);
  assert_int_equal(r.exit_code, 0);
  json_t *obj = json_loads(r.out, 0, NULL);
  assert_non_null(obj);
  assert_string_equal(json_string_value(json_object_get(obj, "sql")),
                      "\"status\" = ANY($1)");
  assert_string_equal(
      json_string_value(json_array_get(json_object_get(obj, "params"), 0)),
      "{2}");
  json_decref(obj);
  cli_result_free(&r);
}

static void test_compile_unknown_field_exits_2_with_suggestion(void **state) {
  (void)state;
  const char *args[] = {"compile", "workers", "wrker_pool=cpu", NULL};
  cli_result r = cli_run(args, NULL);
  assert_int_equal(r.exit_code, 2);
  assert_string_equal(r.out, "");
  assert_string_equal(r.err, "atesql: unknown field 'wrker_pool' at column 1; "
                             "did you mean 'worker_pool'?\n");
  cli_result_free(&r);
}

static void test_compile_bad_usage_exits_2(void **state) {
  (void)state;
  const char *missing[] = {"compile", "workers", NULL};
  const char *resource[] = {"compile", "nodes", "a=b", NULL};
  const char *dialect[] = {"compile",   "workers", "",
                           "--dialect", "mysql",   NULL};
  const char *const *cases[] = {missing, resource, dialect};
  for (size_t i = 0; i < 3; i++) {
    cli_result r = cli_run(cases[i], NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "atesql: "));
    /* One line. */
    assert_ptr_equal(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
    cli_result_free(&r);
  }
}

static void test_unknown_command_exits_2(void **state) {
  (void)state;
  const char *args[] = {"frobnicate", NULL};
  cli_result r = cli_run(args, NULL);
  assert_int_equal(r.exit_code, 2);
  assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
  cli_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compile_prints_sql_and_params),
      cmocka_unit_test(test_compile_json_is_one_object),
      cmocka_unit_test(test_compile_postgres_dialect),
      cmocka_unit_test(test_compile_unknown_field_exits_2_with_suggestion),
      cmocka_unit_test(test_compile_bad_usage_exits_2),
      cmocka_unit_test(test_unknown_command_exits_2),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
