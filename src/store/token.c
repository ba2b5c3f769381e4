/*
** The page token format, version 1, before base64url (no padding):
**   byte 0      format version (1)
**   byte 1      resource
**   bytes 2-9   the first 8 bytes of SHA-256(normalized selector)
**   byte 10     number of key parts
**   per part    4-byte big-endian length, then the bytes
**   last 16     the first 16 bytes of SHA-256(everything before)
** The trailing digest is a checksum, not a MAC: it catches a token that
** was cut or mangled, and the selector hash binds it to the selector it
** was made for. Anyone can make a valid token; it only starts a list at a
** key, which grants nothing a selector does not (README, Selectors).
*/
#include "store/token.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { VERSION = 1, SEL_HASH = TOKEN_SELECTOR_HASH, DIGEST = 16, HEADER = 11 };

void token_selector_hash(const char *selector, unsigned char out[SEL_HASH]) {
  unsigned char full[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(full, (const unsigned char *)selector, strlen(selector));
  memcpy(out, full, SEL_HASH);
}

static void digest(const unsigned char *data, size_t len,
                   unsigned char out[DIGEST]) {
  unsigned char full[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(full, data, len);
  memcpy(out, full, DIGEST);
}

atesql_status token_encode(atesql_resource resource,
                           const unsigned char *selector_hash,
                           const char *const *parts, size_t count, char **out) {
  size_t len = HEADER + DIGEST;
  for (size_t i = 0; i < count; i++)
    len += 4 + strlen(parts[i]);
  unsigned char *raw = malloc(len);
  if (raw == NULL) return ATESQL_NO_MEMORY;
  raw[0] = VERSION;
  raw[1] = (unsigned char)resource;
  memcpy(raw + 2, selector_hash, SEL_HASH);
  raw[10] = (unsigned char)count;
  size_t at = HEADER;
  for (size_t i = 0; i < count; i++) {
    size_t n = strlen(parts[i]);
    raw[at++] = (unsigned char)(n >> 24);
    raw[at++] = (unsigned char)(n >> 16);
    raw[at++] = (unsigned char)(n >> 8);
    raw[at++] = (unsigned char)n;
    memcpy(raw + at, parts[i], n);
    at += n;
  }
  digest(raw, at, raw + at);
  size_t b64len =
      sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  *out = malloc(b64len);
  if (*out)
    sodium_bin2base64(*out, b64len, raw, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  free(raw);
  return *out ? ATESQL_OK : ATESQL_NO_MEMORY;
}

atesql_status token_decode(const char *token, atesql_resource resource,
                           const unsigned char *selector_hash,
                           size_t expect_count, page_key *key, char *msg,
                           size_t msgsz) {
  memset(key, 0, sizeof *key);
  size_t tlen = strlen(token);
  unsigned char *raw = malloc(tlen + 1);
  if (raw == NULL) return ATESQL_NO_MEMORY;
  size_t len = 0;
  if (sodium_base642bin(raw, tlen, token, tlen, NULL, &len, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    free(raw);
    snprintf(msg, msgsz, "page token is not valid base64url");
    return ATESQL_INVALID_ARGUMENT;
  }
  unsigned char check[DIGEST];
  if (len < HEADER + DIGEST ||
      (digest(raw, len - DIGEST, check),
       sodium_memcmp(check, raw + len - DIGEST, DIGEST) != 0) ||
      raw[0] != VERSION) {
    free(raw);
    snprintf(msg, msgsz, "page token is corrupt or was altered");
    return ATESQL_INVALID_ARGUMENT;
  }
  if (raw[1] != (unsigned char)resource ||
      memcmp(raw + 2, selector_hash, SEL_HASH) != 0 ||
      raw[10] != expect_count) {
    free(raw);
    snprintf(msg, msgsz,
             "page token was issued for a different selector or resource");
    return ATESQL_INVALID_ARGUMENT;
  }
  /* Parts are copied NUL-terminated into storage, reusing raw's space. */
  char *storage = malloc(len + expect_count + 1);
  size_t at = HEADER, out = 0;
  for (size_t i = 0; storage && i < expect_count; i++) {
    if (at + 4 > len - DIGEST) break;
    size_t n = (size_t)raw[at] << 24 | (size_t)raw[at + 1] << 16 |
               (size_t)raw[at + 2] << 8 | raw[at + 3];
    at += 4;
    if (n > len - DIGEST - at) break;
    memcpy(storage + out, raw + at, n);
    storage[out + n] = '\0';
    key->parts[i] = storage + out;
    key->lens[i] = n;
    key->count++;
    out += n + 1;
    at += n;
  }
  free(raw);
  if (storage == NULL) return ATESQL_NO_MEMORY;
  if (key->count != expect_count || at != len - DIGEST) {
    free(storage);
    memset(key, 0, sizeof *key);
    snprintf(msg, msgsz, "page token is corrupt or was altered");
    return ATESQL_INVALID_ARGUMENT;
  }
  key->storage = storage;
  return ATESQL_OK;
}
