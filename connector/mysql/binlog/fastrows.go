package binlog

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"
	"unsafe"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/box"
)

// The rows decoder reads the row images of a table whose every column is of
// a common kind (fastKind) itself, instead of through go-mysql: go-mysql
// boxes every value into an allocation of its own (a 40-column update is
// about 80 of them), a DECIMAL or DATETIME read packed twice (the integer,
// then the packed value replacing it), and calls a function and a type
// switch per value. Here values are boxed into arrays shared by many rows
// (package box), integers of every size as the int64 the converters keep,
// and a row's cells are cut from one array too. The values are otherwise
// go-mysql's: strings point into the event's bytes as go-mysql's do, FLOATs
// are float32, DECIMALs of at most 8 packed bytes and DATETIMEs the
// *mysqltypes.PackedDecimal and *PackedDatetime the slow path makes, TIMEs
// and DATEs go-mysql's text, BIT, ENUM and SET columns go-mysql's integers,
// MySQL's JSON the mysqlJSON bytes the slow path wraps.
//
// Anything else goes to go-mysql as before: a table with a column of
// another type (a DECIMAL of over 18 digits, the pre-5.6 TIME, DATETIME and
// TIMESTAMP, VECTOR), a partial row image (binlog_row_image other than FULL, which
// the stream refuses with go-mysql's SkippedColumns), MariaDB's compressed
// and MySQL's partial-JSON rows events, and a parser that did not say which
// event it parses (fastEvent).

type fastKind uint8

const (
	fkInt8 fastKind = iota + 1
	fkInt16
	fkInt24
	fkInt32
	fkInt64
	fkFloat32
	fkFloat64
	fkDecimal  // NEWDECIMAL of at most 8 packed bytes
	fkDatetime // DATETIME2
	fkStr1     // VARCHAR or CHAR whose length takes one byte
	fkStr2     // ... two bytes
	fkBlob     // BLOB or TEXT whose length takes size bytes
	fkDate     // DATE, as go-mysql's text
	fkTimestamp
	fkYear
	fkBit  // BIT of size bytes, as go-mysql's big-endian int64
	fkEnum // ENUM of size (1 or 2) bytes: its index
	fkSet  // SET of size bytes: its bits, little-endian
	fkTime // TIME2, as go-mysql's text
	fkJSON // MySQL's binary JSON, whose length takes size bytes
	// fkDecimalText is a NEWDECIMAL too wide to read packed (over 18
	// digits), as go-mysql's text.
	fkDecimalText
)

type fastCol struct {
	kind             fastKind
	unsigned         bool  // an integer the binlog marks unsigned
	size             uint8 // packed bytes: a DECIMAL's, DATETIME's, TIMESTAMP's; a BLOB's length bytes
	precision, scale uint8 // a DECIMAL's; a DATETIME's or TIMESTAMP's fraction digits in scale
}

