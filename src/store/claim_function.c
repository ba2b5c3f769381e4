/*
** A claim and the resume step in one round trip: one statement calls the
** server's function of migration 0007 (atesql_claim, atesql_resume), which
** runs the steps on the server: PostgreSQL's path (store/claim_paths.h).
** The steps and their guarantees are those of claim_steps.c (the actor's
** advisory lock, holders first, the searches pool by pool with SKIP
** LOCKED); the migration says how the function runs them, and adds one:
** when every free worker that fits is locked by another transaction, the
** answer is CONFLICT (retry), not RESOURCE_EXHAUSTED.
**
** The candidate searches are compiled here, as the store compiles every
** selector, but with every value an element of one text[] parameter
** (sel_compile_array), so that the function can EXECUTE any of them with
** one USING argument. One search per phase (preferred nodes, then the
** whole pool) serves every pool: the pools differ only in values. Outside
** a transaction the call is a transaction of its own; inside the caller's
** it joins it, and a failure is an answer code, so the caller's
** transaction goes on.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector/ast.h"
#include "store/claim_paths.h"
#include "store/columns.h"
#include "store/record.h"
#include "store/resources.h"
#include "util/strbuf.h"

/* The functions' answer codes (migration 0007). */
enum answer {
  ANSWER_OK = 0,
  ANSWER_NO_FREE_WORKER = 1,
  ANSWER_ALL_LOCKED = 2,
  ANSWER_TAKEN_AT_ASSIGNMENT = 3,
  ANSWER_NO_ACTOR = 4,
  ANSWER_STALE_VERSION = 5,
  ANSWER_LAST_VERSION = 6
};

/*
** The statement of call c, into a string to free (NULL when out of
** memory): the answer code, then the worker's columns and, for the
** resume step, the actor's, each record unpacked from its composite:
**   SELECT r.code, w.worker_namespace, ... FROM atesql_claim($1, ...) AS r
**   CROSS JOIN LATERAL (SELECT (r.worker).*) AS w
*/
static char *call_sql(claim_call_id c) {
  strbuf sb = STRBUF_INIT;
  strbuf_puts(&sb, "SELECT r.code, ");
  columns_list(&sb, &schema_workers, "w.");
  if (c == CLAIM_CALL_RESUME) {
    strbuf_puts(&sb, ", ");
    columns_list(&sb, &schema_actors, "a.");
    strbuf_puts(&sb, " FROM atesql_resume($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                     " AS r CROSS JOIN LATERAL (SELECT (r.worker).*) AS w"
                     " CROSS JOIN LATERAL (SELECT (r.actor).*) AS a");
  } else {
    strbuf_puts(&sb, " FROM atesql_claim($1, $2, $3, $4, $5, $6, $7, $8)"
                     " AS r CROSS JOIN LATERAL (SELECT (r.worker).*) AS w");
  }
  return strbuf_detach(&sb);
}

/* Append v (NULL: SQL NULL) to the PostgreSQL array literal in sb, which
** holds "{" and the elements so far. */
static void array_item(strbuf *sb, const char *v) {
  if (sb->len > 1) strbuf_puts(sb, ",");
  if (v == NULL) {
    strbuf_puts(sb, "NULL");
    return;
  }
  strbuf_puts(sb, "\"");
  for (const char *p = v; *p; p++) {
    if (*p == '"' || *p == '\\') strbuf_puts(sb, "\\");
    strbuf_append(sb, p, 1);
  }
  strbuf_puts(sb, "\"");
}

/* Append parameter p of a compiled search as an element. */
static void array_param(strbuf *sb, const atesql_param *p) {
  if (p->type != ATESQL_PARAM_INT64) {
    array_item(sb, p->text);
    return;
  }
  char number[24];
  snprintf(number, sizeof number, "%" PRId64, p->int64);
  array_item(sb, number);
}

/* The functions' arguments from the pools on, as PostgreSQL array
** literals: the eligible pools in the order to try, the searches (one a
** phase), and every search's parameters, a row of `width` per phase and
** pool. */
typedef struct search_args {
  strbuf namespaces, pools, searches, params;
} search_args;

static void args_release(search_args *a) {
  strbuf_release(&a->namespaces);
  strbuf_release(&a->pools);
  strbuf_release(&a->searches);
  strbuf_release(&a->params);
}

/* The searches of one request: compiled[phase * npools + i] is that of
** pool i (in the order tried) in phase `phase`. */
typedef struct searches {
  atesql_compiled *compiled[2 * ATESQL_CLAIM_POOLS_MAX];
  size_t count;  /* of compiled */
  size_t phases; /* 1 or 2 */
  size_t width;  /* the most parameters of one */
} searches;

static void searches_release(searches *w) {
  for (size_t i = 0; i < w->count; i++)
    atesql_compiled_free(w->compiled[i]);
}

