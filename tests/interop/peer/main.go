// Command interop-peer is the other side of atesql's interop test.
//
// atesql keeps its records as protojson documents of upstream's ateapi.proto
// messages, written and read by its own C codec. This program speaks for the
// real protobuf library (Go's google.golang.org/protobuf): it makes documents
// the way protojson writes them, and it judges atesql's documents by whether
// protojson reads them and whether they mean the same records.
//
// It uses no generated code. It loads a descriptor set that protoc compiled
// from proto/ateapi.proto and works on dynamicpb messages, so that it
// builds in GOPATH mode from Debian's golang-google-protobuf-dev alone.
//
// Every document is read with protojson.UnmarshalOptions{} (strict: unknown
// fields, duplicate fields and the like are errors) and written with
// protojson.MarshalOptions{} unless a marshal variant says otherwise. Files
// are JSON lines: one document a line.
//
// Subcommands (each takes -descriptors FILE):
//
//	gen    -seed S -n N -out DIR         write a random data set, once per marshal variant
//	check  -kind K -want FILE -got FILE  the two files hold equal records
//	canon  -kind K                       stdin lines -> default protojson lines
//	reject -kind K [-v] FILE             every line must fail to parse
//	accept -kind K FILE                  every line must parse; print each canonical
//
// Kinds: worker (ateapi.Worker), actor (ateapi.Actor), atespace
// (ateapi.Atespace). Exit status: 0 success, 1 a check failed, 2 misuse or
// unreadable input.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2

	// maxStringBytes is the longest string atesql takes in a field.
	maxStringBytes = 500
	// maxLineBytes bounds one JSON line read from a file.
	maxLineBytes = 64 << 20
)

// ---------------------------------------------------------------------------
// Kinds, the schema and the codec.

// kind is one record type atesql stores: its message and its key fields.
type kind struct {
	name    string // name on the command line
	plural  string // file name stem that gen writes
	message protoreflect.FullName
	key     []protoreflect.Name // fields that together identify a record
}

var kinds = []kind{
	{"atespace", "atespaces", "ateapi.Atespace", []protoreflect.Name{"name"}},
	{"actor", "actors", "ateapi.Actor", []protoreflect.Name{"atespace", "actor_id"}},
	{"worker", "workers", "ateapi.Worker", []protoreflect.Name{"worker_namespace", "worker_pool", "worker_pod"}},
}

func kindByName(name string) (kind, error) {
	for _, k := range kinds {
		if k.name == name {
			return k, nil
		}
	}
	return kind{}, fmt.Errorf("unknown kind %q (want worker, actor or atespace)", name)
}

// loadSchema reads a FileDescriptorSet (protoc --descriptor_set_out) and
// links its files.
func loadSchema(path string) (*protoregistry.Files, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("%s: not a descriptor set: %v", path, err)
	}
	files, err := protodesc.NewFiles(&set)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return files, nil
}

// messageDesc finds a message by full name in the schema.
func messageDesc(files *protoregistry.Files, name protoreflect.FullName) (protoreflect.MessageDescriptor, error) {
	d, err := files.FindDescriptorByName(name)
	if err != nil {
		return nil, fmt.Errorf("descriptor set lacks %s: %v", name, err)
	}
	md, ok := d.(protoreflect.MessageDescriptor)
	if !ok {
		return nil, fmt.Errorf("%s is not a message", name)
	}
	return md, nil
}

// parse reads one document with protojson's default (strict) options.
func parse(md protoreflect.MessageDescriptor, doc []byte) (*dynamicpb.Message, error) {
	m := dynamicpb.NewMessage(md)
	if err := (protojson.UnmarshalOptions{}).Unmarshal(doc, m); err != nil {
		return nil, err
	}
	return m, nil
}

// canonical writes a message with protojson's default options.
func canonical(m proto.Message) string {
	b, err := protojson.MarshalOptions{}.Marshal(m)
	if err != nil {
		return fmt.Sprintf("<marshal error: %v>", err)
	}
	return string(b)
}

