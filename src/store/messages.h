/*
** The nested messages a record keeps in a JSON column (schema.h,
** FIELD_MESSAGE), checked before they are written; src/codec writes and
** reads them (codec_message_to_json, codec_message_from_json).
*/
#ifndef ATESQL_STORE_MESSAGES_H
#define ATESQL_STORE_MESSAGES_H

#include "schema.h"
#include "store/store.h"

/* Check the message m at *value (NULL: unset) for writing. Errors:
** INVALID_ARGUMENT naming the field. */
atesql_status message_check(atesql_store *s, field_message m,
                            const void *value);

#endif /* ATESQL_STORE_MESSAGES_H */
