package snapshot

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// testTable is a captured table whose rows are (id, v) with key id, or,
// with two key columns, (a, b, v) keyed on (a, b).
func testTable(db, name string, keyCols int) *change.Table {
	if keyCols == 2 {
		return &change.Table{Database: db, Name: name, Columns: []change.Column{{Name: "a"}, {Name: "b"}, {Name: "v"}}, Key: []int{0, 1}}
	}
	return &change.Table{Database: db, Name: name, Columns: []change.Column{{Name: "id"}, {Name: "v"}}, Key: []int{0}}
}

func row(id int64, v string) []any { return []any{id, v} }

func TestStateEncodeDecodeRoundTrip(t *testing.T) {
	st := &State{
		Tables: []string{"app.a", "app.b"},
		Done: []Chunk{
			{Table: "app.a", Hi: int64Ptr(100), GTIDs: "0-1-90"},
			{Table: "app.a", Lo: int64Ptr(100), GTIDs: "0-1-95"},
		},
		InFlight: &Chunk{Table: "app.b", Lo: int64Ptr(-7), Hi: int64Ptr(0), GTIDs: "0-1-99"},
		Guards:   []Chunk{{Table: "app.b", Lo: int64Ptr(-7), Hi: int64Ptr(0), GTIDs: "0-1-97"}},
	}
	st.Start.File, st.Start.Pos, st.Start.GTIDs = "mysql-bin.000003", 1234, "0-1-80"

	// The offset's sluice_snapshot field: its shape is what a stored
	// offset holds and what an older or newer Sluice must read.
	const want = `{"start":{"file":"mysql-bin.000003","pos":1234,"gtids":"0-1-80"},"tables":["app.a","app.b"],` +
		`"done":[{"t":"app.a","hi":100,"g":"0-1-90"},{"t":"app.a","lo":100,"g":"0-1-95"}],` +
		`"in_flight":{"t":"app.b","lo":-7,"hi":0,"g":"0-1-99"},"guards":[{"t":"app.b","lo":-7,"hi":0,"g":"0-1-97"}],"complete":false}`
	enc := st.encode()
	if enc != want {
		t.Fatalf("encode:\n got %s\nwant %s", enc, want)
	}
	got, err := DecodeState(enc)
	if err != nil {
		t.Fatalf("DecodeState(%s): %v", enc, err)
	}
	if !reflect.DeepEqual(got, st) {
		t.Fatalf("round trip changed the state:\n got %+v\nwant %+v", got, st)
	}

	// A finished snapshot: no in-flight range, no guards in the text.
	done := &State{Tables: []string{"app.a"}, Done: []Chunk{{Table: "app.a", GTIDs: ""}}, Complete: true}
	const wantDone = `{"start":{"file":"","pos":0,"gtids":""},"tables":["app.a"],"done":[{"t":"app.a","g":""}],"complete":true}`
	if enc := done.encode(); enc != wantDone {
		t.Fatalf("encode:\n got %s\nwant %s", enc, wantDone)
	}
	got, err = DecodeState(wantDone)
	if err != nil || !reflect.DeepEqual(got, done) {
		t.Fatalf("DecodeState(%s) = %+v, %v; want %+v", wantDone, got, err, done)
	}
}

func TestDecodeStateMalformed(t *testing.T) {
	const prefix = "decoding the snapshot progress stored in the offset: "
	for _, c := range []struct{ in, want string }{
		{"", prefix + "unexpected end of JSON input"},
		{`{"tables": ["app.a"]`, prefix + "unexpected end of JSON input"},
		{`{"tables": "app.a"}`, prefix + "json: cannot unmarshal string into Go struct field State.tables of type []string"},
		{`{"done": [{"t": "app.a", "lo": "5"}]}`, prefix + "json: cannot unmarshal string into Go struct field Chunk.done.lo of type int64"},
		{`{"start": {"pos": -1}}`, prefix + "json: cannot unmarshal number -1 into Go struct field .start.pos of type uint64"},
		{`sluice`, prefix + "invalid character 's' looking for beginning of value"},
	} {
		st, err := DecodeState(c.in)
		if err == nil {
			t.Errorf("DecodeState(%q) = %+v, want error %q", c.in, st, c.want)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("DecodeState(%q):\n got error %q\nwant error %q", c.in, err, c.want)
		}
		if st != nil {
			t.Errorf("DecodeState(%q) returned a state with its error: %+v", c.in, st)
		}
	}
}