// keyOf renders a record's key as a JSON array of its key fields: readable
// in reports and unambiguous as a map key.
func keyOf(k kind, m protoreflect.Message) string {
	parts := make([]string, len(k.key))
	for i, name := range k.key {
		parts[i] = m.Get(m.Descriptor().Fields().ByName(name)).String()
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(parts)
	return strings.TrimSuffix(b.String(), "\n")
}

// ---------------------------------------------------------------------------
// Command line.

func main() {
	commands := map[string]func([]string) int{
		"gen":    cmdGen,
		"check":  cmdCheck,
		"canon":  cmdCanon,
		"reject": cmdReject,
		"accept": cmdAccept,
	}
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		usage()
		os.Exit(exitUsage)
	}
	os.Exit(commands[os.Args[1]](os.Args[2:]))
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: interop-peer COMMAND -descriptors FILE [flags]
  gen    -seed S -n N -out DIR         write DIR/{atespaces,actors,workers}.VARIANT.jsonl
                                       for VARIANT in default, emit_unpopulated, proto_names, both
  check  -kind K -want FILE -got FILE  same keys and proto.Equal records in both files
  canon  -kind K                       stdin JSON lines -> default protojson lines on stdout
  reject -kind K [-v] FILE             every non-blank, non-# line must fail to parse
  accept -kind K FILE                  every non-blank, non-# line must parse; print each canonical
kinds: worker, actor, atespace
`)
}

// target is what a subcommand working on one kind needs.
type target struct {
	kind kind
	md   protoreflect.MessageDescriptor
}

// commonFlags registers -descriptors (and -kind when withKind) on fs.
type commonFlags struct {
	descriptors *string
	kind        *string
}

func addCommon(fs *flag.FlagSet, withKind bool) commonFlags {
	c := commonFlags{descriptors: fs.String("descriptors", "", "descriptor set from protoc --descriptor_set_out")}
	if withKind {
		c.kind = fs.String("kind", "", "record kind: worker, actor or atespace")
	}
	return c
}

// target resolves -descriptors and -kind into a message descriptor.
func (c commonFlags) target() (target, error) {
	k, err := kindByName(*c.kind)
	if err != nil {
		return target{}, err
	}
	files, err := c.files()
	if err != nil {
		return target{}, err
	}
	md, err := messageDesc(files, k.message)
	return target{k, md}, err
}

func (c commonFlags) files() (*protoregistry.Files, error) {
	if *c.descriptors == "" {
		return nil, errors.New("-descriptors is required")
	}
	return loadSchema(*c.descriptors)
}

// parseArgs parses fs and reports misuse; npos is the number of positional
// arguments wanted.
func parseArgs(fs *flag.FlagSet, args []string, npos int) bool {
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return false
	}
	if fs.NArg() != npos {
		fmt.Fprintf(os.Stderr, "%s: want %d file argument(s), got %d\n", fs.Name(), npos, fs.NArg())
		return false
	}
	return true
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func fatal(cmd string, err error) int {
	fmt.Fprintf(os.Stderr, "%s: %v\n", cmd, err)
	return exitUsage
}

// ---------------------------------------------------------------------------
// Reading JSON lines.

// line is one line of a JSON-lines input, numbered from 1.
type line struct {
	num  int
	text []byte
}

// readLines splits r into lines without their newline. A final newline
// does not make an empty last line; any other empty line is kept.
func readLines(r io.Reader) ([]line, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLineBytes)
	var lines []line
	for n := 1; sc.Scan(); n++ {
		lines = append(lines, line{n, append([]byte(nil), sc.Bytes()...)})
	}
	return lines, sc.Err()
}

func readFileLines(path string) ([]line, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLines(f)
}

// isTableNoise tells blank lines and # comments of the accept/reject tables.
func isTableNoise(text []byte) bool {
	t := bytes.TrimSpace(text)
	return len(t) == 0 || t[0] == '#'
}

// ---------------------------------------------------------------------------
// check: two files hold the same records.

func cmdCheck(args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	common := addCommon(fs, true)
	wantPath := fs.String("want", "", "JSON lines with the expected records")
	gotPath := fs.String("got", "", "JSON lines to judge")
	if !parseArgs(fs, args, 0) {
		return exitUsage
	}
	t, err := common.target()
	if err != nil {
		return fatal("check", err)
	}
	want, wantErr := loadRecords(t, "want", *wantPath)
	got, gotErr := loadRecords(t, "got", *gotPath)
	if wantErr != nil || gotErr != nil {
		return fatal("check", firstError(wantErr, gotErr))
	}
	return compareRecords(t, want, got)
}

// records is a file's records by key, with the keys in file order and the
// number of lines that failed (unparsable or a repeated key).
type records struct {
	byKey map[string]*dynamicpb.Message
	order []string
	bad   int
}

// loadRecords parses every line of path; each failure is reported on
// stdout under the file's role ("want" or "got").
func loadRecords(t target, role, path string) (records, error) {
	r := records{byKey: map[string]*dynamicpb.Message{}}
	if path == "" {
		return r, fmt.Errorf("-%s is required", role)
	}
	lines, err := readFileLines(path)
	if err != nil {
		return r, err
	}
	firstLine := map[string]int{}
	for _, l := range lines {
		m, err := parse(t.md, l.text)
		if err != nil {
			fmt.Printf("%s line %d does not parse: %v\n  document: %s\n", role, l.num, err, l.text)
			r.bad++
			continue
		}
		key := keyOf(t.kind, m)
		if first, dup := firstLine[key]; dup {
			fmt.Printf("%s line %d repeats key %s of line %d\n", role, l.num, key, first)
			r.bad++
			continue
		}
		firstLine[key] = l.num
		r.byKey[key] = m
		r.order = append(r.order, key)
	}
	return r, nil
}

// compareRecords reports missing, extra and differing records and prints
// the summary line.
func compareRecords(t target, want, got records) int {
	var equal, differ, missing, extra int
	for _, key := range want.order {
		g, ok := got.byKey[key]
		switch {
		case !ok:
			fmt.Printf("missing from got: %s\n", key)
			missing++
		case proto.Equal(want.byKey[key], g):
			equal++
		default:
			w := want.byKey[key]
			fmt.Printf("differs: %s (fields: %s)\n  want: %s\n  got:  %s\n",
				key, strings.Join(differingFields(w, g), ", "), canonical(w), canonical(g))
			differ++
		}
	}
	for _, key := range got.order {
		if _, ok := want.byKey[key]; !ok {
			fmt.Printf("extra in got: %s\n  got:  %s\n", key, canonical(got.byKey[key]))
			extra++
		}
	}
	if differ+missing+extra+want.bad+got.bad > 0 {
		fmt.Printf("check %s: FAIL: %d equal, %d differ, %d missing, %d extra, %d bad want lines, %d bad got lines\n",
			t.kind.name, equal, differ, missing, extra, want.bad, got.bad)
		return exitFail
	}
	fmt.Printf("check %s: %d records equal\n", t.kind.name, equal)
	return exitOK
}

// differingFields names the top-level fields whose values differ, by
// comparing one-field copies of both messages.
func differingFields(a, b *dynamicpb.Message) []string {
	var names []string
	fields := a.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if !proto.Equal(onlyField(a, fd), onlyField(b, fd)) {
			names = append(names, string(fd.Name()))
		}
	}
	return names
}

func onlyField(m *dynamicpb.Message, fd protoreflect.FieldDescriptor) *dynamicpb.Message {
	c := dynamicpb.NewMessage(m.Descriptor())
	if m.Has(fd) {
		c.Set(fd, m.Get(fd))
	}
	return c
}

// ---------------------------------------------------------------------------
// canon, accept, reject: line-by-line parsing.

func cmdCanon(args []string) int {
	fs := flag.NewFlagSet("canon", flag.ContinueOnError)
	common := addCommon(fs, true)
	if !parseArgs(fs, args, 0) {
		return exitUsage
	}
	t, err := common.target()
	if err != nil {
		return fatal("canon", err)
	}
	lines, err := readLines(os.Stdin)
	if err != nil {
		return fatal("canon", err)
	}
	return canonLines("canon", t, lines)
}

func cmdAccept(args []string) int {
	fs := flag.NewFlagSet("accept", flag.ContinueOnError)
	common := addCommon(fs, true)
	if !parseArgs(fs, args, 1) {
		return exitUsage
	}
	t, err := common.target()
	if err != nil {
		return fatal("accept", err)
	}
	lines, err := readFileLines(fs.Arg(0))
	if err != nil {
		return fatal("accept", err)
	}
	return canonLines("accept", t, dropTableNoise(lines))
}

// canonLines parses each line and writes it back with default options, one
// line each on stdout. Failures go to stderr, naming the line; all lines
// are tried, and any failure makes the exit status 1.
func canonLines(cmd string, t target, lines []line) int {
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	failed := 0
	for _, l := range lines {
		m, err := parse(t.md, l.text)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s %s: line %d does not parse: %v\n  document: %s\n", cmd, t.kind.name, l.num, err, l.text)
			failed++
			continue
		}
		fmt.Fprintln(out, canonical(m))
	}
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "%s %s: FAIL: %d of %d lines do not parse\n", cmd, t.kind.name, failed, len(lines))
		return exitFail
	}
	return exitOK
}

func dropTableNoise(lines []line) []line {
	var kept []line
	for _, l := range lines {
		if !isTableNoise(l.text) {
			kept = append(kept, l)
		}
	}
	return kept
}

func cmdReject(args []string) int {
	fs := flag.NewFlagSet("reject", flag.ContinueOnError)
	common := addCommon(fs, true)
	verbose := fs.Bool("v", false, "also print why each line is rejected")
	if !parseArgs(fs, args, 1) {
		return exitUsage
	}
	t, err := common.target()
	if err != nil {
		return fatal("reject", err)
	}
	lines, err := readFileLines(fs.Arg(0))
	if err != nil {
		return fatal("reject", err)
	}
	lines = dropTableNoise(lines)
	accepted := 0
	for _, l := range lines {
		m, err := parse(t.md, l.text)
		switch {
		case err == nil:
			fmt.Printf("line %d parses but should not: %s\n  as: %s\n", l.num, l.text, canonical(m))
			accepted++
		case *verbose:
			fmt.Printf("line %d rejected: %v\n", l.num, err)
		}
	}
	if accepted > 0 {
		fmt.Printf("reject %s: FAIL: %d of %d lines parse\n", t.kind.name, accepted, len(lines))
		return exitFail
	}
	fmt.Printf("reject %s: %d lines rejected\n", t.kind.name, len(lines))
	return exitOK
}

// ---------------------------------------------------------------------------
// gen: a random data set in every marshal variant.
//
// The records obey what atesql needs to store them: key fields non-empty
// and unique per kind, every actor's atespace among the atespaces, strings
// valid UTF-8 without NUL and at most maxStringBytes long, versions in
// 1..2^63-1 (a missing version means 1 to atesql, so 0 never appears).
// The first records of each kind walk through fixed lists of cases so that
// every case appears for any n >= 50; the rest are random.

// variant is one way protojson may write the same record.
type variant struct {
	name string
	opts protojson.MarshalOptions
}

var variants = []variant{
	{"default", protojson.MarshalOptions{}},
	{"emit_unpopulated", protojson.MarshalOptions{EmitUnpopulated: true}},
	{"proto_names", protojson.MarshalOptions{UseProtoNames: true}},
	{"both", protojson.MarshalOptions{EmitUnpopulated: true, UseProtoNames: true}},
}

func cmdGen(args []string) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	common := addCommon(fs, false)
	seed := fs.Int64("seed", 1, "random seed")
	n := fs.Int("n", 200, "records per kind (at least 50 for full case coverage)")
	outDir := fs.String("out", "", "output directory")
	if !parseArgs(fs, args, 0) {
		return exitUsage
	}
	if *outDir == "" || *n < 1 {
		return fatal("gen", errors.New("-out and a positive -n are required"))
	}
	files, err := common.files()
	if err != nil {
		return fatal("gen", err)
	}
	g, err := newGenerator(files, *seed)
	if err != nil {
		return fatal("gen", err)
	}
	if *n < 50 {
		fmt.Fprintf(os.Stderr, "gen: note: n < 50 may leave some fixed cases out\n")
	}
	sets := g.dataSet(*n)
	if err := writeDataSet(*outDir, sets); err != nil {
		return fatal("gen", err)
	}
	fmt.Printf("gen: seed %d: %d atespaces, %d actors, %d workers in %d variants under %s\n",
		*seed, len(sets[0]), len(sets[1]), len(sets[2]), len(variants), *outDir)
	return exitOK
}

// writeDataSet writes sets (in the order of kinds) once per variant, after
// checking each record and that each written line reads back equal.
func writeDataSet(dir string, sets [][]*dynamicpb.Message) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, k := range kinds {
		for _, m := range sets[i] {
			if err := validate(m); err != nil {
				return fmt.Errorf("generated %s %s: %v", k.name, keyOf(k, m), err)
			}
		}
		for _, v := range variants {
			path := filepath.Join(dir, k.plural+"."+v.name+".jsonl")
			if err := writeVariant(path, v, sets[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeVariant(path string, v variant, msgs []*dynamicpb.Message) error {
	var buf bytes.Buffer
	for _, m := range msgs {
		b, err := v.opts.Marshal(m)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b, '\n') >= 0 {
			return fmt.Errorf("%s: marshalled document spans lines: %s", path, b)
		}
		back, err := parse(m.Descriptor(), b)
		if err != nil || !proto.Equal(back, m) {
			return fmt.Errorf("%s: document does not read back equal (%v): %s", path, err, b)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// validate checks a generated record against atesql's limits: every string
// (also in nested messages, lists and map keys) valid UTF-8, without NUL,
// at most maxStringBytes; any version at least 1.
func validate(m protoreflect.Message) error {
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		err = validateField(fd, v)
		return err == nil
	})
	if err != nil {
		return err
	}
	if fd := m.Descriptor().Fields().ByName("version"); fd != nil && m.Get(fd).Int() < 1 {
		return errors.New("version below 1")
	}
	return nil
}

func validateField(fd protoreflect.FieldDescriptor, v protoreflect.Value) error {
	var err error
	switch {
	case fd.IsList():
		l := v.List()
		for i := 0; i < l.Len() && err == nil; i++ {
			err = validateValue(fd, l.Get(i))
		}
	case fd.IsMap():
		v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
			err = validateString(k.String())
			if err == nil {
				err = validateValue(fd.MapValue(), mv)
			}
			return err == nil
		})
	default:
		err = validateValue(fd, v)
	}
	if err != nil {
		return fmt.Errorf("%s: %v", fd.Name(), err)
	}
	return nil
}

func validateValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) error {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return validateString(v.String())
	case protoreflect.MessageKind:
		return validate(v.Message())
	}
	return nil
}

func validateString(s string) error {
	switch {
	case !utf8.ValidString(s):
		return fmt.Errorf("invalid UTF-8 in %q", s)
	case strings.IndexByte(s, 0) >= 0:
		return fmt.Errorf("NUL in %q", s)
	case len(s) > maxStringBytes:
		return fmt.Errorf("%d bytes, over %d", len(s), maxStringBytes)
	}
	return nil
}

// generator makes records from one seeded random source.
type generator struct {
	rng   *rand.Rand
	descs map[string]protoreflect.MessageDescriptor // by kind name
	taken map[string]bool                           // kind name + key
}

func newGenerator(files *protoregistry.Files, seed int64) (*generator, error) {
	g := &generator{
		rng:   rand.New(rand.NewSource(seed)),
		descs: map[string]protoreflect.MessageDescriptor{},
		taken: map[string]bool{},
	}
	for _, k := range kinds {
		md, err := messageDesc(files, k.message)
		if err != nil {
			return nil, err
		}
		g.descs[k.name] = md
	}
	return g, nil
}

// dataSet makes n records of each kind, in the order of kinds; the
// atespaces also include any that an actor names beyond the first n.
func (g *generator) dataSet(n int) [][]*dynamicpb.Message {
	atespaces := g.atespaces(n)
	names := make([]string, len(atespaces))
	for i, a := range atespaces {
		names[i] = getString(a, "name")
	}
	actors := g.actors(n, names)
	for _, a := range actors {
		if m := g.atespace(getString(a, "atespace")); g.claim(kinds[0], m) {
			atespaces = append(atespaces, m)
		}
	}
	return [][]*dynamicpb.Message{atespaces, actors, g.workers(n)}
}

// claim marks m's key taken; it reports false if the key already was.
func (g *generator) claim(k kind, m protoreflect.Message) bool {
	key := k.name + keyOf(k, m)
	if g.taken[key] {
		return false
	}
	g.taken[key] = true
	return true
}

// unique gives m a fresh key: it keeps m's key if free, else calls rekey
// until the key is free.
func (g *generator) unique(k kind, m protoreflect.Message, rekey func()) {
	for tries := 0; !g.claim(k, m); tries++ {
		if tries == 1000 {
			panic("gen: cannot find a free " + k.name + " key")
		}
		rekey()
	}
}

// --- strings

// stringPieces are what generated strings are made of.
var stringPieces = []string{
	// ASCII, including characters that HTML-minded JSON encoders escape.
	"a", "Z", "0", "worker", "pool-1", "ns.example.com", "10.0.0.7", "under_score",
	" ", "/", "<", ">", "&", "'", "+", "=", "%", "~", "{}", "[]", ":", ",",
	// Multi-byte UTF-8 of 2, 3 and 4 bytes, and the edges of those ranges.
	"é", "ß", "Ω", "日本", "語", "€", "😀", "👍🏽", "🇯🇵",
	"\u0080", "\u00a0", "\u00ff", "\u07ff", "\u0800", "\ud7ff", "\ue000",
	"\ufeff", "\ufffd", "\uffff", "\U00010000", "\U0010ffff",
	// Characters JSON must or may escape.
	"\"", "\\", "\n", "\t", "\r", "\b", "\f", "\u007f", "\u2028", "\u2029",
	// Text that looks like an escape once written out.
	`\n`, `\u0041`, `\"`, `\\`, `\u0000`,
}

