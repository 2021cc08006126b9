package binlog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"reflect"
	"strings"
	"sync"
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

// Rows events decoded again into the maps' own objects (rowsAgain) equal
// the parser's decoding of the same bytes, header, flags, table and rows,
// through statement ends, a table id mapped to another table, a new
// FORMAT_DESCRIPTION and the held TABLE_MAPs running full; and a rows
// event decoded again allocates nothing of go-mysql's.
func TestRowsEventsDecodedAgainAsParser(t *testing.T) {
	fde := formatDescription()
	for _, typ := range []replication.EventType{replication.WRITE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv1, replication.DELETE_ROWS_EVENTv1} {
		fde[57+int(typ)-1] = 8 // MariaDB's rows events: no extra data
	}
	rawFDE := rawEvent(replication.FORMAT_DESCRIPTION_EVENT, 7, fde)
	colsA := []binlogCol{{name: "id", typ: gmysql.MYSQL_TYPE_LONG}, {name: "v", typ: gmysql.MYSQL_TYPE_LONGLONG, nullable: true}}
	colsB := []binlogCol{{name: "k", typ: gmysql.MYSQL_TYPE_LONGLONG}}
	mapA := rawEvent(replication.TABLE_MAP_EVENT, 7, tableMap("db", "a", colsA))
	mapB := rawEvent(replication.TABLE_MAP_EVENT, 7, tableMap("db", "b", colsB))
	imageA := func(id int32, v int64, null bool) []byte {
		if null {
			return binary.LittleEndian.AppendUint32([]byte{0b10}, uint32(id))
		}
		return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint32([]byte{0}, uint32(id)), uint64(v))
	}
	rows := func(typ replication.EventType, version int, end bool, n int, images ...[]byte) []byte {
		update := typ == replication.UPDATE_ROWS_EVENTv1 || typ == replication.UPDATE_ROWS_EVENTv2
		body := rowsBodyOf(version, n, update, bytes.Join(images, nil))
		if end {
			body[6] |= byte(replication.RowsEventStmtEndFlag)
		}
		return rawEvent(typ, 7, body)
	}
	w2 := func(end bool, id int32) []byte {
		return rows(replication.WRITE_ROWS_EVENTv2, 2, end, 2, imageA(id, int64(id)*1000, false), imageA(id+1, 0, true))
	}
	seq := [][]byte{
		rawFDE, mapA, w2(false, 1), w2(false, 3), w2(false, 5),
		rows(replication.UPDATE_ROWS_EVENTv2, 2, false, 2, imageA(1, 1000, false), imageA(1, 7, false)),
		rows(replication.UPDATE_ROWS_EVENTv2, 2, false, 2, imageA(3, 3000, false), imageA(3, 0, true)),
		rows(replication.DELETE_ROWS_EVENTv2, 2, false, 2, imageA(5, 5000, false)),
		rows(replication.WRITE_ROWS_EVENTv1, 1, false, 2, imageA(9, 9, false)),
		rows(replication.WRITE_ROWS_EVENTv1, 1, true, 2, imageA(10, 10, false)),
		mapA, w2(true, 11), mapA, w2(false, 13),
		mapB, rows(replication.WRITE_ROWS_EVENTv2, 2, false, 1, binary.LittleEndian.AppendUint64([]byte{0}, 77)),
		rows(replication.WRITE_ROWS_EVENTv2, 2, true, 1, binary.LittleEndian.AppendUint64([]byte{0}, 78)),
		rawFDE, mapA, w2(false, 15), w2(true, 17),
	}
	// With two TABLE_MAPs held at most: a second table id fills them, the
	// statement end goes to the parser, which makes a new map; then the
	// first id is another table's. Templates kept with the old map would
	// decode b's row with a's columns.
	otherID := tableMap("db", "c", colsB)
	otherID[0] = testTableID + 1
	wb := func(end bool, k int64) []byte {
		return rows(replication.WRITE_ROWS_EVENTv2, 2, end, 1, binary.LittleEndian.AppendUint64([]byte{0}, uint64(k)))
	}
	full := [][]byte{rawFDE, mapA, w2(false, 1), w2(false, 3), rawEvent(replication.TABLE_MAP_EVENT, 7, otherID), w2(true, 5),
		mapB, wb(false, 7), wb(true, 8)}
	for _, c := range []struct {
		held, again int
		seq         [][]byte
	}{
		// Every rows event after the first of its type since the last
		// FORMAT_DESCRIPTION (nine), while the TABLE_MAPs are held: with
		// one held at most, none is (the parser sees each statement end).
		{256, 9, seq}, {1, 0, seq}, {0, 0, seq},
		// One (w2 3); after the parser's new map, wb(7) and wb(8) go to
		// the parser (the first of its type then) and again (one).
		{2, 2, full},
	} {
		t.Run(fmt.Sprintf("maxHeld %d, %d events", c.held, len(c.seq)), func(t *testing.T) {
			defer func(n int) { maxHeld = n }(maxHeld)
			maxHeld = c.held
			seq := make([][]byte, len(c.seq))
			for pos := range seq {
				seq[pos] = atLogPos(c.seq[pos], uint32(1000+100*pos))
			}
			held := c.held
			p, dec := replication.NewBinlogParser(), &rowsDecoder{mu: &sync.Mutex{}}
			p.SetParseTime(true)
			p.SetRowsEventDecodeFunc(dec.decode)
			maps := newTableMaps(dec)
			ref := replication.NewBinlogParser()
			ref.SetParseTime(true)
			ref.SetRowsEventDecodeFunc((&rowsDecoder{mu: &sync.Mutex{}}).decode)
			again := 0
			for i, raw := range seq {
				got, err := maps.parse(p, raw)
				if err != nil {
					t.Fatalf("event %d: %v", i, err)
				}
				want, err := ref.Parse(append([]byte(nil), raw...))
				if err != nil {
					t.Fatalf("event %d, the parser: %v", i, err)
				}
				if !reflect.DeepEqual(got.Header, want.Header) {
					t.Fatalf("event %d: header %+v, the parser's %+v", i, got.Header, want.Header)
				}
				g, ok := got.Event.(*replication.RowsEvent)
				if !ok {
					continue
				}
				if g == &maps.again.e {
					again++
				}
				w := want.Event.(*replication.RowsEvent)
				if g.TableID != w.TableID || g.Flags != w.Flags || g.ColumnCount != w.ColumnCount || g.Version != w.Version ||
					g.Table.Table == nil || string(g.Table.Table) != string(w.Table.Table) || g.Type() != w.Type() ||
					!bytes.Equal(g.ColumnBitmap1, w.ColumnBitmap1) || !bytes.Equal(g.ColumnBitmap2, w.ColumnBitmap2) {
					t.Fatalf("event %d: %+v, the parser's %+v", i, g, w)
				}
				sameRows(t, fmt.Sprintf("event %d", i), g.Rows, w.Rows)
			}
			if again != c.again {
				t.Errorf("%d rows events decoded again, want %d", again, c.again)
			}
			if held < 2 {
				return
			}
			// A rows event of a (the table of the id at the end of seq)
			// whose last image is cut short fails decoded again as it
			// fails through the parser, and the header the maps hold is
			// still the last good event's.
			if c.held != 256 {
				return
			}
			lastHeader := maps.again.h
			short := rows(replication.WRITE_ROWS_EVENTv2, 2, false, 2, imageA(31, 31, false), imageA(32, 32, false)[:6])
			if _, err := maps.parse(p, short); err == nil || !strings.Contains(err.Error(), "runs past the event's end") {
				t.Errorf("a cut image decoded again: error %v, want the image running past the end", err)
			}
			if _, err := ref.Parse(append([]byte(nil), short...)); err == nil {
				t.Error("the parser decoded the cut image")
			}
			if maps.again.h != lastHeader {
				t.Errorf("the held header became the failed event's: %+v, want %+v", maps.again.h, lastHeader)
			}
			ev := w2(false, 21)
			for _, raw := range [][]byte{mapA, ev} {
				if _, err := maps.parse(p, raw); err != nil {
					t.Fatal(err)
				}
			}
			if n := testing.AllocsPerRun(100, func() { _, _ = maps.parse(p, ev) }); n > 0.2 {
				t.Errorf("%v allocations a rows event decoded again, want under 0.2 (its cells' share)", n)
			}
		})
	}
}

