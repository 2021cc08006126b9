package vitess

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.uber.org/zap"
	querypb "vitess.io/vitess/go/vt/proto/query"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// columnDef maps one VStream field to the MySQL-family column definition
// that gives Debezium Vitess's schema for it. Debezium's Vitess connector
// maps types through JDBC types (VitessType.resolve), which differs from
// its MySQL connector in places; the differences are absorbed here:
// DECIMAL is always text (the builder runs with decimal.handling.mode
// string), FLOAT is FLOAT64, unsigned BIGINT is text unless
// bigint.unsigned.handling.mode says long or precise, and BIT(n>1) keeps
// VStream's bytes (see rawBits).
func columnDef(f *querypb.Field, bigintString bool) (mysqltypes.ColumnDef, error) {
	d := mysqltypes.ColumnDef{
		Name:       f.Name,
		ColumnType: f.ColumnType,
		Nullable:   f.Flags&uint32(querypb.MySqlFlag_NOT_NULL_FLAG) == 0,
		Charset:    charsetOf(f.Charset),
		// Debezium's VitessType name: the proto enum's.
		VStreamType: f.Type.String(),
	}
	ct := strings.ToLower(f.ColumnType)
	d.Unsigned = strings.Contains(ct, "unsigned")
	switch f.Type {
	case querypb.Type_INT8, querypb.Type_UINT8:
		d.DataType = "tinyint"
	case querypb.Type_INT16, querypb.Type_UINT16:
		d.DataType = "smallint"
	case querypb.Type_INT24, querypb.Type_UINT24:
		d.DataType = "mediumint"
	case querypb.Type_INT32, querypb.Type_UINT32:
		d.DataType = "int"
	case querypb.Type_INT64:
		d.DataType = "bigint"
	case querypb.Type_UINT64:
		d.DataType, d.Unsigned = "bigint", true
		if bigintString {
			// Debezium Vitess's default: the digits as a string.
			d.DataType, d.Unsigned, d.Charset = "varchar", false, "utf8mb4"
		}
	case querypb.Type_YEAR:
		d.DataType = "year"
	case querypb.Type_FLOAT32, querypb.Type_FLOAT64:
		d.DataType = "double"
	case querypb.Type_DECIMAL:
		d.DataType, d.Precision, d.Scale = "decimal", int(f.ColumnLength), int(f.Decimals)
	case querypb.Type_DATE:
		d.DataType = "date"
	case querypb.Type_TIME:
		d.DataType, d.FSP = "time", int(f.Decimals)
	case querypb.Type_DATETIME:
		d.DataType, d.FSP = "datetime", int(f.Decimals)
	case querypb.Type_TIMESTAMP:
		d.DataType, d.FSP = "timestamp", int(f.Decimals)
	case querypb.Type_BIT:
		d.DataType, d.Precision = "bit", int(f.ColumnLength)
	case querypb.Type_JSON:
		d.DataType = "json"
	case querypb.Type_ENUM:
		d.DataType, d.EnumValues = "enum", mysqltypes.ParseEnumValues(f.ColumnType)
	case querypb.Type_SET:
		d.DataType, d.EnumValues = "set", mysqltypes.ParseEnumValues(f.ColumnType)
	case querypb.Type_VARCHAR, querypb.Type_CHAR, querypb.Type_TEXT:
		d.DataType = "varchar"
	case querypb.Type_VARBINARY, querypb.Type_BINARY, querypb.Type_BLOB:
		d.DataType = binaryOrText(ct)
		if d.DataType == "enum" || d.DataType == "set" {
			d.EnumValues = mysqltypes.ParseEnumValues(f.ColumnType)
		}
	default:
		// GEOMETRY and other types Debezium's VitessType does not map
		// (JDBC OTHER): its value converter has no schema for them, so
		// the column is left out of the records (include.unknown.datatypes
		// false, its default).
		return d, errUnknownType
	}
	return d, nil
}

