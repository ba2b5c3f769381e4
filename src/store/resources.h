/*
** The resources as the store reads them: each one's column table
** (schema.h) and, for a resource with a change feed, its revision column.
** The get, list and count operations are written once over these specs.
*/
#ifndef ATESQL_STORE_RESOURCES_H
#define ATESQL_STORE_RESOURCES_H

#include <stdint.h>

#include "schema.h"

#include "store/store.h"

typedef struct resource_spec {
  const resource_def *res; /* its column table */
  /* For a resource with a change feed (workers), the two columns a list
  ** page appends after the record's columns, read in the statement's
  ** snapshot: the store revision, and 1 when the snapshot holds changes
  ** that await their numbers (worker_revision.pending), else 0; NULL for
  ** the others. */
  const char *revision;
  /* The same two columns for a get, the second about the record alone:
  ** 1 when it has changes that await their numbers. */
  const char *record_revision;
} resource_spec;

extern const resource_spec worker_spec, actor_spec, atespace_spec;

/* The spec of a resource, or NULL for a value out of range. */
const resource_spec *resource_spec_of(atesql_resource id);

/*
** About the arena bytes that decoding the current row of q into a page
** takes beyond the item itself: its text (unless q borrows it) and what
** its nested documents decode to. Sizes a page's first chunk.
*/
size_t row_page_bytes(const query *q, const resource_spec *spec);

/*
** Fetch one record by primary key (parts[0..key_count)) into a new
** one-allocation record, and for a resource with a revision the revision
** it reflects into *revision and whether the record has changes that
** await their numbers into *pending (either may be NULL). Errors:
** NOT_FOUND (message names `what`), driver errors.
*/
atesql_status get_record(atesql_store *s, const resource_spec *spec,
                         const char *const *parts, const char *what, void **out,
                         int64_t *revision, bool *pending);

/* The current row of q (the record's columns, in table order, from
** query column `first` on) as a new one-allocation record. Errors:
** NO_MEMORY, a stored value that does not decode. */
atesql_status record_from_row(atesql_store *s, const resource_spec *spec,
                              const query *q, int first, void **out);

#endif /* ATESQL_STORE_RESOURCES_H */
