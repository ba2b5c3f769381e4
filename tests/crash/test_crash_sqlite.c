/*
** crash_sqlite: a writer process killed with SIGKILL at random points,
** again and again, on one real SQLite file (WAL, synchronous=full, the
** defaults), loses no acknowledged write and leaves nothing half written.
**
** Each round forks a writer that opens the file through the public API and
** runs the workload of workload.h (slot worker creates, updates with their
** version and deletes; lock acquire, steal and release cycles; imports and
** drops of 1000 workers or actors in one transaction), logging every
** operation before it starts and again once the API returned OK. The
** parent sleeps a random time, kills the writer with SIGKILL, then:
**   - opens the file with raw sqlite3 (which recovers the WAL) and runs
**     PRAGMA integrity_check (must be "ok"), foreign_key_check (no rows)
**     and journal_mode (still "wal");
**   - opens it through the API and compares everything with the model of
**     the acknowledged operations: every acknowledged write present at
**     exactly its version, the one operation in flight at the kill either
**     fully applied or not at all (an import all 1000 records or none),
**     each lock held by its acknowledged holder;
**   - continues from the recovered state in the next round, so the file
**     accumulates the history of every crash.
**
** The log: a writer appends one line per event with a single write() on an
** O_APPEND descriptor, after the API call returned. SIGKILL ends the
** process but not the kernel: a write() that returned is in the page cache
** and every later read() of the file sees it, so the parent, which reads
** only after waitpid() saw the writer die, sees every acknowledgement.
** fsync() would matter only for power loss, which this test does not
** simulate (no machine crash: the page cache survives; SQLite's
** synchronous=full, which makes commits survive power loss, is not what
** SIGKILL exercises). A line cut short by the kill is ignored: an
** acknowledgement lost that way only makes its operation "in flight",
** which is judged more loosely, never more strictly.
**
** Figures: kills, where they landed, acknowledged writes, records
** compared, in-flight operations found applied or not, integrity checks,
** the worst recovery time, the file's size, wall time.
**
** Bounded (ctest): 30 kills, about 20 s (35 s under ASan). Long run, 1000
** kills, one command from build/dev:
**   ATESQL_CRASH_KILLS=1000 ctest -R '^crash_sqlite$' -V --timeout 7200
** (or tests/crash/long-run crash_sqlite; ATESQL_CRASH_LONG=1 means 1000
** kills; ATESQL_CRASH_SEED=N replays the choices of operations and
** delays, not the kernel's timing).
*/
#include "suite.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atesql/atesql.h"
#include "crash.h"
#include "workload.h"

enum {
  KILLS_BOUNDED = 30,
  KILLS_LONG = 1000,
  /* One operation in 16 is a batch (a batch costs about 12 plain writes,
  ** each of which waits for its fsync): batches then take about half the
  ** writer's time, so kills land in imports, drops and plain writes. */
  BATCH_PERMILLE = 60,
  /* Kill delays: 4 ms to 4 s, log-uniform (see kill_delay_us). */
  DELAY_FIRST_BUCKET = 2,
  DELAY_BUCKETS = 10,
  LOG_LINE_MAX = 1200
};

static char db_path[1024], db_url[1100], log_path[1024];

/* Append one line with a single write(), as described above. */
static void log_line(int fd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void log_line(int fd, const char *fmt, ...) {
  char line[LOG_LINE_MAX];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  for (int i = 0; i < n; i++)
    if (line[i] == '\n') line[i] = ' ';
  line[n++] = '\n';
  if (write(fd, line, (size_t)n) != n) _exit(4);
}

/*
** The writer: runs the workload from model m until killed. Never returns;
** exits 3 (after logging "E seq message") when a call fails or answers
** what the contract forbids.
*/
static void writer_main(wl_model m, uint64_t seed) {
  int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) _exit(4);
  atesql_store *s = NULL;
  atesql_error err = {0};
  if (atesql_store_open(db_url, &s, &err) != ATESQL_OK) {
    log_line(fd, "E 0 open: %s", err.message);
    _exit(3);
  }
  crash_rng rng = {seed};
  for (int64_t seq = 1;; seq++) {
    wl_op op = wl_choose(&m, &rng, BATCH_PERMILLE);
    log_line(fd, "I %" PRId64 " %d %d %" PRId64, seq, (int)op.kind, op.target,
             op.arg);
    wl_exec ex;
    wl_exec_op(s, &op, false, &ex);
    if (ex.status != ATESQL_OK) {
      log_line(fd, "E %" PRId64 " %s", seq, ex.message);
      _exit(3);
    }
    log_line(fd, "A %" PRId64, seq);
    wl_apply(&m, &op);
  }
}

