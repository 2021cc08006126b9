package connector

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/offsets"
)

// txnLog is a TxnWriter that writes down what it was asked, in order.
// With hold, records are acknowledged only as a commit waits for them,
// failed with failAck when set.
type txnLog struct {
	keepProducer
	log     []string
	failAck error
	acks    []func(error)
}

func (l *txnLog) Produce(ctx context.Context, r *kgo.Record, done func(*kgo.Record, error)) {
	l.log = append(l.log, "rec")
	if l.hold {
		l.recs = append(l.recs, kept(r))
		l.acks = append(l.acks, func(err error) { done(r, err) })
		return
	}
	l.keepProducer.Produce(ctx, r, done)
}

func (l *txnLog) Commit(_ context.Context, offset *kgo.Record, ready func() error) error {
	for _, ack := range l.acks {
		ack(l.failAck)
	}
	l.acks = nil
	if err := ready(); err != nil {
		l.log = append(l.log, "abort")
		return err
	}
	if offset == nil {
		l.log = append(l.log, "commit")
	} else {
		l.log = append(l.log, "commit "+offset.Topic+" "+string(offset.Value))
	}
	return nil
}

func (l *txnLog) Abort(context.Context) error {
	l.log = append(l.log, "abort")
	return nil
}

func (l *txnLog) Close()                  {}
func (l *txnLog) Explain(err error) error { return err }

func txnPoller(t *testing.T, interval time.Duration) (*Poller, *txnLog) {
	t.Helper()
	w := &txnLog{}
	p := metaPoller(t, w, PollerConfig{Txn: w, TxnInterval: interval, CommitTimeout: time.Second,
		OffsetRecord: func(v []byte) *kgo.Record { return &kgo.Record{Topic: "offsets", Value: v} }})
	return p, w
}

func commitAt(n int) entry {
	return entry{Event: change.Event{Kind: change.KindCommit, Position: seqPos{n: n}}}
}

