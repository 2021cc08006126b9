package smt

// Factory builds one configured transform. alias is the name transforms=
// lists it under (for error messages); opts are its transforms.<alias>.*
// settings with that prefix removed, and without type, predicate and negate,
// which the framework handles.
type Factory func(alias string, opts map[string]string) (Transform, error)