// allEscapes holds every control character U+0001..U+001F and the other
// characters JSON encoders treat specially.
var allEscapes = func() string {
	var b strings.Builder
	for c := rune(1); c < 0x20; c++ {
		b.WriteRune(c)
	}
	b.WriteString("\u007f\u2028\u2029\"\\/")
	return b.String()
}()

// piece is one random piece of a string: now and then a control character.
func (g *generator) piece() string {
	if g.rng.Intn(8) == 0 {
		return string(rune(1 + g.rng.Intn(0x1f)))
	}
	return stringPieces[g.rng.Intn(len(stringPieces))]
}

// short is a non-empty string of a few pieces.
func (g *generator) short() string {
	var b strings.Builder
	for i := 1 + g.rng.Intn(4); i > 0; i-- {
		b.WriteString(g.piece())
	}
	return b.String()
}

// long is a string of exactly maxStringBytes bytes, pieces padded with 'x'.
func (g *generator) long() string {
	var b strings.Builder
	for {
		p := g.piece()
		if b.Len()+len(p) > maxStringBytes {
			break
		}
		b.WriteString(p)
	}
	b.WriteString(strings.Repeat("x", maxStringBytes-b.Len()))
	return b.String()
}

// text is any string: sometimes empty, sometimes long.
func (g *generator) text() string {
	switch r := g.rng.Intn(40); {
	case r == 0:
		return g.long()
	case r < 7:
		return ""
	}
	return g.short()
}

