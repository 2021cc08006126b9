package smt

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

// eventRouter is io.debezium.transforms.outbox.EventRouter, the outbox
// pattern: each row inserted into an outbox table becomes one event on a
// topic its route.by.field column names, keyed by its event key column,
// with the payload column as the value (in a struct with the envelope
// fields, when table.fields.additional.placement places any there) and the
// event id in an "id" header.
//
// Only inserts and snapshot reads are routed. Deletes (the outbox table is
// usually emptied right after the insert) are dropped; updates follow
// table.op.invalid.behavior: dropped (Debezium logs them as a warning or an
// error) or fatal. Records that are not change events pass unchanged;
// tombstones are dropped.
//
// Options Debezium 3.5 no longer has (debezium.op.invalid.behavior,
// table.field.event.payload.id) are ignored, as Debezium ignores them.
type eventRouter struct {
	alias          string
	idField        string
	keyField       string
	payloadField   string
	tsField        string
	hasTSField     bool
	versionField   string
	routeBy        string
	regex          *regexp.Regexp
	replacement    string
	tombstoneEmpty bool
	fatalUpdates   bool
	expand         bool
	json           jsonSchemaData
	fields         []outboxField
	errorOnMissing bool
	onlyHeaders    bool

	keys      schemaKeys
	byPayload map[string]*change.Schema        // payload schema -> value schema (Debezium's payloadSchemaCache)
	byVersion map[outboxVersion]*change.Schema // schema version -> value schema (versionedValueSchema)
	inferred  map[string]*change.Schema        // expanded payload schemas, one pointer per shape
}

type outboxVersion struct {
	null bool
	v    int64
}

// outboxField is one table.fields.additional.placement entry.
type outboxField struct {
	field, placement, alias string
}

const (
	placeHeader    = "header"
	placeEnvelope  = "envelope"
	placePartition = "partition"
)

func newEventRouter(alias string, opts map[string]string) (Transform, error) {
	o := dbzOptions{alias, opts}
	for key := range opts {
		if strings.HasPrefix(key, "tracing.") {
			return nil, fmt.Errorf("%s: OpenTelemetry tracing is not implemented by Sluice's EventRouter; remove the tracing.* settings (Debezium without the OpenTelemetry jars ignores them too)", o.name(key))
		}
	}
	t := &eventRouter{alias: alias,
		idField:      o.str("table.field.event.id", "id"),
		keyField:     o.str("table.field.event.key", "aggregateid"),
		payloadField: o.str("table.field.event.payload", "payload"),
		tsField:      o.str("table.field.event.timestamp", ""),
		hasTSField:   o.has("table.field.event.timestamp"),
		versionField: o.str("table.field.event.schema.version", ""),
		routeBy:      o.str("route.by.field", "aggregatetype"),
		replacement:  o.str("route.topic.replacement", "outbox.event.${routedByValue}"),
		byPayload:    map[string]*change.Schema{},
		byVersion:    map[outboxVersion]*change.Schema{},
		inferred:     map[string]*change.Schema{},
	}
	// table.field.event.type is read by Debezium's configuration but used
	// by nothing: the type reaches a record only through the placement.
	var err error
	if t.regex, err = javaRegexp(o, "route.topic.regex", o.str("route.topic.regex", "(?<routedByValue>.*)")); err != nil {
		return nil, err
	}
	if t.tombstoneEmpty, err = o.boolean("route.tombstone.on.empty.payload", false); err != nil {
		return nil, err
	}
	invalid, err := o.enum("table.op.invalid.behavior", "warn", "warn", "error", "fatal")
	if err != nil {
		return nil, err
	}
	t.fatalUpdates = invalid == "fatal"
	if t.expand, err = o.boolean("table.expand.json.payload", false); err != nil {
		return nil, err
	}
	nulls, err := o.enum("table.json.payload.null.behavior", "ignore", "ignore", "optional_bytes")
	if err != nil {
		return nil, err
	}
	t.json = jsonSchemaData{nullAsBytes: nulls == "optional_bytes", keys: &t.keys}
	if mode := o.str("field.name.adjustment.mode", "none"); !strings.EqualFold(mode, "none") {
		return nil, fmt.Errorf("%s: %q: Sluice's EventRouter only names expanded JSON fields as they are (none)", o.name("field.name.adjustment.mode"), mode)
	}
	if t.errorOnMissing, err = o.boolean("table.fields.additional.error.on.missing", true); err != nil {
		return nil, err
	}
	if t.fields, err = parsePlacements(o); err != nil {
		return nil, err
	}
	t.onlyHeaders = true
	for _, f := range t.fields {
		if f.placement == placeEnvelope {
			t.onlyHeaders = false
		}
	}
	return t, nil
}

