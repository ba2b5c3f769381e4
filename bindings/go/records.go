package atesql

// The records cross between Go and C as protojson documents: Go's protojson
// writes them, the C library's codec reads them (and back), the same
// documents tests/interop holds the codec to. So every field, present or
// not, means in C what it means in Go.

/*
#include <stdlib.h>
#include <string.h>
#include <atesql/atesql.h>

enum { WORKER_STRINGS = 10 };

// Copy the string fields of workers[0..n) into buf (cap bytes), each
// followed by a NUL byte, in the order goWorkers reads them. Returns the
// bytes they need; when that is more than cap, nothing is copied.
static size_t pack_workers(const atesql_worker *workers, size_t n, char *buf,
                           size_t cap) {
  size_t need = 0;
  for (size_t i = 0; i < n; i++) {
    const atesql_worker *w = &workers[i];
    const char *f[WORKER_STRINGS] = {
        w->worker_namespace, w->worker_pool,    w->worker_pod,
        w->actor_namespace,  w->actor_template, w->actor_id,
        w->ip,               w->worker_pod_uid, w->node_name,
        w->actor_atespace};
    for (int j = 0; j < WORKER_STRINGS; j++) {
      size_t len = strlen(f[j]) + 1;
      if (need + len <= cap) memcpy(buf + need, f[j], len);
      need += len;
    }
  }
  return need;
}
*/
import "C"

import (
	"fmt"
	"sort"
	"strings"
	"unsafe"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	pb "atesql.dev/go/ateapipb"
)

var (
	marshalJSON   = protojson.MarshalOptions{}
	unmarshalJSON = protojson.UnmarshalOptions{}
)

// errMessage is the message of a C error report.
func errMessage(e *C.atesql_error) string {
	return C.GoString(&e.message[0])
}

// documentOf marshals m, refusing nil.
func documentOf(op, what string, m proto.Message, isNil bool) ([]byte, error) {
	if isNil {
		return nil, &Error{Op: op, Code: CodeInvalidArgument, Message: what + " is nil"}
	}
	js, err := marshalJSON.Marshal(m)
	if err != nil {
		return nil, &Error{Op: op, Code: CodeInvalidArgument, Message: err.Error()}
	}
	return js, nil
}

// cText points C at a document's bytes for the length of one call; a
// document is never empty ("{}" at least).
func cText(js []byte) *C.char { return (*C.char)(unsafe.Pointer(&js[0])) }

// cWorker is w as a C record, to free with atesql_worker_free.
func cWorker(op string, w *pb.Worker) (*C.atesql_worker, error) {
	js, err := documentOf(op, "worker", w, w == nil)
	if err != nil {
		return nil, err
	}
	var out *C.atesql_worker
	var cerr C.atesql_error
	st := C.atesql_worker_from_json(cText(js), C.size_t(len(js)), &out, &cerr)
	if st != C.ATESQL_OK {
		return nil, errorOf(op, st, errMessage(&cerr))
	}
	return out, nil
}

// cActor is a as a C record, to free with atesql_actor_free.
func cActor(op string, a *pb.Actor) (*C.atesql_actor, error) {
	js, err := documentOf(op, "actor", a, a == nil)
	if err != nil {
		return nil, err
	}
	var out *C.atesql_actor
	var cerr C.atesql_error
	st := C.atesql_actor_from_json(cText(js), C.size_t(len(js)), &out, &cerr)
	if st != C.ATESQL_OK {
		return nil, errorOf(op, st, errMessage(&cerr))
	}
	return out, nil
}

// goDocument reads the document C wrote into *js (then frees it) into m.
func goDocument(op string, st C.atesql_status, js *C.char, cerr *C.atesql_error,
	m proto.Message) error {
	if st != C.ATESQL_OK {
		return errorOf(op, st, errMessage(cerr))
	}
	defer C.atesql_free(unsafe.Pointer(js))
	if err := unmarshalJSON.Unmarshal([]byte(C.GoString(js)), m); err != nil {
		return &Error{Op: op, Code: CodeInternal,
			Message: fmt.Sprintf("the store's document does not parse: %v", err)}
	}
	return nil
}

