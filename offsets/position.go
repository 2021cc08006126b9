// Package offsets holds source positions (MySQL GTID set and file/pos,
// Vitess VGTID), the stores they are committed to (Kafka Connect's
// _connect_offsets topic, a file) and the commit tracker that decides which
// position may be stored.
package offsets

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// MySQL is a MySQL/MariaDB binlog position in Debezium's offset format.
//
// File and Pos point at the start of the transaction to resume from; Event
// and Row count what to skip inside it (zero at a transaction end, which is
// where Sluice commits). GTIDs is the set of completed transactions.
type MySQL struct {
	TsSec    int64
	File     string
	Pos      uint64
	GTIDs    string
	ServerID uint32
	Event    int64
	Row      int64
	// Snapshot is set while a snapshot is in progress.
	Snapshot bool
	// SnapshotKind, with Snapshot, writes "snapshot" as that string (the
	// snapshot kind, "INITIAL") instead of true, as Debezium 3.x does in
	// the positions of its snapshot's schema history records. ParseMySQL
	// does not read it back: it only parses offsets.
	SnapshotKind string
	// SluiceSnapshot is Sluice's snapshot progress (finished chunks and
	// their positions), kept while a snapshot runs and until streaming has
	// passed every chunk; empty otherwise. Debezium ignores the field.
	SluiceSnapshot string
	// SluiceIncremental is the progress of on-demand snapshots requested
	// through the signal table; empty when none runs.
	SluiceIncremental string
	// DebeziumIncremental is the on-demand snapshot progress Debezium keeps
	// in its own offsets (incremental_snapshot_collections and _primary_key),
	// read from an offset Debezium wrote so that Sluice takes its snapshot
	// over; Sluice never writes it.
	DebeziumIncremental DebeziumIncremental
	// PrivateGTIDs writes GTIDs as "sluice_gtids" instead of "gtids": for
	// Debezium's MySQL connector class on MariaDB, which reads no GTIDs
	// there and refuses an offset whose "gtids" is a MariaDB set. Sluice
	// still resumes by them; Debezium, taking the offset over, reads file
	// and pos as it would its own.
	PrivateGTIDs bool
	// MidTxn, with PrivateGTIDs, marks a position inside a transaction in
	// Debezium's MySQL-class form on MariaDB: File and Pos are the end of
	// a statement's last rows event, GTIDs already hold the open
	// transaction, and Sluice resumes by file and position (sluice_mid_txn).
	MidTxn bool
	// TxID is "transaction_id": the transaction open at a schema history
	// record's position with transaction metadata on, as Debezium's
	// TransactionContext adds it to its offsets. ParseMySQL does not read
	// it back: a resume re-reads the transaction's start anyway.
	TxID string
}

// OffsetValue encodes the position the way Debezium's MySQL connector does:
// ts_sec, file, pos always; gtids, server_id, event, row and snapshot only
// when set.
func (p MySQL) OffsetValue() ([]byte, error) {
	b := make([]byte, 0, 96+len(p.GTIDs)+len(p.File))
	b = append(b, `{"ts_sec":`...)
	b = strconv.AppendInt(b, p.TsSec, 10)
	b = append(b, `,"file":`...)
	b = appendJacksonString(b, p.File)
	b = append(b, `,"pos":`...)
	b = strconv.AppendUint(b, p.Pos, 10)
	if p.GTIDs != "" && !p.PrivateGTIDs {
		b = append(b, `,"gtids":`...)
		b = appendJacksonString(b, p.GTIDs)
	}
	if p.Row != 0 {
		b = append(b, `,"row":`...)
		b = strconv.AppendInt(b, p.Row, 10)
	}
	if p.ServerID != 0 {
		b = append(b, `,"server_id":`...)
		b = strconv.AppendUint(b, uint64(p.ServerID), 10)
	}
	if p.Event != 0 {
		b = append(b, `,"event":`...)
		b = strconv.AppendInt(b, p.Event, 10)
	}
	if p.TxID != "" {
		b = append(b, `,"transaction_id":`...)
		b = appendJacksonString(b, p.TxID)
	}
	if p.Snapshot && p.SnapshotKind != "" {
		b = append(b, `,"snapshot":`...)
		b = appendJacksonString(b, p.SnapshotKind)
	} else if p.Snapshot {
		b = append(b, `,"snapshot":true`...)
	}
	if p.SluiceSnapshot != "" {
		b = append(b, `,"sluice_snapshot":`...)
		b = appendJacksonString(b, p.SluiceSnapshot)
	}
	if p.SluiceIncremental != "" {
		b = append(b, `,"sluice_incremental":`...)
		b = appendJacksonString(b, p.SluiceIncremental)
	}
	if p.GTIDs != "" && p.PrivateGTIDs {
		b = append(b, `,"sluice_gtids":`...)
		b = appendJacksonString(b, p.GTIDs)
	}
	if p.MidTxn {
		b = append(b, `,"sluice_mid_txn":true`...)
	}
	return append(b, '}'), nil
}

