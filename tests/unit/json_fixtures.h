/*
** What the codec's suites (tests/unit/test_json_*.c) share: full records
** and the exact documents protojson writes for them, comparisons of
** records, and the expectations on encoding and decoding that fail the
** running test with what differed.
*/
#ifndef ATESQL_TEST_JSON_FIXTURES_H
#define ATESQL_TEST_JSON_FIXTURES_H

#include <stddef.h>

#include "atesql/json.h"
#include "util/count.h"

/* Strings that must survive a round trip byte for byte. */
#define TRICKY "q\"uo\\te \xc3\xb1 \xe2\x9c\x93 \xf0\x9f\x98\x80 \n\t\x01/"
#define TRICKY_JSON                                                            \
  "q\\\"uo\\\\te \xc3\xb1 \xe2\x9c\x93 \xf0\x9f\x98\x80 \\n\\t\\u0001/"

/* A worker with every field set, and its document. */
extern const atesql_worker full_worker;
extern const char full_worker_json[];

/* A local snapshot info (node VMs "node-02", TRICKY and "") and a
** selector of two labels, the messages of the full actor. */
extern const atesql_snapshot_info full_snapshot_info;
extern const atesql_worker_selector full_selector;

/* An actor with every field set, both messages included, and its
** document. */
atesql_actor make_full_actor(void);
extern const char full_actor_json[];

/* b is the decoding of a: every field equal. */
void assert_worker_equal(const atesql_worker *a, const atesql_worker *b);

/* b is the decoding of a: the same presence, type and oneof case, the set
** member's fields equal, the other member's fields "" and empty. */
void assert_snapshot_info_equal(const atesql_snapshot_info *a,
                                const atesql_snapshot_info *b);

/* Labels compared as sets: b must be a's labels in key order. */
void assert_selector_equal(const atesql_worker_selector *a,
                           const atesql_worker_selector *b);

/* b is the decoding of a: every field equal, NULL strings of a as "". */
void assert_actor_equal(const atesql_actor *a, const atesql_actor *b);

/* The record text decodes to, which must succeed; free it with
** atesql_worker_free / atesql_actor_free. */
atesql_worker *worker_ok(const char *text);
atesql_actor *actor_ok(const char *text);

/* The JSON of a record; the encoding must succeed and give want. */
void expect_actor_json(const atesql_actor *a, const char *want);
void expect_worker_json(const atesql_worker *w, const char *want);

/* Decoding text[0..len) as an actor must fail with status and a message
** holding needle. */
void expect_actor_error_len(const char *text, size_t len, atesql_status status,
                            const char *needle);

/* Decoding text as an actor, or as a worker, must fail with
** INVALID_ARGUMENT and a message holding needle. */
void expect_actor_error(const char *text, const char *needle);
void expect_worker_error(const char *text, const char *needle);

#endif /* ATESQL_TEST_JSON_FIXTURES_H */
