package binlog

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/javafmt"
)

// MariaDB's JSON is LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin with
// a json_valid() check constraint. The binlog shows the LONGTEXT and, with
// binlog_row_metadata=FULL, the collation, but not the constraint, which
// only information_schema has, and only for the current definition.
const utf8mb4BinCollation = 46

// settleJSON decides, for each LONGTEXT column of a MariaDB table version,
// whether it is JSON, so that a row is labelled with the type it was written
// under even when information_schema has moved on (a restart from an offset
// before later DDL, or a reader lagging behind them):
//
//   - a column whose binlog collation is not utf8mb4_bin is not JSON,
//     whatever the catalog says now (e.g. JSON since changed to LONGTEXT);
//   - else, when the catalog has a LONGTEXT utf8mb4_bin column of that name,
//     its json_valid() check decides;
//   - else the catalog cannot describe this version (the table or column
//     was dropped or renamed since): the column is JSON, because MariaDB's
//     JSON is exactly such a column, and a warning names the column.
//
// defs come from the TABLE_MAP event (full metadata) and are edited in place.
func (t *tableTracker) settleJSON(ctx context.Context, db, name string, defs []mysqltypes.ColumnDef, tm *replication.TableMapEvent) error {
	collations := tm.CollationMap()
	var longtext []int
	for i := range defs {
		if defs[i].DataType == "longtext" {
			longtext = append(longtext, i)
		}
	}
	if len(longtext) == 0 {
		return nil
	}
	cat, mariadb, err := t.schema.LongtextColumns(ctx, db, name)
	if err != nil {
		return err
	}
	if !mariadb {
		return nil // MySQL's JSON is a type of its own
	}
	jsonCols, err := t.schema.JSONColumns(ctx, db, name)
	if err != nil {
		return err
	}
	for _, i := range longtext {
		d := &defs[i]
		coll, ok := collations[i]
		switch {
		case !ok:
			// No collation in the binlog: leave what the catalog said.
		case coll != utf8mb4BinCollation:
			d.JSON = false
		case cat[d.Name] == "utf8mb4_bin":
			d.JSON = jsonCols[d.Name]
		default:
			d.JSON = true
			t.log.Warn("information_schema no longer describes this LONGTEXT utf8mb4_bin column (table or column dropped or renamed since the binlog was written); treating it as MariaDB's JSON",
				zap.String("table", db+"."+name), zap.String("column", d.Name))
		}
	}
	return nil
}

// mysqlJSON is a MySQL JSON column value as the binlog carries it: MySQL's
// binary JSON (sql-common/json_binary.h). go-mysql would render it with
// map-sorted keys, Go's float and string formats and opaque values as text,
// none of which is what Debezium writes; decodeRows keeps the bytes and the
// JSON converter writes them as Debezium does (JSONText).
type mysqlJSON []byte

// String is the Debezium text, for code that prints row values (a signal
// table's data column).
func (j mysqlJSON) String() string {
	s, _ := mysqlJSONText(j)
	return s
}

// JSONText is the Debezium text, for the JSON converter
// (mysqltypes.JSONDocument). An empty value is "", which the converter
// writes as it writes an empty JSON text.
func (j mysqlJSON) JSONText() (string, error) {
	if len(j) == 0 {
		return "", nil
	}
	return mysqlJSONText(j)
}