/* Compile the search of one pool in one phase into w. Every pool of a
** phase must give the same text (pools differ only in values). */
static atesql_status compile_search(atesql_store *s,
                                    const atesql_claim_request *req,
                                    const atesql_pool_ref *pool, bool on_nodes,
                                    size_t i, searches *w) {
  atesql_selector *sel = NULL;
  atesql_status st = candidate_selector(s, req, pool, on_nodes, &sel);
  if (st != ATESQL_OK) return st;
  atesql_error err = {0};
  atesql_compiled **c = &w->compiled[w->count];
  st = sel_compile_array(sel, c, &err);
  atesql_selector_free(sel);
  if (st != ATESQL_OK) return store_fail(s, st, "%s", err.message);
  w->count++;
  if (i > 0 && strcmp((*c)->sql, w->compiled[w->count - 1 - i]->sql) != 0)
    return store_fail(s, ATESQL_INTERNAL,
                      "the candidate searches of two pools differ");
  if ((*c)->param_count > w->width) w->width = (*c)->param_count;
  return ATESQL_OK;
}

/* Every search of req, in the order the function tries them. */
static atesql_status compile_searches(atesql_store *s,
                                      const atesql_claim_request *req,
                                      size_t first, searches *w) {
  atesql_status st = ATESQL_OK;
  for (int phase = 0; st == ATESQL_OK && phase < 2; phase++) {
    bool on_nodes = phase == 0;
    if (on_nodes && req->preferred_node_count == 0) continue;
    if (!on_nodes && req->policy == ATESQL_NODES_REQUIRE) break;
    for (size_t i = 0; st == ATESQL_OK && i < req->pool_count; i++)
      st = compile_search(s, req, &req->pools[(first + i) % req->pool_count],
                          on_nodes, i, w);
    w->phases++;
  }
  return st;
}

static atesql_status
build_args(atesql_store *s, const atesql_claim_request *req, search_args *a) {
  size_t first = claim_first_pool(s, req);
  searches w = {0};
  atesql_status st = compile_searches(s, req, first, &w);
  strbuf_puts(&a->namespaces, "{");
  strbuf_puts(&a->pools, "{");
  strbuf_puts(&a->searches, "{");
  strbuf_puts(&a->params, "{");
  for (size_t i = 0; st == ATESQL_OK && i < req->pool_count; i++) {
    const atesql_pool_ref *p = &req->pools[(first + i) % req->pool_count];
    array_item(&a->namespaces, p->worker_namespace);
    array_item(&a->pools, p->worker_pool);
  }
  for (size_t k = 0; st == ATESQL_OK && k < w.phases; k++) {
    char *sql = candidate_search_sql(w.compiled[k * req->pool_count]->sql, "");
    if (sql == NULL)
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
    else
      array_item(&a->searches, sql);
    free(sql);
  }
  for (size_t k = 0; st == ATESQL_OK && k < w.count; k++)
    for (size_t j = 0; j < w.width; j++) {
      if (j < w.compiled[k]->param_count)
        array_param(&a->params, &w.compiled[k]->params[j]);
      else
        array_item(&a->params, NULL);
    }
  strbuf_puts(&a->namespaces, "}");
  strbuf_puts(&a->pools, "}");
  strbuf_puts(&a->searches, "}");
  strbuf_puts(&a->params, "}");
  searches_release(&w);
  if (st == ATESQL_OK &&
      (strbuf_failed(&a->namespaces) || strbuf_failed(&a->pools) ||
       strbuf_failed(&a->searches) || strbuf_failed(&a->params)))
    st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  return st;
}

static db_param param_strbuf(const strbuf *sb) {
  return (db_param){DB_TEXT, sb->data, sb->len, 0};
}

static const char *or_empty(const char *v) { return v ? v : ""; }

/* Run call c with params, its one row current in *q on success (the
** caller finishes q, also on failure). Errors: the driver's, prefixed
** with `what`. */
static atesql_status run_call(atesql_store *s, claim_call_id c,
                              const db_param *params, size_t n,
                              const char *what, query *q) {
  if (s->call_sql[c] == NULL && (s->call_sql[c] = call_sql(c)) == NULL)
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  atesql_status st =
      query_slot(s, &s->call_stmt[c], s->call_sql[c], params, n, q);
  if (st != ATESQL_OK) return store_fail_db(s, st, "%s", what);
  if (!q->row)
    return store_fail(s, ATESQL_INTERNAL, "%s: the function answered no row",
                      what);
  return ATESQL_OK;
}

/* Finish q after its answer gave st. */
static atesql_status finish_call(query *q, atesql_status st) {
  atesql_status done = query_done(q);
  return st == ATESQL_OK ? done : st;
}

/*
** The status of a claim's answer code, with its message; on OK the
** worker (query column 1 on) into *worker.
*/
static atesql_status claim_answer(atesql_store *s,
                                  const atesql_claim_request *req,
                                  const query *q, atesql_worker **worker) {
  switch (query_int64(q, 0)) {
  case ANSWER_OK:
    return record_from_row(s, &worker_spec, q, 1, (void **)worker);
  case ANSWER_NO_FREE_WORKER: return fail_no_free_worker(s, req, false);
  case ANSWER_ALL_LOCKED: return fail_no_free_worker(s, req, true);
  case ANSWER_TAKEN_AT_ASSIGNMENT:
    return store_fail(s, ATESQL_INTERNAL,
                      "the free worker found was not free at assignment");
  default:
    return store_fail(s, ATESQL_INTERNAL,
                      "the claim function answered code %lld",
                      (long long)query_int64(q, 0));
  }
}

