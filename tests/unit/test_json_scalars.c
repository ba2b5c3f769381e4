/*
** The scalar fields as protojson reads and writes them: enums by name or
** by any 32-bit number (proto3 enums are open), int64 as a JSON string on
** output and, on input, every spelling of an integer protojson reads
** (strings, exponents, integral reals), with the error that names the
** field for everything else.
*/
#include "suite.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "atesql/actor.h"
#include "atesql/json.h"
#include "atesql/worker.h"
#include "json_fixtures.h"

/* The version an actor document decodes to. */
static int64_t decoded_version(const char *text) {
  atesql_actor *a = actor_ok(text);
  int64_t v = a->version;
  atesql_actor_free(a);
  return v;
}

static int decoded_status(const char *text) {
  atesql_actor *a = actor_ok(text);
  int v = (int)a->status;
  atesql_actor_free(a);
  return v;
}

/* ---- Enums -------------------------------------------------------------- */

static void test_unnamed_status_values_round_trip_as_numbers(void **state) {
  (void)state;
  static const int values[] = {7, 99, -1, INT32_MIN, INT32_MAX};
  for (size_t i = 0; i < COUNT(values); i++) {
    atesql_actor a = {.status = (atesql_actor_status)values[i]};
    char want[64];
    snprintf(want, sizeof want, "{\"status\":%d}", values[i]);
    expect_actor_json(&a, want);
    atesql_actor *back = actor_ok(want);
    assert_int_equal((int)back->status, values[i]);
    expect_actor_json(back, want);
    atesql_actor_free(back);
  }
}

static void
test_unnamed_snapshot_type_values_round_trip_as_numbers(void **state) {
  (void)state;
  static const int values[] = {3, -1, INT32_MIN, INT32_MAX};
  for (size_t i = 0; i < COUNT(values); i++) {
    atesql_snapshot_info info = {.type = (atesql_snapshot_type)values[i],
                                 .data = ATESQL_SNAPSHOT_DATA_EXTERNAL};
    atesql_actor a = {.latest_snapshot_info = &info};
    char want[96];
    snprintf(want, sizeof want,
             "{\"latestSnapshotInfo\":{\"type\":%d,\"external\":{}}}",
             values[i]);
    expect_actor_json(&a, want);
    atesql_actor *back = actor_ok(want);
    assert_int_equal((int)back->latest_snapshot_info->type, values[i]);
    expect_actor_json(back, want);
    atesql_actor_free(back);
  }
}

static void test_enum_by_number(void **state) {
  (void)state;
  atesql_actor *a =
      actor_ok("{\"status\":2,\"latestSnapshotInfo\":{\"type\":2}}");
  assert_int_equal(a->status, ATESQL_ACTOR_STATUS_RUNNING);
  assert_int_equal(a->latest_snapshot_info->type,
                   ATESQL_SNAPSHOT_TYPE_EXTERNAL);
  /* A named value given by number is written by name. */
  expect_actor_json(a, "{\"status\":\"STATUS_RUNNING\",\"latestSnapshotInfo\":"
                       "{\"type\":\"SNAPSHOT_TYPE_EXTERNAL\"}}");
  atesql_actor_free(a);
}

static void test_enum_numbers_with_integral_value_are_accepted(void **state) {
  (void)state;
  static const struct {
    const char *json;
    int status;
  } cases[] = {
      {"{\"status\":2.0}", 2},
      {"{\"status\":1e0}", 1},
      {"{\"status\":1E0}", 1},
      {"{\"status\":20e-1}", 2},
      {"{\"status\":0.6e1}", 6},
      {"{\"status\":-0}", 0},
      {"{\"status\":-0.0}", 0},
      {"{\"status\":-1.0}", -1},
      {"{\"status\":99.0}", 99},
      {"{\"status\":2147483647}", INT32_MAX},
      {"{\"status\":-2147483648}", INT32_MIN},
      {"{\"status\":2147483647.0}", INT32_MAX},
      {"{\"status\":-2.147483648e9}", INT32_MIN},
  };
  for (size_t i = 0; i < COUNT(cases); i++)
    assert_int_equal(decoded_status(cases[i].json), cases[i].status);
  atesql_actor *a = actor_ok("{\"latestSnapshotInfo\":{\"type\":2e0}}");
  assert_int_equal(a->latest_snapshot_info->type,
                   ATESQL_SNAPSHOT_TYPE_EXTERNAL);
  atesql_actor_free(a);
}

