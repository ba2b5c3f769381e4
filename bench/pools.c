/*
** Generated pools of workers: each worker from its pool and index.
** pools.h says what each function does.
*/
#include <stdbool.h>
#include <stdio.h>

#include "common.h"
#include "pools.h"

void make_worker(const pool_spec *p, int i, worker_buf *b, atesql_worker *w) {
  snprintf(b->ns, sizeof b->ns, "%s", p->ns);
  snprintf(b->pool, sizeof b->pool, "%s", p->pool);
  snprintf(b->pod, sizeof b->pod, "%s-%04d", p->pod_prefix, i);
  snprintf(b->ip, sizeof b->ip, "10.%d.%d.%d", p->ip_block, i / 250, i % 250);
  snprintf(b->uid, sizeof b->uid, "uid-%s-%s-%04d", p->ns, p->pool, i);
  snprintf(b->node, sizeof b->node, "%s-%03d", p->node_prefix, i % p->nodes);
  bool free_worker = i % p->free_every == 0;
  snprintf(b->actor_id, sizeof b->actor_id, "bg-%s-%s-%04d", p->ns, p->pool, i);
  *w = (atesql_worker){
      .worker_namespace = b->ns,
      .worker_pool = b->pool,
      .worker_pod = b->pod,
      .actor_namespace = free_worker ? "" : b->ns,
      .actor_template = free_worker ? "" : ACTOR_TEMPLATE,
      .actor_id = free_worker ? "" : b->actor_id,
      .actor_atespace = free_worker ? "" : "background",
      .ip = b->ip,
      .worker_pod_uid = b->uid,
      .node_name = b->node,
  };
}

void load_pool(atesql_store *s, const pool_spec *p) {
  worker_buf b;
  atesql_worker w;
  for (int i = 0; i < p->workers; i++) {
    make_worker(p, i, &b, &w);
    check(s, atesql_worker_create(s, &w), "load a worker");
  }
}
