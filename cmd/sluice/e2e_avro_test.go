package main

// End-to-end tests of the Avro converter: the real daemon against MariaDB,
// Kafka and an Apicurio registry (deploy/local/registry.sh), records read
// back from Kafka, their writer schema fetched from the registry by the id
// in the record and decoded with goavro, independently of Sluice's encoder.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/sluice-cdc/sluice/converters/registry"
	"github.com/sluice-cdc/sluice/offsets"
)

func needRegistry(t *testing.T) *registry.Client {
	t.Helper()
	u := os.Getenv("SLUICE_TEST_REGISTRY_URL")
	if u == "" {
		if os.Getenv("SLUICE_E2E") == "1" {
			t.Fatal("SLUICE_E2E=1 but SLUICE_TEST_REGISTRY_URL is not set; start the registry with deploy/local/registry.sh start")
		}
		t.Skip("Avro end-to-end test: set SLUICE_TEST_REGISTRY_URL (deploy/local/registry.sh start prints it)")
	}
	c, err := registry.New(registry.Config{URLs: []string{u}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func avroConverters(url string) map[string]string {
	return map[string]string{
		"key.converter":                       "io.confluent.connect.avro.AvroConverter",
		"key.converter.schema.registry.url":   url,
		"value.converter":                     "io.confluent.connect.avro.AvroConverter",
		"value.converter.schema.registry.url": url,
	}
}

// avroReader decodes Confluent-framed records with the writer schema the
// registry holds for their id.
type avroReader struct {
	t      *testing.T
	reg    *registry.Client
	codecs map[int]*goavro.Codec
	texts  map[int]string
}

func newAvroReader(t *testing.T, reg *registry.Client) *avroReader {
	return &avroReader{t: t, reg: reg, codecs: map[int]*goavro.Codec{}, texts: map[int]string{}}
}

// logicalType is removed before decoding, so that values come back as what
// is on the wire (Decimal bytes, date ints), comparable with JSON's.
var logicalType = regexp.MustCompile(`,"logicalType":"[a-z-]+"`)

// decode returns the schema id and the decoded value; nil bytes (a
// tombstone or null key) decode to id 0 and nil.
func (a *avroReader) decode(b []byte) (int, any) {
	a.t.Helper()
	if b == nil {
		return 0, nil
	}
	if len(b) < 5 || b[0] != 0 {
		a.t.Fatalf("not Confluent framing (magic byte 0, 4-byte id): % x", b[:min(len(b), 8)])
	}
	id := int(binary.BigEndian.Uint32(b[1:5]))
	codec, ok := a.codecs[id]
	if !ok {
		text, err := a.reg.SchemaByID(context.Background(), id)
		if err != nil {
			a.t.Fatalf("schema id %d from the record: %v", id, err)
		}
		if codec, err = goavro.NewCodec(logicalType.ReplaceAllString(text, "")); err != nil {
			a.t.Fatalf("schema id %d: %v\n%s", id, err, text)
		}
		a.codecs[id], a.texts[id] = codec, text
	}
	v, rest, err := codec.NativeFromBinary(b[5:])
	if err != nil || len(rest) != 0 {
		a.t.Fatalf("decoding a record with schema id %d: %v (%d bytes left)", id, err, len(rest))
	}
	return id, v
}

// canonical turns a value into one comparable form, walking the Connect
// schema JsonConverter wrote (sch): from Avro (goavro's native form, unions
// as one-entry maps) when fromAvro, else from the JSON payload.
func canonical(t *testing.T, path string, sch map[string]any, v any, fromAvro bool) any {
	t.Helper()
	if fromAvro && sch["optional"] == true && v != nil {
		m, ok := v.(map[string]any)
		if !ok || len(m) != 1 {
			t.Fatalf("%s: %#v is not a union value", path, v)
		}
		for _, inner := range m {
			v = inner
		}
	}
	if v == nil {
		return nil
	}
	switch typ := sch["type"].(string); typ {
	case "int8", "int16", "int32", "int64":
		switch n := v.(type) {
		case int32:
			return int64(n)
		case int64:
			return n
		case json.Number:
			i, err := n.Int64()
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return i
		}
	case "float", "double":
		var f float64
		switch n := v.(type) {
		case float32:
			f = float64(n)
		case float64:
			f = n
		case json.Number:
			f, _ = n.Float64()
		case string: // JSON's NaN and infinities
			return n
		}
		if typ == "float" {
			return float64(float32(f))
		}
		return f
	case "boolean", "string":
		return v
	case "bytes":
		if fromAvro {
			return v
		}
		b, err := base64.StdEncoding.DecodeString(v.(string))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return b
	case "array":
		out := []any{}
		for i, it := range v.([]any) {
			out = append(out, canonical(t, fmt.Sprintf("%s[%d]", path, i), sch["items"].(map[string]any), it, fromAvro))
		}
		return out
	case "map":
		keys, values := sch["keys"].(map[string]any), sch["values"].(map[string]any)
		if keys["type"] == "string" && keys["optional"] != true {
			out := map[string]any{}
			for k, e := range v.(map[string]any) {
				out[k] = canonical(t, path+"."+k, values, e, fromAvro)
			}
			return out
		}
		var out [][2]any
		for _, e := range v.([]any) {
			var k, val any
			if fromAvro {
				k, val = e.(map[string]any)["key"], e.(map[string]any)["value"]
			} else {
				k, val = e.([]any)[0], e.([]any)[1]
			}
			out = append(out, [2]any{canonical(t, path+".key", keys, k, fromAvro), canonical(t, path+".value", values, val, fromAvro)})
		}
		return out
	case "struct":
		m := v.(map[string]any)
		out := map[string]any{}
		for _, f := range sch["fields"].([]any) {
			fs := f.(map[string]any)
			name := fs["field"].(string)
			if _, ok := m[name]; !ok {
				t.Fatalf("%s: field %s missing in %#v", path, name, m)
			}
			out[name] = canonical(t, path+"."+name, fs, m[name], fromAvro)
		}
		return out
	}
	t.Fatalf("%s: %T %v does not fit a %v schema", path, v, v, sch["type"])
	return nil
}

// differing are the fields that legitimately differ between two connectors
// reading the same changes: processing times, the source block's
// connector name and snapshot-time timestamps, and a Vitess VGTID (each
// connector's VStream merges the shards, and copies, on its own).
var differing = map[string]bool{"ts_ms": true, "ts_us": true, "ts_ns": true, "source.ts_ms": true, "source.ts_us": true,
	"source.ts_ns": true, "source.name": true, "source.vgtid": true}

// compareRecord compares one JSON record (schemas on) with the Avro record
// for the same change, field by field.
func compareRecord(t *testing.T, what string, jsonRec []byte, avroVal any, avroNil bool) {
	t.Helper()
	if jsonRec == nil {
		if !avroNil {
			t.Errorf("%s: JSON is null, Avro is %#v", what, avroVal)
		}
		return
	}
	var env map[string]any
	dec := json.NewDecoder(bytes.NewReader(jsonRec))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	sch, _ := env["schema"].(map[string]any)
	if sch == nil {
		t.Fatalf("%s: the JSON record has no schema: %s", what, jsonRec)
	}
	j := canonical(t, what, sch, env["payload"], false)
	a := canonical(t, what, sch, avroVal, true)
	jm, ok1 := j.(map[string]any)
	am, ok2 := a.(map[string]any)
	if !ok1 || !ok2 {
		if !reflect.DeepEqual(j, a) {
			t.Errorf("%s:\njson %#v\navro %#v", what, j, a)
		}
		return
	}
	for _, k := range sortedKeys(jm) {
		if differing[k] {
			continue
		}
		if k == "source" {
			js, as := jm[k].(map[string]any), am[k].(map[string]any)
			for _, sk := range sortedKeys(js) {
				if !differing["source."+sk] && !reflect.DeepEqual(js[sk], as[sk]) {
					t.Errorf("%s source.%s:\njson %#v\navro %#v", what, sk, js[sk], as[sk])
				}
			}
			continue
		}
		if !reflect.DeepEqual(jm[k], am[k]) {
			t.Errorf("%s field %s:\njson %#v\navro %#v", what, k, jm[k], am[k])
		}
	}
}

// TestAvroMatchesJSONEndToEnd runs the column type matrix through two
// connectors in one daemon, one with the JSON converter (schemas on) and
// one with Avro, over a snapshot and then streaming (deletes, inserts,
// DDL), and compares every record of every data and schema change topic.
func TestAvroMatchesJSONEndToEnd(t *testing.T) {
	e := needServers(t)
	reg := needRegistry(t)
	url := os.Getenv("SLUICE_TEST_REGISTRY_URL")
	d := newDB(t, e)
	cases := typeCases(d.name)
	d.exec("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'")
	d.exec("SET SESSION time_zone = '+00:00'")
	for _, c := range cases {
		d.exec(c.ddl)
		for _, q := range c.dml {
			d.exec(q)
		}
	}
	suffix := d.name[4:]
	modes := []string{"a", "b", "c"}
	files := avroModeConnectors(t, e, d.name, modes, url)
	sl := startDaemon(t, e, append([]string{"--log-format", "console"}, files...)...)
	var names []string
	for _, m := range modes {
		names = append(names, "av"+m+"j-"+d.name, "av"+m+"a-"+d.name)
	}
	// Each connector's snapshot must be over before the changes below:
	// one still snapshotting would read them as rows, not stream them.
	waitStreaming(t, sl, 90*time.Second, names...)
	// Streaming: every row deleted (before images, tombstones), written
	// again (the DML includes an ALTER), and a column added.
	for _, c := range cases {
		d.exec("DELETE FROM " + c.table)
		for _, q := range c.dml {
			d.exec(q)
		}
	}
	// Updates whose after images repeat their before images' values but
	// one: both converters copy those from the before image's encoding.
	d.exec("UPDATE t_int SET i = i + 1 WHERE id = 1")
	d.exec("UPDATE t_dec SET d3 = d3 + 1 WHERE id = 1")
	d.exec("UPDATE t_time SET dn = dn + INTERVAL 1 DAY")
	d.exec("UPDATE t_str SET dflt = 'upd'")
	d.exec("ALTER TABLE t_int ADD COLUMN added VARCHAR(8) DEFAULT 'new'")
	d.exec("INSERT INTO t_int (id, added) VALUES (99, 'x')")

	topics := func(prefix string) []string {
		out := []string{prefix}
		for _, c := range cases {
			out = append(out, prefix+"."+d.name+"."+c.table)
		}
		return out
	}
	// The topics are read only once complete: every connector has written
	// row 99 (the last change), and stopping the daemon drains what it read.
	// Reading while they wrote, a quiet gap under a loaded CI machine once
	// cut one side short.
	rd := newAvroReader(t, reg)
	for _, m := range modes {
		for _, side := range []string{"j", "a"} {
			waitForAddedX(t, e, rd, "av"+m+side+suffix+"."+d.name+".t_int", side == "a")
		}
	}
	sl.Stop()
	recs := map[string][]record{}
	for _, m := range modes {
		for _, side := range []string{"j", "a"} {
			prefix := "av" + m + side + suffix
			for _, r := range consume(t, e, 30, 90*time.Second, topics(prefix)...) {
				k := m + side + strings.TrimPrefix(r.Topic, prefix)
				recs[k] = append(recs[k], r)
			}
		}
	}
	compared := 0
	for _, m := range modes {
		compared += compareAvroMode(t, reg, rd, recs, m, "av"+m+"a"+suffix, topics(""))
		// After the ADD COLUMN, t_int's value subject has a second version
		// and the last record uses it.
		subject := "av" + m + "a" + suffix + "." + d.name + ".t_int-value"
		vs, err := reg.Versions(context.Background(), subject)
		if err != nil || len(vs) != 2 {
			t.Errorf("mode %s: %s versions: %v %v, want 2", m, subject, vs, err)
		}
		last := recs[m+"a."+d.name+".t_int"]
		if len(last) == 0 {
			t.Fatalf("mode %s: no t_int records", m)
		}
		id, _ := rd.decode(last[len(last)-1].Value)
		if !strings.Contains(rd.texts[id], `"name":"added"`) {
			t.Errorf("mode %s: the record after ADD COLUMN uses schema %d without the new column: %s", m, id, rd.texts[id])
		}
	}
	t.Logf("compared %d records", compared)
	// The Connect temporal types of mode b are Avro logical types.
	found := 0
	for _, text := range rd.texts {
		if strings.Contains(text, "org.apache.kafka.connect.data.Date") {
			found++
			for _, lt := range []string{`"logicalType":"date"`, `"logicalType":"time-millis"`, `"logicalType":"timestamp-millis"`} {
				if !strings.Contains(text, lt) {
					t.Errorf("a schema with Connect temporal types lacks %s: %s", lt, text)
				}
			}
		}
	}
	if found == 0 {
		t.Error("no schema with Connect's Date type: mode b did not run with time.precision.mode=connect")
	}
}

// avroModeConnectors writes, for each mode of the JSON type matrix
// (TestColumnTypesEndToEnd: a is Debezium's defaults; b Connect's temporal
// types, decimals as strings, hex binaries; c doubles, base64, the column
// rules, typed JSON), a JSON connector (schemas on, prefix av<mode>j) and an
// Avro one (av<mode>a) with the same settings.
func avroModeConnectors(t *testing.T, e env, db string, modes []string, url string) []string {
	t.Helper()
	suffix := db[4:]
	var files []string
	for _, m := range modes {
		settings := map[string]string{}
		for k, v := range typeConnectors[m] {
			if !strings.HasSuffix(k, "schemas.enable") {
				settings[k] = v
			}
		}
		switch m {
		case "b":
			settings["table.exclude.list"] = db + `\.t_time_big`
		case "c":
			settings["column.truncate.to.3.chars"] = db + `\.t_str\.vc`
			settings["column.mask.with.4.chars"] = db + `\.t_str\.tx`
			settings["column.propagate.source.type"] = db + `\.t_dec\.d1`
			settings["datatype.propagate.source.type"] = `.+\.INT UNSIGNED`
			settings["message.key.columns"] = db + `\.t_keys:b,a`
		}
		avroSettings := avroConverters(url)
		for k, v := range settings {
			avroSettings[k] = v
		}
		// Conversion workers on one side of two modes: each comparison
		// then holds a side converted on one goroutine against one
		// converted on several (the Avro side registering its schemas,
		// the ALTER's new version included, through them).
		switch m {
		case "b":
			settings["sluice.conversion.threads"] = "2"
		case "c":
			avroSettings["sluice.conversion.threads"] = "3"
		}
		files = append(files,
			connectorFile(t, e, "av"+m+"j-"+db, "av"+m+"j"+suffix, db, settings),
			connectorFile(t, e, "av"+m+"a-"+db, "av"+m+"a"+suffix, db, avroSettings))
	}
	return files
}

// compareAvroMode compares, topic by topic, the JSON and Avro records of
// one mode (recs keyed by mode, j or a, and topic without prefix) and
// checks that each Avro record's ids are versions of TopicNameStrategy's
// subjects. It returns how many values it compared.
func compareAvroMode(t *testing.T, reg *registry.Client, rd *avroReader, recs map[string][]record, m, aPrefix string, topics []string) int {
	t.Helper()
	compared := 0
	for _, topic := range topics {
		js, as := recs[m+"j"+topic], recs[m+"a"+topic]
		if len(js) != len(as) {
			t.Errorf("mode %s topic %q: %d JSON records, %d Avro records", m, topic, len(js), len(as))
			continue
		}
		for i := range js {
			what := fmt.Sprintf("mode %s topic %q record %d", m, topic, i)
			kid, kv := rd.decode(as[i].Key)
			vid, vv := rd.decode(as[i].Value)
			compareRecord(t, what+" key", js[i].Key, kv, as[i].Key == nil)
			compareRecord(t, what+" value", js[i].Value, vv, as[i].Value == nil)
			if as[i].Value != nil {
				checkSubject(t, reg, aPrefix+topic+"-value", vid)
				compared++
			}
			if as[i].Key != nil {
				checkSubject(t, reg, aPrefix+topic+"-key", kid)
			}
		}
	}
	return compared
}

// checkSubject: the id in a record is a version of the subject
// TopicNameStrategy names.
var subjectIDs = map[string]map[int]bool{}

func checkSubject(t *testing.T, reg *registry.Client, subject string, id int) {
	t.Helper()
	if subjectIDs[subject][id] {
		return
	}
	got, err := reg.Lookup(context.Background(), subject, mustSchema(t, reg, id))
	if err != nil || got != id {
		t.Errorf("schema id %d is not registered under subject %s: %d %v", id, subject, got, err)
	}
	if subjectIDs[subject] == nil {
		subjectIDs[subject] = map[int]bool{}
	}
	subjectIDs[subject][id] = true
}

func mustSchema(t *testing.T, reg *registry.Client, id int) string {
	t.Helper()
	s, err := reg.SchemaByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAvroRefusedSchemaStops: under BACKWARD compatibility a column
// whose type changes incompatibly cannot be registered; the daemon stops
// with the registry's message, the subject and the topic, and the stored
// offset stays before the change, so that a restart after the subject's
// compatibility is relaxed delivers it.
func TestAvroRefusedSchemaStops(t *testing.T) {
	e := needServers(t)
	reg := needRegistry(t)
	url := os.Getenv("SLUICE_TEST_REGISTRY_URL")
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	prefix := "avi" + d.name[4:]
	name := "avi-" + d.name
	topic := prefix + "." + d.name + ".t"
	subject := topic + "-value"
	extra := avroConverters(url)
	extra["snapshot.mode"] = "no_data"
	extra["offset.flush.interval.ms"] = "100"
	file := connectorFile(t, e, name, prefix, d.name, extra)
	sl := startDaemon(t, e, "--log-format", "console", file)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.exec("INSERT INTO t VALUES (1, 1)")
	first := d.str("SELECT @@last_gtid")
	consume(t, e, 1, 30*time.Second, topic)
	if err := reg.SetCompatibility(context.Background(), subject, "BACKWARD"); err != nil {
		t.Fatal(err)
	}
	key := offsets.Key(name, prefix)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, v, ok := storedOffset(t, e, "_connect_offsets", key); ok && coversGTID(t, v, first) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the stored offset never covered the first, delivered row")
		}
		time.Sleep(200 * time.Millisecond)
	}
	d.exec("ALTER TABLE t MODIFY v VARCHAR(10)")
	d.exec("INSERT INTO t VALUES (2, 'two')")
	second := d.str("SELECT @@last_gtid")
	log := sl.WaitExit(60 * time.Second)
	if sl.Err == nil {
		t.Fatal("sluice exited 0 after the registry refused a schema")
	}
	// The database's name is in the topic and subject: look for whole
	// phrases, Sluice's and the registry's (Apicurio's rule violation).
	for _, want := range []string{"as incompatible with the subject's earlier versions", "subject \"" + subject + "\"", "topic " + topic, "Incompatible artifact"} {
		if !strings.Contains(log, want) {
			t.Errorf("the error does not mention %q:\n%s", want, tail(log, 3000))
		}
	}
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "as incompatible with") {
			t.Logf("the daemon's error: %s", l)
			break
		}
	}
	_, v, _ := storedOffset(t, e, "_connect_offsets", key)
	if coversGTID(t, v, second) {
		t.Fatalf("the stored offset %s covers the refused change %s: a restart would skip it", v, second)
	}
	// Relaxing the subject's compatibility lets a restart deliver it.
	if err := reg.SetCompatibility(context.Background(), subject, "NONE"); err != nil {
		t.Fatal(err)
	}
	again := startDaemon(t, e, "--log-format", "console", file)
	recs := consume(t, e, 2, 60*time.Second, topic)
	again.Stop()
	rd := newAvroReader(t, reg)
	_, last := rd.decode(recs[len(recs)-1].Value)
	after := last.(map[string]any)["after"].(map[string]any)
	var row map[string]any
	for _, v := range after {
		row = v.(map[string]any)
	}
	if fmt.Sprint(row["v"]) != "map[string:two]" {
		t.Fatalf("the last record after the restart is %v, want the refused row (v='two')", row)
	}
}

