/*
** Named statements: each file in sql/<dialect>/ holds statements headed by
** a "-- name: NAME" line, embedded in the library at build time. This file
** finds, for one dialect, the text of every name in STORE_STATEMENTS, so the
** operations in src/store/ are written once and only their SQL differs.
** A statement names a record's columns by template ({workers.columns},
** columns.h), expanded here from the column tables, so that its column
** lists and parameter numbers follow the table.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "store/columns.h"
#include "store/store.h"
#include "util/error.h"

const char *const stmt_names[STMT_COUNT] = {
#define STMT_NAME(name) #name,
    STORE_STATEMENTS(STMT_NAME)
#undef STMT_NAME
};

static int stmt_index(const char *name, size_t len) {
  for (int i = 0; i < STMT_COUNT; i++)
    if (strlen(stmt_names[i]) == len && memcmp(stmt_names[i], name, len) == 0)
      return i;
  return -1;
}

/*
** The end of a statement body once trailing blanks, semicolons and comment
** lines (which introduce the next statement) are cut.
*/
static char *trim_tail(char *body, char *end) {
  for (;;) {
    while (end > body && strchr(" \t\r\n;", end[-1]))
      end--;
    char *line = end;
    while (line > body && line[-1] != '\n')
      line--;
    if (end - line >= 2 && line[0] == '-' && line[1] == '-')
      end = line;
    else
      return end;
  }
}

/*
** Split one file's copy (in place) at its "-- name:" lines. Each statement
** runs from the line after its marker to the next marker, trailing blanks
** and semicolons cut.
*/
static void split_file(char *text, const char *sql[STMT_COUNT]) {
  static const char marker[] = "-- name:";
  char *p = strstr(text, marker);
  while (p) {
    char *name = p + sizeof marker - 1;
    while (*name == ' ')
      name++;
    char *eol = strchr(name, '\n');
    if (eol == NULL) return;
    size_t name_len = (size_t)(eol - name);
    while (name_len &&
           (name[name_len - 1] == ' ' || name[name_len - 1] == '\r'))
      name_len--;
    char *body = eol + 1;
    char *next = strstr(body, marker);
    char *end = next ? next : body + strlen(body);
    end = trim_tail(body, end);
    int idx = stmt_index(name, name_len);
    if (idx >= 0) sql[idx] = body;
    *end = '\0';
    p = next;
  }
}

/*
** Append text with every {RESOURCE.PART} template expanded (columns.h).
** False, with the template in *unknown, when one names nothing.
*/
static bool expand_templates(strbuf *sb, const store_dialect *d,
                             const char *text, char *unknown,
                             size_t unknown_size) {
  const char *p = text;
  for (const char *open; (open = strchr(p, '{')) != NULL;) {
    const char *close = strchr(open, '}');
    if (close == NULL) break;
    strbuf_append(sb, p, (size_t)(open - p));
    size_t len = (size_t)(close - open - 1);
    if (!columns_template(sb, d, open + 1, len)) {
      snprintf(unknown, unknown_size, "%.*s", (int)len, open + 1);
      return false;
    }
    p = close + 1;
  }
  strbuf_puts(sb, p);
  return true;
}

atesql_status statements_load(const store_dialect *dialect,
                              const char *sql[STMT_COUNT], char **storage,
                              atesql_error *err) {
  /* Every file of the dialect, expanded, one after another with a NUL
  ** after each; split in place once the buffer no longer moves. */
  strbuf all = STRBUF_INIT;
  size_t starts[64], files = 0;
  for (size_t i = 0; i < embedded_file_count; i++) {
    const embedded_file *f = &embedded_files[i];
    if (strcmp(f->kind, "sql") != 0 || strcmp(f->dialect, dialect->dir) != 0)
      continue;
    if (files == sizeof starts / sizeof *starts) {
      strbuf_release(&all);
      return error_set(err, ATESQL_INTERNAL, 0, "too many files in sql/%s/",
                       dialect->dir);
    }
    starts[files++] = all.len;
    char unknown[64];
    if (!expand_templates(&all, dialect, f->text, unknown, sizeof unknown)) {
      strbuf_release(&all);
      return error_set(err, ATESQL_INTERNAL, 0,
                       "sql/%s/%s: unknown template {%s}", dialect->dir,
                       f->name, unknown);
    }
    strbuf_append(&all, "", 1);
  }
  if (strbuf_failed(&all)) {
    strbuf_release(&all);
    return error_set(err, ATESQL_NO_MEMORY, 0, "out of memory");
  }
  char *buf = strbuf_detach(&all);
  memset((void *)sql, 0, STMT_COUNT * sizeof *sql);
  for (size_t i = 0; i < files; i++)
    split_file(buf + starts[i], sql);
  for (int i = 0; i < STMT_COUNT; i++) {
    bool absent = dialect_lacks_statement(dialect, stmt_names[i]);
    if ((sql[i] == NULL) != absent) {
      free(buf);
      return error_set(err, ATESQL_INTERNAL, 0,
                       absent ? "statement '%s' is in sql/%s/, which its "
                                "dialect declares absent"
                              : "statement '%s' is missing from sql/%s/",
                       stmt_names[i], dialect->dir);
    }
  }
  *storage = buf;
  return ATESQL_OK;
}
