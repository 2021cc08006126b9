package smt

import (
	"slices"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// replaceField is Kafka Connect's ReplaceField: it keeps (include), drops
// (exclude) and renames fields. exclude wins over include.
type replaceField struct {
	k                operand
	exclude, include []string
	renames          map[string]string
	reverse          map[string]string
	withDefault      bool
	cache            schemaCache
}

func newReplaceField(o options, k operand) (Transform, error) {
	t := &replaceField{k: k, exclude: o.list("exclude"), include: o.list("include"), renames: map[string]string{}, reverse: map[string]string{}}
	// Kafka Connect 4 dropped the 2.x names and ignores them: refuse them
	// rather than run without the filter the file asks for.
	for old, now := range map[string]string{"blacklist": "exclude", "whitelist": "include"} {
		if v, ok := o.m[old]; ok {
			return nil, o.invalid(old, v, "Kafka Connect 4 removed this option and ignores it; use "+o.name(now))
		}
	}
	renames := o.list("renames")
	for _, m := range renames {
		parts := strings.Split(m, ":")
		if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
			return nil, o.invalid("renames", "["+strings.Join(renames, ", ")+"]", "Invalid rename mapping: "+m+" (expected a list of colon-delimited pairs, e.g. foo:bar,abc:xyz)")
		}
		t.renames[parts[0]] = parts[1]
	}
	for k, v := range t.renames {
		t.reverse[v] = k
	}
	var err error
	t.withDefault, err = o.boolean("replace.null.with.default", true)
	return t, err
}

func (t *replaceField) keep(name string) bool {
	return !slices.Contains(t.exclude, name) && (len(t.include) == 0 || slices.Contains(t.include, name))
}

func (t *replaceField) renamed(name string) string {
	if n, ok := t.renames[name]; ok {
		return n
	}
	return name
}

func (t *replaceField) Apply(r *change.Record) (*change.Record, error) {
	s, v := t.k.get(r)
	switch {
	case isNull(v):
		return r, nil
	case s == nil:
		m, err := requireMap(v, "field replacement")
		if err != nil {
			return nil, err
		}
		out := make([]change.MapEntry, 0, len(m))
		for _, e := range m {
			if name, _ := e.Key.(string); t.keep(name) {
				out = append(out, change.MapEntry{Key: t.renamed(name), Value: e.Value})
			}
		}
		t.k.set(r, nil, out)
		return r, nil
	}
	sv, err := requireStruct(v, "field replacement")
	if err != nil {
		return nil, err
	}
	ns, _ := t.cache.get(sv.Schema, t.schema)
	out := &change.Value{Schema: ns, Values: make([]any, len(ns.Fields))}
	for i, f := range ns.Fields {
		from := f.Name
		if n, ok := t.reverse[from]; ok {
			from = n
		}
		out.Values[i] = fieldValue(sv, sv.Schema.FieldIndex(from), t.withDefault)
	}
	t.k.set(r, ns, out)
	return r, nil
}

func (t *replaceField) schema(in *change.Schema) (*change.Schema, error) {
	out := copyBasics(in, change.Struct)
	for _, f := range in.Fields {
		if t.keep(f.Name) {
			out.Fields = append(out.Fields, change.Field{Name: t.renamed(f.Name), Schema: f.Schema})
		}
	}
	return out, nil
}
