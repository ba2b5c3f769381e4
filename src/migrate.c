/*
** The migration runner. migrations/<dialect>/NNNN_name.sql files are
** embedded at build time; up applies the pending ones in version order,
** each in its own transaction together with its row in schema_migrations,
** and refuses to go on when an applied migration's text has changed.
** Runners are serialized inside each transaction: by the dialect's
** migrate_lock statement (PostgreSQL: a transaction-scoped advisory lock,
** which a transaction pooler such as pgbouncer keeps on one server
** connection) or by the transaction itself (SQLite: BEGIN IMMEDIATE); they
** re-read the applied set under the lock, so two runners never apply one
** migration twice.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/migrate.h"
#include "migrations.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/error.h"

/* The list the API returns: the embedded migrations with what the
** database recorded of them. */
typedef struct applied_row {
  int64_t version;
  char checksum[crypto_hash_sha256_BYTES * 2 + 1];
  char applied_at[40];
} applied_row;

static atesql_status read_applied(atesql_store *s, applied_row *rows,
                                  size_t *count, atesql_error *err) {
  query q;
  *count = 0;
  atesql_status st = query_named(s, STMT_migrations_applied, NULL, 0, &q);
  while (st == ATESQL_OK && q.row && *count < MAX_MIGRATIONS) {
    applied_row *r = &rows[(*count)++];
    size_t len;
    r->version = query_int64(&q, 0);
    const char *t = query_text(&q, 2, &len);
    snprintf(r->checksum, sizeof r->checksum, "%.*s", (int)len, t ? t : "");
    const char *at = query_text(&q, 3, &len);
    snprintf(r->applied_at, sizeof r->applied_at, "%.*s", (int)len,
             at ? at : "");
    st = t && at ? query_next(&q) : ATESQL_NO_MEMORY;
  }
  query_done(&q);
  if (st != ATESQL_OK)
    return error_set(err, st, 0, "cannot read schema_migrations: %s",
                     s->errmsg);
  return ATESQL_OK;
}

/* An applied migration must still match its embedded text, and the
** database must not be ahead of the library. */
static atesql_status verify_applied(const migration *all, size_t n,
                                    const applied_row *rows, size_t count,
                                    atesql_error *err) {
  for (size_t i = 0; i < count; i++) {
    const migration *m = NULL;
    for (size_t k = 0; k < n; k++)
      if (all[k].version == rows[i].version) m = &all[k];
    if (m == NULL)
      return error_set(err, ATESQL_FAILED_PRECONDITION, 0,
                       "database has migration %04lld, which this library "
                       "does not know: the schema is newer than this atesql",
                       (long long)rows[i].version);
    if (strcmp(m->checksum, rows[i].checksum) != 0)
      return error_set(err, ATESQL_FAILED_PRECONDITION, 0,
                       "migration %04lld_%s was changed after it was applied "
                       "(checksum %.12s... in the database, %.12s... "
                       "embedded); restore its text and add a new migration",
                       (long long)m->version, m->name, rows[i].checksum,
                       m->checksum);
  }
  return ATESQL_OK;
}

static const applied_row *find_applied(const applied_row *rows, size_t count,
                                       int64_t version) {
  for (size_t i = 0; i < count; i++)
    if (rows[i].version == version) return &rows[i];
  return NULL;
}

/* Build the returned list from the chosen migrations. */
/* An empty list whose arena already holds room for `capacity` items and
** their strings, so that filling it allocates nothing; NULL when out of
** memory. */
static atesql_migration_list *list_new(size_t capacity) {
  enum {
    PER_ITEM = sizeof(atesql_migration) + 8 + sizeof(((migration *)0)->name) +
               8 + sizeof(((migration *)0)->checksum) + 8 + 40 + 8
  };
  return arena_new(sizeof(atesql_migration_list), capacity * PER_ITEM + 64);
}

/*
** Fill the empty list with items[0..n) (applied_at[i] NULL: pending). With
** a list from list_new(n) this allocates nothing, so it cannot fail after
** the migrations it reports have committed. On error the list is freed.
*/
static atesql_status make_list(const migration *const *items,
                               const char *const *applied_at, size_t n,
                               atesql_migration_list *list,
                               atesql_migration_list **out, atesql_error *err) {
  if (list == NULL) return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  list->items = arena_alloc(list, n * sizeof *list->items);
  for (size_t i = 0; list->items && i < n; i++) {
    atesql_migration *m = &list->items[i];
    m->version = items[i]->version;
    m->name = arena_strndup(list, items[i]->name, strlen(items[i]->name));
    m->checksum =
        arena_strndup(list, items[i]->checksum, strlen(items[i]->checksum));
    m->applied = applied_at[i] != NULL;
    const char *at = applied_at[i] ? applied_at[i] : "";
    m->applied_at = arena_strndup(list, at, strlen(at));
    if (!m->name || !m->checksum || !m->applied_at) {
      arena_free(list);
      return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
    }
  }
  if (list->items == NULL) {
    arena_free(list);
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  }
  list->count = n;
  *out = list;
  return ATESQL_OK;
}

