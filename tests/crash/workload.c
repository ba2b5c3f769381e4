/*
** The crash suites' workload and its model (workload.h): choosing,
** running and checking operations on slots, locks and import batches.
*/
#include "workload.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Locks outlive every run: a long run must never see one expire. */
#define WL_LOCK_TTL_MS ((int64_t)24 * 60 * 60 * 1000)

static const char *const kind_names[WL_KIND_COUNT] = {
    "none",          "create",       "update",     "delete",
    "acquire",       "steal",        "release",    "import-workers",
    "import-actors", "drop-workers", "drop-actors"};

const char *wl_kind_name(wl_kind k) {
  return k >= 0 && k < WL_KIND_COUNT ? kind_names[k] : "?";
}

bool wl_is_batch(wl_kind k) {
  return k == WL_IMPORT_WORKERS || k == WL_IMPORT_ACTORS ||
         k == WL_DROP_WORKERS || k == WL_DROP_ACTORS;
}

void wl_describe(const wl_op *op, char *buf, size_t bufsz) {
  switch (op->kind) {
  case WL_CREATE:
  case WL_DELETE:
    snprintf(buf, bufsz, "%s slot-%02d", wl_kind_name(op->kind), op->target);
    break;
  case WL_UPDATE:
    snprintf(buf, bufsz, "update slot-%02d expecting version %" PRId64,
             op->target, op->arg);
    break;
  case WL_ACQUIRE:
  case WL_STEAL:
  case WL_RELEASE:
    snprintf(buf, bufsz, "%s lock-%d as owner-%" PRId64, wl_kind_name(op->kind),
             op->target, op->arg);
    break;
  case WL_IMPORT_WORKERS:
  case WL_IMPORT_ACTORS:
  case WL_DROP_WORKERS:
  case WL_DROP_ACTORS:
    snprintf(buf, bufsz,
             "%s batch imp-%" PRId64 " (%d records, one "
             "transaction)",
             wl_kind_name(op->kind), op->arg, WL_BATCH_RECORDS);
    break;
  default: snprintf(buf, bufsz, "none"); break;
  }
}

void wl_model_init(wl_model *m) {
  memset(m, 0, sizeof *m);
  m->next_token = 1;
  m->next_batch = 1;
}

void wl_note(wl_model *m, const wl_op *op) {
  if (op->kind == WL_ACQUIRE || op->kind == WL_STEAL)
    if (op->arg >= m->next_token) m->next_token = op->arg + 1;
  if (op->kind == WL_IMPORT_WORKERS || op->kind == WL_IMPORT_ACTORS)
    if (op->arg >= m->next_batch) m->next_batch = op->arg + 1;
}

wl_op wl_choose(wl_model *m, crash_rng *rng, int batch_permille) {
  wl_op op = {WL_NONE, 0, 0};
  int64_t r = crash_rng_range(rng, 0, 999);
  if (r < batch_permille) {
    int b = (int)crash_rng_range(rng, 0, WL_BATCHES - 1);
    op.target = b;
    if (m->batch[b] == 0) {
      op.arg = m->next_batch++;
      op.kind = op.arg % 2 ? WL_IMPORT_WORKERS : WL_IMPORT_ACTORS;
    } else {
      op.arg = m->batch[b];
      op.kind = m->batch_actors[b] ? WL_DROP_ACTORS : WL_DROP_WORKERS;
    }
  } else if (r < batch_permille + 350) {
    int k = (int)crash_rng_range(rng, 0, WL_LOCKS - 1);
    op.target = k;
    if (m->lock[k] == 0) {
      op.kind = WL_ACQUIRE;
      op.arg = m->next_token++;
    } else if (crash_rng_range(rng, 0, 99) < 30) {
      op.kind = WL_STEAL;
      op.arg = m->next_token++;
    } else {
      op.kind = WL_RELEASE;
      op.arg = m->lock[k];
    }
  } else {
    int s = (int)crash_rng_range(rng, 0, WL_SLOTS - 1);
    op.target = s;
    if (m->slot[s] == 0) {
      op.kind = WL_CREATE;
    } else if (crash_rng_range(rng, 0, 99) < 8) {
      op.kind = WL_DELETE;
    } else {
      op.kind = WL_UPDATE;
      op.arg = m->slot[s];
    }
  }
  return op;
}

