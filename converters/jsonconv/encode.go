package jsonconv

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/typeerr"
	"github.com/sluice-cdc/sluice/internal/fieldmemo"
	"github.com/sluice-cdc/sluice/internal/javafmt"
)

// appendValue appends the JSON of v under plan p (JsonConverter.convertToJson).
// It does not allocate on success.
func (c *Converter) appendValue(b []byte, p *plan, v any) ([]byte, error) {
	if v == nil {
		switch {
		case p.hasDefault && c.replaceNull:
			v = p.s.Default
		case p.s.Optional:
			return append(b, "null"...), nil
		default:
			return b, typeErr(p.s, "null value for a required field with no default")
		}
	}
	switch p.kind {
	case kInt:
		n, ok := v.(int64)
		if !ok {
			return b, wrongType(p.s, v)
		}
		if n < p.min || n > p.max {
			return b, typeErr(p.s, "value %d out of range", n)
		}
		return appendInt(b, n), nil
	case kString:
		str, ok := v.(string)
		if !ok {
			return b, wrongType(p.s, v)
		}
		return appendString(b, str), nil
	case kStruct:
		sv, ok := v.(*change.Value)
		if !ok {
			return b, wrongType(p.s, v)
		}
		return c.appendStruct(b, p, sv)
	case kFloat64, kFloat32:
		f, ok := v.(float64)
		if !ok {
			return b, wrongType(p.s, v)
		}
		return appendFloat(b, f, p.kind == kFloat32), nil
	case kBool:
		t, ok := v.(bool)
		if !ok {
			return b, wrongType(p.s, v)
		}
		return strconv.AppendBool(b, t), nil
	case kBytes:
		raw, ok := v.([]byte)
		if !ok {
			return b, wrongType(p.s, v)
		}
		return appendBase64(b, raw), nil
	case kDecimal:
		return c.appendDecimal(b, p, v)
	case kArray:
		items, ok := v.([]any)
		if !ok {
			return b, wrongType(p.s, v)
		}
		b = append(b, '[')
		for i, it := range items {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = c.appendValue(b, p.items, it); err != nil {
				return b, inPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return append(b, ']'), nil
	case kMap:
		entries, ok := v.([]change.MapEntry)
		if !ok {
			return b, wrongType(p.s, v)
		}
		return c.appendMap(b, p, entries)
	}
	return b, typeErr(p.s, "unsupported schema type")
}

func (c *Converter) appendStruct(b []byte, p *plan, v *change.Value) ([]byte, error) {
	if p.memo != nil {
		return c.appendMemoStruct(b, p, v)
	}
	return c.appendFields(b, p, v, nil, nil)
}

// appendFields writes struct v. With spans and no like, it notes where each
// field's value text starts and ends in b. With like too (another struct of
// the same plan, written earlier into b, spans noting its fields), a field
// whose value is the very value of like's field is copied from like's text:
// an update's after image repeats its before image's values for every
// column the update left alone (see appendPair).
func (c *Converter) appendFields(b []byte, p *plan, v *change.Value, spans *fieldSpans, like *change.Value) ([]byte, error) {
	if v == nil { // a typed nil *Value is a null
		return c.appendValue(b, p, nil)
	}
	if err := typeerr.CheckStruct(p.s, v.Schema); err != nil {
		return b, err
	}
	if len(v.Values) != len(p.fields) {
		return b, typeErr(p.s, "struct value has %d values for %d fields", len(v.Values), len(p.fields))
	}
	b = append(b, '{')
	for i := 0; i < len(p.fields); i++ {
		f := &p.fields[i]
		fv := v.Values[i]
		var err error
		switch {
		case f.pairNext && i+1 < len(p.fields):
			if b, err = c.appendPair(b, f, &p.fields[i+1], fv, v.Values[i+1]); err != nil {
				return b, err
			}
			i++
			continue
		case like != nil && fieldmemo.Same(fv, like.Values[i]):
			b = append(b, f.key...)
			b = append(b, b[spans.start[i]:spans.end[i]]...)
			continue
		}
		b = append(b, f.key...)
		start := len(b)
		if b, err = c.appendField(b, f, fv); err != nil {
			return b, inPath(err, f.name)
		}
		if spans != nil && like == nil {
			spans.start[i], spans.end[i] = int32(start), int32(len(b))
		}
	}
	return append(b, '}'), nil
}

// appendField writes one field's value: the two commonest cases inline,
// everything else (and every error) through appendValue.
func (c *Converter) appendField(b []byte, f *fieldPlan, fv any) ([]byte, error) {
	switch f.p.kind {
	case kInt:
		if n, ok := fv.(int64); ok && n >= f.p.min && n <= f.p.max {
			return f.ints.append(b, n), nil
		}
	case kString:
		if str, ok := fv.(string); ok {
			if len(str) >= memoMin && len(str) <= memoMax {
				return f.long.append(b, str), nil
			}
			return appendString(b, str), nil
		}
	}
	return c.appendValue(b, f.p, fv)
}

// maxPairFields bounds the structs appendPair writes the second of from
// the first: its notes live on the stack.
const maxPairFields = 64

// fieldSpans notes where each field's value text is in the buffer.
type fieldSpans struct{ start, end [maxPairFields]int32 }

// appendPair writes two adjacent fields of one struct plan (an envelope's
// before and after), the second copying from the first's text each value
// the two share: the record builder hands an update's after image the
// before image's converted value for every column the update left alone.
func (c *Converter) appendPair(b []byte, f1, f2 *fieldPlan, v1, v2 any) ([]byte, error) {
	s1, ok1 := v1.(*change.Value)
	s2, ok2 := v2.(*change.Value)
	if !ok1 || !ok2 || s1 == nil || s2 == nil {
		var err error
		for _, fp := range []struct {
			f *fieldPlan
			v any
		}{{f1, v1}, {f2, v2}} {
			b = append(b, fp.f.key...)
			if b, err = c.appendValue(b, fp.f.p, fp.v); err != nil {
				return b, inPath(err, fp.f.name)
			}
		}
		return b, nil
	}
	var spans fieldSpans
	b = append(b, f1.key...)
	b, err := c.appendFields(b, f1.p, s1, &spans, nil)
	if err != nil {
		return b, inPath(err, f1.name)
	}
	b = append(b, f2.key...)
	if b, err = c.appendFields(b, f2.p, s2, &spans, s1); err != nil {
		return b, inPath(err, f2.name)
	}
	return b, nil
}

// appendMap writes a map with string keys as an object, any other map as an
// array of [key,value] pairs, as JsonConverter does. Entries are written in
// slice order; duplicate keys are written as they are (Connect's maps cannot
// hold them).
func (c *Converter) appendMap(b []byte, p *plan, entries []change.MapEntry) ([]byte, error) {
	var err error
	if p.stringKeys {
		b = append(b, '{')
		for i, e := range entries {
			if i > 0 {
				b = append(b, ',')
			}
			// Connect converts the key to a JSON node, then takes its
			// asText(): a null key (optional key schema) becomes "null".
			k := e.Key
			if k == nil && p.keys.hasDefault && c.replaceNull {
				k = p.keys.s.Default
			}
			switch ks := k.(type) {
			case string:
				b = appendString(b, ks)
			case nil:
				if !p.keys.s.Optional {
					return b, inPath(typeErr(p.keys.s, "null map key for a required key schema"), "[key "+strconv.Itoa(i)+"]")
				}
				b = append(b, `"null"`...)
			default:
				return b, inPath(wrongType(p.keys.s, k), "[key "+strconv.Itoa(i)+"]")
			}
			b = append(b, ':')
			if b, err = c.appendValue(b, p.values, e.Value); err != nil {
				if ks, ok := k.(string); ok {
					return b, inPath(err, "["+strconv.Quote(ks)+"]")
				}
				return b, inPath(err, "[null]")
			}
		}
		return append(b, '}'), nil
	}
	b = append(b, '[')
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		if b, err = c.appendValue(b, p.keys, e.Key); err != nil {
			return b, inPath(err, "[key "+strconv.Itoa(i)+"]")
		}
		b = append(b, ',')
		if b, err = c.appendValue(b, p.values, e.Value); err != nil {
			return b, inPath(err, "[value "+strconv.Itoa(i)+"]")
		}
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

// appendDecimal writes a Connect Decimal: the unscaled bytes as base64, or
// the number with its scale applied. Like Connect, the "scale" parameter must
// be present in both modes.
func (c *Converter) appendDecimal(b []byte, p *plan, v any) ([]byte, error) {
	raw, ok := v.([]byte)
	if !ok {
		return b, wrongType(p.s, v)
	}
	if p.scaleErr != nil {
		return b, typeErr(p.s, "%v", p.scaleErr)
	}
	raw = minimalTwosComplement(raw)
	if c.numeric {
		return javafmt.AppendBigDecimal(b, raw, p.scale), nil
	}
	if len(raw) == 0 {
		raw = zeroByte[:] // BigInteger.ZERO.toByteArray() is {0}
	}
	return appendBase64(b, raw), nil
}

var zeroByte = [1]byte{0}

// decimalScale returns the scale of a Connect Decimal schema, from its
// "scale" parameter.
func decimalScale(s *change.Schema) (int, error) {
	str, ok := s.Param("scale")
	if !ok {
		return 0, errDecimalNoScale
	}
	n, err := strconv.Atoi(str)
	if err != nil {
		return 0, errDecimalBadScale
	}
	return n, nil
}

var (
	errDecimalNoScale  = constError("invalid Decimal schema: scale parameter not found")
	errDecimalBadScale = constError("invalid Decimal schema: scale parameter is not an integer")
)

type constError string

func (e constError) Error() string { return string(e) }

// minimalTwosComplement drops redundant sign bytes, so the bytes are those of
// BigInteger.toByteArray, which is what Connect's Decimal.fromLogical writes.
func minimalTwosComplement(p []byte) []byte {
	for len(p) > 1 && ((p[0] == 0 && p[1]&0x80 == 0) || (p[0] == 0xff && p[1]&0x80 != 0)) {
		p = p[1:]
	}
	return p
}

// appendFloat writes a double or float as Jackson does: Java's toString for
// finite values, and the non-finite ones as JSON strings
// (JsonWriteFeature.WRITE_NAN_AS_STRINGS, on by default).
func appendFloat(b []byte, f float64, single bool) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		b = append(b, '"')
		b = javafmt.AppendDouble(b, f)
		return append(b, '"')
	}
	if single {
		return javafmt.AppendFloat(b, f)
	}
	return javafmt.AppendDouble(b, f)
}

func appendBase64(b, p []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, p)
	return append(b, '"')
}

