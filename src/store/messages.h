/*
** The nested messages a record keeps in a JSON column (schema.h,
** FIELD_MESSAGE): checked before they are written, and written and read
** as protojson documents by src/codec.
*/
#ifndef ATESQL_STORE_MESSAGES_H
#define ATESQL_STORE_MESSAGES_H

#include "schema.h"
#include "store/store.h"

/* Check the message m at *value (NULL: unset) for writing. Errors:
** INVALID_ARGUMENT naming the field. */
atesql_status message_check(atesql_store *s, field_message m,
                            const void *value);

/* The column text of the message m at *value (NULL: unset); malloc'd,
** NULL when out of memory. */
char *message_to_json(field_message m, const void *value);

/* Decode a column of message m into *out (NULL when unset), in root's
** arena. Errors as the codec's (err says why). */
atesql_status message_from_json(field_message m, const char *text, size_t len,
                                void *root, const void **out,
                                atesql_error *err);

#endif /* ATESQL_STORE_MESSAGES_H */
