package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// TestTransformChainEndToEnd runs Kafka Connect's RegexRouter, InsertField
// and a Filter behind a TopicNameMatches predicate, as a connector file
// configures them, and reads what a consumer sees: the routed topic, the
// inserted fields, and nothing of the filtered table.
func TestTransformChainEndToEnd(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll(
		"CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40))",
		"CREATE TABLE scratch (id INT PRIMARY KEY)",
	)
	prefix := "smt" + d.name[4:]
	const tr = "org.apache.kafka.connect.transforms."
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"transforms":                     "route,stamp,drop",
		"transforms.route.type":          tr + "RegexRouter",
		"transforms.route.regex":         strings.ReplaceAll(prefix+"."+d.name, ".", `\.`) + `\.(.*)`,
		"transforms.route.replacement":   prefix + ".routed.$1",
		"transforms.stamp.type":          tr + "InsertField$Value",
		"transforms.stamp.static.field":  "origin",
		"transforms.stamp.static.value":  "sluice",
		"transforms.stamp.topic.field":   "topic_name!",
		"transforms.drop.type":           tr + "Filter",
		"transforms.drop.predicate":      "isScratch",
		"predicates":                     "isScratch",
		"predicates.isScratch.type":      tr + "predicates.TopicNameMatches",
		"predicates.isScratch.pattern":   `.*\.routed\.scratch`,
		"tombstones.on.delete":           "false",
		"key.converter.schemas.enable":   "false",
		"value.converter.schemas.enable": "true",
		"errors.tolerance":               "none",
	})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.execAll(
		"INSERT INTO items VALUES (1, 'a')",
		"INSERT INTO scratch VALUES (1), (2)",
		"UPDATE items SET name = 'b' WHERE id = 1",
		"DELETE FROM scratch WHERE id = 1",
		"INSERT INTO items VALUES (2, 'c')",
	)
	routed := prefix + ".routed.items"
	recs := consume(t, e, 3, 60*time.Second, routed)
	if len(recs) != 3 {
		t.Fatalf("%d records on %s, want 3", len(recs), routed)
	}
	for i, want := range []struct{ op, name string }{{"c", "a"}, {"u", "b"}, {"c", "c"}} {
		p := payload(t, recs[i].Value)
		after, _ := p["after"].(map[string]any)
		if p["op"] != want.op || after["name"] != want.name || p["origin"] != "sluice" || p["topic_name"] != routed {
			t.Errorf("record %d: op %v after %v origin %v topic_name %v; want op %s name %s origin sluice topic_name %s",
				i, p["op"], after, p["origin"], p["topic_name"], want.op, want.name, routed)
		}
		if recs[i].Topic != routed {
			t.Errorf("record %d on %s", i, recs[i].Topic)
		}
	}
	// The schema carries the inserted fields, required as "!" asked.
	if v := string(recs[0].Value); !strings.Contains(v, `{"type":"string","optional":false,"field":"topic_name"}`) ||
		!strings.Contains(v, `{"type":"string","optional":true,"field":"origin"}`) {
		t.Errorf("value schema lacks the inserted fields: %s", v)
	}
	// scratch's records were dropped before any topic was made for them.
	adm := kadm.NewClient(newKafkaClient(t, e))
	topics, err := adm.ListTopics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{prefix + ".routed.scratch", prefix + "." + d.name + ".scratch", prefix + "." + d.name + ".items"} {
		if topics.Has(name) {
			t.Errorf("topic %s exists: the chain should have routed or dropped its records", name)
		}
	}
}

// TestDeadLetterQueueEndToEnd: with errors.tolerance=all, a record a
// transform fails on (ValueToKey on a tombstone, as in Kafka Connect) goes
// to the dead letter queue with the __connect.errors.* headers, and the
// records after it still flow.
func TestDeadLetterQueueEndToEnd(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40))")
	prefix := "dlq" + d.name[4:]
	dlq := prefix + ".dlq"
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"transforms":            "key",
		"transforms.key.type":   "org.apache.kafka.connect.transforms.ValueToKey",
		"transforms.key.fields": "op",
		// Schema change events have no op field: ValueToKey would fail on
		// them too (as in Connect), so it runs on the table's topic only.
		"transforms.key.predicate":                        "items",
		"predicates":                                      "items",
		"predicates.items.type":                           "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
		"predicates.items.pattern":                        `.*\.items`,
		"errors.tolerance":                                "all",
		"errors.log.enable":                               "true",
		"errors.deadletterqueue.topic.name":               dlq,
		"errors.deadletterqueue.topic.replication.factor": "1",
		"errors.deadletterqueue.context.headers.enable":   "true",
	})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.execAll(
		"INSERT INTO items VALUES (1, 'a')",
		"DELETE FROM items WHERE id = 1",
		"INSERT INTO items VALUES (2, 'b')",
	)
	topic := prefix + "." + d.name + ".items"
	recs := consume(t, e, 3, 60*time.Second, topic)
	var ops []string
	for _, r := range recs {
		p := payload(t, r.Value)
		ops = append(ops, p["op"].(string))
		if k := payload(t, r.Key); k["op"] != p["op"] {
			t.Errorf("key %s: ValueToKey did not set it from the value's op %v", r.Key, p["op"])
		}
	}
	if strings.Join(ops, ",") != "c,d,c" {
		t.Fatalf("ops %v on %s, want c,d,c (the tombstone skipped)", ops, topic)
	}
	dead := consume(t, e, 1, 30*time.Second, dlq)
	if len(dead) != 1 {
		t.Fatalf("%d records on %s, want the tombstone", len(dead), dlq)
	}
	r := dead[0]
	if r.Value != nil || !strings.Contains(string(r.Key), `"id":1`) {
		t.Errorf("dead letter key %s value %q: want the tombstone of id 1 as the source built it", r.Key, r.Value)
	}
	for k, v := range map[string]string{"__connect.errors.topic": topic, "__connect.errors.stage": "TRANSFORMATION",
		"__connect.errors.class.name": "org.apache.kafka.connect.transforms.ValueToKey", "__connect.errors.connector.name": "c-" + d.name} {
		if r.Headers[k] != v {
			t.Errorf("header %s = %q, want %q", k, r.Headers[k], v)
		}
	}
	if m := r.Headers["__connect.errors.exception.message"]; !strings.Contains(m, "Only Map objects supported in absence of schema for [copying fields from value to key], found: null") {
		t.Errorf("exception.message %q", m)
	}
	sl.WaitLog("Error encountered in task", 10*time.Second)
}
