/*
** The statements of the raw implementation, and where each comes from.
** The lists are atesql's own, taken from atesql_explain, and the count's
** condition from atesql_selector_compile: raw runs exactly the statements
** atesql runs, whatever the compiler writes. What raw binds is a table
** here, by the question's values (the pool, the page's limit ...), and
** explain's parameters must equal it. The get and the writes are copies of
** sql/<dialect>/store.sql, which no public call reports.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw.h"

/* What a statement binds, placeholder by placeholder: a value of the
** question (op_args), or of the worker a write writes. */
typedef enum raw_value {
  V_END,         /* after the last placeholder */
  V_POOL,        /* pool */
  V_POOLS,       /* pools, encoded for the dialect */
  V_NAMESPACE,   /* worker_namespace */
  V_NODES,       /* nodes, encoded for the dialect */
  V_NODE,        /* node */
  V_ACTOR_ID,    /* actor_id */
  V_ATESPACE,    /* atespace */
  V_STATUS,      /* status, an integer */
  V_LABEL_KEY,   /* label_key */
  V_LABEL_VALUE, /* label_value */
  V_W_NAMESPACE, /* worker.worker_namespace ... */
  V_W_POOL,
  V_W_POD,
  V_W_ACTOR_NAMESPACE,
  V_W_ACTOR_TEMPLATE,
  V_W_ACTOR_ID,
  V_W_ACTOR_ATESPACE,
  V_W_IP,
  V_W_POD_UID,
  V_W_NODE,    /* ... worker.node_name */
  V_W_VERSION, /* worker.version, an integer */
  V_W_LABELS,  /* the worker's labels as a JSON object */
  V_VERSION,   /* expected_version, an integer */
  V_LOCK_KEY,
  V_LOCK_OWNER,
  V_LOCK_TTL /* 30000 ms, an integer */
} raw_value;

#define WORKER_COLUMNS                                                         \
  "worker_namespace, worker_pool, worker_pod, actor_namespace, "               \
  "actor_template, actor_id, actor_atespace, ip, worker_pod_uid, node_name, "  \
  "version, labels"
#define WORKER_FIELDS                                                          \
  V_W_NAMESPACE, V_W_POOL, V_W_POD, V_W_ACTOR_NAMESPACE, V_W_ACTOR_TEMPLATE,   \
      V_W_ACTOR_ID, V_W_ACTOR_ATESPACE, V_W_IP, V_W_POD_UID, V_W_NODE
#define SQLITE_NOW_MS                                                          \
  "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
#define PG_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

/*
** One statement raw runs: what it binds, its rows, and for the get and
** the writes its SQL in both dialects (a copy of sql/<dialect>/store.sql;
** the lists and the count have none here: atesql gives theirs).
*/
typedef struct statement_row {
  raw_value binds[12]; /* up to the first V_END */
  row_kind rows;
  const char *sqlite;
  const char *postgres;
} statement_row;

