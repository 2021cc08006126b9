package connector

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/notify"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// States of a task, as Kafka Connect's status API names them.
const (
	StateRunning = "RUNNING"
	StatePaused  = "PAUSED"
	StateFailed  = "FAILED"
	StateStopped = "STOPPED"
	// StateRestarting: a restart was asked for and the task has not
	// started again yet.
	StateRestarting = "RESTARTING"
)

// Task runs one connector: the coordinator drives the source's readers into
// a bounded queue and the poller drains it. The task wires them, orders
// their shutdown and carries the pause/resume/stop lifecycle.
type Task struct {
	Name   string
	Source Source
	Mode   string // snapshot.mode
	// NoStream, SnapshotDelay, StreamingDelay and SkipPositionCheck: see
	// Coordinator.
	NoStream                      bool
	SnapshotDelay, StreamingDelay time.Duration
	SkipPositionCheck             bool
	// Notify and CopyInStream: see Coordinator.
	Notify       *notify.Sink
	CopyInStream bool
	// QueueEvents and QueueBytes bound the queue (max.queue.size,
	// max.queue.size.in.bytes).
	QueueEvents int
	QueueBytes  int64
	// Poller is the poller's configuration; its Queue is set per run.
	Poller PollerConfig
	// Txn, when set, turns on exactly-once delivery: each run writes
	// through a transactional producer of its own (eos.go), which openTxn
	// opens (nil: NewTxnWriter).
	Txn       *TxnSettings
	openTxn   func(context.Context, TxnSettings, time.Duration, *zap.Logger) (TxnWriter, error)
	Store     offsets.Store
	OffsetKey []byte
	// FailAfter and Retriable: see Coordinator. RetryWait, when set, is
	// the coordinator's Backoff and MaxBackoff: one wait before every
	// retry (retriable.restart.connector.wait.ms).
	FailAfter int
	Retriable func(error) bool
	RetryWait time.Duration
	// ShutdownTimeout bounds the soft stop (drain, flush, final commit);
	// past it the task stops hard, its offset where it was.
	ShutdownTimeout time.Duration
	Hooks           Hooks
	Logger          *zap.Logger
	// Group, when set, keeps a failed task waiting for Restart while
	// another task of the daemon is live (see Group); nil: a failed task
	// returns its error at once.
	Group *Group

	// txnBackoff is txnRestart's last wait.
	txnBackoff time.Duration

	// snapshotted: snapshot.mode=always took this task's snapshot; a
	// resume after a pause does not take another.
	snapshotted atomic.Bool

	mu      sync.Mutex
	state   string
	failure string        // the error a FAILED task stopped with
	pause   chan struct{} // closed to ask the running pipeline to pause
	resume  chan struct{} // closed to resume a paused task
	restart chan struct{} // closed to restart a failed task
	// again: the pause under way is a restart (start again at once);
	// pauseNext: pause as soon as the restarting task runs.
	again, pauseNext bool
	live             bool // counted live in Group
}

// State is the task's lifecycle state.
func (t *Task) State() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state == "" {
		return StateRunning
	}
	return t.state
}

func (t *Task) setState(s string) {
	t.mu.Lock()
	t.state = s
	t.mu.Unlock()
}

// Failure is the error a FAILED task stopped with ("" otherwise): Kafka
// Connect's status "trace".
func (t *Task) Failure() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failure
}

// StoreOffset stores value as this task's offset (nil deletes it), for an
// operator's change while the task is paused: the resume reads it. A value
// the source cannot read is refused with the source's reason.
func (t *Task) StoreOffset(ctx context.Context, value []byte) error {
	if value != nil {
		if _, err := t.Source.ParseOffset(value); err != nil {
			return fault.Definite(fmt.Errorf("the offset %s is not one connector %s can resume from: %w", value, t.Name, err))
		}
	}
	if err := t.Store.Commit(ctx, t.OffsetKey, value); err != nil {
		return fmt.Errorf("connector %s: storing the offset: %w", t.Name, err)
	}
	return nil
}

// Key is the key this task's offset is stored under, Kafka Connect's
// ["<connector>", {partition}].
func (t *Task) Key() []byte { return t.OffsetKey }

// StoredOffset is the offset stored for this task, nil when there is none:
// what it would resume from.
func (t *Task) StoredOffset(ctx context.Context) ([]byte, error) {
	value, err := t.Store.Load(ctx, t.OffsetKey)
	if err != nil {
		return nil, fmt.Errorf("connector %s: loading the stored offset: %w", t.Name, err)
	}
	return value, nil
}

// Pause stops reading: the queue drains, the producer flushes and the
// position is stored, then the task waits for Resume. Pausing a task that
// is restarting pauses it once it has started again; pausing one that has
// failed or stopped does nothing.
func (t *Task) Pause() {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.again:
		t.again = false
	case t.state == StateRestarting:
		t.pauseNext = true
	case t.pause != nil && (t.state == "" || t.state == StateRunning):
		close(t.pause)
		t.pause = nil
	}
}

