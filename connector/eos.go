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

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/internal/kafkaacl"
	"github.com/sluice-cdc/sluice/offsets"
)

// TxnWriter is a Producer that writes in Kafka transactions: Kafka
// Connect's exactly-once source delivery (KIP-618). A consumer reading
// committed records sees a transaction's records together with the offset
// stored after them, or none of them, so a task that restarts from its
// stored offset writes nothing twice.
type TxnWriter interface {
	Producer
	// Commit writes offset (nil: none) in the open transaction, waits for
	// every record of it to be acknowledged, and commits it unless ready
	// then fails (the transaction is aborted and ready's error returned);
	// with nothing produced since the last commit it does nothing.
	Commit(ctx context.Context, offset *kgo.Record, ready func() error) error
	// Abort drops every record of the open transaction.
	Abort(ctx context.Context) error
	// Explain says, of a refusal that fenced the producer, why: the open
	// transaction outlived its timeout, or another producer took over.
	// Other errors come back as they are.
	Explain(err error) error
	Close()
}

// TxnSettings make a task's transactional producer (exactly-once delivery).
type TxnSettings struct {
	// ID is the producer's transactional.id, Kafka Connect's
	// <group.id>-<connector>-<task>: a new producer with it fences the one
	// before (a task that lost its worker) and aborts what it left open.
	ID string
	// Opts are the producer's client options, without the transactional
	// ones.
	Opts []kgo.Opt
	// Timeout is transaction.timeout.ms: the broker aborts a transaction
	// open longer. A Kafka transaction holds whole source transactions, so
	// a source transaction written in more time than this cannot commit.
	Timeout time.Duration
	// Interval is transaction.boundary.interval.ms; 0 is
	// transaction.boundary=poll: a Kafka transaction per batch the poller
	// takes (both end at the first source transaction end after).
	Interval time.Duration
	// OffsetRecord is the offsets topic's record for an offset value.
	OffsetRecord func(value []byte) *kgo.Record
}

// txnProducer is TxnWriter on a franz-go client of its own. Produce, Flush,
// Commit and Abort are called from the poller's goroutine only.
type txnProducer struct {
	cl    *kgo.Client
	open  bool      // BeginTransaction called, EndTransaction not yet
	began time.Time // when the open (or last) transaction began
	// timeout is the transactions' timeout, after which the broker aborts
	// one and fences the producer.
	timeout time.Duration
	// wait bounds EndTransaction, which must not be cancelled: a cancelled
	// commit leaves its outcome unknown.
	wait time.Duration
	log  *zap.Logger
}

// NewTxnWriter opens a transactional producer. Its first request fences an
// earlier producer with the same ID and aborts that one's open transaction.
func NewTxnWriter(ctx context.Context, s TxnSettings, wait time.Duration, log *zap.Logger) (TxnWriter, error) {
	opts := append(append([]kgo.Opt(nil), s.Opts...), kgo.TransactionalID(s.ID), kgo.TransactionTimeout(s.Timeout))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fault.Definite(fmt.Errorf("creating the transactional producer %s: %w", s.ID, err))
	}
	t := &txnProducer{cl: cl, wait: wait, log: log, timeout: s.Timeout}
	ictx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := t.initID(ictx, s.ID); err != nil {
		cl.Close()
		return nil, err
	}
	log.Info("exactly-once delivery: records and offsets are written in Kafka transactions", zap.String("transactional_id", s.ID),
		zap.Duration("transaction_timeout", s.Timeout))
	return t, nil
}

// initID has the client fetch its producer id now (the fencing), so that a
// broker without transactions or an ACL that refuses the id stops the task
// before it reads anything, with what went wrong named.
func (t *txnProducer) initID(ctx context.Context, id string) error {
	if _, _, err := t.cl.ProducerID(ctx); err != nil {
		err = fmt.Errorf("starting the Kafka transactions of exactly-once delivery: %w", err)
		if kafkaacl.Refused(err) {
			return kafkaacl.Explain(err, "WRITE and DESCRIBE on transactional id "+id+", or set exactly.once.support=requested and the worker's exactly.once.source.support=disabled")
		}
		if errors.Is(err, kerr.InvalidTransactionTimeout) {
			return fault.Definite(fmt.Errorf("%w; set the worker's producer.transaction.timeout.ms at most the broker's transaction.max.timeout.ms", err))
		}
		return err
	}
	return nil
}

