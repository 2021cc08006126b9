package connector

import (
	"fmt"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Debezium's headers on the two halves of a primary-key change.
const (
	headerNewKey = "__debezium.newkey"
	headerOldKey = "__debezium.oldkey"
)

// recordBuilder turns row events into the records Debezium would write.
// It is used by the poller goroutine only.
type recordBuilder struct {
	tombstones bool
	// skipUnchanged drops an update whose images are equal
	// (skip.messages.without.change).
	skipUnchanged bool
	// skip are skipped.operations applied to each record, as Debezium's
	// event dispatcher does for sources that do not filter operations
	// themselves (Vitess): a key change's delete and create are each
	// kept or dropped by its own operation. nil: none.
	skip *[256]bool
	now  func() time.Time
	// ms is the last processing time's millisecond and tsMs the same,
	// boxed: the envelope's ts_ms, shared by the records of a millisecond.
	ms   int64
	tsMs any
	// last is the processing time of the last build, tsUs and tsNs the
	// same boxed; reads counts the builds since the clock was read.
	last       time.Time
	tsUs, tsNs any
	reads      int
}

// clockEvery is how many events share one reading of the clock.
const clockEvery = 32

// tick makes the next build read the clock: at the start of each batch.
func (b *recordBuilder) tick() { b.reads = clockEvery }

// stamp sets the processing time of the event being built, for its
// envelopes' ts_ms, ts_us and ts_ns and its records' Kafka timestamp: the
// clock is read at a batch's start and then once per clockEvery events
// (an event takes 2-20 µs here, so the times stay within a millisecond of
// the event's), and its values boxed once for them. Reading the clock and
// boxing per event cost two allocations and a clock read (~50 ns on this
// VM) a row, and the producer read it again for the Kafka timestamp.
func (b *recordBuilder) stamp() {
	if b.reads < clockEvery && b.tsNs != nil {
		b.reads++
		return
	}
	now := b.now()
	ns := now.UnixNano()
	b.last, b.tsUs, b.tsNs, b.reads = now, ns/1e3, ns, 1
	if ms := ns / 1e6; b.tsMs == nil || b.ms != ms {
		b.ms, b.tsMs = ms, ms
	}
}

// convertRow applies the table's column converters to a source row. like
// is another image of the same row and likeConv its converted values (an
// update's before image, for its after image), or nil: a column whose
// value equals like's takes like's converted value instead of being
// converted again. Full row images (binlog_row_image=FULL, which Debezium
// requires) repeat every column an update leaves alone, and converting
// them again was a tenth of the CPU of 40-column updates. Converted values
// are only read downstream (transforms build new structs), so the two
// images may share them.
func convertRow(t *change.Table, row, like []any, likeConv *change.Value) (*change.Value, error) {
	if row == nil {
		return nil, nil
	}
	if like == nil || likeConv == nil {
		like = nil
	}
	n := len(t.Columns)
	if t.Fields != nil {
		n = len(t.Fields)
	}
	out := change.NewValue(t.RowSchema, n)
	for i := 0; i < n; i++ {
		c := i
		if t.Fields != nil {
			c = t.Fields[i]
		}
		if like != nil && c < len(like) && c < len(row) && sameRaw(row[c], like[c]) {
			out.Values[i] = likeConv.Values[i]
			continue
		}
		v, err := convertColumn(t, t.Columns[c].Convert, row[c])
		if err != nil {
			return nil, err
		}
		out.Values[i] = v
	}
	return out, nil
}

// sameRaw reports whether two decoded column values are certainly equal,
// so that their conversions are too. A type it does not know is never the
// same: it is converted as before.
func sameRaw(a, b any) bool {
	switch x := a.(type) {
	case nil, int64, string, float64, float32, []byte:
		return change.SameValue(a, b)
	case time.Time:
		// The same instant in the same zone (a TIMESTAMP as read from the
		// binlog); == also compares the monotonic reading, which binlog
		// times have none of.
		y, ok := b.(time.Time)
		return ok && x == y
	case change.RawValue:
		return x.SameRaw(b)
	}
	return false
}

// convertColumn is v of a column of t converted by conv (nil: v is a
// Connect value already).
func convertColumn(t *change.Table, conv func(any) (any, error), v any) (any, error) {
	if conv == nil {
		return v, nil
	}
	cv, err := conv(v)
	if err != nil {
		return nil, fmt.Errorf("table %s.%s: %w", t.Database, t.Name, err)
	}
	return cv, nil
}

// keyOf builds the message key from a source row.
func keyOf(t *change.Table, row []any, converted *change.Value) (*change.Value, error) {
	if t.KeySchema == nil || row == nil {
		return nil, nil
	}
	key := change.NewValue(t.KeySchema, len(t.KeySchema.Fields))
	if len(t.KeySchema.Fields) > len(t.Key) { // the regex strategy's field
		key.Values[len(t.Key)] = t.PhysicalID
	}
	for i, k := range t.Key {
		col := &t.Columns[k]
		if t.Fields == nil && col.KeyConvert == nil {
			key.Values[i] = converted.Values[k] // already converted with the row
			continue
		}
		v, err := convertColumn(t, col.KeyConversion(), row[k])
		if err != nil {
			return nil, err
		}
		key.Values[i] = v
	}
	return key, nil
}

// sameKey compares key values as the converters produce them.
func sameKey(a, b *change.Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	for i := range a.Values {
		if !equalValue(a.Values[i], b.Values[i]) {
			return false
		}
	}
	return true
}

func equalValue(a, b any) bool {
	if ab, ok := a.([]byte); ok {
		bb, ok := b.([]byte)
		return ok && string(ab) == string(bb)
	}
	return a == b
}

// build appends the records for one row event: one record for c/u/r, a
// record and a tombstone for d, and delete + tombstone + create for an
// update that changes the primary key.
func (b *recordBuilder) build(ev *change.Event, out []change.Record) ([]change.Record, error) {
	t := ev.Table
	before, err := convertRow(t, ev.Before, nil, nil)
	if err != nil {
		return out, err
	}
	after, err := convertRow(t, ev.After, ev.Before, before)
	if err != nil {
		return out, err
	}
	b.stamp()
	now, tsMs, tsUs, tsNs := b.last, b.tsMs, b.tsUs, b.tsNs
	envelope := func(op change.Op, before, after *change.Value) *change.Value {
		env := change.NewEnvelope(t.Envelope)
		if before != nil {
			env.Values[change.EnvBefore] = before
		}
		if after != nil {
			env.Values[change.EnvAfter] = after
		}
		env.Values[change.EnvSource] = ev.Source
		env.Values[change.EnvOp] = opValues[op]
		env.Values[change.EnvTsMs] = tsMs
		env.Values[change.EnvTsUs] = tsUs
		env.Values[change.EnvTsNs] = tsNs
		return env
	}
	rec := func(key *change.Value, value *change.Value) change.Record {
		r := change.Record{Topic: t.Topic, KeySchema: t.KeySchema, Timestamp: now}
		if key != nil {
			r.Key = key
		}
		// A tombstone has no value schema, as Debezium's: transforms
		// such as ExtractField and ValueToKey tell it apart by that.
		if value != nil {
			r.Value, r.ValueSchema = value, t.Envelope
		}
		return r
	}
	oldKey, err := keyOf(t, ev.Before, before)
	if err != nil {
		return out, err
	}
	newKey, err := keyOf(t, ev.After, after)
	if err != nil {
		return out, err
	}
	switch ev.Op {
	case change.OpCreate, change.OpRead:
		if b.skipped(ev.Op) {
			break
		}
		out = append(out, rec(newKey, envelope(ev.Op, nil, after)))
	case change.OpDelete:
		if b.skipped(change.OpDelete) {
			break // its tombstone with it
		}
		key := oldKey
		out = append(out, rec(key, envelope(change.OpDelete, before, nil)))
		if b.tombstones {
			out = append(out, rec(key, nil))
		}
	case change.OpUpdate:
		if b.skipUnchanged && change.SameValues(before, after) {
			break // Debezium's check comes before the key's
		}
		if sameKey(oldKey, newKey) {
			if !b.skipped(change.OpUpdate) {
				out = append(out, rec(newKey, envelope(change.OpUpdate, before, after)))
			}
			break
		}
		if !b.skipped(change.OpDelete) {
			del := rec(oldKey, envelope(change.OpDelete, before, nil))
			del.Headers = []change.Header{{Key: headerNewKey, Schema: t.KeySchema, Value: newKey}}
			out = append(out, del)
			if b.tombstones {
				// Debezium's tombstone carries the delete's headers too.
				tomb := rec(oldKey, nil)
				tomb.Headers = del.Headers
				out = append(out, tomb)
			}
		}
		if !b.skipped(change.OpCreate) {
			cr := rec(newKey, envelope(change.OpCreate, nil, after))
			cr.Headers = []change.Header{{Key: headerOldKey, Schema: t.KeySchema, Value: oldKey}}
			out = append(out, cr)
		}
	case change.OpTruncate:
		if b.skipped(change.OpTruncate) {
			break
		}
		// Debezium's truncate event: no key, no before or after.
		r := rec(nil, envelope(change.OpTruncate, nil, nil))
		r.KeySchema = nil
		out = append(out, r)
	default:
		return out, fmt.Errorf("event for %s.%s has unknown operation %q", t.Database, t.Name, ev.Op)
	}
	return out, nil
}

// skipped reports whether skipped.operations drops records of op.
func (b *recordBuilder) skipped(op change.Op) bool { return b.skip != nil && b.skip[op] }

// opValues are the envelope's op strings by operation code, boxed once and
// indexed directly (it was a map read per record).
var opValues = func() (v [256]any) {
	for _, op := range []change.Op{change.OpCreate, change.OpUpdate, change.OpDelete, change.OpRead, change.OpTruncate} {
		v[op] = string(rune(op))
	}
	return v
}()