// rowsDecoder is the binlog syncer's rows event decoder, one per syncer
// (go-mysql calls it from its one reading goroutine). The rows of a table
// whose every column is of a common kind are read by fastrows.go, when the
// caller says which event it parses (the stream's own dump does). Others
// go to go-mysql's own decoding, run against a copy of the event's
// TABLE_MAP with three changes, kept while the TABLE_MAP stays the same (a
// transaction's rows events share it):
//   - MySQL JSON columns are read as the BLOBs they are on the wire (a
//     4-byte length and the bytes) and handed over as mysqlJSON. A partial
//     JSON update (PARTIAL_UPDATE_ROWS_EVENT, which go-mysql gives no row
//     type) is left to go-mysql, which alone reads its diffs; the streamer
//     refuses it.
//   - DECIMALs of at most 8 packed bytes and DATETIMEs are read packed
//     (copyTableMap).
//   - A signedness bitmap that marks no column unsigned is dropped: go-mysql
//     builds a map from it for every row image it decodes (a quarter of its
//     decoding with 40-column rows), and without it every integer decodes
//     as signed, which is what the bitmap says anyway. A table with an
//     unsigned column keeps its bitmap.
//
// Copying a TABLE_MAP reads every field of it, including the ones go-mysql
// fills in lazily when asked (ColumnNameString and the like), which the
// streamer's goroutine does while this one decodes: mu, which the table
// tracker holds around those calls, keeps the two apart.
type rowsDecoder struct {
	mu   *sync.Mutex
	from *replication.TableMapEvent // the TABLE_MAP as is (kept alive, so its address is not reused)
	json bool                       // whether as reads JSON as BLOB
	// packed says whether as reads DECIMALs and DATETIMEs packed: those
	// in packedCols.
	packed     bool
	packedCols []packedColumn
	decimals   int                        // of packedCols
	as         *replication.TableMapEvent // the copy decoded against
	// holdStmtEnd hides a statement's end from the parser (tableMaps);
	// heldStmtEnd says that one was hidden.
	holdStmtEnd, heldStmtEnd bool
	// evType is the type of the rows event being parsed, when the caller
	// says (tableMaps): only then are its rows read here (fastrows.go),
	// against fast, the plan of the TABLE_MAP fastFrom (nil: go-mysql
	// reads them), into boxes.
	evType   replication.EventType
	fastFrom *replication.TableMapEvent
	fast     []fastCol
	boxes    *fastBoxes
}

func (d *rowsDecoder) decode(e *replication.RowsEvent, data []byte) error {
	pos, err := e.DecodeHeader(data)
	if err != nil {
		return err
	}
	if d.holdStmtEnd && e.Flags&replication.RowsEventStmtEndFlag != 0 {
		e.Flags &^= replication.RowsEventStmtEndFlag
		d.heldStmtEnd = true
	}
	tm := e.Table
	if fastEvent(d.evType) {
		if d.fastFrom != tm {
			d.mu.Lock()
			d.fast = fastPlan(tm)
			d.mu.Unlock()
			d.fastFrom = tm
		}
		if d.fast != nil && int(e.ColumnCount) == len(d.fast) && fullImage(e.ColumnBitmap1, len(d.fast)) &&
			(e.ColumnBitmap2 == nil || fullImage(e.ColumnBitmap2, len(d.fast))) {
			if d.boxes == nil {
				d.boxes = newFastBoxes()
			}
			return d.boxes.decodeFast(e, data[pos:], d.fast)
		}
	}
	known := e.Type() != replication.EnumRowsEventTypeUnknown
	json := bytes.IndexByte(tm.ColumnType, gmysql.MYSQL_TYPE_JSON) >= 0 && known
	signed := len(tm.SignednessBitmap) > 0 && allZero(tm.SignednessBitmap)
	packed := known && (bytes.IndexByte(tm.ColumnType, gmysql.MYSQL_TYPE_NEWDECIMAL) >= 0 ||
		bytes.IndexByte(tm.ColumnType, gmysql.MYSQL_TYPE_DATETIME2) >= 0)
	if !json && !signed && !packed {
		return e.DecodeData(pos, data)
	}
	if d.from != tm || d.json != json || d.packed != packed {
		d.copyTableMap(tm, json, signed, packed)
	}
	e.Table = d.as
	err = e.DecodeData(pos, data)
	e.Table = tm // the streamer matches rows with the TABLE_MAP it resolved
	if err != nil || !json && len(d.packedCols) == 0 {
		return err
	}
	for _, row := range e.Rows {
		if json {
			for i, t := range tm.ColumnType {
				if b, ok := row[i].([]byte); ok && t == gmysql.MYSQL_TYPE_JSON {
					row[i] = mysqlJSON(b)
				}
			}
		}
	}
	d.pack(e.Rows)
	return nil
}

// pack hands the packed columns' values over as pointers into two arrays
// made for the whole event: a PackedDecimal or PackedDatetime stored in an
// interface is an allocation of its own, and 40-column rows have 32 of
// them a row (their before and after images). The arrays are made to size,
// so that the pointers stay valid.
func (d *rowsDecoder) pack(rows [][]any) {
	if len(d.packedCols) == 0 {
		return
	}
	var decimals []mysqltypes.PackedDecimal
	var datetimes []mysqltypes.PackedDatetime
	if d.decimals > 0 {
		decimals = make([]mysqltypes.PackedDecimal, 0, len(rows)*d.decimals)
	}
	if n := len(d.packedCols) - d.decimals; n > 0 {
		datetimes = make([]mysqltypes.PackedDatetime, 0, len(rows)*n)
	}
	for _, row := range rows {
		for _, c := range d.packedCols {
			bits, ok := row[c.col].(int64)
			switch {
			case !ok:
			case c.datetime:
				datetimes = append(datetimes, mysqltypes.PackedDatetime{Bits: uint64(bits), Dec: c.scale})
				row[c.col] = &datetimes[len(datetimes)-1]
			default:
				decimals = append(decimals, mysqltypes.PackedDecimal{Bits: uint64(bits), Precision: c.precision, Scale: c.scale})
				row[c.col] = &decimals[len(decimals)-1]
			}
		}
	}
}

