/*
** The "raw" implementation: atesql's own statements (raw_sql.c) run
** through bare sqlite3 or libpq prepared statements with no atesql code in
** between. It is the floor that atesql's overhead (selector parsing and
** compiling, statement cache, row decoding, page tokens) is measured
** against. It reads every column of every row as a client must, and
** decodes a worker row's labels column with jansson, as atesql decodes it
** (store/labels.c): a client cannot use a worker without its labels.
*/
#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw.h"

/* The key columns of a record, in key order. */
static const char *const worker_key_columns[] = {"worker_namespace",
                                                 "worker_pool", "worker_pod"};
static const char *const actor_key_columns[] = {"atespace", "actor_id"};

enum { KEY_COLUMNS_MAX = 3 };

/* Where a statement's rows keep what raw digests and decodes: found by
** name in its result columns, whatever order atesql selects them in. */
typedef struct row_shape {
  int key[KEY_COLUMNS_MAX]; /* the key's columns, in key order */
  int key_count;
  int labels; /* a worker's labels column, or -1 */
} row_shape;

typedef struct raw_ctx {
  bool pg;
  sqlite3 *db;
  sqlite3_stmt *stmts[RAW_SLOTS];
  PGconn *conn;
  raw_statement st[RAW_SLOTS]; /* by slot (raw.h) */
  row_shape shape[RAW_SLOTS];
  size_t pages[PAGE_SIZES_MAX]; /* the run's page sizes, a slot's k */
  size_t page_count;
  size_t sink; /* column bytes read, so reads are not elided */
} raw_ctx;

/* What a statement gave: its rows (at most a page is read), and the
** first column of the first row as an integer (count, version, flag). */
typedef struct raw_result {
  size_t rows;
  bool first_null;
  int64_t first;
} raw_result;

/*
** The shape of statement st's rows, from the names of its result columns
** (names[0..count)): the key columns of its records and a worker's labels.
** Dies when one is missing.
*/
static row_shape find_columns(int st, row_kind rows, const char *const *names,
                              int count) {
  row_shape shape = {.labels = -1};
  if (rows == NO_ROWS) return shape;
  const char *const *keys =
      rows == WORKER_ROWS ? worker_key_columns : actor_key_columns;
  shape.key_count = rows == WORKER_ROWS ? 3 : 2;
  for (int k = 0; k < shape.key_count; k++) {
    shape.key[k] = -1;
    for (int c = 0; c < count; c++)
      if (strcmp(names[c], keys[k]) == 0) shape.key[k] = c;
    if (shape.key[k] < 0)
      die("raw: statement %d selects no column %s", st, keys[k]);
  }
  for (int c = 0; c < count && rows == WORKER_ROWS; c++)
    if (strcmp(names[c], "labels") == 0) shape.labels = c;
  if (rows == WORKER_ROWS && shape.labels < 0)
    die("raw: statement %d selects no column labels", st);
  return shape;
}

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

/* Read one text column, the labels decoded. */
static void read_text_column(raw_ctx *r, int c, const char *text, size_t len,
                             const row_shape *shape) {
  r->sink += len;
  if (c == shape->labels) read_labels(r, text, len);
}

/*
** Run statement st on SQLite: bind, step, and read every column of up to
** `page` rows as a client would (text as pointer and length, integers as
** integers, a worker's labels decoded), feeding each row's key to d unless
** it is NULL; the row after a page is stepped, not read, as atesql does.
*/
static raw_result run_sqlite(raw_ctx *r, int st, const raw_param *p, size_t n,
                             size_t page, digest *d) {
  sqlite3_stmt *s = r->stmts[st];
  const row_shape *shape = &r->shape[st];
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
      read_text_column(r, c, (const char *)text, len, shape);
    }
    for (int k = 0; d && k < shape->key_count; k++)
      digest_add(d, (const char *)sqlite3_column_text(s, shape->key[k]),
                 (size_t)sqlite3_column_bytes(s, shape->key[k]));
    res.rows++;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    die("raw sqlite: %s", sqlite3_errmsg(r->db));
  sqlite3_reset(s);
  return res;
}

/* The name of statement st's prepared statement on PostgreSQL. */
static void prepared_name(int st, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "raw_%d", st);
}

/* The same on PostgreSQL: one PQexecPrepared, results in text. */
static raw_result run_pg(raw_ctx *r, int st, const raw_param *p, size_t n,
                         size_t page, digest *d) {
  const row_shape *shape = &r->shape[st];
  const char *values[RAW_PARAMS_MAX];
  char name[16];
  for (size_t i = 0; i < n; i++)
    values[i] = p[i].text;
  prepared_name(st, name, sizeof name);
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
  for (int row = 0; row < rows && out.rows < page; row++, out.rows++) {
    for (int c = 0; c < cols; c++)
      read_text_column(r, c, PQgetvalue(res, row, c),
                       (size_t)PQgetlength(res, row, c), shape);
    for (int k = 0; d && k < shape->key_count; k++)
      digest_add(d, PQgetvalue(res, row, shape->key[k]),
                 (size_t)PQgetlength(res, row, shape->key[k]));
  }
  PQclear(res);
  return out;
}

