/*
** What a subcommand prints. Results are rows of tables: aligned columns
** under a header line, or with --json one JSON object per row and nothing
** else on stdout. Notes ("# ..." lines: the software and machine, settings,
** verdicts) go to stdout beside a table and to stderr beside JSON lines.
** Progress goes to stderr always, and is no business of this file.
*/
#ifndef ATESQL_BENCH_REPORT_H
#define ATESQL_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct report {
  bool json; /* rows as JSON lines, notes on stderr */
} report;

/* Print one note, "# " and then the printf format, with a newline. */
void report_note(const report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
** The first note of every report: "# atesql V, SQLite V (SQLITE),
** PostgreSQL POSTGRES, Redis REDIS; N cores, load average A B C at start".
** A member left NULL leaves its part out (sqlite: the settings in
** brackets).
*/
typedef struct banner {
  const char *sqlite;   /* SQLite's settings, e.g. "synchronous=full" */
  const char *postgres; /* the server's version and settings */
  const char *redis;    /* the server's version */
} banner;
void report_banner(const report *r, const banner *b);

/*
** The disk's flush time as a note (FSYNC_PROBES probes of machine.c):
** "in DIR" at the start of a run, "at the end" after it.
*/
void report_fsync(const report *r, const char *dir, bool at_start);

/* The last note: the load average now, and the seconds since t0
** (now_s()). */
void report_end(const report *r, double t0);

typedef enum column_kind { COL_TEXT, COL_INT, COL_REAL } column_kind;

/* One column of a table. */
typedef struct report_column {
  const char *head; /* its name in the header line */
  const char *key;  /* its name in JSON; NULL: the head */
  column_kind kind;
  int width;    /* in the table; negative: left-aligned */
  int decimals; /* COL_REAL: digits after the point, in both forms */
} report_column;

/* A table: its columns and the gap between them. */
typedef struct report_table {
  const char *name; /* JSON rows start with "table":NAME; NULL: they don't */
  const char *gap;  /* between columns in the aligned form */
  const report_column *columns;
  size_t count;
} report_table;

/* One value of a row: text, an integer, or a real (NAN: none, printed
** as "-" or null). */
typedef struct report_value {
  const char *text;
  long long i;
  double r;
} report_value;

#define TEXT(s) ((report_value){.text = (s)})
#define INT(n)  ((report_value){.i = (long long)(n)})
#define REAL(x) ((report_value){.r = (x)})

/* The header line of t; nothing for JSON. */
void report_header(const report *r, const report_table *t);

/*
** One row of t, values[0..t->count) in column order, flushed. flag, unless
** NULL, marks a row that failed a check: after the columns
** ("  FLAG"), or as the member "flag" in JSON.
*/
void report_row(const report *r, const report_table *t,
                const report_value *values, const char *flag);

#endif
