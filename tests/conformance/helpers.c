/*
** Helpers of the conformance suite: records with defaults, create and get
** with assertions, field-by-field comparison, and listing that follows
** page tokens to the end. They keep each test to the behaviour it pins.
*/
#include "conformance.h"

#include <time.h>

void assert_errmsg_names(atesql_store *store, const char *needle) {
  const char *msg = atesql_errmsg(store);
  assert_non_null(msg);
  if (msg[0] == '\0') fail_msg("errmsg is empty, want one naming '%s'", needle);
  if (strstr(msg, needle) == NULL)
    fail_msg("errmsg '%s' does not name '%s'", msg, needle);
}

atesql_store *open_second_store(void) {
  atesql_store *store = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_store_open(conformance_url, &store, &err);
  if (st != ATESQL_OK)
    fail_msg("second atesql_store_open: %s: %s", atesql_status_str(st),
             err.message);
  assert_non_null(store);
  return store;
}

void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

/* ---- records ---- */

atesql_worker make_worker(const char *ns, const char *pool, const char *pod) {
  atesql_worker w = {0};
  w.worker_namespace = ns;
  w.worker_pool = pool;
  w.worker_pod = pod;
  w.actor_namespace = "";
  w.actor_template = "";
  w.actor_id = "";
  w.actor_atespace = "";
  w.ip = "10.0.0.1";
  w.worker_pod_uid = "";
  w.node_name = "";
  return w;
}

atesql_actor make_actor(const char *atespace, const char *actor_id) {
  atesql_actor a = {0};
  a.atespace = atespace;
  a.actor_id = actor_id;
  a.actor_template_namespace = "tmpl-ns";
  a.actor_template_name = "tmpl";
  a.status = ATESQL_ACTOR_STATUS_UNSPECIFIED;
  a.ateom_pod_namespace = "";
  a.ateom_pod_name = "";
  a.ateom_pod_ip = "";
  a.ateom_pod_uid = "";
  a.in_progress_snapshot = "";
  a.worker_pool_name = "";
  return a;
}

void create_atespace(atesql_store *store, const char *name) {
  atesql_atespace a = {name};
  assert_ok(store, atesql_atespace_create(store, &a));
}

void create_worker(atesql_store *store, const char *ns, const char *pool,
                   const char *pod) {
  atesql_worker w = make_worker(ns, pool, pod);
  assert_ok(store, atesql_worker_create(store, &w));
}

void create_actor(atesql_store *store, const char *atespace,
                  const char *actor_id) {
  bool exists = false;
  assert_ok(store, atesql_atespace_exists(store, atespace, &exists));
  if (!exists) create_atespace(store, atespace);
  atesql_actor a = make_actor(atespace, actor_id);
  assert_ok(store, atesql_actor_create(store, &a));
}

atesql_worker *get_worker(atesql_store *store, const char *ns, const char *pool,
                          const char *pod) {
  atesql_worker *w = NULL;
  assert_ok(store, atesql_worker_get(store, ns, pool, pod, &w));
  assert_non_null(w);
  return w;
}

atesql_actor *get_actor(atesql_store *store, const char *atespace,
                        const char *actor_id) {
  atesql_actor *a = NULL;
  assert_ok(store, atesql_actor_get(store, atespace, actor_id, &a));
  assert_non_null(a);
  return a;
}

void set_actor_status(atesql_store *store, const char *atespace,
                      const char *actor_id, atesql_actor_status status) {
  atesql_actor *a = get_actor(store, atespace, actor_id);
  atesql_actor changed = *a;
  changed.status = status;
  assert_ok(store, atesql_actor_update(store, &changed, a->version, NULL));
  atesql_actor_free(a);
}

void assert_worker_fields_equal(const atesql_worker *got,
                                const atesql_worker *want) {
  assert_string_equal(got->worker_namespace, want->worker_namespace);
  assert_string_equal(got->worker_pool, want->worker_pool);
  assert_string_equal(got->worker_pod, want->worker_pod);
  assert_string_equal(got->actor_namespace, want->actor_namespace);
  assert_string_equal(got->actor_template, want->actor_template);
  assert_string_equal(got->actor_id, want->actor_id);
  assert_string_equal(got->actor_atespace, want->actor_atespace);
  assert_string_equal(got->ip, want->ip);
  assert_string_equal(got->worker_pod_uid, want->worker_pod_uid);
  assert_string_equal(got->node_name, want->node_name);
}

