package sidebyside

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// heartbeatSummary compares the heartbeat topics of a pair run with
// heartbeat.interval.ms. Heartbeats are written when the interval has
// passed as source events arrive, so how many each side writes, and when,
// differs by nature (thread timing, the binlog clients' keepalive
// periods): counts and ts_ms values are not compared. What a consumer
// relies on is: records exist on both sides, in partition 0, with equal
// key bytes (once the prefixes are swapped), equal value schemas, a
// ts_ms payload, and equal headers (none). That an idle connector's
// stored offset moves with them is cmd/sluice's e2e test (Debezium's
// standalone worker keeps its offsets in a file). It returns the summary
// and the number of problems.
func heartbeatSummary(t *testing.T, brokers string, adm *kadm.Client, p pair) (string, int) {
	parts := map[string]int{}
	all := readAll(t, brokers, adm, "__debezium-heartbeat", parts)
	deb, sl := all["__debezium-heartbeat."+p.debezium], all["__debezium-heartbeat."+p.sluice]
	var b strings.Builder
	problems := 0
	fail := func(f string, a ...any) {
		problems++
		fmt.Fprintf(&b, "   DIFF    heartbeat "+f+"\n", a...)
	}
	fmt.Fprintf(&b, "== heartbeats of %s: %d debezium, %d sluice (counts differ by nature)\n", p.sluice, len(deb), len(sl))
	if len(deb) == 0 || len(sl) == 0 {
		fail("records missing on one side")
		return b.String(), problems
	}
	shape := func(rs []*kgo.Record, prefix string) (key, schema string, err error) {
		for _, r := range rs {
			if r.Partition != 0 {
				return "", "", fmt.Errorf("record in partition %d", r.Partition)
			}
			if len(r.Headers) != 0 {
				return "", "", fmt.Errorf("record with %d headers", len(r.Headers))
			}
			v, ok := parse(r.Value).(map[string]any)
			if !ok {
				return "", "", fmt.Errorf("value %s is not an object", r.Value)
			}
			pl, _ := v["payload"].(map[string]any)
			ts, _ := pl["ts_ms"].(json.Number)
			if n, err := ts.Int64(); err != nil || len(pl) != 1 || n <= 0 {
				return "", "", fmt.Errorf("payload %v is not {ts_ms}", v["payload"])
			}
			k := string(bytes.ReplaceAll(r.Key, []byte(prefix), []byte("<prefix>")))
			s := canon(v["schema"])
			if key != "" && (k != key || s != schema) {
				return "", "", fmt.Errorf("records of one topic differ in key or schema")
			}
			key, schema = k, s
		}
		return key, schema, nil
	}
	dk, ds, err := shape(deb, p.debezium)
	if err != nil {
		fail("debezium: %v", err)
	}
	sk, ss, err2 := shape(sl, p.sluice)
	if err2 != nil {
		fail("sluice: %v", err2)
	}
	if err == nil && err2 == nil && (dk != sk || ds != ss) {
		fail("key or value schema: debezium %s %s, sluice %s %s", dk, ds, sk, ss)
	}
	return b.String(), problems
}

// heartbeats reports whether a pair's connectors write heartbeats.
func heartbeats(p pair) bool {
	v := p.props["heartbeat.interval.ms"]
	if v == "" {
		v = connectorProps(env{}, p.class, "", "", 0)["heartbeat.interval.ms"]
	}
	n, _ := strconv.Atoi(v)
	return n > 0
}
