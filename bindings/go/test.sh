#!/bin/sh
# The Go package's test (ctest go_sqlite, go_postgres, go_generated).
#
#   test.sh BUILD_DIR SOURCE_DIR WORK_DIR sqlite|postgres|generated
#
# sqlite, postgres: installs the build into WORK_DIR/prefix, so that cgo
# finds the library through its installed atesql.pc as a user's build
# does; copies bindings/go into a GOPATH next to Debian's Go sources
# (/usr/share/gocode: golang-google-protobuf-dev), offline, no module
# proxy; then runs go vet and go test -race with GODEBUG=cgocheck=2 (every
# pointer passed to C checked); then builds examples/scheduler and runs
# it on a fresh database (its own check: the watch-fed cache equals a
# fresh list). postgres needs ATESQL_TEST_PG (exit 77,
# ctest's skip, without it outside CI; a failure under CI).
#
# generated: regenerates ateapipb/ateapi.pb.go from proto/ateapi.proto with
# Debian's protoc and protoc-gen-go and fails if the committed file differs.
set -eu
build=$1 src=$2 work=$3 mode=$4
gopkg="$src/bindings/go"

rm -rf "$work"
mkdir -p "$work"

if [ "$mode" = generated ]; then
  protoc -I "$src/proto" --go_out="$work" --go_opt=paths=source_relative \
    "$src/proto/ateapi.proto"
  if ! cmp -s "$work/ateapi.pb.go" "$gopkg/ateapipb/ateapi.pb.go"; then
    diff -u "$gopkg/ateapipb/ateapi.pb.go" "$work/ateapi.pb.go" | head -40 >&2
    echo "go_generated: FAIL: bindings/go/ateapipb/ateapi.pb.go is not what" \
      "protoc-gen-go makes of proto/ateapi.proto; regenerate it (see bindings/go/README.md)" >&2
    exit 1
  fi
  echo "go_generated: ateapi.pb.go matches proto/ateapi.proto"
  exit 0
fi

if [ "$mode" = postgres ] && [ -z "${ATESQL_TEST_PG:-}" ]; then
  if [ -n "${CI:-}" ]; then
    echo "go_postgres: FAIL: ATESQL_TEST_PG is not set under CI" >&2
    exit 1
  fi
  echo "go_postgres: PostgreSQL NOT TESTED (ATESQL_TEST_PG is not set)"
  exit 77
fi

cmake --install "$build" --prefix "$work/prefix" >/dev/null
mkdir -p "$work/gopath/src/atesql.dev"
cp -R "$gopkg" "$work/gopath/src/atesql.dev/go"
cd "$work/gopath/src/atesql.dev/go"
export GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" GOFLAGS= \
  GOCACHE="$(dirname "$work")/go-cache" GOPROXY=off CGO_ENABLED=1 \
  PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" \
  CGO_LDFLAGS="-Wl,-rpath,$work/prefix/lib" \
  ATESQL_GO_BACKEND="$mode"
go vet ./...
GODEBUG=cgocheck=2 go test -race -count=1 -v ./... 2>&1 | tee "$work/go-test.log" |
  grep -E '^(--- |ok|FAIL|PASS|panic)' || true
grep -q '^ok' "$work/go-test.log" && ! grep -q '^FAIL' "$work/go-test.log" || {
  tail -60 "$work/go-test.log" >&2
  exit 1
}
if grep -q -- '--- SKIP' "$work/go-test.log"; then
  echo "go_$mode: FAIL: a test skipped" >&2
  exit 1
fi
# The RSS check, without the race detector (leak_test.go says why).
go test -count=1 -v -run '^TestRSSStaysFlat$' . 2>&1 | tee "$work/go-rss.log" |
  grep -E '^(--- |ok|FAIL|panic)|RSS' || true
grep -q -- '--- PASS: TestRSSStaysFlat' "$work/go-rss.log" || {
  tail -30 "$work/go-rss.log" >&2
  exit 1
}

# The examples, each on a fresh database of its own: a scheduler loop;
# and the adoption path, testdata/upstream, with messages generated under
# another Go package as upstream's are (and this module's ateapipb not
# linked in).
go build -o "$work/scheduler" ./examples/scheduler
mkdir -p "$work/gopath/src/upstream.example/ateapipb"
protoc -I "$src/proto" --go_out="$work/gopath/src/upstream.example/ateapipb" \
  --go_opt=paths=source_relative --go_opt=Mateapi.proto=upstream.example/ateapipb \
  "$src/proto/ateapi.proto"
mkdir -p "$work/gopath/src/upstreamcheck"
cp testdata/upstream/main.go "$work/gopath/src/upstreamcheck/"
(cd "$work/gopath/src/upstreamcheck" && go vet . && go build -o "$work/upstream" .)
if go list -deps upstreamcheck | grep -qx atesql.dev/go/ateapipb; then
  echo "go_$mode: FAIL: the upstream check links atesql.dev/go/ateapipb" >&2
  exit 1
fi
if [ "$mode" = postgres ]; then
  schema="go_example_$$"
  psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
    -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" "$ATESQL_TEST_PG"
  case $ATESQL_TEST_PG in
  *://*\?*) url="$ATESQL_TEST_PG&options=-csearch_path%3D$schema" ;;
  *://*) url="$ATESQL_TEST_PG?options=-csearch_path%3D$schema" ;;
  *) url="$ATESQL_TEST_PG options=-csearch_path=$schema" ;;
  esac
else
  url="sqlite:$work/scheduler.db"
fi
echo "== examples/scheduler ($mode)"
"$work/scheduler" "$url"
if [ "$mode" = postgres ]; then
  psql -X -q -c "SET client_min_messages = warning" \
    -c "DROP SCHEMA $schema CASCADE; CREATE SCHEMA $schema" "$ATESQL_TEST_PG"
else
  url="sqlite:$work/upstream.db"
fi
echo "== testdata/upstream ($mode)"
"$work/upstream" "$url"
if [ "$mode" = postgres ]; then
  psql -X -q -c "SET client_min_messages = warning" \
    -c "DROP SCHEMA IF EXISTS $schema CASCADE" "$ATESQL_TEST_PG"
fi
