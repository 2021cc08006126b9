package smt

import "github.com/sluice-cdc/sluice/connector/change"

const connectPkg = "org.apache.kafka.connect.transforms."

// connectTransforms holds Kafka Connect's own transforms by class name, in
// the $Key/$Value forms where Connect has both.
var connectTransforms = map[string]Factory{
	connectPkg + "RegexRouter":              plain(newRegexRouter),
	connectPkg + "TimestampRouter":          plain(newTimestampRouter),
	connectPkg + "Filter":                   plain(func(options) (Transform, error) { return filter{}, nil }),
	connectPkg + "InsertField$Key":          keyed(newInsertField, onKey),
	connectPkg + "InsertField$Value":        keyed(newInsertField, onValue),
	connectPkg + "ReplaceField$Key":         keyed(newReplaceField, onKey),
	connectPkg + "ReplaceField$Value":       keyed(newReplaceField, onValue),
	connectPkg + "MaskField$Key":            keyed(newMaskField, onKey),
	connectPkg + "MaskField$Value":          keyed(newMaskField, onValue),
	connectPkg + "ValueToKey":               plain(newValueToKey),
	connectPkg + "ExtractField$Key":         keyed(newExtractField, onKey),
	connectPkg + "ExtractField$Value":       keyed(newExtractField, onValue),
	connectPkg + "HoistField$Key":           keyed(newHoistField, onKey),
	connectPkg + "HoistField$Value":         keyed(newHoistField, onValue),
	connectPkg + "Flatten$Key":              keyed(newFlatten, onKey),
	connectPkg + "Flatten$Value":            keyed(newFlatten, onValue),
	connectPkg + "Cast$Key":                 keyed(newCast, onKey),
	connectPkg + "Cast$Value":               keyed(newCast, onValue),
	connectPkg + "TimestampConverter$Key":   keyed(newTimestampConverter, onKey),
	connectPkg + "TimestampConverter$Value": keyed(newTimestampConverter, onValue),
	connectPkg + "SetSchemaMetadata$Key":    keyed(newSetSchemaMetadata, onKey),
	connectPkg + "SetSchemaMetadata$Value":  keyed(newSetSchemaMetadata, onValue),
	connectPkg + "InsertHeader":             plain(newInsertHeader),
	connectPkg + "DropHeaders":              plain(newDropHeaders),
	connectPkg + "HeaderFrom$Key":           keyed(newHeaderFrom, onKey),
	connectPkg + "HeaderFrom$Value":         keyed(newHeaderFrom, onValue),
}

func plain(f func(o options) (Transform, error)) Factory {
	return func(alias string, opts map[string]string) (Transform, error) {
		return f(transformOptions(alias, opts))
	}
}

func keyed(f func(o options, k operand) (Transform, error), k operand) Factory {
	return func(alias string, opts map[string]string) (Transform, error) {
		return f(transformOptions(alias, opts), k)
	}
}

// filter drops every record it sees: Kafka Connect's Filter, which only
// makes sense behind a predicate.
type filter struct{}

func (filter) Apply(*change.Record) (*change.Record, error) { return nil, nil }

// Connect's logical types, as SchemaBuilder builds them (version 1).
var (
	timestampSchema         = &change.Schema{Type: change.Int64, Name: change.ConnectTimestamp, Version: 1}
	optionalTimestampSchema = &change.Schema{Type: change.Int64, Name: change.ConnectTimestamp, Version: 1, Optional: true}
	dateSchema              = &change.Schema{Type: change.Int32, Name: change.ConnectDateName, Version: 1}
	optionalDateSchema      = &change.Schema{Type: change.Int32, Name: change.ConnectDateName, Version: 1, Optional: true}
	timeSchema              = &change.Schema{Type: change.Int32, Name: change.ConnectTimeName, Version: 1}
	optionalTimeSchema      = &change.Schema{Type: change.Int32, Name: change.ConnectTimeName, Version: 1, Optional: true}
	stringSchema            = &change.Schema{Type: change.String}
	optionalStringSchema    = &change.Schema{Type: change.String, Optional: true}
	int32Schema             = &change.Schema{Type: change.Int32}
	optionalInt32Schema     = &change.Schema{Type: change.Int32, Optional: true}
	int64Schema             = &change.Schema{Type: change.Int64}
	optionalInt64Schema     = &change.Schema{Type: change.Int64, Optional: true}
)
