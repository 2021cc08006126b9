package smt

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// fieldRef is one item of add.fields or add.headers: "op", "table",
// "source.ts_ms", or any of those with ":NAME" to choose the output name.
type fieldRef struct {
	parent string // envelope field holding it ("source", "transaction"), "" for the envelope itself
	field  string
	out    string // output field or header name, prefix included
}

// parseFieldRefs reads add.fields or add.headers as Debezium's
// FieldReference does: a bare name lives in source unless it is one of the
// envelope's own (op, ts_*) or the transaction block's; "a.b" names field b
// of struct a and is written <prefix>a_b; "x:NAME" is written <prefix>NAME.
func parseFieldRefs(o dbzOptions, key, prefix string) ([]fieldRef, error) {
	var refs []fieldRef
	for _, item := range o.list(key) {
		path, rename, renamed := strings.Cut(item, ":")
		if renamed && strings.Contains(rename, ":") {
			return nil, fmt.Errorf("%s: %q: use field, struct.field, field:NAME or struct.field:NAME", o.name(key), item)
		}
		parts := strings.Split(path, ".")
		ref := fieldRef{field: parts[0]}
		if len(parts) > 1 {
			ref.parent, ref.field = parts[0], parts[1]
		} else {
			ref.parent = defaultParent(ref.field)
		}
		switch {
		case renamed:
			ref.out = prefix + rename
		case len(parts) > 1:
			ref.out = prefix + ref.parent + "_" + ref.field
		default:
			ref.out = prefix + ref.field
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

func defaultParent(field string) string {
	switch field {
	case "id", "total_order", "data_collection_order":
		return "transaction"
	case "op", "ts_ms", "ts_us", "ts_ns":
		return ""
	case "updateDescription": // MongoDB's
		return "updateDescription"
	}
	return "source"
}

// schema returns the optional copy of the referenced field's schema, or nil
// when the envelope has no such field (then nothing is added). A field not
// in its struct is looked for in the envelope itself, where another
// transform may have put it.
func (f fieldRef) schema(alias string, env *change.Schema) (*change.Schema, error) {
	parent := env
	if f.parent != "" {
		i := env.FieldIndex(f.parent)
		if i < 0 || env.Fields[i].Schema.Type != change.Struct {
			return nil, fmt.Errorf("transform %s: %s.%s: the envelope %s has no struct field %q", alias, f.parent, f.field, env.Name, f.parent)
		}
		parent = env.Fields[i].Schema
	}
	i := parent.FieldIndex(f.field)
	if i < 0 {
		if parent = env; parent.FieldIndex(f.field) < 0 {
			return nil, nil
		}
		i = parent.FieldIndex(f.field)
	}
	fs := parent.Fields[i].Schema
	if fs.Type == change.Struct {
		// Connect copies a struct schema without its fields, and then
		// refuses the value: Debezium fails the record the same way.
		return nil, fmt.Errorf("transform %s: %s: the field is a struct; only single values can be added", alias, f.out)
	}
	return optionalCopy(fs), nil
}

// value reads the referenced field from an envelope, without defaults.
func (f fieldRef) value(env *change.Value) any {
	parent := env
	if f.parent != "" {
		p, _ := env.Get(f.parent).(*change.Value)
		if p == nil { // no transaction block during a snapshot, say
			return nil
		}
		parent = p
	}
	if parent.Schema.FieldIndex(f.field) >= 0 {
		return parent.Get(f.field)
	}
	return env.Get(f.field)
}

// makeHeaders builds the add.headers headers. A tombstone only gets the op
// header, as "d".
func (t *extractNewRecordState) makeHeaders(env *change.Value) ([]change.Header, error) {
	var hs []change.Header
	for _, f := range t.headers {
		if env == nil {
			if f.parent == "" && f.field == "op" {
				hs = append(hs, change.Header{Key: f.out, Schema: &change.Schema{Type: change.String}, Value: "d"})
			}
			continue
		}
		s, err := f.schema(t.alias, env.Schema)
		if err != nil {
			return nil, err
		}
		if s != nil {
			hs = append(hs, change.Header{Key: f.out, Schema: s, Value: f.value(env)})
		}
	}
	return hs, nil
}

// addFields appends the add.fields fields to the unwrapped row. Debezium
// copies the row's schema even with no field to add, which makes it
// required: so does this.
func (t *extractNewRecordState) addFields(r *change.Record, env *change.Value) (*change.Record, error) {
	row, ok := r.Value.(*change.Value)
	if !ok {
		return nil, fmt.Errorf("transform %s: the unwrapped value of a record for %s is a %T, not a struct", t.alias, r.Topic, r.Value)
	}
	s, err := t.added.get([2]*change.Schema{row.Schema, env.Schema}, func() (*change.Schema, error) {
		var extra []change.Field
		for _, f := range t.fields {
			fs, err := f.schema(t.alias, env.Schema)
			if err != nil {
				return nil, err
			}
			if fs != nil {
				extra = append(extra, change.Field{Name: f.out, Schema: fs})
			}
		}
		return withFields(row.Schema, extra...), nil
	})
	if err != nil {
		return nil, err
	}
	// One allocation for the value and its fields (change.NewValue),
	// filled up to the fields added.
	v := change.NewValue(s, len(s.Fields))
	v.Values = v.Values[:copy(v.Values, row.Values)]
	for _, f := range t.fields {
		if s.FieldIndex(f.out) >= len(row.Values) {
			v.Values = append(v.Values, f.value(env))
		}
	}
	out := *r
	out.ValueSchema, out.Value = s, v
	return &out, nil
}

// dropKey names a schema with the field names dropped from it.
type dropKey struct {
	schema *change.Schema
	names  string
}

// dropFields removes the fields the drop.fields.header.name header lists
// (ExtractChangedRecordState writes it) from the value, and from the key
// with drop.fields.from.key. With drop.fields.keep.schema.compatible only
// optional fields go.
func (t *extractNewRecordState) dropFields(r *change.Record) (*change.Record, error) {
	i := slices.IndexFunc(r.Headers, func(h change.Header) bool { return h.Key == t.dropHeader })
	if i < 0 || r.Headers[i].Value == nil {
		return r, nil
	}
	list, ok := r.Headers[i].Value.([]any)
	if !ok {
		return nil, fmt.Errorf("transform %s: drop.fields.header.name=%s: the header is a %T, not a list of field names", t.alias, t.dropHeader, r.Headers[i].Value)
	}
	names := make([]string, 0, len(list))
	for _, n := range list {
		s, ok := n.(string)
		if !ok {
			return nil, fmt.Errorf("transform %s: drop.fields.header.name=%s: the header holds a %T, not a field name", t.alias, t.dropHeader, n)
		}
		names = append(names, s)
	}
	if len(names) == 0 {
		return r, nil
	}
	out := *r
	var err error
	if t.dropFromKey && !isNull(r.Key) {
		if out.KeySchema, out.Key, err = t.dropFrom(&t.keyDrop, "key", r.KeySchema, r.Key, names); err != nil {
			return nil, err
		}
	}
	if out.ValueSchema, out.Value, err = t.dropFrom(&t.valueDrop, "value", r.ValueSchema, r.Value, names); err != nil {
		return nil, err
	}
	return &out, nil
}

// dropFrom is Kafka Connect's ReplaceField with exclude= on a key or value.
func (t *extractNewRecordState) dropFrom(cache *dbzSchemaCache[dropKey], what string, s *change.Schema, v any, names []string) (*change.Schema, any, error) {
	if s == nil || isNull(v) { // Connect's ReplaceField passes a null value through
		return s, v, nil
	}
	var drop []string
	for _, f := range s.Fields {
		if slices.Contains(names, f.Name) && (f.Schema.Optional || !t.dropCompatible) {
			drop = append(drop, f.Name)
		}
	}
	if len(drop) == 0 {
		return s, v, nil
	}
	sv, ok := v.(*change.Value)
	if !ok {
		return nil, nil, fmt.Errorf("transform %s: drop.fields.header.name=%s: the record's %s is a %T, not a struct to drop fields from", t.alias, t.dropHeader, what, v)
	}
	ns, _ := cache.get(dropKey{s, strings.Join(drop, ",")}, func() (*change.Schema, error) {
		out := structBasics(s)
		for _, f := range s.Fields {
			if !slices.Contains(drop, f.Name) {
				out.Fields = append(out.Fields, f)
			}
		}
		return out, nil
	})
	nv := &change.Value{Schema: ns, Values: make([]any, 0, len(ns.Fields))}
	for i, f := range s.Fields {
		if !slices.Contains(drop, f.Name) {
			nv.Values = append(nv.Values, getWithDefault(sv, i))
		}
	}
	return ns, nv, nil
}
