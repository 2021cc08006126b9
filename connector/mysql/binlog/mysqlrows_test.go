package binlog

// MySQL-only binlog paths, tested without a MySQL server (only MariaDB can
// be installed here): events are written byte by byte as MySQL 8 writes
// them, decoded by a go-mysql parser set up as the streamer's dumps have it
// (NewParser), and run through the streamer and the column converters.
// Expected values are what Debezium's MySQL connector emits, worked out from
// its sources, not from Sluice's output:
//
//   - JSON: debezium/mysql-binlog-connector-java, event/deserialization/json/
//     JsonBinary.java and JsonStringFormatter.java (JsonBinary.parseAsString,
//     called by debezium-connector-binlog BinlogValueConverters.convertJson);
//   - spatial: debezium-connector-binlog BinlogGeometry.java and
//     BinlogValueConverters.convertGeometry/convertPoint;
//   - temporal: debezium-connector-binlog event/RowDeserializers.java;
//   - GTIDs: MySqlStreamingChangeEventSource.handleGtidEvent and the binlog
//     client's GtidSet.java.
//
// The binary formats follow MySQL's sql-common/json_binary.h and
// sql/log_event.cc, mysys/my_time.cc.

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// --- raw binlog events ---

// binlogFeed parses hand-made events with the streamer's own parser.
type binlogFeed struct {
	t      *testing.T
	parser *replication.BinlogParser
	pos    uint32
}

func newBinlogFeed(t *testing.T, s *Streamer) *binlogFeed {
	t.Helper()
	p := s.NewParser()        // the stream's own dumps parse with one of these
	p.SetVerifyChecksum(true) // the events below carry real CRC32s
	f := &binlogFeed{t: t, parser: p, pos: 4}
	f.event(replication.FORMAT_DESCRIPTION_EVENT, formatDescription())
	return f
}

// formatDescription is a MySQL 8.0 FORMAT_DESCRIPTION_EVENT body: binlog
// version 4, 19-byte headers, CRC32 checksums.
func formatDescription() []byte {
	b := binary.LittleEndian.AppendUint16(nil, 4)
	b = append(b, make([]byte, 50)...)
	copy(b[2:], "8.0.36")
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = append(b, replication.EventHeaderSize)
	postHeader := make([]byte, 41)
	set := func(t replication.EventType, n byte) { postHeader[t-1] = n }
	set(replication.QUERY_EVENT, 13)
	set(replication.ROTATE_EVENT, 8)
	set(replication.FORMAT_DESCRIPTION_EVENT, 98)
	set(replication.TABLE_MAP_EVENT, 8)
	for _, t := range []replication.EventType{replication.WRITE_ROWS_EVENTv2, replication.UPDATE_ROWS_EVENTv2,
		replication.DELETE_ROWS_EVENTv2, replication.PARTIAL_UPDATE_ROWS_EVENT} {
		set(t, 10)
	}
	set(replication.GTID_EVENT, 42)
	set(replication.ANONYMOUS_GTID_EVENT, 42)
	b = append(b, postHeader...)
	return append(b, byte(replication.BINLOG_CHECKSUM_ALG_CRC32))
}

// event frames body as a binlog event (header, body, CRC32) and parses it.
func (f *binlogFeed) event(typ replication.EventType, body []byte) *replication.BinlogEvent {
	f.t.Helper()
	size := replication.EventHeaderSize + len(body) + replication.BinlogChecksumLength
	f.pos += uint32(size)
	raw := binary.LittleEndian.AppendUint32(nil, 1709212455)
	raw = append(raw, byte(typ))
	raw = binary.LittleEndian.AppendUint32(raw, 1) // server_id
	raw = binary.LittleEndian.AppendUint32(raw, uint32(size))
	raw = binary.LittleEndian.AppendUint32(raw, f.pos)
	raw = binary.LittleEndian.AppendUint16(raw, 0)
	raw = append(raw, body...)
	raw = binary.LittleEndian.AppendUint32(raw, crc32.ChecksumIEEE(raw))
	ev, err := f.parser.Parse(raw)
	if err != nil {
		f.t.Fatalf("parsing a %s: %v", typ, err)
	}
	return ev
}

// binlogCol is one column of a hand-made TABLE_MAP.
type binlogCol struct {
	name     string
	typ      byte
	meta     []byte // the column's TABLE_MAP metadata
	nullable bool
	geometry uint64 // GEOMETRY_TYPE of a MYSQL_TYPE_GEOMETRY column
	unsigned bool   // a numeric column marked unsigned
}

const testTableID = 0x51

// tableMap is a TABLE_MAP_EVENT body with MySQL's full row metadata
// (binlog_row_metadata=FULL): names, signedness, geometry types, key.
func tableMap(db, table string, cols []binlogCol, pk ...uint64) []byte {
	b := appendUint48(nil, testTableID)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = append(append(append(b, byte(len(db))), db...), 0)
	b = append(append(append(b, byte(len(table))), table...), 0)
	b = appendLenenc(b, uint64(len(cols)))
	var meta []byte
	nulls := make([]byte, (len(cols)+7)/8)
	var numeric []bool
	var geometry []uint64
	for i, c := range cols {
		b = append(b, c.typ)
		meta = append(meta, c.meta...)
		if c.nullable {
			nulls[i/8] |= 1 << (i % 8)
		}
		switch c.typ {
		case gmysql.MYSQL_TYPE_TINY, gmysql.MYSQL_TYPE_SHORT, gmysql.MYSQL_TYPE_INT24, gmysql.MYSQL_TYPE_LONG,
			gmysql.MYSQL_TYPE_LONGLONG, gmysql.MYSQL_TYPE_NEWDECIMAL, gmysql.MYSQL_TYPE_FLOAT,
			gmysql.MYSQL_TYPE_DOUBLE, gmysql.MYSQL_TYPE_YEAR:
			numeric = append(numeric, c.unsigned)
		case gmysql.MYSQL_TYPE_GEOMETRY:
			geometry = append(geometry, c.geometry)
		}
	}
	b = append(appendLenenc(b, uint64(len(meta))), meta...)
	b = append(b, nulls...)
	tlv := func(typ byte, v []byte) { b = append(appendLenenc(append(b, typ), uint64(len(v))), v...) }
	if len(numeric) > 0 {
		// One bit per numeric column, the first in the high bit.
		sign := make([]byte, (len(numeric)+7)/8)
		for i, u := range numeric {
			if u {
				sign[i/8] |= 0x80 >> (i % 8)
			}
		}
		tlv(replication.TABLE_MAP_OPT_META_SIGNEDNESS, sign)
	}
	var names []byte
	for _, c := range cols {
		names = append(appendLenenc(names, uint64(len(c.name))), c.name...)
	}
	tlv(replication.TABLE_MAP_OPT_META_COLUMN_NAME, names)
	if len(geometry) > 0 {
		var g []byte
		for _, t := range geometry {
			g = appendLenenc(g, t)
		}
		tlv(replication.TABLE_MAP_OPT_META_GEOMETRY_TYPE, g)
	}
	var key []byte
	for _, k := range pk {
		key = appendLenenc(key, k)
	}
	tlv(replication.TABLE_MAP_OPT_META_SIMPLE_PRIMARY_KEY, key)
	return b
}