static const statement_row statements[RAW_STATEMENTS] = {
    [WL_LIST_POOL_FREE] = {{V_POOL}, WORKER_ROWS},
    [WL_LIST_NODES_FREE] = {{V_NODES}, WORKER_ROWS},
    [WL_LIST_POOL_NODES_FREE] = {{V_POOL, V_NODES}, WORKER_ROWS},
    [WL_LIST_POOLS_FREE] = {{V_NAMESPACE, V_POOLS}, WORKER_ROWS},
    [WL_LIST_HOLDER] = {{V_ACTOR_ID, V_ATESPACE}, WORKER_ROWS},
    [WL_LIST_NODE] = {{V_NODE}, WORKER_ROWS},
    [WL_LIST_ACTORS_STATUS] = {{V_ATESPACE, V_STATUS}, ACTOR_ROWS},
    [WL_LIST_STATUS] = {{V_STATUS}, ACTOR_ROWS},
    [WL_LIST_POOL_LABEL_FREE] = {{V_POOL, V_LABEL_KEY, V_LABEL_VALUE},
                                 WORKER_ROWS},
    [WL_COUNT_POOL_FREE] = {{V_POOL}, NO_ROWS},
    [WL_GET_WORKER] = {{V_W_NAMESPACE, V_W_POOL, V_W_POD},
                       WORKER_ROWS,
                       "SELECT " WORKER_COLUMNS " FROM workers "
                       "WHERE worker_namespace = ?1 AND worker_pool = ?2 AND "
                       "worker_pod = ?3",
                       "SELECT " WORKER_COLUMNS " FROM workers "
                       "WHERE worker_namespace = $1 AND worker_pool = $2 AND "
                       "worker_pod = $3"},
    [WL_CREATE_WORKER] = {{WORKER_FIELDS, V_W_VERSION, V_W_LABELS},
                          NO_ROWS,
                          "INSERT INTO workers (" WORKER_COLUMNS ") "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                          "?11, ?12)",
                          "INSERT INTO workers (" WORKER_COLUMNS ") "
                          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                          "$11, $12)"},
    [WL_UPDATE_WORKER] =
        {{WORKER_FIELDS, V_VERSION, V_W_LABELS},
         NO_ROWS,
         "UPDATE workers SET actor_namespace = ?4, actor_template = ?5, "
         "actor_id = ?6, actor_atespace = ?7, worker_pod_uid = ?9, "
         "node_name = ?10, labels = ?12, version = version + 1 "
         "WHERE worker_namespace = ?1 AND worker_pool = ?2 AND worker_pod = ?3 "
         "AND version = ?11 AND version < 9223372036854775807 AND ip = ?8 "
         "RETURNING version",
         "WITH current AS (SELECT version, ip FROM workers "
         "WHERE worker_namespace = $1 AND worker_pool = $2 AND worker_pod = $3"
         "), written AS (UPDATE workers SET actor_namespace = $4, "
         "actor_template = $5, actor_id = $6, actor_atespace = $7, "
         "worker_pod_uid = $9, node_name = $10, labels = $12, "
         "version = workers.version + 1 "
         "WHERE worker_namespace = $1 AND worker_pool = $2 AND worker_pod = $3 "
         "AND version = $11 AND version < 9223372036854775807 AND ip = $8 "
         "RETURNING version) "
         "SELECT written.version, current.version, current.ip "
         "FROM current LEFT JOIN written ON true"},
    [WL_LOCK_CYCLE] =
        {{V_LOCK_KEY, V_LOCK_OWNER, V_LOCK_TTL},
         NO_ROWS,
         "INSERT INTO locks (key, value, expires_at_ms) VALUES (?1, "
         "?2, " SQLITE_NOW_MS " + ?3) ON CONFLICT (key) DO UPDATE SET value = "
         "excluded.value, expires_at_ms = excluded.expires_at_ms WHERE "
         "locks.expires_at_ms <= " SQLITE_NOW_MS " RETURNING 1",
         "INSERT INTO locks (key, value, expires_at_ms) VALUES ($1, "
         "$2, " PG_NOW_MS
         " + $3::bigint) ON CONFLICT (key) DO UPDATE SET value = "
         "excluded.value, expires_at_ms = excluded.expires_at_ms WHERE "
         "locks.expires_at_ms <= " PG_NOW_MS " RETURNING 1"},
    [RAW_LOCK_RELEASE] =
        {{V_LOCK_KEY, V_LOCK_OWNER},
         NO_ROWS,
         "DELETE FROM locks WHERE key = ?1 AND value = ?2 RETURNING "
         "expires_at_ms > " SQLITE_NOW_MS,
         "DELETE FROM locks WHERE key = $1 AND value = $2 "
         "RETURNING (expires_at_ms > " PG_NOW_MS ")::int"},
};

static void set_text(raw_param *p, const char *text) {
  p->text = text;
  p->is_int = false;
}