func coversGTID(t *testing.T, stored []byte, gtid string) bool {
	t.Helper()
	pos, err := offsets.ParseMySQL(stored)
	if err != nil {
		t.Fatal(err)
	}
	domain, seq := splitGTID(t, gtid)
	for _, g := range strings.Split(pos.GTIDs, ",") {
		if g = strings.TrimSpace(g); g == "" {
			continue
		}
		if dd, s := splitGTID(t, g); dd == domain && s >= seq {
			return true
		}
	}
	return false
}

// TestAvroRegistryDownRetries: with no registry answering, the daemon
// retries (logging why), produces nothing and stores no offset; pointed at
// a registry, a restart delivers the row.
func TestAvroRegistryDownRetries(t *testing.T) {
	e := needServers(t)
	reg := needRegistry(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	d.exec("INSERT INTO t VALUES (1, 1)")
	prefix := "avd" + d.name[4:]
	name := "avd-" + d.name
	topic := prefix + "." + d.name + ".t"
	extra := avroConverters("http://127.0.0.1:1/apis/ccompat/v7")
	extra["offset.flush.interval.ms"] = "100"
	file := connectorFile(t, e, name, prefix, d.name, extra)
	sl := startDaemon(t, e, "--log-format", "console", file)
	// The schema change records of the snapshot (the prefix topic) are the
	// first to need the registry.
	sl.WaitLog("retrying", 30*time.Second)
	sl.WaitLog("registering the key schema of topic "+prefix, 10*time.Second)
	time.Sleep(2 * time.Second) // a few more retries, and offset flushes
	// A stop cannot drain a queue whose head cannot be converted: the
	// daemon gives up after its 8 s budget, leaving the offset where it was.
	began := time.Now()
	sl.Signal(syscall.SIGTERM)
	sl.WaitExit(20 * time.Second)
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("the daemon took %s to stop while retrying, past its 8 s budget", took)
	}
	if !strings.Contains(sl.Stderr.String(), "connection refused") {
		t.Errorf("the retry log does not say why:\n%s", tail(sl.Stderr.String(), 2000))
	}
	if _, v, ok := storedOffset(t, e, "_connect_offsets", offsets.Key(name, prefix)); ok {
		t.Fatalf("an offset %s was stored though nothing reached Kafka", v)
	}
	if n := countRecords(t, e, prefix); n != 0 {
		t.Fatalf("%d records reached the schema change topic without a schema id", n)
	}
	extra["key.converter.schema.registry.url"] = os.Getenv("SLUICE_TEST_REGISTRY_URL")
	extra["value.converter.schema.registry.url"] = os.Getenv("SLUICE_TEST_REGISTRY_URL")
	file = connectorFile(t, e, name, prefix, d.name, extra)
	again := startDaemon(t, e, "--log-format", "console", file)
	recs := consume(t, e, 1, 60*time.Second, topic)
	again.Stop()
	if len(recs) != 1 {
		t.Fatalf("%d records, want the one row once", len(recs))
	}
	_, v := newAvroReader(t, reg).decode(recs[0].Value)
	if op := v.(map[string]any)["op"]; op != "r" {
		t.Fatalf("op %v, want the snapshot's r", op)
	}
}

