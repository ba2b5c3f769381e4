/*
** The backends: choosing them, and the databases of a run on each
** (SQLite files in a directory of the run's own, PostgreSQL databases on
** a server). backends.h says what each function does.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends.h"
#include "common.h"

const char *const backend_names[B_COUNT] = {"sqlite", "postgres", "redis",
                                            "memory"};

/* Whether list, comma-separated, names `name`. */
static bool lists_name(const char *list, const char *name) {
  size_t len = strlen(name);
  for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',')
    if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
      return true;
  return false;
}

void choose_backends(const command *cmd, const common_options *common,
                     bool redis_given, bool chosen[B_COUNT]) {
  bool given[B_COUNT] = {true, common->postgres != NULL, redis_given, true};
  for (backend_id b = 0; b < B_COUNT; b++)
    chosen[b] =
        lists_name(cmd->backends, backend_names[b]) &&
        (common->backends ? lists_name(common->backends, backend_names[b])
                          : given[b]);
  if (common->backends) {
    char copy[256], *save = NULL;
    snprintf(copy, sizeof copy, "%s", common->backends);
    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save))
      if (!lists_name(cmd->backends, t))
        die("--backends: '%s' is not one of %s", t, cmd->backends);
  }
  if (chosen[B_POSTGRES] && common->postgres == NULL)
    die("the postgres backend needs --postgres CONNINFO");
  if (chosen[B_REDIS] && !redis_given)
    die("the redis backend needs --redis-port (bench/run starts a server)");
  if (common->postgres && (strncmp(common->postgres, "postgres://", 11) == 0 ||
                           strncmp(common->postgres, "postgresql://", 13) == 0))
    die("--postgres takes a key=value conninfo, not a URL");
}

/* ---- SQLite files ---- */

static const char *const sqlite_suffixes[] = {"", "-wal", "-shm"};

/* Remove the database file at path with its -wal and -shm files, as far
** as they exist. */
static void remove_sqlite_files(const char *path) {
  for (int i = 0; i < 3; i++) {
    char file[4400];
    snprintf(file, sizeof file, "%s%s", path, sqlite_suffixes[i]);
    if (unlink(file) != 0 && errno != ENOENT)
      die("remove %s: %s", file, strerror(errno));
  }
}

/* Copy the file `from` to `to`, and flush the copy to the disk. */
static void copy_file(const char *from, const char *to) {
  int in = open(from, O_RDONLY);
  int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (in < 0 || out < 0) die("copy %s to %s: %s", from, to, strerror(errno));
  static char buf[1 << 16];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n)
      die("write %s: %s", to, strerror(errno));
  if (n < 0 || fsync(out) != 0) die("copy %s: %s", from, strerror(errno));
  close(in);
  close(out);
}

/* ---- PostgreSQL databases ---- */

/* Server notices ("database does not exist, skipping") are not news. */
static void ignore_notice(void *arg, const char *message) {
  (void)arg;
  (void)message;
}

PGconn *pg_connect(const char *conninfo) {
  PGconn *c = PQconnectdb(conninfo);
  if (PQstatus(c) != CONNECTION_OK)
    die("postgres connect '%s': %s", conninfo, PQerrorMessage(c));
  PQsetNoticeProcessor(c, ignore_notice, NULL);
  return c;
}

void pg_exec(PGconn *c, const char *sql) {
  PGresult *res = PQexec(c, sql);
  if (PQresultStatus(res) != PGRES_COMMAND_OK)
    die("postgres: %s: %s", sql, PQresultErrorMessage(res));
  PQclear(res);
}

void postgres_describe(const char *server, char *buf, size_t bufsz) {
  PGconn *c = pg_connect(server);
  const char *v = PQparameterStatus(c, "server_version");
  PGresult *r = PQexec(c, "SELECT current_setting('fsync'), "
                          "current_setting('shared_buffers')");
  bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
  snprintf(buf, bufsz, "%s (fsync=%s, shared_buffers=%s)", v ? v : "?",
           ok ? PQgetvalue(r, 0, 0) : "?", ok ? PQgetvalue(r, 0, 1) : "?");
  PQclear(r);
  PQfinish(c);
}

/* ---- Places ---- */

void place_open(db_place *p, backend_id b, const char *dir, const char *server,
                const char *subcommand) {
  *p = (db_place){.backend = b};
  if (b == B_SQLITE) {
    snprintf(p->dir, sizeof p->dir, "%s/atesql-%s-XXXXXX", dir, subcommand);
    if (mkdtemp(p->dir) == NULL) die("mkdtemp %s: %s", p->dir, strerror(errno));
  } else {
    p->server = server;
    p->admin = pg_connect(server);
  }
}

void place_close(db_place *p) {
  if (p->backend == B_SQLITE) {
    if (rmdir(p->dir) != 0) die("remove %s: %s", p->dir, strerror(errno));
  } else {
    PQfinish(p->admin);
  }
}

void place_file(const db_place *p, const char *name, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "%s/%s.db", p->dir, name);
}

void place_url(const db_place *p, const char *name, const char *sqlite_query,
               char *buf, size_t bufsz) {
  if (p->backend == B_SQLITE)
    snprintf(buf, bufsz, "sqlite:%s/%s.db%s", p->dir, name, sqlite_query);
  else
    snprintf(buf, bufsz, "%s dbname=%s", p->server, name);
}

void place_drop(db_place *p, const char *name) {
  if (p->backend == B_SQLITE) {
    char file[4200];
    place_file(p, name, file, sizeof file);
    remove_sqlite_files(file);
  } else {
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    pg_exec(p->admin, sql);
  }
}

void place_create(db_place *p, const char *name) {
  place_drop(p, name);
  if (p->backend == B_POSTGRES) {
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    pg_exec(p->admin, sql);
  }
}

void place_copy(db_place *p, const char *from, const char *to) {
  place_drop(p, to);
  if (p->backend == B_POSTGRES) {
    char sql[192];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", to, from);
    pg_exec(p->admin, sql);
    return;
  }
  char source[4200], target[4200], wal[4400];
  struct stat st;
  place_file(p, from, source, sizeof source);
  place_file(p, to, target, sizeof target);
  snprintf(wal, sizeof wal, "%s-wal", source);
  if (stat(wal, &st) == 0 && st.st_size > 0)
    die("%s is not empty: the database is not all in its file", wal);
  copy_file(source, target);
}

/* ---- Stores ---- */

atesql_store *open_store(const char *url) {
  atesql_error err = {0};
  atesql_store *s = NULL;
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    die("open %s: %s", url, err.message);
  return s;
}

atesql_store *migrate_and_open(const char *url) {
  atesql_error err = {0};
  atesql_migration_list *applied = NULL;
  if (atesql_migrate_up(url, &applied, &err) != ATESQL_OK)
    die("migrate %s: %s", url, err.message);
  atesql_migration_list_free(applied);
  return open_store(url);
}
