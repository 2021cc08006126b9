package vitess

import (
	"errors"
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/config"
)

// VTGate v24's refusal of a VGTID naming a shard deleted by a completed
// reshard, as it came from the vitess-cluster.sh cluster.
const goneMsg = `rpc error: code = FailedPrecondition desc = error starting stream from shard GTID keyspace:"rs_keyspace" shard:"0" gtid:"MariaDB/0-210802605-96": failed to determine if keyspace rs_keyspace has been resharded: shard provided in VGTID, 0, not found in the rs_keyspace keyspace`

func TestShardGone(t *testing.T) {
	if !shardGone(errors.New("reading the VStream: " + goneMsg)) {
		t.Errorf("VTGate's refusal is not recognized")
	}
	for _, msg := range []string{"", "rpc error: code = Unavailable desc = connection refused", "shard provided in VGTID, 0, is serving"} {
		if msg != "" && shardGone(errors.New(msg)) {
			t.Errorf("%q taken for a deleted shard", msg)
		}
	}
	if shardGone(nil) {
		t.Errorf("nil taken for a deleted shard")
	}
}

// The message names the reshard, the shards stored and now, and both ways
// out, with Debezium's mode names.
func TestReshardAdvice(t *testing.T) {
	msg := reshardAdvice("the stored VGTID", shardsOf("0"), []string{"-80", "80-"}, "ks")
	for _, want := range []string{"names shards 0 of keyspace ks, which now has shards -80,80- (no longer there: 0; new: -80,80-)",
		"resharded", "snapshot.mode=when_needed", "snapshot.mode=never", "vitess.vgtid=current"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
}

func TestSnapshotModes(t *testing.T) {
	for mode, ok := range map[string]bool{config.SnapshotInitial: true, config.SnapshotNever: true, config.SnapshotWhenNeeded: true,
		config.SnapshotNoData: false, "always": false} {
		c := &config.Connector{Flavor: config.FlavorVitess, SnapshotMode: mode, Raw: config.Properties{propKeyspace: "ks"}}
		if _, err := ParseConfig(c); (err == nil) != ok {
			t.Errorf("snapshot.mode=%s: %v, want accepted %v", mode, err, ok)
		}
	}
}