// parsePlacements reads field:placement[:alias] entries. Debezium accepts
// an unknown placement and then fails on every routed record; Sluice
// refuses it at start.
func parsePlacements(o dbzOptions) ([]outboxField, error) {
	v := o.str("table.fields.additional.placement", "")
	if v == "" {
		return nil, nil
	}
	var out []outboxField
	for _, item := range strings.Split(v, ",") {
		parts := strings.Split(item, ":")
		for len(parts) > 0 && parts[len(parts)-1] == "" { // Java's split drops trailing empty strings
			parts = parts[:len(parts)-1]
		}
		if len(parts) != 2 && len(parts) != 3 {
			return nil, fmt.Errorf("%s: %q is not field:placement or field:placement:alias", o.name("table.fields.additional.placement"), strings.TrimSpace(item))
		}
		f := outboxField{field: strings.TrimSpace(parts[0]), placement: strings.ToLower(strings.TrimSpace(parts[1]))}
		f.alias = f.field
		if len(parts) == 3 {
			f.alias = strings.TrimSpace(parts[2])
		}
		switch f.placement {
		case placeHeader, placeEnvelope, placePartition:
		default:
			return nil, fmt.Errorf("%s: %q: the placement must be header, envelope or partition", o.name("table.fields.additional.placement"), strings.TrimSpace(item))
		}
		out = append(out, f)
	}
	return out, nil
}

func (t *eventRouter) fail(r *change.Record, format string, args ...any) error {
	return fmt.Errorf("transform %s (outbox EventRouter): record for %s: %s", t.alias, r.Topic, fmt.Sprintf(format, args...))
}