// rowsBody is a v2 rows event body over all n columns; each image is a
// null bitmap followed by the values, as rowImage makes it.
func rowsBody(n int, update bool, images ...[]byte) []byte {
	b := appendUint48(nil, testTableID)
	b = binary.LittleEndian.AppendUint16(b, 1) // STMT_END_F
	b = binary.LittleEndian.AppendUint16(b, 2) // no extra row data
	b = appendLenenc(b, uint64(n))
	all := bytes.Repeat([]byte{0xff}, (n+7)/8)
	b = append(b, all...)
	if update {
		b = append(b, all...)
	}
	for _, img := range images {
		b = append(b, img...)
	}
	return b
}

// rowImage is one row: a value per column, nil for SQL NULL.
func rowImage(values ...[]byte) []byte {
	nulls := make([]byte, (len(values)+7)/8)
	var data []byte
	for i, v := range values {
		if v == nil {
			nulls[i/8] |= 1 << (i % 8)
		}
		data = append(data, v...)
	}
	return append(nulls, data...)
}

func appendUint48(b []byte, v uint64) []byte {
	return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24), byte(v>>32), byte(v>>40))
}

// appendLenenc is the protocol's length-encoded integer.
func appendLenenc(b []byte, v uint64) []byte {
	switch {
	case v < 251:
		return append(b, byte(v))
	case v < 1<<16:
		return binary.LittleEndian.AppendUint16(append(b, 0xfc), uint16(v))
	case v < 1<<24:
		return append(b, 0xfd, byte(v), byte(v>>8), byte(v>>16))
	}
	return binary.LittleEndian.AppendUint64(append(b, 0xfe), v)
}

func int32Value(v int32) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }

// blobValue is a JSON or GEOMETRY value: a 4-byte length (the metadata says
// 4) and the bytes.
func blobValue(b []byte) []byte {
	return append(binary.LittleEndian.AppendUint32(nil, uint32(len(b))), b...)
}

// --- the pipeline under test ---

// mysqlRig is a streamer for a MySQL server and the table version the
// TABLE_MAP describes, as tableTracker.build makes it from full row metadata.
type mysqlRig struct {
	t        *testing.T
	s        *Streamer
	feed     *binlogFeed
	tableMap []byte
	tm       *replication.TableMapEvent
	tbl      *change.Table
}

func newMySQLRig(t *testing.T, cols []binlogCol, pk ...uint64) *mysqlRig {
	t.Helper()
	s := NewStreamer(server.New(server.Config{Flavor: "mysql", TopicPrefix: "srv", ServerID: 99}), nil)
	s.cfg.ServerFlavor = "mysql"
	r := &mysqlRig{t: t, s: s, feed: newBinlogFeed(t, s), tableMap: tableMap("db", "t", cols, pk...)}
	defs, key := defsFromTableMap(r.nextTableMap(), nil)
	tbl, err := s.tables.assemble("db", "t", defs, key)
	if err != nil {
		t.Fatal(err)
	}
	r.tbl = tbl
	return r
}

// nextTableMap feeds the TABLE_MAP that precedes each statement's rows
// (go-mysql forgets table ids at a statement's end).
func (r *mysqlRig) nextTableMap() *replication.TableMapEvent {
	r.t.Helper()
	tm, ok := r.feed.event(replication.TABLE_MAP_EVENT, r.tableMap).Event.(*replication.TableMapEvent)
	if !ok {
		r.t.Fatal("TABLE_MAP_EVENT did not decode to a TableMapEvent")
	}
	if r.tm != nil && !sameTableMap(r.tm, tm) {
		r.t.Fatal("the same TABLE_MAP decoded differently")
	}
	r.tm = tm
	return tm
}

// rows feeds one statement's rows event and returns what the streamer
// makes of it.
func (r *mysqlRig) rows(typ replication.EventType, body []byte) ([]change.Event, error) {
	r.t.Helper()
	return r.rowsIn(&txnState{file: "binlog.000001", thread: -1}, typ, body)
}

// rowsIn is rows in the transaction state st.
func (r *mysqlRig) rowsIn(st *txnState, typ replication.EventType, body []byte) ([]change.Event, error) {
	r.t.Helper()
	r.nextTableMap()
	ev := r.feed.event(typ, body)
	re, ok := ev.Event.(*replication.RowsEvent)
	if !ok {
		r.t.Fatalf("%s did not decode to a RowsEvent", typ)
	}
	if re.Table != r.tm {
		r.t.Fatal("the rows event is not attached to the TABLE_MAP the streamer resolved")
	}
	return r.s.rows(st, ev.Header, re, r.tbl, nil)
}

// converted applies the column converters as the record builder does.
func (r *mysqlRig) converted(row []any) []any {
	r.t.Helper()
	out := make([]any, len(row))
	for i, c := range r.tbl.Columns {
		v, err := c.Convert(row[i])
		if err != nil {
			r.t.Fatalf("column %s: %v", c.Name, err)
		}
		out[i] = v
	}
	return out
}

// --- MySQL binary JSON (sql-common/json_binary.h) ---

// JSON values to encode: jObj and jArr are containers (large: 4-byte
// offsets), the rest scalars.
type (
	jObj struct {
		large   bool
		members []jMember
	}
	jMember struct {
		k string
		v any
	}
	jArr struct {
		large bool
		elems []any
	}
	jLit    byte // 0 null, 1 true, 2 false
	jInt16  int16
	jUint16 uint16
	jInt32  int32
	jUint32 uint32
	jInt64  int64
	jUint64 uint64
	jDouble float64
	jStr    string
	jOpaque struct {
		typ  byte
		data []byte
	}
)

const (
	jNull  jLit = 0
	jTrue  jLit = 1
	jFalse jLit = 2
)

// jsonDoc is the binary document: type byte, value.
func jsonDoc(v any) []byte {
	t, p := jsonbValue(v)
	return append([]byte{t}, p...)
}

