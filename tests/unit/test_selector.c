/*
** The selector contract: the grammar, every error with its column, the
** normalized form, golden SQL for both dialects, the C builder giving the
** same AST as text, and hostile values that must end up only in parameters.
*/
#include "suite.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/selector.h"
#include "selector/ast.h"

#define W      ATESQL_RESOURCE_WORKERS
#define A      ATESQL_RESOURCE_ACTORS
#define SQLITE ATESQL_DIALECT_SQLITE
#define PG     ATESQL_DIALECT_POSTGRES

static atesql_selector *parse_ok(atesql_resource res, const char *text) {
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  atesql_status st =
      atesql_selector_parse(res, text, ATESQL_NUL_TERMINATED, &sel, &err);
  if (st != ATESQL_OK) fail_msg("parse of '%s' failed: %s", text, err.message);
  assert_non_null(sel);
  return sel;
}

/* Parse must fail with INVALID_ARGUMENT at `column` and a message holding
** `needle`. */
static void expect_error_len(atesql_resource res, const char *text, size_t len,
                             size_t column, const char *needle) {
  atesql_selector *sel = (atesql_selector *)1;
  atesql_error err = {0};
  atesql_status st = atesql_selector_parse(res, text, len, &sel, &err);
  assert_int_equal(st, ATESQL_INVALID_ARGUMENT);
  assert_null(sel);
  assert_int_equal(err.status, ATESQL_INVALID_ARGUMENT);
  if (err.column != column)
    fail_msg("'%s': column %zu, want %zu (%s)", text, err.column, column,
             err.message);
  if (strstr(err.message, needle) == NULL)
    fail_msg("'%s': message '%s' lacks '%s'", text, err.message, needle);
}

static void expect_error(atesql_resource res, const char *text, size_t column,
                         const char *needle) {
  expect_error_len(res, text, strlen(text), column, needle);
}

static char *normalized(atesql_resource res, const char *text) {
  atesql_selector *sel = parse_ok(res, text);
  char *out = NULL;
  assert_int_equal(atesql_selector_format(sel, &out), ATESQL_OK);
  atesql_selector_free(sel);
  return out;
}

static void expect_normalized(atesql_resource res, const char *text,
                              const char *want) {
  char *got = normalized(res, text);
  if (strcmp(got, want) != 0)
    fail_msg("'%s' normalized to '%s', want '%s'", text, got, want);
  atesql_free(got);
}

static atesql_compiled *compile_ok(atesql_resource res, const char *text,
                                   atesql_dialect d) {
  atesql_selector *sel = parse_ok(res, text);
  atesql_compiled *c = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_selector_compile(sel, d, &c, &err), ATESQL_OK);
  atesql_selector_free(sel);
  return c;
}

static void expect_sql(atesql_resource res, const char *text, atesql_dialect d,
                       const char *want_sql) {
  atesql_compiled *c = compile_ok(res, text, d);
  if (strcmp(c->sql, want_sql) != 0)
    fail_msg("'%s' compiled to\n  %s\nwant\n  %s", text, c->sql, want_sql);
  atesql_compiled_free(c);
}

/* ---- grammar ---- */

static void test_equality_operators_are_one_operator(void **state) {
  (void)state;
  expect_normalized(W, "worker_pool=cpu", "worker_pool=cpu");
  expect_normalized(W, "worker_pool==cpu", "worker_pool=cpu");
  expect_normalized(W, "worker_pool!=cpu", "worker_pool!=cpu");
}

static void test_set_operators_parse_lists(void **state) {
  (void)state;
  expect_normalized(W, "node_name in (n2,n1)", "node_name in (n1,n2)");
  expect_normalized(W, "node_name notin (n1)", "node_name notin (n1)");
  expect_normalized(W, "node_name in(n1 , n2 )", "node_name in (n1,n2)");
}

static void test_empty_value_selects_free_workers(void **state) {
  (void)state;
  expect_normalized(W, "actor_id=", "actor_id=");
  expect_normalized(W,
                    "worker_pool=cpu,actor_id=", "worker_pool=cpu,actor_id=");
  expect_normalized(W, "actor_id in (,a1)", "actor_id in (,a1)");
  expect_normalized(W, "actor_id in (a1,)", "actor_id in (,a1)");
}

