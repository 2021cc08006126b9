package smt

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// The outbox router's table.expand.json.payload: Debezium's JsonSchemaData
// infers a Connect schema from a JSON document (Jackson's tree) and
// converts the document to a struct of it. Its rules are copied, including
// where it gives up: a schema it cannot infer leaves the payload a string,
// a value that does not fit the inferred schema fails the record.

// jsonNode is Jackson's JsonNode, as far as inference needs: object fields
// keep their order (a repeated key keeps its first place and last value)
// and numbers keep Jackson's int/long/big-integer/double split.
type jsonNode struct {
	kind   jsonKind
	str    string
	num    json.Number
	b      bool
	keys   []string
	fields map[string]*jsonNode
	items  []*jsonNode
}

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonString
	jsonBool
	jsonInt    // fits a Java int: IntNode
	jsonLong   // fits a Java long: LongNode
	jsonBigInt // BigIntegerNode
	jsonDouble // any number with a fraction or exponent: DoubleNode
	jsonArray
	jsonObject
)

func (n *jsonNode) isNumber() bool { return n.kind >= jsonInt && n.kind <= jsonDouble }

// parseJSONPayload is EventRouterDelegate.parseJsonPayload: only text that
// starts with { or [ is parsed; what follows the first value is ignored,
// as Jackson's readTree does.
func parseJSONPayload(s string) (*jsonNode, error) {
	if s == "" || s[0] != '{' && s[0] != '[' {
		return nil, errors.New("not a JSON object or array")
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	return readJSONNode(d)
}

func readJSONNode(d *json.Decoder) (*jsonNode, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return &jsonNode{kind: jsonNull}, nil
	case string:
		return &jsonNode{kind: jsonString, str: t}, nil
	case bool:
		return &jsonNode{kind: jsonBool, b: t}, nil
	case json.Number:
		return numberNode(t), nil
	case json.Delim:
		if t == '[' {
			n := &jsonNode{kind: jsonArray}
			for d.More() {
				item, err := readJSONNode(d)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
			_, err := d.Token()
			return n, err
		}
		n := &jsonNode{kind: jsonObject, fields: map[string]*jsonNode{}}
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return nil, err
			}
			k := kt.(string)
			v, err := readJSONNode(d)
			if err != nil {
				return nil, err
			}
			if _, dup := n.fields[k]; !dup {
				n.keys = append(n.keys, k)
			}
			n.fields[k] = v
		}
		_, err := d.Token()
		return n, err
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

func numberNode(num json.Number) *jsonNode {
	s := num.String()
	if strings.ContainsAny(s, ".eE") {
		return &jsonNode{kind: jsonDouble, num: num}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return &jsonNode{kind: jsonBigInt, num: num}
	case n >= math.MinInt32 && n <= math.MaxInt32:
		return &jsonNode{kind: jsonInt, num: num}
	}
	return &jsonNode{kind: jsonLong, num: num}
}

var (
	optInt32   = &change.Schema{Type: change.Int32, Optional: true}
	optInt64   = &change.Schema{Type: change.Int64, Optional: true}
	optFloat64 = &change.Schema{Type: change.Float64, Optional: true}
	optBool    = &change.Schema{Type: change.Boolean, Optional: true}
	optBytes   = &change.Schema{Type: change.Bytes, Optional: true}
)

// jsonSchemaData is JsonSchemaData with its null-field behaviour (ignore,
// or optional_bytes) and the identity field namer.
type jsonSchemaData struct {
	nullAsBytes bool
	keys        *schemaKeys
}

// schema is JsonSchemaData.toConnectSchema: nil where Debezium returns
// null (the field is left out), an error where it throws.
func (j jsonSchemaData) schema(key string, n *jsonNode) (*change.Schema, error) {
	switch n.kind {
	case jsonString:
		return optionalString, nil
	case jsonBool:
		return optBool, nil
	case jsonInt:
		return optInt32, nil
	case jsonLong:
		return optInt64, nil
	case jsonBigInt, jsonDouble:
		return optFloat64, nil
	case jsonArray:
		if len(n.items) == 0 {
			return nil, nil
		}
		items, err := j.arrayItems(key, n)
		if err != nil {
			return nil, err
		}
		return &change.Schema{Type: change.Array, Optional: true, Items: items}, nil
	case jsonObject:
		s := &change.Schema{Type: change.Struct, Name: key, Optional: true}
		for _, k := range n.keys {
			fieldKey := k
			if strings.TrimSpace(key) != "" {
				fieldKey = key + "." + k
			}
			fs, err := j.schema(fieldKey, n.fields[k])
			if err != nil {
				return nil, err
			}
			if fs != nil && s.FieldIndex(k) < 0 {
				s.Fields = append(s.Fields, change.Field{Name: k, Schema: fs})
			}
		}
		return s, nil
	case jsonNull:
		if j.nullAsBytes {
			return optBytes, nil
		}
	}
	return nil, nil
}

// arrayItems is toConnectSchemaWithCycles: the first non-null element
// decides, every other element must be of its kind (and, for numbers, of
// its schema). Objects' schemas are merged; Debezium merges them in a
// HashSet's order, which varies from run to run, Sluice in the order the
// elements come.
func (j jsonSchemaData) arrayItems(key string, n *jsonNode) (*change.Schema, error) {
	var ref *jsonNode
	var refSchema *change.Schema
	for _, e := range n.items {
		if e.kind == jsonNull {
			continue
		}
		if ref == nil {
			ref = e
		}
		if e.isNumber() != ref.isNumber() || !e.isNumber() && e.kind != ref.kind {
			return nil, fmt.Errorf("field %s is not a homogenous array", key)
		}
		if ref.isNumber() {
			if refSchema == nil {
				refSchema, _ = j.schema("", ref)
			}
			if es, _ := j.schema("", e); es != refSchema {
				return nil, fmt.Errorf("field %s is not a homogenous array: different number types", key)
			}
		}
	}
	if ref != nil && ref.kind == jsonObject {
		var merged *change.Schema
		seen := map[string]bool{}
		for _, e := range n.items {
			if e.kind != jsonObject {
				continue
			}
			es, err := j.schema(key, e)
			if err != nil {
				return nil, err
			}
			if k := j.keys.key(es); !seen[k] {
				seen[k] = true
				merged = mergeSchemas(merged, es)
			}
		}
		return merged, nil
	}
	if ref == nil {
		ref = &jsonNode{kind: jsonNull}
	}
	s, err := j.schema("", ref)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("array %s has unrecognized member schema", key)
	}
	return s, nil
}

