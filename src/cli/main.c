/*
** The atesql program: global options, then one command, or a resource and
** one of its verbs. Each command is a thin shell over the public API; this
** file only dispatches (the command table, the verb table) and holds the
** helpers every command shares.
*/
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kinds.h"

static const char usage[] =
    "usage: atesql [--db URL] [--quiet] [--stats] COMMAND ...\n"
    "\n"
    "commands:\n"
    "  migrate up|status\n"
    "      apply pending schema migrations, or show which are applied\n"
    "  workers|actors|atespaces list [--selector S] [--limit N]\n"
    "                                [--page-token T] [--json]\n"
    "      list records (all pages, or one page of N with --limit); a\n"
    "      workers listing from its first page writes revision=N on stderr\n"
    "  workers get NAMESPACE/POOL/POD...  [--json]\n"
    "  actors get ATESPACE/ACTOR_ID...    [--json]\n"
    "  atespaces get NAME...              [--json]\n"
    "      show records by key\n"
    "  workers|actors|atespaces import [FILE|-]\n"
    "      create the records of a JSON-lines file (protojson documents),\n"
    "      all or nothing, each at its document's version (1 without one)\n"
    "  workers claim --pool NS/POOL... --actor ATESPACE/ID [--selector S]\n"
    "                [--actor-namespace NS] [--actor-template T]\n"
    "                [--prefer-node N]... [--require-preferred] [--json]\n"
    "      give the actor a free worker of the pools, atomically (the one\n"
    "      it holds already, if any), preferred nodes first\n"
    "  workers release NAMESPACE/POOL/POD --actor ATESPACE/ID\n"
    "      free the worker if the actor still holds it\n"
    "  watch workers [--selector S] [--since REV] [--json] [--timeout-ms N]\n"
    "      print each change of the workers a selector picks, as it is\n"
    "      committed, until SIGINT or SIGTERM (or N ms without one): from\n"
    "      now, or every change after revision REV (0: all kept). A line:\n"
    "        REV TYPE NS/POOL/POD node=N ip=IP actor=ATESPACE/ID version=V\n"
    "      then labels=k=v,... when the worker has labels.\n"
    "      TYPE is CREATED, UPDATED or DELETED as the selector sees it (a\n"
    "      worker updated out of it is DELETED); change=UPDATED follows\n"
    "      when the store's change differs. --json: one object a line,\n"
    "      {revision, type, change, committedAtMs, worker, previous}\n"
    "  compact [--revision R] [--keep-revisions N] [--keep DURATION]\n"
    "      remove the change events up to revision R, all but the last N,\n"
    "      or those older than DURATION (90s, 15m, 24h, or ms); with\n"
    "      several, only what every one of them removes\n"
    "  analyze\n"
    "      refresh the statistics the database plans lists with (import and\n"
    "      migrate up do it on their own; run it after other bulk changes)\n"
    "  locks list\n"
    "      show the held locks: key, holder value, fencing token, expiry\n"
    "      on the database clock, time left\n"
    "  locks acquire KEY VALUE --ttl DURATION\n"
    "      take the lock if free or expired and print its fencing token\n"
    "      (it grows with every acquisition of KEY); exit 6 when held\n"
    "  locks renew KEY VALUE --ttl DURATION\n"
    "      extend the lock VALUE holds to DURATION from now and print its\n"
    "      token; exit 6 when VALUE no longer holds it. A long workflow\n"
    "      renews every TTL/3\n"
    "  locks release KEY VALUE\n"
    "      free the lock if VALUE holds it\n"
    "  compile workers|actors SELECTOR [--dialect sqlite|postgres] [--json]\n"
    "      print the SQL WHERE fragment and parameters of a selector\n"
    "  explain workers|actors|atespaces SELECTOR\n"
    "      show the statement a list runs, the database's plan and whether\n"
    "      it searches an index\n"
    "\n"
    "options:\n"
    "  --db URL    sqlite:PATH, postgres://... (default: $ATESQL_DB, then\n"
    "              sqlite:atesql.db)\n"
    "  --quiet     no progress lines (drawn on stderr when it is a terminal,\n"
    "              for import, migrate up and compact)\n"
    "  --stats     after the command, the statistics of the store handle\n"
    "              it used, on stderr: calls by operation and status,\n"
    "              latency, statements, rows read, statement cache,\n"
    "              retries, reconnects\n"
    "  --version   print the version and the schema version it migrates to\n"
    "  --help      print this help\n"
    "\n"
    "exit codes: 0 success, 2 usage or invalid input, 3 not found,\n"
    "            4 no free worker (claim), 5 events compacted (watch, list:\n"
    "            list again), 6 lock held by another (locks acquire) or no\n"
    "            longer held (locks renew), 1 other\n";

