/*
** The scheduler's resume step against atesql's public API:
**
**   resume_actor URL
**
** seeds a small fleet in the database at URL (migrating it first), then
** resumes a suspended actor whose local snapshot lives on two nodes:
**   1. load the actor and compute the preferred nodes from its
**      latest_snapshot_info (the nodes that hold the local snapshot);
**   2. claim a worker and move the actor to RESUMING on it, atomically,
**      with the version just read (atesql_actor_resume);
**   3. on CONFLICT (someone changed the actor since), reload and retry;
**      on RESOURCE_EXHAUSTED (no free worker) report it and stop: nothing
**      was written.
** It then shows a stale version claiming nothing and a full pool. The
** tests build and run it on SQLite and PostgreSQL; it exits non-zero when
** anything behaves otherwise than described.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atesql/atesql.h>

static int fail(const char *what, atesql_store *store) {
  fprintf(stderr, "resume_actor: %s: %s\n", what,
          store ? atesql_errmsg(store) : "");
  return 1;
}

/* The fleet: pool ns/cpu with workers on node-1..node-4, and the actor
** space/a1, suspended, its local snapshot on node-2 and node-3. */
static int seed(atesql_store *store) {
  if (atesql_store_clear(store) != ATESQL_OK) return fail("clear", store);
  atesql_atespace space = {"space"};
  if (atesql_atespace_create(store, &space) != ATESQL_OK)
    return fail("create atespace", store);
  for (int i = 1; i <= 4; i++) {
    char pod[16], ip[16], node[16];
    snprintf(pod, sizeof pod, "w%d", i);
    snprintf(ip, sizeof ip, "10.0.0.%d", i);
    snprintf(node, sizeof node, "node-%d", i);
    atesql_worker w = {.worker_namespace = "ns",
                       .worker_pool = "cpu",
                       .worker_pod = pod,
                       .ip = ip,
                       .worker_pod_uid = pod,
                       .node_name = node};
    if (atesql_worker_create(store, &w) != ATESQL_OK)
      return fail("create worker", store);
  }
  static const char *const snapshot_nodes[] = {"node-3", "node-2"};
  atesql_snapshot_info snapshot = {
      .type = ATESQL_SNAPSHOT_TYPE_LOCAL,
      .data = ATESQL_SNAPSHOT_DATA_LOCAL,
      .local_snapshot_prefix = "snap/a1",
      .local_node_vms = snapshot_nodes,
      .local_node_vm_count = 2,
  };
  atesql_actor a = {.atespace = "space",
                    .actor_id = "a1",
                    .actor_template_namespace = "templates",
                    .actor_template_name = "python",
                    .status = ATESQL_ACTOR_STATUS_SUSPENDED,
                    .latest_snapshot_info = &snapshot};
  if (atesql_actor_create(store, &a) != ATESQL_OK)
    return fail("create actor", store);
  return 0;
}

/* The eligible pools, as the scheduler computes them from the actor's
** template and worker selector; here one. */
static const atesql_pool_ref eligible[] = {{"ns", "cpu"}};

