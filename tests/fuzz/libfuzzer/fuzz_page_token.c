/*
** libFuzzer harness of the page-token codec (src/store/token.h). Input:
**   byte 0   mode (b % 3) and resource (1 + b / 3 % 3: workers 3 key parts,
**            actors 2, atespaces 1)
**   byte 1   which normalized selector the token is checked against
**   rest     the payload
** Modes:
**   0 text     the payload is the token text, as a client sends it back.
**              (Format 3: a header of 19 bytes, the revision at 11-18.)
**   1 resealed the payload is a raw token before base64url; the harness
**              writes the selector's hash at bytes 2-9 and appends the
**              trailing checksum, as anyone can (SipHash-2-4 under an
**              all-zero key), so the key-part parser behind the checksum
**              check is reached.
**   2 round    the payload, split at NUL bytes, gives the key parts:
**              encode, then decode must give them back, and the token
**              checked against another resource or selector, cut short,
**              or with any one character changed must be refused.
** Any decode: OK with exactly the expected parts, each NUL-terminated at
** its length, and then (when no part holds a NUL byte) the token is
** canonical: encoding the parts gives the same text; or INVALID_ARGUMENT
** with a clean one-line message and key left empty.
*/
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/token.h"

enum { SEL_HASH = 8, CHECKSUM = crypto_shorthash_BYTES, HEADER = 19 };

static const char *const selectors[] = {
    "",
    "worker_pool=cpu,actor_id=",
    "status=STATUS_RUNNING",
    "name in (a,b)",
    "node_name in (n1,n2\\,x),version=7",
};
enum { SELECTORS = sizeof selectors / sizeof *selectors };

static size_t key_count(atesql_resource r) {
  return r == ATESQL_RESOURCE_WORKERS ? 3 : r == ATESQL_RESOURCE_ACTORS ? 2 : 1;
}

/* token_encode and token_decode by selector text. */
static atesql_status encode(atesql_resource resource, const char *selector,
                            const char *const *parts, size_t count,
                            int64_t revision, char **out) {
  unsigned char hash[TOKEN_SELECTOR_HASH];
  token_selector_hash(selector, hash);
  return token_encode(resource, hash, parts, count, revision, out);
}

/* Decode token; check the outcome's contract. Returns the status. */
static atesql_status decode(const char *token, atesql_resource resource,
                            const char *selector, page_key *key) {
  char msg[200];
  msg[0] = '\0';
  size_t want = key_count(resource);
  unsigned char hash[TOKEN_SELECTOR_HASH];
  token_selector_hash(selector, hash);
  atesql_status st =
      token_decode(token, resource, hash, want, key, msg, sizeof msg);
  if (st == ATESQL_OK) {
    HARNESS_REQUIRE(key->count == want && key->storage != NULL);
    for (size_t i = 0; i < want; i++)
      HARNESS_REQUIRE(key->parts[i] != NULL &&
                      key->parts[i][key->lens[i]] == 0);
    return st;
  }
  if (st != ATESQL_INVALID_ARGUMENT)
    harness_fail("token_decode returned %s", atesql_status_str(st));
  if (!harness_is_one_line(msg, sizeof msg))
    harness_fail("token_decode: message is not one clean line: '%s'", msg);
  HARNESS_REQUIRE(key->count == 0 && key->storage == NULL);
  return st;
}

/* A decoded token without NUL bytes in its parts is canonical. */
static void check_canonical(const char *token, atesql_resource resource,
                            const char *selector, const page_key *key) {
  for (size_t i = 0; i < key->count; i++)
    if (strlen(key->parts[i]) != key->lens[i]) return;
  char *again = NULL;
  HARNESS_REQUIRE(encode(resource, selector, key->parts, key->count,
                         key->revision, &again) == ATESQL_OK);
  if (strcmp(again, token) != 0)
    harness_fail("decoded token '%s' re-encodes as '%s'", token, again);
  free(again);
}

static void mode_text(const uint8_t *p, size_t n, atesql_resource resource,
                      const char *selector) {
  char *token = malloc(n + 1);
  memcpy(token, p, n);
  token[n] = '\0';
  page_key key;
  if (decode(token, resource, selector, &key) == ATESQL_OK) {
    check_canonical(token, resource, selector, &key);
    free(key.storage);
  }
  free(token);
}

