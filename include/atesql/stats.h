/*
** A handle's numbers, for a service to export (Prometheus, OpenTelemetry):
** statistics the handle keeps as it works, read with atesql_store_stats,
** and a trace hook called at the end of every call.
**
** Keeping them costs counter increments and two reads of the monotonic
** clock per call; the hook costs nothing while it is not set.
** docs/BENCHMARKS.md ("Statistics and the trace hook") gives the figures.
** A handle is used by one thread at a time, and so are its statistics:
** read them from the thread that uses the handle, or between its calls.
*/
#ifndef ATESQL_STATS_H
#define ATESQL_STATS_H

#include "store.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The calls of a handle that are counted and traced, one per public
** function that takes an atesql_store (atesql_lock_acquire and
** atesql_lock_acquire_token as one). */
#define ATESQL_CALLS(X)                                                        \
  X(STORE_SET_TIMEOUT, store_set_timeout)                                      \
  X(STORE_CLEAR, store_clear)                                                  \
  X(STORE_ANALYZE, store_analyze)                                              \
  X(STORE_REVISION, store_revision)                                            \
  X(COMPACT, compact)                                                          \
  X(TX_BEGIN, tx_begin)                                                        \
  X(TX_COMMIT, tx_commit)                                                      \
  X(TX_ROLLBACK, tx_rollback)                                                  \
  X(ATESPACE_CREATE, atespace_create)                                          \
  X(ATESPACE_GET, atespace_get)                                                \
  X(ATESPACE_EXISTS, atespace_exists)                                          \
  X(ATESPACE_DELETE, atespace_delete)                                          \
  X(ATESPACE_LIST, atespace_list)                                              \
  X(ATESPACE_COUNT, atespace_count)                                            \
  X(ACTOR_GET, actor_get)                                                      \
  X(ACTOR_CREATE, actor_create)                                                \
  X(ACTOR_IMPORT, actor_import)                                                \
  X(ACTOR_UPDATE, actor_update)                                                \
  X(ACTOR_DELETE, actor_delete)                                                \
  X(ACTOR_LIST, actor_list)                                                    \
  X(ACTOR_COUNT, actor_count)                                                  \
  X(ACTOR_RESUME, actor_resume)                                                \
  X(WORKER_GET, worker_get)                                                    \
  X(WORKER_GET_AT_REVISION, worker_get_at_revision)                            \
  X(WORKER_CREATE, worker_create)                                              \
  X(WORKER_IMPORT, worker_import)                                              \
  X(WORKER_UPDATE, worker_update)                                              \
  X(WORKER_DELETE, worker_delete)                                              \
  X(WORKER_LIST, worker_list)                                                  \
  X(WORKER_COUNT, worker_count)                                                \
  X(WORKER_CLAIM, worker_claim)                                                \
  X(WORKER_RELEASE, worker_release)                                            \
  X(LOCK_ACQUIRE, lock_acquire)                                                \
  X(LOCK_RENEW, lock_renew)                                                    \
  X(LOCK_RELEASE, lock_release)                                                \
  X(LOCK_CHECK, lock_check)                                                    \
  X(LOCK_LIST_HELD, lock_list_held)                                            \
  X(EXPLAIN, explain)                                                          \
  X(CLAIM_EXPLAIN, claim_explain)

typedef enum atesql_call {
#define ATESQL_CALL_ENUM(upper, lower) ATESQL_CALL_##upper,
  ATESQL_CALLS(ATESQL_CALL_ENUM)
#undef ATESQL_CALL_ENUM
      ATESQL_CALL_COUNT
} atesql_call;

/* "worker_get" for ATESQL_CALL_WORKER_GET; "unknown" out of range. */
ATESQL_API const char *atesql_call_name(atesql_call call);

/* The latency buckets: bucket 0 counts calls under 1 µs, bucket i (1 ..
** ATESQL_LATENCY_BUCKETS - 2) calls from 2^(i-1) µs to under 2^i µs, and
** the last bucket every longer call (from about 34 s). */
#define ATESQL_LATENCY_BUCKETS 27

typedef struct atesql_call_stats {
  uint64_t calls;
  /* Calls by the status they returned: [ATESQL_OK] the successes, every
  ** other index a kind of failure. */
  uint64_t by_status[ATESQL_STATUS_COUNT];
  uint64_t latency[ATESQL_LATENCY_BUCKETS];
  uint64_t total_us; /* the calls' time, summed */
} atesql_call_stats;

typedef struct atesql_stats {
  atesql_call_stats calls[ATESQL_CALL_COUNT]; /* indexed by atesql_call */
  uint64_t rows_read;  /* rows the database answered the handle's
                          statements with */
  uint64_t statements; /* statements run */
  /* Statements run that were prepared already on this handle (the
  ** statement cache's hits), and those that had to be prepared first. */
  uint64_t statement_cache_hits;
  uint64_t statement_cache_misses;
  /* Statements run again after a transient failure: SQLite's wait for
  ** the writer's turn taken again, a claim retried after losing a race. */
  uint64_t retries;
  /* Connections made again after one was lost, timed out or left a
  ** server that turned read-only (PostgreSQL; SQLite: 0). */
  uint64_t reconnects;
} atesql_stats;

/* Copy the handle's statistics into *out (since the handle was opened or
** the last atesql_store_stats_reset). */
ATESQL_API atesql_status atesql_store_stats(const atesql_store *store,
                                            atesql_stats *out);

/* Start the handle's statistics again from zero. */
ATESQL_API void atesql_store_stats_reset(atesql_store *store);

/* One finished call, as the trace hook sees it. */
typedef struct atesql_trace_event {
  atesql_call call;
  const char *call_name; /* atesql_call_name(call) */
  const char *statement; /* the name of the last named statement the call
                            ran ("worker_update"); the operation's name
                            when it ran only generated SQL (a list, a
                            get); "" when it ran none */
  int64_t duration_ns;
  atesql_status status;
  const char *message; /* atesql_errmsg when status is not OK, else "" */
} atesql_trace_event;

typedef void (*atesql_trace_fn)(void *arg, const atesql_trace_event *event);

/* Call fn(arg, event) at the end of each of the handle's calls, on the
** thread that made it; NULL turns it off. The event and its strings live
** until fn returns. fn must not call the handle. */
ATESQL_API void atesql_store_set_trace(atesql_store *store, atesql_trace_fn fn,
                                       void *arg);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_STATS_H */
