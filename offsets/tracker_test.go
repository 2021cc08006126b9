package offsets

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// seq is a test position: the index of the transaction it ends.
type seq int

func (s seq) OffsetValue() ([]byte, error) { return strconv.AppendInt(nil, int64(s), 10), nil }

func committable(t *testing.T, tr *Tracker) int {
	t.Helper()
	p, ok := tr.Committable()
	if !ok {
		return -1
	}
	return int(p.(seq))
}

func TestTrackerInOrder(t *testing.T) {
	tr := NewTracker()
	if got := committable(t, tr); got != -1 {
		t.Fatalf("new tracker committable at %d", got)
	}
	x := tr.Begin()
	if tr.Begin() != x {
		t.Fatal("Begin did not return the open transaction")
	}
	x.Add(1)
	tr.Begin().Add(1) // a transaction spanning two batches
	x.End(seq(1))
	if got := committable(t, tr); got != -1 {
		t.Fatalf("committable at %d with nothing acknowledged", got)
	}
	x.Ack(nil)
	if got := committable(t, tr); got != -1 {
		t.Fatalf("committable at %d with one record of two acknowledged", got)
	}
	x.Promise()(nil)
	if got := committable(t, tr); got != 1 {
		t.Fatalf("committable at %d, want 1", got)
	}
	if got := committable(t, tr); got != 1 {
		t.Fatalf("committable moved to %d on a second call", got)
	}
	if tr.InFlight() != 0 || tr.Err() != nil {
		t.Fatalf("InFlight %d, Err %v", tr.InFlight(), tr.Err())
	}
}

func TestTrackerOutOfOrderAcks(t *testing.T) {
	tr := NewTracker()
	counts := []int{3, 2, 1}
	txns := make([]*Txn, len(counts))
	for i, n := range counts {
		txns[i] = tr.Begin()
		txns[i].Add(n)
		txns[i].End(seq(i + 1))
	}
	if tr.Begin() == txns[2] {
		t.Fatal("Begin after End returned the ended transaction")
	}
	// The new open transaction (no End yet) must hold nothing back that
	// ended before it.
	txns[2].Ack(nil)
	txns[1].Ack(nil)
	txns[1].Ack(nil)
	if got := committable(t, tr); got != -1 {
		t.Fatalf("committable at %d while the first transaction is unacknowledged", got)
	}
	txns[0].Ack(nil)
	txns[0].Ack(nil)
	if got := committable(t, tr); got != -1 {
		t.Fatalf("committable at %d with one record of the first transaction unacknowledged", got)
	}
	txns[0].Ack(nil)
	if got := committable(t, tr); got != 3 {
		t.Fatalf("committable at %d, want 3", got)
	}
	if tr.InFlight() != 1 { // the open one
		t.Fatalf("InFlight = %d, want 1", tr.InFlight())
	}
}

func TestTrackerEmptyTransactions(t *testing.T) {
	tr := NewTracker()
	tr.Begin().End(seq(1)) // nothing before it: committable at once
	if got := committable(t, tr); got != 1 {
		t.Fatalf("committable at %d, want 1", got)
	}
	x := tr.Begin()
	x.Add(1)
	x.End(seq(2))
	tr.Begin().End(seq(3))
	tr.Begin().Add(0)
	tr.Begin().End(seq(4))
	if got := committable(t, tr); got != 1 {
		t.Fatalf("empty transactions passed an unacknowledged one: committable at %d", got)
	}
	x.Ack(nil)
	if got := committable(t, tr); got != 4 {
		t.Fatalf("committable at %d, want 4", got)
	}
}

func TestTrackerOpenTransactionHoldsBack(t *testing.T) {
	tr := NewTracker()
	x := tr.Begin()
	x.Add(2)
	x.Ack(nil)
	x.Ack(nil)
	if got := committable(t, tr); got != -1 {
		t.Fatalf("committable at %d before the transaction ended", got)
	}
	x.End(seq(1))
	if got := committable(t, tr); got != 1 {
		t.Fatalf("committable at %d, want 1", got)
	}
}