/* The slot of statement st for a page of `page` rows. */
static int slot_of(const raw_ctx *r, int st, size_t page) {
  if (st >= RAW_STATEMENTS || !workload_is_list((workload)st) ||
      !workload_has_pages((workload)st))
    return st;
  for (size_t k = 0; k < r->page_count; k++)
    if (r->pages[k] == page) return raw_slot(st, k);
  die("raw: %s has no statement for pages of %zu", workload_names[st], page);
}

/* Run statement st for question a; d as in run_sqlite. */
static raw_result run(raw_ctx *r, int st, const op_args *a, digest *d) {
  raw_param p[RAW_PARAMS_MAX] = {{0}};
  int slot = slot_of(r, st, a->page);
  size_t n = raw_params(r->pg, r->st[slot].binds, a, p);
  return r->pg ? run_pg(r, slot, p, n, a->page, d)
               : run_sqlite(r, slot, p, n, a->page, d);
}

static size_t raw_list(void *ctx, const op_args *a, digest *d) {
  return run(ctx, a->w, a, d).rows;
}

static size_t raw_count(void *ctx, const op_args *a, digest *d) {
  raw_result res = run(ctx, a->w, a, NULL);
  if (d) digest_count(d, (size_t)res.first);
  return (size_t)res.first;
}

static size_t raw_get_worker(void *ctx, const op_args *a, digest *d) {
  if (run(ctx, a->w, a, d).rows != 1) die("raw get worker: not found");
  return 1;
}

static size_t raw_create_worker(void *ctx, const op_args *a, digest *d) {
  (void)d;
  run(ctx, a->w, a, NULL);
  return 1;
}

static size_t raw_update_worker(void *ctx, const op_args *a, digest *d) {
  (void)d;
  raw_result res = run(ctx, a->w, a, NULL);
  if (res.rows != 1 || res.first_null || res.first != a->expected_version + 1)
    die("raw update worker: not written at version %lld",
        (long long)a->expected_version);
  return 1;
}

static size_t raw_lock_cycle(void *ctx, const op_args *a, digest *d) {
  (void)d;
  if (run(ctx, WL_LOCK_CYCLE, a, NULL).rows != 1)
    die("raw acquire lock '%s': held", a->lock_key);
  raw_result res = run(ctx, RAW_LOCK_RELEASE, a, NULL);
  if (res.rows != 1 || res.first != 1)
    die("raw release lock '%s': not held", a->lock_key);
  return 1;
}

static void close_raw(impl *im) {
  raw_ctx *r = im->ctx;
  for (int st = 0; st < RAW_SLOTS; st++)
    sqlite3_finalize(r->stmts[st]);
  sqlite3_close(r->db);
  PQfinish(r->conn);
  raw_statements_free(r->st);
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
              [WL_LIST_POOL_FREE] = raw_list,
              [WL_LIST_NODES_FREE] = raw_list,
              [WL_LIST_POOL_NODES_FREE] = raw_list,
              [WL_LIST_POOLS_FREE] = raw_list,
              [WL_LIST_HOLDER] = raw_list,
              [WL_LIST_NODE] = raw_list,
              [WL_LIST_ACTORS_STATUS] = raw_list,
              [WL_LIST_STATUS] = raw_list,
              [WL_LIST_POOL_LABEL_FREE] = raw_list,
              [WL_COUNT_POOL_FREE] = raw_count,
              [WL_GET_WORKER] = raw_get_worker,
              [WL_CREATE_WORKER] = raw_create_worker,
              [WL_UPDATE_WORKER] = raw_update_worker,
              [WL_LOCK_CYCLE] = raw_lock_cycle,
          },
  };
  return im;
}

/* The shape of every statement's rows, from the names of its result
** columns: names[st][0..column_counts[st]) for statement st. */
static void find_all_columns(raw_ctx *r, const char *const *names[],
                             const int *column_counts) {
  for (int st = 0; st < RAW_SLOTS; st++)
    if (r->st[st].sql)
      r->shape[st] =
          find_columns(st, r->st[st].rows, names[st], column_counts[st]);
}

/* The statements of src, and its page sizes, into r. */
static void take_statements(raw_ctx *r, const raw_source *src) {
  raw_statements_take(r->st, r->pg, src);
  if (src->page_count > PAGE_SIZES_MAX) die("raw: too many page sizes");
  memcpy(r->pages, src->pages, src->page_count * sizeof *r->pages);
  r->page_count = src->page_count;
}