// keyText is a non-empty string for a key field.
func (g *generator) keyText() string {
	if g.rng.Intn(40) == 0 {
		return g.long()
	}
	return g.short()
}

// oneOf picks a random element.
func (g *generator) oneOf(xs []string) string {
	return xs[g.rng.Intn(len(xs))]
}

// --- numbers

var versionCases = []int64{
	1, math.MaxInt64, 2, math.MaxInt64 - 1,
	1<<53 - 1, 1 << 53, 1<<53 + 1, 1<<53 + 3,
	1<<31 - 1, 1 << 32, 1 << 62,
}

func (g *generator) version() int64 {
	switch g.rng.Intn(4) {
	case 0:
		return versionCases[g.rng.Intn(len(versionCases))]
	case 1:
		return 1 + g.rng.Int63n(1000)
	case 2: // above 2^53, where a double loses precision
		return 1<<53 + 1 + g.rng.Int63n(math.MaxInt64-1<<53)
	}
	return 1 + g.rng.Int63n(math.MaxInt64)
}

// statusCases are Actor.Status values, named and not.
var statusCases = []int32{0, 1, 2, 3, 4, 5, 6, 7, 99, -1, math.MaxInt32, math.MinInt32}

// snapshotTypeCases are SnapshotType values, named and not.
var snapshotTypeCases = []int32{0, 1, 2, 3, 99, -1, math.MaxInt32, math.MinInt32}

