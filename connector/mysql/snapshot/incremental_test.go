package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

type tableSet map[string]bool

func (s tableSet) TableIncluded(db, table string) bool { return s[db+"."+table] }

var errNoServer = errors.New("no server in unit tests")

// newTestIncremental is an on-demand snapshot of a server that captures
// app.a and app.b and that nothing can reach: the catalog fails with
// errNoServer.
func newTestIncremental(t *testing.T, chunk int) (*Incremental, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	srv := server.New(server.Config{Flavor: "mariadb", TopicPrefix: "p", Filter: tableSet{"app.a": true, "app.b": true},
		SignalTable: "app.debezium_signal", IncrementalChunk: chunk, Logger: zap.New(core)})
	srv.Catalog = server.NewCatalog(func(context.Context) (*client.Conn, error) { return nil, errNoServer })
	return NewIncremental(srv), logs
}

// logged lists the entries at level warn and above as "LEVEL message".
func logged(logs *observer.ObservedLogs) []string {
	var out []string
	for _, e := range logs.All() {
		if e.Level >= zapcore.WarnLevel {
			out = append(out, e.Level.CapitalString()+" "+e.Message)
		}
	}
	return out
}

// The catalog is the first thing a requested snapshot needs: its error
// proves the request was acted on, and leaves the progress to inspect.
const noCatalog = "on-demand snapshot of app.a: reading the server version: no server in unit tests"

func TestSignalExecuteSnapshot(t *testing.T) {
	for _, c := range []struct {
		name, data, progress string
		logs                 []string
	}{
		{"Debezium's example", `{"data-collections": ["app.a", "app.b"], "type": "incremental",
			"additional-conditions": [{"data-collection": "app.a", "filter": "color = 'blue'"}]}`,
			`{"id":"ad-hoc-1","tables":["app.a","app.b"],"conditions":{"app.a":"color = 'blue'"}}`, nil},
		{"type in capitals", `{"data-collections": ["app.a"], "type": "INCREMENTAL"}`, `{"id":"ad-hoc-1","tables":["app.a"]}`, nil},
		{"no type: incremental", `{"data-collections": ["app.a"]}`, `{"id":"ad-hoc-1","tables":["app.a"]}`, nil},
		// Debezium trims the names (ExecuteSnapshot.getDataCollections).
		{"names with spaces", `{"data-collections": [" app.a ", "app.b\n"],
			"additional-conditions": [{"data-collection": " app.b", "filter": "region = 5"}]}`,
			`{"id":"ad-hoc-1","tables":["app.a","app.b"],"conditions":{"app.b":"region = 5"}}`, nil},
		{"uncaptured table skipped", `{"data-collections": ["app.a", "app.x", "nodb"]}`, `{"id":"ad-hoc-1","tables":["app.a"]}`,
			[]string{"WARN execute-snapshot names a table that is not captured; skipping it", "WARN execute-snapshot names a table that is not captured; skipping it"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			i, logs := newTestIncremental(t, 0)
			i.Signal("ad-hoc-1", "execute-snapshot", c.data)
			if !i.Due() {
				t.Fatal("Due() = false after an execute-snapshot signal")
			}
			if p := i.Progress(); p != "" {
				t.Fatalf("Progress() = %s before the signal's transaction commits, want none", p)
			}
			batch, err := i.AtCommit(context.Background(), nil, server.StreamAt{})
			if err == nil || err.Error() != noCatalog || !errors.Is(err, errNoServer) {
				t.Fatalf("AtCommit: error %v, want %q", err, noCatalog)
			}
			if len(batch) != 0 {
				t.Fatalf("AtCommit emitted %d events before any chunk was read", len(batch))
			}
			if p := i.Progress(); p != c.progress {
				t.Fatalf("Progress() = %s, want %s", p, c.progress)
			}
			if got := logged(logs); !reflect.DeepEqual(got, c.logs) {
				t.Fatalf("logged %q, want %q", got, c.logs)
			}
		})
	}
}

// Signals the snapshot cannot act on are logged and change nothing.
func TestSignalBad(t *testing.T) {
	const unreadable = `ERROR ignoring execute-snapshot signal with unreadable data; expected {"data-collections": ["db.table"]}`
	for _, c := range []struct {
		name, typ, data string
		logs            []string
	}{
		{"data not JSON", "execute-snapshot", `app.a`, []string{unreadable}},
		{"data empty", "execute-snapshot", ``, []string{unreadable}},
		{"data-collections not an array", "execute-snapshot", `{"data-collections": "app.a"}`, []string{unreadable}},
		{"unknown snapshot type", "execute-snapshot", `{"data-collections": ["app.a"], "type": "parallel"}`,
			[]string{`ERROR ignoring execute-snapshot signal: its type is neither "incremental" nor "blocking"`}},
		{"table not captured", "execute-snapshot", `{"data-collections": ["app.x"]}`,
			[]string{"WARN execute-snapshot names a table that is not captured; skipping it"}},
		{"name without a database", "execute-snapshot", `{"data-collections": ["a"]}`,
			[]string{"WARN execute-snapshot names a table that is not captured; skipping it"}},
		{"no tables", "execute-snapshot", `{"data-collections": []}`, nil},
		{"unknown type", "pause-everything", `{}`, []string{"WARN ignoring a signal of a type Sluice does not know"}},
		{"watermark of no chunk", "snapshot-window-open", ``, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			i, logs := newTestIncremental(t, 0)
			i.Signal("sig-1", c.typ, c.data)
			batch, err := i.AtCommit(context.Background(), nil, server.StreamAt{})
			if err != nil || len(batch) != 0 {
				t.Fatalf("AtCommit = %d events, %v; want none, no error", len(batch), err)
			}
			if i.Due() || i.Progress() != "" {
				t.Fatalf("after the signal: Due() = %v, Progress() = %q; want false, none", i.Due(), i.Progress())
			}
			if got := logged(logs); !reflect.DeepEqual(got, c.logs) {
				t.Fatalf("logged %q, want %q", got, c.logs)
			}
		})
	}
}

