package smt

import (
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/offsets"
)

// The Vitess connector's transforms (debezium-connector-vitess 3.5.0.Final,
// package io.debezium.connector.vitess.transforms). They follow Debezium's
// code closely, including where it fails: RemoveField and
// ReplaceFieldValue fail on tombstones (set tombstones.on.delete=false),
// FilterTransactionTopicRecords on records without a key schema.

// useLocalVgtid is UseLocalVgtid: source.vgtid, the VGTID of every shard,
// becomes the VGTID of the record's own shard only.
type useLocalVgtid struct{ alias string }

func newUseLocalVgtid(alias string, _ map[string]string) (Transform, error) {
	return &useLocalVgtid{alias: alias}, nil
}

func (t *useLocalVgtid) Apply(r *change.Record) (*change.Record, error) {
	value, ok := r.Value.(*change.Value)
	if !ok || value == nil {
		return r, nil
	}
	si := value.Schema.FieldIndex("source")
	if si < 0 {
		return r, nil
	}
	fail := func(err error) error {
		return fmt.Errorf("transform %s (UseLocalVgtid): record for %s: %w", t.alias, r.Topic, err)
	}
	source, _ := getWithDefault(value, si).(*change.Value)
	if source == nil {
		return nil, fail(fmt.Errorf("the source field is null"))
	}
	shard, _, err := getString(source, "shard")
	if err != nil {
		return nil, fail(err)
	}
	vgtid, _, err := getString(source, "vgtid")
	if err != nil {
		return nil, fail(err)
	}
	all, err := offsets.ParseVGTID(vgtid)
	if err != nil {
		return nil, fail(err)
	}
	// Debezium looks the shard up in a map by shard name: the last entry
	// of a name wins.
	found := -1
	for i, s := range all.Shards {
		if s.Shard == shard {
			found = i
		}
	}
	if found < 0 {
		return nil, fail(fmt.Errorf("source.vgtid has no shard %q", shard))
	}
	local := offsets.Vitess{Shards: []offsets.ShardGTID{all.Shards[found]}}.String()
	out := *r
	out.Value = replaceLocalVgtid("", value, local)
	return &out, nil
}

// replaceLocalVgtid is UseLocalVgtid.modifyStruct: a copy of v (nulls read
// as defaults, as Struct.get does) with source.vgtid replaced.
func replaceLocalVgtid(path string, v *change.Value, local string) *change.Value {
	out := &change.Value{Schema: v.Schema, Values: make([]any, len(v.Values))}
	for i, f := range v.Schema.Fields {
		name := f.Name
		if path != "" {
			name = path + "." + f.Name
		}
		x := getWithDefault(v, i)
		if sv, ok := x.(*change.Value); ok && sv != nil {
			x = replaceLocalVgtid(name, sv, local)
		} else if name == "source.vgtid" {
			x = local
		}
		out.Values[i] = x
	}
	return out
}

// removeField is RemoveField: the fields named by their full path
// (source.vgtid, transaction.id) leave the value and its schema. Struct
// fields are never removed, only their fields. As in Debezium the rebuilt
// schemas keep name, version and optionality, not docs, parameters or
// defaults, and field_names is split at commas without trimming.
type removeField struct {
	alias   string
	names   map[string]bool
	schemas dbzSchemaCache[*change.Schema]
}

func newRemoveField(alias string, opts map[string]string) (Transform, error) {
	o := dbzOptions{alias, opts}
	names, err := vitessFieldNames(o)
	if err != nil {
		return nil, err
	}
	t := &removeField{alias: alias, names: map[string]bool{}}
	for _, n := range names {
		t.names[n] = true
	}
	return t, nil
}

// vitessFieldNames reads field_names as the Vitess transforms do: the raw
// string split at commas, each name neither starting nor ending with a
// dot. An empty name (two commas in a row) fails every record in
// Debezium; Sluice refuses it at start.
func vitessFieldNames(o dbzOptions) ([]string, error) {
	v := o.m["field_names"]
	if v == "" {
		return nil, fmt.Errorf("%s: field names cannot be empty or missing: name the fields", o.name("field_names"))
	}
	names := javaSplit(v, ",")
	for _, n := range names {
		if strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".") {
			return nil, fmt.Errorf("%s: %q: field names cannot start or end with '.'", o.name("field_names"), v)
		}
		if n == "" {
			return nil, fmt.Errorf("%s: %q: an empty field name (Debezium fails every record with it)", o.name("field_names"), v)
		}
	}
	return names, nil
}

func (t *removeField) Apply(r *change.Record) (*change.Record, error) {
	value, ok := r.Value.(*change.Value)
	if !ok || value == nil || r.ValueSchema == nil || r.ValueSchema.Type != change.Struct {
		return nil, fmt.Errorf("transform %s (RemoveField): record for %s: the value is not a struct (a tombstone? Debezium fails on those too: set tombstones.on.delete=false)", t.alias, r.Topic)
	}
	s, _ := t.schemas.get(r.ValueSchema, func() (*change.Schema, error) { return t.schema("", r.ValueSchema), nil })
	out := *r
	out.ValueSchema, out.Value = s, t.value("", s, value)
	return &out, nil
}

func (t *removeField) schema(path string, s *change.Schema) *change.Schema {
	out := &change.Schema{Type: change.Struct, Optional: s.Optional, Name: s.Name, Version: s.Version}
	for _, f := range s.Fields {
		name := f.Name
		if path != "" {
			name = path + "." + f.Name
		}
		switch {
		case f.Schema.Type == change.Struct:
			out.Fields = append(out.Fields, change.Field{Name: f.Name, Schema: t.schema(name, f.Schema)})
		case !t.names[name]:
			out.Fields = append(out.Fields, f)
		}
	}
	return out
}

