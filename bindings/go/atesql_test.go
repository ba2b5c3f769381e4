package atesql

// What atesql adds, in Go: labels, pages with revisions, claims, the
// resume step, watches from a revision; and the pool's behaviour under
// many goroutines and ending contexts.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	pb "atesql.dev/go/ateapipb"
)

func freeWorker(pod, node string) *pb.Worker {
	return &pb.Worker{WorkerNamespace: "ns", WorkerPool: "cpu", WorkerPod: pod,
		NodeName: node, Ip: "10.0.0." + pod[len(pod)-1:]}
}

func TestUpdateWorkerKeepsLabels(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	w := freeWorker("pod-1", "node-1")
	if err := s.CreateWorkerWithLabels(ctx, w, map[string]string{"zone": "a", "gpu": "h100"}); err != nil {
		t.Fatal(err)
	}
	// An upstream Worker has no labels: its update keeps them.
	w.ActorAtespace, w.ActorId = "team-a", "x"
	if err := s.UpdateWorker(ctx, w, 1); err != nil {
		t.Fatal(err)
	}
	got, labels, err := s.GetWorkerWithLabels(ctx, "ns", "cpu", "pod-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.ActorId != "x" || labels["zone"] != "a" || labels["gpu"] != "h100" || len(labels) != 2 {
		t.Errorf("after UpdateWorker: %v labels %v", got, labels)
	}
	v, err := s.UpdateWorkerWithLabels(ctx, w, map[string]string{"zone": "b"}, 2)
	if err != nil || v != 3 {
		t.Fatalf("UpdateWorkerWithLabels = %d, %v", v, err)
	}
	page, err := s.ListWorkersPage(ctx, ListOptions{Selector: "labels.zone=b"})
	if err != nil || len(page.Workers) != 1 || page.Labels[0]["zone"] != "b" || len(page.Labels[0]) != 1 {
		t.Errorf("list by label: %+v, %v", page, err)
	}
	_, err = s.UpdateWorkerWithLabels(ctx, w, map[string]string{"bad key!": "x"}, 3)
	wantErr(t, "a bad label", err, ErrInvalidArgument)
	_, err = s.GetWorker(ctx, "ns", "cpu\x00x", "pod-1")
	wantErr(t, "a key with a NUL byte", err, ErrInvalidArgument)
}

func TestClaimReleaseResume(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	for i, node := range []string{"node-1", "node-2", "node-3"} {
		if err := s.CreateWorker(ctx, freeWorker(fmt.Sprintf("pod-%d", i+1), node)); err != nil {
			t.Fatal(err)
		}
	}
	req := &ClaimRequest{Pools: []PoolRef{{"ns", "cpu"}}, PreferredNodes: []string{"node-2"},
		ActorAtespace: "team-a", ActorID: "a1"}
	w, err := s.ClaimWorker(ctx, req)
	if err != nil || w.NodeName != "node-2" || w.ActorId != "a1" || w.Version != 2 {
		t.Fatalf("ClaimWorker = %v, %v; want pod-2 on node-2", w, err)
	}
	// A retried claim returns the same worker.
	again, err := s.ClaimWorker(ctx, req)
	if err != nil || !proto.Equal(w, again) {
		t.Errorf("retried claim = %v, %v; want %v", again, err, w)
	}
	req2 := &ClaimRequest{Pools: []PoolRef{{"ns", "cpu"}}, Selector: "node_name=node-2",
		ActorAtespace: "team-a", ActorID: "a2"}
	_, err = s.ClaimWorker(ctx, req2)
	wantErr(t, "a claim with nothing free", err, ErrResourceExhausted)
	if ok, err := s.ReleaseWorker(ctx, "ns", "cpu", w.WorkerPod, "team-a", "other"); err != nil || ok {
		t.Errorf("release by another actor = %v, %v", ok, err)
	}
	if ok, err := s.ReleaseWorker(ctx, "ns", "cpu", w.WorkerPod, "team-a", "a1"); err != nil || !ok {
		t.Errorf("release = %v, %v", ok, err)
	}
	_, err = s.ClaimWorker(ctx, &ClaimRequest{ActorAtespace: "team-a", ActorID: "a3"})
	wantErr(t, "a claim without pools", err, ErrInvalidArgument)

	// The resume step: claim and move the actor, both or neither.
	withAtespace(t, s, "team-a")
	actor := suspendedActor("r1")
	if err := s.CreateActor(ctx, actor); err != nil {
		t.Fatal(err)
	}
	rreq := &ClaimRequest{Pools: []PoolRef{{"ns", "cpu"}}, ActorAtespace: "team-a", ActorID: "r1"}
	_, _, err = s.ResumeActor(ctx, rreq, 7)
	wantErr(t, "resume at a stale version", err, ErrPersistenceRetry)
	worker, moved, err := s.ResumeActor(ctx, rreq, 1)
	if err != nil {
		t.Fatal(err)
	}
	if moved.Status != pb.Actor_STATUS_RESUMING || moved.AteomPodName != worker.WorkerPod ||
		moved.Version != 2 || worker.ActorId != "r1" || worker.ActorTemplate != "test-template" {
		t.Errorf("resume: worker %v actor %v", worker, moved)
	}
}

