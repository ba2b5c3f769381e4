/*
** The store's internals, shared by the files of src/store/: the handle
** (store.c), its statements (named ones from sql/<dialect>/,
** statements.c; cached dynamic ones for lists), the query helpers every
** operation uses (query.c), the checks of a caller's input (checks.c),
** the failure state that fills atesql_errmsg (failure.c) and
** transactions (transaction.c).
*/
#ifndef ATESQL_STORE_INTERNAL_H
#define ATESQL_STORE_INTERNAL_H

#include <stdbool.h>

#include "atesql/atesql.h"
#include "driver.h"
#include "store/dialect.h"
#include "store/selector_cache.h"

/* Statements loaded by name from the files of sql/<dialect>/. */
#define STORE_STATEMENTS(X)                                                    \
  X(tx_begin)                                                                  \
  X(tx_commit)                                                                 \
  X(tx_rollback)                                                               \
  X(schema_has_migrations)                                                     \
  X(schema_version)                                                            \
  X(clear_all)                                                                 \
  X(analyze)                                                                   \
  X(atespace_create)                                                           \
  X(atespace_delete)                                                           \
  X(actor_create)                                                              \
  X(actor_update)                                                              \
  X(actor_probe)                                                               \
  X(actor_delete)                                                              \
  X(worker_create)                                                             \
  X(worker_update)                                                             \
  X(worker_probe)                                                              \
  X(worker_delete)                                                             \
  X(lock_acquire)                                                              \
  X(lock_release)                                                              \
  X(lock_renew)                                                                \
  X(lock_check)                                                                \
  X(lock_list)                                                                 \
  X(claim_lock_actor)                                                          \
  X(claim_holders)                                                             \
  X(claim_assign)                                                              \
  X(worker_release)                                                            \
  X(store_revision)                                                            \
  X(number_events)                                                             \
  X(revision_before_ms)                                                        \
  X(compact_events)                                                            \
  X(compact_mark)                                                              \
  X(watch_listen)                                                              \
  X(migrate_lock)                                                              \
  X(migrations_table)                                                          \
  X(migrations_applied)                                                        \
  X(migration_record)

typedef enum stmt_id {
#define STMT_ENUM(name) STMT_##name,
  STORE_STATEMENTS(STMT_ENUM)
#undef STMT_ENUM
      STMT_COUNT
} stmt_id;

/* The names of the statements, indexed by stmt_id. */
extern const char *const stmt_names[STMT_COUNT];

/*
** Find every named statement of `dialect` in the embedded sql/ files.
** sql[i] receives a pointer into *storage (one allocation the caller
** frees), or NULL for a statement the dialect declares absent
** (dialect_lacks_statement). Errors: INTERNAL naming a missing statement,
** or one present that its dialect declares absent.
*/
atesql_status statements_load(const store_dialect *dialect,
                              const char *sql[STMT_COUNT], char **storage,
                              atesql_error *err);

/* The driver for a URL, or NULL when no driver accepts it. */
const driver *driver_for_url(const char *url);

/*
** Open a handle without checking the schema: the migration runner's entry;
** atesql_store_open adds the check. Errors as atesql_store_open.
*/
atesql_status store_connect(const char *url, atesql_store **out,
                            atesql_error *err);

enum { DYNAMIC_CACHE_SIZE = 32 };

/* The statements that call the server's claim functions. */
typedef enum claim_call_id {
  CLAIM_CALL_CLAIM,
  CLAIM_CALL_RESUME,
  CLAIM_CALL_COUNT
} claim_call_id;

typedef struct cached_stmt {
  char *sql;
  uint64_t hash;
  driver_stmt *stmt;
  uint64_t last_used;
} cached_stmt;