// errUnknownType marks a column Debezium's Vitess connector leaves out.
var errUnknownType = errors.New("a type Debezium's Vitess connector does not know")

// binaryOrText: VStream types a column with a binary collation as
// VARBINARY/BINARY/BLOB; its column type says whether it is text, an
// enum or a set (as VitessType.resolve checks).
func binaryOrText(ct string) string {
	for _, p := range []string{"varchar", "char", "tinytext", "text", "mediumtext", "longtext"} {
		if ct == p || strings.HasPrefix(ct, p+"(") {
			return "varchar"
		}
	}
	switch {
	case strings.HasPrefix(ct, "enum("):
		return "enum"
	case strings.HasPrefix(ct, "set("):
		return "set"
	}
	return "varbinary"
}

// charsetOf names the character set of a MySQL collation id, for the text
// decoder: binary, the latin1 and ascii collations, and utf8 for the rest
// (VTGate's default and what every utf8/utf8mb4 collation decodes as).
func charsetOf(collation uint32) string {
	switch collation {
	case 63:
		return "binary"
	case 5, 8, 15, 31, 47, 48, 49, 94:
		return "latin1"
	case 11, 65:
		return "ascii"
	}
	return "utf8mb4"
}

// tableFields is one table version as a shard's FIELD event defines it:
// the Connect table and what decoding a row needs.
type tableFields struct {
	table *change.Table
	defs  []mysqltypes.ColumnDef // by VStream field
	raw   []rawKind              // by VStream field
	// col is each field's column in the table, -1 for an omitted one.
	col []int
}

// rawKind says how a column's VStream value is taken where Debezium's
// Vitess connector does not read it as its MySQL connector would.
type rawKind uint8

const (
	parsed    rawKind = iota // mysqltypes.FromText
	rawBytes                 // BIT(n>1): VStream's bytes as they are
	rawText                  // the text VStream sends, as Debezium writes it (see columnRaw)
	asFloat32                // FLOAT: the float32 value, widened
	omitted                  // a type Debezium leaves out: the value is skipped
)

// columnRaw: Debezium's Vitess connector maps DECIMAL to VARCHAR and writes
// VStream's text unchanged (streamed values have no leading zero, ".50",
// where the copy phase's have one); it writes a TIMESTAMP's text as VStream
// sends it ("2038-01-19 03:14:07") under the ZonedTimestamp schema; and it
// reads a FLOAT's text as a Java float widened to double
// (0.10000000149011612 for 0.1). Sluice writes the same.
func columnRaw(d mysqltypes.ColumnDef) rawKind {
	switch {
	case d.DataType == "bit" && d.Precision > 1:
		return rawBytes
	case d.DataType == "decimal", d.DataType == "timestamp":
		return rawText
	}
	return parsed
}

