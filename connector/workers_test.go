package connector

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
	"github.com/sluice-cdc/sluice/smt"
)

// capturingProducer keeps a copy of each record (values are recycled
// once acknowledged) and acknowledges it at once.
type capturingProducer struct {
	mu  sync.Mutex
	got []string
}

func (c *capturingProducer) Produce(_ context.Context, r *kgo.Record, done func(*kgo.Record, error)) {
	var hs string
	for _, h := range r.Headers {
		hs += h.Key + "=" + string(h.Value) + ";"
	}
	c.mu.Lock()
	c.got = append(c.got, fmt.Sprintf("%s|%s|%s|%s", r.Topic, r.Key, stripTimes(r.Value), hs))
	c.mu.Unlock()
	done(r, nil)
}

func (c *capturingProducer) Flush(context.Context) error { return nil }

var processingTimes = regexp.MustCompile(`"ts_(ms|us|ns)":[0-9]+`)

// stripTimes drops the envelope's processing times, which differ between
// two runs of the same events.
func stripTimes(v []byte) string { return processingTimes.ReplaceAllString(string(v), "") }

// tableVersion is rowTable under another topic and, for version > 0, a
// schema of its own with a second column (a table altered).
func tableVersion(topic string, version int) *change.Table {
	t := *rowTable
	t.Topic = topic
	if version == 0 {
		return &t
	}
	col := &change.Schema{Type: change.Int64}
	extra := &change.Schema{Type: change.String, Optional: true}
	name := fmt.Sprintf("%s.v%d", topic, version)
	t.RowSchema = &change.Schema{Type: change.Struct, Name: name + ".Value", Optional: true,
		Fields: []change.Field{{Name: "id", Schema: col}, {Name: fmt.Sprintf("c%d", version), Schema: extra}}}
	t.Columns = []change.Column{{Name: "id", Schema: col}, {Name: fmt.Sprintf("c%d", version), Schema: extra}}
	t.Envelope = change.EnvelopeSchema(name, t.RowSchema, t.SourceSpec)
	return &t
}

// workload is a stream of transactions over tables: inserts, deletes (a
// record and a tombstone) and updates that change the key (three records),
// each transaction ended by a commit whose position counts them.
func workload(tables []*change.Table, events int, seed uint64) []change.Event {
	rng := rand.New(rand.NewPCG(seed, 1))
	var out []change.Event
	txns := 0
	for len(out) < events {
		for range 1 + rng.IntN(20) {
			t := tables[rng.IntN(len(tables))]
			id := rng.Int64N(1000)
			row := func(id int64) []any {
				r := []any{id}
				if len(t.Columns) > 1 {
					r = append(r, fmt.Sprintf("x%d", id))
				}
				return r
			}
			ev := change.Event{Op: change.OpCreate, Table: t, After: row(id),
				Source: &change.Value{Schema: t.SourceSpec, Values: []any{fmt.Sprint(len(out))}}}
			switch rng.IntN(4) {
			case 0:
				ev.Op, ev.Before, ev.After = change.OpDelete, row(id), nil
			case 1:
				ev.Op, ev.Before, ev.After = change.OpUpdate, row(id), row(id+1000)
			}
			out = append(out, ev)
		}
		txns++
		out = append(out, change.Event{Kind: change.KindCommit, Position: seqPos{n: txns}})
	}
	return out
}

// runPoller runs a poller over events to the end and returns the records
// produced and the offset stored.
func runPoller(t *testing.T, cfg PollerConfig, events []change.Event) ([]string, string) {
	t.Helper()
	q := NewQueue(len(events)+1, 1<<40)
	in := q.Reader(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := in.Enqueue(ctx, events...); err != nil {
		t.Fatal(err)
	}
	prod, store := &capturingProducer{}, &memStore{}
	cfg.Queue, cfg.Producer, cfg.Topics, cfg.Store, cfg.OffsetKey = q, prod, noTopics{}, store, []byte("k")
	cfg.PollInterval = 5 * time.Millisecond
	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = 1024 // the default: several rounds a batch
	}
	done := make(chan struct{})
	close(done)
	if err := NewPoller(cfg).Run(ctx, done); err != nil {
		t.Fatal(err)
	}
	return prod.got, store.get()
}