func TestListThenWatch(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	for i := 1; i <= 5; i++ {
		if err := s.CreateWorker(ctx, freeWorker(fmt.Sprintf("pod-%d", i), "node-1")); err != nil {
			t.Fatal(err)
		}
	}
	// A cache of the free workers, from a list and a watch from its revision.
	sel := "actor_id="
	cache := map[string]int64{}
	page, err := s.ListWorkersPage(ctx, ListOptions{Selector: sel, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	rev := page.Revision
	for {
		for _, w := range page.Workers {
			cache[w.WorkerPod] = w.Version
		}
		if page.NextPageToken == "" {
			break
		}
		// Changes between pages are not in the listing: the watch brings them.
		if _, err := s.ClaimWorker(ctx, &ClaimRequest{Pools: []PoolRef{{"ns", "cpu"}},
			ActorAtespace: "t", ActorID: fmt.Sprint(len(cache))}); err != nil {
			t.Fatal(err)
		}
		if page, err = s.ListWorkersPage(ctx, ListOptions{Selector: sel, PageSize: 2,
			PageToken: page.NextPageToken}); err != nil {
			t.Fatal(err)
		}
		if page.Revision != rev {
			t.Errorf("page at revision %d, the listing's is %d", page.Revision, rev)
		}
	}
	if len(cache) != 5 {
		t.Fatalf("the listing holds %d workers, want the 5 free at its revision", len(cache))
	}
	watch, err := s.Watch(ctx, WatchOptions{Selector: sel, Since: rev})
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	if err := s.DeleteWorker(ctx, "ns", "cpu", "pod-5"); err != nil {
		t.Fatal(err)
	}
	want, _ := s.ListWorkersPage(ctx, ListOptions{Selector: sel})
	for len(cache) != len(want.Workers) {
		select {
		case e := <-watch.Events:
			if e.Type == WorkerEventDeleted {
				delete(cache, e.Worker.WorkerPod)
			} else {
				cache[e.Worker.WorkerPod] = e.Worker.Version
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("cache %v, store %v", cache, want.Workers)
		}
	}
	for _, w := range want.Workers {
		if cache[w.WorkerPod] != w.Version {
			t.Errorf("cache holds %s at %d, the store at %d", w.WorkerPod, cache[w.WorkerPod], w.Version)
		}
	}
	// Resuming from the watch's revision delivers nothing again.
	watch.Close()
	last := watch.Revision()
	if last < rev+3 {
		t.Errorf("the closed watch is at %d; it delivered up to %d at least", last, rev+3)
	}
	resumed, err := s.Watch(ctx, WatchOptions{Selector: sel, Since: last})
	if err != nil {
		t.Fatal(err)
	}
	defer resumed.Close()
	select {
	case e := <-resumed.Events:
		t.Errorf("resumed watch delivered %d again", e.Revision)
	case <-time.After(300 * time.Millisecond):
	}
	// Compaction past a watch's revision is reported.
	cur, _, err := s.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Compact(ctx, cur); err != nil {
		t.Fatal(err)
	}
	_, err = s.Watch(ctx, WatchOptions{Since: rev})
	wantErr(t, "a watch from a compacted revision", err, ErrCompacted)
	_, err = s.Watch(ctx, WatchOptions{Selector: "no_such_field=1"})
	wantErr(t, "a watch with a bad selector", err, ErrInvalidArgument)
}

func TestManyGoroutines(t *testing.T) {
	s := newStore(t, &Options{PoolSize: 8})
	ctx := ctxFor(t)
	const goroutines, rounds = 100, 5
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			w := freeWorker(fmt.Sprintf("pod-%d", g), "node-1")
			if err := s.CreateWorker(ctx, w); err != nil {
				errs <- err
				return
			}
			for v := int64(1); v <= rounds; v++ {
				w.NodeName = fmt.Sprintf("node-%d", v)
				if err := s.UpdateWorker(ctx, w, v); err != nil {
					errs <- fmt.Errorf("goroutine %d round %d: %w", g, v, err)
					return
				}
				if _, err := s.ListWorkersPage(ctx, ListOptions{PageSize: 5}); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ws, err := s.ListWorkers(ctx)
	if err != nil || len(ws) != goroutines {
		t.Fatalf("ListWorkers = %d, %v", len(ws), err)
	}
	for _, w := range ws {
		if w.Version != rounds+1 {
			t.Errorf("%s at version %d, want %d", w.WorkerPod, w.Version, rounds+1)
		}
	}
	if s.pool.opened > 8 {
		t.Errorf("%d handles open, the pool's size is 8", s.pool.opened)
	}
}

// holdWorker starts internal/lockholder, which holds the worker's row (and
// on SQLite the write lock) in an open transaction for secs seconds from
// another process, and returns once it does.
func holdWorker(t *testing.T, url, key string, secs int) *exec.Cmd {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lockholder")
	if out, err := exec.Command("go", "build", "-o", bin,
		"atesql.dev/go/internal/lockholder").CombinedOutput(); err != nil {
		t.Fatalf("go build lockholder: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, url, key, fmt.Sprint(secs))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		cmd.Process.Kill()
		t.Fatalf("lockholder said %q, %v", line, err)
	}
	return cmd
}

// TestContextEndsBlockedCall: a call blocked inside the C library (on a
// row another process holds) ends with its context: cancelled, the C call
// is interrupted and returns within milliseconds, and its handle, sound,
// is the next call's.
func TestContextEndsBlockedCall(t *testing.T) {
	s := newStore(t, &Options{PoolSize: 1})
	ctx := ctxFor(t)
	w := freeWorker("pod-1", "node-1")
	if err := s.CreateWorker(ctx, w); err != nil {
		t.Fatal(err)
	}
	holder := holdWorker(t, s.url, "ns/cpu/pod-1", 3)
	defer holder.Wait()

	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	w.NodeName = "node-2"
	go func() { done <- s.UpdateWorker(cctx, w, 1) }()
	time.Sleep(300 * time.Millisecond)
	cancelled := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled call = %v, want context.Canceled", err)
		}
		if d := time.Since(cancelled); d > 100*time.Millisecond {
			t.Errorf("the cancelled call returned %v after the cancel", d)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the cancelled call did not return")
	}
	// The one handle is free again while the holder still holds the row:
	// the C call was interrupted, not left waiting.
	dctx, dcancel := context.WithTimeout(ctx, 500*time.Millisecond)
	got, err := s.GetWorker(dctx, "ns", "cpu", "pod-1")
	dcancel()
	if err != nil {
		t.Fatalf("a call after the cancel: %v (the handle should be back)", err)
	}
	if got.Version != 1 {
		t.Errorf("the worker is at version %d while the holder holds it", got.Version)
	}
	if err := holder.Wait(); err != nil {
		t.Fatalf("lockholder: %v", err)
	}
	// The interrupted update may or may not have been written: on
	// PostgreSQL the server goes on with the statement of the abandoned
	// connection once the row is free; SQLite stops it before it writes.
	got, err = s.GetWorker(ctx, "ns", "cpu", "pod-1")
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case got.Version == 1:
	case got.Version == 2 && backend() == "postgres" && got.NodeName == "node-2":
	default:
		t.Errorf("after the interrupted update: %v", got)
	}
}

// TestDeadlineEndsBlockedCall: the context's deadline becomes the handle's
// timeout, so the C call itself gives up then, and the handle returns to
// the pool without waiting for the holder.
func TestDeadlineEndsBlockedCall(t *testing.T) {
	s := newStore(t, &Options{PoolSize: 1})
	ctx := ctxFor(t)
	w := freeWorker("pod-1", "node-1")
	if err := s.CreateWorker(ctx, w); err != nil {
		t.Fatal(err)
	}
	holder := holdWorker(t, s.url, "ns/cpu/pod-1", 3)
	defer holder.Wait()
	dctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	w.NodeName = "node-2"
	start := time.Now()
	err := s.UpdateWorker(dctx, w, 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("UpdateWorker past its deadline = %v", err)
	}
	// The handle comes back well before the holder lets go.
	if _, err := s.GetWorker(ctx, "ns", "cpu", "pod-1"); err != nil {
		t.Errorf("GetWorker after the deadline: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the handle came back after %v; the holder keeps the row 3 s", d)
	}
}

// TestDeadlineWaitingForAHandle: with every handle busy, a call waits for
// one no longer than its context allows.
func TestDeadlineWaitingForAHandle(t *testing.T) {
	s := newStore(t, &Options{PoolSize: 1})
	ctx := ctxFor(t)
	h, err := s.pool.get(ctx) // take the only handle
	if err != nil {
		t.Fatal(err)
	}
	dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.GetWorker(dctx, "ns", "cpu", "pod-1")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("GetWorker = %v after %v", err, time.Since(start))
	}
	s.pool.put(h)
	_, err = s.GetWorker(ctx, "ns", "cpu", "pod-1")
	wantErr(t, "GetWorker once the handle is back", err, ErrNotFound)
	s.Close()
	_, err = s.GetWorker(ctx, "ns", "cpu", "pod-1")
	wantErr(t, "a call after Close", err, ErrFailedPrecondition)
}

// TestOptionsTimeout: a call whose context has no deadline is bounded by
// Options.Timeout, inside the C library.
func TestOptionsTimeout(t *testing.T) {
	s := newStore(t, &Options{PoolSize: 1, Timeout: 300 * time.Millisecond})
	ctx := ctxFor(t)
	w := freeWorker("pod-1", "node-1")
	if err := s.CreateWorker(ctx, w); err != nil {
		t.Fatal(err)
	}
	holder := holdWorker(t, s.url, "ns/cpu/pod-1", 3)
	defer holder.Wait()
	start := time.Now()
	w.NodeName = "node-2"
	err := s.UpdateWorker(context.Background(), w, 1)
	if !errors.Is(err, ErrUnavailable) || time.Since(start) > 2*time.Second {
		t.Errorf("UpdateWorker on a held row = %v after %v; want the handle's DEADLINE_EXCEEDED at 300 ms",
			err, time.Since(start))
	}
	var e *Error
	if errors.As(err, &e) && e.Code != CodeDeadlineExceeded {
		t.Errorf("code %v, want DEADLINE_EXCEEDED", e.Code)
	}
}

// TestOpenRefusesOtherTypes: the message types must be the generated
// ateapi messages; anything else is refused at Open, naming the type.
func TestOpenRefusesOtherTypes(t *testing.T) {
	url := testURL(t)
	_, err := Open[*pb.Actor, proto.Message, *pb.Atespace](url, nil)
	wantErr(t, "Open with an interface for the worker type", err, ErrInvalidArgument)
	_, err = Open[*pb.Actor, *pb.Actor, *pb.Atespace](url, nil)
	wantErr(t, "Open with an actor type for workers", err, ErrInvalidArgument)
	if err == nil || !strings.Contains(err.Error(), "ateapi.Worker") {
		t.Errorf("the error does not name the worker type: %v", err)
	}
}
