//go:build !race

// The race detector's shadow memory grows with every allocation, so the
// resident set is measured without it: test.sh runs this file in a run of
// its own, without -race.

package atesql

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rssBytes is the process's resident set size.
func rssBytes(t *testing.T) int64 {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	pages, err := strconv.ParseInt(strings.Fields(string(b))[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * int64(os.Getpagesize())
}

// TestRSSStaysFlat runs the calls of a scheduler many times, each path
// that hands C memory to Go (records, pages, labels, events, errors,
// calls on their own goroutine), and requires the resident set to stay
// flat: a record leaked per call would add megabytes.
func TestRSSStaysFlat(t *testing.T) {
	s := newStore(t, &Options{PoolSize: 2})
	// 22,000 rounds take 10-30 s on PostgreSQL, and longer on a loaded
	// machine: this test is about memory, so its calls get ten minutes
	// rather than ctxFor's 30 s.
	ctx, stop := context.WithTimeout(context.Background(), 10*time.Minute)
	defer stop()
	cctx, cancel := context.WithCancel(ctx) // has a Done: calls run on goroutines
	defer cancel()
	for i := 0; i < 20; i++ {
		if err := s.CreateWorkerWithLabels(ctx, freeWorker(fmt.Sprintf("pod-%d", i), "node-1"),
			map[string]string{"zone": "a"}); err != nil {
			t.Fatal(err)
		}
	}
	req := &ClaimRequest{Pools: []PoolRef{{"ns", "cpu"}}, ActorAtespace: "t", ActorID: "a"}
	round := func(n int) {
		for i := 0; i < n; i++ {
			if _, _, err := s.GetWorkerWithLabels(cctx, "ns", "cpu", "pod-1"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetWorker(ctx, "ns", "cpu", "missing"); err == nil {
				t.Fatal("GetWorker of a missing worker succeeded")
			}
			if i%10 == 0 {
				if _, err := s.ListWorkersPage(cctx, ListOptions{Selector: "labels.zone=a", PageSize: 10}); err != nil {
					t.Fatal(err)
				}
				w, err := s.ClaimWorker(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.ReleaseWorker(cctx, "ns", "cpu", w.WorkerPod, "t", "a"); err != nil {
					t.Fatal(err)
				}
			}
			if i%500 == 0 {
				watch, err := s.Watch(ctx, WatchOptions{Since: 0})
				if err != nil {
					t.Fatal(err)
				}
				<-watch.Events
				watch.Close()
				for range watch.Events {
				}
			}
		}
	}
	round(2000)
	before := rssBytes(t)
	round(20000)
	after := rssBytes(t)
	t.Logf("RSS %d KiB after warm-up, %d KiB after 20000 more rounds", before/1024, after/1024)
	if after-before > 4<<20 {
		t.Errorf("RSS grew %d KiB over 20000 rounds", (after-before)/1024)
	}
}
