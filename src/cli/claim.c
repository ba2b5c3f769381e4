/*
** `atesql workers claim` and `atesql workers release`: thin shells over
** atesql_worker_claim and atesql_worker_release. Claim prints the worker
** (a table row, or its protojson document with --json); no free worker is
** exit code 4. Release prints "released" or "not held by ATESPACE/ID".
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kinds.h"
#include "show.h"

static const char claim_usage[] =
    "atesql workers claim --pool NS/POOL... --actor ATESPACE/ID "
    "[--selector S] [--actor-namespace NS] [--actor-template T] "
    "[--prefer-node N]... [--require-preferred] [--json]";

static const char release_usage[] =
    "atesql workers release NAMESPACE/POOL/POD --actor ATESPACE/ID";

/* "a/b" into parts[0..2) of a copy the caller frees; NULL when malformed. */
static char *split_pair(const char *text, char **parts) {
  char *copy = strdup(text);
  if (copy && !cli_split_key(copy, 2, parts)) {
    free(copy);
    return NULL;
  }
  return copy;
}

/* The worker claimed, as a table row or (json) its protojson document. */
static int print_worker(const cli_kind *kind, const atesql_worker *w,
                        bool json) {
  if (json) {
    char *text = NULL;
    atesql_error err = {0};
    atesql_status st = kind->to_json(w, &text, &err);
    if (st != ATESQL_OK)
      return cli_fail(cli_exit_code(st), "cannot encode the worker as JSON: %s",
                      err.message);
    puts(text);
    atesql_free(text);
    return EXIT_OK;
  }
  table *t = show_table_new(kind->resource);
  if (t == NULL) return cli_fail(EXIT_FAILURE_OTHER, "out of memory");
  show_row(t, kind->resource, w);
  bool ok = table_print(t, stdout, 0);
  table_free(t);
  return ok ? EXIT_OK : cli_fail(EXIT_FAILURE_OTHER, "out of memory");
}

enum { MAX_NODES = ATESQL_SELECTOR_LIST_MAX };

