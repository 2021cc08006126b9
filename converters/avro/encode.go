package avro

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/typeerr"
	"github.com/sluice-cdc/sluice/internal/fieldmemo"
)

// encodeFunc appends the Avro binary form of one value to b. It is built
// once per schema (compile) and reused for every record: no reflection, no
// maps, no allocation on success.
type encodeFunc func(b []byte, v any) ([]byte, error)

// compileEncoder builds the encoder of s, mirroring the schema derive
// builds: optional schemas are unions ([null, T], or [T, null] when they
// have a default; optional structs always [null, record]). memo shares the
// encoders of sub-schemas used more than once (an envelope's before and
// after).
func compileEncoder(s *change.Schema, memo map[*change.Schema]encodeFunc) (encodeFunc, error) {
	if e, ok := memo[s]; ok {
		return e, nil
	}
	base, err := compileBase(s, memo)
	if err != nil {
		return nil, err
	}
	e := withNulls(s, base)
	memo[s] = e
	return e, nil
}

// withNulls wraps a type's encoder with what a null means for s: the
// default (Connect's Struct.get), the null branch of the union, or an error.
func withNulls(s *change.Schema, base encodeFunc) encodeFunc {
	hasDefault := s.HasDefault && s.Default != nil
	switch {
	case !s.Optional && hasDefault:
		def := s.Default
		return func(b []byte, v any) ([]byte, error) {
			if v == nil {
				v = def
			}
			return base(b, v)
		}
	case !s.Optional:
		return func(b []byte, v any) ([]byte, error) {
			if v == nil {
				return b, typeErr(s, "null value for a required field with no default")
			}
			return base(b, v)
		}
	case hasDefault && s.Type != change.Struct:
		// [T, null]: a null takes the default, so the null branch is
		// never written (as in AvroData, which reads through Struct.get).
		def := s.Default
		return func(b []byte, v any) ([]byte, error) {
			if v == nil {
				v = def
			}
			return base(append(b, 0), v)
		}
	case hasDefault: // optional struct with a default: [null, record]
		def := s.Default
		return func(b []byte, v any) ([]byte, error) {
			if v == nil {
				v = def
			}
			return base(append(b, 2), v)
		}
	}
	return func(b []byte, v any) ([]byte, error) {
		if v == nil || isNilValue(v) {
			return append(b, 0), nil // branch 0: null
		}
		return base(append(b, 2), v) // branch 1, zig-zag encoded
	}
}

func isNilValue(v any) bool {
	sv, ok := v.(*change.Value)
	return ok && sv == nil
}

func compileBase(s *change.Schema, memo map[*change.Schema]encodeFunc) (encodeFunc, error) {
	if s.Name == change.DecimalName {
		if s.Type != change.Bytes {
			return nil, fmt.Errorf("Decimal schema must have type bytes, not %s", s.Type)
		}
		return encodeDecimal(s), nil
	}
	switch s.Type {
	case change.Int8:
		return encodeInt(s, math.MinInt8, math.MaxInt8), nil
	case change.Int16:
		return encodeInt(s, math.MinInt16, math.MaxInt16), nil
	case change.Int32:
		return encodeInt(s, math.MinInt32, math.MaxInt32), nil
	case change.Int64:
		return encodeInt(s, math.MinInt64, math.MaxInt64), nil
	case change.Float32:
		return encodeFloat(s), nil
	case change.Float64:
		return encodeDouble(s), nil
	case change.Boolean:
		return encodeBool(s), nil
	case change.String:
		return encodeString(s), nil
	case change.Bytes:
		return encodeBytes(s), nil
	case change.Struct:
		return compileStruct(s, memo)
	case change.Array:
		return compileArray(s, memo)
	case change.Map:
		return compileMap(s, memo)
	}
	return nil, fmt.Errorf("schema %q has unsupported type %s", s.Name, s.Type)
}

func encodeInt(s *change.Schema, lo, hi int64) encodeFunc {
	return func(b []byte, v any) ([]byte, error) {
		n, ok := v.(int64)
		if !ok {
			return b, wrongType(s, v)
		}
		if n < lo || n > hi {
			return b, typeErr(s, "value %d out of range", n)
		}
		return appendLong(b, n), nil
	}
}

// The Avro encodings of the plain types, shared by their encoders and the
// struct encoder's inline path (appendPlain).

func appendLong(b []byte, n int64) []byte { return binary.AppendVarint(b, n) }

func appendString(b []byte, s string) []byte {
	return append(binary.AppendVarint(b, int64(len(s))), s...)
}