// Resume restarts a paused task from its stored position.
func (t *Task) Resume() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pauseNext = false
	if t.resume != nil {
		close(t.resume)
		t.resume = nil
	}
}

// Restart starts the task again from its stored offset, as Kafka Connect's
// restart does: a failed task at once, a running one after stopping as a
// pause does (the queue drains, the position is stored). A paused task
// stays paused: its resume reads the stored offset anyway. It reports
// whether the task restarts.
func (t *Task) Restart() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.restart != nil:
		close(t.restart)
		t.restart, t.state = nil, StateRestarting
		return true
	case t.pause != nil && (t.state == "" || t.state == StateRunning):
		close(t.pause)
		t.pause, t.again, t.state = nil, true, StateRestarting
		return true
	}
	return false
}

// Run runs the task until ctx is cancelled (a soft stop: stop reading,
// drain the queue, flush, commit, return nil), the source has nothing more
// to read (snapshot.mode=initial_only), or a part fails (the other parts
// stop the same way and, unless Restart starts it again while its Group
// lives, the error is returned).
func (t *Task) Run(ctx context.Context) error {
	defer func() {
		if err := t.Source.Close(); err != nil {
			t.Logger.Warn("closing the source", zap.Error(err))
		}
	}()
	defer t.leaveGroup()
	for {
		pause := make(chan struct{})
		t.mu.Lock()
		t.pause, t.state, t.again = pause, StateRunning, false
		if t.pauseNext {
			close(pause)
			t.pause, t.pauseNext = nil, false
		}
		t.mu.Unlock()
		began := time.Now()
		err := t.runOnce(ctx, pause)
		select {
		case <-pause:
		default:
			if err == nil {
				t.setState(StateStopped)
				return nil
			}
			if t.txnRestart(ctx, err, time.Since(began)) {
				continue
			}
			if t.awaitRestart(ctx, err) {
				continue
			}
			return err
		}
		if err != nil || ctx.Err() != nil {
			t.setState(StateStopped)
			return err
		}
		if t.restartNow() {
			continue
		}
		resume := make(chan struct{})
		t.mu.Lock()
		t.state, t.resume = StatePaused, resume
		t.mu.Unlock()
		t.Logger.Info("paused; offset stored, waiting for resume")
		select {
		case <-ctx.Done():
			t.setState(StateStopped)
			return nil
		case <-resume:
			t.Logger.Info("resuming from the stored offset")
		}
	}
}

// txnRestart waits before running the task again after a Kafka
// transaction that did not commit (TxnRestartError): 1 s, doubling up to
// 30 s while runs keep failing within a minute. false: err is another
// error, or ctx ended.
func (t *Task) txnRestart(ctx context.Context, err error, ran time.Duration) bool {
	var tr *TxnRestartError
	if !errors.As(err, &tr) || ctx.Err() != nil {
		return false
	}
	if ran > time.Minute || t.txnBackoff == 0 {
		t.txnBackoff = time.Second
	} else {
		t.txnBackoff = min(2*t.txnBackoff, 30*time.Second)
	}
	t.Hooks.failed(err, false)
	t.Logger.Warn("restarting from the offset committed last", zap.Error(err), zap.Duration("backoff", t.txnBackoff))
	select {
	case <-ctx.Done():
		return false
	case <-time.After(t.txnBackoff):
		return true
	}
}

// restartNow reports whether the pause that just ended was a restart.
func (t *Task) restartNow() bool {
	t.mu.Lock()
	again := t.again
	t.mu.Unlock()
	if again {
		t.Logger.Info("restarting from the stored offset, as asked")
	}
	return again
}

// awaitRestart marks the task FAILED with err and waits for Restart. It
// reports false, the task to return err, when ctx ends, when the task has
// no Group, or once no task of its group is live.
func (t *Task) awaitRestart(ctx context.Context, err error) bool {
	restart := make(chan struct{})
	t.mu.Lock()
	t.state, t.failure = StateFailed, err.Error()
	if t.Group != nil {
		t.restart = restart
	}
	t.mu.Unlock()
	if t.Group == nil {
		return false
	}
	t.leaveGroup()
	asked := false
	select {
	case <-ctx.Done():
	case <-t.Group.Done():
	case <-restart:
		asked = t.Group.join()
	}
	if !asked {
		t.mu.Lock()
		t.restart, t.state = nil, StateFailed
		t.mu.Unlock()
		return false
	}
	t.mu.Lock()
	t.live, t.failure = true, ""
	t.mu.Unlock()
	t.Logger.Warn("restarting after the failure, from the stored offset", zap.Error(err))
	return true
}

// leaveGroup counts the task no longer live in its group.
func (t *Task) leaveGroup() {
	t.mu.Lock()
	live := t.live
	t.live = false
	t.mu.Unlock()
	if live {
		t.Group.leave()
	}
}

