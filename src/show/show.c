/*
** The library's values as text for people: each resource's row in an
** aligned table (workers, actors, atespaces), a statement's bound
** parameters, and the migrations a run applied. Public API only, so that
** the atesql program and the demo print them alike.
*/
#include "show.h"

#include "count.h"
#include <stdlib.h>
#include <string.h>

/* Empty cells are shown as "-" so columns stay readable. */
static const char *shown(const char *s) { return s && s[0] ? s : "-"; }

/* ---- workers ---- */

static const char *const worker_columns[] = {
    "NAMESPACE", "POOL", "POD", "NODE", "IP", "ACTOR", "VERSION", "LABELS"};

static void worker_row(table *t, const void *record) {
  const atesql_worker *w = record;
  table_cell(t, shown(w->worker_namespace));
  table_cell(t, shown(w->worker_pool));
  table_cell(t, shown(w->worker_pod));
  table_cell(t, shown(w->node_name));
  table_cell(t, shown(w->ip));
  if (w->actor_id[0])
    table_cellf(t, "%s/%s", w->actor_atespace, w->actor_id);
  else
    table_cell(t, "-");
  table_cellf(t, "%lld", (long long)w->version);
  /* k=v,... in key order; label syntax holds no ',' or '='. */
  char labels[2048];
  size_t len = 0;
  for (size_t i = 0; i < w->label_count && len < sizeof labels; i++)
    len += (size_t)snprintf(labels + len, sizeof labels - len, "%s%s=%s",
                            i ? "," : "", w->labels[i].key, w->labels[i].value);
  table_cell(t, w->label_count ? labels : "-");
}

/* ---- actors ---- */

static const char *const actor_columns[] = {"ATESPACE", "ACTOR_ID", "STATUS",
                                            "TEMPLATE", "POOL",     "ATEOM_POD",
                                            "SNAPSHOT", "VERSION"};

/* Where the latest snapshot is, by the set member of its oneof:
** "local:node-a,node-b" or "external:URI"; with no member set, its type's
** name; "-" when the field is unset. */
static void snapshot_cell(table *t, const atesql_snapshot_info *info) {
  if (info == NULL) {
    table_cell(t, "-");
    return;
  }
  if (info->data == ATESQL_SNAPSHOT_DATA_EXTERNAL) {
    table_cellf(t, "external:%s", info->external_snapshot_uri_prefix);
    return;
  }
  if (info->data != ATESQL_SNAPSHOT_DATA_LOCAL) {
    const char *type = atesql_snapshot_type_name(info->type);
    if (type)
      table_cell(t, type);
    else
      table_cellf(t, "%d", (int)info->type);
    return;
  }
  size_t len = strlen("local:") + 1;
  for (size_t i = 0; i < info->local_node_vm_count; i++)
    len += strlen(info->local_node_vms[i]) + 1;
  char *buf = malloc(len);
  if (buf == NULL) {
    table_cell(t, "?");
    return;
  }
  char *end = stpcpy(buf, "local:");
  for (size_t i = 0; i < info->local_node_vm_count; i++) {
    if (i) *end++ = ',';
    end = stpcpy(end, info->local_node_vms[i]);
  }
  table_cell(t, buf);
  free(buf);
}

static void actor_row(table *t, const void *record) {
  const atesql_actor *a = record;
  const char *status = atesql_actor_status_name(a->status);
  table_cell(t, shown(a->atespace));
  table_cell(t, shown(a->actor_id));
  if (status)
    table_cell(t, status);
  else
    table_cellf(t, "%d", (int)a->status);
  table_cellf(t, "%s/%s", a->actor_template_namespace, a->actor_template_name);
  table_cell(t, shown(a->worker_pool_name));
  table_cell(t, shown(a->ateom_pod_name));
  snapshot_cell(t, a->latest_snapshot_info);
  table_cellf(t, "%lld", (long long)a->version);
}

/* ---- atespaces ---- */

static const char *const atespace_columns[] = {"NAME"};

static void atespace_row(table *t, const void *record) {
  const atesql_atespace *a = record;
  table_cell(t, shown(a->name));
}

/* A resource's headers and the function that fills its row. */
typedef struct row_format {
  atesql_resource resource;
  const char *const *columns;
  size_t column_count;
  void (*add_row)(table *t, const void *record);
} row_format;

static const row_format formats[] = {
    {ATESQL_RESOURCE_WORKERS, worker_columns, COUNT(worker_columns),
     worker_row},
    {ATESQL_RESOURCE_ACTORS, actor_columns, COUNT(actor_columns), actor_row},
    {ATESQL_RESOURCE_ATESPACES, atespace_columns, COUNT(atespace_columns),
     atespace_row},
};

/* The format of resource's rows; NULL for an unknown resource. */
static const row_format *format_of(atesql_resource resource) {
  for (size_t i = 0; i < COUNT(formats); i++)
    if (formats[i].resource == resource) return &formats[i];
  return NULL;
}

table *show_table_new(atesql_resource resource) {
  const row_format *f = format_of(resource);
  return f ? table_new(f->columns, f->column_count) : NULL;
}

void show_row(table *t, atesql_resource resource, const void *record) {
  const row_format *f = format_of(resource);
  if (f) f->add_row(t, record);
}

void show_params(const atesql_param *params, size_t n, atesql_dialect dialect) {
  char mark = dialect == ATESQL_DIALECT_SQLITE ? '?' : '$';
  for (size_t i = 0; i < n; i++) {
    if (params[i].type == ATESQL_PARAM_INT64)
      printf(" %c%zu=%lld", mark, i + 1, (long long)params[i].int64);
    else
      printf(" %c%zu='%s'", mark, i + 1, params[i].text);
  }
  printf("\n");
}

void show_applied(const atesql_migration_list *applied) {
  for (size_t i = 0; i < applied->count; i++)
    printf("applied %04lld_%s\n", (long long)applied->items[i].version,
           applied->items[i].name);
  if (applied->count == 0)
    printf("schema is up to date (version %lld)\n",
           (long long)atesql_schema_version());
}

const char *show_event_type(atesql_event_type type) {
  switch (type) {
  case ATESQL_EVENT_CREATED: return "CREATED";
  case ATESQL_EVENT_UPDATED: return "UPDATED";
  case ATESQL_EVENT_DELETED: return "DELETED";
  }
  return "UNKNOWN";
}
