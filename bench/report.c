/*
** The benchmark's output: each cell as it finishes (a table row, or one
** JSON object per line), and after a table the ratios of p50 latencies the
** benchmark exists for (atesql/raw, scan/atesql, redis/atesql) and the
** targets of docs/BENCHMARKS.md, each met or missed.
*/
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* Memory "does not grow with N" when the largest size's cell grows the
** process by at most this much more than the smallest size's. */
enum { MEMORY_SLACK_KB = 512 };

void report_header(bool json, const char *environment) {
  if (json) {
    fprintf(stderr, "# %s\n", environment);
    return;
  }
  printf("# %s\n", environment);
  printf("%8s  %-8s  %-18s  %-6s  %5s  %8s  %10s  %10s  %10s  %11s  %9s\n", "N",
         "backend", "workload", "impl", "ops", "rows", "p50_us", "p99_us",
         "ops/s", "peak_rss_kb", "growth_kb");
}

void report_cell(bool json, const cell *c) {
  if (json)
    printf("{\"n\":%zu,\"backend\":\"%s\",\"workload\":\"%s\",\"impl\":\"%s\","
           "\"ops\":%zu,\"rows\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
           "\"ops_per_s\":%.1f,\"peak_rss_kb\":%ld,\"rss_growth_kb\":%ld}\n",
           c->workers, c->backend, workload_names[c->w], c->impl, c->ops,
           c->rows, c->p50_us, c->p99_us, c->ops_per_s, c->peak_rss_kb,
           c->rss_growth_kb);
  else
    printf("%8zu  %-8s  %-18s  %-6s  %5zu  %8.1f  %10.1f  %10.1f  %10.1f  "
           "%11ld  %9ld\n",
           c->workers, c->backend, workload_names[c->w], c->impl, c->ops,
           c->rows, c->p50_us, c->p99_us, c->ops_per_s, c->peak_rss_kb,
           c->rss_growth_kb);
  fflush(stdout);
}

typedef struct cells {
  const cell *items;
  size_t count;
} cells;

static const cell *find(cells all, size_t workers, const char *backend,
                        workload w, const char *impl_name) {
  for (size_t i = 0; i < all.count; i++) {
    const cell *c = &all.items[i];
    if (c->workers == workers && c->w == w &&
        strcmp(c->backend, backend) == 0 && strcmp(c->impl, impl_name) == 0)
      return c;
  }
  return NULL;
}

/* p50(a) / p50(b), or -1 when either was not measured. */
static double ratio(const cell *a, const cell *b) {
  return a && b && b->p50_us > 0 ? a->p50_us / b->p50_us : -1;
}

static void print_ratio(double r) {
  if (r < 0)
    printf("  %12s", "-");
  else
    printf("  %12.2f", r);
}

static const char *const sql_backends[] = {"sqlite", "postgres"};

static void report_ratios(cells all) {
  printf("\nRatios of p50 latencies\n%8s  %-18s  %-8s  %12s  %12s  %12s\n", "N",
         "workload", "backend", "atesql/raw", "scan/atesql", "redis/atesql");
  for (size_t i = 0; i < all.count; i++) {
    const cell *c = &all.items[i];
    if (strcmp(c->impl, "atesql") != 0) continue;
    printf("%8zu  %-18s  %-8s", c->workers, workload_names[c->w], c->backend);
    print_ratio(ratio(c, find(all, c->workers, c->backend, c->w, "raw")));
    print_ratio(ratio(find(all, c->workers, c->backend, c->w, "scan"), c));
    print_ratio(ratio(find(all, c->workers, "redis", c->w, "redis"), c));
    printf("\n");
  }
}

static void print_verdict(double value, double limit, bool at_most) {
  if (value < 0)
    printf("not measured\n");
  else if (at_most ? value <= limit : value >= limit)
    printf("met\n");
  else if (at_most)
    printf("MISSED by %.1f%%\n", (value / limit - 1) * 100);
  else
    printf("MISSED (%.0f, not %.0f)\n", value, limit);
}

/* atesql/raw of each indexed list and of the get: the worst over the
** sizes. */
static void target_overhead(cells all, const char *backend, double limit) {
  printf("  atesql/raw <= %.2f on %s (worst size):\n", limit, backend);
  for (workload w = 0; w < WL_COUNT; w++) {
    if (!workload_is_list(w) && w != WL_GET_WORKER) continue;
    const cell *worst = NULL;
    double worst_ratio = -1;
    for (size_t i = 0; i < all.count; i++) {
      const cell *c = &all.items[i];
      if (c->w != w || strcmp(c->backend, backend) != 0 ||
          strcmp(c->impl, "atesql") != 0)
        continue;
      double r = ratio(c, find(all, c->workers, backend, w, "raw"));
      if (r > worst_ratio) worst_ratio = r, worst = c;
    }
    printf("    %-18s  ", workload_names[w]);
    if (worst) printf("%.2f (N=%zu)  ", worst_ratio, worst->workers);
    print_verdict(worst_ratio, limit, true);
  }
}

