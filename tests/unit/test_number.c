/*
** codec/number.c: integers written as JSON number text, read the way Go's
** protojson reads them (its parseNumberParts and normalizeToIntString,
** then ParseInt): the bounds of int64 and int32 exactly, fractions and
** exponents that leave an integer, every text that is not one JSON number,
** and what each rejected text is classified as. Then the pass that makes
** the numbers of a document exact for jansson (codec_exact_numbers).
*/
#include "suite.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/number.h"
#include "util/count.h"

typedef struct accepted {
  const char *text;
  int64_t value;
} accepted;

static const char *class_name(number_class c) {
  switch (c) {
  case NUMBER_INTEGER: return "NUMBER_INTEGER";
  case NUMBER_NOT_INTEGER: return "NUMBER_NOT_INTEGER";
  case NUMBER_OUT_OF_RANGE: return "NUMBER_OUT_OF_RANGE";
  case NUMBER_INVALID: return "NUMBER_INVALID";
  }
  return "?";
}

static void expect_read_as(const char *text, int64_t min, int64_t max,
                           int64_t want) {
  int64_t got = 12345;
  number_class c = codec_classify_number(text, strlen(text), min, max, &got);
  if (c != NUMBER_INTEGER)
    fail_msg("'%s' is %s, want %lld", text, class_name(c), (long long)want);
  if (got != want)
    fail_msg("'%s' read as %lld, want %lld", text, (long long)got,
             (long long)want);
}

static void expect_class(const char *text, int64_t min, int64_t max,
                         number_class want) {
  int64_t got = 12345;
  number_class c = codec_classify_number(text, strlen(text), min, max, &got);
  if (c != want)
    fail_msg("'%s' is %s (%lld), want %s", text, class_name(c), (long long)got,
             class_name(want));
  /* *out is set only for an integer. */
  assert_int_equal(got, 12345);
}

static void expect_int64(const char *text, int64_t want) {
  expect_read_as(text, INT64_MIN, INT64_MAX, want);
}

static void expect_int64_class(const char *text, number_class want) {
  expect_class(text, INT64_MIN, INT64_MAX, want);
}

/* ---- codec_classify_number --------------------------------------------- */

static void test_plain_integers_are_read(void **state) {
  (void)state;
  static const accepted cases[] = {
      {"0", 0},   {"7", 7},   {"-7", -7},
      {"10", 10}, {"-1", -1}, {"1000000", 1000000},
  };
  for (size_t i = 0; i < COUNT(cases); i++)
    expect_int64(cases[i].text, cases[i].value);
}

static void test_int64_bounds_are_exact(void **state) {
  (void)state;
  expect_int64("9223372036854775807", INT64_MAX);
  expect_int64("-9223372036854775808", INT64_MIN);
  expect_int64("9223372036854775806", INT64_MAX - 1);
  expect_int64("-9223372036854775807", INT64_MIN + 1);
  /* The same values through a fraction and an exponent. */
  expect_int64("922337203685477580.7e1", INT64_MAX);
  expect_int64("-922337203685477580.8e1", INT64_MIN);
  expect_int64("92233720368547758070e-1", INT64_MAX);
  expect_int64("-92233720368547758080e-1", INT64_MIN);
  expect_int64("9.223372036854775807e18", INT64_MAX);
}

static void test_one_past_int64_bounds_is_out_of_range(void **state) {
  (void)state;
  static const char *const texts[] = {
      "9223372036854775808",
      "-9223372036854775809",
      "922337203685477580.8e1",
      "-922337203685477580.9e1",
      /* Beyond uint64 and beyond 20 digits: no wrap-around. */
      "18446744073709551615",
      "18446744073709551616",
      "-18446744073709551616",
      "99999999999999999999",
      "123456789012345678901",
      "1e19",
      "1e20",
      "-1e20",
  };
  for (size_t i = 0; i < COUNT(texts); i++)
    expect_int64_class(texts[i], NUMBER_OUT_OF_RANGE);
}

