/*
** What follows the table of cells: the ratios of p50 latencies the lists
** benchmark exists for (atesql/raw, and scan, redis, cache and
** cache_faithful over atesql) and the targets of docs/BENCHMARKS.md, each
** met or missed. The targets judge the pages of PAGE_ROWS. After the
** scaling probe instead: each question's growth over tenfold sizes.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lists.h"

/* Memory "does not grow with N" when the largest size's cell grows the
** process by at most this much more than the smallest size's. */
enum { MEMORY_SLACK_KB = 512 };

typedef struct cells {
  const cell *items;
  size_t count;
} cells;

static const cell *find(cells all, size_t workers, const char *backend,
                        workload w, size_t page, const char *impl_name) {
  for (size_t i = 0; i < all.count; i++) {
    const cell *c = &all.items[i];
    if (c->workers == workers && c->w == w && c->page == page &&
        strcmp(c->backend, backend) == 0 && strcmp(c->impl, impl_name) == 0)
      return c;
  }
  return NULL;
}

/* The cell of another implementation for c's question. */
static const cell *partner(cells all, const cell *c, const char *backend,
                           const char *impl_name) {
  return find(all, c->workers, backend, c->w, c->page, impl_name);
}

/* An atesql cell of the pages the targets judge. */
static bool judged(const cell *c, const char *backend) {
  return c->page == PAGE_ROWS && strcmp(c->backend, backend) == 0 &&
         strcmp(c->impl, "atesql") == 0;
}

/* p50(a) / p50(b), or -1 when either was not measured. */
static double ratio(const cell *a, const cell *b) {
  return a && b && b->p50_us > 0 ? a->p50_us / b->p50_us : -1;
}

static const char *const sql_backends[] = {"sqlite", "postgres"};

static const report_column ratio_columns[] = {
    {"N", NULL, COL_INT, 8, 0},
    {"workload", NULL, COL_TEXT, -25, 0},
    {"backend", NULL, COL_TEXT, -8, 0},
    {"atesql/raw", NULL, COL_REAL, 15, 2},
    {"scan/atesql", NULL, COL_REAL, 15, 2},
    {"redis/atesql", NULL, COL_REAL, 15, 2},
    {"cache/atesql", NULL, COL_REAL, 15, 2},
    {"faithful/atesql", NULL, COL_REAL, 15, 2},
};

static const report_table ratio_table = {
    NULL, "  ", ratio_columns, sizeof ratio_columns / sizeof ratio_columns[0]};

/* A ratio as the table shows it: NAN ("-") when not measured. */
static report_value ratio_value(double r) { return REAL(r < 0 ? NAN : r); }

/* Redis and the caches are one store each, so they are divided by each
** SQL backend's atesql. */
static void report_ratios(cells all) {
  const report table_form = {false};
  printf("\nRatios of p50 latencies\n");
  report_header(&table_form, &ratio_table);
  for (size_t i = 0; i < all.count; i++) {
    const cell *c = &all.items[i];
    char label[64];
    if (strcmp(c->impl, "atesql") != 0) continue;
    workload_label(c->w, c->page, label, sizeof label);
    report_value v[] = {
        INT(c->workers),
        TEXT(label),
        TEXT(c->backend),
        ratio_value(ratio(c, partner(all, c, c->backend, "raw"))),
        ratio_value(ratio(partner(all, c, c->backend, "scan"), c)),
        ratio_value(ratio(partner(all, c, "redis", "redis"), c)),
        ratio_value(ratio(partner(all, c, "memory", "cache"), c)),
        ratio_value(ratio(partner(all, c, "memory", "cache_faithful"), c))};
    report_row(&table_form, &ratio_table, v, NULL);
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
      if (c->w != w || !judged(c, backend)) continue;
      double r = ratio(c, partner(all, c, backend, "raw"));
      if (r > worst_ratio) worst_ratio = r, worst = c;
    }
    printf("    %-20s  ", workload_names[w]);
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
    if (b->w == c->w && judged(b, c->backend) && b->workers < base->workers &&
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
      if (c->w != w || !judged(c, backend)) continue;
      const cell *base = scaling_base(all, c);
      double r = ratio(c, base);
      if (base != c && r > worst_ratio)
        worst_ratio = r, worst = c, worst_base = base;
    }
    printf("    %-20s  ", workload_names[w]);
    if (worst == NULL) {
      printf("no two sizes with pages as full\n");
      continue;
    }
    printf("%.2fx (N=%zu vs N=%zu, %.0f rows)  ", worst_ratio, worst->workers,
           worst_base->workers, worst->rows);
    print_verdict(worst_ratio, 2.0, true);
  }
}

/* The size the baselines are judged at: the target is set for a million
** workers. */
enum { BASELINE_N = 1000000 };

