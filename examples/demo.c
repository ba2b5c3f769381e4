/*
** The library's main flow in one read, as a program:
**
**   atesql-demo [--db URL] [--cli PATH]
**
** migrates a fresh SQLite file (atesql-demo.db in the current directory,
** or the empty database at URL), registers a fleet (workers in three pools
** with labels over 32 nodes, actors in three atespaces and every status),
** then asks the scheduler's questions as selectors, showing each one's
** SQL, the plan's verdict and the first rows. Last, under a watch that
** prints each change as it commits, two schedulers race to resume paused
** actors on the nodes of their local snapshots (atesql_actor_resume, an
** atomic claim with preferred or required nodes and a label selector):
** one wins, the other gets RESOURCE_EXHAUSTED and, after a release,
** retries and wins; a retried claim returns the worker already held.
** Everything goes through the public API; records and parameters are
** printed by show.h (src/show), as the atesql program prints them.
** scripts/demo builds and runs it, with --cli naming the atesql program
** it built so that the commands printed work as printed; the tests run it
** on both backends. Every connection is closed at exit, so a SQLite
** database is left as its one file, without -wal or -shm files. Exit
** codes: 0, 2 usage or invalid input, 1 any other failure, reported as
** one line on stderr starting "atesql: ".
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

static const char demo_usage[] = "atesql-demo [--db URL] [--cli PATH]";
static const char demo_file[] = "atesql-demo.db";

enum { EXIT_OK = 0, EXIT_FAILURE_OTHER = 1, EXIT_USAGE = 2 };

enum { SHOWN_ROWS = 3 };

/* Worker pools: nodes [first_node, last_node] with per_node workers each.
** Every worker carries the label label_key=label_value, except on the
** pool's first other_nodes nodes, where its value is other_value. The
** paused actors of the pool's atespace keep their local snapshots on
** snapshot_node and the node after it: for gpu, the last two nodes the
** fleet's actors fill, so that one worker is free there. */
typedef struct pool_def {
  const char *name;
  int first_node, last_node, per_node;
  const char *label_key, *label_value;
  int other_nodes;
  const char *other_value;
  int snapshot_node;
} pool_def;

