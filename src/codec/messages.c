/*
** The field tables of the messages of ateapi.proto the library stores:
** the messages nested in Actor, as tables here, and Worker, Actor and
** Atespace, made from the records' column tables (schema.h), so that a
** field of a record is added in one place. Message
** fields with presence (Actor.latest_snapshot_info, Actor.worker_selector)
** are pointers, NULL when unset; the members of SnapshotInfo's oneof are
** flattened into atesql_snapshot_info, with `data` saying which one is set.
*/
#include <pthread.h>

#include "codec/json_internal.h"

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
    ENUM("type", "type", atesql_snapshot_info, type, schema_snapshot_type_names,
         SCHEMA_SNAPSHOT_TYPES),
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

/*
** The records' messages, made once from their column tables: a row per
** column, in the order of its proto field number (atesql's own fields,
** numbered 0, after the proto's), as protojson writes them.
*/
static json_field record_fields[3][SCHEMA_MAX_COLUMNS];
static json_message record_messages[3];
static pthread_once_t records_made = PTHREAD_ONCE_INIT;

_Static_assert(SCHEMA_MAX_COLUMNS <= 32,
               "the decoders' seen is a 32-bit mask of a message's fields");

/* The codec's row for column f. */
static json_field field_of(const field_def *f) {
  json_field j = {
      .json_name = f->json_name, .snake_name = f->name, .offset = f->offset};
  switch (f->type) {
  case FIELD_INT64: j.kind = KIND_INT64; break;
  case FIELD_ENUM:
    j.kind = KIND_ENUM;
    j.enum_names = f->enum_names;
    j.enum_count = f->enum_count;
    break;
  case FIELD_LABEL_MAP:
    j.kind = KIND_LABEL_MAP;
    j.count_offset = f->count_offset;
    break;
  case FIELD_MESSAGE:
    j.kind = KIND_MESSAGE_PTR;
    j.size = f->message == MESSAGE_SNAPSHOT_INFO
                 ? sizeof(atesql_snapshot_info)
                 : sizeof(atesql_worker_selector);
    j.message = f->message == MESSAGE_SNAPSHOT_INFO ? &snapshot_info_message
                                                    : &worker_selector_message;
    break;
  default: j.kind = KIND_STRING; break;
  }
  return j;
}

/* Does a come before b in protojson's order? */
static bool proto_before(const field_def *a, const field_def *b) {
  if (a->proto_number == 0) return false;
  return b->proto_number == 0 || a->proto_number < b->proto_number;
}

static void make_records(void) {
  const resource_def *all[] = {&schema_workers, &schema_actors,
                               &schema_atespaces};
  for (size_t r = 0; r < 3; r++) {
    const resource_def *res = all[r];
    json_field *out = record_fields[res->id - 1];
    const field_def *sorted[SCHEMA_MAX_COLUMNS];
    for (size_t i = 0; i < res->column_count; i++) {
      size_t k = i;
      for (; k > 0 && proto_before(&res->fields[i], sorted[k - 1]); k--)
        sorted[k] = sorted[k - 1];
      sorted[k] = &res->fields[i];
    }
    for (size_t i = 0; i < res->column_count; i++)
      out[i] = field_of(sorted[i]);
    record_messages[res->id - 1] =
        (json_message){.fields = out, .count = res->column_count};
  }
}

const json_message *codec_record_message(atesql_resource r) {
  pthread_once(&records_made, make_records);
  if (r < ATESQL_RESOURCE_WORKERS || r > ATESQL_RESOURCE_ATESPACES) return NULL;
  return &record_messages[r - 1];
}

const json_field *codec_message_field(field_message m) {
  const json_message *actor = codec_record_message(ATESQL_RESOURCE_ACTORS);
  for (size_t i = 0; i < actor->count; i++)
    if (actor->fields[i].kind == KIND_MESSAGE_PTR &&
        actor->fields[i].message == (m == MESSAGE_SNAPSHOT_INFO
                                         ? &snapshot_info_message
                                         : &worker_selector_message))
      return &actor->fields[i];
  return NULL;
}
