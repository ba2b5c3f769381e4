/*
** The data of migration 0002 (protojson presence), shared by the SQLite
** and PostgreSQL unit suites: actors as atesql 0001 stored them (every
** field of SnapshotInfo, both oneof members, "TYPE_*" names, an empty
** selector for none), and what each must read as once 0002 has run.
** A suite migrates fully, undoes 0004 and later (its dialect's
** UNDO_0004_*_SQL, which also undoes 0008's lock tokens; on SQLite 0007
** changed nothing), runs OLD_ROWS_SQL
** with its own driver (this rewinds the schema to version 1, undoing
** 0003's indexes, and writes the old rows), migrates up again and calls
** check_migrated_rows.
*/
#ifndef ATESQL_TEST_MIGRATION_0002_H
#define ATESQL_TEST_MIGRATION_0002_H

#include "atesql/atesql.h"
#include "suite.h"

#define OLD_SNAPSHOT(type, uri, prefix, nodes)                                 \
  "'{\"type\":\"" type "\",\"external\":{\"snapshotUriPrefix\":\"" uri         \
  "\"},\"local\":{\"snapshotPrefix\":\"" prefix                                \
  "\",\"nodeVmsWithLocalSnapshots\":[" nodes "]}}'"

static const char UNDO_0004_SQLITE_SQL[] =
    "ALTER TABLE locks DROP COLUMN token;"
    "DROP TRIGGER workers_event_created; DROP TRIGGER workers_event_updated;"
    "DROP TRIGGER workers_event_deleted;"
    "DROP TRIGGER workers_labels_created; DROP TRIGGER workers_labels_updated;"
    "DROP TRIGGER workers_labels_freed;"
    "DROP TABLE worker_labels; ALTER TABLE workers DROP COLUMN labels;"
    "DROP VIEW worker_revision; DROP VIEW worker_pending;"
    "DROP TABLE worker_events; DROP TABLE store_revision;";
static const char UNDO_0004_POSTGRES_SQL[] =
    "ALTER TABLE locks DROP COLUMN token;"
    "DROP FUNCTION atesql_resume; DROP FUNCTION atesql_claim;"
    "DROP FUNCTION atesql_worker_labels() CASCADE; DROP TABLE worker_labels;"
    "ALTER TABLE workers DROP COLUMN labels;"
    "DROP FUNCTION atesql_worker_event() CASCADE;"
    "DROP FUNCTION atesql_number_worker_events();"
    "DROP VIEW worker_revision; DROP VIEW worker_pending;"
    "DROP TABLE worker_events; DROP TABLE store_revision;";

static const char OLD_ROWS_SQL[] =
    "DELETE FROM schema_migrations WHERE version >= 2;"
    "DROP INDEX workers_pool; DROP INDEX workers_node;"
    "DROP INDEX workers_free_pool; DROP INDEX workers_free_node;"
    "DROP INDEX IF EXISTS workers_free_node_key;"
    "DROP INDEX workers_actor_id;"
    "CREATE INDEX workers_pool_actor ON workers (worker_pool, actor_id);"
    "CREATE INDEX workers_node_actor ON workers (node_name, actor_id);"
    "CREATE INDEX workers_actor_id ON workers (actor_id);"
    "INSERT INTO atespaces (name) VALUES ('s');"
    "INSERT INTO actors (atespace, actor_id, version, latest_snapshot_info, "
    "worker_selector) VALUES "
    "('s', 'unset', 1, " OLD_SNAPSHOT(
        "TYPE_UNSPECIFIED", "", "",
        "") ", "
            "'{\"matchLabels\":{}}'),"
            "('s', 'local', 2, " OLD_SNAPSHOT(
                "TYPE_LOCAL", "gs://stale", "p",
                "\"n1\",\"n2\"") ", "
                                 "'{\"matchLabels\":{\"k\":\"v\"}}'),"
                                 "('s', 'external', 3, " OLD_SNAPSHOT(
                                     "TYPE_EXTERNAL", "gs://b", "",
                                     "") ", "
                                         "'{\"matchLabels\":{}}'),"
                                         "('s', 'untyped-local', "
                                         "4, " OLD_SNAPSHOT(
                                             "TYPE_UNSPECIFIED", "", "",
                                             "\"n3\"") ", "
                                                       "'{\"matchLabels\":{}}')"
                                                       ","
                                                       "('s', "
                                                       "'untyped-external', "
                                                       "5, " OLD_SNAPSHOT(
                                                           "TYPE_UNSPECIFIED",
                                                           "gs://u", "",
                                                           "") ", "
                                                               "'{"
                                                               "\"matchLabels\""
                                                               ":{}}');";

static atesql_actor *get_migrated(atesql_store *s, const char *id) {
  atesql_actor *a = NULL;
  if (atesql_actor_get(s, "s", id, &a) != ATESQL_OK)
    fail_msg("get s/%s: %s", id, atesql_errmsg(s));
  return a;
}

/* The rows of OLD_ROWS_SQL as they read after migration 0002. */
static void check_migrated_rows(const char *url) {
  atesql_store *s = NULL;
  atesql_error err = {0};
  if (atesql_store_open(url, &s, &err) != ATESQL_OK)
    fail_msg("open: %s", err.message);

  atesql_actor *a = get_migrated(s, "unset");
  assert_null(a->latest_snapshot_info);
  assert_null(a->worker_selector);
  atesql_actor_free(a);

  a = get_migrated(s, "local");
  assert_non_null(a->latest_snapshot_info);
  assert_int_equal(a->latest_snapshot_info->type, ATESQL_SNAPSHOT_TYPE_LOCAL);
  assert_int_equal(a->latest_snapshot_info->data, ATESQL_SNAPSHOT_DATA_LOCAL);
  assert_string_equal(a->latest_snapshot_info->local_snapshot_prefix, "p");
  assert_int_equal(a->latest_snapshot_info->local_node_vm_count, 2);
  assert_string_equal(a->latest_snapshot_info->local_node_vms[1], "n2");
  assert_string_equal(a->latest_snapshot_info->external_snapshot_uri_prefix,
                      "");
  assert_non_null(a->worker_selector);
  assert_int_equal(a->worker_selector->match_label_count, 1);
  assert_string_equal(a->worker_selector->match_labels[0].value, "v");
  atesql_actor_free(a);

  a = get_migrated(s, "external");
  assert_int_equal(a->latest_snapshot_info->type,
                   ATESQL_SNAPSHOT_TYPE_EXTERNAL);
  assert_int_equal(a->latest_snapshot_info->data,
                   ATESQL_SNAPSHOT_DATA_EXTERNAL);
  assert_string_equal(a->latest_snapshot_info->external_snapshot_uri_prefix,
                      "gs://b");
  assert_null(a->worker_selector);
  atesql_actor_free(a);

  a = get_migrated(s, "untyped-local");
  assert_int_equal(a->latest_snapshot_info->type,
                   ATESQL_SNAPSHOT_TYPE_UNSPECIFIED);
  assert_int_equal(a->latest_snapshot_info->data, ATESQL_SNAPSHOT_DATA_LOCAL);
  assert_string_equal(a->latest_snapshot_info->local_node_vms[0], "n3");
  atesql_actor_free(a);

  a = get_migrated(s, "untyped-external");
  assert_int_equal(a->latest_snapshot_info->data,
                   ATESQL_SNAPSHOT_DATA_EXTERNAL);
  assert_string_equal(a->latest_snapshot_info->external_snapshot_uri_prefix,
                      "gs://u");
  atesql_actor_free(a);
  atesql_store_close(s);
}

#endif /* ATESQL_TEST_MIGRATION_0002_H */
