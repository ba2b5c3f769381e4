/*
** The nested messages of messages.h: an actor's latest_snapshot_info and
** worker_selector.
*/
#include "store/messages.h"

#include <string.h>

static atesql_status check_snapshot_info(atesql_store *s,
                                         const atesql_snapshot_info *info) {
  if (info == NULL) return ATESQL_OK;
  switch (info->data) {
  case ATESQL_SNAPSHOT_DATA_NONE: return ATESQL_OK;
  case ATESQL_SNAPSHOT_DATA_EXTERNAL:
    return check_text(s, "latest_snapshot_info.external.snapshot_uri_prefix",
                      info->external_snapshot_uri_prefix, false);
  case ATESQL_SNAPSHOT_DATA_LOCAL: break;
  default:
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "latest_snapshot_info.data %d names no member of the "
                      "oneof (NONE, EXTERNAL or LOCAL)",
                      (int)info->data);
  }
  atesql_status st = check_text(s, "latest_snapshot_info.local.snapshot_prefix",
                                info->local_snapshot_prefix, false);
  if (info->local_node_vm_count && info->local_node_vms == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "latest_snapshot_info.local_node_vms is NULL");
  for (size_t i = 0; st == ATESQL_OK && i < info->local_node_vm_count; i++) {
    if (info->local_node_vms[i] == NULL)
      return store_fail(s, ATESQL_INVALID_ARGUMENT,
                        "latest_snapshot_info.local_node_vms[%zu] is NULL", i);
    st = check_text(s, "a node in latest_snapshot_info.local_node_vms",
                    info->local_node_vms[i], false);
  }
  return st;
}

static atesql_status check_worker_selector(atesql_store *s,
                                           const atesql_worker_selector *sel) {
  if (sel == NULL) return ATESQL_OK;
  if (sel->match_label_count && sel->match_labels == NULL)
    return store_fail(s, ATESQL_INVALID_ARGUMENT,
                      "worker_selector.match_labels is NULL");
  atesql_status st = ATESQL_OK;
  for (size_t i = 0; st == ATESQL_OK && i < sel->match_label_count; i++) {
    const atesql_label *l = &sel->match_labels[i];
    st = check_text(s, "a worker_selector label key", l->key, false);
    if (st == ATESQL_OK)
      st = check_text(s, "a worker_selector label value", l->value, false);
    for (size_t k = 0; st == ATESQL_OK && k < i; k++)
      if (strcmp(sel->match_labels[k].key ? sel->match_labels[k].key : "",
                 l->key ? l->key : "") == 0)
        st = store_fail(s, ATESQL_INVALID_ARGUMENT,
                        "worker_selector label '%s' appears twice",
                        l->key ? l->key : "");
  }
  return st;
}

atesql_status message_check(atesql_store *s, field_message m,
                            const void *value) {
  switch (m) {
  case MESSAGE_SNAPSHOT_INFO: return check_snapshot_info(s, value);
  case MESSAGE_WORKER_SELECTOR: return check_worker_selector(s, value);
  default: return ATESQL_OK;
  }
}
