package vtbinlog

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/mysql/binlog"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/internal/fault"
)

func TestParseTarget(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"commerce:0", "commerce:0", ""},
		{"commerce:-80@replica", "commerce:-80@replica", ""},
		{"commerce:80-@PRIMARY|zone1-100", "commerce:80-@primary|zone1-100", ""},
		{" ks:0 ", "ks:0", ""},
		{"commerce", "", "is not keyspace:shard[@type]"},
		{"commerce:", "", "is not keyspace:shard[@type]"},
		{":0", "", "is not keyspace:shard[@type]"},
		{"ks:-80,80-", "", "is not keyspace:shard[@type]"},
		{"ks:0@master", "", `tablet type "master"`},
		{"ks:0|", "", "empty tablet alias"},
	} {
		got, err := ParseTarget(c.in)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParseTarget(%q) = %v, %v; want an error with %q", c.in, got, err, c.err)
		case c.err == "" && (err != nil || got.String() != c.want):
			t.Errorf("ParseTarget(%q) = %q, %v; want %q", c.in, got, err, c.want)
		case c.err != "" && !strings.Contains(err.Error(), PropTarget):
			t.Errorf("ParseTarget(%q): %v does not name %s", c.in, err, PropTarget)
		}
	}
}

func TestCheckUnsupported(t *testing.T) {
	for _, c := range []struct {
		mode, signal, err string
		action            string // heartbeat.action.query
		channels          string // signal.enabled.channels
	}{
		{config.SnapshotNever, "", "", "", ""},
		{"initial", "", `"snapshot.mode": "initial" is not available`, "", ""},
		{"no_data", "", `"snapshot.mode": "no_data" is not available`, "", ""},
		{"when_needed", "", `"snapshot.mode": "when_needed" is not available`, "", ""},
		{config.SnapshotNever, "db.signals", `"signal.data.collection"`, "", ""},
		{config.SnapshotNever, "", `"heartbeat.action.query"`, "UPDATE hb SET ts = NOW()", ""},
		{config.SnapshotNever, "", "", "", "source"},
		{config.SnapshotNever, "", `"signal.enabled.channels": the kafka channel is not available`, "", "source, Kafka"},
	} {
		c := c
		cc := &config.Connector{SnapshotMode: c.mode, Raw: map[string]string{"signal.data.collection": c.signal, "signal.enabled.channels": c.channels},
			HeartbeatActionQuery: c.action}
		err := checkUnsupported(cc)
		if (c.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("mode %s, signal %q: %v; want %q", c.mode, c.signal, err, c.err)
		}
	}
	// The sink channel: each start notifies its skipped snapshot.
	sink := &config.Connector{SnapshotMode: config.SnapshotNever, Raw: map[string]string{"notification.enabled.channels": "log,sink"}}
	if err := checkUnsupported(sink); err != nil {
		t.Errorf("the sink notification channel: %v", err)
	}
}

// The packet is what VTGate's parseComBinlogDumpGTID reads: flags with
// BINLOG_THROUGH_GTID, the server id, no file name, position 4 (VTGate
// refuses anything else) and the SID block.
func TestDumpGTIDPacket(t *testing.T) {
	gs, err := gmysql.ParseMysqlGTIDSet("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5")
	if err != nil {
		t.Fatal(err)
	}
	sid := gs.Encode()
	p := binlog.DumpGTIDPacket(77, binlog.BinlogThroughGTID, sid)[4:] // go-mysql fills the 4-byte header
	if p[0] != gmysql.COM_BINLOG_DUMP_GTID {
		t.Fatalf("command 0x%02x", p[0])
	}
	if f := binary.LittleEndian.Uint16(p[1:]); f != binlog.BinlogThroughGTID {
		t.Errorf("flags %#x", f)
	}
	if id := binary.LittleEndian.Uint32(p[3:]); id != 77 {
		t.Errorf("server id %d", id)
	}
	if n := binary.LittleEndian.Uint32(p[7:]); n != 0 {
		t.Errorf("file name length %d", n)
	}
	if pos := binary.LittleEndian.Uint64(p[11:]); pos != 4 {
		t.Errorf("position %d", pos)
	}
	if n := binary.LittleEndian.Uint32(p[19:]); int(n) != len(sid) || string(p[23:]) != string(sid) {
		t.Errorf("GTID data %d bytes %x, want %x", n, p[23:], sid)
	}
	back, err := gmysql.DecodeMysqlGTIDSet(p[23:])
	if err != nil || back.String() != gs.String() {
		t.Errorf("SID block decodes to %v, %v", back, err)
	}
	if e := binlog.DumpGTIDPacket(1, binlog.BinlogThroughGTID, nil)[4:]; len(e) != 23 || binary.LittleEndian.Uint32(e[19:]) != 0 {
		t.Errorf("empty set: %x", e)
	}
}

