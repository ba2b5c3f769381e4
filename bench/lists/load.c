/*
** Loading a fleet by raw means, fast and outside every measurement: the
** schema comes from atesql_migrate_up, the rows from one SQLite transaction
** of prepared inserts (without a journal, the secondary indexes made after
** the rows) or from PostgreSQL COPY, and the planner statistics from
** atesql_store_analyze (on PostgreSQL after numbering the load's events).
** Rows are generated table by table (fleet.c) and handed to a sink that
** knows one database. A worker's labels go to the workers.labels column as
** the JSON object atesql writes; the migration's triggers fill
** worker_labels from it, as they do for atesql's writes.
*/
#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"
#include "lists.h"
#include "progress.h"

typedef enum table { T_ATESPACES, T_WORKERS, T_ACTORS, T_COUNT } table;

static const char *const table_names[T_COUNT] = {"atespaces", "workers",
                                                 "actors"};
static const char *const table_columns[T_COUNT] = {
    "name",
    "worker_namespace, worker_pool, worker_pod, actor_namespace, "
    "actor_template, actor_id, actor_atespace, ip, worker_pod_uid, "
    "node_name, version, labels",
    "atespace, actor_id, version, actor_template_namespace, "
    "actor_template_name, status, ateom_pod_namespace, ateom_pod_name, "
    "ateom_pod_ip, ateom_pod_uid, in_progress_snapshot, worker_pool_name, "
    "latest_snapshot_info, worker_selector",
};
static const int table_fields[T_COUNT] = {1, 12, 14};

/* A database that takes one row at a time, every field as text. */
typedef void (*row_sink)(void *ctx, const char *const *fields, size_t n);

/* An actor's JSON columns as atesql stores them: the latestSnapshotInfo
** and workerSelector members of its protojson document, null when the
** document leaves them out (unset). */
static void actor_json_columns(const atesql_actor *a, char **snapshot,
                               char **selector) {
  char *doc;
  if (atesql_actor_to_json(a, &doc, NULL) != ATESQL_OK) die("encode actor");
  json_t *root = json_loads(doc, 0, NULL);
  json_t *info = json_object_get(root, "latestSnapshotInfo");
  json_t *labels = json_object_get(root, "workerSelector");
  *snapshot = info ? json_dumps(info, JSON_COMPACT) : strdup("null");
  *selector = labels ? json_dumps(labels, JSON_COMPACT) : strdup("null");
  if (*snapshot == NULL || *selector == NULL) die("actor JSON columns");
  json_decref(root);
  atesql_free(doc);
}

static void write_actors(const fleet *f, row_sink sink, void *ctx) {
  for (size_t j = 0; j < f->actors; j++) {
    record_buf b;
    atesql_actor a;
    char status[4], *snapshot, *selector;
    fleet_actor(f, j, &b, &a);
    snprintf(status, sizeof status, "%d", (int)a.status);
    actor_json_columns(&a, &snapshot, &selector);
    const char *fields[] = {a.atespace,
                            a.actor_id,
                            "1",
                            a.actor_template_namespace,
                            a.actor_template_name,
                            status,
                            a.ateom_pod_namespace,
                            a.ateom_pod_name,
                            a.ateom_pod_ip,
                            a.ateom_pod_uid,
                            a.in_progress_snapshot,
                            a.worker_pool_name,
                            snapshot,
                            selector};
    sink(ctx, fields, (size_t)table_fields[T_ACTORS]);
    free(snapshot);
    free(selector);
  }
}

/* Every row of table t of fleet f, in key order where it is cheap. */
static void write_table(const fleet *f, table t, row_sink sink, void *ctx) {
  if (t == T_ATESPACES) {
    for (size_t k = 0; k < FLEET_ATESPACES; k++) {
      char name[32];
      const char *fields[] = {name};
      fleet_atespace_name(k, name, sizeof name);
      sink(ctx, fields, (size_t)table_fields[T_ATESPACES]);
    }
  } else if (t == T_WORKERS) {
    /* A 10M-worker load takes minutes: a progress line on a terminal. */
    progress_line shown;
    progress_start(&shown, "loading workers", "rows");
    for (size_t i = 0; i < f->workers; i++) {
      progress_update(&shown, (int64_t)i, (double)i / (double)f->workers);
      record_buf b;
      atesql_worker w;
      char labels[LABELS_JSON_MAX];
      fleet_worker(f, i, &b, &w);
      worker_labels_json(&w, labels, sizeof labels);
      const char *fields[] = {w.worker_namespace,
                              w.worker_pool,
                              w.worker_pod,
                              w.actor_namespace,
                              w.actor_template,
                              w.actor_id,
                              w.actor_atespace,
                              w.ip,
                              w.worker_pod_uid,
                              w.node_name,
                              "1",
                              labels};
      sink(ctx, fields, (size_t)table_fields[T_WORKERS]);
    }
    progress_end(&shown);
  } else {
    write_actors(f, sink, ctx);
  }
}

