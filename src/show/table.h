/*
** Aligned text tables for human output (the atesql program's, the
** demo's): cells are added row by row, column widths are known once every
** row is in, and the table is printed with two spaces between columns.
*/
#ifndef ATESQL_SHOW_TABLE_H
#define ATESQL_SHOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct table table;

/* A table with ncols columns and these headers (copied). NULL when out of
** memory. */
table *table_new(const char *const *headers, size_t ncols);

/* Append one cell to the row being filled; a row is complete after ncols
** cells. An allocation failure is sticky and reported by table_print. */
void table_cell(table *t, const char *text);
void table_cellf(table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The number of complete rows, the header not counted. */
size_t table_rows(const table *t);

/* Print the header and every row to out, each line preceded by indent
** spaces; false when a cell could not be stored (out of memory) and nothing
** was printed. */
bool table_print(const table *t, FILE *out, size_t indent);

void table_free(table *t);

#endif /* ATESQL_SHOW_TABLE_H */
