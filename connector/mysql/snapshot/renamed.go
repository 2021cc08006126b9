package snapshot

import (
	"encoding/json"
	"regexp"
	"slices"
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
	i.log.Warn("a table was renamed before the initial snapshot read it whole; taking a snapshot of it under its new name, so that its topic gets the rows the initial snapshot did not read",
		zap.String("table", from), zap.String("renamed_to", to), zap.String("snapshot", typ))
	i.askRenamed(to, typ, vanishedTable{})
}

// askRenamed asks for a snapshot of type typ of to, a table's new name, as
// an execute-snapshot signal would, with what the table's request had (v).
func (i *Incremental) askRenamed(to, typ string, v vanishedTable) {
	name := to
	if !plainName(name) {
		name = regexp.QuoteMeta(name) // data-collections are patterns
	}
	req := map[string]any{"data-collections": []string{name}, "type": typ}
	if v.condition != "" {
		req["additional-conditions"] = []map[string]string{{"data-collection": name, "filter": v.condition}}
	}
	if v.surrogate != "" {
		req["surrogate-key"] = v.surrogate
	}
	data, _ := json.Marshal(req)
	i.requests = append(i.requests, signal{id: "sluice-renamed-" + to, typ: signalExecuteSnapshot, data: string(data)})
}

// An on-demand snapshot follows a table renamed while it waits or is read:
// the stream reads the RENAME before the next chunk (TableRenamed renames
// it in the snapshot's list, where the current table keeps its last key),
// or a chunk finds the table gone first (finishTable skips it, as Debezium
// skips a table it no longer has, and keeps it in vanished until the
// stream reads the RENAME, which asks for a snapshot of the new name). A
// blocking snapshot's tables found gone (RunBlocking) are kept in vanished
// the same way, and a blocking snapshot of the new name is asked for.
// Without this the rows not read yet reached the new name's topic only when
// they changed. An online schema change's swap (RENAME TABLE t TO _t_old,
// _t_new TO t) leaves the name t: the streamer does not call TableRenamed
// for it, and the snapshot reads on from the new t.

// vanishedTable is what a table skipped as gone had of the signal's
// request, for the snapshot of its new name: an on-demand snapshot's
// condition and surrogate key, or a blocking snapshot's condition (a
// blocking one is asked for again; its SELECT overrides name the old table
// and are not kept).
type vanishedTable struct {
	condition, surrogate string
	blocking             bool
}

// TableRenamed follows a RENAME of from to to ("db.table") that the stream
// read, when from no longer names a table after it.
func (i *Incremental) TableRenamed(from, to string) {
	db, tbl, _ := strings.Cut(to, ".")
	captured := i.srv.Filter.TableIncluded(db, tbl)
	if k := slices.IndexFunc(i.state.Tables, func(t string) bool { return strings.EqualFold(t, from) }); k >= 0 {
		if !captured {
			i.log.Warn("a table of the on-demand snapshot was renamed to a name the connector does not capture; the snapshot skips it",
				zap.String("table", from), zap.String("renamed_to", to))
			return
		}
		old := i.state.Tables[k]
		i.state.Tables[k] = to
		moveKey(i.state.Conditions, old, to)
		moveKey(i.state.Surrogates, old, to)
		if k == 0 {
			i.table = nil // the next chunk reads the new name, after the last key
		}
		i.log.Info("a table of the on-demand snapshot was renamed; the snapshot reads it under its new name",
			zap.String("table", old), zap.String("renamed_to", to))
		return
	}
	v, ok := i.vanished[strings.ToLower(from)]
	if !ok {
		return
	}
	delete(i.vanished, strings.ToLower(from))
	if !captured {
		i.log.Warn("a table the snapshot skipped as gone was renamed to a name the connector does not capture; the rows it did not read are in no topic",
			zap.String("table", from), zap.String("renamed_to", to))
		return
	}
	typ := "incremental"
	if v.blocking {
		typ = "blocking"
	}
	i.log.Warn("a table the snapshot skipped as gone had been renamed; taking a snapshot of it under its new name",
		zap.String("table", from), zap.String("renamed_to", to), zap.String("snapshot", typ))
	i.askRenamed(to, typ, v)
}

// TableDropped follows a DROP of name ("db.table") that the stream read:
// a table skipped as gone before is forgotten, and one the snapshot has
// yet to find gone will not be kept.
func (i *Incremental) TableDropped(name string) {
	key := strings.ToLower(name)
	if _, ok := i.vanished[key]; ok {
		delete(i.vanished, key)
		i.log.Info("a table the snapshot skipped as gone was dropped; no snapshot follows it", zap.String("table", name))
	}
	if slices.ContainsFunc(i.state.Tables, func(t string) bool { return strings.EqualFold(t, name) }) {
		if i.dropped == nil {
			i.dropped = map[string]bool{}
		}
		i.dropped[key] = true
	}
}

// noteVanished keeps what the signal asked for a table skipped as gone.
func (i *Incremental) noteVanished(name string, v vanishedTable) {
	if i.dropped[strings.ToLower(name)] {
		delete(i.dropped, strings.ToLower(name))
		return // the stream read its DROP: no RENAME will follow
	}
	if i.vanished == nil {
		i.vanished = map[string]vanishedTable{}
	}
	i.vanished[strings.ToLower(name)] = v
}

func moveKey(m map[string]string, from, to string) {
	if v, ok := m[from]; ok {
		delete(m, from)
		m[to] = v
	}
}
