package vitess

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	binlogdatapb "vitess.io/vitess/go/vt/proto/binlogdata"
	querypb "vitess.io/vitess/go/vt/proto/query"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/offsets"
)

// recorder is an Enqueuer that keeps what it is given, checkpoints as
// commits marked stored.
type recorder struct {
	events      []change.Event
	checkpoints []offsets.Vitess
}

func (r *recorder) Enqueue(_ context.Context, evs ...change.Event) error {
	r.events = append(r.events, evs...)
	return nil
}

func (r *recorder) Checkpoint(_ context.Context, pos change.Position) error {
	r.checkpoints = append(r.checkpoints, pos.(offsets.Vitess))
	r.events = append(r.events, change.Event{Kind: change.KindCommit, Position: pos, Op: cpOp})
	return nil
}

// cpOp marks the recorder's checkpoints.
const cpOp change.Op = 'K'

var idField = []*querypb.Field{{Name: "id", Type: querypb.Type_INT64, ColumnLength: 20, Charset: 63, Flags: 53251, ColumnType: "bigint(20)"}}

func lastPK(id string) *querypb.QueryResult {
	return &querypb.QueryResult{Fields: []*querypb.Field{{Name: "id", Type: querypb.Type_INT64, Charset: 63, Flags: 53251}},
		Rows: []*querypb.Row{{Lengths: []int64{int64(len(id))}, Values: []byte(id)}}}
}

func vgtid(shards ...*binlogdatapb.ShardGtid) *binlogdatapb.VEvent {
	return &binlogdatapb.VEvent{Type: binlogdatapb.VEventType_VGTID, Vgtid: &binlogdatapb.VGtid{ShardGtids: shards}}
}

func sg(shard, gtid, cursor string) *binlogdatapb.ShardGtid {
	s := &binlogdatapb.ShardGtid{Keyspace: "ks", Shard: shard, Gtid: gtid}
	if cursor != "" {
		s.TablePKs = []*binlogdatapb.TableLastPK{{TableName: "t", Lastpk: lastPK(cursor)}}
	}
	return s
}

func copyRows(shard string, ids ...string) []*binlogdatapb.VEvent {
	var out []*binlogdatapb.VEvent
	for _, id := range ids {
		out = append(out, &binlogdatapb.VEvent{Type: binlogdatapb.VEventType_ROW, RowEvent: &binlogdatapb.RowEvent{TableName: "t", Shard: shard,
			RowChanges: []*binlogdatapb.RowChange{{After: &querypb.Row{Lengths: []int64{int64(len(id))}, Values: []byte(id)}}}}})
	}
	return out
}