static void analyze(const char *url) {
  atesql_store *s = open_store(url);
  check(s, atesql_store_analyze(s), "analyze");
  atesql_store_close(s);
}

static void sqlite_exec(sqlite3 *db, const char *sql) {
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
    die("sqlite load: %s: %s", sqlite3_errmsg(db), sql);
}

static void sqlite_sink(void *ctx, const char *const *fields, size_t n) {
  sqlite3_stmt *insert = ctx;
  for (size_t i = 0; i < n; i++)
    sqlite3_bind_text(insert, (int)i + 1, fields[i], -1, SQLITE_STATIC);
  if (sqlite3_step(insert) != SQLITE_DONE)
    die("sqlite load: %s", sqlite3_errmsg(sqlite3_db_handle(insert)));
  sqlite3_reset(insert);
}

/* The secondary indexes atesql_migrate_up made, as their CREATE
** statements. */
typedef struct index_list {
  char **sql;
  size_t count;
} index_list;

/* Drop the secondary indexes, returning them: made again after a bulk
** load, each is sorted once instead of updated row by row. */
static index_list drop_indexes(sqlite3 *db) {
  index_list l = {0};
  char **names = NULL;
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(db,
                         "SELECT name, sql FROM sqlite_master WHERE type = "
                         "'index' AND sql IS NOT NULL",
                         -1, &q, NULL) != SQLITE_OK)
    die("sqlite load: %s", sqlite3_errmsg(db));
  while (sqlite3_step(q) == SQLITE_ROW) {
    l.sql = realloc(l.sql, (l.count + 1) * sizeof *l.sql);
    names = realloc(names, (l.count + 1) * sizeof *names);
    if (l.sql == NULL || names == NULL) die("out of memory");
    names[l.count] = strdup((const char *)sqlite3_column_text(q, 0));
    l.sql[l.count] = strdup((const char *)sqlite3_column_text(q, 1));
    if (names[l.count] == NULL || l.sql[l.count] == NULL) die("out of memory");
    l.count++;
  }
  sqlite3_finalize(q);
  for (size_t i = 0; i < l.count; i++) {
    char sql[512];
    snprintf(sql, sizeof sql, "DROP INDEX \"%s\"", names[i]);
    sqlite_exec(db, sql);
    free(names[i]);
  }
  free(names);
  return l;
}

static void create_indexes(sqlite3 *db, index_list *l) {
  for (size_t i = 0; i < l->count; i++) {
    sqlite_exec(db, l->sql[i]);
    free(l->sql[i]);
  }
  free(l->sql);
}

/* The database is thrown away after the run, so the load writes no
** journal and syncs nothing; the file goes back to WAL at the end, as
** atesql and raw open it. */
void load_sqlite(const char *path, const fleet *f) {
  char url[4200];
  double start = now_s();
  snprintf(url, sizeof url, "sqlite:%s", path);
  atesql_store_close(migrate_and_open(url));
  sqlite3 *db;
  if (sqlite3_open(path, &db) != SQLITE_OK) die("sqlite load: open %s", path);
  sqlite_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
                  "PRAGMA cache_size = -1048576; PRAGMA threads = 2; BEGIN");
  index_list indexes = drop_indexes(db);
  for (table t = 0; t < T_COUNT; t++) {
    char sql[1024], *at = sql;
    at += sprintf(at, "INSERT INTO %s (%s) VALUES (?1", table_names[t],
                  table_columns[t]);
    for (int i = 2; i <= table_fields[t]; i++)
      at += sprintf(at, ", ?%d", i);
    sprintf(at, ")");
    sqlite3_stmt *insert;
    if (sqlite3_prepare_v2(db, sql, -1, &insert, NULL) != SQLITE_OK)
      die("sqlite load: %s: %s", sqlite3_errmsg(db), sql);
    write_table(f, t, sqlite_sink, insert);
    sqlite3_finalize(insert);
  }
  double rows_done = now_s();
  create_indexes(db, &indexes);
  sqlite_exec(db, "COMMIT; PRAGMA journal_mode = WAL");
  sqlite3_close(db);
  double indexes_done = now_s();
  analyze(url);
  fprintf(stderr,
          "  sqlite load: rows %.1f s, indexes %.1f s, analyze %.1f s\n",
          rows_done - start, indexes_done - rows_done, now_s() - indexes_done);
}

/* A COPY in progress: rows as text-format lines, sent in 64 KiB chunks. */
typedef struct copy_buf {
  PGconn *conn;
  size_t len;
  char data[1 << 16];
} copy_buf;

