package binlog

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// fastCase is a column kind the fast decoder reads: its TABLE_MAP type and
// metadata, and a random value's bytes.
type fastCase struct {
	typ   byte
	meta  []byte
	value func(r *rand.Rand) []byte
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func randString(r *rand.Rand, max int, head int) []byte {
	var sb strings.Builder
	for n := r.IntN(max + 1); sb.Len() < n; {
		sb.WriteString([]string{"x", "é", "Q", " "}[r.IntN(4)])
	}
	s := sb.String()
	if head == 1 {
		return append([]byte{byte(len(s))}, s...)
	}
	return append(binary.LittleEndian.AppendUint16(nil, uint16(len(s))), s...)
}

var fastCases = []fastCase{
	{gmysql.MYSQL_TYPE_TINY, nil, func(r *rand.Rand) []byte { return randBytes(r, 1) }},
	{gmysql.MYSQL_TYPE_SHORT, nil, func(r *rand.Rand) []byte { return randBytes(r, 2) }},
	{gmysql.MYSQL_TYPE_INT24, nil, func(r *rand.Rand) []byte { return randBytes(r, 3) }},
	{gmysql.MYSQL_TYPE_LONG, nil, func(r *rand.Rand) []byte { return randBytes(r, 4) }},
	{gmysql.MYSQL_TYPE_LONGLONG, nil, func(r *rand.Rand) []byte { return randBytes(r, 8) }},
	{gmysql.MYSQL_TYPE_FLOAT, []byte{4}, func(r *rand.Rand) []byte {
		return binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(r.NormFloat64()*1e6)))
	}},
	{gmysql.MYSQL_TYPE_DOUBLE, []byte{8}, func(r *rand.Rand) []byte {
		return binary.LittleEndian.AppendUint64(nil, math.Float64bits(r.NormFloat64()*1e12))
	}},
	{gmysql.MYSQL_TYPE_NEWDECIMAL, []byte{14, 2}, func(r *rand.Rand) []byte {
		return randBytes(r, mysqltypes.PackedDecimalSize(14, 2))
	}},
	{gmysql.MYSQL_TYPE_NEWDECIMAL, []byte{18, 0}, func(r *rand.Rand) []byte {
		return randBytes(r, mysqltypes.PackedDecimalSize(18, 0))
	}},
	{gmysql.MYSQL_TYPE_DATETIME2, []byte{0}, func(r *rand.Rand) []byte { return randBytes(r, 5) }},
	{gmysql.MYSQL_TYPE_DATETIME2, []byte{3}, func(r *rand.Rand) []byte { return randBytes(r, 7) }},
	{gmysql.MYSQL_TYPE_DATETIME2, []byte{6}, func(r *rand.Rand) []byte { return randBytes(r, 8) }},
	{gmysql.MYSQL_TYPE_VARCHAR, binary.LittleEndian.AppendUint16(nil, 80), func(r *rand.Rand) []byte { return randString(r, 80, 1) }},
	{gmysql.MYSQL_TYPE_VARCHAR, binary.LittleEndian.AppendUint16(nil, 1200), func(r *rand.Rand) []byte { return randString(r, 300, 2) }},
	{gmysql.MYSQL_TYPE_STRING, []byte{gmysql.MYSQL_TYPE_STRING, 40}, func(r *rand.Rand) []byte { return randString(r, 40, 1) }},
	{gmysql.MYSQL_TYPE_TIMESTAMP2, []byte{0}, func(r *rand.Rand) []byte { return maybeZero(r, randBytes(r, 4), 4) }},
	{gmysql.MYSQL_TYPE_TIMESTAMP2, []byte{2}, func(r *rand.Rand) []byte { return maybeZero(r, randBytes(r, 5), 4) }},
	{gmysql.MYSQL_TYPE_TIMESTAMP2, []byte{3}, func(r *rand.Rand) []byte { return maybeZero(r, randBytes(r, 6), 4) }},
	{gmysql.MYSQL_TYPE_TIMESTAMP2, []byte{6}, func(r *rand.Rand) []byte { return maybeZero(r, randBytes(r, 7), 4) }},
	{gmysql.MYSQL_TYPE_DATE, nil, func(r *rand.Rand) []byte { return maybeZero(r, randBytes(r, 3), 3) }},
	{gmysql.MYSQL_TYPE_YEAR, nil, func(r *rand.Rand) []byte { return maybeZero(r, randBytes(r, 1), 1) }},
	{gmysql.MYSQL_TYPE_BLOB, []byte{1}, func(r *rand.Rand) []byte { return randString(r, 200, 1) }},
	{gmysql.MYSQL_TYPE_BLOB, []byte{2}, func(r *rand.Rand) []byte { return randString(r, 600, 2) }},
	{gmysql.MYSQL_TYPE_BLOB, []byte{3}, func(r *rand.Rand) []byte { return randBlob(r, 3) }},
	{gmysql.MYSQL_TYPE_BLOB, []byte{4}, func(r *rand.Rand) []byte { return randBlob(r, 4) }},
	{gmysql.MYSQL_TYPE_GEOMETRY, []byte{4}, func(r *rand.Rand) []byte { return randBlob(r, 4) }},
	{gmysql.MYSQL_TYPE_JSON, []byte{4}, func(r *rand.Rand) []byte { return randBlob(r, 4) }},
	{gmysql.MYSQL_TYPE_JSON, []byte{2}, func(r *rand.Rand) []byte { return randString(r, 100, 2) }},
	{gmysql.MYSQL_TYPE_BIT, []byte{1, 0}, func(r *rand.Rand) []byte { return randBytes(r, 1) }},
	{gmysql.MYSQL_TYPE_BIT, []byte{5, 1}, func(r *rand.Rand) []byte { return randBytes(r, 2) }},
	{gmysql.MYSQL_TYPE_BIT, []byte{0, 8}, func(r *rand.Rand) []byte { return randBytes(r, 8) }},
	{gmysql.MYSQL_TYPE_STRING, []byte{gmysql.MYSQL_TYPE_ENUM, 1}, func(r *rand.Rand) []byte { return randBytes(r, 1) }},
	{gmysql.MYSQL_TYPE_STRING, []byte{gmysql.MYSQL_TYPE_ENUM, 2}, func(r *rand.Rand) []byte { return randBytes(r, 2) }},
	{gmysql.MYSQL_TYPE_STRING, []byte{gmysql.MYSQL_TYPE_SET, 1}, func(r *rand.Rand) []byte { return randBytes(r, 1) }},
	{gmysql.MYSQL_TYPE_STRING, []byte{gmysql.MYSQL_TYPE_SET, 3}, func(r *rand.Rand) []byte { return randBytes(r, 3) }},
	{gmysql.MYSQL_TYPE_STRING, []byte{gmysql.MYSQL_TYPE_SET, 8}, func(r *rand.Rand) []byte { return randBytes(r, 8) }},
	timeCase(0), timeCase(1), timeCase(2), timeCase(3), timeCase(4), timeCase(5), timeCase(6),
	wideDecimalCase(19, 0), wideDecimalCase(20, 4), wideDecimalCase(38, 10), wideDecimalCase(65, 30),
	wideDecimalCase(30, 30), wideDecimalCase(27, 9), wideDecimalCase(18, 18),
}

