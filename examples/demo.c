/*
** The library's main flow in one read, as a program:
**
**   atesql-demo [--db URL]
**
** migrates a fresh SQLite file (atesql-demo.db in the current directory,
** or the empty database at URL), registers a fleet (workers in three pools
** over twenty nodes, actors in three atespaces and every status), then
** asks the scheduler's questions as selectors, showing each one's SQL, the
** plan's verdict and the first rows, and ends with a claim by optimistic
** update and a second, stale claim caught as CONFLICT. Everything goes
** through the public API; records and parameters are printed by show.h
** (src/show), as the atesql program prints them. scripts/demo builds and
** runs it, and the tests run it on both backends. Exit codes: 0, 2 usage
** or invalid input, 1 any other failure, reported as one line on stderr
** starting "atesql: ".
*/
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <atesql/atesql.h>

#include "count.h"
#include "show.h"

static const char demo_usage[] = "atesql-demo [--db URL]";
static const char demo_file[] = "atesql-demo.db";

enum { EXIT_OK = 0, EXIT_FAILURE_OTHER = 1, EXIT_USAGE = 2 };

enum { SHOWN_ROWS = 3 };

/* Worker pools: nodes [first_node, last_node] with per_node workers each. */
typedef struct pool_def {
  const char *name;
  int first_node, last_node, per_node;
} pool_def;

static const pool_def pools[] = {
    {"cpu", 1, 12, 16},
    {"gpu", 13, 16, 8},
    {"highmem", 17, 20, 12},
};

/* Atespaces and the actors each one runs. */
typedef struct space_def {
  const char *name;
  const char *template_namespace, *template_name;
  size_t pool; /* index into pools */
  int actors;
  const char *label_key, *label_value; /* worker_selector.match_labels */
} space_def;

static const space_def spaces[] = {
    {"search", "search", "indexer", 0, 24, "cpu-family", "amd-epyc"},
    {"ml-training", "ml", "trainer", 1, 20, "accelerator", "nvidia-l4"},
    {"batch", "batch", "etl-job", 2, 16, "memory", "512Gi"},
};

/* Actor j of an atespace has status pattern[j % 10]. */
static const atesql_actor_status pattern[] = {
    ATESQL_ACTOR_STATUS_RUNNING,   ATESQL_ACTOR_STATUS_RUNNING,
    ATESQL_ACTOR_STATUS_PAUSED,    ATESQL_ACTOR_STATUS_RUNNING,
    ATESQL_ACTOR_STATUS_SUSPENDED, ATESQL_ACTOR_STATUS_RUNNING,
    ATESQL_ACTOR_STATUS_RESUMING,  ATESQL_ACTOR_STATUS_SUSPENDED,
    ATESQL_ACTOR_STATUS_RUNNING,   ATESQL_ACTOR_STATUS_SUSPENDING,
};

/* Statuses in which an actor holds a worker. */
static bool holds_worker(atesql_actor_status s) {
  return s == ATESQL_ACTOR_STATUS_RUNNING ||
         s == ATESQL_ACTOR_STATUS_RESUMING ||
         s == ATESQL_ACTOR_STATUS_SUSPENDING;
}

typedef struct demo {
  atesql_store *store;
} demo;

