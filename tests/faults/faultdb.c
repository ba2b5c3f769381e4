/*
** The engine of the fault-injection suites (faultdb.h): the seeded
** template and its fresh copies, canonical dumps and integrity checks, and
** the walk over fault points with the model every run is held to. The
** operations it walks, and the records they act on, are faultops.c's.
*/
#include "faults/faultdb.h"
#include "faults/faultops.h"

#include "suite.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- Harness errors. ---- */

/* Set in the child process that runs a walk's trials. */
static bool in_child;

enum { HARNESS_EXIT = 99 }; /* a child's exit status for a harness error */

/*
** A failure of the harness itself (not of atesql): fail the test, or, in
** a walk's child, print it and exit with HARNESS_EXIT for the parent to
** fail the test (cmocka's fail_msg must not unwind a child).
*/
__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt,
                                                                ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (in_child) {
    printf("HARNESS ERROR: %s\n", msg);
    fflush(stdout);
    _exit(HARNESS_EXIT);
  }
  fail_msg("%s", msg);
  abort(); /* not reached: fail_msg ends the test */
}

/* ---- Files. ---- */

static char template_path[FAULTDB_PATH_MAX];
static char db_path[FAULTDB_PATH_MAX];
static char db_url[FAULTDB_PATH_MAX + 16];

/* "<ATESQL_TEST_DIR or /tmp>/<name>.db" into out. */
static void db_file(const char *name, char *out, size_t outsz) {
  const char *dir = getenv("ATESQL_TEST_DIR");
  int n = snprintf(out, outsz, "%s/%s.db", dir && *dir ? dir : "/tmp", name);
  if (n < 0 || (size_t)n >= outsz) die("path of '%s' is too long", name);
}

/* Remove a database file and its -wal, -shm and -journal files. */
static void remove_db(const char *path) {
  static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
    char f[FAULTDB_PATH_MAX + 16];
    snprintf(f, sizeof f, "%s%s", path, suffixes[i]);
    if (unlink(f) != 0 && errno != ENOENT)
      die("cannot remove %s: %s", f, strerror(errno));
  }
}

/* Copy one file byte for byte; false when `from` does not exist. */
static bool copy_file(const char *from, const char *to) {
  int in = open(from, O_RDONLY);
  if (in < 0) {
    if (errno == ENOENT) return false;
    die("cannot open %s: %s", from, strerror(errno));
  }
  int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0) die("cannot create %s: %s", to, strerror(errno));
  char buf[65536];
  ssize_t got;
  while ((got = read(in, buf, sizeof buf)) > 0)
    for (ssize_t done = 0; done < got;) {
      ssize_t put = write(out, buf + done, (size_t)(got - done));
      if (put < 0) die("cannot write %s: %s", to, strerror(errno));
      done += put;
    }
  if (got < 0) die("cannot read %s: %s", from, strerror(errno));
  close(in);
  close(out);
  return true;
}

/* The trial database as a fresh copy of the closed template (its -wal
** too, if any), copied with read/write so that SQLite makes no I/O call:
** or no file at all for an operation that starts from none. */
static void fresh_database(const faultdb_op *op) {
  remove_db(db_path);
  if (op->fresh_file) return;
  if (!copy_file(template_path, db_path))
    die("template %s is missing", template_path);
  char wal_from[FAULTDB_PATH_MAX + 8], wal_to[FAULTDB_PATH_MAX + 8];
  snprintf(wal_from, sizeof wal_from, "%s-wal", template_path);
  snprintf(wal_to, sizeof wal_to, "%s-wal", db_path);
  copy_file(wal_from, wal_to);
}

/* ---- The template. ---- */

