package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestProducerCompressionEndToEnd: with the worker's
// producer.compression.type=lz4 the snapshot's and the stream's records
// reach Kafka in LZ4 batches (Sluice's writer of 64 KiB blocks, batches of
// many blocks here), which the broker decompresses with Kafka's own Java
// codec to validate them before it appends them, and a consumer reads
// every row once.
func TestProducerCompressionEndToEnd(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	const rows = 3000 // each half; about 1.5 KB a record with schemas
	d.execAll("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200))",
		"INSERT INTO t SELECT seq, REPEAT(CHAR(97 + seq % 26), 150) FROM seq_1_to_3000")
	worker := filepath.Join(t.TempDir(), "worker.properties")
	// A longer linger fills batches past one block.
	if err := os.WriteFile(worker, []byte("producer.compression.type=lz4\nproducer.linger.ms=200\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	prefix := "e2e" + d.name[4:]
	sl := startDaemon(t, e, "--log-format", "console", "--worker-config", worker, connectorFile(t, e, "c-"+d.name, prefix, d.name, nil))
	sl.WaitLog("binlog streaming from", time.Minute)
	d.execAll("INSERT INTO t SELECT seq, REPEAT('z', 150) FROM seq_3001_to_6000")

	seen := map[float64]int{}
	codecs := map[uint8]int{}
	for _, r := range consume(t, e, 2*rows, 2*time.Minute, prefix+"."+d.name+".t") {
		codecs[r.Codec]++
		if after, ok := payload(t, r.Value)["after"].(map[string]any); ok {
			seen[after["id"].(float64)]++
		}
	}
	sl.Stop()
	if len(codecs) != 1 || codecs[3] == 0 {
		t.Errorf("records by batch codec (0 none, 3 lz4): %v; want every one in an LZ4 batch", codecs)
	}
	if len(seen) != 2*rows {
		t.Fatalf("%d rows read, want %d", len(seen), 2*rows)
	}
	for id, n := range seen {
		if n != 1 || id < 1 || id > 2*rows {
			t.Fatalf("row %v read %d times, want each of 1..%d once", id, n, 2*rows)
		}
	}
}
