/*
** Helpers shared by the crash and concurrency suites (tests/crash/): the
** monotonic clock, the knobs that switch a suite from its bounded CI mode
** to a long mode, a seeded PRNG, and the directory the suites write to.
** Nothing here uses cmocka, so it is safe in forked children.
**
** Knobs (environment):
**   ATESQL_CRASH_LONG=1   every suite runs its long mode
**   ATESQL_CRASH_SEED=N   the PRNG seed (default: from the clock; printed)
** and one count per suite, documented in the suite's opening comment.
*/
#ifndef ATESQL_TEST_CRASH_H
#define ATESQL_TEST_CRASH_H

#include <stdbool.h>
#include <stdint.h>

/* Microseconds on CLOCK_MONOTONIC. */
int64_t crash_now_us(void);

/* Sleep `us` microseconds (restarted when a signal interrupts it). */
void crash_sleep_us(int64_t us);

/* True when ATESQL_CRASH_LONG is set to anything but "" or "0". */
bool crash_long_mode(void);

/*
** The count named by environment variable `name` when it is set (a
** positive integer; anything else exits with a message), else `long_value`
** in long mode, else `bounded_value`.
*/
long crash_count(const char *name, long bounded_value, long long_value);

/* ATESQL_CRASH_SEED, or a seed from the clock and the pid. */
uint64_t crash_seed(void);

/* The directory for files: ATESQL_TEST_DIR, or /tmp. */
const char *crash_dir(void);

/* splitmix64: small, fast, good enough to pick operations and delays. */
typedef struct crash_rng {
  uint64_t state;
} crash_rng;

uint64_t crash_rng_next(crash_rng *r);

/* Uniform in lo..hi inclusive (hi >= lo). */
int64_t crash_rng_range(crash_rng *r, int64_t lo, int64_t hi);

#endif /* ATESQL_TEST_CRASH_H */
