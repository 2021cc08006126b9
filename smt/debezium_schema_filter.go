package smt

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// schemaChangeEventFilter is io.debezium.transforms.SchemaChangeEventFilter:
// schema change events whose type (the first table change's, or DATABASE
// when the event changes no table) is in schema.change.event.exclude.list
// are dropped; so is one whose tableChanges is null. Other records pass.
type schemaChangeEventFilter struct {
	alias   string
	exclude []string
}

// schemaChangeTypes are Debezium's SchemaChangeEventType names, which the
// list must use as written (Java's Enum.valueOf).
var schemaChangeTypes = []string{"CREATE", "ALTER", "DROP", "TRUNCATE", "DATABASE"}

func newSchemaChangeEventFilter(alias string, opts map[string]string) (Transform, error) {
	o := dbzOptions{alias, opts}
	list, err := o.required("schema.change.event.exclude.list")
	if err != nil {
		return nil, err
	}
	t := &schemaChangeEventFilter{alias: alias}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(schemaChangeTypes, name) {
			return nil, fmt.Errorf("%s: %q is not a schema change event type; use %s (upper case, comma-separated)",
				o.name("schema.change.event.exclude.list"), name, strings.Join(schemaChangeTypes, ", "))
		}
		t.exclude = append(t.exclude, name)
	}
	return t, nil
}

// isSchemaChange is Debezium's SchemaFactory.isSchemaChangeSchema.
func isSchemaChange(s *change.Schema) bool {
	return s != nil && (strings.HasSuffix(s.Name, ".SchemaChangeValue") || strings.HasSuffix(s.Name, ".SchemaChangeKey"))
}

func (t *schemaChangeEventFilter) Apply(r *change.Record) (*change.Record, error) {
	return onStruct(r, isSchemaChange, "SchemaChangeEventFilter", t.alias, func(v *change.Value) (*change.Record, error) { return t.apply(r, v) })
}

func (t *schemaChangeEventFilter) apply(r *change.Record, value *change.Value) (*change.Record, error) {
	tc, _, err := getField(value, "tableChanges")
	if err != nil {
		return nil, err
	}
	if tc == nil {
		return nil, nil
	}
	changes, ok := tc.([]any)
	if !ok {
		return nil, fmt.Errorf("tableChanges should be an array, not %T", tc)
	}
	kind := "DATABASE"
	if len(changes) > 0 {
		first, ok := changes[0].(*change.Value)
		if !ok {
			return nil, fmt.Errorf("a table change should be a struct, not %T", changes[0])
		}
		if kind, _, err = getString(first, "type"); err != nil {
			return nil, err
		}
		if !slices.Contains(schemaChangeTypes, kind) {
			return nil, fmt.Errorf("%q is not a schema change event type", kind)
		}
	}
	if slices.Contains(t.exclude, kind) {
		return nil, nil
	}
	return r, nil
}