func jsonbValue(v any) (byte, []byte) {
	le16 := func(x uint16) []byte { return binary.LittleEndian.AppendUint16(nil, x) }
	le32 := func(x uint32) []byte { return binary.LittleEndian.AppendUint32(nil, x) }
	le64 := func(x uint64) []byte { return binary.LittleEndian.AppendUint64(nil, x) }
	switch x := v.(type) {
	case jObj:
		// MySQL stores members sorted by key length, then key bytes.
		m := slices.Clone(x.members)
		slices.SortFunc(m, func(a, b jMember) int {
			if len(a.k) != len(b.k) {
				return len(a.k) - len(b.k)
			}
			return strings.Compare(a.k, b.k)
		})
		keys := make([]string, len(m))
		vals := make([]any, len(m))
		for i := range m {
			keys[i], vals[i] = m[i].k, m[i].v
		}
		return ifElse(x.large, byte(1), byte(0)), jsonbContainer(x.large, keys, vals)
	case jArr:
		return ifElse(x.large, byte(3), byte(2)), jsonbContainer(x.large, nil, x.elems)
	case jLit:
		return 0x04, []byte{byte(x)}
	case jInt16:
		return 0x05, le16(uint16(x))
	case jUint16:
		return 0x06, le16(uint16(x))
	case jInt32:
		return 0x07, le32(uint32(x))
	case jUint32:
		return 0x08, le32(uint32(x))
	case jInt64:
		return 0x09, le64(uint64(x))
	case jUint64:
		return 0x0a, le64(uint64(x))
	case jDouble:
		return 0x0b, le64(math.Float64bits(float64(x)))
	case jStr:
		return 0x0c, append(jsonbLength(nil, len(x)), x...)
	case jOpaque:
		return 0x0f, append(jsonbLength([]byte{x.typ}, len(x.data)), x.data...)
	}
	panic("not a JSON test value")
}

