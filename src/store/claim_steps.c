/*
** A claim and the resume step one statement at a time, in one
** transaction (the caller's, or one of its own): SQLite's path
** (store/claim_paths.h). On SQLite each statement runs in the caller's
** process and costs no round trip; a claim is one write transaction, so
** no other writer can hold a candidate and "no free worker" is always
** RESOURCE_EXHAUSTED.
**
** A claim, inside one transaction:
**   1. lock the actor's name (the write transaction already excludes
**      every other writer: a statement that does nothing), so that two
**      claims of one actor cannot both take a worker;
**   2. read the workers holding the actor (workers_actor_id); one in an
**      eligible pool is the answer, unchanged;
**   3. else find a candidate: for each eligible pool, starting at a
**      rotating one (per handle) so that claims spread over the pools, a
**      free worker (the first the index search meets), first on the
**      preferred nodes (workers_free_node), then anywhere in the pool
**      (workers_free_pool) unless the nodes are required, each search
**      followed by the dialect's candidate lock;
**   4. free the holders in pools no longer eligible and assign the
**      candidate. Nothing is written before a candidate is found, so "no
**      capacity" writes nothing.
** Every statement is an index search on all its terms (the plan tests
** check the candidate search): a claim reads O(log n) rows, plus the rows
** a caller's extra selector filters.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector/ast.h"
#include "store/claim_paths.h"
#include "store/list.h"
#include "store/operations.h"

typedef struct worker_key {
  char *parts[3];
} worker_key;

static void key_release(worker_key *k) {
  for (int i = 0; i < 3; i++)
    free(k->parts[i]);
  memset(k, 0, sizeof *k);
}

/* Copy columns 0..2 of q's row into k. */
static bool key_read(const query *q, worker_key *k) {
  for (int i = 0; i < 3; i++) {
    size_t len;
    const char *v = query_text(q, i, &len);
    k->parts[i] = v ? strndup(v, len) : NULL;
    if (k->parts[i] == NULL) return false;
  }
  return true;
}