static void test_empty_text_selects_everything(void **state) {
  (void)state;
  expect_normalized(W, "", "");
  expect_normalized(W, "  \t ", "");
  atesql_compiled *c = compile_ok(W, "", SQLITE);
  assert_string_equal(c->sql, "TRUE");
  assert_int_equal(c->param_count, 0);
  atesql_compiled_free(c);
}

static void test_whitespace_around_tokens_is_ignored(void **state) {
  (void)state;
  expect_normalized(
      W, "  worker_pool = cpu ,\tactor_id =  ", "worker_pool=cpu,actor_id=");
  expect_normalized(W, "worker_pool != cpu", "worker_pool!=cpu");
}

static void test_escapes_put_special_bytes_in_values(void **state) {
  (void)state;
  atesql_compiled *c =
      compile_ok(W, "node_name=a\\,b\\=c\\!d\\(e\\)f\\\\g\\ h", SQLITE);
  assert_int_equal(c->param_count, 1);
  assert_string_equal(c->params[0].text, "a,b=c!d(e)f\\g h");
  atesql_compiled_free(c);
  expect_normalized(W, "node_name=a\\ b", "node_name=a\\ b");
  expect_normalized(W, "node_name in (a\\,b,c\\))",
                    "node_name in (a\\,b,c\\))");
}

static void test_unicode_values_are_kept_exactly(void **state) {
  (void)state;
  atesql_compiled *c = compile_ok(W,
                                  "node_name=n\xc3\xb6"
                                  "de-\xe2\x82\xac",
                                  PG);
  assert_string_equal(c->params[0].text, "n\xc3\xb6"
                                         "de-\xe2\x82\xac");
  atesql_compiled_free(c);
}

static void test_enum_field_takes_proto_names(void **state) {
  (void)state;
  atesql_compiled *c = compile_ok(A, "status=STATUS_RUNNING", SQLITE);
  assert_int_equal(c->params[0].type, ATESQL_PARAM_INT64);
  assert_int_equal(c->params[0].int64, ATESQL_ACTOR_STATUS_RUNNING);
  atesql_compiled_free(c);
  expect_normalized(A, "status in (STATUS_PAUSED,STATUS_RUNNING)",
                    "status in (STATUS_RUNNING,STATUS_PAUSED)");
}

/* "(,)" is a list of the empty value; "()" is no list. */
static void test_list_of_only_the_empty_value_round_trips(void **state) {
  (void)state;
  expect_normalized(W, "actor_id in (,)", "actor_id in (,)");
  expect_normalized(W, "actor_id notin (,)", "actor_id notin (,)");
  expect_normalized(W, "actor_id in (,,a)", "actor_id in (,a)");
}

static void test_enum_field_takes_numbers_named_or_not(void **state) {
  (void)state;
  atesql_compiled *c = compile_ok(A, "status=99", SQLITE);
  assert_int_equal(c->params[0].type, ATESQL_PARAM_INT64);
  assert_int_equal(c->params[0].int64, 99);
  atesql_compiled_free(c);
  /* A number with a name is that name; one without stays a number. */
  expect_normalized(A, "status in (-5,2,STATUS_RUNNING)",
                    "status in (-5,STATUS_RUNNING)");
  expect_error(A, "status=2147483648", 8, "or a 32-bit number");
  expect_error(A, "status=2.0", 8, "unknown value '2.0'");
}

static void test_int64_field_takes_decimal_integers(void **state) {
  (void)state;
  atesql_compiled *c = compile_ok(W, "version=0042", SQLITE);
  assert_int_equal(c->params[0].type, ATESQL_PARAM_INT64);
  assert_int_equal(c->params[0].int64, 42);
  atesql_compiled_free(c);
  expect_normalized(W, "version!=-7", "version!=-7");
  expect_normalized(W, "version=9223372036854775807",
                    "version=9223372036854775807");
}

static void test_duplicate_terms_collapse(void **state) {
  (void)state;
  expect_normalized(W, "worker_pool=cpu,worker_pool==cpu", "worker_pool=cpu");
  expect_normalized(W, "node_name in (b,a,b),node_name in (a,b)",
                    "node_name in (a,b)");
}

static void test_contradictory_terms_are_kept(void **state) {
  (void)state;
  expect_normalized(W, "worker_pool=b,worker_pool=a",
                    "worker_pool=a,worker_pool=b");
}

static void test_normalized_form_orders_terms_by_whitelist(void **state) {
  (void)state;
  expect_normalized(W, "node_name=n1,actor_id=,worker_pool=cpu",
                    "worker_pool=cpu,actor_id=,node_name=n1");
}

