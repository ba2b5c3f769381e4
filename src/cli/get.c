/*
** `atesql RESOURCE get KEY... [--json]`: look records up by key
** (NAMESPACE/POOL/POD, ATESPACE/ACTOR_ID or NAME). Every key is checked
** before the database is opened; a key that is not found is reported on
** stderr and the others are still printed, then the exit code is 3.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kinds.h"
#include "show.h"

bool cli_split_key(char *key, size_t n, char **parts) {
  size_t found = 0;
  for (char *p = key;; p++) {
    if (found == n) return false;
    parts[found++] = p;
    p = strchr(p, '/');
    if (p == NULL) break;
    *p = '\0';
  }
  return found == n;
}

/* Fetch and print (or queue as a table row) the record of one key. Returns
** EXIT_OK, EXIT_NOT_FOUND after reporting the missing key, or another
** failure's exit code. */
static int get_one(const cli_kind *kind, atesql_store *store, const char *key,
                   int json, table *t) {
  char *copy = strdup(key);
  char *parts[3];
  if (copy == NULL) return cli_fail(EXIT_FAILURE_OTHER, "out of memory");
  cli_split_key(copy, kind->key_parts, parts);
  void *record = NULL;
  atesql_status st = kind->get(store, parts, &record);
  free(copy);
  if (st == ATESQL_NOT_FOUND)
    return cli_fail(EXIT_NOT_FOUND, "%s '%s' not found", kind->singular, key);
  if (st != ATESQL_OK)
    return cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
  int rc = EXIT_OK;
  if (json) {
    char *text = NULL;
    atesql_error err = {0};
    st = kind->to_json(record, &text, &err);
    if (st == ATESQL_OK)
      puts(text);
    else
      rc = cli_fail(cli_exit_code(st), "cannot encode %s '%s' as JSON: %s",
                    kind->singular, key, err.message);
    atesql_free(text);
  } else {
    show_row(t, kind->resource, record);
  }
  kind->record_free(record);
  return rc;
}

int cmd_get(const cli_kind *kind, const char *db, int argc, char **argv) {
  static const struct option options[] = {
      {"json", no_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  char usage[128];
  snprintf(usage, sizeof usage, "atesql %s get %s... [--json]", kind->plural,
           kind->key_syntax);
  int json = 0;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
    if (c == 'j') {
      json = 1;
    } else if (c == 'h') {
      printf("usage: %s\n", usage);
      return EXIT_OK;
    } else {
      return cli_bad_option(c, argv, usage);
    }
  }
  if (optind == argc) return cli_fail(EXIT_USAGE, "usage: %s", usage);
  for (int i = optind; i < argc; i++) {
    char *copy = strdup(argv[i]);
    char *parts[3];
    bool ok = copy && cli_split_key(copy, kind->key_parts, parts);
    free(copy);
    if (!ok)
      return cli_fail(EXIT_USAGE, "invalid %s key '%s'; expected %s",
                      kind->singular, argv[i], kind->key_syntax);
  }

  atesql_store *store = NULL;
  int rc = cli_open_store(cli_db_url(db), &store);
  if (rc != EXIT_OK) return rc;
  table *t = json ? NULL : show_table_new(kind->resource);
  if (!json && t == NULL) rc = cli_fail(EXIT_FAILURE_OTHER, "out of memory");
  bool missing = false;
  for (int i = optind; rc == EXIT_OK && i < argc; i++) {
    int one = get_one(kind, store, argv[i], json, t);
    if (one == EXIT_NOT_FOUND)
      missing = true;
    else
      rc = one;
  }
  if (rc == EXIT_OK && t && table_rows(t) > 0 && !table_print(t, stdout, 0))
    rc = cli_fail(EXIT_FAILURE_OTHER, "out of memory");
  table_free(t);
  cli_close_store(store);
  if (rc == EXIT_OK && missing) rc = EXIT_NOT_FOUND;
  return cli_finish_output(rc);
}