static const pool_def pools[] = {
    {"cpu", 1, 12, 16, "cpu-family", "amd-epyc", 0, NULL, 3},
    {"gpu", 13, 28, 2, "accelerator", "nvidia-l4", 2, "nvidia-h100", 21},
    {"highmem", 29, 32, 12, "memory", "512Gi", 0, NULL, 30},
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
    {"ml-training", "ml", "trainer", 1, 21, "accelerator", "nvidia-l4"},
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
  const char *url;       /* the database */
  const char *cli;       /* the atesql program, as the commands shown name it */
  atesql_store *store;   /* scheduler A's connection, which writes the fleet */
  atesql_store *store_b; /* scheduler B's connection */
  atesql_watch *watch;   /* the watch on the paused actors' nodes */
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

static int store_failed(atesql_store *store, atesql_status st,
                        const char *what) {
  return fail(exit_code(st), "demo: %s: %s", what, atesql_errmsg(store));
}

/* ---- The fleet ---- */

static int pool_nodes(const pool_def *p) {
  return p->last_node - p->first_node + 1;
}

static int pool_workers(const pool_def *p) {
  return pool_nodes(p) * p->per_node;
}

/* The value of the pool's label on the workers of node. */
static const char *label_value_on(const pool_def *p, int node) {
  return node < p->first_node + p->other_nodes ? p->other_value
                                               : p->label_value;
}

/* The identity of worker m of a pool: workers are numbered node by node,
** so actors placed in order fill one node before the next, as a
** bin-packing scheduler places them. */
typedef struct worker_id {
  char pod[48], node[48], ip[48], uid[48];
  atesql_label label;
} worker_id;

static worker_id worker_identity(const pool_def *p, size_t pool_index, int m) {
  worker_id w;
  int node = p->first_node + m / p->per_node;
  int k = m % p->per_node;
  snprintf(w.pod, sizeof w.pod, "%s-%02d-%02d", p->name, node, k);
  snprintf(w.node, sizeof w.node, "node-%02d", node);
  snprintf(w.ip, sizeof w.ip, "10.%zu.%d.%d", pool_index, node, k + 10);
  snprintf(w.uid, sizeof w.uid, "uid-%zu-%04d", pool_index, m);
  w.label = (atesql_label){p->label_key, label_value_on(p, node)};
  return w;
}

/* Who holds worker m of a pool (actor_id "" when free). */
typedef struct occupant {
  const space_def *space;
  char actor_id[48];
} occupant;

enum { MAX_POOL_WORKERS = 1024 };

typedef struct fleet {
  occupant held[COUNT(pools)][MAX_POOL_WORKERS];
  int next_worker[COUNT(pools)]; /* where the next placed actor looks */
  int workers, actors;
} fleet;

/* The next worker of s's pool whose label s's actors select, taken for
** actor id; -1 when the pool has none left. Workers passed over stay
** free. */
static int place_actor(fleet *f, const space_def *s, const char *id) {
  const pool_def *p = &pools[s->pool];
  int *m = &f->next_worker[s->pool];
  while (*m < pool_workers(p) &&
         strcmp(worker_identity(p, s->pool, *m).label.value, s->label_value))
    ++*m;
  if (*m == pool_workers(p)) return -1;
  occupant *o = &f->held[s->pool][*m];
  o->space = s;
  snprintf(o->actor_id, sizeof o->actor_id, "%s", id);
  return (*m)++;
}

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
    snprintf(node_a, sizeof node_a, "node-%02d", p->snapshot_node);
    snprintf(node_b, sizeof node_b, "node-%02d", p->snapshot_node + 1);
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
    int m = place_actor(f, s, id);
    if (m < 0)
      return fail(EXIT_FAILURE_OTHER, "demo: pool %s is full", p->name);
    w = worker_identity(p, s->pool, m);
    a.ateom_pod_namespace = "fleet";
    a.ateom_pod_name = w.pod;
    a.ateom_pod_ip = w.ip;
    a.ateom_pod_uid = w.uid;
  }
  atesql_status st = atesql_actor_create(d->store, &a);
  if (st != ATESQL_OK) return store_failed(d->store, st, "create actor");
  f->actors++;
  return EXIT_OK;
}

static int create_workers(demo *d, fleet *f) {
  for (size_t pi = 0; pi < COUNT(pools); pi++) {
    const pool_def *p = &pools[pi];
    for (int m = 0; m < pool_workers(p); m++) {
      worker_id id = worker_identity(p, pi, m);
      const occupant *o = &f->held[pi][m];
      atesql_worker w = {
          .worker_namespace = "fleet",
          .worker_pool = p->name,
          .worker_pod = id.pod,
          .ip = id.ip,
          .worker_pod_uid = id.uid,
          .node_name = id.node,
          .labels = &id.label,
          .label_count = 1,
      };
      if (o->space) {
        w.actor_namespace = o->space->template_namespace;
        w.actor_template = o->space->template_name;
        w.actor_id = o->actor_id;
        w.actor_atespace = o->space->name;
      }
      atesql_status st = atesql_worker_create(d->store, &w);
      if (st != ATESQL_OK) return store_failed(d->store, st, "create worker");
      f->workers++;
    }
  }
  return EXIT_OK;
}

/* Atespaces, actors, then the workers they hold, in one transaction;
** then fresh planner statistics. */
static int register_fleet(demo *d, fleet *f) {
  atesql_status st = atesql_tx_begin(d->store);
  if (st != ATESQL_OK) return store_failed(d->store, st, "begin");
  int rc = EXIT_OK;
  for (size_t i = 0; rc == EXIT_OK && i < COUNT(spaces); i++) {
    atesql_atespace a = {spaces[i].name};
    st = atesql_atespace_create(d->store, &a);
    if (st != ATESQL_OK) rc = store_failed(d->store, st, "create atespace");
    for (int j = 0; rc == EXIT_OK && j < spaces[i].actors; j++)
      rc = create_actor(d, f, &spaces[i], j);
  }
  if (rc == EXIT_OK) rc = create_workers(d, f);
  if (rc != EXIT_OK) {
    atesql_tx_rollback(d->store);
    return rc;
  }
  st = atesql_tx_commit(d->store);
  if (st != ATESQL_OK) return store_failed(d->store, st, "commit");
  /* Planner statistics after a bulk load, so plans match the data. */
  st = atesql_store_analyze(d->store);
  return st == ATESQL_OK ? EXIT_OK : store_failed(d->store, st, "analyze");
}

