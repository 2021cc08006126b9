package smt

import (
	"fmt"
	"math"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

// timestampConverter is Kafka Connect's TimestampConverter: a field (or
// the whole key or value) that holds a time as a Connect Timestamp, Date or
// Time, a unix number or a formatted string becomes target.type. Formats
// are SimpleDateFormat patterns in UTC.
type timestampConverter struct {
	k           operand
	field       string
	target      string
	format      *javaDateFormat
	precision   string
	withDefault bool
	cache       schemaCache
}

const (
	tsString    = "string"
	tsUnix      = "unix"
	tsDate      = "Date"
	tsTime      = "Time"
	tsTimestamp = "Timestamp"
)

func newTimestampConverter(o options, k operand) (Transform, error) {
	t := &timestampConverter{k: k}
	t.field, _ = o.str("field")
	var err error
	if _, err = o.required("target.type"); err != nil {
		return nil, err
	}
	if t.target, err = o.oneOf("target.type", "", tsString, tsUnix, tsDate, tsTime, tsTimestamp); err != nil {
		return nil, err
	}
	if t.precision, err = o.oneOf("unix.precision", "milliseconds", "nanoseconds", "microseconds", "milliseconds", "seconds"); err != nil {
		return nil, err
	}
	if t.withDefault, err = o.boolean("replace.null.with.default", true); err != nil {
		return nil, err
	}
	pattern, _ := o.str("format")
	if t.target == tsString && pattern == "" {
		return nil, fmt.Errorf("TimestampConverter requires format option to be specified when using string timestamps")
	}
	if pattern != "" {
		if t.format, err = parseJavaDateFormat(pattern); err != nil {
			return nil, o.invalid("format", pattern, "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: "+err.Error())
		}
	}
	return t, nil
}

// typeSchema is the target type's schema, shared so that converters see
// one pointer.
func (t *timestampConverter) typeSchema(optional bool) *change.Schema {
	pick := func(req, opt *change.Schema) *change.Schema {
		if optional {
			return opt
		}
		return req
	}
	switch t.target {
	case tsString:
		return pick(stringSchema, optionalStringSchema)
	case tsUnix:
		return pick(int64Schema, optionalInt64Schema)
	case tsDate:
		return pick(dateSchema, optionalDateSchema)
	case tsTime:
		return pick(timeSchema, optionalTimeSchema)
	}
	return pick(timestampSchema, optionalTimestampSchema)
}

func (t *timestampConverter) Apply(r *change.Record) (*change.Record, error) {
	s, v := t.k.get(r)
	if s == nil {
		return t.schemaless(r, v)
	}
	if t.field == "" {
		from, err := kindOf(s)
		if err != nil {
			return nil, err
		}
		x, err := t.convert(v, from)
		if err != nil {
			return nil, err
		}
		t.k.set(r, t.typeSchema(s.Optional), x)
		return r, nil
	}
	var sv *change.Value
	if !isNull(v) {
		var err error
		if sv, err = requireStruct(v, "converting timestamp formats"); err != nil {
			return nil, err
		}
	}
	ns, err := t.cache.get(s, t.schema)
	if err != nil {
		return nil, err
	}
	out, err := t.value(sv, ns)
	if err != nil {
		return nil, err
	}
	t.k.set(r, ns, out)
	return r, nil
}

func (t *timestampConverter) schema(in *change.Schema) (*change.Schema, error) {
	out := copyBasics(in, change.Struct)
	for _, f := range in.Fields {
		if f.Name == t.field {
			f = change.Field{Name: f.Name, Schema: t.typeSchema(f.Schema.Optional)}
		}
		out.Fields = append(out.Fields, f)
	}
	out.Optional = in.Optional
	if d, ok := in.Default.(*change.Value); ok && in.HasDefault && d != nil {
		dv, err := t.value(d, out)
		if err != nil {
			return nil, err
		}
		out.Default, out.HasDefault = dv, true
	}
	return out, nil
}

func (t *timestampConverter) value(v *change.Value, ns *change.Schema) (*change.Value, error) {
	if v == nil {
		return nil, nil
	}
	out := &change.Value{Schema: ns, Values: make([]any, len(v.Values))}
	for i, f := range v.Schema.Fields {
		x := fieldValue(v, i, t.withDefault)
		if f.Name == t.field {
			from, err := kindOf(f.Schema)
			if err != nil {
				return nil, err
			}
			if x, err = t.convert(x, from); err != nil {
				return nil, err
			}
		}
		out.Values[i] = x
	}
	return out, nil
}

func (t *timestampConverter) schemaless(r *change.Record, v any) (*change.Record, error) {
	if t.target == tsDate || t.target == tsTime || t.target == tsTimestamp {
		// Connect puts a java.util.Date in schemaless data, which no
		// converter can write: the task fails. Fail here, saying why.
		return nil, fmt.Errorf("Java class class java.util.Date does not have corresponding schema type: target.type=%s needs a record with a schema", t.target)
	}
	if isNull(v) || t.field == "" {
		x, err := t.convert(v, "")
		if err != nil {
			return nil, err
		}
		t.k.set(r, nil, x)
		return r, nil
	}
	m, err := requireMap(v, "converting timestamp formats")
	if err != nil {
		return nil, err
	}
	x, err := t.convert(mapGet(m, t.field), "")
	if err != nil {
		return nil, err
	}
	t.k.set(r, nil, mapPut(m, t.field, x))
	return r, nil
}

// kindOf is timestampTypeFromSchema.
func kindOf(s *change.Schema) (string, error) {
	switch {
	case s.Name == change.ConnectTimestamp:
		return tsTimestamp, nil
	case s.Name == change.ConnectDateName:
		return tsDate, nil
	case s.Name == change.ConnectTimeName:
		return tsTime, nil
	case s.Type == change.String:
		return tsString, nil
	case s.Type == change.Int64:
		return tsUnix, nil
	}
	return "", fmt.Errorf("Schema %s does not correspond to a known timestamp type format", schemaString(s))
}

// schemaString is ConnectSchema.toString.
func schemaString(s *change.Schema) string {
	if s.Name != "" {
		return "Schema{" + s.Name + ":" + schemaTypeName(s.Type) + "}"
	}
	return "Schema{" + schemaTypeName(s.Type) + "}"
}

// convert turns v, of kind from ("" infers it from the value), into the
// target type, through the time in ms.
func (t *timestampConverter) convert(v any, from string) (any, error) {
	if isNull(v) {
		return nil, nil
	}
	if from == "" {
		switch v.(type) {
		case int64:
			from = tsUnix
		case string:
			from = tsString
		default:
			return nil, fmt.Errorf("TimestampConverter does not support %s objects as timestamps", javaClass(v))
		}
	}
	ms, err := t.toMillis(v, from)
	if err != nil {
		return nil, err
	}
	switch t.target {
	case tsString:
		return t.format.format(time.UnixMilli(ms)), nil
	case tsUnix:
		return t.toUnix(ms), nil
	case tsDate:
		return floorDiv(ms, millisPerDay), nil
	case tsTime:
		return ms - floorDiv(ms, millisPerDay)*millisPerDay, nil
	}
	return ms, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (t *timestampConverter) toMillis(v any, from string) (int64, error) {
	switch from {
	case tsString:
		s, ok := v.(string)
		if !ok {
			return 0, fmt.Errorf("Expected string timestamp to be a String, but found %s", javaClass(v))
		}
		if t.format == nil {
			return 0, fmt.Errorf("TimestampConverter requires format option to be specified to parse string timestamps")
		}
		tm, err := t.format.parse(s)
		if err != nil {
			return 0, fmt.Errorf("Could not parse timestamp: value (%s) does not match pattern (%s)", s, t.format.pattern)
		}
		return tm.UnixMilli(), nil
	case tsUnix:
		n, ok := v.(int64)
		if !ok {
			return 0, fmt.Errorf("Expected Unix timestamp to be a Long, but found %s", javaClass(v))
		}
		switch t.precision {
		case "seconds":
			return saturatingMul(n, 1000), nil
		case "microseconds":
			return n / 1000, nil
		case "nanoseconds":
			return n / 1000000, nil
		}
		return n, nil
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("Expected %s to be a java.util.Date, but found %s", from, javaClass(v))
	}
	if from == tsDate {
		return n * millisPerDay, nil
	}
	return n, nil
}

func (t *timestampConverter) toUnix(ms int64) int64 {
	switch t.precision {
	case "seconds":
		return ms / 1000
	case "microseconds":
		return saturatingMul(ms, 1000)
	case "nanoseconds":
		return saturatingMul(ms, 1000000)
	}
	return ms
}

// saturatingMul is TimeUnit's conversion up: it saturates, as Java's does.
func saturatingMul(n, by int64) int64 {
	if n > math.MaxInt64/by {
		return math.MaxInt64
	}
	if n < math.MinInt64/by {
		return math.MinInt64
	}
	return n * by
}
