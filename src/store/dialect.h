/*
** What differs between the SQL dialects, as data: the store reads this
** table instead of asking which database it talks to. The statements
** themselves differ in sql/<dir>/ and migrations/<dir>/; the selector
** compiler keeps its own shapes (selector/compile.c).
*/
#ifndef ATESQL_STORE_DIALECT_H
#define ATESQL_STORE_DIALECT_H

#include <stdbool.h>
#include <stddef.h>

#include "atesql/selector.h"
#include "atesql/types.h"

typedef struct atesql_store atesql_store;
typedef struct claim_path claim_path;
typedef struct explained_page explained_page;
typedef struct judgement judgement;
typedef struct strbuf strbuf;

/*
** Get the database's plan of page p and judge it (store/explain.h): the
** plan's text to text, that of the plan a prepared statement settles on
** to generic (left empty by a dialect that has only one), the judgement
** to *j.
*/
typedef atesql_status (*explain_reader)(atesql_store *s,
                                        const explained_page *p, strbuf *text,
                                        strbuf *generic, judgement *j);

typedef struct store_dialect {
  atesql_dialect id;
  /* The folder of its files: sql/<dir>/ and migrations/<dir>/. */
  const char *dir;
  /* '?' for ?1, ?2 ...; '$' for $1, $2 ... */
  char placeholder;
  /* The conditional writes (worker_update, actor_update, actor_delete,
  ** worker_release) return one row even when they change nothing: NULL
  ** in column 0, then the probe statement's columns; no row means the
  ** record is missing. Otherwise they return a row only when they wrote,
  ** and the store runs the probe to learn why not. */
  bool writes_report_probe;
  /* How a claim and the resume step run (store/claim_paths.h): their
  ** statements one by one (SQLite: in-process, a statement costs no round
  ** trip), or one call of the server's functions (PostgreSQL: one round
  ** trip). */
  const claim_path *claim;
  /* The named statements this dialect leaves out of sql/<dir>/ because
  ** its claim path never runs them (NULL-terminated; NULL: none). */
  const char *const *absent_statements;
  /* Appended to a claim's candidate search: how claimers pass over each
  ** other's candidates ("" where a claim is the only writer anyway). On
  ** PostgreSQL the claim function appends the same clause (migration
  ** 0007), and atesql_claim_explain explains the search with it. */
  const char *candidate_lock;
  /* A statement whose one value changes when another connection commits
  ** (SQLite's data_version): a watch polled on a timer reads events only
  ** then. NULL: a watch reads whenever it is woken. */
  const char *changed_sql;
  /* A watch also wakes on a timer, every watch_poll_ms unless its options
  ** say otherwise: for writers the driver cannot signal (other processes'
  ** writers of a SQLite file; every PostgreSQL writer, whose changes a
  ** reader numbers: the timer's read numbers them when no other reader
  ** did, and a numbering notifies every watch). */
  bool watch_polls;
  int watch_poll_ms;
  explain_reader read_plan;
} store_dialect;

/* Does d leave the named statement `name` out (absent_statements)? */
bool dialect_lacks_statement(const store_dialect *d, const char *name);

/* The dialect of `id`; NULL for a value out of range. */
const store_dialect *store_dialect_of(atesql_dialect id);

/* Placeholder n of dialect d ("?3", "$3") into buf. */
void placeholder(const store_dialect *d, size_t n, char *buf, size_t bufsz);

#endif /* ATESQL_STORE_DIALECT_H */