// fastPlan is the columns of tm as the decoder reads them, or nil when
// go-mysql must (a column of another kind). Integers the binlog's
// signedness metadata marks unsigned are read unsigned, as go-mysql reads
// them (its UnsignedMap).
func fastPlan(tm *replication.TableMapEvent) []fastCol {
	if len(tm.ColumnMeta) != len(tm.ColumnType) {
		return nil
	}
	unsigned := tm.UnsignedMap()
	cols := make([]fastCol, len(tm.ColumnType))
	for i, t := range tm.ColumnType {
		meta := tm.ColumnMeta[i]
		c := &cols[i]
		c.unsigned = unsigned[i]
		switch t {
		case gmysql.MYSQL_TYPE_TINY:
			c.kind = fkInt8
		case gmysql.MYSQL_TYPE_SHORT:
			c.kind = fkInt16
		case gmysql.MYSQL_TYPE_INT24:
			c.kind = fkInt24
		case gmysql.MYSQL_TYPE_LONG:
			c.kind = fkInt32
		case gmysql.MYSQL_TYPE_LONGLONG:
			c.kind = fkInt64
		case gmysql.MYSQL_TYPE_FLOAT:
			c.kind = fkFloat32
		case gmysql.MYSQL_TYPE_DOUBLE:
			c.kind = fkFloat64
		case gmysql.MYSQL_TYPE_NEWDECIMAL:
			precision, scale := int(meta>>8), int(meta&0xFF)
			if scale > precision || precision < 1 || precision > 65 {
				return nil
			}
			n := mysqltypes.PackedDecimalSize(precision, scale)
			c.kind, c.size, c.precision, c.scale = fkDecimal, uint8(n), uint8(precision), uint8(scale)
			if precision > 18 || n > 8 {
				c.kind = fkDecimalText
			}
		case gmysql.MYSQL_TYPE_DATETIME2:
			if meta > 6 {
				return nil
			}
			c.kind, c.size, c.scale = fkDatetime, uint8(mysqltypes.PackedDatetimeSize(int(meta))), uint8(meta)
		case gmysql.MYSQL_TYPE_TIMESTAMP2:
			if meta > 6 {
				return nil
			}
			c.kind, c.size, c.scale = fkTimestamp, uint8(4+(meta+1)/2), uint8(meta)
		case gmysql.MYSQL_TYPE_DATE:
			c.kind = fkDate
		case gmysql.MYSQL_TYPE_YEAR:
			c.kind = fkYear
		case gmysql.MYSQL_TYPE_BLOB, gmysql.MYSQL_TYPE_GEOMETRY, gmysql.MYSQL_TYPE_JSON:
			if meta < 1 || meta > 4 {
				return nil
			}
			c.kind, c.size = fkBlob, uint8(meta)
			if t == gmysql.MYSQL_TYPE_JSON {
				c.kind = fkJSON
			}
		case gmysql.MYSQL_TYPE_BIT:
			n := (int(meta>>8)*8 + int(meta&0xFF) + 7) / 8
			if n < 1 || n > 8 {
				return nil
			}
			c.kind, c.size = fkBit, uint8(n)
		case gmysql.MYSQL_TYPE_TIME2:
			if meta > 6 {
				return nil
			}
			c.kind, c.size, c.scale = fkTime, uint8(3+(meta+1)/2), uint8(meta)
		case gmysql.MYSQL_TYPE_VARCHAR, gmysql.MYSQL_TYPE_VAR_STRING:
			c.kind = strKind(int(meta))
		case gmysql.MYSQL_TYPE_STRING:
			// CHAR, and ENUM and SET, which MySQL logs as STRING with the
			// real type in the metadata (go-mysql's decodeValue).
			length, real := int(meta), byte(gmysql.MYSQL_TYPE_STRING)
			if meta >= 256 {
				b0, b1 := byte(meta>>8), byte(meta)
				if b0&0x30 != 0x30 {
					length, real = int(uint16(b1)|uint16((b0&0x30)^0x30)<<4), b0|0x30
				} else {
					length, real = int(b1), b0
				}
			}
			switch n := meta & 0xFF; {
			case real == gmysql.MYSQL_TYPE_STRING:
				c.kind = strKind(length)
			case real == gmysql.MYSQL_TYPE_ENUM && (n == 1 || n == 2):
				c.kind, c.size = fkEnum, uint8(n)
			case real == gmysql.MYSQL_TYPE_SET && n >= 1 && n <= 8:
				c.kind, c.size = fkSet, uint8(n)
			default:
				return nil
			}
		default:
			return nil
		}
	}
	return cols
}

// strKind is the kind of a string column of at most max bytes.
func strKind(max int) fastKind {
	if max < 256 {
		return fkStr1
	}
	return fkStr2
}

// fastEvent says whether the decoder reads events of type t itself: the
// plain rows events of MariaDB (v1) and MySQL (v2).
func fastEvent(t replication.EventType) bool {
	switch t {
	case replication.WRITE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv1, replication.DELETE_ROWS_EVENTv1,
		replication.WRITE_ROWS_EVENTv2, replication.UPDATE_ROWS_EVENTv2, replication.DELETE_ROWS_EVENTv2:
		return true
	}
	return false
}

