/*
** Assignment: claim a free worker for an actor, release it, and the
** scheduler's resume step, each one transaction.
**
** A claim, inside one transaction:
**   1. lock the actor's name (PostgreSQL: an advisory lock; SQLite: the
**      write transaction already excludes every other writer), so that two
**      claims of one actor cannot both take a worker;
**   2. read the workers holding the actor (workers_actor_id); one in an
**      eligible pool is the answer, unchanged;
**   3. else find a candidate: for each eligible pool, starting at a
**      rotating one (per handle) so that claims spread over the pools, a
**      free worker (the first the index search meets), first on the
**      preferred nodes (workers_free_node), then anywhere in the pool
**      (workers_free_pool)
**      unless the nodes are required. On PostgreSQL the candidate is taken
**      FOR UPDATE SKIP LOCKED: a row another claim holds is passed over,
**      never waited for;
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
#include "store/explain.h"
#include "store/list.h"
#include "store/operations.h"
#include "util/strbuf.h"

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

static atesql_status check_request(atesql_store *s,
                                   const atesql_claim_request *req) {
  if (req == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "claim request is NULL");
  if (req->pool_count == 0 || req->pools == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "claim request names no eligible pool");
  if (req->pool_count > ATESQL_CLAIM_POOLS_MAX)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "claim request names %zu pools; at most %d",
                      req->pool_count, ATESQL_CLAIM_POOLS_MAX);
  if (req->preferred_node_count > ATESQL_SELECTOR_LIST_MAX ||
      (req->preferred_node_count && req->preferred_nodes == NULL))
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "claim request: preferred_nodes must hold 1..%d names",
                      ATESQL_SELECTOR_LIST_MAX);
  if (req->policy != ATESQL_NODES_PREFER && req->policy != ATESQL_NODES_REQUIRE)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "claim request: unknown node policy %d",
                      (int)req->policy);
  if (req->policy == ATESQL_NODES_REQUIRE && req->preferred_node_count == 0)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "claim request requires preferred nodes but names none");
  atesql_status st = ATESQL_OK;
  for (size_t i = 0; st == ATESQL_OK && i < req->pool_count; i++) {
    st = check_indexed_text(s, "worker_namespace",
                            req->pools[i].worker_namespace, true);
    if (st == ATESQL_OK)
      st =
          check_indexed_text(s, "worker_pool", req->pools[i].worker_pool, true);
  }
  if (st == ATESQL_OK)
    st = check_indexed_text(s, "actor_atespace", req->actor_atespace, true);
  if (st == ATESQL_OK)
    st = check_indexed_text(s, "actor_id", req->actor_id, true);
  if (st == ATESQL_OK)
    st = check_indexed_text(s, "actor_namespace", req->actor_namespace, false);
  if (st == ATESQL_OK)
    st = check_indexed_text(s, "actor_template", req->actor_template, false);
  return st;
}

/*
** The selector of a candidate search: the caller's selector, actor_id=,
** worker_namespace= and worker_pool= of one eligible pool and, with
** `on_nodes`, node_name in the preferred nodes. *out receives a selector
** to free.
*/
static atesql_status candidate_selector(atesql_store *s,
                                        const atesql_claim_request *req,
                                        const atesql_pool_ref *pool,
                                        bool on_nodes, atesql_selector **out) {
  atesql_error err = {0};
  atesql_selector *sel = NULL;
  atesql_status st;
  *out = NULL;
  if (req->selector) {
    if (atesql_selector_resource(req->selector) != ATESQL_RESOURCE_WORKERS)
      return store_fail(
          s, ATESQL_INVALID_ARGUMENT, "claim selector is for %s, not workers",
          atesql_resource_name(atesql_selector_resource(req->selector)));
    char *text = NULL;
    st = atesql_selector_format(req->selector, &text);
    if (st != ATESQL_OK) return store_fail(s, st, "out of memory");
    st = atesql_selector_parse(ATESQL_RESOURCE_WORKERS, text,
                               ATESQL_NUL_TERMINATED, &sel, &err);
    atesql_free(text);
  } else {
    st = atesql_selector_parse(ATESQL_RESOURCE_WORKERS,
                               req->selector_text ? req->selector_text : "",
                               ATESQL_NUL_TERMINATED, &sel, &err);
  }
  const char *empty[] = {""};
  if (st == ATESQL_OK)
    st = atesql_selector_add(sel, "actor_id", ATESQL_OP_EQ, empty, 1, &err);
  if (st == ATESQL_OK)
    st = atesql_selector_add(sel, "worker_namespace", ATESQL_OP_EQ,
                             &pool->worker_namespace, 1, &err);
  if (st == ATESQL_OK)
    st = atesql_selector_add(sel, "worker_pool", ATESQL_OP_EQ,
                             &pool->worker_pool, 1, &err);
  if (st == ATESQL_OK && on_nodes)
    st = atesql_selector_add(sel, "node_name", ATESQL_OP_IN,
                             req->preferred_nodes, req->preferred_node_count,
                             &err);
  if (st != ATESQL_OK) {
    atesql_selector_free(sel);
    return store_fail(s, st, "claim selector: %s", err.message);
  }
  *out = sel;
  return ATESQL_OK;
}

