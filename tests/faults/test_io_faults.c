/*
** SQLite I/O fault injection: atesql never acknowledges a write that did
** not happen, and never leaves one behind that it reported as failed.
**
** A VFS shim registered as the process's default VFS (so atesql's
** sqlite:PATH URLs use it without library changes) forwards every method
** to the real default VFS and wraps xOpen so that each file gets an
** io_methods shim; the shim fails the Nth xWrite, xSync or xTruncate
** (counted together, across every file: database, WAL, journal) with
** SQLITE_IOERR_WRITE/FSYNC/TRUNCATE or, for writes, SQLITE_FULL; once
** (one-shot) or from N on (persistent). Flavors:
**   - ioerr/full, once/persistent;
**   - "spill": an auto-extension shrinks every connection's page cache
**     (and the shim keeps atesql's cache_size PRAGMA from undoing it) so
**     that a transaction spills pages to the WAL before its commit, and
**     faults hit statements inside it, not only its commit (walked over
**     the operations that run several statements in one transaction);
**   - "closed" (long mode): the handle is closed while the fault
**     persists, as by a process whose disk stays broken until it exits,
**     so its close can neither checkpoint nor reset the WAL.
**
** For every operation of faultops.c (creates, updates with version,
** deletes, locks, an explicit transaction, an import as `atesql actors
** import` does it, migrate up on a fresh file) and every N from 1 until
** the operation makes fewer than N faultable calls, on a fresh copy of a
** seeded template in ATESQL_TEST_DIR (its WAL holding a committed
** transaction, as a database in use does), the engine holds the run to
** the model of faultdb.h. One exception, counted apart ("durable" in the
** figures) rather than as an anomaly: after a failed xSync, SQLite cannot
** know whether the frames it wrote before are on disk, and a commit whose
** WAL sync failed is found by the next connection's recovery when the
** WAL outlives the failure (a persistent fault, a crash): then either
** content is accepted, but it must be one of the two.
**
** Bounded by default (at most 14 fault points per operation and flavor,
** spread over its calls with both ends dense); ATESQL_FAULTS_LONG=1 walks
** every N, and three more flavors:
**     ATESQL_FAULTS_LONG=1 ctest --preset dev -R faults_io --timeout 7200 -V
** The figures (a Markdown table) are printed at the end for
** docs/RELIABILITY.md. SQLite only: the shim sits below SQLite, and
** PostgreSQL's I/O is the server's.
*/
#include "suite.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atesql/atesql.h"
#include "faults/faultdb.h"

/* ---- The fault VFS. ---- */

typedef enum fault_kind { KIND_IOERR, KIND_FULL } fault_kind;
typedef enum io_call { IO_WRITE, IO_SYNC, IO_TRUNCATE } io_call;

/* The armed fault; only the test's thread does I/O. */
static struct {
  bool armed;
  long target;     /* the faultable call that fails first (1-based) */
  bool persistent; /* every call from target on fails, else only it */
  fault_kind kind;
  long calls;    /* faultable calls while armed */
  long hits;     /* calls failed */
  io_call first; /* the first failed call's kind */
} fault;

/* Count a faultable call; the error it must fail with, or SQLITE_OK. */
static int fault_tick(io_call call) {
  if (!fault.armed) return SQLITE_OK;
  fault.calls++;
  if (fault.calls < fault.target ||
      (fault.calls > fault.target && !fault.persistent))
    return SQLITE_OK;
  if (fault.hits++ == 0) fault.first = call;
  switch (call) {
  case IO_WRITE:
    return fault.kind == KIND_FULL ? SQLITE_FULL : SQLITE_IOERR_WRITE;
  case IO_SYNC: return SQLITE_IOERR_FSYNC;
  default: return SQLITE_IOERR_TRUNCATE;
  }
}

/* Arm a fault at call n (LONG_MAX: count calls, fail none). */
static void fault_arm(long n, bool persistent, fault_kind kind) {
  fault.target = n;
  fault.persistent = persistent;
  fault.kind = kind;
  fault.calls = fault.hits = 0;
  fault.armed = true;
}

static void fault_disarm(void) { fault.armed = false; }

/* A file of the shim: the real VFS's file follows it in memory. */
typedef struct shim_file {
  sqlite3_file base;
  sqlite3_file *real;
} shim_file;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;