func (t *eventRouter) Apply(r *change.Record) (*change.Record, error) {
	if isNull(r.Value) {
		return nil, nil
	}
	if !isEnvelope(r.ValueSchema) {
		return r, nil
	}
	env, ok := r.Value.(*change.Value)
	if !ok {
		return nil, t.fail(r, "the value has an envelope schema but is a %T", r.Value)
	}
	op, ok, err := getString(env, "op")
	if err != nil || !ok {
		return nil, t.fail(r, "reading the envelope's op: %v", err)
	}
	switch op {
	case "d":
		return nil, nil
	case "u":
		if t.fatalUpdates {
			return nil, t.fail(r, "an update of an outbox row (key %s) and table.op.invalid.behavior=fatal: only inserts are routed", change.Format(r.Key))
		}
		return nil, nil
	}
	ai := env.Schema.FieldIndex("after")
	if ai < 0 {
		return nil, t.fail(r, "the envelope has no after field")
	}
	row, _ := getWithDefault(env, ai).(*change.Value)
	if row == nil {
		return nil, t.fail(r, "op %q has no after row to read an outbox event from", op)
	}
	rowSchema := row.Schema

	pi := rowSchema.FieldIndex(t.payloadField)
	if pi < 0 {
		return nil, t.fail(r, "unable to find payload field %s in event", t.payloadField)
	}
	payloadSchema := rowSchema.Fields[pi].Schema
	ts, err := t.timestamp(env, row)
	if err != nil {
		return nil, t.fail(r, "%v", err)
	}
	eventID, idSchema, err := getField(row, t.idField)
	if err != nil {
		return nil, t.fail(r, "table.field.event.id: %v", err)
	}
	payload := getWithDefault(row, pi)
	headers := make([]change.Header, 0, len(r.Headers)+1+len(t.fields))
	headers = append(append(headers, r.Headers...), change.Header{Key: "id", Schema: idSchema, Value: eventID})

	if s, ok := payload.(string); ok && t.expand {
		if node, err := parseJSONPayload(s); err == nil {
			if ps, err := t.json.schema(t.payloadField, node); err == nil {
				// Debezium has replaced the schema by now: from here a
				// value that does not fit fails the record.
				ps = t.intern(ps)
				if payload, err = t.json.value(node, ps); err != nil {
					return nil, t.fail(r, "expanding the JSON payload: %v", err)
				}
				payloadSchema = ps
			}
		}
	}

	routed, routedOK, err := getString(row, t.routeBy)
	if err != nil {
		return nil, t.fail(r, "route.by.field: %v", err)
	}
	var value *change.Value
	var valueSchema *change.Schema
	if !t.onlyHeaders {
		if valueSchema, err = t.valueSchema(payloadSchema, row, routed, routedOK); err != nil {
			return nil, t.fail(r, "%v", err)
		}
		value = &change.Value{Schema: valueSchema, Values: make([]any, len(valueSchema.Fields))}
		if err := t.keys.validateValue("payload", valueSchema.Fields[0].Schema, payload); err != nil {
			return nil, t.fail(r, "%v", err)
		}
		value.Values[0] = payload
	}
	var partition *int64
	for _, f := range t.fields {
		fi := rowSchema.FieldIndex(f.field)
		if fi < 0 {
			if !t.errorOnMissing {
				continue
			}
			return nil, t.fail(r, "table.fields.additional.placement: %s is not a valid field name", f.field)
		}
		x := getWithDefault(row, fi)
		switch f.placement {
		case placeEnvelope:
			vi := valueSchema.FieldIndex(f.alias)
			if vi < 0 {
				return nil, t.fail(r, "%s is not a valid field name", f.alias)
			}
			if err := t.keys.validateValue(f.alias, valueSchema.Fields[vi].Schema, x); err != nil {
				return nil, t.fail(r, "%v", err)
			}
			value.Values[vi] = x
		case placeHeader:
			headers = append(headers, change.Header{Key: f.alias, Schema: rowSchema.Fields[fi].Schema, Value: x})
		case placePartition:
			if rowSchema.Fields[fi].Schema.Type != change.Int32 {
				return nil, t.fail(r, "partition field %q is not of type INT32", f.field)
			}
			p, _ := x.(int64)
			partition = nil
			if x != nil {
				partition = &p
			}
		}
	}

	key, keySchema, err := getField(row, t.keyField)
	if err != nil {
		return nil, t.fail(r, "table.field.event.key: %v", err)
	}
	out := &change.Record{Topic: routed, KeySchema: keySchema, Key: key, Headers: headers}
	if ts != nil {
		out.Timestamp = time.UnixMilli(*ts)
	}
	if partition != nil {
		out.FixedPartition, out.Partition = true, int32(*partition)
	}
	deleted := payload == nil
	if s, ok := payload.(string); ok && strings.TrimFunc(s, func(c rune) bool { return c <= ' ' }) == "" {
		deleted = true
	}
	switch {
	case deleted && t.tombstoneEmpty:
	case t.onlyHeaders:
		out.ValueSchema, out.Value = payloadSchema, payload
	default:
		out.ValueSchema, out.Value = valueSchema, value
	}
	if !routedOK {
		return nil, t.fail(r, "route.by.field %s is null: there is no topic to route the event to", t.routeBy)
	}
	topic, ok, err := javaReplace(t.regex, routed, t.replacement)
	if err != nil {
		return nil, t.fail(r, "route.topic.replacement: %v", err)
	}
	if ok {
		out.Topic = topic
	}
	return out, nil
}

