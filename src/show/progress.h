/*
** A progress line on stderr for work a person waits on (progress.c): the
** atesql program's import, migrate up and compact, and the benchmark's
** loads. Drawn only when stderr is a terminal and progress_quiet is
** false, for work lasting over a quarter of a second
** ($ATESQL_PROGRESS_DELAY_MS milliseconds when set).
*/
#ifndef ATESQL_SHOW_PROGRESS_H
#define ATESQL_SHOW_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* No progress lines at all (the program's --quiet). */
extern bool progress_quiet;

typedef struct progress_line {
  const char *what; /* "importing workers" */
  const char *unit; /* "rows" */
  bool shown;       /* stderr is a terminal and progress_quiet is false */
  int64_t total;    /* when known (and units take unequal time): "N of
                       TOTAL unit done", without a rate; else 0 */
  int64_t start_ms, last_ms;
  int64_t delay_ms; /* no line before the work has lasted this long */
} progress_line;

void progress_start(progress_line *p, const char *what, const char *unit);

/* done units so far; fraction of the whole done (0..1), or negative when
** unknown (then no percentage and no time left). */
void progress_update(progress_line *p, int64_t done, double fraction);

/* Erase p's line, if drawn. */
void progress_end(progress_line *p);

/* Erase whatever progress line is drawn (before an error message). */
void progress_erase(void);

#endif /* ATESQL_SHOW_PROGRESS_H */