// jsonbLength is data-length: 7 bits a byte, high bit set on all but the last.
func jsonbLength(b []byte, n int) []byte {
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

// jsonbContainer is element-count size key-entry* value-entry* key* value*
// (keys nil for an array); offsets count from the container's start.
func jsonbContainer(large bool, keys []string, vals []any) []byte {
	offSize := ifElse(large, 4, 2)
	putOff := func(b []byte, v int) []byte {
		if large {
			return binary.LittleEndian.AppendUint32(b, uint32(v))
		}
		return binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	n := len(vals)
	header := 2*offSize + n*(1+offSize)
	if keys != nil {
		header += n * (offSize + 2)
	}
	var keyEntries, valueEntries, tail []byte
	next := header
	for _, k := range keys {
		keyEntries = binary.LittleEndian.AppendUint16(putOff(keyEntries, next), uint16(len(k)))
		tail = append(tail, k...)
		next += len(k)
	}
	for _, v := range vals {
		t, p := jsonbValue(v)
		valueEntries = append(valueEntries, t)
		inlined := t == 0x04 || t == 0x05 || t == 0x06 || large && (t == 0x07 || t == 0x08)
		if inlined {
			e := make([]byte, offSize)
			copy(e, p)
			valueEntries = append(valueEntries, e...)
			continue
		}
		valueEntries = putOff(valueEntries, next)
		tail = append(tail, p...)
		next += len(p)
	}
	b := putOff(putOff(nil, n), header+len(tail))
	return append(append(append(b, keyEntries...), valueEntries...), tail...)
}

// jsonDecimal is an opaque DECIMAL: precision, scale, and the value in
// MySQL's binary decimal format (decimal2bin).
func jsonDecimal(lit string, precision, scale int) jOpaque {
	return jOpaque{typ: gmysql.MYSQL_TYPE_NEWDECIMAL, data: append([]byte{byte(precision), byte(scale)}, binaryDecimal(lit, precision, scale)...)}
}

func binaryDecimal(lit string, precision, scale int) []byte {
	digBytes := [10]int{0, 1, 1, 2, 2, 3, 3, 4, 4, 4}
	neg := strings.HasPrefix(lit, "-")
	ip, fp, _ := strings.Cut(strings.TrimPrefix(lit, "-"), ".")
	intg := precision - scale
	ip = strings.TrimLeft(ip, "0")
	ip = strings.Repeat("0", intg-len(ip)) + ip
	fp += strings.Repeat("0", scale-len(fp))
	var b []byte
	group := func(digits string) {
		var v uint64
		for _, c := range digits {
			v = v*10 + uint64(c-'0')
		}
		n := digBytes[len(digits)]
		for i := n - 1; i >= 0; i-- {
			b = append(b, byte(v>>(8*i)))
		}
	}
	if lead := intg % 9; lead > 0 {
		group(ip[:lead])
	}
	for i := intg % 9; i < intg; i += 9 {
		group(ip[i : i+9])
	}
	for i := 0; i+9 <= scale; i += 9 {
		group(fp[i : i+9])
	}
	if rest := scale % 9; rest > 0 {
		group(fp[scale-rest:])
	}
	if neg {
		for i := range b {
			b[i] = ^b[i]
		}
	}
	b[0] ^= 0x80
	return b
}

// packedDatetime is MySQL's TIME_to_longlong_datetime_packed, as JSON
// stores DATE, DATETIME and TIMESTAMP values (8 bytes, little-endian).
func packedDatetime(y, mo, d, h, mi, s, us int64) []byte {
	ymd := (y*13+mo)<<5 | d
	hms := h<<12 | mi<<6 | s
	return binary.LittleEndian.AppendUint64(nil, uint64((ymd<<17|hms)<<24+us))
}

// packedTime is TIME_to_longlong_time_packed.
func packedTime(neg bool, h, mi, s, us int64) []byte {
	v := (h<<12|mi<<6|s)<<24 + us
	if neg {
		v = -v
	}
	return binary.LittleEndian.AppendUint64(nil, uint64(v))
}

// jsonTable is (id INT PRIMARY KEY, j JSON NULL, jn JSON NOT NULL).
var jsonTable = []binlogCol{
	{name: "id", typ: gmysql.MYSQL_TYPE_LONG},
	{name: "j", typ: gmysql.MYSQL_TYPE_JSON, meta: []byte{4}, nullable: true},
	{name: "jn", typ: gmysql.MYSQL_TYPE_JSON, meta: []byte{4}},
}

func TestMySQLBinaryJSON(t *testing.T) {
	long := strings.Repeat("x", 200)     // 2-byte data-length
	longer := strings.Repeat("ab", 8200) // 3-byte data-length
	cases := []struct {
		name string
		doc  any
		want string // Debezium's JsonBinary.parseAsString
	}{
		{"object members in stored order (length, then bytes), no spaces",
			jObj{members: []jMember{{"b", jInt16(1)}, {"aa", jInt16(2)}, {"ccc", jArr{elems: []any{jTrue, jFalse, jNull}}}, {"", jStr("empty key")}}},
			`{"":"empty key","b":1,"aa":2,"ccc":[true,false,null]}`},
		{"integers",
			jArr{elems: []any{jInt16(-32768), jUint16(65535), jInt32(math.MinInt32), jUint32(math.MaxUint32),
				jInt64(math.MinInt64), jUint64(math.MaxUint64), jInt16(0)}},
			`[-32768,65535,-2147483648,4294967295,-9223372036854775808,18446744073709551615,0]`},
		// Double.toString, or new BigDecimal(d).toPlainString() (exact) where
		// toString would use an exponent (below 1e-3, from 1e7 up).
		{"doubles",
			jArr{elems: []any{jDouble(1), jDouble(math.Copysign(0, -1)), jDouble(1.5), jDouble(0.1), jDouble(9999999), jDouble(1e7),
				jDouble(123456789.125), jDouble(12345678.9), jDouble(0.001), jDouble(0.00099), jDouble(1e-7),
				jDouble(-2.5e-5), jDouble(1e22), jDouble(1e23)}},
			`[1.0,-0.0,1.5,0.1,9999999.0,10000000,123456789.125,12345678.90000000037252902984619140625,0.001,` +
				`0.0009899999999999999945876627549523618654347956180572509765625,` +
				`0.0000000999999999999999954748111825886258685613938723690807819366455078125,` +
				`-0.00002500000000000000119804340059648239957823534496128559112548828125,` +
				`10000000000000000000000,99999999999999991611392]`},
		// Only " \ and control characters are escaped, the latter as \b \t
		// \f \n \r or \u00XX in upper case hex; nothing else (/, <, U+2028).
		{"strings and escapes",
			jArr{elems: []any{jStr("quote\" backslash\\ slash/ <b>&amp; \u2028 é 😀"), jStr("\b\f\n\r\t\x00\x1f\x7f"), jStr(long), jStr(longer)}},
			`["quote\" backslash\\ slash/ <b>&amp; ` + "\u2028" + ` é 😀","\b\f\n\r\t\u0000\u001F` + "\x7f" + `","` + long + `","` + longer + `"]`},
		{"large containers, inlined int32 and nesting",
			jObj{large: true, members: []jMember{{"arr", jArr{elems: []any{jStr("x"), jObj{members: []jMember{{"z", jNull}}}}}},
				{"k", jInt32(-7)}, {"n", jUint16(7)}, {"big", jArr{large: true, elems: []any{jInt32(math.MaxInt32), jTrue, jStr("s")}}}}},
			`{"k":-7,"n":7,"arr":["x",{"z":null}],"big":[2147483647,true,"s"]}`},
		// Opaque values: DECIMAL as BigDecimal.toPlainString (the value's
		// scale), dates and times quoted with the fraction's trailing zeros
		// cut, anything else base64.
		{"opaque values",
			jArr{elems: []any{
				jsonDecimal("1234.50", 10, 2), jsonDecimal("-0.05", 5, 2), jsonDecimal("-12345678901234567890", 20, 0),
				jsonDecimal("123456789012345.000000000000001", 30, 15), jsonDecimal("0.000", 3, 3),
				jOpaque{gmysql.MYSQL_TYPE_DATE, packedDatetime(2024, 2, 29, 0, 0, 0, 0)},
				jOpaque{gmysql.MYSQL_TYPE_DATETIME, packedDatetime(2024, 2, 29, 13, 14, 15, 500000)},
				jOpaque{gmysql.MYSQL_TYPE_DATETIME, packedDatetime(1999, 12, 31, 23, 59, 59, 0)},
				jOpaque{gmysql.MYSQL_TYPE_DATETIME, packedDatetime(2024, 2, 29, 13, 14, 15, 1)},
				jOpaque{gmysql.MYSQL_TYPE_TIMESTAMP, packedDatetime(2038, 1, 19, 3, 14, 7, 123)},
				jOpaque{gmysql.MYSQL_TYPE_TIME, packedTime(false, 12, 34, 56, 123000)},
				jOpaque{gmysql.MYSQL_TYPE_TIME, packedTime(false, 838, 59, 59, 0)},
				jOpaque{gmysql.MYSQL_TYPE_BLOB, []byte{0xab, 0xcd, 0xef}},
				jOpaque{gmysql.MYSQL_TYPE_VAR_STRING, []byte("hi")},
				jOpaque{gmysql.MYSQL_TYPE_BIT, []byte{5}},
			}},
			`[1234.50,-0.05,-12345678901234567890,123456789012345.000000000000001,0.000,"2024-02-29",` +
				`"2024-02-29 13:14:15.5","1999-12-31 23:59:59","2024-02-29 13:14:15.000001","2038-01-19 03:14:07.000123",` +
				`"12:34:56.123","838:59:59","q83v","aGk=","BQ=="]`},
		{"scalar document: string", jStr("just a string"), `"just a string"`},
		{"scalar document: null", jNull, `null`},
		{"scalar document: int16", jInt16(42), `42`},
		{"scalar document: decimal", jsonDecimal("1.5", 2, 1), `1.5`},
		{"empty containers", jArr{elems: []any{jObj{}, jArr{}}}, `[{},[]]`},
		// Values Debezium garbles, written right (see mysqlJSONText).
		// Debezium's JsonBinary writes "01:00:00", "01:0-1:0-2.00000-5",
		// "2600-05-06 07:0-56:09" and, for the UINT32, nothing.
		{"not Debezium's: negative TIME, far DATETIME, inlined UINT32",
			jArr{large: true, elems: []any{
				jOpaque{gmysql.MYSQL_TYPE_TIME, packedTime(true, 1, 0, 0, 0)},
				jOpaque{gmysql.MYSQL_TYPE_TIME, packedTime(true, 0, 0, 1, 500000)},
				jOpaque{gmysql.MYSQL_TYPE_DATETIME, packedDatetime(2600, 5, 6, 7, 8, 9, 0)},
				jUint32(math.MaxUint32),
			}},
			`["-01:00:00","-00:00:01.5","2600-05-06 07:08:09",4294967295]`},
	}
	r := newMySQLRig(t, jsonTable, 0)
	for _, c := range r.tbl.Columns[1:] {
		if s := c.Schema; s.Type != change.String || s.Name != change.JSONName || s.Version != 1 || s.Optional != (c.Name == "j") {
			t.Errorf("column %s: schema %s %q v%d optional=%v, want an io.debezium.data.Json string", c.Name, s.Type, s.Name, s.Version, s.Optional)
		}
	}
	var images [][]byte
	for i, tc := range cases {
		doc := blobValue(jsonDoc(tc.doc))
		images = append(images, rowImage(int32Value(int32(i)), doc, doc))
	}
	// SQL NULL, and the empty value MySQL stores for '' in non-strict mode:
	// null where the column allows it, "{}" where it does not.
	images = append(images, rowImage(int32Value(100), nil, blobValue(nil)), rowImage(int32Value(101), blobValue(nil), blobValue(nil)))
	evs, err := r.rows(replication.WRITE_ROWS_EVENTv2, rowsBody(len(jsonTable), false, images...))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != len(cases)+2 {
		t.Fatalf("%d events, want %d", len(evs), len(cases)+2)
	}
	for i, tc := range cases {
		got := r.converted(evs[i].After)
		if got[1] != tc.want || got[2] != tc.want {
			t.Errorf("%s:\n got j=%v\n     jn=%v\nwant %s", tc.name, got[1], got[2], tc.want)
		}
	}
	// A signal table's data column prints the value (asString).
	if got := asString(evs[0].After[1]); got != cases[0].want {
		t.Errorf("JSON value printed as %q, want %q", got, cases[0].want)
	}
	for i, want := range [][]any{{int64(100), nil, "{}"}, {int64(101), nil, "{}"}} {
		if got := r.converted(evs[len(cases)+i].After); !reflect.DeepEqual(got, want) {
			t.Errorf("empty/NULL JSON row %d: %#v, want %#v", i, got, want)
		}
	}
}

// TestMySQLBinaryJSONCorrupt: a document Sluice cannot read is an error
// naming the column, never a made-up value.
func TestMySQLBinaryJSONCorrupt(t *testing.T) {
	good := jsonDoc(jObj{members: []jMember{{"a", jStr("b")}}})
	for name, doc := range map[string][]byte{
		"truncated":            good[:len(good)-1],
		"unknown type":         {0x0d, 0, 0},
		"bad literal":          {0x04, 0x07},
		"value offset outside": {0x02, 1, 0, 7, 0, 0x0c, 0xff, 0x00},
		"unknown opaque type":  {0x0f, 0x30, 1, 0},
	} {
		r := newMySQLRig(t, jsonTable, 0)
		evs, err := r.rows(replication.WRITE_ROWS_EVENTv2, rowsBody(3, false, rowImage(int32Value(1), blobValue(doc), blobValue(doc))))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := r.tbl.Columns[2].Convert(evs[0].After[2]); err == nil || !strings.Contains(err.Error(), `"jn"`) {
			t.Errorf("%s: NOT NULL column: err %v, want an error naming the column", name, err)
		}
	}
}

// TestMySQLPartialJSON: with binlog_row_value_options=PARTIAL_JSON MySQL
// logs JSON updates as diffs (PARTIAL_UPDATE_ROWS_EVENT). Debezium cannot
// use them (its documentation asks for binlog_row_value_options=""); Sluice
// must stop with that advice rather than write a wrong or null value.
func TestMySQLPartialJSON(t *testing.T) {
	r := newMySQLRig(t, jsonTable, 0)
	before := jsonDoc(jObj{members: []jMember{{"a", jInt16(1)}}})
	// Json_diff_vector: operation, path, value, as sql/json_diff.cc writes it.
	diff := []byte{0} // REPLACE
	diff = append(appendLenenc(diff, 3), "$.a"...)
	v := jsonDoc(jInt16(2))
	diff = append(appendLenenc(diff, uint64(len(v))), v...)
	bi := rowImage(int32Value(1), blobValue(before), blobValue(before))
	ai := appendLenenc(nil, 1) // binlog_row_value_options: PARTIAL_JSON
	ai = append(ai, 0b01)      // partial bits of the JSON columns: j is a diff
	ai = append(ai, rowImage(int32Value(1), blobValue(diff), blobValue(before))...)
	_, err := r.rows(replication.PARTIAL_UPDATE_ROWS_EVENT, rowsBody(3, true, bi, ai))
	if !fault.IsDefinite(err) || !strings.Contains(err.Error(), "binlog_row_value_options") {
		t.Fatalf("partial JSON update: err %v, want a definite error pointing at binlog_row_value_options", err)
	}
	// A full update of the same table is fine.
	after := jsonDoc(jObj{members: []jMember{{"a", jInt16(2)}}})
	evs, err := r.rows(replication.UPDATE_ROWS_EVENTv2, rowsBody(3, true, bi, rowImage(int32Value(1), blobValue(after), blobValue(after))))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.converted(evs[0].After); got[1] != `{"a":2}` || r.converted(evs[0].Before)[1] != `{"a":1}` {
		t.Errorf("full JSON update: after %v", got)
	}
}

// --- spatial ---

// TestMySQLGeometryRows: GEOMETRY values are a 4-byte SRID and WKB.
// Debezium emits io.debezium.data.geometry.Geometry {wkb, srid} (srid null
// when 0) for every type but POINT, which is io.debezium.data.geometry.Point
// {x, y, wkb, srid}; the WKB is the binlog's, unchanged.
func TestMySQLGeometryRows(t *testing.T) {
	pointWKB := []byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 4, 0xc0} // POINT(1.5 -2.5)
	lineWKB := []byte{1, 2, 0, 0, 0, 2, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f} // LINESTRING(0 0,1 1)
	srid := func(id uint32, wkb []byte) []byte { return append(binary.LittleEndian.AppendUint32(nil, id), wkb...) }
	cols := []binlogCol{
		{name: "id", typ: gmysql.MYSQL_TYPE_LONG},
		{name: "g", typ: gmysql.MYSQL_TYPE_GEOMETRY, meta: []byte{4}, nullable: true, geometry: 0},
		{name: "p", typ: gmysql.MYSQL_TYPE_GEOMETRY, meta: []byte{4}, geometry: 1},
		{name: "l", typ: gmysql.MYSQL_TYPE_GEOMETRY, meta: []byte{4}, nullable: true, geometry: 2},
	}
	r := newMySQLRig(t, cols, 0)
	g, p, l := r.tbl.Columns[1].Schema, r.tbl.Columns[2].Schema, r.tbl.Columns[3].Schema
	for _, s := range []*change.Schema{g, l} {
		if s.Name != change.GeometryName || !s.Optional || len(s.Fields) != 2 || s.Fields[0].Name != "wkb" || s.Fields[1].Name != "srid" {
			t.Errorf("geometry schema %+v", s)
		}
	}
	if p.Name != mysqltypes.PointName || p.Optional || len(p.Fields) != 4 || p.Fields[0].Name != "x" || p.Fields[1].Name != "y" || p.Fields[2].Name != "wkb" || p.Fields[3].Name != "srid" {
		t.Errorf("point schema %+v", p)
	}
	evs, err := r.rows(replication.WRITE_ROWS_EVENTv2, rowsBody(len(cols), false,
		rowImage(int32Value(1), blobValue(srid(4326, pointWKB)), blobValue(srid(0, pointWKB)), blobValue(srid(3857, lineWKB))),
		rowImage(int32Value(2), nil, blobValue(srid(4326, pointWKB)), nil)))
	if err != nil {
		t.Fatal(err)
	}
	vals := func(v any) []any {
		if v == nil {
			return nil
		}
		return v.(*change.Value).Values
	}
	row := r.converted(evs[0].After)
	if got, want := vals(row[1]), []any{pointWKB, int64(4326)}; !reflect.DeepEqual(got, want) {
		t.Errorf("geometry holding a point: %v, want %v", got, want)
	}
	if got, want := vals(row[2]), []any{1.5, -2.5, pointWKB, nil}; !reflect.DeepEqual(got, want) {
		t.Errorf("point with SRID 0: %v, want %v", got, want)
	}
	if got, want := vals(row[3]), []any{lineWKB, int64(3857)}; !reflect.DeepEqual(got, want) {
		t.Errorf("linestring: %v, want %v", got, want)
	}
	row = r.converted(evs[1].After)
	if row[1] != nil || row[3] != nil {
		t.Errorf("NULL geometries: %v %v", row[1], row[3])
	}
	if got, want := vals(row[2]), []any{1.5, -2.5, pointWKB, int64(4326)}; !reflect.DeepEqual(got, want) {
		t.Errorf("point: %v, want %v", got, want)
	}
}

// --- TIME2, DATETIME2, TIMESTAMP2 ---

// fracBytes is the fractional part MySQL appends for precision dec:
// hundredths in 1 byte, 1/10000 s in 2, microseconds in 3, big-endian.
func fracBytes(dec int, frac int64) []byte {
	switch dec {
	case 1, 2:
		return []byte{byte(int8(frac / 10000))}
	case 3, 4:
		return binary.BigEndian.AppendUint16(nil, uint16(int16(frac/100)))
	case 5, 6:
		return []byte{byte(frac >> 16), byte(frac >> 8), byte(frac)}
	}
	return nil
}

// time2Value is my_time_packed_to_binary: the packed TIME's integer part
// (arithmetic shift) offset by 0x800000 in 3 big-endian bytes, then the
// fraction (C remainder, so negative for negative times); 6 bytes for
// precision 5 and 6.
func time2Value(dec int, neg bool, h, mi, s, us int64) []byte {
	packed := (h<<12|mi<<6|s)<<24 + us
	if neg {
		packed = -packed
	}
	if dec >= 5 {
		v := packed + 0x800000000000
		return []byte{byte(v >> 40), byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	}
	ip := packed>>24 + 0x800000
	return append([]byte{byte(ip >> 16), byte(ip >> 8), byte(ip)}, fracBytes(dec, packed%(1<<24))...)
}

// datetime2Value is my_datetime_packed_to_binary: 5 bytes of packed
// date and time offset by 0x8000000000, then the fraction.
func datetime2Value(dec int, y, mo, d, h, mi, s, us int64) []byte {
	ip := (y*13+mo)<<22 | d<<17 | h<<12 | mi<<6 | s
	ip += 0x8000000000
	return append([]byte{byte(ip >> 32), byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)}, fracBytes(dec, us)...)
}

// timestamp2Value is my_timestamp_to_binary: seconds since the epoch in 4
// big-endian bytes, then the fraction.
func timestamp2Value(dec int, sec, us int64) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(sec)), fracBytes(dec, us)...)
}

