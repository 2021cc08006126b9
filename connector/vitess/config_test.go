package vitess

import (
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/config"
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
