/*
** `atesql RESOURCE import [FILE|-]`: create the records of a JSON-lines
** file (protojson documents, as `list --json` writes them and upstream's
** Redis store holds them) in one transaction: every record or none. Each
** record keeps the version its document gives (1 when it has none), so a
** restore gives back the same data and clients' versions stay valid.
** Blank lines are skipped; the first bad line or failed create rolls
** everything back and is reported as `line N: problem`.
*/
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "kinds.h"

static bool is_blank(const char *line, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (!isspace((unsigned char)line[i])) return false;
  return true;
}

/* Decode and create one line's record. On failure the one-line report is
** written to msg and the exit code returned. */
static int import_line(const cli_kind *kind, atesql_store *store,
                       const char *line, size_t len, char *msg, size_t size) {
  atesql_error err = {0};
  void *record = NULL;
  atesql_status st = kind->from_json(line, len, &record, &err);
  if (st != ATESQL_OK) {
    snprintf(msg, size, "%s", err.message);
    return cli_exit_code(st);
  }
  st = kind->import(store, record);
  kind->record_free(record);
  if (st != ATESQL_OK) {
    snprintf(msg, size, "%s", atesql_errmsg(store));
    return cli_exit_code(st);
  }
  return EXIT_OK;
}

/*
** Import every line of in inside the store's open transaction. On success
** *count receives the records created; on failure the report is printed
** and its exit code returned (the caller rolls back).
*/
static int import_lines(const cli_kind *kind, atesql_store *store, FILE *in,
                        const char *name, size_t *count) {
  char *line = NULL;
  size_t cap = 0;
  size_t lineno = 0;
  ssize_t got;
  int rc = EXIT_OK;
  /* Progress by the bytes read of a regular file's size (stdin: rows). */
  struct stat st;
  double size = fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode)
                    ? (double)st.st_size
                    : 0;
  double read = 0;
  char what[64];
  snprintf(what, sizeof what, "importing %s", kind->plural);
  progress_line progress;
  progress_start(&progress, what, "rows");
  while (rc == EXIT_OK && (got = getline(&line, &cap, in)) >= 0) {
    size_t len = (size_t)got;
    lineno++;
    read += (double)got;
    progress_update(&progress, (int64_t)*count, size > 0 ? read / size : -1);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      len--;
    if (is_blank(line, len)) continue;
    char msg[ATESQL_ERROR_MESSAGE_MAX];
    rc = import_line(kind, store, line, len, msg, sizeof msg);
    if (rc != EXIT_OK)
      cli_fail(rc, "line %zu: %s", lineno, msg);
    else
      (*count)++;
  }
  if (rc == EXIT_OK && ferror(in))
    rc = cli_fail(EXIT_FAILURE_OTHER, "cannot read '%s': %s", name,
                  strerror(errno));
  free(line);
  progress_end(&progress);
  return rc;
}

/*
** All lines of in, or none: one transaction, rolled back at the first
** failure. After a commit the planner statistics are refreshed, as after
** any bulk load, so later lists get the plans the new data calls for.
*/
static int import_all(const cli_kind *kind, atesql_store *store, FILE *in,
                      const char *name, size_t *count) {
  atesql_status st = atesql_tx_begin(store);
  if (st != ATESQL_OK)
    return cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
  int rc = import_lines(kind, store, in, name, count);
  if (rc != EXIT_OK) {
    atesql_tx_rollback(store);
    return rc;
  }
  st = atesql_tx_commit(store);
  if (st != ATESQL_OK)
    return cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
  st = *count > 0 ? atesql_store_analyze(store) : ATESQL_OK;
  if (st != ATESQL_OK)
    return cli_fail(cli_exit_code(st),
                    "imported %zu %s, but refreshing planner statistics "
                    "failed: %s",
                    *count, kind->plural, atesql_errmsg(store));
  return EXIT_OK;
}

int cmd_import(const cli_kind *kind, const char *db, int argc, char **argv) {
  char usage[160];
  snprintf(usage, sizeof usage,
           "atesql %s import [FILE|-]  (JSON lines, all or nothing; each "
           "record keeps its document's version, 1 without one)",
           kind->plural);
  int parsed = cli_parse_help_only(argc, argv, usage);
  if (parsed >= 0) return parsed;
  if (argc - optind > 1) return cli_fail(EXIT_USAGE, "usage: %s", usage);
  const char *path = optind < argc ? argv[optind] : "-";
  bool from_stdin = strcmp(path, "-") == 0;
  FILE *in = from_stdin ? stdin : fopen(path, "r");
  if (in == NULL)
    return cli_fail(EXIT_FAILURE_OTHER, "cannot open '%s': %s", path,
                    strerror(errno));

  atesql_store *store = NULL;
  int rc = cli_open_store(cli_db_url(db), &store);
  size_t count = 0;
  if (rc == EXIT_OK) {
    rc = import_all(kind, store, in, from_stdin ? "stdin" : path, &count);
    cli_close_store(store);
  }
  if (!from_stdin) fclose(in);
  if (rc == EXIT_OK)
    printf("imported %zu %s\n", count,
           count == 1 ? kind->singular : kind->plural);
  return cli_finish_output(rc);
}
