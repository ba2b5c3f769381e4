/*
** The handle's statistics and its trace hook (atesql/stats.h). Every
** public call of a handle runs between call_begin and call_end, which
** count it by operation and status, put its time in a power-of-two
** histogram and hand it to the trace hook; query.c counts statements,
** rows and the statement cache, and the driver its reconnects and busy
** waits.
*/
#include <string.h>

#include "store/store.h"
#include "util/clock.h"

static const char *const call_names[ATESQL_CALL_COUNT] = {
#define CALL_NAME(upper, lower) #lower,
    ATESQL_CALLS(CALL_NAME)
#undef CALL_NAME
};

const char *atesql_call_name(atesql_call call) {
  return (unsigned)call < ATESQL_CALL_COUNT ? call_names[call] : "unknown";
}

int64_t call_begin(atesql_store *s) {
  store_begin_call(s);
  s->last_statement = NULL;
  s->call_statements = s->stats.statements;
  return clock_now_ns();
}

/* The histogram bucket of a call of us microseconds (atesql/stats.h). */
static unsigned latency_bucket(uint64_t us) {
  unsigned b = us == 0 ? 0 : 64 - (unsigned)__builtin_clzll(us);
  return b < ATESQL_LATENCY_BUCKETS ? b : ATESQL_LATENCY_BUCKETS - 1;
}

atesql_status call_end(atesql_store *s, atesql_call op, int64_t start,
                       atesql_status st) {
  int64_t ns = clock_now_ns() - start;
  uint64_t us = ns > 0 ? (uint64_t)ns / 1000 : 0;
  atesql_call_stats *o = &s->stats.calls[op];
  o->calls++;
  if ((unsigned)st < ATESQL_STATUS_COUNT) o->by_status[st]++;
  o->latency[latency_bucket(us)]++;
  o->total_us += us;
  if (s->trace) {
    atesql_trace_event e = {
        .call = op,
        .call_name = call_names[op],
        .statement = s->last_statement ? s->last_statement
                     : s->stats.statements > s->call_statements ? call_names[op]
                                                                : "",
        .duration_ns = ns,
        .status = st,
        .message = st == ATESQL_OK ? "" : s->errmsg,
    };
    s->trace(s->trace_arg, &e);
  }
  return st;
}

/* The driver's counters now: what it has counted since the handle was
** opened. */
static void driver_counters(const atesql_store *s, uint64_t *reconnects,
                            uint64_t *retries) {
  *reconnects = *retries = 0;
  if (s->drv->counters) s->drv->counters(s->conn, reconnects, retries);
}

atesql_status atesql_store_stats(const atesql_store *s, atesql_stats *out) {
  if (s == NULL || out == NULL) return ATESQL_INVALID_ARGUMENT;
  *out = s->stats;
  uint64_t reconnects, retries;
  driver_counters(s, &reconnects, &retries);
  out->reconnects = reconnects - s->reconnects_before;
  out->retries = retries - s->retries_before;
  return ATESQL_OK;
}

void atesql_store_stats_reset(atesql_store *s) {
  if (s == NULL) return;
  memset(&s->stats, 0, sizeof s->stats);
  driver_counters(s, &s->reconnects_before, &s->retries_before);
}

void atesql_store_set_trace(atesql_store *s, atesql_trace_fn fn, void *arg) {
  if (s == NULL) return;
  s->trace = fn;
  s->trace_arg = arg;
}
