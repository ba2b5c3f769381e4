/*
** Timing and timed samples: the clock, sleeping to a point of it,
** barriers, growable arrays and percentiles. samples.h says what each
** function does.
*/
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "samples.h"

double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void sleep_until(double t) {
  struct timespec ts = {.tv_sec = (time_t)t,
                        .tv_nsec = (long)((t - floor(t)) * 1e9)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

void barrier_wait(pthread_barrier_t *b) {
  int rc = pthread_barrier_wait(b);
  if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
    die("pthread_barrier_wait: %s", strerror(rc));
}

void append(void **items, size_t *count, size_t *cap, size_t size,
            const void *v) {
  if (*count == *cap) {
    *cap = *cap ? 2 * *cap : 4096;
    *items = realloc(*items, *cap * size);
    if (*items == NULL) die("out of memory");
  }
  memcpy((char *)*items + *count * size, v, size);
  (*count)++;
}

int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The rank is rounded up, but not past a product that floating point
** left a hair above an integer (0.99 * 2000 is the 1980th value). */
double percentile(const double *sorted, size_t n, double p) {
  if (n == 0) return 0;
  size_t rank = (size_t)(p * (double)n + 0.999999);
  return sorted[rank ? rank - 1 : 0];
}
