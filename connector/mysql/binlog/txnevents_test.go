package binlog

import (
	"encoding/binary"
	"hash/crc32"
	"reflect"
	"testing"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// rawEvent frames body as a binlog event with a CRC32 trailer.
func rawEvent(typ replication.EventType, serverID uint32, body []byte) []byte {
	size := replication.EventHeaderSize + len(body) + replication.BinlogChecksumLength
	raw := binary.LittleEndian.AppendUint32(nil, 1709212455)
	raw = append(raw, byte(typ))
	raw = binary.LittleEndian.AppendUint32(raw, serverID)
	raw = binary.LittleEndian.AppendUint32(raw, uint32(size))
	raw = binary.LittleEndian.AppendUint32(raw, 4242)
	raw = binary.LittleEndian.AppendUint16(raw, 8)
	raw = append(raw, body...)
	return binary.LittleEndian.AppendUint32(raw, crc32.ChecksumIEEE(raw))
}

func mariadbGTIDBody(seq uint64, domain uint32, flags byte, tail ...byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, seq)
	b = binary.LittleEndian.AppendUint32(b, domain)
	return append(append(b, flags), tail...)
}

// TestTxnEventsDecodeAsParser: the XID and GTID events the dump decodes
// itself equal what go-mysql's parser makes of the same bytes, and what it
// does not decode (before a FORMAT_DESCRIPTION, a short body) the parser
// gets, with its result or error.
func TestTxnEventsDecodeAsParser(t *testing.T) {
	commitID := binary.LittleEndian.AppendUint64(nil, 0x0102030405060708)
	events := map[string][]byte{
		"xid":                     rawEvent(replication.XID_EVENT, 7, binary.LittleEndian.AppendUint64(nil, 987654321987)),
		"gtid standalone":         rawEvent(replication.MARIADB_GTID_EVENT, 7, mariadbGTIDBody(55, 3, replication.BINLOG_MARIADB_FL_STANDALONE, 0, 0, 0, 0, 0, 0)),
		"gtid transaction":        rawEvent(replication.MARIADB_GTID_EVENT, 9, mariadbGTIDBody(1<<40+5, 0, 0, 0, 0, 0, 0, 0, 0)),
		"gtid group commit":       rawEvent(replication.MARIADB_GTID_EVENT, 9, mariadbGTIDBody(12, 1, replication.BINLOG_MARIADB_FL_GROUP_COMMIT_ID, commitID...)),
		"gtid extra flags":        rawEvent(replication.MARIADB_GTID_EVENT, 9, mariadbGTIDBody(13, 1, 0x40, 0, 0, 0, 0, 0, 0, 1, 2)),
		"gtid short":              rawEvent(replication.MARIADB_GTID_EVENT, 9, mariadbGTIDBody(14, 1, 0)[:12]),
		"gtid group commit short": rawEvent(replication.MARIADB_GTID_EVENT, 9, mariadbGTIDBody(15, 1, replication.BINLOG_MARIADB_FL_GROUP_COMMIT_ID, 1, 2)),
		"xid size disagrees":      append(rawEvent(replication.XID_EVENT, 7, binary.LittleEndian.AppendUint64(nil, 1)), 0),
		"xid with a short body":   rawEvent(replication.XID_EVENT, 7, []byte{1, 2, 3}),
	}
	fde := rawEvent(replication.FORMAT_DESCRIPTION_EVENT, 7, formatDescription())
	for name, raw := range events {
		t.Run(name, func(t *testing.T) {
			for _, withFDE := range []bool{true, false} {
				want, wantErr := parseRecovering(replication.NewBinlogParser(), fde, raw, withFDE)
				maps := newTableMaps(&rowsDecoder{})
				got, gotErr := parseRecovering(replicationParser(maps), fde, raw, withFDE)
				if (gotErr != nil) != (wantErr != nil) {
					t.Fatalf("FDE first %v: error %v, go-mysql's %v", withFDE, gotErr, wantErr)
				}
				if wantErr != nil {
					continue
				}
				if !reflect.DeepEqual(got.Header, want.Header) || !reflect.DeepEqual(got.Event, want.Event) || &got.RawData[0] != &raw[0] {
					t.Errorf("FDE first %v: decoded %+v %+v, go-mysql %+v %+v", withFDE, got.Header, got.Event, want.Header, want.Event)
				}
			}
		})
	}
	maps := newTableMaps(&rowsDecoder{})
	if _, err := maps.parse(replication.NewBinlogParser(), fde); err != nil {
		t.Fatal(err)
	}
	if _, ok := maps.txnEvent(events["xid"]); !ok {
		t.Error("the XID was left to the parser after a FORMAT_DESCRIPTION")
	}
	if _, ok := maps.txnEvent(events["gtid group commit"]); !ok {
		t.Error("the GTID was left to the parser after a FORMAT_DESCRIPTION")
	}
	// Each kind decodes into one object of the maps', again and again.
	for _, name := range []string{"xid", "gtid group commit"} {
		if n := testing.AllocsPerRun(50, func() { _, _ = maps.txnEvent(events[name]) }); n != 0 {
			t.Errorf("%s: %v allocations an event, want none", name, n)
		}
	}
}