// goWorkers are n C workers as Go messages. A worker is flat (strings and
// a version), and this is the hot path of gets, pages, claims and events,
// where a protojson round trip, or a string allocation per field, would
// cost more than the database call: one C call copies every string of the
// page into one buffer (a NUL after each field: the store's strings hold
// none), which becomes one Go string that the fields slice,
// and the messages are one allocation. The C library's strings are UTF-8
// (it checks every write), as protojson's would be.
func goWorkers(first *C.atesql_worker, n int) []*pb.Worker {
	if n == 0 {
		return nil
	}
	items := unsafe.Slice(first, n)
	buf := make([]byte, 96*n)
	need := int(C.pack_workers(first, C.size_t(n), (*C.char)(unsafe.Pointer(&buf[0])),
		C.size_t(len(buf))))
	if need > len(buf) {
		buf = make([]byte, need)
		C.pack_workers(first, C.size_t(n), (*C.char)(unsafe.Pointer(&buf[0])),
			C.size_t(len(buf)))
	}
	all := string(buf[:need])
	msgs := make([]pb.Worker, n)
	out := make([]*pb.Worker, n)
	at := 0
	next := func() string {
		end := at + strings.IndexByte(all[at:], 0)
		f := all[at:end]
		at = end + 1
		return f
	}
	for i := range items {
		w := &msgs[i]
		w.WorkerNamespace = next()
		w.WorkerPool = next()
		w.WorkerPod = next()
		w.ActorNamespace = next()
		w.ActorTemplate = next()
		w.ActorId = next()
		w.Ip = next()
		w.WorkerPodUid = next()
		w.NodeName = next()
		w.ActorAtespace = next()
		w.Version = int64(items[i].version)
		out[i] = w
	}
	return out
}

// goWorker is one C worker as a Go message (goWorkers).
func goWorker(op string, w *C.atesql_worker) (*pb.Worker, error) {
	return goWorkers(w, 1)[0], nil
}

func goActor(op string, a *C.atesql_actor) (*pb.Actor, error) {
	var js *C.char
	var cerr C.atesql_error
	st := C.atesql_actor_to_json(a, &js, &cerr)
	out := &pb.Actor{}
	return out, goDocument(op, st, js, &cerr, out)
}

func goAtespace(a *C.atesql_atespace) *pb.Atespace {
	return &pb.Atespace{Name: C.GoString(a.name)}
}

// goLabels are the labels of a C worker; nil when it has none.
func goLabels(w *C.atesql_worker) map[string]string {
	if w.label_count == 0 {
		return nil
	}
	labels := unsafe.Slice(w.labels, int(w.label_count))
	out := make(map[string]string, len(labels))
	for _, l := range labels {
		out[C.GoString(l.key)] = C.GoString(l.value)
	}
	return out
}

// cLabels is a C copy of labels, sorted by key, for the length of one
// call: free it with free.
type cLabels struct {
	items *C.atesql_label
	count C.size_t
	strs  []*C.char
}

func newCLabels(labels map[string]string) *cLabels {
	l := &cLabels{count: C.size_t(len(labels))}
	if len(labels) == 0 {
		return l
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	l.items = (*C.atesql_label)(C.calloc(C.size_t(len(keys)),
		C.size_t(unsafe.Sizeof(C.atesql_label{}))))
	items := unsafe.Slice(l.items, len(keys))
	for i, k := range keys {
		key, value := C.CString(k), C.CString(labels[k])
		l.strs = append(l.strs, key, value)
		items[i].key, items[i].value = key, value
	}
	return l
}

func (l *cLabels) free() {
	for _, s := range l.strs {
		C.free(unsafe.Pointer(s))
	}
	C.free(unsafe.Pointer(l.items))
}

// cStrings is a C array of C copies of ss, for one call.
type cStrings struct {
	items **C.char
	count C.size_t
	strs  []*C.char
}

func newCStrings(ss []string) *cStrings {
	c := &cStrings{count: C.size_t(len(ss))}
	if len(ss) == 0 {
		return c
	}
	c.items = (**C.char)(C.calloc(C.size_t(len(ss)), C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	items := unsafe.Slice(c.items, len(ss))
	for i, s := range ss {
		items[i] = C.CString(s)
		c.strs = append(c.strs, items[i])
	}
	return c
}

func (c *cStrings) free() {
	for _, s := range c.strs {
		C.free(unsafe.Pointer(s))
	}
	C.free(unsafe.Pointer(c.items))
}
