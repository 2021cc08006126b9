package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// TestKafkaACLRefusals runs the daemon as a SCRAM user the local broker's
// ACLs refuse one thing each (deploy/local/kafka.sh runs Kafka's
// StandardAuthorizer): writing the data topics, creating them, writing or
// reading the offsets topic, writing the schema history topic, and the
// transactional id of exactly-once delivery. Each must stop the daemon
// with an error that names what was refused and the grant that fixes it,
// and store no offset past what Kafka did not take. The reads (offsets,
// schema history) are refused on a restart, after a first run stored them.
func TestKafkaACLRefusals(t *testing.T) {
	e := needServers(t)
	sec := needSecureKafka(t)
	adm := kadm.NewClient(newKafkaClient(t, e))
	// Each case's resources and the operation refused on them. The
	// broker allows everything on a resource without ACLs; one with an ACL
	// allows only what its ACLs allow, so each resource also gets an ALLOW
	// of every operation to every principal, and the DENY (which wins)
	// takes one operation from the test's user alone.
	topics := topicACL
	cases := []struct {
		name string
		// on gives the resources of the case's prefix px, and op the
		// operation refused.
		on  func(px string) []func(*kadm.ACLBuilder) *kadm.ACLBuilder
		eos bool
		// prime: a first run without the ACLs stores an offset to read.
		prime bool
		// want is what the error must say, for prefix px and topic tp.
		want func(px, tp string) []string
	}{
		{"data_topic_write", func(px string) []func(*kadm.ACLBuilder) *kadm.ACLBuilder {
			return []func(*kadm.ACLBuilder) *kadm.ACLBuilder{topics(px+".", true, kadm.OpWrite)}
		}, false, false, func(px, tp string) []string {
			return []string{"kafka did not accept a record for topic " + tp, "TOPIC_AUTHORIZATION_FAILED", "grant it WRITE and DESCRIBE on topic " + tp}
		}},
		{"data_topic_write_exactly_once", func(px string) []func(*kadm.ACLBuilder) *kadm.ACLBuilder {
			return []func(*kadm.ACLBuilder) *kadm.ACLBuilder{topics(px+".", true, kadm.OpWrite)}
		}, true, false, func(px, tp string) []string {
			return []string{"TOPIC_AUTHORIZATION_FAILED", "grant it WRITE and DESCRIBE on topic " + tp}
		}},
		{"data_topic_create", func(px string) []func(*kadm.ACLBuilder) *kadm.ACLBuilder {
			return []func(*kadm.ACLBuilder) *kadm.ACLBuilder{topics(px+".", true, kadm.OpCreate),
				func(b *kadm.ACLBuilder) *kadm.ACLBuilder { return b.Clusters().Operations(kadm.OpCreate) }}
		}, false, false, func(px, tp string) []string {
			return []string{"creating topic " + tp, "TOPIC_AUTHORIZATION_FAILED", "grant it CREATE on topic " + tp + " (or CREATE on the cluster), or create the topic yourself"}
		}},
		{"offsets_write", func(px string) []func(*kadm.ACLBuilder) *kadm.ACLBuilder {
			return []func(*kadm.ACLBuilder) *kadm.ACLBuilder{topics(px+"-offsets", false, kadm.OpWrite)}
		}, false, false, func(px, tp string) []string {
			return []string{"committing offset", "TOPIC_AUTHORIZATION_FAILED", "grant it WRITE and DESCRIBE on topic " + px + "-offsets"}
		}},
		{"offsets_write_exactly_once", func(px string) []func(*kadm.ACLBuilder) *kadm.ACLBuilder {
			return []func(*kadm.ACLBuilder) *kadm.ACLBuilder{topics(px+"-offsets", false, kadm.OpWrite)}
		}, true, false, func(px, tp string) []string {
			return []string{"TOPIC_AUTHORIZATION_FAILED", "grant it WRITE and DESCRIBE on topic " + px + "-offsets"}
		}},
		{"offsets_read", func(px string) []func(*kadm.ACLBuilder) *kadm.ACLBuilder {
			return []func(*kadm.ACLBuilder) *kadm.ACLBuilder{topics(px+"-offsets", false, kadm.OpRead)}
		}, false, true, func(px, tp string) []string {
			return []string{"loading offset", "TOPIC_AUTHORIZATION_FAILED", "grant it READ and DESCRIBE on topic " + px + "-offsets"}
		}},
		{"history_write", func(px string) []func(*kadm.ACLBuilder) *kadm.ACLBuilder {
			return []func(*kadm.ACLBuilder) *kadm.ACLBuilder{topics(px+"-history", false, kadm.OpWrite)}
		}, false, false, func(px, tp string) []string {
			return []string{"appending to schema history", "TOPIC_AUTHORIZATION_FAILED", "grant it WRITE and DESCRIBE on topic " + px + "-history"}
		}},
		{"history_read", func(px string) []func(*kadm.ACLBuilder) *kadm.ACLBuilder {
			return []func(*kadm.ACLBuilder) *kadm.ACLBuilder{topics(px+"-history", false, kadm.OpRead)}
		}, false, true, func(px, tp string) []string {
			return []string{"recovering schema history", "TOPIC_AUTHORIZATION_FAILED", "grant it READ and DESCRIBE on topic " + px + "-history"}
		}},
		{"transactional_id", func(px string) []func(*kadm.ACLBuilder) *kadm.ACLBuilder {
			return []func(*kadm.ACLBuilder) *kadm.ACLBuilder{func(b *kadm.ACLBuilder) *kadm.ACLBuilder {
				return b.TransactionalIDs(px).ResourcePatternType(kadm.ACLPatternPrefixed).Operations(kadm.OpWrite)
			}}
		}, true, false, func(px, tp string) []string {
			return []string{"TRANSACTIONAL_ID_AUTHORIZATION_FAILED", "grant it WRITE and DESCRIBE on transactional id " + px + "-c-"}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, px, user := aclUser(t, e)
			acls := func(create bool) { setACLs(t, adm, user, c.on(px), create) }
			t.Cleanup(func() { acls(false) })
			name := "c-" + d.name
			cfg := connectorFile(t, e, name, px, d.name, map[string]string{"schema.history.internal.kafka.topic": px + "-history"})
			wf := aclWorker(t, user, px, c.eos)
			run := func() *daemon {
				return conformance.StartDaemon(t, binPath, "run", "--worker-config", wf, "--bootstrap-servers", sec.sasl, "--log-format", "console", cfg)
			}
			tp := px + "." + d.name + ".t"
			if c.prime {
				sl := run()
				sl.WaitLog("binlog streaming from", time.Minute)
				for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(300 * time.Millisecond) {
					if _, _, ok := storedOffset(t, e, px+"-offsets", offsets.Key(name, px)); ok {
						break
					}
					if time.Now().After(deadline) {
						t.Fatal("no offset stored by the first run")
					}
				}
				sl.Stop()
			}
			acls(true)
			out := waitRefused(t, run(), c.want(px, tp)...)
			t.Logf("refused:\n%s", tail(out, 1500))

			// Granted, the connector reads on and loses nothing: the row
			// the refused run could not deliver, then a new one.
			acls(false)
			sl := run()
			sl.WaitLog("binlog streaming from", time.Minute)
			d.exec("INSERT INTO t VALUES (2, 'two')")
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(500 * time.Millisecond) {
				ids := map[any]bool{}
				for _, r := range consume(t, e, 1, time.Minute, tp) {
					if row, ok := payload(t, r.Value)["after"].(map[string]any); ok {
						ids[row["id"]] = true
					}
				}
				if ids[float64(1)] && ids[float64(2)] {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("after the grant the topic holds rows %v, want 1 and 2", ids)
				}
			}
			sl.Stop()
		})
	}
}

