/*
** The embedded migrations of migrations.h: read from the files the build
** embeds, and the schema version (the highest migration's number, the
** same for every dialect: a test holds them to one list), read from the
** file names alone.
*/
#include "migrations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atesql/migrate.h"
#include "embedded.h"

size_t migrations_embedded(const char *dir, migration *out) {
  size_t n = 0;
  for (size_t i = 0; i < embedded_file_count && n < MAX_MIGRATIONS; i++) {
    const embedded_file *f = &embedded_files[i];
    if (strcmp(f->kind, "migrations") != 0 || strcmp(f->dialect, dir) != 0)
      continue;
    migration *m = &out[n++];
    m->version = strtoll(f->name, NULL, 10);
    const char *under = strchr(f->name, '_');
    snprintf(m->name, sizeof m->name, "%s", under ? under + 1 : f->name);
    char *dot = strrchr(m->name, '.');
    if (dot) *dot = '\0';
    m->text = f->text;
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)f->text, strlen(f->text));
    sodium_bin2hex(m->checksum, sizeof m->checksum, hash, sizeof hash);
  }
  return n;
}

int64_t atesql_schema_version(void) {
  int64_t latest = 0;
  for (size_t i = 0; i < embedded_file_count; i++) {
    const embedded_file *f = &embedded_files[i];
    if (strcmp(f->kind, "migrations") != 0) continue;
    int64_t v = strtoll(f->name, NULL, 10);
    if (v > latest) latest = v;
  }
  return latest;
}
