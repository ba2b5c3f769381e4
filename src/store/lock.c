/*
** Locks: named leases with an owner's value, an expiry on the database
** clock and a fencing token per acquisition, so that schedulers on
** different machines agree on when a lease ends and a holder that outlived
** its lease cannot write as if it still held it. Every write is one
** statement: acquire takes a free or expired lock (an upsert that only
** overwrites an expired row, counting the key's token up), renew and
** release touch only the holder's live row. A lock's row is never deleted
** (migration 0008), so its token count survives release and expiry.
*/
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/arena.h"

static atesql_status check_lock_args(atesql_store *s, const char *key,
                                     const char *value) {
  atesql_status st = check_indexed_text(s, "lock key", key, true);
  return st == ATESQL_OK ? check_text(s, "lock value", value, true) : st;
}

static atesql_status check_ttl(atesql_store *s, int64_t ttl_ms) {
  if (ttl_ms > 0 && ttl_ms <= ATESQL_LOCK_TTL_MAX_MS) return ATESQL_OK;
  return store_fail(s, ATESQL_INVALID_ARGUMENT,
                    "lock ttl_ms must be 1..%lld (30 days), got %lld",
                    (long long)ATESQL_LOCK_TTL_MAX_MS, (long long)ttl_ms);
}

/*
** A lock write that returns the lock's token in a row when it wrote
** (acquire, renew: `what`) and no row when it did not: checks the
** arguments (`flag` names the out-parameter that must not be NULL), runs
** it, and sets *wrote and *token (may be NULL; 0 when nothing was written
** or on an error). The statement may commit in query_finish (SQLite
** resets a RETURNING statement there), so the token only counts when that
** succeeds too.
*/
static atesql_status token_write(atesql_store *s, stmt_id id, const char *what,
                                 const char *flag, const char *key,
                                 const char *value, int64_t ttl_ms, bool *wrote,
                                 int64_t *token) {
  if (token != NULL) *token = 0;
  if (wrote == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT, "%s is NULL", flag);
  *wrote = false;
  atesql_status st = check_lock_args(s, key, value);
  if (st == ATESQL_OK) st = check_ttl(s, ttl_ms);
  if (st != ATESQL_OK) return st;
  db_param params[] = {param_text(key), param_text(value), param_int64(ttl_ms)};
  query q;
  st = query_named(s, id, params, 3, &q);
  int64_t written = st == ATESQL_OK && q.row ? query_int64(&q, 0) : 0;
  st = query_finish(&q, st);
  if (st != ATESQL_OK) return store_fail_db(s, st, "%s lock '%s'", what, key);
  *wrote = written > 0;
  if (token != NULL) *token = written;
  return ATESQL_OK;
}

atesql_status atesql_lock_acquire_token(atesql_store *s, const char *key,
                                        const char *value, int64_t ttl_ms,
                                        bool *acquired, int64_t *token) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_LOCK_ACQUIRE, start,
                  token_write(s, STMT_lock_acquire, "acquire", "acquired", key,
                              value, ttl_ms, acquired, token));
}

atesql_status atesql_lock_acquire(atesql_store *s, const char *key,
                                  const char *value, int64_t ttl_ms,
                                  bool *acquired) {
  return atesql_lock_acquire_token(s, key, value, ttl_ms, acquired, NULL);
}

atesql_status atesql_lock_renew(atesql_store *s, const char *key,
                                const char *value, int64_t ttl_ms,
                                bool *renewed, int64_t *token) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_LOCK_RENEW, start,
                  token_write(s, STMT_lock_renew, "renew", "renewed", key,
                              value, ttl_ms, renewed, token));
}

static atesql_status lock_release_call(atesql_store *s, const char *key,
                                       const char *value, bool *released) {
  if (released != NULL) *released = false;
  atesql_status st = check_lock_args(s, key, value);
  if (st != ATESQL_OK) return st;
  db_param params[] = {param_text(key), param_text(value)};
  query q;
  st = query_named(s, STMT_lock_release, params, 2, &q);
  bool held = st == ATESQL_OK && q.row;
  st = query_finish(&q, st);
  if (st != ATESQL_OK) return store_fail_db(s, st, "release lock '%s'", key);
  if (released != NULL) *released = held;
  return ATESQL_OK;
}

atesql_status atesql_lock_release(atesql_store *s, const char *key,
                                  const char *value, bool *released) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_LOCK_RELEASE, start,
                  lock_release_call(s, key, value, released));
}

/* The lock's row as lock_check reads it. */
typedef struct lock_state {
  bool found;
  bool held_by_value; /* its holder is the caller's value */
  bool live;          /* not expired (nor released) */
  int64_t token;
} lock_state;

