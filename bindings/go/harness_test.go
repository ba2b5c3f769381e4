package atesql

import (
	pb "atesql.dev/go/ateapipb"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The backend the tests run on: a fresh SQLite file per test, or, with
// ATESQL_TEST_PG set (a libpq conninfo or URL), a fresh schema per test on
// that server. Under CI, ATESQL_GO_BACKEND=postgres without ATESQL_TEST_PG
// is a failure, never a skip.

var schemaSeq int64

// testStore is the store over this module's generated messages.
type testStore = Store[*pb.Actor, *pb.Worker, *pb.Atespace]

func backend() string {
	if os.Getenv("ATESQL_GO_BACKEND") == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// pgURL is base with search_path set to schema.
func pgURL(base, schema string) string {
	if strings.Contains(base, "://") {
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		return base + sep + "options=-csearch_path%3D" + schema
	}
	return base + " options=-csearch_path=" + schema
}

func psql(t testing.TB, base, sql string) {
	t.Helper()
	out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
		"-c", "SET client_min_messages = warning", "-c", sql, base).CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v\n%s", sql, err, out)
	}
}

// testURL makes a fresh, migrated database for t and returns its URL.
func testURL(t testing.TB) string {
	t.Helper()
	var url string
	if backend() == "postgres" {
		base := os.Getenv("ATESQL_TEST_PG")
		if base == "" {
			t.Fatal("ATESQL_GO_BACKEND=postgres needs ATESQL_TEST_PG")
		}
		schema := fmt.Sprintf("go_%d_%d", os.Getpid(), atomic.AddInt64(&schemaSeq, 1))
		psql(t, base, "DROP SCHEMA IF EXISTS "+schema+" CASCADE; CREATE SCHEMA "+schema)
		t.Cleanup(func() { psql(t, base, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })
		url = pgURL(base, schema)
	} else {
		url = "sqlite:" + filepath.Join(t.TempDir(), "store.db")
	}
	if _, err := Migrate(url); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return url
}

// newStore opens a store on a fresh database, closed at the end of t.
func newStore(t testing.TB, opts *Options) *testStore {
	t.Helper()
	s, err := Open[*pb.Actor, *pb.Worker, *pb.Atespace](testURL(t), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// ctxFor is a context that ends with the test, bounded at 30 s.
func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
