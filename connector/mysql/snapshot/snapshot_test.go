package snapshot

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/offsets"
)

func TestRangeBounds(t *testing.T) {
	for _, c := range []struct {
		lo, hi, n int64
		want      []int64
	}{
		{1, 100, 4, []int64{26, 51, 76}},
		{0, 9, 3, []int64{3, 6, 9}}, // the last range holds key 9 alone
		{-10, 9, 2, []int64{0}},
		{5, 5, 3, nil},            // one key: one range
		{1, 3, 10, []int64{2, 3}}, // fewer keys than ranges: one key each
		{100, 1000, 1, []int64{}}, // one range
		{7, 10, 1_000_000, []int64{8, 9, 10}},
	} {
		got := rangeBounds(c.lo, c.hi, c.n)
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("rangeBounds(%d, %d, %d) = %v, want %v", c.lo, c.hi, c.n, got, c.want)
		}
	}
}

// Keys near the ends of BIGINT: a sentinel row at 2^63-1, or random
// signed 64-bit keys, whose span does not fit an int64. Before the fix
// the bound wrapped around to negative and the loop never ended,
// appending bounds until memory ran out.
func TestRangeBoundsExtremeKeys(t *testing.T) {
	for _, c := range []struct {
		lo, hi, n int64
		want      []int64
	}{
		{1, math.MaxInt64, 2, []int64{1 + math.MaxInt64/2, 1 + 2*(math.MaxInt64/2)}},
		{math.MaxInt64 - 5, math.MaxInt64, 3, []int64{math.MaxInt64 - 3, math.MaxInt64 - 1}},
		{math.MinInt64, math.MaxInt64, 4, []int64{math.MinInt64 / 2, 0, math.MaxInt64/2 + 1}},
		{-9e18, 9e18, 3, []int64{-3e18, 3e18, 9e18}},
		{math.MinInt64, math.MinInt64 + 2, 2, []int64{math.MinInt64 + 1, math.MinInt64 + 2}},
	} {
		got := rangeBounds(c.lo, c.hi, c.n)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("rangeBounds(%d, %d, %d) = %v, want %v", c.lo, c.hi, c.n, got, c.want)
		}
	}
}

// recorder is an Enqueuer that writes down what reaches it: rows as
// "<key>:<source.snapshot>", commits as "commit(done N, in flight R)".
type recorder struct {
	t   *testing.T
	log []string
}

func (r *recorder) describe(e change.Event) string {
	if e.Kind == change.KindCommit {
		return r.position(e.Position)
	}
	return fmt.Sprintf("%v:%v", e.After[0], e.Source.Get("snapshot"))
}

func (r *recorder) position(p change.Position) string {
	pos := p.(offsets.MySQL)
	st, err := DecodeState(pos.SluiceSnapshot)
	if err != nil {
		r.t.Fatalf("commit with undecodable progress: %v", err)
	}
	in := "-"
	if st.InFlight != nil {
		in = st.InFlight.Table + rangeText(st.InFlight.Lo, st.InFlight.Hi)
	}
	return fmt.Sprintf("commit(done %d, in flight %s, snapshot %v)", len(st.Done), in, pos.Snapshot)
}

func rangeText(lo, hi *int64) string {
	return "[" + strings.TrimPrefix(ptrString(lo), "nil") + "," + strings.TrimPrefix(ptrString(hi), "nil") + ")"
}

func (r *recorder) Enqueue(_ context.Context, evs ...change.Event) error {
	var b []string
	for _, e := range evs {
		b = append(b, r.describe(e))
	}
	r.log = append(r.log, "enqueue "+strings.Join(b, " "))
	return nil
}

func (r *recorder) Checkpoint(_ context.Context, p change.Position) error {
	r.log = append(r.log, "checkpoint "+r.position(p))
	return nil
}

// streamed gives j a stream that holds rows, one batch per row (so that
// every row crosses a batch boundary), and is closed.
func streamed(j *chunkJob, rows [][]any) *chunkJob {
	j.stream = make(chan [][]any, len(rows))
	for _, r := range rows {
		j.stream <- [][]any{r}
	}
	close(j.stream)
	return j
}