void wl_apply(wl_model *m, const wl_op *op) {
  wl_note(m, op);
  switch (op->kind) {
  case WL_CREATE: m->slot[op->target] = 1; break;
  case WL_UPDATE: m->slot[op->target] = op->arg + 1; break;
  case WL_DELETE: m->slot[op->target] = 0; break;
  case WL_ACQUIRE: m->lock[op->target] = op->arg; break;
  case WL_RELEASE: m->lock[op->target] = 0; break;
  case WL_IMPORT_WORKERS:
  case WL_IMPORT_ACTORS:
    m->batch[op->target] = op->arg;
    m->batch_actors[op->target] = op->kind == WL_IMPORT_ACTORS;
    break;
  case WL_DROP_WORKERS:
  case WL_DROP_ACTORS:
    m->batch[op->target] = 0;
    m->batch_actors[op->target] = false;
    break;
  default: break;
  }
}

/* ---- records: every field derived from the key and the version ---- */

/* A slot worker's text fields. */
typedef struct slot_text {
  char pod[16], ip[24], actor_id[32], actor_namespace[16], node[16], uid[16];
} slot_text;

static atesql_worker slot_worker(int s, int64_t version, slot_text *t) {
  snprintf(t->pod, sizeof t->pod, "slot-%02d", s);
  snprintf(t->ip, sizeof t->ip, "10.0.0.%d", s);
  snprintf(t->actor_id, sizeof t->actor_id, "a%" PRId64, version);
  snprintf(t->actor_namespace, sizeof t->actor_namespace, "ns-%d",
           (int)(version % 3));
  snprintf(t->node, sizeof t->node, "node-%d", (int)(version % 5));
  snprintf(t->uid, sizeof t->uid, "uid-%02d", s);
  atesql_worker w = {0};
  w.worker_namespace = "crash";
  w.worker_pool = "slots";
  w.worker_pod = t->pod;
  w.actor_namespace = t->actor_namespace;
  w.actor_template = "";
  w.actor_id = t->actor_id;
  w.actor_atespace = "";
  w.ip = t->ip;
  w.worker_pod_uid = t->uid;
  w.node_name = t->node;
  w.version = version;
  return w;
}

static int64_t batch_version(int64_t batch, int i) {
  return (batch + i) % 9 + 1;
}

typedef struct batch_text {
  char pool[32], pod[16], ip[24], node[16];
} batch_text;

static atesql_worker batch_worker(int64_t batch, int i, batch_text *t) {
  snprintf(t->pool, sizeof t->pool, "imp-%" PRId64, batch);
  snprintf(t->pod, sizeof t->pod, "p-%04d", i);
  snprintf(t->ip, sizeof t->ip, "10.1.%d.%d", i / 256, i % 256);
  snprintf(t->node, sizeof t->node, "node-%d", i % 10);
  atesql_worker w = {0};
  w.worker_namespace = "crash";
  w.worker_pool = t->pool;
  w.worker_pod = t->pod;
  w.actor_namespace = "";
  w.actor_template = "";
  w.actor_id = "";
  w.actor_atespace = "";
  w.ip = t->ip;
  w.worker_pod_uid = "";
  w.node_name = t->node;
  w.version = batch_version(batch, i);
  return w;
}

typedef struct actor_text {
  char atespace[32], actor_id[16], pool[16], prefix[48], zone[8];
  const char *nodes[2];
  atesql_snapshot_info snap;
  atesql_label labels[2];
  atesql_worker_selector sel;
} actor_text;

