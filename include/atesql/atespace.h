/*
** Atespaces: the isolation boundaries actors are created into. An
** atespace is its name, which must be non-empty. Create, get, exists,
** delete, list and count; the rules every call shares (errors, reads with
** an empty key, lists) are in store.h.
*/
#ifndef ATESQL_ATESPACE_H
#define ATESQL_ATESPACE_H

#include "store.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Errors: ALREADY_EXISTS, INVALID_ARGUMENT (empty name). */
ATESQL_API atesql_status
atesql_atespace_create(atesql_store *store, const atesql_atespace *atespace);

/*
** *out receives a record to free with atesql_atespace_free. Errors:
** NOT_FOUND.
*/
ATESQL_API atesql_status atesql_atespace_get(atesql_store *store,
                                             const char *name,
                                             atesql_atespace **out);

/*
** *exists receives whether the atespace exists, as upstream's
** AtespaceExists answers (actors and workers have no exists: their get
** answers NOT_FOUND). Errors: INVALID_ARGUMENT (exists is NULL).
*/
ATESQL_API atesql_status atesql_atespace_exists(atesql_store *store,
                                                const char *name, bool *exists);

/*
** Errors: NOT_FOUND, as upstream's DeleteAtespace; FAILED_PRECONDITION
** while the atespace holds actors. Atomic against a concurrent actor
** create: either the create fails with FAILED_PRECONDITION or the delete
** does.
*/
ATESQL_API atesql_status atesql_atespace_delete(atesql_store *store,
                                                const char *name);

/*
** One page of atespaces in name order. The only selectable field is
** "name". *out receives a page to free with atesql_atespace_page_free.
** Errors: INVALID_ARGUMENT (selector, page token).
*/
ATESQL_API atesql_status atesql_atespace_list(atesql_store *store,
                                              const atesql_list_opts *opts,
                                              atesql_atespace_page **out);

/*
** *count receives the number of atespaces the selector of opts matches.
** Errors: INVALID_ARGUMENT (selector).
*/
ATESQL_API atesql_status atesql_atespace_count(atesql_store *store,
                                               const atesql_list_opts *opts,
                                               int64_t *count);

ATESQL_API void atesql_atespace_free(atesql_atespace *atespace);
ATESQL_API void atesql_atespace_page_free(atesql_atespace_page *page);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_ATESPACE_H */
