/*
** What the libFuzzer harnesses share: the entry point's prototype, a check
** that aborts with a message (libFuzzer then saves the input as a crash),
** and the contract every error report of the library must meet.
*/
#ifndef ATESQL_TEST_LIBFUZZER_HARNESS_H
#define ATESQL_TEST_LIBFUZZER_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "atesql/types.h"

/* libFuzzer's entry point: each harness defines it. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "harness: what failed" with the printf-formatted detail to stderr,
** then abort(), which libFuzzer reports as a crash with the input. */
_Noreturn void harness_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Fail with the condition's text and location unless it holds. */
#define HARNESS_REQUIRE(cond)                                                  \
  do {                                                                         \
    if (!(cond))                                                               \
      harness_fail("%s:%d: %s does not hold", __FILE__, __LINE__, #cond);      \
  } while (0)

/*
** The contract of a failed call that reports through an atesql_error:
** the call returned `want` (INVALID_ARGUMENT for bad input), err->status
** says the same, and err->message is non-empty, NUL-terminated within
** ATESQL_ERROR_MESSAGE_MAX and one line: no control byte (newline, CR,
** tab, ...) and no trailing space. `what` names the call in the failure.
*/
void harness_check_error(const char *what, atesql_status got,
                         atesql_status want, const atesql_error *err);

/* True when msg (NUL-terminated, at most max bytes with the NUL) is a
** non-empty line without control bytes and without a trailing space. */
int harness_is_one_line(const char *msg, size_t max);

#endif /* ATESQL_TEST_LIBFUZZER_HARNESS_H */