static void test_int32_bounds_are_exact(void **state) {
  (void)state;
  expect_read_as("2147483647", INT32_MIN, INT32_MAX, INT32_MAX);
  expect_read_as("-2147483648", INT32_MIN, INT32_MAX, INT32_MIN);
  expect_read_as("21474836.47e2", INT32_MIN, INT32_MAX, INT32_MAX);
  expect_read_as("-2.147483648e9", INT32_MIN, INT32_MAX, INT32_MIN);
  expect_class("2147483648", INT32_MIN, INT32_MAX, NUMBER_OUT_OF_RANGE);
  expect_class("-2147483649", INT32_MIN, INT32_MAX, NUMBER_OUT_OF_RANGE);
  expect_class("2.147483648e9", INT32_MIN, INT32_MAX, NUMBER_OUT_OF_RANGE);
  expect_class("9223372036854775807", INT32_MIN, INT32_MAX,
               NUMBER_OUT_OF_RANGE);
  expect_class("-9223372036854775808", INT32_MIN, INT32_MAX,
               NUMBER_OUT_OF_RANGE);
}

static void test_bounds_other_than_int_ranges_apply(void **state) {
  (void)state;
  expect_read_as("0", 0, 10, 0);
  expect_read_as("10", 0, 10, 10);
  expect_class("11", 0, 10, NUMBER_OUT_OF_RANGE);
  expect_class("-1", 0, 10, NUMBER_OUT_OF_RANGE);
  expect_class("0", 1, 10, NUMBER_OUT_OF_RANGE);
  expect_class("-0", 1, 10, NUMBER_OUT_OF_RANGE);
  expect_class("-9223372036854775808", INT64_MIN + 1, INT64_MAX,
               NUMBER_OUT_OF_RANGE);
}

static void test_negative_zero_is_zero(void **state) {
  (void)state;
  expect_int64("-0", 0);
  expect_int64("-0.0", 0);
  expect_int64("-0e5", 0);
  expect_int64("-0.000e-3", 0);
}

static void test_exponents_that_leave_an_integer_are_read(void **state) {
  (void)state;
  static const accepted cases[] = {
      {"1e-0", 1},
      {"1e0", 1},
      {"1e+0", 1},
      {"10e-1", 1},
      {"100e-2", 1},
      {"1200e-2", 12},
      {"0.0e-5", 0},
      {"0e0", 0},
      {"1E2", 100},
      {"1e2", 100},
      {"1e+2", 100},
      {"1E+2", 100},
      {"-1E2", -100},
      {"1e18", 1000000000000000000},
      {"1e00", 1},
      {"1e-00", 1},
      {"5e01", 50},
      {"1e0000000000000000000002", 100},
      {"100000000000000000000e-2", 1000000000000000000},
  };
  for (size_t i = 0; i < COUNT(cases); i++)
    expect_int64(cases[i].text, cases[i].value);
}

static void test_fractions_that_leave_an_integer_are_read(void **state) {
  (void)state;
  static const accepted cases[] = {
      {"4.0", 4},      {"4.000", 4}, {"1.50e1", 15}, {"1.5e1", 15},
      {"-2.5e1", -25}, {"0.5e1", 5}, {"0.05e2", 5},  {"12.34e2", 1234},
      {"1.0e-0", 1},   {"0.0", 0},   {"0.000", 0},   {"-10.0e-1", -1},
  };
  for (size_t i = 0; i < COUNT(cases); i++)
    expect_int64(cases[i].text, cases[i].value);
}

static void test_values_with_a_fraction_are_not_integers(void **state) {
  (void)state;
  static const char *const texts[] = {
      "1.5",
      "0.5",
      "-0.5",
      "1e-1",
      "15e-1",
      "1.25e1",
      "0.1e0",
      "1.01",
      "7e-10",
      "0.00001",
      "123.0e-1",
      "1000000000000000000001e-1",
      "1.0000000000000000000001",
  };
  for (size_t i = 0; i < COUNT(texts); i++)
    expect_int64_class(texts[i], NUMBER_NOT_INTEGER);
}

