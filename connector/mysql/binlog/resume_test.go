package binlog

import (
	"testing"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/offsets"
)

// TestResumeInsideTransaction: from Debezium's offset {"event":4,"row":2}
// (stopped inside a transaction after its GTID event, a TABLE_MAP, a rows
// event and the next TABLE_MAP, and two rows of the rows event after it)
// the first transaction skips exactly what Debezium had written: all rows
// of event 3, the first two of event 5; a reconnect in the middle skips the
// same rows again plus those written since, no more.
func TestResumeInsideTransaction(t *testing.T) {
	r := newMySQLRig(t, []binlogCol{{name: "id", typ: gmysql.MYSQL_TYPE_LONG}}, 0)
	body := func(ids ...int32) []byte {
		var imgs [][]byte
		for _, id := range ids {
			imgs = append(imgs, rowImage(int32Value(id)))
		}
		return rowsBody(1, false, imgs...)
	}
	ids := func(st *txnState, first ...int32) []int32 {
		t.Helper()
		// The rig feeds a TABLE_MAP before each rows event: two events.
		st.evIdx += 2
		evs, err := r.rowsIn(st, replication.WRITE_ROWS_EVENTv2, body(first...))
		if err != nil {
			t.Fatal(err)
		}
		var out []int32
		for _, e := range evs {
			out = append(out, e.After[0].(int32))
		}
		return out
	}
	st := &txnState{file: "binlog.000001", thread: -1, resumeEvents: 4, resumeRows: 2, evIdx: 1, inTxn: true}
	if got := ids(st, 1, 2, 3); len(got) != 0 {
		t.Errorf("event 3: wrote %v, want nothing (Debezium wrote it)", got)
	}
	if got := ids(st, 4, 5, 6, 7); len(got) != 2 || got[0] != 6 || got[1] != 7 {
		t.Errorf("event 5: wrote %v, want [6 7]", got)
	}
	if got := ids(st, 8); len(got) != 1 || got[0] != 8 {
		t.Errorf("event 7: wrote %v, want [8]", got)
	}
	// The connection breaks; Stream sets up the re-read like this.
	st.skipRows = st.rows - st.resumeSkipped
	st.rows, st.resumeSkipped, st.evIdx = 0, 0, 1
	var again []int32
	for _, ev := range [][]int32{{1, 2, 3}, {4, 5, 6, 7}, {8}, {9}} {
		again = append(again, ids(st, ev...)...)
	}
	if len(again) != 1 || again[0] != 9 {
		t.Errorf("after a reconnect: wrote %v, want [9]", again)
	}
	// Without a resume position nothing is skipped.
	if got := ids(&txnState{file: "binlog.000001", thread: -1}, 1, 2); len(got) != 2 {
		t.Errorf("no resume position: wrote %v, want [1 2]", got)
	}
}

// TestFileResume: for the MySQL class on MariaDB, an offset without GTIDs
// (what Debezium's MySQL class stores there) or one inside a transaction
// resumes by file and position; the MariaDB class and MySQL servers keep
// their GTID resume.
func TestFileResume(t *testing.T) {
	for _, c := range []struct {
		flavor, server string
		from           offsets.MySQL
		want           bool
	}{
		{"mysql", "mariadb", offsets.MySQL{File: "mariadb-bin.000034", Pos: 4}, true},
		{"mysql", "mariadb", offsets.MySQL{File: "mariadb-bin.000034", Pos: 4, GTIDs: "0-1-5"}, false},
		// Sluice's own offset inside a transaction, in the MySQL class's form.
		{"mysql", "mariadb", offsets.MySQL{File: "mariadb-bin.000034", Pos: 900, GTIDs: "0-1-5", PrivateGTIDs: true, MidTxn: true}, true},
		{"mariadb", "mariadb", offsets.MySQL{File: "mariadb-bin.000034", Pos: 900, GTIDs: "0-1-5", Event: 3}, false},
		{"mariadb", "mariadb", offsets.MySQL{File: "mariadb-bin.000034", Pos: 4}, false},
		{"mysql", "mysql", offsets.MySQL{File: "binlog.000002", Pos: 4}, false},
	} {
		cfg := &server.Config{Flavor: c.flavor, ServerFlavor: c.server}
		if got := fileResume(cfg, c.from); got != c.want {
			t.Errorf("class %s on %s, offset %+v: fileResume = %v, want %v", c.flavor, c.server, c.from, got, c.want)
		}
	}
}
