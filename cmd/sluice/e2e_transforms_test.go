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
