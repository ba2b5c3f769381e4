/*
** Column lists and statement templates from the column tables: see
** columns.h.
*/
#include "store/columns.h"

#include <string.h>

void columns_list(strbuf *sb, const resource_def *res, const char *prefix) {
  for (size_t i = 0; i < res->column_count; i++) {
    if (i) strbuf_puts(sb, ", ");
    strbuf_puts(sb, prefix);
    strbuf_puts(sb, res->fields[i].column);
  }
}

void columns_image(strbuf *sb, const resource_def *res, const char *prefix,
                   bool prev) {
  for (size_t i = 0; i < res->column_count; i++) {
    const char *c = res->fields[i].column;
    if (i) strbuf_puts(sb, ", ");
    if (prev && i >= res->key_count)
      strbuf_printf(sb, "%sprev_%s AS %s", prefix, c, c);
    else
      strbuf_printf(sb, "%s%s", prefix, c);
  }
}

typedef enum part {
  PART_COLUMNS,
  PART_VALUES,
  PART_KEY,
  PART_SET,
  PART_IMMUTABLE,
  PART_VERSION,
  PART_COUNT
} part;

static const char *const part_names[PART_COUNT] = {[PART_COLUMNS] = "columns",
                                                   [PART_VALUES] = "values",
                                                   [PART_KEY] = "key",
                                                   [PART_SET] = "set",
                                                   [PART_IMMUTABLE] =
                                                       "immutable",
                                                   [PART_VERSION] = "version"};

/* Does column i of res belong to part p (columns and values: all)? */
static bool in_part(const resource_def *res, size_t i, part p) {
  const field_def *f = &res->fields[i];
  switch (p) {
  case PART_KEY: return i < res->key_count;
  case PART_SET: return !f->immutable && !f->version;
  case PART_IMMUTABLE: return i >= res->key_count && f->immutable;
  case PART_VERSION: return f->version;
  default: return true;
  }
}

static void append_part(strbuf *sb, const store_dialect *d,
                        const resource_def *res, part p) {
  static const char *const separators[PART_COUNT] = {
      [PART_COLUMNS] = ", ", [PART_VALUES] = ", ",       [PART_KEY] = " AND ",
      [PART_SET] = ", ",     [PART_IMMUTABLE] = " AND ", [PART_VERSION] = ""};
  size_t n = 0;
  for (size_t i = 0; i < res->column_count; i++) {
    if (!in_part(res, i, p)) continue;
    char ph[24];
    placeholder(d, i + 1, ph, sizeof ph);
    if (n++) strbuf_puts(sb, separators[p]);
    if (p == PART_COLUMNS)
      strbuf_puts(sb, res->fields[i].column);
    else if (p == PART_VALUES || p == PART_VERSION)
      strbuf_puts(sb, ph);
    else
      strbuf_printf(sb, "%s = %s", res->fields[i].column, ph);
  }
}

bool columns_template(strbuf *sb, const store_dialect *d, const char *name,
                      size_t len) {
  const char *dot = memchr(name, '.', len);
  if (dot == NULL) return false;
  char resource[32];
  size_t rlen = (size_t)(dot - name);
  if (rlen >= sizeof resource) return false;
  memcpy(resource, name, rlen);
  resource[rlen] = '\0';
  const resource_def *res = schema_resource_by_name(resource);
  const char *pname = dot + 1;
  size_t plen = len - rlen - 1;
  for (part p = 0; res && p < PART_COUNT; p++) {
    if (strlen(part_names[p]) == plen &&
        memcmp(part_names[p], pname, plen) == 0) {
      append_part(sb, d, res, p);
      return true;
    }
  }
  return false;
}