// wideDecimalCase is a DECIMAL too wide to read packed: random digits
// (as many as it holds, or fewer, or none), either sign. Only well-formed
// values: go-mysql panics on a group over 999,999,999.
func wideDecimalCase(precision, scale int) fastCase {
	return fastCase{gmysql.MYSQL_TYPE_NEWDECIMAL, []byte{byte(precision), byte(scale)}, func(r *rand.Rand) []byte {
		digits := func(n int) string {
			b := make([]byte, r.IntN(n+1))
			for i := range b {
				b[i] = byte('0' + r.IntN(10))
			}
			return string(b)
		}
		lit := digits(precision-scale) + "." + digits(scale)
		if r.IntN(2) == 0 {
			lit = "-" + lit
		}
		return binaryDecimal(lit, precision, scale)
	}}
}

// timeCase is a TIME2 of dec fraction digits: a time MySQL could store
// (negative ones included, whose fraction is stored reversed) or, one
// time in three, any bytes.
func timeCase(dec int) fastCase {
	return fastCase{gmysql.MYSQL_TYPE_TIME2, []byte{byte(dec)}, func(r *rand.Rand) []byte {
		if r.IntN(3) == 0 {
			return randBytes(r, 3+(dec+1)/2)
		}
		step := int64(1) // what the fraction's last digit counts
		for i := dec; i < 6; i++ {
			step *= 10
		}
		us := int64(r.IntN(1_000_000)) / step * step
		if r.IntN(4) == 0 {
			us = 0
		}
		return time2Value(dec, r.IntN(2) == 0, int64(r.IntN(839)), int64(r.IntN(60)), int64(r.IntN(60)), us)
	}}
}

