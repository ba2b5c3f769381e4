/*
** `atesql migrate up|status`: apply the schema migrations a database
** lacks, or show every migration the library embeds with when it was
** applied. A thin shell over atesql_migrate_up / atesql_migrate_status.
*/
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "show.h"

static const char migrate_usage[] = "atesql [--db URL] migrate up|status";

/* Apply the pending migrations one call each, drawing progress between
** them; *any tells whether a call applied one. */
static int migrate_up_stepwise(const char *url, progress_line *progress,
                               bool *any) {
  atesql_migration_list *list = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_migrate_status(url, &list, &err);
  if (st != ATESQL_OK) return cli_fail(cli_exit_code(st), "%s", err.message);
  size_t pending = 0, done = 0;
  for (size_t i = 0; i < list->count; i++)
    if (!list->items[i].applied) pending++;
  progress->total = (int64_t)pending;
  int rc = EXIT_OK;
  for (size_t i = 0; rc == EXIT_OK && i < list->count; i++) {
    const atesql_migration *m = &list->items[i];
    if (m->applied) continue;
    char what[160];
    snprintf(what, sizeof what, "applying %04lld_%s", (long long)m->version,
             m->name);
    progress->what = what;
    progress_update(progress, (int64_t)done, -1);
    atesql_migration_list *applied = NULL;
    st = atesql_migrate_up_to(url, m->version, &applied, &err);
    if (st != ATESQL_OK) {
      rc = cli_fail(cli_exit_code(st), "%s", err.message);
      break;
    }
    progress_end(progress);
    if (applied->count) {
      show_applied(applied);
      fflush(stdout);
      *any = true;
    }
    atesql_migration_list_free(applied);
    done++;
  }
  atesql_migration_list_free(list);
  return rc;
}

static int migrate_up(const char *url) {
  progress_line progress;
  progress_start(&progress, "migrating", "migrations");
  if (progress.shown) {
    /* On a terminal, each migration is its own call, so that the line
    ** can say which one runs (a table rebuilt on a large fleet takes
    ** minutes); the result is the same as one call's. */
    bool any = false;
    int rc = migrate_up_stepwise(url, &progress, &any);
    if (rc == EXIT_OK && !any)
      printf("schema is up to date (version %lld)\n",
             (long long)atesql_schema_version());
    return rc;
  }
  atesql_migration_list *applied = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_migrate_up(url, &applied, &err);
  if (st != ATESQL_OK) return cli_fail(cli_exit_code(st), "%s", err.message);
  show_applied(applied);
  atesql_migration_list_free(applied);
  return EXIT_OK;
}

static int migrate_status(const char *url) {
  atesql_migration_list *list = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_migrate_status(url, &list, &err);
  if (st != ATESQL_OK) return cli_fail(cli_exit_code(st), "%s", err.message);
  static const char *const headers[] = {"VERSION", "NAME", "APPLIED_AT"};
  table *t = table_new(headers, 3);
  for (size_t i = 0; t && i < list->count; i++) {
    const atesql_migration *m = &list->items[i];
    table_cellf(t, "%lld", (long long)m->version);
    table_cell(t, m->name);
    table_cell(t, m->applied ? m->applied_at : "pending");
  }
  int rc = t && table_print(t, stdout, 0)
               ? EXIT_OK
               : cli_fail(EXIT_FAILURE_OTHER, "out of memory");
  table_free(t);
  atesql_migration_list_free(list);
  return rc;
}

int cmd_migrate(const char *db, int argc, char **argv) {
  int parsed = cli_parse_help_only(argc, argv, migrate_usage);
  if (parsed >= 0) return parsed;
  if (argc - optind != 1)
    return cli_fail(EXIT_USAGE, "usage: %s", migrate_usage);
  const char *verb = argv[optind];
  int rc;
  if (strcmp(verb, "up") == 0)
    rc = migrate_up(cli_db_url(db));
  else if (strcmp(verb, "status") == 0)
    rc = migrate_status(cli_db_url(db));
  else
    rc = cli_fail(EXIT_USAGE,
                  "unknown migrate command '%s'; expected up or "
                  "status",
                  verb);
  return cli_finish_output(rc);
}
