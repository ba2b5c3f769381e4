package atesql

// The C side of the records' crossing: documents to and from C records,
// the packing of a page's worker strings, labels and string arrays. The Go
// side, which makes the caller's messages, is codec.go.

/*
#include <stdlib.h>
#include <string.h>
#include <atesql/atesql.h>

enum { WORKER_STRINGS = 10 };

// Copy the string fields of workers[0..n) into buf (cap bytes), each
// followed by a NUL byte, in the order codec.go's workerStrings names them. Returns the
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
	"sort"
	"unsafe"
)

// errMessage is the message of a C error report.
func errMessage(e *C.atesql_error) string {
	return C.GoString(&e.message[0])
}

// cText points C at a document's bytes for the length of one call; a
// document is never empty ("{}" at least).
func cText(js []byte) *C.char { return (*C.char)(unsafe.Pointer(&js[0])) }

// packWorkers copies the string fields of n C workers into one Go string,
// a NUL after each, in the order of workerStrings (one C call, one Go
// allocation for the whole page).
func packWorkers(first *C.atesql_worker, n int) string {
	buf := make([]byte, 96*n)
	need := int(C.pack_workers(first, C.size_t(n), (*C.char)(unsafe.Pointer(&buf[0])),
		C.size_t(len(buf))))
	if need > len(buf) {
		buf = make([]byte, need)
		C.pack_workers(first, C.size_t(n), (*C.char)(unsafe.Pointer(&buf[0])),
			C.size_t(len(buf)))
	}
	buf = buf[:need]
	// The bytes are never written again: they become the string as they
	// are, as strings.Builder does, rather than copied.
	return *(*string)(unsafe.Pointer(&buf))
}

// actorToJSON is the protojson document of a C actor, freed.
func actorToJSON(a *C.atesql_actor) (string, C.atesql_status, string) {
	var js *C.char
	var cerr C.atesql_error
	if st := C.atesql_actor_to_json(a, &js, &cerr); st != C.ATESQL_OK {
		return "", st, errMessage(&cerr)
	}
	defer C.atesql_free(unsafe.Pointer(js))
	return C.GoString(js), C.ATESQL_OK, ""
}

// workerFromJSON is a C worker read from a protojson document, to free
// with atesql_worker_free.
func workerFromJSON(op string, js []byte) (*C.atesql_worker, error) {
	var out *C.atesql_worker
	var cerr C.atesql_error
	st := C.atesql_worker_from_json(cText(js), C.size_t(len(js)), &out, &cerr)
	if st != C.ATESQL_OK {
		return nil, errorOf(op, st, errMessage(&cerr))
	}
	return out, nil
}

// actorFromJSON is a C actor read from a protojson document, to free with
// atesql_actor_free.
func actorFromJSON(op string, js []byte) (*C.atesql_actor, error) {
	var out *C.atesql_actor
	var cerr C.atesql_error
	st := C.atesql_actor_from_json(cText(js), C.size_t(len(js)), &out, &cerr)
	if st != C.ATESQL_OK {
		return nil, errorOf(op, st, errMessage(&cerr))
	}
	return out, nil
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
