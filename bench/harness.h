/*
** What the concurrency benchmarks atesql_claims (claims.c) and atesql_watch
** (watch.c) share: failing with a message, the clock, percentiles, the
** disk's flush time, generated pools of workers, the SQLite files and
** PostgreSQL databases every cell copies, and the options and report
** lines both programs have. Everything here dies on failure (see die()).
*/
#ifndef ATESQL_BENCH_HARNESS_H
#define ATESQL_BENCH_HARNESS_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <atesql/atesql.h>

enum {
  COUNTS_MAX = 16,   /* thread counts one option may list */
  FSYNC_PROBES = 200 /* fdatasync calls of the disk probe, at most */
};

/* The template of every actor the benchmarks make, background or not. */
#define ACTOR_TEMPLATE "tmpl"

typedef enum backend_id { B_SQLITE, B_POSTGRES, B_COUNT } backend_id;
extern const char *const backend_names[B_COUNT];

/* A list of thread counts, as an option gives it ("1,4,8"). */
typedef struct counts {
  int n[COUNTS_MAX];
  size_t count;
} counts;

/* ---- Failing ---- */

/* The program's name, which starts die()'s messages. Each program
** defines it. */
extern const char program_name[];

/* Print "<program_name>: <message>" to stderr and exit with status 1. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Die unless st is ATESQL_OK, naming what failed and s's message. */
void check(atesql_store *s, atesql_status st, const char *what);

/* ---- Time, load and statistics ---- */

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);

/* The 1-, 5- and 15-minute load averages into buf, as /proc/loadavg
** spells them ("?" when unknown); *one, unless one is NULL, receives the
** first (-1 when unknown). */
void load_average(char *buf, size_t bufsz, double *one);

/* A qsort comparison of doubles, ascending. */
int compare_doubles(const void *a, const void *b);

/* The nearest-rank percentile p of sorted[0..n); 0 when n is 0. */
double percentile(const double *sorted, size_t n, double p);

/*
** Append v to the growable array *items of *count elements of size `size`
** (capacity *cap), growing it by doubling. The caller frees *items.
*/
void append(void **items, size_t *count, size_t *cap, size_t size,
            const void *v);

/* Wait at the barrier b. */
void barrier_wait(pthread_barrier_t *b);

/* ---- The disk ---- */

/*
** The flush time of the disk the databases write to: `probes` times (at
** most FSYNC_PROBES), write 4 kB into a file in dir and fdatasync it, as a
** WAL commit does. p50 and p99 in ms.
*/
void probe_fsync(const char *dir, int probes, double *p50, double *p99);

/* Probe the disk under dir (FSYNC_PROBES flushes) and print the report's
** line on it to out, at the start ("in DIR") or at the end of a run. */
void print_fsync_at_start(FILE *out, const char *dir);
void print_fsync_at_end(FILE *out, const char *dir);

/* The report's line at the end of a run: the load average, and the
** seconds since t0 (now_s()). */
void print_load_at_end(FILE *out, double t0);

/* ---- Generated pools of workers ---- */

/* A generated pool: its name, its workers' pods, nodes and addresses,
** and which of its workers are free. */
typedef struct pool_spec {
  const char *ns, *pool;
  int workers;
  int free_every;          /* worker i is free when i % free_every is 0,
                              else held by a background actor */
  const char *pod_prefix;  /* worker i's pod: <pod_prefix>-<i, 4 digits> */
  const char *node_prefix; /* its node: <node_prefix>-<i % nodes, 3 digits> */
  int nodes;
  int ip_block; /* its address: 10.<ip_block>.<i / 250>.<i % 250> */
} pool_spec;

/* The strings of one generated worker. */
typedef struct worker_buf {
  char ns[32], pool[32], pod[32], actor_id[64], ip[32], uid[64], node[64];
} worker_buf;

/* Worker i of pool p into *w, its strings in *b (which must outlive w). */
void make_worker(const pool_spec *p, int i, worker_buf *b, atesql_worker *w);

/* Create the workers of p, in order, through s. */
void load_pool(atesql_store *s, const pool_spec *p);

/* ---- Databases ---- */

/* A handle on the database at url, to close with atesql_store_close. */
atesql_store *open_store(const char *url);

/* Migrate the empty database at url up and return a handle on it, to
** close with atesql_store_close. */
atesql_store *migrate_and_open(const char *url);

/* Make a new directory <dir>/<name>-XXXXXX; its path goes to path. */
void make_temp_dir(char *path, size_t size, const char *dir, const char *name);

/*
** Replace the SQLite database at `to` (with its -wal and -shm files) by a
** copy of the one at `from`, which must be all in its file: no handle
** open, its WAL checkpointed and removed, as the last handle's close
** leaves it. No handle may be open on `to` either.
*/
void sqlite_copy_database(const char *from, const char *to);

/* Remove the SQLite database at path with its -wal and -shm files, as
** far as they exist. */
void sqlite_remove_database(const char *path);

/* A connection to the server of the key=value conninfo, which ignores
** the server's notices. Close it with PQfinish. */
PGconn *pg_connect(const char *conninfo);

/* Run sql, which returns no rows, on c. */
void pg_exec(PGconn *c, const char *sql);

/* Drop the database `name` if it exists, its connections too. */
void pg_drop_database(PGconn *admin, const char *name);

/* Replace the database `name` by a copy of the database `from`, on which
** no connection may be open. */
void pg_copy_database(PGconn *admin, const char *from, const char *name);

/* ---- Options ---- */

/*
** Print the program's usage, lines[0..n), to stderr, then what CONNINFO
** (--postgres) and DIR (--dir) are: the benchmark makes and drops the
** PostgreSQL databases pg_base and pg_cell. Exits with status 2.
*/
void print_usage_and_exit(const char *const *lines, size_t n,
                          const char *pg_base, const char *pg_cell)
    __attribute__((noreturn));

/* Where the temporary SQLite directory goes by default: $TMPDIR, or /tmp
** when that is unset or empty. */
const char *default_dir(void);

/* Set flags[i] for each comma-separated name of names[0..n) in list;
** clear the others. */
void parse_names(const char *list, const char *const *names, size_t n,
                 bool *flags);

/* The comma-separated thread counts of option `what` in list, each
** 1..max, into *c. */
void parse_counts(const char *what, const char *list, int max, counts *c);

/*
** The backends to run into backends[0..B_COUNT): those named in list or,
** when list is NULL, SQLite and, given a conninfo, PostgreSQL. Dies when
** PostgreSQL is to run without a conninfo, or when postgres is a URL and
** not a key=value conninfo.
*/
void parse_backends(const char *list, const char *postgres, bool *backends);

#endif
