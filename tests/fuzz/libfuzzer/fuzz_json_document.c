/*
** libFuzzer harness of the protojson codec (include/atesql/json.h): the
** input is one JSON-lines import document (exactly `size` bytes, not
** NUL-terminated), decoded as a worker, an actor and an atespace in turn.
** For each decoder:
**   - failure: INVALID_ARGUMENT, *out NULL, a clean one-line message;
**   - success: the record encodes (one line, no newline), the encoding
**     decodes as the same kind, and encoding that gives byte-identical
**     text: encode(decode(x)) is a fixed point after one step.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/actor.h"
#include "atesql/atespace.h"
#include "atesql/json.h"
#include "atesql/worker.h"
#include "harness.h"

/* One kind of record: its decoder, encoder and free, erased to void. */
typedef struct kind {
  const char *name;
  atesql_status (*from_json)(const char *, size_t, void **, atesql_error *);
  atesql_status (*to_json)(const void *, char **, atesql_error *);
  void (*free_record)(void *);
} kind;

static atesql_status worker_from(const char *t, size_t n, void **out,
                                 atesql_error *err) {
  return atesql_worker_from_json(t, n, (atesql_worker **)out, err);
}
static atesql_status worker_to(const void *r, char **out, atesql_error *err) {
  return atesql_worker_to_json(r, out, err);
}
static void worker_free(void *r) { atesql_worker_free(r); }

static atesql_status actor_from(const char *t, size_t n, void **out,
                                atesql_error *err) {
  return atesql_actor_from_json(t, n, (atesql_actor **)out, err);
}
static atesql_status actor_to(const void *r, char **out, atesql_error *err) {
  return atesql_actor_to_json(r, out, err);
}
static void actor_free(void *r) { atesql_actor_free(r); }

static atesql_status atespace_from(const char *t, size_t n, void **out,
                                   atesql_error *err) {
  return atesql_atespace_from_json(t, n, (atesql_atespace **)out, err);
}
static atesql_status atespace_to(const void *r, char **out, atesql_error *err) {
  return atesql_atespace_to_json(r, out, err);
}
static void atespace_free(void *r) { atesql_atespace_free(r); }

static const kind kinds[] = {
    {"worker", worker_from, worker_to, worker_free},
    {"actor", actor_from, actor_to, actor_free},
    {"atespace", atespace_from, atespace_to, atespace_free},
};

/* Encode a record that was decoded; failure is a defect. */
static char *encode(const kind *k, const void *record, const char *stage) {
  char *out = NULL;
  atesql_error err = {0};
  atesql_status st = k->to_json(record, &out, &err);
  if (st != ATESQL_OK || out == NULL)
    harness_fail("%s: encoding the %s record failed: %s (%s)", k->name, stage,
                 atesql_status_str(st), err.message);
  if (strchr(out, '\n') != NULL)
    harness_fail("%s: encoding is not one line: %s", k->name, out);
  return out;
}

static void check_kind(const kind *k, const char *text, size_t size) {
  void *record = (void *)1; /* must become NULL on failure */
  atesql_error err = {0};
  atesql_status st = k->from_json(text, size, &record, &err);
  if (st != ATESQL_OK) {
    harness_check_error(k->name, st, ATESQL_INVALID_ARGUMENT, &err);
    HARNESS_REQUIRE(record == NULL);
    return;
  }
  HARNESS_REQUIRE(record != NULL);
  char *first = encode(k, record, "decoded");
  void *again = NULL;
  st = k->from_json(first, strlen(first), &again, &err);
  if (st != ATESQL_OK)
    harness_fail("%s: own encoding '%s' of '%.*s' is refused: %s", k->name,
                 first, (int)size, text, err.message);
  char *second = encode(k, again, "re-decoded");
  if (strcmp(first, second) != 0)
    harness_fail("%s: no fixed point for '%.*s': '%s' then '%s'", k->name,
                 (int)size, text, first, second);
  atesql_free(second);
  k->free_record(again);
  atesql_free(first);
  k->free_record(record);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
    check_kind(&kinds[i], (const char *)data, size);
  return 0;
}