func appendDouble(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func appendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(f)))
}

func appendBool(b []byte, t bool) []byte {
	if t {
		return append(b, 1)
	}
	return append(b, 0)
}

func encodeFloat(s *change.Schema) encodeFunc {
	return func(b []byte, v any) ([]byte, error) {
		f, ok := v.(float64)
		if !ok {
			return b, wrongType(s, v)
		}
		return appendFloat(b, f), nil
	}
}

func encodeDouble(s *change.Schema) encodeFunc {
	return func(b []byte, v any) ([]byte, error) {
		f, ok := v.(float64)
		if !ok {
			return b, wrongType(s, v)
		}
		return appendDouble(b, f), nil
	}
}

func encodeBool(s *change.Schema) encodeFunc {
	return func(b []byte, v any) ([]byte, error) {
		t, ok := v.(bool)
		if !ok {
			return b, wrongType(s, v)
		}
		return appendBool(b, t), nil
	}
}

func encodeString(s *change.Schema) encodeFunc {
	return func(b []byte, v any) ([]byte, error) {
		str, ok := v.(string)
		if !ok {
			return b, wrongType(s, v)
		}
		return appendString(b, str), nil
	}
}

func encodeBytes(s *change.Schema) encodeFunc {
	return func(b []byte, v any) ([]byte, error) {
		raw, ok := v.([]byte)
		if !ok {
			return b, wrongType(s, v)
		}
		b = binary.AppendVarint(b, int64(len(raw)))
		return append(b, raw...), nil
	}
}

// encodeDecimal writes BigInteger.toByteArray of the unscaled value, as
// Connect's Decimal.fromLogical does.
func encodeDecimal(s *change.Schema) encodeFunc {
	_, _, perr := decimalParams(s)
	return func(b []byte, v any) ([]byte, error) {
		raw, ok := v.([]byte)
		if !ok {
			return b, wrongType(s, v)
		}
		if perr != nil {
			return b, typeErr(s, "%v", perr)
		}
		raw = minimalTwosComplement(raw)
		if len(raw) == 0 {
			raw = zeroByte[:]
		}
		b = binary.AppendVarint(b, int64(len(raw)))
		return append(b, raw...), nil
	}
}

var zeroByte = [1]byte{0}

// minimalTwosComplement drops redundant sign bytes.
func minimalTwosComplement(p []byte) []byte {
	for len(p) > 1 && ((p[0] == 0 && p[1]&0x80 == 0) || (p[0] == 0xff && p[1]&0x80 != 0)) {
		p = p[1:]
	}
	return p
}

func compileStruct(s *change.Schema, memo map[*change.Schema]encodeFunc) (encodeFunc, error) {
	se, err := compileStructEnc(s, memo)
	if err != nil {
		return nil, err
	}
	return se.encode, nil
}

// structEnc encodes the fields of structs of one schema.
type structEnc struct {
	s      *change.Schema
	fields []fieldEnc
	held   *fieldmemo.Memo // the source block's: see fieldmemo
	// writeField is write, bound once: a method value made per call
	// would be allocated for held.Append.
	writeField func(b []byte, i int, v any) ([]byte, error)
	// pairs[i], when set, encodes field i and i+1 together: an envelope's
	// before and after (encodePair).
	pairs []*structEnc
}

type fieldEnc struct {
	name string
	enc  encodeFunc
	// plain, when set, is the field's type: an integer, float, boolean or
	// string without a logical meaning to its encoding, which write
	// encodes itself for a value of its Go type (what enc would write,
	// without two calls through closures for each field of each row).
	plain  change.Type
	lo, hi int64 // an integer's range
	// branch is the union branch byte written before a value: 2 for
	// [null, T], 0 for [T, null], -1 for no union.
	branch int16
}

// plainField returns the fieldEnc of a field of schema fs whose values
// write encodes itself, or one with plain unset.
func plainField(name string, fs *change.Schema, enc encodeFunc) fieldEnc {
	f := fieldEnc{name: name, enc: enc, branch: -1}
	hasDefault := fs.HasDefault && fs.Default != nil
	switch {
	case fs.Optional && hasDefault:
		f.branch = 0
	case fs.Optional:
		f.branch = 2
	}
	switch fs.Type {
	case change.Int8:
		f.lo, f.hi = math.MinInt8, math.MaxInt8
	case change.Int16:
		f.lo, f.hi = math.MinInt16, math.MaxInt16
	case change.Int32:
		f.lo, f.hi = math.MinInt32, math.MaxInt32
	case change.Int64:
		f.lo, f.hi = math.MinInt64, math.MaxInt64
	case change.Float32, change.Float64, change.Boolean, change.String:
	default:
		return f
	}
	f.plain = fs.Type
	return f
}