struct atesql_store {
  const driver *drv;
  const store_dialect *dialect; /* of drv: what its SQL differs in */
  driver_conn *conn;
  const char *named_sql[STMT_COUNT];
  char *named_storage;
  driver_stmt *named[STMT_COUNT];
  /* Get-by-key statements, generated from the resource specs and
  ** prepared on first use, indexed by atesql_resource, then [1] for the
  ** one with the record's revision columns (resources.c). */
  char *get_sql[ATESQL_RESOURCE_ATESPACES + 1][2];
  driver_stmt *get_stmt[ATESQL_RESOURCE_ATESPACES + 1][2];
  /* The calls of the claim functions (store/claim_function.c), built and
  ** prepared on first use. */
  char *call_sql[CLAIM_CALL_COUNT];
  driver_stmt *call_stmt[CLAIM_CALL_COUNT];
  cached_stmt cache[DYNAMIC_CACHE_SIZE];
  uint64_t clock;  /* ticks for the cache's least-recently-used eviction */
  unsigned claims; /* claims made: the eligible pool a claim tries first */
  selector_cache selectors; /* compiled list and count selectors */
  bool in_tx;               /* inside atesql_tx_begin .. commit/rollback */
  /* OK while the open transaction can go on; else the status every call
  ** reports until rollback, and why (store.c, tx_guard). */
  atesql_status tx_broken;
  char tx_broken_msg[ATESQL_ERROR_MESSAGE_MAX / 2];
  char errmsg[ATESQL_ERROR_MESSAGE_MAX];
  /* What atesql_store_stats reads (stats.c); the driver's own counters
  ** are read from it then, less what they were at the last reset. */
  atesql_stats stats;
  uint64_t reconnects_before, retries_before;
  const char *last_statement; /* of the call running: the last named one */
  uint64_t call_statements;   /* stats.statements when the call began */
  atesql_trace_fn trace;
  void *trace_arg;
};

/* A statement being run: which one and whether a row is current. */
typedef struct query {
  atesql_store *store;
  driver_stmt *stmt;
  bool row;
  /* Decoders point at column text instead of copying it: the caller
  ** keeps the rows (drv->keep_rows) as long as what it decodes. */
  bool borrow_text;
} query;

/* Run a named statement (prepared on first use, then cached). On failure
** errmsg holds the driver's message. */
atesql_status query_named(atesql_store *s, stmt_id id, const db_param *params,
                          size_t n, query *q);
/* Run the statement in *slot, preparing `sql` into it on first use (the
** store's generated get statements). */
atesql_status query_slot(atesql_store *s, driver_stmt **slot, const char *sql,
                         const db_param *params, size_t n, query *q);
/* Run SQL text, prepared once and cached by text (the list statements the
** store generates per selector shape). */
atesql_status query_sql(atesql_store *s, const char *sql,
                        const db_param *params, size_t n, query *q);
/* query_sql with the text's sql_hash already known (a cached selector
** keeps its statements' hashes). */
atesql_status query_sql_hashed(atesql_store *s, const char *sql, uint64_t hash,
                               const db_param *params, size_t n, query *q);
/* The hash the statement cache files SQL text under. */
uint64_t sql_hash(const char *sql);
atesql_status query_next(query *q);
/* Finish q (no-op when it has no statement). Returns the driver's reset
** status: a write outside a transaction may commit, or fail, here; a
** caller that wrote must check it. */
atesql_status query_done(query *q);

/* query_done after a run that returned st: st when it failed, else what
** finishing the statement returned. For writes that read a row. */
atesql_status query_finish(query *q, atesql_status st);
/* A column's text; NULL (with *len 0) when out of memory. */
const char *query_text(const query *q, int col, size_t *len);
int64_t query_int64(const query *q, int col);
bool query_is_null(const query *q, int col);

/* Run a statement that returns no rows of interest. */
atesql_status exec_named(atesql_store *s, stmt_id id, const db_param *params,
                         size_t n);

/*
** The outcome of a conditional write (an update with expected version, a
** delete only when suspended). When it did not write, `probe` is positioned
** on the row that says why (the probe statement's columns from column
** `col` on) if the record exists; the caller reads it and calls
** query_done(&probe).
*/
typedef struct write_outcome {
  bool wrote;
  int64_t value; /* column 0 of the written row: the new version */
  bool found;    /* when !wrote: the record exists */
  query probe;
  int col;
} write_outcome;

