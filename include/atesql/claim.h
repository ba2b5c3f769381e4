/*
** Assignment: give an actor a free worker in one atomic, index-bound step
** (atesql_worker_claim), free it again (atesql_worker_release), and the
** scheduler's resume step, which claims a worker and moves the actor onto
** it in one transaction (atesql_actor_resume). How a claim searches is in
** explain.h (atesql_claim_explain).
*/
#ifndef ATESQL_CLAIM_H
#define ATESQL_CLAIM_H

#include "selector.h"
#include "store.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A worker pool, as the scheduler names an eligible one. */
typedef struct atesql_pool_ref {
  const char *worker_namespace;
  const char *worker_pool;
} atesql_pool_ref;

/* What to do with the preferred nodes. */
typedef enum atesql_node_policy {
  ATESQL_NODES_PREFER = 0, /* take a worker on them if one is free, else
                              any eligible worker */
  ATESQL_NODES_REQUIRE     /* only a worker on them */
} atesql_node_policy;

typedef struct atesql_claim_request {
  /* The eligible pools (at least one, at most ATESQL_CLAIM_POOLS_MAX). */
  const atesql_pool_ref *pools;
  size_t pool_count;
  /* Optional: further restricts the eligible workers, e.g.
  ** "node_name notin (drained-1)". Text, or a built selector (then
  ** selector_text is ignored); NULL for none. */
  const char *selector_text;
  const atesql_selector *selector;
  /* The nodes that hold the actor's local snapshot
  ** (latest_snapshot_info.local.node_vms_with_local_snapshots), at most
  ** ATESQL_SELECTOR_LIST_MAX; none means no preference. */
  const char *const *preferred_nodes;
  size_t preferred_node_count;
  atesql_node_policy policy;
  /* The assignment written on the worker. actor_atespace and actor_id are
  ** required; actor_namespace and actor_template may be empty. */
  const char *actor_atespace;
  const char *actor_id;
  const char *actor_namespace;
  const char *actor_template;
} atesql_claim_request;

#define ATESQL_CLAIM_POOLS_MAX 64

/*
** Claim a worker for an actor, atomically:
**  - if a worker in an eligible pool already holds this actor (same
**    actor_atespace and actor_id), return it unchanged: a retried resume
**    never takes a second worker;
**  - free every worker holding this actor in a pool no longer eligible;
**  - else assign a free eligible worker (actor_id empty), on a preferred
**    node first, setting the four assignment fields and bumping its
**    version, and return it.
** Concurrent claimers never wait on each other's candidate rows: on
** PostgreSQL a candidate is taken FOR UPDATE SKIP LOCKED, and claims of
** the same actor are serialized by a transaction-scoped advisory lock; on
** SQLite a claim is one write transaction. Each step is index-bound: a
** claim reads O(log n) rows. On PostgreSQL a claim is one round trip (a
** call of the function migration 0007 installs, which runs the steps on
** the server). Inside the caller's transaction it joins it, and a failed
** claim leaves that transaction usable.
** *out receives the worker, to free with atesql_worker_free.
** Errors: RESOURCE_EXHAUSTED when no free worker fits (nothing is written,
** not even the freeing of a worker in a pool no longer eligible);
** CONFLICT (PostgreSQL) when free workers fit but every one is locked by
** another transaction (a claim in flight, or any SELECT ... FOR UPDATE):
** the claim does not wait for them, writes nothing and says to retry;
** INVALID_ARGUMENT (no pools, empty key parts, a bad selector, limits).
*/
ATESQL_API atesql_status atesql_worker_claim(atesql_store *store,
                                             const atesql_claim_request *req,
                                             atesql_worker **out);

/*
** Free a worker if the actor (actor_atespace, actor_id) still holds it:
** clears the four assignment fields and bumps the version. *released (may
** be NULL) says whether it did; releasing a worker that is free or held
** by another actor is OK with *released false (idempotent). One
** statement (on PostgreSQL, one round trip). Errors: NOT_FOUND (no such
** worker), INVALID_ARGUMENT.
*/
ATESQL_API atesql_status atesql_worker_release(
    atesql_store *store, const char *worker_namespace, const char *worker_pool,
    const char *worker_pod, const char *actor_atespace, const char *actor_id,
    bool *released);

/*
** The scheduler's resume step in one transaction: claim a worker for the
** actor (req->actor_atespace, req->actor_id) and move the actor to
** STATUS_RESUMING with ateom_pod_namespace, ateom_pod_name, ateom_pod_ip
** and ateom_pod_uid of the worker and worker_pool_name of its pool, if the
** actor's version is expected_version. Either both happen or neither. An
** empty req->actor_namespace / actor_template defaults to the actor's
** template namespace / name. *worker and *actor (either may be NULL)
** receive the records as written, to free with atesql_worker_free and
** atesql_actor_free. On PostgreSQL the whole step (the actor read, the
** version check, the claim, the move) is one round trip.
** Errors: NOT_FOUND (no such actor), CONFLICT (stale expected_version:
** nothing is claimed), RESOURCE_EXHAUSTED, and those of
** atesql_worker_claim (CONFLICT also when every free worker is locked).
*/
ATESQL_API atesql_status atesql_actor_resume(atesql_store *store,
                                             const atesql_claim_request *req,
                                             int64_t expected_version,
                                             atesql_worker **worker,
                                             atesql_actor **actor);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_CLAIM_H */