// fullImage reports whether bitmap (a rows event's columns-present bitmap)
// names all n columns.
func fullImage(bitmap []byte, n int) bool {
	if len(bitmap) < (n+7)/8 {
		return false
	}
	for i := 0; i < n; i++ {
		if bitmap[i>>3]&(1<<(i&7)) == 0 {
			return false
		}
	}
	return true
}

// fastChunk is how many values one of the arrays the decoder boxes into
// holds: an array stays alive while any of its values is, so a large one
// could hold many records' memory.
const fastChunk = 1024

// fastBoxes are the arrays the decoder's values live in. They are the
// decoder's, used from its one goroutine, and go on from event to event:
// a value is never written again once handed out.
type fastBoxes struct {
	ints     *box.Arena[int64]
	f32      *box.Arena[float32]
	f64      *box.Arena[float64]
	strs     *box.Arena[string]
	blobs    *box.Arena[[]byte]
	times    *box.Arena[time.Time]
	jsons    *box.Arena[mysqlJSON]
	decs     []mysqltypes.PackedDecimal
	datetime []mysqltypes.PackedDatetime
	cells    box.Cells
	text     box.Text // the bytes of the strings made here (DATEs, TIMEs, DECIMALs)
}

func newFastBoxes() *fastBoxes {
	return &fastBoxes{ints: box.NewArena[int64](fastChunk), f32: box.NewArena[float32](fastChunk),
		f64: box.NewArena[float64](fastChunk), strs: box.NewArena[string](fastChunk),
		blobs: box.NewArena[[]byte](fastChunk), times: box.NewArena[time.Time](fastChunk),
		jsons: box.NewArena[mysqlJSON](fastChunk), cells: box.Cells{Chunk: fastChunk},
		text: box.Text{Chunk: 8 * fastChunk}}
}

// textOf boxes the string that write appends (at most 32 bytes).
func (b *fastBoxes) textOf(write func([]byte) []byte) any {
	return b.strs.Box(b.text.Append(32, write))
}

func (b *fastBoxes) decimal(d mysqltypes.PackedDecimal) *mysqltypes.PackedDecimal {
	if len(b.decs) == cap(b.decs) {
		b.decs = make([]mysqltypes.PackedDecimal, 0, fastChunk)
	}
	b.decs = append(b.decs, d)
	return &b.decs[len(b.decs)-1]
}

func (b *fastBoxes) datetimeOf(d mysqltypes.PackedDatetime) *mysqltypes.PackedDatetime {
	if len(b.datetime) == cap(b.datetime) {
		b.datetime = make([]mysqltypes.PackedDatetime, 0, fastChunk)
	}
	b.datetime = append(b.datetime, d)
	return &b.datetime[len(b.datetime)-1]
}

// decodeFast decodes the row images of e (its header decoded: data[pos:]
// is the rows) against cols into e.Rows. An image that runs past the
// event's end is an error, as go-mysql's is.
func (b *fastBoxes) decodeFast(e *replication.RowsEvent, data []byte, cols []fastCol) error {
	images := 1
	if e.ColumnBitmap2 != nil {
		images = 2
	}
	n := len(cols)
	nullBytes := (n + 7) / 8
	e.Rows, e.SkippedColumns = e.Rows[:0], nil
	for pos := 0; pos < len(data); {
		for range images {
			if len(data)-pos < nullBytes {
				return fastTruncated(e, pos)
			}
			nulls := data[pos : pos+nullBytes]
			pos += nullBytes
			row := b.cells.Cut(n)
			for i := range cols {
				if nulls[i>>3]&(1<<(i&7)) != 0 {
					continue // SQL NULL: the cell stays nil
				}
				v, size, ok := b.value(&cols[i], data[pos:])
				if !ok {
					return fastTruncated(e, pos)
				}
				row[i] = v
				pos += size
			}
			e.Rows = append(e.Rows, row)
		}
	}
	return nil
}