/* Print "atesql: <message>" as one line on stderr; returns code. */
__attribute__((format(printf, 2, 3))) static int fail(int code, const char *fmt,
                                                      ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("atesql: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return code;
}

/* The exit code of a failed call: invalid input is a usage error. */
static int exit_code(atesql_status st) {
  return st == ATESQL_INVALID_ARGUMENT ? EXIT_USAGE : EXIT_FAILURE_OTHER;
}

static int store_failed(demo *d, atesql_status st, const char *what) {
  return fail(exit_code(st), "demo: %s: %s", what, atesql_errmsg(d->store));
}

/* ---- The fleet ---- */

static int pool_nodes(const pool_def *p) {
  return p->last_node - p->first_node + 1;
}

/* The identity of worker m of a pool: workers are numbered round-robin
** over the pool's nodes, so the first actors spread over every node. */
typedef struct worker_id {
  char pod[48], node[48], ip[48], uid[48];
} worker_id;

static worker_id worker_identity(const pool_def *p, size_t pool_index, int m) {
  worker_id w;
  int node = p->first_node + m % pool_nodes(p);
  int k = m / pool_nodes(p);
  snprintf(w.pod, sizeof w.pod, "%s-%02d-%02d", p->name, node, k);
  snprintf(w.node, sizeof w.node, "node-%02d", node);
  snprintf(w.ip, sizeof w.ip, "10.%zu.%d.%d", pool_index, node, k + 10);
  snprintf(w.uid, sizeof w.uid, "uid-%zu-%04d", pool_index, m);
  return w;
}

/* Who holds worker m of a pool (actor_id "" when free). */
typedef struct occupant {
  const space_def *space;
  char actor_id[48];
} occupant;

enum { MAX_POOL_WORKERS = 256 };

typedef struct fleet {
  occupant held[COUNT(pools)][MAX_POOL_WORKERS];
  int next_worker[COUNT(pools)]; /* the next worker a placed actor takes */
  int workers, actors;
} fleet;

static int create_actor(demo *d, fleet *f, const space_def *s, int j) {
  const pool_def *p = &pools[s->pool];
  atesql_actor_status status = pattern[j % COUNT(pattern)];
  char id[48], prefix[128], uri[160], node_a[48], node_b[48];
  snprintf(id, sizeof id, "%s-%02d", s->template_name, j + 1);
  atesql_label label = {s->label_key, s->label_value};
  atesql_worker_selector selector = {&label, 1};
  atesql_snapshot_info snapshot = {0};
  atesql_actor a = {
      .atespace = s->name,
      .actor_id = id,
      .actor_template_namespace = s->template_namespace,
      .actor_template_name = s->template_name,
      .status = status,
      .worker_pool_name = p->name,
      .worker_selector = &selector,
  };
  const char *nodes[2] = {node_a, node_b};
  if (status == ATESQL_ACTOR_STATUS_PAUSED) {
    /* Paused in place: the snapshot stays on two nodes' local disks. */
    snprintf(node_a, sizeof node_a, "node-%02d",
             p->first_node + j % pool_nodes(p));
    snprintf(node_b, sizeof node_b, "node-%02d",
             p->first_node + (j + 1) % pool_nodes(p));
    snprintf(prefix, sizeof prefix, "/var/lib/ateom/snapshots/%s/%s", s->name,
             id);
    snapshot = (atesql_snapshot_info){.type = ATESQL_SNAPSHOT_TYPE_LOCAL,
                                      .data = ATESQL_SNAPSHOT_DATA_LOCAL,
                                      .local_snapshot_prefix = prefix,
                                      .local_node_vms = nodes,
                                      .local_node_vm_count = 2};
    a.latest_snapshot_info = &snapshot;
  } else if (status == ATESQL_ACTOR_STATUS_SUSPENDED) {
    snprintf(uri, sizeof uri, "gs://atesql-demo-snapshots/%s/%s", s->name, id);
    snapshot = (atesql_snapshot_info){.type = ATESQL_SNAPSHOT_TYPE_EXTERNAL,
                                      .data = ATESQL_SNAPSHOT_DATA_EXTERNAL,
                                      .external_snapshot_uri_prefix = uri};
    a.latest_snapshot_info = &snapshot;
  }
  worker_id w;
  if (holds_worker(status)) {
    size_t pi = s->pool;
    int m = f->next_worker[pi]++;
    w = worker_identity(p, pi, m);
    f->held[pi][m].space = s;
    snprintf(f->held[pi][m].actor_id, sizeof f->held[pi][m].actor_id, "%s", id);
    a.ateom_pod_namespace = "fleet";
    a.ateom_pod_name = w.pod;
    a.ateom_pod_ip = w.ip;
    a.ateom_pod_uid = w.uid;
  }
  atesql_status st = atesql_actor_create(d->store, &a);
  if (st != ATESQL_OK) return store_failed(d, st, "create actor");
  f->actors++;
  return EXIT_OK;
}

static int create_workers(demo *d, fleet *f) {
  for (size_t pi = 0; pi < COUNT(pools); pi++) {
    const pool_def *p = &pools[pi];
    int n = pool_nodes(p) * p->per_node;
    for (int m = 0; m < n; m++) {
      worker_id id = worker_identity(p, pi, m);
      const occupant *o = &f->held[pi][m];
      atesql_worker w = {
          .worker_namespace = "fleet",
          .worker_pool = p->name,
          .worker_pod = id.pod,
          .ip = id.ip,
          .worker_pod_uid = id.uid,
          .node_name = id.node,
      };
      if (o->space) {
        w.actor_namespace = o->space->template_namespace;
        w.actor_template = o->space->template_name;
        w.actor_id = o->actor_id;
        w.actor_atespace = o->space->name;
      }
      atesql_status st = atesql_worker_create(d->store, &w);
      if (st != ATESQL_OK) return store_failed(d, st, "create worker");
      f->workers++;
    }
  }
  return EXIT_OK;
}

/* Atespaces, actors, then the workers they hold, in one transaction;
** then fresh planner statistics. */
static int register_fleet(demo *d, fleet *f) {
  atesql_status st = atesql_tx_begin(d->store);
  if (st != ATESQL_OK) return store_failed(d, st, "begin");
  int rc = EXIT_OK;
  for (size_t i = 0; rc == EXIT_OK && i < COUNT(spaces); i++) {
    atesql_atespace a = {spaces[i].name};
    st = atesql_atespace_create(d->store, &a);
    if (st != ATESQL_OK) rc = store_failed(d, st, "create atespace");
    for (int j = 0; rc == EXIT_OK && j < spaces[i].actors; j++)
      rc = create_actor(d, f, &spaces[i], j);
  }
  if (rc == EXIT_OK) rc = create_workers(d, f);
  if (rc != EXIT_OK) {
    atesql_tx_rollback(d->store);
    return rc;
  }
  st = atesql_tx_commit(d->store);
  if (st != ATESQL_OK) return store_failed(d, st, "commit");
  /* Planner statistics after a bulk load, so plans match the data. */
  st = atesql_store_analyze(d->store);
  return st == ATESQL_OK ? EXIT_OK : store_failed(d, st, "analyze");
}

static void print_fleet(const fleet *f) {
  printf("%zu atespaces (search, ml-training, batch), %d actors, %d workers:\n",
         COUNT(spaces), f->actors, f->workers);
  for (size_t i = 0; i < COUNT(pools); i++) {
    const pool_def *p = &pools[i];
    printf("  pool %-8s %3d workers on node-%02d..node-%02d\n", p->name,
           pool_nodes(p) * p->per_node, p->first_node, p->last_node);
  }
  printf("Running, resuming and suspending actors hold a worker (its actor_id "
         "names\nthem); paused actors keep a local snapshot on two nodes; "
         "suspended ones\nan external snapshot.\n");
}

/* ---- Questions ---- */

/* The selector, the SQL it compiles to on the store's dialect with its
** bound parameters, and the database's verdict on the list's plan. */
static int print_compiled(demo *d, atesql_resource resource,
                          const atesql_selector *sel, const char *text) {
  atesql_dialect dialect = atesql_store_dialect(d->store);
  atesql_compiled *c = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_selector_compile(sel, dialect, &c, &err);
  if (st != ATESQL_OK) return fail(exit_code(st), "%s", err.message);
  printf("  selector  %s\n  SQL       WHERE %s\n  params   ", text, c->sql);
  show_params(c->params, c->param_count, dialect);
  atesql_compiled_free(c);

  atesql_list_opts opts = {.selector = sel};
  atesql_plan *plan = NULL;
  st = atesql_explain(d->store, resource, &opts, &plan);
  if (st != ATESQL_OK) return store_failed(d, st, "explain");
  printf("  plan      %s\n", plan->verdict);
  atesql_plan_free(plan);
  return EXIT_OK;
}

/* How many workers or actors opts's selector picks, into *n. */
static atesql_status count_records(demo *d, atesql_resource resource,
                                   const atesql_list_opts *opts, int64_t *n) {
  return resource == ATESQL_RESOURCE_WORKERS
             ? atesql_worker_count(d->store, opts, n)
             : atesql_actor_count(d->store, opts, n);
}

/* The first page of workers or actors opts asks for, as rows of t; *shown
** says how many. */
static atesql_status list_rows(demo *d, atesql_resource resource,
                               const atesql_list_opts *opts, table *t,
                               size_t *shown) {
  if (resource == ATESQL_RESOURCE_WORKERS) {
    atesql_worker_page *page = NULL;
    atesql_status st = atesql_worker_list(d->store, opts, &page);
    if (st != ATESQL_OK) return st;
    for (size_t i = 0; i < page->count; i++)
      show_row(t, resource, &page->items[i]);
    *shown = page->count;
    atesql_worker_page_free(page);
    return ATESQL_OK;
  }
  atesql_actor_page *page = NULL;
  atesql_status st = atesql_actor_list(d->store, opts, &page);
  if (st != ATESQL_OK) return st;
  for (size_t i = 0; i < page->count; i++)
    show_row(t, resource, &page->items[i]);
  *shown = page->count;
  atesql_actor_page_free(page);
  return ATESQL_OK;
}

/* "worker" or "workers", "actor" or "actors", for n of them. */
static const char *noun(atesql_resource resource, int64_t n) {
  if (resource == ATESQL_RESOURCE_WORKERS) return n == 1 ? "worker" : "workers";
  return n == 1 ? "actor" : "actors";
}

/*
** Ask one question about workers or actors: print it, its selector and
** SQL, the number of matches (a count with the same WHERE) and the first
** few rows.
*/
static int ask(demo *d, atesql_resource resource, const char *question,
               const char *text) {
  printf("\n%s\n", question);
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  atesql_status st =
      atesql_selector_parse(resource, text, ATESQL_NUL_TERMINATED, &sel, &err);
  if (st != ATESQL_OK) return fail(exit_code(st), "%s", err.message);
  int rc = print_compiled(d, resource, sel, text);
  atesql_list_opts opts = {.selector = sel, .page_size = SHOWN_ROWS};
  int64_t total = 0;
  if (rc == EXIT_OK &&
      (st = count_records(d, resource, &opts, &total)) != ATESQL_OK)
    rc = store_failed(d, st, "count");
  table *t = rc == EXIT_OK ? show_table_new(resource) : NULL;
  if (rc == EXIT_OK && t == NULL)
    rc = fail(EXIT_FAILURE_OTHER, "out of memory");
  size_t shown = 0;
  if (rc == EXIT_OK &&
      (st = list_rows(d, resource, &opts, t, &shown)) != ATESQL_OK)
    rc = store_failed(d, st, "list");
  if (rc == EXIT_OK) {
    printf("  result    %lld %s\n", (long long)total, noun(resource, total));
    if (!table_print(t, stdout, 4))
      rc = fail(EXIT_FAILURE_OTHER, "out of memory");
    else if (total > (int64_t)shown)
      printf("    ... %lld more\n", (long long)(total - (int64_t)shown));
  }
  table_free(t);
  atesql_selector_free(sel);
  return rc;
}

static int count_of(demo *d, atesql_resource resource, const char *text,
                    int64_t *n) {
  atesql_list_opts opts = {.selector_text = text};
  atesql_status st = count_records(d, resource, &opts, n);
  return st == ATESQL_OK ? EXIT_OK : store_failed(d, st, "count");
}

/* Counts by pool and by status: the same selectors through
** atesql_*_count, one SELECT count(*) each. */
static int print_counts(demo *d) {
  printf("\nHow full is the fleet? (atesql_worker_count / atesql_actor_count "
         "with the\nsame selectors: one SELECT count(*) on the index each)\n");
  printf("  %-22s", "free workers by pool:");
  for (size_t i = 0; i < COUNT(pools); i++) {
    char text[64];
    int64_t n;
    snprintf(text, sizeof text, "worker_pool=%s,actor_id=", pools[i].name);
    int rc = count_of(d, ATESQL_RESOURCE_WORKERS, text, &n);
    if (rc != EXIT_OK) return rc;
    printf("  %s %lld", pools[i].name, (long long)n);
  }
  printf("\n  %-22s", "actors by status:");
  for (int s = 1; atesql_actor_status_name((atesql_actor_status)s); s++) {
    char text[64];
    int64_t n;
    const char *name = atesql_actor_status_name((atesql_actor_status)s);
    snprintf(text, sizeof text, "status=%s", name);
    int rc = count_of(d, ATESQL_RESOURCE_ACTORS, text, &n);
    if (rc != EXIT_OK) return rc;
    if (n) printf("  %s %lld", name + strlen("STATUS_"), (long long)n);
  }
  printf("\n");
  return EXIT_OK;
}

/* The first paused actor of ml-training: its local snapshot names the
** nodes to resume it on. *out is freed by the caller. */
static int find_paused_actor(demo *d, atesql_actor_page **out) {
  atesql_list_opts opts = {.selector_text =
                               "atespace=ml-training,status=STATUS_PAUSED",
                           .page_size = 1};
  atesql_status st = atesql_actor_list(d->store, &opts, out);
  if (st != ATESQL_OK) return store_failed(d, st, "list paused actors");
  const atesql_snapshot_info *snap =
      (*out)->count ? (*out)->items[0].latest_snapshot_info : NULL;
  if (snap == NULL || snap->data != ATESQL_SNAPSHOT_DATA_LOCAL ||
      snap->local_node_vm_count == 0) {
    atesql_actor_page_free(*out);
    return fail(EXIT_FAILURE_OTHER, "demo: no paused actor to resume");
  }
  return EXIT_OK;
}

/* "worker_pool=gpu,actor_id=,node_name in (node-a,node-b)" for actor a. */
static void nodes_selector(const atesql_actor *a, char *buf, size_t size) {
  const atesql_snapshot_info *info = a->latest_snapshot_info;
  size_t used = (size_t)snprintf(buf, size,
                                 "worker_pool=%s,actor_id=,"
                                 "node_name in (",
                                 a->worker_pool_name);
  for (size_t i = 0; i < info->local_node_vm_count && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "," : "",
                             info->local_node_vms[i]);
  if (used < size) snprintf(buf + used, size - used, ")");
}

/* ---- The claim ---- */

static void assign(atesql_worker *w, const atesql_actor *a) {
  w->actor_namespace = a->actor_template_namespace;
  w->actor_template = a->actor_template_name;
  w->actor_id = a->actor_id;
  w->actor_atespace = a->atespace;
}

/*
** Claim a free worker for the paused actor by optimistic update: read it
** (version v), write it with expected_version v. A second scheduler that
** read the same version and claims it for another actor gets CONFLICT.
*/
static int claim(demo *d, const atesql_actor *actor, const char *selector) {
  printf("\nClaim a worker by optimistic update: read it, write it back with "
         "the version\nread; the store applies the write only if nobody "
         "wrote in between.\n");
  atesql_list_opts opts = {.selector_text = selector, .page_size = 1};
  atesql_worker_page *page = NULL;
  atesql_status st = atesql_worker_list(d->store, &opts, &page);
  if (st != ATESQL_OK) return store_failed(d, st, "list free workers");
  if (page->count == 0) {
    atesql_worker_page_free(page);
    return fail(EXIT_FAILURE_OTHER, "demo: no free worker to claim");
  }
  atesql_worker w = page->items[0];
  int64_t read_version = w.version, new_version = 0;
  printf("  scheduler A reads  %s/%s/%s on %s: free, version %lld\n",
         w.worker_namespace, w.worker_pool, w.worker_pod, w.node_name,
         (long long)read_version);
  printf("  scheduler B reads  the same worker: free, version %lld\n",
         (long long)read_version);

  assign(&w, actor);
  st = atesql_worker_update(d->store, &w, read_version, &new_version);
  if (st != ATESQL_OK) {
    atesql_worker_page_free(page);
    return store_failed(d, st, "claim");
  }
  printf("  A: atesql_worker_update(actor_id=%s, expected_version=%lld)\n"
         "     -> OK, version %lld: %s/%s holds the worker\n",
         actor->actor_id, (long long)read_version, (long long)new_version,
         actor->atespace, actor->actor_id);
  atesql_actor resuming = *actor;
  resuming.status = ATESQL_ACTOR_STATUS_RESUMING;
  resuming.ateom_pod_namespace = w.worker_namespace;
  resuming.ateom_pod_name = w.worker_pod;
  resuming.ateom_pod_ip = w.ip;
  resuming.ateom_pod_uid = w.worker_pod_uid;
  int64_t actor_version = 0;
  st = atesql_actor_update(d->store, &resuming, actor->version, &actor_version);
  if (st != ATESQL_OK) {
    atesql_worker_page_free(page);
    return store_failed(d, st, "resume");
  }
  printf("  A: atesql_actor_update(status=STATUS_RESUMING, expected_version="
         "%lld)\n     -> OK, version %lld\n",
         (long long)actor->version, (long long)actor_version);

  /* B still holds the worker as it read it, and claims it for another
  ** actor of the same template. */
  atesql_worker stale = page->items[0];
  atesql_actor other = *actor;
  other.actor_id = "trainer-13";
  assign(&stale, &other);
  st = atesql_worker_update(d->store, &stale, read_version, NULL);
  printf("  B: atesql_worker_update(actor_id=%s, expected_version=%lld)"
         "\n     -> %s",
         other.actor_id, (long long)read_version, atesql_status_str(st));
  if (st == ATESQL_CONFLICT)
    printf(" (%s)\n     B reloads the worker (version %lld, taken) and picks "
           "another one;\n     nothing was overwritten.\n",
           atesql_errmsg(d->store), (long long)new_version);
  else
    printf("\n");
  atesql_worker_page_free(page);
  if (st != ATESQL_CONFLICT)
    return fail(EXIT_FAILURE_OTHER, "demo: the stale claim was not caught: %s",
                atesql_status_str(st));
  return EXIT_OK;
}

/* ---- The run ---- */

/* Remove the default demo file and its SQLite side files. */
static int remove_demo_file(void) {
  static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < COUNT(suffixes); i++) {
    char path[64];
    snprintf(path, sizeof path, "%s%s", demo_file, suffixes[i]);
    if (unlink(path) != 0 && errno != ENOENT)
      return fail(EXIT_FAILURE_OTHER, "cannot remove '%s': %s", path,
                  strerror(errno));
  }
  return EXIT_OK;
}

