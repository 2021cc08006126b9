package smt

import (
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// delete.tombstone.handling.mode values.
const (
	tombDrop              = "drop"
	tombTombstone         = "tombstone"
	tombRewrite           = "rewrite"
	tombRewriteTombstone  = "rewrite-with-tombstone"
	tombDeleteToTombstone = "delete-to-tombstone"
)

// extractNewRecordState is io.debezium.transforms.ExtractNewRecordState:
// it replaces a change event's envelope with its after (or before) row.
//
// Debezium 3.0 removed delete.handling.mode and drop.tombstones; 3.5 ignores
// them like any unknown setting (its tombstone default applies), and so does
// this transform, so a file moved from Debezium gives the same records.
type extractNewRecordState struct {
	alias          string
	mode           string
	replaceNull    bool
	routeByField   string
	fields         []fieldRef
	headers        []fieldRef
	dropHeader     string
	dropFromKey    bool
	dropCompatible bool

	deleted   dbzSchemaCache[*change.Schema]    // row schema -> with __deleted
	added     dbzSchemaCache[[2]*change.Schema] // (row, envelope) -> with add.fields
	keyDrop   dbzSchemaCache[dropKey]
	valueDrop dbzSchemaCache[dropKey]
}

func newExtractNewRecordState(alias string, opts map[string]string) (Transform, error) {
	o := dbzOptions{alias, opts}
	t := &extractNewRecordState{alias: alias, routeByField: o.str("route.by.field", ""),
		dropHeader: o.str("drop.fields.header.name", "")}
	var err error
	if t.mode, err = o.enum("delete.tombstone.handling.mode", tombTombstone,
		tombDrop, tombTombstone, tombRewrite, tombRewriteTombstone, tombDeleteToTombstone); err != nil {
		return nil, err
	}
	if t.replaceNull, err = o.boolean("replace.null.with.default", true); err != nil {
		return nil, err
	}
	if t.dropFromKey, err = o.boolean("drop.fields.from.key", false); err != nil {
		return nil, err
	}
	if t.dropCompatible, err = o.boolean("drop.fields.keep.schema.compatible", true); err != nil {
		return nil, err
	}
	if t.fields, err = parseFieldRefs(o, "add.fields", o.str("add.fields.prefix", "__")); err != nil {
		return nil, err
	}
	if t.headers, err = parseFieldRefs(o, "add.headers", o.str("add.headers.prefix", "__")); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *extractNewRecordState) Apply(r *change.Record) (*change.Record, error) {
	tombstone := isNull(r.Value)
	envelope := isEnvelope(r.ValueSchema)
	var env *change.Value
	if envelope && !tombstone {
		var ok bool
		if env, ok = r.Value.(*change.Value); !ok {
			return nil, fmt.Errorf("transform %s: the value of a record for %s has an envelope schema but is a %T, not a struct", t.alias, r.Topic, r.Value)
		}
	}
	if (envelope || tombstone) && len(t.headers) > 0 {
		hs, err := t.makeHeaders(env)
		if err != nil {
			return nil, err
		}
		r = withHeaders(r, hs)
	}
	switch {
	case tombstone:
		if t.mode == tombRewriteTombstone {
			return r, nil
		}
		return nil, nil
	case !envelope:
		return r, nil
	}
	after, before := env.Get("after"), env.Get("before")
	if after == nil && before == nil { // a truncate: Debezium drops it
		return nil, nil
	}
	if after == nil {
		return t.unwrapDelete(r, env)
	}
	return t.unwrapRow(r, env)
}

// unwrapRow handles a create, update or read.
func (t *extractNewRecordState) unwrapRow(r *change.Record, env *change.Value) (*change.Record, error) {
	out, err := t.extract(r, env, "after")
	if err != nil {
		return nil, err
	}
	if t.rewriting() {
		if out, err = t.markDeleted(out, "false"); err != nil {
			return nil, err
		}
	}
	if t.routeByField != "" {
		if out, err = t.route(out, out.Value, "CREATE / UPDATE"); err != nil {
			return nil, err
		}
	}
	if out, err = t.addFields(out, env); err != nil {
		return nil, err
	}
	if t.dropHeader != "" {
		return t.dropFields(out)
	}
	return out, nil
}

// unwrapDelete handles a delete as delete.tombstone.handling.mode says.
func (t *extractNewRecordState) unwrapDelete(r *change.Record, env *change.Value) (*change.Record, error) {
	var out *change.Record
	var err error
	switch t.mode {
	case tombDrop:
		return nil, nil
	case tombTombstone:
		// Debezium keeps the row schema with a null value: JsonConverter
		// writes that as {"schema":…,"payload":null}, Sluice's converters
		// as a tombstone.
		out, err = t.extract(r, env, "after")
	case tombDeleteToTombstone:
		c := *r
		c.ValueSchema, c.Value = nil, nil
		out = &c
	default: // rewrite, rewrite-with-tombstone
		if out, err = t.extract(r, env, "before"); err == nil && !isNull(out.Value) {
			out, err = t.markDeleted(out, "true")
		}
	}
	if err != nil {
		return nil, err
	}
	if t.routeByField != "" {
		if out, err = t.route(out, env.Get("before"), "DELETE"); err != nil {
			return nil, err
		}
	}
	if t.dropHeader != "" {
		if out, err = t.dropFields(out); err != nil {
			return nil, err
		}
	}
	if isNull(out.Value) {
		return out, nil
	}
	return t.addFields(out, env)
}

func (t *extractNewRecordState) rewriting() bool {
	return t.mode == tombRewrite || t.mode == tombRewriteTombstone
}

// extract is Kafka Connect's ExtractField$Value on the envelope: the
// record's value becomes one of its fields, schema and all.
func (t *extractNewRecordState) extract(r *change.Record, env *change.Value, field string) (*change.Record, error) {
	i := env.Schema.FieldIndex(field)
	if i < 0 {
		return nil, fmt.Errorf("transform %s: the envelope of a record for %s has no field %q", t.alias, r.Topic, field)
	}
	out := *r
	out.ValueSchema, out.Value = env.Schema.Fields[i].Schema, getWithDefault(env, i)
	return &out, nil
}

// markDeleted adds __deleted ("true" or "false") as Kafka Connect's
// InsertField$Value does for Debezium's rewrite modes: the copied schema is
// required, and with replace.null.with.default a null column whose schema
// has a default reads as that default.
func (t *extractNewRecordState) markDeleted(r *change.Record, deleted string) (*change.Record, error) {
	row, ok := r.Value.(*change.Value)
	if !ok {
		return r, nil
	}
	s, _ := t.deleted.get(row.Schema, func() (*change.Schema, error) {
		return withFields(row.Schema, change.Field{Name: "__deleted", Schema: optionalString}), nil
	})
	v := change.NewValue(s, len(s.Fields))
	for i := range row.Values {
		if t.replaceNull {
			v.Values[i] = getWithDefault(row, i)
		} else {
			v.Values[i] = row.Values[i]
		}
	}
	v.Values[len(row.Values)] = deletedValue(deleted)
	out := *r
	out.ValueSchema, out.Value = s, v
	return &out, nil
}

var optionalString = &change.Schema{Type: change.String, Optional: true}

// deletedValue is the __deleted value, boxed once: a string variable
// converted to any allocates, and every row passes here.
func deletedValue(deleted string) any {
	switch deleted {
	case "true":
		return boxedTrue
	case "false":
		return boxedFalse
	}
	return deleted
}

var boxedTrue, boxedFalse any = "true", "false"

// route is route.by.field: the named string field of row names the topic;
// a null or blank one leaves the topic alone.
func (t *extractNewRecordState) route(r *change.Record, row any, what string) (*change.Record, error) {
	v, ok := row.(*change.Value)
	if !ok || v == nil {
		return nil, fmt.Errorf("transform %s: route.by.field=%s: reading the row to route a %s record for %s: there is no row", t.alias, t.routeByField, what, r.Topic)
	}
	i := v.Schema.FieldIndex(t.routeByField)
	if i < 0 {
		return nil, fmt.Errorf("transform %s: route.by.field=%s: the row of a record for %s has no such field", t.alias, t.routeByField, r.Topic)
	}
	if v.Schema.Fields[i].Schema.Type != change.String {
		return nil, fmt.Errorf("transform %s: route.by.field=%s: the field is a %s, not a string", t.alias, t.routeByField, v.Schema.Fields[i].Schema.Type)
	}
	topic, _ := getWithDefault(v, i).(string)
	if strings.TrimSpace(topic) == "" {
		return r, nil
	}
	out := *r
	out.Topic = topic
	return &out, nil
}

// withHeaders returns a copy of r with hs after its headers, in a new slice
// (a record's headers may be shared).
func withHeaders(r *change.Record, hs []change.Header) *change.Record {
	if len(hs) == 0 {
		return r
	}
	out := *r
	out.Headers = make([]change.Header, 0, len(r.Headers)+len(hs))
	out.Headers = append(append(out.Headers, r.Headers...), hs...)
	return &out
}
