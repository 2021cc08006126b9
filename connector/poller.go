package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/internal/kafkaacl"
	"github.com/sluice-cdc/sluice/offsets"
	"github.com/sluice-cdc/sluice/smt"
)

// PollerConfig wires a poller to its queue, transforms, converters,
// producer and offset store.
type PollerConfig struct {
	Queue          *Queue
	Transforms     smt.Chain
	KeyConverter   converters.Converter
	ValueConverter converters.Converter
	Producer       Producer
	Topics         TopicEnsurer
	Store          offsets.Store
	OffsetKey      []byte
	// Combine merges the positions of the task's readers, in the order they
	// registered, into the one position stored. nil: the task has one reader.
	Combine    func([]change.Position) (change.Position, error)
	Tombstones bool
	// SkipUnchanged drops updates whose values did not change
	// (skip.messages.without.change).
	SkipUnchanged bool
	// Errors is errors.*: what a record a transform or converter fails on
	// does (the zero value stops the task, Connect's default).
	Errors ErrorHandling
	// KeyConverterClass and ValueConverterClass name the converters in
	// error reports.
	KeyConverterClass, ValueConverterClass string
	// Headers are added to every record after its own (Debezium's
	// __debezium.context.* headers); nil adds none.
	Headers      []change.Header
	MaxBatch     int
	PollInterval time.Duration
	// FlushInterval is offset.flush.interval.ms: how often the position is
	// stored while records flow.
	FlushInterval time.Duration
	// CommitTimeout bounds one offset write (0: 10 s), so that a broker
	// that stalls cannot hold a stopping task.
	CommitTimeout time.Duration
	// TransactionTopic, when set, turns on transaction metadata
	// (provide.transaction.metadata): BEGIN and END records on it and the
	// envelope's transaction block (txmeta.go).
	TransactionTopic string
	// TxCollection, when set, names a row's data collection in the
	// transaction metadata (see TxCollectionNamer).
	TxCollection func(e *change.Event) string
	// SkipOps are skipped.operations dropped record by record (see
	// OperationSkipper); nil: none, or the source filters them itself.
	SkipOps map[change.Op]bool
	// HeartbeatInterval, when positive, writes heartbeat records keyed by
	// ServerName (topic.prefix) to HeartbeatTopic (heartbeat.go).
	HeartbeatInterval time.Duration
	HeartbeatTopic    string
	ServerName        string
	// HeartbeatAction runs heartbeat.action.query with each heartbeat
	// record (nil: none).
	HeartbeatAction func(ctx context.Context) error
	Hooks           Hooks
	Logger          *zap.Logger
	// Workers are the conversion goroutines beyond the poller's own
	// (sluice.conversion.threads - 1); none: the poller converts alone.
	Workers []ConversionWorker
	// Txn, when set, is Producer writing in Kafka transactions: exactly-once
	// delivery (eos.go). The offset is then written in the transaction
	// (OffsetRecord), each transaction ending at a source transaction end
	// once a batch was taken (TxnInterval 0, transaction.boundary=poll) or
	// TxnInterval passed.
	Txn          TxnWriter
	TxnInterval  time.Duration
	OffsetRecord func(value []byte) *kgo.Record
}

// Poller takes batches from the queue, builds Debezium records, runs the
// transform chain, converts and produces them, and stores the source
// position once Kafka has acknowledged every record before it. It runs on
// one goroutine, which alone produces and keeps the books; conversion
// workers (workers.go) may build and convert records ahead of it.
type Poller struct {
	cfg      PollerConfig
	trackers []*offsets.Tracker // one per reader, by reader id
	// values recycles record values once Kafka has acknowledged them,
	// for a value converter that can write into a given buffer.
	values    recycler
	enc       encoder
	builder   recordBuilder
	log       *zap.Logger
	committed []byte // the last offset value stored
	lastFlush time.Time
	records   []change.Record
	extra     []change.Record // transaction metadata and heartbeats
	entries   []entry
	meta      *txMonitor // nil without transaction metadata
	txEnd     txEndOffset
	beat      *heartbeat // nil without heartbeats
	// ensured is the topic ensured last: a run of records to one topic
	// asks the ensurer (a lock and a map lookup) once.
	ensured string
	// originals are the records of the event being produced as the source
	// built them, when error handling needs them; dlqReady is set once the
	// dead letter queue topic exists.
	originals []change.Record
	dlqReady  bool
	// workers, when sluice.conversion.threads is above 1, prepare the
	// batch's row events ahead (workers.go): pre holds what they made of
	// the entries from preFrom on.
	workers []*worker
	pre     []prepared
	preFrom int
	// txnWanted: with Txn, the Kafka transaction ends at the next point
	// where every record produced belongs to a source transaction that
	// has ended.
	txnWanted bool
}