// value decodes one value of column c at the start of data: the value,
// the bytes it took, and false when data ends first.
func (b *fastBoxes) value(c *fastCol, data []byte) (any, int, bool) {
	switch c.kind {
	case fkInt8:
		if len(data) < 1 {
			return nil, 0, false
		}
		if c.unsigned {
			return b.ints.Box(int64(data[0])), 1, true
		}
		return b.ints.Box(int64(int8(data[0]))), 1, true
	case fkInt16:
		if len(data) < 2 {
			return nil, 0, false
		}
		u := binary.LittleEndian.Uint16(data)
		if c.unsigned {
			return b.ints.Box(int64(u)), 2, true
		}
		return b.ints.Box(int64(int16(u))), 2, true
	case fkInt24:
		if len(data) < 3 {
			return nil, 0, false
		}
		u := uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16
		if c.unsigned {
			return b.ints.Box(int64(u)), 3, true
		}
		return b.ints.Box(int64(int32(u<<8) >> 8)), 3, true
	case fkInt32:
		if len(data) < 4 {
			return nil, 0, false
		}
		u := binary.LittleEndian.Uint32(data)
		if c.unsigned {
			return b.ints.Box(int64(u)), 4, true
		}
		return b.ints.Box(int64(int32(u))), 4, true
	case fkYear:
		if len(data) < 1 {
			return nil, 0, false
		}
		year := int64(data[0])
		if year != 0 {
			year += 1900
		}
		return b.ints.Box(year), 1, true
	case fkDate:
		if len(data) < 3 {
			return nil, 0, false
		}
		return b.textOf(func(t []byte) []byte { return appendDate(t, uint32(data[0])|uint32(data[1])<<8|uint32(data[2])<<16) }), 3, true
	case fkTimestamp:
		return b.timestamp(c, data)
	case fkBlob:
		v, n, ok := blob(data, int(c.size))
		if !ok {
			return nil, 0, false
		}
		return b.blobs.Box(v), n, true
	case fkBit, fkSet:
		n := int(c.size)
		if len(data) < n {
			return nil, 0, false
		}
		if c.kind == fkBit {
			u, _ := bigEndian(data, n)
			return b.ints.Box(int64(u)), n, true
		}
		var u uint64
		for i := n - 1; i >= 0; i-- {
			u = u<<8 | uint64(data[i])
		}
		return b.ints.Box(int64(u)), n, true
	case fkEnum:
		if len(data) < int(c.size) {
			return nil, 0, false
		}
		if c.size == 1 {
			return b.ints.Box(int64(data[0])), 1, true
		}
		return b.ints.Box(int64(binary.LittleEndian.Uint16(data))), 2, true
	case fkTime:
		n := int(c.size)
		if len(data) < n {
			return nil, 0, false
		}
		return b.textOf(func(t []byte) []byte { return appendTime2(t, data, int(c.scale)) }), n, true
	case fkJSON:
		v, n, ok := blob(data, int(c.size))
		if !ok {
			return nil, 0, false
		}
		return b.jsons.Box(mysqlJSON(v)), n, true
	case fkInt64:
		if len(data) < 8 {
			return nil, 0, false
		}
		return b.ints.Box(int64(binary.LittleEndian.Uint64(data))), 8, true
	case fkFloat32:
		if len(data) < 4 {
			return nil, 0, false
		}
		return b.f32.Box(math.Float32frombits(binary.LittleEndian.Uint32(data))), 4, true
	case fkFloat64:
		if len(data) < 8 {
			return nil, 0, false
		}
		return b.f64.Box(math.Float64frombits(binary.LittleEndian.Uint64(data))), 8, true
	case fkDecimal:
		bits, ok := bigEndian(data, int(c.size))
		if !ok {
			return nil, 0, false
		}
		return b.decimal(mysqltypes.PackedDecimal{Bits: bits, Precision: c.precision, Scale: c.scale}), int(c.size), true
	case fkDecimalText:
		n := int(c.size)
		if len(data) < n {
			return nil, 0, false
		}
		return b.strs.Box(b.text.Append(int(c.precision)+3, func(t []byte) []byte {
			return appendDecimalText(t, data[:n], int(c.precision), int(c.scale))
		})), n, true
	case fkDatetime:
		bits, ok := bigEndian(data, int(c.size))
		if !ok {
			return nil, 0, false
		}
		return b.datetimeOf(mysqltypes.PackedDatetime{Bits: bits, Dec: c.scale}), int(c.size), true
	case fkStr1, fkStr2:
		head := 1
		if c.kind == fkStr2 {
			head = 2
		}
		if len(data) < head {
			return nil, 0, false
		}
		l := int(data[0])
		if head == 2 {
			l = int(binary.LittleEndian.Uint16(data))
		}
		if len(data)-head < l {
			return nil, 0, false
		}
		if l == 0 {
			return emptyString, head, true
		}
		// The event's own bytes, as go-mysql's strings are: the packet
		// they came in is never reused.
		return b.strs.Box(unsafe.String(&data[head], l)), head + l, true
	}
	return nil, 0, false
}

