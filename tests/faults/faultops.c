/*
** The operations the fault-injection suites drive (faultops.h), and the
** records of the template they act on: each operation is one API call or
** sequence (a create, a versioned update, a claim, a transaction, an
** import, a migration, a list ...) that notes the status of every call
** and its outputs, with a check through the API, on a new handle, that
** its effect is present or absent.
*/
#include "faults/faultops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- The template's records. ---- */

static const char *const nodes[] = {"node-1", "node-2"};
static const atesql_snapshot_info local_snapshot = {
    .type = ATESQL_SNAPSHOT_TYPE_LOCAL,
    .data = ATESQL_SNAPSHOT_DATA_LOCAL,
    .local_snapshot_prefix = "snap/a1",
    .local_node_vms = nodes,
    .local_node_vm_count = 2};
static const atesql_label labels[] = {{"pool", "cpu"}, {"zone", "z1"}};
static const atesql_worker_selector selector = {labels, 2};

/* An actor in `status` with both nested fields set. */
static atesql_actor seed_actor(const char *space, const char *id,
                               atesql_actor_status status) {
  atesql_actor a = {.atespace = space,
                    .actor_id = id,
                    .actor_template_namespace = "tns",
                    .actor_template_name = "tname",
                    .status = status,
                    .ateom_pod_namespace = "pods",
                    .ateom_pod_name = id,
                    .ateom_pod_ip = "10.1.0.1",
                    .worker_pool_name = "cpu",
                    .latest_snapshot_info = &local_snapshot,
                    .worker_selector = &selector};
  return a;
}

/* A free worker of namespace "ns". */
static atesql_worker seed_worker(const char *pool, const char *pod,
                                 const char *ip) {
  atesql_worker w = {.worker_namespace = "ns",
                     .worker_pool = pool,
                     .worker_pod = pod,
                     .ip = ip,
                     .worker_pod_uid = "uid",
                     .node_name = "node-1"};
  return w;
}

/* Fail a seeding with `what` in why; returns false. */
static bool seed_failed(char *why, size_t whysz, const char *what) {
  snprintf(why, whysz, "%s", what);
  return false;
}

/* A failed call ends the seeding, with the call, its status and the
** store's message in why. */
#define SEED(call)                                                             \
  do {                                                                         \
    atesql_status seed_st = (call);                                            \
    if (seed_st != ATESQL_OK) {                                                \
      snprintf(why, whysz, "%s: %s: %s", #call, atesql_status_str(seed_st),    \
               atesql_errmsg(s));                                              \
      return false;                                                            \
    }                                                                          \
  } while (0)

bool faultdb_seed(atesql_store *s, char *why, size_t whysz) {
  atesql_atespace space_a = {"space-a"}, space_empty = {"space-empty"};
  SEED(atesql_atespace_create(s, &space_a));
  SEED(atesql_atespace_create(s, &space_empty));
  atesql_actor a1 = seed_actor("space-a", "a1", ATESQL_ACTOR_STATUS_RUNNING);
  atesql_actor susp =
      seed_actor("space-a", "a-susp", ATESQL_ACTOR_STATUS_SUSPENDED);
  SEED(atesql_actor_create(s, &a1));
  SEED(atesql_actor_create(s, &susp));
  for (int i = 0; i < 10; i++) {
    char id[16];
    snprintf(id, sizeof id, "bulk-%02d", i);
    atesql_actor a = seed_actor("space-a", id, ATESQL_ACTOR_STATUS_PAUSED);
    SEED(atesql_actor_create(s, &a));
  }
  atesql_worker w1 = seed_worker("pool", "w1", "10.0.0.1");
  atesql_worker w2 = seed_worker("pool", "w2", "10.0.0.2");
  SEED(atesql_worker_create(s, &w1));
  SEED(atesql_worker_create(s, &w2));
  atesql_worker held = seed_worker("held", "w-held", "10.0.0.3");
  held.actor_id = "a-held";
  held.actor_atespace = "space-a";
  SEED(atesql_worker_create(s, &held));
  for (int i = 0; i < 30; i++) {
    char pod[16], ip[16];
    snprintf(pod, sizeof pod, "b%02d", i);
    snprintf(ip, sizeof ip, "10.2.0.%d", i);
    atesql_worker w = seed_worker("bulk", pod, ip);
    SEED(atesql_worker_create(s, &w));
  }
  bool acquired = false;
  SEED(atesql_lock_acquire(s, "held-lock", "owner-a", ATESQL_LOCK_TTL_MAX_MS,
                           &acquired));
  if (!acquired) return seed_failed(why, whysz, "held-lock not acquired");
  SEED(atesql_lock_acquire(s, "expired-lock", "owner-old", 1, &acquired));
  if (!acquired) return seed_failed(why, whysz, "expired-lock not acquired");
  return true;
}