func TestTrackerFailedAckBlocks(t *testing.T) {
	tr := NewTracker()
	var txns []*Txn
	for i := range 4 {
		x := tr.Begin()
		x.Add(2)
		x.End(seq(i + 1))
		txns = append(txns, x)
	}
	errFirst, errSecond := errors.New("produce failed: NOT_ENOUGH_REPLICAS"), errors.New("later failure")
	txns[0].Ack(nil)
	txns[0].Ack(nil)
	txns[1].Ack(nil)
	txns[1].Ack(errFirst)
	txns[2].Ack(nil)
	txns[2].Ack(nil)
	txns[3].Ack(errSecond)
	txns[3].Ack(nil)
	tr.Begin().End(seq(5))
	if got := committable(t, tr); got != 1 {
		t.Fatalf("committable at %d, want 1 (the transaction before the failed one)", got)
	}
	if !errors.Is(tr.Err(), errFirst) {
		t.Fatalf("Err = %v, want the first error", tr.Err())
	}
	if got := committable(t, tr); got != 1 {
		t.Fatalf("committable moved past the failed transaction to %d", got)
	}
}

func TestTrackerFailureBeforeLastAck(t *testing.T) {
	// The failing ack is not the one that brings the count to zero.
	tr := NewTracker()
	x := tr.Begin()
	x.Add(3)
	x.End(seq(1))
	x.Ack(errors.New("boom"))
	x.Ack(nil)
	x.Ack(nil)
	if got := committable(t, tr); got != -1 {
		t.Fatalf("failed transaction committable at %d", got)
	}
}

func TestTrackerTooManyAcks(t *testing.T) {
	tr := NewTracker()
	x := tr.Begin()
	x.Add(1)
	x.Ack(nil)
	x.Ack(nil)
	x.End(seq(1))
	if !errors.Is(tr.Err(), ErrTooManyAcks) {
		t.Fatalf("Err = %v, want ErrTooManyAcks", tr.Err())
	}
	if got := committable(t, tr); got != -1 {
		t.Fatalf("over-acknowledged transaction committable at %d", got)
	}
}

