/*
** `atesql [--db URL] explain workers|actors|atespaces SELECTOR`: how the
** database runs the first page of that list: the statement, its bound
** parameters, the database's own plan and a one-line verdict on index use.
** A thin shell over atesql_explain.
*/
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char explain_usage[] =
    "atesql [--db URL] explain workers|actors|atespaces SELECTOR";

void cli_print_params(const atesql_param *params, size_t n,
                      atesql_dialect dialect) {
  char mark = dialect == ATESQL_DIALECT_SQLITE ? '?' : '$';
  for (size_t i = 0; i < n; i++) {
    if (params[i].type == ATESQL_PARAM_INT64)
      printf(" %c%zu=%lld", mark, i + 1, (long long)params[i].int64);
    else
      printf(" %c%zu='%s'", mark, i + 1, params[i].text);
  }
  printf("\n");
}

/* The plan's lines, the first after the label, the others under it. */
static void print_plan(const char *plan) {
  const char *line = plan;
  printf("plan    ");
  for (int first = 1; *line; first = 0) {
    size_t len = strcspn(line, "\n");
    printf("%s%.*s\n", first ? " " : "         ", (int)len, line);
    line += len;
    if (*line == '\n') line++;
  }
  if (*plan == '\0') printf("\n");
}

int cmd_explain(const char *db, int argc, char **argv) {
  int parsed = cli_parse_help_only(argc, argv, explain_usage);
  if (parsed >= 0) return parsed;
  if (argc - optind != 2)
    return cli_fail(EXIT_USAGE, "usage: %s", explain_usage);
  atesql_resource resource = cli_resource(argv[optind]);
  if (resource == 0)
    return cli_fail(EXIT_USAGE,
                    "unknown resource '%s'; expected workers, actors or "
                    "atespaces",
                    argv[optind]);
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_selector_parse(resource, argv[optind + 1],
                                           ATESQL_NUL_TERMINATED, &sel, &err);
  if (st != ATESQL_OK) return cli_fail(cli_exit_code(st), "%s", err.message);

  atesql_store *store = NULL;
  int rc = cli_open_store(cli_db_url(db), &store);
  atesql_plan *plan = NULL;
  if (rc == EXIT_OK) {
    atesql_list_opts opts = {.selector = sel};
    st = atesql_explain(store, resource, &opts, &plan);
    if (st != ATESQL_OK)
      rc = cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
  }
  if (rc == EXIT_OK) {
    printf("SQL      %s\nparams  ", plan->sql);
    cli_print_params(plan->params, plan->param_count,
                     atesql_store_dialect(store));
    print_plan(plan->plan);
    printf("verdict  %s\n", plan->verdict);
  }
  atesql_plan_free(plan);
  atesql_store_close(store);
  atesql_selector_free(sel);
  return cli_finish_output(rc);
}
