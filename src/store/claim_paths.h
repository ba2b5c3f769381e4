/*
** The two ways a claim and the resume step run, chosen by the dialect
** table (store/dialect.c): one statement at a time in a transaction
** (claim_steps.c: SQLite, in the caller's process, where a statement
** costs no round trip) or one call of the server's functions of
** migration 0007 (claim_function.c: PostgreSQL, one round trip each). The
** entry points, the checks of a request and what both build a candidate
** search from are in claim.c.
*/
#ifndef ATESQL_STORE_CLAIM_PATHS_H
#define ATESQL_STORE_CLAIM_PATHS_H

#include "store/store.h"

typedef struct claim_path {
  /* Claim a worker for req (checked) into *out, to free with
  ** atesql_worker_free; errors as atesql_worker_claim. */
  atesql_status (*claim)(atesql_store *s, const atesql_claim_request *req,
                         atesql_worker **out);
  /* The resume step for req (checked): *worker and *actor receive the
  ** records as written (the caller frees them, also on error); errors as
  ** atesql_actor_resume. */
  atesql_status (*resume)(atesql_store *s, const atesql_claim_request *req,
                          int64_t expected_version, atesql_worker **worker,
                          atesql_actor **actor);
  /*
  ** The first candidate search of req as this path runs it: the
  ** statement into *sql (to free), its parameters into params[0..*n)
  ** (text pointing into *where or *arena, both to free). sel is the
  ** search's selector (candidate_selector of pools[0]).
  */
  atesql_status (*first_search)(atesql_store *s, const atesql_selector *sel,
                                atesql_compiled **where, char **sql,
                                char **arena, db_param *params, size_t *n);
} claim_path;

extern const claim_path claim_in_steps;
extern const claim_path claim_in_one_call;

/*
** The selector of a candidate search: the caller's selector, actor_id=,
** worker_namespace= and worker_pool= of one eligible pool and, with
** `on_nodes`, node_name in the preferred nodes. *out receives a selector
** to free.
*/
atesql_status candidate_selector(atesql_store *s,
                                 const atesql_claim_request *req,
                                 const atesql_pool_ref *pool, bool on_nodes,
                                 atesql_selector **out);

/*
** "SELECT key FROM workers WHERE <where> LIMIT 1" followed by `lock` (a
** row lock clause, or ""), into a string to free; NULL when out of
** memory. No ORDER BY: any free worker will do, and without one each
** database searches the index that bounds every term (free workers by
** node and pool, or by pool) instead of one that merely yields key
** order.
*/
char *candidate_search_sql(const char *where, const char *lock);

/* The eligible pool a claim tries first: successive claims on a handle
** start at successive pools, spreading over them. */
size_t claim_first_pool(atesql_store *s, const atesql_claim_request *req);

/* Fail with RESOURCE_EXHAUSTED: no free worker fits req; or, when
** `locked`, with CONFLICT: every free one that fits is locked by another
** transaction (PostgreSQL: a claim in flight), so a retry may find one. */
atesql_status fail_no_free_worker(atesql_store *s,
                                  const atesql_claim_request *req, bool locked);

#endif /* ATESQL_STORE_CLAIM_PATHS_H */
