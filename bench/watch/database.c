/*
** The watch subcommand's databases: the base every cell copies (12 000
** workers, the load's events compacted away), each cell's feed
** variant (the triggers as migrated, or dropped), and what a second
** connection may hold open on a cell meanwhile.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "pools.h"
#include "samples.h"
#include "watch.h"

#define BASE_DB "atesql_watch_base"
#define CELL_DB "atesql_watch_" /* + the feed variant's name */

const char *const feed_names[F_COUNT] = {"feed", "none"};

bool feed_logs(feed_id f) { return f == F_FEED; }

static worker_buf update_bufs[UPDATE_WORKERS];
atesql_worker update_records[UPDATE_WORKERS];

static void make_update_workers(void) {
  pool_spec pool = {.ns = NS,
                    .pool = UPDATE_POOL,
                    .workers = UPDATE_WORKERS,
                    .free_every = 1,
                    .pod_prefix = UPDATE_POOL,
                    .node_prefix = NS "-" UPDATE_POOL,
                    .nodes = NODES,
                    .ip_block = 0};
  for (int i = 0; i < UPDATE_WORKERS; i++)
    make_worker(&pool, i, &update_bufs[i], &update_records[i]);
}

/*
** Migrate the empty database at url and load the workers in one
** transaction; refresh the planner statistics and compact the load's
** events away, so that every cell's feed starts empty.
*/
static void load_database(const char *url) {
  atesql_store *s = migrate_and_open(url);
  check(s, atesql_tx_begin(s), "begin the load");
  for (int i = 0; i < UPDATE_WORKERS; i++)
    check(s, atesql_worker_create(s, &update_records[i]), "load a worker");
  pool_spec claim = {.ns = NS,
                     .pool = CLAIM_POOL,
                     .workers = CLAIM_WORKERS,
                     .free_every = CLAIM_WORKERS / CLAIM_FREE,
                     .pod_prefix = CLAIM_POOL,
                     .node_prefix = NS "-" CLAIM_POOL,
                     .nodes = NODES,
                     .ip_block = 1};
  load_pool(s, &claim);
  for (int p = 0; p < OTHER_POOLS; p++) {
    char pool[16], nodes[32];
    snprintf(pool, sizeof pool, "pool-%d", p);
    snprintf(nodes, sizeof nodes, "other-%s", pool);
    pool_spec other = {.ns = "other",
                       .pool = pool,
                       .workers = OTHER_WORKERS,
                       .free_every = OTHER_WORKERS / OTHER_FREE,
                       .pod_prefix = pool,
                       .node_prefix = nodes,
                       .nodes = NODES,
                       .ip_block = 2 + p};
    load_pool(s, &other);
  }
  check(s, atesql_tx_commit(s), "commit the load");
  check(s, atesql_store_analyze(s), "analyze");
  int64_t revision = 0;
  check(s, atesql_store_revision(s, &revision, NULL), "read the revision");
  atesql_compact_opts compact = {.revision = revision};
  check(s, atesql_compact(s, &compact, NULL), "compact the load's events");
  atesql_store_close(s);
}

/* The name of feed variant f's cell database. */
static void cell_name(feed_id f, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, CELL_DB "%s", feed_names[f]);
}

void watch_backend_setup(backend *b, const options *o) {
  double t0 = now_s();
  char url[4400], name[64];
  make_update_workers();
  place_open(&b->place, b->id, o->common.dir, o->common.postgres, "watch");
  place_create(&b->place, BASE_DB);
  place_url(&b->place, BASE_DB, "", url, sizeof url);
  load_database(url);
  if (b->id == B_POSTGRES) {
    PGconn *base = pg_connect(url);
    pg_exec(base, "VACUUM ANALYZE");
    PQfinish(base);
  }
  /* A long busy timeout: a writer that waits shows as latency. */
  for (feed_id f = 0; f < F_COUNT; f++) {
    cell_name(f, name, sizeof name);
    place_url(&b->place, name, "?busy_timeout_ms=60000", b->cell_url[f],
              sizeof b->cell_url[f]);
  }
  fprintf(stderr, "%s: base database loaded in %.1f s\n", backend_names[b->id],
          now_s() - t0);
}

/* Change the cell's feed from as migrated to f: for none, drop its
** triggers (the workers' writes then log nothing). */
static void set_feed(backend *b, feed_id f) {
  if (f == F_FEED) return;
  if (b->id == B_SQLITE) {
    char name[64], file[4400];
    cell_name(f, name, sizeof name);
    place_file(&b->place, name, file, sizeof file);
    sqlite3 *db = NULL;
    char *msg = NULL;
    if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(db,
                     "DROP TRIGGER workers_event_created;"
                     "DROP TRIGGER workers_event_updated;"
                     "DROP TRIGGER workers_event_deleted;",
                     NULL, NULL, &msg) != SQLITE_OK)
      die("drop the feed's triggers in %s: %s", file,
          msg ? msg : sqlite3_errmsg(db));
    sqlite3_close(db);
  } else {
    PGconn *c = pg_connect(b->cell_url[f]);
    pg_exec(c, "DROP TRIGGER workers_events ON workers");
    PQfinish(c);
  }
}

void watch_backend_fresh_cell(backend *b, feed_id f) {
  char name[64];
  cell_name(f, name, sizeof name);
  place_copy(&b->place, BASE_DB, name);
  set_feed(b, f);
}

void watch_backend_teardown(backend *b) {
  char name[64];
  for (feed_id f = 0; f < F_COUNT; f++) {
    cell_name(f, name, sizeof name);
    place_drop(&b->place, name);
  }
  place_drop(&b->place, BASE_DB);
  place_close(&b->place);
}

int64_t url_revision(const char *url) {
  atesql_store *s = open_store(url);
  int64_t revision = 0;
  check(s, atesql_store_revision(s, &revision, NULL), "read the revision");
  atesql_store_close(s);
  return revision;
}

const char *const holder_names[H_COUNT] = {"none", "open_write", "snapshot"};

/* H_WRITE's worker: ns/cpu's worker 1, held by a background actor (only
** every (CLAIM_WORKERS / CLAIM_FREE)th worker is free). */
#define STALL_POD CLAIM_POOL "-0001"

/* Run sql on c, expecting st; dies otherwise. */
static void holder_exec(PGconn *c, const char *sql, ExecStatusType st) {
  PGresult *r = PQexec(c, sql);
  if (PQresultStatus(r) != st) die("%s: %s", sql, PQerrorMessage(c));
  if (st == PGRES_COMMAND_OK && strcmp(PQcmdTuples(r), "0") == 0)
    die("%s: no row", sql);
  PQclear(r);
}

PGconn *holder_begin(holder_id h, const char *url) {
  if (h == H_NONE) return NULL;
  PGconn *c = pg_connect(url);
  if (h == H_WRITE) {
    pg_exec(c, "BEGIN");
    holder_exec(c,
                "UPDATE workers SET version = version + 1 "
                "WHERE worker_namespace = '" NS
                "' AND worker_pool = '" CLAIM_POOL
                "' AND worker_pod = '" STALL_POD "'",
                PGRES_COMMAND_OK);
  } else {
    pg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ");
    holder_exec(c, "SELECT count(*) FROM workers", PGRES_TUPLES_OK);
  }
  return c;
}

void holder_end(PGconn *c) {
  if (c == NULL) return;
  pg_exec(c, "COMMIT");
  PQfinish(c);
}
