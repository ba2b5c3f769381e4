/*
** The workload of the crash suites and the model that judges what a
** database holds after a crash.
**
** The workload writes a small key space through the public API:
**   - 32 slot workers (crash/slots/slot-NN): created at version 1, updated
**     with their expected version, sometimes deleted and created again.
**     Every field a write sets is derived from the version it writes
**     (actor_id "a<version>", ...), so a row whose fields disagree with its
**     version is caught.
**   - 4 locks (lock-N) with owner tokens "owner-<n>": acquired when free,
**     released by their holder, and "stolen" (acquire of a held lock, which
**     must be refused).
**   - up to 3 live import batches of 1000 records, each written in one
**     transaction (atesql_tx_begin, 1000 atesql_worker_import or an
**     atespace and 1000 atesql_actor_import, atesql_tx_commit), and
**     dropped again in one transaction.
**
** The model holds what the acknowledged operations wrote. After a crash at
** most one operation was in flight (a writer runs one at a time); wl_verify
** reads everything back and accepts, for each record, the model's state or
** the in-flight operation's result, and for the in-flight operation
** either all of its effects or none. Anything else (a lost acknowledged
** write, a partial import, a row whose fields disagree with its version, a
** stray record, a lock with the wrong holder) is reported.
**
** No cmocka here: the SQLite suite runs the workload in forked children.
*/
#ifndef ATESQL_TEST_CRASH_WORKLOAD_H
#define ATESQL_TEST_CRASH_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atesql/atesql.h"
#include "crash.h"

enum {
  WL_SLOTS = 32,
  WL_LOCKS = 4,
  WL_BATCHES = 3,
  WL_BATCH_RECORDS = 1000,
  WL_MESSAGE_MAX = 1024
};

typedef enum wl_kind {
  WL_NONE = 0,
  WL_CREATE,         /* create slot `target` at version 1 */
  WL_UPDATE,         /* update slot `target` expecting version `arg` */
  WL_DELETE,         /* delete slot `target` */
  WL_ACQUIRE,        /* take free lock `target` for token `arg` */
  WL_STEAL,          /* try held lock `target` for token `arg`: refused */
  WL_RELEASE,        /* release lock `target` held by token `arg` */
  WL_IMPORT_WORKERS, /* batch `arg` into batch slot `target`: 1000 workers */
  WL_IMPORT_ACTORS,  /* batch `arg`: an atespace and 1000 actors */
  WL_DROP_WORKERS,   /* delete worker batch `arg` in one transaction */
  WL_DROP_ACTORS,    /* delete actor batch `arg` and its atespace */
  WL_KIND_COUNT
} wl_kind;

typedef struct wl_op {
  wl_kind kind;
  int target;
  int64_t arg;
} wl_op;

/* What the acknowledged operations wrote. */
typedef struct wl_model {
  int64_t slot[WL_SLOTS];    /* version; 0: absent */
  int64_t lock[WL_LOCKS];    /* holder's token; 0: free */
  int64_t batch[WL_BATCHES]; /* batch id; 0: none */
  bool batch_actors[WL_BATCHES];
  int64_t next_token; /* tokens and batch ids never chosen yet */
  int64_t next_batch;
} wl_model;

/* Counters a suite prints as its figures. */
typedef struct wl_stats {
  int64_t acked[WL_KIND_COUNT];              /* acknowledged operations */
  int64_t flight_applied[WL_KIND_COUNT];     /* in doubt, found applied */
  int64_t flight_not_applied[WL_KIND_COUNT]; /* in doubt, found absent */
  int64_t checks;                            /* wl_verify passes */
  int64_t records_checked;                   /* records compared by them */
} wl_stats;

/* Reads the holder (the lock's value) of lock `key` into buf, "" when
** there is no row. Returns ATESQL_OK, ATESQL_UNAVAILABLE (retry later), or
** another status with the reason in buf. The locks' values are not in the
** API, so each suite reads them with its driver (sqlite3, libpq). */
typedef struct wl_reader {
  atesql_status (*lock_holder)(void *ctx, const char *key, char *buf,
                               size_t bufsz);
  void *ctx;
} wl_reader;

/* The outcome of wl_exec. */
typedef struct wl_exec {
  atesql_status status; /* OK, or the first failure */
  /* A call answered in a way the contract forbids (OK for a write after
  ** an earlier call of its transaction failed, a free lock refused, a new
  ** version that is not expected + 1, ...). */
  bool defect;
  /* A batch failed before its commit: nothing of it may be written. */
  bool before_commit;
  char message[WL_MESSAGE_MAX];
} wl_exec;

/* The outcome of wl_verify. */
typedef struct wl_check {
  bool failed;     /* the database holds what the model does not allow */
  bool applied;    /* the in-flight operation's effects are present */
  int64_t records; /* records compared */
  char message[WL_MESSAGE_MAX];
} wl_check;

/* An empty model: no slots, free locks, no batches. */
void wl_model_init(wl_model *m);

/*
** The next operation for a writer whose acknowledged state is m: mostly
** slot and lock operations; a batch operation with probability
** batch_permille / 1000. Takes a fresh token or batch id from m.
*/
wl_op wl_choose(wl_model *m, crash_rng *rng, int batch_permille);

/* Record op's effect in m (it was acknowledged). */
void wl_apply(wl_model *m, const wl_op *op);

/* Keep m's fresh tokens and batch ids past op's (op was chosen). */
void wl_note(wl_model *m, const wl_op *op);

/*
** Run op through the API on s. With careless set, a batch whose call fails
** before its commit goes on as a careless caller would (three more calls,
** then commit) and each of those must fail; otherwise it is rolled back.
*/
void wl_exec_op(atesql_store *s, const wl_op *op, bool careless, wl_exec *out);

/*
** Compare the database with m, allowing in_flight (NULL or WL_NONE: none)
** to be fully applied or not at all. Returns UNAVAILABLE when a read could
** not reach the database (nothing is judged; retry), OK otherwise with the
** verdict in out. When out->failed is false, m is advanced by in_flight if
** it was applied.
*/
atesql_status wl_verify(atesql_store *s, const wl_reader *rd, wl_model *m,
                        const wl_op *in_flight, wl_check *out);

/* "update" etc.; "none" for WL_NONE. */
const char *wl_kind_name(wl_kind k);

/* "update slot 7 expecting 12": op for messages. */
void wl_describe(const wl_op *op, char *buf, size_t bufsz);

/* Whether op writes in one transaction of many calls. */
bool wl_is_batch(wl_kind k);

/* Count an acknowledged op; count an in-doubt op's resolution. */
void wl_count_acked(wl_stats *st, const wl_op *op);
void wl_count_flight(wl_stats *st, const wl_op *op, bool applied);

/* Print the counters, one line per figure, each prefixed with `suite`. */
void wl_print_stats(const char *suite, const wl_stats *st);

#endif /* ATESQL_TEST_CRASH_WORKLOAD_H */
