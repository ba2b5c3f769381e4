/*
** Assignment's public calls: check a claim request, build the selector
** of a candidate search, and hand the claim or the resume step to the
** dialect's path (store/claim_paths.h): on SQLite, statements one by one
** in one transaction (claim_steps.c: in-process statements cost no round
** trip); on PostgreSQL, one call of the functions of migration 0007
** (claim_function.c: one round trip). A release is one conditional write
** on both. atesql_claim_explain explains the first candidate search as
** the path runs it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector/ast.h"
#include "store/claim_paths.h"
#include "store/explain.h"
#include "store/list.h"
#include "util/strbuf.h"

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

atesql_status candidate_selector(atesql_store *s,
                                 const atesql_claim_request *req,
                                 const atesql_pool_ref *pool, bool on_nodes,
                                 atesql_selector **out) {
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

char *candidate_search_sql(const char *where, const char *lock) {
  strbuf sb = STRBUF_INIT;
  strbuf_printf(&sb,
                "SELECT worker_namespace, worker_pool, worker_pod FROM workers "
                "WHERE %s LIMIT 1%s",
                where, lock);
  return strbuf_detach(&sb);
}

size_t claim_first_pool(atesql_store *s, const atesql_claim_request *req) {
  return s->claims++ % req->pool_count;
}

atesql_status fail_no_free_worker(atesql_store *s,
                                  const atesql_claim_request *req,
                                  bool locked) {
  char first[160];
  const char *parts[] = {req->pools[0].worker_namespace,
                         req->pools[0].worker_pool};
  name_record(first, sizeof first, "pool", parts, 2);
  return store_fail(
      s, locked ? ATESQL_CONFLICT : ATESQL_RESOURCE_EXHAUSTED,
      "%s for actor in %s%s%s%s%s",
      locked ? "every free worker" : "no free worker", first,
      req->pool_count > 1 ? " or the other eligible pools" : "",
      req->preferred_node_count && req->policy == ATESQL_NODES_REQUIRE
          ? " on the required nodes"
          : "",
      req->selector_text && *req->selector_text ? " matching the selector" : "",
      locked ? " is being claimed by another transaction; retry" : "");
}

static atesql_status claim_explain_call(atesql_store *s,
                                        const atesql_claim_request *req,
                                        atesql_plan **out) {
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  atesql_status st = check_request(s, req);
  if (st != ATESQL_OK) return st;
  atesql_selector *sel = NULL;
  atesql_compiled *where = NULL;
  char *sql = NULL, *arena = NULL;
  st = candidate_selector(s, req, &req->pools[0], req->preferred_node_count > 0,
                          &sel);
  list_call c = {0};
  explained_page page = {&worker_spec, &c, 0, 0, false, 0, {0}};
  if (st == ATESQL_OK)
    st = s->dialect->claim->first_search(s, sel, &where, &sql, &arena, c.params,
                                         &page.nparams);
  if (st == ATESQL_OK) {
    c.selector = sel;
    c.compiled = where;
    c.sql = sql;
    st = explain_run(s, &page, out);
  }
  free(sql);
  free(arena);
  atesql_compiled_free(where);
  atesql_selector_free(sel);
  return st;
}

atesql_status atesql_claim_explain(atesql_store *s,
                                   const atesql_claim_request *req,
                                   atesql_plan **out) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_CLAIM_EXPLAIN, start,
                  claim_explain_call(s, req, out));
}

static atesql_status worker_claim_call(atesql_store *s,
                                       const atesql_claim_request *req,
                                       atesql_worker **out) {
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  atesql_status st = check_request(s, req);
  if (st != ATESQL_OK) return st;
  return s->dialect->claim->claim(s, req, out);
}

atesql_status atesql_worker_claim(atesql_store *s,
                                  const atesql_claim_request *req,
                                  atesql_worker **out) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_WORKER_CLAIM, start,
                  worker_claim_call(s, req, out));
}

static atesql_status worker_release_call(atesql_store *s, const char *ns,
                                         const char *pool, const char *pod,
                                         const char *actor_atespace,
                                         const char *actor_id, bool *released) {
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

atesql_status atesql_worker_release(atesql_store *s, const char *ns,
                                    const char *pool, const char *pod,
                                    const char *actor_atespace,
                                    const char *actor_id, bool *released) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_WORKER_RELEASE, start,
                  worker_release_call(s, ns, pool, pod, actor_atespace,
                                      actor_id, released));
}

static atesql_status actor_resume_call(atesql_store *s,
                                       const atesql_claim_request *req,
                                       int64_t expected_version,
                                       atesql_worker **worker,
                                       atesql_actor **actor) {
  if (worker) *worker = NULL;
  if (actor) *actor = NULL;
  atesql_status st = check_request(s, req);
  if (st != ATESQL_OK) return st;
  atesql_worker *w = NULL;
  atesql_actor *a = NULL;
  st = s->dialect->claim->resume(s, req, expected_version, &w, &a);
  if (st == ATESQL_OK && worker) {
    *worker = w;
    w = NULL;
  }
  if (st == ATESQL_OK && actor) {
    *actor = a;
    a = NULL;
  }
  atesql_worker_free(w);
  atesql_actor_free(a);
  return st;
}

atesql_status atesql_actor_resume(atesql_store *s,
                                  const atesql_claim_request *req,
                                  int64_t expected_version,
                                  atesql_worker **worker,
                                  atesql_actor **actor) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_ACTOR_RESUME, start,
                  actor_resume_call(s, req, expected_version, worker, actor));
}
