package connector

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Hooks observe a task for metrics and status. Each hook is any value that
// implements one or more of the Hook* interfaces below, as franz-go's
// kgo.WithHooks does: a metrics exporter implements what it exports and
// nothing else. Hooks are called synchronously on the hot path, some from
// the producer's goroutines, so they must be cheap and safe for concurrent
// use.
type Hooks []any

// HookEvents is called for each batch of row events the poller takes, with
// the count per operation in the batch (op 0: other events).
type HookEvents interface{ OnEvents(op change.Op, n int) }

// HookQueue is called once per poll with the queue's fill.
type HookQueue interface{ OnQueue(events int, bytes int64) }

// HookLag is called at each source transaction end the poller takes, with
// when it took it and how far behind the source's commit time that was.
type HookLag interface {
	OnLag(at time.Time, behind time.Duration)
}

// HookSnapshot is called when the coordinator starts a snapshot of the
// tables' rows (snapshot.mode's, at start) and when it ends, with ok false
// for one that failed or was stopped.
type HookSnapshot interface {
	OnSnapshotStarted()
	OnSnapshotEnded(ok bool)
}

// HookProduced is called for each record Kafka answered, with the broker's
// error. It has no latency: reading the clock for every record cost 3-4% of
// the CPU of one-row transactions on this VM, for a maximum nobody read.
type HookProduced interface {
	OnProduced(topic string, err error)
}

// HookCommitted is called after each stored offset, and after each failed
// attempt to store one.
type HookCommitted interface {
	OnCommitted(offset []byte, err error)
}

// HookTolerated is called for each record errors.tolerance=all skips, with
// the stage that failed on it (TRANSFORMATION, KEY_CONVERTER,
// VALUE_CONVERTER) and the error.
type HookTolerated interface {
	OnTolerated(stage string, err error)
}

// HookError is called with each error a task meets: retried ones
// (definite=false) and the one that stops it.
type HookError interface {
	OnError(err error, definite bool)
}

// Connected, SnapshotTables, SnapshotTableRows and SnapshotPaused make
// Hooks a change.Observer: each goes to the members that observe sources.
func (h Hooks) Connected(up bool) {
	for _, x := range h {
		if f, ok := x.(change.Observer); ok {
			f.Connected(up)
		}
	}
}

func (h Hooks) SnapshotTables(total, done int) {
	for _, x := range h {
		if f, ok := x.(change.Observer); ok {
			f.SnapshotTables(total, done)
		}
	}
}

func (h Hooks) SnapshotTableRows(table string, rows int64, finished bool) {
	for _, x := range h {
		if f, ok := x.(change.Observer); ok {
			f.SnapshotTableRows(table, rows, finished)
		}
	}
}

// SnapshotStarted and SnapshotEnded go to the members that hook the
// coordinator's snapshots: a snapshot inside the stream counts as one.
func (h Hooks) SnapshotStarted()             { h.snapshotStarted() }
func (h Hooks) SnapshotEnded(completed bool) { h.snapshotEnded(completed) }

func (h Hooks) SnapshotPaused(paused bool) {
	for _, x := range h {
		if f, ok := x.(change.Observer); ok {
			f.SnapshotPaused(paused)
		}
	}
}

func (h Hooks) events(op change.Op, n int) {
	for _, x := range h {
		if f, ok := x.(HookEvents); ok {
			f.OnEvents(op, n)
		}
	}
}

func (h Hooks) queue(n int, b int64) {
	for _, x := range h {
		if f, ok := x.(HookQueue); ok {
			f.OnQueue(n, b)
		}
	}
}

func (h Hooks) lag(at time.Time, d time.Duration) {
	for _, x := range h {
		if f, ok := x.(HookLag); ok {
			f.OnLag(at, d)
		}
	}
}

func (h Hooks) snapshotStarted() {
	for _, x := range h {
		if f, ok := x.(HookSnapshot); ok {
			f.OnSnapshotStarted()
		}
	}
}

func (h Hooks) snapshotEnded(ok bool) {
	for _, x := range h {
		if f, isHook := x.(HookSnapshot); isHook {
			f.OnSnapshotEnded(ok)
		}
	}
}

func (h Hooks) produced(topic string, err error) {
	for _, x := range h {
		if f, ok := x.(HookProduced); ok {
			f.OnProduced(topic, err)
		}
	}
}

func (h Hooks) committed(v []byte, err error) {
	for _, x := range h {
		if f, ok := x.(HookCommitted); ok {
			f.OnCommitted(v, err)
		}
	}
}

func (h Hooks) tolerated(stage string, err error) {
	for _, x := range h {
		if f, ok := x.(HookTolerated); ok {
			f.OnTolerated(stage, err)
		}
	}
}

func (h Hooks) failed(err error, definite bool) {
	for _, x := range h {
		if f, ok := x.(HookError); ok {
			f.OnError(err, definite)
		}
	}
}

