// Package history keeps the schema history: the DDL statements a connector
// has seen, each with the source position it was read at, so that after a
// restart the tables' structure as of the stored offset can be rebuilt by
// replaying the records at or before that offset.
//
// Records are Debezium's HistoryRecord documents, written the way
// Debezium's KafkaSchemaHistory (one record per message, one partition) and
// FileSchemaHistory (one document per line) write them: a team switching
// from Debezium points Sluice at its existing history, and Debezium can read
// the history Sluice writes.
//
// Verified against debezium/debezium (commit aad5519, 2026-08-22):
//   - debezium-connector-common/src/main/java/io/debezium/relational/history/HistoryRecord.java
//   - debezium-connector-common/src/main/java/io/debezium/relational/history/JsonTableChangeSerializer.java
//   - debezium-connector-common/src/main/java/io/debezium/relational/history/AbstractSchemaHistory.java
//   - debezium-connector-common/src/main/java/io/debezium/document/JacksonWriter.java (nulls are written, not omitted)
//   - debezium-storage/debezium-storage-kafka/src/main/java/io/debezium/storage/kafka/history/KafkaSchemaHistory.java
//   - debezium-storage/debezium-storage-file/src/main/java/io/debezium/storage/file/history/FileSchemaHistory.java
package history

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/sluice-cdc/sluice/internal/javafmt"
)

// Store keeps schema history records in order.
//
// Concurrency: every method may be called from any goroutine. Appends are
// serialised: a record whose Append returned is stored before any record
// appended after that. Recover sees the records stored when it starts (and
// maybe some appended while it runs); fn is called from Recover's goroutine,
// one record at a time, and may call Append.
//
// Cancellation: a cancelled or expired ctx makes Recover, Append and Empty
// return the context's error, wrapped. An Append that returned an error may
// still have stored its record.
type Store interface {
	// Recover calls fn with every record, oldest first. Records that
	// Debezium's recovery skips (a null Kafka value, a document without
	// source or position) are skipped with a warning; a record that is
	// not JSON stops Recover with an error naming where it is. An error
	// from fn stops Recover and is returned wrapped.
	Recover(ctx context.Context, fn func(Record) error) error
	// Append stores r and returns once it is durable: acknowledged by all
	// in-sync replicas (Kafka), or written and fsynced (file).
	Append(ctx context.Context, r Record) error
	// Empty reports whether the store holds no record: the topic or file
	// is missing or holds nothing. A connector with an offset but an empty
	// history cannot know its tables' past structure.
	Empty(ctx context.Context) (bool, error)
	// Close releases the store's resources. Calls after Close fail.
	Close()
}

// ErrInvalidRecord is wrapped by Unmarshal for a JSON document that is not
// a history record: it lacks source or position, or they are not objects.
// Debezium's recovery skips such records (HistoryRecord.isValid), and so do
// the stores.
var ErrInvalidRecord = errors.New("not a schema history record")

// Record is one schema history record, Debezium's HistoryRecord:
//
//	{"source":{"server":"dbserver1"},"position":{"ts_sec":...,"file":"mysql-bin.000003","pos":154},
//	 "ts_ms":1700000000000,"databaseName":"inventory","ddl":"CREATE TABLE ...","tableChanges":[...]}
//
// Marshal writes the fields in that order and omits the ones Debezium
// omits when they are null; see each field.
type Record struct {
	// Server is the source's "server", the connector's topic.prefix.
	// Recovery only replays records whose source equals the offset's
	// source partition ({"server": topic.prefix}).
	Server string
	// Position is the source offset the DDL was read at, a JSON object
	// with the keys of the connector's offsets (see
	// connector/mysql.positionAtOrBefore). Required.
	Position json.RawMessage
	// TsMs is when the record was written, in epoch milliseconds; 0 omits
	// ts_ms (Debezium omits it for a null timestamp, and old records have
	// none).
	TsMs int64
	// DatabaseName is the database the statement ran in (the QUERY
	// event's default database), "" for none. Always written: Debezium's
	// binlog connectors always pass a non-null name, "" included, and on
	// replay a present databaseName becomes the parser's current database.
	DatabaseName string
	// SchemaName is omitted when "": the binlog connectors pass null.
	SchemaName string
	// DDL is the statement; omitted when "".
	DDL string
	// TableChanges is the JSON array of table changes (see TableChange and
	// MarshalTableChanges); nil omits it. Debezium's binlog connectors
	// write [] for a statement that changes no table.
	TableChanges json.RawMessage
}

