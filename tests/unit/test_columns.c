/*
** The column tables and what is generated from them: the layout every
** generator relies on (key first, then the selectable fields, one
** version), and the statement templates of sql/<dialect>/ expanded for
** both dialects.
*/
#include "suite.h"
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "store/columns.h"
#include "store/record.h"

static const atesql_resource all[] = {
    ATESQL_RESOURCE_WORKERS, ATESQL_RESOURCE_ACTORS, ATESQL_RESOURCE_ATESPACES};

static void
test_tables_put_the_key_first_then_the_selectable_fields(void **state) {
  (void)state;
  for (size_t r = 0; r < 3; r++) {
    const resource_def *res = schema_resource(all[r]);
    assert_true(res->key_count >= 1 && res->key_count <= RECORD_MAX_KEYS);
    assert_true(res->key_count <= res->field_count);
    assert_true(res->field_count <= res->column_count);
    assert_true(res->column_count <= RECORD_MAX_COLUMNS);
    size_t versions = 0;
    for (size_t i = 0; i < res->column_count; i++) {
      const field_def *f = &res->fields[i];
      assert_non_null(f->column);
      assert_string_equal(f->column, f->name);
      assert_non_null(f->json_name);
      if (i < res->key_count) {
        assert_int_equal(f->type, FIELD_TEXT);
        assert_true(f->immutable);
      }
      /* Nested documents are not selectable; what is, is indexed. */
      if (i < res->field_count)
        assert_true(f->type == FIELD_TEXT || f->type == FIELD_ENUM ||
                    f->type == FIELD_INT64);
      if (f->version) {
        versions++;
        assert_int_equal(f->type, FIELD_INT64);
      }
    }
    assert_int_equal(versions, all[r] == ATESQL_RESOURCE_ATESPACES ? 0 : 1);
  }
}

/* Proto field numbers are unique in a message (0: atesql's own). */
static void test_proto_numbers_are_unique(void **state) {
  (void)state;
  for (size_t r = 0; r < 3; r++) {
    const resource_def *res = schema_resource(all[r]);
    for (size_t i = 0; i < res->column_count; i++)
      for (size_t k = 0; k < i; k++)
        if (res->fields[i].proto_number)
          assert_int_not_equal(res->fields[i].proto_number,
                               res->fields[k].proto_number);
  }
}

static char *expand(atesql_dialect d, const char *name) {
  strbuf sb = STRBUF_INIT;
  if (!columns_template(&sb, store_dialect_of(d), name, strlen(name))) {
    strbuf_release(&sb);
    return NULL;
  }
  return strbuf_detach(&sb);
}

static void expect_expansion(atesql_dialect d, const char *name,
                             const char *want) {
  char *got = expand(d, name);
  if (got == NULL) fail_msg("{%s} did not expand", name);
  if (strcmp(got, want) != 0)
    fail_msg("{%s} expanded to '%s', want '%s'", name, got, want);
  free(got);
}

static void test_templates_expand_in_table_order(void **state) {
  (void)state;
  const atesql_dialect S = ATESQL_DIALECT_SQLITE, P = ATESQL_DIALECT_POSTGRES;
  expect_expansion(S, "workers.columns",
                   "worker_namespace, worker_pool, worker_pod, "
                   "actor_namespace, actor_template, actor_id, "
                   "actor_atespace, ip, worker_pod_uid, node_name, version, "
                   "labels");
  expect_expansion(P, "workers.values",
                   "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12");
  expect_expansion(S, "workers.key",
                   "worker_namespace = ?1 AND worker_pool = ?2 AND "
                   "worker_pod = ?3");
  expect_expansion(S, "workers.set",
                   "actor_namespace = ?4, actor_template = ?5, actor_id = ?6, "
                   "actor_atespace = ?7, worker_pod_uid = ?9, "
                   "node_name = ?10, labels = ?12");
  expect_expansion(S, "workers.immutable", "ip = ?8");
  expect_expansion(P, "workers.version", "$11");
  expect_expansion(P, "actors.immutable",
                   "actor_template_namespace = $3 AND "
                   "actor_template_name = $4");
  expect_expansion(S, "actors.key", "atespace = ?1 AND actor_id = ?2");
  expect_expansion(S, "atespaces.columns", "name");
}

static void test_unknown_templates_do_not_expand(void **state) {
  (void)state;
  assert_null(expand(ATESQL_DIALECT_SQLITE, "workers.colums"));
  assert_null(expand(ATESQL_DIALECT_SQLITE, "wrkers.columns"));
  assert_null(expand(ATESQL_DIALECT_SQLITE, "columns"));
  assert_null(expand(ATESQL_DIALECT_SQLITE, ""));
}

/* An event image names the columns as the table does. */
static void test_images_rename_the_previous_columns(void **state) {
  (void)state;
  strbuf sb = STRBUF_INIT;
  columns_image(&sb, &schema_atespaces, "e.", true);
  assert_string_equal(sb.data, "e.name");
  strbuf_release(&sb);
  columns_image(&sb, &schema_workers, "", true);
  assert_non_null(strstr(sb.data, "worker_pod, prev_actor_namespace AS "
                                  "actor_namespace, "));
  assert_non_null(strstr(sb.data, "prev_labels AS labels"));
  strbuf_release(&sb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          test_tables_put_the_key_first_then_the_selectable_fields),
      cmocka_unit_test(test_proto_numbers_are_unique),
      cmocka_unit_test(test_templates_expand_in_table_order),
      cmocka_unit_test(test_unknown_templates_do_not_expand),
      cmocka_unit_test(test_images_rename_the_previous_columns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