// Counters is a Hooks member that counts what an operator looks at first:
// events by operation, records produced and failed, offsets committed,
// errors retried, the last queue fill, lag and produce latency. The REST API
// and the shutdown log read it; all fields are safe to read at any time.
type Counters struct {
	Creates, Updates, Deletes, Reads, Truncates, Other atomic.Int64
	Produced, ProduceErrors                            atomic.Int64
	Commits, CommitErrors                              atomic.Int64
	Retried, Stopped                                   atomic.Int64
	// Tolerated counts records errors.tolerance=all skipped.
	Tolerated               atomic.Int64
	QueueEvents, QueueBytes atomic.Int64
	// LagMs is the last transaction end's lag, LastTxnMs when the poller
	// took it (Unix ms; 0: none yet), Transactions how many it took.
	LagMs, LastTxnMs, Transactions atomic.Int64
	// SnapshotRunning is 1 while a snapshot runs; SnapshotsCompleted and
	// SnapshotsAborted count those that ended, SnapshotMs how long the last
	// one took.
	SnapshotRunning, SnapshotsCompleted, SnapshotsAborted, SnapshotMs atomic.Int64
	snapshotStart                                                     atomic.Int64
	// StreamConnected counts the source's stream connections open (one
	// per reader: a Vitess task with per-shard readers has several);
	// Debezium's Connected is whether it is above 0. SnapshotTablesTotal
	// and SnapshotTablesDone are the last snapshot's table counts
	// (TotalTableCount; RemainingTableCount is their difference).
	StreamConnected, SnapshotTablesTotal, SnapshotTablesDone atomic.Int64
	// SnapshotPausedNow is 1 while a pause-snapshot signal holds an
	// incremental snapshot (SnapshotPaused).
	SnapshotPausedNow atomic.Int64

	rowsMu sync.Mutex
	rows   map[string]int64 // the last snapshot's rows read, by table (RowsScanned)
}

func (c *Counters) OnEvents(op change.Op, n int) {
	switch op {
	case change.OpCreate:
		c.Creates.Add(int64(n))
	case change.OpUpdate:
		c.Updates.Add(int64(n))
	case change.OpDelete:
		c.Deletes.Add(int64(n))
	case change.OpRead:
		c.Reads.Add(int64(n))
	case change.OpTruncate:
		c.Truncates.Add(int64(n))
	default:
		c.Other.Add(int64(n))
	}
}

func (c *Counters) Connected(up bool) {
	if up {
		c.StreamConnected.Add(1)
	} else {
		c.StreamConnected.Add(-1)
	}
}

func (c *Counters) SnapshotTables(total, done int) {
	c.SnapshotTablesTotal.Store(int64(total))
	c.SnapshotTablesDone.Store(int64(done))
	c.rowsMu.Lock()
	c.rows = map[string]int64{}
	c.rowsMu.Unlock()
}

func (c *Counters) SnapshotTableRows(table string, rows int64, finished bool) {
	if finished {
		c.SnapshotTablesDone.Add(1)
	}
	c.rowsMu.Lock()
	if c.rows == nil {
		c.rows = map[string]int64{}
	}
	c.rows[table] = rows
	c.rowsMu.Unlock()
}

// RowsScanned is the last snapshot's rows read so far, by table.
func (c *Counters) RowsScanned() map[string]int64 {
	c.rowsMu.Lock()
	defer c.rowsMu.Unlock()
	return maps.Clone(c.rows)
}

func (c *Counters) OnQueue(n int, b int64) { c.QueueEvents.Store(int64(n)); c.QueueBytes.Store(b) }

func (c *Counters) OnLag(at time.Time, d time.Duration) {
	c.LagMs.Store(d.Milliseconds())
	c.LastTxnMs.Store(at.UnixMilli())
	c.Transactions.Add(1)
}

func (c *Counters) OnSnapshotStarted() {
	c.snapshotStart.Store(time.Now().UnixMilli())
	c.SnapshotRunning.Store(1)
	c.SnapshotPausedNow.Store(0)
}

// SnapshotStarted and SnapshotEnded make Counters a change.Observer; Hooks
// reaches them through HookSnapshot.
func (c *Counters) SnapshotStarted()             { c.OnSnapshotStarted() }
func (c *Counters) SnapshotEnded(completed bool) { c.OnSnapshotEnded(completed) }

func (c *Counters) SnapshotPaused(paused bool) {
	var v int64
	if paused {
		v = 1
	}
	c.SnapshotPausedNow.Store(v)
}

// SnapshotDuration is how long the running snapshot has taken so far, or
// the last one took (Debezium's SnapshotDurationInSeconds).
func (c *Counters) SnapshotDuration(now time.Time) time.Duration {
	if c.SnapshotRunning.Load() == 1 {
		return time.Duration(now.UnixMilli()-c.snapshotStart.Load()) * time.Millisecond
	}
	return time.Duration(c.SnapshotMs.Load()) * time.Millisecond
}

func (c *Counters) OnSnapshotEnded(ok bool) {
	c.SnapshotMs.Store(time.Now().UnixMilli() - c.snapshotStart.Load())
	c.SnapshotRunning.Store(0)
	c.SnapshotPausedNow.Store(0)
	if ok {
		c.SnapshotsCompleted.Add(1)
	} else {
		c.SnapshotsAborted.Add(1)
	}
}

func (c *Counters) OnProduced(_ string, err error) {
	if err != nil {
		c.ProduceErrors.Add(1)
		return
	}
	c.Produced.Add(1)
}

func (c *Counters) OnCommitted(_ []byte, err error) {
	if err != nil {
		c.CommitErrors.Add(1)
		return
	}
	c.Commits.Add(1)
}

func (c *Counters) OnTolerated(string, error) { c.Tolerated.Add(1) }

func (c *Counters) OnError(_ error, definite bool) {
	if definite {
		c.Stopped.Add(1)
		return
	}
	c.Retried.Add(1)
}
