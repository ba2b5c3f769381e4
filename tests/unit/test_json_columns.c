/*
** The nested-column codecs the store uses for the actors'
** latest_snapshot_info and worker_selector: what they write, null for an
** unset field, errors named inside the sub-document, and the two column
** readers (by token and by jansson) held to one result, the first without
** a jansson allocation for what the encoders write.
*/
#include "suite.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/json.h"
#include "codec/json.h"
#include "column_readers.h"
#include "json_fixtures.h"
#include "util/arena.h"

/* A nested column decoded into a fresh arena, freed by the caller. */
static const atesql_snapshot_info *snapshot_info_ok(const char *text,
                                                    void **root) {
  size_t len = strlen(text);
  *root = arena_new(8, codec_nested_reserve(len));
  assert_non_null(*root);
  const atesql_snapshot_info *info = (const atesql_snapshot_info *)1;
  atesql_error err = {0};
  atesql_status st =
      codec_snapshot_info_from_json(text, len, *root, &info, &err);
  if (st != ATESQL_OK) fail_msg("decode of %s failed: %s", text, err.message);
  return info;
}

static const atesql_worker_selector *selector_ok(const char *text,
                                                 void **root) {
  size_t len = strlen(text);
  *root = arena_new(8, codec_nested_reserve(len));
  assert_non_null(*root);
  const atesql_worker_selector *sel = (const atesql_worker_selector *)1;
  atesql_error err = {0};
  atesql_status st =
      codec_worker_selector_from_json(text, len, *root, &sel, &err);
  if (st != ATESQL_OK) fail_msg("decode of %s failed: %s", text, err.message);
  return sel;
}

/* ---- The nested columns ------------------------------------------------- */

static void test_encoder_writes_last_of_duplicate_label_keys(void **state) {
  (void)state;
  const atesql_label dup[] = {{"b", "1"}, {"a", "x"}, {"b", "2"}, {NULL, "n"}};
  const atesql_worker_selector sel = {dup, 4};
  char *out = codec_worker_selector_to_json(&sel);
  assert_non_null(out);
  assert_string_equal(out,
                      "{\"matchLabels\":{\"\":\"n\",\"a\":\"x\",\"b\":\"2\"}}");
  free(out);
}

static void test_nested_snapshot_info_round_trips(void **state) {
  (void)state;
  char *text = codec_snapshot_info_to_json(&full_snapshot_info);
  assert_non_null(text);
  assert_string_equal(
      text,
      "{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"local\":{\"snapshotPrefix\":"
      "\"snap/1\",\"nodeVmsWithLocalSnapshots\":[\"node-02\",\"" TRICKY_JSON
      "\",\"\"]}}");
  void *root;
  const atesql_snapshot_info *back = snapshot_info_ok(text, &root);
  assert_snapshot_info_equal(&full_snapshot_info, back);
  arena_free(root);
  free(text);

  /* Changed: a type without a name used to fail to encode. */
  const atesql_snapshot_info unnamed = {.type = (atesql_snapshot_type)9};
  text = codec_snapshot_info_to_json(&unnamed);
  assert_non_null(text);
  assert_string_equal(text, "{\"type\":9}");
  free(text);

  const atesql_snapshot_info bad = {.data = ATESQL_SNAPSHOT_DATA_EXTERNAL,
                                    .external_snapshot_uri_prefix = "\xff"};
  assert_null(codec_snapshot_info_to_json(&bad));
}

static void test_nested_worker_selector_round_trips(void **state) {
  (void)state;
  char *text = codec_worker_selector_to_json(&full_selector);
  assert_non_null(text);
  assert_string_equal(text, "{\"matchLabels\":{\"gpu\":\"" TRICKY_JSON
                            "\",\"zone\":\"a\"}}");
  void *root;
  const atesql_worker_selector *back = selector_ok(text, &root);
  assert_selector_equal(&full_selector, back);
  arena_free(root);
  free(text);
}

/* Changed: a selector without labels used to be written
** {"matchLabels":{}}; NULL is now the unset selector, written null, and an
** empty one is {}. */
static void test_nested_columns_write_null_for_unset(void **state) {
  (void)state;
  char *text = codec_snapshot_info_to_json(NULL);
  assert_string_equal(text, "null");
  free(text);
  text = codec_worker_selector_to_json(NULL);
  assert_string_equal(text, "null");
  free(text);

  const atesql_snapshot_info empty_info = {0};
  text = codec_snapshot_info_to_json(&empty_info);
  assert_string_equal(text, "{}");
  free(text);
  const atesql_worker_selector empty_sel = {NULL, 0};
  text = codec_worker_selector_to_json(&empty_sel);
  assert_string_equal(text, "{}");
  free(text);
}

