/*
** Progress on stderr for the work a person waits on (the atesql program's
** import, migrate up and compact; the benchmark's loads): one line,
** redrawn in place at most ten times a second, saying how much is done,
** the rate and, when the total is known, the time left. It is drawn only
** when stderr is a terminal and progress_quiet (--quiet) is false, and
** only for work that has lasted PROGRESS_FIRST_MS (or
** $ATESQL_PROGRESS_DELAY_MS), so a quick command prints nothing extra; it
** is erased when the work ends or before an error (progress_erase), so
** what is printed after it stands alone.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

enum {
  PROGRESS_FIRST_MS = 250, /* no line for work shorter than this */
  PROGRESS_EVERY_MS = 100  /* the line's redraws at most this often */
};

bool progress_quiet;

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The line on screen, if any, so that an error can erase it first. */
static progress_line *drawn;

void progress_start(progress_line *p, const char *what, const char *unit) {
  memset(p, 0, sizeof *p);
  p->what = what;
  p->unit = unit;
  p->shown = !progress_quiet && isatty(STDERR_FILENO);
  p->start_ms = now_ms();
  const char *delay = getenv("ATESQL_PROGRESS_DELAY_MS");
  char *end = NULL;
  long ms = delay && *delay ? strtol(delay, &end, 10) : -1;
  p->delay_ms = end && *end == '\0' && ms >= 0 ? ms : PROGRESS_FIRST_MS;
}

/* Seconds as "42 s", "3 min 5 s" or "2 h 10 min". */
static void format_duration(double s, char *out, size_t size) {
  long t = s < 0 ? 0 : (long)(s + 0.5);
  if (t < 60)
    snprintf(out, size, "%ld s", t);
  else if (t < 3600)
    snprintf(out, size, "%ld min %ld s", t / 60, t % 60);
  else
    snprintf(out, size, "%ld h %ld min", t / 3600, t % 3600 / 60);
}

void progress_update(progress_line *p, int64_t done, double fraction) {
  if (!p->shown) return;
  int64_t now = now_ms();
  if (now - p->start_ms < p->delay_ms ||
      (p->last_ms && now - p->last_ms < PROGRESS_EVERY_MS))
    return;
  p->last_ms = now;
  double seconds = (double)(now - p->start_ms) / 1000.0;
  char line[256];
  int n;
  if (p->total > 0) {
    n = snprintf(line, sizeof line, "%s: %" PRId64 " of %" PRId64 " %s done",
                 p->what, done, p->total, p->unit);
    fraction = -1; /* no percentage, and no rate or time left below */
  } else {
    n = snprintf(line, sizeof line, "%s: %" PRId64 " %s", p->what, done,
                 p->unit);
  }
  if (fraction >= 0 && fraction <= 1 && n > 0 && (size_t)n < sizeof line)
    n += snprintf(line + n, sizeof line - (size_t)n, " (%.0f%%)",
                  fraction * 100.0);
  if (p->total == 0 && seconds > 0 && n > 0 && (size_t)n < sizeof line)
    n += snprintf(line + n, sizeof line - (size_t)n, ", %.0f %s/s",
                  (double)done / seconds, p->unit);
  if (fraction > 0.01 && fraction < 1 && n > 0 && (size_t)n < sizeof line) {
    char left[32];
    format_duration(seconds * (1 - fraction) / fraction, left, sizeof left);
    snprintf(line + n, sizeof line - (size_t)n, ", %s left", left);
  }
  /* \r to the line's start, \033[K to erase what a longer line left. */
  fprintf(stderr, "\r%s\033[K", line);
  fflush(stderr);
  drawn = p;
}

void progress_end(progress_line *p) {
  if (drawn == p) progress_erase();
}

void progress_erase(void) {
  if (drawn == NULL) return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  drawn = NULL;
}