/* scan/atesql and redis/atesql for free workers in a pool at
** BASELINE_N. */
static void target_baselines(cells all, const char *backend, size_t n) {
  const cell *atesql =
      find(all, n, backend, WL_LIST_POOL_FREE, PAGE_ROWS, "atesql");
  const cell *baselines[] = {
      find(all, n, backend, WL_LIST_POOL_FREE, PAGE_ROWS, "scan"),
      find(all, n, "redis", WL_LIST_POOL_FREE, PAGE_ROWS, "redis")};
  const char *names[] = {"scan", "redis"};
  for (size_t i = 0; i < 2; i++) {
    double r = ratio(baselines[i], atesql);
    printf("  %s/atesql >= 1000 for list_pool_free at N=%zu on %s: ", names[i],
           n, backend);
    if (r >= 0) printf("%.0fx  ", r);
    print_verdict(r, 1000, false);
  }
}

/* The memory that listing one page takes, at the smallest and largest
** size. */
static void target_memory(cells all, const char *backend, size_t small,
                          size_t large) {
  const cell *a =
      find(all, small, backend, WL_LIST_POOL_FREE, PAGE_ROWS, "atesql");
  const cell *b =
      find(all, large, backend, WL_LIST_POOL_FREE, PAGE_ROWS, "atesql");
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
  printf("\nTargets (p50 latencies; see docs/BENCHMARKS.md)\n");
  for (size_t b = 0; b < 2; b++) {
    const char *backend = sql_backends[b];
    /* The sizes this backend ran: only SQLite runs the largest ones. */
    size_t small = 0, large = 0;
    for (size_t i = 0; i < count; i++) {
      if (strcmp(items[i].backend, backend) != 0) continue;
      if (small == 0 || items[i].workers < small) small = items[i].workers;
      if (items[i].workers > large) large = items[i].workers;
    }
    if (find(all, large, backend, WL_LIST_POOL_FREE, PAGE_ROWS, "atesql") ==
        NULL)
      continue;
    target_overhead(all, backend, b == 0 ? 1.15 : 1.05);
    target_scaling(all, backend);
    if (find(all, BASELINE_N, backend, WL_LIST_POOL_FREE, PAGE_ROWS,
             "atesql") != NULL)
      target_baselines(all, backend, BASELINE_N);
    else
      printf("  scan/atesql and redis/atesql >= 1000: judged at N=%d\n",
             BASELINE_N);
    if (small != large) target_memory(all, backend, small, large);
  }
}

/* A question's p50 may grow at most this much over a tenfold fleet. */
#define SCALING_LIMIT 1.5

/* The implementations of backend's cells, in the order they first
** appear; returns how many (at most max). */
static size_t impls_of(cells all, const char *backend, const char **names,
                       size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < all.count; i++) {
    const cell *c = &all.items[i];
    if (strcmp(c->backend, backend) != 0) continue;
    bool seen = false;
    for (size_t k = 0; k < n; k++)
      seen |= strcmp(names[k], c->impl) == 0;
    if (!seen && n < max) names[n++] = c->impl;
  }
  return n;
}

/* One row per question, implementation and pair of sizes N and 10N that
** both ran: the p50s, the rows, and the growth against SCALING_LIMIT. */
static void report_growth(cells all, const char *backend,
                          const char *impl_name) {
  for (workload w = 0; w < WL_COUNT; w++)
    for (size_t i = 0; i < all.count; i++) {
      const cell *small = &all.items[i];
      if (small->w != w || small->page != PAGE_ROWS ||
          strcmp(small->backend, backend) != 0 ||
          strcmp(small->impl, impl_name) != 0)
        continue;
      const cell *large =
          find(all, small->workers * 10, backend, w, PAGE_ROWS, impl_name);
      if (large == NULL) continue;
      char sizes[48], rows[32], p50[40];
      snprintf(sizes, sizeof sizes, "%zu->%zu", small->workers, large->workers);
      snprintf(rows, sizeof rows, "%.1f/%.1f", small->rows, large->rows);
      snprintf(p50, sizeof p50, "%.1f->%.1f", small->p50_us, large->p50_us);
      double growth = ratio(large, small);
      printf("  %-8s  %-16s  %-20s  %-16s  %-11s  %-16s  %5.2fx  ", backend,
             impl_name, workload_names[w], sizes, rows, p50, growth);
      print_verdict(growth, SCALING_LIMIT, true);
    }
}

void report_scaling(const cell *items, size_t count) {
  cells all = {items, count};
  printf("\nGrowth of p50 over each tenfold step of the sizes (target <= "
         "%.2fx)\n",
         SCALING_LIMIT);
  printf("  %-8s  %-16s  %-20s  %-16s  %-11s  %-16s  %6s\n", "backend", "impl",
         "workload", "N->10N", "rows", "p50_us", "growth");
  for (size_t b = 0; b < 2; b++) {
    const char *names[4];
    size_t n = impls_of(all, sql_backends[b], names, 4);
    for (size_t k = 0; k < n; k++)
      report_growth(all, sql_backends[b], names[k]);
  }
}
