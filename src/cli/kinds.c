/*
** The per-resource rows of the kinds table: thin adapters from the typed
** public calls (atesql_worker_list, atesql_actor_to_json ...) to the
** void-pointer shape the generic commands use.
*/
#include "kinds.h"

#include "count.h"
#include <string.h>

/* ---- workers ---- */

static atesql_status worker_list(atesql_store *s, const atesql_list_opts *opts,
                                 cli_page *out) {
  atesql_worker_page *p = NULL;
  atesql_status st = atesql_worker_list(s, opts, &p);
  if (st != ATESQL_OK) return st;
  *out = (cli_page){p, p->items, p->count, p->next_page_token, p->revision};
  return ATESQL_OK;
}

static void worker_page_free(void *page) { atesql_worker_page_free(page); }

static atesql_status worker_get(atesql_store *s, char *const *key, void **out) {
  atesql_worker *w = NULL;
  atesql_status st = atesql_worker_get(s, key[0], key[1], key[2], &w);
  *out = w;
  return st;
}

static void worker_free(void *record) { atesql_worker_free(record); }

static atesql_status worker_to_json(const void *record, char **out,
                                    atesql_error *err) {
  return atesql_worker_to_json(record, out, err);
}

static atesql_status worker_from_json(const char *text, size_t len, void **out,
                                      atesql_error *err) {
  atesql_worker *w = NULL;
  atesql_status st = atesql_worker_from_json(text, len, &w, err);
  *out = w;
  return st;
}

static atesql_status worker_import(atesql_store *s, const void *record) {
  return atesql_worker_import(s, record);
}

/* ---- actors ---- */

static atesql_status actor_list(atesql_store *s, const atesql_list_opts *opts,
                                cli_page *out) {
  atesql_actor_page *p = NULL;
  atesql_status st = atesql_actor_list(s, opts, &p);
  if (st != ATESQL_OK) return st;
  *out = (cli_page){p, p->items, p->count, p->next_page_token, -1};
  return ATESQL_OK;
}

static void actor_page_free(void *page) { atesql_actor_page_free(page); }

static atesql_status actor_get(atesql_store *s, char *const *key, void **out) {
  atesql_actor *a = NULL;
  atesql_status st = atesql_actor_get(s, key[0], key[1], &a);
  *out = a;
  return st;
}

static void actor_free(void *record) { atesql_actor_free(record); }

static atesql_status actor_to_json(const void *record, char **out,
                                   atesql_error *err) {
  return atesql_actor_to_json(record, out, err);
}

static atesql_status actor_from_json(const char *text, size_t len, void **out,
                                     atesql_error *err) {
  atesql_actor *a = NULL;
  atesql_status st = atesql_actor_from_json(text, len, &a, err);
  *out = a;
  return st;
}

static atesql_status actor_import(atesql_store *s, const void *record) {
  return atesql_actor_import(s, record);
}

/* ---- atespaces ---- */

static atesql_status
atespace_list(atesql_store *s, const atesql_list_opts *opts, cli_page *out) {
  atesql_atespace_page *p = NULL;
  atesql_status st = atesql_atespace_list(s, opts, &p);
  if (st != ATESQL_OK) return st;
  *out = (cli_page){p, p->items, p->count, p->next_page_token, -1};
  return ATESQL_OK;
}

static void atespace_page_free(void *page) { atesql_atespace_page_free(page); }

static atesql_status atespace_get(atesql_store *s, char *const *key,
                                  void **out) {
  atesql_atespace *a = NULL;
  atesql_status st = atesql_atespace_get(s, key[0], &a);
  *out = a;
  return st;
}

static void atespace_free(void *record) { atesql_atespace_free(record); }

static atesql_status atespace_to_json(const void *record, char **out,
                                      atesql_error *err) {
  return atesql_atespace_to_json(record, out, err);
}

static atesql_status atespace_from_json(const char *text, size_t len,
                                        void **out, atesql_error *err) {
  atesql_atespace *a = NULL;
  atesql_status st = atesql_atespace_from_json(text, len, &a, err);
  *out = a;
  return st;
}

static atesql_status atespace_import(atesql_store *s, const void *record) {
  return atesql_atespace_create(s, record);
}

static const cli_kind kinds[] = {
    {ATESQL_RESOURCE_WORKERS, "workers", "worker", "NAMESPACE/POOL/POD", 3,
     sizeof(atesql_worker), worker_list, worker_page_free, worker_get,
     worker_free, worker_to_json, worker_from_json, worker_import},
    {ATESQL_RESOURCE_ACTORS, "actors", "actor", "ATESPACE/ACTOR_ID", 2,
     sizeof(atesql_actor), actor_list, actor_page_free, actor_get, actor_free,
     actor_to_json, actor_from_json, actor_import},
    {ATESQL_RESOURCE_ATESPACES, "atespaces", "atespace", "NAME", 1,
     sizeof(atesql_atespace), atespace_list, atespace_page_free, atespace_get,
     atespace_free, atespace_to_json, atespace_from_json, atespace_import},
};

const cli_kind *cli_kind_by_name(const char *name) {
  for (size_t i = 0; i < COUNT(kinds); i++)
    if (strcmp(kinds[i].plural, name) == 0) return &kinds[i];
  return NULL;
}

const void *cli_page_item(const cli_kind *kind, const cli_page *page,
                          size_t i) {
  return (const char *)page->items + i * kind->record_size;
}
