/*
** atesql_explain's parts: explain.c runs the page and writes the verdict;
** each dialect's reader (explain_sqlite.c, explain_postgres.c, chosen by
** the dialect table) gets the database's plan for the page and judges it
** by what it reads, with the helpers of explain_terms.c.
*/
#ifndef ATESQL_STORE_EXPLAIN_H
#define ATESQL_STORE_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "selector/ast.h"
#include "store/list.h"
#include "util/strbuf.h"

/* Parameters of the statements explain builds at most: one per selector
** term, the page token's key and a last key (or the limit). */
enum {
  EXPLAIN_MAX_PARAMS = ATESQL_SELECTOR_TERMS_MAX + 2 * TOKEN_MAX_KEYS + 1
};

/* What a plan does with the table, and what it costs. */
typedef struct judgement {
  bool searched; /* an index search reaches the table */
  bool scanned;  /* the table (or a whole index of it) is walked */
  bool sorted;   /* the rows are sorted after reading */
  char index[128];
  /* Bit i: selector term i is bound by the search (its column in the
  ** index condition, or implied by a partial index's WHERE). */
  uint64_t bounded;
  /* A later page whose token the search does not bound: it reads from the
  ** start of the range and skips to the token row by row. */
  bool token_filtered;
  /* The label table was searched through its (key, value, ...) index, and
  ** what that search's condition names; by_key (SQLite, whose plan lines
  ** say no more): the records were then fetched by their whole primary
  ** key, so the label search drove the page. */
  bool label_search;
  bool by_key;
  char label_cond[512];
  int64_t rows_read;
  int64_t rows_returned;
} judgement;

/* The page being explained: its list call and what running it gave. */
typedef struct explained_page {
  const resource_spec *spec;
  const list_call *call;
  size_t nparams;   /* of call->params; the last is the LIMIT */
  size_t page_size; /* the LIMIT is page_size + 1 */
  /* Rows come in key order unless the plan sorts (a list's ORDER BY); a
  ** claim's candidate search has no order. */
  bool key_order;
  /* The primary key of the last row the statement returned (page_size + 1
  ** rows means the LIMIT stopped the search there). */
  int64_t returned;
  char *last_key[TOKEN_MAX_KEYS];
} explained_page;

/*
** The dialects' plan readers (store/dialect.h, explain_reader), one
** signature for both:
**  - SQLite: the EXPLAIN QUERY PLAN lines go to text (one per line), the
**    judgement to *j, rows_read counted with the data; generic is left
**    empty (SQLite plans each run afresh);
**  - PostgreSQL: the custom plan's EXPLAIN (ANALYZE) document goes to
**    text, that of the plan a prepared statement gets from its sixth
**    execution on to generic, and the worse of the two judgements to *j.
*/
atesql_status explain_sqlite(atesql_store *s, const explained_page *p,
                             strbuf *text, strbuf *generic, judgement *j);
atesql_status explain_postgres(atesql_store *s, const explained_page *p,
                               strbuf *text, strbuf *generic, judgement *j);

/*
** Run page p (its call's statement and parameters), get and judge the
** database's plan, and build the plan record for *out (atesql_explain,
** atesql_claim_explain).
*/
atesql_status explain_run(atesql_store *s, explained_page *p,
                          atesql_plan **out);

/*
** The terms a search driven by the labels bounds: its positive label terms
** (a search of the label index) and the "=" terms the compiler added to
** that search (their column in its condition). Else 0.
*/
uint64_t explain_label_bounded(const atesql_selector *sel, const judgement *j);

/* Does a partial index's WHERE (`predicate`, as the dialect prints it)
** hold exactly the rows of term t? True for col = '' under a partial
** index WHERE col = '' (the compiler writes the empty value so). */
bool explain_term_implied(const sel_term *t, const char *predicate);

/* Is `word` in text as a whole identifier? */
bool explain_mentions(const char *text, const char *word);

#endif /* ATESQL_STORE_EXPLAIN_H */
