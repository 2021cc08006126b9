package avro

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sluice-cdc/sluice/converters/registry"
)

// FromProps builds a converter from a converter's properties as Kafka
// Connect passes them (key.converter. or value.converter. removed):
// schema.registry.url and the registry client settings (converters/registry),
// auto.register.schemas, use.latest.version, key.subject.name.strategy or
// value.subject.name.strategy, schemas.cache.config, connect.meta.data and
// enhanced.avro.schema.support. schemaAdjust and fieldAdjust are the
// connector's schema.name.adjustment.mode and field.name.adjustment.mode.
// Errors name the property.
func FromProps(props map[string]string, isKey bool, schemaAdjust, fieldAdjust string) (*Converter, error) {
	rc, err := registry.FromProps(props)
	if err != nil {
		return nil, err
	}
	client, err := registry.New(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", registry.PropURL, err)
	}
	opts := DefaultOptions()
	opts.IsKey = isKey
	opts.SchemaNameAdjustment, opts.FieldNameAdjustment = schemaAdjust, fieldAdjust
	bools := []struct {
		key string
		dst *bool
	}{
		{"auto.register.schemas", &opts.AutoRegister},
		{"use.latest.version", &opts.UseLatestVersion},
		{"connect.meta.data", &opts.ConnectMetaData},
		// enhanced.avro.schema.support only changes Connect schemas that
		// carry io.confluent.connect.avro.Enum parameters (Avro enums read
		// by the source converter); no schema Sluice builds has them, so
		// it is accepted and changes nothing.
		{"enhanced.avro.schema.support", new(bool)},
	}
	for _, b := range bools {
		if raw, ok := props[b.key]; ok {
			v, err := strconv.ParseBool(strings.TrimSpace(raw))
			if err != nil {
				return nil, fmt.Errorf("%s %q: must be true or false", b.key, raw)
			}
			*b.dst = v
		}
	}
	if raw, ok := props["schemas.cache.config"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("schemas.cache.config %q: must be a positive number of schemas", raw)
		}
		opts.CacheSize = n
	}
	strategyProp := "value.subject.name.strategy"
	if isKey {
		strategyProp = "key.subject.name.strategy"
	}
	opts.SubjectStrategy = props[strategyProp]
	c, err := New(client, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strategyProp, err)
	}
	return c, nil
}
