/*
** `atesql RESOURCE list [--selector S] [--limit N] [--page-token T]
** [--json]`: without --limit, follow next_page_token until the last page
** and print every match; with --limit N, print one page of at most N and,
** when more remain, write `next_page_token=TOKEN` as a line on stderr.
** A workers listing that starts at the first page (no --page-token) also
** writes `revision=N` on stderr: the store revision it reflects, for
** `atesql watch workers --since N`. The human form is an aligned table;
** --json writes one protojson document per line.
*/
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kinds.h"
#include "show.h"

typedef struct list_args {
  const char *selector_text;
  size_t limit; /* 0: every page */
  const char *page_token;
  int json;
} list_args;

/* A positive decimal count, or 0 when text is not one. */
static size_t parse_count(const char *text) {
  if (text[0] < '0' || text[0] > '9') return 0;
  char *end;
  errno = 0;
  unsigned long long n = strtoull(text, &end, 10);
  if (*end != '\0' || errno == ERANGE || n > SIZE_MAX) return 0;
  return (size_t)n;
}

/* One option of list into the list_args at ctx (cli_take_option). */
static int take_list_option(int c, const char *arg, void *ctx) {
  list_args *args = ctx;
  switch (c) {
  case 's': args->selector_text = arg; break;
  case 't': args->page_token = arg; break;
  case 'j': args->json = 1; break;
  case 'l':
    args->limit = parse_count(arg);
    if (args->limit == 0)
      return cli_fail(EXIT_USAGE, "--limit takes a positive number, not '%s'",
                      arg);
    break;
  }
  return -1;
}

/* Parse the options; returns -1 to go on, else the exit code. */
static int parse_list_args(const cli_kind *kind, int argc, char **argv,
                           list_args *args) {
  static const struct option options[] = {
      {"selector", required_argument, NULL, 's'},
      {"limit", required_argument, NULL, 'l'},
      {"page-token", required_argument, NULL, 't'},
      {"json", no_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  char list_usage[128];
  snprintf(list_usage, sizeof list_usage,
           "atesql %s list [--selector S] [--limit N] [--page-token T] "
           "[--json]",
           kind->plural);
  int rc = cli_parse_options(argc, argv, options, list_usage, take_list_option,
                             args);
  if (rc >= 0) return rc;
  if (optind != argc) return cli_unexpected_argument(argv[optind], list_usage);
  return -1;
}

/* Print a page's records: JSON lines now, table rows when the table is
** printed. */
static int emit_page(const cli_kind *kind, const cli_page *page, table *t) {
  atesql_error err = {0};
  for (size_t i = 0; i < page->count; i++) {
    const void *record = cli_page_item(kind, page, i);
    if (t) {
      show_row(t, kind->resource, record);
      continue;
    }
    char *json = NULL;
    atesql_status st = kind->to_json(record, &json, &err);
    if (st != ATESQL_OK)
      return cli_fail(cli_exit_code(st), "cannot encode a %s as JSON: %s",
                      kind->singular, err.message);
    puts(json);
    atesql_free(json);
  }
  return EXIT_OK;
}

/*
** The listing itself: one page with a limit, else every page from the
** given token on. Page tokens live in their page, so the one that
** continues the listing is copied before the page is freed; with a limit,
** *next receives it (NULL on the last page) for the caller to free.
** *revision receives the revision the listing reflects (the same on every
** page), -1 for kinds without one.
*/
static int list_pages(const cli_kind *kind, atesql_store *store,
                      const atesql_selector *sel, const list_args *args,
                      table *t, char **next, int64_t *revision) {
  atesql_list_opts opts = {0};
  opts.selector = sel;
  opts.page_size = args->limit ? args->limit : ATESQL_MAX_PAGE_SIZE;
  opts.page_token = args->page_token;
  char *token = NULL;
  int rc = EXIT_OK;
  for (;;) {
    cli_page page;
    atesql_status st = kind->list(store, &opts, &page);
    if (st != ATESQL_OK) {
      rc = cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
      break;
    }
    *revision = page.revision;
    rc = emit_page(kind, &page, t);
    bool more = page.next_page_token[0] != '\0';
    free(token);
    token = rc == EXIT_OK && more ? strdup(page.next_page_token) : NULL;
    kind->page_free(page.page);
    if (rc == EXIT_OK && more && token == NULL)
      rc = cli_fail(EXIT_FAILURE_OTHER, "out of memory");
    if (rc != EXIT_OK || !more || args->limit) break;
    opts.page_token = token;
  }
  if (rc == EXIT_OK && args->limit) {
    *next = token;
    return rc;
  }
  free(token);
  return rc;
}

int cmd_list(const cli_kind *kind, const char *db, int argc, char **argv) {
  list_args args = {0};
  int rc = parse_list_args(kind, argc, argv, &args);
  if (rc >= 0) return rc;

  /* The selector is checked before the database is opened, so a typo is
  ** reported with its column whatever the state of the database. */
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_selector_parse(
      kind->resource, args.selector_text ? args.selector_text : "",
      ATESQL_NUL_TERMINATED, &sel, &err);
  if (st != ATESQL_OK) return cli_fail(cli_exit_code(st), "%s", err.message);

  atesql_store *store = NULL;
  rc = cli_open_store(cli_db_url(db), &store);
  if (rc == EXIT_OK) {
    char *next = NULL;
    int64_t revision = -1;
    table *t = NULL;
    if (!args.json) t = show_table_new(kind->resource);
    if (!args.json && t == NULL)
      rc = cli_fail(EXIT_FAILURE_OTHER, "out of memory");
    else
      rc = list_pages(kind, store, sel, &args, t, &next, &revision);
    if (rc == EXIT_OK && t && !table_print(t, stdout, 0))
      rc = cli_fail(EXIT_FAILURE_OTHER, "out of memory");
    /* After the records, so they are the last thing a reader sees. */
    fflush(stdout);
    if (rc == EXIT_OK && revision >= 0 && args.page_token == NULL)
      fprintf(stderr, "revision=%lld\n", (long long)revision);
    if (rc == EXIT_OK && next) fprintf(stderr, "next_page_token=%s\n", next);
    free(next);
    table_free(t);
    cli_close_store(store);
  }
  atesql_selector_free(sel);
  return cli_finish_output(rc);
}