/*
** The template: the records the operations act on (faultdb_seed), and
** atespace space-wal, committed in the WAL but not checkpointed.
*/
static void make_template(void) {
  char url[FAULTDB_PATH_MAX + 16];
  snprintf(url, sizeof url, "sqlite:%s", template_path);
  remove_db(template_path);
  atesql_error err = {0};
  if (atesql_migrate_up(url, NULL, &err) != ATESQL_OK)
    die("migrate the template: %s", err.message);
  atesql_store *s = NULL;
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    die("open the template: %s", err.message);
  char why[1024];
  if (!faultdb_seed(s, why, sizeof why)) die("seeding the template: %s", why);
  atesql_store_close(s);
  /* The last write stays in the WAL, as in a database in use: closing
  ** without a checkpoint leaves committed frames for every trial's
  ** connection to recover, and for a checkpoint to have work. */
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(template_path, &db, SQLITE_OPEN_READWRITE, NULL) !=
          SQLITE_OK ||
      sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) !=
          SQLITE_OK ||
      sqlite3_exec(db, "INSERT INTO atespaces (name) VALUES ('space-wal')",
                   NULL, NULL, NULL) != SQLITE_OK)
    die("seeding the template's WAL: %s", sqlite3_errmsg(db));
  sqlite3_close(db);
  char wal[FAULTDB_PATH_MAX + 8];
  snprintf(wal, sizeof wal, "%s-wal", template_path);
  if (access(wal, F_OK) != 0) die("the template has no WAL");
  /* Let expired-lock's millisecond pass on the database clock. */
  struct timespec pause = {0, 20 * 1000 * 1000};
  nanosleep(&pause, NULL);
}

void faultdb_setup(const char *suite) {
  char name[128];
  snprintf(name, sizeof name, "%s_template", suite);
  db_file(name, template_path, sizeof template_path);
  db_file(suite, db_path, sizeof db_path);
  snprintf(db_url, sizeof db_url, "sqlite:%s", db_path);
  make_template();
}

void faultdb_cleanup(void) {
  remove_db(db_path);
  remove_db(template_path);
}

/* ---- Dumps and integrity. ---- */

/*
** A connection of the checks' own to the trial database (NULL when it
** cannot be opened; *rc says why). It only reads: it does not checkpoint
** when it closes (which also leaves the WAL file in place for the next
** connection), and synchronous is off in case it ever writes.
*/
static sqlite3 *raw_open(int flags, int *rc) {
  sqlite3 *db = NULL;
  *rc = sqlite3_open_v2(db_path, &db, flags, NULL);
  if (*rc == SQLITE_OK)
    *rc = sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  if (*rc == SQLITE_OK)
    *rc = sqlite3_exec(db, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
  if (*rc != SQLITE_OK) {
    sqlite3_close(db);
    db = NULL;
  }
  return db;
}

/* Append every row of `sql` to out, one line per row, under `title`. */
static int dump_query(sqlite3 *db, sqlite3_str *out, const char *title,
                      const char *sql) {
  sqlite3_stmt *stmt;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK) return rc;
  sqlite3_str_appendf(out, "[%s]\n", title);
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(stmt); i++) {
      const char *t = (const char *)sqlite3_column_text(stmt, i);
      sqlite3_str_appendf(out, "%s%Q", i ? "|" : "", t);
    }
    sqlite3_str_appendchar(out, 1, '\n');
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Whether table `name` exists. */
static bool has_table(sqlite3 *db, const char *name) {
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(db,
                         "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                         "AND name = ?1",
                         -1, &stmt, NULL) != SQLITE_OK)
    return false;
  sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
  bool found = sqlite3_step(stmt) == SQLITE_ROW;
  sqlite3_finalize(stmt);
  return found;
}

#define NOW_MS "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"

