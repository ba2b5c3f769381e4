/*
** The store: a handle on one database (an SQLite file or a PostgreSQL
** server) holding atespaces, actors, workers and locks, with the semantics
** of the upstream store interface.
**
** Errors: every call returns an atesql_status; the detail of a failed call
** is atesql_errmsg(store), including the PostgreSQL SQLSTATE where there is
** one. A call that fails writes nothing, except that after UNAVAILABLE or
** DEADLINE_EXCEEDED a write may have happened (the connection went, or an
** I/O error struck its commit, after the database had it): reread before
** retrying. A call that returns OK wrote. Input is checked before it reaches
** the database, on every call: a NULL handle argument, an empty key part,
** or a string that is not valid UTF-8 is INVALID_ARGUMENT naming the field.
** Where several problems apply, CONFLICT (stale version) is reported before
** INVALID_ARGUMENT (immutable field changed).
**
** Threads: one handle per thread, like sqlite3* or PGconn. A handle must not
** be used by two threads at once; separate handles in separate threads are
** safe. The only state handles share is, on SQLite, the queue of this
** process's writers of one file (threads take their turns to write in
** arrival order, instead of sleeping in SQLite's busy handler), kept
** under its own mutex.
*/
#ifndef ATESQL_STORE_H
#define ATESQL_STORE_H

#include "selector.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct atesql_store atesql_store;

/*
** Open a store by URL:
**   sqlite:PATH                        a file, created if missing
**   sqlite::memory:                    a private in-memory database
**   sqlite:PATH?busy_timeout_ms=N      wait up to N ms for a locked file
**                                      (default 5000)
**   postgres://... or postgresql://... a PostgreSQL server, as libpq reads it
**   key=value ... conninfo             likewise
** The schema must be at the library's version: an unmigrated, older or
** newer schema fails with FAILED_PRECONDITION naming `atesql migrate up`.
** On success *out receives a handle to close with atesql_store_close; on
** failure *out is NULL and err says why (a password in the URL is never
** repeated). Errors: INVALID_ARGUMENT (bad URL), UNAVAILABLE (cannot
** connect), FAILED_PRECONDITION (schema), NO_MEMORY, INTERNAL.
*/
ATESQL_API atesql_status atesql_store_open(const char *url, atesql_store **out,
                                           atesql_error *err);

/* Close a handle and free everything it holds. NULL is a no-op. */
ATESQL_API void atesql_store_close(atesql_store *store);

/*
** The message of the last call on this handle: what went wrong, or "" when
** it succeeded. Valid until the next call on the handle.
*/
ATESQL_API const char *atesql_errmsg(const atesql_store *store);

/*
** Bound every wait of this handle's calls for its database: no statement
** waits more than timeout_ms for its answer (PostgreSQL: the network and
** the server; SQLite: a lock, or its own run). 0 (the default) means no
** bound. A statement that runs out returns DEADLINE_EXCEEDED; like an
** UNAVAILABLE write, it may or may not have happened (reread). On
** PostgreSQL the connection of such a call is abandoned and the next call
** makes a new one: a stopped or unreachable server cannot hold a caller
** longer than timeout_ms (connecting again is bounded by the conninfo's
** connect_timeout). A transaction in which a statement ran
** out is lost (UNAVAILABLE until rollback). The handle stays usable.
** Errors: INVALID_ARGUMENT when timeout_ms is negative or above
** INT32_MAX.
*/
ATESQL_API atesql_status atesql_store_set_timeout(atesql_store *store,
                                                  int64_t timeout_ms);

/* The SQL dialect of the handle's database. */
ATESQL_API atesql_dialect atesql_store_dialect(const atesql_store *store);

/*
** Transactions: every call between atesql_tx_begin and atesql_tx_commit
** takes effect together or, after atesql_tx_rollback (or a failed commit),
** not at all. Without them each call is atomic on its own.
**
** A transaction fails as a whole, on every backend: once a statement in it
** failed (ALREADY_EXISTS, a constraint, a full disk ...), every later call
** in it and the commit return FAILED_PRECONDITION; once its connection was
** lost or the database rolled it back, UNAVAILABLE. The message names the
** first failure. Nothing of such a transaction is written; roll it back
** and retry it. Checks of the arguments that fail before any statement
** runs (INVALID_ARGUMENT for an empty key, say) leave it usable.
**
** Errors: begin inside a transaction, or commit/rollback outside one, is
** FAILED_PRECONDITION; commit can fail with CONFLICT, UNAVAILABLE or
** FAILED_PRECONDITION, and then nothing of the transaction was written and
** it is over (rollback is not needed). Rollback of a transaction the
** database already ended is OK.
*/
ATESQL_API atesql_status atesql_tx_begin(atesql_store *store);
ATESQL_API atesql_status atesql_tx_commit(atesql_store *store);
ATESQL_API atesql_status atesql_tx_rollback(atesql_store *store);

