package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
)

// compressedMariaDB starts a private MariaDB that compresses its binlog
// events (log_bin_compress, every event over 10 bytes): rows events come
// as MariaDB's *_ROWS_COMPRESSED_EVENT_V1 and statements as
// QUERY_COMPRESSED_EVENT. It returns the instance's address.
func compressedMariaDB(t *testing.T) string {
	t.Helper()
	addr, _ := privateMariaDB(t, "compress", 23309, "--log-bin-compress=ON --log-bin-compress-min-len=10 --server-id=4")
	return addr
}

// TestCompressedBinlogEndToEnd streams the type matrix's changes (inserts,
// deletes, updates and an ALTER in the middle) from a MariaDB that
// compresses its binlog, and from the main one that does not: each table's
// records, source block aside, are the same on both.
func TestCompressedBinlogEndToEnd(t *testing.T) {
	e := needServers(t)
	ce := e
	ce.mysqlAddr = compressedMariaDB(t)
	plain, comp := newDB(t, e), newDB(t, ce)
	cases := typeCases(plain.name)
	for _, d := range []*db{plain, comp} {
		d.exec("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'")
		d.exec("SET SESSION time_zone = '+00:00'")
		for _, c := range cases {
			d.exec(strings.ReplaceAll(c.ddl, plain.name, d.name))
		}
		d.exec("CREATE TABLE z_done (id INT PRIMARY KEY)")
	}
	suffix := plain.name[4:]
	streamOnly := map[string]string{"snapshot.mode": "no_data"}
	files := []string{
		connectorFile(t, e, "cbp-"+plain.name, "cbp"+suffix, plain.name, streamOnly),
		connectorFile(t, ce, "cbc-"+plain.name, "cbc"+suffix, comp.name, streamOnly),
	}
	sl := startDaemon(t, e, files...)
	waitStreaming(t, sl, 90*time.Second, "cbp-"+plain.name, "cbc-"+plain.name)
	for _, d := range []*db{plain, comp} {
		for _, c := range cases {
			for _, q := range c.dml {
				d.exec(strings.ReplaceAll(q, plain.name, d.name))
			}
			d.exec("DELETE FROM " + c.table)
		}
		d.exec("INSERT INTO z_done VALUES (1)")
	}
	// The compressing server wrote compressed events: the test reads what
	// it means to.
	var kinds []string
	for _, ev := range binlogEventTypes(t, ce.mysqlAddr, e.rootPass) {
		if strings.Contains(ev, "compressed") {
			kinds = append(kinds, ev)
		}
	}
	if !strings.Contains(strings.Join(kinds, " "), "Write_rows_compressed") || !strings.Contains(strings.Join(kinds, " "), "Query_compressed") {
		t.Fatalf("the compressing MariaDB's binlog has no compressed rows and query events: %v", kinds)
	}
	consume(t, e, 1, 90*time.Second, "cbp"+suffix+"."+plain.name+".z_done")
	consume(t, e, 1, 90*time.Second, "cbc"+suffix+"."+comp.name+".z_done")
	sl.Stop()
	compared := 0
	for _, c := range cases {
		side := func(prefix, dbName string) []string {
			var out []string
			for _, r := range consume(t, e, 1, 60*time.Second, prefix+"."+dbName+"."+c.table) {
				if r.Value == nil {
					out = append(out, "tombstone")
					continue
				}
				p := payload(t, r.Value)
				delete(p, "source")
				delete(p, "ts_ms")
				delete(p, "ts_us")
				delete(p, "ts_ns")
				b, err := json.Marshal(p)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, string(b))
			}
			return out
		}
		want, got := side("cbp"+suffix, plain.name), side("cbc"+suffix, comp.name)
		if len(got) != len(want) {
			t.Errorf("%s: %d records from the compressed binlog, %d from the plain one", c.table, len(got), len(want))
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s record %d:\ncompressed: %s\nplain:      %s", c.table, i, got[i], want[i])
			}
			compared++
		}
	}
	t.Logf("compared %d records", compared)
}

// binlogEventTypes lists the event types of every binlog of the server.
func binlogEventTypes(t *testing.T, addr, rootPass string) []string {
	t.Helper()
	conn, err := client.Connect(addr, "root", rootPass, "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	logs, err := conn.Execute("SHOW BINARY LOGS")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for i := range logs.Values {
		name, _ := logs.GetString(i, 0)
		r, err := conn.Execute("SHOW BINLOG EVENTS IN '" + name + "'")
		if err != nil {
			t.Fatal(err)
		}
		for j := range r.Values {
			typ, _ := r.GetStringByName(j, "Event_type")
			if !seen[typ] {
				seen[typ] = true
				out = append(out, typ)
			}
		}
	}
	return out
}