/* What one writer's log says. */
typedef struct replay {
  wl_op in_flight; /* kind WL_NONE when no operation was in flight */
  int64_t acked;
  char error[LOG_LINE_MAX + 2]; /* the writer's "E" line, "" when none */
} replay;

/*
** Apply the acknowledged operations of the log to m and find the one in
** flight. Only lines ending in a newline count (see the file comment).
*/
static void replay_log(wl_model *m, wl_stats *stats, replay *r) {
  memset(r, 0, sizeof *r);
  FILE *f = fopen(log_path, "r");
  assert_non_null(f);
  char line[LOG_LINE_MAX + 2];
  int64_t pending_seq = -1;
  while (fgets(line, sizeof line, f)) {
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\n') break; /* cut short by the kill */
    line[len - 1] = '\0';
    int64_t seq, arg;
    int kind, target;
    if (sscanf(line, "I %" SCNd64 " %d %d %" SCNd64, &seq, &kind, &target,
               &arg) == 4) {
      r->in_flight = (wl_op){(wl_kind)kind, target, arg};
      wl_note(m, &r->in_flight);
      pending_seq = seq;
    } else if (sscanf(line, "A %" SCNd64, &seq) == 1) {
      if (seq != pending_seq) fail_msg("log: ack %" PRId64 " of nothing", seq);
      wl_apply(m, &r->in_flight);
      wl_count_acked(stats, &r->in_flight);
      r->acked++;
      r->in_flight.kind = WL_NONE;
      pending_seq = -1;
    } else if (line[0] == 'E') {
      snprintf(r->error, sizeof r->error, "%s", line);
    } else {
      fail_msg("log: unreadable line '%s'", line);
    }
  }
  fclose(f);
}

/* Rows of a pragma, joined with "; ". */
static void pragma_rows(sqlite3 *db, const char *sql, char *out, size_t outsz,
                        int *rows) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
  size_t n = 0;
  *rows = 0;
  out[0] = '\0';
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *text = (const char *)sqlite3_column_text(st, 0);
    if (n < outsz)
      n += (size_t)snprintf(out + n, outsz - n, "%s%s", *rows ? "; " : "",
                            text ? text : "NULL");
    (*rows)++;
  }
  if (rc != SQLITE_DONE) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
  sqlite3_finalize(st);
}

/* The file as SQLite sees it after the crash: intact, keys consistent,
** still in WAL mode. */
static void check_file(sqlite3 *db) {
  char out[2048];
  int rows;
  pragma_rows(db, "PRAGMA integrity_check", out, sizeof out, &rows);
  if (rows != 1 || strcmp(out, "ok") != 0)
    fail_msg("PRAGMA integrity_check after a kill: %s", out);
  pragma_rows(db, "PRAGMA foreign_key_check", out, sizeof out, &rows);
  if (rows != 0) fail_msg("PRAGMA foreign_key_check after a kill: %s", out);
  pragma_rows(db, "PRAGMA journal_mode", out, sizeof out, &rows);
  if (strcmp(out, "wal") != 0) fail_msg("journal_mode is '%s', not wal", out);
}