static void test_texts_that_are_not_one_json_number_are_invalid(void **state) {
  (void)state;
  static const char *const texts[] = {
      "",      "-",     "--1",      "+7",        "+0",  "00",  "007", "-01",
      ".5",    "-.5",   "5.",       "5.e1",      "1e",  "1e+", "1e-", "1E",
      "e1",    "1ee1",  "1e1.5",    "1.2.3",     " 7",  "7 ",  "\t7", "7\n",
      "0x10",  "1_000", "Infinity", "-Infinity", "NaN", "abc", "7x",  "1e+-1",
      "\"7\"", "[7]",   "true",     "null",
  };
  for (size_t i = 0; i < COUNT(texts); i++)
    expect_int64_class(texts[i], NUMBER_INVALID);
}

static void test_length_bounds_the_text(void **state) {
  (void)state;
  int64_t got = 0;
  /* Not NUL-terminated where it ends: only len bytes are read. */
  assert_int_equal(
      codec_classify_number("12345", 3, INT64_MIN, INT64_MAX, &got),
      NUMBER_INTEGER);
  assert_int_equal(got, 123);
  assert_int_equal(codec_classify_number("1e34", 3, INT64_MIN, INT64_MAX, &got),
                   NUMBER_INTEGER);
  assert_int_equal(got, 1000);
  assert_int_equal(codec_classify_number("1e34", 2, INT64_MIN, INT64_MAX, &got),
                   NUMBER_INVALID);
  assert_int_equal(codec_classify_number("7", 0, INT64_MIN, INT64_MAX, &got),
                   NUMBER_INVALID);
  /* A NUL inside the text is not part of a number. */
  assert_int_equal(codec_classify_number("7\0", 2, INT64_MIN, INT64_MAX, &got),
                   NUMBER_INVALID);
  assert_int_equal(
      codec_classify_number("\0007", 2, INT64_MIN, INT64_MAX, &got),
      NUMBER_INVALID);
}

static void test_exponents_beyond_32_bits_are_refused(void **state) {
  (void)state;
  /* protojson refuses an exponent that does not fit 32 bits. */
  expect_int64_class("1e2147483648", NUMBER_OUT_OF_RANGE);
  expect_int64_class("1e99999999999999999999", NUMBER_OUT_OF_RANGE);
  expect_int64_class("1e-2147483649", NUMBER_NOT_INTEGER);
  expect_int64_class("10e-99999999999999999999", NUMBER_NOT_INTEGER);
  /* Within 32 bits but far beyond any int64, or far below 1. */
  expect_int64_class("1e2147483647", NUMBER_OUT_OF_RANGE);
  expect_int64_class("1e-2147483648", NUMBER_NOT_INTEGER);
}

/* protojson reads a number without a non-zero digit as 0 before it looks
** at the exponent, so even an exponent beyond 32 bits gives 0. */
static void test_zero_with_any_exponent_is_zero(void **state) {
  (void)state;
  expect_int64("0e2147483647", 0);
  expect_int64("0e-2147483648", 0);
  expect_int64("0e2147483648", 0);
  expect_int64("-0.0e-99999999999", 0);
  expect_int64("0.000E+99999999999", 0);
}

/* ---- codec_exact_numbers ----------------------------------------------- */

/* The text jansson is given for text: the rewritten copy, or text itself
** when nothing needs rewriting. A malloc'd string. */
static char *exact_text(const char *text) {
  size_t copy_len = 12345;
  bool oom = true;
  char *copy = codec_exact_numbers(text, strlen(text), &copy_len, &oom);
  assert_false(oom);
  if (copy == NULL) {
    assert_int_equal(copy_len, 12345);
    return strdup(text);
  }
  assert_int_equal(copy_len, strlen(copy));
  return copy;
}

static void expect_exact(const char *text, const char *want) {
  char *got = exact_text(text);
  if (strcmp(got, want) != 0)
    fail_msg("'%s' rewritten as '%s', want '%s'", text, got, want);
  free(got);
}

static void expect_no_rewrite(const char *text) {
  size_t copy_len = 0;
  bool oom = true;
  char *copy = codec_exact_numbers(text, strlen(text), &copy_len, &oom);
  assert_false(oom);
  if (copy != NULL) fail_msg("'%s' was copied as '%s'", text, copy);
}

