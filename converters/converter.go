// Package converters turns Connect data (change.Schema plus a value in the
// representation change.Schema documents) into the bytes of a Kafka record
// key, value or header, the way Kafka Connect's converters do.
//
// Subpackages: jsonconv (Kafka Connect's JsonConverter format) and header
// (SimpleHeaderConverter's string form for record headers).
package converters

import "github.com/sluice-cdc/sluice/connector/change"

// Converter serialises one record key or value.
//
// Convert returns a freshly allocated slice that the caller owns and may keep
// (it becomes the Kafka record's key or value); the converter never touches it
// again. A nil value converts to nil: a null key, or a tombstone value. s
// describes v; schemas are immutable and implementations may cache whatever
// they derive from one, keyed by the pointer. topic is the destination topic
// (Connect passes it to converters; JSON ignores it, Avro derives the subject
// from it).
//
// Implementations must be safe for concurrent use by multiple goroutines: the
// poller converts records of different batches, and keys and values, in
// parallel with one instance.
type Converter interface {
	Convert(topic string, s *change.Schema, v any) ([]byte, error)
}
