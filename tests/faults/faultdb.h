/*
** The engine of the fault-injection suites (tests/faults/): a template
** database migrated and seeded once, a fresh copy of it for every trial,
** and the walk that runs an operation (faultops.h, by name) with a fault
** at its Nth faultable call for every N and holds each run to a model:
** the database shows the operation's effect exactly when the operation
** acknowledged it. The suites supply the injector (an I/O VFS shim,
** allocator wrappers); the engine does the rest and prints the figures
** for docs/RELIABILITY.md. SQLite only: the faults are injected below
** SQLite or around its allocator, hooks libpq does not have.
**
** The model, for every run, once the fault is cleared: the verdict is a
** clean error or OK with the reference run's outputs; the database, read
** by another connection, after a follow-up write on the same handle
** (which must be OK and durable), and after the handle is closed, holds
** exactly the reference's "after" content when the verdict is OK and its
** "before" content otherwise; integrity_check and foreign_key_check pass;
** a new handle sees the same through the API; inside a transaction, every
** call after a failed one fails; no allocation is left outstanding.
*/
#ifndef ATESQL_TEST_FAULTDB_H
#define ATESQL_TEST_FAULTDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atesql/atesql.h"

enum { FAULTDB_PATH_MAX = 1024, FAULTDB_MAX_CALLS = 16 };

/* The lock key of the follow-up write; dumps leave it out. */
#define FAULTDB_FOLLOWUP_LOCK "followup"

/*
** What one run of an operation did: the status of every API call it made,
** in order, and its outputs. `status` is the operation's verdict: the
** status of its last call (the commit of a transaction, the first failure
** of a sequence that stops there).
*/
typedef struct faultdb_outcome {
  atesql_status status;
  atesql_status calls[FAULTDB_MAX_CALLS];
  size_t ncalls;
  /* The calls after a failed one belong to one explicit transaction, which
  ** must refuse them (store.h: it fails as a whole). */
  bool in_tx;
  /* The outputs as text (new version, acquired, the records read), held
  ** to the reference run's when the verdict is OK. */
  char result[4096];
  /* A broken call contract the operation saw itself (an output set after
  ** a failure), or NULL. */
  const char *problem;
  char msg[ATESQL_ERROR_MESSAGE_MAX]; /* the first failure's message */
} faultdb_outcome;

/*
** An operation on the seeded template. run() performs it on a store the
** engine opened, or with s NULL when own_handle is set (it opens its own:
** open, migrate, selector); url is the trial database's. verify() checks
** through the API, on a new handle, that the effect is present (applied)
** or absent, and returns NULL or what is wrong.
*/
typedef struct faultdb_op {
  const char *name;
  bool fresh_file; /* starts from no file (migrate) instead of the template */
  bool own_handle; /* run() gets no store */
  /* Runs several statements in one transaction (a transaction, an import,
  ** a migration script): what a small page cache makes spill. */
  bool multi_statement;
  void (*run)(atesql_store *s, const char *url, faultdb_outcome *o);
  const char *(*verify)(atesql_store *s, bool applied);
} faultdb_op;

/* A way of failing: which error (the injector's), once or from N on. */
typedef struct faultdb_flavor {
  const char *name;
  int kind;
  bool persistent;
  int cache_pages; /* I/O: page cache of every connection; 0 default;
                      walked only over multi-statement operations */
  bool long_only;  /* walked in long mode only */
  /* Close the operation's handle while the fault persists, as a process
  ** whose disk stays broken until it exits: the close cannot checkpoint
  ** or reset the WAL, and the next connection recovers what it holds. */
  bool close_faulted;
} faultdb_flavor;

/* How a suite injects faults. */
typedef struct faultdb_injector {
  const char *what; /* "I/O", "allocation": for the figures */
  const faultdb_flavor *flavors;
  size_t flavor_count;
  /* Arm a fault at faultable call n (LONG_MAX: count calls, fail none). */
  void (*arm)(long n, const faultdb_flavor *f);
  /* Disarm; the calls counted and how many were failed. */
  void (*disarm)(long *calls, long *hits);
  /* Before a flavor's walk (and with NULL after it); may be NULL. */
  void (*configure)(const faultdb_flavor *f);
  /* Whether a failed call's status is one this fault may cause. after:
  ** the call follows a failed one in its transaction. */
  bool (*clean)(const faultdb_op *op, atesql_status st, bool after,
                const char *msg);
  /* Whether the fault just disarmed leaves the outcome of a failed write
  ** unknown: a failed sync, after which SQLite cannot tell whether what it
  ** wrote before is durable (a commit whose WAL sync failed may be found
  ** and replayed by the next connection's recovery). Then the database
  ** may hold the operation's "after" content despite the error, and the
  ** run is counted apart. May be NULL (never). */
  bool (*outcome_unknown)(void);
  /* Allocations outstanding, to find leaks per trial; may be NULL. */
  long (*live)(void);
  size_t bounded_points; /* fault points per walk in bounded mode */
} faultdb_injector;

/*
** Name the trial database and its template after `suite` under
** ATESQL_TEST_DIR and make the template (with faults off).
*/
void faultdb_setup(const char *suite);

/* Remove the trial database and the template. */
void faultdb_cleanup(void);

/*
** Walk every flavor of inj over each named operation (NULL-terminated):
** a reference run without faults, then a run per fault point, from N = 1
** until a run hits no fault (in bounded mode, a sample of the points, see
** faultdb_points). The runs happen in a child process, so that a crash is
** counted as an anomaly at its fault point and the walk goes on after it.
** Prints one line per flavor with its anomalies by kind, and the first
** few anomalies in full; fails the test when there was one.
** Environment: ATESQL_FAULTS_LONG=1 walks every N; ATESQL_FAULTS_ONLY=
** op,op... walks only those operations; ATESQL_FAULTS_N=n tries only
** fault point n (to reproduce one run); ATESQL_FAULTS_TRACE=1 prints
** every run.
*/
void faultdb_walk(const faultdb_injector *inj, const char *const *ops);

/* Print the figures of every walk so far as a Markdown table. */
void faultdb_print_figures(const faultdb_injector *inj, double seconds);

/* True when ATESQL_FAULTS_LONG is set to a value other than "" or "0". */
bool faultdb_long_mode(void);

/*
** The fault points to try when an operation makes `total` faultable calls:
** every N in 1..total+1 when total+1 <= limit; else `limit` points: the
** first and last quarter densely, evenly spaced ones in between, and
** total+1 (where no fault is hit). points has room for limit entries.
** Returns how many.
*/
size_t faultdb_points(long total, size_t limit, long *points);

#endif /* ATESQL_TEST_FAULTDB_H */