static void
test_documents_without_inexact_numbers_are_not_copied(void **state) {
  (void)state;
  expect_no_rewrite("{}");
  expect_no_rewrite("{\"version\":\"1e3\",\"status\":\"4.0\"}");
  expect_no_rewrite("{\"version\":7,\"status\":-2}");
  expect_no_rewrite("{\"version\":123456789012345678}");
  expect_no_rewrite("{\"a\":\"1.5\\\"2.5\\\\\",\"b\":[\"3e3\"]}");
  /* Invalid tokens are left for jansson to refuse. */
  expect_no_rewrite("{\"version\":01}");
  expect_no_rewrite("{\"version\":-}");
  expect_no_rewrite("{\"version\":1e}");
}

static void test_integral_numbers_are_rewritten_by_their_digits(void **state) {
  (void)state;
  expect_exact("{\"version\":1e3}", "{\"version\":1000}");
  expect_exact("{\"version\":4.0,\"status\":2.0}",
               "{\"version\":4,\"status\":2}");
  expect_exact("[1.50e1,-2.5E1,-0.0]", "[15,-25,0]");
  expect_exact("{\"version\":9007199254740993.0}",
               "{\"version\":9007199254740993}");
  expect_exact("{\"version\":-9.223372036854775808e18}",
               "{\"version\":-9223372036854775808}");
  /* A plain integer of 19 digits within int64 reads the same. */
  expect_exact("{\"version\":9223372036854775807}",
               "{\"version\":9223372036854775807}");
}

static void test_fractions_and_overflows_are_rewritten_to_fail(void **state) {
  (void)state;
  expect_exact("{\"version\":1.5}", "{\"version\":0.5}");
  expect_exact("{\"version\":1.0000000000000001}", "{\"version\":0.5}");
  expect_exact("{\"version\":1e-400}", "{\"version\":0.5}");
  expect_exact("{\"version\":99999999999999999999}", "{\"version\":1e300}");
  expect_exact("{\"version\":9223372036854775808}", "{\"version\":1e300}");
  expect_exact("{\"version\":1e400}", "{\"version\":1e300}");
}

static void test_numbers_inside_strings_are_not_touched(void **state) {
  (void)state;
  expect_exact("{\"k\\\"1e3\":\"2.0\\\\\",\"v\":2.0,\"w\":\"\\\"3.0\"}",
               "{\"k\\\"1e3\":\"2.0\\\\\",\"v\":2,\"w\":\"\\\"3.0\"}");
  expect_exact("{\"a\":[\"1e3\",1e3,\"1e3\"]}",
               "{\"a\":[\"1e3\",1000,\"1e3\"]}");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_integers_are_read),
      cmocka_unit_test(test_int64_bounds_are_exact),
      cmocka_unit_test(test_one_past_int64_bounds_is_out_of_range),
      cmocka_unit_test(test_int32_bounds_are_exact),
      cmocka_unit_test(test_bounds_other_than_int_ranges_apply),
      cmocka_unit_test(test_negative_zero_is_zero),
      cmocka_unit_test(test_exponents_that_leave_an_integer_are_read),
      cmocka_unit_test(test_fractions_that_leave_an_integer_are_read),
      cmocka_unit_test(test_values_with_a_fraction_are_not_integers),
      cmocka_unit_test(test_texts_that_are_not_one_json_number_are_invalid),
      cmocka_unit_test(test_length_bounds_the_text),
      cmocka_unit_test(test_exponents_beyond_32_bits_are_refused),
      cmocka_unit_test(test_zero_with_any_exponent_is_zero),
      cmocka_unit_test(test_documents_without_inexact_numbers_are_not_copied),
      cmocka_unit_test(test_integral_numbers_are_rewritten_by_their_digits),
      cmocka_unit_test(test_fractions_and_overflows_are_rewritten_to_fail),
      cmocka_unit_test(test_numbers_inside_strings_are_not_touched),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