/* Atespaces. Names must be non-empty. */

/* Errors: ALREADY_EXISTS, INVALID_ARGUMENT (empty name). */
ATESQL_API atesql_status
atesql_atespace_create(atesql_store *store, const atesql_atespace *atespace);

/*
** Reads (get, exists) take any key: one with an empty part names no record
** (writes refuse empty parts), so it is NOT_FOUND, or false for exists, as
** upstream's store answers. Text that is not UTF-8 is INVALID_ARGUMENT.
**
** *out receives a record to free with atesql_atespace_free. Errors:
** NOT_FOUND.
*/
ATESQL_API atesql_status atesql_atespace_get(atesql_store *store,
                                             const char *name,
                                             atesql_atespace **out);

/* *exists receives whether the atespace exists. */
ATESQL_API atesql_status atesql_atespace_exists(atesql_store *store,
                                                const char *name, bool *exists);

/*
** Errors: NOT_FOUND; FAILED_PRECONDITION while the atespace holds actors.
** Atomic against a concurrent actor create: either the create fails with
** FAILED_PRECONDITION or the delete does.
*/
ATESQL_API atesql_status atesql_atespace_delete(atesql_store *store,
                                                const char *name);

/*
** Lists: opts may be NULL (everything, first page, default size). Records
** come in primary-key order, comparing strings byte by byte (the same on
** both backends). A page token is valid only with the resource and the
** selector (after normalization) that produced it; the page size may
** change between pages.
**
** One page of atespaces in name order. The only selectable field is
** "name". *out receives a page to free with atesql_atespace_page_free.
** Errors: INVALID_ARGUMENT (selector, page token).
*/
ATESQL_API atesql_status atesql_atespace_list(atesql_store *store,
                                              const atesql_list_opts *opts,
                                              atesql_atespace_page **out);

ATESQL_API void atesql_atespace_free(atesql_atespace *atespace);
ATESQL_API void atesql_atespace_page_free(atesql_atespace_page *page);

/* Actors. */

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
** Errors: NOT_FOUND; FAILED_PRECONDITION unless the actor is
** STATUS_SUSPENDED.
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

/* *count receives the number of actors the selector of opts matches. */
ATESQL_API atesql_status atesql_actor_count(atesql_store *store,
                                            const atesql_list_opts *opts,
                                            int64_t *count);

ATESQL_API void atesql_actor_free(atesql_actor *actor);
ATESQL_API void atesql_actor_page_free(atesql_actor_page *page);

/* Workers. */

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

/* Delete a worker. Idempotent: deleting a missing worker is OK. */
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

/* *count receives the number of workers the selector of opts matches. */
ATESQL_API atesql_status atesql_worker_count(atesql_store *store,
                                             const atesql_list_opts *opts,
                                             int64_t *count);

ATESQL_API void atesql_worker_free(atesql_worker *worker);
ATESQL_API void atesql_worker_page_free(atesql_worker_page *page);

/*
** Assignment: give an actor a free worker in one atomic, index-bound step.
*/

/* A worker pool, as the scheduler names an eligible one. */
typedef struct atesql_pool_ref {
  const char *worker_namespace;
  const char *worker_pool;
} atesql_pool_ref;

/* What to do with the preferred nodes. */
typedef enum atesql_node_policy {
  ATESQL_NODES_PREFER = 0, /* take a worker on them if one is free, else
                              any eligible worker */
  ATESQL_NODES_REQUIRE     /* only a worker on them */
} atesql_node_policy;

typedef struct atesql_claim_request {
  /* The eligible pools (at least one, at most ATESQL_CLAIM_POOLS_MAX). */
  const atesql_pool_ref *pools;
  size_t pool_count;
  /* Optional: further restricts the eligible workers, e.g.
  ** "node_name notin (drained-1)". Text, or a built selector (then
  ** selector_text is ignored); NULL for none. */
  const char *selector_text;
  const atesql_selector *selector;
  /* The nodes that hold the actor's local snapshot
  ** (latest_snapshot_info.local.node_vms_with_local_snapshots), at most
  ** ATESQL_SELECTOR_LIST_MAX; none means no preference. */
  const char *const *preferred_nodes;
  size_t preferred_node_count;
  atesql_node_policy policy;
  /* The assignment written on the worker. actor_atespace and actor_id are
  ** required; actor_namespace and actor_template may be empty. */
  const char *actor_atespace;
  const char *actor_id;
  const char *actor_namespace;
  const char *actor_template;
} atesql_claim_request;