// copyTableMap makes the copy of tm rows are decoded against (see
// rowsDecoder). DECIMALs of at most 8 packed bytes, and DATETIMEs (5 to 8),
// are read as BIT columns of that many bytes, which go-mysql returns as the
// bytes' big-endian integer, and handed over as *mysqltypes.PackedDecimal
// and *PackedDatetime (pack): go-mysql would format a DECIMAL as text, for the
// converter to parse again, and build a time.Time (text before 1970) for
// the converter to take the epoch from.
func (d *rowsDecoder) copyTableMap(tm *replication.TableMapEvent, json, signed, packed bool) {
	d.mu.Lock()
	as := *tm
	d.mu.Unlock()
	d.packedCols, d.decimals = d.packedCols[:0], 0
	if json || packed {
		as.ColumnType = bytes.Clone(tm.ColumnType)
		as.ColumnMeta = slices.Clone(tm.ColumnMeta)
	}
	for i, t := range as.ColumnType {
		switch {
		case t == gmysql.MYSQL_TYPE_JSON && json:
			as.ColumnType[i] = gmysql.MYSQL_TYPE_BLOB
		case t == gmysql.MYSQL_TYPE_NEWDECIMAL && packed && i < len(as.ColumnMeta):
			precision, scale := int(as.ColumnMeta[i]>>8), int(as.ColumnMeta[i]&0xFF)
			if n := mysqltypes.PackedDecimalSize(precision, scale); scale <= precision && precision <= 18 && n <= 8 {
				as.ColumnType[i], as.ColumnMeta[i] = gmysql.MYSQL_TYPE_BIT, uint16(n)<<8
				d.packedCols = append(d.packedCols, packedColumn{col: i, precision: uint8(precision), scale: uint8(scale)})
				d.decimals++
			}
		case t == gmysql.MYSQL_TYPE_DATETIME2 && packed && i < len(as.ColumnMeta) && as.ColumnMeta[i] <= 6:
			dec := int(as.ColumnMeta[i])
			as.ColumnType[i], as.ColumnMeta[i] = gmysql.MYSQL_TYPE_BIT, uint16(mysqltypes.PackedDatetimeSize(dec))<<8
			d.packedCols = append(d.packedCols, packedColumn{col: i, datetime: true, scale: uint8(dec)})
		}
	}
	switch {
	case signed:
		as.SignednessBitmap = nil
	case len(tm.SignednessBitmap) > 0 && (json || packed):
		as.SignednessBitmap = remapSignedness(tm, &as)
	}
	d.from, d.json, d.packed, d.as = tm, json, packed, &as
}

// remapSignedness is the signedness bitmap of as, a copy of tm whose
// DECIMALs read packed are BIT columns: the bitmap has a bit per numeric
// column, and go-mysql maps its bits to the copy's numeric columns, so that
// tm's own bitmap would give an unsigned column after a DECIMAL the
// DECIMAL's bit, and the next column that one's (a signed INT read as
// unsigned: -1 became 4294967295).
func remapSignedness(tm, as *replication.TableMapEvent) []byte {
	unsigned := tm.UnsignedMap()
	bits := make([]byte, 0, len(tm.SignednessBitmap))
	k := 0
	for i := range as.ColumnType {
		if !as.IsNumericColumn(i) {
			continue
		}
		if k%8 == 0 {
			bits = append(bits, 0)
		}
		if unsigned[i] {
			bits[k/8] |= 0x80 >> (k % 8)
		}
		k++
	}
	return bits
}

// packedColumn is a DECIMAL or DATETIME column read in packed form (a
// DATETIME's fractional digits in scale).
type packedColumn struct {
	col              int
	datetime         bool
	precision, scale uint8
}