static void test_normalized_form_parses_back_to_equal_selector(void **state) {
  (void)state;
  const char *texts[] = {
      "node_name in (b\\ c,a\\,),actor_id=,worker_pool!=x\\\\y",
      "version notin (3,1),ip=10.0.0.1",
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    atesql_selector *a = parse_ok(W, texts[i]);
    char *text = NULL;
    assert_int_equal(atesql_selector_format(a, &text), ATESQL_OK);
    atesql_selector *b = parse_ok(W, text);
    assert_true(atesql_selector_equal(a, b));
    atesql_free(text);
    atesql_selector_free(a);
    atesql_selector_free(b);
  }
}

static void test_different_selectors_are_not_equal(void **state) {
  (void)state;
  atesql_selector *a = parse_ok(W, "worker_pool=a");
  atesql_selector *b = parse_ok(W, "worker_pool!=a");
  atesql_selector *c = parse_ok(A, "actor_id=a");
  atesql_selector *d = parse_ok(W, "actor_id=a");
  assert_false(atesql_selector_equal(a, b));
  assert_false(atesql_selector_equal(c, d));
  assert_false(atesql_selector_equal(a, NULL));
  atesql_selector_free(a);
  atesql_selector_free(b);
  atesql_selector_free(c);
  atesql_selector_free(d);
}

/* ---- errors ---- */

static void test_unknown_field_suggests_nearest(void **state) {
  (void)state;
  expect_error(W, "wrker_pool=cpu", 1,
               "unknown field 'wrker_pool' at column 1; did you mean "
               "'worker_pool'?");
  expect_error(W, "worker_pool=cpu,nodename=x", 17,
               "did you mean 'node_name'?");
  expect_error(A, "stats=STATUS_RUNNING", 1, "did you mean 'status'?");
}

static void test_unknown_field_far_from_all_lists_fields(void **state) {
  (void)state;
  expect_error(W, "zzzzzzzzzzzzzzz=1", 1, "workers fields: worker_namespace, ");
}

static void test_field_of_other_resource_is_unknown(void **state) {
  (void)state;
  expect_error(W, "status=STATUS_RUNNING", 1, "unknown field 'status'");
  expect_error(A, "node_name=n1", 1, "unknown field 'node_name'");
}

static void test_unknown_enum_value_lists_valid_names(void **state) {
  (void)state;
  expect_error(A, "status=RUNNING", 8,
               "unknown value 'RUNNING' for field 'status' at column 8; valid "
               "values: STATUS_UNSPECIFIED, STATUS_RESUMING, STATUS_RUNNING");
  expect_error(A, "status in (STATUS_RUNNING, bogus)", 28, "'bogus'");
}

static void test_bad_integer_is_rejected(void **state) {
  (void)state;
  expect_error(W, "version=abc", 9, "invalid integer 'abc'");
  expect_error(W, "version=", 9, "invalid integer ''");
  expect_error(W, "version=99999999999999999999", 9, "invalid integer");
  expect_error(W, "version=1.5", 9, "invalid integer");
}

static void test_missing_operator_is_rejected(void **state) {
  (void)state;
  expect_error(W, "worker_pool", 12,
               "missing operator after field 'worker_pool'");
  expect_error(W, "worker_pool cpu", 13, "missing operator");
  expect_error(W, "worker_pool=cpu,actor_id", 25, "missing operator");
  expect_error(W, "worker_pool<cpu", 12, "expected =, ==, !=, in or notin");
  expect_error(W, "worker_pool!cpu", 12, "missing operator");
}

static void test_unterminated_paren_is_rejected(void **state) {
  (void)state;
  expect_error(W, "node_name in (a,b", 14, "unterminated '('");
  expect_error(W, "node_name in (", 14, "");
  expect_error(W, "node_name in a,b)", 14, "expected '(' after 'in'");
  expect_error(W, "node_name in (a b)", 17, "expected ',' or ')'");
}

static void test_empty_in_list_is_rejected(void **state) {
  (void)state;
  expect_error(W, "node_name in ()", 14, "empty value list 'in ()'");
  expect_error(W, "node_name notin ( )", 17, "empty value list 'notin ()'");
}

static void test_trailing_comma_is_rejected(void **state) {
  (void)state;
  expect_error(W, "worker_pool=cpu,", 16, "trailing comma at column 16");
  expect_error(W, "worker_pool=cpu, ", 16, "trailing comma");
}