static void test_nested_columns_read_null_as_unset(void **state) {
  (void)state;
  void *root;
  assert_null(snapshot_info_ok("null", &root));
  arena_free(root);
  assert_null(selector_ok("null", &root));
  arena_free(root);

  const atesql_snapshot_info *info = snapshot_info_ok("{}", &root);
  assert_non_null(info);
  assert_int_equal(info->data, ATESQL_SNAPSHOT_DATA_NONE);
  assert_string_equal(info->external_snapshot_uri_prefix, "");
  assert_string_equal(info->local_snapshot_prefix, "");
  arena_free(root);
  const atesql_worker_selector *sel = selector_ok("{}", &root);
  assert_non_null(sel);
  assert_int_equal(sel->match_label_count, 0);
  arena_free(root);

  info = snapshot_info_ok("{\"external\":{}}", &root);
  assert_int_equal(info->data, ATESQL_SNAPSHOT_DATA_EXTERNAL);
  arena_free(root);
}

static void
test_nested_errors_name_the_field_in_the_sub_document(void **state) {
  (void)state;
  void *root = arena_new(8, 64);
  atesql_error err = {0};
  const atesql_snapshot_info *info = NULL;
  const char *text = "{\"type\":\"NOPE\"}";
  assert_int_equal(
      codec_snapshot_info_from_json(text, strlen(text), root, &info, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "field 'type': unknown value 'NOPE'"));
  const atesql_worker_selector *sel = NULL;
  text = "{\"matchLabels\":{\"k\":1}}";
  assert_int_equal(
      codec_worker_selector_from_json(text, strlen(text), root, &sel, &err),
      ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "field 'matchLabels.k': expected a "
                                      "string, got number"));
  text = "[]";
  assert_int_equal(
      codec_worker_selector_from_json(text, strlen(text), root, &sel, &err),
      ATESQL_INVALID_ARGUMENT);
  arena_free(root);
}

/* ---- The column reader by token ----------------------------------------- */