/* ---- The operations. ---- */

/*
** Record one call's status in o (and, for the first failure, the store's
** message when s is not NULL); returns st.
*/
static atesql_status note(faultdb_outcome *o, atesql_store *s,
                          atesql_status st) {
  if (o->ncalls < FAULTDB_MAX_CALLS) o->calls[o->ncalls++] = st;
  if (st != ATESQL_OK && o->msg[0] == '\0' && s)
    snprintf(o->msg, sizeof o->msg, "%s", atesql_errmsg(s));
  o->status = st;
  return st;
}

/* Append printf-formatted text to o->result. */
__attribute__((format(printf, 2, 3))) static void result(faultdb_outcome *o,
                                                         const char *fmt, ...) {
  size_t len = strlen(o->result);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(o->result + len, sizeof o->result - len, fmt, ap);
  va_end(ap);
}

static const char *check(bool ok, const char *what) { return ok ? NULL : what; }

/* Whether a record exists, by its get's status; other statuses say the
** check itself failed. */
static const char *present(atesql_status st, bool want, const char *what) {
  if (st != ATESQL_OK && st != ATESQL_NOT_FOUND) return "get failed";
  return check((st == ATESQL_OK) == want, what);
}

static const char *worker_present(atesql_store *s, const char *pool,
                                  const char *pod, bool want,
                                  int64_t *version) {
  atesql_worker *w = NULL;
  atesql_status st = atesql_worker_get(s, "ns", pool, pod, &w);
  if (w && version) *version = w->version;
  atesql_worker_free(w);
  return present(st, want, want ? "worker missing" : "worker present");
}

static const char *actor_present(atesql_store *s, const char *space,
                                 const char *id, bool want, int64_t *version) {
  atesql_actor *a = NULL;
  atesql_status st = atesql_actor_get(s, space, id, &a);
  if (a && version) *version = a->version;
  atesql_actor_free(a);
  return present(st, want, want ? "actor missing" : "actor present");
}

static const char *space_present(atesql_store *s, const char *name, bool want) {
  bool exists = false;
  if (atesql_atespace_exists(s, name, &exists) != ATESQL_OK)
    return "exists failed";
  return check(exists == want, want ? "atespace missing" : "atespace present");
}

/* Whether `owner` holds lock `key`: releasing it says (and frees it). */
static const char *lock_held_by(atesql_store *s, const char *key,
                                const char *owner, bool want) {
  bool released = false;
  if (atesql_lock_release(s, key, owner, &released) != ATESQL_OK)
    return "release failed";
  return check(released == want,
               want ? "lock not held by its owner" : "lock held");
}

/* For read-only operations: nothing to find. */
static const char *verify_nothing(atesql_store *s, bool applied) {
  (void)s;
  (void)applied;
  return NULL;
}

static void op_atespace_create(atesql_store *s, const char *url,
                               faultdb_outcome *o) {
  (void)url;
  atesql_atespace a = {"space-new"};
  note(o, s, atesql_atespace_create(s, &a));
}

static const char *verify_atespace_create(atesql_store *s, bool applied) {
  return space_present(s, "space-new", applied);
}

static void op_worker_create(atesql_store *s, const char *url,
                             faultdb_outcome *o) {
  (void)url;
  atesql_worker w = seed_worker("pool", "w-new", "10.0.0.9");
  note(o, s, atesql_worker_create(s, &w));
}

static const char *verify_worker_create(atesql_store *s, bool applied) {
  return worker_present(s, "pool", "w-new", applied, NULL);
}

static void op_actor_create(atesql_store *s, const char *url,
                            faultdb_outcome *o) {
  (void)url;
  atesql_actor a = seed_actor("space-a", "a-new", ATESQL_ACTOR_STATUS_RESUMING);
  note(o, s, atesql_actor_create(s, &a));
}

static const char *verify_actor_create(atesql_store *s, bool applied) {
  return actor_present(s, "space-a", "a-new", applied, NULL);
}