/*
** The statement of a candidate search: "SELECT key FROM workers WHERE
** <selector> LIMIT 1" and the dialect's candidate lock (PostgreSQL: FOR
** UPDATE SKIP LOCKED). No ORDER
** BY: any free worker will do, and without one each database searches the
** index that bounds every term (free workers by node and pool, or by pool)
** instead of one that merely yields key order.
*/
static atesql_status candidate_statement(atesql_store *s,
                                         const atesql_selector *sel,
                                         atesql_compiled **where, char **sql) {
  atesql_error err;
  *sql = NULL;
  if (atesql_selector_compile(sel, s->dialect->id, where, &err) != ATESQL_OK)
    return store_fail(s, err.status, "%s", err.message);
  strbuf sb = STRBUF_INIT;
  strbuf_printf(&sb,
                "SELECT worker_namespace, worker_pool, worker_pod FROM workers "
                "WHERE %s LIMIT 1%s",
                (*where)->sql, s->dialect->candidate_lock);
  *sql = strbuf_detach(&sb);
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
  /* Successive claims start at successive pools, spreading over them. */
  size_t first = s->claims++ % req->pool_count;
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

atesql_status atesql_claim_explain(atesql_store *s,
                                   const atesql_claim_request *req,
                                   atesql_plan **out) {
  store_begin_call(s);
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  atesql_status st = check_request(s, req);
  if (st != ATESQL_OK) return st;
  atesql_selector *sel = NULL;
  atesql_compiled *where = NULL;
  char *sql = NULL;
  st = candidate_selector(s, req, &req->pools[0], req->preferred_node_count > 0,
                          &sel);
  if (st == ATESQL_OK) st = candidate_statement(s, sel, &where, &sql);
  if (st == ATESQL_OK) {
    list_call c = {0};
    c.selector = sel;
    c.compiled = where;
    c.sql = sql;
    explained_page page = {&worker_spec, &c, 0, 0, false, 0, {0}};
    page.nparams = bind_compiled(where, c.params);
    st = explain_run(s, &page, out);
  }
  free(sql);
  atesql_compiled_free(where);
  atesql_selector_free(sel);
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
      st = record_from_row(s, &worker_spec, &q, (void **)kept);
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
    if (st == ATESQL_OK && !found) {
      char first[160];
      const char *parts[] = {req->pools[0].worker_namespace,
                             req->pools[0].worker_pool};
      name_record(first, sizeof first, "pool", parts, 2);
      st = store_fail(
          s, ATESQL_RESOURCE_EXHAUSTED, "no free worker for actor in %s%s%s%s",
          first, req->pool_count > 1 ? " or the other eligible pools" : "",
          req->preferred_node_count && req->policy == ATESQL_NODES_REQUIRE
              ? " on the required nodes"
              : "",
          req->selector_text && *req->selector_text ? " matching the selector"
                                                    : "");
    }
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
      st = record_from_row(s, &worker_spec, &q, (void **)&c->worker);
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

atesql_status atesql_worker_claim(atesql_store *s,
                                  const atesql_claim_request *req,
                                  atesql_worker **out) {
  store_begin_call(s);
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  atesql_status st = check_request(s, req);
  if (st != ATESQL_OK) return st;
  claim_call c = {req, NULL};
  st = store_in_tx(s, claim_in_tx, &c);
  if (st != ATESQL_OK) {
    atesql_worker_free(c.worker);
    return st;
  }
  *out = c.worker;
  return ATESQL_OK;
}

atesql_status atesql_worker_release(atesql_store *s, const char *ns,
                                    const char *pool, const char *pod,
                                    const char *actor_atespace,
                                    const char *actor_id, bool *released) {
  store_begin_call(s);
  bool ignored;
  if (released == NULL) released = &ignored;
  *released = false;
  const char *names[] = {"worker_namespace", "worker_pool", "worker_pod",
                         "actor_atespace", "actor_id"};
  const char *values[] = {ns, pool, pod, actor_atespace, actor_id};
  atesql_status st = ATESQL_OK;
  for (int i = 0; st == ATESQL_OK && i < 5; i++)
    st = check_indexed_text(s, names[i], values[i], true);
  if (st != ATESQL_OK) return st;
  db_param p[5];
  for (int i = 0; i < 5; i++)
    p[i] = param_text(values[i]);
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  name_record(what, sizeof what, "worker", values, 3);
  write_outcome out;
  st = conditional_write(s, STMT_worker_release, p, 5, STMT_worker_probe, 3,
                         &out);
  if (st != ATESQL_OK) return store_fail_db(s, st, "release %s", what);
  if (out.wrote) {
    *released = true;
    return ATESQL_OK;
  }
  bool found = out.found;
  query_done(&out.probe);
  return found ? ATESQL_OK
               : store_fail(s, ATESQL_NOT_FOUND, "%s not found", what);
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

atesql_status atesql_actor_resume(atesql_store *s,
                                  const atesql_claim_request *req,
                                  int64_t expected_version,
                                  atesql_worker **worker,
                                  atesql_actor **actor) {
  store_begin_call(s);
  if (worker) *worker = NULL;
  if (actor) *actor = NULL;
  atesql_status st = check_request(s, req);
  if (st != ATESQL_OK) return st;
  resume_call r = {req, expected_version, NULL, NULL};
  st = store_in_tx(s, resume_in_tx, &r);
  if (st == ATESQL_OK && worker) {
    *worker = r.worker;
    r.worker = NULL;
  }
  if (st == ATESQL_OK && actor) {
    *actor = r.actor;
    r.actor = NULL;
  }
  atesql_worker_free(r.worker);
  atesql_actor_free(r.actor);
  return st;
}
