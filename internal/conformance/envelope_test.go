package conformance

import (
	"encoding/json"
	"testing"
)

func TestOpAndAfterMatchesEncodingJSON(t *testing.T) {
	records := []string{
		`{"before":null,"after":{"id":1,"v":2,"pad":"row-1"},"source":{"ts_ms":0,"db":"d"},"transaction":null,"op":"c","ts_ms":5}`,
		`{"before":{"id":1,"v":2,"pad":"x"},"after":null,"source":{"ts_ms":7},"op":"d","ts_ms":5}`,
		// A string that holds the keys sought, escaped as JSON writes it.
		`{"before":{"id":3,"v":1,"pad":"\"after\":{\"v\":9},\"op\":\"d\""},"after":{"id":3,"v":2,"pad":"\"op\":\"x\" }"},"source":{"query":"\"ts_ms\":4","ts_ms":1796315865000,"vgtid":"[{\"a\":{}}]"},"transaction":{"id":"t","ts_ms":3},"op":"u","ts_ms":5}`,
		`{"schema":null,"after": {"id":4,"v":3,"pad":"p"},"source": {"ts_ms": 12},"op": "r"}`,
	}
	for _, r := range records {
		var want struct {
			Op     string
			After  *Row
			Source struct {
				TsMs *int64 `json:"ts_ms"`
			}
		}
		if err := json.Unmarshal([]byte(r), &want); err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		var row Row
		op, present, err := OpAndAfter([]byte(r), &row)
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		var got *Row
		if present {
			got = &row
		}
		if op != want.Op || (got == nil) != (want.After == nil) || got != nil && *got != *want.After {
			t.Errorf("%s: op %q after %v; encoding/json: op %q after %v", r, op, got, want.Op, want.After)
		}
		ts, ok := SourceTsMs([]byte(r))
		if !ok || ts != *want.Source.TsMs {
			t.Errorf("%s: source.ts_ms %d (%v); encoding/json: %d", r, ts, ok, *want.Source.TsMs)
		}
	}
}

func TestEnvelopeScansRefuseWhatTheyCannotRead(t *testing.T) {
	for _, r := range []string{
		`{"after":{"id":1},"source":{}}`,  // no op
		`{"op":"c","source":{"ts_ms":1}}`, // no after
		`{"after":[1],"op":"c"}`,          // after not an object
		`{"after":null,"op":"a\"b"}`,      // an op with an escape
		`{"after":null,"op":5}`,           // op not a string
	} {
		var row Row
		if op, present, err := OpAndAfter([]byte(r), &row); err == nil {
			t.Errorf("%s: read op %q after %v (%v); want an error", r, op, row, present)
		}
	}
	for _, r := range []string{
		`{"source":{"db":"d"},"transaction":null,"op":"c","ts_ms":5}`, // the record's ts_ms only
		`{"source":{"ts_ms":null},"op":"c"}`,
		`{"source":null,"op":"c","ts_ms":5}`,
	} {
		if ts, ok := SourceTsMs([]byte(r)); ok {
			t.Errorf("%s: source.ts_ms %d; want none", r, ts)
		}
	}
}

// A record with its schema: the schema names before and after as values
// ("field":"after"), and the scans must find the payload's.
func TestFieldReadsThePayloadOfARecordWithItsSchema(t *testing.T) {
	r := []byte(`{"schema":{"type":"struct","fields":[{"type":"struct","fields":[{"type":"int32","optional":false,"field":"v"}],"optional":true,"name":"x.Value","field":"before"},{"type":"struct","fields":[{"type":"int32","optional":false,"field":"v"}],"optional":true,"name":"x.Value","field":"after"},{"type":"string","optional":false,"field":"op"}],"optional":false,"name":"x.Envelope"},"payload":{"before":{"id":9,"v":4,"pad":"}{"},"after":null,"source":{"ts_ms":11},"op":"d","ts_ms":12}}`)
	want := Payload(t, r)
	op, err := Op(r)
	if err != nil || op != want["op"] {
		t.Errorf("op %q (%v); encoding/json: %q", op, err, want["op"])
	}
	var before, after map[string]any
	if ok, err := Field(r, "before", &before); !ok || err != nil {
		t.Fatalf("before: present %v, %v", ok, err)
	}
	if ok, err := Field(r, "after", &after); ok || err != nil || after != nil {
		t.Errorf("after: present %v, %v, %v; want null", ok, err, after)
	}
	wb := want["before"].(map[string]any)
	if len(before) != len(wb) || before["v"] != wb["v"] || before["pad"] != wb["pad"] || before["id"] != wb["id"] {
		t.Errorf("before %v; encoding/json: %v", before, wb)
	}
	if ts, ok := SourceTsMs(r); !ok || ts != 11 {
		t.Errorf("source.ts_ms %d (%v); want 11", ts, ok)
	}
}

func TestSourceStringMatchesEncodingJSON(t *testing.T) {
	r := []byte(`{"before":null,"after":{"id":1,"v":1,"pad":"\"shard\":\"x\""},"source":{"ts_ms":0,"keyspace":"ks","table":"t\\","shard":"-80","vgtid":"[{\"keyspace\":\"ks\",\"shard\":\"-80\",\"gtid\":\"MariaDB/0-1-5\"}]","empty":""},"transaction":{"shard":"no"},"op":"c"}`)
	var want struct {
		Source map[string]any
	}
	if err := json.Unmarshal(r, &want); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"keyspace", "table", "shard", "vgtid", "empty"} {
		got, ok := SourceString(r, name)
		if !ok {
			t.Errorf("source.%s: not found", name)
			continue
		}
		var unescaped string
		if err := json.Unmarshal([]byte(`"`+got+`"`), &unescaped); err != nil || unescaped != want.Source[name] {
			t.Errorf("source.%s: %s (%v); encoding/json: %q", name, got, err, want.Source[name])
		}
	}
	for _, name := range []string{"ts_ms", "missing"} {
		if got, ok := SourceString(r, name); ok {
			t.Errorf("source.%s: %q; want not a string", name, got)
		}
	}
}