static void test_enum_numbers_not_integral_are_rejected(void **state) {
  (void)state;
  expect_actor_error("{\"status\":1.5}", "field 'status'");
  expect_actor_error("{\"status\":25e-1}", "field 'status'");
  expect_actor_error("{\"status\":-0.5}", "field 'status'");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":1.5}}",
                     "field 'latestSnapshotInfo.type'");
}

static void test_enum_numbers_outside_int32_are_rejected(void **state) {
  (void)state;
  expect_actor_error("{\"status\":2147483648}",
                     "field 'status': the number is out of range");
  expect_actor_error("{\"status\":-2147483649}",
                     "field 'status': the number is out of range");
  expect_actor_error("{\"status\":1e10}", "field 'status'");
  expect_actor_error("{\"status\":2147483648.0}", "field 'status'");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":4294967297}}",
                     "field 'latestSnapshotInfo.type'");
}

/* Changed: 7 and -1 used to be unknown values; proto3 enums are open, so
** they now decode (test_unnamed_status_values_round_trip_as_numbers). A
** string is still only a name, and the list of names says a number may be
** given. */
static void test_unknown_enum_name_lists_valid_ones(void **state) {
  (void)state;
  expect_actor_error("{\"status\":\"RUNNING\"}",
                     "field 'status': unknown value 'RUNNING'; valid values: "
                     "STATUS_UNSPECIFIED, STATUS_RESUMING, STATUS_RUNNING, "
                     "STATUS_SUSPENDING, STATUS_SUSPENDED, STATUS_PAUSING, "
                     "STATUS_PAUSED, or a number");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":\"LOCAL\"}}",
                     "field 'latestSnapshotInfo.type': unknown value 'LOCAL'; "
                     "valid values: SNAPSHOT_TYPE_UNSPECIFIED, "
                     "SNAPSHOT_TYPE_LOCAL, SNAPSHOT_TYPE_EXTERNAL, or a "
                     "number");
}

static void test_enum_string_that_is_not_a_name_is_rejected(void **state) {
  (void)state;
  /* Numbers are JSON numbers only; names are case-sensitive; the old
  ** TYPE_* names are gone. */
  expect_actor_error("{\"status\":\"2\"}", "field 'status': unknown value '2'");
  expect_actor_error("{\"status\":\"2.0\"}", "field 'status': unknown value");
  expect_actor_error("{\"status\":\"\"}", "field 'status': unknown value ''");
  expect_actor_error("{\"status\":\"status_running\"}",
                     "field 'status': unknown value 'status_running'");
  expect_actor_error("{\"status\":\"STATUS_RUNNING \"}",
                     "field 'status': unknown value");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":\"TYPE_LOCAL\"}}",
                     "field 'latestSnapshotInfo.type': unknown value "
                     "'TYPE_LOCAL'");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":\"1\"}}",
                     "field 'latestSnapshotInfo.type': unknown value '1'");
}

/* ---- int64 -------------------------------------------------------------- */

static void test_version_as_string_or_number(void **state) {
  (void)state;
  static const struct {
    const char *json;
    int64_t version;
  } cases[] = {
      {"{\"version\":\"3\"}", 3},
      {"{\"version\":3}", 3},
      {"{\"version\":\"-2\"}", -2},
      {"{\"version\":\"9223372036854775807\"}", INT64_MAX},
      {"{\"version\":\"-9223372036854775808\"}", INT64_MIN},
      {"{\"version\":9223372036854775807}", INT64_MAX},
      {"{\"version\":-9223372036854775808}", INT64_MIN},
      {"{\"version\":null}", 0},
  };
  for (size_t i = 0; i < COUNT(cases); i++) {
    atesql_worker *w = worker_ok(cases[i].json);
    assert_int_equal(w->version, cases[i].version);
    atesql_worker_free(w);
  }
}

static void test_int64_strings_with_integral_value_are_accepted(void **state) {
  (void)state;
  static const struct {
    const char *text;
    int64_t version;
  } cases[] = {
      {"7", 7},
      {"-0", 0},
      {"0", 0},
      {"1e3", 1000},
      {"1E3", 1000},
      {"1e+3", 1000},
      {"4.0", 4},
      {"1.50e1", 15},
      {"1e-0", 1},
      {"10e-1", 1},
      {"0.0e-5", 0},
      {"-2.5e1", -25},
      {"922337203685477580.7e1", INT64_MAX},
      {"-922337203685477580.8e1", INT64_MIN},
      {"100000000000000000000e-2", 1000000000000000000},
  };
  for (size_t i = 0; i < COUNT(cases); i++) {
    char json[96];
    snprintf(json, sizeof json, "{\"version\":\"%s\"}", cases[i].text);
    int64_t got = decoded_version(json);
    if (got != cases[i].version)
      fail_msg("%s decoded as %lld", json, (long long)got);
  }
}

