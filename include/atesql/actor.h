/*
** Actors: key (atespace, actor_id), versioned records living in an
** atespace. Get, create, import, update with an expected version, delete,
** list and count; the rules every call shares (errors, reads with an empty
** key, lists) are in store.h. The resume step, which claims a worker and
** moves the actor onto it, is in claim.h.
*/
#ifndef ATESQL_ACTOR_H
#define ATESQL_ACTOR_H

#include "store.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* *out receives a record to free with atesql_actor_free. Errors: NOT_FOUND. */
ATESQL_API atesql_status atesql_actor_get(atesql_store *store,
                                          const char *atespace,
                                          const char *actor_id,
                                          atesql_actor **out);

/*
** Create an actor with version 1 (actor->version is ignored).
** Errors: ALREADY_EXISTS; FAILED_PRECONDITION when the atespace does not
** exist; INVALID_ARGUMENT (empty key part, text that is not UTF-8, an
** indexed field longer than ATESQL_INDEXED_TEXT_MAX, a oneof case out of
** range, a repeated worker_selector key).
*/
ATESQL_API atesql_status atesql_actor_create(atesql_store *store,
                                             const atesql_actor *actor);

/*
** Create an actor at its own version (actor->version; 0 means 1), as a
** restore from a dump does. Errors as atesql_actor_create;
** INVALID_ARGUMENT for a negative version.
*/
ATESQL_API atesql_status atesql_actor_import(atesql_store *store,
                                             const atesql_actor *actor);

/*
** Replace an actor's mutable fields if its stored version equals
** expected_version; the stored version becomes expected_version + 1 and is
** written to *new_version (may be NULL). actor->version is ignored.
** Errors: NOT_FOUND (no such actor); CONFLICT (version mismatch: reload and
** retry); INVALID_ARGUMENT (an immutable field differs from the stored one,
** or bad input); FAILED_PRECONDITION (the actor is at version INT64_MAX,
** which has no successor). Nothing is written on error.
*/
ATESQL_API atesql_status atesql_actor_update(atesql_store *store,
                                             const atesql_actor *actor,
                                             int64_t expected_version,
                                             int64_t *new_version);

/*
** Errors: NOT_FOUND, as upstream's DeleteActor (a worker's delete is
** idempotent instead, as upstream's DeleteWorker); FAILED_PRECONDITION
** unless the actor is STATUS_SUSPENDED.
*/
ATESQL_API atesql_status atesql_actor_delete(atesql_store *store,
                                             const char *atespace,
                                             const char *actor_id);

/*
** One page of actors in (atespace, actor_id) order. *out receives a page to
** free with atesql_actor_page_free. Errors: INVALID_ARGUMENT (selector,
** page token).
*/
ATESQL_API atesql_status atesql_actor_list(atesql_store *store,
                                           const atesql_list_opts *opts,
                                           atesql_actor_page **out);

/*
** *count receives the number of actors the selector of opts matches.
** Errors: INVALID_ARGUMENT (selector).
*/
ATESQL_API atesql_status atesql_actor_count(atesql_store *store,
                                            const atesql_list_opts *opts,
                                            int64_t *count);

ATESQL_API void atesql_actor_free(atesql_actor *actor);
ATESQL_API void atesql_actor_page_free(atesql_actor_page *page);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_ACTOR_H */