// A chunk whose position is not a GTID set of the server's flavor stops
// the stream with an error naming the table and the set.
func TestNewSkipFilterBadGTIDs(t *testing.T) {
	st := &State{Done: []Chunk{{Table: "app.a", GTIDs: "0-1-5"}, {Table: "app.b", GTIDs: "0-1"}}}
	_, err := newSkipFilter("mariadb", st)
	const want = `snapshot chunk of app.b has GTID set "0-1": invalid Mariadb GTID 0-1, must domain-server-sequence`
	if err == nil || err.Error() != want {
		t.Fatalf("newSkipFilter: error %v, want %q", err, want)
	}
	_, err = newGuard("mysql", Chunk{Table: "app.c", GTIDs: "not-a-uuid:1-5"})
	if err == nil || !strings.HasPrefix(err.Error(), `snapshot range of app.c has GTID set "not-a-uuid:1-5": `) {
		t.Fatalf("newGuard: error %v, want one naming the range and its set", err)
	}
}

func TestTableProgress(t *testing.T) {
	st := &State{Done: []Chunk{
		{Table: "app.whole"},
		{Table: "app.part", Hi: int64Ptr(100)},
		{Table: "app.part", Lo: int64Ptr(100), Hi: int64Ptr(250)},
		{Table: "app.ranged", Hi: int64Ptr(10)},
		{Table: "app.ranged", Lo: int64Ptr(10), Hi: int64Ptr(20)},
		{Table: "app.ranged", Lo: int64Ptr(20)},
		{Table: "app.partly", Lo: int64Ptr(-50), Hi: int64Ptr(-10)},
	}}
	for _, c := range []struct {
		table         string
		done, started bool
		resume        *int64
	}{
		{"app.whole", true, true, nil},
		{"app.part", false, true, int64Ptr(250)},
		{"app.ranged", true, true, nil},
		{"app.partly", false, true, int64Ptr(-10)},
		{"app.new", false, false, nil},
		{"app.par", false, false, nil}, // a prefix of a table's name is another table
	} {
		done, resume, started := st.tableProgress(c.table)
		if done != c.done || started != c.started || !reflect.DeepEqual(resume, c.resume) {
			t.Errorf("tableProgress(%s) = done %v, resume %s, started %v; want %v, %s, %v",
				c.table, done, ptrString(resume), started, c.done, ptrString(c.resume), c.started)
		}
	}
}

func ptrString(p *int64) string {
	if p == nil {
		return "nil"
	}
	return strconv.FormatInt(*p, 10)
}

func mustSet(t *testing.T, flavor, s string) gmysql.GTIDSet {
	t.Helper()
	set, err := gmysql.ParseGTIDSet(flavor, s)
	if err != nil {
		t.Fatalf("ParseGTIDSet(%s, %q): %v", flavor, s, err)
	}
	return set
}

func TestChunkFor(t *testing.T) {
	ranged := []filterChunk{{hi: int64Ptr(100)}, {lo: int64Ptr(100), hi: int64Ptr(200)}, {lo: int64Ptr(200)}}
	for _, c := range []struct {
		key  *int64
		want int // index in ranged, -1 for none
	}{
		{int64Ptr(-1 << 62), 0},
		{int64Ptr(99), 0},
		{int64Ptr(100), 1}, // Lo is inclusive, Hi exclusive
		{int64Ptr(199), 1},
		{int64Ptr(200), 2},
		{int64Ptr(1 << 62), 2},
		{nil, -1}, // a key that is not an integer is in no range
	} {
		got := chunkFor(ranged, c.key)
		want := (*filterChunk)(nil)
		if c.want >= 0 {
			want = &ranged[c.want]
		}
		if got != want {
			t.Errorf("chunkFor(key %s) = %p, want chunk %d (%p)", ptrString(c.key), got, c.want, want)
		}
	}
	// A gap between ranges (a range not done yet) holds no key.
	gap := []filterChunk{{hi: int64Ptr(10)}, {lo: int64Ptr(20), hi: int64Ptr(30)}}
	if got := chunkFor(gap, int64Ptr(15)); got != nil {
		t.Errorf("chunkFor(key 15) over ranges [,10) [20,30) = %+v, want none", *got)
	}
	if got := chunkFor(gap, int64Ptr(30)); got != nil {
		t.Errorf("chunkFor(key 30) over ranges [,10) [20,30) = %+v, want none", *got)
	}
	// A table read in one piece holds every row, integer key or not.
	whole := []filterChunk{{}}
	for _, k := range []*int64{nil, int64Ptr(0), int64Ptr(-5)} {
		if got := chunkFor(whole, k); got != &whole[0] {
			t.Errorf("chunkFor(key %s) over a whole table = %p, want the table's chunk", ptrString(k), got)
		}
	}
	if got := chunkFor(nil, int64Ptr(1)); got != nil {
		t.Errorf("chunkFor with no chunks = %+v, want none", *got)
	}
}

