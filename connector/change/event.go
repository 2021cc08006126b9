package change

import (
	"context"
	"time"
)

// Op is the Debezium operation code of a row change.
type Op byte

// Debezium's operations.
const (
	OpCreate   Op = 'c'
	OpUpdate   Op = 'u'
	OpDelete   Op = 'd'
	OpRead     Op = 'r'
	OpTruncate Op = 't'
)

// Kind says what an Event carries. The zero Kind is a row change, so a
// reader builds row events without naming it.
type Kind uint8

const (
	// KindRow is a row change: Op, Table, Before/After and Source.
	KindRow Kind = iota
	// KindCommit ends a source transaction: Position is where to resume
	// once every event before it is in Kafka. Offsets only ever move to a
	// commit's position. One without a Position (TxEnd set) only ends a
	// transaction's metadata, where the source has no place to resume.
	KindCommit
	// KindRecord carries a finished Record (a schema change event, say)
	// that goes through the same transform, convert and produce path as
	// the records built from rows.
	KindRecord
	// KindBegin starts a source transaction: TxID names it, TsMs is its
	// time. Sources enqueue it only when asked for transaction metadata
	// (provide.transaction.metadata); the poller turns it into a BEGIN
	// record, and a KindCommit with TxEnd into the END record.
	KindBegin
)

// Position is a source position: where a reader resumes. It is opaque to
// everything but its source; the poller only stores it.
type Position interface {
	// OffsetValue returns the JSON object stored in _connect_offsets.
	OffsetValue() ([]byte, error)
}

// Column describes one column of a captured table version.
type Column struct {
	Name string
	// Schema is the Connect schema of the column's values (optional when the
	// column is nullable).
	Schema *Schema
	// Convert turns the source-native value (as the reader decoded it) into
	// the Connect value Schema describes. nil means the value is already a
	// Connect value. It must be safe for concurrent use, and its result
	// must depend on the value alone: an update's after image takes the
	// before image's converted value where the two values are the same.
	Convert func(any) (any, error)
	// KeyConvert, when set, is Convert without a column mapper (masked,
	// hashed or truncated values): the message key (Debezium's has no
	// column mappers) and the matching of keys use it.
	KeyConvert func(any) (any, error)
}

// KeyConversion is the conversion of the column's values in a key: see
// KeyConvert. nil: the values are Connect values already.
func (c *Column) KeyConversion() func(any) (any, error) {
	if c.KeyConvert != nil {
		return c.KeyConvert
	}
	return c.Convert
}

// RawValue is a source-native value type of a reader's own that can say
// whether another decoded value is the same (see Column.Convert). Basic
// values (integers, floats, strings, bytes) are compared without it.
type RawValue interface {
	SameRaw(other any) bool
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
	Fields    []int
	Key       []int   // indexes into Columns of the message key
	KeySchema *Schema // nil when Key is empty and there is no PhysicalID: a null key
	// PhysicalID is the last key field's value under Debezium's
	// DefaultRegexTopicNamingStrategy (the table before its topic was
	// routed); "" otherwise.
	PhysicalID string
	RowSchema  *Schema // "<prefix>.<db>.<table>.Value", optional
	Envelope   *Schema // "<prefix>.<db>.<table>.Envelope"
	SourceSpec *Schema // schema of the source block
}

// Event is what a reader hands to the queue: a row change, a transaction's
// end, or a finished record (see Kind).
type Event struct {
	Kind   Kind
	Op     Op // KindRow
	Table  *Table
	Before []any // source-native values aligned with Table.Columns; nil for c/r
	After  []any // nil for d
	Source *Value
	// TsMs is the source time of the change (binlog event time), in ms.
	TsMs int64
	// Position is where to resume after a KindCommit event.
	Position Position
	// Record is the finished record of a KindRecord event.
	Record *Record
	// TxID is the transaction a KindBegin starts (Debezium's transaction
	// id: a GTID, or the binlog file and position without GTIDs).
	TxID string
	// TxEnd marks a KindCommit that ends a source transaction, as opposed
	// to a position inside one or a checkpoint: the END of transaction
	// metadata.
	TxEnd bool
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
	// FixedPartition puts the record in Partition instead of the one its
	// key hashes to: Debezium writes every schema change event to
	// partition 0 of its topic.
	FixedPartition bool
	Partition      int32
	// NoTaskHeaders keeps the task's __debezium.context headers off the
	// record: Debezium writes its notifications without them.
	NoTaskHeaders bool
}

// Enqueuer is where a reader puts events. Each reader has its own: the
// order of one reader's events is kept, and the position the task stores
// combines every reader's acknowledged commits.
//
// Enqueue blocks while the queue is full (backpressure) and returns
// ctx.Err() once ctx is done; events before that stay queued. Checkpoint
// enqueues a commit at pos and blocks until it, and everything enqueued
// before it, is in Kafka and pos is stored: a reader calls it where it must
// not go on before its position is durable (a snapshot's start, say). It
// returns ctx.Err() when ctx ends first, or the error that stopped the
// store. One reader calls its Enqueuer from one goroutine at a time.
type Enqueuer interface {
	Enqueue(ctx context.Context, events ...Event) error
	Checkpoint(ctx context.Context, pos Position) error
}