// maybeZero zeroes b's first n bytes one time in four: the zero DATE,
// YEAR and TIMESTAMP have texts of their own.
func maybeZero(r *rand.Rand, b []byte, n int) []byte {
	if r.IntN(4) == 0 {
		clear(b[:n])
	}
	return b
}

// randBlob is a BLOB value whose length takes head bytes.
func randBlob(r *rand.Rand, head int) []byte {
	v := randBytes(r, r.IntN(300))
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(v)))[:head]
	return append(b, v...)
}

// rowsFeed frames hand-made events and parses them two ways: the stream's
// (tableMaps, which reads the rows of common tables itself) and the slow
// path it replaces (go-mysql's decoding with the packed DECIMALs and
// DATETIMEs), each with a parser of its own.
type rowsFeed struct {
	t          *testing.T
	pos        uint32
	fast, slow *replication.BinlogParser
	maps       *tableMaps
}

func newRowsFeed(t *testing.T) *rowsFeed {
	f := &rowsFeed{t: t, pos: 4, fast: replication.NewBinlogParser(), slow: replication.NewBinlogParser()}
	f.fast.SetParseTime(true) // as the stream's parsers (newParser)
	f.slow.SetParseTime(true)
	dec := &rowsDecoder{mu: &sync.Mutex{}}
	f.fast.SetRowsEventDecodeFunc(dec.decode)
	f.slow.SetRowsEventDecodeFunc((&rowsDecoder{mu: &sync.Mutex{}}).decode)
	f.maps = newTableMaps(dec)
	fde := formatDescription()
	for _, typ := range []replication.EventType{replication.WRITE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv1, replication.DELETE_ROWS_EVENTv1} {
		fde[57+int(typ)-1] = 8 // MariaDB's rows events: no extra data
	}
	f.parse(replication.FORMAT_DESCRIPTION_EVENT, fde)
	return f
}

// parse frames body and returns the fast and the slow parse.
func (f *rowsFeed) parse(typ replication.EventType, body []byte) (fast, slow *replication.BinlogEvent, fastErr, slowErr error) {
	size := replication.EventHeaderSize + len(body) + replication.BinlogChecksumLength
	f.pos += uint32(size)
	raw := binary.LittleEndian.AppendUint32(nil, 1709212455)
	raw = append(raw, byte(typ))
	raw = binary.LittleEndian.AppendUint32(raw, 1)
	raw = binary.LittleEndian.AppendUint32(raw, uint32(size))
	raw = binary.LittleEndian.AppendUint32(raw, f.pos)
	raw = binary.LittleEndian.AppendUint16(raw, 0)
	raw = append(raw, body...)
	raw = binary.LittleEndian.AppendUint32(raw, crc32.ChecksumIEEE(raw))
	fast, fastErr = f.maps.parse(f.fast, append([]byte(nil), raw...))
	slow, slowErr = f.slow.Parse(append([]byte(nil), raw...))
	return
}

