/*
** The vocabulary shared by every part of the atesql API: status codes, the
** error report of calls that have no store handle, the records the store
** holds (atespaces, actors, workers), the pages a list returns, and the
** options a list takes.
**
** Memory rules, once for the whole API: a record returned by the library
** is one allocation, and a page one arena, freed by the one matching
** *_free call; their string fields are never NULL. A record passed in is
** read during the call only; NULL string fields read as "". The library
** keeps no caller pointer after a call returns.
*/
#ifndef ATESQL_TYPES_H
#define ATESQL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ATESQL_BUILDING) && defined(__GNUC__)
#define ATESQL_API __attribute__((visibility("default")))
#else
#define ATESQL_API
#endif

/*
** The result of every fallible call. They mirror the errors of the
** upstream store interface.
*/
typedef enum atesql_status {
  ATESQL_OK = 0,
  /* The record does not exist. */
  ATESQL_NOT_FOUND,
  /* Create of a key that exists. */
  ATESQL_ALREADY_EXISTS,
  /* Version mismatch or serialization failure: reload and retry. Also a
  ** claim on PostgreSQL whose fitting free workers are all locked by
  ** other transactions: retry. */
  ATESQL_CONFLICT,
  /* The record's state forbids the call, or the schema is not migrated. */
  ATESQL_FAILED_PRECONDITION,
  /* Bad input: selector, key, field, page token, URL. */
  ATESQL_INVALID_ARGUMENT,
  /* Connection lost, database busy beyond the timeout, or an I/O error
  ** (disk full): safe to retry; a write may or may not have happened (an
  ** I/O error at its commit can leave it durable): reread first. */
  ATESQL_UNAVAILABLE,
  /* An allocation failed; nothing was written. */
  ATESQL_NO_MEMORY,
  /* Anything else; the message says what. */
  ATESQL_INTERNAL,
  /* No answer within the handle's timeout (atesql_store_set_timeout): like
  ** UNAVAILABLE, a write may or may not have happened. */
  ATESQL_DEADLINE_EXCEEDED,
  /* atesql_worker_claim: no free worker fits the request; nothing was
  ** written. (Free workers that fit but are all locked by other
  ** transactions are CONFLICT instead: retry.) */
  ATESQL_RESOURCE_EXHAUSTED,
  /* The events after the revision asked for were compacted away
  ** (atesql_compact): list again, and watch from the list's revision. */
  ATESQL_COMPACTED,
  /* The call was interrupted by atesql_store_interrupt from another
  ** thread. Like DEADLINE_EXCEEDED, a write may or may not have happened:
  ** reread before retrying. */
  ATESQL_CANCELLED
} atesql_status;

/* How many statuses there are (the last one plus one): an array indexed
** by atesql_status has this many entries. */
#define ATESQL_STATUS_COUNT ((int)ATESQL_CANCELLED + 1)

/*
** The name of a status ("OK", "NOT_FOUND", ...). Never NULL; an unknown value
** gives "UNKNOWN". The string is static. Thread-safe.
*/
ATESQL_API const char *atesql_status_str(atesql_status status);

/*
** The library's version, "MAJOR.MINOR.PATCH". Static string. Thread-safe.
*/
ATESQL_API const char *atesql_version(void);

/*
** Free memory the library returned as a plain buffer (a formatted selector,
** for example). NULL is a no-op.
*/
ATESQL_API void atesql_free(void *ptr);

#define ATESQL_ERROR_MESSAGE_MAX 512

/*
** The error report of calls that have no store handle (selector parsing and
** compiling, opening a store, migrations). Callers own it, usually on the
** stack; every such call takes it as an optional last argument (NULL: no
** report). On failure the call fills it; on success it is left untouched.
*/
typedef struct atesql_error {
  atesql_status status;
  /* 1-based byte column in the selector text where the problem starts; 0
  ** when the error is not about a position in a text. */
  size_t column;
  /* One line, NUL-terminated, naming what was wrong. */
  char message[ATESQL_ERROR_MESSAGE_MAX];
} atesql_error;

/*
** The longest value, in bytes, of a text field that the database indexes:
** every key part, every selector field, a lock's key. The same on both
** backends, and below PostgreSQL's B-tree limit for an index entry of
** several such fields. A longer value is INVALID_ARGUMENT naming the field,
** before the database sees it. Not limited: in_progress_snapshot, the
** nested fields of an actor, a lock's value.
*/
#define ATESQL_INDEXED_TEXT_MAX 512

