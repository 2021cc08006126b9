// Package mysqltypes is the MySQL-family type layer: it maps a column
// definition to its Connect schema and a value converter as Debezium's
// MySQL and MariaDB connectors do, and builds a table version's
// change.Table from its columns. Every reader of a MySQL-family server (the
// binlog reader in connector/mysql, the VStream reader in connector/vitess)
// builds its tables here, so they write the same records for the same rows.
//
// # Native values
//
// A column's change.Column.Convert takes the column's native value: what
// go-mysql's binlog decoder gives for it, or what FromText makes of the
// text protocol's value (snapshots, VStream rows). nil is SQL NULL for every
// type. Otherwise, by ColumnDef.DataType:
//
//	tinyint … bigint      any Go integer type; its signedness may differ from the
//	                      column's (an unsigned column's value decoded as signed is
//	                      read as unsigned)
//	decimal, numeric      the decimal's text, string or []byte ("-12.340")
//	float, double, real   float32 or float64
//	bit                   an integer: the bits as a number
//	year                  an integer: the year, 0 for 0000
//	date                  time.Time, or string "YYYY-MM-DD" (zero dates included)
//	time                  string "[-]H:MM:SS[.ffffff]"
//	datetime              time.Time (the wall clock, as UTC), or string
//	                      "YYYY-MM-DD hh:mm:ss[.ffffff]" for dates time.Time cannot
//	                      hold (zero dates, dates before 1970 from the binlog)
//	timestamp             time.Time (the instant), or the UTC wall clock as a
//	                      datetime string
//	char … longtext       string or []byte in the column's Charset
//	binary … longblob     []byte or string; a BINARY(n) value may lack its trailing
//	                      zero bytes (the binlog drops them)
//	json                  the JSON text, string or []byte, or a JSONDocument
//	enum                  the 1-based index as an integer, or the value's text
//	set                   the member bitmask as an integer, or the text "a,b"
//	geometry, point, …    []byte or string: MySQL's internal form, a 4-byte
//	                      little-endian SRID then the WKB
//	uuid (MariaDB)        the 16 bytes (trailing zero bytes may be missing) or the text
//	inet4, inet6 (MariaDB) the address bytes (trailing zero bytes may be missing) or the text
//
// A value of another type is an error that names the column.
package mysqltypes

import (
	"fmt"
	"slices"

	"github.com/sluice-cdc/sluice/config"
)

// ColumnDef is what a reader knows about one column of one table version:
// from the binlog's TABLE_MAP (full row metadata), information_schema, the
// schema history or a VStream FIELD event.
type ColumnDef struct {
	Name       string
	DataType   string // information_schema DATA_TYPE, lower case ("int", "varchar", "uuid", "point", ...)
	ColumnType string // information_schema COLUMN_TYPE ("int(10) unsigned", "enum('a','b')"); "" when only the binlog describes the column
	Nullable   bool
	Unsigned   bool
	Precision  int // NUMERIC_PRECISION for decimals, bit count for BIT
	Scale      int // NUMERIC_SCALE
	FSP        int // DATETIME_PRECISION
	// Length is the declared length in bytes of BINARY(n) (values are
	// padded to it, as Debezium does); 0 when unknown.
	Length  int
	Charset string
	JSON    bool // MariaDB's JSON alias: LONGTEXT with a json_valid() check
	// NoWidth marks an integer column whose DDL declares no display width
	// (INT, not INT(11)), which only the schema model knows: Debezium's
	// column length is then absent.
	NoWidth bool
	// VStreamType is the type name of the VStream field that described
	// the column ("INT16", "VARCHAR"; "" for other sources): Debezium's
	// Vitess connector gives it as the source type, a length only for
	// TIME, DATETIME and TIMESTAMP (their fractional digits) and no scale.
	VStreamType string
	EnumValues  []string
	// Default is the literal default value (quotes and escapes removed)
	// when HasDefault; DefaultNow marks CURRENT_TIMESTAMP. Expressions,
	// NULL and no default at all leave both unset.
	Default    string
	HasDefault bool
	DefaultNow bool
	Generated  bool // VIRTUAL or STORED generated column (logged like any other with binlog_row_image=FULL)
	// Comment is the column's COMMENT as Debezium's DDL parser keeps it
	// (nil: none): its field schema's doc, as Debezium writes it.
	Comment *string
}