// snapshotFilter is the filter after a snapshot of app.t read in two
// ranges (keys below 100 as of 0-1-10, the rest as of 0-1-20) and app.c,
// keyed on two columns, read whole as of 0-1-15.
func snapshotFilter(t *testing.T) *SkipFilter {
	t.Helper()
	st := &State{Tables: []string{"app.t", "app.c"}, Done: []Chunk{
		{Table: "app.t", Hi: int64Ptr(100), GTIDs: "0-1-10"},
		{Table: "app.t", Lo: int64Ptr(100), GTIDs: "0-1-20"},
		{Table: "app.c", GTIDs: "0-1-15"},
	}, Complete: true}
	f, err := newSkipFilter("mariadb", st)
	if err != nil {
		t.Fatal(err)
	}
	if f.Encoded() != st.encode() {
		t.Fatalf("Encoded() = %s, want the state's encoding %s", f.Encoded(), st.encode())
	}
	return f
}

type keepCase struct {
	name string
	gtid string
	ev   change.Event
	keep bool
	want change.Event // when kept
}

func runKeep(t *testing.T, f *SkipFilter, cases []keepCase) {
	t.Helper()
	for _, c := range cases {
		got, keep, err := f.Keep(c.gtid, c.ev)
		if err != nil {
			t.Errorf("%s: Keep(%s): %v", c.name, c.gtid, err)
			continue
		}
		if keep != c.keep {
			t.Errorf("%s: Keep(%s, %c %v -> %v) keeps %v, want %v", c.name, c.gtid, c.ev.Op, c.ev.Before, c.ev.After, keep, c.keep)
			continue
		}
		if keep && !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Keep(%s) emits %c %v -> %v, want %c %v -> %v", c.name, c.gtid,
				got.Op, got.Before, got.After, c.want.Op, c.want.Before, c.want.After)
		}
	}
}

func TestSkipFilterKeep(t *testing.T) {
	tt, tc, other := testTable("app", "t", 1), testTable("app", "c", 2), testTable("app", "other", 1)
	create := func(tbl *change.Table, after []any) change.Event {
		return change.Event{Op: change.OpCreate, Table: tbl, After: after}
	}
	update := func(tbl *change.Table, before, after []any) change.Event {
		return change.Event{Op: change.OpUpdate, Table: tbl, Before: before, After: after}
	}
	del := func(tbl *change.Table, before []any) change.Event {
		return change.Event{Op: change.OpDelete, Table: tbl, Before: before}
	}
	r5, r5b, r150 := row(5, "x"), row(5, "y"), row(150, "z")
	f := snapshotFilter(t)
	runKeep(t, f, []keepCase{
		// A change a range's read already saw is dropped; one after it is kept.
		{"insert seen by its range", "0-1-9", create(tt, r5), false, change.Event{}},
		{"insert at the range's own position", "0-1-10", create(tt, r5), false, change.Event{}},
		{"insert after its range", "0-1-11", create(tt, r5), true, create(tt, r5)},
		{"insert seen by the second range", "0-1-11", create(tt, r150), false, change.Event{}},
		{"insert after the second range", "0-1-21", create(tt, r150), true, create(tt, r150)},
		{"delete seen by its range", "0-1-10", del(tt, r5), false, change.Event{}},
		{"delete after its range", "0-1-11", del(tt, r5), true, del(tt, r5)},
		{"update seen by its range", "0-1-3", update(tt, r5, r5b), false, change.Event{}},
		{"update after its range", "0-1-12", update(tt, r5, r5b), true, update(tt, r5, r5b)},
		// A key change across ranges: only the half the snapshot does
		// not already show is news.
		{"key moves into a range that saw it", "0-1-15", update(tt, r5, r150), true, del(tt, r5)},
		{"key moves out of a range that saw it", "0-1-15", update(tt, r150, r5), true, create(tt, r5)},
		{"key change both ranges saw", "0-1-8", update(tt, r5, r150), false, change.Event{}},
		{"key change neither range saw", "0-1-21", update(tt, r5, r150), true, update(tt, r5, r150)},
		// Other domains, other tables, no GTID: nothing to compare with.
		{"another GTID domain", "1-1-3", create(tt, r5), true, create(tt, r5)},
		{"table not in the snapshot", "0-1-1", create(other, r5), true, create(other, r5)},
		{"no GTID", "", create(tt, r5), true, create(tt, r5)},
		// A table read in one piece, keyed on two columns.
		{"whole table, seen", "0-1-15", create(tc, []any{"k", int64(1), "v"}), false, change.Event{}},
		{"whole table, after", "0-1-16", create(tc, []any{"k", int64(1), "v"}), true, create(tc, []any{"k", int64(1), "v"})},
		{"whole table, delete seen", "0-1-2", del(tc, []any{"k", int64(1), "v"}), false, change.Event{}},
	})
	// Transactions alternate: the parsed GTID must follow.
	runKeep(t, f, []keepCase{
		{"first", "0-1-9", create(tt, r5), false, change.Event{}},
		{"second", "0-1-30", create(tt, r5), true, create(tt, r5)},
		{"first again", "0-1-9", create(tt, r5), false, change.Event{}},
	})

	if _, _, err := f.Keep("0-1", create(tt, r5)); err == nil || err.Error() != "invalid Mariadb GTID 0-1, must domain-server-sequence" {
		t.Errorf("Keep with a malformed GTID: error %v, want the GTID named", err)
	}
}

