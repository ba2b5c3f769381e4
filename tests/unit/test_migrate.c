/*
** The migration runner and the schema check at open, on real SQLite files:
** up and status, a no-op second run, concurrent runners, an applied
** migration whose text changed, a schema newer than the library, and the
** SQLite adapter's URL options (read back from a handle's connection
** through the store's internals) and busy timeout.
*/
#include "suite.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atesql/atesql.h"
#include "migration_0002.h"
#include "migration_0008.h"
#include "store/store.h"

static char path[512];
static char url[600];

/* A fresh database file per test under ATESQL_TEST_DIR (or /tmp). */
static int fresh_db(void **state) {
  (void)state;
  static int n;
  const char *dir = getenv("ATESQL_TEST_DIR");
  snprintf(path, sizeof path, "%s/migrate-%d-%d.db", dir ? dir : "/tmp",
           (int)getpid(), n++);
  char side[600];
  remove(path);
  snprintf(side, sizeof side, "%s-wal", path);
  remove(side);
  snprintf(side, sizeof side, "%s-shm", path);
  remove(side);
  snprintf(url, sizeof url, "sqlite:%s", path);
  return 0;
}

static void sql_exec(const char *sql) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg("%s: %s", sql, msg);
  sqlite3_close(db);
}

static void migrate_ok(size_t want_applied) {
  atesql_migration_list *applied = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_migrate_up(url, &applied, &err);
  if (st != ATESQL_OK) fail_msg("migrate up: %s", err.message);
  assert_int_equal(applied->count, want_applied);
  atesql_migration_list_free(applied);
}

static void test_up_applies_every_migration_then_is_noop(void **state) {
  (void)state;
  migrate_ok((size_t)atesql_schema_version());
  migrate_ok(0);
  atesql_store *s = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_store_open(url, &s, &err), ATESQL_OK);
  atesql_store_close(s);
}

/* The rows of sqlite_stat1 for table, or -1 when it has none yet. */
static long stat_rows(const char *table) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  char sql[160];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM sqlite_stat1 WHERE tbl = '%s'", table);
  sqlite3_stmt *st = NULL;
  long n = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

/* A migration of a database that holds workers leaves the planner
** statistics of them; one that stops short of the latest schema does not
** analyze (its statement names tables a later migration makes). */
static void test_up_refreshes_statistics_of_a_fleet(void **state) {
  (void)state;
  int64_t last = atesql_schema_version();
  atesql_error err = {0};
  assert_int_equal(atesql_migrate_up_to(url, last - 1, NULL, &err), ATESQL_OK);
  atesql_store *s = NULL;
  assert_int_equal(atesql_store_open(url, &s, &err),
                   ATESQL_FAILED_PRECONDITION);
  sql_exec("INSERT INTO workers (worker_namespace, worker_pool, worker_pod, "
           "version) VALUES ('ns', 'cpu', 'p1', 1), ('ns', 'cpu', 'p2', 1)");
  assert_true(stat_rows("workers") <= 0);
  migrate_ok(1);
  assert_true(stat_rows("workers") > 0);
}

static void test_status_lists_pending_then_applied(void **state) {
  (void)state;
  atesql_migration_list *list = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_migrate_status(url, &list, &err), ATESQL_OK);
  assert_int_equal(list->count, atesql_schema_version());
  assert_int_equal(list->items[0].version, 1);
  assert_string_equal(list->items[0].name, "init");
  assert_false(list->items[0].applied);
  assert_string_equal(list->items[0].applied_at, "");
  assert_int_equal(strlen(list->items[0].checksum), 64);
  atesql_migration_list_free(list);

  migrate_ok((size_t)atesql_schema_version());
  assert_int_equal(atesql_migrate_status(url, &list, &err), ATESQL_OK);
  assert_true(list->items[0].applied);
  assert_true(strlen(list->items[0].applied_at) >= 20);
  atesql_migration_list_free(list);
}

static void test_open_unmigrated_names_migrate_up(void **state) {
  (void)state;
  atesql_store *s = (atesql_store *)1;
  atesql_error err = {0};
  assert_int_equal(atesql_store_open(url, &s, &err),
                   ATESQL_FAILED_PRECONDITION);
  assert_null(s);
  assert_non_null(strstr(err.message, "atesql migrate up"));
}

