package smt

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// extractField is Kafka Connect's ExtractField: the key or value becomes
// one of its fields. field.syntax.version=V2 reads a dotted path into
// nested structs (backticks quote a name with dots).
type extractField struct {
	k           operand
	path        []string
	original    string
	withDefault bool
}

func newExtractField(o options, k operand) (Transform, error) {
	f, err := o.required("field")
	if err != nil {
		return nil, err
	}
	t := &extractField{k: k, original: f, path: []string{f}}
	if t.withDefault, err = o.boolean("replace.null.with.default", true); err != nil {
		return nil, err
	}
	v, _ := o.str("field.syntax.version")
	switch strings.ToUpper(v) {
	case "", "V1":
	case "V2":
		if t.path, err = fieldPathV2(f); err != nil {
			return nil, err
		}
	default:
		return nil, o.invalid("field.syntax.version", v, "String must be one of (case insensitive): V1, V2")
	}
	return t, nil
}

// fieldPathV2 splits a V2 field path as Connect's SingleFieldPath does.
func fieldPathV2(path string) ([]string, error) {
	var steps []string
	idx := 0
	for idx < len(path) {
		if path[idx] != '`' {
			end := strings.IndexByte(path[idx:], '.')
			if end < 0 {
				steps = append(steps, path[idx:])
				idx = len(path)
				break
			}
			steps = append(steps, path[idx:idx+end])
			idx += end + 1
			continue
		}
		backtickAt := idx
		idx++
		var field strings.Builder
		start := idx
		for {
			next := strings.IndexByte(path[idx:], '`')
			if next < 0 {
				return nil, incompleteBacktick(path, backtickAt)
			}
			idx += next
			escaped := path[idx-1] == '\\'
			if idx >= len(path)-1 {
				if escaped {
					return nil, incompleteBacktick(path, backtickAt)
				}
				field.WriteString(path[start:idx])
				steps = append(steps, field.String())
				idx++
				break
			}
			if path[idx+1] != '.' {
				idx++
				continue
			}
			if escaped {
				field.WriteString(path[start : idx-1])
				field.WriteByte('`')
				idx++
				start = idx
				continue
			}
			field.WriteString(path[start:idx])
			steps = append(steps, field.String())
			idx += 2
			break
		}
	}
	if path != "" && path[len(path)-1] == '.' {
		steps = append(steps, "")
	}
	return steps, nil
}

func incompleteBacktick(path string, at int) error {
	return fmt.Errorf("Incomplete backtick pair in path: [%s], consider adding a backslash before backtick at position %s to escape it", path, strconv.Itoa(at))
}

func (t *extractField) Apply(r *change.Record) (*change.Record, error) {
	s, v := t.k.get(r)
	if s == nil {
		if isNull(v) {
			t.k.set(r, nil, nil)
			return r, nil
		}
		m, err := requireMap(v, "field extraction")
		if err != nil {
			return nil, err
		}
		x, err := t.fromMap(m)
		if err != nil {
			return nil, err
		}
		t.k.set(r, nil, x)
		return r, nil
	}
	if !isNull(v) {
		if _, err := requireStruct(v, "field extraction"); err != nil {
			return nil, err
		}
	}
	fs := s
	for _, step := range t.path {
		if fs.Type != change.Struct || fs.FieldIndex(step) < 0 {
			return nil, fmt.Errorf("Unknown field: %s", t.original)
		}
		fs = fs.Fields[fs.FieldIndex(step)].Schema
	}
	if isNull(v) {
		t.k.set(r, fs, nil)
		return r, nil
	}
	x, err := t.fromStruct(v.(*change.Value))
	if err != nil {
		return nil, err
	}
	t.k.set(r, fs, x)
	return r, nil
}

func (t *extractField) fromStruct(sv *change.Value) (any, error) {
	for i, step := range t.path {
		j := sv.Schema.FieldIndex(step)
		if j < 0 {
			return nil, nil
		}
		x := fieldValue(sv, j, t.withDefault || i < len(t.path)-1)
		if i == len(t.path)-1 {
			return x, nil
		}
		if isNull(x) {
			return nil, nil
		}
		var err error
		if sv, err = requireStruct(x, "nested field access"); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func (t *extractField) fromMap(m []change.MapEntry) (any, error) {
	for i, step := range t.path {
		x := mapGet(m, step)
		if i == len(t.path)-1 {
			return x, nil
		}
		if x == nil {
			return nil, nil
		}
		var err error
		if m, err = requireMap(x, "nested field access"); err != nil {
			return nil, err
		}
	}
	return nil, nil
}