/* wl_reader on a raw sqlite3 handle: the lock's value column. */
static atesql_status sqlite_lock_holder(void *ctx, const char *key, char *buf,
                                        size_t bufsz) {
  sqlite3 *db = ctx;
  sqlite3_stmt *st = NULL;
  buf[0] = '\0';
  if (sqlite3_prepare_v2(db, "SELECT value FROM locks WHERE key = ?1", -1, &st,
                         NULL) != SQLITE_OK) {
    snprintf(buf, bufsz, "%s", sqlite3_errmsg(db));
    return ATESQL_INTERNAL;
  }
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    snprintf(buf, bufsz, "%s", (const char *)sqlite3_column_text(st, 0));
  else if (rc != SQLITE_DONE)
    snprintf(buf, bufsz, "%s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? ATESQL_OK : ATESQL_INTERNAL;
}

/*
** How long a writer lives: 4 ms .. 4 s, about uniform in log scale (a
** power-of-two bucket, then uniform within it; 610 ms on average). Many
** kills land early in a writer's life (some while it opens the file),
** some after it acknowledged imports that take over a second under
** AddressSanitizer.
*/
static int64_t kill_delay_us(crash_rng *rng) {
  int64_t lo = (int64_t)1000
               << crash_rng_range(rng, DELAY_FIRST_BUCKET,
                                  DELAY_FIRST_BUCKET + DELAY_BUCKETS - 1);
  return crash_rng_range(rng, lo, 2 * lo - 1);
}

static int64_t file_size(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

static void remove_db_files(void) {
  const char *suffixes[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {
    char f[1100];
    snprintf(f, sizeof f, "%s%s", db_path, suffixes[i]);
    unlink(f);
  }
}

static void test_sigkilled_writer_loses_no_acknowledged_write(void **state) {
  (void)state;
  long kills = crash_count("ATESQL_CRASH_KILLS", KILLS_BOUNDED, KILLS_LONG);
  uint64_t seed = crash_seed();
  snprintf(db_path, sizeof db_path, "%s/crash_sqlite.db", crash_dir());
  snprintf(db_url, sizeof db_url, "sqlite:%s", db_path);
  snprintf(log_path, sizeof log_path, "%s/crash_sqlite.log", crash_dir());
  remove_db_files();
  printf("crash_sqlite: %ld kills of a writer on %s, seed %" PRIu64 "\n", kills,
         db_path, seed);
  atesql_error err = {0};
  if (atesql_migrate_up(db_url, NULL, &err) != ATESQL_OK)
    fail_msg("migrate: %s", err.message);

  crash_rng rng = {seed};
  wl_model m;
  wl_model_init(&m);
  wl_stats stats = {0};
  int64_t started = crash_now_us(), worst_recovery_us = 0;
  int64_t idle_kills = 0, flight_kills[WL_KIND_COUNT] = {0};
  for (long round = 0; round < kills; round++) {
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    close(fd);
    uint64_t writer_seed = crash_rng_next(&rng);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) writer_main(m, writer_seed);
    crash_sleep_us(kill_delay_us(&rng));
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
    replay r;
    replay_log(&m, &stats, &r);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
      fail_msg("round %ld: the writer ended by itself (status %d) before the "
               "kill: %s",
               round, status, r.error[0] ? r.error : "no error logged");

    int64_t t0 = crash_now_us();
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
      fail_msg("round %ld: sqlite3_open after the kill: %s", round,
               sqlite3_errmsg(db));
    check_file(db);
    atesql_store *s = NULL;
    if (atesql_store_open(db_url, &s, &err) != ATESQL_OK)
      fail_msg("round %ld: atesql_store_open after the kill: %s", round,
               err.message);
    int64_t recovery = crash_now_us() - t0;
    if (recovery > worst_recovery_us) worst_recovery_us = recovery;

    wl_reader rd = {sqlite_lock_holder, db};
    wl_check chk;
    wl_op flight = r.in_flight;
    atesql_status st = wl_verify(s, &rd, &m, &flight, &chk);
    if (st != ATESQL_OK)
      fail_msg("round %ld: reading back: %s: %s", round, atesql_status_str(st),
               atesql_errmsg(s));
    if (chk.failed) {
      char what[128];
      wl_describe(&flight, what, sizeof what);
      fail_msg("round %ld (seed %" PRIu64 "): after the kill (in flight: %s): "
               "%s",
               round, seed, what, chk.message);
    }
    stats.checks++;
    stats.records_checked += chk.records;
    if (flight.kind == WL_NONE) {
      idle_kills++;
    } else {
      flight_kills[flight.kind]++;
      wl_count_flight(&stats, &flight, chk.applied);
    }
    atesql_store_close(s);
    sqlite3_close(db);
    if (kills >= 100 && (round + 1) % (kills / 10) == 0)
      printf("crash_sqlite: %ld/%ld kills, %.0f s\n", round + 1, kills,
             (double)(crash_now_us() - started) / 1e6);
  }
  double wall = (double)(crash_now_us() - started) / 1e6;

  printf("crash_sqlite: kills: %ld (SIGKILL after %d..%d ms, log-uniform); "
         "integrity_check ok after every one\n",
         kills, 1 << DELAY_FIRST_BUCKET,
         1 << (DELAY_FIRST_BUCKET + DELAY_BUCKETS));
  printf("crash_sqlite: kills between operations: %" PRId64
         "; during an operation:",
         idle_kills);
  for (int k = 1; k < WL_KIND_COUNT; k++)
    if (flight_kills[k])
      printf(" %s %" PRId64, wl_kind_name((wl_kind)k), flight_kills[k]);
  printf("\n");
  wl_print_stats("crash_sqlite", &stats);
  printf("crash_sqlite: worst reopen (WAL recovery + integrity_check + "
         "store open): %.1f ms\n",
         (double)worst_recovery_us / 1000.0);
  char wal[1100];
  snprintf(wal, sizeof wal, "%s-wal", db_path);
  printf("crash_sqlite: file %" PRId64 " KiB, WAL %" PRId64 " KiB; wall time "
         "%.1f s\n",
         file_size(db_path) / 1024, file_size(wal) / 1024, wall);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sigkilled_writer_loses_no_acknowledged_write),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