/* The arguments both functions begin with, into p[0..8): the actor, its
** assignment and the searches of a. */
enum { CLAIM_ARGS = 8 };
static void claim_args(const atesql_claim_request *req, const search_args *a,
                       db_param p[CLAIM_ARGS]) {
  p[0] = param_text(req->actor_atespace);
  p[1] = param_text(req->actor_id);
  p[2] = param_text(or_empty(req->actor_namespace));
  p[3] = param_text(or_empty(req->actor_template));
  p[4] = param_strbuf(&a->namespaces);
  p[5] = param_strbuf(&a->pools);
  p[6] = param_strbuf(&a->searches);
  p[7] = param_strbuf(&a->params);
}

static atesql_status call_claim(atesql_store *s,
                                const atesql_claim_request *req,
                                atesql_worker **out) {
  search_args a = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
  atesql_status st = build_args(s, req, &a);
  if (st == ATESQL_OK) {
    db_param p[CLAIM_ARGS];
    claim_args(req, &a, p);
    query q = {0};
    st = run_call(s, CLAIM_CALL_CLAIM, p, CLAIM_ARGS, "claim a worker", &q);
    if (st == ATESQL_OK) st = claim_answer(s, req, &q, out);
    st = finish_call(&q, st);
  }
  args_release(&a);
  return st;
}

/* The status of a resume step's answer code; on OK the records into
** *worker and *actor. The actor's columns follow the worker's. */
static atesql_status resume_answer(atesql_store *s,
                                   const atesql_claim_request *req,
                                   int64_t expected_version, const query *q,
                                   atesql_worker **worker,
                                   atesql_actor **actor) {
  int actor_col = 1 + (int)schema_workers.column_count;
  char what[ATESQL_ERROR_MESSAGE_MAX / 2];
  const char *parts[] = {req->actor_atespace, req->actor_id};
  record_name(&schema_actors, parts, what, sizeof what);
  int64_t code = query_int64(q, 0);
  if (code == ANSWER_NO_ACTOR)
    return store_fail(s, ATESQL_NOT_FOUND, "%s not found", what);
  if (code == ANSWER_LAST_VERSION) return fail_last_version(s, what);
  atesql_status st =
      record_from_row(s, &actor_spec, q, actor_col, (void **)actor);
  if (st != ATESQL_OK) return st;
  if (code == ANSWER_STALE_VERSION)
    return store_fail(
        s, ATESQL_CONFLICT, "%s is at version %lld, not %lld; reload and retry",
        what, (long long)(*actor)->version, (long long)expected_version);
  return claim_answer(s, req, q, worker);
}

static atesql_status call_resume(atesql_store *s,
                                 const atesql_claim_request *req,
                                 int64_t expected_version,
                                 atesql_worker **worker, atesql_actor **actor) {
  search_args a = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
  atesql_status st = build_args(s, req, &a);
  if (st == ATESQL_OK) {
    db_param p[CLAIM_ARGS + 1];
    claim_args(req, &a, p);
    p[CLAIM_ARGS] = param_int64(expected_version);
    query q = {0};
    st = run_call(s, CLAIM_CALL_RESUME, p, CLAIM_ARGS + 1, "resume an actor",
                  &q);
    if (st == ATESQL_OK)
      st = resume_answer(s, req, expected_version, &q, worker, actor);
    st = finish_call(&q, st);
  }
  args_release(&a);
  return st;
}

/* The search as the function runs it for a claim: the text with the lock
** clause it appends, and the one array parameter. */
static atesql_status function_first_search(atesql_store *s,
                                           const atesql_selector *sel,
                                           atesql_compiled **where, char **sql,
                                           char **arena, db_param *params,
                                           size_t *n) {
  *arena = NULL;
  *sql = NULL;
  atesql_error err = {0};
  atesql_status st = sel_compile_array(sel, where, &err);
  if (st != ATESQL_OK) return store_fail(s, st, "%s", err.message);
  strbuf row = STRBUF_INIT;
  strbuf_puts(&row, "{");
  for (size_t j = 0; j < (*where)->param_count; j++)
    array_param(&row, &(*where)->params[j]);
  strbuf_puts(&row, "}");
  *sql = candidate_search_sql((*where)->sql, s->dialect->candidate_lock);
  if (strbuf_failed(&row) || *sql == NULL) {
    strbuf_release(&row);
    return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  }
  *arena = strbuf_detach(&row);
  params[0] = param_text(*arena);
  *n = 1;
  return ATESQL_OK;
}

const claim_path claim_in_one_call = {
    .claim = call_claim,
    .resume = call_resume,
    .first_search = function_first_search,
};