// buildTable builds a table version from a FIELD event's fields: the key is
// the PRI_KEY columns or, without them, the first UNIQUE_KEY column, as in
// Debezium's VStreamOutputMessageDecoder.
func buildTable(b mysqltypes.TableBuilder, keyspace, name string, fields []*querypb.Field, bigintString bool) (*tableFields, error) {
	tf := &tableFields{defs: make([]mysqltypes.ColumnDef, len(fields)), raw: make([]rawKind, len(fields)), col: make([]int, len(fields))}
	var pk []int
	var kept []mysqltypes.ColumnDef
	var keptRaw []rawKind
	unique := -1
	for i, f := range fields {
		if strings.HasPrefix(f.Name, "@") {
			// A transient VStreamer schema-reload bug anonymises columns;
			// records with @1, @2 as field names must not be written.
			return nil, fmt.Errorf("table %s.%s: column %d is named %q (VTGate lost the column names); retrying", keyspace, name, i+1, f.Name)
		}
		d, err := columnDef(f, bigintString)
		tf.defs[i], tf.col[i] = d, len(kept)
		switch {
		case errors.Is(err, errUnknownType):
			tf.raw[i], tf.col[i] = omitted, -1
			if b.Log != nil {
				b.Log.Info("column left out, as Debezium's Vitess connector leaves it out (a type it does not know)",
					zap.String("table", keyspace+"."+name), zap.String("column", f.Name), zap.String("type", f.ColumnType))
			}
			continue
		case err != nil:
			return nil, fmt.Errorf("table %s.%s: %w", keyspace, name, err)
		}
		tf.raw[i] = columnRaw(d)
		if f.Type == querypb.Type_FLOAT32 {
			tf.raw[i] = asFloat32
		}
		switch {
		case f.Flags&uint32(querypb.MySqlFlag_PRI_KEY_FLAG) != 0:
			pk = append(pk, len(kept))
		case f.Flags&uint32(querypb.MySqlFlag_UNIQUE_KEY_FLAG) != 0 && unique < 0:
			unique = len(kept)
		}
		kept, keptRaw = append(kept, d), append(keptRaw, tf.raw[i])
	}
	if len(pk) == 0 && unique >= 0 {
		pk = []int{unique}
	}
	t, err := b.Build(keyspace, name, kept, pk)
	if err != nil {
		return nil, err
	}
	for i := range t.Columns {
		switch keptRaw[i] {
		case rawBytes:
			t.Columns[i].Convert, t.Columns[i].KeyConvert = rawBits, nil
		case rawText:
			t.Columns[i].Convert, t.Columns[i].KeyConvert = rawString, nil
		}
	}
	tf.table = t
	return tf, nil
}

// rawBits is the converter of BIT(n>1): Debezium's Vitess connector writes
// the bytes VStream sends (big-endian), where its MySQL connector writes
// them little-endian.
func rawBits(v any) (any, error) {
	switch b := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		return b, nil
	}
	return nil, fmt.Errorf("BIT value of type %T, want bytes", v)
}

// rawString is the converter of the columns written as VStream's text.
func rawString(v any) (any, error) {
	switch s := v.(type) {
	case nil:
		return nil, nil
	case string:
		return s, nil
	}
	return nil, fmt.Errorf("text value of type %T, want a string", v)
}

// decodeRow splits a VStream row (lengths, -1 for NULL, and the values
// concatenated) into the table's native values, boxed by bx.
func (tf *tableFields) decodeRow(bx *mysqltypes.Boxes, r *querypb.Row) ([]any, int, error) {
	if len(r.Lengths) != len(tf.defs) {
		return nil, 0, fmt.Errorf("table %s: a row has %d values for %d columns", tf.table.Name, len(r.Lengths), len(tf.defs))
	}
	out := bx.Row(len(tf.table.Columns))
	off := 0
	for i, n := range r.Lengths {
		if n < 0 {
			continue
		}
		if off+int(n) > len(r.Values) {
			return nil, 0, fmt.Errorf("table %s: row values end before column %q", tf.table.Name, tf.defs[i].Name)
		}
		b := r.Values[off : off+int(n)]
		off += int(n)
		c := tf.col[i]
		switch tf.raw[i] {
		case omitted:
			continue
		case rawBytes:
			out[c] = append([]byte(nil), b...)
			continue
		case rawText:
			out[c] = bx.Text(b)
			continue
		case asFloat32:
			f, err := strconv.ParseFloat(string(b), 32)
			if err != nil {
				return nil, 0, fmt.Errorf("table %s: column %q: %q is not a number: %w", tf.table.Name, tf.defs[i].Name, b, err)
			}
			out[c] = bx.Float(float64(float32(f)))
			continue
		}
		v, err := bx.FromText(tf.defs[i], b)
		if err != nil {
			return nil, 0, fmt.Errorf("table %s: %w", tf.table.Name, err)
		}
		out[c] = v
	}
	return out, off, nil
}