// A blocking snapshot's signal is kept for the stream to take at its
// transaction's end: its captured tables and conditions, none of it an
// on-demand snapshot.
func TestSignalBlocking(t *testing.T) {
	i, _ := newTestIncremental(t, 0)
	i.Signal("sig-1", "execute-snapshot", `{"data-collections": ["app.b", " app.a", "app.x"], "type": "BLOCKING",
		"additional-conditions": [{"data-collection": "app.a ", "filter": "id > 3"},
			{"data-collection": "app.b", "filter": " select * from app.b where id < 9"}]}`)
	if _, err := i.AtCommit(context.Background(), nil, server.StreamAt{}); err != nil {
		t.Fatal(err)
	}
	if !i.BlockingDue() || i.Due() || i.Progress() != "" {
		t.Fatalf("BlockingDue() = %v, Due() = %v, Progress() = %q; want true, false, none", i.BlockingDue(), i.Due(), i.Progress())
	}
	// By name, as Debezium orders them; a SELECT filter is the statement.
	want := blockingRequest{tables: []string{"app.a", "app.b"}, conditions: map[string]string{"app.a": "id > 3"},
		selects: map[string]string{"app.b": " select * from app.b where id < 9"}}
	if !reflect.DeepEqual(i.blocking, []blockingRequest{want}) {
		t.Errorf("blocking requests %+v, want %+v", i.blocking, want)
	}
}

func TestSignalWatermarks(t *testing.T) {
	i, _ := newTestIncremental(t, 0)
	i.chunkID = "c1"
	for _, s := range []struct{ id, typ string }{
		{"c0-open", signalWindowOpen},   // an earlier chunk's, read again after a restart
		{"c1-close", signalWindowOpen},  // id and type disagree
		{"c1-open", "execute-snapshot"}, // not a watermark
	} {
		i.Signal(s.id, s.typ, "")
	}
	if i.windowOpen || i.closeSeen {
		t.Fatalf("foreign watermarks moved the window: open %v, closed %v", i.windowOpen, i.closeSeen)
	}
	i.requests = nil
	i.Signal("c1-open", signalWindowOpen, "")
	if !i.windowOpen || i.closeSeen {
		t.Fatalf("after c1-open: open %v, closed %v; want open", i.windowOpen, i.closeSeen)
	}
	i.Signal("c0-close", signalWindowClose, "")
	if i.closeSeen {
		t.Fatal("another chunk's close watermark closed the window")
	}
	i.Signal("c1-close", signalWindowClose, "")
	if !i.closeSeen {
		t.Fatal("c1-close did not close the window")
	}
}

func TestRestoreProgress(t *testing.T) {
	i, logs := newTestIncremental(t, 0)
	if err := i.Restore(""); err != nil || i.Due() || i.Progress() != "" {
		t.Fatalf(`Restore(""): %v; Due() = %v, Progress() = %q; want nothing in progress`, err, i.Due(), i.Progress())
	}
	const p = `{"tables":["app.a","app.b"],"conditions":{"app.b":"region = 5"},"last_key":["42","'k\\'1'"]}`
	if err := i.Restore(p); err != nil {
		t.Fatalf("Restore(%s): %v", p, err)
	}
	if got := i.Progress(); got != p {
		t.Fatalf("Progress() after Restore:\n got %s\nwant %s", got, p)
	}
	if !i.Due() {
		t.Fatal("Due() = false with a snapshot in progress")
	}
	if i.chunkID != "" || i.table != nil {
		t.Fatalf("a restored snapshot has a chunk in flight (%q) or a table (%v): the next chunk must be read again", i.chunkID, i.table)
	}
	if e := logs.FilterMessage("resuming the on-demand snapshot").All(); len(e) != 1 ||
		!reflect.DeepEqual(e[0].ContextMap()["tables"], []any{"app.a", "app.b"}) {
		t.Fatalf("resume log entries %v, want one naming app.a and app.b", e)
	}

	// Restoring drops what was in flight: a chunk, its window, signals.
	i.chunkID, i.windowOpen, i.closeSeen = "c1", true, true
	i.rows, i.order = map[string][]any{"1": row(1, "")}, []string{"1"}
	i.Signal("s", "execute-snapshot", `{"data-collections": ["app.a"]}`)
	if err := i.Restore(""); err != nil {
		t.Fatal(err)
	}
	if i.Due() || i.chunkID != "" || i.windowOpen || i.closeSeen || i.rows != nil || len(i.requests) != 0 {
		t.Fatalf("Restore(\"\") kept state: %+v", i)
	}

	const bad = `{"tables":"app.a"}`
	err := i.Restore(bad)
	const want = "decoding the on-demand snapshot progress stored in the offset: json: cannot unmarshal string into Go struct field incrState.tables of type []string"
	if err == nil || err.Error() != want {
		t.Fatalf("Restore(%s): error %v, want %q", bad, err, want)
	}
	if !fault.IsDefinite(err) {
		t.Fatal("a progress that cannot be read is not a definite error: the task would retry forever")
	}
}

// chunkInFlight puts a chunk of app.a with keys 1..4 in flight as c1.
func chunkInFlight(t *testing.T, i *Incremental) *change.Table {
	t.Helper()
	tbl := testTable("app", "a", 1)
	i.state.Tables = []string{"app.a", "app.b"}
	i.table, i.chunkKey, i.defs = tbl, tbl.Key, []mysqltypes.ColumnDef{{Name: "id", DataType: "int"}, {Name: "v", DataType: "varchar"}}
	i.chunkID, i.rows, i.order = "c1", map[string][]any{}, nil
	for n := int64(1); n <= 4; n++ {
		k := fmt.Sprint(n)
		i.rows[k] = row(n, "snap")
		i.order = append(i.order, k)
	}
	i.lastKey = row(4, "snap")
	return tbl
}