/* FAILED_PRECONDITION naming why `state` is not value's live lock with
** `token`, or OK when it is. */
static atesql_status judge_check(atesql_store *s, const char *key,
                                 int64_t token, const lock_state *state) {
  if (!state->found || !state->live)
    return store_fail(s, ATESQL_FAILED_PRECONDITION,
                      "lock '%s' is not held (free or expired): fencing "
                      "token %lld is stale",
                      key, (long long)token);
  if (!state->held_by_value)
    return store_fail(s, ATESQL_FAILED_PRECONDITION,
                      "lock '%s' is held by another owner (token %lld): "
                      "fencing token %lld is stale",
                      key, (long long)state->token, (long long)token);
  if (state->token != token)
    return store_fail(s, ATESQL_FAILED_PRECONDITION,
                      "lock '%s' was acquired again (token %lld): fencing "
                      "token %lld is stale",
                      key, (long long)state->token, (long long)token);
  return ATESQL_OK;
}

static atesql_status lock_check_call(atesql_store *s, const char *key,
                                     const char *value, int64_t token) {
  atesql_status st = check_lock_args(s, key, value);
  if (st != ATESQL_OK) return st;
  if (token < 1)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "lock token must be 1 or more, got %lld",
                      (long long)token);
  db_param params[] = {param_text(key)};
  query q;
  lock_state state = {0};
  st = query_named(s, STMT_lock_check, params, 1, &q);
  if (st == ATESQL_OK && q.row) {
    size_t len = 0;
    const char *holder = query_text(&q, 0, &len);
    if (holder == NULL) st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
    state.found = true;
    state.held_by_value =
        holder && len == strlen(value) && memcmp(holder, value, len) == 0;
    state.token = query_int64(&q, 1);
    state.live = query_int64(&q, 2) != 0;
  }
  st = query_finish(&q, st);
  if (st != ATESQL_OK) return store_fail_db(s, st, "check lock '%s'", key);
  return judge_check(s, key, token, &state);
}

atesql_status atesql_lock_check(atesql_store *s, const char *key,
                                const char *value, int64_t token) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_LOCK_CHECK, start,
                  lock_check_call(s, key, value, token));
}

/* Add the current row of q to the growing array *items (of *count, room
** for *cap), its strings copied into the list's arena. False when out of
** memory. */
static bool append_lock_row(atesql_lock_list *list, const query *q,
                            atesql_lock_info **items, size_t *count,
                            size_t *cap) {
  if (*count == *cap) {
    size_t grown = *cap ? *cap * 2 : 16;
    atesql_lock_info *more = realloc(*items, grown * sizeof *more);
    if (more == NULL) return false;
    *items = more;
    *cap = grown;
  }
  size_t key_len = 0, value_len = 0;
  const char *key = query_text(q, 0, &key_len);
  const char *value = query_text(q, 1, &value_len);
  atesql_lock_info *info = &(*items)[*count];
  info->key = key ? arena_strndup(list, key, key_len) : NULL;
  info->value = value ? arena_strndup(list, value, value_len) : NULL;
  info->expires_at_ms = query_int64(q, 2);
  info->token = query_int64(q, 3);
  list->now_ms = query_int64(q, 4);
  if (info->key == NULL || info->value == NULL) return false;
  (*count)++;
  return true;
}

/* Move the rows gathered in items into the list's arena. */
static bool settle_items(atesql_lock_list *list, const atesql_lock_info *items,
                         size_t count) {
  if (count == 0) return true;
  list->items = arena_alloc(list, count * sizeof *list->items);
  if (list->items == NULL) return false;
  memcpy(list->items, items, count * sizeof *items);
  list->count = count;
  return true;
}

static atesql_status lock_list_held_call(atesql_store *s,
                                         atesql_lock_list **out) {
  if (out == NULL) return store_fail(s, ATESQL_INVALID_ARGUMENT, "out is NULL");
  *out = NULL;
  atesql_lock_list *list = arena_new(sizeof *list, 1024);
  if (list == NULL) return store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  atesql_lock_info *items = NULL;
  size_t count = 0, cap = 0;
  query q;
  atesql_status st = query_named(s, STMT_lock_list, NULL, 0, &q);
  while (st == ATESQL_OK && q.row) {
    if (!append_lock_row(list, &q, &items, &count, &cap))
      st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
    else
      st = query_next(&q);
  }
  st = query_finish(&q, st);
  if (st == ATESQL_OK && !settle_items(list, items, count))
    st = store_fail(s, ATESQL_NO_MEMORY, "out of memory");
  free(items);
  if (st != ATESQL_OK) {
    arena_free(list);
    return store_fail_db(s, st, "list held locks");
  }
  *out = list;
  return ATESQL_OK;
}

atesql_status atesql_lock_list_held(atesql_store *s, atesql_lock_list **out) {
  int64_t start = call_begin(s);
  return call_end(s, ATESQL_CALL_LOCK_LIST_HELD, start,
                  lock_list_held_call(s, out));
}

void atesql_lock_list_free(atesql_lock_list *list) { arena_free(list); }
