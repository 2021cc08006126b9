package avro

import (
	"fmt"
	"strconv"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Names and properties AvroData (io.confluent.connect.avro.AvroData) writes.
const (
	defaultNamespace  = "io.confluent.connect.avro"
	defaultRecordName = "ConnectDefault"
	mapEntryName      = "MapEntry"

	propConnectName    = "connect.name"
	propConnectDoc     = "connect.doc"
	propConnectVersion = "connect.version"
	propConnectParams  = "connect.parameters"
	propConnectDefault = "connect.default"
	propConnectType    = "connect.type"
	propInternalType   = "connect.internal.type"

	paramDecimalPrecision   = "connect.decimal.precision"
	defaultDecimalPrecision = 64
)

// node is one Avro schema of the tree AvroData builds from a Connect
// schema. A union has no typ; a record is written in full where it first
// appears and by name after that, as Avro's Schema.toString does.
type node struct {
	typ      string // "int", "bytes", ..., "record", "array", "map"; "" for a union
	ns, name string // record
	fields   []avroField
	items    *node   // array
	values   *node   // map
	branches []*node // union
	props    []prop  // in the order AvroData adds them
}

type avroField struct {
	name string
	typ  *node
	def  []byte // the JSON of the field's default; nil: none
}

type prop struct {
	key string
	val []byte // JSON
}

func (n *node) fullName() string {
	if n.ns == "" {
		return n.name
	}
	return n.ns + "." + n.name
}

func (n *node) addProp(key string, jsonVal []byte) { n.props = append(n.props, prop{key, jsonVal}) }

// deriver holds the state of one fromConnectSchema call: the records
// already defined (a second use refers to them by name) and the counter
// behind ConnectDefault, ConnectDefault2, ...
type deriver struct {
	opts     *Options
	named    map[string]*node
	unnamed  map[string]*node // by structural key, as AvroData's schemaMap compares schemas by equality
	defaults int
}

// derive builds the Avro schema AvroData.fromConnectSchema builds for s.
func derive(s *change.Schema, opts *Options) (*node, error) {
	d := &deriver{opts: opts, named: map[string]*node{}, unnamed: map[string]*node{}}
	return d.schema(s, false)
}

// schema is AvroData.fromConnectSchema: the non-optional form of s with its
// metadata, then made optional unless ignoreOptional.
func (d *deriver) schema(s *change.Schema, ignoreOptional bool) (*node, error) {
	if s.Type == change.Struct {
		return d.structSchema(s, ignoreOptional)
	}
	base, err := d.base(s)
	if err != nil {
		return nil, err
	}
	if err := d.metadata(base, s); err != nil {
		return nil, err
	}
	if ignoreOptional || !s.Optional {
		return base, nil
	}
	// A default must match a union's first branch: the type goes first
	// then, null first otherwise (AvroData.maybeMakeOptional).
	if s.HasDefault && s.Default != nil {
		return &node{branches: []*node{base, {typ: "null"}}}, nil
	}
	return &node{branches: []*node{{typ: "null"}, base}}, nil
}

// base is the Avro type of a non-struct schema, without metadata.
func (d *deriver) base(s *change.Schema) (*node, error) {
	switch s.Type {
	case change.Int8, change.Int16, change.Int32:
		return &node{typ: "int"}, nil
	case change.Int64:
		return &node{typ: "long"}, nil
	case change.Float32:
		return &node{typ: "float"}, nil
	case change.Float64:
		return &node{typ: "double"}, nil
	case change.Boolean:
		return &node{typ: "boolean"}, nil
	case change.String:
		return &node{typ: "string"}, nil
	case change.Bytes:
		n := &node{typ: "bytes"}
		if s.Name == change.DecimalName {
			scale, precision, err := decimalParams(s)
			if err != nil {
				return nil, err
			}
			n.addProp("scale", strconv.AppendInt(nil, int64(scale), 10))
			n.addProp("precision", strconv.AppendInt(nil, int64(precision), 10))
		}
		return n, nil
	case change.Array:
		if s.Items == nil {
			return nil, fmt.Errorf("array schema %q has no items schema", s.Name)
		}
		items, err := d.schema(s.Items, false)
		if err != nil {
			return nil, fmt.Errorf("array items: %w", err)
		}
		return &node{typ: "array", items: items}, nil
	case change.Map:
		return d.mapSchema(s)
	}
	return nil, fmt.Errorf("schema %q has unsupported type %s", s.Name, s.Type)
}

// mapSchema writes a map with required string keys as an Avro map, any
// other map as an array of key/value records.
func (d *deriver) mapSchema(s *change.Schema) (*node, error) {
	if s.Keys == nil || s.Values == nil {
		return nil, fmt.Errorf("map schema %q has no keys or values schema", s.Name)
	}
	if s.Keys.Type == change.String && !s.Keys.Optional {
		values, err := d.schema(s.Values, false)
		if err != nil {
			return nil, fmt.Errorf("map values: %w", err)
		}
		return &node{typ: "map", values: values}, nil
	}
	entry := &node{typ: "record", ns: defaultNamespace, name: mapEntryName}
	if s.Name != "" {
		entry.ns, entry.name = splitName(s.Name)
		entry.addProp(propInternalType, jsonString(mapEntryName))
	}
	if prev, ok := d.named[entry.fullName()]; ok {
		return &node{typ: "array", items: prev}, nil
	}
	d.named[entry.fullName()] = entry
	for _, f := range []change.Field{{Name: "key", Schema: s.Keys}, {Name: "value", Schema: s.Values}} {
		af, err := d.field(f)
		if err != nil {
			return nil, err
		}
		entry.fields = append(entry.fields, af)
	}
	return &node{typ: "array", items: entry}, nil
}

// structSchema is a record, or a union of null and the record for an
// optional struct (which then carries no default, whatever the schema says).
func (d *deriver) structSchema(s *change.Schema, ignoreOptional bool) (*node, error) {
	if s.Optional && !ignoreOptional {
		rec, err := d.record(s)
		if err != nil {
			return nil, err
		}
		return &node{branches: []*node{{typ: "null"}, rec}}, nil
	}
	return d.record(s)
}

func (d *deriver) record(s *change.Schema) (*node, error) {
	var key string
	if s.Name != "" {
		if prev, ok := d.named[s.Name]; ok {
			return prev, nil
		}
	} else {
		key = structuralKey(s)
		if prev, ok := d.unnamed[key]; ok {
			return prev, nil
		}
	}
	n := &node{typ: "record"}
	if s.Name != "" {
		full, err := d.opts.schemaNames.fullName(s.Name)
		if err != nil {
			return nil, fmt.Errorf("record name: %w", err)
		}
		n.ns, n.name = splitName(full)
		d.named[s.Name] = n
	} else {
		d.defaults++
		n.ns, n.name = defaultNamespace, defaultRecordName
		if d.defaults > 1 {
			n.name += strconv.Itoa(d.defaults)
		}
		d.unnamed[key] = n
	}
	for _, f := range s.Fields {
		if f.Schema == nil {
			return nil, fmt.Errorf("field %q of %q has no schema", f.Name, s.Name)
		}
		af, err := d.field(f)
		if err != nil {
			return nil, err
		}
		n.fields = append(n.fields, af)
	}
	if err := d.metadata(n, s); err != nil {
		return nil, err
	}
	return n, nil
}

// field is AvroData.addAvroRecordField: an optional field without default
// gets "default": null.
func (d *deriver) field(f change.Field) (avroField, error) {
	name, err := d.opts.fieldNames.simpleName(f.Name)
	if err != nil {
		return avroField{}, fmt.Errorf("field name: %w", err)
	}
	typ, err := d.schema(f.Schema, false)
	if err != nil {
		return avroField{}, fmt.Errorf("field %s: %w", f.Name, err)
	}
	af := avroField{name: name, typ: typ}
	switch {
	case f.Schema.HasDefault && f.Schema.Default != nil:
		// Avro refuses a struct default for a union whose first branch is
		// null; AvroData then drops the default (with a warning).
		if !(f.Schema.Type == change.Struct && f.Schema.Optional) {
			if af.def, err = defaultJSON(f.Schema, f.Schema.Default); err != nil {
				return avroField{}, fmt.Errorf("field %s default: %w", f.Name, err)
			}
		}
	case f.Schema.Optional:
		af.def = []byte("null")
	}
	return af, nil
}

// metadata adds the connect.* properties (with connect.meta.data on) and the
// logical types, in AvroData's order.
func (d *deriver) metadata(n *node, s *change.Schema) error {
	if d.opts.ConnectMetaData {
		if s.Doc != "" {
			n.addProp(propConnectDoc, jsonString(s.Doc))
		}
		if s.Version != 0 {
			n.addProp(propConnectVersion, strconv.AppendInt(nil, int64(s.Version), 10))
		}
		if len(s.Parameters) > 0 {
			n.addProp(propConnectParams, paramsJSON(s.Parameters))
		}
		if s.HasDefault && s.Default != nil {
			def, err := defaultJSON(s, s.Default)
			if err != nil {
				return fmt.Errorf("default of %q: %w", s.Name, err)
			}
			n.addProp(propConnectDefault, def)
		}
		if s.Name != "" {
			name := s.Name
			if n.typ == "record" {
				name = n.fullName()
			}
			n.addProp(propConnectName, jsonString(name))
		}
		switch s.Type {
		case change.Int8:
			n.addProp(propConnectType, jsonString("int8"))
		case change.Int16:
			n.addProp(propConnectType, jsonString("int16"))
		}
	}
	switch s.Name {
	case change.DecimalName:
		// Avro's decimal logical type cannot hold a negative scale or one
		// above the precision; AvroData keeps the legacy property then.
		scale, precision, _ := decimalParams(s)
		_, hasPrecision := s.Param(paramDecimalPrecision)
		if (scale >= 0 && scale <= precision) || hasPrecision {
			n.addProp("logicalType", jsonString("decimal"))
		}
	case change.ConnectTimeName:
		n.addProp("logicalType", jsonString("time-millis"))
	case change.ConnectTimestamp:
		n.addProp("logicalType", jsonString("timestamp-millis"))
	case change.ConnectDateName:
		n.addProp("logicalType", jsonString("date"))
	}
	for _, p := range s.Parameters {
		if len(p.Key) >= 4 && p.Key[:4] == "avro" {
			n.addProp(p.Key, jsonString(p.Value))
		}
	}
	return nil
}

// decimalParams reads a Decimal schema's scale (required, as in Connect)
// and precision (connect.decimal.precision, 64 when absent).
func decimalParams(s *change.Schema) (scale, precision int, err error) {
	str, ok := s.Param("scale")
	if !ok {
		return 0, 0, fmt.Errorf("Decimal schema %q has no scale parameter", s.Name)
	}
	if scale, err = strconv.Atoi(str); err != nil {
		return 0, 0, fmt.Errorf("Decimal schema scale %q is not an integer", str)
	}
	precision = defaultDecimalPrecision
	if str, ok := s.Param(paramDecimalPrecision); ok {
		if precision, err = strconv.Atoi(str); err != nil {
			return 0, 0, fmt.Errorf("Decimal schema %s %q is not an integer", paramDecimalPrecision, str)
		}
	}
	return scale, precision, nil
}

// structuralKey identifies a struct schema by content, for the reuse of
// unnamed records that AvroData's equality-keyed schema map gives.
func structuralKey(s *change.Schema) string {
	b := appendKey(nil, s)
	return string(b)
}

func appendKey(b []byte, s *change.Schema) []byte {
	if s == nil {
		return append(b, '-')
	}
	b = fmt.Appendf(b, "(%d %t %q %d %q %q %t %#v", s.Type, s.Optional, s.Name, s.Version, s.Doc, s.Parameters, s.HasDefault, s.Default)
	for _, f := range s.Fields {
		b = strconv.AppendQuote(b, f.Name)
		b = appendKey(b, f.Schema)
	}
	b = appendKey(b, s.Items)
	b = appendKey(b, s.Keys)
	b = appendKey(b, s.Values)
	return append(b, ')')
}
