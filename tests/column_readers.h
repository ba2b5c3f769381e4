/*
** The two readers of the actors' JSON columns held to one result: the
** token reader a list uses (jsmn) and jansson, which decides every
** document the first declines. Shared by the unit and fuzz suites of the
** codec.
*/
#ifndef ATESQL_TEST_COLUMN_READERS_H
#define ATESQL_TEST_COLUMN_READERS_H

#include <stdbool.h>
#include <stddef.h>

#include "codec/json.h"

/*
** Decode text[0..len) as `column` with both readers. True when they agree
** exactly: the same status, the same message on failure, the same value
** on success (unset or set, every field, list and label in order). Else
** why says what differs. *decoded tells whether the document decoded.
*/
bool column_readers_agree(field_message column, const char *text, size_t len,
                          bool *decoded, char *why, size_t whysz);

#endif /* ATESQL_TEST_COLUMN_READERS_H */