// ids lists the keys and ops of events ("r1", "c9").
func ids(evs []change.Event) []string {
	var out []string
	for _, e := range evs {
		r := e.After
		if r == nil {
			r = e.Before
		}
		out = append(out, fmt.Sprintf("%c%v", e.Op, r[0]))
	}
	return out
}

func TestIncrementalWindow(t *testing.T) {
	i, _ := newTestIncremental(t, 0)
	tbl := chunkInFlight(t, i)
	// Before the open watermark: the chunk's SELECT has not begun, a
	// change then is older than the chunk's rows.
	i.Dedupe(tbl, row(1, "before the window"), "")
	i.Signal("c1-open", signalWindowOpen, "")
	i.Dedupe(tbl, row(2, "in the window"), "")
	i.Dedupe(testTable("other", "a", 1), row(3, "same name, other database"), "")
	i.Dedupe(testTable("app", "b", 1), row(3, "other table"), "")
	i.Dedupe(tbl, nil, "")

	// The close watermark has not been read: the rows wait.
	streamed := change.Event{Op: change.OpCreate, Table: tbl, After: row(9, "streamed")}
	batch, err := i.AtCommit(context.Background(), []change.Event{streamed}, server.StreamAt{})
	if err != nil || !reflect.DeepEqual(ids(batch), []string{"c9"}) {
		t.Fatalf("AtCommit before the close watermark = %v, %v; want the streamed event only", ids(batch), err)
	}

	i.Signal("c1-close", signalWindowClose, "")
	i.Dedupe(tbl, row(3, "after the window"), "") // newer than the close: the row stands, the change follows it
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the next chunk cannot be read: no server
	batch, err = i.AtCommit(ctx, []change.Event{streamed}, server.StreamAt{})
	if err == nil {
		t.Fatal("AtCommit read a next chunk without a server")
	}
	if got, want := ids(batch), []string{"c9", "r1", "r3", "r4"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("AtCommit after the close watermark emitted %v, want %v", got, want)
	}
	for _, e := range batch[1:] {
		if e.Table != tbl || e.Before != nil || e.Source.Get("snapshot") != "incremental" ||
			e.Source.Get("db") != "app" || e.Source.Get("table") != "a" || e.TsMs == 0 {
			t.Errorf("chunk row %v: table %v, before %v, source %v", e.After, e.Table.Name, e.Before, e.Source.Values)
		}
		if time.Since(time.UnixMilli(e.TsMs)) > time.Minute {
			t.Errorf("chunk row %v has ts_ms %d, not now", e.After, e.TsMs)
		}
	}
	if got, want := i.Progress(), `{"tables":["app.a","app.b"],"last_key":["4"]}`; got != want {
		t.Fatalf("Progress() after the chunk = %s, want %s", got, want)
	}
	if i.chunkID != "" || i.windowOpen || i.closeSeen || i.rows != nil {
		t.Fatalf("the emitted chunk is still in flight: id %q, open %v, closed %v, rows %v", i.chunkID, i.windowOpen, i.closeSeen, i.rows)
	}
	// Its watermarks read again (a reconnect) emit nothing more.
	i.Signal("c1-open", signalWindowOpen, "")
	i.Signal("c1-close", signalWindowClose, "")
	if i.windowOpen || i.closeSeen {
		t.Fatal("an emitted chunk's watermarks reopened its window")
	}
}

// Every row of a chunk changed during its window: nothing is emitted, and
// the next chunk still starts after the chunk's last key.
func TestIncrementalWindowAllChanged(t *testing.T) {
	i, _ := newTestIncremental(t, 0)
	tbl := chunkInFlight(t, i)
	i.Signal("c1-open", signalWindowOpen, "")
	for n := int64(1); n <= 4; n++ {
		i.Dedupe(tbl, row(n, "changed"), "")
	}
	i.Signal("c1-close", signalWindowClose, "")
	batch := i.emitChunk(nil)
	if len(batch) != 0 {
		t.Fatalf("emitChunk = %v, want nothing", ids(batch))
	}
	if !reflect.DeepEqual(i.state.LastKey, []string{"4"}) {
		t.Fatalf("LastKey = %q, want [4]", i.state.LastKey)
	}
}