#define ATESQL_CLAIM_POOLS_MAX 64

/*
** Claim a worker for an actor, atomically:
**  - if a worker in an eligible pool already holds this actor (same
**    actor_atespace and actor_id), return it unchanged: a retried resume
**    never takes a second worker;
**  - free every worker holding this actor in a pool no longer eligible;
**  - else assign a free eligible worker (actor_id empty), on a preferred
**    node first, setting the four assignment fields and bumping its
**    version, and return it.
** Concurrent claimers never wait on each other's candidate rows: on
** PostgreSQL a candidate is taken FOR UPDATE SKIP LOCKED, and claims of
** the same actor are serialized by a transaction-scoped advisory lock; on
** SQLite a claim is one write transaction. Each step is index-bound: a
** claim reads O(log n) rows. Inside the caller's transaction it joins it.
** *out receives the worker, to free with atesql_worker_free.
** Errors: RESOURCE_EXHAUSTED when no free worker fits (nothing is written,
** not even the freeing of a worker in a pool no longer eligible);
** INVALID_ARGUMENT (no pools, empty key parts, a bad selector, limits).
*/
ATESQL_API atesql_status atesql_worker_claim(atesql_store *store,
                                             const atesql_claim_request *req,
                                             atesql_worker **out);

/*
** Free a worker if the actor (actor_atespace, actor_id) still holds it:
** clears the four assignment fields and bumps the version. *released says
** whether it did; releasing a worker that is free or held by another
** actor is OK with *released false (idempotent). Errors: NOT_FOUND (no
** such worker), INVALID_ARGUMENT.
*/
ATESQL_API atesql_status atesql_worker_release(
    atesql_store *store, const char *worker_namespace, const char *worker_pool,
    const char *worker_pod, const char *actor_atespace, const char *actor_id,
    bool *released);

/*
** The scheduler's resume step in one transaction: claim a worker for the
** actor (req->actor_atespace, req->actor_id) and move the actor to
** STATUS_RESUMING with ateom_pod_namespace, ateom_pod_name, ateom_pod_ip
** and ateom_pod_uid of the worker and worker_pool_name of its pool, if the
** actor's version is expected_version. Either both happen or neither. An
** empty req->actor_namespace / actor_template defaults to the actor's
** template namespace / name. *worker and *actor (either may be NULL)
** receive the records as written, to free with atesql_worker_free and
** atesql_actor_free.
** Errors: NOT_FOUND (no such actor), CONFLICT (stale expected_version:
** nothing is claimed), RESOURCE_EXHAUSTED, and those of
** atesql_worker_claim.
*/
ATESQL_API atesql_status atesql_actor_resume(atesql_store *store,
                                             const atesql_claim_request *req,
                                             int64_t expected_version,
                                             atesql_worker **worker,
                                             atesql_actor **actor);

