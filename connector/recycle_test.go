package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
)

// holdingProducer keeps the records themselves, not copies, and
// acknowledges none until release: as the Kafka client holds a batch
// until the broker answers. Keys and values cut from a shared block must
// stay as they were written meanwhile.
type holdingProducer struct {
	mu      sync.Mutex
	records []*kgo.Record
	dones   []func(*kgo.Record, error)
	acked   int // records[:acked] are acknowledged
}

func (p *holdingProducer) Produce(_ context.Context, r *kgo.Record, done func(*kgo.Record, error)) {
	p.mu.Lock()
	p.records, p.dones = append(p.records, r), append(p.dones, done)
	p.mu.Unlock()
}

func (p *holdingProducer) Flush(context.Context) error { return nil }

func (p *holdingProducer) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for ; p.acked < len(p.records); p.acked++ {
		p.dones[p.acked](p.records[p.acked], nil)
		p.dones[p.acked] = nil
	}
}

func TestRecordsInFlightKeepTheirBytes(t *testing.T) {
	conv, err := jsonconv.New(jsonconv.Config{})
	if err != nil {
		t.Fatal(err)
	}
	const rows = 3000 // several blocks of keys and values
	q := NewQueue(rows+16, 1<<30)
	in := q.Reader(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var events []change.Event
	for i := range rows {
		events = append(events, rowEvent(int64(i)))
	}
	events = append(events, change.Event{Kind: change.KindCommit, Position: seqPos{n: rows}})
	if err := in.Enqueue(ctx, events...); err != nil {
		t.Fatal(err)
	}
	prod, store := &holdingProducer{}, &memStore{}
	p := NewPoller(PollerConfig{Queue: q, KeyConverter: conv, ValueConverter: conv, Producer: prod, Topics: noTopics{},
		Store: store, OffsetKey: []byte("k"), MaxBatch: 256, PollInterval: 5 * time.Millisecond})
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx, nil) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		prod.mu.Lock()
		n := len(prod.records)
		prod.mu.Unlock()
		if n == rows {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d records produced of %d", n, rows)
		}
		time.Sleep(5 * time.Millisecond)
	}
	prod.mu.Lock()
	for i, r := range prod.records {
		var key struct{ ID int64 }
		var value struct {
			After struct{ ID int64 } `json:"after"`
		}
		if err := json.Unmarshal(r.Key, &key); err != nil || key.ID != int64(i) {
			t.Fatalf("record %d's key %q (%v): overwritten while in flight?", i, r.Key, err)
		}
		if err := json.Unmarshal(r.Value, &value); err != nil || value.After.ID != int64(i) {
			t.Fatalf("record %d's value %q (%v): overwritten while in flight?", i, r.Value, err)
		}
		if cap(r.Key) != len(r.Key) || cap(r.Value) != len(r.Value) {
			t.Fatalf("record %d: key capacity %d for %d bytes, value %d for %d: an append could reach the next record",
				i, cap(r.Key), len(r.Key), cap(r.Value), len(r.Value))
		}
	}
	prod.mu.Unlock()
	prod.release()
	for time.Now().Before(deadline) && store.get() == "" {
		time.Sleep(5 * time.Millisecond)
	}
	if got, want := store.get(), fmt.Sprintf(`{"n":%d,"snap":false}`, rows); got != want {
		t.Errorf("offset stored %q after every record was acknowledged, want %s", got, want)
	}
	cancel()
	<-ran
}

// Values of 1 KB and more go back to the recycler once acknowledged (the
// next ones are written into them); smaller ones are cut from blocks and
// never kept.
func TestLargeValuesRecycledSmallOnesCut(t *testing.T) {
	conv, err := jsonconv.New(jsonconv.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		size     int
		recycled bool
	}{{100, false}, {4000, true}} {
		q := NewQueue(64, 1<<30)
		in := q.Reader(nil)
		ctx, cancel := context.WithCancel(context.Background())
		schema := &change.Schema{Type: change.String}
		var events []change.Event
		for i := range 20 {
			v := fmt.Sprintf("%0*d", tc.size, i)
			events = append(events, change.Event{Kind: change.KindRecord, Record: &change.Record{Topic: "t", ValueSchema: schema, Value: v}})
		}
		events = append(events, change.Event{Kind: change.KindCommit, Position: seqPos{n: 1}})
		if err := in.Enqueue(ctx, events...); err != nil {
			t.Fatal(err)
		}
		prod, store := &recordingProducer{}, &memStore{}
		p := NewPoller(PollerConfig{Queue: q, KeyConverter: conv, ValueConverter: conv, Producer: prod, Topics: noTopics{},
			Store: store, OffsetKey: []byte("k"), MaxBatch: 4, PollInterval: 5 * time.Millisecond})
		ran := make(chan error, 1)
		go func() { ran <- p.Run(ctx, nil) }()
		for deadline := time.Now().Add(10 * time.Second); store.get() == "" && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		<-ran
		if kept := p.values.n.Load() > 0; kept != tc.recycled {
			t.Errorf("%d-byte values: %d buffers kept for reuse, want recycling %v", tc.size, p.values.n.Load(), tc.recycled)
		}
		for i, r := range prod.records {
			if want := fmt.Sprintf("%q", fmt.Sprintf("%0*d", tc.size, i)); string(r.Value) != want {
				t.Fatalf("%d-byte values: record %d is %.40q…, want %.40q…", tc.size, i, r.Value, want)
			}
		}
	}
}
