/*
** The statements the raw implementation runs (raw_sql.c), as its driver
** code (impl_raw.c) sees them: their SQL, what each binds placeholder by
** placeholder, and which records their rows are.
*/
#ifndef ATESQL_BENCH_RAW_H
#define ATESQL_BENCH_RAW_H

#include "lists.h"

/* Statements are indexed by slot: a workload's (the lock workload's is
** the acquire; a list's is at the run's first page size), the lock
** release after the workloads, then a list's at each further page size of
** the run (raw_slot): atesql writes a page's limit into its statement. */
enum {
  RAW_LOCK_RELEASE = WL_COUNT,
  RAW_STATEMENTS,
  RAW_SLOTS = RAW_STATEMENTS + WL_COUNT * (PAGE_SIZES_MAX - 1)
};

/* The slot of statement st (a workload, or RAW_LOCK_RELEASE) at the run's
** page size k (0 for every statement without pages). */
static inline int raw_slot(int st, size_t k) {
  return k == 0 ? st : RAW_STATEMENTS + st * (PAGE_SIZES_MAX - 1) + (int)k - 1;
}

/* The records a statement's rows are; raw reads every column of them. */
typedef enum row_kind { NO_ROWS, WORKER_ROWS, ACTOR_ROWS } row_kind;

/* One statement: its SQL in the connection's dialect (NULL: the slot is
** not used), its rows, and the statement whose values it binds. */
typedef struct raw_statement {
  char *sql; /* owned */
  row_kind rows;
  int binds; /* a workload, or RAW_LOCK_RELEASE */
} raw_statement;

/*
** Fill st[0..RAW_SLOTS) for the dialect (pg: PostgreSQL). The list
** statements are those atesql_explain reports on src->atesql for
** operation 0 of each list workload, one per page size of src (the
** workloads with pages); the count is "SELECT count(*) FROM workers WHERE
** " and the compiled selector, as atesql counts. Explain's parameters must
** be those raw_params binds: raw dies naming the workload otherwise. The get and the writes are
** copies of sql/<dialect>/store.sql, which no public call reports. Prints
** atesql_explain's verdicts on stderr. Free with raw_statements_free.
*/
void raw_statements_take(raw_statement st[RAW_SLOTS], bool pg,
                         const raw_source *src);
void raw_statements_free(raw_statement st[RAW_SLOTS]);

/* One bound value: text, or an integer that PostgreSQL gets as text
** (written into digits). */
typedef struct raw_param {
  const char *text;
  int64_t num;
  bool is_int;
  char digits[24];
} raw_param;

enum { RAW_PARAMS_MAX = 16 };

/* The parameters of statement st for question a, as atesql binds them,
** into p[0..RAW_PARAMS_MAX); returns their number. */
size_t raw_params(bool pg, int st, const op_args *a, raw_param *p);

#endif