func (t *txnProducer) begin() error {
	if t.open {
		return nil
	}
	if err := t.cl.BeginTransaction(); err != nil {
		return fmt.Errorf("beginning a Kafka transaction: %w", err)
	}
	t.open, t.began = true, time.Now()
	return nil
}

func (t *txnProducer) end(ctx context.Context, how kgo.TransactionEndTry) error {
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.wait)
	defer cancel()
	err := t.cl.EndTransaction(ectx, how)
	t.open = false
	return err
}

func (t *txnProducer) Produce(ctx context.Context, r *kgo.Record, done func(*kgo.Record, error)) {
	if err := t.begin(); err != nil {
		done(r, err)
		return
	}
	t.cl.Produce(ctx, r, done)
}

func (t *txnProducer) Flush(ctx context.Context) error { return t.cl.Flush(ctx) }

func (t *txnProducer) Commit(ctx context.Context, offset *kgo.Record, ready func() error) error {
	var perr error
	if offset != nil {
		if err := t.begin(); err != nil {
			return err
		}
		offset.Context = fixedPartition
		t.cl.Produce(ctx, offset, func(_ *kgo.Record, err error) { perr = err })
	}
	if !t.open {
		return nil
	}
	if err := t.cl.Flush(ctx); err != nil {
		return err
	}
	if err := ready(); err != nil {
		if aerr := t.Abort(ctx); aerr != nil {
			t.log.Warn("aborting the Kafka transaction failed; the next start aborts it", zap.Error(aerr))
		}
		return err
	}
	if perr != nil {
		err := fmt.Errorf("writing the offset in the Kafka transaction: %w", perr)
		if !kafkaacl.Refused(perr) {
			return err // the task restarts; its new producer aborts this one's transaction
		}
		// Refused by the broker's ACLs: a restart would meet it again, so
		// the task stops, its transaction aborted now.
		if aerr := t.Abort(ctx); aerr != nil {
			t.log.Warn("aborting the Kafka transaction failed; the next start aborts it", zap.Error(aerr))
		}
		return kafkaacl.Explain(err, kafkaacl.Topic(offset.Topic, "WRITE", "DESCRIBE"))
	}
	if err := t.end(ctx, kgo.TryCommit); err != nil {
		if fenced(err) {
			return fault.Definite(t.Explain(fmt.Errorf("committing the Kafka transaction: %w", err)))
		}
		if refused(err) {
			// A coordinator that answered: starting again would fence
			// whoever is taking over (it did, with Kafka Connect's
			// restarted task, and the two took turns).
			return fault.Definite(fmt.Errorf("committing the Kafka transaction: %w; %s", err, refusedHint))
		}
		// No answer (a broker that stalls, a connection lost): its outcome
		// is unknown, the task restarts, and its new producer aborts
		// whatever this one left open.
		return fmt.Errorf("committing the Kafka transaction: %w", err)
	}
	return nil
}

func (t *txnProducer) Abort(ctx context.Context) error {
	if !t.open {
		return nil
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.wait)
	defer cancel()
	if err := t.cl.AbortBufferedRecords(actx); err != nil {
		t.open = false
		return fmt.Errorf("aborting the Kafka transaction's buffered records: %w", err)
	}
	if err := t.end(ctx, kgo.TryAbort); err != nil {
		return fmt.Errorf("aborting the Kafka transaction: %w", err)
	}
	return nil
}

// Close aborts an open transaction (a stop mid-transaction) and closes the
// client; a transaction it cannot abort is aborted by the next producer
// with the same id, or by the broker after the transaction timeout.
func (t *txnProducer) Close() {
	if err := t.Abort(context.Background()); err != nil {
		t.log.Warn("the Kafka transaction left open is aborted by the next start", zap.Error(err))
	}
	t.cl.Close()
}

