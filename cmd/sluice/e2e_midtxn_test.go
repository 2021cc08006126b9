package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// TestStopInsideTransaction stops the daemon (SIGTERM) while it writes the
// records of one large transaction and starts it again: the stored offset
// is Debezium's inside-the-transaction form (the transaction's start and
// "event", the events done), and the restart writes the rest of the
// transaction with no record twice and none missing, as Debezium does.
func TestStopInsideTransaction(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	const rows, stmts = 1000, 30
	const total = (rows+1)*stmts + 1 // the transaction and the first row
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)")
	d.exec(fmt.Sprintf("INSERT INTO t SELECT seq, 0 FROM seq_1_to_%d", rows))
	prefix := "e2e" + d.name[4:]
	name := "c-" + d.name
	cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{
		"snapshot.mode": "no_data", "offset.flush.interval.ms": "200",
		// A short queue and small batches keep the binlog reader close
		// behind Kafka, so that the stop lands inside the transaction.
		"max.queue.size": "512", "max.batch.size": "128",
	})
	topic := prefix + "." + d.name + ".t"
	sl := startDaemon(t, e, cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)

	adm := kadm.NewClient(newKafkaClient(t, e))
	written := func() int64 {
		ends, err := adm.ListEndOffsets(context.Background(), topic)
		if err != nil {
			return 0
		}
		var n int64
		ends.Each(func(o kadm.ListedOffset) { n += max(o.Offset, 0) })
		return n
	}
	// One row first, so that the topic exists and its end offsets show the
	// transaction's progress.
	d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d, 0)", rows+1))
	topicWait := time.Now().Add(30 * time.Second)
	for written() == 0 {
		if time.Now().After(topicWait) {
			t.Fatal("the first row did not reach Kafka in 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.exec("BEGIN")
	for i := 0; i < stmts; i++ {
		d.exec("UPDATE t SET v = v + 1")
	}
	d.exec("COMMIT")
	deadline := time.Now().Add(60 * time.Second)
	for written() <= 1 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d records of the transaction in 60 s", written())
		}
		time.Sleep(10 * time.Millisecond)
	}
	atStop := written()
	took := sl.Stop()
	n := written()
	_, val, ok := storedOffset(t, e, "_connect_offsets", offsets.Key(name, prefix))
	if !ok {
		t.Fatal("no stored offset after the stop")
	}
	pos, err := offsets.ParseMySQL(val)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped (asked after %d records, took %s) after %d of %d records; stored offset %s", atStop, took, n, total, val)
	if n >= total {
		t.Fatalf("the daemon wrote the whole transaction before it stopped: the test did not stop inside it")
	}
	if pos.Event == 0 {
		t.Errorf("stored offset %s has no event count: a restart writes the transaction's records again", val)
	}

	sl2 := startDaemon(t, e, cfg)
	recs := consume(t, e, total, 120*time.Second, topic)
	sl2.Stop()
	type kv struct{ id, v int }
	seen := map[kv]int{}
	for _, r := range recs {
		// Only the row's values: the whole record with its schema took
		// about 1 ms to decode under the race detector.
		var after struct{ ID, V int }
		if _, err := conformance.Field(r.Value, "after", &after); err != nil {
			t.Fatalf("record %s: %v", r.Value, err)
		}
		seen[kv{after.ID, after.V}]++
	}
	var missing, twice int
	for id := 1; id <= rows+1; id++ {
		for v := 1; v <= stmts; v++ {
			switch seen[kv{id, v}] {
			case 0:
				missing++
			case 1:
			default:
				twice++
			}
		}
	}
	if missing > 0 || twice > 0 || len(recs) != total {
		t.Errorf("%d records for %d changes: %d missing, %d written more than once", len(recs), total, missing, twice)
	}
}