static void test_missing_field_is_rejected(void **state) {
  (void)state;
  expect_error(W, ",worker_pool=cpu", 1, "expected a field name, found ','");
  expect_error(W, "worker_pool=cpu,,actor_id=", 17, "expected a field name");
  expect_error(W, "=cpu", 1, "expected a field name, found '='");
}

static void test_dangling_escape_is_rejected(void **state) {
  (void)state;
  expect_error(W, "worker_pool=cpu\\", 16, "dangling escape");
}

static void test_invalid_escape_is_rejected(void **state) {
  (void)state;
  expect_error(W, "worker_pool=c\\pu", 14, "invalid escape '\\p'");
}

static void test_unescaped_special_byte_in_value_is_rejected(void **state) {
  (void)state;
  expect_error(W, "worker_pool=a=b", 14,
               "unescaped '=' in a value at column 14");
  expect_error(W, "worker_pool===b", 14, "unescaped '='");
  expect_error(W, "worker_pool=a(", 14, "write it as '\\('");
  expect_error(W, "worker_pool=a)", 14, "unescaped ')'");
  expect_error(W, "worker_pool=!", 13, "unescaped '!'");
}

static void test_unescaped_space_in_value_is_rejected(void **state) {
  (void)state;
  expect_error(W, "worker_pool=c pu", 15, "unexpected 'p' at column 15");
}

static void test_value_over_length_limit_is_rejected(void **state) {
  (void)state;
  size_t n = ATESQL_SELECTOR_VALUE_MAX + 1;
  char *text = malloc(n + 16);
  strcpy(text, "node_name=");
  memset(text + 10, 'x', n);
  text[10 + n] = '\0';
  expect_error(W, text, 11, "the limit is 1024");
  text[10 + n - 1] = '\0'; /* exactly at the limit */
  atesql_selector_free(parse_ok(W, text));
  free(text);
}

static void test_nul_byte_is_rejected(void **state) {
  (void)state;
  expect_error_len(W, "worker_pool=c\0pu", 16, 14, "NUL byte at column 14");
}

static void test_invalid_utf8_is_rejected(void **state) {
  (void)state;
  expect_error(W, "worker_pool=\xff", 13, "invalid UTF-8 at column 13");
  expect_error(W, "node_name=\xc3", 11, "invalid UTF-8");
  expect_error(W, "node_name=\xc0\xaf", 11, "invalid UTF-8"); /* overlong */
  expect_error(W, "node_name=\xed\xa0\x80", 11,
               "invalid UTF-8"); /* surrogate */
}

static void test_too_many_terms_is_rejected(void **state) {
  (void)state;
  char text[4096] = "";
  for (int i = 0; i <= ATESQL_SELECTOR_TERMS_MAX; i++) {
    char term[32];
    snprintf(term, sizeof term, "%snode_name!=n%d", i ? "," : "", i);
    strcat(text, term);
  }
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  assert_int_equal(
      atesql_selector_parse(W, text, ATESQL_NUL_TERMINATED, &sel, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "too many terms"));
}

static void test_too_many_list_values_is_rejected(void **state) {
  (void)state;
  size_t cap = 16 + 8 * (ATESQL_SELECTOR_LIST_MAX + 1);
  char *text = malloc(cap);
  size_t o = (size_t)snprintf(text, cap, "node_name in (");
  for (int i = 0; i <= ATESQL_SELECTOR_LIST_MAX; i++)
    o += (size_t)snprintf(text + o, cap - o, "%sn%d", i ? "," : "", i);
  snprintf(text + o, cap - o, ")");
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  assert_int_equal(
      atesql_selector_parse(W, text, ATESQL_NUL_TERMINATED, &sel, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "too many values in list"));
  free(text);
}

static void test_errors_leave_out_null_and_err_filled(void **state) {
  (void)state;
  atesql_selector *sel = NULL;
  assert_int_equal(
      atesql_selector_parse(W, "x", ATESQL_NUL_TERMINATED, &sel, NULL),
      ATESQL_INVALID_ARGUMENT);
  assert_null(sel);
  atesql_error err = {0};
  assert_int_equal(atesql_selector_parse(ATESQL_RESOURCE_ATESPACES, "nam=x",
                                         ATESQL_NUL_TERMINATED, &sel, &err),
                   ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "did you mean 'name'?"));
}

/* ---- golden SQL ---- */