func (g *generator) status() int32 {
	if g.rng.Intn(4) == 0 {
		return statusCases[g.rng.Intn(len(statusCases))]
	}
	return int32(g.rng.Intn(7))
}

func (g *generator) snapshotType() int32 {
	if g.rng.Intn(4) == 0 {
		return snapshotTypeCases[g.rng.Intn(len(snapshotTypeCases))]
	}
	return int32(g.rng.Intn(3))
}

// --- field access on dynamic messages by proto field name

func field(m protoreflect.Message, name string) protoreflect.FieldDescriptor {
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(name))
	if fd == nil {
		panic(fmt.Sprintf("%s has no field %s", m.Descriptor().FullName(), name))
	}
	return fd
}

// setString sets a string field; "" clears it (proto3 has no set-but-empty
// scalar).
func setString(m protoreflect.Message, name, v string) {
	if v == "" {
		m.Clear(field(m, name))
		return
	}
	m.Set(field(m, name), protoreflect.ValueOfString(v))
}

func getString(m proto.Message, name string) string {
	r := m.ProtoReflect()
	return r.Get(field(r, name)).String()
}

func setInt64(m protoreflect.Message, name string, v int64) {
	m.Set(field(m, name), protoreflect.ValueOfInt64(v))
}

func setEnum(m protoreflect.Message, name string, v int32) {
	m.Set(field(m, name), protoreflect.ValueOfEnum(protoreflect.EnumNumber(v)))
}

