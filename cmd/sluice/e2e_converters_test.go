package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestTinyIntOneToBooleanConverter runs converters=boolean with Debezium's
// TinyIntOneToBooleanConverter over the tables Debezium 3.5.0.Final's
// MariaDB class was run on by hand (the local Kafka Connect worker, the
// same statements), and compares each record's after image and the
// schemas with what Debezium wrote. TINYINT(1) and BOOLEAN are booleans,
// true above zero, with the default converted (f DEFAULT 1 is true);
// TINYINT(2), TINYINT(4) and SMALLINT(1) stay INT16; the key's column
// too, and an update that changes the key's TINYINT from 7 to 3 keeps
// the key true: an update, not a key change. One difference is Sluice's
// own: an UNSIGNED column's 200 and 255 are true in the stream as in the
// snapshot, where Debezium's stream writes false (it converts the
// binlog's signed byte).
func TestTinyIntOneToBooleanConverter(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll(
		"CREATE TABLE t (id INT PRIMARY KEY, f TINYINT(1) NOT NULL DEFAULT 1, n TINYINT(1) NULL, u TINYINT(1) UNSIGNED NULL, w TINYINT(2) NULL, z TINYINT NULL, b BOOLEAN DEFAULT 0, s SMALLINT(1) NULL)",
		"CREATE TABLE k (flag TINYINT(1) NOT NULL, id INT NOT NULL, PRIMARY KEY (flag, id))",
		"INSERT INTO t VALUES (1, 0, NULL, 0, 0, 0, 0, 0), (2, 1, 1, 1, 1, 1, 1, 1), (3, 2, -1, 200, 2, 2, 5, 2), (4, -128, 127, 255, -1, -1, -1, -1)",
		"INSERT INTO k VALUES (0, 1), (1, 2), (7, 3)",
	)
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"converters": "boolean", "boolean.type": "io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", time.Minute)
	d.execAll(
		"INSERT INTO t VALUES (5, 0, NULL, 0, 0, 0, 0, 0), (6, 1, 1, 1, 1, 1, 1, 1), (7, 2, -1, 200, 2, 2, 5, 2), (8, -128, 127, 255, -1, -1, -1, -1)",
		"INSERT INTO t (id) VALUES (9)",
		"UPDATE k SET flag = 3 WHERE id = 3",
		"INSERT INTO k VALUES (-2, 4)",
	)
	// Debezium's records, but for u in rows 7 and 8 (false in its stream).
	wantT := []string{
		`{"op":"r","after":{"id":1,"f":false,"n":null,"u":false,"w":0,"z":0,"b":false,"s":0}}`,
		`{"op":"r","after":{"id":2,"f":true,"n":true,"u":true,"w":1,"z":1,"b":true,"s":1}}`,
		`{"op":"r","after":{"id":3,"f":true,"n":false,"u":true,"w":2,"z":2,"b":true,"s":2}}`,
		`{"op":"r","after":{"id":4,"f":false,"n":true,"u":true,"w":-1,"z":-1,"b":false,"s":-1}}`,
		`{"op":"c","after":{"id":5,"f":false,"n":null,"u":false,"w":0,"z":0,"b":false,"s":0}}`,
		`{"op":"c","after":{"id":6,"f":true,"n":true,"u":true,"w":1,"z":1,"b":true,"s":1}}`,
		`{"op":"c","after":{"id":7,"f":true,"n":false,"u":true,"w":2,"z":2,"b":true,"s":2}}`,
		`{"op":"c","after":{"id":8,"f":false,"n":true,"u":true,"w":-1,"z":-1,"b":false,"s":-1}}`,
		`{"op":"c","after":{"id":9,"f":true,"n":null,"u":null,"w":null,"z":null,"b":false,"s":null}}`,
	}
	wantK := []string{
		`{"op":"r","before":null,"after":{"flag":false,"id":1},"key":{"flag":false,"id":1}}`,
		`{"op":"r","before":null,"after":{"flag":true,"id":2},"key":{"flag":true,"id":2}}`,
		`{"op":"r","before":null,"after":{"flag":true,"id":3},"key":{"flag":true,"id":3}}`,
		`{"op":"u","before":{"flag":true,"id":3},"after":{"flag":true,"id":3},"key":{"flag":true,"id":3}}`,
		`{"op":"c","before":null,"after":{"flag":false,"id":4},"key":{"flag":false,"id":4}}`,
	}
	tRecs := consume(t, e, len(wantT), time.Minute, prefix+"."+d.name+".t")
	kRecs := consume(t, e, len(wantK), time.Minute, prefix+"."+d.name+".k")
	if len(tRecs) != len(wantT) || len(kRecs) != len(wantK) {
		t.Fatalf("%d records of t and %d of k, want %d and %d", len(tRecs), len(kRecs), len(wantT), len(wantK))
	}
	for i, r := range tRecs {
		v := decodeNumbers(t, r.Value)
		p := v["payload"].(map[string]any)
		compareJSON(t, fmt.Sprintf("record %d of t", i), map[string]any{"op": p["op"], "after": p["after"]}, wantT[i])
		if i == 0 {
			// The after image's field schemas, as Debezium's.
			compareJSON(t, "t's after schema", afterFields(t, v["schema"]), `[{"type":"int32","optional":false,"field":"id"},
				{"type":"boolean","optional":false,"default":true,"field":"f"},{"type":"boolean","optional":true,"field":"n"},
				{"type":"boolean","optional":true,"field":"u"},{"type":"int16","optional":true,"field":"w"},
				{"type":"int16","optional":true,"field":"z"},{"type":"boolean","optional":true,"default":false,"field":"b"},
				{"type":"int16","optional":true,"field":"s"}]`)
		}
	}
	for i, r := range kRecs {
		p := decodeNumbers(t, r.Value)["payload"].(map[string]any)
		key := decodeNumbers(t, r.Key)
		compareJSON(t, fmt.Sprintf("record %d of k", i), map[string]any{"op": p["op"], "before": p["before"], "after": p["after"], "key": key["payload"]}, wantK[i])
		if i == 0 {
			compareJSON(t, "k's key schema", key["schema"].(map[string]any)["fields"],
				`[{"type":"boolean","optional":false,"field":"flag"},{"type":"int32","optional":false,"field":"id"}]`)
		}
	}
	sl.Stop()
}

// decodeNumbers decodes a JSON record keeping numbers as their text, as
// compareJSON compares them.
func decodeNumbers(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("record is not JSON: %v: %s", err, b)
	}
	return m
}
