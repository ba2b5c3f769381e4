/*
** Worker labels in the store (labels.h).
*/
#include "store/labels.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/label_syntax.h"
#include "util/strbuf.h"

static int label_cmp(const void *a, const void *b) {
  return strcmp(((const atesql_label *)a)->key, ((const atesql_label *)b)->key);
}

/* The indices of labels sorted by key, into order[0..count). */
static void sort_order(const atesql_label *labels, size_t count,
                       size_t *order) {
  for (size_t i = 0; i < count; i++) {
    size_t j = i;
    while (j > 0 && strcmp(labels[order[j - 1]].key, labels[i].key) > 0) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
}

atesql_status labels_check(atesql_store *s, const atesql_label *labels,
                           size_t count) {
  if (count == 0) return ATESQL_OK;
  if (labels == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "labels is NULL with label_count %zu", count);
  if (count > ATESQL_WORKER_LABELS_MAX)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "%zu labels; a worker has at most %d", count,
                      ATESQL_WORKER_LABELS_MAX);
  for (size_t i = 0; i < count; i++) {
    const char *k = labels[i].key, *v = labels[i].value;
    if (k == NULL || v == NULL)
      return store_fail(s, ATESQL_INVALID_ARGUMENT, "label %zu has a NULL %s",
                        i + 1, k ? "value" : "key");
    const char *why = label_key_problem(k, strlen(k));
    if (why)
      return store_fail(s, ATESQL_INVALID_ARGUMENT, "label key '%.80s': %s", k,
                        why);
    why = label_value_problem(v, strlen(v));
    if (why)
      return store_fail(s, ATESQL_INVALID_ARGUMENT,
                        "label '%.80s': value '%.80s': %s", k, v, why);
  }
  size_t order[ATESQL_WORKER_LABELS_MAX];
  sort_order(labels, count, order);
  for (size_t i = 1; i < count; i++)
    if (strcmp(labels[order[i - 1]].key, labels[order[i]].key) == 0)
      return store_fail(s, ATESQL_INVALID_ARGUMENT,
                        "label '%.80s' is given twice", labels[order[i]].key);
  return ATESQL_OK;
}

char *labels_to_json(const atesql_label *labels, size_t count) {
  size_t order[ATESQL_WORKER_LABELS_MAX];
  if (count > ATESQL_WORKER_LABELS_MAX) return NULL;
  sort_order(labels, count, order);
  /* Checked labels hold no character JSON escapes. */
  strbuf sb = STRBUF_INIT;
  strbuf_puts(&sb, "{");
  for (size_t i = 0; i < count; i++)
    strbuf_printf(&sb, "%s\"%s\":\"%s\"", i ? "," : "", labels[order[i]].key,
                  labels[order[i]].value);
  strbuf_puts(&sb, "}");
  return strbuf_detach(&sb);
}

atesql_status labels_from_json(const char *text, size_t len, void *root,
                               const atesql_label **out, size_t *count) {
  *out = NULL;
  *count = 0;
  if (len == 2 && text[0] == '{' && text[1] == '}') return ATESQL_OK;
  json_error_t jerr;
  json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (doc == NULL || !json_is_object(doc)) {
    json_decref(doc);
    return ATESQL_INTERNAL;
  }
  size_t n = json_object_size(doc);
  atesql_label *labels = n ? arena_alloc(root, n * sizeof *labels) : NULL;
  if (n && labels == NULL) {
    json_decref(doc);
    return ATESQL_NO_MEMORY;
  }
  const char *key;
  json_t *value;
  size_t i = 0;
  atesql_status st = ATESQL_OK;
  json_object_foreach(doc, key, value) {
    if (!json_is_string(value)) {
      st = ATESQL_INTERNAL;
      break;
    }
    labels[i].key = arena_strndup(root, key, strlen(key));
    labels[i].value = arena_strndup(root, json_string_value(value),
                                    json_string_length(value));
    if (labels[i].key == NULL || labels[i].value == NULL) {
      st = ATESQL_NO_MEMORY;
      break;
    }
    i++;
  }
  json_decref(doc);
  if (st != ATESQL_OK) return st;
  qsort(labels, n, sizeof *labels, label_cmp);
  *out = labels;
  *count = n;
  return ATESQL_OK;
}
