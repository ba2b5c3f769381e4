// Command scheduler is a small scheduler loop over atesql, the way the
// control plane's worker cache and resume step would run on it:
//
//  1. a cache of a pool's free workers, filled by a list and kept by a
//     watch from the list's revision (no periodic relist);
//
//  2. claimers that give actors workers with locality: each actor prefers
//     the node holding its snapshot, and the claim takes a worker there
//     when one is free, atomically, several claimers at once;
//
//  3. releases, then a check that the cache, at the watch's revision,
//     equals a fresh list at that revision.
//
//     scheduler URL
//
// It makes its fleet (pool ns/cpu: 200 workers on 20 nodes) in an empty
// database and exits 1 if the check fails.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	atesql "atesql.dev/go"
	pb "atesql.dev/go/ateapipb"
)

const (
	free     = "worker_pool=cpu,actor_id="
	nodes    = 20
	workers  = 200
	actors   = 120
	claimers = 4
)

// store is atesql over this module's generated messages; upstream would
// name its own (pkg/proto/ateapipb) instead.
type store = atesql.Store[*pb.Actor, *pb.Worker, *pb.Atespace]

// cache is the scheduler's view of the free workers: key -> version.
type cache struct {
	mu   sync.Mutex
	free map[string]int64
}

func key(w *pb.Worker) string { return w.WorkerNamespace + "/" + w.WorkerPool + "/" + w.WorkerPod }

// fill lists the free workers page by page into the cache and returns the
// listing's revision.
func (c *cache) fill(ctx context.Context, s *store) (int64, error) {
	c.free = map[string]int64{}
	opts := atesql.ListOptions{Selector: free, PageSize: 50}
	for {
		page, err := s.ListWorkersPage(ctx, opts)
		if err != nil {
			return 0, err
		}
		for _, w := range page.Workers {
			c.free[key(w)] = w.Version
		}
		if page.NextPageToken == "" {
			return page.Revision, nil
		}
		opts.PageToken = page.NextPageToken
	}
}

// follow applies the watch's events until it ends.
func (c *cache) follow(w *atesql.Watch[*pb.Worker]) {
	for e := range w.Events {
		c.mu.Lock()
		if e.Type == atesql.WorkerEventDeleted {
			delete(c.free, key(e.Worker))
		} else {
			c.free[key(e.Worker)] = e.Worker.Version
		}
		c.mu.Unlock()
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: scheduler URL")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "scheduler:", err)
		os.Exit(1)
	}
}