/* w1 claimed by actor a1: version 1 to 2. */
static atesql_status claim_w1(atesql_store *s, int64_t *version) {
  atesql_worker w = seed_worker("pool", "w1", "10.0.0.1");
  w.actor_namespace = "tns";
  w.actor_template = "tname";
  w.actor_id = "a1";
  w.actor_atespace = "space-a";
  return atesql_worker_update(s, &w, 1, version);
}

static void op_worker_update(atesql_store *s, const char *url,
                             faultdb_outcome *o) {
  (void)url;
  int64_t version = 0;
  if (note(o, s, claim_w1(s, &version)) == ATESQL_OK)
    result(o, "version=%lld", (long long)version);
}

static const char *verify_worker_update(atesql_store *s, bool applied) {
  int64_t version = 0;
  const char *why = worker_present(s, "pool", "w1", true, &version);
  return why ? why : check(version == (applied ? 2 : 1), "w1's version");
}

/* a1 paused: version 1 to 2. */
static atesql_status pause_a1(atesql_store *s, int64_t *version) {
  atesql_actor a = seed_actor("space-a", "a1", ATESQL_ACTOR_STATUS_PAUSED);
  a.ateom_pod_ip = "";
  return atesql_actor_update(s, &a, 1, version);
}

static void op_actor_update(atesql_store *s, const char *url,
                            faultdb_outcome *o) {
  (void)url;
  int64_t version = 0;
  if (note(o, s, pause_a1(s, &version)) == ATESQL_OK)
    result(o, "version=%lld", (long long)version);
}

static const char *verify_actor_update(atesql_store *s, bool applied) {
  int64_t version = 0;
  const char *why = actor_present(s, "space-a", "a1", true, &version);
  return why ? why : check(version == (applied ? 2 : 1), "a1's version");
}

static void op_worker_delete(atesql_store *s, const char *url,
                             faultdb_outcome *o) {
  (void)url;
  note(o, s, atesql_worker_delete(s, "ns", "pool", "w2"));
}

static const char *verify_worker_delete(atesql_store *s, bool applied) {
  return worker_present(s, "pool", "w2", !applied, NULL);
}

static void op_actor_delete(atesql_store *s, const char *url,
                            faultdb_outcome *o) {
  (void)url;
  note(o, s, atesql_actor_delete(s, "space-a", "a-susp"));
}

static const char *verify_actor_delete(atesql_store *s, bool applied) {
  return actor_present(s, "space-a", "a-susp", !applied, NULL);
}

static void op_atespace_delete(atesql_store *s, const char *url,
                               faultdb_outcome *o) {
  (void)url;
  note(o, s, atesql_atespace_delete(s, "space-empty"));
}

static const char *verify_atespace_delete(atesql_store *s, bool applied) {
  return space_present(s, "space-empty", !applied);
}

/* Acquire `key` for owner-b and record whether it was granted, with its
** fencing token. */
static void acquire(atesql_store *s, const char *key, faultdb_outcome *o) {
  bool acquired = false;
  int64_t token = 0;
  atesql_status st = atesql_lock_acquire_token(
      s, key, "owner-b", ATESQL_LOCK_TTL_MAX_MS, &acquired, &token);
  if (st != ATESQL_OK && (acquired || token != 0))
    o->problem = "acquired=true or a token with an error status";
  if (note(o, s, st) == ATESQL_OK)
    result(o, "acquired=%d token=%lld", acquired, (long long)token);
}

/* The held lock `key` as listed, into *info (its strings die with the
** list); NULL when listed, else why not. */
static const char *listed_lock(atesql_store *s, const char *key,
                               atesql_lock_info *info, int64_t *now_ms) {
  atesql_lock_list *list = NULL;
  if (atesql_lock_list_held(s, &list) != ATESQL_OK) return "list locks failed";
  const char *why = "lock not listed";
  for (size_t i = 0; i < list->count; i++)
    if (strcmp(list->items[i].key, key) == 0) {
      *info = list->items[i];
      *now_ms = list->now_ms;
      why = NULL;
    }
  atesql_lock_list_free(list);
  return why;
}

static void op_lock_acquire(atesql_store *s, const char *url,
                            faultdb_outcome *o) {
  (void)url;
  acquire(s, "free-lock", o);
}

static const char *verify_lock_acquire(atesql_store *s, bool applied) {
  return lock_held_by(s, "free-lock", "owner-b", applied);
}

static void op_lock_takeover(atesql_store *s, const char *url,
                             faultdb_outcome *o) {
  (void)url;
  acquire(s, "expired-lock", o);
}