static void test_int64_strings_not_integers_are_rejected(void **state) {
  (void)state;
  static const char *const texts[] = {"007",
                                      " 7",
                                      "7 ",
                                      "+7",
                                      "1.5",
                                      "0x10",
                                      "",
                                      "1e20",
                                      "1e-1",
                                      "-",
                                      "--1",
                                      "00",
                                      ".5",
                                      "5.",
                                      "1e",
                                      "1e+",
                                      "abc",
                                      "3x",
                                      "Infinity",
                                      "NaN",
                                      "-9223372036854775809",
                                      "9223372036854775808",
                                      "18446744073709551616",
                                      "\t7",
                                      "7\n"};
  for (size_t i = 0; i < COUNT(texts); i++) {
    /* The texts need no JSON escaping but for a tab or a newline. */
    char json[96];
    size_t n = (size_t)snprintf(json, sizeof json, "{\"version\":\"");
    for (const char *c = texts[i]; *c; c++) {
      if (*c == '\t' || *c == '\n') {
        json[n++] = '\\';
        json[n++] = *c == '\t' ? 't' : 'n';
      } else {
        json[n++] = *c;
      }
    }
    snprintf(json + n, sizeof json - n, "\"}");
    expect_actor_error(json, "field 'version': ");
  }
}

static void test_bad_version_text_is_an_error(void **state) {
  (void)state;
  expect_actor_error("{\"version\":\"abc\"}",
                     "field 'version': 'abc' is not a 64-bit integer");
  expect_actor_error("{\"version\":\"\"}", "'' is not a 64-bit integer");
  expect_actor_error("{\"version\":\" 3\"}", "' 3' is not a 64-bit integer");
  expect_actor_error("{\"version\":\"3x\"}", "'3x' is not a 64-bit integer");
  expect_actor_error("{\"version\":\"+3\"}", "'+3' is not a 64-bit integer");
  /* Changed: a number out of range, or with a fraction, now says so. */
  expect_actor_error("{\"version\":\"9223372036854775808\"}",
                     "field 'version': the number is out of range for a "
                     "64-bit integer");
  expect_actor_error("{\"version\":\"1.5\"}",
                     "field 'version': the number has a fraction; expected a "
                     "64-bit integer");
}

static void test_int64_integral_reals_are_accepted(void **state) {
  (void)state;
  static const struct {
    const char *json;
    int64_t version;
  } cases[] = {
      {"{\"version\":2.0}", 2},
      {"{\"version\":1e3}", 1000},
      {"{\"version\":1E3}", 1000},
      {"{\"version\":1.5e1}", 15},
      {"{\"version\":-0.0}", 0},
      {"{\"version\":-7.0}", -7},
      {"{\"version\":9007199254740992.0}", 9007199254740992},
      {"{\"version\":-9007199254740992.0}", -9007199254740992},
      {"{\"version\":9.007199254740991e15}", 9007199254740991},
  };
  for (size_t i = 0; i < COUNT(cases); i++)
    assert_int_equal(decoded_version(cases[i].json), cases[i].version);
}

/* A JSON number is read by its text, as protojson reads it, not through
** a double: exact beyond 2^53 and at the bounds of int64. */
static void test_int64_numbers_are_read_exactly(void **state) {
  (void)state;
  static const struct {
    const char *json;
    int64_t version;
  } cases[] = {
      {"{\"version\":9007199254740993.0}", 9007199254740993},
      {"{\"version\":9007199254740993}", 9007199254740993},
      {"{\"version\":123456789012345678.9e1}", 1234567890123456789},
      {"{\"version\":9.223372036854775807e18}", INT64_MAX},
      {"{\"version\":-9.223372036854775808e18}", INT64_MIN},
      {"{\"version\":100000000000000000000e-2}", 1000000000000000000},
      {"{\"version\":1e18}", 1000000000000000000},
  };
  for (size_t i = 0; i < COUNT(cases); i++) {
    int64_t got = decoded_version(cases[i].json);
    if (got != cases[i].version)
      fail_msg("%s decoded as %lld", cases[i].json, (long long)got);
  }
  /* The same holds for a worker and for an enum. */
  atesql_worker *w = worker_ok("{\"version\":9007199254740995.00}");
  assert_int_equal(w->version, 9007199254740995);
  atesql_worker_free(w);
  assert_int_equal(decoded_status("{\"status\":2.147483647e9}"), INT32_MAX);
}

