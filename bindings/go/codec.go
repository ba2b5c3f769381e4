package atesql

// #include <atesql/atesql.h>
import "C"

import (
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The messages a Store speaks are the caller's: any generated Go types of
// ateapi.Actor, ateapi.Worker and ateapi.Atespace (this module's ateapipb,
// or upstream's own). A codec makes them from C records and back, knowing
// them only by their descriptors: actors cross as protojson documents (the
// documents tests/interop holds the C codec to), workers field by field
// (the hot path of gets, pages, claims and events), atespaces by name.

var (
	marshalJSON   = protojson.MarshalOptions{}
	unmarshalJSON = protojson.UnmarshalOptions{}
)

// workerStrings are the string fields of ateapi.Worker in the order the C
// helper pack_workers copies them.
var workerStrings = [...]protoreflect.Name{
	"worker_namespace", "worker_pool", "worker_pod", "actor_namespace",
	"actor_template", "actor_id", "ip", "worker_pod_uid", "node_name",
	"actor_atespace",
}

type codec[A, W, S proto.Message] struct {
	actorType, workerType, atespaceType protoreflect.MessageType
	actorVersion                        protoreflect.FieldDescriptor
	workerFields                        [len(workerStrings)]protoreflect.FieldDescriptor
	workerVersion                       protoreflect.FieldDescriptor
	atespaceName                        protoreflect.FieldDescriptor
	// The Go struct behind W when it is a generated message (a pointer to
	// a struct whose fields carry protoc-gen-go's protobuf tags): workers
	// are then written straight into their fields, as generated code
	// would, instead of through protoreflect (3× the cost of a page).
	workerStruct  reflect.Type // nil: use protoreflect
	workerSlice   reflect.Type
	stringOffsets [len(workerStrings)]uintptr
	versionOffset uintptr
}

// structOf finds, in the Go struct behind a generated message type t, the
// offsets of the string fields names and of the int64 field version, by
// their protobuf tags; ok is false unless every one is there with that Go
// type.
func structOf(t reflect.Type, names []protoreflect.Name) (elem reflect.Type,
	offs []uintptr, version uintptr, ok bool) {
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil, nil, 0, false
	}
	elem = t.Elem()
	byName := map[string]reflect.StructField{}
	for i := 0; i < elem.NumField(); i++ {
		f := elem.Field(i)
		for _, part := range strings.Split(f.Tag.Get("protobuf"), ",") {
			if strings.HasPrefix(part, "name=") {
				byName[part[len("name="):]] = f
			}
		}
	}
	for _, n := range names {
		f, found := byName[string(n)]
		if !found || f.Type.Kind() != reflect.String {
			return nil, nil, 0, false
		}
		offs = append(offs, f.Offset)
	}
	v, found := byName["version"]
	if !found || v.Type.Kind() != reflect.Int64 {
		return nil, nil, 0, false
	}
	return elem, offs, v.Offset, true
}

// messageType is the type of T, which must be the message fullName.
func messageType[T proto.Message](fullName protoreflect.FullName) (protoreflect.MessageType, error) {
	var zero T
	if any(zero) == nil {
		return nil, fmt.Errorf("the type for %s is an interface; give the generated pointer type", fullName)
	}
	t := zero.ProtoReflect().Type()
	if got := t.Descriptor().FullName(); got != fullName {
		return nil, fmt.Errorf("the type for %s is %s", fullName, got)
	}
	return t, nil
}

// field is the field name of message t, which must be of kind k.
func field(t protoreflect.MessageType, name protoreflect.Name, k protoreflect.Kind) (protoreflect.FieldDescriptor, error) {
	fd := t.Descriptor().Fields().ByName(name)
	if fd == nil || fd.Kind() != k || fd.Cardinality() == protoreflect.Repeated {
		return nil, fmt.Errorf("%s has no %s field %s", t.Descriptor().FullName(), k, name)
	}
	return fd, nil
}

func newCodec[A, W, S proto.Message]() (*codec[A, W, S], error) {
	c := &codec[A, W, S]{}
	var err error
	if c.actorType, err = messageType[A]("ateapi.Actor"); err != nil {
		return nil, err
	}
	if c.workerType, err = messageType[W]("ateapi.Worker"); err != nil {
		return nil, err
	}
	if c.atespaceType, err = messageType[S]("ateapi.Atespace"); err != nil {
		return nil, err
	}
	if c.actorVersion, err = field(c.actorType, "version", protoreflect.Int64Kind); err != nil {
		return nil, err
	}
	for i, name := range workerStrings {
		if c.workerFields[i], err = field(c.workerType, name, protoreflect.StringKind); err != nil {
			return nil, err
		}
	}
	if c.workerVersion, err = field(c.workerType, "version", protoreflect.Int64Kind); err != nil {
		return nil, err
	}
	if c.atespaceName, err = field(c.atespaceType, "name", protoreflect.StringKind); err != nil {
		return nil, err
	}
	var zero W
	if elem, offs, version, ok := structOf(reflect.TypeOf(zero), workerStrings[:]); ok {
		c.workerStruct, c.workerSlice = elem, reflect.SliceOf(elem)
		copy(c.stringOffsets[:], offs)
		c.versionOffset = version
	}
	return c, nil
}