// NewPoller returns a poller; Run starts it.
func NewPoller(cfg PollerConfig) *Poller {
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.CommitTimeout <= 0 {
		cfg.CommitTimeout = 10 * time.Second
	}
	p := &Poller{cfg: cfg, log: cfg.Logger,
		builder: recordBuilder{tombstones: cfg.Tombstones, skipUnchanged: cfg.SkipUnchanged, now: time.Now}}
	if len(cfg.SkipOps) > 0 {
		p.builder.skip = new([256]bool)
		for op := range cfg.SkipOps {
			p.builder.skip[op] = true
		}
	}
	p.enc = newEncoder(&p.cfg, &p.values)
	p.enc.retry = p.retry
	if cfg.TransactionTopic != "" {
		p.meta = &txMonitor{topic: cfg.TransactionTopic, collection: cfg.TxCollection}
	}
	switch {
	case p.meta == nil:
		p.workers = newWorkers(&p.cfg, &p.values, p.builder)
	case len(cfg.Workers) > 0:
		// Transaction metadata numbers a transaction's records as they
		// are built, before the transforms: one goroutine's work.
		p.log.Warn("sluice.conversion.threads has no effect with provide.transaction.metadata: records are converted on one goroutine")
	}
	if cfg.HeartbeatInterval > 0 {
		p.beat = newHeartbeat(cfg.HeartbeatTopic, cfg.ServerName, cfg.HeartbeatInterval, time.Now)
	}
	return p
}

// Run polls until sourceDone is closed and the queue is empty, then flushes
// the producer and stores the final position. Cancelling ctx is the hard
// stop: Run returns without the final commit. Offsets never move past a
// record Kafka has not acknowledged, whatever happens.
func (p *Poller) Run(ctx context.Context, sourceDone <-chan struct{}) error {
	p.lastFlush = time.Now()
	for {
		var err error
		p.entries, err = p.cfg.Queue.take(ctx, p.entries[:0], p.cfg.MaxBatch, p.cfg.PollInterval)
		if err != nil {
			return nil // hard stop
		}
		if len(p.entries) == 0 {
			select {
			case <-sourceDone:
				if p.cfg.Queue.Len() == 0 {
					return p.finish(ctx)
				}
			default:
			}
		}
		if len(p.cfg.Hooks) > 0 {
			p.cfg.Hooks.queue(p.cfg.Queue.fill())
		}
		if err := p.process(ctx, p.entries); err != nil {
			return err
		}
		if err := p.failure(); err != nil {
			return err
		}
		// committable also recycles finished transaction slots: call it
		// every batch so memory stays bounded by in-flight transactions.
		pos, ok, err := p.committable()
		if err != nil {
			return err
		}
		if p.cfg.Txn != nil {
			if err := p.txnBoundary(ctx); err != nil {
				return err
			}
			continue
		}
		if ok && time.Since(p.lastFlush) >= p.cfg.FlushInterval {
			p.commit(ctx, pos)
		}
	}
}

func (p *Poller) tracker(reader int) *offsets.Tracker {
	for len(p.trackers) <= reader {
		p.trackers = append(p.trackers, offsets.NewTracker())
	}
	return p.trackers[reader]
}

