package smt

// debeziumTransforms holds Debezium's transforms (io.debezium.transforms.*)
// by class name; Parse looks a type up here after connectTransforms. This
// branch has none: the file that brings them replaces this one.
var debeziumTransforms = map[string]Factory{}