/*
** The content of the trial database as text, read by a connection of its
** own: the journal mode (WAL, as atesql sets it), the schema, and every
** row of every atesql table in key order; schema_migrations without
** applied_at, locks with flags instead of the expiry time (live; held
** for more than a day, which a renewal changes) and without the
** follow-up lock. Tables that do not exist are left out, so a
** file without a schema dumps as "". A string to free with sqlite3_free;
** fails the test when the database cannot be read.
*/
static char *dump_db(sqlite3 *db) {
  static const struct {
    const char *table;
    const char *sql;
  } tables[] = {
      {"atespaces", "SELECT name FROM atespaces ORDER BY name"},
      {"actors", "SELECT * FROM actors ORDER BY atespace, actor_id"},
      {"workers", "SELECT * FROM workers ORDER BY worker_namespace, "
                  "worker_pool, worker_pod"},
      {"locks", "SELECT key, value, expires_at_ms > " NOW_MS " AS live, "
                "expires_at_ms > " NOW_MS " + 86400000 AS past_a_day FROM "
                "locks WHERE key <> '" FAULTDB_FOLLOWUP_LOCK "' ORDER BY key"},
      {"schema_migrations", "SELECT version, name, checksum FROM "
                            "schema_migrations ORDER BY version"},
      /* The change feed: written in each write's transaction, so it is
      ** held to the same model (committed_at_ms left out: a clock). */
      {"store_revision", "SELECT revision, compacted FROM store_revision"},
      {"worker_events",
       "SELECT revision, change, worker_namespace, worker_pool, worker_pod, "
       "actor_namespace, actor_template, actor_id, actor_atespace, ip, "
       "worker_pod_uid, node_name, version, prev_actor_namespace, "
       "prev_actor_template, prev_actor_id, prev_actor_atespace, prev_ip, "
       "prev_worker_pod_uid, prev_node_name, prev_version FROM worker_events "
       "ORDER BY revision"},
  };
  int rc = SQLITE_OK;
  sqlite3_str *out = sqlite3_str_new(db);
  if (has_table(db, "schema_migrations"))
    rc = dump_query(db, out, "journal_mode", "PRAGMA journal_mode");
  if (rc == SQLITE_OK)
    rc = dump_query(db, out, "schema",
                    "SELECT type, name, tbl_name, sql FROM sqlite_master "
                    "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");
  for (size_t i = 0; rc == SQLITE_OK && i < sizeof tables / sizeof *tables; i++)
    if (has_table(db, tables[i].table))
      rc = dump_query(db, out, tables[i].table, tables[i].sql);
  char *text = sqlite3_str_finish(out);
  if (rc != SQLITE_OK) die("dump %s: %s", db_path, sqlite3_errmsg(db));
  return text ? text : sqlite3_mprintf("%s", "");
}

/* dump_db on a connection of its own. */
static char *dump(void) {
  int rc;
  sqlite3 *db = raw_open(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &rc);
  if (db == NULL) die("open %s: %s", db_path, sqlite3_errstr(rc));
  char *text = dump_db(db);
  sqlite3_close(db);
  return text;
}

/* PRAGMA integrity_check and foreign_key_check on db: true when the
** first says "ok" and the second finds nothing; else false with the
** findings in msg. */
static bool integrity_db(sqlite3 *db, char *msg, size_t msgsz) {
  sqlite3_str *out = sqlite3_str_new(db);
  int rc = dump_query(db, out, "integrity_check", "PRAGMA integrity_check");
  if (rc == SQLITE_OK)
    rc = dump_query(db, out, "foreign_key_check", "PRAGMA foreign_key_check");
  char *text = sqlite3_str_finish(out);
  bool ok = rc == SQLITE_OK && text &&
            strcmp(text, "[integrity_check]\n'ok'\n[foreign_key_check]\n") == 0;
  if (!ok)
    snprintf(msg, msgsz, "%s",
             rc != SQLITE_OK ? sqlite3_errmsg(db) : (text ? text : "?"));
  sqlite3_free(text);
  return ok;
}

/* integrity_db on a connection of its own (false when it cannot open). */
static bool integrity(char *msg, size_t msgsz) {
  int rc;
  sqlite3 *db = raw_open(SQLITE_OPEN_READWRITE, &rc);
  bool ok = db && integrity_db(db, msg, msgsz);
  if (db == NULL) snprintf(msg, msgsz, "%s", sqlite3_errstr(rc));
  sqlite3_close(db);
  return ok;
}

/* Where a and b first differ: "line N: '...x...' vs '...y...'", each
** side an excerpt of the line around the first differing byte. */
static void diff(const char *a, const char *b, char *out, size_t outsz) {
  int line = 1;
  while (*a || *b) {
    size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
    if (la != lb || memcmp(a, b, la) != 0) {
      size_t at = 0;
      while (at < la && at < lb && a[at] == b[at])
        at++;
      size_t from = at > 60 ? at - 60 : 0;
      int na = (int)(la - from > 120 ? 120 : la - from);
      int nb = (int)(lb - from > 120 ? 120 : lb - from);
      snprintf(out, outsz, "line %d, byte %zu: '%.*s' vs '%.*s'", line, at + 1,
               na, a + from, nb, b + from);
      return;
    }
    a += la + (a[la] != '\0');
    b += lb + (b[lb] != '\0');
    line++;
  }
  snprintf(out, outsz, "no difference");
}

