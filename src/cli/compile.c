/*
** `atesql compile workers|actors SELECTOR [--dialect sqlite|postgres]
** [--json]`: show the SQL a selector becomes, without a database. The
** human form prints the WHERE fragment and one line per parameter; --json
** prints one object {"resource","dialect","sql","params"}.
*/
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static json_t *param_json(const atesql_param *p) {
  return p->type == ATESQL_PARAM_INT64 ? json_integer((json_int_t)p->int64)
                                       : json_string(p->text);
}

static int print_json(const char *resource, const char *dialect,
                      const atesql_compiled *c) {
  json_t *params = json_array();
  for (size_t i = 0; i < c->param_count; i++)
    json_array_append_new(params, param_json(&c->params[i]));
  json_t *obj = json_pack("{s:s, s:s, s:s, s:o}", "resource", resource,
                          "dialect", dialect, "sql", c->sql, "params", params);
  if (obj == NULL) return cli_fail(EXIT_FAILURE_OTHER, "out of memory");
  json_dumpf(obj, stdout, JSON_COMPACT);
  fputc('\n', stdout);
  json_decref(obj);
  return EXIT_OK;
}

static void print_human(const atesql_compiled *c, char placeholder) {
  printf("WHERE %s\n", c->sql);
  for (size_t i = 0; i < c->param_count; i++) {
    json_t *v = param_json(&c->params[i]);
    char *shown = json_dumps(v, JSON_ENCODE_ANY);
    printf("  %c%zu = %s\n", placeholder, i + 1, shown ? shown : "?");
    free(shown);
    json_decref(v);
  }
}

static const char compile_usage[] =
    "atesql compile workers|actors SELECTOR [--dialect sqlite|postgres] "
    "[--json]";

/* Needs no database: db is ignored. */
int cmd_compile(const char *db, int argc, char **argv) {
  (void)db;
  static const struct option options[] = {
      {"dialect", required_argument, NULL, 'd'},
      {"json", no_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *dialect_name = "sqlite";
  int json = 0;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
    if (c == 'd') {
      dialect_name = optarg;
    } else if (c == 'j') {
      json = 1;
    } else if (c == 'h') {
      printf("usage: %s\n", compile_usage);
      return EXIT_OK;
    } else {
      return cli_bad_option(c, argv, compile_usage);
    }
  }
  if (argc - optind != 2)
    return cli_fail(EXIT_USAGE, "usage: %s", compile_usage);
  const char *resource_name = argv[optind];
  const char *text = argv[optind + 1];

  atesql_resource resource = cli_resource(resource_name);
  if (resource == 0)
    return cli_fail(EXIT_USAGE,
                    "unknown resource '%s'; expected workers, actors or "
                    "atespaces",
                    resource_name);
  atesql_dialect dialect;
  if (strcmp(dialect_name, "sqlite") == 0)
    dialect = ATESQL_DIALECT_SQLITE;
  else if (strcmp(dialect_name, "postgres") == 0)
    dialect = ATESQL_DIALECT_POSTGRES;
  else
    return cli_fail(EXIT_USAGE,
                    "unknown dialect '%s'; expected sqlite or postgres",
                    dialect_name);

  atesql_error err;
  atesql_selector *sel = NULL;
  atesql_compiled *compiled = NULL;
  atesql_status st =
      atesql_selector_parse(resource, text, ATESQL_NUL_TERMINATED, &sel, &err);
  if (st == ATESQL_OK)
    st = atesql_selector_compile(sel, dialect, &compiled, &err);
  atesql_selector_free(sel);
  if (st != ATESQL_OK) return cli_fail(cli_exit_code(st), "%s", err.message);

  int rc = EXIT_OK;
  if (json)
    rc = print_json(resource_name, dialect_name, compiled);
  else
    print_human(compiled, dialect == ATESQL_DIALECT_SQLITE ? '?' : '$');
  atesql_compiled_free(compiled);
  return cli_finish_output(rc);
}
