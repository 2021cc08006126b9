package change

import (
	"context"
	"time"

	"github.com/sluice-cdc/sluice/offsets"
)

// Op is the Debezium operation code of a change event.
type Op byte

// Operations. OpCommit is not a row change: it marks the end of a source
// transaction and carries the position to store once every record before it
// has been acknowledged by Kafka.
const (
	OpCreate   Op = 'c'
	OpUpdate   Op = 'u'
	OpDelete   Op = 'd'
	OpRead     Op = 'r'
	OpTruncate Op = 't'
	OpCommit   Op = 'C'
	// OpRecord carries a ready Record (Event.Record), such as a schema
	// change event, that the poller produces as it is.
	OpRecord Op = 'R'
)

// Column describes one column of a captured table version.
type Column struct {
	Name string
	// Schema is the Connect schema of the column's values (optional when the
	// column is nullable).
	Schema *Schema
	// Convert turns the source-native value (as the reader decoded it) into
	// the Connect value Schema describes. nil means the value is already a
	// Connect value. It must be safe for concurrent use.
	Convert func(any) (any, error)
}

// Table is one version of a captured table's structure. A DDL that touches
// the table produces a new *Table; events keep pointing at the version their
// rows were written under.
type Table struct {
	Topic    string // data topic, e.g. "<prefix>.<db>.<table>"
	Database string
	Name     string
	Columns  []Column // every column of a source row, in table order
	// Fields lists the Columns that are in the row value, in order; nil
	// means all of them (column.exclude.list leaves some out).
	Fields     []int
	Key        []int   // indexes into Columns of the message key; empty = null key
	KeySchema  *Schema // nil when Key is empty
	RowSchema  *Schema // "<prefix>.<db>.<table>.Value", optional
	Envelope   *Schema // "<prefix>.<db>.<table>.Envelope"
	SourceSpec *Schema // schema of the source block
}

// Event is what a reader hands to the queue: one row change, or a commit
// marker (Op == OpCommit) that carries the source position reached at a
// transaction end.
type Event struct {
	Op     Op
	Table  *Table
	Before []any // source-native values aligned with Table.Columns; nil for c/r
	After  []any // nil for d
	Source *Value
	// TsMs is the source time of the change (binlog event time), in ms.
	TsMs int64
	// Offset is set on commit markers: the position to resume from once
	// everything before this marker is in Kafka.
	Offset offsets.Position
	// Flush asks for Offset to be committed before anything after this
	// marker is produced (a snapshot's start must be durable before its rows).
	Flush bool
	// Stored, when set on a Flush marker, is closed once Offset is stored,
	// for a reader that must not read on before that.
	Stored chan struct{}
	// Record is the ready record of an OpRecord event.
	Record *Record
	// Size is an estimate of the event's memory, for the byte-bounded queue.
	Size int
}

// Header is a Kafka record header, as Connect data; the poller converts it
// with Kafka Connect's SimpleHeaderConverter rules.
type Header struct {
	Key    string
	Schema *Schema
	Value  any
}

// Record is one Kafka record before conversion: what transforms see.
type Record struct {
	Topic       string
	KeySchema   *Schema
	Key         any // *Value, or nil for a table without key
	ValueSchema *Schema
	Value       any // *Value, or nil for a tombstone
	Headers     []Header
	Timestamp   time.Time
}

// Enqueuer is where readers put events. Enqueue blocks while the queue is
// full (backpressure) and returns ctx.Err() once ctx is done; events are
// delivered in the order given. Implementations are safe for concurrent use
// by several readers.
type Enqueuer interface {
	Enqueue(ctx context.Context, events ...Event) error
}
