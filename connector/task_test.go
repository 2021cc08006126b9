package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/notify"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// seqPos is a test position: how many transactions a reader has ended,
// "snap" while it records an unfinished snapshot.
type seqPos struct {
	n    int
	snap bool
}

func (p seqPos) OffsetValue() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"n":%d,"snap":%t}`, p.n, p.snap)), nil
}
func (p seqPos) SnapshotInProgress() bool { return p.snap }

// fakeSource records what the coordinator asked of it and plays a script.
type fakeSource struct {
	mu       sync.Mutex
	calls    []string
	streamFn func(ctx context.Context, from change.Position, out change.Enqueuer) error
	snapFn   func(ctx context.Context, from change.Position, out change.Enqueuer) (change.Position, error)
}

func (f *fakeSource) log(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

func (f *fakeSource) called() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, " ")
}

func (f *fakeSource) ParseOffset(b []byte) (change.Position, error) {
	if b == nil {
		return nil, nil
	}
	var n int
	var snap bool
	if _, err := fmt.Sscanf(string(b), `{"n":%d,"snap":%t}`, &n, &snap); err != nil {
		return nil, err
	}
	return seqPos{n, snap}, nil
}

func (f *fakeSource) Start(_ context.Context, from change.Position) error {
	f.log(fmt.Sprintf("start(%v)", from))
	return nil
}

func (f *fakeSource) Snapshot(ctx context.Context, from change.Position, data bool, out change.Enqueuer) (change.Position, error) {
	f.log(fmt.Sprintf("snapshot(%v,%t)", from, data))
	if f.snapFn != nil {
		return f.snapFn(ctx, from, out)
	}
	return seqPos{n: 100}, nil
}

func (f *fakeSource) Stream(ctx context.Context, from change.Position, out change.Enqueuer) error {
	f.log(fmt.Sprintf("stream(%v)", from))
	if f.streamFn != nil {
		return f.streamFn(ctx, from, out)
	}
	<-ctx.Done()
	return nil
}

func (f *fakeSource) Validate(context.Context) ([]config.Problem, error) { return nil, nil }
func (f *fakeSource) Close() error                                       { return nil }

// memStore is an offsets.Store in memory.
type memStore struct {
	mu     sync.Mutex
	values map[string][]byte
	block  chan struct{} // when set, Commit waits for it or ctx
}

func (m *memStore) Load(_ context.Context, key []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.values[string(key)], nil
}

func (m *memStore) Commit(ctx context.Context, key, value []byte) error {
	if m.block != nil {
		select {
		case <-m.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.values == nil {
		m.values = map[string][]byte{}
	}
	m.values[string(key)] = append([]byte(nil), value...)
	return nil
}

func (m *memStore) Close() {}

func (m *memStore) get() string {
	v, _ := m.Load(context.Background(), []byte("k"))
	return string(v)
}

// fakeProducer acknowledges records when released (all at once by default).
type fakeProducer struct {
	mu      sync.Mutex
	topics  []string
	values  [][]byte
	hold    bool
	pending []func()
	err     error
}

func (p *fakeProducer) Produce(_ context.Context, r *kgo.Record, done func(*kgo.Record, error)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.topics = append(p.topics, r.Topic)
	p.values = append(p.values, r.Value)
	err := p.err
	if p.hold {
		p.pending = append(p.pending, func() { done(r, err) })
		return
	}
	done(r, err)
}

func (p *fakeProducer) release() {
	p.mu.Lock()
	fs := p.pending
	p.pending, p.hold = nil, false
	p.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

func (p *fakeProducer) Flush(ctx context.Context) error {
	for {
		p.mu.Lock()
		n := len(p.pending)
		p.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (p *fakeProducer) produced() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.topics)
}

type noTopics struct{}

func (noTopics) Ensure(context.Context, string) error { return nil }

// rowTable is a one-column keyed table for fake rows.
var rowTable = func() *change.Table {
	col := &change.Schema{Type: change.Int64}
	row := &change.Schema{Type: change.Struct, Name: "t.Value", Optional: true, Fields: []change.Field{{Name: "id", Schema: col}}}
	key := &change.Schema{Type: change.Struct, Name: "t.Key", Fields: []change.Field{{Name: "id", Schema: col}}}
	src := &change.Schema{Type: change.Struct, Name: "src", Fields: []change.Field{{Name: "x", Schema: &change.Schema{Type: change.String, Optional: true}}}}
	return &change.Table{Topic: "t", Database: "d", Name: "t", Columns: []change.Column{{Name: "id", Schema: col}},
		Key: []int{0}, KeySchema: key, RowSchema: row, Envelope: change.EnvelopeSchema("t.Envelope", row, src), SourceSpec: src}
}()

func rowEvent(id int64) change.Event {
	return change.Event{Op: change.OpCreate, Table: rowTable, After: []any{id},
		Source: &change.Value{Schema: rowTable.SourceSpec, Values: []any{nil}}}
}

func newTestTask(t *testing.T, src Source, mode string, store *memStore, prod *fakeProducer) *Task {
	t.Helper()
	conv, err := jsonconv.New(jsonconv.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &Task{Name: "c", Source: src, Mode: mode, QueueEvents: 64,
		Poller: PollerConfig{KeyConverter: conv, ValueConverter: conv, Producer: prod, Topics: noTopics{},
			Store: store, OffsetKey: []byte("k"), MaxBatch: 16, PollInterval: 5 * time.Millisecond, FlushInterval: 0},
		Store: store, OffsetKey: []byte("k"), ShutdownTimeout: 2 * time.Second, Logger: zap.NewNop()}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The snapshot.mode policy: which source calls each mode and stored
// offset lead to.
func TestCoordinatorModes(t *testing.T) {
	for _, tc := range []struct {
		mode, stored, want string
	}{
		{config.SnapshotInitial, "", "start(<nil>) snapshot(<nil>,true) stream({100 false})"},
		{config.SnapshotInitialOnly, "", "start(<nil>) snapshot(<nil>,true)"},
		{config.SnapshotNever, "", "start(<nil>) stream(<nil>)"},
		{config.SnapshotNoData, "", "start(<nil>) snapshot(<nil>,false) stream({100 false})"},
		{config.SnapshotInitial, `{"n":7,"snap":false}`, "start({7 false}) stream({7 false})"},
		{config.SnapshotInitial, `{"n":7,"snap":true}`, "start({7 true}) snapshot({7 true},true) stream({100 false})"},
		// Debezium 3.5's initial_only never streams, even restarted after its snapshot.
		{config.SnapshotInitialOnly, `{"n":7,"snap":false}`, "start({7 false})"},
		{config.SnapshotInitialOnly, `{"n":7,"snap":true}`, "start({7 true}) snapshot({7 true},true)"},
		// always: a new snapshot at every start, then streaming from it; an
		// unfinished one is resumed.
		{config.SnapshotAlways, "", "start(<nil>) snapshot(<nil>,true) stream({100 false})"},
		{config.SnapshotAlways, `{"n":7,"snap":false}`, "start({7 false}) snapshot(<nil>,true) stream({100 false})"},
		{config.SnapshotAlways, `{"n":7,"snap":true}`, "start({7 true}) snapshot({7 true},true) stream({100 false})"},
	} {
		t.Run(tc.mode+"/"+tc.stored, func(t *testing.T) {
			src := &fakeSource{}
			store := &memStore{}
			if tc.stored != "" {
				_ = store.Commit(context.Background(), []byte("k"), []byte(tc.stored))
			}
			runToStream(t, newTestTask(t, src, tc.mode, store, &fakeProducer{}), src)
			if got := src.called(); got != tc.want {
				t.Fatalf("calls %q, want %q", got, tc.want)
			}
		})
	}
}

// configuration_based's data and schema switches without start.stream run
// as always without streaming: a new snapshot at every start (an
// unfinished one resumed), then nothing more.
func TestCoordinatorSnapshotWithoutStream(t *testing.T) {
	for _, tc := range []struct{ stored, want string }{
		{"", "start(<nil>) snapshot(<nil>,true)"},
		{`{"n":7,"snap":false}`, "start({7 false}) snapshot(<nil>,true)"},
		{`{"n":7,"snap":true}`, "start({7 true}) snapshot({7 true},true)"},
	} {
		t.Run(tc.stored, func(t *testing.T) {
			src := &fakeSource{}
			store := &memStore{}
			if tc.stored != "" {
				_ = store.Commit(context.Background(), []byte("k"), []byte(tc.stored))
			}
			task := newTestTask(t, src, config.SnapshotAlways, store, &fakeProducer{})
			task.NoStream = true
			runToStream(t, task, src)
			if got := src.called(); got != tc.want {
				t.Fatalf("calls %q, want %q", got, tc.want)
			}
		})
	}
}

// runToStream runs task until its source streams, then stops it; with
// initial_only, which never streams, until it ends by itself.
func runToStream(t *testing.T, task *Task, src *fakeSource) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- task.Run(ctx) }()
	if task.Mode != config.SnapshotInitialOnly && !task.NoStream {
		waitFor(t, "stream", func() bool { return strings.Contains(src.called(), "stream(") })
		cancel()
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running (calls %q)", src.called())
	}
}

// notesSink is the sink notification channel to topic "notes" of a
// connector whose topic prefix is px.
func notesSink(t *testing.T) *notify.Sink {
	t.Helper()
	sink, err := notify.ParseConfig(map[string]string{"notification.enabled.channels": "sink",
		"notification.sink.topic.name": "notes"}, "px")
	if err != nil {
		t.Fatal(err)
	}
	return sink
}

// A start that takes no snapshot of the rows notifies what Debezium 3.5's
// snapshot source does at that start: SKIPPED, or STARTED and COMPLETED for
// recovery's structure. A start that snapshots leaves its notes to the
// source (the fake sends none).
func TestCoordinatorStartNotes(t *testing.T) {
	done7, running7 := `{"n":7,"snap":false}`, `{"n":7,"snap":true}`
	for _, tc := range []struct {
		mode, stored string
		copyInStream bool
		want         string
	}{
		{config.SnapshotInitial, "", false, ""},
		{config.SnapshotInitial, done7, false, "SKIPPED"},
		{config.SnapshotInitial, running7, false, ""},
		{config.SnapshotWhenNeeded, done7, false, "SKIPPED"},
		{config.SnapshotNoData, done7, false, "SKIPPED"},
		{config.SnapshotInitialOnly, done7, false, "SKIPPED"},
		{config.SnapshotNever, "", false, "SKIPPED"},
		{config.SnapshotNever, done7, false, "SKIPPED"},
		{config.SnapshotAlways, done7, false, ""},
		{config.SnapshotRecovery, "", false, "STARTED COMPLETED"},
		{config.SnapshotNoData, "", false, "STARTED COMPLETED"},
		{config.SnapshotRecovery, done7, false, "STARTED COMPLETED"},
		// Vitess: its copy is in the stream; Debezium's snapshot source skips.
		{config.SnapshotInitial, "", true, "SKIPPED"},
		{config.SnapshotInitial, done7, true, "SKIPPED"},
	} {
		t.Run(fmt.Sprintf("%s/%s/%t", tc.mode, tc.stored, tc.copyInStream), func(t *testing.T) {
			src := &fakeSource{}
			store := &memStore{}
			if tc.stored != "" {
				_ = store.Commit(context.Background(), []byte("k"), []byte(tc.stored))
			}
			prod := &fakeProducer{}
			task := newTestTask(t, src, tc.mode, store, prod)
			task.Notify = notesSink(t)
			task.CopyInStream = tc.copyInStream
			runToStream(t, task, src)
			var got []string
			prod.mu.Lock()
			for i, topic := range prod.topics {
				if topic != "notes" {
					continue
				}
				var v struct { // the test converter writes no schema: the value is the payload
					Type           string
					AggregateType  string            `json:"aggregate_type"`
					AdditionalData map[string]string `json:"additional_data"`
				}
				if err := json.Unmarshal(prod.values[i], &v); err != nil {
					t.Fatalf("notification %s: %v", prod.values[i], err)
				}
				if v.AggregateType != "Initial Snapshot" || v.AdditionalData["connector_name"] != "px" {
					t.Errorf("notification %s: want an Initial Snapshot one of connector px", prod.values[i])
				}
				got = append(got, v.Type)
			}
			prod.mu.Unlock()
			if strings.Join(got, " ") != tc.want {
				t.Fatalf("notifications %q, want %q (calls %s)", got, tc.want, src.called())
			}
		})
	}
}

// no_data stores the start position before streaming a single change.
func TestNoDataCheckpointsBeforeStreaming(t *testing.T) {
	store := &memStore{}
	src := &fakeSource{}
	src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
		if got := store.get(); got != `{"n":100,"snap":false}` {
			return fault.Definite(fmt.Errorf("streaming began with stored offset %q", got))
		}
		<-ctx.Done()
		return nil
	}
	runUntilStream(t, newTestTask(t, src, config.SnapshotNoData, store, &fakeProducer{}), src)
}

// runUntilStream runs task until src streams, then stops it cleanly.
func runUntilStream(t *testing.T, task *Task, src interface{ called() string }) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- task.Run(ctx) }()
	waitFor(t, "stream", func() bool { return strings.Contains(src.called(), "stream(") })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// when_needed answers a position the source no longer has with a snapshot;
// initial stops with the source's message.
func TestWhenNeededSnapshotsAnUnavailablePosition(t *testing.T) {
	for _, mode := range []string{config.SnapshotWhenNeeded, config.SnapshotInitial} {
		store := &memStore{}
		_ = store.Commit(context.Background(), []byte("k"), []byte(`{"n":3,"snap":false}`))
		src := &fakeSource{}
		src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
			if from.(seqPos).n == 3 {
				return fault.Definite(fmt.Errorf("%w: binlogs purged", fault.ErrPositionUnavailable))
			}
			<-ctx.Done()
			return nil
		}
		task := newTestTask(t, src, mode, store, &fakeProducer{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- task.Run(ctx) }()
		if mode == config.SnapshotWhenNeeded {
			waitFor(t, "second stream", func() bool { return strings.Contains(src.called(), "stream({100") })
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		} else if err := <-done; err == nil || !strings.Contains(err.Error(), "binlogs purged") || task.State() != StateFailed {
			t.Fatalf("initial: err %v, state %s", err, task.State())
		}
		cancel()
	}
}

// checkingSource is a fakeSource whose server no longer has position 3,
// and says so before streaming (PositionChecker).
type checkingSource struct{ *fakeSource }

func (c checkingSource) CheckPosition(_ context.Context, from change.Position) error {
	c.log(fmt.Sprintf("check(%v)", from))
	if from.(seqPos).n == 3 {
		return fault.Definite(fmt.Errorf("%w: binlogs purged", fault.ErrPositionUnavailable))
	}
	return nil
}

// A position checked as gone before the start's notifications: when_needed
// snapshots as a first start does, without a SKIPPED first; initial stops
// with the source's error, having sent nothing (Debezium's check at start).
func TestPositionCheckedBeforeStartNotes(t *testing.T) {
	for _, tc := range []struct{ mode, calls string }{
		{config.SnapshotWhenNeeded, "start({3 false}) check({3 false}) snapshot(<nil>,true) stream({100 false})"},
		{config.SnapshotInitial, "start({3 false}) check({3 false})"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			store := &memStore{}
			_ = store.Commit(context.Background(), []byte("k"), []byte(`{"n":3,"snap":false}`))
			src := checkingSource{&fakeSource{}}
			prod := &fakeProducer{}
			task := newTestTask(t, src, tc.mode, store, prod)
			task.Notify = notesSink(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- task.Run(ctx) }()
			if tc.mode == config.SnapshotWhenNeeded {
				waitFor(t, "stream", func() bool { return strings.Contains(src.called(), "stream(") })
				cancel()
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			} else {
				select {
				case err := <-done:
					if err == nil || !strings.Contains(err.Error(), "binlogs purged") {
						t.Fatalf("err %v, want the source's", err)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("still running from a position the source no longer has (calls %q)", src.called())
				}
			}
			if got := src.called(); got != tc.calls {
				t.Errorf("calls %q, want %q", got, tc.calls)
			}
			prod.mu.Lock()
			defer prod.mu.Unlock()
			for i, topic := range prod.topics {
				if topic == "notes" {
					t.Errorf("notification sent: %s", prod.values[i])
				}
			}
		})
	}
}

// A transient failure is retried from the last position the reader
// enqueued; a definite one stops the task with its message.
func TestTransientErrorsRetryFromTheLastCommit(t *testing.T) {
	store := &memStore{}
	_ = store.Commit(context.Background(), []byte("k"), []byte(`{"n":1,"snap":false}`))
	src := &fakeSource{}
	attempts := 0
	src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
		attempts++
		n := from.(seqPos).n
		if attempts > 3 {
			return fault.Definite(errors.New("bad credentials for user x"))
		}
		evs := []change.Event{rowEvent(int64(n)), {Kind: change.KindCommit, Position: seqPos{n: n + 1}}}
		if err := out.Enqueue(ctx, evs...); err != nil {
			return err
		}
		return errors.New("connection reset")
	}
	task := newTestTask(t, src, config.SnapshotInitial, store, &fakeProducer{})
	task.Hooks = Hooks{&Counters{}}
	err := task.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bad credentials") {
		t.Fatalf("err %v, want the definite error", err)
	}
	if got := src.called(); got != "start({1 false}) stream({1 false}) start({2 false}) stream({2 false}) start({3 false}) stream({3 false}) start({4 false}) stream({4 false})" {
		t.Fatalf("calls %q", got)
	}
	if got := store.get(); got != `{"n":4,"snap":false}` {
		t.Fatalf("stored %s, want the last acknowledged commit n=4", got)
	}
	c := task.Hooks[0].(*Counters)
	if c.Retried.Load() != 3 || c.Stopped.Load() != 1 || c.Creates.Load() != 3 {
		t.Fatalf("counters retried=%d stopped=%d creates=%d", c.Retried.Load(), c.Stopped.Load(), c.Creates.Load())
	}
}

// splitSource streams with one reader per part; positions are "a,b".
type splitSource struct {
	fakeSource
}

func (s *splitSource) Split(pos change.Position) ([]change.Position, error) {
	p := pos.(seqPos)
	return []change.Position{seqPos{n: p.n / 100}, seqPos{n: p.n % 100}}, nil
}

// Combine gets the unsplit position alone while the task's first reader,
// not yet split into parts, is the only one (as Vitess's Combine does, it
// passes it on).
func (s *splitSource) Combine(parts []change.Position) (change.Position, error) {
	if len(parts) == 1 {
		return parts[0], nil
	}
	return seqPos{n: parts[0].(seqPos).n*100 + parts[1].(seqPos).n}, nil
}

// With several readers, the stored position combines each reader's
// acknowledged commits and never passes an unacknowledged record of any.
func TestSeveralReadersCombinePositions(t *testing.T) {
	store := &memStore{}
	_ = store.Commit(context.Background(), []byte("k"), []byte(`{"n":101,"snap":false}`))
	src := &splitSource{}
	prod := &fakeProducer{hold: true}
	var mu sync.Mutex
	enqueued := 0
	src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
		n := from.(seqPos).n
		if err := out.Enqueue(ctx, rowEvent(int64(n)), change.Event{Kind: change.KindCommit, Position: seqPos{n: n + 5}}); err != nil {
			return err
		}
		mu.Lock()
		enqueued++
		mu.Unlock()
		<-ctx.Done()
		return nil
	}
	task := newTestTask(t, src, config.SnapshotInitial, store, prod)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- task.Run(ctx) }()
	waitFor(t, "both readers", func() bool { mu.Lock(); defer mu.Unlock(); return enqueued == 2 && prod.produced() == 2 })
	time.Sleep(50 * time.Millisecond)
	if got := store.get(); got != `{"n":101,"snap":false}` {
		t.Fatalf("stored %s before any record was acknowledged", got)
	}
	prod.release()
	waitFor(t, "combined commit", func() bool { return store.get() == `{"n":606,"snap":false}` })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := src.called(); !strings.Contains(got, "stream({1 false})") || !strings.Contains(got, "stream({1 false})") {
		t.Fatalf("calls %q", got)
	}
}

// With several readers, when_needed's new snapshot after a reader found its
// position gone stores positions of the new snapshot and readers only, none
// of the readers that failed.
func TestWhenNeededAfterSeveralReaders(t *testing.T) {
	store := &memStore{}
	_ = store.Commit(context.Background(), []byte("k"), []byte(`{"n":101,"snap":false}`))
	src := &splitSource{}
	src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
		n := from.(seqPos).n
		if n == 1 {
			return fault.Definite(fmt.Errorf("%w: the shard is gone", fault.ErrPositionUnavailable))
		}
		if err := out.Enqueue(ctx, rowEvent(int64(n)), change.Event{Kind: change.KindCommit, Position: seqPos{n: n + 5}}); err != nil {
			return err
		}
		<-ctx.Done()
		return nil
	}
	src.snapFn = func(ctx context.Context, from change.Position, out change.Enqueuer) (change.Position, error) {
		if err := out.Enqueue(ctx, rowEvent(0), change.Event{Kind: change.KindCommit, Position: seqPos{n: 202}}); err != nil {
			return nil, err
		}
		return seqPos{n: 202}, nil
	}
	task := newTestTask(t, src, config.SnapshotWhenNeeded, store, &fakeProducer{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- task.Run(ctx) }()
	waitFor(t, "the new readers' commits stored", func() bool { return store.get() == `{"n":707,"snap":false}` })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := src.called(); !strings.Contains(got, "snapshot(<nil>,true)") || !strings.Contains(got, "stream({2 false})") {
		t.Fatalf("calls %q", got)
	}
}

// A stop completes within its bound even when the offset store stalls;
// the offset stays where it was.
func TestStopIsBoundedWhenTheStoreStalls(t *testing.T) {
	store := &memStore{}
	src := &fakeSource{}
	src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
		for i := 0; ctx.Err() == nil; i++ {
			if err := out.Enqueue(ctx, rowEvent(int64(i)), change.Event{Kind: change.KindCommit, Position: seqPos{n: i}}); err != nil {
				return nil
			}
			if i == 10 {
				store.block = make(chan struct{}) // the broker stalls from here
			}
			time.Sleep(time.Millisecond)
		}
		return nil
	}
	task := newTestTask(t, src, config.SnapshotNever, store, &fakeProducer{})
	task.ShutdownTimeout = 300 * time.Millisecond
	task.Poller.FlushInterval = time.Hour
	task.Poller.CommitTimeout = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- task.Run(ctx) }()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "shutdown took longer") {
			t.Fatalf("err %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the task did not stop with the store stalled")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("stop took %s", d)
	}
	if got := store.get(); got != "" {
		t.Fatalf("an offset was stored: %s", got)
	}
}

// oneRowStream writes one row, committed at the position after the one it
// streams from, then waits for its stop.
func oneRowStream(ctx context.Context, from change.Position, out change.Enqueuer) error {
	next := 1
	if from != nil {
		next = from.(seqPos).n + 1
	}
	if err := out.Enqueue(ctx, rowEvent(int64(next)), change.Event{Kind: change.KindCommit, Position: seqPos{n: next}}); err != nil {
		return nil
	}
	<-ctx.Done()
	return nil
}

// Pause drains and stores the position; Resume starts again from it.
func TestPauseAndResume(t *testing.T) {
	store := &memStore{}
	src := &fakeSource{}
	src.streamFn = oneRowStream
	prod := &fakeProducer{}
	task := newTestTask(t, src, config.SnapshotNever, store, prod)
	stop := runPauseResume(t, task, prod, func() {
		if got := store.get(); got != `{"n":1,"snap":false}` {
			t.Fatalf("stored %q at pause", got)
		}
	})
	if got := src.called(); got != "start(<nil>) stream(<nil>) start({1 false}) stream({1 false})" {
		t.Fatalf("calls %q", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if task.State() != StateStopped {
		t.Fatalf("state %s", task.State())
	}
}

// snapshot.mode=always snapshots when the task starts, not again when it
// resumes after a pause, nor when a failed stream is retried.
func TestAlwaysSnapshotsOncePerStart(t *testing.T) {
	store := &memStore{}
	_ = store.Commit(context.Background(), []byte("k"), []byte(`{"n":7,"snap":false}`))
	src := &fakeSource{}
	streams := 0
	src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
		streams++
		if streams == 1 {
			return errors.New("connection reset") // transient: retried
		}
		if err := out.Enqueue(ctx, rowEvent(int64(100+streams)), change.Event{Kind: change.KindCommit, Position: seqPos{n: 100 + streams}}); err != nil {
			return nil
		}
		<-ctx.Done()
		return nil
	}
	prod := &fakeProducer{}
	task := newTestTask(t, src, config.SnapshotAlways, store, prod)
	stop := runPauseResume(t, task, prod, func() {})
	want := "start({7 false}) snapshot(<nil>,true) stream({100 false}) start({100 false}) stream({100 false}) start({102 false}) stream({102 false})"
	if got := src.called(); got != want {
		t.Fatalf("calls %q\nwant  %q", got, want)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// runPauseResume runs task until its first record is produced, pauses it,
// calls atPause, resumes it until its second record, and returns what
// stops it and returns Run's error.
func runPauseResume(t *testing.T, task *Task, prod *fakeProducer, atPause func()) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() { done <- task.Run(ctx) }()
	waitFor(t, "first record", func() bool { return prod.produced() == 1 })
	task.Pause()
	waitFor(t, "paused", func() bool { return task.State() == StatePaused })
	atPause()
	task.Resume()
	waitFor(t, "second record", func() bool { return prod.produced() == 2 })
	return func() error {
		cancel()
		return <-done
	}
}

// snapshot.delay.ms and streaming.delay.ms hold the snapshot and the
// stream back, each by its own delay; a stop during a delay ends it.
func TestCoordinatorDelays(t *testing.T) {
	src := &fakeSource{}
	var snapAt, streamAt time.Time
	src.snapFn = func(context.Context, change.Position, change.Enqueuer) (change.Position, error) {
		snapAt = time.Now()
		return seqPos{n: 100}, nil
	}
	src.streamFn = func(ctx context.Context, _ change.Position, _ change.Enqueuer) error {
		streamAt = time.Now()
		<-ctx.Done()
		return nil
	}
	task := newTestTask(t, src, config.SnapshotInitial, &memStore{}, &fakeProducer{})
	task.SnapshotDelay, task.StreamingDelay = 300*time.Millisecond, 200*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	began := time.Now()
	go func() { done <- task.Run(ctx) }()
	waitFor(t, "stream", func() bool { return strings.Contains(src.called(), "stream(") })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := snapAt.Sub(began); d < 300*time.Millisecond {
		t.Errorf("the snapshot began %v after the start, before snapshot.delay.ms (300ms)", d)
	}
	if d := streamAt.Sub(snapAt); d < 200*time.Millisecond {
		t.Errorf("streaming began %v after the snapshot, before streaming.delay.ms (200ms)", d)
	}

	// A stop during the delay: no snapshot.
	src2 := &fakeSource{}
	task2 := newTestTask(t, src2, config.SnapshotInitial, &memStore{}, &fakeProducer{})
	task2.SnapshotDelay = time.Hour
	ctx2, cancel2 := context.WithCancel(context.Background())
	done2 := make(chan error, 1)
	go func() { done2 <- task2.Run(ctx2) }()
	waitFor(t, "start", func() bool { return strings.Contains(src2.called(), "start(") })
	cancel2()
	select {
	case <-done2:
	case <-time.After(10 * time.Second):
		t.Fatal("the task did not stop during snapshot.delay.ms")
	}
	if strings.Contains(src2.called(), "snapshot(") {
		t.Errorf("calls %s: a snapshot after the stop", src2.called())
	}
}

// A failed task waits in its group while another task is live; Restart
// starts it again from its stored offset; once no task of the group is
// live, a failed task returns its error.
func TestRestartAfterFailure(t *testing.T) {
	group := NewGroup()
	store := &memStore{}
	src := &fakeSource{}
	var mu sync.Mutex
	denied := true
	src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
		n := 0
		if from != nil {
			n = from.(seqPos).n
		}
		if err := out.Enqueue(ctx, rowEvent(int64(n+1)), change.Event{Kind: change.KindCommit, Position: seqPos{n: n + 1}}); err != nil {
			return nil
		}
		mu.Lock()
		fail := denied
		mu.Unlock()
		if fail {
			time.Sleep(50 * time.Millisecond) // the record is delivered and its offset stored first
			return fault.Definite(errors.New("access denied"))
		}
		<-ctx.Done()
		return nil
	}
	prod := &fakeProducer{}
	failing := newTestTask(t, src, config.SnapshotNever, store, prod)
	other := newTestTask(t, &fakeSource{}, config.SnapshotNever, &memStore{}, &fakeProducer{})
	for _, task := range []*Task{failing, other} {
		if !group.join() {
			t.Fatal("the group is done before its tasks ran")
		}
		task.Group, task.live = group, true
	}
	failDone, otherDone := make(chan error, 1), make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	otherCtx, stopOther := context.WithCancel(ctx)
	go func() { failDone <- failing.Run(ctx) }()
	go func() { otherDone <- other.Run(otherCtx) }()

	waitFor(t, "FAILED", func() bool { return failing.State() == StateFailed })
	if got := failing.Failure(); !strings.Contains(got, "access denied") {
		t.Fatalf("failure %q", got)
	}
	select {
	case err := <-failDone:
		t.Fatalf("the failed task returned while another task runs: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if other.Restart(); !waitState(other, StateRunning) {
		t.Fatalf("the running task is %s after its restart", other.State())
	}
	mu.Lock()
	denied = false
	mu.Unlock()
	if !failing.Restart() {
		t.Fatal("Restart refused a failed task")
	}
	waitFor(t, "the restarted task's record", func() bool { return prod.produced() == 2 })
	if st, f := failing.State(), failing.Failure(); st != StateRunning || f != "" {
		t.Fatalf("after the restart: state %s, failure %q", st, f)
	}
	if got := src.called(); got != "start(<nil>) stream(<nil>) start({1 false}) stream({1 false})" {
		t.Fatalf("calls %q", got)
	}
	if got := store.get(); got != `{"n":2,"snap":false}` {
		t.Fatalf("stored %q", got)
	}

	// It fails again; the other task stops: nothing of the group is live.
	mu.Lock()
	denied = true
	mu.Unlock()
	failing.Restart()
	waitFor(t, "FAILED again", func() bool { return failing.State() == StateFailed })
	stopOther()
	if err := <-otherDone; err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-failDone:
		if err == nil || !strings.Contains(err.Error(), "access denied") {
			t.Fatalf("err %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the failed task still waits with no task of its group live")
	}
	if failing.Restart() {
		t.Fatal("a task that returned accepted a restart")
	}
	if failing.State() != StateFailed {
		t.Fatalf("state %s", failing.State())
	}
}

// waitState reports whether task reaches state within five seconds.
func waitState(task *Task, state string) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if task.State() == state {
			return true
		}
	}
	return false
}

// A running task's restart drains, stores the position and starts again
// at once; a pause asked during a restart wins; a paused task is not
// restarted; without a group a failed task returns its error at once.
func TestRestartRunningTask(t *testing.T) {
	store := &memStore{}
	src := &fakeSource{}
	src.streamFn = oneRowStream
	prod := &fakeProducer{}
	task := newTestTask(t, src, config.SnapshotNever, store, prod)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- task.Run(ctx) }()
	waitFor(t, "first record", func() bool { return prod.produced() == 1 })
	if !task.Restart() {
		t.Fatal("Restart refused a running task")
	}
	waitFor(t, "second record", func() bool { return prod.produced() == 2 })
	if got := src.called(); got != "start(<nil>) stream(<nil>) start({1 false}) stream({1 false})" {
		t.Fatalf("calls %q", got)
	}
	task.Restart()
	task.Pause()
	if !waitState(task, StatePaused) {
		t.Fatalf("a pause during a restart left the task %s", task.State())
	}
	if task.Restart() {
		t.Fatal("Restart accepted a paused task")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	src.streamFn = func(context.Context, change.Position, change.Enqueuer) error {
		return fault.Definite(errors.New("access denied"))
	}
	alone := newTestTask(t, src, config.SnapshotNever, &memStore{}, &fakeProducer{})
	if err := alone.Run(context.Background()); err == nil || alone.State() != StateFailed {
		t.Fatalf("err %v, state %s", err, alone.State())
	}
}

// errors.max.retries: failures in a row with no progress between them are
// retried that many times, then the task fails naming the property; a
// failure after progress starts the count again.
func TestErrorsMaxRetries(t *testing.T) {
	store := &memStore{}
	src := &fakeSource{}
	attempts := 0
	src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
		attempts++
		if attempts <= 2 { // progress, then the failure
			n := attempts
			if err := out.Enqueue(ctx, rowEvent(int64(n)), change.Event{Kind: change.KindCommit, Position: seqPos{n: n}}); err != nil {
				return err
			}
		}
		return errors.New("connection reset")
	}
	task := newTestTask(t, src, config.SnapshotNever, store, &fakeProducer{})
	task.FailAfter = 2 // errors.max.retries=1
	err := task.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "connection reset; failed 2 times in a row, and errors.max.retries is 1") {
		t.Fatalf("err %v", err)
	}
	// The second attempt's failure follows progress: it is the first in a
	// row, retried once; the third's is the second.
	if attempts != 3 || task.State() != StateFailed {
		t.Fatalf("%d attempts, state %s; want 3, FAILED", attempts, task.State())
	}
}

// custom.retriable.exception: a definite failure whose message (or a
// wrapped one's) matches whole is retried, within errors.max.retries; one
// that does not match stops the task at once.
func TestCustomRetriable(t *testing.T) {
	for _, c := range []struct {
		msg      string
		attempts int
	}{{"Lock wait timeout exceeded; try restarting transaction", 2}, {"Access denied for user x", 1}} {
		src := &fakeSource{}
		attempts := 0
		src.streamFn = func(context.Context, change.Position, change.Enqueuer) error {
			attempts++
			return fmt.Errorf("reading the binlog: %w", fault.Definite(errors.New(c.msg)))
		}
		task := newTestTask(t, src, config.SnapshotNever, &memStore{}, &fakeProducer{})
		task.Retriable = MatchesMessage(regexp.MustCompile(`^(?:Lock wait timeout.*)$`))
		task.FailAfter = 2
		err := task.Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), c.msg) || attempts != c.attempts {
			t.Errorf("%q: err %v after %d attempts, want %d", c.msg, err, attempts, c.attempts)
		}
	}
}

// internal.log.position.check.enable=false: the start asks the source nothing and
// streams from the stored position, as Debezium skips its check.
func TestPositionCheckSkipped(t *testing.T) {
	store := &memStore{}
	_ = store.Commit(context.Background(), []byte("k"), []byte(`{"n":3,"snap":false}`))
	src := checkingSource{&fakeSource{}}
	task := newTestTask(t, src, config.SnapshotInitial, store, &fakeProducer{})
	task.SkipPositionCheck = true
	runUntilStream(t, task, src)
	if got, want := src.called(), "start({3 false}) stream({3 false})"; got != want {
		t.Errorf("calls %q, want %q", got, want)
	}
}