/* How the output names the database: a PostgreSQL URL or conninfo may
** hold a password, so only SQLite URLs are repeated. */
static const char *shown_url(const char *url) {
  return strncmp(url, "sqlite:", strlen("sqlite:")) == 0 ? url : "URL";
}

/* A database given with --db must hold no records: the demo never
** touches a user's data. */
static int require_empty(demo *d) {
  atesql_list_opts opts = {.page_size = 1};
  int64_t workers = 0, actors = 0;
  atesql_atespace_page *spaces_page = NULL;
  atesql_status st = atesql_worker_count(d->store, &opts, &workers);
  if (st == ATESQL_OK) st = atesql_actor_count(d->store, &opts, &actors);
  if (st == ATESQL_OK) st = atesql_atespace_list(d->store, &opts, &spaces_page);
  if (st != ATESQL_OK) return store_failed(d, st, "inspect the database");
  bool empty = workers == 0 && actors == 0 && spaces_page->count == 0;
  atesql_atespace_page_free(spaces_page);
  if (!empty)
    return fail(EXIT_FAILURE_OTHER,
                "demo needs an empty database and the one given with --db "
                "holds records; run 'atesql-demo' without --db for a "
                "fresh %s",
                demo_file);
  return EXIT_OK;
}

/*
** Migrate the database, open it into d->store and, unless it is the fresh
** demo file, check that it is empty; then print what the migration did.
** Nothing is printed before the checks pass.
*/
static int prepare(demo *d, const char *url, bool fresh_file) {
  atesql_migration_list *applied = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_migrate_up(url, &applied, &err);
  if (st != ATESQL_OK) return fail(exit_code(st), "%s", err.message);
  st = atesql_store_open(url, &d->store, &err);
  int rc = st == ATESQL_OK ? EXIT_OK : fail(exit_code(st), "%s", err.message);
  if (rc == EXIT_OK && !fresh_file) rc = require_empty(d);
  if (rc == EXIT_OK) {
    printf("atesql demo on %s%s\n\n1. Migrate the schema\n"
           "$ atesql --db %s migrate up\n",
           shown_url(url), fresh_file ? " (a fresh SQLite file)" : "",
           shown_url(url));
    show_applied(applied);
  }
  atesql_migration_list_free(applied);
  return rc;
}