static void test_golden_sql_sqlite(void **state) {
  (void)state;
  expect_sql(W, "worker_pool=cpu,actor_id=", SQLITE,
             "\"worker_pool\" = ?1 AND \"actor_id\" = ''");
  expect_sql(W, "actor_id=a1,actor_atespace=s", SQLITE,
             "\"actor_id\" = ?1 AND \"actor_id\" <> '' AND "
             "\"actor_atespace\" = ?2");
  expect_sql(W, "actor_id in (a,b)", SQLITE,
             "\"actor_id\" IN (SELECT value FROM json_each(?1)) AND "
             "\"actor_id\" <> ''");
  expect_sql(W, "actor_id!=,node_name=", SQLITE,
             "\"actor_id\" <> '' AND \"node_name\" = ''");
  expect_sql(W, "worker_pool!=cpu", SQLITE, "\"worker_pool\" <> ?1");
  expect_sql(W, "node_name in (a,b)", SQLITE,
             "\"node_name\" IN (SELECT value FROM json_each(?1))");
  expect_sql(W, "node_name notin (a,b)", SQLITE,
             "\"node_name\" NOT IN (SELECT value FROM json_each(?1))");
  expect_sql(A, "atespace=s1,status=STATUS_RUNNING", SQLITE,
             "\"atespace\" = ?1 AND \"status\" = ?2");
}

static void test_golden_sql_postgres(void **state) {
  (void)state;
  expect_sql(W, "worker_pool=cpu,actor_id=", PG,
             "\"worker_pool\" = $1 AND \"actor_id\" = ''");
  expect_sql(W, "actor_id=a1,actor_atespace=s", PG,
             "\"actor_id\" = $1 AND \"actor_id\" <> '' AND "
             "\"actor_atespace\" = $2");
  expect_sql(A, "actor_id=a1", PG, "\"actor_id\" = $1");
  expect_sql(W, "worker_pool!=cpu", PG, "\"worker_pool\" <> $1");
  expect_sql(W, "node_name in (a,b)", PG, "\"node_name\" = ANY($1)");
  expect_sql(W, "node_name notin (a,b)", PG, "\"node_name\" <> ALL($1)");
  expect_sql(A, "status in (STATUS_RUNNING,STATUS_PAUSED),atespace=s1", PG,
             "\"atespace\" = $1 AND \"status\" = ANY($2)");
}

/* The array form (a statement a server function EXECUTEs with one text[]
** argument): every value is element N of $1, cast where its place needs
** another type, and the parameters are those of the usual form. */
static void expect_array_sql(atesql_resource res, const char *text,
                             const char *want_sql) {
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  assert_int_equal(
      atesql_selector_parse(res, text, ATESQL_NUL_TERMINATED, &sel, &err),
      ATESQL_OK);
  atesql_compiled *c = NULL, *plain = NULL;
  assert_int_equal(sel_compile_array(sel, &c, &err), ATESQL_OK);
  assert_int_equal(atesql_selector_compile(sel, PG, &plain, &err), ATESQL_OK);
  if (strcmp(c->sql, want_sql) != 0)
    fail_msg("'%s' compiled to\n  %s\nwant\n  %s", text, c->sql, want_sql);
  assert_int_equal(c->param_count, plain->param_count);
  for (size_t i = 0; i < c->param_count; i++) {
    assert_int_equal(c->params[i].type, plain->params[i].type);
    if (c->params[i].type == ATESQL_PARAM_TEXT)
      assert_string_equal(c->params[i].text, plain->params[i].text);
  }
  atesql_compiled_free(plain);
  atesql_compiled_free(c);
  atesql_selector_free(sel);
}

static void test_golden_sql_postgres_array(void **state) {
  (void)state;
  expect_array_sql(W, "worker_pool=cpu,actor_id=",
                   "\"worker_pool\" = ($1::text[])[1] AND \"actor_id\" = ''");
  expect_array_sql(W, "version=3,node_name in (a,b)",
                   "\"node_name\" = ANY((($1::text[])[1])::text[]) AND "
                   "\"version\" = (($1::text[])[2])::bigint");
  expect_array_sql(A, "status notin (STATUS_RUNNING)",
                   "\"status\" <> ALL((($1::text[])[1])::integer[])");
  expect_array_sql(
      W, "worker_pool=cpu,labels.gpu in (h100,a100)",
      "\"worker_pool\" = ($1::text[])[1] AND (\"worker_namespace\", "
      "\"worker_pool\", \"worker_pod\") IN (SELECT \"worker_namespace\", "
      "\"worker_pool\", \"worker_pod\" FROM worker_labels WHERE key = "
      "($1::text[])[2] AND value = ANY((($1::text[])[3])::text[]) AND "
      "\"worker_pool\" = ($1::text[])[1])");
}

