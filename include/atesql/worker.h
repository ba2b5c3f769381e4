/*
** Workers: key (worker_namespace, worker_pool, worker_pod), versioned
** records of the pods that run actors. Get, create, import, update with an
** expected version, delete, list and count; the rules every call shares
** (errors, reads with an empty key, lists) are in store.h. Assigning a
** worker to an actor is in claim.h; its change feed in watch.h.
*/
#ifndef ATESQL_WORKER_H
#define ATESQL_WORKER_H

#include "store.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* *out receives a record to free with atesql_worker_free. Errors: NOT_FOUND. */
ATESQL_API atesql_status atesql_worker_get(atesql_store *store,
                                           const char *worker_namespace,
                                           const char *worker_pool,
                                           const char *worker_pod,
                                           atesql_worker **out);

/*
** Create a worker with version 1 (worker->version is ignored).
** Errors: ALREADY_EXISTS; INVALID_ARGUMENT (empty key part).
*/
ATESQL_API atesql_status atesql_worker_create(atesql_store *store,
                                              const atesql_worker *worker);

/*
** Create a worker at its own version (worker->version; 0 means 1), as a
** restore from a dump does: clients holding a version before the dump can
** go on updating with it. Errors as atesql_worker_create; INVALID_ARGUMENT
** for a negative version.
*/
ATESQL_API atesql_status atesql_worker_import(atesql_store *store,
                                              const atesql_worker *worker);

/*
** Replace a worker's mutable fields if its stored version equals
** expected_version, as atesql_actor_update does. ip is immutable.
** Errors: NOT_FOUND, CONFLICT, INVALID_ARGUMENT.
*/
ATESQL_API atesql_status atesql_worker_update(atesql_store *store,
                                              const atesql_worker *worker,
                                              int64_t expected_version,
                                              int64_t *new_version);

/*
** Delete a worker. Idempotent: deleting a missing worker is OK, as
** upstream's DeleteWorker (atespace and actor deletes answer NOT_FOUND, as
** upstream's do).
*/
ATESQL_API atesql_status atesql_worker_delete(atesql_store *store,
                                              const char *worker_namespace,
                                              const char *worker_pool,
                                              const char *worker_pod);

/*
** One page of workers in (worker_namespace, worker_pool, worker_pod) order.
** *out receives a page to free with atesql_worker_page_free.
** Errors: INVALID_ARGUMENT (selector, page token).
*/
ATESQL_API atesql_status atesql_worker_list(atesql_store *store,
                                            const atesql_list_opts *opts,
                                            atesql_worker_page **out);

/*
** *count receives the number of workers the selector of opts matches.
** Errors: INVALID_ARGUMENT (selector).
*/
ATESQL_API atesql_status atesql_worker_count(atesql_store *store,
                                             const atesql_list_opts *opts,
                                             int64_t *count);

ATESQL_API void atesql_worker_free(atesql_worker *worker);
ATESQL_API void atesql_worker_page_free(atesql_worker_page *page);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_WORKER_H */