/* The questions about the paused actor's nodes, the counts and the claim. */
static int resume_paused_actor(demo *d, const char *url) {
  atesql_actor_page *paused = NULL;
  int rc = find_paused_actor(d, &paused);
  if (rc != EXIT_OK) return rc;
  const atesql_actor *actor = &paused->items[0];
  const atesql_snapshot_info *snap = actor->latest_snapshot_info;
  char question[256], selector[256];
  snprintf(question, sizeof question,
           "Actor %s/%s is PAUSED with a local snapshot on %s and %s.\n"
           "Which free %s workers are on those nodes, to resume it without "
           "a download?",
           actor->atespace, actor->actor_id, snap->local_node_vms[0],
           snap->local_node_vm_count > 1 ? snap->local_node_vms[1]
                                         : "no other node",
           actor->worker_pool_name);
  nodes_selector(actor, selector, sizeof selector);
  rc = ask(d, ATESQL_RESOURCE_WORKERS, question, selector);
  if (rc == EXIT_OK)
    rc = ask(d, ATESQL_RESOURCE_ACTORS,
             "Which actors of atespace search are RUNNING?",
             "atespace=search,status=STATUS_RUNNING");
  if (rc == EXIT_OK) rc = print_counts(d);
  if (rc == EXIT_OK) rc = claim(d, actor, selector);
  if (rc == EXIT_OK)
    printf("\nExplore it: atesql --db %s workers list --selector "
           "'node_name=%s'\n",
           shown_url(url), snap->local_node_vms[0]);
  atesql_actor_page_free(paused);
  return rc;
}

