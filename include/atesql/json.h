/*
** Records as protojson documents of ateapi.proto's Worker, Actor and
** Atespace, the documents upstream's Redis store holds: what `atesql ...
** list --json` writes and `atesql ... import` reads. Go's protojson is the
** judge (tests/interop): every document its default Marshal writes, with
** or without EmitUnpopulated and UseProtoNames, reads as the same record,
** and every document written here parses with its default Unmarshal and
** equals the record.
**
** Writing, as protojson's default Marshal: lowerCamelCase names in the
** proto's declaration order; empty strings, zero numbers, unset messages
** and empty lists and maps left out; the set member of a oneof written
** even when empty; int64 (version) as a JSON string; enums by name, or by
** number for a value without one.
**
** Reading, as protojson's default Unmarshal: lowerCamelCase or proto
** (snake_case) names; null means unset; enums by name or by any 32-bit
** number; integers as JSON numbers or strings holding one, read exactly
** ("1e3", "4.0", 1.5e1); at most one member of a oneof. INVALID_ARGUMENT,
** naming the field, for an unknown field, a field given twice, a wrong
** JSON type, an unknown enum name, a number that is not an integer or is
** out of range, invalid UTF-8, and a document that is not one JSON object.
** Refused although protojson reads them: a NUL character (\u0000) in a
** string, which a C string cannot hold; an integer string with text after
** the number ("7 8", which protojson reads as 7).
**
** Errors, both ways: a status, and an atesql_error (err, which may be NULL)
** whose message names the field by its dotted path.
**
** Thread-safe: the calls share no state.
*/
#ifndef ATESQL_JSON_H
#define ATESQL_JSON_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
** Encode a record as one line of compact JSON (no newline). *out receives a
** NUL-terminated string to free with atesql_free. On failure *out is NULL
** (when out is not) and err, which may be NULL, names the field by its
** dotted path and the problem, as the decoders do ("field 'labels.zone':
** the string is not valid UTF-8 (byte 3)"). Errors: NO_MEMORY;
** INVALID_ARGUMENT for a NULL record or out, a string (a label's key
** included) that is not valid UTF-8, or a snapshot info whose `data`
** names no member of the oneof.
*/
ATESQL_API atesql_status atesql_worker_to_json(const atesql_worker *worker,
                                               char **out, atesql_error *err);
ATESQL_API atesql_status atesql_actor_to_json(const atesql_actor *actor,
                                              char **out, atesql_error *err);
ATESQL_API atesql_status atesql_atespace_to_json(
    const atesql_atespace *atespace, char **out, atesql_error *err);

/*
** Decode one JSON document of len bytes. *out receives a record to free
** with the matching atesql_*_free (one allocation); a field the document
** leaves out is "" (strings), 0, or NULL (messages). On failure *out is
** NULL and err names the field and the problem (a NUL character in a map
** key, which jansson refuses while parsing, is named by its position).
** Errors: INVALID_ARGUMENT, NO_MEMORY.
*/
ATESQL_API atesql_status atesql_worker_from_json(const char *text, size_t len,
                                                 atesql_worker **out,
                                                 atesql_error *err);
ATESQL_API atesql_status atesql_actor_from_json(const char *text, size_t len,
                                                atesql_actor **out,
                                                atesql_error *err);
ATESQL_API atesql_status atesql_atespace_from_json(const char *text, size_t len,
                                                   atesql_atespace **out,
                                                   atesql_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_JSON_H */