// runOnce runs the pipeline from the stored offset until it stops.
func (t *Task) runOnce(ctx context.Context, pause <-chan struct{}) error {
	log := t.Logger
	pcfg := t.Poller
	if t.Txn != nil {
		// Before the offset is read: the new producer's id is granted once
		// the transaction an earlier producer committed has its markers
		// written, so the offset read is the one committed last.
		open := t.openTxn
		if open == nil {
			open = NewTxnWriter
		}
		w, err := open(ctx, *t.Txn, max(pcfg.CommitTimeout, 10*time.Second), log)
		if err != nil {
			return fmt.Errorf("connector %s: %w", t.Name, err)
		}
		pcfg.Producer, pcfg.Txn, pcfg.TxnInterval, pcfg.OffsetRecord = w, w, t.Txn.Interval, t.Txn.OffsetRecord
		// Closed once the poller has returned; a poller left behind
		// (abandon below) may still be using it.
		defer func() {
			if pcfg.Txn != nil {
				pcfg.Txn.Close()
			}
		}()
	}
	stored, err := t.loadOffset(ctx)
	if err != nil {
		return err
	}
	queue := NewQueue(t.QueueEvents, t.QueueBytes)
	pcfg.Queue, pcfg.Hooks = queue, t.Hooks
	if sp, ok := t.Source.(Splitter); ok {
		pcfg.Combine = sp.Combine
	}
	poller := NewPoller(pcfg)
	coord := &Coordinator{Source: t.Source, Mode: t.Mode, NoStream: t.NoStream, Queue: queue, Hooks: t.Hooks, Logger: log, Snapshotted: &t.snapshotted, FailAfter: t.FailAfter, Retriable: t.Retriable, Backoff: t.RetryWait, MaxBackoff: t.RetryWait,
		SnapshotDelay: t.SnapshotDelay, StreamingDelay: t.StreamingDelay, SkipPositionCheck: t.SkipPositionCheck, Notify: t.Notify, CopyInStream: t.CopyInStream}

	readCtx, stopReading := context.WithCancel(context.Background())
	defer stopReading()
	pollCtx, stopPolling := context.WithCancel(context.Background())
	defer stopPolling()
	sourceDone := make(chan struct{})
	sourceErr := make(chan error, 1)
	pollErr := make(chan error, 1)
	go func() {
		err := coord.Run(readCtx, stored)
		close(sourceDone)
		sourceErr <- err
	}()
	go func() { pollErr <- poller.Run(pollCtx, sourceDone) }()

	var firstErr error
	fail := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("connector %s: %w", t.Name, err)
		}
	}
	var hard, abandon <-chan time.Time
	stopping := false
	// done is ctx.Done() until the soft stop begins: a closed channel left
	// in the select would spin the loop while the parts drain.
	done := ctx.Done()
	softStop := func(reason string) {
		if stopping {
			return
		}
		stopping = true
		log.Info("stopping: no more reading, draining the queue", zap.String("reason", reason))
		stopReading()
		hard = time.After(t.ShutdownTimeout)
	}
	for sourceErr != nil || pollErr != nil {
		select {
		case <-done:
			done = nil
			softStop("shutdown requested")
		case <-pause:
			softStop("pause requested")
			pause = nil
		case err := <-sourceErr:
			sourceErr = nil
			fail(err)
			softStop("reader finished")
		case err := <-pollErr:
			pollErr = nil
			fail(err)
			softStop("poller finished")
			// Without a poller nothing drains the queue: unblock the reader.
			stopReading()
		case <-hard:
			log.Warn("soft stop timed out; stopping without the final offset commit",
				zap.Duration("timeout", t.ShutdownTimeout))
			stopPolling()
			hard = nil
			fail(fmt.Errorf("shutdown took longer than %s; the offset stays at the last one stored", t.ShutdownTimeout))
			// A part that ignores its cancelled context (a client library
			// waiting on a dead server) must not hold the process.
			abandon = time.After(2 * time.Second)
		case <-abandon:
			log.Error("a part of the task did not stop after being cancelled; leaving it behind",
				zap.Bool("reader_running", sourceErr != nil), zap.Bool("poller_running", pollErr != nil))
			if pollErr != nil {
				pcfg.Txn = nil
			}
			return firstErr
		}
	}
	if firstErr == nil {
		log.Info("stopped cleanly")
	}
	return firstErr
}

// loadOffset reads the stored offset, retrying a store that does not answer
// until ctx ends.
func (t *Task) loadOffset(ctx context.Context) ([]byte, error) {
	backoff := time.Second
	for {
		lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		stored, err := t.Store.Load(lctx, t.OffsetKey)
		cancel()
		if err == nil {
			if stored == nil {
				t.Logger.Info("no stored offset")
			} else {
				t.Logger.Info("resuming from stored offset", zap.ByteString("offset", stored))
			}
			return stored, nil
		}
		if fault.IsDefinite(err) || ctx.Err() != nil {
			return nil, fmt.Errorf("connector %s: loading stored offset: %w", t.Name, err)
		}
		t.Hooks.failed(err, false)
		t.Logger.Warn("loading the stored offset failed; retrying", zap.Error(err), zap.Duration("backoff", backoff))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connector %s: loading stored offset: %w", t.Name, err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}
