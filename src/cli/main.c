/*
** The atesql program: global options, then one command. Each command is a
** thin shell over the public API; this file only dispatches and holds the
** helpers every command shares.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: atesql [--db URL] COMMAND ...\n"
    "\n"
    "commands:\n"
    "  compile workers|actors SELECTOR [--dialect sqlite|postgres] [--json]\n"
    "      print the SQL WHERE fragment and parameters of a selector\n"
    "\n"
    "  --version   print the version\n"
    "  --help      print this help\n";

int cli_fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("atesql: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return code;
}

int cli_exit_code(atesql_status status) {
  switch (status) {
  case ATESQL_OK: return EXIT_OK;
  case ATESQL_INVALID_ARGUMENT: return EXIT_USAGE;
  case ATESQL_NOT_FOUND: return EXIT_NOT_FOUND;
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

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    fputs(usage, stdout);
    return EXIT_OK;
  }
  if (strcmp(cmd, "--version") == 0) {
    printf("atesql %s\n", atesql_version());
    return EXIT_OK;
  }
  if (strcmp(cmd, "compile") == 0) return cmd_compile(argc - 1, argv + 1);
  return cli_fail(EXIT_USAGE, "unknown command '%s'; run 'atesql --help'", cmd);
}