static const char *verify_lock_takeover(atesql_store *s, bool applied) {
  atesql_lock_info info;
  int64_t now;
  if (applied && listed_lock(s, "expired-lock", &info, &now) == NULL &&
      info.token != 2)
    return "taken over without the next token";
  return lock_held_by(s, "expired-lock", "owner-b", applied);
}

/* Renew held-lock (owner-a's for 30 days) to a minute. */
static void op_lock_renew(atesql_store *s, const char *url,
                          faultdb_outcome *o) {
  (void)url;
  bool renewed = false;
  int64_t token = 0;
  atesql_status st =
      atesql_lock_renew(s, "held-lock", "owner-a", 60000, &renewed, &token);
  if (st != ATESQL_OK && (renewed || token != 0))
    o->problem = "renewed=true or a token with an error status";
  if (note(o, s, st) == ATESQL_OK)
    result(o, "renewed=%d token=%lld", renewed, (long long)token);
}

static const char *verify_lock_renew(atesql_store *s, bool applied) {
  atesql_lock_info info;
  int64_t now = 0;
  const char *why = listed_lock(s, "held-lock", &info, &now);
  if (why) return why;
  if (info.token != 1) return "renewal changed the token";
  bool renewed = info.expires_at_ms - now < (int64_t)24 * 3600 * 1000;
  return check(renewed == applied, applied ? "not renewed" : "renewed");
}

static void op_lock_release(atesql_store *s, const char *url,
                            faultdb_outcome *o) {
  (void)url;
  bool released = false;
  atesql_status st = atesql_lock_release(s, "held-lock", "owner-a", &released);
  if (st != ATESQL_OK && released)
    o->problem = "released=true with an error status";
  if (note(o, s, st) == ATESQL_OK) result(o, "released=%d", released);
}

static const char *verify_lock_release(atesql_store *s, bool applied) {
  return lock_held_by(s, "held-lock", "owner-a", !applied);
}

/* A write fenced by held-lock's token, as lock.h shows it: the check,
** then w1 claimed, in one transaction that a failed check rolls back. */
static void op_lock_fenced_write(atesql_store *s, const char *url,
                                 faultdb_outcome *o) {
  (void)url;
  o->in_tx = true;
  if (note(o, s, atesql_tx_begin(s)) != ATESQL_OK) return;
  int64_t version;
  if (note(o, s, atesql_lock_check(s, "held-lock", "owner-a", 1)) !=
          ATESQL_OK ||
      note(o, s, claim_w1(s, &version)) != ATESQL_OK) {
    if (atesql_tx_rollback(s) != ATESQL_OK)
      o->problem = "rollback after a failed fenced write failed";
    return;
  }
  note(o, s, atesql_tx_commit(s));
}

/* Six writes in one transaction; every call runs even after one failed,
** so that the transaction's refusal of later calls is tested. */
static void op_transaction(atesql_store *s, const char *url,
                           faultdb_outcome *o) {
  (void)url;
  o->in_tx = true;
  if (note(o, s, atesql_tx_begin(s)) != ATESQL_OK) return;
  atesql_atespace space = {"space-tx"};
  atesql_actor actor =
      seed_actor("space-tx", "t1", ATESQL_ACTOR_STATUS_RESUMING);
  atesql_worker w = seed_worker("pool", "w-tx", "10.0.0.10");
  int64_t version;
  note(o, s, atesql_atespace_create(s, &space));
  note(o, s, atesql_actor_create(s, &actor));
  note(o, s, claim_w1(s, &version));
  note(o, s, atesql_worker_create(s, &w));
  note(o, s, atesql_worker_delete(s, "ns", "pool", "w2"));
  note(o, s, pause_a1(s, &version));
  note(o, s, atesql_tx_commit(s));
}

static const char *verify_transaction(atesql_store *s, bool applied) {
  const char *why = space_present(s, "space-tx", applied);
  if (!why) why = actor_present(s, "space-tx", "t1", applied, NULL);
  if (!why) why = verify_worker_update(s, applied);
  if (!why) why = worker_present(s, "pool", "w-tx", applied, NULL);
  if (!why) why = worker_present(s, "pool", "w2", !applied, NULL);
  if (!why) why = verify_actor_update(s, applied);
  return why;
}