/* The empty value is the constant '' in the SQL, so the free-worker
** question has one parameter, the pool. */
static void test_free_worker_selector_has_one_param(void **state) {
  (void)state;
  atesql_compiled *c = compile_ok(W, "worker_pool=cpu,actor_id=", SQLITE);
  assert_int_equal(c->param_count, 1);
  assert_int_equal(c->params[0].type, ATESQL_PARAM_TEXT);
  assert_string_equal(c->params[0].text, "cpu");
  atesql_compiled_free(c);
  c = compile_ok(W, "actor_id=", PG);
  assert_int_equal(c->param_count, 0);
  assert_string_equal(c->sql, "\"actor_id\" = ''");
  atesql_compiled_free(c);
}

static void test_in_list_is_one_param_in_dialect_encoding(void **state) {
  (void)state;
  atesql_compiled *c = compile_ok(W, "node_name in (b,a\\,\"x)", SQLITE);
  assert_int_equal(c->param_count, 1);
  assert_string_equal(c->params[0].text, "[\"a,\\\"x\",\"b\"]");
  atesql_compiled_free(c);
  c = compile_ok(W, "node_name in (b,a\\,\"x\\\\)", PG);
  assert_string_equal(c->params[0].text, "{\"a,\\\"x\\\\\",\"b\"}");
  atesql_compiled_free(c);
  c = compile_ok(A, "status notin (STATUS_PAUSED,STATUS_RUNNING)", SQLITE);
  assert_string_equal(c->params[0].text, "[2,6]");
  atesql_compiled_free(c);
  c = compile_ok(A, "status in (STATUS_PAUSED,STATUS_RUNNING)", PG);
  assert_string_equal(c->params[0].text, "{2,6}");
  atesql_compiled_free(c);
}

static void test_in_list_sql_shape_does_not_depend_on_length(void **state) {
  (void)state;
  const atesql_dialect dialects[] = {SQLITE, PG};
  for (size_t d = 0; d < 2; d++) {
    atesql_compiled *one = compile_ok(W, "node_name in (a)", dialects[d]);
    atesql_compiled *many =
        compile_ok(W, "node_name in (a,b,c,d,e,f,g,h,i,j)", dialects[d]);
    assert_string_equal(one->sql, many->sql);
    assert_int_equal(one->param_count, many->param_count);
    atesql_compiled_free(one);
    atesql_compiled_free(many);
  }
}

static void test_term_order_does_not_change_sql(void **state) {
  (void)state;
  atesql_compiled *a = compile_ok(W, "actor_id=,worker_pool=cpu", SQLITE);
  atesql_compiled *b = compile_ok(W, "worker_pool=cpu,actor_id=", SQLITE);
  assert_string_equal(a->sql, b->sql);
  assert_string_equal(a->params[0].text, b->params[0].text);
  atesql_compiled_free(a);
  atesql_compiled_free(b);
}

static void test_unknown_dialect_is_rejected(void **state) {
  (void)state;
  atesql_selector *sel = parse_ok(W, "");
  atesql_compiled *c = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_selector_compile(sel, (atesql_dialect)99, &c, &err),
                   ATESQL_INVALID_ARGUMENT);
  assert_null(c);
  assert_non_null(strstr(err.message, "unknown dialect"));
  atesql_selector_free(sel);
}

/* ---- hostile values ---- */

