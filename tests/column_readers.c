/*
** column_readers_agree (column_readers.h): each reader decodes into an
** arena of its own, then the values are compared field by field.
*/
#include "column_readers.h"

#include <stdio.h>
#include <string.h>

#include "util/arena.h"

static bool strings_differ(const char *what, const char *a, const char *b,
                           char *why, size_t whysz) {
  if (a == NULL || b == NULL) {
    snprintf(why, whysz, "%s is NULL (%s)", what, a ? "tokens" : "jansson");
    return true;
  }
  if (strcmp(a, b) == 0) return false;
  snprintf(why, whysz, "%s: jansson '%s', tokens '%s'", what, a, b);
  return true;
}

static bool snapshot_infos_differ(const atesql_snapshot_info *a,
                                  const atesql_snapshot_info *b, char *why,
                                  size_t whysz) {
  if (a == NULL || b == NULL) {
    if (a == b) return false;
    snprintf(why, whysz, "set by %s only", a ? "jansson" : "tokens");
    return true;
  }
  if (a->type != b->type || a->data != b->data ||
      a->local_node_vm_count != b->local_node_vm_count) {
    snprintf(why, whysz,
             "type %d/%d, data %d/%d, nodes %zu/%zu (jansson/tokens)",
             (int)a->type, (int)b->type, (int)a->data, (int)b->data,
             a->local_node_vm_count, b->local_node_vm_count);
    return true;
  }
  if (strings_differ("external prefix", a->external_snapshot_uri_prefix,
                     b->external_snapshot_uri_prefix, why, whysz) ||
      strings_differ("local prefix", a->local_snapshot_prefix,
                     b->local_snapshot_prefix, why, whysz))
    return true;
  for (size_t i = 0; i < a->local_node_vm_count; i++)
    if (strings_differ("a node", a->local_node_vms[i], b->local_node_vms[i],
                       why, whysz))
      return true;
  return false;
}

static bool selectors_differ(const atesql_worker_selector *a,
                             const atesql_worker_selector *b, char *why,
                             size_t whysz) {
  if (a == NULL || b == NULL) {
    if (a == b) return false;
    snprintf(why, whysz, "set by %s only", a ? "jansson" : "tokens");
    return true;
  }
  if (a->match_label_count != b->match_label_count) {
    snprintf(why, whysz, "%zu labels from jansson, %zu from tokens",
             a->match_label_count, b->match_label_count);
    return true;
  }
  for (size_t i = 0; i < a->match_label_count; i++)
    if (strings_differ("a label key", a->match_labels[i].key,
                       b->match_labels[i].key, why, whysz) ||
        strings_differ("a label value", a->match_labels[i].value,
                       b->match_labels[i].value, why, whysz))
      return true;
  return false;
}

bool column_readers_agree(field_message column, const char *text, size_t len,
                          bool *decoded, char *why, size_t whysz) {
  void *root_a = arena_new(8, 0), *root_b = arena_new(8, 0);
  atesql_actor a = {0}, b = {0};
  atesql_error err_a = {0}, err_b = {0};
  atesql_status st_a =
      codec_column_from_json(column, text, len, root_a, true, &a, &err_a);
  atesql_status st_b =
      codec_column_from_json(column, text, len, root_b, false, &b, &err_b);
  bool differ = false;
  *decoded = st_a == ATESQL_OK;
  if (st_a != st_b) {
    snprintf(why, whysz, "jansson %s (%s), tokens %s (%s)",
             atesql_status_str(st_a), err_a.message, atesql_status_str(st_b),
             err_b.message);
    differ = true;
  } else if (st_a != ATESQL_OK) {
    differ =
        strings_differ("the message", err_a.message, err_b.message, why, whysz);
  } else if (column == MESSAGE_SNAPSHOT_INFO) {
    differ = snapshot_infos_differ(a.latest_snapshot_info,
                                   b.latest_snapshot_info, why, whysz);
  } else {
    differ = selectors_differ(a.worker_selector, b.worker_selector, why, whysz);
  }
  arena_free(root_a);
  arena_free(root_b);
  return !differ;
}