func TestLiterals(t *testing.T) {
	tbl := &change.Table{Columns: make([]change.Column, 7), Key: []int{6, 0, 1, 2, 3, 4, 5}}
	// A DATETIME as the snapshot reads it; the last a TIMESTAMP's.
	datetime, err := mysqltypes.FromText(mysqltypes.ColumnDef{Name: "d", DataType: "datetime", FSP: 6}, []byte("2024-01-02 03:04:05.120000"))
	if err != nil {
		t.Fatal(err)
	}
	r := []any{
		int64(-5),
		uint64(18446744073709551615),
		1.5e-7,
		datetime,
		[]byte{0x00, 0xff, 'a'},
		"O'Brien\\",
		time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	want := []string{"'2024-01-02 03:04:05'", "-5", "18446744073709551615", "1.5e-07", "'2024-01-02 03:04:05.12'", "X'00ff61'", `'O\'Brien\\'`}
	if got := literals(r, tbl.Key, nil); !reflect.DeepEqual(got, want) {
		t.Fatalf("literals:\n got %q\nwant %q", got, want)
	}
}

func TestQuoteQualified(t *testing.T) {
	for in, want := range map[string]string{
		"app.t":           "`app`.`t`",
		"my db.my`table":  "`my db`.`my``table`",
		"app.with.dots":   "`app`.`with.dots`",
		"app.debezium_sg": "`app`.`debezium_sg`",
	} {
		if got := quoteQualified(in); got != want {
			t.Errorf("quoteQualified(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestChunkSize(t *testing.T) {
	for _, c := range []struct{ set, want int }{{0, 1024}, {-3, 1024}, {1, 1}, {5000, 5000}} {
		i, _ := newTestIncremental(t, c.set)
		if got := i.chunkSize(); got != c.want {
			t.Errorf("incremental.snapshot.chunk.size %d: chunkSize() = %d, want %d", c.set, got, c.want)
		}
	}
}

// A watermark row whose id is only the suffix ("-close") belongs to no
// chunk. Before the fix it matched the empty id of "no chunk in flight",
// and the next execute-snapshot emitted a chunk that did not exist,
// dereferencing its nil table.
func TestSignalWatermarkWithoutChunk(t *testing.T) {
	i, _ := newTestIncremental(t, 0)
	i.Signal("-open", signalWindowOpen, "")
	i.Signal("-close", signalWindowClose, "")
	if i.windowOpen || i.closeSeen {
		t.Fatalf("watermarks of no chunk moved the window: open %v, closed %v", i.windowOpen, i.closeSeen)
	}
	i.Signal("ad-hoc-1", "execute-snapshot", `{"data-collections": ["app.a"]}`)
	batch, err := i.AtCommit(context.Background(), nil, server.StreamAt{})
	if err == nil || err.Error() != noCatalog || len(batch) != 0 {
		t.Fatalf("AtCommit = %v, %v; want no events and error %q", ids(batch), err, noCatalog)
	}
}

// stop-snapshot, as Debezium's StopSnapshot: data-collections names the
// tables to drop from the running on-demand snapshot; none (or an empty
// list) stops all of it. type defaults to incremental.
func TestSignalStopSnapshot(t *testing.T) {
	for _, data := range []string{`{"type": "incremental"}`, `{"data-collections": [], "type": "INCREMENTAL"}`, `{}`} {
		t.Run("whole snapshot "+data, func(t *testing.T) {
			i, logs := newTestIncremental(t, 0)
			tbl := chunkInFlight(t, i)
			i.state.Conditions = map[string]string{"app.b": "region = 5"}
			i.Signal("c1-open", signalWindowOpen, "")
			i.Dedupe(tbl, row(2, "in the window"), "")
			i.Signal("stop-1", "stop-snapshot", data)
			batch, err := i.AtCommit(context.Background(), nil, server.StreamAt{})
			if err != nil || len(batch) != 0 {
				t.Fatalf("AtCommit = %v, %v; want no events, no error", ids(batch), err)
			}
			if i.Due() || i.Progress() != "" {
				t.Fatalf("after stop-snapshot: Due() = %v, Progress() = %q; want nothing in progress", i.Due(), i.Progress())
			}
			// The stopped chunk's close watermark arrives: nothing is emitted.
			i.Signal("c1-close", signalWindowClose, "")
			if batch, err = i.AtCommit(context.Background(), nil, server.StreamAt{}); err != nil || len(batch) != 0 {
				t.Fatalf("AtCommit after the stopped chunk's close = %v, %v; want nothing", ids(batch), err)
			}
			if got := logged(logs); len(got) != 0 {
				t.Fatalf("logged %q, want no warnings", got)
			}
			if len(logs.FilterMessage("on-demand snapshot stopped").All()) != 1 {
				t.Fatal(`no "on-demand snapshot stopped" log entry`)
			}
		})
	}

	t.Run("current table", func(t *testing.T) {
		i, _ := newTestIncremental(t, 0)
		chunkInFlight(t, i)
		i.state.LastKey = []string{"0"}
		i.Signal("c1-open", signalWindowOpen, "")
		i.Signal("stop-1", "stop-snapshot", `{"data-collections": ["app.a"], "type": "incremental"}`)
		batch, err := i.AtCommit(context.Background(), nil, server.StreamAt{})
		// app.b starts: its catalog is the first thing it needs.
		const want = "on-demand snapshot of app.b: reading the server version: no server in unit tests"
		if err == nil || err.Error() != want || len(batch) != 0 {
			t.Fatalf("AtCommit = %v, %v; want no events and error %q", ids(batch), err, want)
		}
		if got := i.Progress(); got != `{"tables":["app.b"]}` {
			t.Fatalf("Progress() = %s, want app.b alone, from its start", got)
		}
		i.Signal("c1-close", signalWindowClose, "")
		if i.closeSeen {
			t.Fatal("the stopped chunk's close watermark still counts")
		}
	})

	t.Run("a later table", func(t *testing.T) {
		i, _ := newTestIncremental(t, 0)
		chunkInFlight(t, i)
		i.state.LastKey = []string{"0"}
		i.state.Conditions = map[string]string{"app.b": "region = 5"}
		i.Signal("c1-open", signalWindowOpen, "")
		i.Signal("stop-1", "stop-snapshot", `{"data-collections": [" app.b "], "type": "incremental"}`)
		batch, err := i.AtCommit(context.Background(), nil, server.StreamAt{})
		if err != nil || len(batch) != 0 {
			t.Fatalf("AtCommit = %v, %v; want no events, no error", ids(batch), err)
		}
		if got, want := i.Progress(), `{"tables":["app.a"],"last_key":["0"]}`; got != want {
			t.Fatalf("Progress() = %s, want %s", got, want)
		}
		// The chunk of app.a in flight goes on.
		i.Signal("c1-close", signalWindowClose, "")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		batch, _ = i.AtCommit(ctx, nil, server.StreamAt{})
		if got, want := ids(batch), []string{"r1", "r2", "r3", "r4"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("chunk of app.a emitted %v, want %v", got, want)
		}
	})

	for _, c := range []struct {
		name, data string
		running    bool
		logs       []string
	}{
		{"unreadable", `app.a`, true, []string{`ERROR ignoring stop-snapshot signal with unreadable data; expected {"data-collections": ["db.table"], "type": "incremental"}`}},
		{"blocking", `{"type": "blocking"}`, true, []string{`ERROR ignoring stop-snapshot signal: only type "incremental" is supported`}},
		{"table not in the snapshot", `{"data-collections": ["app.x"], "type": "incremental"}`, true,
			[]string{"WARN stop-snapshot names a table the on-demand snapshot does not include"}},
		{"nothing running", `{"type": "incremental"}`, false, []string{"WARN stop-snapshot signal, but no on-demand snapshot is running"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			i, logs := newTestIncremental(t, 0)
			want := ""
			if c.running {
				chunkInFlight(t, i)
				want = i.Progress()
			}
			i.Signal("stop-1", "stop-snapshot", c.data)
			if _, err := i.AtCommit(context.Background(), nil, server.StreamAt{}); err != nil {
				t.Fatal(err)
			}
			if got := i.Progress(); got != want || (c.running && i.chunkID != "c1") {
				t.Fatalf("Progress() = %q, chunk %q; want %q, unchanged", got, i.chunkID, want)
			}
			if got := logged(logs); !reflect.DeepEqual(got, c.logs) {
				t.Fatalf("logged %q, want %q", got, c.logs)
			}
		})
	}
}

// The next chunk's WHERE compares the key with the last one in the
// order of the chunk's ORDER BY. A quoted DECIMAL is a string, which
// MySQL compares with a DECIMAL column as a double: above 2^53 keys
// next to the last one (9007199254740993 after ...992) were skipped.
func TestLiteralsDecimalKey(t *testing.T) {
	tbl := &change.Table{Columns: make([]change.Column, 3), Key: []int{0, 1, 2}}
	defs := []mysqltypes.ColumnDef{
		{Name: "id", DataType: "decimal", ColumnType: "decimal(20,0)", Precision: 20},
		{Name: "amount", DataType: "decimal", ColumnType: "decimal(12,4)", Precision: 12, Scale: 4},
		{Name: "code", DataType: "varchar", ColumnType: "varchar(10)"}, // digits, but text: stays a string
	}
	// The values as rowValues gives them: the server's text.
	got := literals([]any{"9007199254740992", "-12.5000", "00123"}, tbl.Key, defs)
	if want := []string{"9007199254740992", "-12.5000", "'00123'"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("literals of DECIMAL keys = %q, want exact numeric literals %q", got, want)
	}
}

func TestIsDecimalText(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "-12.5000": true, "123456789012345678901234567890": true, ".5": false, "5.": false,
		"": false, "-": false, "1e5": false, "1.2.3": false, "1 OR 1=1": false, "+1": false, "--1": false,
	} {
		if got := isDecimalText(s); got != want {
			t.Errorf("isDecimalText(%q) = %v, want %v", s, got, want)
		}
	}
}

// ORDER BY sorts an ENUM by its index and a SET by its bits; compared with
// a string, both compare as text. With key (kind ENUM('user','admin'), id)
// the chunks read 'user' rows first, and WHERE (kind, id) > ('user', 500)
// then skipped every 'admin' row ('admin' < 'user' as text).
func TestLiteralsEnumSetKey(t *testing.T) {
	tbl := &change.Table{Columns: make([]change.Column, 3), Key: []int{0, 1, 2}}
	defs := []mysqltypes.ColumnDef{
		{Name: "kind", DataType: "enum", ColumnType: "enum('user','admin')", EnumValues: []string{"user", "admin"}},
		{Name: "flags", DataType: "set", ColumnType: "set('a','b','c')", EnumValues: []string{"a", "b", "c"}},
		{Name: "id", DataType: "int"},
	}
	for _, c := range []struct {
		row  []any
		want []string
	}{
		{[]any{"user", "a,c", int64(500)}, []string{"1", "5", "500"}},
		{[]any{"admin", "", int64(1)}, []string{"2", "0", "1"}},
		{[]any{"", "b", int64(1)}, []string{"0", "2", "1"}}, // '' is the error value, index 0
		{[]any{"Admin", "C,A", int64(1)}, []string{"2", "5", "1"}},
	} {
		if got := literals(c.row, tbl.Key, defs); !reflect.DeepEqual(got, c.want) {
			t.Errorf("literals(%v) = %q, want %q", c.row, got, c.want)
		}
	}
	// A value the definition does not know (a column altered since):
	// compared as text, as before, rather than guessed.
	if got, want := literals([]any{"guest", "d", int64(1)}, tbl.Key, defs), []string{"'guest'", "'d'", "1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("literals of unknown members = %q, want %q", got, want)
	}
}

// A signal's data-collections are regular expressions over whole table
// names, as Debezium reads them: a pattern stands for the tables it
// matches, or for itself when it matches none; a plain name needs no
// table list.
func TestExpandCollections(t *testing.T) {
	tables := []string{"app.a", "app.ab", "app.b", "other.a"}
	asked := 0
	known := func() ([]string, error) { asked++; return tables, nil }
	for _, c := range []struct {
		names []string
		want  []string
		lists int
	}{
		{[]string{" app.a ", "app.x", ""}, []string{"app.a", "app.x"}, 0},
		{[]string{"app\\.a.*"}, []string{"app.a", "app.ab"}, 1},
		{[]string{"app.(a|b)", ".*\\.a"}, []string{"app.a", "app.b", "app.a", "other.a"}, 1},
		{[]string{"app.z+"}, []string{"app.z+"}, 1},
	} {
		asked = 0
		got, err := expandCollections(c.names, known)
		if err != nil || !reflect.DeepEqual(got, c.want) || asked != c.lists {
			t.Errorf("%q: %q, %v (tables listed %d times); want %q (%d)", c.names, got, err, asked, c.want, c.lists)
		}
	}
	if _, err := expandCollections([]string{"app.(a"}, known); !errors.Is(err, errBadPattern) {
		t.Errorf("an unbalanced pattern: %v, want errBadPattern", err)
	}
}

// An additional condition's data-collection is a name or a pattern over
// whole names; a table takes the first condition that names it.
func TestConditionsFor(t *testing.T) {
	got, err := conditionsFor([]string{"app.a", "app.b", "app.c"}, []collectionFilter{
		{" app.b ", "b = 1"}, {"app\\.[ab]", "ab = 1"}, {"other.c", "no"},
	})
	want := map[string]string{"app.a": "ab = 1", "app.b": "b = 1"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("%v, %v; want %v", got, err, want)
	}
	if _, err := conditionsFor([]string{"app.a"}, []collectionFilter{{"app.[", "x"}}); !errors.Is(err, errBadPattern) {
		t.Errorf("an unbalanced pattern: %v, want errBadPattern", err)
	}
}

// A signal's surrogate-key names the column the chunks of its tables
// follow; it travels in the progress, and goes with its table.
func TestSignalSurrogateKey(t *testing.T) {
	i, _ := newTestIncremental(t, 0)
	i.Signal("sig-1", "execute-snapshot", `{"data-collections": ["app.a", "app.b"], "surrogate-key": " code "}`)
	// No server here: reading the first chunk fails; the request stands.
	_, _ = i.AtCommit(context.Background(), nil, server.StreamAt{})
	want := map[string]string{"app.a": "code", "app.b": "code"}
	if !reflect.DeepEqual(i.state.Surrogates, want) {
		t.Fatalf("surrogates %v, want %v", i.state.Surrogates, want)
	}
	if !strings.Contains(i.Progress(), `"surrogates":{"app.a":"code","app.b":"code"}`) {
		t.Errorf("progress %s lacks the surrogate keys", i.Progress())
	}
	i.finishTable("app.a", "")
	if !reflect.DeepEqual(i.state.Surrogates, map[string]string{"app.b": "code"}) {
		t.Errorf("after app.a: surrogates %v", i.state.Surrogates)
	}
}

// pause-snapshot holds the next chunk back (the one in flight is still
// emitted) and stays in the progress; resume-snapshot lets it go; the
// pause ends with the snapshot it paused.
func TestSignalPauseResume(t *testing.T) {
	i, logs := newTestIncremental(t, 0)
	chunkInFlight(t, i)
	i.windowOpen, i.closeSeen = true, true
	i.Signal("p-1", "pause-snapshot", `{"type": "incremental"}`)
	batch, err := i.AtCommit(context.Background(), nil, server.StreamAt{})
	if err != nil || len(batch) != 4 {
		t.Fatalf("AtCommit = %d events, %v; want the chunk in flight's 4 rows", len(batch), err)
	}
	if !i.state.Paused || i.chunkID != "" || !strings.Contains(i.Progress(), `"paused":true`) {
		t.Fatalf("paused %v, chunk %q, progress %s; want paused, no chunk read", i.state.Paused, i.chunkID, i.Progress())
	}
	if err := i.Continue(context.Background(), ""); err != nil {
		t.Fatalf("Continue while paused read a chunk: %v", err)
	}
	// (AtCommit would read the next chunk, which needs a server.)
	i.pauseOrResume(signal{id: "r-1", typ: signalResumeSnapshot})
	if i.state.Paused {
		t.Error("still paused after resume-snapshot")
	}
	i.finishTable("app.a", "")
	i.state.Paused = true
	i.finishTable("app.b", "")
	if i.state.Paused {
		t.Error("the pause outlived its snapshot")
	}
	i.Signal("l-1", "log", `{"message": "hello from the signal table"}`)
	if got := logs.FilterMessage("signal message").All(); len(got) != 1 || got[0].ContextMap()["message"] != "hello from the signal table" {
		t.Errorf("logged %v, want the log signal's message", got)
	}
}

// Debezium's incremental snapshot progress, as its connector stored it
// (the offset in offsets/testdata), becomes Sluice's: the table left, its
// condition, and the last key sent as a SQL literal; a key Sluice cannot
// read restarts the table.
func TestFromDebezium(t *testing.T) {
	dbz := offsets.DebeziumIncremental{
		Collections: `[{"incremental_snapshot_collections_id":"dbzinc.b","incremental_snapshot_collections_additional_condition":"(v > 2)","incremental_snapshot_collections_surrogate_key":null},` +
			`{"incremental_snapshot_collections_id":"dbzinc.c","incremental_snapshot_collections_additional_condition":null,"incremental_snapshot_collections_surrogate_key":"code"}]`,
		PrimaryKey: "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c0200007870000000017400066b3236353837",
	}
	got, err := FromDebezium(dbz, zap.NewNop())
	want := `{"tables":["dbzinc.b","dbzinc.c"],"conditions":{"dbzinc.b":"(v \u003e 2)"},"last_key":["'k26587'"],"surrogates":{"dbzinc.c":"code"}}`
	if err != nil || got != want {
		t.Errorf("FromDebezium = %s, %v; want %s", got, err, want)
	}
	// A key of BIGINT UNSIGNED, DECIMAL and binary values (Java 25's
	// serialization of BigInteger, BigDecimal, byte[]; internal/javaser's
	// tests have Debezium's own).
	for hexKey, want := range map[string]string{
		"aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000006737200146a6176612e6d6174682e426967496e74656765728cfc9f1fa93bfb1d030006490008626974436f756e744900096269744c656e67746849001366697273744e6f6e7a65726f427974654e756d49000c6c6f776573745365744269744900067369676e756d5b00096d61676e69747564657400025b42787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b0200007870fffffffffffffffffffffffefffffffe00000001757200025b42acf317f8060854e00200007870000000012a78740003612762737200146a6176612e6d6174682e426967446563696d616c54c71557f981284f0300024900057363616c654c0006696e7456616c7400164c6a6176612f6d6174682f426967496e74656765723b7871007e0004000000027371007e0002fffffffffffffffffffffffefffffffe000000017571007e00060000000202d5787871007e00057371007e0009000000017371007e0002fffffffffffffffffffffffefffffffe000000017571007e000600000001057878737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c75657871007e000400000003": `["42","'a\\'b'","7.25","42","0.5","3"]`,
		"aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001737200146a6176612e6d6174682e426967496e74656765728cfc9f1fa93bfb1d030006490008626974436f756e744900096269744c656e67746849001366697273744e6f6e7a65726f427974654e756d49000c6c6f776573745365744269744900067369676e756d5b00096d61676e69747564657400025b42787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b0200007870fffffffffffffffffffffffefffffffe00000001757200025b42acf317f8060854e0020000787000000008ffffffffffffffff78":                                                                                                                                                                                                                                                                                                                                                                                                                                                                             `["18446744073709551615"]`,
		"aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001757200025b42acf317f8060854e00200007870000000030102ff": `["X'0102ff'"]`,
		// Debezium's own, for DATE and DATETIME keys (the latter unread: the
		// table restarts).
		"aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c0200007870000000017372000d6a6176612e74696d652e536572955d84ba1b2248b20c000078707707030000078e0a0378":                                                                                               `["'1934-10-03'"]`,
		"aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001737200126a6176612e73716c2e54696d657374616d702618d5c80153bf650200014900056e616e6f737872000e6a6176612e7574696c2e44617465686a81014b597419030000787077080000016f6115e330780ee6b280": ``,
	} {
		dbz.PrimaryKey = hexKey
		got, err := FromDebezium(dbz, zap.NewNop())
		var st struct {
			LastKey json.RawMessage `json:"last_key"`
		}
		if err == nil {
			err = json.Unmarshal([]byte(got), &st)
		}
		if err != nil || string(st.LastKey) != want {
			t.Errorf("last_key %s, %v; want %s", st.LastKey, err, want)
		}
	}
	dbz.PrimaryKey = "aced0005" // unreadable: the table restarts
	if got, err := FromDebezium(dbz, zap.NewNop()); err != nil || strings.Contains(got, "last_key") {
		t.Errorf("unreadable key: %s, %v; want no last_key", got, err)
	}
	if _, err := FromDebezium(offsets.DebeziumIncremental{Collections: "{"}, zap.NewNop()); err == nil {
		t.Error("unreadable collections accepted")
	}
}

// A DDL on the table of the chunk in flight drops the chunk (its rows were
// read before the DDL and would be written after it); the table's progress
// stays, so the next chunk reads the same keys again. A DDL on another
// table changes nothing, and the close row of the dropped chunk is ignored.
func TestTableChangedDropsChunkInFlight(t *testing.T) {
	i, _ := newTestIncremental(t, 0)
	chunkInFlight(t, i)
	i.windowOpen = true
	i.state.LastKey = []string{"0"}
	i.TableChanged("app", "b")
	if i.chunkID != "c1" || len(i.order) != 4 {
		t.Fatalf("a DDL on app.b dropped the chunk of app.a")
	}
	i.TableChanged("app", "A")
	if i.chunkID != "" || i.rows != nil || i.windowOpen {
		t.Fatalf("chunk %q, %d rows, window open %v after a DDL on its table; want it dropped", i.chunkID, len(i.rows), i.windowOpen)
	}
	if !slices.Equal(i.state.LastKey, []string{"0"}) || i.state.Tables[0] != "app.a" {
		t.Errorf("progress %v %v after the drop; want app.a from key 0 still", i.state.Tables, i.state.LastKey)
	}
	i.Signal("c1-close", signalWindowClose, "")
	if i.closeSeen {
		t.Error("the dropped chunk's close row closed a window")
	}
}

// TestSnapshotRenamed: the renamed table of a table that vanished from the
// initial snapshot gets an on-demand snapshot with read.only, a blocking
// one otherwise (a signal table too), and only a warning when the
// connector does not capture the new name.
func TestSnapshotRenamed(t *testing.T) {
	i, logs := newTestIncremental(t, 10)
	i.srv.ReadOnly = true
	i.SnapshotRenamed("app.t", "app.elsewhere")
	if i.Due() || !slices.Contains(logged(logs), "WARN a table was renamed before the initial snapshot read it whole, to a name the connector does not capture; the rows the snapshot did not read are in no topic") {
		t.Errorf("renamed out of the captured tables: due %v, log %v", i.Due(), logged(logs))
	}
	i.SnapshotRenamed("app.t", "app.a")
	// Acting on it reads the server's GTID position first (read.only),
	// which a unit test has not: the request is what it asks for.
	want := signal{id: "sluice-renamed-app.a", typ: signalExecuteSnapshot, data: `{"data-collections":["app.a"],"type":"incremental"}`}
	if len(i.requests) != 1 || i.requests[0] != want {
		t.Errorf("requests %+v, want %+v", i.requests, want)
	}

	b, _ := newTestIncremental(t, 10) // with a signal table
	b.SnapshotRenamed("app.t", "app.b")
	if _, err := b.AtCommit(context.Background(), nil, server.StreamAt{}); err != nil {
		t.Fatal(err)
	}
	if !b.BlockingDue() || !slices.Equal(b.BlockingTables(), []string{"app.b"}) || b.Progress() != "" {
		t.Errorf("without read.only: blocking due %v, progress %q: want a blocking snapshot of app.b", b.BlockingDue(), b.Progress())
	}
}

// TestWatermarkRefused: the server's answers that will not change by
// themselves drop the on-demand snapshot; a lock wait or a lost
// connection stays transient.
func TestWatermarkRefused(t *testing.T) {
	for code, want := range map[uint16]bool{
		gmysql.ER_TABLEACCESS_DENIED_ERROR: true, gmysql.ER_OPTION_PREVENTS_STATEMENT: true, gmysql.ER_NO_SUCH_TABLE: true,
		gmysql.ER_DATA_TOO_LONG: true, gmysql.ER_LOCK_WAIT_TIMEOUT: false, gmysql.ER_LOCK_DEADLOCK: false,
	} {
		err := watermarkRefused(fmt.Errorf("writing: %w", &gmysql.MyError{Code: code, Message: "m"}))
		if errors.Is(err, errWatermarkRefused) != want {
			t.Errorf("error %d: refused %v, want %v", code, !want, want)
		}
	}
	if errors.Is(watermarkRefused(errors.New("connection reset")), errWatermarkRefused) {
		t.Error("a network error taken as refused")
	}
}

// TestReadRefused: a chunk's SELECT refused for good (a grant, a bad
// additional-condition) skips the table; a lock wait stays transient, and
// an unknown column in Sluice's own SELECT (a DDL race) too.
func TestReadRefused(t *testing.T) {
	for code, want := range map[uint16]bool{
		gmysql.ER_TABLEACCESS_DENIED_ERROR: true, gmysql.ER_PARSE_ERROR: true, gmysql.ER_BAD_FIELD_ERROR: true,
		gmysql.ER_SP_DOES_NOT_EXIST: true, gmysql.ER_LOCK_WAIT_TIMEOUT: false, gmysql.ER_QUERY_INTERRUPTED: false,
	} {
		err := fmt.Errorf("reading a chunk: %w", &gmysql.MyError{Code: code, Message: "m"})
		if got := readRefused(err, true); got != want {
			t.Errorf("error %d with the user's SQL: refused %v, want %v", code, got, want)
		}
		if got := readRefused(err, false); got != (want && code != gmysql.ER_BAD_FIELD_ERROR) {
			t.Errorf("error %d in Sluice's own SELECT: refused %v", code, got)
		}
	}
}

// TestTableRenamed: an on-demand snapshot follows a table renamed while it
// waits or is read. The stream reads the RENAME first: the table is renamed
// in place, the current one keeping its last key, condition and surrogate
// key. A chunk finds it gone first: the RENAME then asks for a snapshot of
// the new name with the same condition and surrogate key.
func TestTableRenamed(t *testing.T) {
	i, logs := newTestIncremental(t, 10)
	i.srv.Filter = tableSet{"app.a": true, "app.b": true, "app.c": true, "app.d": true}
	i.state = incrState{ID: "s", Tables: []string{"app.a", "app.b"}, LastKey: []string{"5"},
		Conditions: map[string]string{"app.a": "v > 1"}, Surrogates: map[string]string{"app.a": "u"}}
	i.TableRenamed("APP.A", "app.c")
	want := incrState{ID: "s", Tables: []string{"app.c", "app.b"}, LastKey: []string{"5"},
		Conditions: map[string]string{"app.c": "v > 1"}, Surrogates: map[string]string{"app.c": "u"}}
	if !reflect.DeepEqual(i.state, want) {
		t.Fatalf("after the rename: %+v, want %+v", i.state, want)
	}
	i.TableRenamed("app.b", "app.z")
	if !slices.Equal(i.state.Tables, want.Tables) || !slices.Contains(logged(logs), "WARN a table of the on-demand snapshot was renamed to a name the connector does not capture; the snapshot skips it") {
		t.Errorf("renamed out of the captured tables: %v, log %v", i.state.Tables, logged(logs))
	}

	i.finishTable("app.c", gone)
	i.TableRenamed("app.x", "app.y") // never in the snapshot: nothing to do
	if len(i.requests) != 0 {
		t.Fatalf("a rename of a table the snapshot never had asked for %+v", i.requests)
	}
	i.TableRenamed("app.c", "app.d")
	wantReq := signal{id: "sluice-renamed-app.d", typ: signalExecuteSnapshot,
		data: `{"additional-conditions":[{"data-collection":"app.d","filter":"v \u003e 1"}],"data-collections":["app.d"],"surrogate-key":"u","type":"incremental"}`}
	if len(i.requests) != 1 || i.requests[0] != wantReq {
		t.Errorf("after the skip and the rename: requests %+v, want %+v", i.requests, wantReq)
	}
	i.TableRenamed("app.d", "app.c") // renamed again: asked for once
	if len(i.requests) != 1 || !slices.Equal(i.state.Tables, []string{"app.b"}) {
		t.Errorf("requests %+v, tables %v", i.requests, i.state.Tables)
	}
}

// TestTableDropped: a table skipped as gone whose DROP the stream then
// reads is forgotten (a later table of the name, renamed, gets no
// snapshot); nor is one kept whose DROP the stream read before its chunk
// found it gone.
func TestTableDropped(t *testing.T) {
	i, _ := newTestIncremental(t, 10)
	i.srv.Filter = tableSet{"app.a": true, "app.b": true, "app.c": true}
	i.state = incrState{ID: "s", Tables: []string{"app.a", "app.b"}}
	i.finishTable("app.a", gone)
	if _, ok := i.vanished["app.a"]; !ok {
		t.Fatalf("the table skipped as gone is not kept: %v", i.vanished)
	}
	i.TableDropped("APP.A")
	i.TableDropped("app.b") // still to be read
	i.finishTable("app.b", gone)
	if len(i.vanished) != 0 || len(i.dropped) != 0 {
		t.Fatalf("after the DROPs: vanished %v, dropped %v; want both empty", i.vanished, i.dropped)
	}
	i.TableRenamed("app.a", "app.c")
	i.TableRenamed("app.b", "app.c")
	if len(i.requests) != 0 {
		t.Errorf("renames of dropped tables' names asked for %+v", i.requests)
	}
}
