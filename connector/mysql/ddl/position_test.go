package ddl

import (
	"strconv"
	"strings"
	"testing"
)

func TestPositionAtOrBefore(t *testing.T) {
	const (
		u1 = "7c1de3f2-3fd2-11e6-9cdc-42010af000bc"
		u2 = "036d85a9-64e5-11e6-9b48-42010af0000c"
	)
	gtids := func(s string, extra ...string) string {
		return `{"ts_sec":1,"file":"mysql-bin.000001","pos":4,"gtids":"` + s + `"` + strings.Join(extra, "") + `}`
	}
	filePos := func(file string, pos int, extra ...string) string {
		return `{"ts_sec":100,"file":"` + file + `","pos":` + strconv.Itoa(pos) + strings.Join(extra, "") + `}`
	}
	cases := []struct {
		name              string
		recorded, desired string
		want              bool
	}{
		// Both with GTIDs, equal sets: snapshot, then events decide.
		{"mysql equal", gtids(u1 + ":1-5"), gtids(u1 + ":1-5"), true},
		{"equal, recorded in snapshot", gtids(u1+":1-5", `,"snapshot":true`), gtids(u1 + ":1-5"), true},
		{"equal, desired in snapshot", gtids(u1 + ":1-5"), gtids(u1+":1-5", `,"snapshot":true`), false},
		{"equal, both in snapshot", gtids(u1+":1-5", `,"snapshot":true`), gtids(u1+":1-5", `,"snapshot":"true"`), true},
		{"equal, snapshot kind string", gtids(u1 + ":1-5"), gtids(u1+":1-5", `,"snapshot":"INITIAL"`), false},
		{"equal, snapshot false is none", gtids(u1 + ":1-5"), gtids(u1+":1-5", `,"snapshot":false`), true},
		{"equal, snapshot \"false\" is none", gtids(u1 + ":1-5"), gtids(u1+":1-5", `,"snapshot":"false"`), true},
		{"equal, fewer events", gtids(u1+":1-5", `,"event":1`), gtids(u1+":1-5", `,"event":2`), true},
		{"equal, same events", gtids(u1+":1-5", `,"event":2`), gtids(u1+":1-5", `,"event":2`), true},
		{"equal, more events", gtids(u1+":1-5", `,"event":3`), gtids(u1+":1-5", `,"event":2`), false},
		{"equal, events default 0", gtids(u1+":1-5", `,"event":1`), gtids(u1 + ":1-5"), false},
		{"equal, rows and coordinates ignored", gtids(u1+":1-5", `,"row":9,"pos":999,"file":"mysql-bin.000009"`), gtids(u1+":1-5", `,"row":1`), true},
		{"equal, snapshot before events", gtids(u1+":1-5", `,"event":5,"snapshot":true`), gtids(u1+":1-5", `,"snapshot":true`), false},
		{"equal once normalised", gtids(u2 + ":4-5:1-3,\\n" + strings.ToUpper(u1) + ":1-2:3-5"), gtids(u1 + ":1-5," + u2 + ":1-5"), true},
		{"equal once normalised, desired snapshot", gtids(u1 + ":1-3:4-5"), gtids(u1+":1-5", `,"snapshot":true`), false},

		// Containment by intervals.
		{"mysql contained", gtids(u1 + ":1-5"), gtids(u1 + ":1-10"), true},
		{"mysql not contained", gtids(u1 + ":1-10"), gtids(u1 + ":1-5"), false},
		{"mysql starts later", gtids(u1 + ":1-41"), gtids(u1 + ":2-41"), false},
		{"desired has another uuid", gtids(u1 + ":1-5"), gtids(u1 + ":1-5," + u2 + ":1-3"), true},
		{"recorded has another uuid", gtids(u1 + ":1-5," + u2 + ":1-3"), gtids(u1 + ":1-9"), false},
		{"gap inside one interval", gtids(u1 + ":1-3:5-6"), gtids(u1 + ":1-6"), true},
		{"interval across a gap", gtids(u1 + ":1-6"), gtids(u1 + ":1-3:5-6"), false},
		{"single transaction", gtids(u1 + ":7"), gtids(u1 + ":1-10"), true},
		// Debezium's map keeps the last intervals of a repeated UUID.
		{"repeated uuid, last wins", gtids(u1 + ":20-30," + u1 + ":1-2"), gtids(u1 + ":1-5"), true},
		// MySQL 8.3 tagged GTIDs: uuid:tag is a source of its own.
		{"tagged contained", gtids(u1 + ":1-3:blue:1-2"), gtids(u1 + ":1-5:blue:1-9"), true},
		{"tagged not in untagged", gtids(u1 + ":blue:1-2"), gtids(u1 + ":1-5"), false},
		{"untagged not in tagged", gtids(u1 + ":1-2"), gtids(u1 + ":blue:1-5"), false},
		{"tagged equal", gtids(u1 + ":blue:1-2:3"), gtids(u1+":blue:1-3", `,"snapshot":true`), false},

		// Empty sets compare with either flavor.
		{"both empty", gtids("", `,"event":1`), gtids(""), false},
		{"empty recorded", gtids(""), gtids(u1 + ":1"), true},
		{"empty recorded, mariadb", gtids(""), gtids("0-1-1"), true},
		{"empty desired", gtids(u1 + ":1"), gtids(""), false},

		// GTIDs on one side only: once enabled, GTIDs stay.
		{"desired has gtids, recorded not", filePos("mysql-bin.000099", 4), gtids(u1 + ":1"), true},
		{"recorded has gtids, desired not", gtids(u1 + ":1"), filePos("mysql-bin.000099", 4), false},
		{"null gtids is none", `{"file":"mysql-bin.000001","pos":4,"gtids":null}`, gtids(u1 + ":1"), true},

		// MariaDB: per domain, whichever server wrote.
		{"mariadb equal", gtids("0-1-5"), gtids("0-1-5"), true},
		{"mariadb equal, more events", gtids("0-1-5", `,"event":3`), gtids("0-1-5", `,"event":2`), false},
		{"mariadb equal, desired snapshot", gtids("0-1-5"), gtids("0-1-5", `,"snapshot":true`), false},
		{"mariadb equal, unordered", gtids("1-1-9,0-1-5"), gtids("0-1-5,1-1-9,0-1-5"), true},
		{"mariadb behind", gtids("0-1-3"), gtids("0-1-5"), true},
		{"mariadb ahead", gtids("0-1-5"), gtids("0-1-3"), false},
		{"mariadb failover, behind", gtids("0-2-892554529"), gtids("0-1-964871206"), true},
		{"mariadb failover, ahead", gtids("0-1-964871206"), gtids("0-2-892554529"), false},
		{"mariadb domain missing", gtids("0-1-100"), gtids("1-1-100"), false},
		{"mariadb domains all behind", gtids("0-2-100,1-2-50"), gtids("0-1-200,1-3-80"), true},
		{"mariadb one domain ahead", gtids("0-2-100,1-2-90"), gtids("0-1-200,1-3-80"), false},
		{"mariadb desired has another domain", gtids("0-1-5"), gtids("0-1-9,1-1-1"), true},
		// Each GTID of the stream present in the other set: contained
		// even with a higher lowest sequence.
		{"mariadb all present", gtids("0-1-7"), gtids("0-1-5,0-1-7"), true},
		// Otherwise the lowest sequences are compared, over all servers
		// of the domain in the desired set.
		{"mariadb lowest of domain", gtids("0-3-150"), gtids("0-1-200,0-2-100"), false},
		{"mariadb lowest of domain, behind", gtids("0-3-90"), gtids("0-1-200,0-2-100"), true},

		// No GTIDs, different servers: timestamps.
		{"servers differ, older", filePos("mysql-bin.000009", 900, `,"server_id":1,"ts_sec":50`), filePos("mysql-bin.000001", 4, `,"server_id":2`), true},
		{"servers differ, same second", filePos("mysql-bin.000009", 900, `,"server_id":1`), filePos("mysql-bin.000001", 4, `,"server_id":2`), true},
		{"servers differ, newer", filePos("mysql-bin.000001", 4, `,"server_id":1,"ts_sec":150`), filePos("mysql-bin.000009", 900, `,"server_id":2`), false},
		{"servers differ, no ts", `{"file":"b.000001","pos":4,"server_id":1}`, `{"file":"b.000001","pos":4,"server_id":2,"ts_sec":-1}`, false},
		// A missing server id is not a different server (snapshot
		// offsets carry none): coordinates decide.
		{"server id missing on one side", filePos("mysql-bin.000009", 900, `,"ts_sec":1`), filePos("mysql-bin.000001", 4, `,"server_id":2`), false},
		{"same server", filePos("mysql-bin.000001", 4, `,"server_id":1,"ts_sec":999`), filePos("mysql-bin.000002", 4, `,"server_id":1`), true},

		// Binlog coordinates.
		{"earlier file", filePos("mysql-bin.000003", 900), filePos("mysql-bin.000004", 4), true},
		{"later file", filePos("mysql-bin.000004", 4), filePos("mysql-bin.000003", 900), false},
		{"file extension is a number", filePos("mysql-bin.999999", 4), filePos("mysql-bin.1000000", 4), true},
		{"file extension is a number, reversed", filePos("mysql-bin.1000000", 4), filePos("mysql-bin.999999", 4), false},
		{"base name changed", filePos("old-bin.000009", 900), filePos("mysql-bin.000001", 4), true},
		{"base name changed, reversed", filePos("mysql-bin.000001", 4), filePos("old-bin.000009", 900), true},
		{"earlier pos", filePos("mysql-bin.000003", 154), filePos("mysql-bin.000003", 155), true},
		{"later pos", filePos("mysql-bin.000003", 156), filePos("mysql-bin.000003", 155), false},
		{"fewer events", filePos("mysql-bin.000003", 154, `,"event":1`), filePos("mysql-bin.000003", 154, `,"event":2`), true},
		{"more events", filePos("mysql-bin.000003", 154, `,"event":3`), filePos("mysql-bin.000003", 154, `,"event":2`), false},
		{"more events than none", filePos("mysql-bin.000003", 154, `,"event":1`), filePos("mysql-bin.000003", 154), false},
		{"fewer rows", filePos("mysql-bin.000003", 154, `,"event":2,"row":1`), filePos("mysql-bin.000003", 154, `,"event":2,"row":2`), true},
		{"same row", filePos("mysql-bin.000003", 154, `,"row":2`), filePos("mysql-bin.000003", 154, `,"row":2`), true},
		{"more rows", filePos("mysql-bin.000003", 154, `,"row":3`), filePos("mysql-bin.000003", 154, `,"row":2`), false},
		{"no rows on either side", filePos("mysql-bin.000003", 154), filePos("mysql-bin.000003", 154), true},
		{"row against none", filePos("mysql-bin.000003", 154, `,"row":1`), filePos("mysql-bin.000003", 154), false},
		{"none against a row", filePos("mysql-bin.000003", 154), filePos("mysql-bin.000003", 154, `,"row":0`), true},
		{"pos missing is -1", `{"file":"mysql-bin.000003"}`, filePos("mysql-bin.000003", 0), true},
		{"snapshot ignored without gtids", filePos("mysql-bin.000003", 154), filePos("mysql-bin.000003", 154, `,"snapshot":true`), true},

		// A position Debezium 2.3 wrote in its history (see
		// connector/history's test data) against a Sluice offset.
		{"debezium record", `{"ts_sec":1694612319,"file":"binlog.000002","pos":3803,"snapshot":true}`,
			`{"ts_sec":1694612400,"file":"binlog.000002","pos":4100,"row":1,"server_id":1,"event":2}`, true},
		{"unknown keys ignored", `{"transaction_id":null,"file":"binlog.000002","pos":3803,"sluice_snapshot":"x"}`,
			`{"file":"binlog.000002","pos":3803,"incremental_snapshot_signal_offset":null}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := PositionAtOrBefore([]byte(c.recorded), []byte(c.desired))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("PositionAtOrBefore(%s, %s) = %v, want %v", c.recorded, c.desired, got, c.want)
			}
		})
	}
}

func TestPositionAtOrBeforeErrors(t *testing.T) {
	const u1 = "7c1de3f2-3fd2-11e6-9cdc-42010af000bc"
	ok := `{"file":"mysql-bin.000001","pos":4}`
	okGTID := `{"gtids":"` + u1 + `:1-5"}`
	cases := []struct {
		name              string
		recorded, desired string
		mention           string // the error names the bad value
	}{
		{"not json", `{"file":`, ok, `{"file":`},
		{"not an object", `["mysql-bin.000001",4]`, ok, `["mysql-bin.000001",4]`},
		{"null", `null`, ok, "null"},
		{"gtids not a string", `{"gtids":5}`, okGTID, "gtids is 5"},
		{"pos not a number", `{"file":"mysql-bin.000001","pos":"4"}`, ok, "pos is 4, not an integer"},
		{"pos not an integer", ok, `{"file":"mysql-bin.000001","pos":4.5}`, "pos is 4.5"},
		{"server_id not a number", `{"file":"mysql-bin.000001","server_id":"x"}`, ok, "server_id is x"},
		{"snapshot a number", `{"file":"mysql-bin.000001","snapshot":1}`, ok, "snapshot is 1"},
		{"no file", `{"pos":4}`, ok, `{"pos":4} has neither gtids nor file`},
		{"file without extension", `{"file":"mysql-bin","pos":4}`, ok, `"mysql-bin" has no extension`},
		{"file extension not a number", ok, `{"file":"mysql-bin.log","pos":4}`, `"mysql-bin.log" has a non-numeric extension`},
		{"gtid garbage", `{"gtids":"abc"}`, okGTID, `"abc"`},
		{"mysql bad uuid", `{"gtids":"not-a-uuid:1-5"}`, okGTID, `not-a-uuid:1-5`},
		{"mysql no intervals", `{"gtids":"` + u1 + `"}`, okGTID, u1},
		{"mysql bad interval", `{"gtids":"` + u1 + `:1-x"}`, okGTID, `1-x`},
		{"mysql bad tag", `{"gtids":"` + u1 + `:bl-ue:1"}`, okGTID, `bl-ue`},
		{"mysql empty element", `{"gtids":"` + u1 + `::1"}`, okGTID, u1 + `::1`},
		{"mariadb bad element", `{"gtids":"0-1-5,0-1"}`, `{"gtids":"0-1-5"}`, `"0-1"`},
		{"mariadb sequence overflow", `{"gtids":"0-1-99999999999999999999"}`, `{"gtids":"0-1-5"}`, `99999999999999999999`},
		{"flavors mixed", `{"gtids":"0-1-5"}`, okGTID, `different flavors`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := PositionAtOrBefore([]byte(c.recorded), []byte(c.desired))
			if err == nil {
				t.Fatalf("PositionAtOrBefore(%s, %s) succeeded", c.recorded, c.desired)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Fatalf("error %q does not mention %q", err, c.mention)
			}
		})
	}
}