// allZero reports whether every byte of b is zero.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// hasJSONColumn reports whether a table has a MySQL JSON column.
func hasJSONColumn(tm *replication.TableMapEvent) bool {
	return tm != nil && bytes.IndexByte(tm.ColumnType, gmysql.MYSQL_TYPE_JSON) >= 0
}

var errJSONShort = errors.New("truncated binary JSON")

// mysqlJSONText writes a MySQL binary JSON document as Debezium does
// (mysql-binlog-connector-java's JsonBinary.parseAsString with its
// JsonStringFormatter): members in stored order (MySQL sorts keys by length,
// then bytes), no spaces, numbers as Java prints them, strings escaped only
// where JSON requires, DECIMAL unquoted at its scale, dates and times
// quoted, other opaque values in base64.
//
// Where Debezium garbles a value Sluice writes it right instead: a negative
// TIME inside JSON keeps its sign (Debezium's arithmetic drops it or prints
// "0-1"), a DATETIME after the year 2520 keeps its minutes (an int overflow
// in Debezium), and an unsigned 32-bit integer inlined in a large object or
// array is written (Debezium writes nothing, which is not JSON).
func mysqlJSONText(doc []byte) (string, error) {
	if len(doc) == 0 {
		return "", errJSONShort
	}
	w := jsonbWriter{out: make([]byte, 0, 2*len(doc))}
	if err := w.value(doc[0], doc[1:], 0); err != nil {
		return "", fmt.Errorf("binary JSON value: %w", err)
	}
	return string(w.out), nil
}

type jsonbWriter struct{ out []byte }

// value writes the value of type typ whose bytes start data.
func (w *jsonbWriter) value(typ byte, data []byte, depth int) error {
	need := func(n int) error {
		if len(data) < n {
			return errJSONShort
		}
		return nil
	}
	switch typ {
	case 0x00, 0x01, 0x02, 0x03:
		if depth > 150 { // MySQL allows 100 levels
			return errors.New("binary JSON nested too deep")
		}
		return w.container(data, typ&1 == 1, typ < 0x02, depth)
	case 0x04:
		if err := need(1); err != nil {
			return err
		}
		switch data[0] {
		case 0:
			w.out = append(w.out, "null"...)
		case 1:
			w.out = append(w.out, "true"...)
		case 2:
			w.out = append(w.out, "false"...)
		default:
			return fmt.Errorf("unknown JSON literal %#x", data[0])
		}
	case 0x05, 0x06:
		if err := need(2); err != nil {
			return err
		}
		u := binary.LittleEndian.Uint16(data)
		if typ == 0x05 {
			w.out = strconv.AppendInt(w.out, int64(int16(u)), 10)
		} else {
			w.out = strconv.AppendUint(w.out, uint64(u), 10)
		}
	case 0x07, 0x08:
		if err := need(4); err != nil {
			return err
		}
		u := binary.LittleEndian.Uint32(data)
		if typ == 0x07 {
			w.out = strconv.AppendInt(w.out, int64(int32(u)), 10)
		} else {
			w.out = strconv.AppendUint(w.out, uint64(u), 10)
		}
	case 0x09, 0x0a:
		if err := need(8); err != nil {
			return err
		}
		u := binary.LittleEndian.Uint64(data)
		if typ == 0x09 {
			w.out = strconv.AppendInt(w.out, int64(u), 10)
		} else {
			w.out = strconv.AppendUint(w.out, u, 10)
		}
	case 0x0b:
		if err := need(8); err != nil {
			return err
		}
		w.out = appendJavaDouble(w.out, math.Float64frombits(binary.LittleEndian.Uint64(data)))
	case 0x0c:
		s, err := jsonbData(data)
		if err != nil {
			return err
		}
		w.quoted(mysqltypes.DecodeUTF8(s))
	case 0x0f:
		if err := need(1); err != nil {
			return err
		}
		b, err := jsonbData(data[1:])
		if err != nil {
			return err
		}
		return w.opaque(data[0], b)
	default:
		return fmt.Errorf("unknown JSON value type %#x", typ)
	}
	return nil
}

// jsonbData reads data-length (7 bits a byte, low first) and the bytes.
func jsonbData(data []byte) ([]byte, error) {
	var n uint64
	for i := 0; i < 5 && i < len(data); i++ {
		n |= uint64(data[i]&0x7f) << (7 * i)
		if data[i]&0x80 == 0 {
			rest := data[i+1:]
			if n > uint64(len(rest)) {
				return nil, errJSONShort
			}
			return rest[:n], nil
		}
	}
	return nil, errJSONShort
}