static void copy_flush(copy_buf *c) {
  if (c->len && PQputCopyData(c->conn, c->data, (int)c->len) != 1)
    die("postgres COPY: %s", PQerrorMessage(c->conn));
  c->len = 0;
}

/* One row in COPY's text format: tab-separated, backslash escapes. */
static void copy_sink(void *ctx, const char *const *fields, size_t n) {
  copy_buf *c = ctx;
  if (c->len > sizeof c->data - 4096) copy_flush(c);
  for (size_t i = 0; i < n; i++) {
    if (i) c->data[c->len++] = '\t';
    for (const char *p = fields[i]; *p; p++) {
      const char *esc = *p == '\\'   ? "\\\\"
                        : *p == '\t' ? "\\t"
                        : *p == '\n' ? "\\n"
                        : *p == '\r' ? "\\r"
                                     : NULL;
      if (esc) {
        memcpy(c->data + c->len, esc, 2);
        c->len += 2;
      } else {
        c->data[c->len++] = *p;
      }
    }
  }
  c->data[c->len++] = '\n';
}

/* Start COPY sql on conn. */
static void copy_start(PGconn *conn, const char *sql) {
  PGresult *res = PQexec(conn, sql);
  if (PQresultStatus(res) != PGRES_COPY_IN)
    die("postgres: %s: %s", sql, PQresultErrorMessage(res));
  PQclear(res);
}

/*
** Read every table and index of the fleet into shared_buffers (pg_prewarm,
** which PostgreSQL's own package ships), as a server that has answered a
** scheduler for a while holds what it reads: COPY and VACUUM pass their
** pages through a small ring of buffers, so after a load the server's
** cache holds almost none of them. What does not fit stays out.
*/
static void prewarm_postgres(PGconn *c) {
  pg_exec(c, "CREATE EXTENSION IF NOT EXISTS pg_prewarm");
  PGresult *r =
      PQexec(c, "SELECT sum(pg_prewarm(c.oid)), "
                "current_setting('shared_buffers') FROM pg_class c "
                "WHERE c.relnamespace = current_schema()::regnamespace "
                "AND c.relkind IN ('r', 'i')");
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
    die("postgres: pg_prewarm: %s", PQresultErrorMessage(r));
  fprintf(stderr, "read %lld MB into shared_buffers (%s)\n",
          strtoll(PQgetvalue(r, 0, 0), NULL, 10) * 8192 / 1000000,
          PQgetvalue(r, 0, 1));
  PQclear(r);
}

void load_postgres(const char *conninfo, const fleet *f, bool prewarm) {
  atesql_store_close(migrate_and_open(conninfo));
  static copy_buf c;
  c.conn = pg_connect(conninfo);
  for (table t = 0; t < T_COUNT; t++) {
    char sql[1024];
    snprintf(sql, sizeof sql, "COPY %s (%s) FROM STDIN", table_names[t],
             table_columns[t]);
    copy_start(c.conn, sql);
    write_table(f, t, copy_sink, &c);
    copy_flush(&c);
    if (PQputCopyEnd(c.conn, NULL) != 1)
      die("postgres COPY: %s", PQerrorMessage(c.conn));
    PGresult *res = PQgetResult(c.conn);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
      die("postgres COPY %s: %s", table_names[t], PQresultErrorMessage(res));
    PQclear(res);
    while ((res = PQgetResult(c.conn)) != NULL)
      PQclear(res);
  }
  /* Number the load's events, as the first listing after an import would
  ** (one per loaded worker, pending until a reader numbers them), so that
  ** no cell pays for that. */
  atesql_store *s = open_store(conninfo);
  check(s, atesql_store_revision(s, NULL, NULL), "number the events");
  atesql_store_close(s);
  /* Set the visibility map, as autovacuum would soon after a bulk load,
  ** so that index-only scans are possible from the first measurement,
  ** and so that autovacuum has no table to work on during the run (the
  ** numbering left a dead version of every event). */
  pg_exec(c.conn,
          "VACUUM workers, worker_labels, worker_events, actors, atespaces");
  analyze(conninfo);
  /* atesql_store_analyze leaves worker_labels and worker_events out on
  ** PostgreSQL (its statement names atespaces, actors, workers and locks);
  ** autovacuum would analyze them within a minute of the load, and plans
  ** could then change during the run. Analyzed here, they do not. */
  pg_exec(c.conn, "ANALYZE worker_labels, worker_events");
  /* Write the load's pages out now, so that no checkpoint flushing them
  ** (with fsync=on) runs under the first cells. */
  pg_exec(c.conn, "CHECKPOINT");
  if (prewarm) prewarm_postgres(c.conn);
  PQfinish(c.conn);
}
