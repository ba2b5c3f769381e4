/*
** What the commands of the atesql program share: exit codes, the one-line
** error report, option-parsing helpers, opening the store, and the
** commands themselves. Every command is `int cmd_NAME(const char *db, int
** argc, char **argv)`: db is the URL given with --db (NULL when none was),
** argv[0] the command's name, and the result the program's exit code. A
** resource's verb (`atesql workers list`) takes the resource's row of the
** kinds table first.
*/
#ifndef ATESQL_CLI_H
#define ATESQL_CLI_H

#include "atesql/atesql.h"
#include "progress.h"

enum {
  EXIT_OK = 0,
  EXIT_FAILURE_OTHER = 1, /* any failure not below */
  EXIT_USAGE = 2,         /* bad usage or invalid input */
  EXIT_NOT_FOUND = 3,
  EXIT_NO_CAPACITY = 4,  /* workers claim: no free worker fits */
  EXIT_COMPACTED = 5,    /* the events asked for were compacted: list again */
  EXIT_LOCK_NOT_HELD = 6 /* locks acquire: held by another; renew: not held */
};

/* --stats: the handle's statistics on stderr after the command. */
extern bool cli_stats;

/* Close a store cli_open_store opened, printing its statistics first
** under --stats (stats.c). */
void cli_close_store(atesql_store *store);

/* Print "atesql: <message>" as one line on stderr; returns code. */
int cli_fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The exit code for a failed call's status. */
int cli_exit_code(atesql_status status);

/* "workers", "actors", "atespaces" -> resource; 0 when unknown. */
atesql_resource cli_resource(const char *name);

/*
** The one-line report of a getopt_long failure, parsing with opterr = 0 and
** an optstring starting with ':': c is the '?' or ':' getopt_long returned.
** `usage` is the command's usage line. Returns EXIT_USAGE.
*/
int cli_bad_option(int c, char **argv, const char *usage);

struct option;

/* Take one option of a command: c is its value in the options table, arg
** its argument (NULL when it has none), ctx what cli_parse_options was
** given. Returns -1 to go on, else the exit code to stop with. */
typedef int (*cli_take_option)(int c, const char *arg, void *ctx);

/*
** Parse a command's options with getopt_long from argv[1]: --help (value
** 'h', which options must hold) prints the usage line, a bad option is
** reported (cli_bad_option), and every other option goes to take. Returns
** -1 to go on with the positional arguments from optind, or the exit code
** to return at once.
*/
int cli_parse_options(int argc, char **argv, const struct option *options,
                      const char *usage_line, cli_take_option take, void *ctx);

/* Report arg, a positional argument the command does not take, with the
** usage line. Returns EXIT_USAGE. */
int cli_unexpected_argument(const char *arg, const char *usage_line);

/* "90s", "15m", "24h", "500ms" or plain milliseconds, into *ms (> 0);
** false when text is none of these. */
bool cli_parse_duration(const char *text, int64_t *ms);

/* The database of commands that need one: db (from --db) when not NULL,
** else $ATESQL_DB when set and not empty, else "sqlite:atesql.db". */
const char *cli_db_url(const char *db);

/*
** Parse the options of a command whose only option is --help. Returns -1
** to go on with the positional arguments from optind, or the exit code to
** return at once (help printed, or a bad option reported).
*/
int cli_parse_help_only(int argc, char **argv, const char *usage_line);

/* Open the store at url into *out; on failure report it and return its
** exit code (an unmigrated schema's message names `atesql migrate up`). */
int cli_open_store(const char *url, atesql_store **out);

/* Flush stdout; a failed write is reported and turns rc into a failure. */
int cli_finish_output(int rc);

/* atesql compile workers|actors SELECTOR [--dialect D] [--json] */
int cmd_compile(const char *db, int argc, char **argv);

/* atesql migrate up|status */
int cmd_migrate(const char *db, int argc, char **argv);

/*
** The verbs of `atesql RESOURCE VERB ...` (main.c's verb table says which
** resources each accepts): kind is the resource's row of the kinds table
** (kinds.h), argv[0] the verb.
*/
typedef struct cli_kind cli_kind;

/* atesql RESOURCE list [--selector S] [--limit N] [--page-token T] [--json] */
int cmd_list(const cli_kind *kind, const char *db, int argc, char **argv);

/* atesql RESOURCE get KEY... [--json] */
int cmd_get(const cli_kind *kind, const char *db, int argc, char **argv);

/* atesql RESOURCE import [FILE|-] */
int cmd_import(const cli_kind *kind, const char *db, int argc, char **argv);

/* atesql workers claim ... and atesql workers release ... (claim.c) */
int cmd_claim(const cli_kind *kind, const char *db, int argc, char **argv);
int cmd_release(const cli_kind *kind, const char *db, int argc, char **argv);

/* Split key in place at '/' into exactly n parts; false when it has
** another number of parts (get.c). */
bool cli_split_key(char *key, size_t n, char **parts);

/* atesql explain workers|actors|atespaces SELECTOR */
int cmd_explain(const char *db, int argc, char **argv);

/* atesql watch workers [--selector S] [--since REV] [--json]
** [--timeout-ms N] (watch.c) */
int cmd_watch(const char *db, int argc, char **argv);

/* atesql compact [--revision R] [--keep-revisions N] [--keep DURATION] */
int cmd_compact(const char *db, int argc, char **argv);

/* atesql analyze */
int cmd_analyze(const char *db, int argc, char **argv);

/* atesql locks list|acquire|renew|release ... (locks.c) */
int cmd_locks(const char *db, int argc, char **argv);

#endif /* ATESQL_CLI_H */
