package offsets

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/sluice-cdc/sluice/connector/change"
)

// ErrTooManyAcks is the tracker's error when a transaction receives more
// acknowledgements than records were added to it: a bug in the caller, which
// stops the position from moving rather than risk skipping data.
var ErrTooManyAcks = errors.New("offsets: a transaction got more acknowledgements than records")

// Tracker decides which source position may be committed. Records of a
// source transaction are produced asynchronously and acknowledged out of
// order; the position after a transaction becomes committable only once that
// transaction and every earlier one are fully acknowledged without error.
// Transactions without records (filtered tables, bare commits) advance the
// position as soon as everything before them is acknowledged.
//
// Usage, on the poller goroutine:
//
//	txn := t.Begin()       // the open transaction, new if the last one ended
//	txn.Add(len(records))  // before producing them
//	for _, r := range records {
//		producer.Produce(ctx, r, txn.Ack) // or the stable txn.Promise()
//	}
//	txn.End(pos)           // at the transaction's end: resume from pos after it
//
// and, on any goroutine (a commit timer):
//
//	if pos, ok := t.Committable(); ok { store it }
//
// Begin, Add and End must be called from one goroutine at a time (the
// poller). Ack and the Promise functions may be called from any goroutine.
// Committable, Err and InFlight may be called from any goroutine.
//
// Memory is bounded by the number of transactions not yet committable; their
// slots are reused. After Err reports a failure nothing becomes committable
// any more, so the caller should stop beginning transactions (the task
// fails) rather than queue them without end. Per record, the cost is one atomic add on Add's count
// and one per acknowledgement; nothing is allocated.
type Tracker struct {
	mu        sync.Mutex
	queue     txnRing // ended or open transactions, oldest first
	free      []*Txn  // slots to reuse
	committed change.Position
	hasPos    bool
	// ended is the position after the newest transaction ended,
	// acknowledged or not (Ended).
	ended    change.Position
	hasEnded bool

	open *Txn // poller goroutine only

	err atomic.Pointer[error]
}

// Txn is one source transaction's slot in a Tracker. It is the ticket for
// the acknowledgements of the transaction's records. A Txn is reused for a
// later transaction once it has been passed by Committable: every record
// added to it must be acknowledged exactly once, and never after that.
type Txn struct {
	t       *Tracker
	pending atomic.Int64 // records added and not acknowledged
	failed  atomic.Bool
	promise func(error)
	// added counts the records added since Begin (poller goroutine only),
	// for Clean.
	added int64
	// Aux is the user's own per-slot data, kept when the slot is reused
	// for a later transaction (the poller's producer callbacks: a map from
	// slot to callbacks cost 5% of the CPU with one-row transactions).
	// Only the goroutine that calls Begin may use it.
	Aux any

	// Under t.mu.
	ended bool
	pos   change.Position
}

// NewTracker returns an empty tracker: nothing is committable until the
// first transaction ends and is acknowledged.
func NewTracker() *Tracker {
	return &Tracker{}
}

// Begin returns the open transaction, starting a new one when there is
// none (at the start, or after End).
func (t *Tracker) Begin() *Txn {
	if t.open != nil {
		return t.open
	}
	t.mu.Lock()
	var x *Txn
	if n := len(t.free); n > 0 {
		x = t.free[n-1]
		t.free[n-1] = nil
		t.free = t.free[:n-1]
	} else {
		x = &Txn{t: t}
		x.promise = x.Ack
	}
	t.queue.push(x)
	t.mu.Unlock()
	x.added = 0
	t.open = x
	return x
}

// Clean reports whether no transaction is open with records in it: every
// record added so far belongs to a transaction that has ended, so the
// position Committable reaches once they are acknowledged covers them all.
// Poller goroutine only, as Begin.
func (t *Tracker) Clean() bool {
	return t.open == nil || t.open.added == 0
}

// Add counts n more records in the transaction; call it before producing
// them, so that their acknowledgements cannot complete the transaction early.
func (x *Txn) Add(n int) {
	if x.t.open != x {
		panic("offsets: Txn.Add on a transaction that has ended")
	}
	x.added += int64(n)
	x.pending.Add(int64(n))
}

// Ack acknowledges one record of the transaction: err is the produce
// result. The first error is kept (see Tracker.Err) and the transaction
// never becomes committable, nor does any later one. A record the caller
// added but could not produce must be acknowledged with an error too.
func (x *Txn) Ack(err error) {
	t := x.t
	if err != nil {
		// Before the decrement: Committable, seeing the count reach zero,
		// also sees the failure.
		x.failed.Store(true)
		t.setErr(err)
	}
	if x.pending.Add(-1) < 0 {
		x.failed.Store(true)
		t.setErr(ErrTooManyAcks)
	}
}

// Promise returns x.Ack as a function value that is the same for the life
// of the slot, so a caller that adapts it to a producer's callback can
// cache the adapter per slot and allocate nothing per record.
func (x *Txn) Promise() func(error) { return x.promise }

// End closes the transaction: it is complete at the source and pos is where
// to resume after it. The next Begin starts a new transaction.
func (x *Txn) End(pos change.Position) {
	t := x.t
	if t.open != x {
		panic("offsets: Txn.End on a transaction that has ended")
	}
	t.mu.Lock()
	x.pos = pos
	x.ended = true
	t.ended, t.hasEnded = pos, true
	t.mu.Unlock()
	t.open = nil
}

// Ended returns the position after the newest transaction that has ended,
// whether or not its records are acknowledged; ok is false before the
// first. A Kafka transaction that holds every record up to it, and commits
// only once they are all acknowledged, may store it with them.
func (t *Tracker) Ended() (pos change.Position, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ended, t.hasEnded
}

func (t *Tracker) setErr(err error) {
	t.err.CompareAndSwap(nil, &err)
}

// Err returns the first error a record was acknowledged with, or nil. Once
// it is set, Committable never moves past the failed transaction.
func (t *Tracker) Err() error {
	if p := t.err.Load(); p != nil {
		return *p
	}
	return nil
}

// Committable returns the position after the latest transaction that,
// together with every transaction before it, has ended and is fully
// acknowledged without error; ok is false while there is none. The same
// position is returned until another transaction completes.
func (t *Tracker) Committable() (pos change.Position, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.queue.len() > 0 {
		x := t.queue.front()
		// pending is read before failed: Ack stores failed before
		// decrementing.
		if !x.ended || x.pending.Load() != 0 || x.failed.Load() {
			break
		}
		t.queue.pop()
		t.committed, t.hasPos = x.pos, true
		x.pos, x.ended = nil, false
		t.free = append(t.free, x)
	}
	return t.committed, t.hasPos
}

// InFlight returns the number of transactions begun and not yet passed by
// Committable (the open one included).
func (t *Tracker) InFlight() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.queue.len()
}

// txnRing is a FIFO of transactions that grows by doubling and never
// shrinks below its high-water mark, so steady state does not allocate.
type txnRing struct {
	buf  []*Txn
	head int
	n    int
}

func (r *txnRing) len() int    { return r.n }
func (r *txnRing) front() *Txn { return r.buf[r.head] }

func (r *txnRing) push(x *Txn) {
	if r.n == len(r.buf) {
		buf := make([]*Txn, max(8, 2*len(r.buf)))
		for i := 0; i < r.n; i++ {
			buf[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = buf, 0
	}
	r.buf[(r.head+r.n)%len(r.buf)] = x
	r.n++
}

func (r *txnRing) pop() {
	r.buf[r.head] = nil
	r.head = (r.head + 1) % len(r.buf)
	r.n--
}