static int run_demo(demo *d, const char *url, bool fresh_file) {
  static fleet f; /* zeroed; large, so not on the stack */
  int rc = prepare(d, url, fresh_file);
  if (rc == EXIT_OK) {
    printf("\n2. Register a fleet (one transaction)\n");
    rc = register_fleet(d, &f);
  }
  if (rc != EXIT_OK) return rc;
  print_fleet(&f);
  printf("\n3. The scheduler's questions, as selectors. Field names are "
         "checked against a\nwhitelist; values travel only as bound "
         "parameters; each field has an index.\n");
  rc = ask(d, ATESQL_RESOURCE_WORKERS,
           "Which gpu workers are free? (actor_id= means free)",
           "worker_pool=gpu,actor_id=");
  return rc == EXIT_OK ? resume_paused_actor(d, url) : rc;
}

/*
** The options, --db URL and --help, into *db (left as it is without
** --db). Returns -1 to go on, or the exit code to return at once: help
** printed, or a usage error reported.
*/
static int parse_options(int argc, char **argv, const char **db) {
  static const struct option options[] = {
      {"db", required_argument, NULL, 'd'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
    if (c == 'h') {
      printf("usage: %s\n", demo_usage);
      return EXIT_OK;
    }
    if (c != 'd') return fail(EXIT_USAGE, "usage: %s", demo_usage);
    *db = optarg;
  }
  return optind == argc ? -1 : fail(EXIT_USAGE, "usage: %s", demo_usage);
}

int main(int argc, char **argv) {
  const char *db = NULL;
  int rc = parse_options(argc, argv, &db);
  if (rc >= 0) return rc;

  /* $ATESQL_DB is deliberately ignored: the demo writes a sample fleet and
  ** belongs in its own file unless a database is named explicitly. */
  bool fresh_file = db == NULL;
  char url[96];
  if (fresh_file) {
    rc = remove_demo_file();
    if (rc != EXIT_OK) return rc;
    snprintf(url, sizeof url, "sqlite:%s", demo_file);
    db = url;
  }
  demo d = {NULL};
  rc = run_demo(&d, db, fresh_file);
  atesql_store_close(d.store);
  if (fflush(stdout) != 0 || ferror(stdout))
    return fail(EXIT_FAILURE_OTHER, "cannot write output");
  return rc;
}
