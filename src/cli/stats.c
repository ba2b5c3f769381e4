/*
** --stats: after the command, the statistics of the handle it used
** (atesql_store_stats), on stderr, so that they never mix with the
** command's output:
**
**   stats: worker_get calls=3 OK=2 NOT_FOUND=1 p50<2ms p99<4ms total=2.1ms
**   stats: statements=5 rows_read=12 cache_hits=3 cache_misses=2
**          retries=0 reconnects=0
**
** A percentile is the upper bound of the histogram bucket it falls in.
*/
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"

bool cli_stats;

/* The upper bound, in µs, of the bucket holding the q-th quantile. */
static uint64_t quantile_us(const atesql_call_stats *c, double q) {
  uint64_t want = (uint64_t)((double)c->calls * q + 0.999999), seen = 0;
  for (int i = 0; i < ATESQL_LATENCY_BUCKETS; i++) {
    seen += c->latency[i];
    if (seen >= want && c->latency[i]) return (uint64_t)1 << i;
  }
  return (uint64_t)1 << (ATESQL_LATENCY_BUCKETS - 1);
}

static void print_us(const char *label, uint64_t us) {
  if (us < 1000)
    fprintf(stderr, " %s%" PRIu64 "us", label, us);
  else
    fprintf(stderr, " %s%.1fms", label, (double)us / 1000.0);
}

static void print_stats(const atesql_stats *s) {
  for (int c = 0; c < ATESQL_CALL_COUNT; c++) {
    const atesql_call_stats *call = &s->calls[c];
    if (call->calls == 0) continue;
    fprintf(stderr, "stats: %s calls=%" PRIu64, atesql_call_name(c),
            call->calls);
    for (int st = 0; st < ATESQL_STATUS_COUNT; st++)
      if (call->by_status[st])
        fprintf(stderr, " %s=%" PRIu64, atesql_status_str(st),
                call->by_status[st]);
    print_us("p50<", quantile_us(call, 0.5));
    print_us("p99<", quantile_us(call, 0.99));
    print_us("total=", call->total_us);
    fputc('\n', stderr);
  }
  fprintf(stderr,
          "stats: statements=%" PRIu64 " rows_read=%" PRIu64
          " cache_hits=%" PRIu64 " cache_misses=%" PRIu64 " retries=%" PRIu64
          " reconnects=%" PRIu64 "\n",
          s->statements, s->rows_read, s->statement_cache_hits,
          s->statement_cache_misses, s->retries, s->reconnects);
}

void cli_close_store(atesql_store *store) {
  atesql_stats s;
  if (cli_stats && store && atesql_store_stats(store, &s) == ATESQL_OK) {
    progress_erase();
    print_stats(&s);
  }
  atesql_store_close(store);
}
