package ddl

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// Debezium's schema history structures of a table and its columns
// (SchemaFactory), the same for every connector.
var (
	int32Schema    = &change.Schema{Type: change.Int32}
	stringSchema   = &change.Schema{Type: change.String}
	optString      = &change.Schema{Type: change.String, Optional: true}
	optBool        = &change.Schema{Type: change.Boolean, Optional: true}
	optInt32       = &change.Schema{Type: change.Int32, Optional: true}
	optStringArray = &change.Schema{Type: change.Array, Optional: true, Items: stringSchema}

	columnSchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.schema.Column", Version: 1, Fields: []change.Field{
		{Name: "name", Schema: stringSchema},
		{Name: "jdbcType", Schema: int32Schema},
		{Name: "nativeType", Schema: optInt32},
		{Name: "typeName", Schema: stringSchema},
		{Name: "typeExpression", Schema: optString},
		{Name: "charsetName", Schema: optString},
		{Name: "length", Schema: optInt32},
		{Name: "scale", Schema: optInt32},
		{Name: "position", Schema: int32Schema},
		{Name: "optional", Schema: optBool},
		{Name: "autoIncremented", Schema: optBool},
		{Name: "generated", Schema: optBool},
		{Name: "comment", Schema: optString},
		{Name: "defaultValueExpression", Schema: optString},
		{Name: "enumValues", Schema: optStringArray},
	}}
	TableSchema = &change.Schema{Type: change.Struct, Optional: true, Name: "io.debezium.connector.schema.Table", Version: 1, Fields: []change.Field{
		{Name: "defaultCharsetName", Schema: optString},
		{Name: "primaryKeyColumnNames", Schema: optStringArray},
		{Name: "columns", Schema: &change.Schema{Type: change.Array, Items: columnSchema}},
		{Name: "comment", Schema: optString},
	}}
)

// InfoColumn is one row of information_schema.COLUMNS, as the server
// prints it (COLUMN_DEFAULT unparsed: quoted on MariaDB 10.2.7+). JSON
// marks MariaDB's JSON, a LONGTEXT that a json_valid check validates.
//
// Collation, Primary and Expression are set by the model's Columns only:
// COLLATION_NAME, COLUMN_KEY = 'PRI', and a default that is an expression
// rather than a literal.
type InfoColumn struct {
	Name, DataType, ColumnType, Default, Charset, Extra string
	Position                                            int64
	Nullable, HasDefault, JSON                          bool
	Collation                                           string
	Primary, Expression                                 bool
}

// java.sql.Types codes of Debezium's MySQL/MariaDB DDL parser.
const (
	jdbcChar        = 1
	jdbcVarchar     = 12
	jdbcBinary      = -2
	jdbcVarbinary   = -3
	jdbcBlob        = 2004
	jdbcSmallint    = 5
	jdbcInteger     = 4
	jdbcBigint      = -5
	jdbcFloat       = 6
	jdbcDouble      = 8
	jdbcDecimal     = 3
	jdbcBit         = -7
	jdbcDate        = 91
	jdbcTime        = 92
	jdbcTimestamp   = 93
	jdbcTimestampTZ = 2014
	jdbcOther       = 1111
)

// jdbcTypes maps a data type to its java.sql.Types code as Debezium 3.5's
// tableChanges show it (read from its records): TINYINT, BOOLEAN included,
// is SMALLINT there, as its MariaDB and MySQL connectors map TINYINT to
// INT16.
var jdbcTypes = map[string]int64{
	"char": jdbcChar, "varchar": jdbcVarchar, "tinytext": jdbcVarchar, "text": jdbcVarchar,
	"mediumtext": jdbcVarchar, "longtext": jdbcVarchar, "binary": jdbcBinary, "varbinary": jdbcVarbinary,
	"tinyblob": jdbcBlob, "blob": jdbcBlob, "mediumblob": jdbcBlob, "longblob": jdbcBlob,
	"tinyint": jdbcSmallint, "smallint": jdbcSmallint, "mediumint": jdbcInteger, "int": jdbcInteger,
	"integer": jdbcInteger, "bigint": jdbcBigint, "float": jdbcFloat, "double": jdbcDouble, "real": 7,
	"decimal": jdbcDecimal, "numeric": 2, "bit": jdbcBit, "date": jdbcDate, "time": jdbcTime,
	"datetime": jdbcTimestamp, "timestamp": jdbcTimestampTZ, "year": jdbcInteger, "enum": jdbcChar,
	"set": jdbcChar, "bool": 16, "boolean": 16,
}