static atesql_actor batch_actor(int64_t batch, int i, actor_text *t) {
  snprintf(t->atespace, sizeof t->atespace, "imp-%" PRId64, batch);
  snprintf(t->actor_id, sizeof t->actor_id, "a-%04d", i);
  snprintf(t->pool, sizeof t->pool, "pool-%d", i % 4);
  snprintf(t->prefix, sizeof t->prefix, "snap/%" PRId64 "/%d", batch, i);
  snprintf(t->zone, sizeof t->zone, "z%d", i % 3);
  t->nodes[0] = "node-a";
  t->nodes[1] = "node-b";
  memset(&t->snap, 0, sizeof t->snap);
  t->snap.type = ATESQL_SNAPSHOT_TYPE_LOCAL;
  t->snap.data = ATESQL_SNAPSHOT_DATA_LOCAL;
  t->snap.external_snapshot_uri_prefix = "";
  t->snap.local_snapshot_prefix = t->prefix;
  t->snap.local_node_vms = t->nodes;
  t->snap.local_node_vm_count = 2;
  t->labels[0].key = "tier";
  t->labels[0].value = "gpu";
  t->labels[1].key = "zone";
  t->labels[1].value = t->zone;
  t->sel.match_labels = t->labels;
  t->sel.match_label_count = 2;
  atesql_actor a = {0};
  a.atespace = t->atespace;
  a.actor_id = t->actor_id;
  a.version = batch_version(batch, i);
  a.actor_template_namespace = "tmpl-ns";
  a.actor_template_name = "tmpl";
  a.status = ATESQL_ACTOR_STATUS_SUSPENDED; /* deletable */
  a.ateom_pod_namespace = "";
  a.ateom_pod_name = "";
  a.ateom_pod_ip = "";
  a.ateom_pod_uid = "";
  a.in_progress_snapshot = "";
  a.worker_pool_name = t->pool;
  a.latest_snapshot_info = &t->snap;
  a.worker_selector = &t->sel;
  return a;
}

/* ---- running operations ---- */

static void set_message(char *buf, size_t bufsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_message(char *buf, size_t bufsz, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, bufsz, fmt, ap);
  va_end(ap);
}

/* Record a failed call of op (the first one only). */
static void exec_failed(atesql_store *s, wl_exec *out, atesql_status st,
                        const char *step) {
  if (out->status != ATESQL_OK || out->defect) return;
  out->status = st;
  set_message(out->message, sizeof out->message, "%s: %s: %s", step,
              atesql_status_str(st), atesql_errmsg(s));
}

static void exec_defect(wl_exec *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void exec_defect(wl_exec *out, const char *fmt, ...) {
  if (out->defect) return;
  out->defect = true;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out->message, sizeof out->message, fmt, ap);
  va_end(ap);
}

/* The calls of a batch, in order. */
static int batch_steps(wl_kind k) {
  return k == WL_IMPORT_ACTORS || k == WL_DROP_ACTORS ? WL_BATCH_RECORDS + 1
                                                      : WL_BATCH_RECORDS;
}

/* Call `step` of batch op (0-based). */
static atesql_status batch_step(atesql_store *s, const wl_op *op, int step) {
  char name[32];
  snprintf(name, sizeof name, "imp-%" PRId64, op->arg);
  switch (op->kind) {
  case WL_IMPORT_WORKERS: {
    batch_text t;
    atesql_worker w = batch_worker(op->arg, step, &t);
    return atesql_worker_import(s, &w);
  }
  case WL_IMPORT_ACTORS: {
    if (step == 0) {
      atesql_atespace a = {name};
      return atesql_atespace_create(s, &a);
    }
    actor_text t;
    atesql_actor a = batch_actor(op->arg, step - 1, &t);
    return atesql_actor_import(s, &a);
  }
  case WL_DROP_WORKERS: {
    char pod[16];
    snprintf(pod, sizeof pod, "p-%04d", step);
    return atesql_worker_delete(s, "crash", name, pod);
  }
  case WL_DROP_ACTORS: {
    if (step == WL_BATCH_RECORDS) return atesql_atespace_delete(s, name);
    char id[16];
    snprintf(id, sizeof id, "a-%04d", step);
    return atesql_actor_delete(s, name, id);
  }
  default: return ATESQL_INTERNAL;
  }
}