var emptyString any = ""

// blob is a BLOB's (or JSON's, GEOMETRY's) bytes at the start of data,
// after their length of head bytes, and the bytes both take.
func blob(data []byte, head int) ([]byte, int, bool) {
	if len(data) < head {
		return nil, 0, false
	}
	var l int
	for i := head - 1; i >= 0; i-- {
		l = l<<8 | int(data[i])
	}
	if len(data)-head < l {
		return nil, 0, false
	}
	return data[head : head+l : head+l], head + l, true
}

// appendTime2 writes a TIME2 of dec fraction digits as go-mysql's
// decodeTime2 does: [-]HH:MM:SS, and the fraction's digits when it is not
// zero. A negative time's fraction is stored reversed (MySQL sorts the
// packed bytes), hence the shift to the next second.
func appendTime2(t, data []byte, dec int) []byte {
	const intOfs, ofs = 0x800000, 0x800000000000
	var tmp int64
	switch dec {
	case 1, 2:
		intPart, frac := int64(be3(data))-intOfs, int64(data[3])
		if intPart < 0 && frac != 0 {
			intPart, frac = intPart+1, frac-0x100
		}
		tmp = intPart<<24 + frac*10000
	case 3, 4:
		intPart, frac := int64(be3(data))-intOfs, int64(binary.BigEndian.Uint16(data[3:]))
		if intPart < 0 && frac != 0 {
			intPart, frac = intPart+1, frac-0x10000
		}
		tmp = intPart<<24 + frac*100
	case 5, 6:
		u, _ := bigEndian(data, 6)
		tmp = int64(u) - ofs
	default:
		tmp = (int64(be3(data)) - intOfs) << 24
	}
	if tmp < 0 {
		tmp = -tmp
		t = append(t, '-')
	}
	hms := tmp >> 24
	t = appendPadded(t, (hms>>12)%(1<<10), 2)
	t = appendPadded(append(t, ':'), (hms>>6)%(1<<6), 2)
	t = appendPadded(append(t, ':'), hms%(1<<6), 2)
	if frac := tmp % (1 << 24); frac != 0 {
		// go-mysql's: six digits at least, then the last 6-dec cut.
		t = appendPadded(append(t, '.'), frac, 6)
		t = t[:len(t)-(6-dec)]
	}
	return t
}