// mutable returns a message field, setting it (empty) if it was unset.
func mutable(m protoreflect.Message, name string) protoreflect.Message {
	return m.Mutable(field(m, name)).Message()
}

func appendString(m protoreflect.Message, name, v string) {
	m.Mutable(field(m, name)).List().Append(protoreflect.ValueOfString(v))
}

func putEntry(m protoreflect.Message, name, k, v string) {
	m.Mutable(field(m, name)).Map().Set(protoreflect.ValueOfString(k).MapKey(), protoreflect.ValueOfString(v))
}

// setStrings sets each named string field to what f makes.
func setStrings(m protoreflect.Message, f func() string, names ...string) {
	for _, name := range names {
		setString(m, name, f())
	}
}

// --- atespaces

func (g *generator) atespace(name string) *dynamicpb.Message {
	m := dynamicpb.NewMessage(g.descs["atespace"])
	setString(m, "name", name)
	return m
}

// atespaceNames are fixed first atespaces: long, escape-laden, prefixes of
// one another.
var atespaceNames = func() []string {
	long := strings.Repeat("日本", maxStringBytes/6) + strings.Repeat("x", maxStringBytes%6)
	return []string{"default", long, allEscapes, "a", "ab", "a b", "😀", "\u2028"}
}()

func (g *generator) atespaces(n int) []*dynamicpb.Message {
	var out []*dynamicpb.Message
	for i := 0; i < n; i++ {
		name := g.keyText()
		if i < len(atespaceNames) {
			name = atespaceNames[i]
		}
		m := g.atespace(name)
		g.unique(kinds[0], m, func() { setString(m, "name", g.keyText()) })
		out = append(out, m)
	}
	return out
}

// --- actors

// actorStrings are Actor's non-key string fields.
var actorStrings = []string{
	"actor_template_namespace", "actor_template_name", "ateom_pod_namespace",
	"ateom_pod_name", "ateom_pod_ip", "in_progress_snapshot", "ateom_pod_uid",
	"worker_pool_name",
}

// snapshotShape is one form of Actor.latest_snapshot_info; typ is the
// SnapshotType it uses if it sets one.
type snapshotShape func(g *generator, actor protoreflect.Message, typ int32)

// Indexes of snapshotShapes that fixed cases use by name.
const (
	shapeTypeOnly  = 2
	shapeManyNodes = 9
)

var snapshotShapes = []snapshotShape{
	func(g *generator, a protoreflect.Message, typ int32) {}, // unset
	func(g *generator, a protoreflect.Message, typ int32) { // set, empty
		mutable(a, "latest_snapshot_info")
	},
	func(g *generator, a protoreflect.Message, typ int32) { // type only, no oneof case
		setEnum(mutable(a, "latest_snapshot_info"), "type", typ)
	},
	func(g *generator, a protoreflect.Message, typ int32) { // external, no type
		setString(mutable(mutable(a, "latest_snapshot_info"), "external"), "snapshot_uri_prefix", g.keyText())
	},
	func(g *generator, a protoreflect.Message, typ int32) { // type and external
		si := mutable(a, "latest_snapshot_info")
		setEnum(si, "type", typ)
		setString(mutable(si, "external"), "snapshot_uri_prefix", g.text())
	},
	func(g *generator, a protoreflect.Message, typ int32) { // type and external set but empty
		si := mutable(a, "latest_snapshot_info")
		setEnum(si, "type", typ)
		mutable(si, "external")
	},
	func(g *generator, a protoreflect.Message, typ int32) { // local set but empty, no type
		mutable(mutable(a, "latest_snapshot_info"), "local")
	},
	func(g *generator, a protoreflect.Message, typ int32) { // type and local with 0 nodes
		si := mutable(a, "latest_snapshot_info")
		setEnum(si, "type", typ)
		setString(mutable(si, "local"), "snapshot_prefix", g.keyText())
	},
	func(g *generator, a protoreflect.Message, typ int32) { // type and local with 1 node
		si := mutable(a, "latest_snapshot_info")
		setEnum(si, "type", typ)
		local := mutable(si, "local")
		setString(local, "snapshot_prefix", g.text())
		appendString(local, "node_vms_with_local_snapshots", g.keyText())
	},
	func(g *generator, a protoreflect.Message, typ int32) { // type and local with many nodes
		si := mutable(a, "latest_snapshot_info")
		setEnum(si, "type", typ)
		local := mutable(si, "local")
		setString(local, "snapshot_prefix", g.text())
		g.nodes(local, 2+g.rng.Intn(8))
		first := local.Get(field(local, "node_vms_with_local_snapshots")).List().Get(0)
		appendString(local, "node_vms_with_local_snapshots", first.String()) // a repeat
	},
	func(g *generator, a protoreflect.Message, typ int32) { // local with nodes only, "" among them
		local := mutable(mutable(a, "latest_snapshot_info"), "local")
		appendString(local, "node_vms_with_local_snapshots", "")
		g.nodes(local, 1+g.rng.Intn(3))
	},
}