static void exec_batch(atesql_store *s, const wl_op *op, bool careless,
                       wl_exec *out) {
  atesql_status st = atesql_tx_begin(s);
  if (st != ATESQL_OK) {
    exec_failed(s, out, st, "begin");
    out->before_commit = true;
    return;
  }
  int steps = batch_steps(op->kind);
  for (int i = 0; i < steps; i++) {
    st = batch_step(s, op, i);
    if (st == ATESQL_OK) continue;
    char step[48];
    snprintf(step, sizeof step, "call %d of %d", i + 1, steps);
    exec_failed(s, out, st, step);
    out->before_commit = true;
    if (!careless) {
      atesql_tx_rollback(s);
      return;
    }
    /* A careless caller goes on: every later call of the transaction must
    ** fail, and so must its commit; otherwise a later call ran on its own
    ** (on a new connection, or in autocommit). */
    for (int j = i + 1; j < steps && j <= i + 3; j++)
      if (batch_step(s, op, j) == ATESQL_OK)
        exec_defect(out,
                    "call %d of %d returned OK in a transaction whose call "
                    "%d had failed (%s)",
                    j + 1, steps, i + 1, atesql_status_str(st));
    if (atesql_tx_commit(s) == ATESQL_OK)
      exec_defect(out,
                  "commit returned OK for a transaction whose call %d had "
                  "failed (%s)",
                  i + 1, atesql_status_str(st));
    return;
  }
  st = atesql_tx_commit(s);
  if (st != ATESQL_OK) exec_failed(s, out, st, "commit");
}

void wl_exec_op(atesql_store *s, const wl_op *op, bool careless, wl_exec *out) {
  memset(out, 0, sizeof *out);
  char what[96];
  wl_describe(op, what, sizeof what);
  switch (op->kind) {
  case WL_CREATE: {
    slot_text t;
    atesql_worker w = slot_worker(op->target, 1, &t);
    atesql_status st = atesql_worker_create(s, &w);
    if (st != ATESQL_OK) exec_failed(s, out, st, what);
    break;
  }
  case WL_UPDATE: {
    slot_text t;
    atesql_worker w = slot_worker(op->target, op->arg + 1, &t);
    int64_t got = 0;
    atesql_status st = atesql_worker_update(s, &w, op->arg, &got);
    if (st != ATESQL_OK)
      exec_failed(s, out, st, what);
    else if (got != op->arg + 1)
      exec_defect(out, "%s: OK with new version %" PRId64 ", want %" PRId64,
                  what, got, op->arg + 1);
    break;
  }
  case WL_DELETE: {
    char pod[16];
    snprintf(pod, sizeof pod, "slot-%02d", op->target);
    atesql_status st = atesql_worker_delete(s, "crash", "slots", pod);
    if (st != ATESQL_OK) exec_failed(s, out, st, what);
    break;
  }
  case WL_ACQUIRE:
  case WL_STEAL: {
    char key[16], value[32];
    snprintf(key, sizeof key, "lock-%d", op->target);
    snprintf(value, sizeof value, "owner-%" PRId64, op->arg);
    bool acquired = false;
    atesql_status st =
        atesql_lock_acquire(s, key, value, WL_LOCK_TTL_MS, &acquired);
    if (st != ATESQL_OK)
      exec_failed(s, out, st, what);
    else if (acquired != (op->kind == WL_ACQUIRE))
      exec_defect(out, "%s: acquired=%s, want %s", what,
                  acquired ? "true" : "false",
                  op->kind == WL_ACQUIRE ? "true (the lock is free)"
                                         : "false (the lock is held)");
    break;
  }
  case WL_RELEASE: {
    char key[16], value[32];
    snprintf(key, sizeof key, "lock-%d", op->target);
    snprintf(value, sizeof value, "owner-%" PRId64, op->arg);
    bool released = false;
    atesql_status st = atesql_lock_release(s, key, value, &released);
    if (st != ATESQL_OK)
      exec_failed(s, out, st, what);
    else if (!released)
      exec_defect(out, "%s: released=false, want true (the lock is held)",
                  what);
    break;
  }
  default:
    if (wl_is_batch(op->kind)) exec_batch(s, op, careless, out);
    break;
  }
  if (out->defect) out->status = ATESQL_INTERNAL;
}

