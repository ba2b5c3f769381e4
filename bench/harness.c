/*
** The parts atesql_claims (claims.c) and atesql_watch (watch.c) share:
** failing, time and statistics, the disk probe, generated pools of
** workers, copies of the databases each cell starts from, and common
** options. harness.h says what each function does.
*/
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

const char *const backend_names[B_COUNT] = {"sqlite", "postgres"};

/* ---- Failing ---- */

void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", program_name);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

void check(atesql_store *s, atesql_status st, const char *what) {
  if (st != ATESQL_OK)
    die("%s: %s: %s", what, atesql_status_str(st), atesql_errmsg(s));
}

/* ---- Time, load and statistics ---- */

double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void load_average(char *buf, size_t bufsz, double *one) {
  snprintf(buf, bufsz, "?");
  if (one) *one = -1;
  FILE *f = fopen("/proc/loadavg", "r");
  if (f == NULL) return;
  double a, b, c;
  if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3) {
    snprintf(buf, bufsz, "%.2f %.2f %.2f", a, b, c);
    if (one) *one = a;
  }
  fclose(f);
}

int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double percentile(const double *sorted, size_t n, double p) {
  if (n == 0) return 0;
  size_t rank = (size_t)ceil(p / 100.0 * (double)n);
  return sorted[rank ? rank - 1 : 0];
}

void append(void **items, size_t *count, size_t *cap, size_t size,
            const void *v) {
  if (*count == *cap) {
    *cap = *cap ? 2 * *cap : 4096;
    *items = realloc(*items, *cap * size);
    if (*items == NULL) die("out of memory");
  }
  memcpy((char *)*items + *count * size, v, size);
  (*count)++;
}

void barrier_wait(pthread_barrier_t *b) {
  int rc = pthread_barrier_wait(b);
  if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
    die("pthread_barrier_wait: %s", strerror(rc));
}

/* ---- The disk ---- */

void probe_fsync(const char *dir, int probes, double *p50, double *p99) {
  char path[4096];
  snprintf(path, sizeof path, "%s/fsync-probe", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) die("open %s: %s", path, strerror(errno));
  static double ms[FSYNC_PROBES];
  char block[4096];
  memset(block, 'x', sizeof block);
  for (int i = 0; i < probes; i++) {
    double t0 = now_s();
    if (pwrite(fd, block, sizeof block, (off_t)(i % 64) * 4096) < 0 ||
        fdatasync(fd) != 0)
      die("write %s: %s", path, strerror(errno));
    ms[i] = (now_s() - t0) * 1e3;
  }
  close(fd);
  unlink(path);
  qsort(ms, (size_t)probes, sizeof ms[0], compare_doubles);
  *p50 = percentile(ms, (size_t)probes, 50);
  *p99 = percentile(ms, (size_t)probes, 99);
}

void print_fsync_at_start(FILE *out, const char *dir) {
  double p50, p99;
  probe_fsync(dir, FSYNC_PROBES, &p50, &p99);
  fprintf(out, "# fdatasync of 4 kB in %s: p50 %.3f ms, p99 %.3f ms\n", dir,
          p50, p99);
}

void print_fsync_at_end(FILE *out, const char *dir) {
  double p50, p99;
  probe_fsync(dir, FSYNC_PROBES, &p50, &p99);
  fprintf(out, "# fdatasync of 4 kB at the end: p50 %.3f ms, p99 %.3f ms\n",
          p50, p99);
}

void print_load_at_end(FILE *out, double t0) {
  char load[64];
  load_average(load, sizeof load, NULL);
  fprintf(out, "# load average %s at the end; %.0f s in all\n", load,
          now_s() - t0);
}

/* ---- Generated pools of workers ---- */

void make_worker(const pool_spec *p, int i, worker_buf *b, atesql_worker *w) {
  snprintf(b->ns, sizeof b->ns, "%s", p->ns);
  snprintf(b->pool, sizeof b->pool, "%s", p->pool);
  snprintf(b->pod, sizeof b->pod, "%s-%04d", p->pod_prefix, i);
  snprintf(b->ip, sizeof b->ip, "10.%d.%d.%d", p->ip_block, i / 250, i % 250);
  snprintf(b->uid, sizeof b->uid, "uid-%s-%s-%04d", p->ns, p->pool, i);
  snprintf(b->node, sizeof b->node, "%s-%03d", p->node_prefix, i % p->nodes);
  bool free_worker = i % p->free_every == 0;
  snprintf(b->actor_id, sizeof b->actor_id, "bg-%s-%s-%04d", p->ns, p->pool, i);
  *w = (atesql_worker){
      .worker_namespace = b->ns,
      .worker_pool = b->pool,
      .worker_pod = b->pod,
      .actor_namespace = free_worker ? "" : b->ns,
      .actor_template = free_worker ? "" : ACTOR_TEMPLATE,
      .actor_id = free_worker ? "" : b->actor_id,
      .actor_atespace = free_worker ? "" : "background",
      .ip = b->ip,
      .worker_pod_uid = b->uid,
      .node_name = b->node,
  };
}

