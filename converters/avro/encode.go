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
		return binary.AppendVarint(b, n), nil
	}
}

func encodeFloat(s *change.Schema) encodeFunc {
	return func(b []byte, v any) ([]byte, error) {
		f, ok := v.(float64)
		if !ok {
			return b, wrongType(s, v)
		}
		return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(f))), nil
	}
}

func encodeDouble(s *change.Schema) encodeFunc {
	return func(b []byte, v any) ([]byte, error) {
		f, ok := v.(float64)
		if !ok {
			return b, wrongType(s, v)
		}
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(f)), nil
	}
}

func encodeBool(s *change.Schema) encodeFunc {
	return func(b []byte, v any) ([]byte, error) {
		t, ok := v.(bool)
		if !ok {
			return b, wrongType(s, v)
		}
		if t {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	}
}

func encodeString(s *change.Schema) encodeFunc {
	return func(b []byte, v any) ([]byte, error) {
		str, ok := v.(string)
		if !ok {
			return b, wrongType(s, v)
		}
		b = binary.AppendVarint(b, int64(len(str)))
		return append(b, str...), nil
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
	type fieldEnc struct {
		name string
		enc  encodeFunc
	}
	fields := make([]fieldEnc, len(s.Fields))
	for i, f := range s.Fields {
		if f.Schema == nil {
			return nil, fmt.Errorf("field %q of %q has no schema", f.Name, s.Name)
		}
		enc, err := compileEncoder(f.Schema, memo)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		fields[i] = fieldEnc{f.Name, enc}
	}
	write := func(b []byte, i int, v any) ([]byte, error) {
		b, err := fields[i].enc(b, v)
		if err != nil {
			return b, inPath(err, fields[i].name)
		}
		return b, nil
	}
	var held *fieldmemo.Memo // the source block's: see fieldmemo
	if fieldmemo.Worth(s) {
		held = &fieldmemo.Memo{}
	}
	return func(b []byte, v any) ([]byte, error) {
		sv, ok := v.(*change.Value)
		if !ok || sv == nil {
			return b, wrongType(s, v)
		}
		if err := typeerr.CheckStruct(s, sv.Schema); err != nil {
			return b, err
		}
		if len(sv.Values) != len(fields) {
			return b, typeErr(s, "struct value has %d values for %d fields", len(sv.Values), len(fields))
		}
		if held != nil {
			if out, ok, err := held.Append(b, sv.Values, write); ok {
				return out, err
			}
		}
		var err error
		for i := range fields {
			if b, err = fields[i].enc(b, sv.Values[i]); err != nil {
				return b, inPath(err, fields[i].name)
			}
		}
		return b, nil
	}, nil
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