/* Whether the follow-up lock is held by its "probe" owner in db. */
static bool followup_held(sqlite3 *db) {
  sqlite3_stmt *stmt = NULL;
  bool held = sqlite3_prepare_v2(
                  db,
                  "SELECT 1 FROM locks WHERE key = '" FAULTDB_FOLLOWUP_LOCK
                  "' AND value = 'probe'",
                  -1, &stmt, NULL) == SQLITE_OK &&
              sqlite3_step(stmt) == SQLITE_ROW;
  sqlite3_finalize(stmt);
  return held;
}

/* ---- The walk. ---- */

bool faultdb_long_mode(void) {
  const char *v = getenv("ATESQL_FAULTS_LONG");
  return v && *v && strcmp(v, "0") != 0;
}

size_t faultdb_points(long total, size_t limit, long *points) {
  size_t n = 0;
  if ((size_t)total + 1 <= limit) {
    for (long i = 1; i <= total + 1; i++)
      points[n++] = i;
    return n;
  }
  long edge = (long)limit / 4, middle = (long)limit - 2 * edge - 1;
  for (long i = 1; i <= edge; i++)
    points[n++] = i;
  long from = edge + 1, to = total - edge;
  for (long k = 0; k < middle; k++) {
    long p = from + (to - from) * k / (middle > 1 ? middle - 1 : 1);
    if (p > points[n - 1]) points[n++] = p;
  }
  for (long i = total - edge + 1; i <= total + 1; i++)
    if (i > points[n - 1]) points[n++] = i;
  return n;
}

enum { MAX_KINDS = 24, KIND_TEXT = 96 };

/* The figures of one operation under one flavor. */
typedef struct tally {
  const char *op;
  const char *flavor;
  long total;    /* faultable calls of the operation without faults */
  long tried;    /* fault points tried */
  long last_n;   /* the highest N tried */
  long failed;   /* runs whose verdict was an error */
  long absorbed; /* runs that were OK although a fault was hit */
  long clean;    /* runs that hit no fault (the walk's end) */
  long unknown;  /* failed runs whose write was durable all the same */
  long crashed;  /* runs that killed their process */
  long statuses[ATESQL_INTERNAL + 1]; /* verdicts by status */
  long anomalies;
  /* Anomalies by kind (their text up to the details), with the first N. */
  struct {
    char text[KIND_TEXT];
    long count;
    long first_n;
  } kinds[MAX_KINDS];
} tally;

enum { MAX_TALLIES = 256, MAX_WALK = 10000000 };

/*
** What a walk's parent and its children share (an anonymous shared
** mapping): the tallies, and the walk's progress, so that a child that
** crashes is replaced by one that goes on after the fault point that
** crashed it.
*/
typedef struct shared_state {
  tally tallies[MAX_TALLIES];
  size_t tally_count;
  long total_anomalies;
  long n;       /* the fault point being tried, or last tried */
  long hits;    /* faultable calls the last completed trial failed */
  size_t next;  /* the index in the walk's points of the next one */
  bool counted; /* the trial at n has been counted in its tally */
} shared_state;

static shared_state *shared;

/* The shared state, mapped on first use. */
static shared_state *state(void) {
  if (shared == NULL) {
    void *p = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap: %s", strerror(errno));
    shared = p;
  }
  return shared;
}

/* The run of an operation without faults: the model's two states. */
typedef struct reference {
  char *before;
  char *after;
  faultdb_outcome out;
} reference;

/* Count an anomaly under its kind: the text up to the first '(', ':' or
** quote, which is where the details of one run start, digits as '#'. */
static void count_kind(tally *t, long n, const char *what) {
  char text[KIND_TEXT];
  size_t len = strcspn(what, "(:'");
  snprintf(text, sizeof text, "%.*s", (int)len, what);
  for (char *c = text; *c; c++)
    if (*c >= '0' && *c <= '9') *c = '#';
  for (int i = 0; i < MAX_KINDS; i++) {
    if (t->kinds[i].count && strcmp(t->kinds[i].text, text) != 0) continue;
    if (t->kinds[i].count++ == 0) {
      snprintf(t->kinds[i].text, sizeof t->kinds[i].text, "%s", text);
      t->kinds[i].first_n = n;
    }
    return;
  }
}

