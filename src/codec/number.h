/*
** protojson's reading of integers written as JSON text: the rules by which
** Go's protojson turns "1e3", "4.0" or "-0" into an integer and rejects
** "007", " 7" or "1.5" (codec/number.c); and a pass that lets jansson read
** every number of a document exactly.
*/
#ifndef ATESQL_CODEC_NUMBER_H
#define ATESQL_CODEC_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a text is, read as a JSON number for an integer field. */
typedef enum number_class {
  NUMBER_INTEGER,      /* an integer in range */
  NUMBER_NOT_INTEGER,  /* a number with a non-zero fraction: 1.5, 1e-1 */
  NUMBER_OUT_OF_RANGE, /* an integer outside [min, max] */
  NUMBER_INVALID       /* not exactly one JSON number */
} number_class;

/*
** Classify text[0..len) as protojson reads an integer: the whole text must
** be one JSON number (an optional '-', no leading zeros, no '+', no
** spaces, an optional fraction and exponent) whose value is an integer in
** [min, max]: "1e3" is 1000, "4.0" is 4, "1.50e1" is 15, "-0" is 0; "1.5"
** and "1e-1" are not integers; "007" is invalid. *out is set only for
** NUMBER_INTEGER.
*/
number_class codec_classify_number(const char *text, size_t len, int64_t min,
                                   int64_t max, int64_t *out);

/*
** jansson keeps a number written with a fraction or exponent only as a
** double, and fails a whole document on an integer beyond 64 bits, where
** protojson reads every number's text exactly. Every number in the
** records atesql stores is an integer, so before jansson parses a
** document, each number token that is not a plain 64-bit integer is
** rewritten by its exact value: an integral one ("1e3", "4.0") by its
** digits; one with a fraction by 0.5 and one beyond 64 bits by 1e300, so
** that the decoder reports "not an integer" or "out of range" naming the
** field. Tokens that are not valid JSON numbers are left for jansson to
** reject. Strings are not touched.
**
** Returns NULL with *copy_len unset when nothing needs rewriting (the
** usual case: protojson writes int64 as strings), else a malloc'd copy
** and its length. *oom is set when the copy could not be allocated.
*/
char *codec_exact_numbers(const char *text, size_t len, size_t *copy_len,
                          bool *oom);

#endif /* ATESQL_CODEC_NUMBER_H */