static void mode_resealed(const uint8_t *p, size_t n, atesql_resource resource,
                          const char *selector) {
  unsigned char *raw = malloc(n + CHECKSUM);
  memcpy(raw, p, n);
  if (n >= HEADER) token_selector_hash(selector, raw + 2);
  static const unsigned char zero_key[crypto_shorthash_KEYBYTES];
  crypto_shorthash(raw + n, raw, n, zero_key);
  size_t b64len = sodium_base64_ENCODED_LEN(
      n + CHECKSUM, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *token = malloc(b64len);
  sodium_bin2base64(token, b64len, raw, n + CHECKSUM,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  page_key key;
  if (decode(token, resource, selector, &key) == ATESQL_OK) {
    check_canonical(token, resource, selector, &key);
    free(key.storage);
  }
  free(token);
  free(raw);
}

/* Decoding `token` in this way must be refused. */
static void require_refused(const char *token, atesql_resource resource,
                            const char *selector, const char *how) {
  page_key key;
  if (decode(token, resource, selector, &key) == ATESQL_OK)
    harness_fail("token '%s' was accepted %s", token, how);
}

static void mode_round(const uint8_t *p, size_t n, atesql_resource resource,
                       const char *selector, size_t sel_index) {
  /* The parts: NUL-separated pieces of a NUL-terminated copy. */
  char *copy = malloc(n + 1);
  memcpy(copy, p, n);
  copy[n] = '\0';
  const char *parts[TOKEN_MAX_KEYS] = {"", "", ""};
  size_t want = key_count(resource), at = 0;
  for (size_t i = 0; i < want && at <= n; i++) {
    parts[i] = copy + at;
    at += strlen(copy + at) + 1;
  }
  char *token = NULL;
  /* A revision from the payload, up to the full 64 bits. */
  uint64_t bits = 0;
  for (size_t i = 0; i < n && i < 8; i++)
    bits = bits << 8 | p[i];
  int64_t revision = (int64_t)bits;
  HARNESS_REQUIRE(encode(resource, selector, parts, want, revision, &token) ==
                  ATESQL_OK);
  page_key key;
  if (decode(token, resource, selector, &key) != ATESQL_OK)
    harness_fail("fresh token '%s' is refused", token);
  if (key.revision != revision)
    harness_fail("token '%s': revision %lld, want %lld", token,
                 (long long)key.revision, (long long)revision);
  for (size_t i = 0; i < want; i++)
    if (key.lens[i] != strlen(parts[i]) || strcmp(key.parts[i], parts[i]) != 0)
      harness_fail("token '%s': part %zu is '%s', want '%s'", token, i,
                   key.parts[i], parts[i]);
  free(key.storage);

  atesql_resource other = resource % 3 + 1;
  require_refused(token, other, selector, "for another resource");
  require_refused(token, resource, selectors[(sel_index + 1) % SELECTORS],
                  "for another selector");
  size_t tlen = strlen(token);
  char *changed = strdup(token);
  changed[tlen - 1] = '\0';
  require_refused(changed, resource, selector, "cut short");
  changed[tlen - 1] = token[tlen - 1];
  static const char b64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t pos = (n ? p[0] : 0) * 31u % tlen;
  const char *idx = strchr(b64, changed[pos]);
  HARNESS_REQUIRE(idx != NULL && *idx != '\0');
  changed[pos] = b64[((size_t)(idx - b64) + 1 + (n > 1 ? p[1] : 0) % 63) % 64];
  require_refused(changed, resource, selector, "with one character changed");
  free(changed);
  free(token);
  free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  unsigned mode = data[0] % 3;
  atesql_resource resource = (atesql_resource)(1 + data[0] / 3 % 3);
  size_t sel_index = data[1] % SELECTORS;
  const char *selector = selectors[sel_index];
  const uint8_t *p = data + 2;
  size_t n = size - 2;
  switch (mode) {
  case 0: mode_text(p, n, resource, selector); break;
  case 1: mode_resealed(p, n, resource, selector); break;
  default: mode_round(p, n, resource, selector, sel_index); break;
  }
  return 0;
}
