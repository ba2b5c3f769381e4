/*
** Measuring one workload on a group of implementations. After a warm-up,
** the implementations take turns, in rotating order, of about a
** millisecond of operations each, every operation timed with
** CLOCK_MONOTONIC, until each has its operations or has spent its time
** budget: on a machine shared with other work, a slow spell then slows
** every implementation alike instead of whichever happened to run in it.
** A separate pass per implementation then takes its peak resident memory
** (reset through /proc/self/clear_refs), which turns cannot tell apart.
*/
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists.h"

enum { TURN_US = 1000, MAX_TURN_OPS = 100, MEMORY_OPS = 50 };

/* A "VmXXX:" line of /proc/self/status in kB, or -1. */
static long status_kb(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  size_t len = strlen(field);
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, field, len) == 0) kb = strtol(line + len, NULL, 10);
  if (f) fclose(f);
  return kb;
}

static bool resets = true;

bool peak_rss_resets(void) { return resets; }

/* Return freed heap to the system and make the current RSS the peak, so
** that VmHWM afterwards is the peak since this call. */
static void reset_peak_rss(void) {
  malloc_trim(0);
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (f == NULL || fputs("5", f) < 0 || fclose(f) != 0) resets = false;
}

bool impl_answers(const impl *im, workload w, size_t page) {
  return im->ops[w] != NULL && (page == PAGE_ROWS || im->every_page);
}

/* One implementation's progress through a workload. */
typedef struct run {
  impl *im;
  size_t page;
  size_t seq; /* the next operation's number */
  double *latency_us;
  size_t timed;
  double rows, spent_s;
  size_t turn_ops;
} run;

/* The fleet r's implementation answers for: its own, or f. */
static const fleet *fleet_of_run(const fleet *f, const run *r) {
  return r->im->f ? r->im->f : f;
}

static size_t run_op(const fleet *f, run *r, workload w, bool timed) {
  op_args a;
  f = fleet_of_run(f, r);
  make_args(f, w, r->page, r->seq++, r->im->name, r->im->created, &a);
  double start = now_s();
  size_t rows = r->im->ops[w](r->im->ctx, &a, NULL);
  double took = now_s() - start;
  if (timed) {
    r->latency_us[r->timed++] = took * 1e6;
    r->rows += (double)rows;
    r->spent_s += took;
  }
  return rows;
}

/* Up to `ops` operations or `seconds`, at least one; returns the time
** they took. */
static double run_untimed(const fleet *f, run *r, workload w, size_t ops,
                          double seconds) {
  double start = now_s();
  for (size_t i = 0; i < ops && (i == 0 || now_s() - start < seconds); i++)
    run_op(f, r, w, false);
  return now_s() - start;
}

static bool finished(const run *r, const budget *b) {
  return r->timed >= b->ops ||
         (r->timed >= MIN_OPS && r->spent_s >= b->seconds);
}

static void summarize(const fleet *f, run *r, workload w, cell *out) {
  size_t n = r->timed;
  qsort(r->latency_us, n, sizeof *r->latency_us, compare_doubles);
  memset(out, 0, sizeof *out);
  out->workers = fleet_of_run(f, r)->workers;
  out->impl = r->im->name;
  out->w = w;
  out->page = r->page;
  out->ops = n;
  out->rows = r->rows / (double)n;
  out->p50_us = percentile(r->latency_us, n, 0.50);
  out->p99_us = percentile(r->latency_us, n, 0.99);
  out->ops_per_s = (double)n / r->spent_s;
}

/* The peak memory of a few more operations, alone in the process. */
static void measure_memory(const fleet *f, run *r, workload w, cell *out) {
  reset_peak_rss();
  long start_kb = status_kb("VmRSS:");
  run_untimed(f, r, w, MEMORY_OPS, 1.0);
  out->peak_rss_kb = status_kb("VmHWM:");
  out->rss_growth_kb = out->peak_rss_kb - start_kb;
}

size_t measure_workload(const fleet *f, impl **impls, size_t n, workload w,
                        size_t page, const budget *b, cell *out) {
  run runs[MEASURED_TOGETHER_MAX];
  size_t count = 0;
  size_t cap = b->ops > MIN_OPS ? b->ops : MIN_OPS;
  for (size_t i = 0; i < n && count < MEASURED_TOGETHER_MAX; i++) {
    if (!impl_answers(impls[i], w, page)) continue;
    run *r = &runs[count++];
    *r = (run){.im = impls[i],
               .page = page,
               .latency_us = malloc(cap * sizeof(double))};
    if (r->latency_us == NULL) die("out of memory");
    double took = run_untimed(f, r, w, WARMUP_OPS, 1.0);
    double mean_us = took * 1e6 / (double)r->seq;
    r->turn_ops = mean_us >= TURN_US ? 1 : (size_t)(TURN_US / mean_us);
    if (r->turn_ops > MAX_TURN_OPS) r->turn_ops = MAX_TURN_OPS;
  }
  /* Round r starts with implementation r mod count, so that each follows
  ** every other (and the caches it leaves) equally often. */
  for (size_t round = 0, busy = count; busy; round++) {
    busy = 0;
    for (size_t k = 0; k < count; k++) {
      run *r = &runs[(round + k) % count];
      for (size_t op = 0; op < r->turn_ops && !finished(r, b); op++)
        run_op(f, r, w, true);
      busy += !finished(r, b);
    }
  }
  for (size_t i = 0; i < count; i++) {
    summarize(f, &runs[i], w, &out[i]);
    measure_memory(f, &runs[i], w, &out[i]);
    if (w == WL_CREATE_WORKER) runs[i].im->created = runs[i].seq;
    free(runs[i].latency_us);
  }
  return count;
}
