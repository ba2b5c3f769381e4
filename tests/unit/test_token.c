/*
** Page tokens (src/store/token.c) below the store: every length of key
** part round-trips, the text is exactly libsodium's base64url of the
** token's bytes (the encoder is a table lookup; the decoder is
** libsodium's), and a token of the earlier format is refused by name.
*/
#include "suite.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/token.h"

static unsigned char selector_hash[TOKEN_SELECTOR_HASH];

static int setup(void **state) {
  (void)state;
  if (sodium_init() < 0) return -1;
  token_selector_hash("worker_pool=cpu,actor_id=", selector_hash);
  return 0;
}

/* The token's text must be libsodium's encoding of its bytes. */
static void assert_canonical_base64url(const char *token) {
  size_t tlen = strlen(token), len = 0;
  unsigned char *raw = malloc(tlen);
  assert_int_equal(sodium_base642bin(raw, tlen, token, tlen, NULL, &len, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   0);
  size_t b64len =
      sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *again = malloc(b64len);
  sodium_bin2base64(again, b64len, raw, len,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  assert_string_equal(token, again);
  free(again);
  free(raw);
}

static void test_tokens_round_trip_at_every_length(void **state) {
  (void)state;
  char part[200];
  for (size_t n = 0; n < sizeof part; n++) {
    memset(part, 0, sizeof part);
    for (size_t i = 0; i < n; i++)
      part[i] = (char)('a' + (i * 7 + n) % 26);
    const char *parts[] = {"ns", part, n % 2 ? "pod" : ""};
    char *token = NULL;
    assert_int_equal(
        token_encode(ATESQL_RESOURCE_WORKERS, selector_hash, parts, 3,
                     (int64_t)n * 1000003 + (n % 3 ? INT64_C(1) << 40 : 0),
                     &token),
        ATESQL_OK);
    assert_canonical_base64url(token);
    page_key key;
    char msg[200];
    assert_int_equal(token_decode(token, ATESQL_RESOURCE_WORKERS, selector_hash,
                                  3, &key, msg, sizeof msg),
                     ATESQL_OK);
    assert_int_equal(key.revision,
                     (int64_t)n * 1000003 + (n % 3 ? INT64_C(1) << 40 : 0));
    for (size_t i = 0; i < 3; i++) {
      assert_int_equal(key.lens[i], strlen(parts[i]));
      assert_string_equal(key.parts[i], parts[i]);
    }
    free(key.storage);
    free(token);
  }
}

/* The header and key parts "s1", "a1" of an actors token of an earlier
** format (version byte, resource, selector hash, part count, parts) into
** raw; returns its length. */
static size_t old_token_body(unsigned char version, unsigned char *raw) {
  raw[0] = version;
  raw[1] = ATESQL_RESOURCE_ACTORS;
  memcpy(raw + 2, selector_hash, TOKEN_SELECTOR_HASH);
  size_t len = 10;
  raw[len++] = 2;
  const char *parts[] = {"s1", "a1"};
  for (size_t i = 0; i < 2; i++) {
    memset(raw + len, 0, 3);
    raw[len + 3] = 2;
    len += 4;
    memcpy(raw + len, parts[i], 2);
    len += 2;
  }
  return len;
}

static void test_token_of_the_earlier_format_is_refused_by_name(void **state) {
  (void)state;
  /* Version 1: the same header and parts, then 16 bytes of SHA-256. */
  unsigned char raw[64];
  size_t len = old_token_body(1, raw);
  unsigned char full[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(full, raw, len);
  memcpy(raw + len, full, 16);
  len += 16;
  char token[128];
  sodium_bin2base64(token, sizeof token, raw, len,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  page_key key;
  char msg[200];
  assert_int_equal(token_decode(token, ATESQL_RESOURCE_ACTORS, selector_hash, 2,
                                &key, msg, sizeof msg),
                   ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(msg, "earlier version of atesql"));
  assert_null(key.storage);

  /* The same with its checksum broken is only corrupt. */
  raw[len - 1] ^= 1;
  sodium_bin2base64(token, sizeof token, raw, len,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  assert_int_equal(token_decode(token, ATESQL_RESOURCE_ACTORS, selector_hash, 2,
                                &key, msg, sizeof msg),
                   ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(msg, "corrupt or was altered"));
}

/* Version 2 (no revision) is refused by name: its later pages could not be
** read at the first page's revision. */
static void test_token_of_version_2_is_refused_by_name(void **state) {
  (void)state;
  unsigned char raw[64];
  size_t len = old_token_body(2, raw);
  static const unsigned char zero_key[crypto_shorthash_KEYBYTES];
  crypto_shorthash(raw + len, raw, len, zero_key);
  len += crypto_shorthash_BYTES;
  char token[128];
  sodium_bin2base64(token, sizeof token, raw, len,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  page_key key;
  char msg[200];
  assert_int_equal(token_decode(token, ATESQL_RESOURCE_ACTORS, selector_hash, 2,
                                &key, msg, sizeof msg),
                   ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(msg, "earlier version of atesql"));
  assert_null(key.storage);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tokens_round_trip_at_every_length),
      cmocka_unit_test(test_token_of_the_earlier_format_is_refused_by_name),
      cmocka_unit_test(test_token_of_version_2_is_refused_by_name),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
