package jsonconv

import (
	"math"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/internal/fieldmemo"
)

// kind is how a value of a schema is written.
type kind uint8

const (
	kInt kind = iota + 1
	kFloat32
	kFloat64
	kBool
	kString
	kBytes
	kDecimal
	kStruct
	kArray
	kMap
)

// plan is a schema compiled for encoding: what a value of it is written as,
// with everything that depends only on the schema worked out once (field
// keys already quoted, integer bounds, the Decimal scale).
type plan struct {
	s          *change.Schema
	kind       kind
	hasDefault bool // a non-null default (Connect cannot tell null from none)

	min, max int64 // kInt
	scale    int   // kDecimal
	scaleErr error // kDecimal with a missing or bad scale parameter

	fields              []fieldPlan     // kStruct
	items, keys, values *plan           // kArray; kMap
	stringKeys          bool            // kMap written as an object
	memo                *fieldmemo.Memo // kStruct of plain fields (structmemo.go)
}

type fieldPlan struct {
	name string
	key  []byte // `"name":`, with a leading comma from the second field on
	p    *plan
	long *stringMemo // a string field's (stringmemo.go)
	ints *intMemo    // an integer field's (intmemo.go)
	// pairNext says that this field and the next are structs of one plan
	// (an envelope's before and after) written together (appendPair).
	pairNext bool
}

// compile builds the plan of s. memo shares the plans of sub-schemas used
// more than once (an envelope's before and after).
func compile(s *change.Schema, memo map[*change.Schema]*plan) (*plan, error) {
	if p, ok := memo[s]; ok {
		return p, nil
	}
	p := &plan{s: s, hasDefault: s.HasDefault && s.Default != nil}
	memo[s] = p
	var err error
	switch {
	case s.Name == change.DecimalName:
		if s.Type != change.Bytes {
			return nil, typeErr(s, "Decimal schema must have type bytes")
		}
		p.kind = kDecimal
		p.scale, p.scaleErr = decimalScale(s)
		return p, nil
	}
	switch s.Type {
	case change.Int8:
		p.kind, p.min, p.max = kInt, math.MinInt8, math.MaxInt8
	case change.Int16:
		p.kind, p.min, p.max = kInt, math.MinInt16, math.MaxInt16
	case change.Int32:
		p.kind, p.min, p.max = kInt, math.MinInt32, math.MaxInt32
	case change.Int64:
		p.kind, p.min, p.max = kInt, math.MinInt64, math.MaxInt64
	case change.Float32:
		p.kind = kFloat32
	case change.Float64:
		p.kind = kFloat64
	case change.Boolean:
		p.kind = kBool
	case change.String:
		p.kind = kString
	case change.Bytes:
		p.kind = kBytes
	case change.Struct:
		p.kind = kStruct
		p.fields = make([]fieldPlan, len(s.Fields))
		for i := range s.Fields {
			f := &s.Fields[i]
			if f.Schema == nil {
				return nil, inPath(typeErr(s, "field %q has no schema", f.Name), f.Name)
			}
			fp := &p.fields[i]
			fp.name = f.Name
			if i > 0 {
				fp.key = append(fp.key, ',')
			}
			fp.key = appendString(fp.key, f.Name)
			fp.key = append(fp.key, ':')
			if fp.p, err = compile(f.Schema, memo); err != nil {
				return nil, inPath(err, f.Name)
			}
			switch fp.p.kind {
			case kString:
				fp.long = &stringMemo{}
			case kInt:
				fp.ints = &intMemo{}
			}
		}
		for i := 0; i+1 < len(p.fields); i++ {
			f, next := &p.fields[i], &p.fields[i+1]
			f.pairNext = f.p == next.p && f.p.kind == kStruct && len(f.p.fields) <= maxPairFields
		}
		if fieldmemo.Worth(s) {
			p.memo = &fieldmemo.Memo{}
		}
	case change.Array:
		p.kind = kArray
		if s.Items == nil {
			return nil, typeErr(s, "array schema without an items schema")
		}
		if p.items, err = compile(s.Items, memo); err != nil {
			return nil, inPath(err, "[items]")
		}
	case change.Map:
		p.kind = kMap
		if s.Keys == nil || s.Values == nil {
			return nil, typeErr(s, "map schema without a keys or values schema")
		}
		if p.keys, err = compile(s.Keys, memo); err != nil {
			return nil, inPath(err, "[keys]")
		}
		if p.values, err = compile(s.Values, memo); err != nil {
			return nil, inPath(err, "[values]")
		}
		p.stringKeys = s.Keys.Type == change.String
	default:
		return nil, typeErr(s, "unsupported schema type")
	}
	return p, nil
}