static sqlite3_file *real_of(sqlite3_file *f) { return ((shim_file *)f)->real; }

static int shim_close(sqlite3_file *f) {
  return real_of(f)->pMethods->xClose(real_of(f));
}

static int shim_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off) {
  return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}

static int shim_write(sqlite3_file *f, const void *buf, int n,
                      sqlite3_int64 off) {
  int rc = fault_tick(IO_WRITE);
  return rc ? rc : real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
}

static int shim_truncate(sqlite3_file *f, sqlite3_int64 size) {
  int rc = fault_tick(IO_TRUNCATE);
  return rc ? rc : real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int shim_sync(sqlite3_file *f, int flags) {
  int rc = fault_tick(IO_SYNC);
  return rc ? rc : real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int shim_file_size(sqlite3_file *f, sqlite3_int64 *size) {
  return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int shim_lock(sqlite3_file *f, int level) {
  return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int shim_unlock(sqlite3_file *f, int level) {
  return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int shim_check_reserved_lock(sqlite3_file *f, int *out) {
  return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

/* Pages of every new connection's cache; 0 leaves atesql's. */
static int cache_pages;
/* small_cache (below) is setting it. */
static bool setting_small_cache;

/* A spill flavor's connections keep the small cache small_cache gives
** them: the cache_size PRAGMA every atesql handle runs after it is
** answered here, which leaves SQLite's setting as it was. */
static int shim_file_control(sqlite3_file *f, int op, void *arg) {
  if (op == SQLITE_FCNTL_PRAGMA && cache_pages != 0 && !setting_small_cache) {
    char **pragma = arg;
    if (sqlite3_stricmp(pragma[1], "cache_size") == 0 && pragma[2] != NULL)
      return SQLITE_OK;
  }
  return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int shim_sector_size(sqlite3_file *f) {
  return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int shim_device_characteristics(sqlite3_file *f) {
  return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int shim_shm_map(sqlite3_file *f, int region, int size, int extend,
                        void volatile **out) {
  return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, out);
}

static int shim_shm_lock(sqlite3_file *f, int offset, int n, int flags) {
  return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void shim_shm_barrier(sqlite3_file *f) {
  real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int shim_shm_unmap(sqlite3_file *f, int delete_flag) {
  return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

static int shim_fetch(sqlite3_file *f, sqlite3_int64 off, int amount,
                      void **out) {
  return real_of(f)->pMethods->xFetch(real_of(f), off, amount, out);
}

static int shim_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p) {
  return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

static const sqlite3_io_methods shim_io = {
    3,
    shim_close,
    shim_read,
    shim_write,
    shim_truncate,
    shim_sync,
    shim_file_size,
    shim_lock,
    shim_unlock,
    shim_check_reserved_lock,
    shim_file_control,
    shim_sector_size,
    shim_device_characteristics,
    shim_shm_map,
    shim_shm_lock,
    shim_shm_barrier,
    shim_shm_unmap,
    shim_fetch,
    shim_unfetch,
};

static int vfs_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f,
                    int flags, int *out_flags) {
  (void)vfs;
  shim_file *file = (shim_file *)f;
  file->real = (sqlite3_file *)(file + 1);
  file->real->pMethods = NULL;
  int rc = real_vfs->xOpen(real_vfs, name, file->real, flags, out_flags);
  if (file->real->pMethods && file->real->pMethods->iVersion < 3)
    fail_msg("the default VFS's files have io_methods version %d, the shim "
             "needs 3",
             file->real->pMethods->iVersion);
  file->base.pMethods = file->real->pMethods ? &shim_io : NULL;
  return rc;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
  (void)vfs;
  return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
  (void)vfs;
  return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int n,
                             char *out) {
  (void)vfs;
  return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *vfs_dlopen(sqlite3_vfs *vfs, const char *name) {
  (void)vfs;
  return real_vfs->xDlOpen(real_vfs, name);
}

static void vfs_dlerror(sqlite3_vfs *vfs, int n, char *out) {
  (void)vfs;
  real_vfs->xDlError(real_vfs, n, out);
}

static void (*vfs_dlsym(sqlite3_vfs *vfs, void *handle,
                        const char *symbol))(void) {
  (void)vfs;
  return real_vfs->xDlSym(real_vfs, handle, symbol);
}

static void vfs_dlclose(sqlite3_vfs *vfs, void *handle) {
  (void)vfs;
  real_vfs->xDlClose(real_vfs, handle);
}

static int vfs_randomness(sqlite3_vfs *vfs, int n, char *out) {
  (void)vfs;
  return real_vfs->xRandomness(real_vfs, n, out);
}

static int vfs_sleep(sqlite3_vfs *vfs, int us) {
  (void)vfs;
  return real_vfs->xSleep(real_vfs, us);
}

static int vfs_current_time(sqlite3_vfs *vfs, double *out) {
  (void)vfs;
  return real_vfs->xCurrentTime(real_vfs, out);
}

static int vfs_get_last_error(sqlite3_vfs *vfs, int n, char *out) {
  (void)vfs;
  return real_vfs->xGetLastError(real_vfs, n, out);
}

static int vfs_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
  (void)vfs;
  return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static int vfs_set_system_call(sqlite3_vfs *vfs, const char *name,
                               sqlite3_syscall_ptr call) {
  (void)vfs;
  return real_vfs->xSetSystemCall(real_vfs, name, call);
}

static sqlite3_syscall_ptr vfs_get_system_call(sqlite3_vfs *vfs,
                                               const char *name) {
  (void)vfs;
  return real_vfs->xGetSystemCall(real_vfs, name);
}

static const char *vfs_next_system_call(sqlite3_vfs *vfs, const char *name) {
  (void)vfs;
  return real_vfs->xNextSystemCall(real_vfs, name);
}

/* Make the shim the default VFS over the current default. */
static void shim_register(void) {
  real_vfs = sqlite3_vfs_find(NULL);
  if (real_vfs == NULL || real_vfs->iVersion < 3)
    fail_msg("no default VFS of version 3 to wrap");
  sqlite3_vfs v = {
      3,
      (int)(sizeof(shim_file) + (size_t)real_vfs->szOsFile),
      real_vfs->mxPathname,
      NULL,
      "atesql-faults",
      NULL,
      vfs_open,
      vfs_delete,
      vfs_access,
      vfs_full_pathname,
      vfs_dlopen,
      vfs_dlerror,
      vfs_dlsym,
      vfs_dlclose,
      vfs_randomness,
      vfs_sleep,
      vfs_current_time,
      vfs_get_last_error,
      vfs_current_time_int64,
      vfs_set_system_call,
      vfs_get_system_call,
      vfs_next_system_call,
  };
  shim_vfs = v;
  if (sqlite3_vfs_register(&shim_vfs, 1) != SQLITE_OK)
    fail_msg("sqlite3_vfs_register failed");
}

/* The auto-extension every connection runs when it opens: a small page
** cache makes a transaction spill pages to the WAL before its commit. */
static int small_cache(sqlite3 *db, const char **err,
                       const struct sqlite3_api_routines *api) {
  (void)err;
  (void)api;
  if (cache_pages == 0) return SQLITE_OK;
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", cache_pages);
  setting_small_cache = true;
  int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
  setting_small_cache = false;
  return rc;
}

/* ---- The injector. ---- */

static const faultdb_flavor flavors[] = {
    {"ioerr once", KIND_IOERR, false, 0, false, false},
    {"ioerr persistent", KIND_IOERR, true, 0, false, false},
    {"full once", KIND_FULL, false, 0, false, false},
    {"full persistent", KIND_FULL, true, 0, false, false},
    {"ioerr once, spill", KIND_IOERR, false, 2, false, false},
    {"full once, spill", KIND_FULL, false, 2, false, false},
    {"ioerr persistent, spill", KIND_IOERR, true, 2, true, false},
    {"full persistent, spill", KIND_FULL, true, 2, true, false},
    {"ioerr persistent, closed", KIND_IOERR, true, 0, true, true},
};

static void io_arm(long n, const faultdb_flavor *f) {
  fault_arm(n, f->persistent, (fault_kind)f->kind);
}

/* A failed sync leaves SQLite unsure what of its writes is durable. */
static bool io_outcome_unknown(void) {
  return fault.hits > 0 && fault.first == IO_SYNC;
}

static void io_disarm(long *calls, long *hits) {
  fault_disarm();
  *calls = fault.calls;
  *hits = fault.hits;
}

/* A flavor's page cache for every connection opened during its walk. */
static void io_configure(const faultdb_flavor *f) {
  cache_pages = f ? f->cache_pages : 0;
}

/*
** The statuses an I/O error may give: UNAVAILABLE (SQLITE_IOERR and
** SQLITE_FULL), FAILED_PRECONDITION for a call its failed transaction
** refuses, and INTERNAL where migrate.h documents it: a migration whose
** script failed ("... failed and was rolled back: disk I/O error").
*/
static bool io_clean(const faultdb_op *op, atesql_status st, bool after,
                     const char *msg) {
  if (st == ATESQL_UNAVAILABLE) return true;
  if (after && st == ATESQL_FAILED_PRECONDITION) return true;
  return op->fresh_file && st == ATESQL_INTERNAL &&
         strstr(msg, "failed and was rolled back") != NULL;
}

static const faultdb_injector injector = {
    .what = "I/O",
    .flavors = flavors,
    .flavor_count = sizeof flavors / sizeof *flavors,
    .arm = io_arm,
    .disarm = io_disarm,
    .configure = io_configure,
    .clean = io_clean,
    .outcome_unknown = io_outcome_unknown,
    .live = NULL,
    .bounded_points = 14,
};

static void walk(const char *const *ops) { faultdb_walk(&injector, ops); }

static void
test_create_is_stored_iff_acknowledged_under_io_faults(void **state) {
  (void)state;
  static const char *const ops[] = {"atespace_create", "worker_create",
                                    "actor_create", NULL};
  walk(ops);
}

static void
test_versioned_update_is_stored_iff_acknowledged_under_io_faults(void **state) {
  (void)state;
  static const char *const ops[] = {"worker_update", "actor_update", NULL};
  walk(ops);
}

static void
test_assignment_is_stored_iff_acknowledged_under_io_faults(void **state) {
  (void)state;
  static const char *const ops[] = {"worker_claim", "worker_release",
                                    "actor_resume", "compact", NULL};
  walk(ops);
}

static void
test_delete_is_stored_iff_acknowledged_under_io_faults(void **state) {
  (void)state;
  static const char *const ops[] = {"worker_delete", "actor_delete",
                                    "atespace_delete", NULL};
  walk(ops);
}

static void
test_lock_is_held_by_the_acknowledged_owner_under_io_faults(void **state) {
  (void)state;
  static const char *const ops[] = {"lock_acquire",      "lock_takeover",
                                    "lock_release",      "lock_renew",
                                    "lock_fenced_write", NULL};
  walk(ops);
}

static void
test_transaction_commits_all_or_nothing_under_io_faults(void **state) {
  (void)state;
  static const char *const ops[] = {"transaction", NULL};
  walk(ops);
}

static void test_import_commits_all_or_nothing_under_io_faults(void **state) {
  (void)state;
  static const char *const ops[] = {"import", NULL};
  walk(ops);
}

static void
test_migrate_applies_whole_migrations_under_io_faults(void **state) {
  (void)state;
  static const char *const ops[] = {"migrate", NULL};
  walk(ops);
}

/* Group setup: the template (made with faults off). */
static int setup(void **state) {
  (void)state;
  faultdb_setup("faults_io");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  faultdb_cleanup();
  return 0;
}

int main(void) {
  shim_register();
  if (sqlite3_auto_extension((void (*)(void))small_cache) != SQLITE_OK) {
    fprintf(stderr, "sqlite3_auto_extension failed\n");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create_is_stored_iff_acknowledged_under_io_faults),
      cmocka_unit_test(
          test_versioned_update_is_stored_iff_acknowledged_under_io_faults),
      cmocka_unit_test(
          test_assignment_is_stored_iff_acknowledged_under_io_faults),
      cmocka_unit_test(test_delete_is_stored_iff_acknowledged_under_io_faults),
      cmocka_unit_test(
          test_lock_is_held_by_the_acknowledged_owner_under_io_faults),
      cmocka_unit_test(test_transaction_commits_all_or_nothing_under_io_faults),
      cmocka_unit_test(test_import_commits_all_or_nothing_under_io_faults),
      cmocka_unit_test(test_migrate_applies_whole_migrations_under_io_faults),
  };
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int failed = cmocka_run_group_tests(tests, setup, teardown);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  faultdb_print_figures(&injector, (double)(t1.tv_sec - t0.tv_sec) +
                                       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  return failed;
}
