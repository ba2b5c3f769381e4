/*
** Clock, knobs, PRNG and directory of the crash and concurrency suites
** (crash.h).
*/
#include "crash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t crash_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void crash_sleep_us(int64_t us) {
  if (us <= 0) return;
  struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

bool crash_long_mode(void) {
  const char *v = getenv("ATESQL_CRASH_LONG");
  return v && *v && strcmp(v, "0") != 0;
}

long crash_count(const char *name, long bounded_value, long long_value) {
  const char *v = getenv(name);
  if (v && *v) {
    char *end;
    long n = strtol(v, &end, 10);
    if (*end != '\0' || n <= 0) {
      fprintf(stderr, "%s must be a positive integer, got '%s'\n", name, v);
      exit(2);
    }
    return n;
  }
  return crash_long_mode() ? long_value : bounded_value;
}

uint64_t crash_seed(void) {
  const char *v = getenv("ATESQL_CRASH_SEED");
  if (v && *v) return strtoull(v, NULL, 10);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^
         ((uint64_t)getpid() << 32);
}

const char *crash_dir(void) {
  const char *d = getenv("ATESQL_TEST_DIR");
  return d && *d ? d : "/tmp";
}

uint64_t crash_rng_next(crash_rng *r) {
  uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

int64_t crash_rng_range(crash_rng *r, int64_t lo, int64_t hi) {
  uint64_t span = (uint64_t)(hi - lo) + 1;
  return lo + (int64_t)(crash_rng_next(r) % span);
}