static void set_int(raw_param *p, int64_t num) {
  snprintf(p->digits, sizeof p->digits, "%lld", (long long)num);
  p->text = p->digits;
  p->num = num;
  p->is_int = true;
}

/* The text of value v for question a. */
static const char *value_text(bool pg, raw_value v, const op_args *a) {
  const atesql_worker *w = &a->worker;
  switch (v) {
  case V_POOL: return a->pool;
  case V_POOLS: return pg ? a->pools.pg : a->pools.json;
  case V_NAMESPACE: return a->worker_namespace;
  case V_NODES: return pg ? a->nodes.pg : a->nodes.json;
  case V_NODE: return a->node;
  case V_ACTOR_ID: return a->actor_id;
  case V_ATESPACE: return a->atespace;
  case V_LABEL_KEY: return a->label_key;
  case V_LABEL_VALUE: return a->label_value;
  case V_W_NAMESPACE: return w->worker_namespace;
  case V_W_POOL: return w->worker_pool;
  case V_W_POD: return w->worker_pod;
  case V_W_ACTOR_NAMESPACE: return w->actor_namespace;
  case V_W_ACTOR_TEMPLATE: return w->actor_template;
  case V_W_ACTOR_ID: return w->actor_id;
  case V_W_ACTOR_ATESPACE: return w->actor_atespace;
  case V_W_IP: return w->ip;
  case V_W_POD_UID: return w->worker_pod_uid;
  case V_W_NODE: return w->node_name;
  case V_W_LABELS: return a->worker_labels;
  case V_LOCK_KEY: return a->lock_key;
  case V_LOCK_OWNER: return a->lock_owner;
  default: die("raw: value %d is not text", (int)v);
  }
}

size_t raw_params(bool pg, int st, const op_args *a, raw_param *p) {
  const raw_value *binds = statements[st].binds;
  size_t n = 0;
  for (; n < sizeof statements[st].binds / sizeof *binds && binds[n] != V_END;
       n++) {
    switch (binds[n]) {
    case V_STATUS: set_int(&p[n], a->status); break;
    case V_VERSION: set_int(&p[n], a->expected_version); break;
    case V_W_VERSION: set_int(&p[n], a->worker.version); break;
    case V_LOCK_TTL: set_int(&p[n], 30000); break;
    default: set_text(&p[n], value_text(pg, binds[n], a)); break;
    }
  }
  return n;
}

/* Append one parameter as the messages show it: 7 or 'text'. */
static void append_param(char *buf, size_t bufsz, size_t *at, bool is_int,
                         int64_t num, const char *text) {
  if (*at >= bufsz) return;
  const char *sep = *at ? " " : "";
  if (is_int)
    *at +=
        (size_t)snprintf(buf + *at, bufsz - *at, "%s%lld", sep, (long long)num);
  else
    *at += (size_t)snprintf(buf + *at, bufsz - *at, "%s'%s'", sep, text);
}

/* Die unless atesql's parameters want[0..want_n) are raw's got[0..got_n). */
static void check_params(const char *what, const atesql_param *want,
                         size_t want_n, const raw_param *got, size_t got_n) {
  bool same = want_n == got_n;
  for (size_t i = 0; same && i < got_n; i++)
    same = want[i].type == ATESQL_PARAM_INT64
               ? got[i].is_int && got[i].num == want[i].int64
               : !got[i].is_int && strcmp(got[i].text, want[i].text) == 0;
  if (same) return;
  char atesql_text[1024] = "", raw_text[1024] = "";
  size_t at = 0;
  for (size_t i = 0; i < want_n; i++)
    append_param(atesql_text, sizeof atesql_text, &at,
                 want[i].type == ATESQL_PARAM_INT64, want[i].int64,
                 want[i].text);
  at = 0;
  for (size_t i = 0; i < got_n; i++)
    append_param(raw_text, sizeof raw_text, &at, got[i].is_int, got[i].num,
                 got[i].text);
  die("%s: atesql binds other parameters than raw; update the binds of its "
      "row in bench/lists/raw_sql.c's statements\n  atesql: %s\n  raw:    %s",
      what, atesql_text, raw_text);
}

