/*
** Running the atesql program from a test: arguments in, exit code, stdout
** and stderr out. Used by every CLI suite. A long-running command (watch)
** runs as a child whose stdout is read line by line while the test goes
** on, and is ended by a signal. Last, what several suites build on it: a
** database holding a fleet, and the check of an error report.
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

/* cli_run for another program, at path `program` (an example). */
cli_result cli_run_program(const char *program, const char *const *args,
                           const char *input);

void cli_result_free(cli_result *r);

typedef struct cli_child cli_child;

/* Start ATESQL_CLI_PATH with argv (as cli_run) and an empty stdin, and
** return at once. */
cli_child *cli_spawn(const char *const *args);

/* The child's next line on stdout, without its newline, waiting up to
** timeout_ms for it; NULL when none came in time or stdout closed. The
** caller frees it. */
char *cli_child_line(cli_child *child, int timeout_ms);

/* Send sig to the child (SIGSTOP, SIGCONT ...) and return. */
void cli_child_signal(cli_child *child, int sig);

/* Send sig to the child (0: none), wait for it to exit, and free it. The
** result's out holds the stdout no cli_child_line returned; err all of
** stderr. A child that sig does not end within 10 s is killed: its
** exit_code is then -1. */
cli_result cli_child_finish(cli_child *child, int sig);

/*
** A fresh database for test `name` of `suite`, named "<suite>_<name>" on
** the suite's backend (backend.h), migrated with `atesql migrate up` and
** holding the workers of workers_jsonl (`atesql workers import -`). The
** URL is static, overwritten by the next call.
*/
const char *cli_workers_db(const char *suite, const char *name,
                           const char *workers_jsonl);

/* Assert that the program exited with code and wrote exactly one line on
** stderr, starting "atesql: " and holding needle. */
void cli_assert_error(const cli_result *r, int code, const char *needle);

#endif /* ATESQL_TEST_CLI_RUN_H */
