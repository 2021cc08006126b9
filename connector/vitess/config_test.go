package vitess

import (
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/config"
)

func TestTransactionMetadataRefused(t *testing.T) {
	c := &config.Connector{Flavor: config.FlavorVitess, SnapshotMode: config.SnapshotInitial,
		Raw: config.Properties{propKeyspace: "ks"}}
	if _, err := ParseConfig(c); err != nil {
		t.Fatalf("without it: %v", err)
	}
	c.ProvideTransactionMetadata = true
	if _, err := ParseConfig(c); err == nil || !strings.Contains(err.Error(), `"provide.transaction.metadata"`) {
		t.Errorf("with it: %v, want a refusal naming the property", err)
	}
}

func TestHeartbeatActionQueryRefused(t *testing.T) {
	c := &config.Connector{Flavor: config.FlavorVitess, SnapshotMode: config.SnapshotInitial,
		Raw: config.Properties{propKeyspace: "ks"}, HeartbeatActionQuery: "UPDATE hb SET ts = NOW()"}
	if _, err := ParseConfig(c); err == nil || !strings.Contains(err.Error(), `"heartbeat.action.query"`) {
		t.Errorf("%v, want a refusal naming the property", err)
	}
}