// nodes appends n node names to a LocalSnapshotInfo: some empty, some
// repeating an earlier one.
func (g *generator) nodes(local protoreflect.Message, n int) {
	var seen []string
	for i := 0; i < n; i++ {
		name := g.text()
		if len(seen) > 0 && g.rng.Intn(3) == 0 {
			name = g.oneOf(seen)
		}
		seen = append(seen, name)
		appendString(local, "node_vms_with_local_snapshots", name)
	}
}

// selectorShape is one form of Actor.worker_selector.
type selectorShape func(g *generator, actor protoreflect.Message)

var selectorShapes = []selectorShape{
	func(g *generator, a protoreflect.Message) {}, // unset
	func(g *generator, a protoreflect.Message) { // set, no labels
		mutable(a, "worker_selector")
	},
	func(g *generator, a protoreflect.Message) { // one label
		putEntry(mutable(a, "worker_selector"), "match_labels", g.keyText(), g.keyText())
	},
	func(g *generator, a protoreflect.Message) { // the empty key, and an empty value
		sel := mutable(a, "worker_selector")
		putEntry(sel, "match_labels", "", g.keyText())
		putEntry(sel, "match_labels", g.keyText(), "")
	},
	func(g *generator, a protoreflect.Message) { // five labels
		g.labels(mutable(a, "worker_selector"), 5)
	},
	func(g *generator, a protoreflect.Message) { // 1..5 labels
		g.labels(mutable(a, "worker_selector"), 1+g.rng.Intn(5))
	},
}

// labels puts n distinct labels (keys of the string mix, "" possible).
func (g *generator) labels(sel protoreflect.Message, n int) {
	m := sel.Mutable(field(sel, "match_labels")).Map()
	for tries := 0; m.Len() < n && tries < 100; tries++ {
		m.Set(protoreflect.ValueOfString(g.text()).MapKey(), protoreflect.ValueOfString(g.text()))
	}
}

// actorCase adjusts a random actor into one of the fixed cases.
type actorCase func(g *generator, a protoreflect.Message)

// actorCases lists the fixed cases: a minimal and a maximal actor, one of
// control characters, then walks through versions, statuses, snapshot and
// selector shapes side by side, then each snapshot type with the type-only
// shape.
func actorCases() []actorCase {
	cases := []actorCase{
		func(g *generator, a protoreflect.Message) { // minimal: key and version 1
			clearAllBut(a, "atespace", "actor_id")
			setInt64(a, "version", 1)
		},
		func(g *generator, a protoreflect.Message) { // maximal: every string at the limit
			setStrings(a, g.long, actorStrings...)
			setString(a, "atespace", atespaceNames[1]) // the 500-byte one
			setString(a, "actor_id", g.long())
			setEnum(a, "status", 6)
			a.Clear(field(a, "latest_snapshot_info"))
			snapshotShapes[shapeManyNodes](g, a, 1)
			local := mutable(mutable(a, "latest_snapshot_info"), "local")
			setString(local, "snapshot_prefix", g.long())
			appendString(local, "node_vms_with_local_snapshots", g.long())
			a.Clear(field(a, "worker_selector"))
			putEntry(mutable(a, "worker_selector"), "match_labels", g.long(), g.long())
		},
		func(g *generator, a protoreflect.Message) { // every escaped character
			setStrings(a, func() string { return allEscapes }, actorStrings...)
			setString(a, "actor_id", allEscapes)
		},
	}
	walk := maxLen(len(versionCases), len(statusCases), len(snapshotShapes), len(selectorShapes))
	for i := 0; i < walk; i++ {
		i := i
		cases = append(cases, func(g *generator, a protoreflect.Message) {
			setInt64(a, "version", versionCases[i%len(versionCases)])
			setEnum(a, "status", statusCases[i%len(statusCases)])
			a.Clear(field(a, "latest_snapshot_info"))
			snapshotShapes[i%len(snapshotShapes)](g, a, snapshotTypeCases[i%len(snapshotTypeCases)])
			a.Clear(field(a, "worker_selector"))
			selectorShapes[i%len(selectorShapes)](g, a)
		})
	}
	for _, typ := range snapshotTypeCases {
		typ := typ
		cases = append(cases, func(g *generator, a protoreflect.Message) {
			a.Clear(field(a, "latest_snapshot_info"))
			snapshotShapes[shapeTypeOnly](g, a, typ)
		})
	}
	return cases
}

func maxLen(ns ...int) int {
	m := 0
	for _, n := range ns {
		if n > m {
			m = n
		}
	}
	return m
}

// clearAllBut clears every field of m except the named ones.
func clearAllBut(m protoreflect.Message, keep ...string) {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		kept := false
		for _, name := range keep {
			kept = kept || string(fd.Name()) == name
		}
		if !kept {
			m.Clear(fd)
		}
	}
}

