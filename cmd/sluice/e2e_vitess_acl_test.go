package main

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/sluice-cdc/sluice/internal/conformance"
)

// TestVitessKafkaACL runs the Vitess connector as a SCRAM user the broker's
// ACLs refuse writing its data topics, then its offsets topic: as the
// binlog connectors do (TestKafkaACLRefusals), each run stops naming the
// grant, and once granted the rows the refused run could not deliver
// arrive.
func TestVitessKafkaACL(t *testing.T) {
	e := needVitess(t)
	sec := needSecureKafka(t)
	adm := kadm.NewClient(newKafkaClient(t, e.env))
	for _, c := range []struct {
		name     string
		resource func(px string) (name string, prefixed bool)
		want     func(px, tp string) []string
	}{
		{"data_topic_write", func(px string) (string, bool) { return px + ".", true }, func(px, tp string) []string {
			return []string{"kafka did not accept a record for topic " + tp, "TOPIC_AUTHORIZATION_FAILED", "grant it WRITE and DESCRIBE on topic " + tp}
		}},
		{"offsets_write", func(px string) (string, bool) { return px + "-offsets", false }, func(px, tp string) []string {
			return []string{"committing offset", "TOPIC_AUTHORIZATION_FAILED", "grant it WRITE and DESCRIBE on topic " + px + "-offsets"}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb := newVtTable(t, e, 4)
			px := "vacl" + tb.name
			user := px + "-user"
			addSCRAMUser(t, e.env, user, "acl-secret")
			name, prefixed := c.resource(px)
			on := []func(*kadm.ACLBuilder) *kadm.ACLBuilder{topicACL(name, prefixed, kadm.OpWrite)}
			setACLs(t, adm, user, on, true)
			t.Cleanup(func() { setACLs(t, adm, user, on, false) })
			cfg := conformance.WriteConnector(t, "c-"+tb.name, tb.connector(px, nil))
			wf := aclWorker(t, user, px, false)
			run := func() *daemon {
				return conformance.StartDaemon(t, binPath, "run", "--worker-config", wf, "--bootstrap-servers", sec.sasl, "--log-format", "console", cfg)
			}
			tp := px + "." + e.keyspace + "." + tb.name
			out := waitRefused(t, run(), c.want(px, tp)...)
			t.Logf("refused:\n%s", tail(out, 1500))

			setACLs(t, adm, user, on, false)
			sl := run()
			tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (5, 5, 1, 'row-5')")
			if r := followVt(t, e, tb, tp, time.Minute); len(r.rows) != 5 {
				t.Errorf("after the grant the topic rebuilds %d rows, want the 4 copied and the one inserted", len(r.rows))
			}
			sl.Stop()
		})
	}
}