// rotate builds a ROTATE event body as a server sends it, with a CRC32
// when sum is set.
func rotate(name string, sum bool) []byte {
	ev := make([]byte, replication.EventHeaderSize, 64)
	ev[4] = byte(replication.ROTATE_EVENT)
	ev = binary.LittleEndian.AppendUint64(ev, 4)
	ev = append(ev, name...)
	size := len(ev)
	if sum {
		size += 4
	}
	binary.LittleEndian.PutUint32(ev[9:], uint32(size))
	if sum {
		ev = binary.LittleEndian.AppendUint32(ev, crc32.ChecksumIEEE(ev))
	}
	return ev
}

func TestStripRotateChecksum(t *testing.T) {
	for _, sum := range []bool{true, false} {
		raw := stripRotateChecksum(rotate("vt-0000000100-bin.000001", sum))
		ev, err := replication.NewBinlogParser().Parse(raw)
		if err != nil {
			t.Fatalf("checksum %v: %v", sum, err)
		}
		if r := ev.Event.(*replication.RotateEvent); string(r.NextLogName) != "vt-0000000100-bin.000001" || r.Position != 4 {
			t.Errorf("checksum %v: rotate to %q:%d", sum, r.NextLogName, r.Position)
		}
	}
	// Other events are left alone, checksum or not.
	q := rotate("x", true)
	q[4] = byte(replication.QUERY_EVENT)
	if got := stripRotateChecksum(q); len(got) != len(q) {
		t.Errorf("a query event was cut to %d bytes", len(got))
	}
}

func mariaSet(t *testing.T, s string) *gmysql.MariadbGTIDSet {
	t.Helper()
	gs, err := gmysql.ParseMariadbGTIDSet(s)
	if err != nil {
		t.Fatal(err)
	}
	return gs.(*gmysql.MariadbGTIDSet)
}

func gtidEv(domain uint32, seq uint64, standalone bool) *replication.BinlogEvent {
	e := &replication.MariadbGTIDEvent{GTID: gmysql.MariadbGTID{DomainID: domain, ServerID: 1, SequenceNumber: seq}}
	if standalone {
		e.Flags = replication.BINLOG_MARIADB_FL_STANDALONE
	}
	return &replication.BinlogEvent{Header: &replication.EventHeader{EventType: replication.MARIADB_GTID_EVENT}, Event: e}
}

func ev(e replication.Event) *replication.BinlogEvent {
	return &replication.BinlogEvent{Header: &replication.EventHeader{}, Event: e}
}