// JSONDocument is a JSON value in a form only its reader can decode, such
// as MySQL's binary JSON from the binlog. The JSON converter writes its
// JSONText; an empty text is an empty value (null, or "{}" in a NOT NULL
// column, as in Debezium).
type JSONDocument interface {
	JSONText() (string, error)
}

// TypeOptions are the connector settings that change how column values are
// represented. The zero value is Debezium's defaults. The mode values are
// config's (config.DecimalPrecise, ...).
type TypeOptions struct {
	// Comments puts column comments in the field schemas' doc (and the
	// schema model's comments in the history): include.schema.comments,
	// and always for the MariaDB connector class.
	Comments           bool
	DecimalMode        string // decimal.handling.mode: precise (default), double, string
	BigIntUnsignedMode string // bigint.unsigned.handling.mode: long (default), precise
	TimePrecisionMode  string // time.precision.mode: adaptive_time_microseconds (default), connect
	BinaryMode         string // binary.handling.mode: bytes (default), base64, base64-url-safe, hex
	// NoTimeAdjuster is enable.time.adjuster=false. By default Debezium
	// moves years 0-69 of DATE, DATETIME and TIMESTAMP values to 2000-2069
	// and 70-99 to 1970-1999, as MySQL does for two-digit years.
	NoTimeAdjuster bool
	// ConvertFailure is event.converting.failure.handling.mode: warn
	// (Debezium's default) and skip make a value that cannot be converted
	// null in a nullable column (warn logs it), fail stops the connector.
	// A NOT NULL column cannot take the null: that always fails, as the
	// record would in Kafka Connect.
	ConvertFailure string
	// MariaDBJSON is sluice.mariadb.json.as.json=true: MariaDB's JSON
	// columns (a LONGTEXT alias with a json_valid check) get Debezium's
	// io.debezium.data.Json string, as MySQL's JSON does. Off by default,
	// as Debezium 3.5's MariaDB and MySQL connectors write them as plain
	// strings (LONGTEXT in tableChanges), so that consumers see no change
	// when switching.
	MariaDBJSON  bool
	Columns      ColumnRules  // column.* mappings and message.key.columns
	ColumnFilter columnFilter // column.include.list / column.exclude.list
	// Booleans are the converters property's TinyIntOneToBooleanConverters,
	// in its order (the first that takes a column converts it).
	Booleans []boolRule
}

// Validate checks the mode names, naming the property of a bad one. An
// empty mode is the default.
func (o TypeOptions) Validate() error {
	for _, m := range []struct {
		prop, got string
		allowed   []string
	}{
		{"decimal.handling.mode", o.DecimalMode, []string{config.DecimalPrecise, config.DecimalDouble, config.DecimalString}},
		{"bigint.unsigned.handling.mode", o.BigIntUnsignedMode, []string{config.BigIntUnsignedLong, config.BigIntUnsignedPrecise}},
		{"time.precision.mode", o.TimePrecisionMode, []string{config.TimeAdaptiveTimeMicroseconds, config.TimeConnect}},
		{"binary.handling.mode", o.BinaryMode, []string{config.BinaryBytes, config.BinaryBase64, config.BinaryBase64URLSafe, config.BinaryHex}},
		{"event.converting.failure.handling.mode", o.ConvertFailure, []string{config.FailureFail, config.FailureWarn, config.FailureSkip}},
	} {
		if m.got != "" && !slices.Contains(m.allowed, m.got) {
			return fmt.Errorf("property %q: %q is not a mode Sluice implements", m.prop, m.got)
		}
	}
	return nil
}