/* The connection settings atesql's SQLite driver uses with the URL lists.c
** gives it, so that reads and writes cost the same: WAL, synchronous=FULL
** (a commit syncs the WAL), foreign keys, busy timeout, and atesql's
** default page cache (8 MB) and mapping of the file (1024 MB). */
impl *open_raw_sqlite(const char *path, const raw_source *src) {
  raw_ctx *r = calloc(1, sizeof *r);
  if (r == NULL) die("out of memory");
  take_statements(r, src);
  if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK ||
      sqlite3_busy_timeout(r->db, 5000) != SQLITE_OK ||
      sqlite3_exec(r->db,
                   "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; "
                   "PRAGMA synchronous = FULL; PRAGMA cache_size = -8192; "
                   "PRAGMA mmap_size = 1073741824;",
                   NULL, NULL, NULL) != SQLITE_OK)
    die("raw sqlite open %s: %s", path, sqlite3_errmsg(r->db));
  static const char *names[RAW_SLOTS][32];
  const char *const *name_lists[RAW_SLOTS];
  int column_counts[RAW_SLOTS];
  for (int st = 0; st < RAW_SLOTS; st++) {
    if (r->st[st].sql == NULL) continue;
    if (sqlite3_prepare_v3(r->db, r->st[st].sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &r->stmts[st], NULL) != SQLITE_OK)
      die("raw sqlite prepare: %s: %s", sqlite3_errmsg(r->db), r->st[st].sql);
    column_counts[st] = sqlite3_column_count(r->stmts[st]);
    if (column_counts[st] > 32)
      die("raw: statement %d has %d columns", st, column_counts[st]);
    for (int c = 0; c < column_counts[st]; c++)
      names[st][c] = sqlite3_column_name(r->stmts[st], c);
    name_lists[st] = names[st];
  }
  find_all_columns(r, name_lists, column_counts);
  return new_raw_impl(r);
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
  size_t page = workload_has_pages(w) ? r->pages[0] : PAGE_ROWS;
  for (size_t seq = 10; seq > 0; seq--) {
    make_args(f, w, page, seq - 1, "check", 0, &a);
    run(r, w, &a, NULL);
  }
  raw_param p[RAW_PARAMS_MAX] = {{0}};
  size_t n = raw_params(true, w, &a, p);
  char sql[1024], name[16];
  prepared_name(slot_of(r, w, page), name, sizeof name);
  size_t len = (size_t)snprintf(sql, sizeof sql, "EXPLAIN EXECUTE %s(", name);
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

impl *open_raw_postgres(const char *conninfo, const raw_source *src) {
  raw_ctx *r = calloc(1, sizeof *r);
  if (r == NULL) die("out of memory");
  r->pg = true;
  take_statements(r, src);
  r->conn = PQconnectdb(conninfo);
  if (PQstatus(r->conn) != CONNECTION_OK)
    die("raw postgres connect: %s", PQerrorMessage(r->conn));
  PGresult *described[RAW_SLOTS] = {0};
  static const char *names[RAW_SLOTS][32];
  const char *const *name_lists[RAW_SLOTS];
  int column_counts[RAW_SLOTS];
  for (int st = 0; st < RAW_SLOTS; st++) {
    if (r->st[st].sql == NULL) continue;
    char name[16];
    prepared_name(st, name, sizeof name);
    PGresult *res = PQprepare(r->conn, name, r->st[st].sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
      die("raw postgres prepare: %s: %s", PQresultErrorMessage(res),
          r->st[st].sql);
    PQclear(res);
    described[st] = PQdescribePrepared(r->conn, name);
    if (PQresultStatus(described[st]) != PGRES_COMMAND_OK)
      die("raw postgres describe: %s", PQresultErrorMessage(described[st]));
    column_counts[st] = PQnfields(described[st]);
    if (column_counts[st] > 32)
      die("raw: statement %d has %d columns", st, column_counts[st]);
    for (int c = 0; c < column_counts[st]; c++)
      names[st][c] = PQfname(described[st], c);
    name_lists[st] = names[st];
  }
  find_all_columns(r, name_lists, column_counts);
  for (int st = 0; st < RAW_SLOTS; st++)
    PQclear(described[st]);
  for (workload w = 0; w < WL_COUNT; w++) {
    if (!workload_is_list(w) && w != WL_COUNT_POOL_FREE) continue;
    char what[80];
    snprintf(what, sizeof what, "postgres %s", workload_names[w]);
    print_generic_plan(r, src->f, w, what);
  }
  return new_raw_impl(r);
}