// actors makes n actors; atespaces come mostly from names, now and then a
// new one; actor ids now and then repeat one from another atespace.
func (g *generator) actors(n int, names []string) []*dynamicpb.Message {
	cases := actorCases()
	var out []*dynamicpb.Message
	var ids []string
	for i := 0; i < n; i++ {
		a := g.randomActor(names, ids)
		if i < len(cases) {
			cases[i](g, a)
		}
		g.unique(kinds[1], a, func() {
			setString(a, "atespace", g.oneOf(names))
			setString(a, "actor_id", g.keyText())
		})
		ids = append(ids, getString(a, "actor_id"))
		out = append(out, a)
	}
	return out
}

func (g *generator) randomActor(names, ids []string) *dynamicpb.Message {
	a := dynamicpb.NewMessage(g.descs["actor"])
	atespace := g.oneOf(names)
	if g.rng.Intn(8) == 0 {
		atespace = g.keyText()
	}
	setString(a, "atespace", atespace)
	id := g.keyText()
	if len(ids) > 0 && g.rng.Intn(5) == 0 {
		id = g.oneOf(ids)
	}
	setString(a, "actor_id", id)
	setInt64(a, "version", g.version())
	setEnum(a, "status", g.status())
	setStrings(a, g.text, actorStrings...)
	snapshotShapes[g.rng.Intn(len(snapshotShapes))](g, a, g.snapshotType())
	selectorShapes[g.rng.Intn(len(selectorShapes))](g, a)
	return a
}

// --- workers

// workerActorStrings are the fields that say which actor a worker runs.
var workerActorStrings = []string{"actor_namespace", "actor_template", "actor_id", "actor_atespace"}

// workerOtherStrings are Worker's remaining non-key string fields.
var workerOtherStrings = []string{"ip", "worker_pod_uid", "node_name"}

// workerCase adjusts a random worker into one of the fixed cases.
type workerCase func(g *generator, w protoreflect.Message)

// pinKey gives a worker a fixed key.
func pinKey(ns, pool, pod string) workerCase {
	return func(g *generator, w protoreflect.Message) {
		setString(w, "worker_namespace", ns)
		setString(w, "worker_pool", pool)
		setString(w, "worker_pod", pod)
	}
}

// workerCases: minimal free, fully assigned, at the length limit, control
// characters, keys whose parts run into one another, then the versions
// with free and assigned workers by turns.
func workerCases() []workerCase {
	cases := []workerCase{
		func(g *generator, w protoreflect.Message) { // minimal free worker
			clearAllBut(w, "worker_namespace", "worker_pool", "worker_pod")
			setInt64(w, "version", 1)
		},
		func(g *generator, w protoreflect.Message) { // assigned, every field set
			setStrings(w, g.keyText, workerActorStrings...)
			setStrings(w, g.keyText, workerOtherStrings...)
		},
		func(g *generator, w protoreflect.Message) { // every string at the limit
			setStrings(w, g.long, "worker_namespace", "worker_pool", "worker_pod")
			setStrings(w, g.long, workerActorStrings...)
			setStrings(w, g.long, workerOtherStrings...)
		},
		func(g *generator, w protoreflect.Message) { // every escaped character
			esc := func() string { return allEscapes }
			setStrings(w, esc, "worker_namespace", "worker_pool", "worker_pod")
			setStrings(w, esc, workerActorStrings...)
			setStrings(w, esc, workerOtherStrings...)
		},
		pinKey("a", "bc", "d"),
		pinKey("ab", "c", "d"),
		pinKey("a", "b", "cd"),
		pinKey("a\x01", "b", "c"),
	}
	for i, v := range versionCases {
		v, free := v, i%2 == 0
		cases = append(cases, func(g *generator, w protoreflect.Message) {
			setInt64(w, "version", v)
			if free {
				setStrings(w, func() string { return "" }, workerActorStrings...)
			} else {
				setString(w, "actor_id", g.keyText())
			}
		})
	}
	return cases
}

// workers makes n workers: namespaces and pools from small pools so that
// keys share parts, a third of the workers free.
func (g *generator) workers(n int) []*dynamicpb.Message {
	namespaces := []string{g.keyText(), g.keyText(), g.keyText(), "default"}
	pools := []string{g.keyText(), g.keyText(), g.keyText(), g.keyText(), "pool"}
	cases := workerCases()
	var out []*dynamicpb.Message
	for i := 0; i < n; i++ {
		w := g.randomWorker(namespaces, pools)
		if i < len(cases) {
			cases[i](g, w)
		}
		g.unique(kinds[2], w, func() { setString(w, "worker_pod", g.keyText()) })
		out = append(out, w)
	}
	return out
}

func (g *generator) randomWorker(namespaces, pools []string) *dynamicpb.Message {
	w := dynamicpb.NewMessage(g.descs["worker"])
	setString(w, "worker_namespace", g.oneOf(namespaces))
	setString(w, "worker_pool", g.oneOf(pools))
	if g.rng.Intn(6) == 0 {
		setString(w, "worker_pool", g.keyText())
	}
	setString(w, "worker_pod", g.keyText())
	setInt64(w, "version", g.version())
	setStrings(w, g.text, workerOtherStrings...)
	if g.rng.Intn(3) != 0 { // assigned
		setStrings(w, g.text, workerActorStrings...)
		setString(w, "actor_id", g.keyText())
	}
	return w
}