/* Print an anomaly of one run (the first few of a walk) and count it. */
__attribute__((format(printf, 4, 5))) static void
anomaly(tally *t, long n, const faultdb_outcome *o, const char *fmt, ...) {
  char what[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  t->anomalies++;
  state()->total_anomalies++;
  count_kind(t, n, what);
  if (t->anomalies <= 5)
    printf("ANOMALY %s [%s] N=%ld: %s (verdict %s: %s)\n", t->op, t->flavor, n,
           what, atesql_status_str(o->status), o->msg);
}

/* Open a store on the trial database; fails the test when it cannot. */
static atesql_store *open_store(void) {
  atesql_store *s = NULL;
  atesql_error err = {0};
  if (atesql_store_open(db_url, &s, &err) != ATESQL_OK)
    die("open %s: %s", db_url, err.message);
  return s;
}

/* Run op without faults, counting its faultable calls into *calls. */
static void run_reference(const faultdb_injector *inj, const faultdb_op *op,
                          const faultdb_flavor *f, reference *ref,
                          long *calls) {
  fresh_database(op);
  ref->before = op->fresh_file ? sqlite3_mprintf("%s", "") : dump();
  /* The dump's connection checkpointed the WAL when it closed: start the
  ** run from the very state every trial starts from. */
  fresh_database(op);
  atesql_store *s = op->own_handle ? NULL : open_store();
  memset(&ref->out, 0, sizeof ref->out);
  long hits;
  inj->arm(LONG_MAX, f);
  op->run(s, db_url, &ref->out);
  inj->disarm(calls, &hits);
  atesql_store_close(s);
  if (ref->out.status != ATESQL_OK || ref->out.problem)
    die("%s without faults: %s: %s %s", op->name,
        atesql_status_str(ref->out.status), ref->out.msg,
        ref->out.problem ? ref->out.problem : "");
  ref->after = dump();
}

/* The checks on the calls of one run. */
static void check_calls(const faultdb_injector *inj, const faultdb_op *op,
                        tally *t, long n, const reference *ref,
                        const faultdb_outcome *o) {
  if (o->problem) anomaly(t, n, o, "%s", o->problem);
  size_t first_failure = o->ncalls;
  for (size_t i = 0; i < o->ncalls; i++) {
    if (o->calls[i] == ATESQL_OK) continue;
    if (first_failure == o->ncalls) first_failure = i;
    if (!inj->clean(op, o->calls[i], i > first_failure, o->msg))
      anomaly(t, n, o, "call %zu failed with an unclean status %s", i + 1,
              atesql_status_str(o->calls[i]));
  }
  if (o->in_tx)
    for (size_t i = first_failure + 1; i < o->ncalls; i++)
      if (o->calls[i] == ATESQL_OK)
        anomaly(t, n, o,
                "call %zu returned OK after call %zu failed in the same "
                "transaction",
                i + 1, first_failure + 1);
  if (o->status != ATESQL_OK) return;
  if (first_failure < o->ncalls)
    anomaly(t, n, o, "verdict OK although call %zu failed", first_failure + 1);
  if (strcmp(o->result, ref->out.result) != 0)
    anomaly(t, n, o, "OK with outputs '%s', the reference's are '%s'",
            o->result, ref->out.result);
}

/*
** The database, read by db (NULL: a connection of its own), must hold
** `want`, or, when `alt` is not NULL (an outcome the fault left unknown),
** `alt`; `when` says at which step. Returns whether it holds alt.
*/
static bool check_content(tally *t, long n, const faultdb_outcome *o,
                          sqlite3 *db, const char *want, const char *alt,
                          const char *when) {
  char *have = db ? dump_db(db) : dump();
  bool is_alt = alt && strcmp(have, alt) == 0;
  if (strcmp(have, want) != 0 && !is_alt) {
    char d[512];
    diff(want, have, d, sizeof d);
    anomaly(t, n, o, "%s: content is not the model's (%s)", when, d);
  }
  sqlite3_free(have);
  return is_alt;
}

/* Whether every embedded migration is recorded in the trial database. */
static bool fully_migrated(void) {
  atesql_migration_list *list = NULL;
  atesql_error err = {0};
  if (atesql_migrate_status(db_url, &list, &err) != ATESQL_OK)
    die("migrate status: %s", err.message);
  bool all = true;
  for (size_t i = 0; i < list->count; i++)
    all = all && list->items[i].applied;
  atesql_migration_list_free(list);
  return all;
}

/* ATESQL_FAULTS_TRACE set: print every run. */
static bool trace(void) { return getenv("ATESQL_FAULTS_TRACE") != NULL; }

/* ATESQL_FAULTS_ONLY=op,op...: walk only these operations (a repro). */
static bool selected(const char *op) {
  const char *only = getenv("ATESQL_FAULTS_ONLY");
  if (only == NULL || *only == '\0') return true;
  size_t len = strlen(op);
  for (const char *p = only; (p = strstr(p, op)) != NULL; p += len)
    if ((p == only || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
      return true;
  return false;
}

/* ATESQL_FAULTS_N=n: try only fault point n (a repro); 0 when unset. */
static long only_point(void) {
  const char *n = getenv("ATESQL_FAULTS_N");
  return n ? strtol(n, NULL, 10) : 0;
}

/*
** One trial: op with the fault at call n of flavor f, then every check.
** Returns how many calls the fault failed (0: the walk is over).
*/
static long trial(const faultdb_injector *inj, const faultdb_op *op,
                  const faultdb_flavor *f, long n, const reference *ref,
                  tally *t) {
  long live = inj->live ? inj->live() : 0;
  fresh_database(op);
  atesql_store *s = op->own_handle ? NULL : open_store();
  faultdb_outcome o;
  memset(&o, 0, sizeof o);
  long calls, hits;
  inj->arm(n, f);
  op->run(s, db_url, &o);
  if (f->close_faulted) {
    atesql_store_close(s);
    s = NULL;
  }
  inj->disarm(&calls, &hits);
  if (trace())
    printf("trace %s [%s] N=%ld: %ld calls, %ld failed; verdict %s: %s\n",
           op->name, f->name, n, calls, hits, atesql_status_str(o.status),
           o.msg);

  t->tried++;
  t->last_n = n;
  state()->counted = true;
  t->statuses[o.status]++;
  if (o.status != ATESQL_OK)
    t->failed++;
  else if (hits)
    t->absorbed++;
  else
    t->clean++;
  check_calls(inj, op, t, n, ref, &o);

  bool applied = o.status == ATESQL_OK;
  const char *want = applied ? ref->after : ref->before;
  /* After a failed sync either content is right, as long as it is one. */
  const char *alt = !applied && inj->outcome_unknown && inj->outcome_unknown()
                        ? ref->after
                        : NULL;
  bool durable = false;
  char report[512];
  sqlite3 *db = NULL;
  if (op->fresh_file) {
    /* Migrations are atomic one by one: a failed run leaves whole ones
    ** applied, and running it again completes the schema. */
    if (access(db_path, F_OK) == 0 && !integrity(report, sizeof report))
      anomaly(t, n, &o, "integrity after migrate: %s", report);
    if (!applied && fully_migrated()) {
      if (alt)
        durable = true;
      else
        anomaly(t, n, &o, "migrate failed but every migration is recorded");
    }
    atesql_error err = {0};
    if (!applied && atesql_migrate_up(db_url, NULL, &err) != ATESQL_OK)
      anomaly(t, n, &o, "migrate again without faults: %s", err.message);
    check_content(t, n, &o, NULL, ref->after, NULL,
                  "after migrate (and a rerun)");
  } else {
    durable |=
        check_content(t, n, &o, NULL, want, alt, "seen by another connection");
    bool followup = false;
    if (s) {
      bool acquired = false;
      atesql_status st = atesql_lock_acquire(s, FAULTDB_FOLLOWUP_LOCK, "probe",
                                             60000, &acquired);
      if (st != ATESQL_OK || !acquired)
        anomaly(t, n, &o, "the handle did not recover: follow-up write: %s: %s",
                atesql_status_str(st), atesql_errmsg(s));
      durable |= check_content(t, n, &o, NULL, want, alt,
                               "after a follow-up write on the handle");
      atesql_store_close(s);
      followup = st == ATESQL_OK && acquired;
    }
    /* After the close: one connection for every check, open until the
    ** new handle below has closed, so that the new handle's writes (it
    ** releases locks to check them) are not checkpointed: two fsyncs
    ** less per trial. */
    int rc;
    db = raw_open(SQLITE_OPEN_READWRITE, &rc);
    if (db == NULL) die("open %s: %s", db_path, sqlite3_errstr(rc));
    if (followup && !followup_held(db))
      anomaly(t, n, &o,
              "the follow-up write on the handle returned OK but is not in "
              "the database after close");
    if (!integrity_db(db, report, sizeof report))
      anomaly(t, n, &o, "integrity: %s", report);
    durable |=
        check_content(t, n, &o, db, want, alt, "after closing the handle");
  }
  if (durable) t->unknown++;
  /* The checks' writes need not be durable. */
  char url[FAULTDB_PATH_MAX + 40];
  snprintf(url, sizeof url, "%s?synchronous=normal", db_url);
  atesql_store *again = NULL;
  atesql_error err = {0};
  if (atesql_store_open(url, &again, &err) != ATESQL_OK) {
    anomaly(t, n, &o, "reopen: %s", err.message);
  } else {
    const char *why = op->verify(again, op->fresh_file || applied || durable);
    if (why) anomaly(t, n, &o, "through the API on a new handle: %s", why);
    atesql_store_close(again);
  }
  sqlite3_close(db);
  if (inj->live && inj->live() != live)
    anomaly(t, n, &o, "leak: %ld allocations outstanding after the trial",
            inj->live() - live);
  return hits;
}

static tally *new_tally(const char *op, const char *flavor_name) {
  shared_state *st = state();
  if (st->tally_count == MAX_TALLIES) die("too many tallies");
  tally *t = &st->tallies[st->tally_count++];
  memset(t, 0, sizeof *t);
  t->op = op;
  t->flavor = flavor_name;
  return t;
}

/* ASan's, when the suite runs under it; else NULL. */
void __sanitizer_print_stack_trace(void) __attribute__((weak));

/*
** A child's handler of fatal signals: where it crashed (ASan's symbolized
** stack, else glibc's backtrace), then death by the same signal for the
** parent to count. It replaces cmocka's handler, which would unwind the
** child into the next test.
*/
static void child_crashed(int sig) {
  static const char msg[] = "\nCRASH in a fault-injection trial; stack:\n";
  if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) _exit(98);
  if (__sanitizer_print_stack_trace) {
    __sanitizer_print_stack_trace();
  } else {
    void *frames[64];
    backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

/*
** The trials of one walk, in a child process: the points from
** state()->next on, then N upward while the last trial hit its fault (only
** the first point when `single`). Exits 0 when the walk is over.
*/
__attribute__((noreturn)) static void
walk_child(const faultdb_injector *inj, const faultdb_op *op,
           const faultdb_flavor *f, const reference *ref, tally *t,
           const long *points, size_t np, bool single) {
  in_child = true;
  static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
  for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
    signal(fatal[i], child_crashed);
  shared_state *st = state();
  for (;;) {
    long n;
    if (st->next < np)
      n = points[st->next];
    else if (st->hits && st->n < MAX_WALK)
      n = st->n + 1;
    else
      break;
    st->n = n;
    st->counted = false;
    st->hits = trial(inj, op, f, n, ref, t);
    if (st->next < np) st->next++;
    fflush(stdout);
    if (single) break;
  }
  fflush(stdout);
  _exit(0);
}

/*
** Run a walk's trials in child processes, so that a crash is one more
** anomaly instead of the end of the suite: a child that dies is counted
** as a crash at its fault point, and a new child goes on after it.
*/
static void run_walk(const faultdb_injector *inj, const faultdb_op *op,
                     const faultdb_flavor *f, const reference *ref, tally *t,
                     const long *points, size_t np, bool single) {
  shared_state *st = state();
  st->n = 0;
  st->hits = single ? 0 : 1;
  st->next = 0;
  for (;;) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) walk_child(inj, op, f, ref, t, points, np, single);
    int status;
    if (waitpid(pid, &status, 0) != pid) die("waitpid: %s", strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
    if (WIFEXITED(status) && WEXITSTATUS(status) == HARNESS_EXIT)
      die("%s [%s] N=%ld: harness error (see above)", op->name, f->name, st->n);
    faultdb_outcome o;
    memset(&o, 0, sizeof o);
    snprintf(o.msg, sizeof o.msg, "the process died");
    if (!st->counted) {
      t->tried++;
      t->last_n = st->n;
    }
    t->crashed++;
    if (WIFSIGNALED(status))
      anomaly(t, st->n, &o, "crash: killed by signal %d (%s)", WTERMSIG(status),
              strsignal(WTERMSIG(status)));
    else
      anomaly(t, st->n, &o, "crash: exited with status %d",
              WEXITSTATUS(status));
    /* Go on after the point that crashed. */
    st->hits = single ? 0 : 1;
    if (st->next < np && points[st->next] == st->n) st->next++;
    if (single) return;
  }
}

void faultdb_walk(const faultdb_injector *inj, const char *const *names) {
  bool exhaustive = faultdb_long_mode();
  long before = state()->total_anomalies;
  for (; *names; names++) {
    const faultdb_op *op = faultdb_find_op(*names);
    if (op == NULL) die("unknown operation %s", *names);
    if (!selected(op->name)) continue;
    for (size_t fi = 0; fi < inj->flavor_count; fi++) {
      const faultdb_flavor *f = &inj->flavors[fi];
      if (f->long_only && !exhaustive) continue;
      if (f->cache_pages && !op->multi_statement) continue;
      if (inj->configure) inj->configure(f);
      reference ref;
      long total;
      run_reference(inj, op, f, &ref, &total);
      tally *t = new_tally(op->name, f->name);
      t->total = total;
      long *points = calloc(inj->bounded_points, sizeof *points);
      if (points == NULL) die("out of memory");
      size_t np =
          exhaustive ? 0 : faultdb_points(total, inj->bounded_points, points);
      if (only_point()) {
        points[0] = only_point();
        np = 1;
      }
      run_walk(inj, op, f, &ref, t, points, np, only_point() != 0);
      free(points);
      printf("%-16s %-24s calls %5ld  N tried %4ld (up to %ld)  failed %4ld"
             " (durable %ld)  absorbed %4ld  anomalies %ld\n",
             op->name, f->name, t->total, t->tried, t->last_n, t->failed,
             t->unknown, t->absorbed, t->anomalies);
      for (int k = 0; k < MAX_KINDS && t->kinds[k].count; k++)
        printf("    %5ld x %s (first at N=%ld)\n", t->kinds[k].count,
               t->kinds[k].text, t->kinds[k].first_n);
      fflush(stdout);
      sqlite3_free(ref.before);
      sqlite3_free(ref.after);
      if (inj->configure) inj->configure(NULL);
    }
  }
  long found = state()->total_anomalies - before;
  if (found) die("%ld anomalies (see the ANOMALY lines)", found);
}

void faultdb_print_figures(const faultdb_injector *inj, double seconds) {
  long runs = 0, failed = 0, ok = 0;
  printf("\n%s faults, %s mode, %.1f s:\n\n| operation | flavor | faultable "
         "calls | N tried | failed | of which durable (failed sync) | OK, "
         "fault absorbed | OK, no fault hit | verdicts | anomalies |\n|---|---"
         "|---|---|---|---|---|---|---|---|\n",
         inj->what, faultdb_long_mode() ? "long" : "bounded", seconds);
  const shared_state *sh = state();
  for (size_t i = 0; i < sh->tally_count; i++) {
    const tally *t = &sh->tallies[i];
    char statuses[256] = "";
    size_t len = 0;
    for (int st = 0; st <= ATESQL_INTERNAL && len < sizeof statuses; st++)
      if (t->statuses[st])
        len += (size_t)snprintf(
            statuses + len, sizeof statuses - len, "%s%s %ld", len ? ", " : "",
            atesql_status_str((atesql_status)st), t->statuses[st]);
    if (t->crashed && len < sizeof statuses)
      snprintf(statuses + len, sizeof statuses - len, "%scrashed %ld",
               len ? ", " : "", t->crashed);
    printf("| %s | %s | %ld | %ld | %ld | %ld | %ld | %ld | %s | %ld |\n",
           t->op, t->flavor, t->total, t->tried, t->failed, t->unknown,
           t->absorbed, t->clean, statuses, t->anomalies);
    runs += t->tried;
    failed += t->failed;
    ok += t->absorbed + t->clean;
  }
  printf("\ntotal: %ld runs, %ld failed, %ld OK, %ld anomalies (failed "
         "runs with an unclean status count as anomalies)\n",
         runs, failed, ok, sh->total_anomalies);
}
