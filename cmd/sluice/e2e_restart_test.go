package main

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
)

// TestMariaDBRestart: the server under a connector goes away twice: shut
// down cleanly between two ranges of the initial snapshot, and killed
// (SIGKILL) while the connector streams under churn. Each time the
// connector retries until the server is back, resumes (the snapshot after
// its last finished range, the stream from its stored position, in a new
// binlog file) and the state rebuilt from Kafka equals the table.
func TestMariaDBRestart(t *testing.T) {
	e := needServers(t)
	re := e
	var run func(string) ([]byte, error)
	re.mysqlAddr, run = privateMariaDB(t, "restart", 23310, "--server-id=5")
	d := newDB(t, re)
	// 40 ranges: the first is in Kafka well before the last (a run with 10
	// ranges of 10,000 rows had read 7 when the server stopped).
	const rows = 200_000
	snapshotTable(t, d, rows)
	prefix := "e2e" + d.name[4:]
	topic := prefix + "." + d.name + ".t"
	cfg := connectorFile(t, re, "c-"+d.name, prefix, d.name, map[string]string{"sluice.snapshot.range.rows": "5000",
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"retriable.restart.connector.wait.ms": "1000"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	waitFor(t, 60*time.Second, "the first range", func() bool { return topicRecords(t, e.kafka, topic, 1, 100*time.Millisecond) > 0 })

	if out, err := run("stop"); err != nil {
		t.Fatalf("stopping the MariaDB: %v\n%s", err, out)
	}
	stopped := sl.Stderr.String()
	time.Sleep(2 * time.Second)
	restartMariaDB(t, run, d, re)
	sl.WaitLog("binlog streaming from", 2*time.Minute)
	if strings.Contains(stopped, "snapshot finished") {
		t.Fatal("the snapshot finished before the server stopped; the test needs it in the middle")
	}
	if !strings.Contains(sl.Stderr.String()[len(stopped):], "resuming the snapshot after its last finished chunk") {
		t.Errorf("the snapshot did not resume after the restart:\n%s", tail(sl.Stderr.String(), 3000))
	}

	stopChurn := churnUntil(t, re, d.name, rows, true)
	time.Sleep(time.Second)
	streaming := len(sl.Stderr.String())
	killMariaDB(t, run, re.mysqlAddr)
	time.Sleep(time.Second)
	restartMariaDB(t, run, d, re)
	time.Sleep(2 * time.Second)
	t.Logf("churn made %d changes", stopChurn())
	st := follow(t, re, d, topic, 2*time.Minute, nil)
	t.Logf("rebuilt %d rows from %d records (ops %v)", len(st.rows), st.records, st.ops)
	if st.ops["u"] == 0 || st.ops["r"] < rows {
		t.Errorf("ops %v: want the snapshot's reads and the churn's changes", st.ops)
	}
	if n := strings.Count(sl.Stderr.String()[streaming:], "binlog streaming from"); n == 0 {
		t.Errorf("the stream did not start again after the crash:\n%s", tail(sl.Stderr.String(), 3000))
	}
	sl.Stop()
}

// restartMariaDB starts the MariaDB of run again and gives d a connection
// to it.
func restartMariaDB(t *testing.T, run func(string) ([]byte, error), d *db, e env) {
	t.Helper()
	if out, err := run("start"); err != nil {
		t.Fatalf("starting the MariaDB again: %v\n%s", err, out)
	}
	conn, err := client.Connect(e.mysqlAddr, "root", e.rootPass, d.name)
	if err != nil {
		t.Fatalf("connecting to the restarted MariaDB: %v", err)
	}
	d.mu.Lock()
	d.conn.Close()
	d.conn = conn
	d.mu.Unlock()
}

// killMariaDB kills the MariaDB of run with SIGKILL, as a crash would stop
// it, and waits until nothing listens on its address (a killed process can
// stay a zombie, unreaped, for a while).
func killMariaDB(t *testing.T, run func(string) ([]byte, error), addr string) {
	t.Helper()
	out, _ := run("status")
	m := regexp.MustCompile(`running pid (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no pid in the MariaDB's status: %s", out)
	}
	pid, _ := strconv.Atoi(string(m[1]))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("killing mariadbd (pid %d): %v", pid, err)
	}
	waitFor(t, 30*time.Second, fmt.Sprintf("mariadbd (pid %d) to exit", pid), func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
}
