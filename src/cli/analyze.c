/*
** `atesql analyze`: refresh the statistics the database plans with
** (atesql_store_analyze). A list's plan depends on them: after a bulk load,
** or once a fleet has grown well past the size they were taken at, a
** selector that an index fits may be answered by reading the whole table
** until they are refreshed. `workers import` and `migrate up` refresh them
** on their own.
*/
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static const char analyze_usage[] = "atesql analyze";

int cmd_analyze(const char *db, int argc, char **argv) {
  int rc = cli_parse_help_only(argc, argv, analyze_usage);
  if (rc >= 0) return rc;
  if (optind < argc)
    return cli_unexpected_argument(argv[optind], analyze_usage);
  atesql_store *store = NULL;
  rc = cli_open_store(cli_db_url(db), &store);
  if (rc == EXIT_OK) {
    atesql_status st = atesql_store_analyze(store);
    if (st == ATESQL_OK)
      printf("statistics refreshed\n");
    else
      rc = cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
  }
  cli_close_store(store);
  return cli_finish_output(rc);
}