// ParseMySQL decodes a stored MySQL offset value. Unknown fields are ignored
// so offsets written by Debezium (which may carry more) can be read.
func ParseMySQL(value []byte) (MySQL, error) {
	var raw struct {
		TsSec    int64  `json:"ts_sec"`
		File     string `json:"file"`
		Pos      uint64 `json:"pos"`
		GTIDs    string `json:"gtids"`
		ServerID uint32 `json:"server_id"`
		Event    int64  `json:"event"`
		Row      int64  `json:"row"`
		Snapshot any    `json:"snapshot"`
		Sluice   string `json:"sluice_snapshot"`
		Incr     string `json:"sluice_incremental"`
		Private  string `json:"sluice_gtids"`
		MidTxn   bool   `json:"sluice_mid_txn"`
		DbzColls string `json:"incremental_snapshot_collections"`
		DbzKey   string `json:"incremental_snapshot_primary_key"`
		DbzID    string `json:"incremental_snapshot_correlation_id"`
	}
	if err := json.Unmarshal(value, &raw); err != nil {
		return MySQL{}, fmt.Errorf("decoding MySQL offset %q: %w", value, err)
	}
	p := MySQL{TsSec: raw.TsSec, File: raw.File, Pos: raw.Pos, GTIDs: raw.GTIDs,
		ServerID: raw.ServerID, Event: raw.Event, Row: raw.Row, SluiceSnapshot: raw.Sluice, SluiceIncremental: raw.Incr,
		DebeziumIncremental: DebeziumIncremental{Collections: raw.DbzColls, PrimaryKey: raw.DbzKey, CorrelationID: raw.DbzID}}
	if p.GTIDs == "" && raw.Private != "" {
		p.GTIDs, p.PrivateGTIDs, p.MidTxn = raw.Private, true, raw.MidTxn
	}
	// Debezium 1.x writes snapshot as a boolean or "true"; 2.x and 3.x as
	// the snapshot's kind: INITIAL while its initial snapshot runs,
	// BLOCKING and INCREMENTAL while streaming.
	switch s := raw.Snapshot.(type) {
	case bool:
		p.Snapshot = s
	case string:
		p.Snapshot = s == "true" || s == "INITIAL"
	}
	if p.File == "" && p.GTIDs == "" {
		return MySQL{}, fmt.Errorf("MySQL offset %q has neither file nor gtids", value)
	}
	return p, nil
}

// DebeziumIncremental is Debezium's incremental snapshot progress: the
// tables left (a JSON array of their ids, additional conditions and
// surrogate keys) and the last key sent of the first (a hex Java
// serialized Object[]).
type DebeziumIncremental struct {
	Collections, PrimaryKey string
	// CorrelationID is the id of the signal that started it, which its
	// notifications carry.
	CorrelationID string
}

// SnapshotInProgress reports whether the position records a Sluice
// snapshot that has not finished: a stored offset like it resumes the
// snapshot after its last finished chunk instead of streaming. (Debezium's
// own snapshot flag without Sluice's progress cannot be resumed.)
func (p MySQL) SnapshotInProgress() bool { return p.Snapshot && p.SluiceSnapshot != "" }

// SnapshotUnresumable reports whether the position records an initial
// snapshot that did not finish and has no progress to resume from: one
// Debezium was taking ("snapshot": "INITIAL", or true). Streaming from its
// position would leave the tables' unread rows out; Debezium takes a new
// snapshot then, and so does Sluice.
func (p MySQL) SnapshotUnresumable() bool { return p.Snapshot && p.SluiceSnapshot == "" }
