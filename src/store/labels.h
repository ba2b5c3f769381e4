/*
** Worker labels in the store: checked before they are written, kept in
** workers.labels as one JSON object (keys in byte order), read back into a
** record's arena. worker_labels, the index of label terms, is derived
** from that column by triggers (migrations 0004).
*/
#ifndef ATESQL_STORE_LABELS_H
#define ATESQL_STORE_LABELS_H

#include "store/store.h"

/* Check a worker's labels: count, syntax (util/label_syntax.h), unique
** keys. Errors: INVALID_ARGUMENT naming the label. */
atesql_status labels_check(atesql_store *s, const atesql_label *labels,
                           size_t count);

/* The labels column of checked labels: {"k":"v",...}, keys in byte order;
** malloc'd, NULL when out of memory. */
char *labels_to_json(const atesql_label *labels, size_t count);

/* Decode a labels column (either backend's spelling) into labels sorted
** by key, allocated in root's arena. Errors: NO_MEMORY, INTERNAL (not a
** JSON object of strings). */
atesql_status labels_from_json(const char *text, size_t len, void *root,
                               const atesql_label **out, size_t *count);

#endif /* ATESQL_STORE_LABELS_H */
