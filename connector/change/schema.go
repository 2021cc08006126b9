// Package change holds the change-event model shared by every source, the
// poller, the transforms and the converters: Connect-style schemas, struct
// values, the Event a reader emits and the Record the poller produces.
//
// It is a leaf package on purpose: readers, converters and transforms all
// depend on it, and it depends on nothing of Sluice's.
package change

import "strconv"

// Type is a Kafka Connect schema type.
type Type uint8

// The Kafka Connect schema types. Their String form is the name Kafka
// Connect's JsonConverter and Avro use ("int8", "string", ...).
const (
	Int8 Type = iota + 1
	Int16
	Int32
	Int64
	Float32
	Float64
	Boolean
	String
	Bytes
	Struct
	Array
	Map
)

var typeNames = [...]string{"", "int8", "int16", "int32", "int64", "float", "double", "boolean", "string", "bytes", "struct", "array", "map"}

func (t Type) String() string {
	if int(t) < len(typeNames) && t != 0 {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Param is one schema parameter. Parameters are kept in insertion order
// because Connect's JSON and Avro forms print them in that order.
type Param struct{ Key, Value string }

// Schema is a Kafka Connect schema. A Schema is immutable once built: the
// converters cache their encoded form by pointer, so a changed table must get
// a new *Schema, never an edited one.
//
// Values held for each Type (the only ones converters accept):
//
//	Int8..Int64      int64
//	Float32, Float64 float64
//	Boolean          bool
//	String           string
//	Bytes            []byte (also Connect Decimal: big-endian two's complement unscaled value)
//	Struct           *Value
//	Array            []any
//	Map              []MapEntry
//
// nil is the null value of an optional schema.
type Schema struct {
	Type       Type
	Optional   bool
	Name       string // logical or record name, e.g. "io.debezium.time.Date"
	Version    int    // 0 = none
	Doc        string
	Parameters []Param
	// Default is the Connect default value when HasDefault is set; nil with
	// HasDefault means an explicit null default.
	Default    any
	HasDefault bool
	Fields     []Field // Struct
	Items      *Schema // Array
	Keys       *Schema // Map
	Values     *Schema // Map
}

// Field is one field of a struct schema.
type Field struct {
	Name   string
	Schema *Schema
}

// MapEntry is one entry of a Map value.
type MapEntry struct{ Key, Value any }

// Value is a struct value: Values[i] belongs to Schema.Fields[i]. A Value
// handed on (in an Event, to a transform, to a converter) is not changed
// again: events share them (a snapshot's rows their source block, an
// update's after image the before image's converted values), and a
// transform that changes a value builds a new one.
type Value struct {
	Schema *Schema
	Values []any
}

// Param returns the value of a schema parameter and whether it is set.
func (s *Schema) Param(key string) (string, bool) {
	for _, p := range s.Parameters {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// FieldIndex returns the index of the named field, or -1.
func (s *Schema) FieldIndex(name string) int {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return i
		}
	}
	return -1
}

// Get returns the value of the named field, or nil when the field does not
// exist or is null.
func (v *Value) Get(name string) any {
	if v == nil {
		return nil
	}
	if i := v.Schema.FieldIndex(name); i >= 0 {
		return v.Values[i]
	}
	return nil
}

// Logical type names Sluice emits, from Kafka Connect and Debezium.
const (
	DecimalName        = "org.apache.kafka.connect.data.Decimal"
	ConnectDateName    = "org.apache.kafka.connect.data.Date"
	ConnectTimeName    = "org.apache.kafka.connect.data.Time"
	ConnectTimestamp   = "org.apache.kafka.connect.data.Timestamp"
	DateName           = "io.debezium.time.Date"
	TimeName           = "io.debezium.time.Time"
	MicroTimeName      = "io.debezium.time.MicroTime"
	NanoTimeName       = "io.debezium.time.NanoTime"
	TimestampName      = "io.debezium.time.Timestamp"
	MicroTimestampName = "io.debezium.time.MicroTimestamp"
	NanoTimestampName  = "io.debezium.time.NanoTimestamp"
	ZonedTimestampName = "io.debezium.time.ZonedTimestamp"
	YearName           = "io.debezium.time.Year"
	JSONName           = "io.debezium.data.Json"
	EnumName           = "io.debezium.data.Enum"
	EnumSetName        = "io.debezium.data.EnumSet"
	BitsName           = "io.debezium.data.Bits"
	GeometryName       = "io.debezium.data.geometry.Geometry"
	UUIDName           = "io.debezium.data.Uuid"
)