static void test_changed_migration_is_refused(void **state) {
  (void)state;
  migrate_ok((size_t)atesql_schema_version());
  sql_exec("UPDATE schema_migrations SET checksum = 'deadbeef' WHERE "
           "version = 1");
  atesql_error err = {0};
  assert_int_equal(atesql_migrate_up(url, NULL, &err),
                   ATESQL_FAILED_PRECONDITION);
  assert_non_null(strstr(err.message, "0001_init was changed"));
  atesql_migration_list *list = NULL;
  assert_int_equal(atesql_migrate_status(url, &list, &err),
                   ATESQL_FAILED_PRECONDITION);
  assert_null(list);
}

static void test_newer_schema_is_refused(void **state) {
  (void)state;
  migrate_ok((size_t)atesql_schema_version());
  sql_exec("INSERT INTO schema_migrations VALUES (9999, 'future', 'x', "
           "'2030-01-01T00:00:00Z')");
  atesql_store *s = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_store_open(url, &s, &err),
                   ATESQL_FAILED_PRECONDITION);
  assert_non_null(strstr(err.message, "newer than this library"));
  assert_int_equal(atesql_migrate_up(url, NULL, &err),
                   ATESQL_FAILED_PRECONDITION);
  assert_non_null(strstr(err.message, "9999"));
}

static void *run_migrate(void *arg) {
  size_t *applied = arg;
  atesql_migration_list *list = NULL;
  atesql_error err = {0};
  if (atesql_migrate_up(url, &list, &err) == ATESQL_OK) {
    *applied = list->count;
    atesql_migration_list_free(list);
  } else {
    *applied = (size_t)-1;
  }
  return NULL;
}

static void test_concurrent_runners_apply_each_migration_once(void **state) {
  (void)state;
  enum { RUNNERS = 6 };
  pthread_t threads[RUNNERS];
  size_t applied[RUNNERS];
  for (int i = 0; i < RUNNERS; i++)
    pthread_create(&threads[i], NULL, run_migrate, &applied[i]);
  size_t total = 0;
  for (int i = 0; i < RUNNERS; i++) {
    pthread_join(threads[i], NULL);
    assert_int_not_equal(applied[i], (size_t)-1);
    total += applied[i];
  }
  assert_int_equal(total, atesql_schema_version());
}

static void test_url_options_are_checked(void **state) {
  (void)state;
  const char *bad[] = {"sqlite:",
                       "sqlite:x.db?busy_timeout_ms=abc",
                       "sqlite:x.db?cache=shared",
                       "sqlite:x.db?synchronous=off",
                       "sqlite:x.db?busy_timeout_ms=000000000000001junk",
                       "sqlite:x.db?busy_timeout_ms=1junk",
                       "sqlite:x.db?busy_timeout_ms=3600001",
                       "sqlite:x.db?mode=rw",
                       "sqlite:x.db?immutable=0",
                       "mysql://localhost/db",
                       ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    atesql_store *s = (atesql_store *)1;
    atesql_error err = {0};
    assert_int_equal(atesql_store_open(bad[i], &s, &err),
                     ATESQL_INVALID_ARGUMENT);
    assert_null(s);
    assert_true(strlen(err.message) > 0);
  }
}

/* A bad value of a sizing option is INVALID_ARGUMENT, and the message
** names the option and its range. */
static void test_cache_and_mmap_options_are_checked(void **state) {
  (void)state;
  static const struct {
    const char *option, *range;
  } bad[] = {
      {"cache_size_mb=0", "cache_size_mb=1..65536"},
      {"cache_size_mb=65537", "cache_size_mb=1..65536"},
      {"cache_size_mb=", "cache_size_mb=1..65536"},
      {"cache_size_mb=-1", "cache_size_mb=1..65536"},
      {"cache_size_mb=8MB", "cache_size_mb=1..65536"},
      {"cache_size_mb=99999999999999999999", "cache_size_mb=1..65536"},
      {"mmap_size_mb=1048577", "mmap_size_mb=0..1048576"},
      {"mmap_size_mb=1.5", "mmap_size_mb=0..1048576"},
      {"mmap_size_mb=off", "mmap_size_mb=0..1048576"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char bad_url[200];
    snprintf(bad_url, sizeof bad_url, "sqlite:x.db?synchronous=full&%s",
             bad[i].option);
    atesql_store *s = (atesql_store *)1;
    atesql_error err = {0};
    assert_int_equal(atesql_store_open(bad_url, &s, &err),
                     ATESQL_INVALID_ARGUMENT);
    assert_null(s);
    if (strstr(err.message, bad[i].option) == NULL ||
        strstr(err.message, bad[i].range) == NULL)
      fail_msg("%s: '%s' names neither the option nor %s", bad_url, err.message,
               bad[i].range);
  }
  /* An unknown option's message lists the sizing options too. */
  atesql_store *s = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_store_open("sqlite:x.db?cache_mb=8", &s, &err),
                   ATESQL_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "cache_size_mb=N"));
  assert_non_null(strstr(err.message, "mmap_size_mb=N"));
}

