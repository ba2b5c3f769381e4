/*
** Generated pools of workers, the tables the claims and watch
** subcommands start from: a pool's workers follow from their index, some
** free and the others held by background actors, spread over the pool's
** nodes.
*/
#ifndef ATESQL_BENCH_POOLS_H
#define ATESQL_BENCH_POOLS_H

#include <atesql/atesql.h>

/* The template of every actor the benchmarks make, background or not. */
#define ACTOR_TEMPLATE "tmpl"

/* A generated pool: its name, its workers' pods, nodes and addresses,
** and which of its workers are free. */
typedef struct pool_spec {
  const char *ns, *pool;
  int workers;
  int free_every;          /* worker i is free when i % free_every is 0,
                              else held by a background actor */
  const char *pod_prefix;  /* worker i's pod: <pod_prefix>-<i, 4 digits> */
  const char *node_prefix; /* its node: <node_prefix>-<i % nodes, 3 digits> */
  int nodes;
  int ip_block; /* its address: 10.<ip_block>.<i / 250>.<i % 250> */
} pool_spec;

/* The strings of one generated worker. */
typedef struct worker_buf {
  char ns[32], pool[32], pod[32], actor_id[64], ip[32], uid[64], node[64];
} worker_buf;

/* Worker i of pool p into *w, its strings in *b (which must outlive w). */
void make_worker(const pool_spec *p, int i, worker_buf *b, atesql_worker *w);

/* Create the workers of p, in order, through s; dies on failure. */
void load_pool(atesql_store *s, const pool_spec *p);

#endif
