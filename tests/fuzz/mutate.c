/*
** The fuzz suites' mutator (mutate.h).
*/
#include "fuzz/mutate.h"

#include <string.h>

uint64_t mutator_next(mutator *m) {
  m->state ^= m->state << 13;
  m->state ^= m->state >> 7;
  m->state ^= m->state << 17;
  return m->state;
}

size_t mutator_apply(mutator *m, char *buf, size_t len) {
  size_t alphabet_len = strlen(m->alphabet);
  int rounds = 1 + (int)(mutator_next(m) % 4);
  int kinds = m->splice_count ? 4 : 3;
  for (int r = 0; r < rounds; r++) {
    size_t at = len ? mutator_next(m) % (len + 1) : 0;
    char byte = m->alphabet[mutator_next(m) % alphabet_len];
    switch (mutator_next(m) % (uint64_t)kinds) {
    case 0: /* replace */
      if (at < len) buf[at] = byte;
      break;
    case 1: /* insert */
      if (len + 1 < m->max_len) {
        memmove(buf + at + 1, buf + at, len - at);
        buf[at] = byte;
        len++;
      }
      break;
    case 2: /* delete */
      if (at < len) {
        memmove(buf + at, buf + at + 1, len - at - 1);
        len--;
      }
      break;
    default: { /* splice a piece of another text */
      const char *other = m->splices[mutator_next(m) % m->splice_count];
      size_t n = mutator_next(m) % 8;
      if (n > strlen(other)) n = strlen(other);
      if (len + n < m->max_len) {
        memmove(buf + at + n, buf + at, len - at);
        memcpy(buf + at, other, n);
        len += n;
      }
    }
    }
  }
  return len;
}