int cmd_claim(const cli_kind *kind, const char *db, int argc, char **argv) {
  static const struct option options[] = {
      {"pool", required_argument, NULL, 'p'},
      {"actor", required_argument, NULL, 'a'},
      {"selector", required_argument, NULL, 's'},
      {"actor-namespace", required_argument, NULL, 'n'},
      {"actor-template", required_argument, NULL, 't'},
      {"prefer-node", required_argument, NULL, 'N'},
      {"require-preferred", no_argument, NULL, 'r'},
      {"json", no_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  atesql_pool_ref pools[ATESQL_CLAIM_POOLS_MAX];
  char *pool_text[ATESQL_CLAIM_POOLS_MAX];
  size_t npools = 0;
  static const char *nodes[MAX_NODES];
  size_t nnodes = 0;
  atesql_claim_request req = {0};
  char *actor_text = NULL, *actor[2] = {NULL, NULL};
  bool json = false;
  int rc = EXIT_OK, c;
  optind = 1;
  opterr = 0;
  while (rc == EXIT_OK &&
         (c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
    char *parts[2];
    switch (c) {
    case 'p':
      if (npools == ATESQL_CLAIM_POOLS_MAX) {
        rc = cli_fail(EXIT_USAGE, "at most %d --pool", ATESQL_CLAIM_POOLS_MAX);
        break;
      }
      if ((pool_text[npools] = split_pair(optarg, parts)) == NULL) {
        rc = cli_fail(EXIT_USAGE, "invalid pool '%s'; expected NAMESPACE/POOL",
                      optarg);
        break;
      }
      pools[npools].worker_namespace = parts[0];
      pools[npools++].worker_pool = parts[1];
      break;
    case 'a':
      free(actor_text);
      if ((actor_text = split_pair(optarg, actor)) == NULL)
        rc = cli_fail(EXIT_USAGE, "invalid actor '%s'; expected ATESPACE/ID",
                      optarg);
      break;
    case 's': req.selector_text = optarg; break;
    case 'n': req.actor_namespace = optarg; break;
    case 't': req.actor_template = optarg; break;
    case 'N':
      if (nnodes == MAX_NODES)
        rc = cli_fail(EXIT_USAGE, "at most %d --prefer-node", MAX_NODES);
      else
        nodes[nnodes++] = optarg;
      break;
    case 'r': req.policy = ATESQL_NODES_REQUIRE; break;
    case 'j': json = true; break;
    case 'h': printf("usage: %s\n", claim_usage); goto out;
    default: rc = cli_bad_option(c, argv, claim_usage);
    }
  }
  if (rc == EXIT_OK && (optind != argc || npools == 0 || actor_text == NULL))
    rc = cli_fail(EXIT_USAGE, "usage: %s", claim_usage);
  if (rc == EXIT_OK && req.policy == ATESQL_NODES_REQUIRE && nnodes == 0)
    rc = cli_fail(EXIT_USAGE, "--require-preferred needs --prefer-node");
  atesql_store *store = NULL;
  if (rc == EXIT_OK) rc = cli_open_store(cli_db_url(db), &store);
  if (rc == EXIT_OK) {
    req.pools = pools;
    req.pool_count = npools;
    req.preferred_nodes = nodes;
    req.preferred_node_count = nnodes;
    req.actor_atespace = actor[0];
    req.actor_id = actor[1];
    atesql_worker *w = NULL;
    atesql_status st = atesql_worker_claim(store, &req, &w);
    rc = st == ATESQL_OK
             ? print_worker(kind, w, json)
             : cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
    atesql_worker_free(w);
  }
  cli_close_store(store);
out:
  for (size_t i = 0; i < npools; i++)
    free(pool_text[i]);
  free(actor_text);
  return cli_finish_output(rc);
}

int cmd_release(const cli_kind *kind, const char *db, int argc, char **argv) {
  (void)kind;
  static const struct option options[] = {
      {"actor", required_argument, NULL, 'a'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  char *actor_text = NULL, *actor[2] = {NULL, NULL};
  int rc = EXIT_OK, c;
  optind = 1;
  opterr = 0;
  while (rc == EXIT_OK &&
         (c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
    if (c == 'a') {
      free(actor_text);
      if ((actor_text = split_pair(optarg, actor)) == NULL)
        rc = cli_fail(EXIT_USAGE, "invalid actor '%s'; expected ATESPACE/ID",
                      optarg);
    } else if (c == 'h') {
      printf("usage: %s\n", release_usage);
      free(actor_text);
      return EXIT_OK;
    } else {
      rc = cli_bad_option(c, argv, release_usage);
    }
  }
  char *key = NULL, *parts[3];
  if (rc == EXIT_OK && (argc - optind != 1 || actor_text == NULL))
    rc = cli_fail(EXIT_USAGE, "usage: %s", release_usage);
  if (rc == EXIT_OK &&
      ((key = strdup(argv[optind])) == NULL || !cli_split_key(key, 3, parts)))
    rc = cli_fail(EXIT_USAGE,
                  "invalid worker key '%s'; expected NAMESPACE/POOL/POD",
                  argv[optind]);
  atesql_store *store = NULL;
  if (rc == EXIT_OK) rc = cli_open_store(cli_db_url(db), &store);
  if (rc == EXIT_OK) {
    bool released = false;
    atesql_status st = atesql_worker_release(
        store, parts[0], parts[1], parts[2], actor[0], actor[1], &released);
    if (st != ATESQL_OK)
      rc = cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
    else if (released)
      printf("released %s\n", argv[optind]);
    else
      printf("%s is not held by %s/%s; nothing to release\n", argv[optind],
             actor[0], actor[1]);
  }
  cli_close_store(store);
  free(key);
  free(actor_text);
  return cli_finish_output(rc);
}