static char *copy_text(const char *text) {
  char *copy = strdup(text);
  if (copy == NULL) die("out of memory");
  return copy;
}

/* The count of question a: atesql's statement, its condition compiled
** from the selector, and its parameters checked against raw's. */
static char *take_count(atesql_store *s, bool pg, const op_args *a,
                        const char *what) {
  atesql_selector *sel;
  atesql_compiled *compiled;
  atesql_error err;
  if (atesql_selector_parse(ATESQL_RESOURCE_WORKERS, a->selector,
                            ATESQL_NUL_TERMINATED, &sel, &err) != ATESQL_OK ||
      atesql_selector_compile(sel, atesql_store_dialect(s), &compiled, &err) !=
          ATESQL_OK)
    die("%s: %s", what, err.message);
  char *sql;
  if (asprintf(&sql, "SELECT count(*) FROM workers WHERE %s", compiled->sql) <
      0)
    die("out of memory");
  raw_param p[RAW_PARAMS_MAX];
  size_t n = raw_params(pg, a->w, a, p);
  check_params(what, compiled->params, compiled->param_count, p, n);
  atesql_compiled_free(compiled);
  atesql_selector_free(sel);
  return sql;
}

/*
** The list statement of question a, as atesql_explain reports it, its
** parameters checked against raw's, into *sql (a copy). Prints explain's
** verdict.
*/
static void take_list(atesql_store *s, bool pg, const op_args *a,
                      const char *what, char **sql) {
  atesql_list_opts o = {.selector_text = a->selector, .page_size = a->page};
  atesql_plan *plan;
  atesql_resource res = workload_lists_actors(a->w) ? ATESQL_RESOURCE_ACTORS
                                                    : ATESQL_RESOURCE_WORKERS;
  if (atesql_explain(s, res, &o, &plan) != ATESQL_OK)
    die("%s: explain: %s", what, atesql_errmsg(s));
  *sql = copy_text(plan->sql);
  raw_param p[RAW_PARAMS_MAX];
  size_t n = raw_params(pg, a->w, a, p);
  check_params(what, plan->params, plan->param_count, p, n);
  fprintf(stderr, "  plan %-36s %s\n", what, plan->verdict);
  atesql_plan_free(plan);
}

void raw_statements_take(raw_statement st[RAW_SLOTS], bool pg,
                         const raw_source *src) {
  const char *backend = pg ? "postgres" : "sqlite";
  memset(st, 0, RAW_SLOTS * sizeof *st);
  for (int i = 0; i < RAW_STATEMENTS; i++) {
    const statement_row *row = &statements[i];
    st[i] = (raw_statement){NULL, row->rows, i};
    if (row->sqlite) st[i].sql = copy_text(pg ? row->postgres : row->sqlite);
  }
  for (workload w = 0; w < WL_COUNT; w++) {
    if (!workload_is_list(w) && w != WL_COUNT_POOL_FREE) continue;
    for (size_t i = 0; i < src->page_count; i++) {
      if (i > 0 && !workload_has_pages(w)) break;
      size_t page = workload_has_pages(w) ? src->pages[i] : PAGE_ROWS;
      op_args a;
      char label[64], what[80];
      make_args(src->f, w, page, 0, "check", 0, &a);
      workload_label(w, page, label, sizeof label);
      snprintf(what, sizeof what, "%s %s", backend, label);
      raw_statement *slot = &st[raw_slot(w, i)];
      *slot = (raw_statement){NULL, statements[w].rows, w};
      if (w == WL_COUNT_POOL_FREE)
        slot->sql = take_count(src->atesql, pg, &a, what);
      else
        take_list(src->atesql, pg, &a, what, &slot->sql);
    }
  }
}

void raw_statements_free(raw_statement st[RAW_SLOTS]) {
  for (int i = 0; i < RAW_SLOTS; i++)
    free(st[i].sql);
}
