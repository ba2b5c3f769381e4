/*
** The command line of a subcommand, parsed from a table: each option
** names where its value goes, what it takes and its line of the usage.
** Every subcommand has the common options (--json, --dir, --postgres,
** --backends) besides its own, and --help.
*/
#ifndef ATESQL_BENCH_OPTIONS_H
#define ATESQL_BENCH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

enum { COUNTS_MAX = 16 }; /* numbers one option may list */

/* A comma-separated list of numbers, as "1,4,8" gives it. */
typedef struct counts {
  size_t n[COUNTS_MAX];
  size_t count;
} counts;

typedef enum option_kind {
  OPT_FLAG,  /* bool: set when the option is given */
  OPT_TEXT,  /* const char *: the argument */
  OPT_INT,   /* long: an integer, min <= value <= max */
  OPT_REAL,  /* double: a number, min < value <= max */
  OPT_NAMES, /* bool[name_count]: set for each name listed, others cleared */
  OPT_COUNTS /* counts: integers, each min <= n <= max */
} option_kind;

typedef struct option_spec {
  const char *name; /* "--seconds" */
  option_kind kind;
  void *value;     /* where the value goes, of the kind's type */
  const char *arg; /* the argument in the usage: "S"; NULL for a flag */
  const char *help;
  double min, max;          /* OPT_INT, OPT_REAL, OPT_COUNTS */
  const char *const *names; /* OPT_NAMES */
  size_t name_count;
} option_spec;

/* The options every subcommand has. */
typedef struct common_options {
  bool json;            /* rows as JSON lines */
  const char *dir;      /* where the SQLite files' directory goes */
  const char *postgres; /* the server's key=value conninfo; NULL: none */
  const char *backends; /* the backends named; NULL: the default */
} common_options;

/* A subcommand's command line. */
typedef struct command {
  const char *name;     /* "claims" */
  const char *synopsis; /* what it measures, for the usage */
  const char *backends; /* the backends it offers, "sqlite,postgres" */
  const option_spec *options;
  size_t option_count;
} command;

/*
** Parse argv[1..argc) (argv[0] is the subcommand) into *common and the
** values cmd's options point to, which hold their defaults on entry. The
** default --dir is $TMPDIR, or /tmp. A mistake prints the usage and exits
** with status 2; --help prints it and exits with status 0.
*/
void parse_command_line(int argc, char **argv, const command *cmd,
                        common_options *common);

#endif