func TestMySQLTemporalRows(t *testing.T) {
	type temporal struct {
		col   binlogCol
		value []byte
		want  any // Debezium's value with the default (adaptive_time_microseconds) mode
	}
	col := func(name string, typ byte, dec int) binlogCol {
		return binlogCol{name: name, typ: typ, meta: []byte{byte(dec)}, nullable: true}
	}
	cases := []temporal{
		// TIME2 -> io.debezium.time.MicroTime (RowDeserializers.deserializeTimeV2).
		{col("t0", gmysql.MYSQL_TYPE_TIME2, 0), time2Value(0, false, 838, 59, 59, 0), int64(3020399000000)},
		{col("t0n", gmysql.MYSQL_TYPE_TIME2, 0), time2Value(0, true, 838, 59, 59, 0), int64(-3020399000000)},
		{col("t1n", gmysql.MYSQL_TYPE_TIME2, 1), time2Value(1, true, 0, 0, 0, 500000), int64(-500000)},
		{col("t2n", gmysql.MYSQL_TYPE_TIME2, 2), time2Value(2, true, 0, 0, 1, 500000), int64(-1500000)},
		{col("t2w", gmysql.MYSQL_TYPE_TIME2, 2), time2Value(2, true, 0, 0, 1, 0), int64(-1000000)},
		{col("t3n", gmysql.MYSQL_TYPE_TIME2, 3), time2Value(3, true, 12, 34, 56, 789000), int64(-45296789000)},
		{col("t4", gmysql.MYSQL_TYPE_TIME2, 4), time2Value(4, false, 23, 59, 59, 999900), int64(86399999900)},
		{col("t5n", gmysql.MYSQL_TYPE_TIME2, 5), time2Value(5, true, 838, 59, 58, 999990), int64(-3020398999990)},
		{col("t6n", gmysql.MYSQL_TYPE_TIME2, 6), time2Value(6, true, 0, 0, 1, 1), int64(-1000001)},
		{col("t6", gmysql.MYSQL_TYPE_TIME2, 6), time2Value(6, false, 0, 0, 0, 0), int64(0)},
		// DATETIME2 -> io.debezium.time.Timestamp (ms, precision 0-3) or
		// MicroTimestamp (4-6): the wall clock as UTC.
		{col("dt0", gmysql.MYSQL_TYPE_DATETIME2, 0), datetime2Value(0, 1969, 12, 31, 23, 59, 59, 0), int64(-1000)},
		{col("dt2", gmysql.MYSQL_TYPE_DATETIME2, 2), datetime2Value(2, 2024, 2, 29, 13, 14, 15, 120000), int64(1709212455120)},
		{col("dt3", gmysql.MYSQL_TYPE_DATETIME2, 3), datetime2Value(3, 2024, 2, 29, 13, 14, 15, 123000), int64(1709212455123)},
		{col("dt4", gmysql.MYSQL_TYPE_DATETIME2, 4), datetime2Value(4, 1000, 1, 1, 0, 0, 0, 100), int64(-30610223999999900)},
		{col("dt6", gmysql.MYSQL_TYPE_DATETIME2, 6), datetime2Value(6, 2024, 2, 29, 13, 14, 15, 123456), int64(1709212455123456)},
		{col("dt6z", gmysql.MYSQL_TYPE_DATETIME2, 6), datetime2Value(6, 0, 0, 0, 0, 0, 0, 0), nil},
		{col("dt1a", gmysql.MYSQL_TYPE_DATETIME2, 1), datetime2Value(1, 69, 6, 15, 0, 0, 0, 500000), int64(3138480000500)}, // year adjusted to 2069
		// TIMESTAMP2 -> io.debezium.time.ZonedTimestamp, UTC, with the
		// column's precision.
		{col("ts0", gmysql.MYSQL_TYPE_TIMESTAMP2, 0), timestamp2Value(0, 2147483647, 0), "2038-01-19T03:14:07Z"},
		{col("ts3", gmysql.MYSQL_TYPE_TIMESTAMP2, 3), timestamp2Value(3, 1, 500000), "1970-01-01T00:00:01.500Z"},
		{col("ts6", gmysql.MYSQL_TYPE_TIMESTAMP2, 6), timestamp2Value(6, 1704164645, 123456), "2024-01-02T03:04:05.123456Z"},
		{col("ts6z", gmysql.MYSQL_TYPE_TIMESTAMP2, 6), timestamp2Value(6, 0, 0), nil},
	}
	cols := []binlogCol{{name: "id", typ: gmysql.MYSQL_TYPE_LONG}}
	values := [][]byte{int32Value(1)}
	for _, c := range cases {
		cols = append(cols, c.col)
		values = append(values, c.value)
	}
	r := newMySQLRig(t, cols, 0)
	evs, err := r.rows(replication.WRITE_ROWS_EVENTv2, rowsBody(len(cols), false, rowImage(values...)))
	if err != nil {
		t.Fatal(err)
	}
	got := r.converted(evs[0].After)
	for i, c := range cases {
		if !reflect.DeepEqual(got[i+1], c.want) {
			t.Errorf("%s (decoded %#v): %#v, want %#v", c.col.name, evs[0].After[i+1], got[i+1], c.want)
		}
	}
	// The schemas the precisions call for.
	for _, w := range []struct {
		col  int
		name string
	}{{1, change.MicroTimeName}, {11, change.TimestampName}, {13, change.TimestampName}, {14, change.MicroTimestampName}, {18, change.ZonedTimestampName}} {
		if s := r.tbl.Columns[w.col].Schema; s.Name != w.name {
			t.Errorf("column %s: schema %q, want %q", r.tbl.Columns[w.col].Name, s.Name, w.name)
		}
	}
}