static void test_url_options_are_accepted(void **state) {
  (void)state;
  migrate_ok((size_t)atesql_schema_version());
  const char *options[] = {"?synchronous=normal", "?synchronous=full",
                           "?busy_timeout_ms=10&synchronous=normal",
                           "?cache_size_mb=1&mmap_size_mb=0",
                           "?cache_size_mb=65536&mmap_size_mb=1048576"};
  for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
    char with[700];
    snprintf(with, sizeof with, "%s%s", url, options[i]);
    atesql_store *s = NULL;
    atesql_error err = {0};
    if (atesql_store_open(with, &s, &err) != ATESQL_OK)
      fail_msg("%s: %s", with, err.message);
    atesql_store_close(s);
  }
}

/* A write that waits for another connection's lock tries again after each
** wait, and the handle's statistics count the tries. */
static void test_busy_waits_are_counted_as_retries(void **state) {
  (void)state;
  migrate_ok((size_t)atesql_schema_version());
  char short_url[700];
  snprintf(short_url, sizeof short_url, "%s?busy_timeout_ms=50", url);
  atesql_store *s = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_store_open(short_url, &s, &err), ATESQL_OK);
  sqlite3 *other;
  assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
  assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL),
                   SQLITE_OK);
  atesql_atespace blocked = {"blocked"};
  assert_int_equal(atesql_atespace_create(s, &blocked), ATESQL_UNAVAILABLE);
  atesql_stats stats;
  assert_int_equal(atesql_store_stats(s, &stats), ATESQL_OK);
  assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(other);
  assert_true(stats.retries > 0);
  assert_int_equal(
      stats.calls[ATESQL_CALL_ATESPACE_CREATE].by_status[ATESQL_UNAVAILABLE],
      1);
  atesql_store_close(s);
}

/* The value of a PRAGMA as the handle's own connection reads it. */
static int64_t pragma_value(atesql_store *s, const char *pragma) {
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA %s", pragma);
  driver_stmt *stmt = NULL;
  bool has_row = false;
  assert_int_equal(s->drv->prepare(s->conn, sql, &stmt), ATESQL_OK);
  assert_int_equal(s->drv->query(s->conn, stmt, NULL, 0, &has_row), ATESQL_OK);
  assert_true(has_row);
  int64_t v = s->drv->column_int64(stmt, 0);
  s->drv->reset(s->conn, stmt);
  s->drv->finalize(s->conn, stmt);
  return v;
}

/* Open url+options and check the handle's page cache (in KiB, as
** SQLite's negative cache_size counts it) and mapping (in bytes). */
static void expect_sizes(const char *base, const char *options,
                         int64_t cache_kib, int64_t mmap_bytes) {
  char with[700];
  snprintf(with, sizeof with, "%s%s", base, options);
  atesql_store *s = NULL;
  atesql_error err = {0};
  if (atesql_store_open(with, &s, &err) != ATESQL_OK)
    fail_msg("%s: %s", with, err.message);
  assert_int_equal(pragma_value(s, "cache_size"), -cache_kib);
  assert_int_equal(pragma_value(s, "mmap_size"), mmap_bytes);
  atesql_store_close(s);
}

static void test_handles_get_the_default_cache_and_mapping(void **state) {
  (void)state;
  migrate_ok((size_t)atesql_schema_version());
  const int64_t mb = 1024 * 1024;
  expect_sizes(url, "", 8 * 1024, 1024 * mb);
  expect_sizes(url, "?mode=ro", 8 * 1024, 1024 * mb);
  expect_sizes(url, "?immutable=1", 8 * 1024, 1024 * mb);
}