// appendPlain writes v as the plain field f, reporting false (having
// written nothing) when v is not of the type's Go type or out of its range:
// enc then writes it, or names the error.
func (f *fieldEnc) appendPlain(b []byte, v any) ([]byte, bool) {
	switch f.plain {
	case change.Int8, change.Int16, change.Int32, change.Int64:
		n, ok := v.(int64)
		if !ok || n < f.lo || n > f.hi {
			return b, false
		}
		return appendLong(f.appendBranch(b), n), true
	case change.String:
		str, ok := v.(string)
		if !ok {
			return b, false
		}
		return appendString(f.appendBranch(b), str), true
	case change.Float64:
		x, ok := v.(float64)
		if !ok {
			return b, false
		}
		return appendDouble(f.appendBranch(b), x), true
	case change.Float32:
		x, ok := v.(float64)
		if !ok {
			return b, false
		}
		return appendFloat(f.appendBranch(b), x), true
	case change.Boolean:
		t, ok := v.(bool)
		if !ok {
			return b, false
		}
		return appendBool(f.appendBranch(b), t), true
	}
	return b, false
}

func (f *fieldEnc) appendBranch(b []byte) []byte {
	if f.branch >= 0 {
		return append(b, byte(f.branch))
	}
	return b
}

func compileStructEnc(s *change.Schema, memo map[*change.Schema]encodeFunc) (*structEnc, error) {
	se := &structEnc{s: s, fields: make([]fieldEnc, len(s.Fields)), pairs: make([]*structEnc, len(s.Fields))}
	for i, f := range s.Fields {
		if f.Schema == nil {
			return nil, fmt.Errorf("field %q of %q has no schema", f.Name, s.Name)
		}
		enc, err := compileEncoder(f.Schema, memo)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		se.fields[i] = plainField(f.Name, f.Schema, enc)
	}
	for i := 0; i+1 < len(s.Fields); i++ {
		if rs := s.Fields[i].Schema; rs == s.Fields[i+1].Schema && pairable(rs) {
			row, err := compileStructEnc(rs, memo)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", s.Fields[i].Name, err)
			}
			se.pairs[i] = row
			i++
		}
	}
	if fieldmemo.Worth(s) {
		se.held = &fieldmemo.Memo{}
	}
	se.writeField = se.write
	return se, nil
}

// pairable reports whether two adjacent fields of schema rs can be written
// by encodePair: optional structs without a default (the [null, record]
// union), of at most maxPairFields fields.
func pairable(rs *change.Schema) bool {
	return rs.Type == change.Struct && rs.Optional && !(rs.HasDefault && rs.Default != nil) &&
		len(rs.Fields) <= maxPairFields
}

func (se *structEnc) write(b []byte, i int, v any) ([]byte, error) {
	f := &se.fields[i]
	if f.plain != 0 {
		if v == nil && f.branch == 2 {
			return append(b, 0), nil // branch 0 of [null, T]
		}
		if out, ok := f.appendPlain(b, v); ok {
			return out, nil
		}
	}
	b, err := f.enc(b, v)
	if err != nil {
		return b, inPath(err, f.name)
	}
	return b, nil
}

func (se *structEnc) encode(b []byte, v any) ([]byte, error) {
	sv, err := se.check(v)
	if err != nil {
		return b, err
	}
	if se.held != nil {
		if out, ok, err := se.held.Append(b, sv.Values, se.writeField); ok {
			return out, err
		}
	}
	for i := 0; i < len(se.fields); i++ {
		if row := se.pairs[i]; row != nil {
			if b, err = se.encodePair(b, row, i, sv.Values[i], sv.Values[i+1]); err != nil {
				return b, err
			}
			i++
			continue
		}
		if b, err = se.write(b, i, sv.Values[i]); err != nil {
			return b, err
		}
	}
	return b, nil
}

// check returns v as a struct of this schema, or the error naming why not.
func (se *structEnc) check(v any) (*change.Value, error) {
	sv, ok := v.(*change.Value)
	if !ok || sv == nil {
		return nil, wrongType(se.s, v)
	}
	if err := typeerr.CheckStruct(se.s, sv.Schema); err != nil {
		return nil, err
	}
	if len(sv.Values) != len(se.fields) {
		return nil, typeErr(se.s, "struct value has %d values for %d fields", len(sv.Values), len(se.fields))
	}
	return sv, nil
}

