/*
** The schema migrations embedded in the library (migrations/<dialect>/
** NNNN_name.sql, cmake/embed_sql.cmake), and the schema version this
** library needs, which opening a store checks. The runner that applies
** them is migrate.c, above the store.
*/
#ifndef ATESQL_MIGRATIONS_H
#define ATESQL_MIGRATIONS_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

enum { MAX_MIGRATIONS = 256 };

typedef struct migration {
  int64_t version;
  char name[96];
  const char *text;
  char checksum[crypto_hash_sha256_BYTES * 2 + 1]; /* of text, hex */
} migration;

/*
** The embedded migrations of the dialect whose files are in
** migrations/<dir>/, in version order, into out[0..MAX_MIGRATIONS);
** returns how many. Each one's checksum is its text's SHA-256.
*/
size_t migrations_embedded(const char *dir, migration *out);

#endif /* ATESQL_MIGRATIONS_H */