// topicACL is the ACL resource topic name (a prefix when prefixed) with
// operation op, for setACLs.
func topicACL(name string, prefixed bool, op kadm.ACLOperation) func(*kadm.ACLBuilder) *kadm.ACLBuilder {
	return func(b *kadm.ACLBuilder) *kadm.ACLBuilder {
		b = b.Topics(name).Operations(op)
		if prefixed {
			b = b.ResourcePatternType(kadm.ACLPatternPrefixed)
		}
		return b
	}
}

// setACLs adds (or, create false, removes) on each resource of on an
// ALLOW of every operation to every principal and a DENY of on's operation
// to user alone. The broker allows everything on a resource without ACLs
// but only what the ACLs allow on one with them: the ALLOW keeps it so for
// every other principal, and the DENY wins for user.
func setACLs(t *testing.T, adm *kadm.Client, user string, on []func(*kadm.ACLBuilder) *kadm.ACLBuilder, create bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, f := range on {
		deny := f(kadm.NewACLs().Deny("User:" + user).DenyHosts())
		allow := f(kadm.NewACLs().Allow("User:*").AllowHosts()).Operations(kadm.OpAll)
		for _, b := range []*kadm.ACLBuilder{allow, deny} {
			if !create {
				_, _ = adm.DeleteACLs(ctx, b)
			} else {
				res, err := adm.CreateACLs(ctx, b)
				for _, r := range res {
					err = errors.Join(err, r.Err)
				}
				if err != nil {
					t.Fatalf("creating the ACLs: %v", err)
				}
			}
			waitACLs(ctx, t, adm, b, create)
		}
	}
}