// MySQL GTIDs: a range's position is a set of intervals per server UUID.
func TestSkipFilterKeepMySQL(t *testing.T) {
	const a, b = "3e11fa47-71ca-11e1-9e33-c80aa9429562", "8a94f357-aab4-11df-86ab-c80aa9429562"
	st := &State{Done: []Chunk{{Table: "app.t", GTIDs: a + ":1-20," + b + ":1-5"}}}
	f, err := newSkipFilter("mysql", st)
	if err != nil {
		t.Fatal(err)
	}
	tt := testTable("app", "t", 1)
	ev := change.Event{Op: change.OpCreate, Table: tt, After: row(1, "x")}
	runKeep(t, f, []keepCase{
		{"seen", a + ":20", ev, false, change.Event{}},
		{"seen, other server", b + ":5", ev, false, change.Event{}},
		{"after", a + ":21", ev, true, ev},
		{"after, other server", b + ":6", ev, true, ev},
		{"unknown server", "c7a1b6a4-1111-11e1-9e33-c80aa9429562:1", ev, true, ev},
	})
	for _, c := range []struct {
		gset string
		want bool
	}{
		{a + ":1-20", false},
		{a + ":1-19," + b + ":1-5", false},
		{a + ":1-20," + b + ":1-5", true},
		{a + ":1-30," + b + ":1-9", true},
	} {
		if got := f.Passed(mustSet(t, "mysql", c.gset)); got != c.want {
			t.Errorf("Passed(%s) = %v, want %v", c.gset, got, c.want)
		}
	}
}

func TestSkipFilterPassed(t *testing.T) {
	f := snapshotFilter(t)
	for _, c := range []struct {
		gset string
		want bool
	}{
		{"0-1-15", false},
		{"0-1-19", false},
		{"0-1-20", true}, // the newest range's position
		{"0-1-21", true},
		{"0-1-25,1-1-1", true},
		{"1-1-30", false}, // another domain only
		{"", false},
	} {
		if got := f.Passed(mustSet(t, "mariadb", c.gset)); got != c.want {
			t.Errorf("Passed(%q) = %v, want %v", c.gset, got, c.want)
		}
	}
	if f.Passed(nil) {
		t.Error("Passed(nil) = true before the stream has a position")
	}

	// Chunks in two domains: the stream must have passed both.
	st := &State{Done: []Chunk{{Table: "app.t", Hi: int64Ptr(10), GTIDs: "0-1-10,1-2-4"}, {Table: "app.t", Lo: int64Ptr(10), GTIDs: "0-1-12,1-2-3"}}}
	f2, err := newSkipFilter("mariadb", st)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		gset string
		want bool
	}{
		{"0-1-12", false},
		{"0-1-12,1-2-3", false},
		{"0-1-11,1-2-4", false},
		{"0-1-12,1-2-4", true},
	} {
		if got := f2.Passed(mustSet(t, "mariadb", c.gset)); got != c.want {
			t.Errorf("two domains: Passed(%q) = %v, want %v", c.gset, got, c.want)
		}
	}

	// A snapshot with no finished chunk holds nothing back.
	empty, err := newSkipFilter("mariadb", &State{Tables: []string{"app.t"}})
	if err != nil {
		t.Fatal(err)
	}
	if !empty.Passed(nil) {
		t.Error("a filter with no chunks: Passed(nil) = false, want true")
	}
}