// container writes an object or array: element-count size key-entry*
// value-entry* key* value*, offsets counting from data's start.
func (w *jsonbWriter) container(data []byte, large, object bool, depth int) error {
	offSize := 2
	if large {
		offSize = 4
	}
	read := func(b []byte) int {
		if large {
			return int(binary.LittleEndian.Uint32(b))
		}
		return int(binary.LittleEndian.Uint16(b))
	}
	if len(data) < 2*offSize {
		return errJSONShort
	}
	n, size := read(data), read(data[offSize:])
	if size > len(data) {
		return errJSONShort
	}
	data = data[:size]
	keyEntry, valueEntry := offSize+2, 1+offSize
	header := 2*offSize + n*valueEntry
	if object {
		header += n * keyEntry
	}
	if n < 0 || header > size {
		return fmt.Errorf("binary JSON container header of %d entries exceeds its %d bytes", n, size)
	}
	open, closing := byte('['), byte(']')
	if object {
		open, closing = '{', '}'
	}
	w.out = append(w.out, open)
	for i := 0; i < n; i++ {
		if i > 0 {
			w.out = append(w.out, ',')
		}
		ve := 2*offSize + i*valueEntry
		if object {
			ke := 2*offSize + i*keyEntry
			off, l := read(data[ke:]), int(binary.LittleEndian.Uint16(data[ke+offSize:]))
			if off < header || off+l > size {
				return fmt.Errorf("binary JSON key at %d+%d outside its object", off, l)
			}
			w.quoted(mysqltypes.DecodeUTF8(data[off : off+l]))
			w.out = append(w.out, ':')
			ve += n * keyEntry
		}
		t := data[ve]
		inlined := t == 0x04 || t == 0x05 || t == 0x06 || large && (t == 0x07 || t == 0x08)
		if inlined {
			if err := w.value(t, data[ve+1:ve+valueEntry], depth+1); err != nil {
				return err
			}
			continue
		}
		off := read(data[ve+1:])
		if off < header || off >= size {
			return fmt.Errorf("binary JSON value at %d outside its container of %d bytes", off, size)
		}
		if err := w.value(t, data[off:], depth+1); err != nil {
			return err
		}
	}
	w.out = append(w.out, closing)
	return nil
}

// opaque writes a custom value: DECIMAL unquoted, dates and times quoted
// (JsonStringFormatter.valueDate/valueDatetime/valueTime), any other known
// column type in base64 (valueOpaque). An unknown type is an error, as in
// Debezium (ColumnType.byCode).
func (w *jsonbWriter) opaque(typ byte, b []byte) error {
	switch typ {
	case gmysql.MYSQL_TYPE_DECIMAL, gmysql.MYSQL_TYPE_NEWDECIMAL:
		if len(b) < 2 {
			return errJSONShort
		}
		d, err := binaryDecimalText(int(b[0]), int(b[1]), b[2:])
		if err != nil {
			return err
		}
		w.out = append(w.out, d...)
	case gmysql.MYSQL_TYPE_DATE, gmysql.MYSQL_TYPE_DATETIME, gmysql.MYSQL_TYPE_DATETIME2,
		gmysql.MYSQL_TYPE_TIMESTAMP, gmysql.MYSQL_TYPE_TIMESTAMP2, gmysql.MYSQL_TYPE_TIME, gmysql.MYSQL_TYPE_TIME2:
		if len(b) < 8 {
			return errJSONShort
		}
		// TIME_to_longlong_packed: the integer part (date and time
		// fields) above 24 bits of microseconds; negative for a negative TIME.
		packed := int64(binary.LittleEndian.Uint64(b))
		neg := packed < 0
		if neg {
			packed = -packed
		}
		ip, us := packed>>24, packed%(1<<24)
		w.out = append(w.out, '"')
		if typ == gmysql.MYSQL_TYPE_TIME || typ == gmysql.MYSQL_TYPE_TIME2 {
			if neg {
				w.out = append(w.out, '-')
			}
			w.clock((ip>>12)%(1<<10), (ip>>6)%(1<<6), ip%(1<<6), us)
		} else {
			ym := ip >> 22
			w.out = append(w.out, fmt.Sprintf("%04d-%02d-%02d", ym/13, ym%13, (ip>>17)%(1<<5))...)
			if typ != gmysql.MYSQL_TYPE_DATE {
				w.out = append(w.out, ' ')
				w.clock((ip>>12)%(1<<5), (ip>>6)%(1<<6), ip%(1<<6), us)
			}
		}
		w.out = append(w.out, '"')
	default:
		if typ > gmysql.MYSQL_TYPE_TIME2 && typ != gmysql.MYSQL_TYPE_VECTOR && typ < gmysql.MYSQL_TYPE_JSON {
			return fmt.Errorf("unknown column type %d of an opaque JSON value", typ)
		}
		w.out = append(w.out, '"')
		w.out = base64.StdEncoding.AppendEncode(w.out, b)
		w.out = append(w.out, '"')
	}
	return nil
}

