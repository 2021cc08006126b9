package vitess

import (
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

func TestTransactionMetadataTaken(t *testing.T) {
	c := &config.Connector{Flavor: config.FlavorVitess, SnapshotMode: config.SnapshotInitial,
		Raw: config.Properties{propKeyspace: "ks"}, ProvideTransactionMetadata: true}
	cfg, err := ParseConfig(c)
	if err != nil || !cfg.TxMetadata {
		t.Errorf("with provide.transaction.metadata: %v, TxMetadata %v; want it taken", err, cfg.TxMetadata)
	}
}

func TestHeartbeatActionQueryRefused(t *testing.T) {
	c := &config.Connector{Flavor: config.FlavorVitess, SnapshotMode: config.SnapshotInitial,
		Raw: config.Properties{propKeyspace: "ks"}, HeartbeatActionQuery: "UPDATE hb SET ts = NOW()"}
	if _, err := ParseConfig(c); err == nil || !strings.Contains(err.Error(), `"heartbeat.action.query"`) {
		t.Errorf("%v, want a refusal naming the property", err)
	}
}

// A keyspace's table topic follows topic.delimiter and loses the
// characters Kafka refuses, as Debezium's SchemaTopicNamingStrategy names it.
func TestTopicDelimiter(t *testing.T) {
	c := &config.Connector{Flavor: config.FlavorVitess, SnapshotMode: config.SnapshotInitial, TopicPrefix: "vt",
		TopicNaming: config.TopicNaming{Delimiter: "_"}, Raw: config.Properties{propKeyspace: "ks"}}
	s, err := New(c, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := s.build.Build("ks", "order$items", []mysqltypes.ColumnDef{{Name: "id", DataType: "int", ColumnType: "int(11)"}}, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Topic != "vt_ks_order_items" || tbl.KeySchema.Name != "vt_ks_order_items.Key" {
		t.Errorf("topic %q, key schema %q; want vt_ks_order_items and vt_ks_order_items.Key", tbl.Topic, tbl.KeySchema.Name)
	}
}