func jsonConverter(t *testing.T, schemas bool) *jsonconv.Converter {
	t.Helper()
	c, err := jsonconv.New(jsonconv.Config{SchemasEnable: schemas})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func routeChain(t *testing.T) smt.Chain {
	t.Helper()
	chain, err := smt.Parse(map[string]string{"transforms": "route",
		"transforms.route.type":        "org.apache.kafka.connect.transforms.RegexRouter",
		"transforms.route.regex":       "(.*)",
		"transforms.route.replacement": "routed.$1"})
	if err != nil {
		t.Fatal(err)
	}
	return chain
}

// With conversion workers, the records reach the producer exactly as the
// poller alone produces them (order, keys, values, headers) and the same
// position is stored.
func TestWorkersProduceWhatThePollerAloneDoes(t *testing.T) {
	tables := []*change.Table{tableVersion("a", 0), tableVersion("b", 0), tableVersion("c", 2)}
	events := workload(tables, 5000, 7)
	// A long run of transactions without rows (other databases' writes,
	// filtered out), longer than rounds: rounds of commits alone.
	mid := slices.IndexFunc(events[2500:], func(e change.Event) bool { return e.Kind == change.KindCommit }) + 2500
	empty := slices.Repeat([]change.Event{events[mid]}, 300)
	events = slices.Concat(events[:mid+1], empty, events[mid+1:])
	headers := []change.Header{{Key: "h", Schema: &change.Schema{Type: change.String}, Value: "v"}}
	base := func() PollerConfig {
		return PollerConfig{Transforms: routeChain(t), KeyConverter: jsonConverter(t, true),
			ValueConverter: jsonConverter(t, true), Tombstones: true, Headers: headers}
	}
	want, wantOffset := runPoller(t, base(), events)
	if len(want) < 5000 || wantOffset == "" {
		t.Fatalf("the poller alone produced %d records and stored %q", len(want), wantOffset)
	}
	for _, threads := range []int{2, 4} {
		cfg := base()
		for range threads - 1 {
			cfg.Workers = append(cfg.Workers, ConversionWorker{Transforms: routeChain(t),
				KeyConverter: jsonConverter(t, true), ValueConverter: jsonConverter(t, true)})
		}
		got, offset := runPoller(t, cfg, events)
		if offset != wantOffset {
			t.Errorf("%d threads: stored %s, want %s", threads, offset, wantOffset)
		}
		if len(got) != len(want) {
			t.Fatalf("%d threads: %d records, want %d", threads, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%d threads: record %d is\n%s\nwant\n%s", threads, i, got[i], want[i])
			}
		}
	}
}

// registeringConverter stands for a registry-backed converter: a schema
// is registered on its first conversion without CachedOnly, and a
// conversion under CachedOnly of one not registered yet is refused.
type registeringConverter struct {
	*jsonconv.Converter
	mu         sync.Mutex
	registered []string
	cachedUses atomic.Int64
}

func (c *registeringConverter) AppendConvert(ctx context.Context, dst []byte, topic string, s *change.Schema, v any) ([]byte, error) {
	if s != nil {
		c.mu.Lock()
		known := slices.Contains(c.registered, s.Name)
		switch {
		case !known && converters.IsCachedOnly(ctx):
			c.mu.Unlock()
			return nil, converters.ErrNotCached
		case !known:
			c.registered = append(c.registered, s.Name)
		}
		c.mu.Unlock()
		if converters.IsCachedOnly(ctx) {
			c.cachedUses.Add(1)
		}
	}
	return c.Converter.AppendConvert(ctx, dst, topic, s, v)
}

// A schema the workers meet first is registered by the poller, in the
// events' order, whatever worker got there first; the rest is theirs.
func TestWorkersLeaveNewSchemasToThePoller(t *testing.T) {
	v0, v1, v2 := tableVersion("a", 0), tableVersion("a", 1), tableVersion("a", 2)
	var events []change.Event
	for _, part := range [][]*change.Table{{v0}, {v1, v0}, {v2, v1}} {
		events = append(events, workload(part, 2000, uint64(len(events)))...)
	}
	want, wantOffset := runPoller(t, PollerConfig{KeyConverter: jsonConverter(t, true),
		ValueConverter: jsonConverter(t, true), Tombstones: true}, events)

	key, value := &registeringConverter{Converter: jsonConverter(t, true)}, &registeringConverter{Converter: jsonConverter(t, true)}
	cfg := PollerConfig{KeyConverter: key, ValueConverter: value, Tombstones: true, MaxBatch: 1024}
	for range 3 {
		cfg.Workers = append(cfg.Workers, ConversionWorker{KeyConverter: key, ValueConverter: value})
	}
	got, offset := runPoller(t, cfg, events)
	if offset != wantOffset || !slices.Equal(got, want) {
		t.Fatalf("with workers: %d records (stored %s), want the poller's %d (stored %s)", len(got), offset, len(want), wantOffset)
	}
	wantOrder := []string{v0.Envelope.Name, v1.Envelope.Name, v2.Envelope.Name}
	if !slices.Equal(value.registered, wantOrder) {
		t.Errorf("value schemas registered in the order %v, want %v", value.registered, wantOrder)
	}
	if n := value.cachedUses.Load(); n < int64(len(want))/2 {
		t.Errorf("the workers converted %d values of %d: the poller did nearly all of it", n, len(want))
	}
}

// failingTransform fails on rows whose id is a multiple of 7.
type failingTransform struct{}

func (failingTransform) Apply(r *change.Record) (*change.Record, error) {
	if v, ok := r.Value.(*change.Value); ok && v != nil {
		for _, img := range []int{change.EnvBefore, change.EnvAfter} {
			if row, ok := v.Values[img].(*change.Value); ok && row != nil && row.Values[0].(int64)%7 == 0 {
				return nil, fmt.Errorf("id %d", row.Values[0])
			}
		}
	}
	return r, nil
}

// A record a worker's transform fails on is the poller's to handle, as
// errors.* say: here skipped and written to the dead letter queue, in
// order, and the rest as without workers.
func TestWorkersLeaveFailuresToThePoller(t *testing.T) {
	events := workload([]*change.Table{tableVersion("a", 0)}, 3000, 11)
	base := func() PollerConfig {
		return PollerConfig{Transforms: smt.Chain{failingTransform{}}, KeyConverter: jsonConverter(t, false),
			ValueConverter: jsonConverter(t, false), Tombstones: true,
			Errors: ErrorHandling{TolerateAll: true, Connector: "c", DLQTopic: "dlq"}}
	}
	want, wantOffset := runPoller(t, base(), events)
	cfg := base()
	cfg.Workers = []ConversionWorker{{Transforms: smt.Chain{failingTransform{}}, KeyConverter: jsonConverter(t, false),
		ValueConverter: jsonConverter(t, false)}}
	got, offset := runPoller(t, cfg, events)
	if offset != wantOffset || !slices.Equal(got, want) {
		t.Fatalf("with a worker: %d records (stored %s), want %d (stored %s)", len(got), offset, len(want), wantOffset)
	}
	all := base()
	all.Transforms, all.Errors = nil, ErrorHandling{}
	every, _ := runPoller(t, all, events)
	dlq := 0
	for _, r := range want {
		if strings.HasPrefix(r, "dlq|") {
			dlq++
		}
	}
	if dlq == 0 || len(want)-dlq >= len(every) {
		t.Fatalf("%d records, %d of them in the dead letter queue, of %d: the failing transform skipped none", len(want), dlq, len(every))
	}
}