/* ---- checking ---- */

/* A read failed: UNAVAILABLE is returned for a retry, anything else is a
** finding. */
static atesql_status read_failed(atesql_store *s, wl_check *out,
                                 atesql_status st, const char *what) {
  if (st == ATESQL_UNAVAILABLE) return st;
  out->failed = true;
  set_message(out->message, sizeof out->message, "reading %s: %s: %s", what,
              atesql_status_str(st), atesql_errmsg(s));
  return ATESQL_OK;
}

static void mismatch(wl_check *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void mismatch(wl_check *out, const char *fmt, ...) {
  if (out->failed) return;
  out->failed = true;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out->message, sizeof out->message, fmt, ap);
  va_end(ap);
}

/* How the in-flight operation's effects were found. */
typedef struct flight_tally {
  int moved;  /* entities in their after-state */
  int stayed; /* entities it would change, in their before-state */
} flight_tally;

/* Does observed match before, or after (when the in-flight op changes
** it)? Tallies which. */
static bool allowed(int64_t observed, int64_t before, int64_t after,
                    flight_tally *t) {
  if (before == after) return observed == before;
  if (observed == after) {
    t->moved++;
    return true;
  }
  if (observed == before) {
    t->stayed++;
    return true;
  }
  return false;
}

/* Read slot s: *version 0 when absent. Checks the fields agree with the
** version. */
static atesql_status read_slot(atesql_store *s, int slot, int64_t *version,
                               wl_check *out) {
  char pod[16];
  snprintf(pod, sizeof pod, "slot-%02d", slot);
  atesql_worker *w = NULL;
  atesql_status st = atesql_worker_get(s, "crash", "slots", pod, &w);
  *version = 0;
  if (st == ATESQL_NOT_FOUND) return ATESQL_OK;
  if (st != ATESQL_OK) return read_failed(s, out, st, pod);
  *version = w->version;
  slot_text t;
  atesql_worker want = slot_worker(slot, w->version, &t);
  if (strcmp(w->actor_id, want.actor_id) != 0 ||
      strcmp(w->node_name, want.node_name) != 0 ||
      strcmp(w->actor_namespace, want.actor_namespace) != 0 ||
      strcmp(w->ip, want.ip) != 0 ||
      strcmp(w->worker_pod_uid, want.worker_pod_uid) != 0)
    mismatch(out,
             "%s is at version %" PRId64 " but holds actor_id '%s', "
             "node_name '%s', ip '%s': its fields were written by another "
             "version",
             pod, w->version, w->actor_id, w->node_name, w->ip);
  atesql_worker_free(w);
  out->records++;
  return ATESQL_OK;
}

