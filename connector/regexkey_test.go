package connector

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// Under DefaultRegexTopicNamingStrategy a table's records go to the routed
// topic, under schema names made from it, and every key, a keyless table's
// too, ends with the physical table, as Debezium's keySchemaAugment and
// keyValueAugment make them.
func TestRegexStrategyKeys(t *testing.T) {
	naming := config.TopicNaming{Regex: &config.RegexRouting{Topic: regexp.MustCompile(`^(?:(.*)\.orders_\d+)$`),
		TopicReplacement: "$1.orders", KeyField: "__dbz__physicalTableIdentifier"}}
	tb := mysqltypes.TableBuilder{Prefix: "app", Naming: naming, Source: &change.Schema{Type: change.Struct}}
	defs := []mysqltypes.ColumnDef{{Name: "id", DataType: "int", ColumnType: "int(11)"}, {Name: "v", DataType: "int", ColumnType: "int(11)", Nullable: true}}
	keyed, err := tb.Build("shop", "orders_01", defs, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	keyless, err := tb.Build("shop", "orders_02", defs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if keyed.Topic != "app.shop.orders" || keyed.KeySchema.Name != "app.shop.orders.Key" || keyed.RowSchema.Name != "app.shop.orders.Value" ||
		keyed.Envelope.Name != "app.shop.orders.Envelope" {
		t.Errorf("topic %s, schemas %s %s %s", keyed.Topic, keyed.KeySchema.Name, keyed.RowSchema.Name, keyed.Envelope.Name)
	}
	b := recordBuilder{tombstones: true, now: time.Now}
	for _, c := range []struct {
		tbl  *change.Table
		want []any
	}{
		{keyed, []any{int32(7), "app.shop.orders_01"}},
		{keyless, []any{"app.shop.orders_02"}},
	} {
		recs, err := b.build(&change.Event{Op: change.OpDelete, Table: c.tbl, Before: []any{int32(7), nil}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 {
			t.Fatalf("%s: %d records, want a delete and its tombstone", c.tbl.Name, len(recs))
		}
		for _, r := range recs {
			k, ok := r.Key.(*change.Value)
			if !ok || len(k.Values) != len(c.want) || r.KeySchema == nil || len(r.KeySchema.Fields) != len(c.want) {
				t.Fatalf("%s: key %#v, schema %+v, want %v", c.tbl.Name, r.Key, r.KeySchema, c.want)
			}
			for i := range c.want {
				if fmt.Sprint(k.Values[i]) != fmt.Sprint(c.want[i]) {
					t.Errorf("%s: key %v, want %v", c.tbl.Name, k.Values, c.want)
				}
			}
			if f := r.KeySchema.Fields[len(c.want)-1]; f.Name != "__dbz__physicalTableIdentifier" || f.Schema.Type != change.String || f.Schema.Optional {
				t.Errorf("%s: last key field %+v", c.tbl.Name, f)
			}
		}
	}
}
