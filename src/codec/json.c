/*
** Records as protojson documents: the entry points of the codec, for
** callers (atesql/json.h) and for the store's JSON columns (codec/json.h).
** Each picks its message's table (codec/messages.c) and runs the encoder
** (codec/encode.c), the decoder (codec/decode.c) or, for a column, the
** token reader first (codec/tokens.c). A decoded record is one arena
** allocation sized by codec_nested_reserve.
*/
#include "codec/json.h"

#include <stdint.h>

#include "codec/json_internal.h"
#include "util/arena.h"
#include "util/error.h"

atesql_status atesql_worker_to_json(const atesql_worker *worker, char **out,
                                    atesql_error *err) {
  return codec_encode_record(codec_record_message(ATESQL_RESOURCE_WORKERS),
                             worker, out, err);
}

atesql_status atesql_actor_to_json(const atesql_actor *actor, char **out,
                                   atesql_error *err) {
  return codec_encode_record(codec_record_message(ATESQL_RESOURCE_ACTORS),
                             actor, out, err);
}

atesql_status atesql_atespace_to_json(const atesql_atespace *atespace,
                                      char **out, atesql_error *err) {
  return codec_encode_record(codec_record_message(ATESQL_RESOURCE_ATESPACES),
                             atespace, out, err);
}

/* The messages of the JSON columns are Actor's fields: an actor holds the
** one being encoded or decoded. */
char *codec_message_to_json(field_message m, const void *value) {
  const json_field *f = codec_message_field(m);
  atesql_actor holder = {0};
  *(const void **)member((char *)&holder, f->offset) = value;
  return codec_encode_optional_column(f, (char *)&holder);
}

char *codec_snapshot_info_to_json(const atesql_snapshot_info *info) {
  return codec_message_to_json(MESSAGE_SNAPSHOT_INFO, info);
}

char *codec_worker_selector_to_json(const atesql_worker_selector *selector) {
  return codec_message_to_json(MESSAGE_WORKER_SELECTOR, selector);
}

/*
** Why 4 * len + 64 bytes suffice. Only strings, string lists, label maps
** and set optional messages allocate; every one is a distinct part of the
** text, and escapes only shrink a string. An empty string allocates
** nothing (it points at a static ""), an empty list or map nothing. A
** string of d >= 1 bytes takes align8(d + 1) <= d + 8 bytes for at least
** d + 2 bytes of text (its quotes). A list element adds an 8-byte pointer
** for at least 3 bytes of text ("a" and a comma, or the brackets for the
** last): at worst d = 1, 16 bytes for 4 bytes of text. A label adds a
** 16-byte atesql_label for at least 6 bytes ("":"" and a comma or brace):
** at worst key and value of one byte each, 32 bytes for 8 bytes of text.
** An optional message takes its struct (at most 40 bytes) for at least
** its name and "{}" ("workerSelector":{} is 19 bytes, for a 16-byte
** struct; "latestSnapshotInfo":{} 23 for 40). A named field costs at least
** its name's text on top. So no part of the text allocates more than 4
** times its length.
*/
size_t codec_nested_reserve(size_t json_len) {
  if (json_len > (SIZE_MAX - 64) / 4) return SIZE_MAX;
  return 4 * json_len + 64;
}

_Static_assert(sizeof(atesql_snapshot_info) <= 40 &&
                   sizeof(atesql_worker_selector) <= 16,
               "codec_nested_reserve's bound counts on these sizes");

/* Decode a whole record of root_size bytes into a new arena; NULL on error
** with *status set. */
static void *decode_record(const char *text, size_t len, const json_message *m,
                           size_t root_size, atesql_status *status,
                           atesql_error *err) {
  size_t reserve = codec_nested_reserve(len);
  void *root = reserve == SIZE_MAX ? NULL : arena_new(root_size, reserve);
  if (root == NULL) {
    *status =
        error_set(err, ATESQL_NO_MEMORY, 0, "out of memory decoding JSON");
    return NULL;
  }
  *status = codec_decode_document(text, len, NULL, m, true, root, root, err);
  if (*status == ATESQL_OK) return root;
  arena_free(root);
  return NULL;
}

atesql_status atesql_worker_from_json(const char *text, size_t len,
                                      atesql_worker **out, atesql_error *err) {
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "out is NULL");
  atesql_status st;
  *out = decode_record(text, len, codec_record_message(ATESQL_RESOURCE_WORKERS),
                       sizeof **out, &st, err);
  return st;
}

atesql_status atesql_actor_from_json(const char *text, size_t len,
                                     atesql_actor **out, atesql_error *err) {
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "out is NULL");
  atesql_status st;
  *out = decode_record(text, len, codec_record_message(ATESQL_RESOURCE_ACTORS),
                       sizeof **out, &st, err);
  return st;
}

atesql_status atesql_atespace_from_json(const char *text, size_t len,
                                        atesql_atespace **out,
                                        atesql_error *err) {
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "out is NULL");
  atesql_status st;
  *out =
      decode_record(text, len, codec_record_message(ATESQL_RESOURCE_ATESPACES),
                    sizeof **out, &st, err);
  return st;
}

atesql_status codec_column_from_json(field_message column, const char *text,
                                     size_t len, void *arena_root,
                                     bool jansson_only, atesql_actor *holder,
                                     atesql_error *err) {
  const json_field *f = codec_message_field(column);
  if (text == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "no JSON text");
  if (!jansson_only) {
    arena_mark mark = arena_save(arena_root);
    token_result r =
        codec_decode_column_tokens(text, len, f, arena_root, (char *)holder);
    if (r == TOKENS_DECODED) return ATESQL_OK;
    if (r == TOKENS_NO_MEMORY)
      return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory decoding '%s'",
                       f->json_name);
    arena_rewind(arena_root, mark);
    *(void **)member((char *)holder, f->offset) = NULL;
  }
  return codec_decode_document(text, len, f, NULL, false, arena_root,
                               (char *)holder, err);
}

atesql_status codec_message_from_json(field_message m, const char *text,
                                      size_t len, void *arena_root,
                                      const void **out, atesql_error *err) {
  atesql_actor holder = {0};
  atesql_status st =
      codec_column_from_json(m, text, len, arena_root, false, &holder, err);
  *out =
      *(const void **)member((char *)&holder, codec_message_field(m)->offset);
  return st;
}

atesql_status codec_snapshot_info_from_json(const char *text, size_t len,
                                            void *arena_root,
                                            const atesql_snapshot_info **out,
                                            atesql_error *err) {
  return codec_message_from_json(MESSAGE_SNAPSHOT_INFO, text, len, arena_root,
                                 (const void **)out, err);
}

atesql_status
codec_worker_selector_from_json(const char *text, size_t len, void *arena_root,
                                const atesql_worker_selector **out,
                                atesql_error *err) {
  return codec_message_from_json(MESSAGE_WORKER_SELECTOR, text, len, arena_root,
                                 (const void **)out, err);
}
