package vitess

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	binlogdatapb "vitess.io/vitess/go/vt/proto/binlogdata"

	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

func TestGTIDBeyond(t *testing.T) {
	for _, c := range []struct {
		pos, limit string
		want       bool
	}{
		{"MariaDB/0-1-300", "MariaDB/0-1-300", false},
		{"MariaDB/0-1-299", "MariaDB/0-1-300", false},
		{"MariaDB/0-1-301", "MariaDB/0-1-300", true},
		{"MariaDB/0-2-301", "MariaDB/0-1-300", true}, // a new primary: the sequence orders
		{"MariaDB/0-1-300,1-1-5", "MariaDB/0-1-300", true},
		{"MariaDB/0-1-300", "MariaDB/0-1-300,1-1-5", false},
		{"MySQL56/3e11fa47-71ca-11e1-9e33-c80aa9429562:1-20", "MySQL56/3e11fa47-71ca-11e1-9e33-c80aa9429562:1-20", false},
		{"MySQL56/3e11fa47-71ca-11e1-9e33-c80aa9429562:1-21", "MySQL56/3e11fa47-71ca-11e1-9e33-c80aa9429562:1-20", true},
		{"MySQL56/3e11fa47-71ca-11e1-9e33-c80aa9429562:1-19", "MySQL56/3e11fa47-71ca-11e1-9e33-c80aa9429562:1-20", false},
	} {
		got, err := gtidBeyond(c.pos, c.limit)
		if err != nil || got != c.want {
			t.Errorf("gtidBeyond(%s, %s) = %v, %v; want %v", c.pos, c.limit, got, err, c.want)
		}
	}
	for _, c := range [][2]string{{"MariaDB/0-1-3", "MySQL56/3e11fa47-71ca-11e1-9e33-c80aa9429562:1-2"}, {"FilePos/binlog.000001:4", "FilePos/binlog.000001:9"}, {"", "MariaDB/0-1-3"}, {"MariaDB/x", "MariaDB/0-1-3"}} {
		if _, err := gtidBeyond(c[0], c[1]); err == nil || !strings.Contains(err.Error(), "VTGate position") || !fault.IsDefinite(err) {
			t.Errorf("gtidBeyond(%q, %q) = %v: want a definite error naming the positions", c[0], c[1], err)
		}
	}
}

// A guard's replay passes on the transactions up to the main stream's new
// snapshot and ends at the first one after it, whose rows it drops: the
// main stream's copy rows, read at that snapshot, must not follow them.
func TestGuardReplayEndsAtTheNewSnapshot(t *testing.T) {
	r, out := guardReplay(t)
	ctx := context.Background()
	evs := []*binlogdatapb.VEvent{{Type: binlogdatapb.VEventType_FIELD, FieldEvent: &binlogdatapb.FieldEvent{TableName: "t", Shard: "80-", Fields: idField}}}
	evs = append(evs, streamedTxn("MariaDB/0-1-310", "7")...)
	evs = append(evs, streamedTxn("MariaDB/0-1-320", "8")...)
	evs = append(evs, streamedTxn("MariaDB/0-1-321", "9")...)
	for _, ev := range evs {
		if err := r.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
		if r.done {
			break
		}
	}
	if !r.done {
		t.Fatal("the replay did not end at the transaction after the new snapshot")
	}
	var ids []string
	for _, e := range out.events {
		ids = append(ids, fmt.Sprint(e.After...))
	}
	if got := strings.Join(ids, " "); got != "7 8" {
		t.Errorf("replayed %q, want the rows up to the new snapshot (7, 8)", got)
	}
}

