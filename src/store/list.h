/*
** The one implementation of list and count, shared by the three
** resources: page building and reading (page.c), listings at a revision
** (list_at.c) and the entry points (list.c).
*/
#ifndef ATESQL_STORE_LIST_H
#define ATESQL_STORE_LIST_H

#include "store/resources.h"
#include "store/token.h"
#include "util/strbuf.h"

/* A list statement's parameters at most: one per selector term and the
** page token's key. */
enum { LIST_MAX_PARAMS = ATESQL_SELECTOR_TERMS_MAX + TOKEN_MAX_KEYS };

/*
** What a list call prepares before its rows. The selector, its compiled
** form, normalized text and statement are borrowed from the handle's
** selector cache (selector text) or owned by the call (a selector built in
** C); released together.
*/
typedef struct list_call {
  const atesql_selector *selector; /* the resolved selector */
  const atesql_compiled *compiled;
  const char *normalized;
  const unsigned char *token_hash; /* of normalized, for page tokens */
  const char *sql;
  uint64_t sql_hash; /* of sql, for the statement cache */
  page_key key;
  bool keyset;     /* a later page: the statement has the keyset condition */
  unsigned pinned; /* bit k: key column k pinned by "=" (no keyset term) */
  db_param params[LIST_MAX_PARAMS];
  atesql_compiled *owned_compiled;
  char *owned_normalized;
  unsigned char owned_token_hash[TOKEN_SELECTOR_HASH];
  char *owned_sql;
} list_call;

void list_call_release(list_call *c);

/* The selector of opts (built, else text; none selects everything) and
** the statement of `kind` for it, into c: a page of page_size records
** (written into the statement, page.c says why; a count ignores it).
** Errors: INVALID_ARGUMENT (the selector), NO_MEMORY. */
atesql_status resolve_selector(atesql_store *s, const resource_spec *spec,
                               const atesql_list_opts *opts, selector_sql kind,
                               size_t page_size, list_call *c);

/*
** " AND (k1, k2) > (?n+1, ?n+2)": the keyset condition of a later page over
** the key columns not in `pinned`, its placeholders numbered after
** *nparams (advanced past them); " AND FALSE" when every key column is
** pinned.
*/
void append_keyset(strbuf *sb, const store_dialect *d,
                   const resource_spec *spec, unsigned pinned, size_t *nparams);

/* The SELECT list of a list of spec: its columns, then its revision
** columns if it has them. */
void append_columns(strbuf *sb, const resource_spec *spec);

/* Bind the parameters of a compiled selector into params[0..param_count)
** (text borrowed from c); returns param_count. */
size_t bind_compiled(const atesql_compiled *c, db_param *params);

/* The page size opts ask for, defaulted and capped. */
size_t list_page_size(const atesql_list_opts *opts);

/*
** Build the SQL and parameters of one page of spec's records: resolve and
** compile the selector, decode the page token. c->sql and c->params[0..
** *nparams) are ready to run; release c in every case.
** Errors: INVALID_ARGUMENT (selector, token), NO_MEMORY.
*/
atesql_status list_prepare(atesql_store *s, const resource_spec *spec,
                           const atesql_list_opts *opts, size_t page_size,
                           list_call *c, size_t *nparams);

/* A page before it is typed: the three page structs of types.h share this
** layout after their root. */
typedef struct list_result {
  void *root; /* the page struct (arena root) */
  void *items;
  size_t count;
  const char *next_page_token;
  int64_t revision; /* of a resource with a revision: the page's */
  bool pending;     /* ... whose snapshot holds changes awaiting numbers */
} list_result;

/*
** One page of spec's records per opts. page_struct is the size of the
** resource's page struct, allocated as the arena root in out->root; the
** caller fills it from out. Errors: INVALID_ARGUMENT (selector, token),
** driver errors.
*/
atesql_status list_records(atesql_store *s, const resource_spec *spec,
                           const atesql_list_opts *opts, size_t page_struct,
                           list_result *out);

/*
** Run a list statement and read its page into out (for a resource with a
** revision, out->revision and out->pending are the revision columns of
** its first row, -1 and false when it has none); the page keeps the
** driver's rows when its items point into them.
*/
atesql_status run_list(atesql_store *s, const resource_spec *spec,
                       const char *sql, uint64_t hash, const db_param *params,
                       size_t nparams, size_t page_size, size_t page_struct,
                       list_result *out, bool *more);

/*
** After run_list of c's statement for a resource with a revision: make
** out the page as of the listing's revision and set out->revision (store/
** list_at.c). Errors: COMPACTED (a later page whose revision's events are
** gone), driver errors; on error out holds no page.
*/
atesql_status list_settle_revision(atesql_store *s, const resource_spec *spec,
                                   list_call *c, size_t nparams,
                                   size_t page_size, size_t page_struct,
                                   list_result *out, bool *more);

/* The number of spec's records matching the selector of opts. */
atesql_status count_records(atesql_store *s, const resource_spec *spec,
                            const atesql_list_opts *opts, int64_t *count);

#endif /* ATESQL_STORE_LIST_H */
