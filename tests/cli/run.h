/*
** Running the atesql program from a test: arguments in, exit code, stdout
** and stderr out. Used by every CLI suite.
*/
#ifndef ATESQL_TEST_CLI_RUN_H
#define ATESQL_TEST_CLI_RUN_H

typedef struct cli_result {
  int exit_code; /* -1 when the program did not exit normally */
  char *out;     /* everything written to stdout, NUL-terminated */
  char *err;     /* everything written to stderr, NUL-terminated */
} cli_result;

/* Run ATESQL_CLI_PATH with argv (NULL-terminated, without argv[0]) and
** `input` on stdin (NULL: empty). Aborts the test on a spawn failure. */
cli_result cli_run(const char *const *args, const char *input);

void cli_result_free(cli_result *r);

#endif /* ATESQL_TEST_CLI_RUN_H */