static void test_hostile_values_only_reach_params(void **state) {
  (void)state;
  const char *hostile[] = {
      "x'; DROP TABLE workers;--",
      "\" OR 1=1 --",
      "back\\slash",
      "'' OR ''='",
      "\xe2\x80\xae"
      "evil\xf0\x9f\x98\x80",
      "?1",
      "$1",
  };
  const atesql_dialect dialects[] = {SQLITE, PG};
  for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
    for (size_t d = 0; d < 2; d++) {
      atesql_selector *sel = NULL;
      atesql_error err = {0};
      assert_int_equal(atesql_selector_new(W, &sel, &err), ATESQL_OK);
      assert_int_equal(atesql_selector_add(sel, "node_name", ATESQL_OP_EQ,
                                           &hostile[i], 1, &err),
                       ATESQL_OK);
      assert_int_equal(atesql_selector_add(sel, "worker_pod", ATESQL_OP_IN,
                                           &hostile[i], 1, &err),
                       ATESQL_OK);
      atesql_compiled *c = NULL;
      assert_int_equal(atesql_selector_compile(sel, dialects[d], &c, &err),
                       ATESQL_OK);
      const char *want =
          dialects[d] == SQLITE
              ? "\"worker_pod\" IN (SELECT value FROM "
                "json_each(?1)) AND \"node_name\" = ?2"
              : "\"worker_pod\" = ANY($1) AND \"node_name\" = $2";
      assert_string_equal(c->sql, want);
      assert_string_equal(c->params[1].text, hostile[i]);
      assert_null(strstr(c->sql, "DROP"));

      /* The text route gives the same selector once the value is escaped. */
      char *text = NULL;
      assert_int_equal(atesql_selector_format(sel, &text), ATESQL_OK);
      atesql_selector *reparsed = parse_ok(W, text);
      assert_true(atesql_selector_equal(sel, reparsed));
      atesql_selector_free(reparsed);
      atesql_free(text);
      atesql_compiled_free(c);
      atesql_selector_free(sel);
    }
  }
}

static void test_hostile_field_names_are_rejected(void **state) {
  (void)state;
  expect_error(W, "worker_pool\"=x", 12, "missing operator");
  expect_error(W, "1=1", 1, "unknown field '1'");
  expect_error(W, "node_name;DROP=x", 10, "missing operator");
}

/* ---- the C builder ---- */

static void test_builder_gives_same_ast_as_text(void **state) {
  (void)state;
  atesql_selector *built = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_selector_new(W, &built, &err), ATESQL_OK);
  const char *nodes[] = {"n2", "n1", "n2"};
  const char *free_id[] = {""};
  const char *pool[] = {"cpu"};
  const char *version[] = {"007"};
  assert_int_equal(
      atesql_selector_add(built, "node_name", ATESQL_OP_IN, nodes, 3, &err),
      ATESQL_OK);
  assert_int_equal(
      atesql_selector_add(built, "actor_id", ATESQL_OP_EQ, free_id, 1, &err),
      ATESQL_OK);
  assert_int_equal(
      atesql_selector_add(built, "worker_pool", ATESQL_OP_EQ, pool, 1, &err),
      ATESQL_OK);
  assert_int_equal(
      atesql_selector_add(built, "version", ATESQL_OP_NEQ, version, 1, &err),
      ATESQL_OK);
  atesql_selector *parsed =
      parse_ok(W, "version!=7,worker_pool==cpu,actor_id=,node_name in (n1,n2)");
  assert_true(atesql_selector_equal(built, parsed));
  assert_int_equal(atesql_selector_resource(built), W);

  atesql_compiled *cb = NULL, *cp = NULL;
  assert_int_equal(atesql_selector_compile(built, PG, &cb, &err), ATESQL_OK);
  assert_int_equal(atesql_selector_compile(parsed, PG, &cp, &err), ATESQL_OK);
  assert_string_equal(cb->sql, cp->sql);
  assert_int_equal(cb->param_count, cp->param_count);
  atesql_compiled_free(cb);
  atesql_compiled_free(cp);
  atesql_selector_free(built);
  atesql_selector_free(parsed);
}