// --- GTIDs ---

const (
	gtidUUID  = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
	gtidUUID2 = "05a0b9c8-0000-11ee-8000-000000000001"
)

// gtidEvent is a GTID_LOG_EVENT body (MySQL 8.0): flags, SID, GNO,
// logical timestamps, commit timestamp, transaction length, server version.
func gtidEvent(sid string, gno int64) []byte {
	b := []byte{1}
	b = append(b, uuidBytes(sid)...)
	b = binary.LittleEndian.AppendUint64(b, uint64(gno))
	b = append(b, 2) // LOGICAL_TIMESTAMP_TYPECODE
	b = binary.LittleEndian.AppendUint64(b, uint64(gno-1))
	b = binary.LittleEndian.AppendUint64(b, uint64(gno))
	b = append(b, 0x40, 0x42, 0x0f, 0, 0, 0, 0) // immediate commit timestamp, no original
	b = appendLenenc(b, 300)
	return binary.LittleEndian.AppendUint32(b, 80036)
}

func uuidBytes(s string) []byte {
	var b []byte
	hex := strings.ReplaceAll(s, "-", "")
	for i := 0; i < len(hex); i += 2 {
		var v byte
		for _, c := range hex[i : i+2] {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= byte(c - '0')
			default:
				v |= byte(c-'a') + 10
			}
		}
		b = append(b, v)
	}
	return b
}

