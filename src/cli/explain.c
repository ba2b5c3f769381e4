/*
** `atesql [--db URL] explain workers|actors|atespaces SELECTOR`: how the
** database runs the first page of that list: the statement, its bound
** parameters, the database's own plan, the rows it reads for the rows it
** returns, the selector fields the index bounds and those it only filters,
** and a one-line verdict. A thin shell over atesql_explain. --json prints
** one object: resource, dialect, sql, params, plan (PostgreSQL's JSON
** plan, or SQLite's plan lines as an array), uses_index, index, verdict,
** rows_read, rows_returned, index_bound, sorted, bounded, filtered, and on
** PostgreSQL generic_plan.
*/
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "show.h"

static const char explain_usage[] =
    "atesql [--db URL] explain workers|actors|atespaces SELECTOR [--json]";

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

/* The plan as JSON: PostgreSQL's document as it is, SQLite's lines as an
** array of strings. */
static json_t *plan_json(const char *plan, atesql_dialect dialect) {
  if (dialect == ATESQL_DIALECT_POSTGRES) {
    json_t *doc = json_loads(plan, 0, NULL);
    if (doc) return doc;
  }
  json_t *lines = json_array();
  for (const char *line = plan; *line;) {
    size_t len = strcspn(line, "\n");
    json_array_append_new(lines, json_stringn(line, len));
    line += len + (line[len] == '\n');
  }
  return lines;
}

static int print_json(atesql_resource resource, atesql_dialect dialect,
                      const atesql_plan *plan) {
  json_t *params = json_array();
  for (size_t i = 0; i < plan->param_count; i++) {
    const atesql_param *p = &plan->params[i];
    json_array_append_new(params, p->type == ATESQL_PARAM_INT64
                                      ? json_integer((json_int_t)p->int64)
                                      : json_string(p->text));
  }
  json_t *obj = json_pack(
      "{s:s, s:s, s:s, s:o, s:o, s:b, s:s, s:s, s:I, s:I, s:b, s:b, s:s, "
      "s:s}",
      "resource", atesql_resource_name(resource), "dialect",
      dialect == ATESQL_DIALECT_SQLITE ? "sqlite" : "postgres", "sql",
      plan->sql, "params", params, "plan", plan_json(plan->plan, dialect),
      "uses_index", plan->uses_index, "index", plan->index, "verdict",
      plan->verdict, "rows_read", (json_int_t)plan->rows_read, "rows_returned",
      (json_int_t)plan->rows_returned, "index_bound", plan->index_bound,
      "sorted", plan->sorted, "bounded", plan->bounded, "filtered",
      plan->filtered);
  if (obj && dialect == ATESQL_DIALECT_POSTGRES)
    json_object_set_new(obj, "generic_plan",
                        plan_json(plan->generic_plan, dialect));
  if (obj == NULL) return cli_fail(EXIT_FAILURE_OTHER, "out of memory");
  json_dumpf(obj, stdout, JSON_COMPACT);
  fputc('\n', stdout);
  json_decref(obj);
  return EXIT_OK;
}

int cmd_explain(const char *db, int argc, char **argv) {
  static const struct option options[] = {
      {"json", no_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  bool json = false;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
    if (c == 'j') {
      json = true;
    } else if (c == 'h') {
      printf("usage: %s\n", explain_usage);
      return EXIT_OK;
    } else {
      return cli_bad_option(c, argv, explain_usage);
    }
  }
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
  if (rc == EXIT_OK && json) {
    rc = print_json(resource, atesql_store_dialect(store), plan);
  } else if (rc == EXIT_OK) {
    printf("SQL      %s\nparams  ", plan->sql);
    show_params(plan->params, plan->param_count, atesql_store_dialect(store));
    print_plan(plan->plan);
    printf("reads    %lld rows for %lld returned\n", (long long)plan->rows_read,
           (long long)plan->rows_returned);
    printf("bounds   %s\n", plan->bounded[0] ? plan->bounded : "-");
    printf("filters  %s\n", plan->filtered[0] ? plan->filtered : "-");
    printf("verdict  %s\n", plan->verdict);
  }
  atesql_plan_free(plan);
  cli_close_store(store);
  atesql_selector_free(sel);
  return cli_finish_output(rc);
}