// stringTypes carry a character set.
var stringTypes = map[string]bool{"char": true, "varchar": true, "tinytext": true, "text": true,
	"mediumtext": true, "longtext": true, "enum": true, "set": true}

// columnLength and columnComment are the indexes of "length" and
// "comment" in a column value.
const (
	columnLength  = 6
	columnComment = 12
)

var dimensions = regexp.MustCompile(`^[a-z0-9 ]+\((\d+)(?:,(\d+))?\)`)

// Value is the io.debezium.connector.schema.Column of the column.
func (ic *InfoColumn) Value(flavor string) *change.Value {
	typeName := strings.ToUpper(ic.DataType)
	jdbc, ok := jdbcTypes[ic.DataType]
	if !ok {
		jdbc = jdbcOther // json, geometry types, uuid, inet4/6, vector
	}
	lowerType := strings.ToLower(ic.ColumnType)
	var length, scale, charset, enumValues any
	switch {
	case ic.JSON:
		// MariaDB's JSON, a LONGTEXT alias: Debezium reads the DDL's JSON.
		typeName, jdbc = "JSON", jdbcOther
	case ic.DataType == "enum" || ic.DataType == "set":
		vals := mysqltypes.ParseEnumValues(ic.ColumnType)
		quoted := make([]any, len(vals))
		for i, v := range vals {
			quoted[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		enumValues = quoted
		// Debezium: 1 for ENUM, options plus separating commas for SET.
		length = int64(1)
		if ic.DataType == "set" {
			length = int64(max(0, 2*len(vals)-1))
		}
	default:
		if m := dimensions.FindStringSubmatch(lowerType); m != nil {
			length, _ = strconv.ParseInt(m[1], 10, 32)
			if m[2] != "" {
				scale, _ = strconv.ParseInt(m[2], 10, 32)
			}
		}
		if strings.Contains(lowerType, " unsigned") {
			typeName += " UNSIGNED"
		}
		if strings.Contains(lowerType, " zerofill") {
			typeName += " ZEROFILL"
		}
	}
	if stringTypes[ic.DataType] && !ic.JSON && ic.Charset != "" {
		charset = ic.Charset
	}
	autoInc := strings.Contains(strings.ToLower(ic.Extra), "auto_increment")
	var def any
	if d, ok := defaultExpression(ic, flavor); ok {
		def = d
	}
	return &change.Value{Schema: columnSchema, Values: []any{
		ic.Name, jdbc, nil, typeName, typeName, charset, length, scale, ic.Position,
		ic.Nullable, autoInc, autoInc, nil, def, enumValues,
	}}
}

var (
	numericLiteral  = regexp.MustCompile(`^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$`)
	currentTimeExpr = regexp.MustCompile(`(?i)^(current_timestamp|now|localtime|localtimestamp)(\(\d*\))?$`)
)

// defaultExpression is Debezium's defaultValueExpression of a column: a
// string literal without quotes, a number as written, "1970-01-01 00:00:00"
// for CURRENT_TIMESTAMP, nothing for NULL or a computed expression.
//
// MariaDB (10.2.7+) quotes literals in COLUMN_DEFAULT and writes NULL for
// an explicit NULL default; MySQL writes literals bare and marks
// expression defaults DEFAULT_GENERATED in EXTRA.
func defaultExpression(ic *InfoColumn, flavor string) (string, bool) {
	if !ic.HasDefault {
		return "", false
	}
	d := ic.Default
	if currentTimeExpr.MatchString(d) {
		return "1970-01-01 00:00:00", true
	}
	if flavor != "mariadb" {
		if strings.Contains(strings.ToUpper(ic.Extra), "DEFAULT_GENERATED") {
			return "", false
		}
		return d, true
	}
	switch {
	case d == "NULL":
		return "", false
	case strings.HasPrefix(d, "'") && strings.HasSuffix(d, "'") && len(d) >= 2:
		text, n, ok := quotedText(d, '\'', true)
		if ok && n == len(d) {
			return text, true
		}
		return "", false
	case strings.HasPrefix(d, "b'") && strings.HasSuffix(d, "'"):
		return d[2 : len(d)-1], true
	case numericLiteral.MatchString(d):
		return d, true
	}
	return "", false // an expression: Debezium handles it as NULL
}
