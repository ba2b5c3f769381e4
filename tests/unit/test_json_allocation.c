/*
** The one-allocation bound of decoded records: a record decodes into the
** first chunk of its arena, sized by codec_nested_reserve, even at the
** worst cases of the bound.
*/
#include "suite.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/actor.h"
#include "atesql/json.h"
#include "codec/json.h"
#include "json_fixtures.h"

/* True when every string of the actor lies in its first chunk (or is a
** static ""), that is the record is one allocation. */
static void assert_in_first_chunk(const void *root, size_t json_len,
                                  const char *p) {
  if (p[0] == '\0') return;
  const char *lo = root;
  const char *hi = lo + sizeof(atesql_actor) + codec_nested_reserve(json_len);
  assert_true(p >= lo && p < hi);
}

/* The worst cases of the reserve bound: one-byte labels and list elements,
** one-byte string fields. */
static void test_decoded_record_is_one_allocation(void **state) {
  (void)state;
  enum { N = 2000 };
  size_t cap = N * 16 + 256;
  char *text = malloc(cap);
  size_t len = (size_t)snprintf(text, cap,
                                "{\"atespace\":\"a\",\"actorId\":\"b\","
                                "\"latestSnapshotInfo\":{\"local\":{"
                                "\"nodeVmsWithLocalSnapshots\":[");
  for (size_t i = 0; i < N; i++)
    len += (size_t)snprintf(text + len, cap - len, "%s\"%c\"", i ? "," : "",
                            'a' + (int)(i % 26));
  len += (size_t)snprintf(text + len, cap - len,
                          "]}},\"workerSelector\":{\"matchLabels\":{");
  for (size_t i = 0; i < 26; i++)
    len += (size_t)snprintf(text + len, cap - len, "%s\"%c\":\"x\"",
                            i ? "," : "", 'a' + (int)i);
  len += (size_t)snprintf(text + len, cap - len, "}}}");
  atesql_actor *a = actor_ok(text);
  const atesql_snapshot_info *info = a->latest_snapshot_info;
  const atesql_worker_selector *sel = a->worker_selector;
  assert_int_equal(info->local_node_vm_count, N);
  assert_in_first_chunk(a, len, a->atespace);
  assert_in_first_chunk(a, len, a->actor_id);
  assert_in_first_chunk(a, len, (const char *)info);
  assert_in_first_chunk(a, len, (const char *)sel);
  assert_in_first_chunk(a, len, (const char *)info->local_node_vms);
  for (size_t i = 0; i < N; i++)
    assert_in_first_chunk(a, len, info->local_node_vms[i]);
  assert_in_first_chunk(a, len, (const char *)sel->match_labels);
  for (size_t i = 0; i < sel->match_label_count; i++) {
    assert_in_first_chunk(a, len, sel->match_labels[i].key);
    assert_in_first_chunk(a, len, sel->match_labels[i].value);
  }
  atesql_actor_free(a);
  free(text);
}

/* The smallest documents that set the two messages: their structs must
** still fit the first chunk. */
static void test_empty_messages_are_one_allocation(void **state) {
  (void)state;
  static const char *const docs[] = {
      "{\"latestSnapshotInfo\":{},\"workerSelector\":{}}",
      "{\"latest_snapshot_info\":{},\"worker_selector\":{}}",
  };
  for (size_t i = 0; i < COUNT(docs); i++) {
    size_t len = strlen(docs[i]);
    atesql_actor *a = actor_ok(docs[i]);
    const char *lo = (const char *)a;
    const char *hi = lo + sizeof(atesql_actor) + codec_nested_reserve(len);
    const char *info = (const char *)a->latest_snapshot_info;
    const char *sel = (const char *)a->worker_selector;
    assert_true(info >= lo && info + sizeof(atesql_snapshot_info) <= hi);
    assert_true(sel >= lo && sel + sizeof(atesql_worker_selector) <= hi);
    atesql_actor_free(a);
  }
}

static void test_reserve_saturates(void **state) {
  (void)state;
  assert_int_equal(codec_nested_reserve(10), 104);
  assert_int_equal(codec_nested_reserve(SIZE_MAX / 2), SIZE_MAX);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_decoded_record_is_one_allocation),
      cmocka_unit_test(test_empty_messages_are_one_allocation),
      cmocka_unit_test(test_reserve_saturates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