// maxPairFields bounds the structs encodePair writes the second of from the
// first: its notes live on the stack.
const maxPairFields = 64

// fieldSpans notes where each field's bytes are in the buffer.
type fieldSpans struct{ start, end [maxPairFields]int32 }

// encodePair writes fields i and i+1, structs of row's schema (an
// envelope's before and after), the second copying from the first's bytes
// each value the two share: the record builder hands an update's after
// image the before image's converted value for every column the update
// left alone, and a value's encoding depends on it and its schema only.
func (se *structEnc) encodePair(b []byte, row *structEnc, i int, v1, v2 any) ([]byte, error) {
	s1, ok1 := v1.(*change.Value)
	s2, ok2 := v2.(*change.Value)
	if !ok1 || !ok2 || s1 == nil || s2 == nil {
		b, err := se.write(b, i, v1)
		if err != nil {
			return b, err
		}
		return se.write(b, i+1, v2)
	}
	var spans fieldSpans
	b, err := row.encodeFields(append(b, 2), s1, &spans, nil) // branch 1 of [null, record]
	if err != nil {
		return b, inPath(err, se.fields[i].name)
	}
	if b, err = row.encodeFields(append(b, 2), s2, &spans, s1); err != nil {
		return b, inPath(err, se.fields[i+1].name)
	}
	return b, nil
}

// encodeFields writes struct v's fields. With spans and no like, it notes
// where each field's bytes start and end in b; with like too (the struct
// whose fields spans noted), a field whose value is the very value of
// like's field is copied from like's bytes.
func (se *structEnc) encodeFields(b []byte, v *change.Value, spans *fieldSpans, like *change.Value) ([]byte, error) {
	if _, err := se.check(v); err != nil {
		return b, err
	}
	var err error
	for i := range se.fields {
		fv := v.Values[i]
		if like != nil && fieldmemo.Same(fv, like.Values[i]) {
			b = append(b, b[spans.start[i]:spans.end[i]]...)
			continue
		}
		start := len(b)
		if b, err = se.write(b, i, fv); err != nil {
			return b, err
		}
		if like == nil {
			spans.start[i], spans.end[i] = int32(start), int32(len(b))
		}
	}
	return b, nil
}

func compileArray(s *change.Schema, memo map[*change.Schema]encodeFunc) (encodeFunc, error) {
	if s.Items == nil {
		return nil, fmt.Errorf("array schema %q has no items schema", s.Name)
	}
	items, err := compileEncoder(s.Items, memo)
	if err != nil {
		return nil, fmt.Errorf("array items: %w", err)
	}
	return func(b []byte, v any) ([]byte, error) {
		list, ok := v.([]any)
		if !ok {
			return b, wrongType(s, v)
		}
		if len(list) > 0 {
			b = binary.AppendVarint(b, int64(len(list)))
			for i, it := range list {
				if b, err = items(b, it); err != nil {
					return b, inPath(err, "["+strconv.Itoa(i)+"]")
				}
			}
		}
		return append(b, 0), nil
	}, nil
}

// compileMap writes an Avro map (required string keys) or an array of
// key/value records (any other key), as AvroData does.
func compileMap(s *change.Schema, memo map[*change.Schema]encodeFunc) (encodeFunc, error) {
	if s.Keys == nil || s.Values == nil {
		return nil, fmt.Errorf("map schema %q has no keys or values schema", s.Name)
	}
	keys, err := compileEncoder(s.Keys, memo)
	if err != nil {
		return nil, fmt.Errorf("map keys: %w", err)
	}
	values, err := compileEncoder(s.Values, memo)
	if err != nil {
		return nil, fmt.Errorf("map values: %w", err)
	}
	return func(b []byte, v any) ([]byte, error) {
		entries, ok := v.([]change.MapEntry)
		if !ok {
			return b, wrongType(s, v)
		}
		if len(entries) > 0 {
			b = binary.AppendVarint(b, int64(len(entries)))
			for i, e := range entries {
				if b, err = keys(b, e.Key); err != nil {
					return b, inPath(err, "[key "+strconv.Itoa(i)+"]")
				}
				if b, err = values(b, e.Value); err != nil {
					return b, inPath(err, "[value "+strconv.Itoa(i)+"]")
				}
			}
		}
		return append(b, 0), nil
	}, nil
}