/* Presence, type, which member is set, and the set member's fields; the
** store returns the other member's fields empty. */
static void assert_snapshot_info_equal(const atesql_snapshot_info *got,
                                       const atesql_snapshot_info *want) {
  if (want == NULL) {
    assert_null(got);
    return;
  }
  assert_non_null(got);
  assert_int_equal(got->type, want->type);
  assert_int_equal(got->data, want->data);
  bool external = want->data == ATESQL_SNAPSHOT_DATA_EXTERNAL;
  bool local = want->data == ATESQL_SNAPSHOT_DATA_LOCAL;
  const char *want_uri = external ? want->external_snapshot_uri_prefix : "";
  const char *want_prefix = local ? want->local_snapshot_prefix : "";
  assert_string_equal(got->external_snapshot_uri_prefix,
                      want_uri ? want_uri : "");
  assert_string_equal(got->local_snapshot_prefix,
                      want_prefix ? want_prefix : "");
  assert_int_equal(got->local_node_vm_count,
                   local ? want->local_node_vm_count : 0);
  for (size_t i = 0; local && i < want->local_node_vm_count; i++)
    assert_string_equal(got->local_node_vms[i], want->local_node_vms[i]);
}

static void assert_worker_selector_equal(const atesql_worker_selector *got,
                                         const atesql_worker_selector *want) {
  if (want == NULL) {
    assert_null(got);
    return;
  }
  assert_non_null(got);
  assert_int_equal(got->match_label_count, want->match_label_count);
  for (size_t i = 0; i < want->match_label_count; i++) {
    assert_string_equal(got->match_labels[i].key, want->match_labels[i].key);
    assert_string_equal(got->match_labels[i].value,
                        want->match_labels[i].value);
  }
}

void assert_actor_fields_equal(const atesql_actor *got,
                               const atesql_actor *want) {
  assert_string_equal(got->atespace, want->atespace);
  assert_string_equal(got->actor_id, want->actor_id);
  assert_string_equal(got->actor_template_namespace,
                      want->actor_template_namespace);
  assert_string_equal(got->actor_template_name, want->actor_template_name);
  assert_int_equal(got->status, want->status);
  assert_string_equal(got->ateom_pod_namespace, want->ateom_pod_namespace);
  assert_string_equal(got->ateom_pod_name, want->ateom_pod_name);
  assert_string_equal(got->ateom_pod_ip, want->ateom_pod_ip);
  assert_string_equal(got->ateom_pod_uid, want->ateom_pod_uid);
  assert_string_equal(got->in_progress_snapshot, want->in_progress_snapshot);
  assert_string_equal(got->worker_pool_name, want->worker_pool_name);
  assert_snapshot_info_equal(got->latest_snapshot_info,
                             want->latest_snapshot_info);
  assert_worker_selector_equal(got->worker_selector, want->worker_selector);
}

/* ---- listing ---- */

void key_list_add(key_list *list, const char *key) {
  char **keys = realloc(list->keys, (list->count + 1) * sizeof *keys);
  assert_non_null(keys);
  list->keys = keys;
  list->keys[list->count] = strdup(key);
  assert_non_null(list->keys[list->count]);
  list->count++;
}

void key_list_free(key_list *list) {
  for (size_t i = 0; i < list->count; i++)
    free(list->keys[i]);
  free(list->keys);
  list->keys = NULL;
  list->count = 0;
}

size_t key_list_occurrences(const key_list *list, const char *key) {
  size_t n = 0;
  for (size_t i = 0; i < list->count; i++)
    if (strcmp(list->keys[i], key) == 0) n++;
  return n;
}

char *key_list_join(const key_list *list) {
  size_t len = 1;
  for (size_t i = 0; i < list->count; i++)
    len += strlen(list->keys[i]) + 1;
  char *out = malloc(len);
  assert_non_null(out);
  out[0] = '\0';
  for (size_t i = 0; i < list->count; i++) {
    if (i > 0) strcat(out, ",");
    strcat(out, list->keys[i]);
  }
  return out;
}

void worker_key(char out[KEY_MAX], const atesql_worker *w) {
  snprintf(out, KEY_MAX, "%s/%s/%s", w->worker_namespace, w->worker_pool,
           w->worker_pod);
}

void actor_key(char out[KEY_MAX], const atesql_actor *a) {
  snprintf(out, KEY_MAX, "%s/%s", a->atespace, a->actor_id);
}

/* The page size a list with opts must not exceed. */
static size_t effective_page_size(const atesql_list_opts *opts) {
  if (opts->page_size == 0) return ATESQL_DEFAULT_PAGE_SIZE;
  if (opts->page_size > ATESQL_MAX_PAGE_SIZE) return ATESQL_MAX_PAGE_SIZE;
  return opts->page_size;
}

/* Pages beyond this many mean the listing does not end. */
enum { PAGE_LIMIT = 10000 };