// appendDecimalText writes a packed DECIMAL (data: its bytes) as
// go-mysql's decodeDecimal does: groups of nine digits in four bytes, the
// leading and trailing digits in as few bytes as they need, the sign in the
// first bit (a negative value's bytes inverted), leading zeros dropped, the
// scale's digits all written.
func appendDecimalText(t, data []byte, precision, scale int) []byte {
	intg := precision - scale
	var mask byte
	if data[0]&0x80 == 0 {
		mask = 0xFF
		t = append(t, '-')
	}
	first := data[0] ^ 0x80 // the sign bit cleared, as go-mysql does
	group := func(pos, size int) uint64 {
		var v uint64
		for i := pos; i < pos+size; i++ {
			c := data[i]
			if i == 0 {
				c = first
			}
			v = v<<8 | uint64(c^mask)
		}
		return v
	}
	pos, started := 0, false
	if size := digitBytes[intg%9]; size > 0 {
		if v := group(0, size); v != 0 {
			t, started = strconv.AppendUint(t, v, 10), true
		}
		pos = size
	}
	for range intg / 9 {
		v := group(pos, 4)
		pos += 4
		switch {
		case started:
			t = appendPadded(t, int64(v), 9)
		case v != 0:
			t, started = strconv.AppendUint(t, v, 10), true
		}
	}
	if !started {
		t = append(t, '0')
	}
	if scale == 0 {
		return t
	}
	t = append(t, '.')
	for range scale / 9 {
		t = appendPadded(t, int64(group(pos, 4)), 9)
		pos += 4
	}
	if size := digitBytes[scale%9]; size > 0 {
		t = appendPadded(t, int64(group(pos, size)), scale%9)
	}
	return t
}

// digitBytes is how many bytes a DECIMAL's group of fewer than nine
// digits takes.
var digitBytes = [9]int{0, 1, 1, 2, 2, 3, 3, 4, 4}

func be3(data []byte) uint32 {
	return uint32(data[0])<<16 | uint32(data[1])<<8 | uint32(data[2])
}

// timestamp is a TIMESTAMP2 as go-mysql reads it with ParseTime (every
// parser of the stream's sets it): the instant in the local zone, or, for
// the zero timestamp, its text with the fraction's digits.
func (b *fastBoxes) timestamp(c *fastCol, data []byte) (any, int, bool) {
	n := int(c.size)
	if len(data) < n {
		return nil, 0, false
	}
	sec := int64(binary.BigEndian.Uint32(data))
	var usec int64
	switch c.scale {
	case 1, 2:
		usec = int64(data[4]) * 10000
	case 3, 4:
		usec = int64(binary.BigEndian.Uint16(data[4:])) * 100
	case 5, 6:
		usec = int64(data[4])<<16 | int64(data[5])<<8 | int64(data[6])
	}
	if sec != 0 {
		return b.times.Box(time.Unix(sec, usec*1000)), n, true
	}
	return b.textOf(func(t []byte) []byte {
		t = append(t, "0000-00-00 00:00:00"...)
		if c.scale == 0 {
			return t
		}
		// go-mysql's: six digits at least, then the last 6-scale cut.
		t = appendPadded(append(t, '.'), usec, 6)
		return t[:len(t)-(6-int(c.scale))]
	}), n, true
}

// appendDate writes a packed DATE as go-mysql's "%04d-%02d-%02d" of its
// fields does, "0000-00-00" for zero.
func appendDate(t []byte, v uint32) []byte {
	if v == 0 {
		return append(t, "0000-00-00"...)
	}
	t = appendPadded(t, int64(v/(16*32)), 4)
	t = appendPadded(append(t, '-'), int64(v/32%16), 2)
	return appendPadded(append(t, '-'), int64(v%32), 2)
}

// appendPadded writes n (not negative) with at least width digits, as
// fmt's %0Nd does.
func appendPadded(t []byte, n int64, width int) []byte {
	var buf [20]byte
	d := strconv.AppendInt(buf[:0], n, 10)
	for i := len(d); i < width; i++ {
		t = append(t, '0')
	}
	return append(t, d...)
}

// bigEndian is the big-endian integer of data's first n bytes (n <= 8).
func bigEndian(data []byte, n int) (uint64, bool) {
	if len(data) < n {
		return 0, false
	}
	var u uint64
	for _, c := range data[:n] {
		u = u<<8 | uint64(c)
	}
	return u, true
}

func fastTruncated(e *replication.RowsEvent, pos int) error {
	return fmt.Errorf("rows event of table id %d: a row image runs past the event's end (at byte %d of its rows)", e.TableID, pos)
}