// The emitter's source.snapshot flags (Debezium's precedence, the
// snapshot's last row "last" whatever table it is in) and its commits: a
// range is durably in flight before its first row, and done only with its
// last row.
func TestEmitterFlagsAndCommits(t *testing.T) {
	srv := server.New(server.Config{Flavor: "mariadb", TopicPrefix: "p"})
	s := New(srv)
	a := &snapTable{name: "app.a", table: testTable("app", "a", 1)}
	b := &snapTable{name: "app.b", table: testTable("app", "b", 1)}
	c := &snapTable{name: "app.c", table: testTable("app", "c", 1)}
	rows := func(ids ...int64) [][]any {
		var out [][]any
		for _, id := range ids {
			out = append(out, row(id, ""))
		}
		return out
	}
	jobs := []struct {
		j    *chunkJob
		rows [][]any
	}{
		{&chunkJob{t: a, hi: int64Ptr(10), first: true}, rows(1, 2)},
		{&chunkJob{t: a, lo: int64Ptr(10), hi: int64Ptr(20)}, nil}, // an empty range
		{&chunkJob{t: a, lo: int64Ptr(20), last: true}, rows(25)},
		{&chunkJob{t: b, first: true, last: true}, rows(7, 8)},
		{&chunkJob{t: c, first: true, last: true}, nil}, // an empty table last
	}
	rec := &recorder{t: t}
	st := &State{Tables: []string{"app.a", "app.b", "app.c"}}
	e := &emitter{s: s, out: rec, st: st, held: -1, firstTable: "app.a"}
	ctx := context.Background()
	for n, j := range jobs {
		if err := e.chunk(ctx, streamed(j.j, j.rows), chunkResult{gtids: fmt.Sprintf("0-1-%d", n+1)}); err != nil {
			t.Fatal(err)
		}
	}
	st.Complete = true
	if err := e.finish(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"checkpoint commit(done 0, in flight app.a[,10), snapshot true)",
		// Held until a row follows: 2 might have been the snapshot's last.
		"enqueue 1:first 2:true commit(done 1, in flight -, snapshot true) commit(done 2, in flight -, snapshot true)",
		"checkpoint commit(done 2, in flight app.a[20,), snapshot true)",
		"enqueue 25:last_in_data_collection commit(done 3, in flight -, snapshot true)",
		"checkpoint commit(done 3, in flight app.b[,), snapshot true)",
		"enqueue 7:first_in_data_collection 8:last commit(done 4, in flight -, snapshot true) " +
			"commit(done 5, in flight -, snapshot true) commit(done 5, in flight -, snapshot false)",
	}
	if !reflect.DeepEqual(rec.log, want) {
		t.Fatalf("emitted:\n%s\nwant:\n%s", strings.Join(rec.log, "\n"), strings.Join(want, "\n"))
	}
	if s.rows != 5 || a.rows != 3 || b.rows != 2 {
		t.Fatalf("rows counted: snapshot %d, app.a %d, app.b %d; want 5, 3, 2", s.rows, a.rows, b.rows)
	}
	if len(st.Done) != 5 || st.Done[4].GTIDs != "0-1-5" || st.Done[0].GTIDs != "0-1-1" {
		t.Fatalf("done ranges %+v", st.Done)
	}
}

// "first" is the first row of the snapshot's first table: when that table
// is empty no row is "first", and the next table's first row is only
// "first_in_data_collection", as Debezium's (whose table.include.list
// order can put an empty table first).
func TestEmitterEmptyFirstTable(t *testing.T) {
	s := New(server.New(server.Config{Flavor: "mariadb", TopicPrefix: "p"}))
	e0 := &snapTable{name: "app.e", table: testTable("app", "e", 1)}
	a := &snapTable{name: "app.a", table: testTable("app", "a", 1)}
	rec := &recorder{t: t}
	st := &State{Tables: []string{"app.e", "app.a"}}
	em := &emitter{s: s, out: rec, st: st, held: -1, firstTable: "app.e"}
	ctx := context.Background()
	for n, j := range []*chunkJob{
		streamed(&chunkJob{t: e0, first: true, last: true}, nil),
		streamed(&chunkJob{t: a, first: true, last: true}, [][]any{row(1, ""), row(2, ""), row(3, "")}),
	} {
		if err := em.chunk(ctx, j, chunkResult{gtids: fmt.Sprintf("0-1-%d", n+1)}); err != nil {
			t.Fatal(err)
		}
	}
	st.Complete = true
	if err := em.finish(ctx); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rec.log, "\n")
	if !strings.Contains(got, "enqueue 1:first_in_data_collection 2:true 3:last ") {
		t.Fatalf("emitted:\n%s\nwant rows 1:first_in_data_collection 2:true 3:last", got)
	}
}

