package vitess

import (
	"reflect"
	"testing"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/offsets"
)

func entry(shard, gtid string, cursors ...string) offsets.ShardGTID {
	sg := offsets.ShardGTID{Keyspace: "ks", Shard: shard, GTID: gtid}
	for _, t := range cursors {
		sg.TablePKs = append(sg.TablePKs, offsets.TableLastPK{TableName: t, LastPK: &offsets.LastPK{}})
	}
	return sg
}

// A copy is resumed shard by shard exactly when the copying shards would
// need different TablesToCopy.
func TestShardTables(t *testing.T) {
	s := &Source{cfg: Config{Keyspace: "ks", Logger: zap.NewNop()}, tables: []string{"a", "b", "c"}}
	cases := []struct {
		name  string
		pos   []offsets.ShardGTID
		lists [][]string
		split bool
	}{
		{"different tables", []offsets.ShardGTID{entry("-80", "g", "b"), entry("80-", "g", "a")}, [][]string{{"b", "c"}, {"a", "b", "c"}}, true},
		{"same table", []offsets.ShardGTID{entry("-80", "g", "b"), entry("80-", "g", "b")}, [][]string{{"b", "c"}, {"b", "c"}}, false},
		{"one shard done", []offsets.ShardGTID{entry("-80", "g"), entry("80-", "g", "a")}, [][]string{nil, {"a", "b", "c"}}, false},
		{"one shard not started", []offsets.ShardGTID{entry("-80", ""), entry("80-", "g", "c")}, [][]string{{}, {"c"}}, true},
	}
	for _, c := range cases {
		lists, split := s.shardTables(offsets.Vitess{Shards: c.pos})
		if split != c.split || !reflect.DeepEqual(lists, c.lists) {
			t.Errorf("%s: %v %v, want %v %v", c.name, lists, split, c.lists, c.split)
		}
	}
}

// A one-shard reader's positions keep the other shards' entries and guards.
func TestWholeKeepsOtherShards(t *testing.T) {
	others := offsets.Vitess{Shards: []offsets.ShardGTID{entry("-80", "g1", "b"), entry("80-", "g1", "a")},
		Guards: []offsets.CopyGuard{{Table: "a", Shard: entry("80-", "g0", "a")}}}
	r := &reader{others: &others}
	own := offsets.CopyGuard{Table: "b", Shard: entry("-80", "g1", "b")}
	got := r.whole(offsets.Vitess{Shards: []offsets.ShardGTID{entry("-80", "g2", "c")}, Guards: []offsets.CopyGuard{own}})
	want := offsets.Vitess{Shards: []offsets.ShardGTID{entry("-80", "g2", "c"), entry("80-", "g1", "a")}, Guards: []offsets.CopyGuard{own, others.Guards[0]}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("whole = %+v, want %+v", got, want)
	}
}
