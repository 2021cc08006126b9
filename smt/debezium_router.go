package smt

import (
	"fmt"
	"regexp"

	"github.com/sluice-cdc/sluice/connector/change"
)

// byLogicalTableRouter is io.debezium.transforms.ByLogicalTableRouter: it
// sends the records of many physical tables (shards) to one logical topic,
// renaming the key, envelope and row schemas after it and, with
// key.enforce.uniqueness, adding the physical table to the key so keys of
// different shards cannot collide.
type byLogicalTableRouter struct {
	topicRegex    *regexp.Regexp
	topicRepl     string
	keyRegex      *regexp.Regexp
	keyRepl       string
	keyField      string
	enforceUnique bool
	adjust        func(string) string

	topics   map[string]string // old topic -> new ("" when the regex does not match)
	keys     dbzSchemaCache[*change.Schema]
	envelope dbzSchemaCache[*change.Schema]
}

func newByLogicalTableRouter(alias string, opts map[string]string) (Transform, error) {
	o := dbzOptions{alias, opts}
	t := &byLogicalTableRouter{topics: map[string]string{}, keyField: o.str("key.field.name", "__dbz__physicalTableIdentifier")}
	expr, err := o.required("topic.regex")
	if err != nil {
		return nil, err
	}
	if t.topicRegex, err = javaRegexp(o, "topic.regex", expr); err != nil {
		return nil, err
	}
	if !o.has("topic.replacement") {
		return nil, fmt.Errorf("%s: missing; it is required", o.name("topic.replacement"))
	}
	t.topicRepl = o.m["topic.replacement"]
	if t.enforceUnique, err = o.boolean("key.enforce.uniqueness", true); err != nil {
		return nil, err
	}
	if expr := o.str("key.field.regex", ""); expr != "" {
		if t.keyRegex, err = javaRegexp(o, "key.field.regex", expr); err != nil {
			return nil, err
		}
		if t.keyRepl = o.str("key.field.replacement", ""); t.keyRepl == "" {
			return nil, fmt.Errorf("%s: must be non-empty if key.field.regex is set", o.name("key.field.replacement"))
		}
	}
	mode, err := o.enum("schema.name.adjustment.mode", "none", "none", "avro", "avro_unicode")
	if err != nil {
		return nil, err
	}
	t.adjust = schemaNameAdjuster(mode)
	// logical.table.cache.size bounds Debezium's LRU caches; Sluice's
	// caches have their own bound, so the value is only checked.
	if _, err := o.integer("logical.table.cache.size", 16); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *byLogicalTableRouter) Apply(r *change.Record) (*change.Record, error) {
	topic, err := t.newTopic(r.Topic)
	if err != nil {
		return nil, err
	}
	if topic == "" { // no match, or (Debezium warns) an empty name
		return r, nil
	}
	out := *r
	out.Topic = topic
	if !isNull(r.Key) {
		key, ok := r.Key.(*change.Value)
		if !ok {
			return nil, fmt.Errorf("routing a record of %s: its key is a %T, not a struct", r.Topic, r.Key)
		}
		if out.KeySchema, out.Key, err = t.routeKey(key, r.Topic, topic); err != nil {
			return nil, err
		}
	} else {
		out.KeySchema, out.Key = nil, nil
	}
	if isNull(r.Value) || !isEnvelope(r.ValueSchema) {
		return &out, nil
	}
	env, ok := r.Value.(*change.Value)
	if !ok {
		return nil, fmt.Errorf("routing a record of %s: its value has an envelope schema but is a %T", r.Topic, r.Value)
	}
	s, err := t.envelope.get(env.Schema, func() (*change.Schema, error) { return t.envelopeSchema(env.Schema, topic) })
	if err != nil {
		return nil, err
	}
	out.ValueSchema, out.Value = s, t.routeEnvelope(s, env)
	return &out, nil
}

func (t *byLogicalTableRouter) newTopic(old string) (string, error) {
	if topic, ok := t.topics[old]; ok {
		return topic, nil
	}
	topic, _, err := javaReplace(t.topicRegex, old, t.topicRepl)
	if err != nil {
		return "", fmt.Errorf("routing a record of %s: topic.replacement: %w", old, err)
	}
	if len(t.topics) >= maxSchemaCache {
		t.topics = map[string]string{}
	}
	t.topics[old] = topic
	return topic, nil
}

// routeKey renames the key schema <topic>.Key and adds the physical table
// (the old topic, or what key.field.regex makes of it).
func (t *byLogicalTableRouter) routeKey(key *change.Value, oldTopic, topic string) (*change.Schema, *change.Value, error) {
	s, _ := t.keys.get(key.Schema, func() (*change.Schema, error) {
		s := renamed(key.Schema, t.adjust(topic+".Key"))
		if t.enforceUnique {
			s.Fields = append(s.Fields[:len(s.Fields):len(s.Fields)], change.Field{Name: t.keyField, Schema: &change.Schema{Type: change.String}})
		}
		return s, nil
	})
	v := &change.Value{Schema: s, Values: make([]any, len(key.Values), len(s.Fields))}
	for i := range key.Values {
		v.Values[i] = getWithDefault(key, i)
	}
	if t.enforceUnique {
		id := oldTopic
		if t.keyRegex != nil {
			repl, ok, err := javaReplace(t.keyRegex, oldTopic, t.keyRepl)
			if err != nil {
				return nil, nil, fmt.Errorf("routing a record of %s: key.field.replacement: %w", oldTopic, err)
			}
			if ok {
				id = repl
			}
		}
		v.Values = append(v.Values, id)
	}
	return s, v, nil
}

// renamed copies a struct schema under a new name, keeping optionality,
// version, doc, parameters and fields but not the default.
func renamed(s *change.Schema, name string) *change.Schema {
	return &change.Schema{Type: change.Struct, Optional: s.Optional, Name: name, Version: s.Version, Doc: s.Doc,
		Parameters: s.Parameters, Fields: s.Fields}
}

// envelopeSchema renames the envelope <topic>.Envelope and its row schema
// (taken from before) <topic>.Value.
func (t *byLogicalTableRouter) envelopeSchema(env *change.Schema, topic string) (*change.Schema, error) {
	i := env.FieldIndex("before")
	if i < 0 {
		return nil, fmt.Errorf("routing to %s: the envelope %s has no before field", topic, env.Name)
	}
	row := renamed(env.Fields[i].Schema, t.adjust(topic+".Value"))
	out := renamed(env, t.adjust(topic+".Envelope"))
	out.Fields = make([]change.Field, len(env.Fields))
	for i, f := range env.Fields {
		if f.Name == "before" || f.Name == "after" {
			f.Schema = row
		}
		out.Fields[i] = f
	}
	return out, nil
}

func (t *byLogicalTableRouter) routeEnvelope(s *change.Schema, env *change.Value) *change.Value {
	out := &change.Value{Schema: s, Values: make([]any, len(env.Values))}
	for i, f := range s.Fields {
		v := getWithDefault(env, i)
		if row, ok := v.(*change.Value); ok && row != nil && (f.Name == "before" || f.Name == "after") {
			nr := &change.Value{Schema: f.Schema, Values: make([]any, len(row.Values))}
			for j := range row.Values {
				nr.Values[j] = getWithDefault(row, j)
			}
			v = nr
		}
		out.Values[i] = v
	}
	return out
}