/* A small actors file, as `atesql actors list --json` writes it. */
static const char *const import_lines[] = {
    "{\"atespace\":\"space-a\",\"actorId\":\"imp-1\",\"version\":\"7\","
    "\"actorTemplateNamespace\":\"tns\",\"actorTemplateName\":\"tname\","
    "\"status\":\"STATUS_SUSPENDED\",\"latestSnapshotInfo\":{\"type\":"
    "\"SNAPSHOT_TYPE_LOCAL\",\"local\":{\"snapshotPrefix\":\"snap/imp-1\","
    "\"nodeVmsWithLocalSnapshots\":[\"node-1\",\"node-2\"]}},"
    "\"workerSelector\":{\"matchLabels\":{\"pool\":\"cpu\"}}}",
    "{\"atespace\":\"space-a\",\"actorId\":\"imp-2\",\"status\":"
    "\"STATUS_RUNNING\",\"ateomPodName\":\"pod-imp-2\",\"ateomPodIp\":"
    "\"10.3.0.2\",\"workerPoolName\":\"cpu\"}",
    "{\"atespace\":\"space-a\",\"actor_id\":\"imp-3\",\"version\":12,"
    "\"latest_snapshot_info\":{\"type\":\"SNAPSHOT_TYPE_EXTERNAL\","
    "\"external\":{\"snapshot_uri_prefix\":\"gs://b/imp-3\"}}}",
    "{\"atespace\":\"space-a\",\"actorId\":\"imp-4\",\"status\":99}",
};

/* As `atesql actors import` does it: one transaction, each line decoded
** and imported, the first failure rolling everything back. */
static void op_import(atesql_store *s, const char *url, faultdb_outcome *o) {
  (void)url;
  o->in_tx = true;
  if (note(o, s, atesql_tx_begin(s)) != ATESQL_OK) return;
  for (size_t i = 0; i < sizeof import_lines / sizeof *import_lines; i++) {
    atesql_actor *a = NULL;
    atesql_error err = {0};
    atesql_status st = atesql_actor_from_json(
        import_lines[i], strlen(import_lines[i]), &a, &err);
    if (st != ATESQL_OK && o->msg[0] == '\0')
      snprintf(o->msg, sizeof o->msg, "line %zu: %.480s", i + 1, err.message);
    if (st != ATESQL_OK && a) o->problem = "from_json: *out set on failure";
    note(o, NULL, st);
    if (st == ATESQL_OK) st = note(o, s, atesql_actor_import(s, a));
    atesql_actor_free(a);
    if (st != ATESQL_OK) {
      atesql_status rb = atesql_tx_rollback(s);
      if (rb != ATESQL_OK) {
        o->problem = "rollback after a failed import failed";
        snprintf(o->msg, sizeof o->msg, "rollback: %s", atesql_errmsg(s));
      }
      return;
    }
  }
  note(o, s, atesql_tx_commit(s));
}

static const char *verify_import(atesql_store *s, bool applied) {
  int64_t version = 0;
  const char *why = actor_present(s, "space-a", "imp-1", applied, &version);
  if (!why && applied && version != 7) why = "imp-1's version";
  if (!why) why = actor_present(s, "space-a", "imp-4", applied, NULL);
  return why;
}

/* migrate up on a fresh file, with the list of what it applied. */
static void op_migrate(atesql_store *s, const char *url, faultdb_outcome *o) {
  (void)s;
  atesql_migration_list *applied = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_migrate_up(url, &applied, &err);
  if (st != ATESQL_OK) snprintf(o->msg, sizeof o->msg, "%s", err.message);
  if (st != ATESQL_OK && applied) o->problem = "applied list set on failure";
  if (note(o, NULL, st) == ATESQL_OK && applied)
    for (size_t i = 0; i < applied->count; i++)
      result(o, "%lld_%s ", (long long)applied->items[i].version,
             applied->items[i].name);
  atesql_migration_list_free(applied);
}

/* The migrated schema is usable: a count and a write work. */
static const char *verify_migrate(atesql_store *s, bool applied) {
  (void)applied;
  int64_t count = -1;
  if (atesql_worker_count(s, NULL, &count) != ATESQL_OK || count != 0)
    return "count workers on the migrated schema";
  atesql_atespace a = {"after-migrate"};
  return check(atesql_atespace_create(s, &a) == ATESQL_OK,
               "create on the migrated schema");
}

/* Every field of a worker read, into o->result. */
static void worker_digest(faultdb_outcome *o, const atesql_worker *w) {
  result(o, "{%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%lld} ", w->worker_namespace,
         w->worker_pool, w->worker_pod, w->actor_namespace, w->actor_template,
         w->actor_id, w->actor_atespace, w->ip, w->worker_pod_uid, w->node_name,
         (long long)w->version);
}