/* Count the records of batch id and check each one's fields: *n receives
** how many exist (0..1000). */
static atesql_status read_batch(atesql_store *s, int64_t id, bool actors,
                                int *n, wl_check *out) {
  char selector[64];
  snprintf(selector, sizeof selector, "%s=imp-%" PRId64,
           actors ? "atespace" : "worker_pool", id);
  atesql_list_opts opts = {.selector_text = selector,
                           .page_size = WL_BATCH_RECORDS};
  *n = 0;
  atesql_status st;
  if (actors) {
    atesql_actor_page *page = NULL;
    st = atesql_actor_list(s, &opts, &page);
    if (st != ATESQL_OK) return read_failed(s, out, st, selector);
    *n = (int)page->count;
    if (page->next_page_token[0] != '\0')
      mismatch(out, "batch imp-%" PRId64 " holds more than %d actors", id,
               WL_BATCH_RECORDS);
    for (size_t i = 0; i < page->count; i++) {
      const atesql_actor *a = &page->items[i];
      int idx = atoi(a->actor_id + 2);
      const atesql_snapshot_info *si = a->latest_snapshot_info;
      if (a->version != batch_version(id, idx) ||
          a->status != ATESQL_ACTOR_STATUS_SUSPENDED || si == NULL ||
          si->data != ATESQL_SNAPSHOT_DATA_LOCAL ||
          si->local_node_vm_count != 2 || a->worker_selector == NULL ||
          a->worker_selector->match_label_count != 2)
        mismatch(out,
                 "actor imp-%" PRId64 "/%s is not as imported "
                 "(version %" PRId64 ", want %" PRId64 ")",
                 id, a->actor_id, a->version, batch_version(id, idx));
    }
    atesql_actor_page_free(page);
  } else {
    atesql_worker_page *page = NULL;
    st = atesql_worker_list(s, &opts, &page);
    if (st != ATESQL_OK) return read_failed(s, out, st, selector);
    *n = (int)page->count;
    if (page->next_page_token[0] != '\0')
      mismatch(out, "batch imp-%" PRId64 " holds more than %d workers", id,
               WL_BATCH_RECORDS);
    for (size_t i = 0; i < page->count; i++) {
      const atesql_worker *w = &page->items[i];
      int idx = atoi(w->worker_pod + 2);
      batch_text t;
      atesql_worker want = batch_worker(id, idx, &t);
      if (w->version != want.version || strcmp(w->ip, want.ip) != 0 ||
          strcmp(w->node_name, want.node_name) != 0)
        mismatch(out,
                 "worker crash/imp-%" PRId64 "/%s is not as imported "
                 "(version %" PRId64 ", want %" PRId64 ")",
                 id, w->worker_pod, w->version, want.version);
    }
    atesql_worker_page_free(page);
  }
  out->records += *n;
  return ATESQL_OK;
}

/* One batch the check looks at: an id live before or after the in-flight
** operation. */
typedef struct batch_ref {
  int64_t id;
  bool actors;
  bool before, after; /* live in the model, and after the in-flight op */
} batch_ref;

static size_t batch_refs(const wl_model *m, const wl_model *after,
                         batch_ref *refs) {
  size_t n = 0;
  const wl_model *models[2] = {m, after};
  for (int which = 0; which < 2; which++)
    for (int b = 0; b < WL_BATCHES; b++) {
      int64_t id = models[which]->batch[b];
      if (id == 0) continue;
      size_t i = 0;
      while (i < n && refs[i].id != id)
        i++;
      if (i == n) {
        refs[n].id = id;
        refs[n].actors = models[which]->batch_actors[b];
        refs[n].before = refs[n].after = false;
        n++;
      }
      if (which == 0)
        refs[i].before = true;
      else
        refs[i].after = true;
    }
  return n;
}

