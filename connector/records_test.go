package connector

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

func testTable(fields []int) *change.Table {
	i32 := &change.Schema{Type: change.Int32}
	str := &change.Schema{Type: change.String, Optional: true}
	cols := []change.Column{{Name: "id", Schema: i32}, {Name: "secret", Schema: str}, {Name: "name", Schema: str}}
	rowFields := []change.Field{{Name: "id", Schema: i32}, {Name: "secret", Schema: str}, {Name: "name", Schema: str}}
	if fields != nil {
		rowFields = []change.Field{rowFields[0], rowFields[2]}
	}
	t := &change.Table{Topic: "p.db.t", Database: "db", Name: "t", Columns: cols, Fields: fields, Key: []int{0},
		KeySchema: &change.Schema{Type: change.Struct, Name: "p.db.t.Key", Fields: []change.Field{{Name: "id", Schema: i32}}},
		RowSchema: &change.Schema{Type: change.Struct, Optional: true, Name: "p.db.t.Value", Fields: rowFields}}
	t.Envelope = change.EnvelopeSchema("p.db.t", t.RowSchema, &change.Schema{Type: change.Struct})
	return t
}

func keyID(t *testing.T, r change.Record) any {
	t.Helper()
	if r.Key == nil {
		return nil
	}
	return r.Key.(*change.Value).Values[0]
}