/* Every field of an actor read, nested ones included, into o->result. */
static void actor_digest(faultdb_outcome *o, const atesql_actor *a) {
  result(o, "{%s|%s|%lld|%s|%s|%d|%s|%s|%s|%s|%s|%s", a->atespace, a->actor_id,
         (long long)a->version, a->actor_template_namespace,
         a->actor_template_name, (int)a->status, a->ateom_pod_namespace,
         a->ateom_pod_name, a->ateom_pod_ip, a->ateom_pod_uid,
         a->in_progress_snapshot, a->worker_pool_name);
  const atesql_snapshot_info *i = a->latest_snapshot_info;
  if (i) {
    result(o, "|snap %d %d %s %s", (int)i->type, (int)i->data,
           i->external_snapshot_uri_prefix, i->local_snapshot_prefix);
    for (size_t k = 0; k < i->local_node_vm_count; k++)
      result(o, " %s", i->local_node_vms[k]);
  }
  const atesql_worker_selector *sel = a->worker_selector;
  for (size_t k = 0; sel && k < sel->match_label_count; k++)
    result(o, "|%s=%s", sel->match_labels[k].key, sel->match_labels[k].value);
  result(o, "} ");
}

/* Open a store (and close it) on the template's copy. */
static void op_open(atesql_store *s, const char *url, faultdb_outcome *o) {
  (void)s;
  atesql_store *h = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_store_open(url, &h, &err);
  if (st != ATESQL_OK) snprintf(o->msg, sizeof o->msg, "%s", err.message);
  if (st != ATESQL_OK && h) o->problem = "*out set after a failed open";
  if (note(o, NULL, st) == ATESQL_OK)
    result(o, "dialect=%d", (int)atesql_store_dialect(h));
  atesql_store_close(h);
}

/* Two pages of the bulk workers, the second by the first's token. */
static void op_worker_list(atesql_store *s, const char *url,
                           faultdb_outcome *o) {
  (void)url;
  char token[512] = "";
  for (int page = 0; page < 2; page++) {
    atesql_list_opts opts = {.selector_text = "worker_pool=bulk,actor_id=",
                             .page_size = 10,
                             .page_token = token};
    atesql_worker_page *p = NULL;
    atesql_status st = atesql_worker_list(s, &opts, &p);
    if (st != ATESQL_OK && p) o->problem = "*out set after a failed list";
    if (note(o, s, st) != ATESQL_OK) return;
    for (size_t i = 0; i < p->count; i++)
      worker_digest(o, &p->items[i]);
    result(o, "| ");
    snprintf(token, sizeof token, "%s", p->next_page_token);
    atesql_worker_page_free(p);
  }
}

/* Two pages of the paused actors (nested fields decoded by jansson). */
static void op_actor_list(atesql_store *s, const char *url,
                          faultdb_outcome *o) {
  (void)url;
  char token[512] = "";
  for (int page = 0; page < 2; page++) {
    atesql_list_opts opts = {.selector_text = "status=STATUS_PAUSED",
                             .page_size = 4,
                             .page_token = token};
    atesql_actor_page *p = NULL;
    atesql_status st = atesql_actor_list(s, &opts, &p);
    if (st != ATESQL_OK && p) o->problem = "*out set after a failed list";
    if (note(o, s, st) != ATESQL_OK) return;
    for (size_t i = 0; i < p->count; i++)
      actor_digest(o, &p->items[i]);
    result(o, "| ");
    snprintf(token, sizeof token, "%s", p->next_page_token);
    atesql_actor_page_free(p);
  }
}

/* Get a worker and an actor (on a handle that has not prepared them). */
static void op_get(atesql_store *s, const char *url, faultdb_outcome *o) {
  (void)url;
  atesql_worker *w = NULL;
  atesql_status st = atesql_worker_get(s, "ns", "pool", "w1", &w);
  if (st != ATESQL_OK && w) o->problem = "*out set after a failed get";
  if (note(o, s, st) == ATESQL_OK) worker_digest(o, w);
  atesql_worker_free(w);
  if (st != ATESQL_OK) return;
  atesql_actor *a = NULL;
  st = atesql_actor_get(s, "space-a", "a1", &a);
  if (st != ATESQL_OK && a) o->problem = "*out set after a failed get";
  if (note(o, s, st) == ATESQL_OK) actor_digest(o, a);
  atesql_actor_free(a);
}

