package jsonconv

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/internal/javafmt"
)

// appendValue appends the JSON of v under schema s (JsonConverter.convertToJson).
// It does not allocate on success.
func (c *Converter) appendValue(b []byte, s *change.Schema, v any) ([]byte, error) {
	if v == nil {
		switch {
		case s.HasDefault && s.Default != nil && c.replaceNull:
			v = s.Default
		case s.Optional:
			return append(b, "null"...), nil
		default:
			return b, typeErr(s, "null value for a required field with no default")
		}
	}
	if s.Name == change.DecimalName {
		return c.appendDecimal(b, s, v)
	}
	switch s.Type {
	case change.Int8, change.Int16, change.Int32, change.Int64:
		n, ok := v.(int64)
		if !ok {
			return b, wrongType(s, v)
		}
		if !inRange(s.Type, n) {
			return b, typeErr(s, "value %d out of range", n)
		}
		return strconv.AppendInt(b, n, 10), nil
	case change.Float32, change.Float64:
		f, ok := v.(float64)
		if !ok {
			return b, wrongType(s, v)
		}
		return appendFloat(b, f, s.Type == change.Float32), nil
	case change.Boolean:
		t, ok := v.(bool)
		if !ok {
			return b, wrongType(s, v)
		}
		return strconv.AppendBool(b, t), nil
	case change.String:
		str, ok := v.(string)
		if !ok {
			return b, wrongType(s, v)
		}
		return appendString(b, str), nil
	case change.Bytes:
		p, ok := v.([]byte)
		if !ok {
			return b, wrongType(s, v)
		}
		return appendBase64(b, p), nil
	case change.Struct:
		sv, ok := v.(*change.Value)
		if !ok {
			return b, wrongType(s, v)
		}
		return c.appendStruct(b, s, sv)
	case change.Array:
		items, ok := v.([]any)
		if !ok {
			return b, wrongType(s, v)
		}
		if s.Items == nil {
			return b, typeErr(s, "array schema without an items schema")
		}
		b = append(b, '[')
		for i, it := range items {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = c.appendValue(b, s.Items, it); err != nil {
				return b, inPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return append(b, ']'), nil
	case change.Map:
		entries, ok := v.([]change.MapEntry)
		if !ok {
			return b, wrongType(s, v)
		}
		if s.Keys == nil || s.Values == nil {
			return b, typeErr(s, "map schema without keys or values schema")
		}
		return c.appendMap(b, s, entries)
	}
	return b, typeErr(s, "unsupported schema type")
}

func (c *Converter) appendStruct(b []byte, s *change.Schema, v *change.Value) ([]byte, error) {
	if v == nil { // a typed nil *Value is a null
		return c.appendValue(b, s, nil)
	}
	if v.Schema != s && !sameFields(v.Schema, s) {
		return b, typeErr(s, "struct value has a mismatching schema %q", schemaName(v.Schema))
	}
	if len(v.Values) != len(s.Fields) {
		return b, typeErr(s, "struct value has %d values for %d fields", len(v.Values), len(s.Fields))
	}
	b = append(b, '{')
	for i := range s.Fields {
		f := &s.Fields[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, f.Name)
		b = append(b, ':')
		var err error
		if b, err = c.appendValue(b, f.Schema, v.Values[i]); err != nil {
			return b, inPath(err, f.Name)
		}
	}
	return append(b, '}'), nil
}

// sameFields is the cheap part of Connect's Struct schema equality check,
// for values built against an equal schema held by another pointer.
func sameFields(a, b *change.Schema) bool {
	if a == nil || a.Type != change.Struct || len(a.Fields) != len(b.Fields) || a.Name != b.Name {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i].Name != b.Fields[i].Name || a.Fields[i].Schema.Type != b.Fields[i].Schema.Type {
			return false
		}
	}
	return true
}

func schemaName(s *change.Schema) string {
	if s == nil {
		return "<nil>"
	}
	return s.Name
}

// appendMap writes a map with string keys as an object, any other map as an
// array of [key,value] pairs, as JsonConverter does. Entries are written in
// slice order; duplicate keys are written as they are (Connect's maps cannot
// hold them).
func (c *Converter) appendMap(b []byte, s *change.Schema, entries []change.MapEntry) ([]byte, error) {
	var err error
	if s.Keys.Type == change.String {
		b = append(b, '{')
		for i, e := range entries {
			if i > 0 {
				b = append(b, ',')
			}
			// Connect converts the key to a JSON node, then takes its
			// asText(): a null key (optional key schema) becomes "null".
			k := e.Key
			if k == nil && s.Keys.HasDefault && s.Keys.Default != nil && c.replaceNull {
				k = s.Keys.Default
			}
			switch ks := k.(type) {
			case string:
				b = appendString(b, ks)
			case nil:
				if !s.Keys.Optional {
					return b, inPath(typeErr(s.Keys, "null map key for a required key schema"), "[key "+strconv.Itoa(i)+"]")
				}
				b = append(b, `"null"`...)
			default:
				return b, inPath(wrongType(s.Keys, k), "[key "+strconv.Itoa(i)+"]")
			}
			b = append(b, ':')
			if b, err = c.appendValue(b, s.Values, e.Value); err != nil {
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
		if b, err = c.appendValue(b, s.Keys, e.Key); err != nil {
			return b, inPath(err, "[key "+strconv.Itoa(i)+"]")
		}
		b = append(b, ',')
		if b, err = c.appendValue(b, s.Values, e.Value); err != nil {
			return b, inPath(err, "[value "+strconv.Itoa(i)+"]")
		}
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

// appendDecimal writes a Connect Decimal: the unscaled bytes as base64, or
// the number with its scale applied. Like Connect, the "scale" parameter must
// be present in both modes.
func (c *Converter) appendDecimal(b []byte, s *change.Schema, v any) ([]byte, error) {
	p, ok := v.([]byte)
	if !ok {
		return b, wrongType(s, v)
	}
	scale, err := DecimalScale(s)
	if err != nil {
		return b, typeErr(s, "%v", err)
	}
	p = minimalTwosComplement(p)
	if c.numeric {
		return javafmt.AppendBigDecimal(b, p, scale), nil
	}
	if len(p) == 0 {
		p = zeroByte[:] // BigInteger.ZERO.toByteArray() is {0}
	}
	return appendBase64(b, p), nil
}

var zeroByte = [1]byte{0}

// DecimalScale returns the scale of a Connect Decimal schema, from its
// "scale" parameter.
func DecimalScale(s *change.Schema) (int, error) {
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

func inRange(t change.Type, n int64) bool {
	switch t {
	case change.Int8:
		return n >= math.MinInt8 && n <= math.MaxInt8
	case change.Int16:
		return n >= math.MinInt16 && n <= math.MaxInt16
	case change.Int32:
		return n >= math.MinInt32 && n <= math.MaxInt32
	}
	return true
}

func wrongType(s *change.Schema, v any) error {
	return typeErr(s, "value must be %s, got %T", goType(s), v)
}

// goType names the Go type change.Schema documents for s.
func goType(s *change.Schema) string {
	if s.Name == change.DecimalName {
		return "[]byte (unscaled two's complement)"
	}
	switch s.Type {
	case change.Int8, change.Int16, change.Int32, change.Int64:
		return "int64"
	case change.Float32, change.Float64:
		return "float64"
	case change.Boolean:
		return "bool"
	case change.String:
		return "string"
	case change.Bytes:
		return "[]byte"
	case change.Struct:
		return "*change.Value"
	case change.Array:
		return "[]any"
	case change.Map:
		return "[]change.MapEntry"
	}
	return "?"
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

const hexUpper = "0123456789ABCDEF"

// escapes holds Jackson's escapes for ASCII (CharTypes.sOutputEscapes128):
// 0 = as is, 'u' = \u00XX, other = backslash + that byte.
var escapes = func() (t [utf8.RuneSelf]byte) {
	for i := 0; i < 0x20; i++ {
		t[i] = 'u'
	}
	t['"'] = '"'
	t['\\'] = '\\'
	t['\b'] = 'b'
	t['\t'] = 't'
	t['\f'] = 'f'
	t['\n'] = 'n'
	t['\r'] = 'r'
	return t
}()

// appendString writes s as a JSON string the way Jackson's UTF8JsonGenerator
// does: \" \\ \b \t \f \n \r, other control characters as \u00XX (upper-case
// hex), "/" and DEL unescaped, non-ASCII in the Basic Multilingual Plane as
// UTF-8, and characters beyond it as their UTF-16 surrogate pair escaped
// ("😀" is written \uD83D\uDE00). Invalid UTF-8 becomes U+FFFD (a Java String
// cannot hold it in the first place).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if e := escapes[c]; e != 0 {
				b = append(b, s[start:i]...)
				if e == 'u' {
					b = append(b, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&0xF])
				} else {
					b = append(b, '\\', e)
				}
				start = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			start = i + 1
		case size == 4:
			// Jackson writes a Java String's surrogate pair as two escapes
			// (JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8 is off
			// by default in 2.x).
			b = append(b, s[start:i]...)
			hi, lo := utf16.EncodeRune(r)
			b = appendU4(b, hi)
			b = appendU4(b, lo)
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendU4(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexUpper[r>>12&0xF], hexUpper[r>>8&0xF], hexUpper[r>>4&0xF], hexUpper[r&0xF])
}

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
	return b, &pathError{msg: "value of Go type " + typeName(v) + " has no schema and no Connect type can be inferred"}
}

func typeName(v any) string {
	if _, ok := v.(*change.Value); ok {
		return "*change.Value (a struct needs its schema)"
	}
	return fmt.Sprintf("%T", v)
}