// Marshal encodes r as Debezium's JacksonWriter writes a HistoryRecord: one
// line of compact JSON, fields in Debezium's order, strings escaped as
// Jackson escapes them.
func (r Record) Marshal() ([]byte, error) {
	pos, err := compactJSON(r.Position, '{')
	if err != nil {
		return nil, fmt.Errorf("encoding schema history record: position %s: %w", r.Position, err)
	}
	var changes []byte
	if r.TableChanges != nil {
		if changes, err = compactJSON(r.TableChanges, '['); err != nil {
			return nil, fmt.Errorf("encoding schema history record: tableChanges %s: %w", r.TableChanges, err)
		}
	}
	b := make([]byte, 0, 64+len(r.Server)+len(pos)+len(r.DatabaseName)+len(r.DDL)+len(changes))
	b = append(b, `{"source":{"server":`...)
	b = appendString(b, r.Server)
	b = append(b, `},"position":`...)
	b = append(b, pos...)
	if r.TsMs != 0 {
		b = append(b, `,"ts_ms":`...)
		b = strconv.AppendInt(b, r.TsMs, 10)
	}
	b = append(b, `,"databaseName":`...)
	b = appendString(b, r.DatabaseName)
	if r.SchemaName != "" {
		b = append(b, `,"schemaName":`...)
		b = appendString(b, r.SchemaName)
	}
	if r.DDL != "" {
		b = append(b, `,"ddl":`...)
		b = appendString(b, r.DDL)
	}
	if changes != nil {
		b = append(b, `,"tableChanges":`...)
		b = append(b, changes...)
	}
	return append(b, '}'), nil
}

// compactJSON checks that raw is one JSON value starting with open ('{' or
// '[') and returns it on one line: a record is one line of a history file.
func compactJSON(raw []byte, open byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	if buf.Len() == 0 || buf.Bytes()[0] != open {
		return nil, fmt.Errorf("not a JSON %s", map[byte]string{'{': "object", '[': "array"}[open])
	}
	return buf.Bytes(), nil
}

// Unmarshal decodes a history record written by Debezium or by Marshal.
// Unknown fields are ignored; null or missing databaseName, schemaName and
// ddl decode as "". A document without a source or position object returns
// an error wrapping ErrInvalidRecord.
func Unmarshal(b []byte) (Record, error) {
	var raw struct {
		Source       json.RawMessage `json:"source"`
		Position     json.RawMessage `json:"position"`
		TsMs         *json.Number    `json:"ts_ms"`
		DatabaseName *string         `json:"databaseName"`
		SchemaName   *string         `json:"schemaName"`
		DDL          *string         `json:"ddl"`
		TableChanges json.RawMessage `json:"tableChanges"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Record{}, fmt.Errorf("decoding schema history record %s: %w", clip(b), err)
	}
	if !isJSON(raw.Source, '{') || !isJSON(raw.Position, '{') {
		return Record{}, fmt.Errorf("decoding schema history record %s: %w: source and position must be objects",
			clip(b), ErrInvalidRecord)
	}
	var src struct {
		Server *string `json:"server"`
	}
	if err := json.Unmarshal(raw.Source, &src); err != nil {
		return Record{}, fmt.Errorf("decoding source of schema history record %s: %w", clip(b), err)
	}
	r := Record{Position: raw.Position}
	if src.Server != nil {
		r.Server = *src.Server
	}
	if raw.TsMs != nil {
		ts, err := raw.TsMs.Int64()
		if err != nil {
			return Record{}, fmt.Errorf("decoding ts_ms %s of schema history record %s: %w", *raw.TsMs, clip(b), err)
		}
		r.TsMs = ts
	}
	r.DatabaseName = deref(raw.DatabaseName)
	r.SchemaName = deref(raw.SchemaName)
	r.DDL = deref(raw.DDL)
	if isJSON(raw.TableChanges, '[') {
		r.TableChanges = raw.TableChanges
	} else if len(raw.TableChanges) > 0 && string(raw.TableChanges) != "null" {
		return Record{}, fmt.Errorf("decoding schema history record %s: tableChanges is not an array", clip(b))
	}
	return r, nil
}

func isJSON(raw json.RawMessage, open byte) bool {
	return len(raw) > 0 && raw[0] == open
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// clip shortens a document quoted in an error: CREATE TABLE statements can
// be long.
func clip(b []byte) string {
	const limit = 300
	if len(b) <= limit {
		return string(b)
	}
	return string(b[:limit]) + "..."
}

// appendString writes s as Debezium's JacksonWriter (a writer-based
// generator: characters beyond the BMP raw) does.
func appendString(b []byte, s string) []byte { return javafmt.AppendJSONString(b, s, false) }