// rowsBodyOf is a rows event body of version 1 (MariaDB) or 2 (MySQL)
// whose images are all n columns.
func rowsBodyOf(version, n int, update bool, images []byte) []byte {
	b := appendUint48(nil, testTableID)
	b = binary.LittleEndian.AppendUint16(b, 0) // not a statement's end: go-mysql would forget the TABLE_MAP
	if version == 2 {
		b = binary.LittleEndian.AppendUint16(b, 2)
	}
	b = appendLenenc(b, uint64(n))
	all := make([]byte, (n+7)/8)
	for i := 0; i < n; i++ {
		all[i/8] |= 1 << (i % 8)
	}
	b = append(b, all...)
	if update {
		b = append(b, all...)
	}
	return append(b, images...)
}

// sameRows compares the fast parse's rows with the slow one's, integers by
// value (the fast path widens them to int64, as the converters do).
func sameRows(t *testing.T, what string, fast, slow [][]any) {
	t.Helper()
	if len(fast) != len(slow) {
		t.Fatalf("%s: %d rows, the slow path %d", what, len(fast), len(slow))
	}
	for i := range fast {
		if len(fast[i]) != len(slow[i]) {
			t.Fatalf("%s row %d: %d cells, the slow path %d", what, i, len(fast[i]), len(slow[i]))
		}
		for j, a := range fast[i] {
			b := slow[i][j]
			same := false
			switch x := a.(type) {
			case int64:
				n, ok := mysqltypes.AsInt64(b)
				same = ok && n == x
			case *mysqltypes.PackedDecimal:
				y, ok := b.(*mysqltypes.PackedDecimal)
				same = ok && *x == *y
			case *mysqltypes.PackedDatetime:
				y, ok := b.(*mysqltypes.PackedDatetime)
				same = ok && *x == *y
			case float32:
				y, ok := b.(float32)
				same = ok && math.Float32bits(x) == math.Float32bits(y)
			case float64:
				y, ok := b.(float64)
				same = ok && math.Float64bits(x) == math.Float64bits(y)
			case string, nil:
				same = a == b
			case []byte:
				y, ok := b.([]byte)
				same = ok && string(x) == string(y)
			case mysqlJSON:
				y, ok := b.(mysqlJSON)
				same = ok && string(x) == string(y)
			case time.Time:
				y, ok := b.(time.Time)
				same = ok && x == y
			}
			if !same {
				t.Fatalf("%s row %d column %d: %#v (%T), the slow path %#v (%T)", what, i, j, a, a, b, b)
			}
		}
	}
}