// A Kafka transaction ends only where every record produced belongs to a
// source transaction that has ended, with the offset after it: a batch
// that ends within a source transaction is committed at that
// transaction's end, in the next batch; a stop within one aborts.
func TestTxnBoundaries(t *testing.T) {
	ctx := context.Background()
	p, w := txnPoller(t, 0)
	row := func(id int64) entry { return rowOf(rowTable, change.OpCreate, nil, []any{id}) }
	batches := [][]entry{
		{row(1), commitAt(1), row(2), row(3)}, // ends within the second source transaction
		{commitAt(2), row(4), commitAt(3)},    // its end commits; the batch's end commits again
		{row(5)},
	}
	for _, b := range batches {
		if err := p.process(ctx, b); err != nil {
			t.Fatal(err)
		}
		if _, _, err := p.committable(); err != nil {
			t.Fatal(err)
		}
		if err := p.txnBoundary(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.finish(ctx); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(w.log, "; ")
	want := `rec; rec; rec; commit offsets {"n":2,"snap":false}; rec; commit offsets {"n":3,"snap":false}; rec; abort`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// transaction.boundary=interval: source transactions ending before the
// interval passed stay in the open Kafka transaction; a stop at a source
// transaction's end commits it.
func TestTxnInterval(t *testing.T) {
	ctx := context.Background()
	p, w := txnPoller(t, time.Hour)
	p.lastFlush = time.Now() // as Run starts it
	for n := 1; n <= 3; n++ {
		if err := p.process(ctx, []entry{rowOf(rowTable, change.OpCreate, nil, []any{int64(n)}), commitAt(n)}); err != nil {
			t.Fatal(err)
		}
		if err := p.txnBoundary(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.finish(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(w.log, "; "), `rec; rec; rec; commit offsets {"n":3,"snap":false}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// storeWriter is a TxnWriter whose commits write their offset to a store;
// fail, while above zero, makes commits fail as a broker that stalled past
// the commit's bound does.
type storeWriter struct {
	keepProducer
	store *memStore
	fail  *atomic.Int32
}

func (w *storeWriter) Commit(ctx context.Context, offset *kgo.Record, ready func() error) error {
	if err := ready(); err != nil {
		return err
	}
	if w.fail.Add(-1) >= 0 {
		return errors.New("EndTransaction: context deadline exceeded")
	}
	if offset != nil {
		return w.store.Commit(ctx, offset.Key, offset.Value)
	}
	return nil
}

func (w *storeWriter) Abort(context.Context) error { return nil }
func (w *storeWriter) Close()                      {}
func (w *storeWriter) Explain(err error) error     { return err }

// A Kafka transaction that does not commit restarts the task from the
// offset committed last, with a new producer, instead of failing it.
func TestTxnCommitFailureRestarts(t *testing.T) {
	store := &memStore{}
	var fail atomic.Int32
	fail.Store(1)
	opened := atomic.Int32{}
	src := &fakeSource{}
	src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
		n := 0
		if from != nil {
			n = from.(seqPos).n
		}
		for ; n < 5; n++ {
			if err := out.Enqueue(ctx, rowEvent(int64(n)), change.Event{Kind: change.KindCommit, Position: seqPos{n: n + 1}}); err != nil {
				return err
			}
		}
		<-ctx.Done()
		return nil
	}
	task := newTestTask(t, src, config.SnapshotNever, store, &fakeProducer{})
	task.Txn = &TxnSettings{OffsetRecord: func(v []byte) *kgo.Record { return &kgo.Record{Key: []byte("k"), Value: v} }}
	task.openTxn = func(context.Context, TxnSettings, time.Duration, *zap.Logger) (TxnWriter, error) {
		opened.Add(1)
		return &storeWriter{store: store, fail: &fail}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- task.Run(ctx) }()
	waitFor(t, "the offset after the fifth row", func() bool { return store.get() == `{"n":5,"snap":false}` })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := src.called(); opened.Load() != 2 || got != "start(<nil>) stream(<nil>) start(<nil>) stream(<nil>)" {
		t.Errorf("%d producers opened; source calls %q", opened.Load(), got)
	}
}

// TestTxnExplain: a fenced producer whose transaction was open past its
// timeout is told it was the timeout, naming the setting; one fenced
// sooner, that another producer took over; other errors are left alone.
func TestTxnExplain(t *testing.T) {
	fencedErr := fmt.Errorf("producing: %w", kerr.InvalidProducerEpoch)
	p := &txnProducer{timeout: time.Second, began: time.Now().Add(-1500 * time.Millisecond)}
	if got := p.Explain(fencedErr).Error(); !strings.Contains(got, "longer than the worker's producer.transaction.timeout.ms (1000), so the broker aborted it") {
		t.Errorf("past its timeout: %s", got)
	}
	p.began = time.Now()
	if got := p.Explain(fencedErr).Error(); !strings.Contains(got, "another producer with this transactional id") {
		t.Errorf("within its timeout: %s", got)
	}
	other := errors.New("broker unreachable")
	if got := p.Explain(other); got != other {
		t.Errorf("another error: %v", got)
	}
	// A commit the coordinator refused stops the task; one without an
	// answer, or with one that a retry mends, restarts it.
	for err, want := range map[error]bool{
		fmt.Errorf("ending: %w", kerr.UnknownServerError): true, context.DeadlineExceeded: false,
		kerr.CoordinatorNotAvailable: false, errors.New("connection reset"): false,
	} {
		if refused(err) != want {
			t.Errorf("refused(%v) = %v, want %v", err, !want, want)
		}
	}
}

// recorderStore is an offsets store whose records a transactional
// producer can write.
type recorderStore struct{ offsets.Store }

func (recorderStore) OffsetRecord(key, value []byte) *kgo.Record {
	return &kgo.Record{Topic: "offsets", Key: key, Value: value}
}

// TestTxnSettingsInterval: a boundary interval at or above the transaction
// timeout is refused at start, naming both (the broker would abort every
// Kafka transaction); below it, it is the task's interval.
func TestTxnSettingsInterval(t *testing.T) {
	d := Deps{Env: Env{Worker: &config.Worker{TransactionTimeout: 2 * time.Second, GroupID: "g"}}, Store: recorderStore{}, TxnOpts: []kgo.Opt{}}
	for interval, refused := range map[string]bool{"1000": false, "2000": true, "5000": true} {
		c := parseConnector(t, `,"exactly.once.support":"required","transaction.boundary":"interval","transaction.boundary.interval.ms":"`+interval+`"`)
		s, err := txnSettings(c, d, []byte("k"), "", zap.NewNop())
		switch {
		case refused && (err == nil || !strings.Contains(err.Error(), "transaction.boundary.interval.ms: "+interval+" (or offset.flush.interval.ms when unset)") || !strings.Contains(err.Error(), "producer.transaction.timeout.ms (2000)")):
			t.Errorf("interval %s: %v, want it refused naming both settings", interval, err)
		case !refused && (err != nil || s.Interval != time.Second || s.ID != "g-inv-0"):
			t.Errorf("interval %s: %+v, %v", interval, s, err)
		}
	}
}

// TestTxnCommitWaitsForAcks: the offset goes into the Kafka transaction
// before its records are acknowledged, as the position of the last source
// transaction ended, and the transaction commits once they are; a record
// refused then aborts it and stops the task naming the record.
func TestTxnCommitWaitsForAcks(t *testing.T) {
	ctx := context.Background()
	row := func(id int64) entry { return rowOf(rowTable, change.OpCreate, nil, []any{id}) }
	p, w := txnPoller(t, 0)
	w.hold = true
	if err := p.process(ctx, []entry{row(1), commitAt(1), row(2), commitAt(2)}); err != nil {
		t.Fatal(err)
	}
	if err := p.txnBoundary(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(w.log, "; "), `rec; rec; commit offsets {"n":2,"snap":false}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if pos, ok, _ := p.committable(); !ok || pos.(seqPos).n != 2 {
		t.Errorf("after the commit the acknowledged position is %v %v, want 2", pos, ok)
	}

	p, w = txnPoller(t, 0)
	w.hold, w.failAck = true, errors.New("MESSAGE_TOO_LARGE")
	if err := p.process(ctx, []entry{row(1), commitAt(1)}); err != nil {
		t.Fatal(err)
	}
	err := p.txnBoundary(ctx)
	if got, want := strings.Join(w.log, "; "), `rec; abort`; got != want || err == nil || !strings.Contains(err.Error(), "MESSAGE_TOO_LARGE") {
		t.Errorf("a refused record: log %s, error %v; want it aborted and the refusal returned", got, err)
	}
}
