/*
** Records as JSON documents with protojson field names (lowerCamelCase), the
** documents upstream's Redis store holds: what `atesql ... list --json`
** writes and `atesql ... import` reads.
**
** Writing: every field is written, empty strings included; int64 fields
** (version) are JSON strings, as protojson writes them; enums are proto
** names ("STATUS_RUNNING").
** Reading: lowerCamelCase and snake_case names are both accepted; version
** may be a string or a number; a missing field is its zero value; an
** unknown field, a wrong JSON type, an unknown enum name, invalid UTF-8 or
** a document that is not one JSON object is INVALID_ARGUMENT naming the
** field.
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
** NUL-terminated string to free with atesql_free. Errors: NO_MEMORY;
** INVALID_ARGUMENT for an enum value out of range.
*/
ATESQL_API atesql_status atesql_worker_to_json(const atesql_worker *worker,
                                               char **out);
ATESQL_API atesql_status atesql_actor_to_json(const atesql_actor *actor,
                                              char **out);
ATESQL_API atesql_status
atesql_atespace_to_json(const atesql_atespace *atespace, char **out);

/*
** Decode one JSON document of len bytes. *out receives a record to free with
*the matching
** atesql_*_free (one allocation). On failure *out is NULL and err names the
** field and the problem. Errors: INVALID_ARGUMENT, NO_MEMORY.
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