func TestTrackerMisusePanics(t *testing.T) {
	tr := NewTracker()
	x := tr.Begin()
	x.End(seq(1))
	for name, f := range map[string]func(){
		"Add after End": func() { x.Add(1) },
		"End twice":     func() { x.End(seq(2)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}

// Slots are reused: memory follows the transactions in flight, and a steady
// stream of transactions allocates nothing.
func TestTrackerReusesSlots(t *testing.T) {
	tr := NewTracker()
	positions := make([]change.Position, 8)
	for i := range positions {
		positions[i] = seq(i)
	}
	run := func(i int) {
		a, b := tr.Begin(), (*Txn)(nil)
		a.Add(3)
		p := a.Promise()
		a.End(positions[i%8])
		b = tr.Begin()
		b.End(positions[(i+1)%8])
		p(nil)
		a.Ack(nil)
		p(nil)
		if _, ok := tr.Committable(); !ok || tr.InFlight() != 0 {
			t.Fatal("not committable")
		}
	}
	for i := range 100 {
		run(i)
	}
	if allocs := testing.AllocsPerRun(1000, func() { run(3) }); allocs != 0 {
		t.Errorf("a steady stream of transactions allocates %.1f times per transaction", allocs)
	}
	if len(tr.free) > 2 || len(tr.queue.buf) > 8 {
		t.Errorf("%d free slots and a queue of %d for 2 transactions in flight", len(tr.free), len(tr.queue.buf))
	}
}

// A poller producing transactions while acks arrive from several goroutines
// in random order and a committer polls Committable: the committable position
// only moves forward, only to transactions whose records and all earlier
// ones are acknowledged, and ends at the last transaction.
func TestTrackerConcurrent(t *testing.T) {
	const (
		numTxns   = 3000
		ackers    = 4
		maxRecs   = 5
		emptyEach = 7
	)
	tr := NewTracker()
	// acked[i] counts acknowledged records of transaction i; want[i] is its size.
	var acked, want [numTxns + 1]atomic.Int64
	type rec struct {
		txn *Txn
		i   int
	}
	ch := make([]chan rec, ackers)
	for i := range ch {
		ch[i] = make(chan rec, 64)
	}
	var wg sync.WaitGroup
	for a := range ackers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(a), 9))
			var held []rec
			flush := func(r rec) {
				acked[r.i].Add(1)
				r.txn.Promise()(nil)
			}
			for r := range ch[a] {
				held = append(held, r)
				// Hold back and shuffle to acknowledge out of order.
				if len(held) > 8 {
					k := rng.IntN(len(held))
					flush(held[k])
					held[k] = held[len(held)-1]
					held = held[:len(held)-1]
				}
			}
			rng.Shuffle(len(held), func(i, j int) { held[i], held[j] = held[j], held[i] })
			for _, r := range held {
				flush(r)
			}
		})
	}
	stop := make(chan struct{})
	checkerDone := make(chan struct{})
	go func() {
		defer close(checkerDone)
		last := -1
		for {
			select {
			case <-stop:
				return
			default:
			}
			p, ok := tr.Committable()
			if !ok {
				continue
			}
			n := int(p.(seq))
			if n < last {
				t.Errorf("committable moved back from %d to %d", last, n)
				return
			}
			for i := last + 1; i <= n; i++ {
				if i > 0 && acked[i].Load() != want[i].Load() {
					t.Errorf("committable at %d but transaction %d has %d of %d records acknowledged",
						n, i, acked[i].Load(), want[i].Load())
					return
				}
			}
			last = n
		}
	}()

	rng := rand.New(rand.NewPCG(7, 7))
	for i := 1; i <= numTxns; i++ {
		n := rng.IntN(maxRecs + 1)
		if i%emptyEach == 0 {
			n = 0
		}
		want[i].Store(int64(n))
		// Spread a transaction over up to two batches.
		first := n / 2
		x := tr.Begin()
		x.Add(first)
		for range first {
			ch[rng.IntN(ackers)] <- rec{x, i}
		}
		x = tr.Begin()
		x.Add(n - first)
		for range n - first {
			ch[rng.IntN(ackers)] <- rec{x, i}
		}
		x.End(seq(i))
	}
	for _, c := range ch {
		close(c)
	}
	wg.Wait()
	close(stop)
	<-checkerDone
	if got := committable(t, tr); got != numTxns {
		t.Fatalf("committable at %d after everything was acknowledged, want %d", got, numTxns)
	}
	if tr.InFlight() != 0 || tr.Err() != nil {
		t.Fatalf("InFlight %d, Err %v", tr.InFlight(), tr.Err())
	}
}

func BenchmarkTrackerAck(b *testing.B) {
	tr := NewTracker()
	x := tr.Begin()
	x.Add(b.N)
	p := x.Promise()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p(nil)
		}
	})
}

// TestTrackerEnded: Ended follows End at once, acknowledged or not, and an
// open transaction does not move it.
func TestTrackerEnded(t *testing.T) {
	tr := NewTracker()
	if _, ok := tr.Ended(); ok {
		t.Fatal("a new tracker has an ended position")
	}
	x := tr.Begin()
	x.Add(2)
	x.End(seq(1))
	y := tr.Begin()
	y.Add(1)
	if p, ok := tr.Ended(); !ok || p.(seq) != 1 {
		t.Fatalf("Ended %v %v, want 1 with its records unacknowledged and the next open", p, ok)
	}
	y.End(seq(2))
	if p, _ := tr.Ended(); p.(seq) != 2 || committable(t, tr) != -1 {
		t.Fatalf("Ended %v, committable %d: want 2 and none", p, committable(t, tr))
	}
}
