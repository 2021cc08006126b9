package snapshot

import (
	"encoding/json"
	"regexp"
	"strings"

	"go.uber.org/zap"
)

// A table renamed between two ranges of the initial snapshot (or before
// its first) vanishes from it: the next range finds no table and the retry
// skips it (Snapshotter.prepareTable). The rows it had not read yet are
// then the renamed table's, and the stream writes them only when they
// change: a consumer of either topic never saw them. When the stream
// reaches the RENAME (SkipFilter.Renamed), SnapshotRenamed asks for a
// snapshot of the renamed table, as an execute-snapshot signal would, so
// that its topic gets all its rows. Debezium reads the whole initial
// snapshot in one transaction, where the RENAME of a table it has not read
// yet fails the snapshot; Sluice's ranges each have a transaction of their
// own, so that a long snapshot holds no metadata lock.

// SnapshotRenamed asks for a snapshot of to ("db.table"), the new name of
// from, which vanished from the initial snapshot before it was read whole:
// a blocking one, which needs no more than the SELECT the snapshot had, or
// with read.only an on-demand one (its chunks write nothing). Not an
// on-demand one with watermark rows, even with a signal table: the user
// asked for no snapshot, and one that cannot write its watermarks (no
// INSERT grant, a signal table meant for the Kafka channel's requests)
// holds the stream up until the grant is there. A to the connector does
// not capture gets a warning: its rows are in no topic, as they would not
// be after the RENAME anyway.
func (i *Incremental) SnapshotRenamed(from, to string) {
	db, tbl, _ := strings.Cut(to, ".")
	if !i.srv.Filter.TableIncluded(db, tbl) {
		i.log.Warn("a table was renamed before the initial snapshot read it whole, to a name the connector does not capture; the rows the snapshot did not read are in no topic",
			zap.String("table", from), zap.String("renamed_to", to))
		return
	}
	typ := "blocking"
	if i.srv.ReadOnly {
		typ = "incremental"
	}
	name := to
	if !plainName(name) {
		name = regexp.QuoteMeta(name) // data-collections are patterns
	}
	data, _ := json.Marshal(map[string]any{"data-collections": []string{name}, "type": typ})
	i.log.Warn("a table was renamed before the initial snapshot read it whole; taking a snapshot of it under its new name, so that its topic gets the rows the initial snapshot did not read",
		zap.String("table", from), zap.String("renamed_to", to), zap.String("snapshot", typ))
	i.requests = append(i.requests, signal{id: "sluice-renamed-" + to, typ: signalExecuteSnapshot, data: string(data)})
}
