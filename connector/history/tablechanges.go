package history

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The tableChanges of a history record, as Debezium's
// JsonTableChangeSerializer writes them (debezium/debezium
// debezium-connector-common/src/main/java/io/debezium/relational/history/JsonTableChangeSerializer.java,
// with Document.set*/JacksonWriter semantics from io/debezium/document).
// This is not the shape of the tableChanges in schema change events
// (ConnectTableChangeSerializer, a Connect struct): here absent optional
// numbers are omitted, unset strings are written as null, every column has
// hasDefaultValue and enumValues, and every table has attributes.

// Table change types, TableChanges.TableChangeType.
const (
	ChangeCreate = "CREATE"
	ChangeAlter  = "ALTER"
	ChangeDrop   = "DROP"
)

// TableChange is one entry of a record's tableChanges:
//
//	{"type":"CREATE","id":"\"db\".\"t\"","table":{...},"comment":null}
//	{"type":"ALTER","id":"\"db\".\"t2\"","previousId":"\"db\".\"t\"","table":{...},"comment":null}
//	{"type":"DROP","id":"\"db\".\"t\""}
type TableChange struct {
	// Type is ChangeCreate, ChangeAlter or ChangeDrop.
	Type string
	// ID is the table's id as TableId.toDoubleQuotedString writes it; see
	// TableID.
	ID string
	// PreviousID is the table's id before a RENAME (an ALTER); "" omits
	// previousId.
	PreviousID string
	// Table is the table's structure after the change, nil for a DROP.
	// With a nil Table, "table" and "comment" are omitted, as Debezium
	// does for TableChanges.drop.
	Table *Table
}

// Table is a table's structure. Debezium writes the table's comment next
// to "table" in the change, not inside it; Table.Comment is written there.
type Table struct {
	// DefaultCharsetName is written as null when nil.
	DefaultCharsetName *string
	// PrimaryKeyColumnNames, Columns and Attributes are written as [] when
	// empty.
	PrimaryKeyColumnNames []string
	Columns               []Column
	Attributes            []Attribute
	// Comment is the table's comment, null when nil.
	Comment *string
}

// Column is one column of a Table, fields in the order Debezium writes
// them.
type Column struct {
	Name string
	// JdbcType is the java.sql.Types code.
	JdbcType int
	// NativeType is omitted when nil (Column.UNSET_INT_VALUE); the MySQL
	// connector never sets it.
	NativeType     *int
	TypeName       string
	TypeExpression *string // null when nil
	CharsetName    *string // null when nil
	// Length and Scale are omitted when nil.
	Length *int
	Scale  *int
	// Position is 1-based.
	Position        int
	Optional        bool
	AutoIncremented bool
	Generated       bool
	Comment         *string // null when nil
	HasDefaultValue bool
	// DefaultValueExpression is omitted when nil; a column with
	// HasDefaultValue and no expression has DEFAULT NULL.
	DefaultValueExpression *string
	// EnumValues are the ENUM or SET values, written as [] when empty.
	EnumValues []string
}

// Attribute is a table attribute (name/value), which the MySQL connector
// does not set.
type Attribute struct {
	Name  string
	Value *string // null when nil
}

// TableID returns the id of table in database db as Debezium's
// TableId.toDoubleQuotedString writes it for MySQL (catalog = database, no
// schema): "db"."table", each part quoted with embedded quotes doubled. As
// in Debezium, a part that already starts or ends with a quote is left as
// it is, and an empty database is left out.
func TableID(db, table string) string {
	if db == "" {
		return quoteIDPart(table)
	}
	return quoteIDPart(db) + "." + quoteIDPart(table)
}

