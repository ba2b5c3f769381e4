/*
** The page token format, version 3, before base64url (no padding):
**   byte 0      format version (3)
**   byte 1      resource
**   bytes 2-9   SipHash-2-4 of the normalized selector, all-zero key
**   byte 10     number of key parts
**   bytes 11-18 the store revision the listing reflects, big-endian
**   per part    4-byte big-endian length, then the bytes
**   last 8      SipHash-2-4 of everything before, under an all-zero key
** The trailing hash is a checksum, not a MAC: it catches a token that was
** cut or mangled, and the selector hash binds it to the selector it was
** made for. Anyone can make a valid token; it only starts a list at a
** key, which grants nothing a selector does not (README, Selectors).
** Version 1 ended in the first 16 bytes of SHA-256(everything before),
** which cost a one-row page a tenth of its time; version 2 had no
** revision, so its later pages could not be read at the first page's.
** Their tokens are refused, naming why.
*/
#include "store/token.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  VERSION = 3,
  SEL_HASH = TOKEN_SELECTOR_HASH,
  CHECKSUM = crypto_shorthash_BYTES,
  REVISION_AT = 11,
  HEADER = 19,
  V1_DIGEST = 16 /* version 1's checksum, SHA-256 */
};

_Static_assert(SEL_HASH == crypto_shorthash_BYTES,
               "the selector hash is one SipHash");
static const unsigned char zero_key[crypto_shorthash_KEYBYTES];

void token_selector_hash(const char *selector, unsigned char out[SEL_HASH]) {
  crypto_shorthash(out, (const unsigned char *)selector, strlen(selector),
                   zero_key);
}

static void checksum(const unsigned char *data, size_t len,
                     unsigned char out[CHECKSUM]) {
  crypto_shorthash(out, data, len, zero_key);
}

/* Whether raw[0..len) is a well-formed token of an earlier version. */
static bool is_old_version(const unsigned char *raw, size_t len) {
  unsigned char check[CHECKSUM];
  if (len > CHECKSUM && raw[0] == 2 &&
      (checksum(raw, len - CHECKSUM, check),
       memcmp(check, raw + len - CHECKSUM, CHECKSUM) == 0))
    return true;
  if (len < 11 + V1_DIGEST || raw[0] != 1) return false;
  /* Its selector hash (SHA-256 then) is not checked: the token is refused
  ** anyway, this only names why. */
  unsigned char full[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(full, raw, len - V1_DIGEST);
  return memcmp(full, raw + len - V1_DIGEST, V1_DIGEST) == 0;
}

/*
** raw[0..len) in base64url without padding, NUL-terminated, into out
** (sodium_base64_ENCODED_LEN bytes). libsodium's encoder runs in constant
** time, as secrets need; a token is none, and a table lookup is ten times
** faster. token_decode reads tokens with libsodium's strict decoder.
*/
static void base64url(const unsigned char *raw, size_t len, char *out) {
  static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                               "vwxyz0123456789-_";
  size_t i = 0;
  for (; i + 3 <= len; i += 3) {
    uint32_t v =
        (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
    *out++ = digits[v >> 18];
    *out++ = digits[v >> 12 & 63];
    *out++ = digits[v >> 6 & 63];
    *out++ = digits[v & 63];
  }
  if (i < len) {
    uint32_t v = (uint32_t)raw[i] << 16;
    if (i + 1 < len) v |= (uint32_t)raw[i + 1] << 8;
    *out++ = digits[v >> 18];
    *out++ = digits[v >> 12 & 63];
    if (i + 1 < len) *out++ = digits[v >> 6 & 63];
  }
  *out = '\0';
}

atesql_status token_encode(atesql_resource resource,
                           const unsigned char *selector_hash,
                           const char *const *parts, size_t count,
                           int64_t revision, char **out) {
  size_t len = HEADER + CHECKSUM;
  for (size_t i = 0; i < count; i++)
    len += 4 + strlen(parts[i]);
  unsigned char *raw = malloc(len);
  if (raw == NULL) return ATESQL_NO_MEMORY;
  raw[0] = VERSION;
  raw[1] = (unsigned char)resource;
  memcpy(raw + 2, selector_hash, SEL_HASH);
  raw[10] = (unsigned char)count;
  for (int i = 0; i < 8; i++)
    raw[REVISION_AT + i] = (unsigned char)((uint64_t)revision >> (56 - 8 * i));
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
  checksum(raw, at, raw + at);
  *out = malloc(
      sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
  if (*out) base64url(raw, len, *out);
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
  unsigned char check[CHECKSUM];
  if (len < HEADER + CHECKSUM ||
      (checksum(raw, len - CHECKSUM, check),
       memcmp(check, raw + len - CHECKSUM, CHECKSUM) != 0) ||
      raw[0] != VERSION) {
    bool old = is_old_version(raw, len);
    free(raw);
    snprintf(msg, msgsz,
             old ? "page token was issued by an earlier version of atesql; "
                   "list again from the first page"
                 : "page token is corrupt or was altered");
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
  uint64_t revision = 0;
  for (int i = 0; i < 8; i++)
    revision = revision << 8 | raw[REVISION_AT + i];
  key->revision = (int64_t)revision;
  /* Parts are copied NUL-terminated into storage, reusing raw's space. */
  char *storage = malloc(len + expect_count + 1);
  size_t at = HEADER, out = 0;
  for (size_t i = 0; storage && i < expect_count; i++) {
    if (at + 4 > len - CHECKSUM) break;
    size_t n = (size_t)raw[at] << 24 | (size_t)raw[at + 1] << 16 |
               (size_t)raw[at + 2] << 8 | raw[at + 3];
    at += 4;
    if (n > len - CHECKSUM - at) break;
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
  if (key->count != expect_count || at != len - CHECKSUM) {
    free(storage);
    memset(key, 0, sizeof *key);
    snprintf(msg, msgsz, "page token is corrupt or was altered");
    return ATESQL_INVALID_ARGUMENT;
  }
  key->storage = storage;
  return ATESQL_OK;
}