/* Parse a selector, compile it for both dialects and format it; stop at
** the first failure. */
static void op_selector(atesql_store *s, const char *url, faultdb_outcome *o) {
  (void)s;
  (void)url;
  static const char text[] = "worker_pool=cpu,actor_id=,node_name in "
                             "(n2,n1,n3),version!=3,ip notin (a\\,b)";
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_selector_parse(ATESQL_RESOURCE_WORKERS, text,
                                           ATESQL_NUL_TERMINATED, &sel, &err);
  if (st != ATESQL_OK && sel) o->problem = "*out set after a failed parse";
  note(o, NULL, st);
  const atesql_dialect dialects[] = {ATESQL_DIALECT_SQLITE,
                                     ATESQL_DIALECT_POSTGRES};
  for (int d = 0; st == ATESQL_OK && d < 2; d++) {
    atesql_compiled *c = NULL;
    st = note(o, NULL, atesql_selector_compile(sel, dialects[d], &c, &err));
    if (st != ATESQL_OK && c) o->problem = "*out set after a failed compile";
    if (st == ATESQL_OK) {
      result(o, "%s ", c->sql);
      for (size_t i = 0; i < c->param_count; i++)
        result(o, "[%s] ", c->params[i].text ? c->params[i].text : "#");
    }
    atesql_compiled_free(c);
  }
  char *normal = NULL;
  if (st == ATESQL_OK) {
    st = note(o, NULL, atesql_selector_format(sel, &normal));
    if (st == ATESQL_OK) result(o, "%s", normal);
    if (st != ATESQL_OK && normal)
      o->problem = "*out set after a failed format";
    snprintf(err.message, sizeof err.message, "format: %s",
             atesql_status_str(st));
  }
  if (st != ATESQL_OK) snprintf(o->msg, sizeof o->msg, "%s", err.message);
  atesql_free(normal);
  atesql_selector_free(sel);
}

/* The worker of a claim for a1 in pool ns/pool: w1, the first free. */
static const char *w1_held_by_a1(atesql_store *s, bool applied) {
  atesql_worker *w = NULL;
  atesql_status st = atesql_worker_get(s, "ns", "pool", "w1", &w);
  const char *why = st != ATESQL_OK ? "get w1 failed"
                    : applied
                        ? check(strcmp(w->actor_id, "a1") == 0 &&
                                    strcmp(w->actor_atespace, "space-a") == 0 &&
                                    w->version == 2,
                                "w1 not claimed for a1 at version 2")
                        : check(w->actor_id[0] == '\0' && w->version == 1,
                                "w1 not free at version 1");
  atesql_worker_free(w);
  return why;
}

static const atesql_pool_ref claim_pool[] = {{"ns", "pool"}};

static atesql_claim_request claim_a1(void) {
  atesql_claim_request r = {0};
  r.pools = claim_pool;
  r.pool_count = 1;
  r.actor_atespace = "space-a";
  r.actor_id = "a1";
  r.actor_namespace = "tns";
  r.actor_template = "tname";
  return r;
}

static void op_worker_claim(atesql_store *s, const char *url,
                            faultdb_outcome *o) {
  (void)url;
  atesql_claim_request r = claim_a1();
  atesql_worker *w = NULL;
  if (note(o, s, atesql_worker_claim(s, &r, &w)) == ATESQL_OK)
    result(o, "pod=%s version=%lld", w->worker_pod, (long long)w->version);
  else if (w)
    o->problem = "claim set its worker on failure";
  atesql_worker_free(w);
}

static const char *verify_worker_claim(atesql_store *s, bool applied) {
  return w1_held_by_a1(s, applied);
}

static void op_worker_release(atesql_store *s, const char *url,
                              faultdb_outcome *o) {
  (void)url;
  bool released = false;
  if (note(o, s,
           atesql_worker_release(s, "ns", "held", "w-held", "space-a", "a-held",
                                 &released)) == ATESQL_OK)
    result(o, "released=%d", released);
}

static const char *verify_worker_release(atesql_store *s, bool applied) {
  atesql_worker *w = NULL;
  atesql_status st = atesql_worker_get(s, "ns", "held", "w-held", &w);
  const char *why =
      st != ATESQL_OK ? "get w-held failed"
      : applied       ? check(w->actor_id[0] == '\0' && w->version == 2,
                              "w-held not freed at version 2")
                : check(strcmp(w->actor_id, "a-held") == 0 && w->version == 1,
                        "w-held not held at version 1");
  atesql_worker_free(w);
  return why;
}