static void test_handles_get_the_cache_and_mapping_asked_for(void **state) {
  (void)state;
  migrate_ok((size_t)atesql_schema_version());
  const int64_t mb = 1024 * 1024;
  expect_sizes(url, "?cache_size_mb=2&mmap_size_mb=0", 2 * 1024, 0);
  expect_sizes(url, "?mmap_size_mb=64&cache_size_mb=32", 32 * 1024, 64 * mb);
  expect_sizes(url, "?mode=ro&cache_size_mb=1&mmap_size_mb=16", 1024, 16 * mb);
  expect_sizes(url, "?immutable=1&cache_size_mb=4&mmap_size_mb=0", 4 * 1024, 0);
}

static void test_write_blocked_past_busy_timeout_is_unavailable(void **state) {
  (void)state;
  migrate_ok((size_t)atesql_schema_version());
  atesql_store *a = NULL, *b = NULL;
  atesql_error err = {0};
  char short_url[700];
  snprintf(short_url, sizeof short_url, "%s?busy_timeout_ms=50", url);
  assert_int_equal(atesql_store_open(url, &a, &err), ATESQL_OK);
  assert_int_equal(atesql_store_open(short_url, &b, &err), ATESQL_OK);
  assert_int_equal(atesql_tx_begin(a), ATESQL_OK);
  atesql_atespace held = {"held"};
  assert_int_equal(atesql_atespace_create(a, &held), ATESQL_OK);

  atesql_atespace blocked = {"blocked"};
  assert_int_equal(atesql_atespace_create(b, &blocked), ATESQL_UNAVAILABLE);
  assert_non_null(strstr(atesql_errmsg(b), "busy for more than 50 ms"));

  /* Once the lock is gone the same call succeeds. */
  assert_int_equal(atesql_tx_commit(a), ATESQL_OK);
  assert_int_equal(atesql_atespace_create(b, &blocked), ATESQL_OK);
  atesql_store_close(a);
  atesql_store_close(b);
}

/*
** Reading a WAL database this process may not write (a backup, an
** inspection), in a directory it may not write either. Returns 0, or the
** number of the check that failed. Runs as a user who cannot write dir.
*/
static int read_only_checks(const char *dir) {
  char ro_url[600];
  atesql_store *s = NULL;
  atesql_error err = {0};
  snprintf(ro_url, sizeof ro_url, "sqlite:%s/ro.db", dir);
  if (atesql_store_open(ro_url, &s, &err) != ATESQL_FAILED_PRECONDITION)
    return 1;
  if (strstr(err.message, "mode=ro") == NULL) return 2;
  snprintf(ro_url, sizeof ro_url, "sqlite:%s/ro.db?mode=ro", dir);
  atesql_status st = atesql_store_open(ro_url, &s, &err);
  if (st == ATESQL_OK) {
    atesql_store_close(s);
  } else if (strstr(err.message, "immutable=1") == NULL) {
    return 3;
  }
  snprintf(ro_url, sizeof ro_url, "sqlite:%s/ro.db?immutable=1", dir);
  if (atesql_store_open(ro_url, &s, &err) != ATESQL_OK) return 4;
  atesql_atespace *a = NULL;
  if (atesql_atespace_get(s, "kept", &a) != ATESQL_OK) return 5;
  atesql_atespace_free(a);
  atesql_atespace b = {"new"};
  if (atesql_atespace_create(s, &b) != ATESQL_FAILED_PRECONDITION) return 6;
  atesql_store_close(s);
  return 0;
}

