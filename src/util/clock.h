/*
** The monotonic clock the drivers measure their deadlines against
** (util/clock.c).
*/
#ifndef ATESQL_UTIL_CLOCK_H
#define ATESQL_UTIL_CLOCK_H

#include <stdint.h>

/* Milliseconds on CLOCK_MONOTONIC: for intervals only. */
int64_t clock_now_ms(void);

/* Nanoseconds on CLOCK_MONOTONIC: for intervals only. */
int64_t clock_now_ns(void);

#endif /* ATESQL_UTIL_CLOCK_H */
