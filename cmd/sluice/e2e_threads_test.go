package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/offsets"
)

// TestConversionThreadsEndToEnd streams inserts and whole-table updates
// through a connector with three conversion goroutines
// (sluice.conversion.threads) and checks what a consumer sees: every row's
// changes in the order they were made, none missing or repeated, and the
// stored offset at the last write.
func TestConversionThreadsEndToEnd(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(40))")
	prefix := "thr" + d.name[4:]
	name := "c-" + d.name
	cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{"sluice.conversion.threads": "3",
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)

	const rows, txns, updates = 4000, 40, 3
	for i := range txns {
		q := "INSERT INTO t VALUES "
		for j := range rows / txns {
			if j > 0 {
				q += ","
			}
			id := i*rows/txns + j
			q += fmt.Sprintf("(%d, 0, 'row %d')", id, id)
		}
		d.exec(q)
	}
	for range updates {
		d.exec("UPDATE t SET v = v + 1")
	}
	d.exec("DELETE FROM t WHERE id % 2 = 0") // a delete and a tombstone each
	lastWrite := d.str("SELECT @@gtid_binlog_pos")

	// The binlog's order, which one partition keeps: the inserts by id,
	// each UPDATE in primary key order, then each even row's delete and
	// tombstone.
	recs := consume(t, e, rows*(1+updates)+rows, 120*time.Second, prefix+"."+d.name+".t")
	for i, r := range recs {
		id, op, v, img := i%rows, "c", i/rows, "after"
		switch phase := i / rows; {
		case phase > 0 && phase <= updates:
			op = "u"
		case phase > updates:
			k := i - rows*(1+updates)
			id, op, v, img = k/2*2, "d", updates, "before"
			if k%2 == 1 {
				op = "tombstone"
			}
		}
		if want := fmt.Sprintf(`{"id":%d}`, id); string(r.Key) != want {
			t.Fatalf("record %d: key %s, want %s (%s): records out of the binlog's order, lost or repeated", i, r.Key, want, op)
		}
		if op == "tombstone" {
			if r.Value != nil {
				t.Fatalf("record %d: %s, want the tombstone of id %d", i, r.Value, id)
			}
			continue
		}
		p := payload(t, r.Value)
		row, _ := p[img].(map[string]any)
		if p["op"] != op || row["v"] != float64(v) || row["pad"] != fmt.Sprintf("row %d", id) {
			t.Fatalf("record %d: op %v %s %v, want op %s v %d", i, p["op"], img, row, op, v)
		}
	}
	sl.Stop()
	_, val, ok := storedOffset(t, e, "_connect_offsets", offsets.Key(name, prefix))
	if !ok {
		t.Fatalf("no stored offset for %s", name)
	}
	pos, err := offsets.ParseMySQL(val)
	if err != nil {
		t.Fatal(err)
	}
	storedReaches(t, d, pos.GTIDs, lastWrite)
}
