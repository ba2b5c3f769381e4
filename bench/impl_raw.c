/*
** The "raw" implementation: atesql's own SQL, hard-coded here, run through
** bare sqlite3 or libpq prepared statements with no atesql code in between.
** It is the floor that atesql's overhead (selector parsing and compiling,
** statement cache, row decoding, page tokens) is measured against, so
** check_raw_matches_atesql() proves at startup that the list statements
** are exactly the ones atesql_explain reports. The write statements are
** copies of sql/<dialect>/store.sql (worker_create, worker_update,
** lock_acquire, lock_release). A worker row's labels column is decoded
** with jansson, as atesql decodes it (store/labels.c): a client cannot use
** a worker without its labels.
*/
#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* Statements are indexed by workload; the lock workload's is the acquire,
** and its release comes after the workloads. */
enum { RAW_LOCK_RELEASE = WL_COUNT, RAW_STATEMENTS };

/* What a statement binds, placeholder by placeholder: a value of the
** question (op_args), or of the worker a write writes. */
typedef enum raw_value {
  V_END,         /* after the last placeholder */
  V_LIMIT,       /* a page and the "more?" row: page + 1 */
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
/* A worker row's labels column, after the ten text columns and version. */
enum { WORKER_LABELS_COLUMN = 11 };
#define WORKER_ORDER " ORDER BY worker_namespace, worker_pool, worker_pod"
#define ACTOR_COLUMNS                                                          \
  "atespace, actor_id, actor_template_namespace, actor_template_name, "        \
  "ateom_pod_namespace, ateom_pod_name, ateom_pod_ip, ateom_pod_uid, "         \
  "in_progress_snapshot, worker_pool_name, status, version, "                  \
  "latest_snapshot_info, worker_selector"
#define ACTOR_ORDER " ORDER BY atespace, actor_id"
/* A worker page or get also reads the revision it reflects. */
#define SELECT_WORKERS                                                         \
  "SELECT " WORKER_COLUMNS ", (SELECT revision FROM worker_revision) FROM "    \
  "workers WHERE "
#define SELECT_ACTORS "SELECT " ACTOR_COLUMNS " FROM actors WHERE "
#define WORKER_FIELDS                                                          \
  V_W_NAMESPACE, V_W_POOL, V_W_POD, V_W_ACTOR_NAMESPACE, V_W_ACTOR_TEMPLATE,   \
      V_W_ACTOR_ID, V_W_ACTOR_ATESPACE, V_W_IP, V_W_POD_UID, V_W_NODE
#define SQLITE_NOW_MS                                                          \
  "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
#define PG_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

/* One statement in both dialects, and what it binds. */
typedef struct raw_statement {
  const char *sqlite;
  const char *postgres;
  raw_value binds[12]; /* up to the first V_END */
} raw_statement;

/*
** Every statement raw runs. The lists and the count are atesql's as
** atesql_explain and atesql_selector_compile report them; the startup
** check (check_raw_matches_atesql) dies naming the row to edit when the
** compiler's SQL or parameters change: its SQL in both dialects and its
** binds. The writes are copies of sql/<dialect>/store.sql.
*/
static const raw_statement statements[RAW_STATEMENTS] = {
    [WL_LIST_POOL_FREE] =
        {SELECT_WORKERS
         "\"worker_pool\" = ?1 AND \"actor_id\" = ''" WORKER_ORDER " LIMIT ?2",
         SELECT_WORKERS
         "\"worker_pool\" = $1 AND \"actor_id\" = ''" WORKER_ORDER " LIMIT $2",
         {V_POOL, V_LIMIT}},
    [WL_LIST_NODES_FREE] =
        {SELECT_WORKERS "\"actor_id\" = '' AND \"node_name\" IN (SELECT value "
                        "FROM json_each(?1))" WORKER_ORDER " LIMIT ?2",
         SELECT_WORKERS
         "\"actor_id\" = '' AND \"node_name\" = ANY($1)" WORKER_ORDER
         " LIMIT $2",
         {V_NODES, V_LIMIT}},
    [WL_LIST_POOL_NODES_FREE] =
        {SELECT_WORKERS
         "\"worker_pool\" = ?1 AND \"actor_id\" = '' AND "
         "\"node_name\" IN (SELECT value FROM json_each(?2))" WORKER_ORDER
         " LIMIT ?3",
         SELECT_WORKERS "\"worker_pool\" = $1 AND \"actor_id\" = '' AND "
                        "\"node_name\" = ANY($2)" WORKER_ORDER " LIMIT $3",
         {V_POOL, V_NODES, V_LIMIT}},
    [WL_LIST_POOLS_FREE] =
        {SELECT_WORKERS "\"worker_namespace\" = ?1 AND \"worker_pool\" IN "
                        "(SELECT value FROM json_each(?2)) AND \"actor_id\" = "
                        "''" WORKER_ORDER " LIMIT ?3",
         SELECT_WORKERS "\"worker_namespace\" = $1 AND \"worker_pool\" = "
                        "ANY($2) AND \"actor_id\" = ''" WORKER_ORDER
                        " LIMIT $3",
         {V_NAMESPACE, V_POOLS, V_LIMIT}},
    [WL_LIST_HOLDER] = {SELECT_WORKERS
                        "\"actor_id\" = ?1 AND \"actor_id\" <> '' AND "
                        "\"actor_atespace\" = ?2" WORKER_ORDER " LIMIT ?3",
                        SELECT_WORKERS
                        "\"actor_id\" = $1 AND \"actor_id\" <> '' AND "
                        "\"actor_atespace\" = $2" WORKER_ORDER " LIMIT $3",
                        {V_ACTOR_ID, V_ATESPACE, V_LIMIT}},
    [WL_LIST_NODE] = {SELECT_WORKERS "\"node_name\" = ?1" WORKER_ORDER
                                     " LIMIT ?2",
                      SELECT_WORKERS "\"node_name\" = $1" WORKER_ORDER
                                     " LIMIT $2",
                      {V_NODE, V_LIMIT}},
    [WL_LIST_ACTORS_STATUS] =
        {SELECT_ACTORS "\"atespace\" = ?1 AND \"status\" = ?2" ACTOR_ORDER
                       " LIMIT ?3",
         SELECT_ACTORS "\"atespace\" = $1 AND \"status\" = $2" ACTOR_ORDER
                       " LIMIT $3",
         {V_ATESPACE, V_STATUS, V_LIMIT}},
    [WL_LIST_STATUS] = {SELECT_ACTORS "\"status\" = ?1" ACTOR_ORDER " LIMIT ?2",
                        SELECT_ACTORS "\"status\" = $1" ACTOR_ORDER " LIMIT $2",
                        {V_STATUS, V_LIMIT}},
    [WL_LIST_POOL_LABEL_FREE] =
        {SELECT_WORKERS
         "\"worker_pool\" = ?1 AND \"actor_id\" = '' AND "
         "(\"worker_namespace\", \"worker_pool\", \"worker_pod\") IN "
         "(SELECT \"worker_namespace\", \"worker_pool\", \"worker_pod\" "
         "FROM worker_labels WHERE key = ?2 AND value = ?3 AND "
         "\"worker_pool\" = ?1 AND \"worker_free\" = 1)" WORKER_ORDER
         " LIMIT ?4",
         SELECT_WORKERS
         "\"worker_pool\" = $1 AND \"actor_id\" = '' AND "
         "(\"worker_namespace\", \"worker_pool\", \"worker_pod\") IN "
         "(SELECT \"worker_namespace\", \"worker_pool\", \"worker_pod\" "
         "FROM worker_labels WHERE key = $2 AND value = $3 AND "
         "\"worker_pool\" = $1 AND \"worker_free\" = 1)" WORKER_ORDER
         " LIMIT $4",
         {V_POOL, V_LABEL_KEY, V_LABEL_VALUE, V_LIMIT}},
    [WL_COUNT_POOL_FREE] = {"SELECT count(*) FROM workers WHERE "
                            "\"worker_pool\" = ?1 AND \"actor_id\" = ''",
                            "SELECT count(*) FROM workers WHERE "
                            "\"worker_pool\" = $1 AND \"actor_id\" = ''",
                            {V_POOL}},
    [WL_GET_WORKER] = {SELECT_WORKERS "worker_namespace = ?1 AND worker_pool "
                                      "= ?2 AND worker_pod = ?3",
                       SELECT_WORKERS "worker_namespace = $1 AND worker_pool "
                                      "= $2 AND worker_pod = $3",
                       {V_W_NAMESPACE, V_W_POOL, V_W_POD}},
    [WL_CREATE_WORKER] = {"INSERT INTO workers (" WORKER_COLUMNS ") "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                          "?11, ?12)",
                          "INSERT INTO workers (" WORKER_COLUMNS ") "
                          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                          "$11, $12)",
                          {WORKER_FIELDS, V_W_VERSION, V_W_LABELS}},
    [WL_UPDATE_WORKER] =
        {"UPDATE workers SET actor_namespace = ?4, actor_template = ?5, "
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
         "FROM current LEFT JOIN written ON true",
         {WORKER_FIELDS, V_VERSION, V_W_LABELS}},
    [WL_LOCK_CYCLE] =
        {"INSERT INTO locks (key, value, expires_at_ms) VALUES (?1, "
         "?2, " SQLITE_NOW_MS " + ?3) ON CONFLICT (key) DO UPDATE SET value = "
         "excluded.value, expires_at_ms = excluded.expires_at_ms WHERE "
         "locks.expires_at_ms <= " SQLITE_NOW_MS " RETURNING 1",
         "INSERT INTO locks (key, value, expires_at_ms) VALUES ($1, "
         "$2, " PG_NOW_MS
         " + $3::bigint) ON CONFLICT (key) DO UPDATE SET value = "
         "excluded.value, expires_at_ms = excluded.expires_at_ms WHERE "
         "locks.expires_at_ms <= " PG_NOW_MS " RETURNING 1",
         {V_LOCK_KEY, V_LOCK_OWNER, V_LOCK_TTL}},
    [RAW_LOCK_RELEASE] =
        {"DELETE FROM locks WHERE key = ?1 AND value = ?2 RETURNING "
         "expires_at_ms > " SQLITE_NOW_MS,
         "DELETE FROM locks WHERE key = $1 AND value = $2 "
         "RETURNING (expires_at_ms > " PG_NOW_MS ")::int",
         {V_LOCK_KEY, V_LOCK_OWNER}},
};

typedef struct raw_ctx {
  bool pg;
  sqlite3 *db;
  sqlite3_stmt *stmts[RAW_STATEMENTS];
  PGconn *conn;
  size_t sink; /* column bytes read, so reads are not elided */
} raw_ctx;

static const char *statement_sql(const raw_ctx *r, int st) {
  return r->pg ? statements[st].postgres : statements[st].sqlite;
}

/* One bound value: text, or an integer that PostgreSQL gets as text
** (written into digits). */
typedef struct raw_param {
  const char *text;
  int64_t num;
  bool is_int;
  char digits[24];
} raw_param;

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
static const char *value_text(const raw_ctx *r, raw_value v, const op_args *a) {
  const atesql_worker *w = &a->worker;
  switch (v) {
  case V_POOL: return a->pool;
  case V_POOLS: return r->pg ? a->pools.pg : a->pools.json;
  case V_NAMESPACE: return a->worker_namespace;
  case V_NODES: return r->pg ? a->nodes.pg : a->nodes.json;
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

/* The parameters of statement st for question a, as atesql binds them;
** returns their number. */
static size_t raw_params(const raw_ctx *r, int st, const op_args *a,
                         raw_param *p) {
  const raw_value *binds = statements[st].binds;
  size_t n = 0;
  for (; n < sizeof statements[st].binds / sizeof *binds && binds[n] != V_END;
       n++) {
    switch (binds[n]) {
    case V_LIMIT: set_int(&p[n], (int64_t)a->page + 1); break;
    case V_STATUS: set_int(&p[n], a->status); break;
    case V_VERSION: set_int(&p[n], a->expected_version); break;
    case V_W_VERSION: set_int(&p[n], a->worker.version); break;
    case V_LOCK_TTL: set_int(&p[n], 30000); break;
    default: set_text(&p[n], value_text(r, binds[n], a)); break;
    }
  }
  return n;
}

/* What a statement gave: its rows (at most a page is read), and the
** first column of the first row as an integer (count, version, flag). */
typedef struct raw_result {
  size_t rows;
  bool first_null;
  int64_t first;
} raw_result;

/* How a statement's rows are read: the first key_cols columns go to the
** digest, and column labels_col (if not -1) is a worker's labels. */
typedef struct row_shape {
  int key_cols;
  int labels_col;
} row_shape;

static const row_shape NO_ROWS_READ = {0, -1};
static const row_shape WORKER_ROWS = {3, WORKER_LABELS_COLUMN};
static const row_shape ACTOR_ROWS = {2, -1};

/* Decode a worker's labels column as atesql does: "{}" without a parser,
** anything else with jansson, every key and value read. */
static void read_labels(raw_ctx *r, const char *text, size_t len) {
  if (len == 2 && text[0] == '{' && text[1] == '}') return;
  json_error_t err;
  json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
  if (doc == NULL || !json_is_object(doc))
    die("raw: labels '%.*s' are not a JSON object", (int)len, text);
  const char *key;
  json_t *value;
  json_object_foreach(doc, key, value) {
    if (!json_is_string(value))
      die("raw: label '%s' is not a string: '%.*s'", key, (int)len, text);
    r->sink += strlen(key) + json_string_length(value);
  }
  json_decref(doc);
}

/* Read one text column (the labels decoded), feeding d when it is a key
** column. */
static void read_text_column(raw_ctx *r, int c, const char *text, size_t len,
                             row_shape shape, digest *d) {
  r->sink += len;
  if (c == shape.labels_col) read_labels(r, text, len);
  if (d && c < shape.key_cols) digest_add(d, text, len);
}

/*
** Run statement st on SQLite: bind, step, and read every column of up to
** `page` rows as a client would (text as pointer and length, integers as
** integers, a worker's labels decoded); the row after a page is stepped,
** not read, as atesql does.
*/
static raw_result run_sqlite(raw_ctx *r, int st, const raw_param *p, size_t n,
                             size_t page, row_shape shape, digest *d) {
  sqlite3_stmt *s = r->stmts[st];
  raw_result res = {0};
  for (size_t i = 0; i < n; i++)
    if (p[i].is_int)
      sqlite3_bind_int64(s, (int)i + 1, p[i].num);
    else
      sqlite3_bind_text(s, (int)i + 1, p[i].text, -1, SQLITE_STATIC);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW && res.rows < page) {
    int cols = sqlite3_column_count(s);
    if (res.rows == 0) {
      res.first_null = sqlite3_column_type(s, 0) == SQLITE_NULL;
      res.first = sqlite3_column_int64(s, 0);
    }
    for (int c = 0; c < cols; c++) {
      if (sqlite3_column_type(s, c) == SQLITE_INTEGER) {
        r->sink += (size_t)sqlite3_column_int64(s, c);
        continue;
      }
      const unsigned char *text = sqlite3_column_text(s, c);
      size_t len = (size_t)sqlite3_column_bytes(s, c);
      read_text_column(r, c, (const char *)text, len, shape, d);
    }
    res.rows++;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    die("raw sqlite: %s", sqlite3_errmsg(r->db));
  sqlite3_reset(s);
  return res;
}

/* The same on PostgreSQL: one PQexecPrepared, results in text. */
static raw_result run_pg(raw_ctx *r, int st, const raw_param *p, size_t n,
                         size_t page, row_shape shape, digest *d) {
  const char *values[16];
  char name[16];
  for (size_t i = 0; i < n; i++)
    values[i] = p[i].text;
  snprintf(name, sizeof name, "raw_%d", st);
  PGresult *res = PQexecPrepared(r->conn, name, (int)n, values, NULL, NULL, 0);
  ExecStatusType status = PQresultStatus(res);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    die("raw postgres: %s", PQresultErrorMessage(res));
  raw_result out = {0};
  int rows = PQntuples(res), cols = PQnfields(res);
  if (rows > 0) {
    out.first_null = PQgetisnull(res, 0, 0);
    out.first = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  }
  for (int row = 0; row < rows && out.rows < page; row++, out.rows++)
    for (int c = 0; c < cols; c++)
      read_text_column(r, c, PQgetvalue(res, row, c),
                       (size_t)PQgetlength(res, row, c), shape, d);
  PQclear(res);
  return out;
}

static raw_result run(raw_ctx *r, int st, const op_args *a, row_shape shape,
                      digest *d) {
  raw_param p[16] = {{0}};
  size_t n = raw_params(r, st, a, p);
  return r->pg ? run_pg(r, st, p, n, a->page, shape, d)
               : run_sqlite(r, st, p, n, a->page, shape, d);
}

static size_t raw_list_workers(void *ctx, const op_args *a, digest *d) {
  return run(ctx, a->w, a, WORKER_ROWS, d).rows;
}

static size_t raw_list_actors(void *ctx, const op_args *a, digest *d) {
  return run(ctx, a->w, a, ACTOR_ROWS, d).rows;
}

static size_t raw_count(void *ctx, const op_args *a, digest *d) {
  raw_result res = run(ctx, a->w, a, NO_ROWS_READ, NULL);
  if (d) digest_count(d, (size_t)res.first);
  return (size_t)res.first;
}

static size_t raw_get_worker(void *ctx, const op_args *a, digest *d) {
  if (run(ctx, a->w, a, WORKER_ROWS, d).rows != 1)
    die("raw get worker: not found");
  return 1;
}

static size_t raw_create_worker(void *ctx, const op_args *a, digest *d) {
  (void)d;
  run(ctx, a->w, a, NO_ROWS_READ, NULL);
  return 1;
}

static size_t raw_update_worker(void *ctx, const op_args *a, digest *d) {
  (void)d;
  raw_result res = run(ctx, a->w, a, NO_ROWS_READ, NULL);
  if (res.rows != 1 || res.first_null || res.first != a->expected_version + 1)
    die("raw update worker: not written at version %lld",
        (long long)a->expected_version);
  return 1;
}

static size_t raw_lock_cycle(void *ctx, const op_args *a, digest *d) {
  (void)d;
  if (run(ctx, WL_LOCK_CYCLE, a, NO_ROWS_READ, NULL).rows != 1)
    die("raw acquire lock '%s': held", a->lock_key);
  raw_result res = run(ctx, RAW_LOCK_RELEASE, a, NO_ROWS_READ, NULL);
  if (res.rows != 1 || res.first != 1)
    die("raw release lock '%s': not held", a->lock_key);
  return 1;
}

static void close_raw(impl *im) {
  raw_ctx *r = im->ctx;
  for (int st = 0; st < RAW_STATEMENTS; st++)
    sqlite3_finalize(r->stmts[st]);
  sqlite3_close(r->db);
  PQfinish(r->conn);
  free(r);
  free(im);
}

static impl *new_raw_impl(raw_ctx *r) {
  impl *im = calloc(1, sizeof *im);
  if (im == NULL) die("out of memory");
  *im = (impl){
      .name = "raw",
      .close = close_raw,
      .ctx = r,
      .every_page = true,
      .ops =
          {
              [WL_LIST_POOL_FREE] = raw_list_workers,
              [WL_LIST_NODES_FREE] = raw_list_workers,
              [WL_LIST_POOL_NODES_FREE] = raw_list_workers,
              [WL_LIST_POOLS_FREE] = raw_list_workers,
              [WL_LIST_HOLDER] = raw_list_workers,
              [WL_LIST_NODE] = raw_list_workers,
              [WL_LIST_ACTORS_STATUS] = raw_list_actors,
              [WL_LIST_STATUS] = raw_list_actors,
              [WL_LIST_POOL_LABEL_FREE] = raw_list_workers,
              [WL_COUNT_POOL_FREE] = raw_count,
              [WL_GET_WORKER] = raw_get_worker,
              [WL_CREATE_WORKER] = raw_create_worker,
              [WL_UPDATE_WORKER] = raw_update_worker,
              [WL_LOCK_CYCLE] = raw_lock_cycle,
          },
  };
  return im;
}

/* The connection settings atesql's SQLite driver uses with the URL main.c
** gives it, so that writes cost the same: WAL, synchronous=FULL (a commit
** syncs the WAL), foreign keys, busy timeout. */
impl *open_raw_sqlite(const char *path) {
  raw_ctx *r = calloc(1, sizeof *r);
  if (r == NULL) die("out of memory");
  if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK ||
      sqlite3_busy_timeout(r->db, 5000) != SQLITE_OK ||
      sqlite3_exec(r->db,
                   "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; "
                   "PRAGMA synchronous = FULL;",
                   NULL, NULL, NULL) != SQLITE_OK)
    die("raw sqlite open %s: %s", path, sqlite3_errmsg(r->db));
  for (int st = 0; st < RAW_STATEMENTS; st++)
    if (sqlite3_prepare_v3(r->db, statement_sql(r, st), -1,
                           SQLITE_PREPARE_PERSISTENT, &r->stmts[st],
                           NULL) != SQLITE_OK)
      die("raw sqlite prepare: %s: %s", sqlite3_errmsg(r->db),
          statement_sql(r, st));
  return new_raw_impl(r);
}

impl *open_raw_postgres(const char *conninfo) {
  raw_ctx *r = calloc(1, sizeof *r);
  if (r == NULL) die("out of memory");
  r->pg = true;
  r->conn = PQconnectdb(conninfo);
  if (PQstatus(r->conn) != CONNECTION_OK)
    die("raw postgres connect: %s", PQerrorMessage(r->conn));
  for (int st = 0; st < RAW_STATEMENTS; st++) {
    char name[16];
    snprintf(name, sizeof name, "raw_%d", st);
    PGresult *res = PQprepare(r->conn, name, statement_sql(r, st), 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
      die("raw postgres prepare: %s: %s", PQresultErrorMessage(res),
          statement_sql(r, st));
    PQclear(res);
  }
  return new_raw_impl(r);
}

/* Append one parameter as the startup check shows it: 7 or 'text'. */
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
  die("%s: raw binds other parameters than atesql; update the binds of its "
      "row in bench/impl_raw.c's statements\n  atesql: %s\n  raw:    %s",
      what, atesql_text, raw_text);
}

static void check_sql(const char *what, const char *atesql_sql,
                      const char *raw_sql) {
  if (strcmp(atesql_sql, raw_sql) != 0)
    die("%s: raw SQL differs from atesql's; update its row in "
        "bench/impl_raw.c's statements\n  atesql: %s\n  raw:    %s",
        what, atesql_sql, raw_sql);
}

/* The count runs "SELECT count(*) FROM workers WHERE <compiled selector>";
** its WHERE clause and parameters come from atesql_selector_compile. */
static void check_count(atesql_store *s, const raw_ctx *r, const op_args *a,
                        const char *what) {
  atesql_selector *sel;
  atesql_compiled *compiled;
  atesql_error err;
  if (atesql_selector_parse(ATESQL_RESOURCE_WORKERS, a->selector,
                            ATESQL_NUL_TERMINATED, &sel, &err) != ATESQL_OK ||
      atesql_selector_compile(sel, atesql_store_dialect(s), &compiled, &err) !=
          ATESQL_OK)
    die("%s: %s", what, err.message);
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM workers WHERE %s",
           compiled->sql);
  check_sql(what, sql, statement_sql(r, a->w));
  raw_param p[16];
  size_t n = raw_params(r, a->w, a, p);
  check_params(what, compiled->params, compiled->param_count, p, n);
  atesql_compiled_free(compiled);
  atesql_selector_free(sel);
}

/* A list's statement and parameters (its page size is the last) must be
** what atesql_explain reports; prints the explain verdict. */
static void check_list(atesql_store *s, const raw_ctx *r, const op_args *a,
                       const char *what) {
  atesql_list_opts o = {.selector_text = a->selector, .page_size = a->page};
  atesql_plan *plan;
  atesql_resource res = workload_lists_actors(a->w) ? ATESQL_RESOURCE_ACTORS
                                                    : ATESQL_RESOURCE_WORKERS;
  if (atesql_explain(s, res, &o, &plan) != ATESQL_OK)
    die("%s: explain: %s", what, atesql_errmsg(s));
  check_sql(what, plan->sql, statement_sql(r, a->w));
  raw_param p[16];
  size_t n = raw_params(r, a->w, a, p);
  check_params(what, plan->params, plan->param_count, p, n);
  fprintf(stderr, "  plan %-36s %s\n", what, plan->verdict);
  atesql_plan_free(plan);
}

/*
** PostgreSQL plans a prepared statement for its actual parameters for five
** runs, then may switch to a generic plan that ignores them; the plan
** atesql_explain shows is the former. Print, on one line, the plan that
** runs after ten different questions: the one the measurement gets.
*/
static void print_generic_plan(raw_ctx *r, const fleet *f, workload w,
                               const char *what) {
  op_args a;
  for (size_t seq = 10; seq > 0; seq--) {
    make_args(f, w, PAGE_ROWS, seq - 1, "check", 0, &a);
    run(r, w, &a, NO_ROWS_READ, NULL);
  }
  raw_param p[16] = {{0}};
  size_t n = raw_params(r, w, &a, p);
  char sql[1024];
  size_t len =
      (size_t)snprintf(sql, sizeof sql, "EXPLAIN EXECUTE raw_%d(", (int)w);
  for (size_t i = 0; i < n; i++) {
    char *literal = PQescapeLiteral(r->conn, p[i].text, strlen(p[i].text));
    len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%s", i ? ", " : "",
                            literal);
    PQfreemem(literal);
  }
  snprintf(sql + len, sizeof sql - len, ")");
  PGresult *res = PQexec(r->conn, sql);
  if (PQresultStatus(res) != PGRES_TUPLES_OK)
    die("%s: %s", sql, PQresultErrorMessage(res));
  fprintf(stderr, "  plan %-36s after 10 runs:", what);
  for (int row = 0; row < PQntuples(res); row++) {
    char line[256];
    snprintf(line, sizeof line, "%s", PQgetvalue(res, row, 0));
    char *cost = strstr(line, "  (cost");
    if (cost) *cost = '\0';
    fprintf(stderr, "%s %s", row ? ";" : "", line + strspn(line, " ->"));
  }
  fputc('\n', stderr);
  PQclear(res);
}

void check_raw_matches_atesql(impl *atesql, impl *raw, const fleet *f,
                              const size_t *pages, size_t page_count) {
  atesql_store *s = atesql->ctx;
  const raw_ctx *r = raw->ctx;
  const char *backend = r->pg ? "postgres" : "sqlite";
  for (workload w = 0; w < WL_COUNT; w++) {
    if (!workload_is_list(w) && w != WL_COUNT_POOL_FREE) continue;
    for (size_t i = 0; i < page_count; i++) {
      size_t page = workload_has_pages(w) ? pages[i] : PAGE_ROWS;
      if (i > 0 && !workload_has_pages(w)) break;
      op_args a;
      char label[64], what[80];
      make_args(f, w, page, 0, "check", 0, &a);
      workload_label(w, page, label, sizeof label);
      snprintf(what, sizeof what, "%s %s", backend, label);
      if (w == WL_COUNT_POOL_FREE)
        check_count(s, r, &a, what);
      else
        check_list(s, r, &a, what);
    }
    if (r->pg) {
      char what[80];
      snprintf(what, sizeof what, "%s %s", backend, workload_names[w]);
      print_generic_plan(raw->ctx, f, w, what);
    }
  }
}