static void test_wal_database_in_read_only_directory_is_readable(void **state) {
  (void)state;
  char dir[] = "/tmp/atesql-ro-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char ro_url[600];
  snprintf(ro_url, sizeof ro_url, "sqlite:%s/ro.db", dir);
  atesql_error err = {0};
  assert_int_equal(atesql_migrate_up(ro_url, NULL, &err), ATESQL_OK);
  atesql_store *s = NULL;
  assert_int_equal(atesql_store_open(ro_url, &s, &err), ATESQL_OK);
  atesql_atespace kept = {"kept"};
  assert_int_equal(atesql_atespace_create(s, &kept), ATESQL_OK);
  atesql_store_close(s);
  /* The directory and the file: readable by all, writable by none but
  ** their owner. Root writes anywhere, so as root the checks run in a
  ** child that became nobody. */
  char db[600];
  snprintf(db, sizeof db, "%s/ro.db", dir);
  assert_int_equal(chmod(db, 0644), 0);
  int failed;
  if (geteuid() == 0) {
    assert_int_equal(chmod(dir, 0755), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      if (setgid(65534) != 0 || setuid(65534) != 0) _exit(100);
      _exit(read_only_checks(dir));
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    failed = WEXITSTATUS(status);
  } else {
    assert_int_equal(chmod(dir, 0555), 0);
    failed = read_only_checks(dir);
    chmod(dir, 0755);
  }
  if (failed) fail_msg("read-only check %d failed", failed);
  unlink(db);
  rmdir(dir);
}

/* A handle's timeout bounds its wait for a lock below the URL's busy
** timeout. */
static void test_store_timeout_bounds_the_lock_wait(void **state) {
  (void)state;
  migrate_ok((size_t)atesql_schema_version());
  atesql_store *a = NULL, *b = NULL;
  atesql_error err = {0};
  assert_int_equal(atesql_store_open(url, &a, &err), ATESQL_OK);
  assert_int_equal(atesql_store_open(url, &b, &err), ATESQL_OK);
  assert_int_equal(atesql_tx_begin(a), ATESQL_OK);
  atesql_atespace held = {"held"};
  assert_int_equal(atesql_atespace_create(a, &held), ATESQL_OK);
  assert_int_equal(atesql_store_set_timeout(b, 100), ATESQL_OK);
  atesql_atespace blocked = {"blocked"};
  assert_int_equal(atesql_atespace_create(b, &blocked),
                   ATESQL_DEADLINE_EXCEEDED);
  assert_non_null(strstr(atesql_errmsg(b), "timeout of 100 ms"));
  assert_int_equal(atesql_store_set_timeout(b, -1), ATESQL_INVALID_ARGUMENT);
  assert_int_equal(atesql_tx_commit(a), ATESQL_OK);
  assert_int_equal(atesql_atespace_create(b, &blocked), ATESQL_OK);
  atesql_store_close(a);
  atesql_store_close(b);
}

static void test_0002_maps_old_nested_fields_to_presence(void **state) {
  (void)state;
  migrate_ok((size_t)atesql_schema_version());
  sql_exec(UNDO_0004_SQLITE_SQL);
  sql_exec(OLD_ROWS_SQL);
  migrate_ok((size_t)atesql_schema_version() - 1);
  check_migrated_rows(url);
}

static void test_0008_keeps_held_locks_at_token_1(void **state) {
  (void)state;
  atesql_error err = {0};
  if (atesql_migrate_up_to(url, 7, NULL, &err) != ATESQL_OK)
    fail_msg("migrate up to 7: %s", err.message);
  sql_exec(LOCKS_0007_SQL);
  migrate_ok((size_t)atesql_schema_version() - 7);
  check_locks_kept_by_0008(url);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_up_applies_every_migration_then_is_noop,
                             fresh_db),
      cmocka_unit_test_setup(test_status_lists_pending_then_applied, fresh_db),
      cmocka_unit_test_setup(test_open_unmigrated_names_migrate_up, fresh_db),
      cmocka_unit_test_setup(test_changed_migration_is_refused, fresh_db),
      cmocka_unit_test_setup(test_newer_schema_is_refused, fresh_db),
      cmocka_unit_test_setup(test_concurrent_runners_apply_each_migration_once,
                             fresh_db),
      cmocka_unit_test_setup(test_url_options_are_checked, fresh_db),
      cmocka_unit_test_setup(test_url_options_are_accepted, fresh_db),
      cmocka_unit_test(test_cache_and_mmap_options_are_checked),
      cmocka_unit_test_setup(test_handles_get_the_default_cache_and_mapping,
                             fresh_db),
      cmocka_unit_test_setup(test_handles_get_the_cache_and_mapping_asked_for,
                             fresh_db),
      cmocka_unit_test_setup(
          test_write_blocked_past_busy_timeout_is_unavailable, fresh_db),
      cmocka_unit_test_setup(test_0002_maps_old_nested_fields_to_presence,
                             fresh_db),
      cmocka_unit_test_setup(test_0008_keeps_held_locks_at_token_1, fresh_db),
      cmocka_unit_test(test_wal_database_in_read_only_directory_is_readable),
      cmocka_unit_test_setup(test_store_timeout_bounds_the_lock_wait, fresh_db),
      cmocka_unit_test_setup(test_up_refreshes_statistics_of_a_fleet, fresh_db),
      cmocka_unit_test_setup(test_busy_waits_are_counted_as_retries, fresh_db),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