// serializationVarlen is mysql::serialization's varlen_integer_format: the
// count of trailing one bits of the first byte is the byte count minus one.
func serializationVarlen(payload uint64) []byte {
	n := 1
	for n < 8 && payload >= 1<<(7*n) {
		n++
	}
	v := payload<<n | (1<<(n-1) - 1)
	return binary.LittleEndian.AppendUint64(nil, v)[:n]
}

// taggedGTIDEvent is a GTID_TAGGED_LOG_EVENT body (MySQL 8.3+): a
// mysql::serialization message of the tagged GTID's fields.
func taggedGTIDEvent(sid, tag string, gno int64) []byte {
	fixed := func(b []byte) []byte { // fixlen_integer_format
		var out []byte
		for _, c := range b {
			switch {
			case c < 0x80:
				out = append(out, c<<1)
			case c < 0xc0:
				out = append(out, (c-0x80)<<2|1, 2)
			default:
				out = append(out, (c-0xc0)<<2|1, 3)
			}
		}
		return out
	}
	signed := func(v int64) []byte { return serializationVarlen(uint64(v) << 1) } // v >= 0
	fields := [][]byte{
		0:  fixed([]byte{1}),
		1:  fixed(uuidBytes(sid)),
		2:  signed(gno),
		3:  append([]byte{byte(len(tag) << 1)}, tag...),
		4:  signed(gno - 1),
		5:  signed(gno),
		6:  serializationVarlen(1000000),
		8:  serializationVarlen(300),
		9:  serializationVarlen(80400),
		10: nil, 11: nil,
	}
	var body []byte
	for id, f := range fields {
		if f != nil {
			body = append(append(body, byte(id<<1)), f...)
		}
	}
	return append([]byte{0, byte(len(body)+2) << 1, 9 << 1}, body...)
}