// waitForAddedX waits until topic holds the t_int row inserted last, the
// one whose added column is "x".
func waitForAddedX(t *testing.T, e env, rd *avroReader, topic string, avro bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		for _, r := range consume(t, e, 1, 30*time.Second, topic) {
			if avro && avroAfterField(rd, r.Value, "added") == "x" {
				return
			}
			if !avro && bytes.Contains(r.Value, []byte(`"added":"x"`)) {
				return
			}
		}
	}
	t.Fatalf("%s: the row inserted last (added = 'x') did not arrive within 90 s", topic)
}

// avroAfterField is a field of an Avro change event's after image, unions
// unwrapped; nil for a tombstone, a delete or a missing field.
func avroAfterField(rd *avroReader, value []byte, field string) any {
	_, v := rd.decode(value)
	env, _ := v.(map[string]any)
	after, _ := unwrapUnion(env["after"]).(map[string]any)
	return unwrapUnion(after[field])
}

// unwrapUnion is the value inside goavro's one-entry map for a non-null
// union branch.
func unwrapUnion(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for _, inner := range m {
			return inner
		}
	}
	return v
}

// countRecords is the number of records in topic (0 if it does not exist).
func countRecords(t *testing.T, e env, topic string) int64 {
	t.Helper()
	adm := kadm.NewClient(newKafkaClient(t, e))
	ends, err := adm.ListEndOffsets(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err == nil {
			n += o.Offset
		}
	})
	return n
}

