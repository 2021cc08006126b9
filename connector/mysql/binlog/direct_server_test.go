package binlog

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/mysql/server"
)

// The stream's own dump against the real MariaDB: it registers as a
// replica, starts from a GTID set and from a file position, returns the
// rows written after it, ends a read that waits when its context ends,
// and leaves no dump thread behind once closed.
func TestDirectDumpAgainstServer(t *testing.T) {
	addr, password := modelServer(t)
	host, portText, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portText)
	admin, err := client.Connect(addr, "root", password, "")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	const db = "sluice_direct_test"
	exec := func(t *testing.T, q string) *gmysql.Result {
		t.Helper()
		r, err := admin.Execute(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return r
	}
	exec(t, "DROP DATABASE IF EXISTS "+db)
	exec(t, "CREATE DATABASE "+db)
	defer admin.Execute("DROP DATABASE IF EXISTS " + db)
	exec(t, "CREATE TABLE "+db+".t (id INT PRIMARY KEY, v VARCHAR(20))")
	r := exec(t, "SELECT @@gtid_binlog_pos")
	gtids, _ := r.GetString(0, 0)
	r = exec(t, "SHOW MASTER STATUS")
	file, _ := r.GetString(0, 0)
	pos, _ := r.GetUint(0, 1)

	s := NewStreamer(server.New(server.Config{Flavor: "mariadb", ServerFlavor: "mariadb", Host: host, Port: uint16(port),
		User: "root", Password: password, ServerID: 48211, ConnectorName: "direct-test"}), nil)
	gset, err := gmysql.ParseGTIDSet("mariadb", gtids)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range []*txnState{{gset: gset}, {file: file, nextPos: pos, byFile: true}} {
		name := "gtid"
		if st.byFile {
			name = "file"
		}
		t.Run(name, func(t *testing.T) {
			// One context for every read, as the stream has: its end
			// ends the dump.
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stuck := time.AfterFunc(20*time.Second, cancel)
			src, closeDump, err := s.directDump(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			dr := src.(*directReader)
			closed := false
			defer func() {
				if !closed {
					closeDump()
				}
			}()
			if got := dumpThreads(t, admin, dr.id); got != 1 {
				t.Fatalf("%d Binlog Dump threads with id %d, want 1", got, dr.id)
			}
			r := exec(t, "SHOW SLAVE HOSTS")
			registered := false
			for i := range r.RowNumber() {
				if id, _ := r.GetUint(i, 0); id == 48211 {
					h, _ := r.GetString(i, 1)
					registered = h == "sluice-direct-test"
				}
			}
			if !registered {
				t.Error("SHOW SLAVE HOSTS does not list server id 48211 as sluice-direct-test")
			}
			v := "row-" + name
			exec(t, fmt.Sprintf("INSERT INTO %s.t VALUES (%d, '%s')", db, i, v))
			rowsFor(t, ctx, src, v)
			stuck.Stop()

			// A read that waits for the server ends with its context.
			time.AfterFunc(300*time.Millisecond, cancel)
			t0 := time.Now()
			for {
				_, err = src.GetEvent(ctx)
				if err != nil {
					break
				}
			}
			if !errors.Is(err, context.Canceled) || time.Since(t0) > 5*time.Second {
				t.Fatalf("read after cancel: %v after %s, want context.Canceled at once", err, time.Since(t0))
			}
			closeDump() // a stop waits for the KILL
			closed = true
			if got := dumpThreads(t, admin, dr.id); got != 0 {
				t.Errorf("%d Binlog Dump threads with id %d after close, want 0", got, dr.id)
			}
		})
	}
}

// rowsFor reads events until a rows event holding value v.
func rowsFor(t *testing.T, ctx context.Context, src eventSource, v string) {
	t.Helper()
	for {
		ev, err := src.GetEvent(ctx)
		if err != nil {
			t.Fatalf("reading until the row %q: %v", v, err)
		}
		if re, ok := ev.Event.(*replication.RowsEvent); ok {
			for _, row := range re.Rows {
				for _, c := range row {
					if b, ok := c.([]byte); ok && string(b) == v || c == v {
						return
					}
				}
			}
		}
	}
}

func dumpThreads(t *testing.T, admin *client.Conn, id uint32) int {
	t.Helper()
	r, err := admin.Execute(fmt.Sprintf("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %d AND COMMAND = 'Binlog Dump'", id))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := r.GetInt(0, 0)
	return int(n)
}
