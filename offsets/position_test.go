package offsets

import (
	"os"
	"strings"
	"testing"
)

func TestMySQLOffsetValueRoundTrip(t *testing.T) {
	for _, p := range []MySQL{
		{TsSec: 1700000000, File: "mysql-bin.000003", Pos: 154},
		{TsSec: 1700000000, File: "mysql-bin.000003", Pos: 154, GTIDs: "0-1-42", Row: 1, ServerID: 1, Event: 2},
		{TsSec: 1, File: "binlog.000001", Pos: 1<<64 - 1, GTIDs: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n4e11fa47-71ca-11e1-9e33-c80aa9429562:1-9", ServerID: 1<<32 - 1},
		{TsSec: 1700000001, File: "mysql-bin.000001", Pos: 4, Snapshot: true},
		{GTIDs: "0-1-1,1-2-3"},
		{File: `we"ird\file`, Pos: 4},
	} {
		b, err := p.OffsetValue()
		if err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
		got, err := ParseMySQL(b)
		if err != nil {
			t.Fatalf("ParseMySQL(%s): %v", b, err)
		}
		if got != p {
			t.Errorf("round trip of %+v through %s gave %+v", p, b, got)
		}
	}
}

// Values as Debezium's MySQL connector writes them (MySqlOffsetContext /
// SourceInfo: ts_sec, file, pos always; gtids, row, server_id, event when
// set; snapshot while snapshotting; other keys it may add are ignored).
func TestParseMySQLDebeziumValues(t *testing.T) {
	for _, c := range []struct {
		in   string
		want MySQL
		same bool // OffsetValue writes the very same bytes back
	}{
		{
			in:   `{"ts_sec":1700000000,"file":"mysql-bin.000003","pos":154,"gtids":"0-1-42","row":1,"server_id":1,"event":2}`,
			want: MySQL{TsSec: 1700000000, File: "mysql-bin.000003", Pos: 154, GTIDs: "0-1-42", Row: 1, ServerID: 1, Event: 2},
			same: true,
		},
		{
			in:   `{"ts_sec":1700000000,"file":"mysql-bin.000003","pos":154}`,
			want: MySQL{TsSec: 1700000000, File: "mysql-bin.000003", Pos: 154},
			same: true,
		},
		{
			in:   `{"ts_sec":1700000000,"file":"mysql-bin.000003","pos":154,"snapshot":true}`,
			want: MySQL{TsSec: 1700000000, File: "mysql-bin.000003", Pos: 154, Snapshot: true},
			same: true,
		},
		{
			in:   `{"file":"mysql-bin.000003","pos":154,"snapshot":"true","transaction_id":null,"snapshot_completed":false}`,
			want: MySQL{File: "mysql-bin.000003", Pos: 154, Snapshot: true},
		},
		{
			in:   `{"transaction_id":null,"ts_sec":1732345678,"file":"binlog.000002","pos":2345,"gtids":"a7c3f2e4-1234-11ee-be56-0242ac120002:1-57","row":3,"server_id":223344,"event":4}`,
			want: MySQL{TsSec: 1732345678, File: "binlog.000002", Pos: 2345, GTIDs: "a7c3f2e4-1234-11ee-be56-0242ac120002:1-57", Row: 3, ServerID: 223344, Event: 4},
		},
		{
			in:   `{"ts_sec":1700000000,"file":"mysql-bin.000003","pos":154,"snapshot":false}`,
			want: MySQL{TsSec: 1700000000, File: "mysql-bin.000003", Pos: 154},
		},
	} {
		got, err := ParseMySQL([]byte(c.in))
		if err != nil {
			t.Errorf("ParseMySQL(%s): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseMySQL(%s) = %+v, want %+v", c.in, got, c.want)
		}
		if c.same {
			b, _ := got.OffsetValue()
			if string(b) != c.in {
				t.Errorf("OffsetValue() = %s, want %s", b, c.in)
			}
		}
	}
}

func TestParseMySQLRejects(t *testing.T) {
	for _, in := range []string{
		``,
		`[]`,
		`{"ts_sec":1}`,
		`{"file":"","pos":4}`,
		`{"file":"f","pos":-1}`,
		`{"file":"f","pos":"4"}`,
		`{"file":"f",`,
	} {
		if p, err := ParseMySQL([]byte(in)); err == nil {
			t.Errorf("ParseMySQL(%s) = %+v, want an error", in, p)
		} else if !strings.Contains(err.Error(), "MySQL offset") {
			t.Errorf("ParseMySQL(%s) error %q does not say what it was decoding", in, err)
		}
	}
}

// For the MySQL class on MariaDB the GTID set goes under Sluice's own key:
// Debezium's MySQL connector, which stores none there, must find no
// "gtids" in the offset, and Sluice must read its set back.
func TestMySQLPrivateGTIDs(t *testing.T) {
	p := MySQL{TsSec: 5, File: "mariadb-bin.000002", Pos: 4, GTIDs: "0-1-42", ServerID: 1, PrivateGTIDs: true}
	b, err := p.OffsetValue()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ts_sec":5,"file":"mariadb-bin.000002","pos":4,"server_id":1,"sluice_gtids":"0-1-42"}`
	if string(b) != want {
		t.Fatalf("offset value\n got %s\nwant %s", b, want)
	}
	got, err := ParseMySQL(b)
	if err != nil {
		t.Fatal(err)
	}
	if got != p {
		t.Fatalf("round trip: got %+v, want %+v", got, p)
	}
	// A Debezium offset with gtids keeps them public.
	got, err = ParseMySQL([]byte(`{"file":"f","pos":4,"gtids":"0-1-7","sluice_gtids":"0-1-9"}`))
	if err != nil || got.GTIDs != "0-1-7" || got.PrivateGTIDs {
		t.Fatalf("public gtids: got %+v, %v", got, err)
	}
}

// An offset Debezium 3.5.0.Final's MariaDB connector stored in the middle
// of an incremental snapshot (GET /connectors/NAME/offsets): its snapshot
// progress is kept for Sluice to take over; "snapshot" is a string there.
func TestParseDebeziumIncrementalOffset(t *testing.T) {
	b, err := os.ReadFile("testdata/debezium-incremental-offset.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseMySQL(b)
	if err != nil {
		t.Fatal(err)
	}
	if p.GTIDs != "0-1-1102598" || p.Snapshot || p.SnapshotInProgress() || p.SluiceIncremental != "" ||
		!strings.Contains(p.DebeziumIncremental.Collections, `"incremental_snapshot_collections_id":"dbzinc.b"`) ||
		!strings.HasPrefix(p.DebeziumIncremental.PrimaryKey, "aced0005") {
		t.Errorf("parsed %+v", p)
	}
}

// Debezium's "snapshot" field: an initial snapshot under way (3.x's
// INITIAL, 1.x's true) cannot be resumed without Sluice's progress and is
// taken again; BLOCKING and INCREMENTAL are streaming positions; Sluice's
// own unfinished snapshot resumes.
func TestSnapshotUnresumable(t *testing.T) {
	for _, c := range []struct {
		snapshot                string
		unresumable, inProgress bool
	}{
		{`"INITIAL"`, true, false},
		{`true`, true, false},
		{`"true"`, true, false},
		{`"BLOCKING"`, false, false},
		{`"INCREMENTAL"`, false, false},
		{`false`, false, false},
	} {
		p, err := ParseMySQL([]byte(`{"file":"b.000001","pos":4,"gtids":"0-1-5","snapshot":` + c.snapshot + `}`))
		if err != nil {
			t.Fatal(err)
		}
		if p.SnapshotUnresumable() != c.unresumable || p.SnapshotInProgress() != c.inProgress {
			t.Errorf("snapshot %s: unresumable %t, in progress %t", c.snapshot, p.SnapshotUnresumable(), p.SnapshotInProgress())
		}
	}
	p, _ := ParseMySQL([]byte(`{"file":"b.000001","pos":4,"snapshot":true,"sluice_snapshot":"{}"}`))
	if p.SnapshotUnresumable() || !p.SnapshotInProgress() {
		t.Errorf("Sluice's own snapshot: unresumable %t, in progress %t", p.SnapshotUnresumable(), p.SnapshotInProgress())
	}
}
