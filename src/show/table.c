/*
** Aligned text tables: every cell is copied into one growing array, row
** after row, the header first; widths are measured in UTF-8 code points
** when printing, so non-ASCII names still line up.
*/
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct table {
  size_t ncols;
  char **cells; /* the header's ncols cells, then each row's */
  size_t count;
  size_t cap;
  bool failed;
};

static void add_owned(table *t, char *cell) {
  if (cell == NULL) t->failed = true;
  if (t->failed) {
    free(cell);
    return;
  }
  if (t->count == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 64;
    char **cells = realloc(t->cells, cap * sizeof *cells);
    if (cells == NULL) {
      t->failed = true;
      free(cell);
      return;
    }
    t->cells = cells;
    t->cap = cap;
  }
  t->cells[t->count++] = cell;
}

table *table_new(const char *const *headers, size_t ncols) {
  table *t = calloc(1, sizeof *t);
  if (t == NULL) return NULL;
  t->ncols = ncols;
  for (size_t i = 0; i < ncols; i++)
    table_cell(t, headers[i]);
  return t;
}

void table_cell(table *t, const char *text) { add_owned(t, strdup(text)); }

void table_cellf(table *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *cell = n < 0 ? NULL : malloc((size_t)n + 1);
  if (cell) {
    va_start(ap, fmt);
    vsnprintf(cell, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  add_owned(t, cell);
}

size_t table_rows(const table *t) {
  size_t rows = t->count / t->ncols;
  return rows ? rows - 1 : 0;
}

/* The display width of a UTF-8 string: its code points. */
static size_t width_of(const char *s) {
  size_t w = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xc0) != 0x80) w++;
  return w;
}

bool table_print(const table *t, FILE *out, size_t indent) {
  if (t->failed) return false;
  size_t *widths = calloc(t->ncols, sizeof *widths);
  if (widths == NULL) return false;
  size_t complete = t->count - t->count % t->ncols;
  for (size_t i = 0; i < complete; i++) {
    size_t w = width_of(t->cells[i]);
    if (w > widths[i % t->ncols]) widths[i % t->ncols] = w;
  }
  for (size_t i = 0; i < complete; i++) {
    size_t col = i % t->ncols;
    if (col == 0) fprintf(out, "%*s", (int)indent, "");
    fputs(t->cells[i], out);
    if (col + 1 == t->ncols) {
      fputc('\n', out);
    } else {
      /* Pad to the column's width, then the gap; the last column is not
      ** padded, so lines carry no trailing spaces. */
      for (size_t w = width_of(t->cells[i]); w < widths[col] + 2; w++)
        fputc(' ', out);
    }
  }
  free(widths);
  return true;
}

void table_free(table *t) {
  if (t == NULL) return;
  for (size_t i = 0; i < t->count; i++)
    free(t->cells[i]);
  free(t->cells);
  free(t);
}
