/*
** The field tables of the messages of ateapi.proto the library stores:
** Worker, Actor and Atespace, and the messages nested in Actor. Message
** fields with presence (Actor.latest_snapshot_info, Actor.worker_selector)
** are pointers, NULL when unset; the members of SnapshotInfo's oneof are
** flattened into atesql_snapshot_info, with `data` saying which one is set.
*/
#include "codec/json_internal.h"

static const char *status_name(int value) {
  return atesql_actor_status_name((atesql_actor_status)value);
}

static const char *snapshot_type_name(int value) {
  return atesql_snapshot_type_name((atesql_snapshot_type)value);
}

/* Worker, in the declaration order of ateapi.proto. */
static const json_field worker_fields[] = {
    STRING("workerNamespace", "worker_namespace", atesql_worker,
           worker_namespace),
    STRING("workerPool", "worker_pool", atesql_worker, worker_pool),
    STRING("workerPod", "worker_pod", atesql_worker, worker_pod),
    STRING("actorNamespace", "actor_namespace", atesql_worker, actor_namespace),
    STRING("actorTemplate", "actor_template", atesql_worker, actor_template),
    STRING("actorId", "actor_id", atesql_worker, actor_id),
    STRING("ip", "ip", atesql_worker, ip),
    INT64("version", "version", atesql_worker, version),
    STRING("workerPodUid", "worker_pod_uid", atesql_worker, worker_pod_uid),
    STRING("nodeName", "node_name", atesql_worker, node_name),
    STRING("actorAtespace", "actor_atespace", atesql_worker, actor_atespace),
    /* atesql's own: upstream's Worker has no labels, so its documents
    ** (without the field) import as workers without labels. */
    REPEATED("labels", "labels", KIND_LABEL_MAP, atesql_worker, labels,
             label_count),
};

/* ExternalSnapshotInfo and LocalSnapshotInfo: flattened into
** atesql_snapshot_info, so their base is the snapshot info's. */
static const json_field external_snapshot_fields[] = {
    STRING("snapshotUriPrefix", "snapshot_uri_prefix", atesql_snapshot_info,
           external_snapshot_uri_prefix),
};

static const json_field local_snapshot_fields[] = {
    STRING("snapshotPrefix", "snapshot_prefix", atesql_snapshot_info,
           local_snapshot_prefix),
    REPEATED("nodeVmsWithLocalSnapshots", "node_vms_with_local_snapshots",
             KIND_STRING_LIST, atesql_snapshot_info, local_node_vms,
             local_node_vm_count),
};

static const json_message external_snapshot_message =
    MESSAGE(external_snapshot_fields);
static const json_message local_snapshot_message =
    MESSAGE(local_snapshot_fields);

static const json_field snapshot_info_fields[] = {
    ENUM("type", "type", atesql_snapshot_info, type, snapshot_type_name, 3),
    ONEOF_MEMBER("external", "external", atesql_snapshot_info, data,
                 ATESQL_SNAPSHOT_DATA_EXTERNAL, external_snapshot_message),
    ONEOF_MEMBER("local", "local", atesql_snapshot_info, data,
                 ATESQL_SNAPSHOT_DATA_LOCAL, local_snapshot_message),
};

static const json_message snapshot_info_message = MESSAGE(snapshot_info_fields);

static const json_field worker_selector_fields[] = {
    REPEATED("matchLabels", "match_labels", KIND_LABEL_MAP,
             atesql_worker_selector, match_labels, match_label_count),
};

static const json_message worker_selector_message =
    MESSAGE(worker_selector_fields);

/* The two message fields of Actor with presence; also the fields the
** store's JSON columns hold (codec_snapshot_info_to_json ...). */
#define LATEST_SNAPSHOT_INFO                                                   \
  OPTIONAL("latestSnapshotInfo", "latest_snapshot_info", atesql_actor,         \
           latest_snapshot_info, atesql_snapshot_info, snapshot_info_message)
#define WORKER_SELECTOR                                                        \
  OPTIONAL("workerSelector", "worker_selector", atesql_actor, worker_selector, \
           atesql_worker_selector, worker_selector_message)

const json_field codec_latest_snapshot_info_field = LATEST_SNAPSHOT_INFO;
const json_field codec_worker_selector_field = WORKER_SELECTOR;

/* Actor, in the declaration order of ateapi.proto. */
static const json_field actor_fields[] = {
    STRING("actorId", "actor_id", atesql_actor, actor_id),
    INT64("version", "version", atesql_actor, version),
    STRING("actorTemplateNamespace", "actor_template_namespace", atesql_actor,
           actor_template_namespace),
    STRING("actorTemplateName", "actor_template_name", atesql_actor,
           actor_template_name),
    ENUM("status", "status", atesql_actor, status, status_name, 7),
    STRING("ateomPodNamespace", "ateom_pod_namespace", atesql_actor,
           ateom_pod_namespace),
    STRING("ateomPodName", "ateom_pod_name", atesql_actor, ateom_pod_name),
    STRING("ateomPodIp", "ateom_pod_ip", atesql_actor, ateom_pod_ip),
    STRING("inProgressSnapshot", "in_progress_snapshot", atesql_actor,
           in_progress_snapshot),
    STRING("ateomPodUid", "ateom_pod_uid", atesql_actor, ateom_pod_uid),
    LATEST_SNAPSHOT_INFO,
    WORKER_SELECTOR,
    STRING("workerPoolName", "worker_pool_name", atesql_actor,
           worker_pool_name),
    STRING("atespace", "atespace", atesql_actor, atespace),
};

static const json_field atespace_fields[] = {
    STRING("name", "name", atesql_atespace, name),
};

_Static_assert(COUNT(actor_fields) <= 32,
               "the decoders' seen is a 32-bit mask; actor_fields is the "
               "largest table");

const json_message codec_worker_message = MESSAGE(worker_fields);
const json_message codec_actor_message = MESSAGE(actor_fields);
const json_message codec_atespace_message = MESSAGE(atespace_fields);