/* Apply migration m unless a concurrent runner already did: one
** transaction holding the check, the script and its record. *done tells
** whether this call applied it. */
static atesql_status apply_one(atesql_store *s, const migration *all, size_t n,
                               const migration *m, bool *done, char *applied_at,
                               atesql_error *err) {
  *done = false;
  atesql_status st = exec_named(s, STMT_tx_begin, NULL, 0);
  if (st != ATESQL_OK)
    return error_set(err, st, 0, "begin migration: %s", s->errmsg);
  st = exec_named(s, STMT_migrate_lock, NULL, 0);
  if (st != ATESQL_OK) {
    error_set(err, st, 0, "take the migration lock: %s", s->errmsg);
    exec_named(s, STMT_tx_rollback, NULL, 0);
    return st;
  }
  applied_row rows[MAX_MIGRATIONS];
  size_t count;
  st = read_applied(s, rows, &count, err);
  if (st == ATESQL_OK) st = verify_applied(all, n, rows, count, err);
  if (st == ATESQL_OK && find_applied(rows, count, m->version) == NULL) {
    st = s->drv->exec(s->conn, m->text);
    /* A script that fails is a bad migration (INTERNAL), unless the
    ** database was unreachable or out of memory: then retrying can work. */
    if (st != ATESQL_OK)
      st = error_set(err,
                     st == ATESQL_UNAVAILABLE || st == ATESQL_NO_MEMORY
                         ? st
                         : ATESQL_INTERNAL,
                     0, "migration %04lld_%s failed and was rolled back: %s",
                     (long long)m->version, m->name, s->drv->errmsg(s->conn));
    db_param params[] = {param_int64(m->version), param_text(m->name),
                         param_text(m->checksum)};
    if (st == ATESQL_OK) {
      st = exec_named(s, STMT_migration_record, params, 3);
      if (st != ATESQL_OK)
        error_set(err, st, 0, "record migration %04lld: %s",
                  (long long)m->version, s->errmsg);
    }
    *done = st == ATESQL_OK;
  }
  if (st != ATESQL_OK) {
    exec_named(s, STMT_tx_rollback, NULL, 0);
    return st;
  }
  st = exec_named(s, STMT_tx_commit, NULL, 0);
  if (st != ATESQL_OK) {
    *done = false;
    return error_set(err, st, 0, "commit migration %04lld: %s",
                     (long long)m->version, s->errmsg);
  }
  if (*done) {
    /* Read back the time the database recorded; the migration is applied
    ** whether or not this read succeeds, so its failure is not reported
    ** (the time is then left empty). */
    atesql_error ignored;
    bool read = read_applied(s, rows, &count, &ignored) == ATESQL_OK;
    const applied_row *r = read ? find_applied(rows, count, m->version) : NULL;
    snprintf(applied_at, 40, "%s", r ? r->applied_at : "");
  }
  return st;
}

/* schema_migrations, created under the migration lock in a transaction
** of its own (two runners creating it at once would collide). */
static atesql_status create_migrations_table(atesql_store *s,
                                             atesql_error *err) {
  atesql_status st = exec_named(s, STMT_tx_begin, NULL, 0);
  if (st == ATESQL_OK) st = exec_named(s, STMT_migrate_lock, NULL, 0);
  if (st == ATESQL_OK) st = exec_named(s, STMT_migrations_table, NULL, 0);
  if (st == ATESQL_OK) st = exec_named(s, STMT_tx_commit, NULL, 0);
  if (st == ATESQL_OK) return ATESQL_OK;
  error_set(err, st, 0, "create schema_migrations: %s", s->errmsg);
  exec_named(s, STMT_tx_rollback, NULL, 0);
  return st;
}

/*
** Whether every embedded migration up to version `target` is applied (and
** the applied ones match their text), found by reads alone. Errors as
** read_applied and verify_applied.
*/
static atesql_status read_up_to_date(atesql_store *s, const migration *all,
                                     size_t n, int64_t target, bool *up_to_date,
                                     atesql_error *err) {
  *up_to_date = false;
  query q;
  atesql_status st = query_named(s, STMT_schema_has_migrations, NULL, 0, &q);
  bool has_table = st == ATESQL_OK && q.row && query_int64(&q, 0) > 0;
  query_done(&q);
  if (st != ATESQL_OK)
    return error_set(err, st, 0, "cannot read the schema: %s", s->errmsg);
  if (!has_table) return ATESQL_OK;
  applied_row rows[MAX_MIGRATIONS];
  size_t count = 0;
  st = read_applied(s, rows, &count, err);
  if (st == ATESQL_OK) st = verify_applied(all, n, rows, count, err);
  if (st != ATESQL_OK) return st;
  *up_to_date = true;
  for (size_t i = 0; i < n; i++)
    if (all[i].version <= target &&
        find_applied(rows, count, all[i].version) == NULL)
      *up_to_date = false;
  return ATESQL_OK;
}

