package offsets

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Golden strings from Debezium's VgtidTest/TestHelper (VGTID_JSON) and
// TablePrimaryKeysTest (TEST_COMP_PK_LAST_PKS_JSON, compacted as Jackson
// writes it).
const (
	dbzVGTID = `[{"keyspace":"test_keyspace","shard":"-80","gtid":"MySQL56/a790d864-9ba1-11ea-99f6-0242ac11000a:1-1513","table_p_ks":[]},` +
		`{"keyspace":"test_keyspace","shard":"80-","gtid":"MySQL56/a790d864-9ba1-11ea-99f6-0242ac11000b:1-1513","table_p_ks":[]}]`
	dbzLastPK = `{"table_name":"comp_pk_table","lastpk":{"fields":[{"name":"id","type":"INT64","charset":63,"flags":49667},` +
		`{"name":"int_col","type":"INT32","charset":63,"flags":53251}],"rows":[{"lengths":["2","1"],"values":"101"}]}}`
)

func TestVGTIDRoundTripsDebeziumStrings(t *testing.T) {
	withPK := `[{"keyspace":"test_keyspace","shard":"-80","gtid":"MySQL56/a790d864-9ba1-11ea-99f6-0242ac11000a:1-1513","table_p_ks":[` + dbzLastPK + `]},` +
		`{"keyspace":"test_keyspace","shard":"80-","gtid":"MySQL56/a790d864-9ba1-11ea-99f6-0242ac11000b:1-1513","table_p_ks":[` + dbzLastPK + `]}]`
	for _, s := range []string{dbzVGTID, withPK,
		`[{"keyspace":"ks","shard":"0","gtid":"","table_p_ks":[{"table_name":"t","lastpk":null}]}]`,
		`[{"keyspace":"ks","shard":"","gtid":"current","table_p_ks":[]}]`} {
		v, err := ParseVGTID(s)
		if err != nil {
			t.Fatalf("ParseVGTID(%s): %v", s, err)
		}
		if got := v.String(); got != s {
			t.Errorf("round trip:\n got %s\nwant %s", got, s)
		}
	}
}

// Debezium's own templates without table_p_ks (older offsets) read as an
// empty cursor and are written back with "table_p_ks":[].
func TestVGTIDWithoutTablePKs(t *testing.T) {
	v, err := ParseVGTID(`[{"keyspace":"test_keyspace","shard":"-80","gtid":"MySQL56/a790d864-9ba1-11ea-99f6-0242ac11000a:1-1513"},` +
		`{"keyspace":"test_keyspace","shard":"80-","gtid":"MySQL56/a790d864-9ba1-11ea-99f6-0242ac11000b:1-1513"}]`)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.String(); got != dbzVGTID {
		t.Errorf("got %s\nwant %s", got, dbzVGTID)
	}
	if v.Copying() {
		t.Error("a VGTID with GTIDs and no cursor is not copying")
	}
}

func TestVGTIDOffsetValue(t *testing.T) {
	v, err := ParseVGTID(dbzVGTID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.OffsetValue()
	if err != nil {
		t.Fatal(err)
	}
	// The VGTID is a JSON string inside the value.
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || len(m) != 1 || m["vgtid"] != dbzVGTID {
		t.Fatalf("offset value %s: %v", b, err)
	}
	if !strings.HasPrefix(string(b), `{"vgtid":"[{\"keyspace\":\"test_keyspace\",\"shard\":\"-80\"`) {
		t.Errorf("offset value not in Kafka Connect's form: %s", b)
	}
	back, err := ParseVitess(b)
	if err != nil || !reflect.DeepEqual(back, v) {
		t.Errorf("ParseVitess(%s) = %+v, %v", b, back, err)
	}
}

// Debezium's willTriggerVStreamCopy cases: an empty GTID or a copy cursor
// on any shard means the copy phase is not over.
func TestVGTIDCopying(t *testing.T) {
	for s, want := range map[string]bool{
		`[{"keyspace":"k","shard":"-80","gtid":"","table_p_ks":[]},{"keyspace":"k","shard":"80-","gtid":"MariaDB/0-1-5","table_p_ks":[]}]`:              true,
		`[{"keyspace":"k","shard":"-80","gtid":"","table_p_ks":[]},{"keyspace":"k","shard":"80-","gtid":"current","table_p_ks":[]}]`:                    true,
		`[{"keyspace":"k","shard":"-80","gtid":"current","table_p_ks":[]},{"keyspace":"k","shard":"80-","gtid":"current","table_p_ks":[]}]`:             false,
		`[{"keyspace":"k","shard":"-80","gtid":"MariaDB/0-1-5","table_p_ks":[{"table_name":"t","lastpk":null}]}]`:                                       true,
		`[{"keyspace":"k","shard":"-80","gtid":"MariaDB/0-1-5","table_p_ks":[]},{"keyspace":"k","shard":"80-","gtid":"MariaDB/0-1-7","table_p_ks":[]}]`: false,
	} {
		v, err := ParseVGTID(s)
		if err != nil {
			t.Fatal(err)
		}
		if v.Copying() != want || v.SnapshotInProgress() != want {
			t.Errorf("%s: copying %v, want %v", s, v.Copying(), want)
		}
	}
}

func TestVGTIDRefusesBadInput(t *testing.T) {
	for _, s := range []string{`{"vgtid":1}`, `{}`, `{"vgtid":"[]"}`, `{"vgtid":"[{\"shard\":\"-80\"}]"}`, `nope`} {
		if _, err := ParseVitess([]byte(s)); err == nil {
			t.Errorf("ParseVitess(%s) accepted", s)
		}
	}
}

// Jackson's writer-based generator leaves non-ASCII raw inside the VGTID;
// the offset value escapes it as Kafka Connect's byte generator does.
func TestVGTIDEscapes(t *testing.T) {
	v := Vitess{Shards: []ShardGTID{{Keyspace: "k", Shard: "-80", GTID: "g", TablePKs: []TableLastPK{{TableName: "t",
		LastPK: &LastPK{Fields: []PKField{{Name: "s", Type: "VARCHAR", Charset: 255, Flags: 20483}},
			Rows: []PKRow{{Lengths: []string{"5"}, Values: "é\"\n"}}}}}}}}
	if got, want := v.String(), `"values":"é\"\n"`; !strings.Contains(got, want) {
		t.Errorf("%s does not contain %s", got, want)
	}
}

// Copy guards are stored beside vgtid, which stays Debezium's string, and
// make the position resume the copy phase.
func TestVGTIDCopyGuardsRoundTrip(t *testing.T) {
	v, err := ParseVGTID(`[{"keyspace":"k","shard":"-80","gtid":"MariaDB/0-1-5","table_p_ks":[]}]`)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ParseVGTID(`[{"keyspace":"k","shard":"-80","gtid":"MariaDB/0-1-9","table_p_ks":[` + dbzLastPK + `]}]`)
	if err != nil {
		t.Fatal(err)
	}
	v.Guards = []CopyGuard{{Table: "comp_pk_table", Shard: g.Shards[0]}}
	if !v.Copying() {
		t.Error("a position with a copy guard must resume the copy phase")
	}
	b, err := v.OffsetValue()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m["vgtid"] != v.String() {
		t.Fatalf("offset value %s: %v", b, err)
	}
	back, err := ParseVitess(b)
	if err != nil || !reflect.DeepEqual(back, v) {
		t.Errorf("ParseVitess(%s) = %+v, %v", b, back, err)
	}
}