typedef struct command {
  const char *name;
  int (*run)(const char *db, int argc, char **argv);
} command;

static const command commands[] = {
    {"migrate", cmd_migrate}, {"compile", cmd_compile},
    {"explain", cmd_explain}, {"watch", cmd_watch},
    {"compact", cmd_compact}, {"analyze", cmd_analyze},
    {"locks", cmd_locks},
};

/* A set of resources, one bit per atesql_resource. */
#define KIND(resource) (1u << (resource))
#define ALL_KINDS                                                              \
  (KIND(ATESQL_RESOURCE_WORKERS) | KIND(ATESQL_RESOURCE_ACTORS) |              \
   KIND(ATESQL_RESOURCE_ATESPACES))

/* A verb of `atesql RESOURCE VERB ...` and the resources it accepts. */
typedef struct verb {
  const char *name;
  int (*run)(const cli_kind *kind, const char *db, int argc, char **argv);
  unsigned kinds;
} verb;

static const verb verbs[] = {
    {"list", cmd_list, ALL_KINDS},
    {"get", cmd_get, ALL_KINDS},
    {"import", cmd_import, ALL_KINDS},
    {"claim", cmd_claim, KIND(ATESQL_RESOURCE_WORKERS)},
    {"release", cmd_release, KIND(ATESQL_RESOURCE_WORKERS)},
};

enum { VERB_COUNT = sizeof verbs / sizeof verbs[0] };

/* Whether v is a verb of kind's resource. */
static bool accepts(const verb *v, const cli_kind *kind) {
  return (v->kinds & KIND(kind->resource)) != 0;
}

/* "list, get or import": the verbs kind accepts, into out (size bytes). */
static void accepted_verbs(const cli_kind *kind, char *out, size_t size) {
  const char *names[VERB_COUNT];
  size_t n = 0, len = 0;
  for (size_t i = 0; i < VERB_COUNT; i++)
    if (accepts(&verbs[i], kind)) names[n++] = verbs[i].name;
  out[0] = '\0';
  for (size_t i = 0; i < n && len < size; i++) {
    const char *sep = i == 0 ? "" : i + 1 < n ? ", " : " or ";
    len += (size_t)snprintf(out + len, size - len, "%s%s", sep, names[i]);
  }
}

/* atesql RESOURCE VERB ...: argv[0] is the resource, kind its row of the
** kinds table. Runs the verb's command, or reports a verb kind does not
** accept. Returns the exit code. */
static int run_verb(const cli_kind *kind, const char *db, int argc,
                    char **argv) {
  if (argc < 2)
    return cli_fail(EXIT_USAGE, "usage: atesql %s list|get|import ...",
                    argv[0]);
  for (size_t i = 0; i < VERB_COUNT; i++)
    if (accepts(&verbs[i], kind) && strcmp(verbs[i].name, argv[1]) == 0)
      return verbs[i].run(kind, db, argc - 1, argv + 1);
  char expected[128];
  accepted_verbs(kind, expected, sizeof expected);
  return cli_fail(EXIT_USAGE, "unknown %s command '%s'; expected %s",
                  kind->plural, argv[1], expected);
}

/* Errors are one line on stderr: a newline or other control byte in the
** user's text (a file name, a key) is shown as a space or '?'. */
int cli_fail(int code, const char *fmt, ...) {
  char line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  for (char *p = line; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '\n' || c == '\r' || c == '\t')
      *p = ' ';
    else if (c < 0x20 || c == 0x7f)
      *p = '?';
  }
  progress_erase();
  fprintf(stderr, "atesql: %s\n", line);
  return code;
}

int cli_exit_code(atesql_status status) {
  switch (status) {
  case ATESQL_OK: return EXIT_OK;
  case ATESQL_INVALID_ARGUMENT: return EXIT_USAGE;
  case ATESQL_NOT_FOUND: return EXIT_NOT_FOUND;
  case ATESQL_RESOURCE_EXHAUSTED: return EXIT_NO_CAPACITY;
  case ATESQL_COMPACTED: return EXIT_COMPACTED;
  default: return EXIT_FAILURE_OTHER;
  }
}

atesql_resource cli_resource(const char *name) {
  static const atesql_resource all[] = {ATESQL_RESOURCE_WORKERS,
                                        ATESQL_RESOURCE_ACTORS,
                                        ATESQL_RESOURCE_ATESPACES};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (strcmp(atesql_resource_name(all[i]), name) == 0) return all[i];
  return 0;
}

