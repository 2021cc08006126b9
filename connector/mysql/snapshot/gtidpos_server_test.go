package snapshot

import (
	"fmt"
	"os"
	"testing"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
)

// serverPos is the server's binlog file and position now.
func serverPos(t *testing.T, c *client.Conn) (string, uint64) {
	t.Helper()
	r, err := c.Execute("SHOW MASTER STATUS")
	if err != nil {
		t.Fatal(err)
	}
	file, _ := r.GetString(0, 0)
	pos, _ := r.GetUint(0, 1)
	return file, pos
}

func binlogGTIDPos(t *testing.T, c *client.Conn, file string, pos uint64) string {
	t.Helper()
	r, err := c.Execute("SELECT BINLOG_GTID_POS(?, ?)", file, pos)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := r.GetString(0, 0)
	return g
}

func sameGTIDPos(t *testing.T, got, want string) bool {
	t.Helper()
	a, err := gmysql.ParseGTIDSet("mariadb", got)
	if err != nil {
		t.Fatalf("GTID position %q: %v", got, err)
	}
	b, err := gmysql.ParseGTIDSet("mariadb", want)
	if err != nil {
		t.Fatalf("GTID position %q: %v", want, err)
	}
	return a.Equal(b)
}

// Against the real server: the GTID position reached by reading only the
// events after an earlier one (DML, DDL, an XA transaction, and more events
// than one SHOW BINLOG EVENTS page) is BINLOG_GTID_POS's, and so is what a
// snapshot range records, asking either way.
func TestGTIDPositionFromEventsSince(t *testing.T) {
	const db = "gtidpos_test"
	s, _ := streamRig(t, db, 10)
	c, err := client.Connect(os.Getenv("SLUICE_TEST_MYSQL_ADDR"), "root", os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD"), db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	exec := func(qs ...string) {
		for _, q := range qs {
			if _, err := c.Execute(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	type point struct {
		file string
		pos  uint64
	}
	var points []point
	mark := func() {
		f, p := serverPos(t, c)
		points = append(points, point{f, p})
	}
	mark()
	exec("INSERT INTO t VALUES (100, 'one')")
	mark()
	exec("CREATE TABLE u (id INT PRIMARY KEY)", "BEGIN", "INSERT INTO u VALUES (1)", "UPDATE t SET v = 'two' WHERE id = 100", "COMMIT")
	mark()
	exec("XA START 'x1'", "INSERT INTO u VALUES (2)", "XA END 'x1'", "XA PREPARE 'x1'", "XA COMMIT 'x1'")
	mark()
	for i := 0; i < 1500; i++ { // some 6,000 events: two pages
		exec(fmt.Sprintf("INSERT INTO u VALUES (%d)", 10+i))
	}
	mark()

	for i := 1; i < len(points); i++ {
		for _, from := range []point{points[i-1], points[0]} {
			to := points[i]
			if from.file != to.file {
				t.Logf("binlog rotated between %v and %v; pair skipped", from, to)
				continue
			}
			added, ok, err := binlogGTIDsSince(c, to.file, from.pos, to.pos)
			if err != nil || !ok {
				t.Fatalf("events of %s from %d to %d: ok %v, %v", to.file, from.pos, to.pos, ok, err)
			}
			got, ok := advanceGTIDPos(binlogGTIDPos(t, c, from.file, from.pos), added)
			want := binlogGTIDPos(t, c, to.file, to.pos)
			if !ok || !sameGTIDPos(t, got, want) {
				t.Errorf("%s %d→%d: %d GTIDs since give %q (ok %v), BINLOG_GTID_POS %q", to.file, from.pos, to.pos, len(added), got, ok, want)
			}
		}
	}
	if _, ok, _ := binlogGTIDsSince(c, points[0].file, points[0].pos, points[0].pos+1); ok {
		t.Error("a position inside an event was read as an event's end")
	}

	// A range's position, as the snapshot asks it, after each kind of write.
	for i, q := range []string{"INSERT INTO t VALUES (101, 'x')", "", "DELETE FROM t WHERE id = 101", "ALTER TABLE u ADD COLUMN w INT"} {
		if q != "" {
			exec(q)
		}
		exec("START TRANSACTION WITH CONSISTENT SNAPSHOT")
		got, err := s.mariadbSnapshotGTIDs(c)
		r, err2 := c.Execute("SHOW STATUS LIKE 'binlog_snapshot_position'")
		exec("COMMIT")
		if err != nil || err2 != nil {
			t.Fatal(err, err2)
		}
		pos, _ := r.GetUint(0, 1)
		file, _ := serverPos(t, c)
		if want := binlogGTIDPos(t, c, file, pos); !sameGTIDPos(t, got, want) {
			t.Errorf("range %d after %q: GTID position %q, BINLOG_GTID_POS %q", i, q, got, want)
		}
	}
	if s.positions.noEvents {
		t.Error("SHOW BINLOG EVENTS failed for root")
	}
}

// A user without BINLOG MONITOR cannot read binlog events: the range's
// position still comes right, from BINLOG_GTID_POS, and events are not
// asked again.
func TestGTIDPositionWithoutBinlogMonitor(t *testing.T) {
	const db, user = "gtidpos_nomon_test", "sluice_nomon_test"
	s, _ := streamRig(t, db, 10)
	addr, password := os.Getenv("SLUICE_TEST_MYSQL_ADDR"), os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD")
	admin, err := client.Connect(addr, "root", password, db)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, q := range []string{"DROP USER IF EXISTS '" + user + "'@'%'", "CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw'",
		"GRANT SELECT, RELOAD, REPLICATION SLAVE ON *.* TO '" + user + "'@'%'"} {
		if _, err := admin.Execute(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() { _, _ = admin.Execute("DROP USER IF EXISTS '" + user + "'@'%'") })
	c, err := client.Connect(addr, user, "pw", db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Some 60 KB of binlog first, so that the one-row gaps between the
	// ranges below are well under half their position, where events would
	// be read.
	if _, err := admin.Execute("INSERT INTO t SELECT seq, REPEAT('p', 20) FROM seq_1000_to_2999"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := admin.Execute(fmt.Sprintf("INSERT INTO t VALUES (%d, 'w')", 200+i)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
			t.Fatal(err)
		}
		got, err := s.mariadbSnapshotGTIDs(c)
		r, err2 := c.Execute("SHOW STATUS LIKE 'binlog_snapshot_%'")
		_, _ = c.Execute("COMMIT")
		if err != nil || err2 != nil {
			t.Fatalf("range %d without BINLOG MONITOR: %v, %v", i, err, err2)
		}
		file, _ := r.GetString(0, 1)
		pos, _ := r.GetUint(1, 1)
		if want := binlogGTIDPos(t, admin, file, pos); !sameGTIDPos(t, got, want) {
			t.Errorf("range %d without BINLOG MONITOR: GTID position %q, BINLOG_GTID_POS %q", i, got, want)
		}
	}
	if !s.positions.noEvents {
		t.Error("SHOW BINLOG EVENTS, refused, is still asked")
	}
}
