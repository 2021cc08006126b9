package avro

import "github.com/sluice-cdc/sluice/converters/typeerr"

// TypeError reports a value that does not fit its schema (see typeerr).
// The converter marks it definite.
type TypeError = typeerr.Error

var (
	typeErr   = typeerr.New
	inPath    = typeerr.In
	wrongType = typeerr.Wrong
)