int cli_bad_option(int c, char **argv, const char *usage_line) {
  /* A long option is the argument getopt_long just passed (cut at '=');
  ** anything else is a short option, named by optopt. */
  const char *arg = argv[optind - 1];
  char name[64];
  if (strncmp(arg, "--", 2) == 0)
    snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="), arg);
  else
    snprintf(name, sizeof name, "-%c", optopt);
  if (c == ':')
    return cli_fail(EXIT_USAGE, "option '%s' needs a value; usage: %s", name,
                    usage_line);
  if (optopt && strchr(arg, '='))
    return cli_fail(EXIT_USAGE, "option '%s' takes no value; usage: %s", name,
                    usage_line);
  return cli_fail(EXIT_USAGE, "unknown option '%s'; usage: %s", name,
                  usage_line);
}

int cli_parse_options(int argc, char **argv, const struct option *options,
                      const char *usage_line, cli_take_option take, void *ctx) {
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
    if (c == 'h') {
      printf("usage: %s\n", usage_line);
      return EXIT_OK;
    }
    int rc = c == '?' || c == ':' ? cli_bad_option(c, argv, usage_line)
                                  : take(c, optarg, ctx);
    if (rc >= 0) return rc;
  }
  return -1;
}

int cli_unexpected_argument(const char *arg, const char *usage_line) {
  return cli_fail(EXIT_USAGE, "unexpected argument '%s'; usage: %s", arg,
                  usage_line);
}

const char *cli_db_url(const char *db) {
  if (db) return db;
  const char *env = getenv("ATESQL_DB");
  return env && env[0] ? env : "sqlite:atesql.db";
}

int cli_open_store(const char *url, atesql_store **out) {
  atesql_error err = {0};
  atesql_status st = atesql_store_open(url, out, &err);
  if (st == ATESQL_OK) return EXIT_OK;
  return cli_fail(cli_exit_code(st), "%s", err.message);
}

int cli_finish_output(int rc) {
  if (fflush(stdout) != 0 || ferror(stdout))
    return cli_fail(EXIT_FAILURE_OTHER, "cannot write output");
  return rc;
}

int main(int argc, char **argv) {
  const char *db = NULL;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      fputs(usage, stdout);
      return EXIT_OK;
    }
    if (strcmp(arg, "--version") == 0) {
      printf("atesql %s (schema %lld)\n", atesql_version(),
             (long long)atesql_schema_version());
      return EXIT_OK;
    }
    if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
      progress_quiet = true;
    } else if (strcmp(arg, "--stats") == 0) {
      cli_stats = true;
    } else if (strncmp(arg, "--db=", 5) == 0) {
      db = arg + 5;
    } else if (strcmp(arg, "--db") == 0) {
      if (i + 1 == argc)
        return cli_fail(EXIT_USAGE, "option '--db' needs a URL");
      db = argv[++i];
    } else {
      return cli_fail(EXIT_USAGE, "unknown option '%s'; run 'atesql --help'",
                      arg);
    }
  }
  if (i == argc)
    return cli_fail(EXIT_USAGE, "no command given; run 'atesql --help'");
  const char *name = argv[i];
  if (strcmp(name, "help") == 0) {
    fputs(usage, stdout);
    return EXIT_OK;
  }
  const cli_kind *kind = cli_kind_by_name(name);
  if (kind) return run_verb(kind, db, argc - i, argv + i);
  for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
    if (strcmp(commands[k].name, name) == 0)
      return commands[k].run(db, argc - i, argv + i);
  return cli_fail(EXIT_USAGE, "unknown command '%s'; run 'atesql --help'",
                  name);
}

/* "90s", "15m", "24h", "500ms" or plain milliseconds, into *ms (> 0). */
bool cli_parse_duration(const char *text, int64_t *ms) {
  static const struct {
    const char *suffix;
    int64_t ms;
  } units[] = {{"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  size_t digits = strspn(text, "0123456789");
  if (digits == 0 || digits > 18) return false;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    if (strcmp(text + digits, units[i].suffix) != 0) continue;
    int64_t n = strtoll(text, NULL, 10);
    if (n == 0 || n > INT64_MAX / units[i].ms) return false;
    *ms = n * units[i].ms;
    return true;
  }
  return false;
}

/* --help is the only option, so take is never called. */
int cli_parse_help_only(int argc, char **argv, const char *usage_line) {
  static const struct option options[] = {
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  return cli_parse_options(argc, argv, options, usage_line, NULL, NULL);
}
