package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
	"github.com/sluice-cdc/sluice/smt"
)

// recordingProducer keeps every record and acknowledges it at once.
type recordingProducer struct {
	mu      sync.Mutex
	records []*kgo.Record
}

func (p *recordingProducer) Produce(_ context.Context, r *kgo.Record, done func(*kgo.Record, error)) {
	p.mu.Lock()
	p.records = append(p.records, kept(r))
	p.mu.Unlock()
	done(r, nil)
}

// kept is what a producer that keeps records must keep: a copy of the
// record whose value is its own, since the poller recycles the value's
// buffer once done returns.
func kept(r *kgo.Record) *kgo.Record {
	c := *r
	c.Value = bytes.Clone(r.Value)
	return &c
}

func (p *recordingProducer) Flush(context.Context) error { return nil }

// failOnID fails on the row whose key id is the given one, and marks the
// others so a test sees that the chain ran on them.
type failOnID int64

func (f failOnID) Apply(r *change.Record) (*change.Record, error) {
	if k, _ := r.Key.(*change.Value); k != nil && k.Values[0] == int64(f) {
		return nil, &smt.TransformError{Alias: "boom", Class: "com.example.Boom", Err: errors.New("cannot transform row 2")}
	}
	r.Topic = "out." + r.Topic
	return r, nil
}

// runTolerance streams rows 1..3 and a commit through a poller whose chain
// fails on row 2, and returns what was produced, the offset stored and
// Run's error.
func runTolerance(t *testing.T, props map[string]string, chain ...smt.Transform) ([]*kgo.Record, string, error, *Counters) {
	t.Helper()
	eh, err := ParseErrorHandling("c", props)
	if err != nil {
		t.Fatal(err)
	}
	conv, err := jsonconv.New(jsonconv.Config{})
	if err != nil {
		t.Fatal(err)
	}
	q := NewQueue(64, 1<<20)
	in := q.Reader(nil)
	ctx := context.Background()
	if err := in.Enqueue(ctx, rowEvent(1), rowEvent(2), rowEvent(3), change.Event{Kind: change.KindCommit, Position: seqPos{n: 3}}); err != nil {
		t.Fatal(err)
	}
	prod, store, counters := &recordingProducer{}, &memStore{}, &Counters{}
	p := NewPoller(PollerConfig{Queue: q, Transforms: append(smt.Chain{failOnID(2)}, chain...), KeyConverter: conv, ValueConverter: conv,
		Producer: prod, Topics: noTopics{}, Store: store, OffsetKey: []byte("k"), MaxBatch: 16, PollInterval: 5 * time.Millisecond,
		Errors: eh, Hooks: Hooks{counters}})
	done := make(chan struct{})
	close(done)
	runErr := p.Run(ctx, done)
	return prod.records, store.get(), runErr, counters
}

func TestToleranceNoneStopsBeforeTheRecord(t *testing.T) {
	recs, offset, err, _ := runTolerance(t, map[string]string{})
	if err == nil || !strings.Contains(err.Error(), `transforming a record for t: transform "boom" (com.example.Boom): cannot transform row 2`) {
		t.Fatalf("err %v", err)
	}
	if len(recs) != 1 || offset != "" {
		t.Fatalf("produced %d records, offset %q: want row 1 only and no offset", len(recs), offset)
	}
	// The Kafka timestamp is the processing time the envelope's ts_ms has.
	var env struct {
		TsMs int64 `json:"ts_ms"`
	}
	if err := json.Unmarshal(recs[0].Value, &env); err != nil || env.TsMs == 0 || recs[0].Timestamp.UnixMilli() != env.TsMs {
		t.Errorf("record timestamp %v, envelope ts_ms %d (%v): want the same millisecond", recs[0].Timestamp, env.TsMs, err)
	}
}

