/*
** A record's columns, written once for every resource from its column
** table (schema.h): checking a record before it is written, binding it as
** statement parameters in table order, decoding a row (or a change-feed
** image) back into a record, and naming it in messages.
*/
#ifndef ATESQL_STORE_RECORD_H
#define ATESQL_STORE_RECORD_H

#include "schema.h"
#include "store/store.h"

enum { RECORD_MAX_COLUMNS = SCHEMA_MAX_COLUMNS, RECORD_MAX_KEYS = 3 };

/* A record bound as parameters 1 .. count, one per column in table order,
** and the JSON texts of its nested columns, which it owns. */
typedef struct bound_record {
  db_param params[RECORD_MAX_COLUMNS];
  char *json[RECORD_MAX_COLUMNS];
  size_t count;
} bound_record;

/*
** Check the key parts[0 .. key_count) of a record of res: for a write
** each must be non-empty indexed text; a read takes any valid UTF-8 (an
** empty part finds nothing). Errors: INVALID_ARGUMENT naming the column.
*/
atesql_status record_check_key(atesql_store *s, const resource_def *res,
                               const char *const *parts, bool for_write);

/*
** Check record (a struct of res) for writing and bind it into *b, with
** `version` as its version's parameter (the record's at create, the
** expected one at update). Release b with record_unbind, also on error.
** Errors: INVALID_ARGUMENT naming the field, NO_MEMORY.
*/
atesql_status record_bind(atesql_store *s, const resource_def *res,
                          const void *record, int64_t version, bound_record *b);
void record_unbind(bound_record *b);

/*
** Decode a row of q into item (a zeroed struct of res), its strings in
** root's arena (or pointing into q's rows when q borrows text). cols[i]
** is the query column of table column i; NULL: column i is query column
** i. Errors: NO_MEMORY, INTERNAL (a stored JSON column that does not
** decode).
*/
atesql_status record_decode(atesql_store *s, const resource_def *res,
                            const query *q, const int *cols, void *root,
                            void *item);

/*
** Insert record (of res) at `version` by the named statement `create`.
** Errors: those of record_bind, ALREADY_EXISTS naming the record, the
** driver's (prefixed "create <record>: "); a caller may give a status a
** message of its own.
*/
atesql_status record_create(atesql_store *s, const resource_def *res,
                            stmt_id create, const void *record,
                            int64_t version);

/*
** Update record (of res) by the conditional write `update` if it is at
** expected_version, reporting the version written into *new_version (may
** be NULL); the probe statement `probe` (or the write itself, where the
** dialect reports it) says why not, as record_diagnose_update.
*/
atesql_status record_update(atesql_store *s, const resource_def *res,
                            stmt_id update, stmt_id probe, const void *record,
                            int64_t expected_version, int64_t *new_version);

/* The key parts of a decoded record into parts[0 .. key_count). */
void record_key(const resource_def *res, const void *record,
                const char **parts);

/* "worker 'ns/pool/pod'" for messages, from the key parts. */
void record_name(const resource_def *res, const char *const *parts, char *buf,
                 size_t bufsz);

/* The same from a record of res. */
void record_name_of(const resource_def *res, const void *record, char *buf,
                    size_t bufsz);

/*
** Why an update with expected_version wrote nothing, from its probe row
** (w->probe at column w->col: the stored version, then the non-key
** immutable columns in table order): NOT_FOUND, CONFLICT (another
** version, or changed in between), FAILED_PRECONDITION (the last
** version), INVALID_ARGUMENT (an immutable field changed). b holds what
** the update bound.
*/
atesql_status record_diagnose_update(atesql_store *s, const resource_def *res,
                                     const write_outcome *w,
                                     const bound_record *b,
                                     int64_t expected_version,
                                     const char *what);

#endif /* ATESQL_STORE_RECORD_H */
