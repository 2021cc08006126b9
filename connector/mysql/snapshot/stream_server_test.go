package snapshot

import (
	"context"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/sluice-cdc/sluice/connector/mysql/server"
)

// streamRig is a private database on the test server with a keyed table
// of n rows, and a Snapshotter for it.
func streamRig(t *testing.T, db string, n int) (*Snapshotter, *snapTable) {
	t.Helper()
	addr := os.Getenv("SLUICE_TEST_MYSQL_ADDR")
	if addr == "" {
		if os.Getenv("SLUICE_E2E") == "1" {
			t.Fatal("SLUICE_E2E=1 but SLUICE_TEST_MYSQL_ADDR is not set; start the server with deploy/local/up.sh")
		}
		t.Skip("integration test: set SLUICE_TEST_MYSQL_ADDR and SLUICE_TEST_MYSQL_ROOT_PASSWORD (deploy/local/up.sh prints them)")
	}
	password := os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD")
	admin, err := client.Connect(addr, "root", password, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	for _, q := range []string{"DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db,
		"CREATE TABLE " + db + ".t (id INT PRIMARY KEY, v VARCHAR(64))",
		"INSERT INTO " + db + ".t SELECT seq, CONCAT('row ', seq) FROM " + db + ".seq_1_to_" + strconv.Itoa(n)} {
		if _, err := admin.Execute(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() { _, _ = admin.Execute("DROP DATABASE IF EXISTS " + db) })
	host, portText, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portText)
	s := New(server.New(server.Config{Flavor: "mariadb", ServerFlavor: "mariadb", Host: host, Port: uint16(port),
		User: "root", Password: password, ConnectorName: db}))
	tbl, err := s.prepareTable(context.Background(), db+".t")
	if err != nil || tbl == nil {
		t.Fatalf("preparing %s.t: %v", db, err)
	}
	return s, tbl
}

// waitFull waits until j's stream holds streamAhead batches and stays so:
// the reader has stopped reading.
func waitFull(t *testing.T, j *chunkJob, read <-chan error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(j.stream) < streamAhead {
		if time.Now().After(deadline) {
			t.Fatalf("the stream holds %d batches after 20 s, want %d", len(j.stream), streamAhead)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-read:
		t.Fatalf("the reader finished (%v) with no one taking its rows: it held the chunk", err)
	case <-time.After(300 * time.Millisecond):
	}
}

// A chunk's rows come through its stream at most streamAhead batches ahead
// of whoever takes them (no chunk is held whole), all of them and in key
// order; a stop while the reader waits ends it with the stream closed and
// its error set.
func TestChunkRowsStreamedAhead(t *testing.T) {
	const n = 20_000
	s, tbl := streamRig(t, "snapstream_test", n)
	ctx := context.Background()
	conn, err := s.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r, err := conn.Execute("SELECT @@SESSION.net_write_timeout")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := r.GetInt(0, 0); v != 3600 {
		t.Errorf("the snapshot connection's net_write_timeout is %d, want 3600", v)
	}

	j := newChunkJob(tbl, nil, nil, true, true)
	read := make(chan error, 1)
	go func() { read <- s.readChunk(ctx, conn, j) }()
	if res := <-j.done; res.err != nil || res.gtids == "" {
		t.Fatalf("chunk result %+v", res)
	}
	waitFull(t, j, read)
	next := int64(1)
	for b := range j.stream {
		for _, row := range b {
			if id, ok := row[0].(int64); !ok || id != next {
				t.Fatalf("row %d: id %v (%T)", next, row[0], row[0])
			}
			next++
		}
	}
	if err := <-read; err != nil || j.streamErr != nil {
		t.Fatalf("reading the chunk: %v, stream error %v", err, j.streamErr)
	}
	if next != n+1 {
		t.Fatalf("%d rows streamed, want %d", next-1, n)
	}

	stopCtx, stop := context.WithCancel(ctx)
	lo := int64(5000)
	j = newChunkJob(tbl, &lo, nil, false, true)
	go func() { read <- s.readChunk(stopCtx, conn, j) }()
	if res := <-j.done; res.err != nil {
		t.Fatal(res.err)
	}
	waitFull(t, j, read)
	stop()
	select {
	case err := <-read:
		if err == nil || j.streamErr == nil {
			t.Fatalf("a stopped chunk returned %v, stream error %v", err, j.streamErr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the reader did not end within 10 s of the stop")
	}
	for range j.stream { // closed: this ends
	}
}