/* The three kinds of records a selector or a list can address. */
typedef enum atesql_resource {
  ATESQL_RESOURCE_WORKERS = 1,
  ATESQL_RESOURCE_ACTORS,
  ATESQL_RESOURCE_ATESPACES
} atesql_resource;

/*
** The name of a resource as the CLI and messages spell it ("workers",
** "actors", "atespaces"), or NULL for a value out of range. Thread-safe.
*/
ATESQL_API const char *atesql_resource_name(atesql_resource resource);

/* An atespace: the isolation boundary actors are created into. */
typedef struct atesql_atespace {
  const char *name;
} atesql_atespace;

/*
** Actor.Status of ateapi.proto. Selectors spell them by proto name. Like
** every proto3 enum it is open: a record may hold any 32-bit value, and one
** without a name is stored and returned as it is (protojson writes it as a
** number).
*/
typedef enum atesql_actor_status {
  ATESQL_ACTOR_STATUS_UNSPECIFIED = 0,
  ATESQL_ACTOR_STATUS_RESUMING = 1,
  ATESQL_ACTOR_STATUS_RUNNING = 2,
  ATESQL_ACTOR_STATUS_SUSPENDING = 3,
  ATESQL_ACTOR_STATUS_SUSPENDED = 4,
  ATESQL_ACTOR_STATUS_PAUSING = 5,
  ATESQL_ACTOR_STATUS_PAUSED = 6
} atesql_actor_status;

/* SnapshotType of ateapi.proto: where an actor's latest snapshot lives.
** Open like atesql_actor_status. */
typedef enum atesql_snapshot_type {
  ATESQL_SNAPSHOT_TYPE_UNSPECIFIED = 0,
  ATESQL_SNAPSHOT_TYPE_LOCAL = 1,
  ATESQL_SNAPSHOT_TYPE_EXTERNAL = 2
} atesql_snapshot_type;

/*
** The proto name of an actor status ("STATUS_RUNNING") or snapshot type
** ("SNAPSHOT_TYPE_LOCAL"); NULL for a value without a name. Static strings.
*/
ATESQL_API const char *atesql_actor_status_name(atesql_actor_status status);
ATESQL_API const char *atesql_snapshot_type_name(atesql_snapshot_type type);

/*
** Which member of SnapshotInfo's `oneof data` is set. The values are the
** members' proto field numbers.
*/
typedef enum atesql_snapshot_data {
  ATESQL_SNAPSHOT_DATA_NONE = 0,     /* neither member is set */
  ATESQL_SNAPSHOT_DATA_EXTERNAL = 2, /* external (ExternalSnapshotInfo) */
  ATESQL_SNAPSHOT_DATA_LOCAL = 3     /* local (LocalSnapshotInfo) */
} atesql_snapshot_data;

/*
** Actor.latest_snapshot_info (SnapshotInfo). `data` says which member of
** the oneof is set, independently of `type` (protojson keeps them apart,
** so a record may say SNAPSHOT_TYPE_EXTERNAL and hold `local`). Only the
** set member's fields are read on input; the other member's fields come
** back "" and empty.
*/
typedef struct atesql_snapshot_info {
  atesql_snapshot_type type;
  atesql_snapshot_data data;
  const char *external_snapshot_uri_prefix; /* external.snapshot_uri_prefix */
  const char *local_snapshot_prefix;        /* local.snapshot_prefix */
  /* local.node_vms_with_local_snapshots: node names holding a local snapshot,
  ** in the record's order (repeats allowed, as in the proto) */
  const char *const *local_node_vms;
  size_t local_node_vm_count;
} atesql_snapshot_info;

/* One entry of Selector.match_labels, or one label of a worker. */
typedef struct atesql_label {
  const char *key;
  const char *value;
} atesql_label;

/* Actor.worker_selector (Selector): the match_labels map. Keys must be
** unique (a repeated key is INVALID_ARGUMENT); the store returns them in
** byte order of keys. */
typedef struct atesql_worker_selector {
  const atesql_label *match_labels;
  size_t match_label_count;
} atesql_worker_selector;

