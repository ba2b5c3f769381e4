/*
** The field whitelist as the issue of record defines it: exactly these
** fields per resource, their types, enum names and immutability.
*/
#include "suite.h"
#include <stdint.h>
#include <string.h>

#include "schema.h"

static void expect_fields(atesql_resource id, const char *const *names,
                          size_t n) {
  const resource_def *res = schema_resource(id);
  assert_non_null(res);
  assert_int_equal(res->field_count, n);
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(res->fields[i].name, names[i]);
    const field_def *f = schema_field(res, names[i], strlen(names[i]));
    assert_ptr_equal(f, &res->fields[i]);
    /* A column reaches SQL text: it must be a plain identifier. */
    for (const char *c = f->column; *c; c++)
      assert_true((*c >= 'a' && *c <= 'z') || *c == '_');
  }
}

static void test_worker_fields_are_whitelisted(void **state) {
  (void)state;
  const char *names[] = {
      "worker_namespace", "worker_pool", "worker_pod",     "actor_namespace",
      "actor_template",   "actor_id",    "actor_atespace", "ip",
      "worker_pod_uid",   "node_name",   "version"};
  expect_fields(ATESQL_RESOURCE_WORKERS, names, sizeof names / sizeof *names);
}

static void test_actor_fields_are_whitelisted(void **state) {
  (void)state;
  const char *names[] = {"atespace",
                         "actor_id",
                         "actor_template_namespace",
                         "actor_template_name",
                         "status",
                         "ateom_pod_namespace",
                         "ateom_pod_name",
                         "ateom_pod_ip",
                         "ateom_pod_uid",
                         "worker_pool_name",
                         "version"};
  expect_fields(ATESQL_RESOURCE_ACTORS, names, sizeof names / sizeof *names);
}

static void test_atespace_fields_are_whitelisted(void **state) {
  (void)state;
  const char *names[] = {"name"};
  expect_fields(ATESQL_RESOURCE_ATESPACES, names, 1);
}

static void test_field_types_and_immutability(void **state) {
  (void)state;
  const resource_def *w = schema_resource(ATESQL_RESOURCE_WORKERS);
  const resource_def *a = schema_resource(ATESQL_RESOURCE_ACTORS);
  assert_true(schema_field(w, "ip", 2)->immutable);
  assert_true(schema_field(w, "worker_pod", 10)->immutable);
  assert_false(schema_field(w, "actor_id", 8)->immutable);
  assert_int_equal(schema_field(w, "version", 7)->type, FIELD_INT64);
  assert_true(schema_field(a, "actor_template_name", 19)->immutable);
  assert_false(schema_field(a, "ateom_pod_ip", 12)->immutable);
  const field_def *status = schema_field(a, "status", 6);
  assert_int_equal(status->type, FIELD_ENUM);
  assert_int_equal(status->enum_count, 7);
  assert_int_equal(schema_enum_number(status, "STATUS_SUSPENDED", 16),
                   ATESQL_ACTOR_STATUS_SUSPENDED);
  assert_int_equal(schema_enum_number(status, "SUSPENDED", 9), -1);
}

static void test_nearest_field_only_for_plausible_typos(void **state) {
  (void)state;
  const resource_def *w = schema_resource(ATESQL_RESOURCE_WORKERS);
  assert_string_equal(schema_nearest_field(w, "wrker_pool", 10)->name,
                      "worker_pool");
  assert_string_equal(schema_nearest_field(w, "nodename", 8)->name,
                      "node_name");
  assert_null(schema_nearest_field(w, "qqqqqqqqqq", 10));
}

static void test_names_of_statuses_and_enums(void **state) {
  (void)state;
  assert_string_equal(atesql_status_str(ATESQL_CONFLICT), "CONFLICT");
  assert_string_equal(atesql_status_str(ATESQL_CANCELLED), "CANCELLED");
  assert_string_equal(atesql_status_str((atesql_status)99), "UNKNOWN");
  assert_string_equal(atesql_actor_status_name(ATESQL_ACTOR_STATUS_PAUSED),
                      "STATUS_PAUSED");
  assert_null(atesql_actor_status_name((atesql_actor_status)7));
  assert_string_equal(atesql_snapshot_type_name(ATESQL_SNAPSHOT_TYPE_LOCAL),
                      "SNAPSHOT_TYPE_LOCAL");
  assert_string_equal(atesql_resource_name(ATESQL_RESOURCE_ATESPACES),
                      "atespaces");
  assert_null(atesql_resource_name((atesql_resource)0));
}

static void test_every_named_enum_value_has_its_proto_name(void **state) {
  (void)state;
  static const char *const statuses[] = {
      "STATUS_UNSPECIFIED", "STATUS_RESUMING",  "STATUS_RUNNING",
      "STATUS_SUSPENDING",  "STATUS_SUSPENDED", "STATUS_PAUSING",
      "STATUS_PAUSED"};
  for (int i = 0; i < (int)(sizeof statuses / sizeof *statuses); i++)
    assert_string_equal(atesql_actor_status_name((atesql_actor_status)i),
                        statuses[i]);
  assert_string_equal(
      atesql_snapshot_type_name(ATESQL_SNAPSHOT_TYPE_UNSPECIFIED),
      "SNAPSHOT_TYPE_UNSPECIFIED");
  assert_string_equal(atesql_snapshot_type_name(ATESQL_SNAPSHOT_TYPE_LOCAL),
                      "SNAPSHOT_TYPE_LOCAL");
  assert_string_equal(atesql_snapshot_type_name(ATESQL_SNAPSHOT_TYPE_EXTERNAL),
                      "SNAPSHOT_TYPE_EXTERNAL");
}

/* Proto3 enums are open: any 32-bit value may be held, and one without a
** name, negative ones included, has no name (protojson writes it as a
** number). */
static void test_unnamed_enum_values_have_no_name(void **state) {
  (void)state;
  static const int unnamed_statuses[] = {7,  8,         99,       -1,
                                         -7, INT32_MIN, INT32_MAX};
  for (size_t i = 0; i < sizeof unnamed_statuses / sizeof *unnamed_statuses;
       i++)
    assert_null(
        atesql_actor_status_name((atesql_actor_status)unnamed_statuses[i]));
  static const int unnamed_types[] = {3, 4, -1, -2, INT32_MIN, INT32_MAX};
  for (size_t i = 0; i < sizeof unnamed_types / sizeof *unnamed_types; i++)
    assert_null(
        atesql_snapshot_type_name((atesql_snapshot_type)unnamed_types[i]));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_worker_fields_are_whitelisted),
      cmocka_unit_test(test_actor_fields_are_whitelisted),
      cmocka_unit_test(test_atespace_fields_are_whitelisted),
      cmocka_unit_test(test_field_types_and_immutability),
      cmocka_unit_test(test_nearest_field_only_for_plausible_typos),
      cmocka_unit_test(test_names_of_statuses_and_enums),
      cmocka_unit_test(test_every_named_enum_value_has_its_proto_name),
      cmocka_unit_test(test_unnamed_enum_values_have_no_name),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