// A table whose first range is empty (a character key's first range, of
// keys not of printable ASCII, mostly is) has its first row marked in the
// range that has it, as Debezium's one SELECT marks the table's first row.
func TestEmitterEmptyFirstRange(t *testing.T) {
	s := New(server.New(server.Config{Flavor: "mariadb", TopicPrefix: "p"}))
	a := &snapTable{name: "app.a", table: testTable("app", "a", 1)}
	b := &snapTable{name: "app.b", table: testTable("app", "b", 1)}
	rec := &recorder{t: t}
	st := &State{Tables: []string{"app.a", "app.b"}}
	em := &emitter{s: s, out: rec, st: st, held: -1, firstTable: "app.a"}
	ctx := context.Background()
	for n, j := range []*chunkJob{
		streamed(&chunkJob{t: a, hi: int64Ptr(0), first: true}, nil),
		streamed(&chunkJob{t: a, lo: int64Ptr(0), last: true}, [][]any{row(1, ""), row(2, "")}),
		streamed(&chunkJob{t: b, hi: int64Ptr(0), first: true}, nil),
		streamed(&chunkJob{t: b, lo: int64Ptr(0), hi: int64Ptr(5)}, [][]any{row(3, ""), row(4, "")}),
		streamed(&chunkJob{t: b, lo: int64Ptr(5), last: true}, [][]any{row(6, ""), row(7, "")}),
	} {
		if err := em.chunk(ctx, j, chunkResult{gtids: fmt.Sprintf("0-1-%d", n+1)}); err != nil {
			t.Fatal(err)
		}
	}
	st.Complete = true
	if err := em.finish(ctx); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rec.log, " ")
	for _, want := range []string{"enqueue 1:first 2:last_in_data_collection ", "enqueue 3:first_in_data_collection 4:true ", "enqueue 6:true 7:last "} {
		if !strings.Contains(got, want) {
			t.Fatalf("emitted:\n%s\nwant %q", strings.Join(rec.log, "\n"), want)
		}
	}
}

// A snapshot of one row: that row is "last" (the snapshot's end marks
// it over "first"); a snapshot of no rows ends with its marker alone.
func TestEmitterOneRowAndNone(t *testing.T) {
	srv := server.New(server.Config{Flavor: "mariadb", TopicPrefix: "p"})
	for _, c := range []struct {
		rows [][]any
		want []string
	}{
		{[][]any{row(1, "")}, []string{
			"checkpoint commit(done 0, in flight app.a[,), snapshot true)",
			"enqueue 1:last commit(done 1, in flight -, snapshot true) commit(done 1, in flight -, snapshot false)",
		}},
		{nil, []string{"enqueue commit(done 1, in flight -, snapshot true) commit(done 1, in flight -, snapshot false)"}},
	} {
		rec := &recorder{t: t}
		st := &State{Tables: []string{"app.a"}}
		e := &emitter{s: New(srv), out: rec, st: st, held: -1, firstTable: "app.a"}
		j := &chunkJob{t: &snapTable{name: "app.a", table: testTable("app", "a", 1)}, first: true, last: true}
		if err := e.chunk(context.Background(), streamed(j, c.rows), chunkResult{gtids: "0-1-1"}); err != nil {
			t.Fatal(err)
		}
		st.Complete = true
		if err := e.finish(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rec.log, c.want) {
			t.Errorf("%d rows emitted:\n%s\nwant:\n%s", len(c.rows), strings.Join(rec.log, "\n"), strings.Join(c.want, "\n"))
		}
	}
}