func (p *Poller) process(ctx context.Context, entries []entry) error {
	p.builder.tick()
	var start time.Time // read only when a commit's lag is wanted
	if len(p.cfg.Hooks) > 0 {
		start = time.Now()
	}
	p.pre, p.preFrom = p.pre[:0], 0
	for i := range entries {
		e := &entries[i]
		txn := p.tracker(e.reader).Begin()
		switch e.Kind {
		case change.KindBegin:
			if err := p.extras(ctx, txn, &e.Event); err != nil {
				return err
			}
			continue
		case change.KindCommit:
			if err := p.extras(ctx, txn, &e.Event); err != nil {
				return err
			}
			if e.Position == nil {
				continue // a transaction's END where the source cannot resume
			}
			txn.End(e.Position)
			if e.TsMs > 0 && len(p.cfg.Hooks) > 0 {
				// The last row's processing time when it was in this
				// batch: one clock read fewer per transaction.
				now := p.builder.last
				if now.Before(start) {
					now = time.Now()
				}
				p.cfg.Hooks.lag(now, now.Sub(time.UnixMilli(e.TsMs)))
			}
			if p.txnWanted && e.stored == nil && p.clean() {
				if err := p.commitTxn(ctx); err != nil {
					return err
				}
			}
			if e.stored != nil {
				err := p.commitNow(ctx)
				e.stored <- err
				if err != nil {
					return err
				}
			}
			continue
		case change.KindRecord:
			p.records = append(p.records[:0], *e.Record)
		default:
			if pr := p.prepareAhead(ctx, entries, i); pr != nil && pr.ok && p.producePrepared(ctx, txn, pr) {
				if len(p.cfg.Hooks) > 0 {
					p.cfg.Hooks.events(e.Op, 1)
				}
				if err := p.extras(ctx, txn, &e.Event); err != nil {
					return err
				}
				continue
			}
			var err error
			if p.records, err = p.builder.build(&e.Event, p.records[:0]); err != nil {
				return fault.Definite(err)
			}
			if p.meta != nil {
				p.meta.data(&e.Event, p.records)
			}
			if len(p.cfg.Hooks) > 0 {
				p.cfg.Hooks.events(e.Op, 1)
			}
		}
		withHeaders(p.records, p.cfg.Headers)
		if err := p.send(ctx, txn, p.records); err != nil {
			return err
		}
		if err := p.extras(ctx, txn, &e.Event); err != nil {
			return err
		}
	}
	return nil
}

// send transforms a source event's records and produces what the
// transforms keep.
func (p *Poller) send(ctx context.Context, txn *offsets.Txn, records []change.Record) error {
	out, err := p.transform(ctx, txn, records)
	if err != nil {
		return err
	}
	return p.produce(ctx, txn, out)
}

// produce converts and hands over a source event's records.
func (p *Poller) produce(ctx context.Context, txn *offsets.Txn, records []change.Record) error {
	// Counted before producing, so that their acknowledgements cannot
	// complete the transaction early.
	txn.Add(len(records))
	for j := range records {
		r := &records[j]
		var err error
		if r.Topic != p.ensured {
			err = p.cfg.Topics.Ensure(ctx, r.Topic)
			if err != nil && !fault.IsDefinite(err) {
				// The retry's closure and text only on the rare failure:
				// this runs for every new topic.
				err = p.retry(ctx, "creating topic "+r.Topic, func() error { return p.cfg.Topics.Ensure(ctx, r.Topic) })
			}
			if err == nil {
				p.ensured = r.Topic
			}
		}
		var kr *kgo.Record
		var recycle bool
		if err == nil {
			kr, recycle, err = p.enc.toKafka(ctx, r)
		}
		if err != nil && p.cfg.Errors.active() {
			if err = p.tolerateStage(ctx, txn, j, err); err == nil {
				txn.Ack(nil) // skipped: nothing of it to wait for
				continue
			}
		}
		if err != nil {
			// Acknowledge the records never produced as failed, so the
			// position cannot pass them.
			for k := j; k < len(records); k++ {
				txn.Ack(err)
			}
			return err
		}
		p.cfg.Producer.Produce(ctx, kr, p.promise(txn, recycle))
	}
	return nil
}

// tolerateStage applies errors.tolerance to a record's conversion error:
// nil when the record is skipped. Apart from produce so that its error
// target is allocated on failures only, not for every record.
func (p *Poller) tolerateStage(ctx context.Context, txn *offsets.Txn, j int, err error) error {
	var se *stageError
	if !errors.As(err, &se) {
		return err
	}
	var orig *change.Record
	if j < len(p.originals) {
		orig = &p.originals[j]
	}
	return p.tolerate(ctx, txn, orig, se.stage, se.class, err)
}

