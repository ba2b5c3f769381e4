/*
** The three kinds of records the `atesql RESOURCE VERB` commands handle,
** as a table of operations over the public API: one row per resource with
** its names, key syntax and the typed calls behind void pointers, so that
** each verb is one generic command. Depends on the library alone.
*/
#ifndef ATESQL_CLI_KINDS_H
#define ATESQL_CLI_KINDS_H

#include <stddef.h>
#include <stdint.h>

#include "atesql/atesql.h"

/* One page of any kind: the library's page and a view of its items. */
typedef struct cli_page {
  void *page;        /* free with kind->page_free */
  const void *items; /* count records of kind->record_size bytes */
  size_t count;
  const char *next_page_token; /* "" on the last page */
  /* Workers: the store revision the listing reflects (every page of one
  ** listing has its first page's); -1 for kinds without a change feed. */
  int64_t revision;
} cli_page;

typedef struct cli_kind {
  atesql_resource resource;
  const char *plural;     /* "workers" */
  const char *singular;   /* "worker" */
  const char *key_syntax; /* "NAMESPACE/POOL/POD" */
  size_t key_parts;       /* the number of '/'-separated parts of a key */
  size_t record_size;
  atesql_status (*list)(atesql_store *s, const atesql_list_opts *opts,
                        cli_page *out);
  void (*page_free)(void *page);
  /* key: key_parts strings; *out receives a record for record_free */
  atesql_status (*get)(atesql_store *s, char *const *key, void **out);
  void (*record_free)(void *record);
  atesql_status (*to_json)(const void *record, char **out, atesql_error *err);
  atesql_status (*from_json)(const char *text, size_t len, void **out,
                             atesql_error *err);
  /* Create the record at its own version (atesql_*_import). */
  atesql_status (*import)(atesql_store *s, const void *record);
} cli_kind;

/* The kind named "workers", "actors" or "atespaces"; NULL otherwise. */
const cli_kind *cli_kind_by_name(const char *name);

/* The i-th record of a page. */
const void *cli_page_item(const cli_kind *kind, const cli_page *page, size_t i);

#endif /* ATESQL_CLI_KINDS_H */