/* Steps 1 to 3. Returns the status of the last resume attempt. */
static atesql_status resume(atesql_store *store, const char *atespace,
                            const char *actor_id, atesql_worker **worker) {
  for (int attempt = 0; attempt < 5; attempt++) {
    atesql_actor *a = NULL;
    atesql_status st = atesql_actor_get(store, atespace, actor_id, &a);
    if (st != ATESQL_OK) return st;
    atesql_claim_request req = {
        .pools = eligible,
        .pool_count = 1,
        .policy = ATESQL_NODES_PREFER,
        .actor_atespace = a->atespace,
        .actor_id = a->actor_id,
        /* actor_namespace and actor_template default to the template's */
    };
    const atesql_snapshot_info *snap = a->latest_snapshot_info;
    if (snap && snap->data == ATESQL_SNAPSHOT_DATA_LOCAL) {
      req.preferred_nodes = snap->local_node_vms;
      req.preferred_node_count = snap->local_node_vm_count;
    }
    atesql_actor *moved = NULL;
    st = atesql_actor_resume(store, &req, a->version, worker, &moved);
    atesql_actor_free(a);
    if (st == ATESQL_OK)
      printf("resumed %s/%s on %s/%s/%s (node %s), actor at version %lld\n",
             moved->atespace, moved->actor_id, (*worker)->worker_namespace,
             (*worker)->worker_pool, (*worker)->worker_pod,
             (*worker)->node_name, (long long)moved->version);
    atesql_actor_free(moved);
    if (st != ATESQL_CONFLICT) return st;
    printf("the actor changed meanwhile; reloading\n");
  }
  return ATESQL_CONFLICT;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: resume_actor URL\n");
    return 2;
  }
  atesql_error err = {0};
  atesql_store *store = NULL;
  if (atesql_migrate_up(argv[1], NULL, &err) != ATESQL_OK ||
      atesql_store_open(argv[1], &store, &err) != ATESQL_OK) {
    fprintf(stderr, "resume_actor: %s\n", err.message);
    return 1;
  }
  int rc = seed(store);

  /* The resume: a worker on a snapshot node, the actor RESUMING on it. */
  atesql_worker *w = NULL;
  if (rc == 0 && resume(store, "space", "a1", &w) != ATESQL_OK)
    rc = fail("resume", store);
  if (rc == 0 && strcmp(w->node_name, "node-2") != 0 &&
      strcmp(w->node_name, "node-3") != 0)
    rc = fail("the worker is not on a snapshot node", NULL);

  /* A retried resume (the first one's answer was lost) with the version
  ** it read before: CONFLICT, and it claims nothing. */
  atesql_claim_request req = {.pools = eligible,
                              .pool_count = 1,
                              .actor_atespace = "space",
                              .actor_id = "a1"};
  if (rc == 0) {
    atesql_status st = atesql_actor_resume(store, &req, 1, NULL, NULL);
    if (st != ATESQL_CONFLICT)
      rc = fail("stale resume not refused", store);
    else
      printf("a resume with a stale version: %s (%s)\n", atesql_status_str(st),
             atesql_errmsg(store));
  }
  /* A claim retried for the same actor returns the worker it holds. */
  atesql_worker *again = NULL;
  if (rc == 0 && atesql_worker_claim(store, &req, &again) != ATESQL_OK)
    rc = fail("claim again", store);
  if (rc == 0 && strcmp(again->worker_pod, w->worker_pod) != 0)
    rc = fail("a retried claim took a second worker", NULL);
  atesql_worker_free(again);

  /* Fill the pool, then ask once more: no capacity, nothing written. */
  for (int i = 0; rc == 0 && i < 3; i++) {
    char id[16];
    snprintf(id, sizeof id, "filler-%d", i);
    atesql_claim_request fill = {.pools = eligible,
                                 .pool_count = 1,
                                 .actor_atespace = "space",
                                 .actor_id = id};
    atesql_worker *f = NULL;
    if (atesql_worker_claim(store, &fill, &f) != ATESQL_OK)
      rc = fail("fill the pool", store);
    atesql_worker_free(f);
  }
  if (rc == 0) {
    atesql_claim_request late = {.pools = eligible,
                                 .pool_count = 1,
                                 .actor_atespace = "space",
                                 .actor_id = "late"};
    atesql_worker *none = NULL;
    atesql_status st = atesql_worker_claim(store, &late, &none);
    if (st != ATESQL_RESOURCE_EXHAUSTED)
      rc = fail("full pool not reported", store);
    else
      printf("the pool is full: %s (%s)\n", atesql_status_str(st),
             atesql_errmsg(store));
  }
  atesql_worker_free(w);
  atesql_store_close(store);
  if (rc == 0) printf("resume_actor: ok\n");
  return rc;
}