/* Every document here is decoded by both column readers, which must agree:
** those the token reader takes as written, and those it must leave to
** jansson (escapes, numbers, punctuation jsmn does not check, repeated
** keys, invalid UTF-8, errors of every kind). */
static const char *const snapshot_columns[] = {
    "null",
    " null ",
    "{}",
    " {\n}\t",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"local\":{\"snapshotPrefix\":"
    "\"snapshots/actor-1\",\"nodeVmsWithLocalSnapshots\":[\"node-1\","
    "\"n\xc3\xa9\",\"\"]}}",
    "{\"type\":\"SNAPSHOT_TYPE_EXTERNAL\",\"external\":{"
    "\"snapshotUriPrefix\":\"gs://b/\"}}",
    "{\"external\":{}}",
    "{\"local\":{}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[]}}",
    "{ \"type\" : \"SNAPSHOT_TYPE_LOCAL\" ,\r\n \"local\" : { "
    "\"snapshot_prefix\""
    " : \"p\" , \"node_vms_with_local_snapshots\" : [ \"a\" , \"b\" ] } }",
    "{\"type\":null,\"external\":null,\"local\":{\"snapshotPrefix\":null,"
    "\"nodeVmsWithLocalSnapshots\":null}}",
    "{\"local\":{},\"external\":null}",
    "{\"type\":\"SNAPSHOT_TYPE_UNSPECIFIED\"}",
    /* Left to jansson. */
    "{\"type\":9}",
    "{\"type\":1.0}",
    "{\"type\":\"1\"}",
    "{\"type\":\"NOPE\"}",
    "{\"type\":true}",
    "{\"external\":{},\"local\":{}}",
    "{\"local\":{\"snapshotPrefix\":\"p\"},\"external\":{}}",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"type\":\"SNAPSHOT_TYPE_LOCAL\"}",
    "{\"local\":{\"snapshotPrefix\":\"a\",\"snapshot_prefix\":\"b\"}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[\"a\",null]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[\"a\" \"b\"]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[\"a\",]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[,\"a\"]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[\"a\",,\"b\"]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":[[\"a\"]]}}",
    "{\"local\":{\"nodeVmsWithLocalSnapshots\":\"a\"}}",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\",}",
    "{,\"type\":\"SNAPSHOT_TYPE_LOCAL\"}",
    "{\"type\" \"SNAPSHOT_TYPE_LOCAL\"}",
    "{\"type\"::\"SNAPSHOT_TYPE_LOCAL\"}",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\",\"local\"}",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\"}}",
    "{\"type\":\"SNAPSHOT_TYPE_LOCAL\"} {}",
    "{} x",
    "{\"local\":{\"snapshotPrefix\":\"a\\\"b\"}}",
    "{\"local\":{\"snapshotPrefix\":\"a\\u00e9\"}}",
    "{\"local\":{\"snapshotPrefix\":\"a\\u0000b\"}}",
    "{\"local\":{\"snapshotPrefix\":\"\\ud800\"}}",
    "{\"local\":{\"snapshotPrefix\":\"\xff\"}}",
    "{\"local\":{\"snapshotPrefix\":\"\xed\xa0\x80\"}}",
    "{\"local\":{\"snapshotPrefix\":\"\xc0\x80\"}}",
    "{\"local\":{\"snapshotPrefix\":\"a\tb\"}}",
    "{\"loc\\u0061l\":{}}",
    "{\"unknown\":{}}",
    "{\"local\":[]}",
    "{\"local\":\"x\"}",
    "\xef\xbb\xbf{}",
    "",
    "[]",
    "\"x\"",
    "nul",
    "nulll",
    "null null",
    "true",
    "{",
    "{\"local\":{\"snapshotPrefix\":\"p\"}",
};

static const char *const selector_columns[] = {
    "null",
    "{}",
    "{\"matchLabels\":{}}",
    "{\"matchLabels\":null}",
    "{\"matchLabels\":{\"gpu\":\"h100\",\"zone\":\"a\"}}",
    "{\"matchLabels\":{\"zone\":\"a\",\"gpu\":\"h100\",\"\":\"\"}}",
    "{\"match_labels\":{\"k\xc3\xa9\":\"v\xe2\x9c\x93\"}}",
    "{ \"matchLabels\" : { \"a\" : \"1\" , \"b\" : \"2\" } }",
    /* Left to jansson. */
    "{\"matchLabels\":{\"a\":\"1\",\"a\":\"2\"}}",
    "{\"matchLabels\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"1\"}}",
    "{\"matchLabels\":{\"a\":1}}",
    "{\"matchLabels\":{\"a\":null}}",
    "{\"matchLabels\":{\"a\":{}}}",
    "{\"matchLabels\":{\"a\":\"1\"},\"match_labels\":{}}",
    "{\"matchLabels\":{\"a\":\"1\",}}",
    "{\"matchLabels\":{\"a\" \"1\"}}",
    "{\"matchLabels\":{\"a\":\"1\" \"b\":\"2\"}}",
    "{\"matchLabels\":[\"a\"]}",
    "{\"matchLabels\":{\"k\\u00e9\":\"v\"}}",
    "{\"matchLabels\":{\"k\":\"v\\n\"}}",
    "{\"matchLabels\":{\"\\u0000\":\"v\"}}",
    "{\"selector\":{}}",
    "[]",
};

static void expect_readers_agree(field_message column, const char *text,
                                 size_t len) {
  char why[512];
  bool decoded;
  if (!column_readers_agree(column, text, len, &decoded, why, sizeof why))
    fail_msg("the readers differ on %.*s: %s", (int)len, text, why);
}

static void test_column_readers_agree_on_every_kind_of_document(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(snapshot_columns); i++)
    expect_readers_agree(MESSAGE_SNAPSHOT_INFO, snapshot_columns[i],
                         strlen(snapshot_columns[i]));
  for (size_t i = 0; i < COUNT(selector_columns); i++)
    expect_readers_agree(MESSAGE_WORKER_SELECTOR, selector_columns[i],
                         strlen(selector_columns[i]));
  /* A NUL byte ends no document early. */
  static const char nul_after[] = "{}\0x";
  static const char nul_inside[] = "{\"matchLabels\":{\"a\":\"\0\"}}";
  expect_readers_agree(MESSAGE_SNAPSHOT_INFO, nul_after, sizeof nul_after - 1);
  expect_readers_agree(MESSAGE_WORKER_SELECTOR, nul_inside,
                       sizeof nul_inside - 1);
}

/* More tokens than the token reader holds: jansson reads it, the same. */
static void test_column_readers_agree_on_a_long_node_list(void **state) {
  (void)state;
  char text[4096];
  size_t len = (size_t)snprintf(text, sizeof text,
                                "{\"local\":{\"nodeVmsWithLocalSnapshots\":[");
  for (int i = 0; i < 200; i++)
    len += (size_t)snprintf(text + len, sizeof text - len, "%s\"node-%d\"",
                            i ? "," : "", i);
  len += (size_t)snprintf(text + len, sizeof text - len, "]}}");
  expect_readers_agree(MESSAGE_SNAPSHOT_INFO, text, len);
}

static long jansson_allocations;

static void *counting_alloc(size_t size) {
  jansson_allocations++;
  return malloc(size);
}

/* What the encoders write is read by token, not by jansson. */
static void test_columns_as_written_are_read_without_jansson(void **state) {
  (void)state;
  char *info = codec_snapshot_info_to_json(&full_snapshot_info);
  char *sel = codec_worker_selector_to_json(&full_selector);
  assert_non_null(info);
  assert_non_null(sel);
  /* TRICKY holds characters the encoder escapes: those go to jansson. */
  static const char *const node_vms_plain[] = {"node-02", "n\xc3\xa9", ""};
  static const atesql_label labels_plain[] = {{"zone", "a"},
                                              {"gpu", "h\xe2\x9c\x93"}};
  atesql_snapshot_info plain_info = full_snapshot_info;
  plain_info.local_node_vms = node_vms_plain;
  const atesql_worker_selector plain_sel = {labels_plain, 2};
  char *plain_info_text = codec_snapshot_info_to_json(&plain_info);
  char *plain_sel_text = codec_worker_selector_to_json(&plain_sel);

  json_set_alloc_funcs(counting_alloc, free);
  jansson_allocations = 0;
  void *root = arena_new(8, 0);
  atesql_actor holder = {0};
  atesql_error err = {0};
  assert_int_equal(codec_column_from_json(
                       MESSAGE_SNAPSHOT_INFO, plain_info_text,
                       strlen(plain_info_text), root, false, &holder, &err),
                   ATESQL_OK);
  assert_int_equal(codec_column_from_json(
                       MESSAGE_WORKER_SELECTOR, plain_sel_text,
                       strlen(plain_sel_text), root, false, &holder, &err),
                   ATESQL_OK);
  long plain = jansson_allocations;
  assert_int_equal(codec_column_from_json(MESSAGE_SNAPSHOT_INFO, info,
                                          strlen(info), root, false, &holder,
                                          &err),
                   ATESQL_OK);
  long escaped = jansson_allocations - plain;
  json_set_alloc_funcs(malloc, free);
  assert_int_equal(plain, 0);
  assert_true(escaped > 0);
  assert_snapshot_info_equal(&full_snapshot_info, holder.latest_snapshot_info);
  arena_free(root);
  expect_readers_agree(MESSAGE_SNAPSHOT_INFO, info, strlen(info));
  expect_readers_agree(MESSAGE_WORKER_SELECTOR, sel, strlen(sel));
  expect_readers_agree(MESSAGE_SNAPSHOT_INFO, plain_info_text,
                       strlen(plain_info_text));
  expect_readers_agree(MESSAGE_WORKER_SELECTOR, plain_sel_text,
                       strlen(plain_sel_text));
  free(info);
  free(sel);
  free(plain_info_text);
  free(plain_sel_text);
}

/* A stored record stays one allocation when its column goes to jansson:
** the token reader gives back what it allocated before it declined, so
** the arena ends as jansson alone leaves it. */
static void test_declined_column_leaves_the_arena_as_it_was(void **state) {
  (void)state;
  char text[1024];
  size_t len = (size_t)snprintf(text, sizeof text,
                                "{\"local\":{\"nodeVmsWithLocalSnapshots\":[");
  for (int i = 0; i < 20; i++)
    len += (size_t)snprintf(text + len, sizeof text - len, "%s\"node-%02d\"",
                            i ? "," : "", i);
  len += (size_t)snprintf(text + len, sizeof text - len,
                          "],\"snapshotPrefix\":\"a\\\"b\"}}");
  size_t used[2];
  for (int jansson_only = 0; jansson_only < 2; jansson_only++) {
    void *root = arena_new(8, codec_nested_reserve(len));
    arena_mark start = arena_save(root);
    atesql_actor holder = {0};
    atesql_error err = {0};
    assert_int_equal(codec_column_from_json(MESSAGE_SNAPSHOT_INFO, text, len,
                                            root, jansson_only, &holder, &err),
                     ATESQL_OK);
    assert_string_equal(holder.latest_snapshot_info->local_snapshot_prefix,
                        "a\"b");
    arena_mark end = arena_save(root);
    assert_ptr_equal(end.chunk, start.chunk); /* still the first chunk */
    used[jansson_only] = end.used;
    arena_free(root);
  }
  assert_int_equal(used[0], used[1]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_encoder_writes_last_of_duplicate_label_keys),
      cmocka_unit_test(test_nested_snapshot_info_round_trips),
      cmocka_unit_test(test_nested_worker_selector_round_trips),
      cmocka_unit_test(test_nested_columns_write_null_for_unset),
      cmocka_unit_test(test_nested_columns_read_null_as_unset),
      cmocka_unit_test(test_nested_errors_name_the_field_in_the_sub_document),
      cmocka_unit_test(test_column_readers_agree_on_every_kind_of_document),
      cmocka_unit_test(test_column_readers_agree_on_a_long_node_list),
      cmocka_unit_test(test_columns_as_written_are_read_without_jansson),
      cmocka_unit_test(test_declined_column_leaves_the_arena_as_it_was),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