// guardedFilter is snapshotFilter with a guard over app.t keys [100, 200):
// a crash interrupted its read as of 0-1-12, and it was read again (as of
// 0-1-20) with keys 150 and 160 only.
func guardedFilter(t *testing.T) (*SkipFilter, *guard) {
	t.Helper()
	f := snapshotFilter(t)
	g, err := newGuard("mariadb", Chunk{Table: "app.t", Lo: int64Ptr(100), Hi: int64Ptr(200), GTIDs: "0-1-12"})
	if err != nil {
		t.Fatal(err)
	}
	tt := testTable("app", "t", 1)
	g.collect(&snapTable{table: tt}, [][]any{row(150, "a"), row(160, "b"), row(250, "outside the range")})
	f.guards = []*guard{g}
	return f, g
}

func TestGuardCovers(t *testing.T) {
	_, g := guardedFilter(t)
	tt, tc := testTable("app", "t", 1), testTable("app", "c", 2)
	for _, c := range []struct {
		tbl  *change.Table
		row  []any
		want bool
	}{
		{tt, row(99, ""), false},
		{tt, row(100, ""), true},
		{tt, row(199, ""), true},
		{tt, row(200, ""), false},
		{testTable("app", "u", 1), row(150, ""), false},
		{testTable("other", "t", 1), row(150, ""), false},
		{tt, []any{"150", ""}, false}, // not an integer key
	} {
		if got := g.covers(c.tbl, c.row); got != c.want {
			t.Errorf("guard [100,200) of app.t covers %s.%s row %v = %v, want %v", c.tbl.Database, c.tbl.Name, c.row, got, c.want)
		}
	}
	whole, err := newGuard("mariadb", Chunk{Table: "app.c", GTIDs: "0-1-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !whole.covers(tc, []any{"any", "key", 1}) {
		t.Error("a guard over a whole table does not cover its rows")
	}
	if len(g.ints) != 2 || len(g.strs) != 0 {
		t.Errorf("collect kept keys %v and %v, want integers 150 and 160 only", g.ints, g.strs)
	}
}

func TestGuardStaleDelete(t *testing.T) {
	_, g := guardedFilter(t)
	tt := testTable("app", "t", 1)
	for _, c := range []struct {
		name string
		tbl  *change.Table
		row  []any
		gtid string
		want bool
	}{
		{"gone key, deleted after the interrupted read", tt, row(170, ""), "0-1-13", true},
		{"gone key, deleted before the interrupted read", tt, row(170, ""), "0-1-12", false},
		{"key the new read has", tt, row(150, ""), "0-1-13", false},
		{"key outside the range", tt, row(250, ""), "0-1-13", false},
		{"another table", testTable("app", "u", 1), row(170, ""), "0-1-13", false},
		{"no row", tt, nil, "0-1-13", false},
	} {
		if got := g.staleDelete(c.tbl, c.row, mustSet(t, "mariadb", c.gtid)); got != c.want {
			t.Errorf("%s: staleDelete(%v at %s) = %v, want %v", c.name, c.row, c.gtid, got, c.want)
		}
	}
	var none *guard
	if none.staleDelete(tt, row(170, ""), mustSet(t, "mariadb", "0-1-13")) {
		t.Error("a nil guard reports a stale delete")
	}
}

// A guarded range: the stream sends the deletes of keys an interrupted
// read may have put in Kafka, even though the range's new read saw them.
func TestSkipFilterKeepGuarded(t *testing.T) {
	f, _ := guardedFilter(t)
	tt := testTable("app", "t", 1)
	r170, r150, r5 := row(170, "gone"), row(150, "kept"), row(5, "low")
	runKeep(t, f, []keepCase{
		{"delete of a gone key after the interrupted read", "0-1-13",
			change.Event{Op: change.OpDelete, Table: tt, Before: r170}, true,
			change.Event{Op: change.OpDelete, Table: tt, Before: r170}},
		{"delete before the interrupted read", "0-1-11",
			change.Event{Op: change.OpDelete, Table: tt, Before: r170}, false, change.Event{}},
		{"delete of a key the new read has", "0-1-13",
			change.Event{Op: change.OpDelete, Table: tt, Before: r150}, false, change.Event{}},
		{"update of a gone key: only its delete", "0-1-13",
			change.Event{Op: change.OpUpdate, Table: tt, Before: r170, After: row(180, "moved")}, true,
			change.Event{Op: change.OpDelete, Table: tt, Before: r170}},
		{"key leaves the guarded range for one the stream must fill", "0-1-13",
			change.Event{Op: change.OpUpdate, Table: tt, Before: r170, After: r5}, true,
			change.Event{Op: change.OpUpdate, Table: tt, Before: r170, After: r5}},
		{"insert into the guarded range", "0-1-13",
			change.Event{Op: change.OpCreate, Table: tt, After: r170}, false, change.Event{}},
	})
}

// A guard's integer keys come in any order, repeated, and may follow a
// lookup; keys of any other shape (here a two-column key over a whole
// table) are kept as strings.
func TestGuardKeysOfEveryShape(t *testing.T) {
	tt := testTable("app", "t", 1)
	g, err := newGuard("mariadb", Chunk{Table: "app.t", GTIDs: "0-1-12"})
	if err != nil {
		t.Fatal(err)
	}
	after := mustSet(t, "mariadb", "0-1-13")
	g.collect(&snapTable{table: tt}, [][]any{row(30, ""), row(10, ""), row(30, ""), row(-5, "")})
	for _, c := range []struct {
		key  int64
		gone bool
	}{{10, false}, {30, false}, {-5, false}, {20, true}, {31, true}} {
		if got := g.staleDelete(tt, row(c.key, ""), after); got != c.gone {
			t.Errorf("after keys 30, 10, 30, -5: staleDelete(key %d) = %v, want %v", c.key, got, c.gone)
		}
	}
	g.collect(&snapTable{table: tt}, [][]any{row(20, ""), row(1, "")})
	for _, k := range []int64{1, 20, 30} {
		if g.staleDelete(tt, row(k, ""), after) {
			t.Errorf("key %d collected after a lookup: its delete is sent as if the new read lacked it", k)
		}
	}
	if len(g.strs) != 0 {
		t.Errorf("integer keys kept as strings too: %v", g.strs)
	}

	tc := testTable("app", "c", 2)
	gc, err := newGuard("mariadb", Chunk{Table: "app.c", GTIDs: "0-1-12"})
	if err != nil {
		t.Fatal(err)
	}
	gc.collect(&snapTable{table: tc}, [][]any{{int64(1), "x", 0}, {int64(2), "y", 0}})
	for _, c := range []struct {
		row  []any
		gone bool
	}{{[]any{int64(1), "x", 9}, false}, {[]any{int64(1), "y", 9}, true}, {[]any{int64(2), "y", 9}, false}} {
		if got := gc.staleDelete(tc, c.row, after); got != c.gone {
			t.Errorf("two-column keys (1,x), (2,y): staleDelete(%v) = %v, want %v", c.row, got, c.gone)
		}
	}
	if len(gc.ints) != 0 {
		t.Errorf("two-column keys kept as integers: %v", gc.ints)
	}
}

// A resumed blocking snapshot taken while the stream still filtered the
// initial snapshot's ranges gives the stream that filter again; one taken
// without gives none.
func TestBlockingFilterKeepsInitialFilter(t *testing.T) {
	lo, hi := int64(1), int64(100)
	initial := &State{Tables: []string{"app.a"}, Done: []Chunk{{Table: "app.a", Lo: &lo, Hi: &hi, GTIDs: "0-1-50"}}}
	initial.Start.GTIDs = "0-1-10"
	blocking := &State{Tables: []string{"app.b"}, Blocking: true, Complete: true,
		Done: []Chunk{{Table: "app.b", GTIDs: "0-1-60"}}, InitialFilter: initial.encode()}
	decoded, err := DecodeState(blocking.encode())
	if err != nil {
		t.Fatal(err)
	}
	s := New(server.New(server.Config{Flavor: "mariadb", Logger: zap.NewNop()}))
	f, err := s.Filter(context.Background(), decoded)
	if err != nil || f == nil {
		t.Fatalf("filter %v, %v; want the initial snapshot's", f, err)
	}
	if f.Encoded() != initial.encode() {
		t.Errorf("filter of %s, want the initial snapshot's %s", f.Encoded(), initial.encode())
	}
	decoded.InitialFilter = ""
	if f, err := s.Filter(context.Background(), decoded); err != nil || f != nil {
		t.Errorf("blocking snapshot without an initial filter: %v, %v; want none", f, err)
	}
}

// A truncate event the stream writes takes its table out of the filter and
// out of the progress the offset keeps: the table's later inserts are all
// written, those a range read after the TRUNCATE already held too; other
// tables are filtered as before.
func TestSkipFilterTruncated(t *testing.T) {
	tt, tc := testTable("app", "t", 1), testTable("app", "c", 2)
	r150 := row(150, "z")
	f := snapshotFilter(t)
	f.Truncated("app", "nothing")
	f.Truncated("APP", "T")
	runKeep(t, f, []keepCase{
		{"insert the later range held", "0-1-18", change.Event{Op: change.OpCreate, Table: tt, After: r150}, true,
			change.Event{Op: change.OpCreate, Table: tt, After: r150}},
		{"another table, seen", "0-1-15", change.Event{Op: change.OpCreate, Table: tc, After: []any{"k", int64(1), "v"}}, false, change.Event{}},
	})
	st, err := DecodeState(f.Encoded())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Done) != 1 || st.Done[0].Table != "app.c" || !st.Complete {
		t.Errorf("progress after the truncate: %s; want app.c's range alone, complete", f.Encoded())
	}
	again, err := newSkipFilter("mariadb", st)
	if err != nil {
		t.Fatal(err)
	}
	runKeep(t, again, []keepCase{{"after a restart", "0-1-18", change.Event{Op: change.OpCreate, Table: tt, After: r150}, true,
		change.Event{Op: change.OpCreate, Table: tt, After: r150}}})
}

