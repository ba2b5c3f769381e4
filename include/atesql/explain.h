/*
** The planner's view: how the database runs one page of a list
** (atesql_explain) or the search of a claim (atesql_claim_explain), judged
** by what it reads, so that tests and `atesql explain` can prove a call is
** bound by an index.
*/
#ifndef ATESQL_EXPLAIN_H
#define ATESQL_EXPLAIN_H

#include "claim.h"
#include "store.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
** How the database runs one page of a list, judged by what it reads: the
** statement, its parameters, the database's own plan, the rows the
** statement reads against the rows it returns, and which selector terms
** the index search bounds and which it only checks row by row. One
** allocation.
**
** The statement is run to count (atesql_explain costs about one list
** call, on PostgreSQL eight). On PostgreSQL both plans a prepared
** statement can get are run under EXPLAIN ANALYZE: the custom plan for
** these values, and the plan it runs from its sixth execution on (the
** generic plan, when the server's plan cache switches to it); the figures
** and verdict are the worse of the two. This SQLite has no scan counters,
** so rows_read is counted with the data: the rows inside the bounds of
** the index search (with the plan's partial-index condition), up to the
** row where the page's LIMIT stops the search, or all of them when the
** plan sorts.
*/
typedef struct atesql_plan {
  const char *sql;            /* the statement the list runs */
  const atesql_param *params; /* its parameters; the last is the row limit */
  size_t param_count;
  /* The plan as the database gives it: SQLite's EXPLAIN QUERY PLAN rows,
  ** one per line; PostgreSQL's EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
  ** document of the custom plan. */
  const char *plan;
  /* True when the table is read only through an index search (no table
  ** scan, no full index walk). */
  bool uses_index;
  const char *index;     /* the index searched, "" when none */
  const char *verdict;   /* one line for people */
  int64_t rows_read;     /* rows the search visits (index entries) */
  int64_t rows_returned; /* rows the statement returns: the page + 1 */
  /* True when the index search bounds every selector term (uses_index and
  ** nothing left to check row by row): the list then reads what it
  ** returns, O(log n + k). */
  bool index_bound;
  bool sorted; /* rows are sorted after reading (not read in key order) */
  const char *bounded;  /* the terms' fields the search bounds, "a, b" */
  const char *filtered; /* the terms' fields only checked row by row */
  /* PostgreSQL: the EXPLAIN document of the plan a prepared statement
  ** runs from its sixth execution on; "" on SQLite. */
  const char *generic_plan;
} atesql_plan;

/*
** Ask the database how it runs the list `opts` describes for `resource`
** (the page token, if any, included), and count what it reads. *out
** receives a plan to free with atesql_plan_free. Errors: INVALID_ARGUMENT
** (selector, token), driver errors.
*/
ATESQL_API atesql_status atesql_explain(atesql_store *store,
                                        atesql_resource resource,
                                        const atesql_list_opts *opts,
                                        atesql_plan **out);
ATESQL_API void atesql_plan_free(atesql_plan *plan);

/*
** How a claim searches for its candidate, judged as atesql_explain judges
** a list: the statement of the first search (pools[0], on the preferred
** nodes when there are any) as the claim runs it, its plan, and the rows
** it reads. On PostgreSQL that is the text the claim function EXECUTEs,
** with its one text[] parameter (each value an element), planned with
** the values as it is there, and after five runs of a prepared copy of
** it (the worse of the two is judged). A claim runs at most
** 2 x pool_count such searches, each bound by an index on all its terms
** (LIMIT 1), plus the index search for the actor's holders; on
** PostgreSQL, when they find nothing, the same searches again without
** the row lock, to tell CONFLICT from RESOURCE_EXHAUSTED. Nothing is
** written. *out receives a plan to free with atesql_plan_free.
*/
ATESQL_API atesql_status atesql_claim_explain(atesql_store *store,
                                              const atesql_claim_request *req,
                                              atesql_plan **out);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_EXPLAIN_H */