static void test_int64_non_integral_reals_are_rejected(void **state) {
  (void)state;
  expect_actor_error("{\"version\":1.5}",
                     "field 'version': the number has a fraction");
  expect_actor_error("{\"version\":1e-1}", "field 'version'");
  expect_actor_error("{\"version\":-2.25}", "field 'version'");
}

/* A number with a fraction is integral only by its text: one whose
** fraction lies below a double's precision, or that would underflow to 0,
** is not an integer to protojson, though the double it parses to is. */
static void test_int64_reals_rounding_to_an_integer_are_rejected(void **state) {
  (void)state;
  expect_actor_error("{\"version\":1.0000000000000001}", "field 'version'");
  expect_actor_error("{\"version\":1.0000000000000000000001}",
                     "field 'version'");
  expect_actor_error("{\"version\":4503599627370496.5}", "field 'version'");
  expect_actor_error("{\"version\":9007199254740991.5}", "field 'version'");
  expect_actor_error("{\"version\":1e-400}", "field 'version'");
  expect_actor_error("{\"status\":2.0000000000000001}", "field 'status'");
  expect_actor_error("{\"status\":-1e-400}", "field 'status'");
}

/* Changed: an integer beyond 64 bits used to fail as "invalid JSON"
** without naming its field. */
static void test_too_big_integer_names_its_field(void **state) {
  (void)state;
  expect_actor_error("{\"actorId\":\"a\",\"version\":9223372036854775808}",
                     "field 'version'");
  expect_actor_error("{\"version\":-9223372036854775809}", "field 'version'");
  expect_actor_error("{\"version\":99999999999999999999}", "field 'version'");
  expect_actor_error("{\"version\":123456789012345678901234567890}",
                     "field 'version'");
  expect_actor_error("{\"version\":1e19}",
                     "field 'version': the number is out of range");
  expect_actor_error("{\"version\":-1e400}", "field 'version'");
  expect_actor_error("{\"status\":99999999999999999999}", "field 'status'");
  expect_actor_error("{\"latestSnapshotInfo\":{\"type\":"
                     "-99999999999999999999}}",
                     "field 'latestSnapshotInfo.type'");
  expect_actor_error("{\"workerSelector\":{\"matchLabels\":{\"k\":"
                     "99999999999999999999}}}",
                     "field 'workerSelector.matchLabels.k'");
  expect_worker_error("{\"version\":9223372036854775808}", "field 'version'");
  /* Still one error when every field is fine but that one. */
  expect_actor_error("{\"version\":99999999999999999999,\"status\":2}",
                     "field 'version'");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unnamed_status_values_round_trip_as_numbers),
      cmocka_unit_test(test_unnamed_snapshot_type_values_round_trip_as_numbers),
      cmocka_unit_test(test_enum_by_number),
      cmocka_unit_test(test_enum_numbers_with_integral_value_are_accepted),
      cmocka_unit_test(test_enum_numbers_not_integral_are_rejected),
      cmocka_unit_test(test_enum_numbers_outside_int32_are_rejected),
      cmocka_unit_test(test_unknown_enum_name_lists_valid_ones),
      cmocka_unit_test(test_enum_string_that_is_not_a_name_is_rejected),
      cmocka_unit_test(test_version_as_string_or_number),
      cmocka_unit_test(test_int64_strings_with_integral_value_are_accepted),
      cmocka_unit_test(test_int64_strings_not_integers_are_rejected),
      cmocka_unit_test(test_bad_version_text_is_an_error),
      cmocka_unit_test(test_int64_integral_reals_are_accepted),
      cmocka_unit_test(test_int64_numbers_are_read_exactly),
      cmocka_unit_test(test_int64_non_integral_reals_are_rejected),
      cmocka_unit_test(test_int64_reals_rounding_to_an_integer_are_rejected),
      cmocka_unit_test(test_too_big_integer_names_its_field),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