// atLogPos is raw with its header's log position set to pos and its
// checksum made again.
func atLogPos(raw []byte, pos uint32) []byte {
	raw = append([]byte(nil), raw...)
	binary.LittleEndian.PutUint32(raw[13:], pos)
	body := raw[:len(raw)-replication.BinlogChecksumLength]
	binary.LittleEndian.PutUint32(raw[len(body):], crc32.ChecksumIEEE(body))
	return raw
}

// BenchmarkRowsEventAgain: a one-row rows event (the bench's one-row
// transactions have one) through the maps, decoded again into their
// objects, against the parser's decoding of the same bytes.
func BenchmarkRowsEventAgain(b *testing.B) {
	fde := rawEvent(replication.FORMAT_DESCRIPTION_EVENT, 7, formatDescription())
	cols := []binlogCol{{name: "id", typ: gmysql.MYSQL_TYPE_LONG}, {name: "v", typ: gmysql.MYSQL_TYPE_LONGLONG, nullable: true}}
	tm := rawEvent(replication.TABLE_MAP_EVENT, 7, tableMap("db", "t", cols))
	image := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint32([]byte{0}, 42), 4200)
	ev := rawEvent(replication.WRITE_ROWS_EVENTv2, 7, rowsBodyOf(2, 2, false, image))
	for _, again := range []bool{true, false} {
		name := "again"
		if !again {
			name = "parser"
		}
		b.Run(name, func(b *testing.B) {
			p, dec := replication.NewBinlogParser(), &rowsDecoder{mu: &sync.Mutex{}}
			p.SetParseTime(true)
			p.SetRowsEventDecodeFunc(dec.decode)
			maps := newTableMaps(dec)
			parse := func(raw []byte) (*replication.BinlogEvent, error) { return maps.parse(p, raw) }
			if !again {
				parse = p.Parse
			}
			for _, raw := range [][]byte{fde, tm} {
				if _, err := maps.parse(p, raw); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parse(ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
