/*
** Page tokens are opaque and checked: one is valid only with the selector
** (and resource) that produced it, and any token the store did not write,
** flipped, truncated, extended or made up, is INVALID_ARGUMENT. Valid
** tokens are not tied to a handle or a page size.
*/
#include "conformance.h"

static const char base64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding of n bytes; free with free(). */
static char *encode_base64url(const unsigned char *bytes, size_t n) {
  char *out = malloc(n * 4 / 3 + 4);
  assert_non_null(out);
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    acc = (acc << 8) | bytes[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out[o++] = base64url[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out[o++] = base64url[(acc << (6 - bits)) & 63];
  out[o] = '\0';
  return out;
}

/*
** The token character c with the highest bit of its 6-bit value flipped:
** a different character whose decoded bits differ in a bit that is never
** padding. Characters outside the alphabet become 'A'.
*/
static char flip_token_char(char c) {
  const char *at = c ? strchr(base64url, c) : NULL;
  if (at == NULL) return c == 'A' ? 'B' : 'A';
  return base64url[(at - base64url) ^ 32];
}

/* Create workers ns/pool/p00 .. p09: cpu for even numbers, gpu for odd. */
static void create_ten_workers(atesql_store *store) {
  char pod[8];
  for (int i = 0; i < 10; i++) {
    snprintf(pod, sizeof pod, "p%02d", i);
    atesql_worker w = make_worker("ns", "pool", pod);
    w.node_name = i % 2 ? "gpu" : "cpu";
    assert_ok(store, atesql_worker_create(store, &w));
  }
}

/* The next_page_token of the first page of workers with selector text and
** a page size of 2; never "". Free with free(). */
static char *first_worker_token(atesql_store *store, const char *selector) {
  atesql_list_opts opts = {0};
  opts.selector_text = selector;
  opts.page_size = 2;
  atesql_worker_page *page = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_string_not_equal(page->next_page_token, "");
  char *token = strdup(page->next_page_token);
  atesql_worker_page_free(page);
  return token;
}

/* Listing workers with opts must reject its page token, naming it. */
static void expect_worker_token_rejected(atesql_store *store,
                                         const atesql_list_opts *opts) {
  atesql_worker_page *page = NULL;
  atesql_status st = atesql_worker_list(store, opts, &page);
  if (st != ATESQL_INVALID_ARGUMENT)
    fail_msg("token '%s' with selector '%s': %s, want INVALID_ARGUMENT",
             opts->page_token, opts->selector_text ? opts->selector_text : "",
             atesql_status_str(st));
  assert_errmsg_names(store, "token");
}

static void expect_token_rejected(atesql_store *store, const char *selector,
                                  const char *token) {
  atesql_list_opts opts = {0};
  opts.selector_text = selector;
  opts.page_size = 2;
  opts.page_token = token;
  expect_worker_token_rejected(store, &opts);
}

static void
test_token_with_different_selector_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  char *token = first_worker_token(store, "node_name=cpu");
  expect_token_rejected(store, "node_name=gpu", token);
  expect_token_rejected(store, "", token);
  expect_token_rejected(store, "node_name=cpu,actor_id=", token);
  expect_token_rejected(store, "node_name!=cpu", token);
  free(token);
}

static void
test_token_of_empty_selector_is_invalid_with_a_selector(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  char *token = first_worker_token(store, "");
  expect_token_rejected(store, "node_name=cpu", token);
  expect_token_rejected(store, "worker_pool=pool", token);
  free(token);
}

static void
test_token_with_different_built_selector_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  char *token = first_worker_token(store, "node_name=cpu");
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_selector_new(ATESQL_RESOURCE_WORKERS, &sel, &err),
                   ATESQL_OK);
  static const char *const gpu[] = {"gpu"};
  assert_int_equal(
      atesql_selector_add(sel, "node_name", ATESQL_OP_EQ, gpu, 1, &err),
      ATESQL_OK);
  atesql_list_opts opts = {0};
  opts.selector = sel;
  opts.selector_text = "node_name=cpu";
  opts.page_token = token;
  expect_worker_token_rejected(store, &opts);
  atesql_selector_free(sel);
  free(token);
}