static atesql_status check_locks(const wl_reader *rd, const wl_model *m,
                                 const wl_model *after, flight_tally *t,
                                 wl_check *out) {
  for (int k = 0; k < WL_LOCKS; k++) {
    char key[16], holder[256];
    snprintf(key, sizeof key, "lock-%d", k);
    atesql_status st = rd->lock_holder(rd->ctx, key, holder, sizeof holder);
    if (st == ATESQL_UNAVAILABLE) return st;
    if (st != ATESQL_OK) {
      mismatch(out, "reading %s: %s", key, holder);
      return ATESQL_OK;
    }
    int64_t token = 0;
    if (holder[0] != '\0') {
      char *end = NULL;
      if (strncmp(holder, "owner-", 6) == 0)
        token = strtoll(holder + 6, &end, 10);
      if (end == NULL || *end != '\0' || token <= 0) {
        mismatch(out, "%s is held by '%s', which no writer ever used", key,
                 holder);
        continue;
      }
    }
    out->records++;
    if (!allowed(token, m->lock[k], after->lock[k], t)) {
      char acked[32] = "nobody";
      if (m->lock[k])
        snprintf(acked, sizeof acked, "owner-%" PRId64, m->lock[k]);
      mismatch(out, "%s is held by %s; the acknowledged holder is %s", key,
               holder[0] ? holder : "nobody", acked);
    }
  }
  return ATESQL_OK;
}

/* The totals must hold exactly the slots and batches found: no stray
** record of a batch nobody acknowledged, no leftover of a dropped one. */
static atesql_status check_totals(atesql_store *s, int64_t slots,
                                  int64_t worker_batches, int64_t actor_batches,
                                  wl_check *out) {
  atesql_list_opts all = {0},
                   crash = {.selector_text = "worker_namespace=crash"};
  int64_t workers = 0, actors = 0;
  atesql_status st = atesql_worker_count(s, &crash, &workers);
  if (st != ATESQL_OK) return read_failed(s, out, st, "the worker count");
  st = atesql_actor_count(s, &all, &actors);
  if (st != ATESQL_OK) return read_failed(s, out, st, "the actor count");
  atesql_list_opts spaces = {.page_size = ATESQL_MAX_PAGE_SIZE};
  atesql_atespace_page *page = NULL;
  st = atesql_atespace_list(s, &spaces, &page);
  if (st != ATESQL_OK) return read_failed(s, out, st, "the atespaces");
  int64_t atespaces = (int64_t)page->count;
  atesql_atespace_page_free(page);
  int64_t want_workers = slots + worker_batches * WL_BATCH_RECORDS;
  if (workers != want_workers)
    mismatch(out,
             "%" PRId64 " workers in namespace crash; the %" PRId64
             " slots and %" PRId64 " worker batches found account for %" PRId64,
             workers, slots, worker_batches, want_workers);
  if (actors != actor_batches * WL_BATCH_RECORDS)
    mismatch(out,
             "%" PRId64 " actors stored; the %" PRId64
             " actor batches found account for %" PRId64,
             actors, actor_batches, actor_batches * WL_BATCH_RECORDS);
  if (atespaces != actor_batches)
    mismatch(out, "%" PRId64 " atespaces stored, want %" PRId64, atespaces,
             actor_batches);
  return ATESQL_OK;
}

