/*
** Printing reports: notes, the banner, and table rows in their aligned or
** JSON form. report.h says what each function prints.
*/
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>

#include <atesql/atesql.h>

#include "machine.h"
#include "report.h"
#include "samples.h"

static FILE *notes(const report *r) { return r->json ? stderr : stdout; }

void report_note(const report *r, const char *fmt, ...) {
  va_list ap;
  FILE *out = notes(r);
  fputs("# ", out);
  va_start(ap, fmt);
  vfprintf(out, fmt, ap);
  va_end(ap);
  fputc('\n', out);
  fflush(out);
}

void report_banner(const report *r, const banner *b) {
  char sqlite[128] = "", postgres[256] = "", redis[64] = "", load[64];
  if (b->sqlite) snprintf(sqlite, sizeof sqlite, " (%s)", b->sqlite);
  if (b->postgres)
    snprintf(postgres, sizeof postgres, ", PostgreSQL %s", b->postgres);
  if (b->redis) snprintf(redis, sizeof redis, ", Redis %s", b->redis);
  load_average(load, sizeof load);
  report_note(r,
              "atesql %s, SQLite %s%s%s%s; %ld cores, load average %s at "
              "start",
              atesql_version(), sqlite3_libversion(), sqlite, postgres, redis,
              machine_cores(), load);
}

void report_fsync(const report *r, const char *dir, bool at_start) {
  double p50, p99;
  probe_fsync(dir, FSYNC_PROBES, &p50, &p99);
  if (at_start)
    report_note(r, "fdatasync of 4 kB in %s: p50 %.3f ms, p99 %.3f ms", dir,
                p50, p99);
  else
    report_note(r, "fdatasync of 4 kB at the end: p50 %.3f ms, p99 %.3f ms",
                p50, p99);
}

void report_end(const report *r, double t0) {
  char load[64];
  load_average(load, sizeof load);
  report_note(r, "load average %s at the end; %.0f s in all", load,
              now_s() - t0);
}

void report_header(const report *r, const report_table *t) {
  if (r->json) return;
  for (size_t i = 0; i < t->count; i++)
    printf("%s%*s", i ? t->gap : "", t->columns[i].width, t->columns[i].head);
  putchar('\n');
}

/* s as a JSON string: names and labels, escaped where they need it. */
static void print_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') putchar('\\');
    putchar(*s);
  }
  putchar('"');
}

static void print_json_row(const report_table *t, const report_value *v,
                           const char *flag) {
  putchar('{');
  if (t->name) {
    fputs("\"table\":", stdout);
    print_json_string(t->name);
    putchar(',');
  }
  for (size_t i = 0; i < t->count; i++) {
    const report_column *c = &t->columns[i];
    printf("%s\"%s\":", i ? "," : "", c->key ? c->key : c->head);
    if (c->kind == COL_TEXT)
      print_json_string(v[i].text);
    else if (c->kind == COL_INT)
      printf("%lld", v[i].i);
    else if (isnan(v[i].r))
      fputs("null", stdout);
    else
      printf("%.*f", c->decimals, v[i].r);
  }
  if (flag) {
    fputs(",\"flag\":", stdout);
    print_json_string(flag);
  }
  puts("}");
}

static void print_aligned_row(const report_table *t, const report_value *v,
                              const char *flag) {
  for (size_t i = 0; i < t->count; i++) {
    const report_column *c = &t->columns[i];
    fputs(i ? t->gap : "", stdout);
    if (c->kind == COL_TEXT)
      printf("%*s", c->width, v[i].text);
    else if (c->kind == COL_INT)
      printf("%*lld", c->width, v[i].i);
    else if (isnan(v[i].r))
      printf("%*s", c->width, "-");
    else
      printf("%*.*f", c->width, c->decimals, v[i].r);
  }
  if (flag) printf("  %s", flag);
  putchar('\n');
}

void report_row(const report *r, const report_table *t,
                const report_value *values, const char *flag) {
  if (r->json)
    print_json_row(t, values, flag);
  else
    print_aligned_row(t, values, flag);
  fflush(stdout);
}