// TestSkipFilterRenamed: a table that vanished from the snapshot keeps the
// filter alive until the stream passes the set read after the snapshot
// (where the RENAME is), even with no range of its own; Renamed says yes
// once, for that table only, and a restart from the offset knows it too.
func TestSkipFilterRenamed(t *testing.T) {
	st := &State{Tables: []string{"app.t", "app.gone"}, Done: []Chunk{{Table: "app.t", GTIDs: "0-1-10"}},
		Vanished: []Chunk{{Table: "app.gone", GTIDs: "0-1-30"}}, Complete: true}
	f, err := newSkipFilter("mariadb", st)
	if err != nil {
		t.Fatal(err)
	}
	for _, pos := range []string{"0-1-10", "0-1-29"} {
		if f.Passed(mustSet(t, "mariadb", pos)) {
			t.Errorf("the filter passed at %s, before the set read after the snapshot (0-1-30)", pos)
		}
	}
	if !f.Passed(mustSet(t, "mariadb", "0-1-30")) {
		t.Error("the filter has not passed at 0-1-30")
	}
	again, err := newSkipFilter("mariadb", mustDecode(t, f.Encoded()))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []*SkipFilter{f, again} {
		if g.Renamed("app", "t") || g.Renamed("other", "gone") {
			t.Error("Renamed is true for a table that did not vanish")
		}
		if !g.Renamed("APP", "Gone") {
			t.Error("Renamed is false for the table that vanished")
		}
		if g.Renamed("app", "gone") {
			t.Error("Renamed said yes twice")
		}
	}
	alone, err := newSkipFilter("mariadb", &State{Tables: []string{"app.gone"}, Vanished: []Chunk{{Table: "app.gone", GTIDs: "0-1-5"}}})
	if err != nil {
		t.Fatal(err)
	}
	if alone.Passed(mustSet(t, "mariadb", "0-1-4")) {
		t.Error("a filter with no range but a vanished table passed before its set")
	}
}