// TestMySQLGTIDOffsets: GTID events, as the streamer reads them, make the
// offset's gtids the set of completed transactions. Debezium keeps its set
// with the binlog client's GtidSet (intervals merged; a single transaction
// written "n-n"; sources in the order first seen); Sluice with go-mysql's
// (single transactions "n", sources sorted). Both read either form, so the
// expected strings are Sluice's, checked to be the set Debezium's names.
func TestMySQLGTIDOffsets(t *testing.T) {
	s := NewStreamer(server.New(server.Config{Flavor: "mysql", TopicPrefix: "srv", ServerID: 99}), nil)
	s.cfg.ServerFlavor = "mysql"
	feed := newBinlogFeed(t, s)
	// A stored offset, in upper case as some tools write UUIDs.
	gset, err := gmysql.ParseGTIDSet("mysql", strings.ToUpper(gtidUUID)+":1-5")
	if err != nil {
		t.Fatal(err)
	}
	st := &txnState{file: "binlog.000001", gset: gset}
	// commit plays a transaction as streamOnce does: the GTID event, then
	// the XID event that ends it.
	commit := func(gtid *replication.BinlogEvent) (offsets.MySQL, string) {
		t.Helper()
		var err error
		switch e := gtid.Event.(type) {
		case *replication.GTIDEvent:
			err = st.startGTID(e, gtid.Header)
		case *replication.GtidTaggedLogEvent:
			err = st.startGTID(&e.GTIDEvent, gtid.Header)
		default:
			t.Fatalf("%T is not a GTID event", gtid.Event)
		}
		if err != nil {
			t.Fatal(err)
		}
		open := st.gtid
		xid := feed.event(replication.XID_EVENT, binary.LittleEndian.AppendUint64(nil, 7))
		return s.commit(st, xid.Header).Position.(offsets.MySQL), open
	}
	for _, step := range []struct {
		event    *replication.BinlogEvent
		gtid     string // source.gtid of the transaction's rows
		want     string
		debezium string
	}{
		{feed.event(replication.GTID_EVENT, gtidEvent(gtidUUID, 6)), gtidUUID + ":6", gtidUUID + ":1-6", gtidUUID + ":1-6"},
		{feed.event(replication.GTID_EVENT, gtidEvent(gtidUUID, 8)), gtidUUID + ":8", gtidUUID + ":1-6:8", gtidUUID + ":1-6:8-8"},
		{feed.event(replication.GTID_EVENT, gtidEvent(gtidUUID, 7)), gtidUUID + ":7", gtidUUID + ":1-8", gtidUUID + ":1-8"},
		{feed.event(replication.GTID_EVENT, gtidEvent(gtidUUID2, 1)), gtidUUID2 + ":1", gtidUUID2 + ":1," + gtidUUID + ":1-8", gtidUUID + ":1-8," + gtidUUID2 + ":1-1"},
		// MySQL 8.3 tagged GTIDs (uuid:tag:n) are transactions like any other.
		{feed.event(replication.GTID_TAGGED_LOG_EVENT, taggedGTIDEvent(gtidUUID, "Blue", 1)), gtidUUID + ":blue:1",
			gtidUUID2 + ":1," + gtidUUID + ":1-8:blue:1", ""},
	} {
		pos, open := commit(step.event)
		if open != step.gtid || pos.GTIDs != step.want {
			t.Errorf("after %s: source.gtid %q, offset gtids %q; want %q, %q", step.gtid, open, pos.GTIDs, step.gtid, step.want)
		}
		if step.debezium != "" {
			dbz, err := gmysql.ParseGTIDSet("mysql", step.debezium)
			if err != nil {
				t.Fatal(err)
			}
			if !dbz.Equal(st.gset) {
				t.Errorf("after %s: offset %q is not the set Debezium stores, %q", step.gtid, pos.GTIDs, step.debezium)
			}
		}
		if pos.File != "binlog.000001" || pos.Pos != uint64(feed.pos) {
			t.Errorf("after %s: offset at %s:%d, want binlog.000001:%d", step.gtid, pos.File, pos.Pos, feed.pos)
		}
	}
	// gtid_mode=OFF: an ANONYMOUS_GTID_LOG_EVENT opens each transaction.
	// Debezium does not treat it as a GTID: source.gtid is null.
	st = &txnState{file: "binlog.000001"}
	if _, open := commit(feed.event(replication.ANONYMOUS_GTID_EVENT, gtidEvent("00000000-0000-0000-0000-000000000000", 0))); open != "" {
		t.Errorf("anonymous GTID: source.gtid %q, want none", open)
	}
}

// TestMySQLStoredGTIDs: the offset a stream starts from, as Debezium or
// MySQL writes it, is read as the same set.
func TestMySQLStoredGTIDs(t *testing.T) {
	for _, stored := range []string{
		gtidUUID + ":1-5:7-7," + gtidUUID2 + ":1-1",                // Debezium
		strings.ToUpper(gtidUUID2) + ":1,\n" + gtidUUID + ":1-5:7", // @@gtid_executed
	} {
		gs, err := gmysql.ParseGTIDSet("mysql", stored)
		if err != nil {
			t.Fatalf("%q: %v", stored, err)
		}
		if got, want := gs.String(), gtidUUID2+":1,"+gtidUUID+":1-5:7"; got != want {
			t.Errorf("%q read as %q, want %q", stored, got, want)
		}
	}
}

func ifElse[T any](cond bool, yes, no T) T {
	if cond {
		return yes
	}
	return no
}

// TestRowsDecoderCopiesTableMapUnderTheTrackersLock decodes rows of an
// all-signed table (the decoder copies its TABLE_MAP to drop the
// signedness bitmap) while another goroutine reads the same TABLE_MAP's
// column names as the table tracker does, which fills them in lazily: under
// -race, a copy made without the tracker's lock is a reported data race.
// The rows must still decode as signed.
func TestRowsDecoderCopiesTableMapUnderTheTrackersLock(t *testing.T) {
	r := newMySQLRig(t, []binlogCol{{name: "id", typ: gmysql.MYSQL_TYPE_LONG}, {name: "n", typ: gmysql.MYSQL_TYPE_LONG, nullable: true}}, 0)
	for i := range 20 {
		tm := r.nextTableMap() // a new TABLE_MAP each time: the decoder copies it again
		done := make(chan struct{})
		go func() {
			defer close(done)
			r.s.tables.tmMu.Lock()
			defer r.s.tables.tmMu.Unlock()
			defsFromTableMap(tm, nil)
		}()
		ev := r.feed.event(replication.WRITE_ROWS_EVENTv2, rowsBody(2, false, rowImage(int32Value(int32(i)), int32Value(-7))))
		<-done
		re, ok := ev.Event.(*replication.RowsEvent)
		if !ok || re.Table != tm {
			t.Fatalf("rows event %d: %T, not a RowsEvent on the TABLE_MAP just fed", i, ev.Event)
		}
		if got := re.Rows[0]; got[0] != int32(i) || got[1] != int32(-7) {
			t.Fatalf("rows event %d decoded as %#v, want [%d -7] (signed)", i, got, i)
		}
	}
}