static void test_builder_rejects_bad_input(void **state) {
  (void)state;
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_selector_new(A, &sel, &err), ATESQL_OK);
  const char *one[] = {"x"};
  const char *two[] = {"x", "y"};
  const char *bad_status[] = {"STATUS_RUNNING", "RUNNING"};
  const char *null_value[] = {NULL};
  const char *bad_utf8[] = {"\xff"};

  assert_int_equal(
      atesql_selector_add(sel, "atespac", ATESQL_OP_EQ, one, 1, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "did you mean 'atespace'?"));
  assert_int_equal(err.column, 0);
  assert_int_equal(
      atesql_selector_add(sel, "atespace", ATESQL_OP_EQ, two, 2, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "exactly one value"));
  assert_int_equal(
      atesql_selector_add(sel, "atespace", ATESQL_OP_IN, two, 0, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "empty 'in' list"));
  assert_int_equal(
      atesql_selector_add(sel, "status", ATESQL_OP_IN, bad_status, 2, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "unknown value 'RUNNING'"));
  assert_int_equal(
      atesql_selector_add(sel, "atespace", ATESQL_OP_EQ, null_value, 1, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_int_equal(
      atesql_selector_add(sel, "atespace", ATESQL_OP_EQ, bad_utf8, 1, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "invalid UTF-8"));
  assert_int_equal(
      atesql_selector_add(sel, "atespace", (atesql_op)42, one, 1, &err),
      ATESQL_INVALID_ARGUMENT);

  /* Nothing of the failed calls was added. */
  char *text = NULL;
  assert_int_equal(atesql_selector_format(sel, &text), ATESQL_OK);
  assert_string_equal(text, "");
  atesql_free(text);
  atesql_selector_free(sel);
}

static void test_new_rejects_unknown_resource(void **state) {
  (void)state;
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_selector_new((atesql_resource)0, &sel, &err),
                   ATESQL_INVALID_ARGUMENT);
  assert_null(sel);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_equality_operators_are_one_operator),
      cmocka_unit_test(test_set_operators_parse_lists),
      cmocka_unit_test(test_empty_value_selects_free_workers),
      cmocka_unit_test(test_empty_text_selects_everything),
      cmocka_unit_test(test_whitespace_around_tokens_is_ignored),
      cmocka_unit_test(test_escapes_put_special_bytes_in_values),
      cmocka_unit_test(test_unicode_values_are_kept_exactly),
      cmocka_unit_test(test_enum_field_takes_proto_names),
      cmocka_unit_test(test_enum_field_takes_numbers_named_or_not),
      cmocka_unit_test(test_list_of_only_the_empty_value_round_trips),
      cmocka_unit_test(test_int64_field_takes_decimal_integers),
      cmocka_unit_test(test_duplicate_terms_collapse),
      cmocka_unit_test(test_contradictory_terms_are_kept),
      cmocka_unit_test(test_normalized_form_orders_terms_by_whitelist),
      cmocka_unit_test(test_normalized_form_parses_back_to_equal_selector),
      cmocka_unit_test(test_different_selectors_are_not_equal),
      cmocka_unit_test(test_unknown_field_suggests_nearest),
      cmocka_unit_test(test_unknown_field_far_from_all_lists_fields),
      cmocka_unit_test(test_field_of_other_resource_is_unknown),
      cmocka_unit_test(test_unknown_enum_value_lists_valid_names),
      cmocka_unit_test(test_bad_integer_is_rejected),
      cmocka_unit_test(test_missing_operator_is_rejected),
      cmocka_unit_test(test_unterminated_paren_is_rejected),
      cmocka_unit_test(test_empty_in_list_is_rejected),
      cmocka_unit_test(test_trailing_comma_is_rejected),
      cmocka_unit_test(test_missing_field_is_rejected),
      cmocka_unit_test(test_dangling_escape_is_rejected),
      cmocka_unit_test(test_invalid_escape_is_rejected),
      cmocka_unit_test(test_unescaped_special_byte_in_value_is_rejected),
      cmocka_unit_test(test_unescaped_space_in_value_is_rejected),
      cmocka_unit_test(test_value_over_length_limit_is_rejected),
      cmocka_unit_test(test_nul_byte_is_rejected),
      cmocka_unit_test(test_invalid_utf8_is_rejected),
      cmocka_unit_test(test_too_many_terms_is_rejected),
      cmocka_unit_test(test_too_many_list_values_is_rejected),
      cmocka_unit_test(test_errors_leave_out_null_and_err_filled),
      cmocka_unit_test(test_golden_sql_sqlite),
      cmocka_unit_test(test_golden_sql_postgres),
      cmocka_unit_test(test_golden_sql_postgres_array),
      cmocka_unit_test(test_free_worker_selector_has_one_param),
      cmocka_unit_test(test_in_list_is_one_param_in_dialect_encoding),
      cmocka_unit_test(test_in_list_sql_shape_does_not_depend_on_length),
      cmocka_unit_test(test_term_order_does_not_change_sql),
      cmocka_unit_test(test_unknown_dialect_is_rejected),
      cmocka_unit_test(test_hostile_values_only_reach_params),
      cmocka_unit_test(test_hostile_field_names_are_rejected),
      cmocka_unit_test(test_builder_gives_same_ast_as_text),
      cmocka_unit_test(test_builder_rejects_bad_input),
      cmocka_unit_test(test_new_rejects_unknown_resource),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