// isNil says whether m is a nil message.
func isNil(m proto.Message) bool { return m == nil || !m.ProtoReflect().IsValid() }

// document marshals m, refusing nil.
func document(op, what string, m proto.Message) ([]byte, error) {
	if isNil(m) {
		return nil, &Error{Op: op, Code: CodeInvalidArgument, Message: what + " is nil"}
	}
	js, err := marshalJSON.Marshal(m)
	if err != nil {
		return nil, &Error{Op: op, Code: CodeInvalidArgument, Message: err.Error()}
	}
	return js, nil
}

// cWorker is w as a C record, to free with atesql_worker_free.
func (c *codec[A, W, S]) cWorker(op string, w W) (*C.atesql_worker, error) {
	js, err := document(op, "worker", w)
	if err != nil {
		return nil, err
	}
	return workerFromJSON(op, js)
}

// cActor is a as a C record, to free with atesql_actor_free.
func (c *codec[A, W, S]) cActor(op string, a A) (*C.atesql_actor, error) {
	js, err := document(op, "actor", a)
	if err != nil {
		return nil, err
	}
	return actorFromJSON(op, js)
}

// workers are n C workers as messages: their strings are one Go string
// (packWorkers) that the fields slice, and only the fields that are set
// are set (proto3: "" is unset). The C library's strings are UTF-8 (it
// checks every write).
func (c *codec[A, W, S]) workers(first *C.atesql_worker, n int) []W {
	if n == 0 {
		return nil
	}
	items := unsafe.Slice(first, n)
	all := packWorkers(first, n)
	out := make([]W, n)
	at := 0
	if c.workerStruct != nil {
		// One allocation for the n structs, zeroed, as make([]T, n).
		base := reflect.MakeSlice(c.workerSlice, n, n).UnsafePointer()
		size := c.workerStruct.Size()
		for i := range items {
			m := unsafe.Add(base, uintptr(i)*size)
			for _, off := range c.stringOffsets {
				end := at + strings.IndexByte(all[at:], 0)
				*(*string)(unsafe.Add(m, off)) = all[at:end]
				at = end + 1
			}
			*(*int64)(unsafe.Add(m, c.versionOffset)) = int64(items[i].version)
			out[i] = *(*W)(unsafe.Pointer(&m))
		}
		return out
	}
	for i := range items {
		m := c.workerType.New()
		for _, fd := range c.workerFields {
			end := at + strings.IndexByte(all[at:], 0)
			if end > at {
				m.Set(fd, protoreflect.ValueOfString(all[at:end]))
			}
			at = end + 1
		}
		if v := int64(items[i].version); v != 0 {
			m.Set(c.workerVersion, protoreflect.ValueOfInt64(v))
		}
		out[i] = m.Interface().(W)
	}
	return out
}

// worker is one C worker as a message.
func (c *codec[A, W, S]) worker(w *C.atesql_worker) W { return c.workers(w, 1)[0] }

// actor is a C actor as a message, through its protojson document.
func (c *codec[A, W, S]) actor(op string, a *C.atesql_actor) (A, error) {
	var zero A
	js, st, msg := actorToJSON(a)
	if st != C.ATESQL_OK {
		return zero, errorOf(op, st, msg)
	}
	m := c.actorType.New().Interface()
	if err := unmarshalJSON.Unmarshal([]byte(js), m); err != nil {
		return zero, &Error{Op: op, Code: CodeInternal,
			Message: fmt.Sprintf("the store's document does not parse: %v", err)}
	}
	return m.(A), nil
}

// atespace is a C atespace as a message.
func (c *codec[A, W, S]) atespace(a *C.atesql_atespace) S {
	m := c.atespaceType.New()
	if name := C.GoString(a.name); name != "" {
		m.Set(c.atespaceName, protoreflect.ValueOfString(name))
	}
	return m.Interface().(S)
}

// atespaceNameOf is the name of an atespace message.
func (c *codec[A, W, S]) atespaceNameOf(a S) string {
	return a.ProtoReflect().Get(c.atespaceName).String()
}

// setActorVersion writes v into a's version.
func (c *codec[A, W, S]) setActorVersion(a A, v int64) {
	a.ProtoReflect().Set(c.actorVersion, protoreflect.ValueOfInt64(v))
}