// Each copy batch's rows come after a stored checkpoint at the position
// before them that names the batch as a guard; streamed transactions need
// none.
func TestCopyBatchesAreCheckpointedWithAGuardFirst(t *testing.T) {
	cfg := &Config{Keyspace: "ks", TopicPrefix: "p", Logger: zap.NewNop()}
	out := &recorder{}
	start := offsets.Vitess{Shards: []offsets.ShardGTID{{Keyspace: "ks", Shard: "-80"}, {Keyspace: "ks", Shard: "80-"}}}
	r := newReader(cfg, builder(t), out, start)
	r.writeAhead, r.committed, r.start = true, start, start
	ctx := context.Background()
	var evs []*binlogdatapb.VEvent
	evs = append(evs, &binlogdatapb.VEvent{Type: binlogdatapb.VEventType_BEGIN},
		&binlogdatapb.VEvent{Type: binlogdatapb.VEventType_FIELD, FieldEvent: &binlogdatapb.FieldEvent{TableName: "t", Shard: "80-", Fields: idField}},
		vgtid(sg("-80", "", ""), sg("80-", "MariaDB/0-1-300", "")))
	evs = append(evs, copyRows("80-", "1", "2")...)
	evs = append(evs, vgtid(sg("-80", "", ""), sg("80-", "MariaDB/0-1-300", "2")), &binlogdatapb.VEvent{Type: binlogdatapb.VEventType_COMMIT})
	// A second batch on the other shard.
	evs = append(evs, &binlogdatapb.VEvent{Type: binlogdatapb.VEventType_BEGIN},
		&binlogdatapb.VEvent{Type: binlogdatapb.VEventType_FIELD, FieldEvent: &binlogdatapb.FieldEvent{TableName: "t", Shard: "-80", Fields: idField}},
		vgtid(sg("-80", "MariaDB/0-1-302", ""), sg("80-", "MariaDB/0-1-300", "2")))
	evs = append(evs, copyRows("-80", "3")...)
	evs = append(evs, vgtid(sg("-80", "MariaDB/0-1-302", "3"), sg("80-", "MariaDB/0-1-300", "2")), &binlogdatapb.VEvent{Type: binlogdatapb.VEventType_COMMIT})
	for _, ev := range evs {
		if err := r.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(out.checkpoints) != 2 {
		t.Fatalf("%d checkpoints, want one before each batch: %+v", len(out.checkpoints), out.checkpoints)
	}
	var kinds []string
	for _, e := range out.events {
		switch {
		case e.Op == cpOp:
			p := e.Position.(offsets.Vitess)
			if len(p.Guards) != 1 {
				t.Fatalf("checkpoint %s without its batch as a guard", p)
			}
			kinds = append(kinds, "checkpoint:"+p.Guards[0].Shard.Shard)
		case e.Kind == change.KindCommit:
			kinds = append(kinds, "commit")
		default:
			kinds = append(kinds, "row")
		}
	}
	want := "[checkpoint:80- row row commit checkpoint:-80 row commit]"
	if got := fmt.Sprint(kinds); got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	if g := out.checkpoints[1]; g.Shards[1].TablePKs == nil || g.Guards[0].Shard.GTID != "MariaDB/0-1-302" {
		t.Errorf("second checkpoint %+v: want the first batch's commit with the -80 batch (read at 302) as guard", g)
	}
}

// The task stores Combine's result even for one reader: the copy's guards
// must survive it.
func TestCombineKeepsGuards(t *testing.T) {
	g := offsets.CopyGuard{Table: "t", Shard: offsets.ShardGTID{Keyspace: "ks", Shard: "-80", GTID: "MariaDB/0-1-3"}}
	p := offsets.Vitess{Shards: []offsets.ShardGTID{{Keyspace: "ks", Shard: "-80"}}, Guards: []offsets.CopyGuard{g}}
	got, err := (&Source{}).Combine([]change.Position{p})
	if err != nil || len(got.(offsets.Vitess).Guards) != 1 {
		t.Fatalf("Combine = %+v, %v; want the guard kept", got, err)
	}
}

// A stored guard is replayed once VTGate copies its table again (the
// cursor moved from where the stream began), up to that copy's snapshot and
// before its rows, and stays stored until the commit after them.
func TestGuardsReplayWhenTheirTableIsCopiedAgain(t *testing.T) {
	cfg := &Config{Keyspace: "ks", TopicPrefix: "p", Logger: zap.NewNop()}
	out := &recorder{}
	g := offsets.CopyGuard{Table: "t", Shard: offsets.ShardGTID{Keyspace: "ks", Shard: "80-", GTID: "MariaDB/0-1-300",
		TablePKs: []offsets.TableLastPK{{TableName: "t", LastPK: &offsets.LastPK{Fields: []offsets.PKField{{Name: "id", Type: "INT64", Charset: 63, Flags: 53251}}, Rows: []offsets.PKRow{{Lengths: []string{"1"}, Values: "2"}}}}}}}
	start := offsets.Vitess{Shards: []offsets.ShardGTID{{Keyspace: "ks", Shard: "-80", GTID: "MariaDB/0-1-290"}, {Keyspace: "ks", Shard: "80-"}}, Guards: []offsets.CopyGuard{g}}
	r := newReader(cfg, builder(t), out, offsets.Vitess{Shards: start.Shards})
	r.writeAhead, r.committed, r.start, r.guards = true, offsets.Vitess{Shards: start.Shards}, offsets.Vitess{Shards: start.Shards}, start.Guards
	var replayed []string
	r.runGuard = func(_ context.Context, g offsets.CopyGuard, until string) error {
		replayed = append(replayed, g.Shard.Shard+" until "+until)
		out.events = append(out.events, change.Event{Op: 'R'})
		return nil
	}
	ctx := context.Background()
	// A streamed transaction on -80: 80- has not started copying again.
	for _, ev := range []*binlogdatapb.VEvent{{Type: binlogdatapb.VEventType_BEGIN}, vgtid(sg("-80", "MariaDB/0-1-291", ""), sg("80-", "", "")), {Type: binlogdatapb.VEventType_COMMIT}} {
		if err := r.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(replayed) != 0 || len(out.events) != 1 || len(out.events[0].Position.(offsets.Vitess).Guards) != 1 {
		t.Fatalf("before the copy of 80- starts again: replayed %v, events %+v; want the guard kept in the commit", replayed, out.events)
	}
	// 80-'s first batch copied again at a newer snapshot.
	evs := []*binlogdatapb.VEvent{{Type: binlogdatapb.VEventType_BEGIN},
		{Type: binlogdatapb.VEventType_FIELD, FieldEvent: &binlogdatapb.FieldEvent{TableName: "t", Shard: "80-", Fields: idField}}}
	evs = append(evs, copyRows("80-", "1", "2", "3")...)
	evs = append(evs, vgtid(sg("-80", "MariaDB/0-1-291", ""), sg("80-", "MariaDB/0-1-320", "3")), &binlogdatapb.VEvent{Type: binlogdatapb.VEventType_COMMIT})
	for _, ev := range evs {
		if err := r.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(replayed) != "[80- until MariaDB/0-1-320]" {
		t.Fatalf("replayed %v, want the 80- guard once, up to the new snapshot", replayed)
	}
	var kinds []string
	for _, e := range out.events[1:] {
		kinds = append(kinds, string(e.Op))
	}
	if got, want := fmt.Sprint(kinds), "[R K c c c \x00]"; got != want {
		t.Fatalf("events after the first commit %s, want %s: the replay, the batch's checkpoint, its rows, the commit", got, want)
	}
	last := out.events[len(out.events)-1]
	if gs := last.Position.(offsets.Vitess).Guards; len(gs) != 0 {
		t.Errorf("the commit after the replay still carries guards %+v", gs)
	}
	// The batch's own checkpoint kept the stored guard beside the new one.
	if cp := out.checkpoints[0]; len(cp.Guards) != 2 {
		t.Errorf("checkpoint guards %+v, want the stored one and the batch", cp.Guards)
	}
}

// A copy batch is not passed on before its end, however large: its guard
// needs the cursor VTGate sends after the rows. (VTGate's packet size
// bounds it.)
func TestLargeCopyBatchIsHeldWhole(t *testing.T) {
	cfg := &Config{Keyspace: "ks", TopicPrefix: "p", Logger: zap.NewNop()}
	out := &recorder{}
	start := offsets.Vitess{Shards: []offsets.ShardGTID{{Keyspace: "ks", Shard: "80-"}}}
	r := newReader(cfg, builder(t), out, start)
	r.writeAhead, r.committed, r.start = true, start, start
	ctx := context.Background()
	for _, ev := range []*binlogdatapb.VEvent{{Type: binlogdatapb.VEventType_BEGIN},
		{Type: binlogdatapb.VEventType_FIELD, FieldEvent: &binlogdatapb.FieldEvent{TableName: "t", Shard: "80-", Fields: idField}}} {
		if err := r.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	for n := 0; r.size <= 2*maxPending; n++ {
		if err := r.handle(ctx, copyRows("80-", fmt.Sprint(n))[0]); err != nil {
			t.Fatal(err)
		}
	}
	if len(out.events) != 0 {
		t.Fatalf("%d events passed on before the copy batch's end", len(out.events))
	}
}

// A streamed transaction larger than maxPending is held until its VGTID,
// the rows past maxPending in a file: every row then carries the
// transaction's own VGTID in source.vgtid, as Debezium's do, and the
// transaction's BEGIN has it as id; the file is gone after the commit.
func TestLargeTransactionWaitsForItsVGTID(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	cfg := &Config{Keyspace: "ks", TopicPrefix: "p", TxMetadata: true, Logger: zap.NewNop()}
	out := &recorder{}
	r := newReader(cfg, builder(t), out, offsets.Vitess{Shards: []offsets.ShardGTID{{Keyspace: "ks", Shard: "-", GTID: "MariaDB/0-1-5"}}})
	ctx := context.Background()
	for _, ev := range []*binlogdatapb.VEvent{{Type: binlogdatapb.VEventType_BEGIN, Timestamp: 100},
		{Type: binlogdatapb.VEventType_FIELD, FieldEvent: &binlogdatapb.FieldEvent{TableName: "t", Shard: "-", Fields: idField}}} {
		if err := r.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	rows := 0
	for rows < 3*maxPending/256 { // each row's held size is over 256 bytes
		ev := &binlogdatapb.VEvent{Type: binlogdatapb.VEventType_ROW, Timestamp: 100, RowEvent: &binlogdatapb.RowEvent{TableName: "t", Shard: "-"}}
		for range 1000 {
			id := strconv.Itoa(rows)
			ev.RowEvent.RowChanges = append(ev.RowEvent.RowChanges, &binlogdatapb.RowChange{After: &querypb.Row{Lengths: []int64{int64(len(id))}, Values: []byte(id)}})
			rows++
		}
		if err := r.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(out.events) != 0 {
		t.Fatalf("%d events passed on before the transaction's VGTID", len(out.events))
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Fatalf("%d files in TMPDIR while %d rows wait, want the one holding those past %d bytes", len(files), rows, maxPending)
	}
	for _, ev := range []*binlogdatapb.VEvent{vgtid(sg("-", "MariaDB/0-1-6", "")), {Type: binlogdatapb.VEventType_COMMIT, Timestamp: 101}} {
		if err := r.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	v6 := `[{"keyspace":"ks","shard":"-","gtid":"MariaDB/0-1-6","table_p_ks":[]}]`
	if n := len(out.events); n != rows+2 || out.events[0].Kind != change.KindBegin || out.events[0].TxID != v6 || out.events[n-1].Kind != change.KindCommit {
		t.Fatalf("%d events, first %+v; want a BEGIN with id %s, the %d rows, the commit", n, out.events[0], v6, rows)
	}
	for i, e := range out.events[1 : rows+1] {
		if got := e.Source.Values[len(e.Source.Values)-1]; got != v6 || fmt.Sprint(e.After[0]) != strconv.Itoa(i) || e.TsMs != 101000 {
			t.Fatalf("row %d: id %v, source.vgtid %v, ts_ms %d; want id %d at %s, 101000", i, e.After[0], got, e.TsMs, i, v6)
		}
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("%d files left in TMPDIR after the commit", len(files))
	}
}

// With provide.transaction.metadata, each VStream transaction starts
// before its first row with the VGTID its rows carry as id and the BEGIN's
// time, and its commit ends it; an OTHER event inside one does not, and a
// transaction ending where no position is stored still ends, without one.
func TestTransactionMetadataEvents(t *testing.T) {
	cfg := &Config{Keyspace: "ks", TopicPrefix: "p", TxMetadata: true, Logger: zap.NewNop()}
	out := &recorder{}
	r := newReader(cfg, builder(t), out, offsets.Vitess{Shards: []offsets.ShardGTID{{Keyspace: "ks", Shard: "-", GTID: "MariaDB/0-1-5"}}})
	ctx := context.Background()
	field := &binlogdatapb.VEvent{Type: binlogdatapb.VEventType_FIELD, FieldEvent: &binlogdatapb.FieldEvent{TableName: "t", Shard: "-", Fields: idField}}
	streamed := []*binlogdatapb.VEvent{{Type: binlogdatapb.VEventType_BEGIN, Timestamp: 100}, field}
	streamed = append(streamed, copyRows("-", "1", "2")...)
	streamed = append(streamed, vgtid(sg("-", "MariaDB/0-1-6", "")), &binlogdatapb.VEvent{Type: binlogdatapb.VEventType_OTHER, Timestamp: 101},
		&binlogdatapb.VEvent{Type: binlogdatapb.VEventType_COMMIT, Timestamp: 102})
	for _, ev := range streamed {
		if err := r.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	// A copy batch ending between two tables' copies: no place to resume.
	r.copying["-"] = true
	copied := []*binlogdatapb.VEvent{{Type: binlogdatapb.VEventType_BEGIN}, field}
	copied = append(copied, copyRows("-", "3")...)
	copied = append(copied, vgtid(sg("-", "MariaDB/0-1-7", "")), &binlogdatapb.VEvent{Type: binlogdatapb.VEventType_COMMIT})
	for _, ev := range copied {
		if err := r.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, e := range out.events {
		switch e.Kind {
		case change.KindBegin:
			got = append(got, fmt.Sprintf("BEGIN %s @%d", e.TxID, e.TsMs))
		case change.KindCommit:
			got = append(got, fmt.Sprintf("commit end=%v at=%v @%d", e.TxEnd, e.Position != nil, e.TsMs))
		default:
			got = append(got, "row "+e.Source.Values[len(e.Source.Values)-1].(string))
		}
	}
	v6 := `[{"keyspace":"ks","shard":"-","gtid":"MariaDB/0-1-6","table_p_ks":[]}]`
	v7 := `[{"keyspace":"ks","shard":"-","gtid":"MariaDB/0-1-7","table_p_ks":[]}]`
	want := []string{"BEGIN " + v6 + " @100000", "row " + v6, "row " + v6, "commit end=false at=true @101000", "commit end=true at=true @102000",
		"BEGIN " + v7 + " @0", "row " + v7, "commit end=true at=false @0"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A VStream heartbeat during the copy phase (its VGTID holds a copy cursor)
// is passed on without a position: the heartbeat record may go out, the
// offset cannot move to a cursor. Within a transaction none is.
func TestHeartbeatDuringCopyHasNoPosition(t *testing.T) {
	cfg := &Config{Keyspace: "ks", TopicPrefix: "p", Heartbeat: time.Second, Logger: zap.NewNop()}
	out := &recorder{}
	r := newReader(cfg, builder(t), out, offsets.Vitess{Shards: []offsets.ShardGTID{{Keyspace: "ks", Shard: "-"}}})
	ctx := context.Background()
	for _, ev := range []*binlogdatapb.VEvent{vgtid(sg("-", "MariaDB/0-1-5", "3")), {Type: binlogdatapb.VEventType_HEARTBEAT, Timestamp: 7},
		{Type: binlogdatapb.VEventType_BEGIN}, {Type: binlogdatapb.VEventType_HEARTBEAT, Timestamp: 8}} {
		if err := r.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(out.events) != 1 || out.events[0].Kind != change.KindCommit || out.events[0].Position != nil || out.events[0].TsMs != 7000 {
		t.Errorf("events %+v, want one commit without a position at 7000 ms", out.events)
	}
}
