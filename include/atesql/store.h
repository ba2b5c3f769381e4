/*
** The store: a handle on one database (an SQLite file or a PostgreSQL
** server) holding atespaces, actors, workers and locks, with the semantics
** of the upstream store interface. This header opens and closes it and
** holds what every call on it shares: errors, the timeout, transactions,
** and the maintenance calls (analyze, clear). The records have headers of
** their own (atespace.h, actor.h, worker.h), as do claims (claim.h), locks
** (lock.h), the planner's view (explain.h) and the change feed (watch.h).
**
** Errors: every call returns an atesql_status; the detail of a failed call
** is atesql_errmsg(store), including the PostgreSQL SQLSTATE where there is
** one. A call that fails writes nothing, except that after UNAVAILABLE or
** DEADLINE_EXCEEDED a write may have happened (the connection went, or an
** I/O error struck its commit, after the database had it): reread before
** retrying. A call that returns OK wrote. Input is checked before it
** reaches the database: a NULL record or required result pointer, or a
** string that is not valid UTF-8, is INVALID_ARGUMENT naming the field,
** and so is an empty key part given to a write (create, import, update,
** delete, claim, release, a lock's key and value). Where several problems
** apply, CONFLICT (stale version) is reported before INVALID_ARGUMENT
** (immutable field changed).
**
** Reads (get, exists) take any key: one with an empty part names no
** record, since writes refuse empty parts, so it is NOT_FOUND, or false
** for exists, as upstream's store answers.
**
** Lists: the options may be NULL (everything, first page, default size).
** Records come in primary-key order, comparing strings byte by byte (the
** same on both backends). A page token is valid only with the resource and
** the selector (after normalization) that produced it; the page size may
** change between pages. A count takes the same options and counts what
** the selector matches (the page size and token are ignored).
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
**   sqlite:PATH?cache_size_mb=N        the handle's page cache, 1..65536 MB
**                                      (default 8)
**   sqlite:PATH?mmap_size_mb=N         read up to N MB of the file through a
**                                      memory mapping, 0..1048576 (default
**                                      1024; 0: no mapping)
**   postgres://... or postgresql://... a PostgreSQL server, as libpq reads it
**   key=value ... conninfo             likewise
** (options join with '&'; README.md lists the others). The page cache is
** the handle's own memory, and a process may hold many handles, so its
** default is modest; mapped pages are the kernel's page cache, shared by
** every handle and process that reads the file, so the mapping's default
** covers the file of about 1.5M workers (SQLite maps what the file holds,
** up to N, and caps N at its build's limit, 2047 MB in standard builds).
** Against SQLite's own sizes (2 MB, no mapping) they take 3-44% off the
** scheduler's worker lists and the get from 100k workers, and a list of a
** node's workers grows 1.33x instead of 1.68x from 20k to 200k
** (docs/BENCHMARKS.md, "Caches sized for a fleet"). Both apply to
** read-only (mode=ro) and immutable handles too.
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
** connect_timeout). A transaction in which a statement ran out is lost
** (UNAVAILABLE until rollback). The handle stays usable.
** Errors: INVALID_ARGUMENT when timeout_ms is negative or above
** INT32_MAX.
*/
ATESQL_API atesql_status atesql_store_set_timeout(atesql_store *store,
                                                  int64_t timeout_ms);

/*
** Interrupt the call running on this handle, from another thread: it
** returns CANCELLED promptly. A statement running stops; a wait for a
** lock, for this process's writer's turn (SQLite) or for the server's
** answer (PostgreSQL) ends, within about 10 ms. On PostgreSQL the
** connection is abandoned and the next call makes a new one, as after
** DEADLINE_EXCEEDED (the server may still finish the statement). Like
** DEADLINE_EXCEEDED, a write may or may not have happened: reread; a
** transaction the call was in is lost. Connecting is not interrupted (the
** conninfo's connect_timeout bounds it).
**
** The one call on a handle that another thread may make while the handle
** is in use; the handle must stay open until it returns. atesql cannot
** tell calls apart: an interrupt that arrives after the running call
** returned and the next one began cancels the next one, so a caller that
** interrupts on a signal such as a context's end must make sure the call
** it means is still running (bindings/go holds a lock for that). An
** interrupt while no call runs is forgotten when the next call begins.
** NULL is a no-op.
*/
ATESQL_API void atesql_store_interrupt(atesql_store *store);

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

/*
** Refresh the database's planner statistics (ANALYZE), e.g. after a bulk
** import, so that the planner's index choices match the data.
*/
ATESQL_API atesql_status atesql_store_analyze(atesql_store *store);

/*
** Delete every atespace, actor and worker and release every lock
** (upstream's DebugClear). The schema stays, and so does each lock key's
** fencing token count (lock.h), so tokens keep growing across a clear.
*/
ATESQL_API atesql_status atesql_store_clear(atesql_store *store);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_STORE_H */