// promises are a transaction slot's producer callbacks, made once per slot
// and kept in its Aux.
type promises struct {
	plain func(*kgo.Record, error)
	// recycling also gives the record's value to the poller's recycler:
	// for values the poller converted (not the dead letter queue's,
	// whose value is the failed record's own).
	recycling func(*kgo.Record, error)
}

// promise adapts a transaction's acknowledgement to the producer's
// callback; recycle: the record's value is the poller's to reuse.
func (p *Poller) promise(txn *offsets.Txn, recycle bool) func(*kgo.Record, error) {
	ps, ok := txn.Aux.(*promises)
	if !ok {
		ps = &promises{}
		ack, hooks := txn.Promise(), p.cfg.Hooks
		ps.plain = func(r *kgo.Record, err error) {
			if len(hooks) > 0 {
				hooks.produced(r.Topic, err)
			}
			if err != nil {
				err = produceError(r, err)
			}
			ack(err)
		}
		plain := ps.plain
		ps.recycling = func(r *kgo.Record, err error) {
			plain(r, err)
			p.values.put(r.Value)
		}
		txn.Aux = ps
	}
	if recycle {
		return ps.recycling
	}
	return ps.plain
}

// produceError names the record Kafka refused and, for the refusals a
// setting fixes, the settings.
func produceError(r *kgo.Record, err error) error {
	err = fmt.Errorf("kafka did not accept a record for topic %s with key %s: %w", r.Topic, keyText(r.Key), err)
	if errors.Is(err, kerr.MessageTooLarge) || errors.Is(err, kerr.RecordListTooLarge) {
		err = fmt.Errorf("%w; the record is %d bytes: raise the topic's max.message.bytes (or the broker's message.max.bytes) and the worker's producer.batch.size (Sluice's largest batch, which bounds a record as Kafka's max.request.size does), or make rows smaller with column.truncate.to.N.chars or column.exclude.list", err, len(r.Key)+len(r.Value))
	}
	grant := kafkaacl.Topic(r.Topic, "WRITE", "DESCRIBE")
	switch {
	case errors.Is(err, kerr.ClusterAuthorizationFailed):
		grant = "IDEMPOTENT_WRITE on the cluster (brokers before Kafka 2.8 ask it of an idempotent producer)"
	case errors.Is(err, kerr.TransactionalIDAuthorizationFailed):
		grant = "WRITE and DESCRIBE on the connector's transactional id"
	}
	return kafkaacl.Explain(err, grant)
}

func keyText(k []byte) string {
	if k == nil {
		return "null"
	}
	if len(k) > 200 {
		return string(k[:200]) + "…"
	}
	return string(k)
}