static void test_token_with_equivalent_selector_is_accepted(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  char *token = first_worker_token(store, "node_name in (gpu,cpu)");
  atesql_list_opts opts = {0};
  opts.selector_text = " node_name  in (cpu, gpu,cpu) ";
  opts.page_token = token;
  opts.page_size = 2;
  atesql_worker_page *page = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_int_equal(page->count, 2);
  assert_string_equal(page->items[0].worker_pod, "p02");
  atesql_worker_page_free(page);

  atesql_selector *sel = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_selector_new(ATESQL_RESOURCE_WORKERS, &sel, &err),
                   ATESQL_OK);
  static const char *const nodes[] = {"cpu", "gpu"};
  assert_int_equal(
      atesql_selector_add(sel, "node_name", ATESQL_OP_IN, nodes, 2, &err),
      ATESQL_OK);
  opts.selector = sel;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_int_equal(page->count, 2);
  assert_string_equal(page->items[0].worker_pod, "p02");
  atesql_worker_page_free(page);
  atesql_selector_free(sel);
  free(token);
}

static void
test_worker_token_is_invalid_for_actors_and_atespaces(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  create_actor(store, "s1", "a1");
  create_actor(store, "s1", "a2");
  create_actor(store, "s2", "a1");
  char *token = first_worker_token(store, "");
  atesql_list_opts opts = {0};
  opts.page_token = token;
  atesql_actor_page *actors = NULL;
  assert_status(store, atesql_actor_list(store, &opts, &actors),
                ATESQL_INVALID_ARGUMENT);
  assert_errmsg_names(store, "token");
  atesql_atespace_page *spaces = NULL;
  assert_status(store, atesql_atespace_list(store, &opts, &spaces),
                ATESQL_INVALID_ARGUMENT);
  free(token);
}

static void test_actor_token_is_invalid_for_workers(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  create_actor(store, "s1", "a1");
  create_actor(store, "s1", "a2");
  create_actor(store, "s2", "a1");
  atesql_list_opts opts = {0};
  opts.page_size = 1;
  atesql_actor_page *actors = NULL;
  assert_ok(store, atesql_actor_list(store, &opts, &actors));
  assert_string_not_equal(actors->next_page_token, "");
  char *token = strdup(actors->next_page_token);
  atesql_actor_page_free(actors);
  opts.page_token = token;
  expect_worker_token_rejected(store, &opts);
  free(token);
}

static void
test_token_with_any_character_flipped_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  char *token = first_worker_token(store, "node_name=cpu");
  size_t len = strlen(token);
  for (size_t i = 0; i < len; i++) {
    char *tampered = strdup(token);
    tampered[i] = flip_token_char(tampered[i]);
    expect_token_rejected(store, "node_name=cpu", tampered);
    free(tampered);
  }
  free(token);
}

static void test_truncated_token_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  char *token = first_worker_token(store, "");
  size_t len = strlen(token);
  size_t cuts[] = {len - 1, len - 2, len - 3, len / 2, 1};
  for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    char *cut = strndup(token, cuts[i]);
    expect_token_rejected(store, "", cut);
    free(cut);
  }
  expect_token_rejected(store, "", token + 1);
  free(token);
}

static void test_extended_token_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  char *token = first_worker_token(store, "");
  size_t len = strlen(token);
  char *longer = malloc(len + 5);
  static const char *const tails[] = {"A", "AA", "AAAA", "=", " "};
  for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
    snprintf(longer, len + 5, "%s%s", token, tails[i]);
    expect_token_rejected(store, "", longer);
  }
  free(longer);
  free(token);
}

static void test_garbage_token_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  static const char *const garbage[] = {
      "garbage",
      "!!!!",
      "A",
      "====",
      " ",
      "p05",
      "ns/pool/p05",
      "x'; DROP TABLE workers;--",
      "\xc3\xbc\xc3\xbc\xc3\xbc",
  };
  for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
    expect_token_rejected(store, "", garbage[i]);
  char long_token[2048];
  memset(long_token, 'A', sizeof long_token - 1);
  long_token[sizeof long_token - 1] = '\0';
  expect_token_rejected(store, "", long_token);
}