// The filter drops exactly the transactions the stored set holds: a row
// transaction (GTID … XID), a DDL (standalone GTID and its one statement),
// a statement transaction ending in COMMIT, and keeps what follows.
func TestResumeFilter(t *testing.T) {
	f := newResumeFilter(mariaSet(t, "0-1-3,1-1-1"))
	tm := &replication.TableMapEvent{}
	stream := []struct {
		ev   *replication.BinlogEvent
		keep bool
		what string
	}{
		{ev(&replication.FormatDescriptionEvent{}), true, "format description"},
		{ev(&replication.MariadbGTIDListEvent{GTIDs: []gmysql.MariadbGTID{{DomainID: 0, ServerID: 1, SequenceNumber: 1}}}), true, "oldest Gtid_list, covered"},
		{gtidEv(0, 2, false), false, "0-1-2 held"},
		{ev(&replication.MariadbAnnotateRowsEvent{}), false, "its annotate"},
		{ev(tm), false, "its table map"},
		{ev(&replication.RowsEvent{Table: tm}), false, "its rows"},
		{ev(&replication.XIDEvent{}), false, "its XID"},
		{gtidEv(0, 3, true), false, "0-1-3 DDL held"},
		{ev(&replication.QueryEvent{Query: []byte("ALTER TABLE t ADD c INT")}), false, "its statement"},
		{ev(&replication.RotateEvent{NextLogName: []byte("b.000002")}), true, "rotate between"},
		{gtidEv(1, 1, false), false, "1-1-1 held"},
		{ev(&replication.QueryEvent{Query: []byte("INSERT INTO t VALUES (1)")}), false, "its statement"},
		{ev(&replication.QueryEvent{Query: []byte("COMMIT")}), false, "its COMMIT"},
		{gtidEv(0, 4, false), true, "0-1-4 new"},
		{ev(tm), true, "its table map"},
		{ev(&replication.RowsEvent{Table: tm}), true, "its rows"},
		{ev(&replication.XIDEvent{}), true, "its XID"},
		{gtidEv(1, 2, true), true, "1-1-2 new DDL"},
		{ev(&replication.QueryEvent{Query: []byte("CREATE TABLE u (a INT)")}), true, "its statement"},
		{ev(&replication.MariadbGTIDListEvent{GTIDs: []gmysql.MariadbGTID{{DomainID: 5, SequenceNumber: 9}}}), true, "a later binlog's Gtid_list is not compared"},
	}
	for i, s := range stream {
		keep, err := f.keep(s.ev)
		if err != nil || keep != s.keep {
			t.Errorf("event %d (%s): keep %v, %v; want %v", i, s.what, keep, err, s.keep)
		}
	}
}

// A stored set behind the oldest binlog's Gtid_list means purged changes.
func TestResumeFilterPurged(t *testing.T) {
	for _, list := range [][]gmysql.MariadbGTID{
		{{DomainID: 0, ServerID: 1, SequenceNumber: 9}},                                   // the domain went further
		{{DomainID: 0, ServerID: 1, SequenceNumber: 3}, {DomainID: 2, SequenceNumber: 1}}, // a domain the set lacks
	} {
		f := newResumeFilter(mariaSet(t, "0-1-5"))
		_, err := f.keep(ev(&replication.MariadbGTIDListEvent{GTIDs: list}))
		if !fault.IsDefinite(err) || !errors.Is(err, fault.ErrPositionUnavailable) || !strings.Contains(err.Error(), "purged") {
			t.Errorf("Gtid_list %v: %v; want a definite ErrPositionUnavailable", list, err)
		}
	}
}

func TestClassify(t *testing.T) {
	d := &dumper{srv: server.New(server.Config{Host: "vtgate", Port: 15306}), target: "ks:0@replica"}
	for _, c := range []struct {
		err      error
		definite bool
		want     string
	}{
		{&gmysql.MyError{Code: 1105, Message: "unknown error: Code: FAILED_PRECONDITION\nbinlog dump is disabled"}, true, "--enable-binlog-dump"},
		{&gmysql.MyError{Code: 1045, Message: "User 'bob' is not authorized to perform binlog dump operations"}, true, "--binlog-dump-authorized-users"},
		{&gmysql.MyError{Code: 1105, Message: "no target specified for binlog dump; use 'USE keyspace:shard@type'"}, true, PropTarget},
		{&gmysql.MyError{Code: 1049, Message: "VT05003: unknown database 'nosuch' in vschema"}, true, "a keyspace VTGate serves"},
		{&gmysql.MyError{Code: 1941, Message: "Could not parse GTID list"}, true, "did not take the stored GTID set"},
		{&gmysql.MyError{Code: gmysql.ER_UNKNOWN_COM_ERROR, Message: "Unknown command"}, true, "VTGate v24 or later"},
		{&gmysql.MyError{Code: 1105, Message: "unknown error: Code: UNAVAILABLE\nno healthy tablet available for 'keyspace:\"ks\" shard:\"0\" tablet_type:REPLICA'"}, false, "check the shard and tablet type"},
		{&gmysql.MyError{Code: 1105, Message: "unknown error: Code: NOT_FOUND\ntablet: cell:\"zone1\" uid:999 is either down or nonexistent"}, false, "check the shard and tablet type"},
		{errors.New("io.ReadFull(header) failed. err EOF"), false, "EOF"},
	} {
		err := d.classify(c.err)
		if fault.IsDefinite(err) != c.definite || !strings.Contains(err.Error(), c.want) {
			t.Errorf("classify(%v) = %v (definite %v); want %q, definite %v", c.err, err, fault.IsDefinite(err), c.want, c.definite)
		}
	}
}
