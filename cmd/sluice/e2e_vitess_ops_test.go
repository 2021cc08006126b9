package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// validateVt runs `sluice validate` with the environment plus env and
// returns its output and exit code.
func validateVt(t *testing.T, cfg map[string]string, name string, env ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "validate", conformance.WriteConnector(t, name, cfg))
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee) && ctx.Err() == nil:
		return string(out), ee.ExitCode()
	}
	t.Fatalf("sluice validate: %v\n%s", err, out)
	return "", 0
}

func wantLines(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(out, s) {
			t.Errorf("validate output lacks %q:\n%s", s, out)
		}
	}
}

// sluice validate for the Vitess class: what each wrong setting prints, and
// a stored VGTID whose shards the keyspace no longer has (a reshard while
// the connector was stopped).
func TestVitessValidate(t *testing.T) {
	e := needVitess(t)
	host, port, _ := strings.Cut(e.grpc, ":")
	base := func(extra map[string]string) map[string]string {
		cfg := map[string]string{"connector.class": "io.debezium.connector.vitess.VitessConnector", "database.hostname": host, "database.port": port,
			"vitess.keyspace": e.keyspace, "topic.prefix": "vval"}
		for k, v := range extra {
			cfg[k] = v
		}
		return cfg
	}
	name := fmt.Sprintf("vval-%d", time.Now().UnixNano())

	out, code := validateVt(t, base(map[string]string{"vitess.tablet.type": "REPLICA"}), name)
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "ok") {
		t.Errorf("a good connector (REPLICA tablets): exit %d, want 0 and ok:\n%s", code, out)
	}

	out, code = validateVt(t, base(map[string]string{"vitess.keyspace": "no_such_ks"}), name+"-ks")
	if code != 1 {
		t.Errorf("unknown keyspace: exit %d, want 1", code)
	}
	wantLines(t, out, `error: vitess.keyspace: VTGate `+e.grpc+` serves no keyspace "no_such_ks"; it serves `, e.keyspace, "set vitess.keyspace to one of them")

	out, code = validateVt(t, base(map[string]string{"vitess.shard": "-80,80-c0"}), name+"-sh")
	if code != 1 {
		t.Errorf("unknown shard: exit %d, want 1", code)
	}
	wantLines(t, out, `error: vitess.shard: shard "80-c0" is not a shard of keyspace `+e.keyspace+" (it has -80,80-)")
	if strings.Contains(out, `shard "-80" is not`) {
		t.Errorf("validate flags the existing shard -80:\n%s", out)
	}

	// A VGTID stored before a reshard from -80,80- into -40,40-80,80-.
	reshard := fmt.Sprintf(`[{"keyspace":"%[1]s","shard":"-40","gtid":"MariaDB/0-1-5","table_p_ks":[]},{"keyspace":"%[1]s","shard":"40-80","gtid":"MariaDB/0-1-5","table_p_ks":[]},{"keyspace":"%[1]s","shard":"80-","gtid":"MariaDB/0-1-5","table_p_ks":[]}]`, e.keyspace)
	value, _ := json.Marshal(map[string]string{"vgtid": reshard})
	st, err := offsets.NewKafkaStore(context.Background(), offsets.KafkaStoreConfig{Brokers: strings.Split(e.kafka, ",")})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(context.Background(), offsets.Key(name, "vval"), value); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, code = validateVt(t, base(nil), name)
	if code != 1 {
		t.Errorf("stored VGTID of other shards: exit %d, want 1", code)
	}
	wantLines(t, out, "error: offset: the offset stored in the offsets topic names shards -40,40-80,80- of keyspace "+e.keyspace+
		", which now has shards -80,80- (no longer there: -40,40-80; new: -80; a reshard happened while the connector was stopped)", "delete the stored offset", "snapshot.mode=never with vitess.vgtid=current")

	// Without the worker's brokers the stored offset cannot be read: said.
	out, code = validateVt(t, base(nil), name, "SLUICE_BOOTSTRAP_SERVERS=")
	if code != 0 {
		t.Errorf("without bootstrap.servers: exit %d, want 0:\n%s", code, out)
	}
	wantLines(t, out, "note: the stored offset was not checked")

	// vitess.vgtid (snapshot.mode=never) naming shards the keyspace lacks.
	vgtid := fmt.Sprintf(`[{"keyspace":"%[1]s","shard":"-40","gtid":"current"},{"keyspace":"%[1]s","shard":"40-","gtid":"current"}]`, e.keyspace)
	out, code = validateVt(t, base(map[string]string{"snapshot.mode": "never", "vitess.shard": "-40,40-", "vitess.vgtid": vgtid}), name+"-vg")
	if code != 1 {
		t.Errorf("vitess.vgtid of other shards: exit %d, want 1", code)
	}
	wantLines(t, out, `error: vitess.vgtid: property "vitess.vgtid" names shards -40,40- of keyspace `+e.keyspace+", which now has shards -80,80- (no longer there: -40,40-")
}