// timestamp is the record's timestamp in ms: table.field.event.timestamp
// (a Timestamp, MicroTimestamp or NanoTimestamp column) or, without it or
// when the column is null, the envelope's ts_ms. nil leaves it unset.
func (t *eventRouter) timestamp(env, row *change.Value) (*int64, error) {
	envTS := func() (*int64, error) {
		i := env.Schema.FieldIndex("ts_ms")
		if i < 0 {
			return nil, fmt.Errorf("ts_ms is not a valid field name")
		}
		if n, ok := getWithDefault(env, i).(int64); ok {
			return &n, nil
		}
		return nil, nil
	}
	if !t.hasTSField {
		return envTS()
	}
	i := row.Schema.FieldIndex(t.tsField)
	if i < 0 {
		return nil, fmt.Errorf("unable to find timestamp field %s in event", t.tsField)
	}
	fs := row.Schema.Fields[i].Schema
	if fs.Type != change.Int64 {
		return nil, fmt.Errorf("timestamp field %s is not of type INT64", t.tsField)
	}
	n, ok := getWithDefault(row, i).(int64)
	if !ok {
		return envTS()
	}
	switch fs.Name {
	case change.TimestampName:
	case change.MicroTimestampName:
		n /= 1_000
	case change.NanoTimestampName:
		n /= 1_000_000
	case "":
		return nil, fmt.Errorf("unsupported field type %s (without logical schema name) for event timestamp", fs.Type)
	default:
		return nil, fmt.Errorf("unsupported field type %s for event timestamp", fs.Name)
	}
	return &n, nil
}

// intern gives an inferred payload schema one pointer per shape, so the
// converters downstream see the same schema for the same shape.
func (t *eventRouter) intern(s *change.Schema) *change.Schema {
	k := t.keys.key(s)
	if c, ok := t.inferred[k]; ok {
		return c
	}
	if len(t.inferred) >= maxSchemaCache {
		t.inferred = map[string]*change.Schema{}
	}
	t.inferred[k] = s
	return s
}

// valueSchema is the struct of the payload and the envelope fields.
// Debezium caches it by payload schema alone (or, with
// table.field.event.schema.version, by version alone), so its name keeps
// the route.by.field value of the first event that built it; so does this.
func (t *eventRouter) valueSchema(payload *change.Schema, row *change.Value, routed string, routedOK bool) (*change.Schema, error) {
	build := func() (*change.Schema, error) {
		if !routedOK {
			routed = "null" // Java's string concatenation
		}
		name := routed
		if n := row.Schema.Name; n != "" {
			if dot := strings.LastIndexByte(n, '.'); dot >= 0 {
				name = n[:dot+1] + routed + "." + n[dot+1:]
			} else {
				name = routed + "." + n
			}
		}
		s := &change.Schema{Type: change.Struct, Name: name, Fields: []change.Field{{Name: "payload", Schema: payload}}}
		for _, f := range t.fields {
			if f.placement != placeEnvelope {
				continue
			}
			fi := row.Schema.FieldIndex(f.field)
			if fi < 0 {
				return nil, fmt.Errorf("table.fields.additional.placement: the outbox row has no field %s to place in the envelope", f.field)
			}
			if s.FieldIndex(f.alias) >= 0 {
				return nil, fmt.Errorf("table.fields.additional.placement: cannot create field because of field name duplication %s", f.alias)
			}
			s.Fields = append(s.Fields, change.Field{Name: f.alias, Schema: row.Schema.Fields[fi].Schema})
		}
		return s, nil
	}
	if t.versionField == "" {
		k := t.keys.key(payload)
		if s, ok := t.byPayload[k]; ok {
			return s, nil
		}
		s, err := build()
		if err != nil {
			return nil, err
		}
		if len(t.byPayload) >= maxSchemaCache {
			t.byPayload = map[string]*change.Schema{}
		}
		t.byPayload[k] = s
		return s, nil
	}
	vi := row.Schema.FieldIndex(t.versionField)
	if vi < 0 {
		return nil, fmt.Errorf("table.field.event.schema.version: %s is not a valid field name", t.versionField)
	}
	if row.Schema.Fields[vi].Schema.Type != change.Int32 {
		return nil, fmt.Errorf("table.field.event.schema.version: field %s is not of type INT32", t.versionField)
	}
	var key outboxVersion
	n, ok := getWithDefault(row, vi).(int64)
	if ok {
		key.v = n
	} else {
		key.null = true
	}
	if s, ok := t.byVersion[key]; ok {
		return s, nil
	}
	s, err := build()
	if err != nil {
		return nil, err
	}
	if !key.null {
		s.Version = int(key.v)
	}
	if len(t.byVersion) >= maxSchemaCache {
		t.byVersion = map[outboxVersion]*change.Schema{}
	}
	t.byVersion[key] = s
	return s, nil
}
