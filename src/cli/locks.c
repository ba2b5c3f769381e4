/*
** `atesql locks list|acquire|renew|release`: thin shells over lock.h.
** list prints the held locks as a table (key, holder value, token, expiry
** on the database clock and the time left); acquire and renew print the
** lock's fencing token alone on stdout, for a script to keep, and exit 6
** when the lock is held by another (acquire) or no longer held (renew);
** release prints whether it released, and a lock not held is no error.
*/
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "table.h"

static const char list_usage[] = "atesql locks list";
static const char acquire_usage[] =
    "atesql locks acquire KEY VALUE --ttl DURATION";
static const char renew_usage[] = "atesql locks renew KEY VALUE --ttl DURATION";
static const char release_usage[] = "atesql locks release KEY VALUE";

/* "2030-01-02T03:04:05.678Z": ms since the epoch, UTC, into buf. */
static void format_time(char *buf, size_t size, int64_t ms) {
  time_t secs = (time_t)(ms / 1000);
  struct tm tm;
  if (gmtime_r(&secs, &tm) == NULL) {
    snprintf(buf, size, "%" PRId64 "ms", ms);
    return;
  }
  char day[32];
  strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, size, "%s.%03dZ", day, (int)(ms % 1000));
}

/* The held locks as a table; "no locks held" when there are none. */
static int print_locks(const atesql_lock_list *list) {
  if (list->count == 0) {
    puts("no locks held");
    return EXIT_OK;
  }
  static const char *const headers[] = {"KEY", "VALUE", "TOKEN", "EXPIRES",
                                        "LEFT"};
  table *t = table_new(headers, 5);
  if (t == NULL) return cli_fail(EXIT_FAILURE_OTHER, "out of memory");
  for (size_t i = 0; i < list->count; i++) {
    const atesql_lock_info *l = &list->items[i];
    char expires[48];
    format_time(expires, sizeof expires, l->expires_at_ms);
    int64_t left = l->expires_at_ms - list->now_ms;
    table_cell(t, l->key);
    table_cell(t, l->value);
    table_cellf(t, "%" PRId64, l->token);
    table_cell(t, expires);
    table_cellf(t, "%" PRId64 ".%03" PRId64 "s", left / 1000, left % 1000);
  }
  bool ok = table_print(t, stdout, 0);
  table_free(t);
  return ok ? EXIT_OK : cli_fail(EXIT_FAILURE_OTHER, "out of memory");
}

static int locks_list(const char *db, int argc, char **argv) {
  int rc = cli_parse_help_only(argc, argv, list_usage);
  if (rc >= 0) return rc;
  if (optind != argc) return cli_unexpected_argument(argv[optind], list_usage);
  atesql_store *store = NULL;
  rc = cli_open_store(cli_db_url(db), &store);
  if (rc == EXIT_OK) {
    atesql_lock_list *list = NULL;
    atesql_status st = atesql_lock_list_held(store, &list);
    rc = st == ATESQL_OK
             ? print_locks(list)
             : cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
    atesql_lock_list_free(list);
  }
  atesql_store_close(store);
  return rc;
}

/* --ttl into the int64_t at ctx (cli_take_option). */
static int take_ttl(int c, const char *arg, void *ctx) {
  (void)c;
  if (!cli_parse_duration(arg, ctx))
    return cli_fail(EXIT_USAGE,
                    "--ttl takes a duration such as 30s, 15m, 24h or "
                    "milliseconds, not '%s'",
                    arg);
  return -1;
}

/* The lock writes that take a TTL and answer a token. */
typedef atesql_status (*token_write)(atesql_store *, const char *, const char *,
                                     int64_t, bool *, int64_t *);

/*
** acquire or renew: KEY VALUE --ttl DURATION; prints the token, or fails
** with EXIT_LOCK_NOT_HELD and `refusal` (printf of key, value) when the
** write did not happen.
*/
static int token_command(const char *db, int argc, char **argv,
                         const char *usage_line, token_write call,
                         const char *refusal) {
  static const struct option options[] = {
      {"ttl", required_argument, NULL, 't'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int64_t ttl_ms = 0;
  int rc =
      cli_parse_options(argc, argv, options, usage_line, take_ttl, &ttl_ms);
  if (rc >= 0) return rc;
  if (argc - optind != 2 || ttl_ms == 0)
    return cli_fail(EXIT_USAGE, "usage: %s", usage_line);
  const char *key = argv[optind], *value = argv[optind + 1];
  atesql_store *store = NULL;
  rc = cli_open_store(cli_db_url(db), &store);
  if (rc == EXIT_OK) {
    bool done = false;
    int64_t token = 0;
    atesql_status st = call(store, key, value, ttl_ms, &done, &token);
    if (st != ATESQL_OK)
      rc = cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
    else if (!done)
      rc = cli_fail(EXIT_LOCK_NOT_HELD, refusal, key, value);
    else
      printf("%" PRId64 "\n", token);
  }
  atesql_store_close(store);
  return rc;
}

static int locks_release(const char *db, int argc, char **argv) {
  int rc = cli_parse_help_only(argc, argv, release_usage);
  if (rc >= 0) return rc;
  if (argc - optind != 2)
    return cli_fail(EXIT_USAGE, "usage: %s", release_usage);
  const char *key = argv[optind], *value = argv[optind + 1];
  atesql_store *store = NULL;
  rc = cli_open_store(cli_db_url(db), &store);
  if (rc == EXIT_OK) {
    bool released = false;
    atesql_status st = atesql_lock_release(store, key, value, &released);
    if (st != ATESQL_OK)
      rc = cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
    else if (released)
      printf("released %s\n", key);
    else
      printf("%s is not held by %s; nothing to release\n", key, value);
  }
  atesql_store_close(store);
  return rc;
}

int cmd_locks(const char *db, int argc, char **argv) {
  const char *verb = argc >= 2 ? argv[1] : "";
  int rc;
  if (strcmp(verb, "list") == 0)
    rc = locks_list(db, argc - 1, argv + 1);
  else if (strcmp(verb, "acquire") == 0)
    rc = token_command(db, argc - 1, argv + 1, acquire_usage,
                       atesql_lock_acquire_token,
                       "lock '%s' is held by another owner; '%s' did not "
                       "acquire it");
  else if (strcmp(verb, "renew") == 0)
    rc = token_command(db, argc - 1, argv + 1, renew_usage, atesql_lock_renew,
                       "lock '%s' is not held by '%s' (expired, released "
                       "or taken); acquire it again");
  else if (strcmp(verb, "release") == 0)
    rc = locks_release(db, argc - 1, argv + 1);
  else if (argc < 2)
    return cli_fail(EXIT_USAGE,
                    "usage: atesql locks list|acquire|renew|release ...");
  else
    return cli_fail(EXIT_USAGE,
                    "unknown locks command '%s'; expected list, acquire, "
                    "renew or release",
                    verb);
  return cli_finish_output(rc);
}