func run(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := atesql.Migrate(url); err != nil {
		return err
	}
	s, err := atesql.Open[*pb.Actor, *pb.Worker, *pb.Atespace](url,
		&atesql.Options{PoolSize: claimers})
	if err != nil {
		return err
	}
	defer s.Close()
	for i := 0; i < workers; i++ {
		w := &pb.Worker{WorkerNamespace: "ns", WorkerPool: "cpu",
			WorkerPod: fmt.Sprintf("pod-%03d", i), NodeName: fmt.Sprintf("node-%02d", i%nodes),
			Ip: fmt.Sprintf("10.0.%d.%d", i/250, i%250)}
		if err := s.CreateWorker(ctx, w); err != nil {
			return fmt.Errorf("fleet: %w", err)
		}
	}

	// 1. The cache: list, then watch from the list's revision.
	var c cache
	rev, err := c.fill(ctx, s)
	if err != nil {
		return err
	}
	watch, err := s.Watch(ctx, atesql.WatchOptions{Selector: free, Since: rev})
	if err != nil {
		return err
	}
	defer watch.Close()
	go c.follow(watch)
	fmt.Printf("cache: %d free workers listed at revision %d, watched from there\n", len(c.free), rev)

	// 2. Claims with locality, by several claimers at once.
	var mu sync.Mutex
	local, held := 0, map[string]string{}
	var wg sync.WaitGroup
	errs := make(chan error, claimers)
	for g := 0; g < claimers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for a := g; a < actors; a += claimers {
				// Snapshots sit on 12 of the 20 nodes, 10 actors to
				// a node of 10 workers: each fits on its node,
				// whatever order the claimers run in.
				snapshot := fmt.Sprintf("node-%02d", a%12)
				req := &atesql.ClaimRequest{Pools: []atesql.PoolRef{{Namespace: "ns", Pool: "cpu"}},
					PreferredNodes: []string{snapshot}, ActorAtespace: "team-a",
					ActorID: fmt.Sprintf("actor-%03d", a)}
				w, err := s.ClaimWorker(ctx, req)
				for errors.Is(err, atesql.ErrPersistenceRetry) { // every fitting worker locked
					w, err = s.ClaimWorker(ctx, req)
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if w.NodeName == snapshot {
					local++
				}
				held[req.ActorID] = key(w)
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return fmt.Errorf("claim: %w", err)
	}
	fmt.Printf("claims: %d actors placed by %d claimers, %d on the node of their snapshot\n",
		len(held), claimers, local)
	if local != actors {
		return fmt.Errorf("%d actors on their snapshot's node, want all %d", local, actors)
	}
	// node-00 is full now: a claim that requires it finds nothing, one
	// that prefers it takes a worker elsewhere.
	extra := &atesql.ClaimRequest{Pools: []atesql.PoolRef{{Namespace: "ns", Pool: "cpu"}},
		PreferredNodes: []string{"node-00"}, RequirePreferred: true,
		ActorAtespace: "team-a", ActorID: "actor-extra"}
	if _, err := s.ClaimWorker(ctx, extra); !errors.Is(err, atesql.ErrResourceExhausted) {
		return fmt.Errorf("a claim requiring the full node-00: %v, want ErrResourceExhausted", err)
	}
	extra.RequirePreferred = false
	w, err := s.ClaimWorker(ctx, extra)
	if err != nil || w.NodeName == "node-00" {
		return fmt.Errorf("a claim preferring the full node-00: %v, %v", w, err)
	}
	fmt.Printf("node-00 full: a claim requiring it is refused; one preferring it takes %s on %s\n",
		w.WorkerPod, w.NodeName)
	if len(held) != actors {
		return fmt.Errorf("%d actors placed, want %d", len(held), actors)
	}
	seen := map[string]bool{}
	for _, k := range held {
		if seen[k] {
			return fmt.Errorf("worker %s given to two actors", k)
		}
		seen[k] = true
	}

	// 3. Release half, then check the cache against a fresh list.
	released := 0
	for a := 0; a < actors; a += 2 {
		id := fmt.Sprintf("actor-%03d", a)
		k := splitKey(held[id])
		ok, err := s.ReleaseWorker(ctx, k[0], k[1], k[2], "team-a", id)
		if err != nil || !ok {
			return fmt.Errorf("release %s: %v, %v", id, ok, err)
		}
		released++
	}
	current, _, err := s.Revision(ctx)
	if err != nil {
		return err
	}
	for watch.Revision() < current {
		if ctx.Err() != nil {
			return fmt.Errorf("the watch stayed at %d, the store is at %d", watch.Revision(), current)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var fresh cache
	if _, err := fresh.fill(ctx, s); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if diff := compare(c.free, fresh.free); diff != "" {
		return fmt.Errorf("the cache at revision %d differs from a fresh list: %s", current, diff)
	}
	fmt.Printf("releases: %d; the cache at revision %d equals a fresh list: %d free workers\n",
		released, current, len(c.free))
	return nil
}

func splitKey(k string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(k); i++ {
		if k[i] == '/' {
			parts = append(parts, k[start:i])
			start = i + 1
		}
	}
	return append(parts, k[start:])
}

// compare describes how two caches differ, "" when they do not.
func compare(got, want map[string]int64) string {
	var diffs []string
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			diffs = append(diffs, fmt.Sprintf("%s: cache %d, list %d", k, g, v))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, k+": in the cache only")
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 5 {
		diffs = append(diffs[:5], "...")
	}
	return fmt.Sprint(diffs)[1 : len(fmt.Sprint(diffs))-1]
}
