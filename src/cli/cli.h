/*
** What the commands of the atesql program share: exit codes, the one-line
** error report, and the mapping of names on the command line to API values.
*/
#ifndef ATESQL_CLI_H
#define ATESQL_CLI_H

#include "atesql/atesql.h"

enum {
  EXIT_OK = 0,
  EXIT_FAILURE_OTHER = 1, /* any failure not below */
  EXIT_USAGE = 2,         /* bad usage or invalid input */
  EXIT_NOT_FOUND = 3
};

/* Print "atesql: <message>" as one line on stderr; returns code. */
int cli_fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The exit code for a failed call's status. */
int cli_exit_code(atesql_status status);

/* "workers", "actors", "atespaces" -> resource; 0 when unknown. */
atesql_resource cli_resource(const char *name);

/* atesql compile workers|actors SELECTOR [--dialect D] [--json] */
int cmd_compile(int argc, char **argv);

#endif /* ATESQL_CLI_H */