// The fast decoder reads every kind it knows as the slow path does, for
// inserts, updates and deletes of MariaDB's and MySQL's rows events, with
// NULLs anywhere and rows of every size.
func TestFastRowsMatchTheSlowPath(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 60; round++ {
		f := newRowsFeed(t)
		ncols := 1 + r.IntN(45)
		var cols []binlogCol
		var cases []fastCase
		for i := 0; i < ncols; i++ {
			c := fastCases[r.IntN(len(fastCases))]
			cases = append(cases, c)
			cols = append(cols, binlogCol{name: "c" + string(rune('a'+i%26)), typ: c.typ, meta: c.meta, nullable: true,
				unsigned: r.IntN(3) == 0})
		}
		f.parse(replication.TABLE_MAP_EVENT, tableMap("db", "t", cols))
		for _, version := range []int{1, 2} {
			for _, typ := range []replication.EventType{replication.WRITE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv1, replication.DELETE_ROWS_EVENTv1} {
				update := typ == replication.UPDATE_ROWS_EVENTv1
				if version == 2 {
					typ += replication.WRITE_ROWS_EVENTv2 - replication.WRITE_ROWS_EVENTv1
				}
				var images []byte
				nrows := 1 + r.IntN(20)
				if update {
					nrows *= 2
				}
				for k := 0; k < nrows; k++ {
					var vals [][]byte
					for _, c := range cases {
						if r.IntN(6) == 0 {
							vals = append(vals, nil)
						} else {
							vals = append(vals, c.value(r))
						}
					}
					images = append(images, rowImage(vals...)...)
				}
				fast, slow, ferr, serr := f.parse(typ, rowsBodyOf(version, ncols, update, images))
				if ferr != nil || serr != nil {
					t.Fatalf("round %d %s: %v / %v", round, typ, ferr, serr)
				}
				sameRows(t, typ.String(), fast.Event.(*replication.RowsEvent).Rows, slow.Event.(*replication.RowsEvent).Rows)
				if f.maps.dec.fastFrom == nil || f.maps.dec.fast == nil {
					t.Fatalf("round %d %s: the rows were not read by the fast path", round, typ)
				}
			}
		}
	}
}

// A row image that runs past the event's end is an error. (go-mysql reads
// a string cut short on into the event's checksum without a word.)
func TestFastRowsTruncated(t *testing.T) {
	f := newRowsFeed(t)
	cols := []binlogCol{{name: "id", typ: gmysql.MYSQL_TYPE_LONG}, {name: "s", typ: gmysql.MYSQL_TYPE_VARCHAR, meta: []byte{80, 0}, nullable: true}}
	f.parse(replication.TABLE_MAP_EVENT, tableMap("db", "t", cols))
	img := rowImage(int32Value(7), append([]byte{5}, "abcde"...))
	for _, cut := range []int{1, 3, 6, len(img) - 1} {
		body := rowsBodyOf(1, 2, false, img[:len(img)-cut])
		fast, _, err, _ := f.parse(replication.WRITE_ROWS_EVENTv1, body)
		if err == nil || !strings.Contains(err.Error(), "runs past the event's end") {
			t.Errorf("%d bytes short: %v, %v; want an error", cut, fast, err)
		}
	}
	if _, _, err, _ := f.parse(replication.WRITE_ROWS_EVENTv1, rowsBodyOf(1, 2, false, img)); err != nil || f.maps.dec.fast == nil {
		t.Errorf("the whole image: %v (fast plan %v)", err, f.maps.dec.fast)
	}
}