static bool text_eq(const char *a, const char *b) {
  return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool pool_is_eligible(const atesql_claim_request *req,
                             const worker_key *k) {
  for (size_t i = 0; i < req->pool_count; i++)
    if (text_eq(req->pools[i].worker_namespace, k->parts[0]) &&
        text_eq(req->pools[i].worker_pool, k->parts[1]))
      return true;
  return false;
}

/* The statement of a candidate search with the dialect's candidate lock,
** its WHERE compiled into *where. */
static atesql_status candidate_statement(atesql_store *s,
                                         const atesql_selector *sel,
                                         atesql_compiled **where, char **sql) {
  atesql_error err;
  *sql = NULL;
  if (atesql_selector_compile(sel, s->dialect->id, where, &err) != ATESQL_OK)
    return store_fail(s, err.status, "%s", err.message);
  *sql = candidate_search_sql((*where)->sql, s->dialect->candidate_lock);
  return *sql ? ATESQL_OK : store_fail(s, ATESQL_NO_MEMORY, "out of memory");
}

/* The first free worker of one pool that the request admits: *found tells
** whether there is one, *k receives its key. */
static atesql_status find_in_pool(atesql_store *s,
                                  const atesql_claim_request *req,
                                  const atesql_pool_ref *pool, bool on_nodes,
                                  worker_key *k, bool *found) {
  *found = false;
  atesql_selector *sel = NULL;
  atesql_compiled *where = NULL;
  char *sql = NULL;
  atesql_status st = candidate_selector(s, req, pool, on_nodes, &sel);
  if (st == ATESQL_OK) st = candidate_statement(s, sel, &where, &sql);
  if (st == ATESQL_OK) {
    db_param params[ATESQL_SELECTOR_TERMS_MAX];
    size_t n = bind_compiled(where, params);
    query q = {0};
    st = query_sql(s, sql, params, n, &q);
    *found = st == ATESQL_OK && q.row;
    if (*found && !key_read(&q, k))
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
    atesql_status done = query_done(&q);
    if (st == ATESQL_OK) st = done;
    if (st != ATESQL_OK) store_fail_db(s, st, "find a free worker");
  }
  free(sql);
  atesql_compiled_free(where);
  atesql_selector_free(sel);
  return st;
}

/* Step 3: a candidate on the preferred nodes, then (unless required)
** anywhere in the eligible pools. */
static atesql_status find_candidate(atesql_store *s,
                                    const atesql_claim_request *req,
                                    worker_key *k, bool *found) {
  *found = false;
  size_t first = claim_first_pool(s, req);
  atesql_status st = ATESQL_OK;
  for (int phase = 0; st == ATESQL_OK && !*found && phase < 2; phase++) {
    bool on_nodes = phase == 0;
    if (on_nodes && req->preferred_node_count == 0) continue;
    if (!on_nodes && req->policy == ATESQL_NODES_REQUIRE) break;
    for (size_t i = 0; st == ATESQL_OK && !*found && i < req->pool_count; i++)
      st = find_in_pool(s, req, &req->pools[(first + i) % req->pool_count],
                        on_nodes, k, found);
  }
  return st;
}

/* Run a named write that returns the new version; *wrote tells whether it
** matched a row. The statement commits (outside a transaction) or fails in
** query_finish, whose status is the answer. */
static atesql_status write_named(atesql_store *s, stmt_id id,
                                 const db_param *params, size_t n,
                                 bool *wrote) {
  query q = {0};
  atesql_status st = query_named(s, id, params, n, &q);
  *wrote = st == ATESQL_OK && q.row && !query_is_null(&q, 0);
  return query_finish(&q, st);
}

typedef struct claim_call {
  const atesql_claim_request *req;
  atesql_worker *worker; /* the answer */
} claim_call;

/* Step 2: the holders. *kept receives the record of one in an eligible
** pool; the keys of the others (up to 8) go to stale, for step 4. */
enum { MAX_STALE = 8 };
static atesql_status read_holders(atesql_store *s,
                                  const atesql_claim_request *req,
                                  atesql_worker **kept, worker_key *stale,
                                  size_t *nstale) {
  db_param p[] = {param_text(req->actor_id), param_text(req->actor_atespace)};
  query q = {0};
  atesql_status st = query_named(s, STMT_claim_holders, p, 2, &q);
  *kept = NULL;
  *nstale = 0;
  while (st == ATESQL_OK && q.row) {
    worker_key k = {0};
    if (!key_read(&q, &k)) {
      key_release(&k);
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
      break;
    }
    if (*kept == NULL && pool_is_eligible(req, &k))
      st = record_from_row(s, &worker_spec, &q, 0, (void **)kept);
    else if (*nstale < MAX_STALE) {
      stale[(*nstale)++] = k;
      k = (worker_key){{0}};
    }
    key_release(&k);
    if (st == ATESQL_OK) st = query_next(&q);
  }
  atesql_status done = query_done(&q);
  if (st == ATESQL_OK) st = done;
  if (st != ATESQL_OK)
    store_fail_db(s, st, "read the workers holding the actor");
  return st;
}

static atesql_status claim_in_tx(atesql_store *s, void *arg) {
  claim_call *c = arg;
  const atesql_claim_request *req = c->req;
  char lock_name[2 * ATESQL_INDEXED_TEXT_MAX + 2];
  snprintf(lock_name, sizeof lock_name, "%s/%s", req->actor_atespace,
           req->actor_id);
  db_param lp = param_text(lock_name);
  query lq = {0};
  atesql_status st = query_named(s, STMT_claim_lock_actor, &lp, 1, &lq);
  atesql_status done = query_done(&lq);
  if (st == ATESQL_OK) st = done;
  if (st != ATESQL_OK) return store_fail_db(s, st, "lock the actor's claims");

  worker_key stale[MAX_STALE] = {{{0}}}, cand = {0};
  size_t nstale = 0;
  bool found = false;
  atesql_worker *kept = NULL;
  st = read_holders(s, req, &kept, stale, &nstale);
  bool has_kept = kept != NULL;
  if (st == ATESQL_OK && !has_kept) {
    st = find_candidate(s, req, &cand, &found);
    if (st == ATESQL_OK && !found) st = fail_no_free_worker(s, req, false);
  }
  for (size_t i = 0; st == ATESQL_OK && i < nstale; i++) {
    db_param p[] = {param_text(stale[i].parts[0]),
                    param_text(stale[i].parts[1]),
                    param_text(stale[i].parts[2]),
                    param_text(req->actor_atespace), param_text(req->actor_id)};
    bool wrote;
    st = write_named(s, STMT_worker_release, p, 5, &wrote);
    if (st != ATESQL_OK)
      store_fail_db(s, st, "free a worker of an ineligible pool");
  }
  if (st == ATESQL_OK && found) {
    db_param p[] = {
        param_text(cand.parts[0]),       param_text(cand.parts[1]),
        param_text(cand.parts[2]),       param_text(req->actor_namespace),
        param_text(req->actor_template), param_text(req->actor_id),
        param_text(req->actor_atespace)};
    /* The assignment returns the worker as written. */
    query q = {0};
    st = query_named(s, STMT_claim_assign, p, 7, &q);
    if (st == ATESQL_OK && !q.row) /* taken under our row lock or write
                                   ** transaction: cannot happen */
      st = store_fail(s, ATESQL_INTERNAL,
                      "the free worker found was not free at assignment");
    else if (st == ATESQL_OK)
      st = record_from_row(s, &worker_spec, &q, 0, (void **)&c->worker);
    st = query_finish(&q, st);
    if (st != ATESQL_OK && st != ATESQL_INTERNAL && st != ATESQL_NO_MEMORY)
      store_fail_db(s, st, "assign a worker");
  }
  if (st == ATESQL_OK && has_kept) {
    c->worker = kept;
    kept = NULL;
  }
  atesql_worker_free(kept);
  key_release(&cand);
  for (size_t i = 0; i < nstale; i++)
    key_release(&stale[i]);
  return st;
}

static atesql_status steps_claim(atesql_store *s,
                                 const atesql_claim_request *req,
                                 atesql_worker **out) {
  claim_call c = {req, NULL};
  atesql_status st = store_in_tx(s, claim_in_tx, &c);
  if (st != ATESQL_OK) {
    atesql_worker_free(c.worker);
    return st;
  }
  *out = c.worker;
  return ATESQL_OK;
}

typedef struct resume_call {
  const atesql_claim_request *req;
  int64_t expected_version;
  atesql_worker *worker;
  atesql_actor *actor;
} resume_call;

static atesql_status resume_in_tx(atesql_store *s, void *arg) {
  resume_call *r = arg;
  atesql_actor *a = NULL;
  atesql_status st = actor_get(s, r->req->actor_atespace, r->req->actor_id, &a);
  if (st != ATESQL_OK) return st;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  const char *parts[] = {a->atespace, a->actor_id};
  name_record(what, sizeof what, "actor", parts, 2);
  if (a->version != r->expected_version) {
    st = store_fail(s, ATESQL_CONFLICT,
                    "%s is at version %lld, not %lld; reload and retry", what,
                    (long long)a->version, (long long)r->expected_version);
    atesql_actor_free(a);
    return st;
  }
  atesql_claim_request req = *r->req;
  if (req.actor_namespace == NULL || !*req.actor_namespace)
    req.actor_namespace = a->actor_template_namespace;
  if (req.actor_template == NULL || !*req.actor_template)
    req.actor_template = a->actor_template_name;
  claim_call c = {&req, NULL};
  st = claim_in_tx(s, &c);
  if (st == ATESQL_OK) {
    atesql_worker *w = c.worker;
    atesql_actor moved = *a;
    moved.status = ATESQL_ACTOR_STATUS_RESUMING;
    moved.ateom_pod_namespace = w->worker_namespace;
    moved.ateom_pod_name = w->worker_pod;
    moved.ateom_pod_ip = w->ip;
    moved.ateom_pod_uid = w->worker_pod_uid;
    moved.worker_pool_name = w->worker_pool;
    st = actor_update(s, &moved, r->expected_version, NULL);
  }
  atesql_actor_free(a);
  if (st == ATESQL_OK)
    st = actor_get(s, r->req->actor_atespace, r->req->actor_id, &r->actor);
  if (st == ATESQL_OK)
    r->worker = c.worker;
  else
    atesql_worker_free(c.worker);
  return st;
}

static atesql_status steps_resume(atesql_store *s,
                                  const atesql_claim_request *req,
                                  int64_t expected_version,
                                  atesql_worker **worker,
                                  atesql_actor **actor) {
  resume_call r = {req, expected_version, NULL, NULL};
  atesql_status st = store_in_tx(s, resume_in_tx, &r);
  *worker = r.worker;
  *actor = r.actor;
  return st;
}

static atesql_status steps_first_search(atesql_store *s,
                                        const atesql_selector *sel,
                                        atesql_compiled **where, char **sql,
                                        char **arena, db_param *params,
                                        size_t *n) {
  *arena = NULL;
  atesql_status st = candidate_statement(s, sel, where, sql);
  if (st == ATESQL_OK) *n = bind_compiled(*where, params);
  return st;
}

const claim_path claim_in_steps = {
    .claim = steps_claim,
    .resume = steps_resume,
    .first_search = steps_first_search,
};
