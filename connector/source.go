package connector

import (
	"context"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
)

// Source is one connector's reader side: a database flavour behind
// connector.class (see Lookup). The coordinator decides, from snapshot.mode
// and the stored offset, which of its methods run; the source only reads.
//
// Calls: ParseOffset and Validate may be called at any time. Start,
// Snapshot and Stream are called from the coordinator's goroutine, one at a
// time: Start first, then Snapshot and/or Stream; after a transient failure
// the coordinator calls Start again with the position to resume from.
// Close is called once, after the last of them has returned.
//
// Cancellation: when ctx ends, Snapshot and Stream stop reading and return
// promptly; what they enqueued stays queued. Stream returns nil then.
//
// Errors follow internal/fault: a definite error stops the task with its
// message; any other is retried with backoff. Stream wraps
// fault.ErrPositionUnavailable when the source no longer has the changes
// after from, which snapshot.mode=when_needed answers with a new snapshot.
type Source interface {
	// ParseOffset decodes a stored offset value; nil gives nil, nil.
	ParseOffset(stored []byte) (change.Position, error)
	// Start connects and prepares to read from `from` (nil: nothing is
	// stored): it learns what the server is and loads the structure of
	// the captured tables as of from.
	Start(ctx context.Context, from change.Position) error
	// Snapshot reads the captured tables' rows (data false: only their
	// structure, snapshot.mode=no_data), or resumes the unfinished
	// snapshot from records, and returns the position streaming goes on
	// from. It enqueues the rows with commits (and checkpoints) of its own.
	Snapshot(ctx context.Context, from change.Position, data bool, out change.Enqueuer) (change.Position, error)
	// Stream reads changes from `from` (nil: from the oldest change the
	// source still has, snapshot.mode=never) until ctx ends or it fails.
	Stream(ctx context.Context, from change.Position, out change.Enqueuer) error
	// Validate checks the server and the connector's settings against it
	// and lists what is wrong; the error is for a server it cannot ask.
	Validate(ctx context.Context) ([]config.Problem, error)
	Close() error
}

// OffsetValidator is implemented by sources whose stored offset can stop
// fitting the server while the connector is stopped (a Vitess reshard):
// sluice validate reports that before a start would fail.
type OffsetValidator interface {
	// ValidateOffset checks a stored offset value (nil: none stored).
	ValidateOffset(ctx context.Context, stored []byte) ([]config.Problem, error)
}

// HeartbeatActor is implemented by sources that can run
// heartbeat.action.query on their database; the poller runs it with every
// heartbeat record. A definite error stops the task.
type HeartbeatActor interface {
	HeartbeatAction(ctx context.Context, query string) error
}

// TxCollectionNamer is implemented by sources whose transaction metadata
// names a row's data collection otherwise than "<database>.<table>" (the
// END record's data_collections and the offset's per-table counts).
type TxCollectionNamer interface {
	TxCollection(e *change.Event) string
}

// OperationSkipper is implemented by sources that leave skipped.operations
// to the poller, which drops records by their operation as Debezium's event
// dispatcher does for connectors that do not filter operations themselves
// (Vitess). The binlog sources skip whole row events themselves, as
// Debezium's binlog connectors do.
type OperationSkipper interface {
	SkippedOperations() map[change.Op]bool
}

// StreamCopier is implemented by sources whose copy of the tables is part
// of their stream (Vitess: VStream's copy phase), not a snapshot Debezium
// notifies: every start notifies a skipped snapshot, as Debezium's Vitess
// connector does.
type StreamCopier interface {
	CopiesInStream() bool
}

// SnapshotProgress is implemented by positions that can record an
// unfinished snapshot: a stored offset that does resumes the snapshot
// instead of streaming.
type SnapshotProgress interface {
	SnapshotInProgress() bool
}

// UnresumableSnapshot is implemented by positions that can record an
// initial snapshot that did not finish and cannot be resumed (Debezium's,
// taken over): the coordinator takes a new snapshot instead.
type UnresumableSnapshot interface {
	SnapshotUnresumable() bool
}

// Observed is implemented by sources that report their connection and
// snapshot progress (change.Observer); the task hands them its Hooks.
type Observed interface {
	Observe(change.Observer)
}

// PositionChecker is implemented by sources that can tell at start,
// before any notification or record, whether the server still has the
// changes after a stored position (Debezium's check of the log position at
// every start). CheckPosition returns an error wrapping
// fault.ErrPositionUnavailable when it does not.
type PositionChecker interface {
	CheckPosition(ctx context.Context, from change.Position) error
}

// Splitter is implemented by sources that stream with several readers, one
// per shard: Split gives each reader's start from the task's position, and
// Combine (in the readers' order) gives the task's position back. A failing
// reader is retried on its own, without stopping or rewinding the others.
type Splitter interface {
	Split(pos change.Position) ([]change.Position, error)
	Combine(parts []change.Position) (change.Position, error)
}