// TestAvroApicurioClass: Apicurio's converter class with its native API URL
// (apicurio.registry.url …/apis/registry/v3) writes Confluent-framed records
// through the same server's Confluent-compatible API.
func TestAvroApicurioClass(t *testing.T) {
	e := needServers(t)
	reg := needRegistry(t)
	base := strings.TrimSuffix(os.Getenv("SLUICE_TEST_REGISTRY_URL"), "/apis/ccompat/v7")
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, note VARCHAR(20))")
	d.exec("INSERT INTO t VALUES (1, 'héllo')")
	prefix := "avp" + d.name[4:]
	const class = "io.apicurio.registry.utils.converter.AvroConverter"
	file := connectorFile(t, e, "avp-"+d.name, prefix, d.name, map[string]string{
		"key.converter": class, "key.converter.apicurio.registry.url": base + "/apis/registry/v3",
		"value.converter": class, "value.converter.apicurio.registry.url": base + "/apis/registry/v3",
	})
	sl := startDaemon(t, e, "--log-format", "console", file)
	topic := prefix + "." + d.name + ".t"
	recs := consume(t, e, 1, 60*time.Second, topic)
	sl.Stop()
	rd := newAvroReader(t, reg)
	_, k := rd.decode(recs[0].Key)
	_, v := rd.decode(recs[0].Value)
	if !reflect.DeepEqual(k, map[string]any{"id": int32(1)}) {
		t.Errorf("key %#v", k)
	}
	after := v.(map[string]any)["after"].(map[string]any)[topic+".Value"]
	if !reflect.DeepEqual(after, map[string]any{"id": int32(1), "note": map[string]any{"string": "héllo"}}) {
		t.Errorf("after %#v", after)
	}
	if vs, err := reg.Versions(context.Background(), topic+"-value"); err != nil || len(vs) != 1 {
		t.Errorf("subject %s-value: %v %v", topic, vs, err)
	}
}
