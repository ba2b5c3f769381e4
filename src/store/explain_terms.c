/*
** What both plan readers (explain_sqlite.c, explain_postgres.c) ask of a
** plan's text: whether it names a column, which selector terms a partial
** index's WHERE or a label search bounds.
*/
#include <stdio.h>
#include <string.h>

#include "selector/ast.h"
#include "store/explain.h"

bool explain_mentions(const char *text, const char *word) {
  size_t n = strlen(word);
  for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
    bool start =
        p == text || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
                       (p[-1] >= '0' && p[-1] <= '9'));
    char c = p[n];
    bool end = !(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
    if (start && end) return true;
  }
  return false;
}

uint64_t explain_label_bounded(const atesql_selector *sel, const judgement *j) {
  if (!j->label_search || !j->by_key) return 0;
  uint64_t bounded = 0;
  for (size_t i = 0; i < sel->count; i++) {
    const sel_term *t = &sel->terms[i];
    bool positive = t->op == ATESQL_OP_EQ || t->op == ATESQL_OP_IN ||
                    t->op == ATESQL_OP_EXISTS;
    /* actor_id = '' is the label rows' worker_free. */
    const char *col =
        t->field->split_empty && t->count == 1 && t->values[0].len == 0
            ? sel->res->label_empty
            : t->field->column;
    if (t->field->type == FIELD_LABEL
            ? positive
            : t->op == ATESQL_OP_EQ && col &&
                  explain_mentions(j->label_cond, col))
      bounded |= (uint64_t)1 << i;
  }
  return bounded;
}

bool explain_term_implied(const sel_term *t, const char *predicate) {
  if (t->field->column == NULL) return false; /* a label term */
  char empty_eq[80];
  snprintf(empty_eq, sizeof empty_eq, "%s = ''", t->field->column);
  return t->op == ATESQL_OP_EQ && t->values[0].len == 0 &&
         strstr(predicate, empty_eq) != NULL;
}
