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

static int migrate_up(const char *url) {
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