func quoteIDPart(s string) string {
	if s == "" {
		return `""`
	}
	if s[0] == '"' || s[len(s)-1] == '"' {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// MarshalTableChanges encodes changes as a tableChanges array; no changes
// give [], what Debezium writes for a statement that changes no table.
func MarshalTableChanges(changes []TableChange) (json.RawMessage, error) {
	b := []byte{'['}
	for i, c := range changes {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = c.appendJSON(b); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// MarshalJSON encodes c as JsonTableChangeSerializer.toDocument(TableChange)
// does.
func (c TableChange) MarshalJSON() ([]byte, error) {
	return c.appendJSON(nil)
}

func (c TableChange) appendJSON(b []byte) ([]byte, error) {
	switch c.Type {
	case ChangeCreate, ChangeAlter, ChangeDrop:
	default:
		return nil, fmt.Errorf("encoding table change of %s: unknown type %q", c.ID, c.Type)
	}
	if c.Table == nil && c.Type != ChangeDrop {
		// Debezium's reader requires a table for CREATE and ALTER.
		return nil, fmt.Errorf("encoding %s table change of %s: no table", c.Type, c.ID)
	}
	b = append(b, `{"type":`...)
	b = appendString(b, c.Type)
	b = append(b, `,"id":`...)
	b = appendString(b, c.ID)
	if c.PreviousID != "" {
		b = append(b, `,"previousId":`...)
		b = appendString(b, c.PreviousID)
	}
	if c.Table != nil {
		b = append(b, `,"table":`...)
		b = c.Table.appendJSON(b)
		b = append(b, `,"comment":`...)
		b = appendNullableString(b, c.Table.Comment)
	}
	return append(b, '}'), nil
}

func (t *Table) appendJSON(b []byte) []byte {
	b = append(b, `{"defaultCharsetName":`...)
	b = appendNullableString(b, t.DefaultCharsetName)
	b = append(b, `,"primaryKeyColumnNames":[`...)
	for i, n := range t.PrimaryKeyColumnNames {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, n)
	}
	b = append(b, `],"columns":[`...)
	for i := range t.Columns {
		if i > 0 {
			b = append(b, ',')
		}
		b = t.Columns[i].appendJSON(b)
	}
	b = append(b, `],"attributes":[`...)
	for i, a := range t.Attributes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendString(b, a.Name)
		b = append(b, `,"value":`...)
		b = appendNullableString(b, a.Value)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

func (c *Column) appendJSON(b []byte) []byte {
	b = append(b, `{"name":`...)
	b = appendString(b, c.Name)
	b = append(b, `,"jdbcType":`...)
	b = strconv.AppendInt(b, int64(c.JdbcType), 10)
	if c.NativeType != nil {
		b = append(b, `,"nativeType":`...)
		b = strconv.AppendInt(b, int64(*c.NativeType), 10)
	}
	b = append(b, `,"typeName":`...)
	b = appendString(b, c.TypeName)
	b = append(b, `,"typeExpression":`...)
	b = appendNullableString(b, c.TypeExpression)
	b = append(b, `,"charsetName":`...)
	b = appendNullableString(b, c.CharsetName)
	if c.Length != nil {
		b = append(b, `,"length":`...)
		b = strconv.AppendInt(b, int64(*c.Length), 10)
	}
	if c.Scale != nil {
		b = append(b, `,"scale":`...)
		b = strconv.AppendInt(b, int64(*c.Scale), 10)
	}
	b = append(b, `,"position":`...)
	b = strconv.AppendInt(b, int64(c.Position), 10)
	b = append(b, `,"optional":`...)
	b = strconv.AppendBool(b, c.Optional)
	b = append(b, `,"autoIncremented":`...)
	b = strconv.AppendBool(b, c.AutoIncremented)
	b = append(b, `,"generated":`...)
	b = strconv.AppendBool(b, c.Generated)
	b = append(b, `,"comment":`...)
	b = appendNullableString(b, c.Comment)
	b = append(b, `,"hasDefaultValue":`...)
	b = strconv.AppendBool(b, c.HasDefaultValue)
	if c.DefaultValueExpression != nil {
		b = append(b, `,"defaultValueExpression":`...)
		b = appendString(b, *c.DefaultValueExpression)
	}
	b = append(b, `,"enumValues":[`...)
	for i, v := range c.EnumValues {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	return append(b, "]}"...)
}

func appendNullableString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

// UnmarshalTableChanges decodes a tableChanges array written by Debezium or
// MarshalTableChanges. A null or missing array gives no changes.
func UnmarshalTableChanges(raw json.RawMessage) ([]TableChange, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var changes []TableChange
	if err := json.Unmarshal(raw, &changes); err != nil {
		return nil, fmt.Errorf("decoding tableChanges %s: %w", clip(raw), err)
	}
	return changes, nil
}

// UnmarshalJSON decodes a change as JsonTableChangeSerializer.fromDocument
// reads it: the table of a DROP is ignored, and the table's comment is
// taken from the change (where Debezium writes it) or, failing that, from
// the table document.
func (c *TableChange) UnmarshalJSON(b []byte) error {
	var raw struct {
		Type       string          `json:"type"`
		ID         string          `json:"id"`
		PreviousID *string         `json:"previousId"`
		Table      json.RawMessage `json:"table"`
		Comment    *string         `json:"comment"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = TableChange{Type: raw.Type, ID: raw.ID, PreviousID: deref(raw.PreviousID)}
	switch raw.Type {
	case ChangeCreate, ChangeAlter:
	case ChangeDrop:
		return nil
	default:
		return fmt.Errorf("table change of %s has unknown type %q", raw.ID, raw.Type)
	}
	if !isJSON(raw.Table, '{') {
		return fmt.Errorf("%s table change of %s has no table", raw.Type, raw.ID)
	}
	var t struct {
		DefaultCharsetName    *string     `json:"defaultCharsetName"`
		PrimaryKeyColumnNames []string    `json:"primaryKeyColumnNames"`
		Columns               []Column    `json:"columns"`
		Attributes            []Attribute `json:"attributes"`
		Comment               *string     `json:"comment"`
	}
	if err := json.Unmarshal(raw.Table, &t); err != nil {
		return fmt.Errorf("decoding table of %s: %w", raw.ID, err)
	}
	c.Table = &Table{
		DefaultCharsetName:    t.DefaultCharsetName,
		PrimaryKeyColumnNames: t.PrimaryKeyColumnNames,
		Columns:               t.Columns,
		Attributes:            t.Attributes,
		Comment:               raw.Comment,
	}
	if c.Table.Comment == nil {
		c.Table.Comment = t.Comment
	}
	return nil
}

// MarshalJSON encodes the column as part of a table change.
func (c Column) MarshalJSON() ([]byte, error) { return c.appendJSON(nil), nil }

// UnmarshalJSON decodes a column; null booleans and a missing enumValues
// read as false and none. A defaultValueExpression implies
// HasDefaultValue, as Debezium's ColumnEditor.defaultValueExpression sets
// it (records older than hasDefaultValue have only the expression).
func (c *Column) UnmarshalJSON(b []byte) error {
	var raw struct {
		Name                   string   `json:"name"`
		JdbcType               int      `json:"jdbcType"`
		NativeType             *int     `json:"nativeType"`
		TypeName               string   `json:"typeName"`
		TypeExpression         *string  `json:"typeExpression"`
		CharsetName            *string  `json:"charsetName"`
		Length                 *int     `json:"length"`
		Scale                  *int     `json:"scale"`
		Position               int      `json:"position"`
		Optional               bool     `json:"optional"`
		AutoIncremented        bool     `json:"autoIncremented"`
		Generated              bool     `json:"generated"`
		Comment                *string  `json:"comment"`
		HasDefaultValue        bool     `json:"hasDefaultValue"`
		DefaultValueExpression *string  `json:"defaultValueExpression"`
		EnumValues             []string `json:"enumValues"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("decoding column %s: %w", clip(b), err)
	}
	*c = Column(raw)
	if c.DefaultValueExpression != nil {
		c.HasDefaultValue = true
	}
	return nil
}

// MarshalJSON encodes the attribute as part of a table.
func (a Attribute) MarshalJSON() ([]byte, error) {
	b := append([]byte(`{"name":`), appendString(nil, a.Name)...)
	b = append(b, `,"value":`...)
	b = appendNullableString(b, a.Value)
	return append(b, '}'), nil
}

// MarshalJSON encodes the table as the value of a change's "table" (without
// the comment, which belongs to the change).
func (t Table) MarshalJSON() ([]byte, error) { return t.appendJSON(nil), nil }
