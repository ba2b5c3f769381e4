/*
** Locks: named leases with an owner token, expiring on the database clock,
** so that schedulers on different machines agree on when a lease ends.
*/
#ifndef ATESQL_LOCK_H
#define ATESQL_LOCK_H

#include "store.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest lock TTL: 30 days, far below where the database clock plus
** the TTL could overflow. */
#define ATESQL_LOCK_TTL_MAX_MS ((int64_t)30 * 24 * 60 * 60 * 1000)

/*
** Take the lock `key` for `value` (the owner's token) for ttl_ms
** milliseconds (> 0). *acquired receives true if the lock was free or
** expired and is now held by value; false if it is held, even by the same
** value (locks are not re-entrant). Errors: INVALID_ARGUMENT (empty key or
** value, ttl_ms outside 1..ATESQL_LOCK_TTL_MAX_MS).
*/
ATESQL_API atesql_status atesql_lock_acquire(atesql_store *store,
                                             const char *key, const char *value,
                                             int64_t ttl_ms, bool *acquired);

/*
** Release the lock `key` if `value` holds it. *released (may be NULL)
** receives whether it did; releasing a lock that value does not hold
** (free, expired, or another owner's) is OK with *released false and
** leaves the lock as it is, as upstream's ReleaseLock returns nil, and as
** atesql_worker_release answers for a worker. Errors: INVALID_ARGUMENT
** (empty key or value).
*/
ATESQL_API atesql_status atesql_lock_release(atesql_store *store,
                                             const char *key, const char *value,
                                             bool *released);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_LOCK_H */