// mergeSchemas is JsonSchemaData.mergeSchema: left's fields, then right's
// new ones; a bytes field (a null) gives way to a typed one. Like
// SchemaUtil.copySchemaBasics, the merged schema is no longer optional.
func mergeSchemas(left, right *change.Schema) *change.Schema {
	if left == nil {
		return right
	}
	out := &change.Schema{Type: change.Struct, Name: left.Name, Version: left.Version, Doc: left.Doc, Parameters: left.Parameters}
	out.Fields = append(out.Fields, left.Fields...)
	for _, f := range right.Fields {
		i := out.FieldIndex(f.Name)
		switch {
		case i < 0:
			out.Fields = append(out.Fields, f)
		case out.Fields[i].Schema.Type == change.Bytes && f.Schema.Type != change.Bytes:
			out.Fields[i] = f
		}
	}
	return out
}

// value is toConnectData: the document as a struct of s. A value that does
// not fit (a big integer, an element of another type) is an error, as
// Struct.put's check makes it in Debezium.
func (j jsonSchemaData) value(n *jsonNode, s *change.Schema) (*change.Value, error) {
	if s == nil || s.Type != change.Struct || n.kind != jsonObject {
		return nil, errors.New("the JSON payload is not an object; Debezium cannot expand it either")
	}
	return j.structValue(n, s)
}

func (j jsonSchemaData) structValue(n *jsonNode, s *change.Schema) (*change.Value, error) {
	v := &change.Value{Schema: s, Values: make([]any, len(s.Fields))}
	for i, f := range s.Fields {
		fn, ok := n.fields[f.Name]
		if !ok {
			continue
		}
		x, err := j.fieldValue(fn, f.Schema)
		if err != nil {
			return nil, err
		}
		if err := j.keys.validateValue(f.Name, f.Schema, x); err != nil {
			return nil, err
		}
		v.Values[i] = x
	}
	return v, nil
}

func (j jsonSchemaData) fieldValue(n *jsonNode, s *change.Schema) (any, error) {
	switch n.kind {
	case jsonString:
		return n.str, nil
	case jsonBool:
		return n.b, nil
	case jsonInt, jsonLong:
		return n.num.Int64()
	case jsonDouble:
		return n.num.Float64()
	case jsonBigInt:
		return nil, fmt.Errorf("the JSON payload holds %s, too large for a long: Debezium makes it a BigDecimal no Connect schema it infers accepts", n.num)
	case jsonArray:
		if s == nil || s.Type != change.Array {
			return nil, errors.New("a JSON array where the inferred schema has no array")
		}
		out := make([]any, 0, len(n.items))
		for _, e := range n.items {
			x, err := j.fieldValue(e, s.Items)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case jsonObject:
		if s == nil || s.Type != change.Struct {
			return nil, errors.New("a JSON object where the inferred schema has no struct")
		}
		return j.structValue(n, s)
	}
	return nil, nil
}