// clock is JsonStringFormatter.appendTime: hh:mm:ss, then the fraction
// without trailing zeros when there is one.
func (w *jsonbWriter) clock(h, m, s, us int64) {
	w.out = append(w.out, fmt.Sprintf("%02d:%02d:%02d", h, m, s)...)
	if us != 0 {
		f := strconv.FormatInt(us+1_000_000, 10)[1:]
		w.out = append(append(w.out, '.'), strings.TrimRight(f, "0")...)
	}
}

// quoted is JsonStringFormatter.appendString in quotes: " and \ escaped,
// control characters as \b \t \f \n \r or \u00XX (upper case), nothing
// else, as Jackson's writer-based generator writes a Java string.
func (w *jsonbWriter) quoted(s string) {
	w.out = javafmt.AppendJSONString(w.out, s, false)
}

// appendJavaDouble is JsonStringFormatter.value(double): Double.toString
// (Java 19+: the shortest decimal that reads back, at least one fraction
// digit) from 1e-3 up to 1e7, else new BigDecimal(d).toPlainString(), the
// double's exact value, where toString would use an exponent.
func appendJavaDouble(b []byte, f float64) []byte {
	if a := math.Abs(f); a == 0 || a >= 1e-3 && a < 1e7 {
		return javafmt.AppendDouble(b, f)
	}
	r := new(big.Rat).SetFloat64(f) // exact; the denominator is a power of two
	if r.IsInt() {
		return append(b, r.Num().String()...)
	}
	return append(b, r.FloatString(r.Denom().BitLen()-1)...)
}

// binaryDecimalText reads MySQL's binary DECIMAL (decimal2bin) as
// BigDecimal.toPlainString writes it: scale fraction digits, no leading
// zeros, no negative zero.
func binaryDecimalText(precision, scale int, b []byte) (string, error) {
	digBytes := [10]int{0, 1, 1, 2, 2, 3, 3, 4, 4, 4}
	intg := precision - scale
	if precision > 65 || scale > 30 || intg < 0 {
		return "", fmt.Errorf("DECIMAL(%d,%d) in binary JSON", precision, scale)
	}
	size := intg/9*4 + digBytes[intg%9] + scale/9*4 + digBytes[scale%9]
	if len(b) < size {
		return "", errJSONShort
	}
	buf := bytes.Clone(b[:size])
	neg := buf[0]&0x80 == 0
	buf[0] ^= 0x80
	if neg {
		for i := range buf {
			buf[i] = ^buf[i]
		}
	}
	var digits strings.Builder
	group := func(n int) error { // n digits from the next digBytes[n] bytes
		var v uint64
		for _, c := range buf[:digBytes[n]] {
			v = v<<8 | uint64(c)
		}
		buf = buf[digBytes[n]:]
		s := strconv.FormatUint(v, 10)
		if len(s) > n {
			return fmt.Errorf("corrupt DECIMAL(%d,%d) in binary JSON", precision, scale)
		}
		digits.WriteString(strings.Repeat("0", n-len(s)))
		digits.WriteString(s)
		return nil
	}
	groups := func(total int, leadingPartial bool) error {
		if leadingPartial && total%9 > 0 {
			if err := group(total % 9); err != nil {
				return err
			}
		}
		for i := 0; i < total/9; i++ {
			if err := group(9); err != nil {
				return err
			}
		}
		if !leadingPartial && total%9 > 0 {
			return group(total % 9)
		}
		return nil
	}
	if err := groups(intg, true); err != nil {
		return "", err
	}
	ip := strings.TrimLeft(digits.String(), "0")
	if ip == "" {
		ip = "0"
	}
	digits.Reset()
	if err := groups(scale, false); err != nil {
		return "", err
	}
	fp := digits.String()
	out := ip
	if scale > 0 {
		out += "." + fp
	}
	if neg && strings.Trim(ip+fp, "0") != "" {
		out = "-" + out
	}
	return out, nil
}