// appendString writes s as a JSON string the way Jackson's UTF8JsonGenerator
// does (characters beyond the BMP as escaped surrogate pairs).
func appendString(b []byte, s string) []byte { return javafmt.AppendJSONString(b, s, true) }

// appendInferred writes a value that has no schema, with the type Connect
// infers from the Java class (ConnectSchema.schemaType). Structs need a
// schema in Connect too.
func (c *Converter) appendInferred(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case float64:
		return appendFloat(b, x, false), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendString(b, x), nil
	case []byte:
		return appendBase64(b, x), nil
	case []any:
		b = append(b, '[')
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = c.appendInferred(b, it); err != nil {
				return b, inPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return append(b, ']'), nil
	case []change.MapEntry:
		objectMode := true
		for _, e := range x {
			if _, ok := e.Key.(string); !ok {
				objectMode = false
				break
			}
		}
		var err error
		if objectMode {
			b = append(b, '{')
			for i, e := range x {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, e.Key.(string))
				b = append(b, ':')
				if b, err = c.appendInferred(b, e.Value); err != nil {
					return b, inPath(err, "["+strconv.Quote(e.Key.(string))+"]")
				}
			}
			return append(b, '}'), nil
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			if b, err = c.appendInferred(b, e.Key); err != nil {
				return b, inPath(err, "[key "+strconv.Itoa(i)+"]")
			}
			b = append(b, ',')
			if b, err = c.appendInferred(b, e.Value); err != nil {
				return b, inPath(err, "[value "+strconv.Itoa(i)+"]")
			}
			b = append(b, ']')
		}
		return append(b, ']'), nil
	}
	return b, typeerr.Schemaless("value of Go type " + typeName(v) + " has no schema and no Connect type can be inferred")
}

func typeName(v any) string {
	if _, ok := v.(*change.Value); ok {
		return "*change.Value (a struct needs its schema)"
	}
	return fmt.Sprintf("%T", v)
}