key_list list_all_workers(atesql_store *store, const atesql_list_opts *opts) {
  key_list keys = {0};
  atesql_list_opts o = *opts;
  char *token = NULL;
  for (int pages = 0;; pages++) {
    if (pages == PAGE_LIMIT) fail_msg("listing workers does not end");
    o.page_token = token;
    atesql_worker_page *page = NULL;
    assert_ok(store, atesql_worker_list(store, &o, &page));
    assert_true(page->count <= effective_page_size(&o));
    for (size_t i = 0; i < page->count; i++) {
      char key[KEY_MAX];
      worker_key(key, &page->items[i]);
      key_list_add(&keys, key);
    }
    free(token);
    token = strdup(page->next_page_token);
    atesql_worker_page_free(page);
    if (token[0] == '\0') break;
  }
  free(token);
  return keys;
}

key_list list_all_actors(atesql_store *store, const atesql_list_opts *opts) {
  key_list keys = {0};
  atesql_list_opts o = *opts;
  char *token = NULL;
  for (int pages = 0;; pages++) {
    if (pages == PAGE_LIMIT) fail_msg("listing actors does not end");
    o.page_token = token;
    atesql_actor_page *page = NULL;
    assert_ok(store, atesql_actor_list(store, &o, &page));
    assert_true(page->count <= effective_page_size(&o));
    for (size_t i = 0; i < page->count; i++) {
      char key[KEY_MAX];
      actor_key(key, &page->items[i]);
      key_list_add(&keys, key);
    }
    free(token);
    token = strdup(page->next_page_token);
    atesql_actor_page_free(page);
    if (token[0] == '\0') break;
  }
  free(token);
  return keys;
}

key_list list_all_atespaces(atesql_store *store, const atesql_list_opts *opts) {
  key_list keys = {0};
  atesql_list_opts o = *opts;
  char *token = NULL;
  for (int pages = 0;; pages++) {
    if (pages == PAGE_LIMIT) fail_msg("listing atespaces does not end");
    o.page_token = token;
    atesql_atespace_page *page = NULL;
    assert_ok(store, atesql_atespace_list(store, &o, &page));
    assert_true(page->count <= effective_page_size(&o));
    for (size_t i = 0; i < page->count; i++)
      key_list_add(&keys, page->items[i].name);
    free(token);
    token = strdup(page->next_page_token);
    atesql_atespace_page_free(page);
    if (token[0] == '\0') break;
  }
  free(token);
  return keys;
}

/* The last "/"-separated part of a key. */
static const char *last_part(const char *key) {
  const char *slash = strrchr(key, '/');
  return slash ? slash + 1 : key;
}

void expect_worker_pods(atesql_store *store, const char *selector,
                        const char *want) {
  atesql_list_opts opts = {0};
  opts.selector_text = selector;
  key_list keys = list_all_workers(store, &opts);
  key_list pods = {0};
  for (size_t i = 0; i < keys.count; i++)
    key_list_add(&pods, last_part(keys.keys[i]));
  char *got = key_list_join(&pods);
  if (strcmp(got, want) != 0)
    fail_msg("workers '%s' listed '%s', want '%s'", selector, got, want);
  int64_t count = -1;
  assert_ok(store, atesql_worker_count(store, &opts, &count));
  if (count != (int64_t)keys.count)
    fail_msg("workers '%s' counted %lld, listed %zu", selector,
             (long long)count, keys.count);
  free(got);
  key_list_free(&pods);
  key_list_free(&keys);
}

void expect_actor_keys(atesql_store *store, const char *selector,
                       const char *want) {
  atesql_list_opts opts = {0};
  opts.selector_text = selector;
  key_list keys = list_all_actors(store, &opts);
  char *got = key_list_join(&keys);
  if (strcmp(got, want) != 0)
    fail_msg("actors '%s' listed '%s', want '%s'", selector, got, want);
  int64_t count = -1;
  assert_ok(store, atesql_actor_count(store, &opts, &count));
  if (count != (int64_t)keys.count)
    fail_msg("actors '%s' counted %lld, listed %zu", selector, (long long)count,
             keys.count);
  free(got);
  key_list_free(&keys);
}

/*
** Key parts in ordering tests are lowercase letters and digits, which sort
** after "/", so byte order of the joined key is the order of the key
** tuple, and every collation agrees with byte order on them.
*/
void assert_strictly_increasing(const key_list *list) {
  for (size_t i = 1; i < list->count; i++)
    if (strcmp(list->keys[i - 1], list->keys[i]) >= 0)
      fail_msg("keys out of order at %zu: '%s' then '%s'", i, list->keys[i - 1],
               list->keys[i]);
}
