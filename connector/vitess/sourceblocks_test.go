package vitess

import (
	"reflect"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// The blocks made from the template equal sourceValue's whatever changes
// between rows, and each row owns its values.
func TestSourceBlocksMatchSourceValue(t *testing.T) {
	type in struct {
		ts                  int64
		table, shard, vgtid string
	}
	rows := []in{
		{0, "t1", "-80", "v1"}, {0, "t1", "-80", "v1"}, {0, "t2", "-80", "v1"}, {0, "t2", "80-", "v1"},
		{0, "t2", "80-", "v2"}, {1700000000, "t2", "80-", "v2"}, {1700000001, "t2", "80-", "v2"}, {0, "t1", "-80", "v1"},
	}
	var c sourceBlocks
	var prev []any
	for i, r := range rows {
		got := c.value("p", r.ts, "ks", r.table, r.shard, r.vgtid)
		want := sourceValue("p", r.ts, "ks", r.table, r.shard, r.vgtid)
		if got.Schema != want.Schema || !reflect.DeepEqual(got.Values, want.Values) {
			t.Fatalf("row %d: %v, want %v", i, got.Values, want.Values)
		}
		if prev != nil && &prev[0] == &got.Values[0] {
			t.Fatalf("row %d shares its values with the row before", i)
		}
		prev = got.Values
	}
}

// Debezium's Vitess transaction metadata counts rows by shard, keyspace
// and table.
func TestTxCollection(t *testing.T) {
	tbl := &change.Table{Database: "ks", Name: "t"}
	e := &change.Event{Table: tbl, Source: sourceValue("p", 0, "ks", "t", "-80", "[]")}
	if got := (&Source{}).TxCollection(e); got != "-80.ks.t" {
		t.Errorf("TxCollection = %q, want -80.ks.t", got)
	}
}
