/*
** What main.c gives every part of atesql_bench, and what it takes from
** the subcommands: the fatal error that ends a run, and each subcommand's
** entry point.
*/
#ifndef ATESQL_BENCH_COMMON_H
#define ATESQL_BENCH_COMMON_H

#include <atesql/atesql.h>

/*
** Print "atesql_bench SUBCOMMAND: <message>" (printf format) on stderr and
** exit with status 1. stdout is flushed first, so that the message comes
** after whatever the run printed.
*/
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Die unless st is ATESQL_OK, naming what failed and s's message. */
void check(atesql_store *s, atesql_status st, const char *what);

/* The subcommands. argv[0] is the subcommand's name; each returns the
** program's exit status and dies on any failure. */
int lists_main(int argc, char **argv);
int claims_main(int argc, char **argv);
int watch_main(int argc, char **argv);
int stats_main(int argc, char **argv);

#endif