/* Pages that hold about as many rows (within 5%) ask questions of the same
** size; a page that is half full at a small N is not one. */
static bool same_page_fill(const cell *a, const cell *b) {
  double d = a->rows - b->rows;
  return (d < 0 ? -d : d) <= 0.05 * b->rows;
}

/* The atesql cell of w at the smallest size whose page fill equals c's. */
static const cell *scaling_base(cells all, const cell *c) {
  const cell *base = c;
  for (size_t i = 0; i < all.count; i++) {
    const cell *b = &all.items[i];
    if (b->w == c->w && strcmp(b->backend, c->backend) == 0 &&
        strcmp(b->impl, "atesql") == 0 && b->workers < base->workers &&
        same_page_fill(b, c))
      base = b;
  }
  return base;
}

/*
** How atesql's list latency grows with N: per list workload, the worst
** p50(N) / p50(N0) over the measured sizes, N0 the smallest size whose
** pages are as full as N's. A spike at a middle size counts too.
*/
static void target_scaling(cells all, const char *backend) {
  printf("  list p50 <= 2x at the smallest N with pages as full, on %s:\n",
         backend);
  for (workload w = 0; w < WL_COUNT; w++) {
    if (!workload_is_list(w)) continue;
    const cell *worst = NULL, *worst_base = NULL;
    double worst_ratio = -1;
    for (size_t i = 0; i < all.count; i++) {
      const cell *c = &all.items[i];
      if (c->w != w || strcmp(c->backend, backend) != 0 ||
          strcmp(c->impl, "atesql") != 0)
        continue;
      const cell *base = scaling_base(all, c);
      double r = ratio(c, base);
      if (base != c && r > worst_ratio)
        worst_ratio = r, worst = c, worst_base = base;
    }
    printf("    %-18s  ", workload_names[w]);
    if (worst == NULL) {
      printf("no two sizes with pages as full\n");
      continue;
    }
    printf("%.2fx (N=%zu vs N=%zu, %.0f rows)  ", worst_ratio, worst->workers,
           worst_base->workers, worst->rows);
    print_verdict(worst_ratio, 2.0, true);
  }
}

/* scan/atesql and redis/atesql for free workers in a pool at the largest
** size (the target is set for a million workers). */
static void target_baselines(cells all, const char *backend, size_t large) {
  const cell *atesql = find(all, large, backend, WL_LIST_POOL_FREE, "atesql");
  const cell *baselines[] = {
      find(all, large, backend, WL_LIST_POOL_FREE, "scan"),
      find(all, large, "redis", WL_LIST_POOL_FREE, "redis")};
  const char *names[] = {"scan", "redis"};
  for (size_t i = 0; i < 2; i++) {
    double r = ratio(baselines[i], atesql);
    printf("  %s/atesql >= 1000 for list_pool_free at N=%zu on %s: ", names[i],
           large, backend);
    if (r >= 0) printf("%.0fx  ", r);
    print_verdict(r, 1000, false);
  }
}

/* The memory that listing one page takes, at the smallest and largest
** size. */
static void target_memory(cells all, const char *backend, size_t small,
                          size_t large) {
  const cell *a = find(all, small, backend, WL_LIST_POOL_FREE, "atesql");
  const cell *b = find(all, large, backend, WL_LIST_POOL_FREE, "atesql");
  if (a == NULL || b == NULL) return;
  printf("  list_pool_free memory on %s: peak %ld kB (+%ld) at N=%zu, %ld kB "
         "(+%ld) at N=%zu; growth within %d kB  ",
         backend, a->peak_rss_kb, a->rss_growth_kb, small, b->peak_rss_kb,
         b->rss_growth_kb, large, MEMORY_SLACK_KB);
  print_verdict((double)(b->rss_growth_kb - a->rss_growth_kb), MEMORY_SLACK_KB,
                true);
}

void report_summary(const cell *items, size_t count) {
  cells all = {items, count};
  if (count == 0) return;
  report_ratios(all);
  size_t small = items[0].workers, large = items[0].workers;
  for (size_t i = 0; i < count; i++) {
    if (items[i].workers < small) small = items[i].workers;
    if (items[i].workers > large) large = items[i].workers;
  }
  printf("\nTargets (p50 latencies; see docs/BENCHMARKS.md)\n");
  for (size_t b = 0; b < 2; b++) {
    const char *backend = sql_backends[b];
    if (find(all, large, backend, WL_LIST_POOL_FREE, "atesql") == NULL)
      continue;
    target_overhead(all, backend, b == 0 ? 1.15 : 1.05);
    target_scaling(all, backend);
    if (large >= 1000000)
      target_baselines(all, backend, large);
    else
      printf("  scan/atesql and redis/atesql >= 1000: judged at N=1000000\n");
    if (small != large) target_memory(all, backend, small, large);
  }
}