func TestRecordsForEachOperation(t *testing.T) {
	tbl := testTable(nil)
	at := time.Date(2026, 12, 3, 8, 30, 0, 123456789, time.UTC)
	b := recordBuilder{tombstones: true, now: func() time.Time { return at }}
	row := func(id int64, name string) []any { return []any{id, "s", name} }
	for _, tc := range []struct {
		name  string
		ev    change.Event
		ops   []string // op of each record, "-" for a tombstone
		keys  []any
		heads []string // header key of each record, "" for none
	}{
		{"create", change.Event{Op: change.OpCreate, Table: tbl, After: row(1, "a")}, []string{"c"}, []any{int64(1)}, []string{""}},
		{"update", change.Event{Op: change.OpUpdate, Table: tbl, Before: row(1, "a"), After: row(1, "b")}, []string{"u"}, []any{int64(1)}, []string{""}},
		{"delete", change.Event{Op: change.OpDelete, Table: tbl, Before: row(1, "a")}, []string{"d", "-"}, []any{int64(1), int64(1)}, []string{"", ""}},
		{"key change", change.Event{Op: change.OpUpdate, Table: tbl, Before: row(1, "a"), After: row(2, "a")},
			[]string{"d", "-", "c"}, []any{int64(1), int64(1), int64(2)}, []string{headerNewKey, headerNewKey, headerOldKey}},
		{"truncate", change.Event{Op: change.OpTruncate, Table: tbl}, []string{"t"}, []any{nil}, []string{""}},
	} {
		recs, err := b.build(&tc.ev, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(recs) != len(tc.ops) {
			t.Fatalf("%s: %d records, want %d", tc.name, len(recs), len(tc.ops))
		}
		for i, r := range recs {
			op := "-"
			if r.Value != nil {
				op = r.Value.(*change.Value).Values[change.EnvOp].(string)
			}
			head := ""
			if len(r.Headers) > 0 {
				head = r.Headers[0].Key
			}
			if !r.Timestamp.Equal(at) {
				t.Errorf("%s record %d: timestamp %v, want the processing time %v", tc.name, i, r.Timestamp, at)
			}
			if op != tc.ops[i] || keyID(t, r) != tc.keys[i] || head != tc.heads[i] {
				t.Errorf("%s record %d: op %s key %v header %q, want %s %v %q", tc.name, i, op, keyID(t, r), head, tc.ops[i], tc.keys[i], tc.heads[i])
			}
		}
	}
	b.tombstones = false
	recs, _ := b.build(&change.Event{Op: change.OpDelete, Table: tbl, Before: row(1, "a")}, nil)
	if len(recs) != 1 {
		t.Errorf("tombstones.on.delete=false: %d records for a delete, want 1", len(recs))
	}
}

// skipped.operations applied record by record, as Debezium's dispatcher
// does for Vitess: a key change's delete (with its tombstone) and create
// are each dropped by their own operation.
func TestRecordsSkippedOperations(t *testing.T) {
	tbl := testTable(nil)
	row := func(id int64, name string) []any { return []any{id, "s", name} }
	events := []change.Event{
		{Op: change.OpCreate, Table: tbl, After: row(1, "a")},
		{Op: change.OpUpdate, Table: tbl, Before: row(1, "a"), After: row(1, "b")},
		{Op: change.OpUpdate, Table: tbl, Before: row(1, "b"), After: row(2, "b")},
		{Op: change.OpDelete, Table: tbl, Before: row(2, "b")},
	}
	for skip, want := range map[string]string{
		"d":   "c u c+oldkey",
		"u":   "c d - c+oldkey d -",
		"c,u": "d - d -",
		"":    "c u d - c+oldkey d -",
	} {
		ops, err := change.ParseSkippedOperations(skip)
		if skip == "" {
			ops, err = nil, nil
		}
		if err != nil {
			t.Fatal(err)
		}
		b := recordBuilder{tombstones: true, now: time.Now}
		if len(ops) > 0 {
			b.skip = new([256]bool)
			for op := range ops {
				b.skip[op] = true
			}
		}
		var got []string
		for i := range events {
			recs, err := b.build(&events[i], nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				op := "-"
				if r.Value != nil {
					op = r.Value.(*change.Value).Values[change.EnvOp].(string)
				}
				if len(r.Headers) > 0 && r.Headers[0].Key == headerOldKey {
					op += "+oldkey"
				}
				got = append(got, op)
			}
		}
		if g := fmt.Sprint(got); g != "["+want+"]" {
			t.Errorf("skipped.operations=%q: %s, want [%s]", skip, g, want)
		}
	}
}

func TestRecordsProjectColumns(t *testing.T) {
	tbl := testTable([]int{0, 2})
	b := recordBuilder{tombstones: true, now: time.Now}
	recs, err := b.build(&change.Event{Op: change.OpCreate, Table: tbl, After: []any{int64(7), "hidden", "n"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	after := recs[0].Value.(*change.Value).Values[change.EnvAfter].(*change.Value)
	if len(after.Values) != 2 || after.Values[0] != int64(7) || after.Values[1] != "n" {
		t.Errorf("projected row = %v, want [7 n]", after.Values)
	}
	if keyID(t, recs[0]) != int64(7) {
		t.Errorf("key = %v", keyID(t, recs[0]))
	}
}

// A key column under a column mapper: the row value is masked, the key
// keeps the value (Column.KeyConvert), with or without projected columns;
// a key change is still seen by the unmasked values.
func TestRecordsKeyKeepsMaskedColumn(t *testing.T) {
	for _, fields := range [][]int{nil, {0, 2}} {
		tbl := testTable(fields)
		tbl.Columns[0].Convert = func(any) (any, error) { return int64(0), nil } // masks every id to 0
		tbl.Columns[0].KeyConvert = func(v any) (any, error) { return v, nil }
		b := recordBuilder{tombstones: true, now: time.Now}
		recs, err := b.build(&change.Event{Op: change.OpUpdate, Table: tbl, Before: []any{int64(7), "s", "a"}, After: []any{int64(8), "s", "a"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 3 || keyID(t, recs[0]) != int64(7) || keyID(t, recs[2]) != int64(8) {
			t.Fatalf("fields %v: %d records, keys %v, %v; want a delete of 7, its tombstone and a create of 8", fields, len(recs), keyID(t, recs[0]), keyID(t, recs[len(recs)-1]))
		}
		after := recs[2].Value.(*change.Value).Values[change.EnvAfter].(*change.Value)
		if after.Values[0] != int64(0) {
			t.Errorf("fields %v: the row value's id %v, want it masked to 0", fields, after.Values[0])
		}
	}
}

func TestQueueBoundsAndCancel(t *testing.T) {
	q := NewQueue(2, 0)
	r := q.Reader(nil)
	ctx := context.Background()
	if err := r.Enqueue(ctx, change.Event{Kind: change.KindCommit}, change.Event{Kind: change.KindCommit}); err != nil {
		t.Fatal(err)
	}
	// Full: a third event blocks until the context ends.
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := r.Enqueue(cctx, change.Event{Op: change.OpCreate}); err == nil {
		t.Fatal("Enqueue on a full queue returned without room")
	}
	got, err := q.take(ctx, nil, 10, time.Second)
	if err != nil || len(got) != 2 {
		t.Fatalf("Take = %d events, %v", len(got), err)
	}
	// A byte bound admits one large event into an empty queue, then blocks.
	qb := NewQueue(100, 1000)
	rb := qb.Reader(nil)
	if err := rb.Enqueue(ctx, change.Event{Size: 5000}); err != nil {
		t.Fatal(err)
	}
	cctx2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if err := rb.Enqueue(cctx2, change.Event{Size: 10}); err == nil {
		t.Fatal("byte-bounded queue took more than its bound")
	}
	// Take waits at most its wait time on an empty queue.
	empty := NewQueue(1, 0)
	start := time.Now()
	got, _ = empty.take(ctx, nil, 1, 20*time.Millisecond)
	if len(got) != 0 || time.Since(start) > 2*time.Second {
		t.Fatalf("Take on an empty queue: %d events after %s", len(got), time.Since(start))
	}
}

// A reader retired while its events are still queued (the snapshot's rows
// when the per-shard readers take over) holds the stored position back:
// storing the new readers' start then would skip those rows after a crash.
func TestRetiredReaderWithQueuedEventsHoldsThePositionBack(t *testing.T) {
	q := NewQueue(100, 0)
	ctx := context.Background()
	snap := q.Reader(nil)
	if err := snap.Enqueue(ctx, change.Event{Op: change.OpCreate}, change.Event{Kind: change.KindCommit, Position: seqPos{n: 1, snap: true}}); err != nil {
		t.Fatal(err)
	}
	q.Reader(seqPos{n: 7})
	q.retire(0)
	p := NewPoller(PollerConfig{Queue: q})
	if pos, ok, err := p.committable(); err != nil || ok {
		t.Fatalf("committable = %v, %v, %v with the retired reader's events still queued; want nothing", pos, ok, err)
	}
	if _, err := q.take(ctx, nil, 10, time.Second); err != nil {
		t.Fatal(err)
	}
	if pos, ok, err := p.committable(); err != nil || !ok || pos != (seqPos{n: 7}) {
		t.Fatalf("committable = %v, %v, %v once taken (and nothing in flight); want the streaming reader's start", pos, ok, err)
	}
}

// The clock is read at a batch's start and once per clockEvery events:
// the events in between share that reading, in ts_ms/ts_us/ts_ns and the
// records' timestamp.
func TestRecordsShareClockReadings(t *testing.T) {
	tbl := testTable(nil)
	readings := 0
	base := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	b := recordBuilder{now: func() time.Time {
		readings++
		return base.Add(time.Duration(readings) * time.Microsecond)
	}}
	stamps := func(n int) (out []string) {
		for i := range n {
			recs, err := b.build(&change.Event{Op: change.OpCreate, Table: tbl, After: []any{int64(i), "s", "n"}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			env := recs[0].Value.(*change.Value).Values
			out = append(out, fmt.Sprint(recs[0].Timestamp.UnixMicro(), env[change.EnvTsUs], env[change.EnvTsNs].(int64)/1000, env[change.EnvTsMs]))
		}
		return out
	}
	b.tick()
	first := stamps(clockEvery + 1)
	for i, s := range first[:clockEvery] {
		if s != first[0] {
			t.Fatalf("event %d stamped %s, the batch's first %s", i, s, first[0])
		}
	}
	if first[clockEvery] == first[0] || readings != 2 {
		t.Fatalf("after %d events: %s again, %d clock readings; want a new reading", clockEvery, first[clockEvery], readings)
	}
	b.tick()
	if next := stamps(1); next[0] == first[clockEvery] || readings != 3 {
		t.Fatalf("a new batch stamped %s (%d readings): want a new reading", next[0], readings)
	}
}

// samePacked is a reader's own raw value type (as mysqltypes' packed
// DECIMAL is), compared by SameRaw.
type samePacked struct{ bits uint64 }

func (p *samePacked) SameRaw(o any) bool {
	q, ok := o.(*samePacked)
	return ok && *p == *q
}

func TestUpdateAfterImageSharesUnchangedConversions(t *testing.T) {
	calls := map[string]int{}
	conv := func(name string) func(any) (any, error) {
		return func(v any) (any, error) {
			calls[name]++
			switch x := v.(type) {
			case *samePacked:
				return []byte{byte(x.bits)}, nil
			case nil:
				return nil, nil
			}
			return fmt.Sprint(v), nil
		}
	}
	str := &change.Schema{Type: change.String, Optional: true}
	names := []string{"id", "i", "f", "s", "b", "p", "n", "u", "t"}
	var cols []change.Column
	var fields []change.Field
	for _, n := range names {
		cols = append(cols, change.Column{Name: n, Schema: str, Convert: conv(n)})
		fields = append(fields, change.Field{Name: n, Schema: str})
	}
	tbl := &change.Table{Topic: "p.db.t", Database: "db", Name: "t", Columns: cols,
		RowSchema: &change.Schema{Type: change.Struct, Optional: true, Name: "p.db.t.Value", Fields: fields}}
	tbl.Envelope = change.EnvelopeSchema("p.db.t", tbl.RowSchema, &change.Schema{Type: change.Struct})
	type unknown struct{ n int }
	at := time.Unix(1764800000, 123e6)
	before := []any{int64(7), int64(1000), 1.5, "x", []byte("ab"), &samePacked{5}, nil, unknown{1}, at}
	after := []any{int64(7), int64(1001), 1.5, "x", []byte("ab"), &samePacked{5}, nil, unknown{1}, time.Unix(1764800000, 123e6)}
	b := recordBuilder{now: time.Now}
	recs, err := b.build(&change.Event{Op: change.OpUpdate, Table: tbl, Before: before, After: after}, nil)
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	env := recs[0].Value.(*change.Value)
	bv, av := env.Values[change.EnvBefore].(*change.Value), env.Values[change.EnvAfter].(*change.Value)
	// Converted twice: the changed column, and one of a type sameRaw does
	// not know; every other column once, its value shared.
	want := map[string]int{"id": 1, "i": 2, "f": 1, "s": 1, "b": 1, "p": 1, "n": 1, "u": 2, "t": 1}
	for _, n := range names {
		if calls[n] != want[n] {
			t.Errorf("column %s converted %d times, want %d", n, calls[n], want[n])
		}
	}
	if av.Values[1] != "1001" || bv.Values[1] != "1000" {
		t.Errorf("changed column: before %v after %v, want 1000 and 1001", bv.Values[1], av.Values[1])
	}
	if string(av.Values[5].([]byte)) != "\x05" || av.Values[6] != nil {
		t.Errorf("shared values: after %v", av.Values)
	}
	// A change in each kind of value is seen.
	for i, changed := range []any{int64(8), int64(999), 1.25, "y", []byte("ac"), &samePacked{6}, "now set", unknown{1}, at.Add(time.Millisecond)} {
		a := append([]any(nil), before...)
		a[i] = changed
		clear(calls)
		if _, err := b.build(&change.Event{Op: change.OpUpdate, Table: tbl, Before: before, After: a}, nil); err != nil {
			t.Fatal(err)
		}
		if n := names[i]; calls[n] != 2 {
			t.Errorf("column %s changed to %v: converted %d times, want 2", n, changed, calls[n])
		}
	}
}

// skip.messages.without.change drops an update whose images are equal as
// written, bytes compared by content; other updates and other operations
// stay.
func TestRecordsSkipUnchanged(t *testing.T) {
	tbl := testTable(nil)
	events := []change.Event{
		{Op: change.OpUpdate, Table: tbl, Before: []any{int64(1), "s", "a"}, After: []any{int64(1), "s", "a"}},
		{Op: change.OpUpdate, Table: tbl, Before: []any{int64(1), "s", []byte("x")}, After: []any{int64(1), "s", []byte("x")}},
		{Op: change.OpUpdate, Table: tbl, Before: []any{int64(1), "s", "a"}, After: []any{int64(1), "s", "b"}},
		{Op: change.OpCreate, Table: tbl, After: []any{int64(2), "s", "a"}},
	}
	for skip, want := range map[bool]int{true: 2, false: 4} {
		b := recordBuilder{skipUnchanged: skip, now: time.Now}
		n := 0
		for i := range events {
			recs, err := b.build(&events[i], nil)
			if err != nil {
				t.Fatal(err)
			}
			n += len(recs)
		}
		if n != want {
			t.Errorf("skip.messages.without.change=%v: %d records, want %d", skip, n, want)
		}
	}
}
