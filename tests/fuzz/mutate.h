/*
** The byte mutator of the fuzz suites: a seeded xorshift generator and
** 1-4 random edits per call (replace, insert or delete a byte of the
** alphabet, or splice in a piece of another seed), so every run mutates
** the same way and a failure reproduces.
*/
#ifndef ATESQL_TEST_FUZZ_MUTATE_H
#define ATESQL_TEST_FUZZ_MUTATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct mutator {
  uint64_t state;             /* the seed, then the generator's state */
  const char *alphabet;       /* bytes to insert or replace with */
  const char *const *splices; /* texts to splice pieces of; may be NULL */
  size_t splice_count;
  size_t max_len; /* the buffer's size */
} mutator;

uint64_t mutator_next(mutator *m);

/* Apply random edits to buf[0..len) in place; returns the new length,
** never above m->max_len - 1. */
size_t mutator_apply(mutator *m, char *buf, size_t len);

#endif /* ATESQL_TEST_FUZZ_MUTATE_H */