/* Resume a1 (version 1): w1 claimed and a1 RESUMING on it, or neither. */
static void op_actor_resume(atesql_store *s, const char *url,
                            faultdb_outcome *o) {
  (void)url;
  atesql_claim_request r = claim_a1();
  atesql_worker *w = NULL;
  atesql_actor *a = NULL;
  if (note(o, s, atesql_actor_resume(s, &r, 1, &w, &a)) == ATESQL_OK)
    result(o, "pod=%s actor_version=%lld status=%d", w->worker_pod,
           (long long)a->version, (int)a->status);
  else if (w || a)
    o->problem = "resume set its outputs on failure";
  atesql_worker_free(w);
  atesql_actor_free(a);
}

static const char *verify_actor_resume(atesql_store *s, bool applied) {
  const char *why = w1_held_by_a1(s, applied);
  if (why) return why;
  atesql_actor *a = NULL;
  atesql_status st = atesql_actor_get(s, "space-a", "a1", &a);
  why = st != ATESQL_OK ? "get a1 failed"
        : applied
            ? check(a->version == 2 &&
                        a->status == ATESQL_ACTOR_STATUS_RESUMING &&
                        strcmp(a->ateom_pod_name, "w1") == 0,
                    "a1 not resuming on w1 at version 2")
            : check(a->version == 1 && a->status == ATESQL_ACTOR_STATUS_RUNNING,
                    "a1 changed");
  atesql_actor_free(a);
  return why;
}

/* Compact the change feed up to the store's revision: every event gone
** and the compacted revision recorded, or neither. */
static void op_compact(atesql_store *s, const char *url, faultdb_outcome *o) {
  (void)url;
  atesql_compact_opts c = {.keep_revisions = 1};
  int64_t done = 0;
  if (note(o, s, atesql_compact(s, &c, &done)) == ATESQL_OK)
    result(o, "compacted=%lld", (long long)done);
}

static const char *verify_compact(atesql_store *s, bool applied) {
  int64_t revision = 0, compacted = 0;
  if (atesql_store_revision(s, &revision, &compacted) != ATESQL_OK)
    return "read the store revision failed";
  return applied ? check(revision > 1 && compacted == revision - 1,
                         "not compacted up to the revision before the last")
                 : check(compacted == 0, "compacted");
}

static const faultdb_op ops[] = {
    {"atespace_create", false, false, false, op_atespace_create,
     verify_atespace_create},
    {"worker_create", false, false, false, op_worker_create,
     verify_worker_create},
    {"actor_create", false, false, false, op_actor_create, verify_actor_create},
    {"worker_update", false, false, false, op_worker_update,
     verify_worker_update},
    {"actor_update", false, false, false, op_actor_update, verify_actor_update},
    {"worker_delete", false, false, false, op_worker_delete,
     verify_worker_delete},
    {"actor_delete", false, false, false, op_actor_delete, verify_actor_delete},
    {"atespace_delete", false, false, false, op_atespace_delete,
     verify_atespace_delete},
    {"lock_acquire", false, false, false, op_lock_acquire, verify_lock_acquire},
    {"lock_takeover", false, false, false, op_lock_takeover,
     verify_lock_takeover},
    {"lock_release", false, false, false, op_lock_release, verify_lock_release},
    {"lock_renew", false, false, false, op_lock_renew, verify_lock_renew},
    {"lock_fenced_write", false, false, false, op_lock_fenced_write,
     verify_worker_update},
    {"worker_claim", false, false, false, op_worker_claim, verify_worker_claim},
    {"worker_release", false, false, false, op_worker_release,
     verify_worker_release},
    {"actor_resume", false, false, false, op_actor_resume, verify_actor_resume},
    {"compact", false, false, false, op_compact, verify_compact},
    {"transaction", false, false, true, op_transaction, verify_transaction},
    {"import", false, false, true, op_import, verify_import},
    {"migrate", true, true, true, op_migrate, verify_migrate},
    {"open", false, true, false, op_open, verify_nothing},
    {"worker_list", false, false, false, op_worker_list, verify_nothing},
    {"actor_list", false, false, false, op_actor_list, verify_nothing},
    {"get", false, false, false, op_get, verify_nothing},
    {"selector", false, true, false, op_selector, verify_nothing},
};

const faultdb_op *faultdb_find_op(const char *name) {
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
    if (strcmp(ops[i].name, name) == 0) return &ops[i];
  return NULL;
}