atesql_status atesql_migrate_up(const char *url,
                                atesql_migration_list **applied,
                                atesql_error *err) {
  return atesql_migrate_up_to(url, INT64_MAX, applied, err);
}

atesql_status atesql_migrate_up_to(const char *url, int64_t version,
                                   atesql_migration_list **applied,
                                   atesql_error *err) {
  if (applied) *applied = NULL;
  if (version < 1)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0,
                     "migrate up to version %lld: versions start at 1",
                     (long long)version);
  atesql_store *s;
  atesql_status st = store_connect(url, &s, err);
  if (st != ATESQL_OK) return st;
  migration all[MAX_MIGRATIONS];
  size_t n = migrations_embedded(s->dialect->dir, all);

  /* An up-to-date database is only read: `migrate up` may run against a
  ** read-only target (a standby, a fenced primary, sqlite ?mode=ro). */
  bool up_to_date;
  st = read_up_to_date(s, all, n, version, &up_to_date, err);
  if (st != ATESQL_OK || up_to_date) {
    atesql_store_close(s);
    if (st == ATESQL_OK && applied)
      st = make_list(NULL, NULL, 0, list_new(0), applied, err);
    return st;
  }

  /* The list this call returns, made before anything is written: once a
  ** migration commits, reporting it must not fail for want of memory. */
  atesql_migration_list *list = applied ? list_new(n) : NULL;
  if (applied && list == NULL) {
    atesql_store_close(s);
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  }
  st = create_migrations_table(s, err);

  const migration *done_items[MAX_MIGRATIONS];
  char times[MAX_MIGRATIONS][40];
  const char *done_times[MAX_MIGRATIONS];
  size_t done_count = 0;
  for (size_t i = 0; st == ATESQL_OK && i < n && all[i].version <= version;
       i++) {
    bool done;
    st = apply_one(s, all, n, &all[i], &done, times[done_count], err);
    if (st == ATESQL_OK && done) {
      done_items[done_count] = &all[i];
      done_times[done_count] = times[done_count];
      done_count++;
    }
  }
  /* Migrations that rebuild a table or an index leave the planner's
  ** statistics behind; once the schema is the latest (whose statement
  ** names the tables), refresh them. Best effort: the migrations have
  ** committed, and a failed refresh leaves the previous statistics, which
  ** `atesql analyze` refreshes later. */
  if (st == ATESQL_OK && done_count > 0 && version >= all[n - 1].version)
    (void)s->drv->exec(s->conn, s->named_sql[STMT_analyze]);
  atesql_store_close(s);
  if (st == ATESQL_OK && applied)
    st = make_list(done_items, done_times, done_count, list, applied, err);
  else
    atesql_migration_list_free(list);
  return st;
}

atesql_status atesql_migrate_status(const char *url,
                                    atesql_migration_list **out,
                                    atesql_error *err) {
  if (out == NULL)
    return error_set(err, ATESQL_INVALID_ARGUMENT, 0, "out is NULL");
  *out = NULL;
  atesql_store *s;
  atesql_status st = store_connect(url, &s, err);
  if (st != ATESQL_OK) return st;
  migration all[MAX_MIGRATIONS];
  size_t n = migrations_embedded(s->dialect->dir, all);
  applied_row rows[MAX_MIGRATIONS];
  size_t count = 0;

  query q;
  st = query_named(s, STMT_schema_has_migrations, NULL, 0, &q);
  bool has_table = st == ATESQL_OK && q.row && query_int64(&q, 0) > 0;
  query_done(&q);
  if (st != ATESQL_OK)
    error_set(err, st, 0, "cannot read the schema: %s", s->errmsg);
  if (st == ATESQL_OK && has_table) st = read_applied(s, rows, &count, err);
  if (st == ATESQL_OK) st = verify_applied(all, n, rows, count, err);
  if (st == ATESQL_OK) {
    const migration *items[MAX_MIGRATIONS];
    const char *times[MAX_MIGRATIONS];
    for (size_t i = 0; i < n; i++) {
      const applied_row *r = find_applied(rows, count, all[i].version);
      items[i] = &all[i];
      times[i] = r ? r->applied_at : NULL;
    }
    st = make_list(items, times, n, list_new(n), out, err);
  }
  atesql_store_close(s);
  return st;
}

void atesql_migration_list_free(atesql_migration_list *list) {
  arena_free(list);
}