// waitACLs waits until the broker describes b's ACLs as present (or gone):
// its authorizer takes a change from the metadata log a moment after the
// admin call returns, and a daemon started at once was refused by an ACL
// just deleted.
func waitACLs(ctx context.Context, t *testing.T, adm *kadm.Client, b *kadm.ACLBuilder, present bool) {
	t.Helper()
	for {
		res, err := adm.DescribeACLs(ctx, b)
		n := 0
		for _, r := range res {
			err = errors.Join(err, r.Err)
			n += len(r.Described)
		}
		if err == nil && (n > 0) == present {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the broker still describes the ACLs as %s: %v", map[bool]string{true: "absent", false: "present"}[present], err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestKafkaACLSignalChannel runs the Kafka signal channel as a user the
// broker refuses READ on the signal topic: the connector streams on, the
// channel warns naming the grant and keeps trying, and once granted it
// reads the signal sent meanwhile and takes the snapshot it asks for.
func TestKafkaACLSignalChannel(t *testing.T) {
	e := needServers(t)
	sec := needSecureKafka(t)
	d := newDB(t, e)
	snapshotTable(t, d, 20)
	signalTable(d)
	px := "acl" + d.name[4:]
	user := px + "-user"
	addSCRAMUser(t, e, user, "acl-secret")
	cl := newKafkaClient(t, e, kgo.DefaultProduceTopic(px+"-signal"))
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(context.Background(), 1, -1, nil, px+"-signal"); err != nil {
		t.Fatalf("creating the signal topic: %v", err)
	}
	on := []func(*kadm.ACLBuilder) *kadm.ACLBuilder{func(b *kadm.ACLBuilder) *kadm.ACLBuilder {
		return b.Topics(px + "-signal").Operations(kadm.OpRead)
	}}
	setACLs(t, adm, user, on, true)
	t.Cleanup(func() { setACLs(t, adm, user, on, false) })

	cfg := connectorFile(t, e, "c-"+d.name, px, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.mode": "no_data", "signal.data.collection": d.name + ".debezium_signal",
		"signal.enabled.channels": "source,kafka", "signal.kafka.groupId": "g-" + d.name,
	})
	wf := aclWorker(t, user, px, false)
	sl := conformance.StartDaemon(t, binPath, "run", "--worker-config", wf, "--bootstrap-servers", sec.sasl, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", time.Minute)
	sl.WaitLog("the Kafka signal channel cannot be read: the broker's ACLs refuse it; grant the worker's principal READ and DESCRIBE on topic "+px+"-signal", time.Minute)
	signal := &kgo.Record{Key: []byte(px), Value: []byte(fmt.Sprintf(`{"id": "a1", "type": "execute-snapshot", "data": {"data-collections": ["%s.t"], "type": "incremental"}}`, d.name))}
	if err := cl.ProduceSync(context.Background(), signal).FirstErr(); err != nil {
		t.Fatalf("producing the signal: %v", err)
	}

	setACLs(t, adm, user, on, false)
	sl.WaitLog("on-demand snapshot finished", 90*time.Second)
	reads := 0
	for _, r := range consume(t, e, 20, 30*time.Second, px+"."+d.name+".t") {
		if payload(t, r.Value)["op"] == "r" {
			reads++
		}
	}
	if reads != 20 {
		t.Errorf("%d read events of t after the grant, want 20", reads)
	}
	sl.Stop()
}

// TestKafkaACLDocumentedGrants runs a connector as a user granted only what
// the README lists, on resources that carry ACLs (so that what is not
// granted is refused): WRITE, DESCRIBE and CREATE on its topics, and READ
// too on the offsets and schema history topics. The snapshot and the
// stream arrive, the offset is stored, a restart resumes from it, and
// nothing but the skipped config checks is logged as a warning.
func TestKafkaACLDocumentedGrants(t *testing.T) {
	e := needServers(t)
	sec := needSecureKafka(t)
	adm := kadm.NewClient(newKafkaClient(t, e))
	d, px, user := aclUser(t, e)
	grant := func(name string, pattern kadm.ACLPattern, ops ...kadm.ACLOperation) *kadm.ACLBuilder {
		return kadm.NewACLs().Allow("User:" + user).AllowHosts().Topics(name).ResourcePatternType(pattern).Operations(ops...)
	}
	grants := []*kadm.ACLBuilder{
		grant(px+".", kadm.ACLPatternPrefixed, kadm.OpWrite, kadm.OpDescribe, kadm.OpCreate), // data topics
		grant(px, kadm.ACLPatternLiteral, kadm.OpWrite, kadm.OpDescribe, kadm.OpCreate),      // schema changes
		grant(px+"-offsets", kadm.ACLPatternLiteral, kadm.OpRead, kadm.OpWrite, kadm.OpDescribe, kadm.OpCreate),
		grant(px+"-history", kadm.ACLPatternLiteral, kadm.OpRead, kadm.OpWrite, kadm.OpDescribe, kadm.OpCreate),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, b := range grants {
		res, err := adm.CreateACLs(ctx, b)
		for _, r := range res {
			err = errors.Join(err, r.Err)
		}
		if err != nil {
			t.Fatalf("creating the ACLs: %v", err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, b := range grants {
			_, _ = adm.DeleteACLs(ctx, b)
		}
	})
	name := "c-" + d.name
	cfg := connectorFile(t, e, name, px, d.name, map[string]string{"schema.history.internal.kafka.topic": px + "-history"})
	wf := aclWorker(t, user, px, false)
	run := func() *daemon {
		return conformance.StartDaemon(t, binPath, "run", "--worker-config", wf, "--bootstrap-servers", sec.sasl, "--log-format", "console", cfg)
	}
	tp := px + "." + d.name + ".t"
	sl := run()
	sl.WaitLog("binlog streaming from", time.Minute)
	d.exec("INSERT INTO t VALUES (2, 'two')")
	consume(t, e, 2, time.Minute, tp)
	sl.Stop()
	if _, _, ok := storedOffset(t, e, px+"-offsets", offsets.Key(name, px)); !ok {
		t.Fatalf("no offset stored:\n%s", tail(sl.Stderr.String(), 2000))
	}
	sl = run()
	sl.WaitLog("binlog streaming from", time.Minute)
	d.exec("INSERT INTO t VALUES (3, 'three')")
	if got := opsAndV(t, consume(t, e, 3, time.Minute, tp)); got != "r:one c:two c:three" {
		t.Fatalf("records %s, want r:one c:two c:three (the restart resumed from the stored offset)", got)
	}
	sl.Stop()
	// DESCRIBE_CONFIGS is not among the grants: the checks of the
	// offsets and history topics' configs are skipped, with a warning each.
	for _, l := range strings.Split(sl.Stderr.String(), "\n") {
		if (strings.Contains(l, "WARN") || strings.Contains(l, "ERROR")) && !strings.Contains(l, "no permission to describe its configs") {
			t.Errorf("logged: %s", l)
		}
	}
}

// aclWorker writes a worker file that logs in as the SCRAM user of
// aclUser and stores offsets in <px>-offsets.
func aclWorker(t *testing.T, user, px string, eos bool) string {
	t.Helper()
	worker := fmt.Sprintf("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n"+
		"sasl.jaas.config=%s required username=\"%s\" password=\"acl-secret\";\n"+
		"offset.storage.topic=%s-offsets\ngroup.id=%s\n", scramModule, user, px, px)
	if eos {
		worker += "exactly.once.source.support=enabled\n"
	}
	wf := filepath.Join(t.TempDir(), "worker.properties")
	writeFile(t, wf, worker)
	return wf
}

// aclUser makes a database whose table t holds row 1, and a SCRAM user
// (password acl-secret) named for it: px is the test's topic prefix.
func aclUser(t *testing.T, e env) (d *db, px, user string) {
	t.Helper()
	d = newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))")
	d.exec("INSERT INTO t VALUES (1, 'one')")
	px = "acl" + d.name[4:]
	user = px + "-user"
	addSCRAMUser(t, e, user, "acl-secret")
	return d, px, user
}