// replicationParser is a parse function over maps, with a parser of its own.
func replicationParser(maps *tableMaps) func([]byte) (*replication.BinlogEvent, error) {
	p := replication.NewBinlogParser()
	return func(b []byte) (*replication.BinlogEvent, error) { return maps.parse(p, b) }
}

// parseRecovering parses raw (after fde when withFDE), turning a panic of
// go-mysql's decoding of a short body into an error.
func parseRecovering(parse any, fde, raw []byte, withFDE bool) (ev *replication.BinlogEvent, err error) {
	f, ok := parse.(func([]byte) (*replication.BinlogEvent, error))
	if !ok {
		f = parse.(*replication.BinlogParser).Parse
	}
	defer func() {
		if r := recover(); r != nil {
			ev, err = nil, errPanicked
		}
	}()
	if withFDE {
		if _, err := f(fde); err != nil {
			return nil, err
		}
	}
	return f(raw)
}

var errPanicked = errorString("go-mysql panicked")

type errorString string

func (e errorString) Error() string { return string(e) }

// A TABLE_MAP seen before comes back as the event decoded the first time,
// in a header equal to go-mysql's and in the maps' own objects: nothing is
// allocated for it, transaction after transaction.
func TestHeldTableMapAllocatesNothing(t *testing.T) {
	fde := rawEvent(replication.FORMAT_DESCRIPTION_EVENT, 7, formatDescription())
	cols := []binlogCol{{name: "id", typ: gmysql.MYSQL_TYPE_LONG}, {name: "v", typ: gmysql.MYSQL_TYPE_LONGLONG, nullable: true}}
	raw := rawEvent(replication.TABLE_MAP_EVENT, 7, tableMap("db", "t", cols))
	maps := newTableMaps(&rowsDecoder{})
	parse := replicationParser(maps)
	for _, ev := range [][]byte{fde, raw} {
		if _, err := parse(ev); err != nil {
			t.Fatal(err)
		}
	}
	first := maps.byID[testTableID].ev
	if first == nil {
		t.Fatal("the TABLE_MAP was not held")
	}
	ref := replication.NewBinlogParser()
	if _, err := ref.Parse(fde); err != nil {
		t.Fatal(err)
	}
	want, err := ref.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	again := append([]byte(nil), raw...)
	again[13] ^= 0x01 // another log position: the header changes, the body does not
	wantAgain, err := ref.Parse(again)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		raw  []byte
		want *replication.BinlogEvent
	}{{raw, want}, {again, wantAgain}, {raw, want}} {
		got, err := parse(c.raw)
		if err != nil {
			t.Fatal(err)
		}
		if got.Event != first {
			t.Error("a held TABLE_MAP came back decoded anew")
		}
		if !reflect.DeepEqual(got.Header, c.want.Header) || &got.RawData[0] != &c.raw[0] {
			t.Errorf("header %+v, go-mysql's %+v", got.Header, c.want.Header)
		}
	}
	if n := testing.AllocsPerRun(50, func() { _, _ = parse(raw) }); n != 0 {
		t.Errorf("%v allocations a held TABLE_MAP, want none", n)
	}
}