// txnBoundary, after a batch, wants the Kafka transaction ended (every
// batch with transaction.boundary=poll, once TxnInterval passed with
// interval) and ends it if no source transaction is half written; if one
// is, the first source transaction end after does (process).
func (p *Poller) txnBoundary(ctx context.Context) error {
	if p.cfg.TxnInterval <= 0 || time.Since(p.lastFlush) >= p.cfg.TxnInterval {
		p.txnWanted = true
	}
	if p.txnWanted && p.clean() {
		return p.commitTxn(ctx)
	}
	return nil
}

// clean reports whether every record produced belongs to a source
// transaction that has ended, on every reader.
func (p *Poller) clean() bool {
	for _, t := range p.trackers {
		if !t.Clean() {
			return false
		}
	}
	return true
}

// commitTxn waits for every record produced and commits the Kafka
// transaction with the position they reach. Called where clean holds, the
// position covers every record in the transaction, so a restart from it
// writes none of them again. commitNow calls it for a checkpoint, whose
// reader's source transaction has just ended; a MySQL or MariaDB task has
// that one reader, so clean holds there too (the several readers of a
// Vitess task, which could leave one half written, run at least once).
//
// The offset is written with the records, before they are acknowledged,
// and the transaction commits once all are (one wait, not one for the
// records and another for the offset): where clean holds, the position of
// the last source transaction ended is the one they reach.
func (p *Poller) commitTxn(ctx context.Context) error {
	if err := p.failure(); err != nil {
		return err
	}
	pos, ok, err := p.position((*offsets.Tracker).Ended)
	if err != nil {
		return err
	}
	var (
		rec   *kgo.Record
		value []byte
	)
	if ok {
		if value, err = pos.OffsetValue(); err != nil {
			return fault.Definite(fmt.Errorf("encoding offset: %w", err))
		}
		value = p.txEnd.apply(value)
		if !bytes.Equal(value, p.committed) {
			rec = p.cfg.OffsetRecord(value)
		}
	}
	// Not bounded by CommitTimeout: as records wait for a broker that
	// stalls, so does the flush before the commit (the commit itself is
	// bounded in Commit).
	err = p.cfg.Txn.Commit(ctx, rec, p.failure)
	if rec != nil {
		p.cfg.Hooks.committed(value, err)
	}
	if err != nil {
		if ctx.Err() != nil || fault.IsDefinite(err) {
			return err
		}
		return &TxnRestartError{fmt.Errorf("%w; the task restarts from the offset committed last (%s), its transaction aborted", err, p.committedText())}
	}
	if rec != nil {
		p.committed = value
		p.log.Debug("transaction committed with offset", zap.ByteString("offset", value))
	}
	p.lastFlush, p.txnWanted, p.ensured = time.Now(), false, ""
	return nil
}

// TxnRestartError is a Kafka transaction that did not commit (a broker that
// stalled past the commit's bound, an outcome unknown): the task runs again
// from the offset committed last, its new producer aborting what the old
// one left open, as at-least-once delivery waits for a broker that stalls
// rather than fail.
type TxnRestartError struct{ Err error }

func (e *TxnRestartError) Error() string { return e.Err.Error() }
func (e *TxnRestartError) Unwrap() error { return e.Err }

// finishTxn ends the last Kafka transaction of a stopping task: committed
// when every source transaction in it has ended, else aborted, so that the
// restart, from the offset stored last, writes each record once.
func (p *Poller) finishTxn(ctx context.Context) error {
	if p.clean() {
		return p.commitTxn(ctx)
	}
	p.log.Info("stopping within a source transaction: its Kafka transaction is aborted, and written again from the stored offset after the restart",
		zap.String("offset", p.committedText()))
	if err := p.cfg.Txn.Abort(ctx); err != nil {
		p.log.Warn("aborting the Kafka transaction failed; the next start aborts it", zap.Error(err))
	}
	return nil
}

func (p *Poller) committedText() string {
	if p.committed == nil {
		return "none stored yet"
	}
	return string(p.committed)
}

