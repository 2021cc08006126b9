package vitess

import (
	"testing"

	"go.uber.org/zap"

	binlogdatapb "vitess.io/vitess/go/vt/proto/binlogdata"

	"github.com/sluice-cdc/sluice/offsets"
)

func TestReplacesListed(t *testing.T) {
	for _, tc := range []struct {
		listed []string
		shard  string
		want   bool
	}{
		{[]string{"0"}, "-80", true},
		{[]string{"0"}, "80-", true},
		{[]string{"-80"}, "-40", true},
		{[]string{"-80"}, "40-80", true},
		{[]string{"-80"}, "80-", false},
		{[]string{"-80"}, "-", false}, // the whole range is larger than -80
		{[]string{"80-"}, "c0-", true},
		{[]string{"80-"}, "40-c0", false},
		{[]string{"-40", "40-80"}, "-80", false}, // a merge: wider than each listed shard
		{[]string{"-80"}, "zz-", false},
	} {
		if got := replacesListed(tc.listed, tc.shard); got != tc.want {
			t.Errorf("replacesListed(%v, %q) = %v, want %v", tc.listed, tc.shard, got, tc.want)
		}
	}
}

func TestReaderHandoffAtJournal(t *testing.T) {
	journal := &binlogdatapb.Journal{Id: 7, MigrationType: binlogdatapb.MigrationType_SHARDS,
		Participants: []*binlogdatapb.KeyspaceShard{{Keyspace: "ks", Shard: "-80"}, {Keyspace: "ks", Shard: "80-"}},
		ShardGtids:   []*binlogdatapb.ShardGtid{{Keyspace: "ks", Shard: "0", Gtid: "MariaDB/0-1-9"}}}
	reader := func(shards []string, pos ...string) *reader {
		cfg := &Config{Keyspace: "ks", Shards: shards, Logger: zap.NewNop()}
		var p offsets.Vitess
		for _, s := range pos {
			p.Shards = append(p.Shards, offsets.ShardGTID{Keyspace: "ks", Shard: s, GTID: "MariaDB/0-1-5"})
		}
		return newReader(cfg, builder(t), nil, p)
	}
	h := reader([]string{"-80", "80-"}, "-80").handoff(journal)
	if h == nil || h.Key != "journal 7" || h.Participants != 2 || h.Covered != 1 || len(h.Next) != 1 ||
		h.Next[0].(offsets.Vitess).String() != `[{"keyspace":"ks","shard":"0","gtid":"MariaDB/0-1-9","table_p_ks":[]}]` {
		t.Fatalf("per-shard reader of -80: handoff %+v", h)
	}
	if h := reader([]string{"-80", "80-"}, "-80", "80-").handoff(journal); h == nil || h.Covered != 2 {
		t.Errorf("a reader of both participants: handoff %+v, want one covering both", h)
	}
	if h := reader([]string{"-80", "80-", "c0-"}, "-80", "c0-").handoff(journal); h != nil {
		t.Errorf("a reader that also reads a shard outside the reshard ended: %+v", h)
	}
	if h := reader(nil, "-80").handoff(journal); h != nil {
		t.Errorf("without vitess.shard (VTGate follows the reshard) the reader ended: %+v", h)
	}
	stop := reader([]string{"-80", "80-"}, "-80")
	stop.cfg.StopOnReshard = true
	if h := stop.handoff(journal); h != nil {
		t.Errorf("with vitess.stop_on_reshard=true the reader handed off: %+v", h)
	}
	tables := &binlogdatapb.Journal{Id: 8, MigrationType: binlogdatapb.MigrationType_TABLES, Participants: journal.Participants}
	if h := reader([]string{"-80"}, "-80").handoff(tables); h != nil {
		t.Errorf("a table move's journal ended the reader: %+v", h)
	}
}

// After a reshard the connector followed, the stored VGTID names the new
// shards while vitess.shard still lists the old one: the offset is taken
// and each new shard gets its own reader.
func TestStoredNewShardsOfListedShard(t *testing.T) {
	s := planSource(t, map[string]string{propShard: "0"})
	pos, err := s.ParseOffset([]byte(`{"vgtid":"[{\"keyspace\":\"tasks_keyspace\",\"shard\":\"-80\",\"gtid\":\"MariaDB/0-1-5\",\"table_p_ks\":[]},{\"keyspace\":\"tasks_keyspace\",\"shard\":\"80-\",\"gtid\":\"MariaDB/0-2-6\",\"table_p_ks\":[]}]"}`))
	if err != nil {
		t.Fatal(err)
	}
	parts, err := s.Split(pos)
	if err != nil || len(parts) != 2 {
		t.Fatalf("split into %v (%v), want one part per new shard", parts, err)
	}
	if _, err := planSource(t, map[string]string{propShard: "-80"}).ParseOffset([]byte(`{"vgtid":"[{\"keyspace\":\"tasks_keyspace\",\"shard\":\"80-\",\"gtid\":\"MariaDB/0-1-5\",\"table_p_ks\":[]}]"}`)); err == nil {
		t.Error("a stored shard outside the listed shard's key range was taken")
	}
}
