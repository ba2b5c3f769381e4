#!/bin/sh
# The Go package's benchmarks (bench_test.go): get, a list page of 100,
# and a claim with its release, through the C library directly and
# through the package, on one backend; prints a Markdown table with the
# package's cost over the C API.
#
#   bench.sh BUILD_DIR WORK_DIR sqlite|postgres [ITERATIONS]
#
# postgres takes the server from ATESQL_TEST_PG (a conninfo); give figures
# with fsync on (pg_virtualenv -o fsync=on). BUILD_DIR is a configured and
# built tree (a Release one for figures worth keeping).
set -eu
build=$1 work=$2 backend=$3 n=${4:-5000}
src=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work"
mkdir -p "$work/gopath/src/atesql.dev"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cp -R "$src/bindings/go" "$work/gopath/src/atesql.dev/go"
cd "$work/gopath/src/atesql.dev/go"
export GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" GOFLAGS= \
  GOCACHE="$work/gocache" GOPROXY=off PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" \
  CGO_LDFLAGS="-Wl,-rpath,$work/prefix/lib" ATESQL_GO_BACKEND="$backend"
go test -count=5 -run '^$' -bench . -benchtime "${n}x" . | tee "$work/bench.log" >&2
# Each run reports the three ways' time per call (interleaved in blocks,
# bench_test.go's interleave); the table takes the median of the five runs.
awk -v backend="$backend" '
  /^Benchmark/ {
    op = $1; sub(/^Benchmark/, "", op); sub(/-[0-9]+$/, "", op)
    for (i = 4; i < NF; i++)
      if ($(i + 1) ~ /-ns\/op$/) { v = $(i + 1); sub(/-ns\/op$/, "", v); k = op SUBSEP v; t[k, ++c[k]] = $i }
  }
  function med(k,   i, j, x, n, a) { n = c[k]
    for (i = 1; i <= n; i++) a[i] = t[k, i]
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return a[int((n + 1) / 2)] }
  END {
    printf "| %s | C API | Go | Go, context without cancel |\n|---|---|---|---|\n", backend
    n = split("Get ListPage100 ClaimRelease", order, " ")
    for (i = 1; i <= n; i++) { op = order[i]
      cc = med(op SUBSEP "c"); g = med(op SUBSEP "go"); gn = med(op SUBSEP "go-nocancel")
      printf "| %s | %.1f µs | %.1f µs (%.2f×) | %.1f µs (%.2f×) |\n", op, cc / 1000, g / 1000, g / cc, gn / 1000, gn / cc }
  }' "$work/bench.log"
