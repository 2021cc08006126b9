package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/internal/conformance"
)

// TestVitessAvroMatchesJSON runs one Vitess table through two connectors in
// one daemon, JSON with schemas and Avro through the registry, over the
// copy phase, streamed changes (a delete with its tombstone) and an ADD
// COLUMN with schema change events, and compares every record: the Avro
// converter serves the Vitess source as it serves MySQL's.
func TestVitessAvroMatchesJSON(t *testing.T) {
	e := needVitess(t)
	reg := needRegistry(t)
	tb := newVtTable(t, e, 40)
	jp, ap := "vj"+tb.name, "va"+tb.name
	jcfg := tb.connector(jp, map[string]string{"key.converter.schemas.enable": "true",
		"value.converter.schemas.enable": "true", "include.schema.changes": "true"})
	acfg := tb.connector(ap, avroConverters(os.Getenv("SLUICE_TEST_REGISTRY_URL")))
	delete(acfg, "key.converter.schemas.enable")
	delete(acfg, "value.converter.schemas.enable")
	acfg["include.schema.changes"] = "true"
	sl := startDaemon(t, e.env, conformance.WriteConnector(t, "cj-"+tb.name, jcfg), conformance.WriteConnector(t, "ca-"+tb.name, acfg))
	table := func(p string) string { return p + "." + e.keyspace + "." + tb.name }
	consume(t, e.env, 80, 90*time.Second, table(jp), table(ap)) // both copies done

	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad) VALUES (101, 101, 1, 'a'), (102, 102, 1, NULL)")
	tb.must(t, "UPDATE "+tb.name+" SET v = 2, pad = 'u' WHERE id = 3")
	tb.must(t, "DELETE FROM "+tb.name+" WHERE id = 4")
	tb.must(t, "ALTER TABLE "+tb.name+" ADD COLUMN added VARCHAR(8) DEFAULT 'new'")
	time.Sleep(time.Second) // VTGate's schema tracker
	tb.must(t, "INSERT INTO "+tb.name+" (id, sk, v, pad, added) VALUES (103, 103, 1, 'c', 'x')")
	// Per side: 40 copied, 2 + 1 inserted, 1 update, 1 delete and its
	// tombstone; one schema change record per shard.
	recs := consume(t, e.env, 2*46+4, 90*time.Second, table(jp), table(ap), jp, ap)
	sl.Stop()

	rd := newAvroReader(t, reg)
	byKey := map[string][]record{} // side, topic and key, in order
	for _, r := range recs {
		side, topic := "j", strings.TrimPrefix(r.Topic, jp)
		if strings.HasPrefix(r.Topic, ap) {
			side, topic = "a", strings.TrimPrefix(r.Topic, ap)
		}
		k := side + topic + "|" + vtRecordKey(t, rd, side, r)
		byKey[k] = append(byKey[k], r)
	}
	compared := 0
	for k, js := range byKey {
		if k[0] != 'j' {
			continue
		}
		as := byKey["a"+k[1:]]
		if len(js) != len(as) {
			t.Errorf("%s: %d JSON records, %d Avro records", k[1:], len(js), len(as))
			continue
		}
		for i := range js {
			what := fmt.Sprintf("%s record %d", k[1:], i)
			_, kv := rd.decode(as[i].Key)
			_, vv := rd.decode(as[i].Value)
			compareRecord(t, what+" key", js[i].Key, kv, as[i].Key == nil)
			compareRecord(t, what+" value", js[i].Value, vv, as[i].Value == nil)
			compared++
		}
	}
	if compared != 46+2 {
		t.Errorf("compared %d record pairs, want 48 (46 data records and 2 schema changes)", compared)
	}
	subject := table(ap) + "-value"
	if vs, err := reg.Versions(context.Background(), subject); err != nil || len(vs) != 2 {
		t.Errorf("%s versions %v (%v), want 2: the ADD COLUMN registers a second version", subject, vs, err)
	}
}

// vtRecordKey is what pairs a JSON record with its Avro twin: the row's id
// for data records, the shard for schema change records (one per shard,
// and the two streams may interleave the shards differently).
func vtRecordKey(t *testing.T, rd *avroReader, side string, r record) string {
	t.Helper()
	var v any
	if side == "j" {
		var env struct{ Payload any }
		if r.Value != nil {
			dec := json.NewDecoder(bytes.NewReader(r.Value))
			dec.UseNumber()
			if err := dec.Decode(&env); err != nil {
				t.Fatalf("%s: %v", r.Topic, err)
			}
		}
		var key struct{ Payload map[string]any }
		_ = json.Unmarshal(r.Key, &key)
		if id, ok := key.Payload["id"]; ok {
			return fmt.Sprint(id)
		}
		v = env.Payload
	} else {
		_, kv := rd.decode(r.Key)
		if m, ok := kv.(map[string]any); ok && m["id"] != nil {
			return fmt.Sprint(m["id"])
		}
		_, v = rd.decode(r.Value)
	}
	src, _ := v.(map[string]any)["source"].(map[string]any)
	return fmt.Sprint(src["shard"])
}