/* Locks: named leases with an owner token, expiring on the database clock. */

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
** Release the lock `key` if `value` holds it. Errors: NOT_FOUND when the
** lock is not held by value (free, expired, or another owner's);
** INVALID_ARGUMENT (empty key or value).
*/
ATESQL_API atesql_status atesql_lock_release(atesql_store *store,
                                             const char *key,
                                             const char *value);

/*
** How the database runs one page of a list, judged by what it reads: the
** statement, its parameters, the database's own plan, the rows the
** statement reads against the rows it returns, and which selector terms
** the index search bounds and which it only checks row by row. One
** allocation.
**
** The statement is run to count (atesql_explain costs about one list
** call, on PostgreSQL eight). On PostgreSQL both plans a prepared
** statement can get are run under EXPLAIN ANALYZE: the custom plan for
** these values, and the plan it runs from its sixth execution on (the
** generic plan, when the server's plan cache switches to it); the figures
** and verdict are the worse of the two. This SQLite has no scan counters,
** so rows_read is counted with the data: the rows inside the bounds of
** the index search (with the plan's partial-index condition), up to the
** row where the page's LIMIT stops the search, or all of them when the
** plan sorts.
*/
typedef struct atesql_plan {
  const char *sql;            /* the statement the list runs */
  const atesql_param *params; /* its parameters; the last is the row limit */
  size_t param_count;
  /* The plan as the database gives it: SQLite's EXPLAIN QUERY PLAN rows,
  ** one per line; PostgreSQL's EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
  ** document of the custom plan. */
  const char *plan;
  /* True when the table is read only through an index search (no table
  ** scan, no full index walk). */
  bool uses_index;
  const char *index;     /* the index searched, "" when none */
  const char *verdict;   /* one line for people */
  int64_t rows_read;     /* rows the search visits (index entries) */
  int64_t rows_returned; /* rows the statement returns: the page + 1 */
  /* True when the index search bounds every selector term (uses_index and
  ** nothing left to check row by row): the list then reads what it
  ** returns, O(log n + k). */
  bool index_bound;
  bool sorted; /* rows are sorted after reading (not read in key order) */
  const char *bounded;  /* the terms' fields the search bounds, "a, b" */
  const char *filtered; /* the terms' fields only checked row by row */
  /* PostgreSQL: the EXPLAIN document of the plan a prepared statement
  ** runs from its sixth execution on; "" on SQLite. */
  const char *generic_plan;
} atesql_plan;

/*
** Ask the database how it runs the list `opts` describes for `resource`
** (the page token, if any, included), and count what it reads. *out
** receives a plan to free with atesql_plan_free. Errors: INVALID_ARGUMENT
** (selector, token), driver errors.
*/
ATESQL_API atesql_status atesql_explain(atesql_store *store,
                                        atesql_resource resource,
                                        const atesql_list_opts *opts,
                                        atesql_plan **out);
ATESQL_API void atesql_plan_free(atesql_plan *plan);

/*
** How a claim searches for its candidate, judged as atesql_explain judges
** a list: the statement of the first search (pools[0], on the preferred
** nodes when there are any), its plan, and the rows it reads. A claim runs
** at most 2 x pool_count such searches, each bound by an index on all its
** terms (LIMIT 1), plus the index search for the actor's holders. Nothing
** is written. *out receives a plan to free with atesql_plan_free.
*/
ATESQL_API atesql_status atesql_claim_explain(atesql_store *store,
                                              const atesql_claim_request *req,
                                              atesql_plan **out);

/*
** The workers' change feed. Every create, update and delete of a worker
** (claims and releases included) is an event numbered by the store
** revision, written in the transaction that makes the change: revision
** order is commit order, revisions are dense, and nothing uncommitted or
** rolled back is ever an event. A list page reports the revision it
** reflects (atesql_worker_page.revision); a watch opened at that revision
** delivers every later change exactly once, in order. Events are kept
** until compacted (atesql_compact).
**
** The price of that order on PostgreSQL: a transaction that writes a
** worker takes the next revision at that write and holds it to its end,
** so transactions writing workers commit one at a time (docs/
** BENCHMARKS.md, Watch, measures it). Keep atesql_tx_begin transactions
** that write workers short. On SQLite writers are one at a time anyway.
*/

/* What happened to a worker. */
typedef enum atesql_event_type {
  ATESQL_EVENT_CREATED = 1, /* created; through a selector: entered the set */
  ATESQL_EVENT_UPDATED,     /* changed, and in the set before and after */
  ATESQL_EVENT_DELETED      /* deleted; through a selector: left the set */
} atesql_event_type;

typedef struct atesql_worker_event {
  int64_t revision;
  /* As the watch's selector sees it: a worker updated into the selected
  ** set is CREATED, one updated out of it DELETED (as Kubernetes' filtered
  ** watches report them), so a cache kept from a filtered watch holds
  ** exactly the workers a list with that selector returns. Without a
  ** selector, the same as change. */
  atesql_event_type type;
  /* What the store did: CREATED, UPDATED or DELETED. */
  atesql_event_type change;
  /* The worker as written; for a delete, as it was last stored (its key
  ** and last version included). */
  atesql_worker worker;
  /* The worker before the change; NULL for a create. */
  const atesql_worker *previous;
  /* When the change was written, milliseconds since the epoch, database
  ** clock. */
  int64_t committed_at_ms;
} atesql_worker_event;

/* The first event of a watch opened with this since_revision is the next
** change to be written: it starts at the store's current revision. */
#define ATESQL_WATCH_NOW INT64_C(-1)
/* How often a watch on SQLite looks for changes written by other
** processes, unless atesql_watch_opts says otherwise; writers in the
** watch's own process wake it at once. */
#define ATESQL_WATCH_POLL_MS 50

typedef struct atesql_watch_opts {
  /* Selector text or a built selector (as atesql_list_opts), filtering
  ** exactly as a list with it does; none watches every worker. */
  const char *selector_text;
  const struct atesql_selector *selector;
  /* Deliver the events after this revision: a list page's revision, the
  ** last revision a previous watch delivered (atesql_watch_revision), 0
  ** for every event still kept, or ATESQL_WATCH_NOW. */
  int64_t since_revision;
  /* SQLite: milliseconds between looks for other processes' changes; 0
  ** means ATESQL_WATCH_POLL_MS. PostgreSQL is woken by NOTIFY instead. */
  int poll_interval_ms;
} atesql_watch_opts;

typedef struct atesql_watch atesql_watch;

/*
** Open a watch on the workers of the store at url (as atesql_store_open
** takes it), on a connection of its own. opts may be NULL (every worker,
** from now). On failure *out is NULL and err says why.
** Errors: those of atesql_store_open; INVALID_ARGUMENT (selector,
** since_revision below -1 or beyond the current revision, sqlite::memory:,
** which no other connection can see); COMPACTED (events after
** since_revision were compacted: list again).
*/
ATESQL_API atesql_status atesql_watch_open(const char *url,
                                           const atesql_watch_opts *opts,
                                           atesql_watch **out,
                                           atesql_error *err);

/*
** The next event, waiting at most timeout_ms for one (0: do not wait;
** negative: no bound). *out receives an event to free with
** atesql_worker_event_free.
** Errors: DEADLINE_EXCEEDED (no event within timeout_ms; call again);
** COMPACTED (events the watch had not delivered were compacted away: list
** again and open a new watch); UNAVAILABLE (the connection was lost and a
** new one could not be made: call again to retry, or close and open a new
** watch from atesql_watch_revision). A connection lost and made again is
** not an error: the watch goes on from its last revision, losing nothing.
** A signal does not end the wait (it is resumed); a caller that must stop
** on a signal waits on atesql_watch_fd with its own descriptors instead.
*/
ATESQL_API atesql_status atesql_watch_next(atesql_watch *watch, int timeout_ms,
                                           atesql_worker_event **out);

/*
** A file descriptor for the caller's poll/epoll loop: readable when
** atesql_watch_next may have an event without waiting. It may wake the
** loop with nothing to deliver (then atesql_watch_next(w, 0, ...) returns
** DEADLINE_EXCEEDED). The descriptor belongs to the watch; do not read or
** close it. On SQLite it also wakes every poll interval.
*/
ATESQL_API int atesql_watch_fd(const atesql_watch *watch);

/* The revision of the last event the watch delivered or passed over (an
** event its selector filtered out), or the revision it started at. */
ATESQL_API int64_t atesql_watch_revision(const atesql_watch *watch);

/* The message of the watch's last failed call, or "". */
ATESQL_API const char *atesql_watch_errmsg(const atesql_watch *watch);

/* Close a watch and its connection. NULL is a no-op. */
ATESQL_API void atesql_watch_close(atesql_watch *watch);

ATESQL_API void atesql_worker_event_free(atesql_worker_event *event);

/*
** The store's current revision (the last committed worker change) into
** *revision, and the revision up to which events were compacted into
** *compacted; either may be NULL.
*/
ATESQL_API atesql_status atesql_store_revision(atesql_store *store,
                                               int64_t *revision,
                                               int64_t *compacted);

/*
** atesql_worker_get, and the store revision the record reflects into
** *revision.
*/
ATESQL_API atesql_status atesql_worker_get_at_revision(
    atesql_store *store, const char *worker_namespace, const char *worker_pool,
    const char *worker_pod, atesql_worker **out, int64_t *revision);

/*
** What atesql_compact removes: the events up to a revision, chosen by
** whichever fields are set (the highest revision they allow wins; at
** least one must be set). Events newer than keep_revisions or
** keep_ms are kept whatever `revision` says.
*/
typedef struct atesql_compact_opts {
  int64_t revision;       /* remove events up to this revision; 0: unset */
  int64_t keep_revisions; /* keep the last N revisions; 0: unset */
  int64_t keep_ms;        /* keep the events of the last keep_ms
                             milliseconds (database clock); 0: unset */
} atesql_compact_opts;

/*
** Remove old events. Watches and later list pages that still need a
** removed event get COMPACTED. *compacted (may be NULL) receives the
** revision events are now compacted up to.
** Errors: INVALID_ARGUMENT (no field set, a negative one, a revision
** beyond the current one).
*/
ATESQL_API atesql_status atesql_compact(atesql_store *store,
                                        const atesql_compact_opts *opts,
                                        int64_t *compacted);

/*
** Refresh the database's planner statistics (ANALYZE), e.g. after a bulk
** import, so that the planner's index choices match the data.
*/
ATESQL_API atesql_status atesql_store_analyze(atesql_store *store);

/*
** Delete every atespace, actor, worker and lock (upstream's DebugClear).
** The schema stays.
*/
ATESQL_API atesql_status atesql_store_clear(atesql_store *store);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_STORE_H */