/* Run `write` (n params) and, when it changed nothing, learn why with
** `probe` (its first probe_n params), in one round trip where the dialect
** allows it (store_dialect.writes_report_probe). */
atesql_status conditional_write(atesql_store *s, stmt_id write,
                                const db_param *params, size_t n, stmt_id probe,
                                size_t probe_n, write_outcome *out);

/* The store revision and the revision events are compacted up to (either
** pointer may be NULL), in one snapshot (revision.c). Outside a
** transaction, changes committed before the call that await their
** numbers are numbered first, so the revision covers them. */
atesql_status read_store_revision(atesql_store *s, int64_t *revision,
                                  int64_t *compacted);
/* One read of the store revision, the compacted one (either pointer may
** be NULL) and whether changes await their numbers, numbering nothing. */
atesql_status read_revision_row(atesql_store *s, int64_t *revision,
                                int64_t *compacted, bool *pending);
/* Number the committed worker changes that await it (PostgreSQL,
** migration 0006; nothing elsewhere), in a transaction of its own: inside
** the caller's transaction it does nothing, since holding the numbering
** to that transaction's end would hold back every reader. */
atesql_status number_events(atesql_store *s);
/* Set errmsg (printf-style) and return status. */
atesql_status store_fail(atesql_store *s, atesql_status status, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));
/* Prefix the driver's message in errmsg with context ("create worker
** 'a/b/c': ..."), return status. */
atesql_status store_fail_db(atesql_store *s, atesql_status status,
                            const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The first statement of every public call on a handle, and nowhere
** else: clear errmsg (keeping it as the reason of a transaction the last
** call stopped, tx_break). */
void store_begin_call(atesql_store *s);

/* Every public call of a handle runs inside these (stats.c): call_begin
** before anything (it runs store_begin_call) returns the start time;
** call_end counts the call and its status and time, calls the trace hook,
** and returns st. */
int64_t call_begin(atesql_store *s);
atesql_status call_end(atesql_store *s, atesql_call op, int64_t start,
                       atesql_status st);

/*
** Stop the open transaction: every call until rollback reports status,
** and why (reason; NULL: the failing call's own final message, taken
** when the next call begins).
*/
void tx_break(atesql_store *s, atesql_status status, const char *reason);

/* A statement of the open transaction failed: stop the transaction (lost,
** if the database no longer holds it). No-op outside a transaction. */
void tx_statement_failed(atesql_store *s);

/* Text and integer parameters; NULL text binds "". */
db_param param_text(const char *text);
db_param param_int64(int64_t v);

/*
** Check a caller's string: not NULL-and-required-empty, valid UTF-8.
** `what` names it in the message. required: must be non-empty.
*/
atesql_status check_text(atesql_store *s, const char *what, const char *text,
                         bool required);

/* check_text, and at most ATESQL_INDEXED_TEXT_MAX bytes: for the values of
** indexed columns. */
atesql_status check_indexed_text(atesql_store *s, const char *what,
                                 const char *text, bool required);

/*
** "kind 'part/part'" into buf, for messages naming a record: each part a
** bounded, printable excerpt of the caller's text (util/error.h).
*/
void name_record(char *buf, size_t bufsz, const char *kind,
                 const char *const *parts, size_t count);

/*
** The version an imported record is created at: its own, or 1 when it
** has none (0, as protojson leaves a zero version out). A negative one is
** INVALID_ARGUMENT.
*/
atesql_status import_version(atesql_store *s, int64_t given, int64_t *version);

/* FAILED_PRECONDITION for an update of a record at INT64_MAX, whose next
** version does not exist. */
atesql_status fail_last_version(atesql_store *s, const char *what);

/* Run fn inside a transaction unless the caller already opened one. */
atesql_status store_in_tx(atesql_store *s,
                          atesql_status (*fn)(atesql_store *s, void *arg),
                          void *arg);

#endif /* ATESQL_STORE_INTERNAL_H */