// fencedHint says what a fenced transactional producer means.
const fencedHint = "with exactly-once delivery this means another producer with this transactional id (another Sluice or Kafka Connect task of this connector) took over, and this one stops; its records since its last commit are aborted"

// Explain tells a transaction the broker aborted for its timeout from one
// another producer fenced: both reach the producer as the same refusal. The
// broker's clock starts after began, so a transaction aborted for its
// timeout has been open at least that long here; one open that long would
// have been aborted for it in any case.
func (t *txnProducer) Explain(err error) error {
	if !fenced(err) {
		return err
	}
	if open := time.Since(t.began); !t.began.IsZero() && open >= t.timeout {
		return fmt.Errorf("%w; the Kafka transaction had been open %s, longer than the worker's producer.transaction.timeout.ms (%d), so the broker aborted it: "+
			"a Kafka transaction ends only where a source transaction does, so one source transaction took longer than that to write; "+
			"raise producer.transaction.timeout.ms (at most the broker's transaction.max.timeout.ms). Its records since the last commit are aborted",
			err, open.Round(time.Millisecond), t.timeout.Milliseconds())
	}
	return fmt.Errorf("%w; %s", err, fencedHint)
}

// refusedHint says what a commit the transaction coordinator refused
// means. Kafka 4.1's coordinator answers a commit that meets the fencing
// of its producer (Kafka Connect fencing a restarted task's zombies, a new
// producer's start) with UNKNOWN_SERVER_ERROR.
const refusedHint = "the broker refused the commit, so this task stops and its records since its last commit are aborted; " +
	"if another producer with this transactional id (another Sluice or Kafka Connect task of this connector) started at that moment, it took over, " +
	"else the broker's log says why"

// refused reports a commit the broker answered with an error that trying
// again does not mend.
func refused(err error) bool {
	var ke *kerr.Error
	return errors.As(err, &ke) && !ke.Retriable
}

func fenced(err error) bool {
	return errors.Is(err, kerr.ProducerFenced) || errors.Is(err, kerr.InvalidProducerEpoch)
}

// offsetRecorder is a store whose offsets a transactional producer can
// write (offsets.KafkaStore).
type offsetRecorder interface {
	OffsetRecord(key, value []byte) *kgo.Record
}

// txnSettings are c's exactly-once settings, or nil when it runs at least
// once: exactly.once.support=required, or a worker with
// exactly.once.source.support=enabled (Kafka Connect runs every source
// task of such a worker exactly once). id is the task's among the
// connector's ("" for its only task, 0 as Connect numbers it).
func txnSettings(c *config.Connector, d Deps, key []byte, id string, log *zap.Logger) (*TxnSettings, error) {
	if !c.ExactlyOnceRequired && !d.Worker.ExactlyOnceSource {
		return nil, nil
	}
	if c.Flavor == config.FlavorVitess {
		// Its config refuses required.
		log.Warn("the worker's exactly.once.source.support=enabled does not apply to the Vitess connector: it runs at least once (Debezium's Vitess connector declares no exactly-once support)")
		return nil, nil
	}
	rs, ok := d.Store.(offsetRecorder)
	if !ok || d.TxnOpts == nil {
		return nil, fault.Definite(fmt.Errorf("connector %s: exactly-once delivery writes offsets in Kafka transactions, so they must be stored in Kafka's offset.storage.topic: remove offset.storage.file.filename, or set exactly.once.support=requested and the worker's exactly.once.source.support=disabled", c.Name))
	}
	if id == "" {
		id = "0"
	}
	s := &TxnSettings{ID: d.Worker.GroupID + "-" + c.Name + "-" + id, Opts: d.TxnOpts, Timeout: d.Worker.TransactionTimeout,
		OffsetRecord: func(value []byte) *kgo.Record { return rs.OffsetRecord(key, value) }}
	var p *config.Problem
	if s.Interval, p = d.Worker.TxnBoundaryInterval(c); p != nil {
		return nil, fault.Definite(fmt.Errorf("connector %s: %s: %s", c.Name, p.Setting, p.Msg))
	}
	return s, nil
}