// A replay that meets the new snapshot's own transaction ends after it,
// without waiting for the next one.
func TestGuardReplayEndsWithTheNewSnapshotsTransaction(t *testing.T) {
	r, out := guardReplay(t)
	evs := append([]*binlogdatapb.VEvent{{Type: binlogdatapb.VEventType_FIELD, FieldEvent: &binlogdatapb.FieldEvent{TableName: "t", Shard: "80-", Fields: idField}}},
		streamedTxn("MariaDB/0-1-320", "8")...)
	for i, ev := range evs {
		if r.done {
			t.Fatalf("the replay ended before event %d", i)
		}
		if err := r.handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if !r.done || len(out.events) != 1 {
		t.Fatalf("done %v with %d events; want the new snapshot's transaction passed on and the replay over", r.done, len(out.events))
	}
}

// A guard read at the very snapshot its table is copied again at has
// nothing in between to replay.
func TestGuardAtTheNewSnapshotIsNotReplayed(t *testing.T) {
	cfg := &Config{Keyspace: "ks", TopicPrefix: "p", Logger: zap.NewNop()}
	g := offsets.CopyGuard{Table: "t", Shard: offsets.ShardGTID{Keyspace: "ks", Shard: "80-", GTID: "MariaDB/0-1-320"}}
	r := newReader(cfg, builder(t), &recorder{}, offsets.Vitess{Shards: []offsets.ShardGTID{{Keyspace: "ks", Shard: "80-"}}})
	r.guards, r.start = []offsets.CopyGuard{g}, offsets.Vitess{Shards: []offsets.ShardGTID{{Keyspace: "ks", Shard: "80-"}}}
	// The table's first batch at the new snapshot: its cursor moved.
	r.pos = offsets.Vitess{Shards: []offsets.ShardGTID{{Keyspace: "ks", Shard: "80-", GTID: "MariaDB/0-1-320",
		TablePKs: []offsets.TableLastPK{{TableName: "t", LastPK: idCursor("3")}}}}}
	replayed := 0
	r.runGuard = func(context.Context, offsets.CopyGuard, string) error { replayed++; return nil }
	if err := r.replayGuards(context.Background()); err != nil {
		t.Fatal(err)
	}
	if replayed != 0 || len(r.guards) != 0 {
		t.Errorf("replayed %d, guards left %v; want none replayed and the guard done", replayed, r.guards)
	}
	r.guards, r.pos.Shards[0].GTID = []offsets.CopyGuard{g}, "MariaDB/0-1-321"
	if err := r.replayGuards(context.Background()); err != nil || replayed != 1 {
		t.Errorf("with a transaction in between: replayed %d (%v), want 1", replayed, err)
	}
}

// idCursor is a copy cursor on a one-digit id.
func idCursor(id string) *offsets.LastPK {
	return &offsets.LastPK{Fields: []offsets.PKField{{Name: "id", Type: "INT64", Charset: 63, Flags: 53251}}, Rows: []offsets.PKRow{{Lengths: []string{"1"}, Values: id}}}
}

// guardReplay is the replay reader of a guard on 80- read at 300, with the
// main stream's new snapshot at 320.
func guardReplay(t *testing.T) (*reader, *recorder) {
	cfg := &Config{Keyspace: "ks", TopicPrefix: "p", Logger: zap.NewNop()}
	out := &recorder{}
	g := offsets.CopyGuard{Table: "t", Shard: offsets.ShardGTID{Keyspace: "ks", Shard: "80-", GTID: "MariaDB/0-1-300",
		TablePKs: []offsets.TableLastPK{{TableName: "t", LastPK: idCursor("5")}}}}
	r := newReader(cfg, builder(t), out, offsets.Vitess{Shards: []offsets.ShardGTID{g.Shard}})
	r.guard, r.guardUntil = &g, "MariaDB/0-1-320"
	return r, out
}

// streamedTxn is a streamed transaction on 80- inserting id, committed at
// gtid, while the copy cursor stays at 5.
func streamedTxn(gtid, id string) []*binlogdatapb.VEvent {
	row := copyRows("80-", id)[0]
	row.Timestamp = 1700000000
	return []*binlogdatapb.VEvent{{Type: binlogdatapb.VEventType_BEGIN}, row, vgtid(sg("80-", gtid, "5")), {Type: binlogdatapb.VEventType_COMMIT}}
}