func (t *removeField) value(path string, s *change.Schema, v *change.Value) *change.Value {
	out := &change.Value{Schema: s, Values: make([]any, len(s.Fields))}
	for i, f := range s.Fields {
		name := f.Name
		if path != "" {
			name = path + "." + f.Name
		}
		var x any
		if j := v.Schema.FieldIndex(f.Name); j >= 0 {
			x = getWithDefault(v, j)
		}
		if sv, ok := x.(*change.Value); ok && sv != nil {
			x = t.value(name, f.Schema, sv)
		}
		out.Values[i] = x
	}
	return out
}

// replaceFieldValue is ReplaceFieldValue: the string fields named by their
// full path get field_value (default empty). A missing parent leaves the
// record alone; a missing or non-string field fails it.
type replaceFieldValue struct {
	alias string
	names []string
	value string
	keys  schemaKeys
}

func newReplaceFieldValue(alias string, opts map[string]string) (Transform, error) {
	o := dbzOptions{alias, opts}
	names, err := vitessFieldNames(o)
	if err != nil {
		return nil, err
	}
	return &replaceFieldValue{alias: alias, names: names, value: o.m["field_value"]}, nil
}

func (t *replaceFieldValue) Apply(r *change.Record) (*change.Record, error) {
	value, ok := r.Value.(*change.Value)
	if !ok || value == nil {
		return nil, fmt.Errorf("transform %s (ReplaceFieldValue): record for %s: the value is not a struct (a tombstone? Debezium fails on those too: set tombstones.on.delete=false)", t.alias, r.Topic)
	}
	for _, n := range t.names {
		var err error
		if value, err = t.replace(value, n); err != nil {
			return nil, fmt.Errorf("transform %s (ReplaceFieldValue): record for %s: field_names %s: %w", t.alias, r.Topic, n, err)
		}
	}
	out := *r
	out.Value = value
	return &out, nil
}

// replace returns v with path set, copying the structs on the way (the
// record's value may be shared).
func (t *replaceFieldValue) replace(v *change.Value, path string) (*change.Value, error) {
	head, rest, nested := strings.Cut(path, ".")
	i := v.Schema.FieldIndex(head)
	if nested {
		if i < 0 {
			return v, nil
		}
		sv, ok := getWithDefault(v, i).(*change.Value)
		if !ok || sv == nil {
			return v, nil
		}
		nv, err := t.replace(sv, rest)
		if err != nil {
			return nil, err
		}
		return withValue(v, i, nv), nil
	}
	if i < 0 {
		return nil, fmt.Errorf("%s is not a valid field name", head)
	}
	if err := t.keys.validateValue(head, v.Schema.Fields[i].Schema, t.value); err != nil {
		return nil, err
	}
	return withValue(v, i, t.value), nil
}

func withValue(v *change.Value, i int, x any) *change.Value {
	out := &change.Value{Schema: v.Schema, Values: append([]any(nil), v.Values...)}
	out.Values[i] = x
	return out
}

// filterTransactionTopicRecords is FilterTransactionTopicRecords: records
// whose key and value schemas are Debezium's transaction metadata schemas
// are dropped.
type filterTransactionTopicRecords struct {
	alias string
	keys  schemaKeys
	key   string
	value string
}

func newFilterTransactionTopicRecords(alias string, opts map[string]string) (Transform, error) {
	o := dbzOptions{alias, opts}
	// The adjustment mode is checked only: Debezium's transaction schema
	// names are valid Avro names, so no mode changes them.
	if _, err := o.enum("schema.name.adjustment.mode", "none", "none", "avro", "avro_unicode"); err != nil {
		return nil, err
	}
	t := &filterTransactionTopicRecords{alias: alias}
	t.key = t.keys.key(transactionKeySchema)
	t.value = t.keys.key(transactionValueSchema)
	return t, nil
}

var (
	requiredString         = &change.Schema{Type: change.String}
	requiredInt64          = &change.Schema{Type: change.Int64}
	transactionKeySchema   = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.common.TransactionMetadataKey", Version: 1, Fields: []change.Field{{Name: "id", Schema: requiredString}}}
	transactionValueSchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.common.TransactionMetadataValue", Version: 1, Fields: []change.Field{
		{Name: "status", Schema: requiredString},
		{Name: "id", Schema: requiredString},
		{Name: "event_count", Schema: optInt64},
		{Name: "data_collections", Schema: &change.Schema{Type: change.Array, Optional: true, Items: &change.Schema{
			Type: change.Struct, Optional: true, Name: "event.collection", Version: 1, Fields: []change.Field{
				{Name: "data_collection", Schema: requiredString}, {Name: "event_count", Schema: requiredInt64}}}}},
		{Name: "ts_ms", Schema: requiredInt64},
	}}
)

func (t *filterTransactionTopicRecords) Apply(r *change.Record) (*change.Record, error) {
	if r.KeySchema == nil {
		return nil, fmt.Errorf("transform %s (FilterTransactionTopicRecords): record for %s has no key schema; Debezium fails on such records too (a table without a primary key?)", t.alias, r.Topic)
	}
	if t.keys.key(r.KeySchema) != t.key {
		return r, nil
	}
	if r.ValueSchema == nil {
		return nil, fmt.Errorf("transform %s (FilterTransactionTopicRecords): record for %s has a transaction key and no value schema; Debezium fails on it too", t.alias, r.Topic)
	}
	if t.keys.key(r.ValueSchema) == t.value {
		return nil, nil
	}
	return r, nil
}
