package connector

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters"
	"github.com/sluice-cdc/sluice/offsets"
	"github.com/sluice-cdc/sluice/smt"
)

// ConversionWorker is what one more conversion goroutine needs of its own
// (sluice.conversion.threads): a transform chain and converters that no
// other goroutine's caches contend for. An Avro converter is the poller's
// own: its schema ids must be shared.
type ConversionWorker struct {
	Transforms                   smt.Chain
	KeyConverter, ValueConverter converters.Converter
}

// Conversion workers build, transform and convert a batch's row events in
// parallel, ahead of the poller; the poller then produces their records,
// one event after the other in the queue's order, and does all the
// bookkeeping (transactions, acknowledgements, offsets, heartbeats) as it
// does alone; with transaction metadata there are no workers. So per-key order and the offset
// rules are the single goroutine's. An event a worker cannot finish (a
// transform or converter error, a schema the registry has not seen yet) is
// left to the poller, which builds it again and handles it as it would
// have: retries, errors.tolerance, the dead letter queue, registrations
// in the events' order.
type worker struct {
	builder recordBuilder
	chain   smt.Chain
	enc     encoder
	records []change.Record
}

// prepared is one event's records as a worker left them; ok is false when
// the poller must build it itself.
type prepared struct {
	ok   bool
	recs []preparedRecord
}

type preparedRecord struct {
	kr      *kgo.Record
	recycle bool
}

// eventsPerWorker is how many events each worker gets per round: enough
// for the goroutines' start to cost nothing (an event takes 2-20 µs), few
// enough to keep the records converted ahead small in memory.
const eventsPerWorker = 64

// minRound is the fewest events the workers get a round of: a smaller
// batch's rest is the poller's alone.
const minRound = 16

// newWorkers makes the poller's workers: the first uses the poller's own
// transforms and converters (it runs on the poller's goroutine), the
// others cfg.Workers'.
func newWorkers(cfg *PollerConfig, values *recycler, b recordBuilder) []*worker {
	if len(cfg.Workers) == 0 {
		return nil
	}
	ws := []*worker{{builder: b, chain: cfg.Transforms, enc: newEncoder(cfg, values)}}
	for _, w := range cfg.Workers {
		enc := newEncoder(cfg, values)
		enc.key, enc.value = w.KeyConverter, w.ValueConverter
		ws = append(ws, &worker{builder: b, chain: w.Transforms, enc: enc})
	}
	return ws
}

// prepareAhead has the workers prepare entries' row events from i on,
// once per round, and returns what they made of i's; nil without workers.
func (p *Poller) prepareAhead(ctx context.Context, entries []entry, i int) *prepared {
	if len(p.workers) == 0 {
		return nil
	}
	if i < p.preFrom || i >= p.preFrom+len(p.pre) {
		n := min(len(entries)-i, eventsPerWorker*len(p.workers))
		p.prepareRound(ctx, entries[i:i+n])
		p.preFrom = i
	}
	return &p.pre[i-p.preFrom]
}

// prepareRound prepares entries' row events on the workers and waits for
// them. Each takes the next event left (an atomic counter), so a worker
// that meets costly events does not hold the others up.
func (p *Poller) prepareRound(ctx context.Context, entries []entry) {
	if cap(p.pre) < len(entries) {
		p.pre = make([]prepared, len(entries))
	}
	p.pre = p.pre[:len(entries)]
	if len(entries) < minRound {
		// Starting goroutines for a few events (one-row transactions
		// arriving one by one) costs more than converting them.
		for i := range p.pre {
			p.pre[i].ok = false
		}
		return
	}
	ctx = converters.CachedOnly(ctx)
	var next atomic.Int64
	run := func(w *worker) {
		w.builder.tick()
		for {
			i := int(next.Add(1) - 1)
			if i >= len(entries) {
				return
			}
			w.prepare(ctx, &entries[i], p.cfg.Headers, &p.pre[i])
		}
	}
	var wg sync.WaitGroup
	for _, w := range p.workers[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(w)
		}()
	}
	run(p.workers[0])
	wg.Wait()
}

// prepare builds, transforms and converts one row event's records, or
// leaves out.ok false for the poller.
func (w *worker) prepare(ctx context.Context, e *entry, headers []change.Header, out *prepared) {
	out.ok, out.recs = false, out.recs[:0]
	if e.Kind != change.KindRow {
		return
	}
	var err error
	if w.records, err = w.builder.build(&e.Event, w.records[:0]); err != nil {
		return
	}
	withHeaders(w.records, headers)
	kept, err := w.chain.Apply(w.records)
	if err != nil {
		return
	}
	for j := range kept {
		kr, recycle, err := w.enc.toKafka(ctx, &kept[j])
		if err != nil {
			clear(out.recs)
			out.recs = out.recs[:0]
			return
		}
		out.recs = append(out.recs, preparedRecord{kr: kr, recycle: recycle})
	}
	clear(w.records) // the converted records no longer need their values
	out.ok = true
}

// producePrepared produces a worker's records of one event; false (and
// nothing produced) when a topic could not be ensured at once, for the
// poller's own path, which retries or tolerates that.
func (p *Poller) producePrepared(ctx context.Context, txn *offsets.Txn, pr *prepared) bool {
	for _, r := range pr.recs {
		if r.kr.Topic == p.ensured {
			continue
		}
		if err := p.cfg.Topics.Ensure(ctx, r.kr.Topic); err != nil {
			return false
		}
		p.ensured = r.kr.Topic
	}
	txn.Add(len(pr.recs))
	for i := range pr.recs {
		r := &pr.recs[i]
		p.cfg.Producer.Produce(ctx, r.kr, p.promise(txn, r.recycle))
		r.kr = nil
	}
	return true
}