void load_pool(atesql_store *s, const pool_spec *p) {
  worker_buf b;
  atesql_worker w;
  for (int i = 0; i < p->workers; i++) {
    make_worker(p, i, &b, &w);
    check(s, atesql_worker_create(s, &w), "load a worker");
  }
}

/* ---- Databases ---- */

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

void make_temp_dir(char *path, size_t size, const char *dir, const char *name) {
  snprintf(path, size, "%s/%s-XXXXXX", dir, name);
  if (mkdtemp(path) == NULL) die("mkdtemp %s: %s", path, strerror(errno));
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

static const char *const sqlite_suffixes[] = {"", "-wal", "-shm"};

void sqlite_copy_database(const char *from, const char *to) {
  char path[4400];
  struct stat st;
  snprintf(path, sizeof path, "%s-wal", from);
  if (stat(path, &st) == 0 && st.st_size > 0)
    die("%s is not empty: the base is not in one file", path);
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s%s", to, sqlite_suffixes[i]);
    if (unlink(path) != 0 && errno != ENOENT)
      die("remove %s: %s", path, strerror(errno));
  }
  copy_file(from, to);
}

void sqlite_remove_database(const char *path) {
  for (int i = 0; i < 3; i++) {
    char file[4400];
    snprintf(file, sizeof file, "%s%s", path, sqlite_suffixes[i]);
    unlink(file);
  }
}

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

void pg_drop_database(PGconn *admin, const char *name) {
  char sql[128];
  snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
  pg_exec(admin, sql);
}

void pg_copy_database(PGconn *admin, const char *from, const char *name) {
  pg_drop_database(admin, name);
  char sql[192];
  snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", name, from);
  pg_exec(admin, sql);
}

/* ---- Options ---- */

void print_usage_and_exit(const char *const *lines, size_t n,
                          const char *pg_base, const char *pg_cell) {
  for (size_t i = 0; i < n; i++)
    fprintf(stderr, "%s\n", lines[i]);
  fprintf(stderr,
          "CONNINFO is a libpq key=value string (\"\" takes the server from\n"
          "the PG* environment); the benchmark makes and drops the databases\n"
          "%s and %s there. SQLite files go to a temporary\n"
          "directory under DIR (default: $TMPDIR or /tmp).\n",
          pg_base, pg_cell);
  exit(2);
}

const char *default_dir(void) {
  const char *tmp = getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

void parse_names(const char *list, const char *const *names, size_t n,
                 bool *flags) {
  memset(flags, 0, n * sizeof *flags);
  char *copy = strdup(list), *save = NULL;
  if (copy == NULL) die("out of memory");
  for (char *t = strtok_r(copy, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    size_t i = 0;
    while (i < n && strcmp(t, names[i]) != 0)
      i++;
    if (i == n) die("unknown name '%s' in '%s'", t, list);
    flags[i] = true;
  }
  free(copy);
}

void parse_counts(const char *what, const char *list, int max, counts *c) {
  c->count = 0;
  char *copy = strdup(list), *save = NULL;
  if (copy == NULL) die("out of memory");
  for (char *t = strtok_r(copy, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    char *end;
    long v = strtol(t, &end, 10);
    if (*end || v < 1 || v > max || c->count == COUNTS_MAX)
      die("%s: '%s' is not 1..%d (at most %d counts)", what, t, max,
          COUNTS_MAX);
    c->n[c->count++] = (int)v;
  }
  free(copy);
  if (c->count == 0) die("%s names no count", what);
}

void parse_backends(const char *list, const char *postgres, bool *backends) {
  if (list)
    parse_names(list, backend_names, B_COUNT, backends);
  else {
    backends[B_SQLITE] = true;
    backends[B_POSTGRES] = postgres != NULL;
  }
  if (backends[B_POSTGRES] && postgres == NULL)
    die("the postgres backend needs --postgres CONNINFO");
  if (postgres && (strncmp(postgres, "postgres://", 11) == 0 ||
                   strncmp(postgres, "postgresql://", 13) == 0))
    die("--postgres takes a key=value conninfo, not a URL");
}