static void test_base64_of_garbage_token_is_invalid_argument(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
#define BYTES(literal)                                                         \
  { literal, sizeof(literal) - 1 }
  static const struct {
    const char *bytes;
    size_t len;
  } payloads[] = {
      BYTES("hello, this is not a page token"),
      BYTES("\x01"),
      BYTES("\x01garbage-after-a-version-byte-0123456789abcdef"),
      BYTES("\x01\x00\x00\x00\x02ns\x00\x00\x00\x04pool\x00\x00\x00\x03p05"),
      BYTES("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
      BYTES("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
            "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
      BYTES("{\"ns\":\"ns\",\"pool\":\"pool\",\"pod\":\"p05\"}"),
  };
#undef BYTES
  for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
    char *token = encode_base64url((const unsigned char *)payloads[i].bytes,
                                   payloads[i].len);
    expect_token_rejected(store, "", token);
    free(token);
  }
}

static void test_token_works_on_another_handle(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  char *token = first_worker_token(store, "node_name=cpu");
  atesql_store *other = open_second_store();
  atesql_list_opts opts = {0};
  opts.selector_text = "node_name=cpu";
  opts.page_size = 2;
  opts.page_token = token;
  atesql_worker_page *page = NULL;
  assert_ok(other, atesql_worker_list(other, &opts, &page));
  assert_int_equal(page->count, 2);
  assert_string_equal(page->items[0].worker_pod, "p04");
  assert_string_equal(page->items[1].worker_pod, "p06");
  atesql_worker_page_free(page);
  atesql_store_close(other);
  free(token);
}

static void test_page_size_may_change_between_pages(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  char *token = first_worker_token(store, "");
  atesql_list_opts opts = {0};
  opts.page_size = 5;
  opts.page_token = token;
  atesql_worker_page *page = NULL;
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_int_equal(page->count, 5);
  assert_string_equal(page->items[0].worker_pod, "p02");
  assert_string_equal(page->items[4].worker_pod, "p06");
  atesql_worker_page_free(page);
  free(token);
}

static void test_token_of_deleted_last_row_still_continues(void **state) {
  atesql_store *store = *state;
  create_ten_workers(store);
  char *token = first_worker_token(store, "");
  assert_ok(store, atesql_worker_delete(store, "ns", "pool", "p01"));
  assert_ok(store, atesql_worker_delete(store, "ns", "pool", "p02"));
  atesql_list_opts opts = {0};
  opts.page_size = 2;
  opts.page_token = token;
  atesql_worker_page *page = NULL;
  /* The listing reflects its first page's revision, where p02 existed. */
  assert_ok(store, atesql_worker_list(store, &opts, &page));
  assert_int_equal(page->count, 2);
  assert_string_equal(page->items[0].worker_pod, "p02");
  assert_string_equal(page->items[1].worker_pod, "p03");
  atesql_worker_page_free(page);
  free(token);
}

static const struct CMUnitTest tests[] = {
    STORE_TEST(test_token_with_different_selector_is_invalid_argument),
    STORE_TEST(test_token_of_empty_selector_is_invalid_with_a_selector),
    STORE_TEST(test_token_with_different_built_selector_is_invalid_argument),
    STORE_TEST(test_token_with_equivalent_selector_is_accepted),
    STORE_TEST(test_worker_token_is_invalid_for_actors_and_atespaces),
    STORE_TEST(test_actor_token_is_invalid_for_workers),
    STORE_TEST(test_token_with_any_character_flipped_is_invalid_argument),
    STORE_TEST(test_truncated_token_is_invalid_argument),
    STORE_TEST(test_extended_token_is_invalid_argument),
    STORE_TEST(test_garbage_token_is_invalid_argument),
    STORE_TEST(test_base64_of_garbage_token_is_invalid_argument),
    STORE_TEST(test_token_works_on_another_handle),
    STORE_TEST(test_page_size_may_change_between_pages),
    STORE_TEST(test_token_of_deleted_last_row_still_continues),
};

const struct CMUnitTest *page_token_tests(size_t *count) {
  *count = sizeof tests / sizeof tests[0];
  return tests;
}
