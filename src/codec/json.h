/*
** The protojson codec's internal entry points for the store: the actors
** table keeps latest_snapshot_info and worker_selector as JSON columns
** holding exactly the protojson sub-documents (SnapshotInfo and Selector),
** so the store writes and reads them with the same tables that encode and
** decode whole records (codec/json.c).
*/
#ifndef ATESQL_CODEC_JSON_H
#define ATESQL_CODEC_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "atesql/json.h"
#include "schema.h"

/*
** The JSON value of Actor.latest_snapshot_info as the actors table keeps
** it: the protojson SnapshotInfo document of info, compact, as protojson's
** default Marshal writes it ({"type":"SNAPSHOT_TYPE_LOCAL","local":{}}),
** or null when info is NULL (the field is unset). Returns a NUL-terminated
** string to free(), or NULL when out of memory or a string is not valid
** UTF-8.
*/
char *codec_snapshot_info_to_json(const atesql_snapshot_info *info);

/*
** The same for Actor.worker_selector: {"matchLabels":{"k":"v"}}, keys in
** byte order (of two labels with the same key the later one wins), or null
** when selector is NULL.
*/
char *codec_worker_selector_to_json(const atesql_worker_selector *selector);

/*
** Decode a column written by codec_snapshot_info_to_json: *out receives
** NULL for null, else a SnapshotInfo allocated in the arena of arena_root
** (util/arena.h), its string fields never NULL. Errors: INVALID_ARGUMENT
** naming the field (as the whole-record decoders do), NO_MEMORY; the arena
** may then hold partial allocations (freed with it).
*/
atesql_status codec_snapshot_info_from_json(const char *text, size_t len,
                                            void *arena_root,
                                            const atesql_snapshot_info **out,
                                            atesql_error *err);

/*
** Decode a column written by codec_worker_selector_to_json: NULL for null,
** else a Selector whose labels are sorted by key. A key given twice is
** INVALID_ARGUMENT (as protojson rejects it), as is every error of
** codec_snapshot_info_from_json.
*/
atesql_status
codec_worker_selector_from_json(const char *text, size_t len, void *arena_root,
                                const atesql_worker_selector **out,
                                atesql_error *err);

/*
** The two above for any nested message a record keeps in a JSON column
** (schema.h, field_message): the store calls these, by the column's
** message.
*/
char *codec_message_to_json(field_message m, const void *value);
atesql_status codec_message_from_json(field_message m, const char *text,
                                      size_t len, void *arena_root,
                                      const void **out, atesql_error *err);

/*
** What the two column decoders above run: decode `column` into the
** matching field of *holder (its latest_snapshot_info or worker_selector).
** The documents the encoders write are read by token (jsmn), without a
** jansson tree; any other document is left to jansson, with the same
** result or error. jansson_only skips the token reader: the tests hold the
** two readers to one result with it.
*/
atesql_status codec_column_from_json(field_message column, const char *text,
                                     size_t len, void *arena_root,
                                     bool jansson_only, atesql_actor *holder,
                                     atesql_error *err);

/*
** Compact text of a jansson document in a malloc'd NUL-terminated buffer
** (ours, not jansson's allocator's, so callers free() it); NULL when out of
** memory. Consumes doc (NULL gives NULL).
*/
char *codec_dump_compact(json_t *doc);

/*
** An upper bound on the arena bytes that decoding json_len bytes of JSON
** can allocate (nested documents and whole records alike), so that a caller
** sizing an arena's first chunk with it gets a record in one allocation.
** SIZE_MAX when the bound does not fit a size_t.
*/
size_t codec_nested_reserve(size_t json_len);

#endif /* ATESQL_CODEC_JSON_H */
