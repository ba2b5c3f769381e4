/*
** PostgreSQL URLs and conninfo strings before any connection
** (postgres/conninfo.c): atesql's own option taken out of both forms,
** numeric options checked, and the password kept out of every message,
** also where libpq or an excerpt would cut or quote it. No server needed.
*/
#include "suite.h"

#include <stdlib.h>
#include <string.h>

#include "postgres/conninfo.h"

/* conninfo_check(text) fails, and its message does not hold secret. */
static void expect_refused_without(const char *text, const char *secret) {
  atesql_error err = {0};
  assert_int_equal(postgres_conninfo_check(text, &err),
                   ATESQL_INVALID_ARGUMENT);
  if (strstr(err.message, secret) != NULL)
    fail_msg("'%s': message shows '%s': %s", text, secret, err.message);
}

static void test_bad_port_message_hides_the_password(void **state) {
  (void)state;
  /* libpq does not split at a no-break space: the port's value runs on
  ** into the password. */
  expect_refused_without("port=5432\xc2\xa0password=it's9secret", "9secret");
  expect_refused_without(
      "port=x password=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
      "abcdefgh");
  expect_refused_without("port=99999 password=s3cret99", "s3cret99");
}

static void test_parse_error_hides_pieces_of_the_password(void **state) {
  (void)state;
  expect_refused_without("postgresql://u:p%zzs3cretword@h/d", "zzs3cret");
}

static void test_pooler_option_is_taken_out_of_a_url(void **state) {
  (void)state;
  char *rest = NULL;
  postgres_options opts;
  assert_int_equal(
      postgres_conninfo_split(
          "postgresql://h/db?sslmode=off&atesql_pooler=transaction&x=1", &rest,
          &opts, NULL),
      ATESQL_OK);
  assert_true(opts.transaction_pooler);
  assert_string_equal(rest, "postgresql://h/db?sslmode=off&x=1");
  free(rest);
  assert_int_equal(
      postgres_conninfo_split("postgresql://h/db", &rest, &opts, NULL),
      ATESQL_OK);
  assert_false(opts.transaction_pooler);
  assert_string_equal(rest, "postgresql://h/db");
  free(rest);
}

static void test_pooler_option_is_taken_out_of_a_conninfo(void **state) {
  (void)state;
  char *rest = NULL;
  postgres_options opts;
  assert_int_equal(postgres_conninfo_split("host=h atesql_pooler = "
                                           "'transaction' dbname=d",
                                           &rest, &opts, NULL),
                   ATESQL_OK);
  assert_true(opts.transaction_pooler);
  assert_string_equal(rest, "host=h dbname=d");
  free(rest);
}

static void test_bad_pooler_value_hides_what_follows(void **state) {
  (void)state;
  char *rest = (char *)1;
  postgres_options opts;
  atesql_error err = {0};
  assert_int_equal(
      postgres_conninfo_split("host=db1 atesql_pooler='transaction "
                              "password=s3cret99",
                              &rest, &opts, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_null(rest);
  assert_null(strstr(err.message, "s3cret99"));
  assert_non_null(strstr(err.message, "atesql_pooler"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bad_port_message_hides_the_password),
      cmocka_unit_test(test_parse_error_hides_pieces_of_the_password),
      cmocka_unit_test(test_pooler_option_is_taken_out_of_a_url),
      cmocka_unit_test(test_pooler_option_is_taken_out_of_a_conninfo),
      cmocka_unit_test(test_bad_pooler_value_hides_what_follows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
