/*
** How each resource's records travel between rows and structs: the SELECT
** column list (the order every decoder reads), the primary key, and the
** row decoders. The get, list and count operations are written once over
** these specs.
*/
#ifndef ATESQL_STORE_RESOURCES_H
#define ATESQL_STORE_RESOURCES_H

#include <stdint.h>

#include "schema.h"

#include "store/store.h"

typedef struct resource_spec {
  atesql_resource id;
  const char *table;
  const char *columns; /* the SELECT list, in decoder order */
  int column_count;
  /* Bit i: column i is an integer. It is never read as text: converting
  ** it can fail for want of memory and leave the value NULL (SQLite). */
  uint32_t int_columns;
  /* Bit i: column i holds a nested document (JSON) the decoder parses. */
  uint32_t json_columns;
  const char *const *pk;
  size_t pk_count;
  /* The store revision, as a column a get or list appends after
  ** `columns` (in the statement's snapshot), for a resource with a change
  ** feed (workers); NULL for the others. */
  const char *revision;
  size_t item_size;
  /* Decode the current row into *item, strings in root's arena. */
  atesql_status (*decode)(atesql_store *s, const query *q, void *root,
                          void *item);
  /* The primary-key parts of a decoded item. */
  void (*item_key)(const void *item, const char **parts);
} resource_spec;

extern const resource_spec worker_spec, actor_spec, atespace_spec;

/*
** About the arena bytes that decoding the current row of q into a page
** takes beyond the item itself: its text (unless q borrows it) and what
** its nested documents decode to. Sizes a page's first chunk.
*/
size_t row_page_bytes(const query *q, const resource_spec *spec);

/*
** Fetch one record by primary key (parts[0..pk_count)) into a new
** one-allocation record, and for a resource with a revision the revision
** it reflects into *revision (may be NULL). Errors: NOT_FOUND (message
** names `what`), driver errors.
*/
atesql_status get_record(atesql_store *s, const resource_spec *spec,
                         const char *const *parts, const char *what, void **out,
                         int64_t *revision);

/* The current row of q (spec->columns, in order) as a new one-allocation
** record. Errors: NO_MEMORY, a stored value that does not decode. */
atesql_status record_from_row(atesql_store *s, const resource_spec *spec,
                              const query *q, void **out);

#endif /* ATESQL_STORE_RESOURCES_H */