static void print_fleet(const fleet *f) {
  printf("%zu atespaces (search, ml-training, batch), %d actors, %d workers:\n",
         COUNT(spaces), f->actors, f->workers);
  for (size_t i = 0; i < COUNT(pools); i++) {
    const pool_def *p = &pools[i];
    printf("  pool %-8s %3d workers on node-%02d..node-%02d, labels.%s=%s",
           p->name, pool_workers(p), p->first_node, p->last_node, p->label_key,
           p->label_value);
    if (p->other_nodes)
      printf(" (%s on node-%02d..node-%02d)", p->other_value, p->first_node,
             p->first_node + p->other_nodes - 1);
    printf("\n");
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
  if (st != ATESQL_OK) return store_failed(d->store, st, "explain");
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
    rc = store_failed(d->store, st, "count");
  table *t = rc == EXIT_OK ? show_table_new(resource) : NULL;
  if (rc == EXIT_OK && t == NULL)
    rc = fail(EXIT_FAILURE_OTHER, "out of memory");
  size_t shown = 0;
  if (rc == EXIT_OK &&
      (st = list_rows(d, resource, &opts, t, &shown)) != ATESQL_OK)
    rc = store_failed(d->store, st, "list");
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
  return st == ATESQL_OK ? EXIT_OK : store_failed(d->store, st, "count");
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

/* The paused actors of ml-training, two or more: their local snapshots
** name the nodes to resume them on (the same two nodes for all of them).
** *out is freed by the caller. */
static int find_paused_actors(demo *d, atesql_actor_page **out) {
  atesql_list_opts opts = {.selector_text =
                               "atespace=ml-training,status=STATUS_PAUSED",
                           .page_size = 2};
  atesql_status st = atesql_actor_list(d->store, &opts, out);
  if (st != ATESQL_OK) return store_failed(d->store, st, "list paused actors");
  for (size_t i = 0; i < 2; i++) {
    const atesql_snapshot_info *snap =
        i < (*out)->count ? (*out)->items[i].latest_snapshot_info : NULL;
    if (snap == NULL || snap->data != ATESQL_SNAPSHOT_DATA_LOCAL ||
        snap->local_node_vm_count != 2) {
      atesql_actor_page_free(*out);
      return fail(EXIT_FAILURE_OTHER, "demo: no two paused actors to resume");
    }
  }
  return EXIT_OK;
}

/* "node_name in (node-a,node-b)" for the nodes of a local snapshot. */
static void nodes_term(const atesql_snapshot_info *snap, char *buf,
                       size_t size) {
  snprintf(buf, size, "node_name in (%s,%s)", snap->local_node_vms[0],
           snap->local_node_vms[1]);
}

/* ---- The watch ---- */

/* Open d->watch, on a connection of its own, on the workers selector
** picks, delivering every change committed from now on. */
static int open_watch(demo *d, const char *selector) {
  atesql_watch_opts opts = {.selector_text = selector,
                            .since_revision = ATESQL_WATCH_NOW};
  atesql_error err = {0};
  atesql_status st = atesql_watch_open(d->url, &opts, &d->watch, &err);
  if (st != ATESQL_OK) return fail(exit_code(st), "%s", err.message);
  printf("  watch     %s, from revision %lld\n", selector,
         (long long)atesql_watch_revision(d->watch));
  return EXIT_OK;
}

/* "atespace/actor_id" of the worker's holder into buf, or "free". */
static const char *holder(const atesql_worker *w, char *buf, size_t size) {
  if (w == NULL || w->actor_id == NULL || w->actor_id[0] == '\0') return "free";
  snprintf(buf, size, "%s/%s", w->actor_atespace, w->actor_id);
  return buf;
}

static void print_event(const atesql_worker_event *e) {
  const atesql_worker *w = &e->worker;
  char before[112], after[112];
  printf("  watch     revision %lld %s %s/%s/%s on %s: %s -> %s\n",
         (long long)e->revision, show_event_type(e->type), w->worker_namespace,
         w->worker_pool, w->worker_pod, w->node_name,
         holder(e->previous, before, sizeof before),
         holder(w, after, sizeof after));
}

enum { WATCH_WAIT_MS = 100, WATCH_WAITS = 100 };

/*
** Print the events the watch delivers up to the store's current revision:
** the changes committed so far that its selector picks. Waits a moment
** for each (a watch on PostgreSQL delivers a change once it is numbered),
** at most WATCH_WAITS times WATCH_WAIT_MS in all.
*/
static int print_watch_events(demo *d) {
  int64_t revision = 0;
  atesql_status st = atesql_store_revision(d->store, &revision, NULL);
  if (st != ATESQL_OK) return store_failed(d->store, st, "store revision");
  for (int waits = 0; atesql_watch_revision(d->watch) < revision;) {
    atesql_worker_event *e = NULL;
    st = atesql_watch_next(d->watch, WATCH_WAIT_MS, &e);
    if (st == ATESQL_DEADLINE_EXCEEDED && ++waits < WATCH_WAITS) continue;
    if (st != ATESQL_OK)
      return fail(exit_code(st), "demo: watch: %s",
                  atesql_watch_errmsg(d->watch));
    print_event(e);
    atesql_worker_event_free(e);
  }
  return EXIT_OK;
}

/* ---- The race ---- */

/* The eligible pool of every resume: the gpu workers. */
static const atesql_pool_ref gpu_pool = {"fleet", "gpu"};

/* "labels.KEY=VALUE,..." for the actor's worker_selector into buf. */
static void labels_selector(const atesql_actor *a, char *buf, size_t size) {
  const atesql_worker_selector *ws = a->worker_selector;
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; ws && i < ws->match_label_count && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%slabels.%s=%s",
                             i ? "," : "", ws->match_labels[i].key,
                             ws->match_labels[i].value);
}

/* The claim of a resume of actor a: a free gpu worker with the labels
** its worker_selector names (into labels, which the request points to),
** on the nodes of its local snapshot as policy says. */
static atesql_claim_request resume_request(const atesql_actor *a,
                                           atesql_node_policy policy,
                                           char *labels, size_t size) {
  labels_selector(a, labels, size);
  const atesql_snapshot_info *snap = a->latest_snapshot_info;
  return (atesql_claim_request){
      .pools = &gpu_pool,
      .pool_count = 1,
      .selector_text = labels,
      .preferred_nodes = snap ? snap->local_node_vms : NULL,
      .preferred_node_count = snap ? snap->local_node_vm_count : 0,
      .policy = policy,
      .actor_atespace = a->atespace,
      .actor_id = a->actor_id,
  };
}

/*
** Scheduler `who` resumes actor_id of ml-training through store s: it
** reads the actor (its version, its snapshot's nodes, its worker_selector)
** and calls atesql_actor_resume, which in one transaction claims a free
** gpu worker with the actor's labels, on the snapshot's nodes first (or
** only, with ATESQL_NODES_REQUIRE), and moves the actor to RESUMING on
** it. Prints the call and its outcome; returns the resume's status, or
** the failure of the read into *rc (EXIT_OK otherwise).
*/
static atesql_status resume(atesql_store *s, const char *who,
                            const char *actor_id, atesql_node_policy policy,
                            int *rc) {
  atesql_actor *a = NULL;
  atesql_status st = atesql_actor_get(s, "ml-training", actor_id, &a);
  if (st != ATESQL_OK) {
    *rc = store_failed(s, st, "get actor");
    return st;
  }
  char labels[256];
  atesql_claim_request req = resume_request(a, policy, labels, sizeof labels);
  printf("  %s: resume %s/%s (version %lld), selector %s,\n"
         "     snapshot nodes %s\n",
         who, a->atespace, a->actor_id, (long long)a->version, labels,
         policy == ATESQL_NODES_REQUIRE ? "required" : "preferred");
  atesql_worker *w = NULL;
  atesql_actor *moved = NULL;
  st = atesql_actor_resume(s, &req, a->version, &w, &moved);
  if (st == ATESQL_OK)
    printf("     -> OK: %s/%s/%s on %s; %s %s, version %lld\n",
           w->worker_namespace, w->worker_pool, w->worker_pod, w->node_name,
           moved->actor_id, atesql_actor_status_name(moved->status),
           (long long)moved->version);
  else
    printf("     -> %s, nothing written:\n        %s\n", atesql_status_str(st),
           atesql_errmsg(s));
  atesql_worker_free(w);
  atesql_actor_free(moved);
  atesql_actor_free(a);
  *rc = EXIT_OK;
  return st;
}

/* resume, which must end in `want`: anything else fails the demo. */
static int resume_expecting(demo *d, atesql_store *s, const char *who,
                            const char *actor_id, atesql_node_policy policy,
                            atesql_status want) {
  int rc;
  atesql_status st = resume(s, who, actor_id, policy, &rc);
  if (rc != EXIT_OK) return rc;
  if (st != want)
    return fail(EXIT_FAILURE_OTHER,
                "demo: the resume of %s ended in %s, not %s", actor_id,
                atesql_status_str(st), atesql_status_str(want));
  return print_watch_events(d);
}

/*
** The holder of the first worker on `node` finishes suspending: in one
** transaction the actor moves to SUSPENDED with its snapshot uploaded,
** and its worker is released (atesql_worker_release).
*/
static int suspend_holder(demo *d, const char *node) {
  char selector[128];
  snprintf(selector, sizeof selector,
           "worker_pool=gpu,actor_atespace=ml-training,node_name=%s", node);
  atesql_list_opts opts = {.selector_text = selector, .page_size = 1};
  atesql_worker_page *page = NULL;
  atesql_actor *a = NULL;
  atesql_status st = atesql_worker_list(d->store, &opts, &page);
  if (st != ATESQL_OK) return store_failed(d->store, st, "list held workers");
  if (page->count == 0) {
    atesql_worker_page_free(page);
    return fail(EXIT_FAILURE_OTHER, "demo: no worker held on %s", node);
  }
  const atesql_worker *w = &page->items[0];
  st = atesql_actor_get(d->store, w->actor_atespace, w->actor_id, &a);
  char uri[160];
  snprintf(uri, sizeof uri, "gs://atesql-demo-snapshots/%s/%s",
           w->actor_atespace, w->actor_id);
  atesql_snapshot_info snapshot = {.type = ATESQL_SNAPSHOT_TYPE_EXTERNAL,
                                   .data = ATESQL_SNAPSHOT_DATA_EXTERNAL,
                                   .external_snapshot_uri_prefix = uri};
  bool released = false;
  if (st == ATESQL_OK) {
    printf("\n%s/%s, on %s, finishes suspending (its snapshot uploaded):\n"
           "in one transaction the scheduler moves it to STATUS_SUSPENDED and "
           "frees its\nworker.\n",
           a->atespace, a->actor_id, w->worker_pod);
    st = atesql_tx_begin(d->store);
  }
  if (st == ATESQL_OK) {
    atesql_actor suspended = *a;
    suspended.status = ATESQL_ACTOR_STATUS_SUSPENDED;
    suspended.ateom_pod_namespace = suspended.ateom_pod_name = NULL;
    suspended.ateom_pod_ip = suspended.ateom_pod_uid = NULL;
    suspended.latest_snapshot_info = &snapshot;
    st = atesql_actor_update(d->store, &suspended, a->version, NULL);
    if (st == ATESQL_OK)
      st = atesql_worker_release(d->store, w->worker_namespace, w->worker_pool,
                                 w->worker_pod, w->actor_atespace, w->actor_id,
                                 &released);
    st = st == ATESQL_OK ? atesql_tx_commit(d->store)
                         : (atesql_tx_rollback(d->store), st);
  }
  int rc = st == ATESQL_OK ? EXIT_OK : store_failed(d->store, st, "suspend");
  if (rc == EXIT_OK)
    printf("  atesql_worker_release(%s/%s/%s, %s/%s) -> %s\n",
           w->worker_namespace, w->worker_pool, w->worker_pod,
           w->actor_atespace, w->actor_id, released ? "released" : "not held");
  atesql_actor_free(a);
  atesql_worker_page_free(page);
  return rc == EXIT_OK ? print_watch_events(d) : rc;
}

/*
** A's first answer was lost and it claims again for the same actor
** (atesql_worker_claim): it gets the worker the actor holds, unchanged.
*/
static int claim_again(demo *d, const char *actor_id) {
  atesql_claim_request req = {.pools = &gpu_pool,
                              .pool_count = 1,
                              .actor_atespace = "ml-training",
                              .actor_id = actor_id};
  atesql_worker *w = NULL;
  printf("\nA did not see its answer (a lost connection) and claims again for "
         "%s:\n  A: atesql_worker_claim(ml-training/%s, pools fleet/gpu)\n",
         actor_id, actor_id);
  atesql_status st = atesql_worker_claim(d->store, &req, &w);
  if (st != ATESQL_OK) return store_failed(d->store, st, "claim again");
  printf("     -> OK: the worker it holds, %s/%s/%s, still at version "
         "%lld:\n     a retried claim never takes a second worker, and the "
         "watch has nothing new.\n",
         w->worker_namespace, w->worker_pool, w->worker_pod,
         (long long)w->version);
  atesql_worker_free(w);
  return print_watch_events(d);
}

/* The second scheduler's connection. */
static int open_second_store(demo *d) {
  atesql_error err = {0};
  atesql_status st = atesql_store_open(d->url, &d->store_b, &err);
  return st == ATESQL_OK ? EXIT_OK : fail(exit_code(st), "%s", err.message);
}

/*
** Two paused actors race for the one free worker on their snapshot's
** nodes, under a watch on those nodes: A wins, B (which requires those
** nodes) gets RESOURCE_EXHAUSTED, a worker there is freed, and B's retry
** takes it; last, A's retried claim changes nothing.
*/
static int race(demo *d, const atesql_actor_page *paused) {
  const atesql_actor *a = &paused->items[0], *b = &paused->items[1];
  const atesql_snapshot_info *snap = a->latest_snapshot_info;
  char nodes[128], watched[192], free_there[256];
  nodes_term(snap, nodes, sizeof nodes);
  snprintf(watched, sizeof watched, "worker_pool=%s,%s", a->worker_pool_name,
           nodes);
  snprintf(free_there, sizeof free_there, "%s,actor_id=", watched);
  int64_t free_count = 0;
  int rc = count_of(d, ATESQL_RESOURCE_WORKERS, free_there, &free_count);
  if (rc != EXIT_OK) return rc;
  printf("\n4. Resume, under a watch. A watch on the %s workers of %s and "
         "%s\n(a connection of its own) prints each change as it commits.\n",
         a->worker_pool_name, snap->local_node_vms[0], snap->local_node_vms[1]);
  rc = open_watch(d, watched);
  if (rc == EXIT_OK) rc = open_second_store(d);
  if (rc != EXIT_OK) return rc;
  printf("\nSchedulers A and B (two connections) resume %s and %s, both "
         "PAUSED\nwith snapshots on %s and %s, where %lld %s worker%s free. "
         "A resume\nis one atomic step (atesql_actor_resume): claim a free "
         "worker of the pool\nwith the labels of the actor's worker_selector, "
         "on a snapshot node first, and\nmove the actor to RESUMING on it. A "
         "prefers those nodes; B requires them\n(its snapshot is too large to "
         "download).\n",
         a->actor_id, b->actor_id, snap->local_node_vms[0],
         snap->local_node_vms[1], (long long)free_count, a->worker_pool_name,
         free_count == 1 ? " is" : "s are");
  rc = resume_expecting(d, d->store, "A", a->actor_id, ATESQL_NODES_PREFER,
                        ATESQL_OK);
  if (rc == EXIT_OK)
    rc = resume_expecting(d, d->store_b, "B", b->actor_id, ATESQL_NODES_REQUIRE,
                          ATESQL_RESOURCE_EXHAUSTED);
  if (rc == EXIT_OK) rc = suspend_holder(d, snap->local_node_vms[0]);
  if (rc == EXIT_OK) {
    printf("\nB retries, reading %s again:\n", b->actor_id);
    rc = resume_expecting(d, d->store_b, "B", b->actor_id, ATESQL_NODES_REQUIRE,
                          ATESQL_OK);
  }
  return rc == EXIT_OK ? claim_again(d, a->actor_id) : rc;
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
  if (st != ATESQL_OK)
    return store_failed(d->store, st, "inspect the database");
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
static int prepare(demo *d, bool fresh_file) {
  atesql_migration_list *applied = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_migrate_up(d->url, &applied, &err);
  if (st != ATESQL_OK) return fail(exit_code(st), "%s", err.message);
  st = atesql_store_open(d->url, &d->store, &err);
  int rc = st == ATESQL_OK ? EXIT_OK : fail(exit_code(st), "%s", err.message);
  if (rc == EXIT_OK && !fresh_file) rc = require_empty(d);
  if (rc == EXIT_OK) {
    printf("atesql demo on %s%s\n\n1. Migrate the schema\n"
           "$ %s --db %s migrate up\n",
           shown_url(d->url), fresh_file ? " (a fresh SQLite file)" : "",
           d->cli, shown_url(d->url));
    show_applied(applied);
  }
  atesql_migration_list_free(applied);
  return rc;
}

/* The questions about the paused actors' nodes and labels, the counts,
** and the race for their nodes' workers. */
static int resume_paused_actors(demo *d) {
  atesql_actor_page *paused = NULL;
  int rc = find_paused_actors(d, &paused);
  if (rc != EXIT_OK) return rc;
  const atesql_actor *actor = &paused->items[0];
  const atesql_snapshot_info *snap = actor->latest_snapshot_info;
  char question[256], nodes[128], selector[256];
  snprintf(question, sizeof question,
           "Actor %s/%s is PAUSED with a local snapshot on %s and %s.\n"
           "Which workers are free on those nodes, to resume it without a "
           "download?",
           actor->atespace, actor->actor_id, snap->local_node_vms[0],
           snap->local_node_vms[1]);
  nodes_term(snap, nodes, sizeof nodes);
  snprintf(selector, sizeof selector, "actor_id=,%s", nodes);
  rc = ask(d, ATESQL_RESOURCE_WORKERS, question, selector);
  if (rc == EXIT_OK)
    rc = ask(d, ATESQL_RESOURCE_WORKERS,
             "Which free gpu workers have an nvidia-h100? (a label, "
             "labels.KEY=VALUE)",
             "worker_pool=gpu,actor_id=,labels.accelerator=nvidia-h100");
  if (rc == EXIT_OK)
    rc = ask(d, ATESQL_RESOURCE_ACTORS,
             "Which actors of atespace search are RUNNING?",
             "atespace=search,status=STATUS_RUNNING");
  if (rc == EXIT_OK) rc = print_counts(d);
  if (rc == EXIT_OK) rc = race(d, paused);
  if (rc == EXIT_OK)
    printf("\nExplore it: %s --db %s workers list --selector '%s'\n", d->cli,
           shown_url(d->url), nodes);
  atesql_actor_page_free(paused);
  return rc;
}

static int run_demo(demo *d, bool fresh_file) {
  static fleet f; /* zeroed; large, so not on the stack */
  int rc = prepare(d, fresh_file);
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
  return rc == EXIT_OK ? resume_paused_actors(d) : rc;
}

/*
** The options, --db URL, --cli PATH and --help, into *db and *cli (each
** left as it is without its option). Returns -1 to go on, or the exit
** code to return at once: help printed, or a usage error reported.
*/
static int parse_options(int argc, char **argv, const char **db,
                         const char **cli) {
  static const struct option options[] = {
      {"db", required_argument, NULL, 'd'},
      {"cli", required_argument, NULL, 'c'},
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
    if (c == 'd')
      *db = optarg;
    else if (c == 'c')
      *cli = optarg;
    else
      return fail(EXIT_USAGE, "usage: %s", demo_usage);
  }
  return optind == argc ? -1 : fail(EXIT_USAGE, "usage: %s", demo_usage);
}

int main(int argc, char **argv) {
  const char *db = NULL, *cli = "atesql";
  int rc = parse_options(argc, argv, &db, &cli);
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
  demo d = {.url = db, .cli = cli};
  rc = run_demo(&d, fresh_file);
  /* Every connection closed, so SQLite removes its -wal and -shm files:
  ** the demo leaves the one database file. */
  atesql_watch_close(d.watch);
  atesql_store_close(d.store_b);
  atesql_store_close(d.store);
  if (fflush(stdout) != 0 || ferror(stdout))
    return fail(EXIT_FAILURE_OTHER, "cannot write output");
  return rc;
}
