/*
** Timing and timed samples, as every subcommand takes them: the clock
** (CLOCK_MONOTONIC, which every process of the machine shares), sleeping
** to a point of it, starting timed threads together, growable arrays of
** samples, and nearest-rank percentiles of sorted samples.
*/
#ifndef ATESQL_BENCH_SAMPLES_H
#define ATESQL_BENCH_SAMPLES_H

#include <pthread.h>
#include <stddef.h>

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);

/* Sleep until CLOCK_MONOTONIC reads t (seconds). */
void sleep_until(double t);

/* Wait at the barrier b, where timed threads and the thread that times
** them meet; dies on failure. */
void barrier_wait(pthread_barrier_t *b);

/*
** Append v (size bytes) to the growable array *items of *count elements
** (capacity *cap), doubling it when full. The caller frees *items; dies
** when memory runs out.
*/
void append(void **items, size_t *count, size_t *cap, size_t size,
            const void *v);

/* A qsort comparison of doubles, ascending. */
int compare_doubles(const void *a, const void *b);

/* The nearest-rank percentile p (0 < p <= 1) of sorted[0..n); 0 when n is
** 0. */
double percentile(const double *sorted, size_t n, double p);

#endif
