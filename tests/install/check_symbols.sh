#!/bin/sh
# Every global symbol that libatesql.so and libatesql.a define must start
# with atesql_: the internals are hidden in the shared library and made
# local in the static one, so they cannot clash with an application's names.
set -eu
shared=$1
static=$2
bad=$( { nm -D --defined-only "$shared"; nm --defined-only "$static"; } |
  awk 'NF == 3 && $2 ~ /^[A-TV-Z]$/ && $3 !~ /^atesql_/ { print $3 }' | sort -u)
if [ -n "$bad" ]; then
  echo "symbols outside the atesql_ prefix are exported:"
  echo "$bad"
  exit 1
fi
count=$(nm -D --defined-only "$shared" | awk '$3 ~ /^atesql_/' | wc -l)
[ "$count" -gt 10 ] || { echo "only $count atesql_ symbols exported"; exit 1; }
echo "exported symbols: $count, all atesql_*"