// retry runs f until it succeeds, returns a definite error, or ctx ends,
// backing off between transient failures and logging each.
func (p *Poller) retry(ctx context.Context, what string, f func() error) error {
	backoff := 500 * time.Millisecond
	for {
		err := f()
		if err == nil || fault.IsDefinite(err) {
			return err
		}
		p.cfg.Hooks.failed(err, false)
		p.log.Warn("retrying", zap.String("doing", what), zap.Duration("backoff", backoff), zap.Error(err))
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (stopped while retrying)", what, err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// sameHeaders reports whether a is the task's headers b (as withHeaders
// appends them; their values are strings).
func sameHeaders(a, b []change.Header) bool {
	for i := range a {
		av, ok1 := a[i].Value.(string)
		bv, ok2 := b[i].Value.(string)
		if a[i].Key != b[i].Key || a[i].Schema != b[i].Schema || !ok1 || !ok2 || av != bv {
			return false
		}
	}
	return true
}

// failure is the first produce error of any reader, as the error that
// stops the task.
func (p *Poller) failure() error {
	for _, t := range p.trackers {
		if err := t.Err(); err != nil {
			if p.cfg.Txn != nil {
				err = p.cfg.Txn.Explain(err)
			}
			stays := "none stored yet"
			if p.committed != nil {
				stays = string(p.committed)
			}
			return fault.Definite(fmt.Errorf("%w; the connector stops and its offset stays before that record (%s)", err, stays))
		}
	}
	return nil
}

// committable is the position to store: every reader's latest fully
// acknowledged transaction end (or its start, before its first one),
// combined. ok is false while a reader has neither.
func (p *Poller) committable() (change.Position, bool, error) {
	return p.position((*offsets.Tracker).Committable)
}

// position combines every reader's position as of reaches: the latest
// fully acknowledged transaction end (Committable) or the latest end
// (Ended, for a Kafka transaction that commits only once its records are
// all acknowledged).
func (p *Poller) position(reaches func(*offsets.Tracker) (change.Position, bool)) (change.Position, bool, error) {
	slots := p.cfg.Queue.slots()
	positions := make([]change.Position, 0, len(slots))
	for i, r := range slots {
		pos := r.start
		if r.retired && r.queued > 0 {
			// Events the poller has not taken yet: storing the readers'
			// positions that took over now would skip them after a crash.
			return nil, false, nil
		}
		if i < len(p.trackers) {
			if c, ok := reaches(p.trackers[i]); ok {
				pos = c
			}
			if r.retired && p.trackers[i].InFlight() > 0 {
				return nil, false, nil // its records still hold the position back
			}
		}
		if r.retired {
			continue
		}
		if pos == nil {
			return nil, false, nil
		}
		positions = append(positions, pos)
	}
	switch {
	case len(positions) == 0:
		return nil, false, nil
	case p.cfg.Combine == nil && len(positions) == 1:
		return positions[0], true, nil
	case p.cfg.Combine == nil:
		return nil, false, fault.Definite(fmt.Errorf("the task runs %d readers but its source cannot combine their positions", len(positions)))
	}
	pos, err := p.cfg.Combine(positions)
	if err != nil {
		return nil, false, fault.Definite(fmt.Errorf("combining the readers' positions: %w", err))
	}
	return pos, true, nil
}

// commitNow waits for every record produced so far and stores the position
// reached, before the poller goes on. An error here stops the task: a
// reader is waiting for this position to be durable.
func (p *Poller) commitNow(ctx context.Context) error {
	if p.cfg.Txn != nil {
		return p.commitTxn(ctx)
	}
	if err := p.cfg.Producer.Flush(ctx); err != nil {
		return err
	}
	if err := p.failure(); err != nil {
		return err
	}
	pos, ok, err := p.committable()
	if err != nil || !ok {
		return err
	}
	value, err := pos.OffsetValue()
	if err != nil {
		return fault.Definite(fmt.Errorf("encoding offset: %w", err))
	}
	value = p.txEnd.apply(value)
	if err := p.store(ctx, value); err != nil {
		return fmt.Errorf("storing offset %s before reading on: %w", value, err)
	}
	return nil
}

// finish flushes the producer and stores the last position.
func (p *Poller) finish(ctx context.Context) error {
	if err := p.cfg.Producer.Flush(ctx); err != nil {
		return nil // hard stop while flushing: nothing more may be committed
	}
	if err := p.failure(); err != nil {
		return err
	}
	if p.cfg.Txn != nil {
		return p.finishTxn(ctx)
	}
	pos, ok, err := p.committable()
	if err != nil {
		return err
	}
	if ok {
		p.commit(ctx, pos)
	}
	return nil
}

// commit stores pos unless it is already stored. A failure is not fatal:
// the next flush retries, and data keeps flowing.
func (p *Poller) commit(ctx context.Context, pos change.Position) {
	p.lastFlush = time.Now()
	// The next record asks the ensurer again: a topic written since a reset
	// of the active topics (PUT .../topics/reset) is listed again within a
	// flush interval.
	p.ensured = ""
	value, err := pos.OffsetValue()
	if err != nil {
		p.log.Error("encoding offset failed; it is not stored", zap.Error(err))
		return
	}
	value = p.txEnd.apply(value)
	if bytes.Equal(value, p.committed) {
		return
	}
	if err := p.store(ctx, value); err != nil {
		p.log.Warn("storing offset failed; will retry at the next flush", zap.Error(err))
		return
	}
	p.log.Debug("offset committed", zap.ByteString("offset", value))
}

// store writes value within CommitTimeout.
func (p *Poller) store(ctx context.Context, value []byte) error {
	cctx, cancel := context.WithTimeout(ctx, p.cfg.CommitTimeout)
	defer cancel()
	err := p.cfg.Store.Commit(cctx, p.cfg.OffsetKey, value)
	p.cfg.Hooks.committed(value, err)
	if err == nil {
		p.committed, p.lastFlush = value, time.Now()
	}
	return err
}