func mustDecode(t *testing.T, s string) *State {
	t.Helper()
	st, err := DecodeState(s)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestSkipFilterMessageKeyColumns: with message.key.columns naming another
// integer column, the ranges still split the primary key, and the stream
// must find a row's range by it. By the message key, a change to row id 10
// after the first range's read, whose message key 150 falls in the second
// range's span, was taken as seen by the second range: its update became a
// delete of a row the database still has. State.noteKey records the primary
// key; a state without the entry keeps the message key.
func TestSkipFilterMessageKeyColumns(t *testing.T) {
	tt := &change.Table{Database: "app", Name: "t", Columns: []change.Column{{Name: "id"}, {Name: "k"}}, Key: []int{1}}
	st := &State{Tables: []string{"app.t"}, Keys: map[string][]string{}}
	st.noteKey(&snapTable{name: "app.t", table: tt, defs: []mysqltypes.ColumnDef{{Name: "ID"}, {Name: "k"}}, pk: []int{0}})
	if got := st.Keys["app.t"]; !slices.Equal(got, []string{"ID"}) {
		t.Fatalf("noteKey recorded %v, want the primary key [ID]", got)
	}
	st.Done = []Chunk{{Table: "app.t", Hi: int64Ptr(100), GTIDs: "0-1-10"}, {Table: "app.t", Lo: int64Ptr(100), GTIDs: "0-1-20"}}
	st.Complete = true
	f, err := newSkipFilter("mariadb", st)
	if err != nil {
		t.Fatal(err)
	}
	before, after := []any{int64(10), int64(1)}, []any{int64(10), int64(150)}
	upd := change.Event{Op: change.OpUpdate, Table: tt, Before: before, After: after}
	runKeep(t, f, []keepCase{
		{"update after the row's range, message key in the next", "0-1-15", upd, true, upd},
		{"update the row's range saw", "0-1-9", upd, false, change.Event{}},
	})

	// The guard of the first range compares primary keys too: key 10 is
	// still there, whatever its message key.
	g, err := newGuard("mariadb", Chunk{Table: "app.t", Hi: int64Ptr(100), GTIDs: "0-1-5"})
	if err != nil {
		t.Fatal(err)
	}
	g.key.names = st.Keys
	g.collect(&snapTable{table: tt}, [][]any{{int64(10), int64(150)}, {int64(150), int64(3)}})
	if !slices.Equal(g.ints, []int64{10}) {
		t.Errorf("the guard of [,100) collected %v, want primary key 10 only", g.ints)
	}
	if g.staleDelete(tt, []any{int64(10), int64(7)}, mustSet(t, "mariadb", "0-1-8")) {
		t.Error("the delete of key 10, which the range still has, is sent as stale")
	}

	// The message key becoming the primary key again forgets the entry.
	st.noteKey(&snapTable{name: "app.t", table: &change.Table{Key: []int{0}}, pk: []int{0}})
	if _, ok := st.Keys["app.t"]; ok {
		t.Errorf("noteKey kept %v for a table whose message key is its primary key", st.Keys)
	}
}

// TestSkipFilterCompositeKeyRanges: a table whose primary key (a, b) starts
// with an integer is split into ranges of a; the stream finds a row's range
// by a, and a guard tells its rows apart by the whole key.
func TestSkipFilterCompositeKeyRanges(t *testing.T) {
	tm := &change.Table{Database: "app", Name: "m", Columns: []change.Column{{Name: "a"}, {Name: "b"}, {Name: "v"}}, Key: []int{0, 1}}
	st := &State{Tables: []string{"app.m"}, Complete: true, Done: []Chunk{
		{Table: "app.m", Hi: int64Ptr(100), GTIDs: "0-1-10"},
		{Table: "app.m", Lo: int64Ptr(100), GTIDs: "0-1-20"},
	}}
	f, err := newSkipFilter("mariadb", st)
	if err != nil {
		t.Fatal(err)
	}
	ins := func(a int64, b string) change.Event {
		return change.Event{Op: change.OpCreate, Table: tm, After: []any{a, b, int64(1)}}
	}
	runKeep(t, f, []keepCase{
		{"first range, after its read", "0-1-15", ins(5, "x"), true, ins(5, "x")},
		{"second range saw it", "0-1-15", ins(150, "x"), false, change.Event{}},
		{"second range, after its read", "0-1-21", ins(150, "x"), true, ins(150, "x")},
	})

	g, err := newGuard("mariadb", Chunk{Table: "app.m", Lo: int64Ptr(100), GTIDs: "0-1-12"})
	if err != nil {
		t.Fatal(err)
	}
	g.collect(&snapTable{table: tm}, [][]any{{int64(150), "x", int64(1)}, {int64(50), "y", int64(1)}})
	if len(g.ints) != 0 || len(g.strs) != 1 {
		t.Fatalf("the guard of [100,) kept %v and %v, want the key (150, x) only", g.ints, g.strs)
	}
	gone := mustSet(t, "mariadb", "0-1-14")
	if g.staleDelete(tm, []any{int64(150), "x", int64(2)}, gone) {
		t.Error("the delete of (150, x), which the new read has, is sent as stale")
	}
	if !g.staleDelete(tm, []any{int64(150), "z", int64(2)}, gone) {
		t.Error("the delete of (150, z), which the new read lacks, is not sent")
	}
	if g.staleDelete(tm, []any{int64(50), "z", int64(2)}, gone) {
		t.Error("a delete outside the guarded range is sent as stale")
	}
}
