/*
** atesql_bench: the benchmarks of atesql, one subcommand each. main picks
** the subcommand named first and runs it; die() names it in every fatal
** message. bench/run builds this program, starts the servers a subcommand
** needs and runs it; docs/BENCHMARKS.md explains what each one measures.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

typedef struct subcommand {
  const char *name;
  int (*main)(int argc, char **argv);
  const char *what;
} subcommand;

static const subcommand subcommands[] = {
    {"lists", lists_main,
     "lists, counts, gets and writes on fleets of 10k to 10M workers, "
     "against bare drivers, a scan, Redis and in-memory caches"},
    {"claims", claims_main,
     "worker assignment by concurrent claimers, against the upstream "
     "list-pick-update pattern"},
    {"watch", watch_main,
     "the workers' change feed: delivery latency, and what it costs the "
     "writers"},
    {"stats", stats_main,
     "what a handle's statistics and trace hook cost a SQLite get"},
};

enum { SUBCOMMANDS = sizeof subcommands / sizeof subcommands[0] };

/* "atesql_bench" and, once chosen, the subcommand: die()'s prefix. */
static char running[64] = "atesql_bench";

void die(const char *fmt, ...) {
  va_list ap;
  fflush(stdout);
  fprintf(stderr, "%s: ", running);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

void check(atesql_store *s, atesql_status st, const char *what) {
  if (st != ATESQL_OK)
    die("%s: %s: %s", what, atesql_status_str(st), atesql_errmsg(s));
}

static void usage(void) __attribute__((noreturn));

static void usage(void) {
  fputs("usage: atesql_bench SUBCOMMAND [OPTION...]\n", stderr);
  for (size_t i = 0; i < SUBCOMMANDS; i++)
    fprintf(stderr, "  %-7s %s\n", subcommands[i].name, subcommands[i].what);
  fputs("atesql_bench SUBCOMMAND --help lists the subcommand's options.\n",
        stderr);
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  for (size_t i = 0; i < SUBCOMMANDS; i++) {
    if (strcmp(argv[1], subcommands[i].name) != 0) continue;
    snprintf(running, sizeof running, "atesql_bench %s", argv[1]);
    return subcommands[i].main(argc - 1, argv + 1);
  }
  usage();
}
