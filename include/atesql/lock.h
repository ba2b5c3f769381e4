/*
** Locks: named leases with an owner's value, expiring on the database
** clock, so that schedulers on different machines agree on when a lease
** ends.
**
** A long workflow keeps its lock by renewing it (atesql_lock_renew) well
** before it expires: every ttl/3 leaves two more tries after a slow one.
** A holder that stalled past its TTL may still run; to keep it from
** writing as if it held the lock, each acquisition gets a fencing token
** (atesql_lock_acquire_token): a number that grows with every acquisition
** of the key, across release and expiry, as Chubby's sequencers and etcd's
** revisions do. A write made in a transaction after atesql_lock_check
** commits only while the token is still the key's newest and live; a
** check that fails (FAILED_PRECONDITION: the lock was lost) writes
** nothing:
**
**   atesql_tx_begin(s);
**   st = atesql_lock_check(s, key, value, token);
**   if (st == ATESQL_OK) st = atesql_actor_update(s, ...);
**   st == ATESQL_OK ? atesql_tx_commit(s) : atesql_tx_rollback(s);
**
** A service outside the database fences the same way by refusing a token
** lower than the highest it has seen for the key.
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
** atesql_lock_acquire that also reports the fencing token: *token (may be
** NULL) receives the acquisition's token when *acquired is true, 0 when
** it is false. A key's first acquisition gets 1 and every later one the
** key's previous token plus one, whoever took it and however the lock
** ended (released, expired, cleared by atesql_store_clear): the tokens of
** a key grow strictly in the order its acquisitions commit. Errors: as
** atesql_lock_acquire.
*/
ATESQL_API atesql_status atesql_lock_acquire_token(
    atesql_store *store, const char *key, const char *value, int64_t ttl_ms,
    bool *acquired, int64_t *token);

/*
** Extend the lock `key` to expire ttl_ms milliseconds (> 0) from now on
** the database clock, if `value` holds it and it has not expired; one
** statement, so it cannot extend a lock another owner took meanwhile.
** *renewed receives whether it did; *token (may be NULL) the lock's token
** then, else 0. Renewal keeps the token: a caller whose token differs
** from the one it acquired with lost the lock in between (to an owner
** with the same value). Renewing a lock that value does not hold (free,
** expired, or another owner's) is OK with *renewed false and writes
** nothing, as atesql_lock_release answers; an expired lock must be
** acquired again, with a new token. Errors: INVALID_ARGUMENT (empty key
** or value, ttl_ms outside 1..ATESQL_LOCK_TTL_MAX_MS, renewed NULL).
*/
ATESQL_API atesql_status atesql_lock_renew(atesql_store *store, const char *key,
                                           const char *value, int64_t ttl_ms,
                                           bool *renewed, int64_t *token);

/*
** OK when `value` holds the lock `key` now (on the database clock) with
** fencing token `token`; FAILED_PRECONDITION, naming why (free, expired,
** another owner, a newer token), when it does not.
**
** Inside a transaction (atesql_tx_begin) the check also holds the lock
** still until the transaction ends: on PostgreSQL it locks the lock's row
** (FOR SHARE), on SQLite the transaction holds the database's write lock,
** so no acquisition of the key commits between the check and the commit.
** The transaction's writes after a successful check therefore commit only
** while the token is current: the conditional write of a fenced holder.
** A failed check leaves the transaction usable; roll it back. Outside a
** transaction the answer is only a report, stale once returned.
** Errors: INVALID_ARGUMENT (empty key or value, token < 1).
*/
ATESQL_API atesql_status atesql_lock_check(atesql_store *store, const char *key,
                                           const char *value, int64_t token);

/* A held lock, as atesql_lock_list_held reports it. */
typedef struct atesql_lock_info {
  const char *key;
  const char *value;     /* the holder's */
  int64_t expires_at_ms; /* milliseconds since the epoch, database clock */
  int64_t token;         /* the fencing token of its acquisition */
} atesql_lock_info;

/* The held locks in key order; one allocation. */
typedef struct atesql_lock_list {
  atesql_lock_info *items;
  size_t count;
  int64_t now_ms; /* the database clock when read; 0 when count is 0 */
} atesql_lock_list;

/*
** Every lock held now (not released, not expired) in key order, into *out,
** to free with atesql_lock_list_free; one read, so one moment's view.
** Errors: INVALID_ARGUMENT (out NULL); NO_MEMORY.
*/
ATESQL_API atesql_status atesql_lock_list_held(atesql_store *store,
                                               atesql_lock_list **out);

/* Free a lock list. NULL is a no-op. */
ATESQL_API void atesql_lock_list_free(atesql_lock_list *list);

/*
** Release the lock `key` if `value` holds it. *released (may be NULL)
** receives whether it did; releasing a lock that value does not hold
** (free, expired, or another owner's) is OK with *released false and
** leaves the lock as it is, as upstream's ReleaseLock returns nil, and as
** atesql_worker_release answers for a worker. The key keeps its token
** count: its next acquisition gets the next token. Errors: INVALID_ARGUMENT
** (empty key or value).
*/
ATESQL_API atesql_status atesql_lock_release(atesql_store *store,
                                             const char *key, const char *value,
                                             bool *released);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_LOCK_H */