atesql_status wl_verify(atesql_store *s, const wl_reader *rd, wl_model *m,
                        const wl_op *in_flight, wl_check *out) {
  memset(out, 0, sizeof *out);
  wl_op none = {WL_NONE, 0, 0};
  const wl_op *flight = in_flight ? in_flight : &none;
  wl_model after = *m;
  wl_apply(&after, flight);
  flight_tally t = {0, 0};
  char what[128];
  wl_describe(flight, what, sizeof what);

  int64_t slots = 0;
  for (int i = 0; i < WL_SLOTS; i++) {
    int64_t v;
    atesql_status st = read_slot(s, i, &v, out);
    if (st != ATESQL_OK) return st;
    if (v) slots++;
    if (!allowed(v, m->slot[i], after.slot[i], &t))
      mismatch(out,
               "slot-%02d is %s%" PRId64 "; acknowledged: %s%" PRId64
               " (in flight: %s)",
               i, v ? "at version " : "absent", v,
               m->slot[i] ? "version " : "absent", m->slot[i], what);
  }

  atesql_status st = check_locks(rd, m, &after, &t, out);
  if (st != ATESQL_OK) return st;

  batch_ref refs[2 * WL_BATCHES];
  size_t nrefs = batch_refs(m, &after, refs);
  int64_t worker_batches = 0, actor_batches = 0;
  for (size_t i = 0; i < nrefs; i++) {
    int n = 0;
    st = read_batch(s, refs[i].id, refs[i].actors, &n, out);
    if (st != ATESQL_OK) return st;
    if (n != 0 && n != WL_BATCH_RECORDS) {
      mismatch(out,
               "batch imp-%" PRId64 " (%s) holds %d of its %d records: a "
               "transaction was partly written",
               refs[i].id, refs[i].actors ? "actors" : "workers", n,
               WL_BATCH_RECORDS);
      continue;
    }
    bool present = n == WL_BATCH_RECORDS;
    if (present) *(refs[i].actors ? &actor_batches : &worker_batches) += 1;
    if (!allowed(present, refs[i].before, refs[i].after, &t))
      mismatch(out,
               "batch imp-%" PRId64 " (%s) is %s; acknowledged: %s (in "
               "flight: %s)",
               refs[i].id, refs[i].actors ? "actors" : "workers",
               present ? "present" : "absent",
               refs[i].before ? "present" : "absent", what);
    if (refs[i].actors) {
      char name[32];
      snprintf(name, sizeof name, "imp-%" PRId64, refs[i].id);
      bool exists = false;
      st = atesql_atespace_exists(s, name, &exists);
      if (st != ATESQL_OK) {
        st = read_failed(s, out, st, name);
        if (st != ATESQL_OK) return st;
      } else if (exists != present) {
        mismatch(out,
                 "atespace %s %s but its %d actors are %s: one "
                 "transaction wrote them",
                 name, exists ? "exists" : "is missing", WL_BATCH_RECORDS,
                 present ? "present" : "absent");
      }
    }
  }
  st = check_totals(s, slots, worker_batches, actor_batches, out);
  if (st != ATESQL_OK) return st;

  if (t.moved && t.stayed)
    mismatch(out, "the in-flight operation (%s) was partly applied", what);
  if (out->failed) return ATESQL_OK;
  out->applied = t.moved > 0;
  if (out->applied)
    *m = after;
  else
    wl_note(m, flight);
  return ATESQL_OK;
}

void wl_count_acked(wl_stats *st, const wl_op *op) { st->acked[op->kind]++; }

void wl_count_flight(wl_stats *st, const wl_op *op, bool applied) {
  if (applied)
    st->flight_applied[op->kind]++;
  else
    st->flight_not_applied[op->kind]++;
}

void wl_print_stats(const char *suite, const wl_stats *st) {
  int64_t acked = 0, applied = 0, absent = 0;
  for (int k = 1; k < WL_KIND_COUNT; k++) {
    acked += st->acked[k];
    applied += st->flight_applied[k];
    absent += st->flight_not_applied[k];
  }
  printf("%s: acknowledged writes: %" PRId64 " (", suite, acked);
  for (int k = 1; k < WL_KIND_COUNT; k++)
    printf("%s%s %" PRId64, k > 1 ? ", " : "", kind_names[k], st->acked[k]);
  printf(")\n");
  printf("%s: state checks: %" PRId64 ", records compared: %" PRId64 "\n",
         suite, st->checks, st->records_checked);
  printf("%s: in-doubt writes: %" PRId64 " found applied, %" PRId64
         " found not applied",
         suite, applied, absent);
  for (int k = 1; k < WL_KIND_COUNT; k++)
    if (st->flight_applied[k] || st->flight_not_applied[k])
      printf("; %s %" PRId64 "/%" PRId64, kind_names[k], st->flight_applied[k],
             st->flight_not_applied[k]);
  printf(" (applied/not)\n");
}