/*
** An actor. Key: (atespace, actor_id). actor_template_namespace and
** actor_template_name are immutable after create; version is managed by the
** store (create sets 1, every update adds 1).
**
** The two message fields have presence, as in protojson: NULL means the
** field is unset, a pointer means it is set (possibly to an empty message).
** The store returns them exactly as they were written.
*/
typedef struct atesql_actor {
  const char *atespace;
  const char *actor_id;
  int64_t version;
  const char *actor_template_namespace;
  const char *actor_template_name;
  atesql_actor_status status;
  const char *ateom_pod_namespace;
  const char *ateom_pod_name;
  const char *ateom_pod_ip;
  const char *ateom_pod_uid;
  const char *in_progress_snapshot;
  const char *worker_pool_name;
  const atesql_snapshot_info *latest_snapshot_info; /* NULL: unset */
  const atesql_worker_selector *worker_selector;    /* NULL: unset */
} atesql_actor;

/*
** A worker. Key: (worker_namespace, worker_pool, worker_pod). actor_id ""
** means the worker is free. ip is immutable after create; version is managed
** by the store.
**
** labels: free-form scheduling attributes (gpu_type=h100), selectable as
** "labels.gpu_type=h100" (selector.h). Keys and values follow Kubernetes
** label syntax: a key is an optional DNS-subdomain prefix (at most 253
** bytes) and '/', then a name of at most 63 characters [A-Za-z0-9._-]
** beginning and ending with a letter or digit; a value is empty or such a
** name. At most ATESQL_WORKER_LABELS_MAX labels, keys unique; anything else
** is INVALID_ARGUMENT naming the label. An update replaces the whole set.
** The store returns them sorted by key.
*/
typedef struct atesql_worker {
  const char *worker_namespace;
  const char *worker_pool;
  const char *worker_pod;
  const char *actor_namespace;
  const char *actor_template;
  const char *actor_id;
  const char *actor_atespace;
  const char *ip;
  const char *worker_pod_uid;
  const char *node_name;
  int64_t version;
  const atesql_label *labels;
  size_t label_count;
} atesql_worker;

/* The most labels a worker has. */
#define ATESQL_WORKER_LABELS_MAX 64

/*
** One page of a list. items[0..count) in primary-key order.
** next_page_token is "" on the last page, else the token that continues the
** listing. The whole page, items and strings, is freed by the one matching
** *_page_free call (its memory is one allocation for the rows the page was
** sized for, more for rows beyond; on PostgreSQL its strings point into the
** driver's result, which the page keeps).
*/
typedef struct atesql_atespace_page {
  atesql_atespace *items;
  size_t count;
  const char *next_page_token;
} atesql_atespace_page;

typedef struct atesql_actor_page {
  atesql_actor *items;
  size_t count;
  const char *next_page_token;
} atesql_actor_page;

typedef struct atesql_worker_page {
  atesql_worker *items;
  size_t count;
  const char *next_page_token;
  /* The store revision the page reflects: every worker change up to it
  ** and none after. Every page of one listing (the later pages follow the
  ** first page's token) reflects the first page's revision, so a watch
  ** opened at it (atesql_watch_opts.since_revision) continues the listing
  ** with no gap and no duplicate. */
  int64_t revision;
} atesql_worker_page;

/* The page size of a list whose options leave it 0. */
#define ATESQL_DEFAULT_PAGE_SIZE 500
/* The largest page a list returns; larger requests are lowered to it, as
** upstream's ListWorkers/ListActors coerce page_size. */
#define ATESQL_MAX_PAGE_SIZE 1000

struct atesql_selector;

/*
** Options of a list or count call. A zeroed struct lists everything from
** the first page with the default page size:
**     atesql_list_opts opts = {0};
*/
typedef struct atesql_list_opts {
  /* Selector text (see selector.h); NULL or "" selects every record.
  ** Ignored when `selector` is set. */
  const char *selector_text;
  /* A selector built in C; takes precedence over selector_text. Borrowed
  ** for the call. */
  const struct atesql_selector *selector;
  /* Records per page: 0 means ATESQL_DEFAULT_PAGE_SIZE; values above
  ** ATESQL_MAX_PAGE_SIZE mean ATESQL_MAX_PAGE_SIZE. Ignored by count. */
  size_t page_size;
  /* next_page_token of the previous page; NULL or "" for the first page.
  ** A token is valid only with the selector that produced it. Ignored by
  ** count. */
  const char *page_token;
} atesql_list_opts;

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_TYPES_H */