// BenchmarkRowsDecode parses an event of 100 updates of 40-column rows on
// the stream's path and on the slow path it replaces: the bench suite's
// rows (INT key; BIGINT, VARCHAR, DECIMAL(14,2), DATETIME(3), DOUBLE), and
// rows of ENUM, SET, BIT(13), TIME(3), VARCHAR and DECIMAL(30,8) columns.
func BenchmarkRowsDecode(b *testing.B) {
	byType := func(typ byte, meta ...byte) fastCase {
		for _, c := range fastCases {
			if c.typ == typ && string(c.meta) == string(meta) {
				return c
			}
		}
		b.Fatalf("no case of type %d %v", typ, meta)
		return fastCase{}
	}
	tables := []struct {
		name  string
		cases []fastCase
	}{
		{"suite", []fastCase{fastCases[4], fastCases[12], fastCases[7], fastCases[10], fastCases[6]}},
		{"other-kinds", []fastCase{byType(gmysql.MYSQL_TYPE_STRING, gmysql.MYSQL_TYPE_ENUM, 1),
			byType(gmysql.MYSQL_TYPE_STRING, gmysql.MYSQL_TYPE_SET, 3), byType(gmysql.MYSQL_TYPE_BIT, 5, 1),
			timeCase(3), fastCases[12], wideDecimalCase(30, 8)}},
	}
	for _, tb := range tables {
		f, raw := updatesEvent(b, tb.cases)
		b.Run(tb.name+"/stream", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.maps.parse(f.fast, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tb.name+"/slow", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.slow.Parse(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// updatesEvent is a feed that knows a 40-column table (an INT key, then
// cases in turn) and an UPDATE_ROWS event of 100 updates of it.
func updatesEvent(b *testing.B, cases []fastCase) (*rowsFeed, []byte) {
	r := rand.New(rand.NewPCG(3, 4))
	cols := []binlogCol{{name: "id", typ: gmysql.MYSQL_TYPE_LONG}}
	for i := 0; i < 39; i++ {
		c := cases[i%len(cases)]
		cols = append(cols, binlogCol{name: "c" + strings.Repeat("x", i), typ: c.typ, meta: c.meta, nullable: true})
	}
	var images []byte
	for k := 0; k < 200; k++ {
		vals := [][]byte{int32Value(int32(k))}
		for i := 0; i < 39; i++ {
			vals = append(vals, cases[i%len(cases)].value(r))
		}
		images = append(images, rowImage(vals...)...)
	}
	body := rowsBodyOf(1, 40, true, images)
	f := newRowsFeed(&testing.T{})
	f.parse(replication.TABLE_MAP_EVENT, tableMap("db", "w", cols))
	size := replication.EventHeaderSize + len(body) + replication.BinlogChecksumLength
	h := binary.LittleEndian.AppendUint32(nil, 1709212455)
	h = append(h, byte(replication.UPDATE_ROWS_EVENTv1))
	h = binary.LittleEndian.AppendUint32(h, 1)
	h = binary.LittleEndian.AppendUint32(h, uint32(size))
	h = binary.LittleEndian.AppendUint32(h, 1000)
	h = binary.LittleEndian.AppendUint16(h, 0)
	h = append(h, body...)
	return f, binary.LittleEndian.AppendUint32(h, crc32.ChecksumIEEE(h))
}

// A table go-mysql decodes (an old-format TIME column) whose DECIMAL is read packed:
// the copy of its TABLE_MAP turns the DECIMAL into a BIT column, and the
// signedness bitmap, a bit per numeric column, must follow, or the
// columns after the DECIMAL take their neighbour's signedness (a signed
// TINYINT's -99 became 157, an unsigned one's 157 -99).
func TestPackedDecimalKeepsTheSignednessOfLaterColumns(t *testing.T) {
	f := newRowsFeed(t)
	cols := []binlogCol{
		{name: "t", typ: gmysql.MYSQL_TYPE_TIME},
		{name: "d", typ: gmysql.MYSQL_TYPE_NEWDECIMAL, meta: []byte{10, 2}},
		{name: "u", typ: gmysql.MYSQL_TYPE_TINY, unsigned: true},
		{name: "s", typ: gmysql.MYSQL_TYPE_TINY},
	}
	f.parse(replication.TABLE_MAP_EVENT, tableMap("db", "t", cols))
	img := rowImage(time2Value(0, false, 1, 2, 3, 0), binaryDecimal("1.50", 10, 2), []byte{0x9d}, []byte{0x9d})
	fast, slow, ferr, serr := f.parse(replication.WRITE_ROWS_EVENTv1, rowsBodyOf(1, 4, false, img))
	if ferr != nil || serr != nil {
		t.Fatal(ferr, serr)
	}
	for name, ev := range map[string]*replication.BinlogEvent{"stream": fast, "slow": slow} {
		row := ev.Event.(*replication.RowsEvent).Rows[0]
		if row[2] != any(uint8(157)) || row[3] != any(int8(-99)) {
			t.Errorf("%s: unsigned %#v and signed %#v, want uint8(157) and int8(-99)", name, row[2], row[3])
		}
	}
	if f.maps.dec.fast != nil {
		t.Error("a table with an old-format TIME column was read by the fast path")
	}
}
