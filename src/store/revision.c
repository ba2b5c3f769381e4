/*
** The store revision and compaction of the workers' change feed. The
** events themselves are written by the triggers of migration 0005, in the
** transaction of each worker change. On PostgreSQL (migration 0006) they
** are written unnumbered and readers number them: a reader that finds
** committed changes awaiting their numbers (pending) numbers them first.
*/
#include <stdint.h>

#include "store/store.h"

atesql_status number_events(atesql_store *s) {
  if (s->in_tx) return ATESQL_OK;
  atesql_status st = exec_named(s, STMT_number_events, NULL, 0);
  return st == ATESQL_OK ? st
                         : store_fail_db(s, st, "number the workers' changes");
}

atesql_status read_revision_row(atesql_store *s, int64_t *revision,
                                int64_t *compacted, bool *pending) {
  query q = {0};
  atesql_status st = query_named(s, STMT_store_revision, NULL, 0, &q);
  if (st == ATESQL_OK && !q.row)
    st = store_fail(s, ATESQL_INTERNAL, "store_revision has no row");
  else if (st != ATESQL_OK)
    store_fail_db(s, st, "read the store revision");
  if (st == ATESQL_OK) {
    if (revision) *revision = query_int64(&q, 0);
    if (compacted) *compacted = query_int64(&q, 1);
    *pending = query_int64(&q, 2) != 0;
  }
  atesql_status done = query_done(&q);
  return st == ATESQL_OK && done != ATESQL_OK
             ? store_fail_db(s, done, "read the store revision")
             : st;
}

atesql_status read_store_revision(atesql_store *s, int64_t *revision,
                                  int64_t *compacted) {
  bool pending = false;
  atesql_status st = read_revision_row(s, revision, compacted, &pending);
  /* Changes committed before this call are numbered by the time it
  ** answers; those still pending after the numbering came later. */
  if (st == ATESQL_OK && pending && !s->in_tx) {
    st = number_events(s);
    if (st == ATESQL_OK)
      st = read_revision_row(s, revision, compacted, &pending);
  }
  return st;
}

static atesql_status store_revision_call(atesql_store *s, int64_t *revision,
                                         int64_t *compacted) {
  return read_store_revision(s, revision, compacted);
}

atesql_status atesql_store_revision(atesql_store *s, int64_t *revision,
                                    int64_t *compacted) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_STORE_REVISION, start,
                  store_revision_call(s, revision, compacted));
}

typedef struct compaction {
  int64_t target;
} compaction;

static atesql_status compact_in_tx(atesql_store *s, void *arg) {
  const compaction *c = arg;
  db_param p = param_int64(c->target);
  atesql_status st = exec_named(s, STMT_compact_events, &p, 1);
  if (st == ATESQL_OK) st = exec_named(s, STMT_compact_mark, &p, 1);
  return st == ATESQL_OK ? st : store_fail_db(s, st, "compact");
}

/* Lower *target to the highest revision committed more than keep_ms ago. */
static atesql_status bound_by_age(atesql_store *s, int64_t keep_ms,
                                  int64_t *target) {
  query q = {0};
  db_param p = param_int64(keep_ms);
  atesql_status st = query_named(s, STMT_revision_before_ms, &p, 1, &q);
  if (st != ATESQL_OK) {
    query_done(&q);
    return store_fail_db(s, st, "compact");
  }
  int64_t before = q.row ? query_int64(&q, 0) : 0;
  if (before < *target) *target = before;
  return query_done(&q);
}

static atesql_status compact_call(atesql_store *s, const atesql_compact_opts *o,
                                  int64_t *compacted) {
  if (o == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "compact: opts is NULL");
  if (o->revision < 0 || o->keep_revisions < 0 || o->keep_ms < 0)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "compact: revision, keep_revisions and keep_ms must not "
                      "be negative");
  if (o->revision == 0 && o->keep_revisions == 0 && o->keep_ms == 0)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "compact: set revision, keep_revisions or keep_ms");
  int64_t current = 0, done = 0;
  atesql_status st = read_store_revision(s, &current, &done);
  if (st != ATESQL_OK) return st;
  if (o->revision > current)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "compact: revision %lld is beyond the store's revision "
                      "%lld",
                      (long long)o->revision, (long long)current);
  /* Each option bounds what may go; the lowest bound wins, so that an
  ** event any of them keeps is kept. */
  int64_t target = o->revision ? o->revision : current;
  if (o->keep_revisions && current - o->keep_revisions < target)
    target = current - o->keep_revisions;
  if (o->keep_ms) st = bound_by_age(s, o->keep_ms, &target);
  if (st != ATESQL_OK) return st;
  if (target > done) {
    compaction c = {target};
    st = store_in_tx(s, compact_in_tx, &c);
    if (st != ATESQL_OK) return st;
    done = target;
  }
  if (compacted) *compacted = done;
  return ATESQL_OK;
}

atesql_status atesql_compact(atesql_store *s, const atesql_compact_opts *o,
                             int64_t *compacted) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_COMPACT, start, compact_call(s, o, compacted));
}