func TestToleranceAllSkipsToTheDeadLetterQueue(t *testing.T) {
	recs, offset, err, counters := runTolerance(t, map[string]string{"errors.tolerance": "all", "errors.log.enable": "true",
		"errors.deadletterqueue.topic.name": "dlq", "errors.deadletterqueue.context.headers.enable": "true"})
	if err != nil {
		t.Fatal(err)
	}
	var topics []string
	for _, r := range recs {
		topics = append(topics, r.Topic)
	}
	if strings.Join(topics, ",") != "out.t,dlq,out.t" {
		t.Fatalf("topics %v", topics)
	}
	if offset == "" {
		t.Fatal("offset not stored past the skipped record")
	}
	if n := counters.Tolerated.Load(); n != 1 {
		t.Fatalf("tolerated %d", n)
	}
	dlq := recs[1]
	// The record as the source built it: its original topic's envelope.
	if string(dlq.Key) != `{"id":2}` || !strings.Contains(string(dlq.Value), `"after":{"id":2}`) {
		t.Fatalf("dead letter key %s value %s", dlq.Key, dlq.Value)
	}
	h := map[string]string{}
	for _, x := range dlq.Headers {
		h[x.Key] = string(x.Value)
	}
	want := map[string]string{"__connect.errors.topic": "t", "__connect.errors.connector.name": "c", "__connect.errors.task.id": "0",
		"__connect.errors.stage": "TRANSFORMATION", "__connect.errors.class.name": "com.example.Boom",
		"__connect.errors.exception.class.name": "org.apache.kafka.connect.errors.DataException"}
	for k, v := range want {
		if h[k] != v {
			t.Errorf("header %s = %q, want %q", k, h[k], v)
		}
	}
	if !strings.Contains(h["__connect.errors.exception.message"], "cannot transform row 2") {
		t.Errorf("exception.message %q", h["__connect.errors.exception.message"])
	}
}

func TestToleranceAllWithoutQueueOnlySkips(t *testing.T) {
	recs, offset, err, _ := runTolerance(t, map[string]string{"errors.tolerance": "ALL"})
	if err != nil || len(recs) != 2 || offset == "" {
		t.Fatalf("err %v, %d records, offset %q", err, len(recs), offset)
	}
}

func TestErrorHandlingSettingsAreChecked(t *testing.T) {
	for props, want := range map[string]string{
		"errors.tolerance=some":                             "Invalid value some for configuration errors.tolerance: String must be one of: none, all",
		"errors.deadletterqueue.topic.name=dlq":             "set errors.tolerance=all",
		"errors.log.enable=yes":                             "Invalid value yes for configuration errors.log.enable",
		"errors.deadletterqueue.topic.replication.factor=0": "errors.deadletterqueue.topic.replication.factor",
	} {
		k, v, _ := strings.Cut(props, "=")
		if _, err := ParseErrorHandling("c", map[string]string{k: v}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", props, err, want)
		}
	}
}

// breakValue gives row 3 a value its schema does not allow, so that the
// value converter fails on it.
type breakValue struct{}

func (breakValue) Apply(r *change.Record) (*change.Record, error) {
	if k, _ := r.Key.(*change.Value); k != nil && k.Values[0] == int64(3) {
		r.Value = "not a struct"
	}
	return r, nil
}

func TestToleranceAllCoversConverters(t *testing.T) {
	recs, _, err, counters := runTolerance(t, map[string]string{"errors.tolerance": "all",
		"errors.deadletterqueue.topic.name": "dlq", "errors.deadletterqueue.context.headers.enable": "true"}, breakValue{})
	if err != nil {
		t.Fatal(err)
	}
	var topics, stages []string
	for _, r := range recs {
		topics = append(topics, r.Topic)
		for _, h := range r.Headers {
			if h.Key == "__connect.errors.stage" {
				stages = append(stages, string(h.Value))
			}
		}
	}
	if strings.Join(topics, ",") != "out.t,dlq,dlq" || strings.Join(stages, ",") != "TRANSFORMATION,VALUE_CONVERTER" || counters.Tolerated.Load() != 2 {
		t.Fatalf("topics %v stages %v tolerated %d", topics, stages, counters.Tolerated.Load())
	}
	if !strings.Contains(string(recs[2].Value), `"after":{"id":3}`) {
		t.Fatalf("dead letter value %s: want the record as the source built it", recs[2].Value)
	}
}
