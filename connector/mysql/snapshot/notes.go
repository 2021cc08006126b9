package snapshot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/connector/notify"
)

// The on-demand snapshot's notifications (notification.enabled.channels=sink),
// as Debezium's incremental snapshot sends them: queued as they happen and
// written at the transaction end that carries the progress they report.

// note queues a notification of the on-demand snapshot under its
// correlation id, the id of the signal that started it.
func (i *Incremental) note(typ string, data ...string) {
	i.notes = i.srv.Notify.Append(i.notes, i.state.ID, notify.IncrementalSnapshot, typ, data...)
}

// noteChunk reports a chunk written: the table, the tables left (the
// current one first), its largest key and the chunk's last.
func (i *Incremental) noteChunk() {
	if i.srv.Notify == nil {
		return
	}
	i.note(notify.InProgress, "current_collection_in_progress", i.state.Tables[0],
		"data_collections", strings.Join(i.state.Tables, ","),
		"maximum_key", i.maxKey, "last_processed_key", keyText(i.lastKey, i.chunkKey, i.defs))
}

// noteTableDone reports a table finished (its status: read, empty, or
// skipped for want of a key), and the snapshot's end after its last.
func (i *Incremental) noteTableDone(name, skipped string) {
	status := notify.Succeeded
	switch {
	case skipped != "":
		status = notify.NoPrimaryKey
	case i.tableRows == 0:
		status = notify.Empty
	}
	i.note(notify.TableScanCompleted, "scanned_collection", name, "data_collections", strings.Join(i.state.Tables, ","),
		"total_rows_scanned", strconv.FormatInt(i.tableRows, 10), "status", status)
	if len(i.state.Tables) == 1 {
		i.note(notify.Completed)
	}
}

// noteStopped reports a stop-snapshot signal: the snapshot's end when no
// table is left, then the tables dropped, under an id of its own, as
// Debezium sends them.
func (i *Incremental) noteStopped(id string, dropped []string) {
	if len(dropped) == 0 {
		return
	}
	if !i.active() {
		i.notes = i.srv.Notify.Append(i.notes, id, notify.IncrementalSnapshot, notify.Completed)
	}
	i.notes = i.srv.Notify.Append(i.notes, notify.NewID(), notify.IncrementalSnapshot, notify.Aborted,
		"data_collections", strings.Join(dropped, ","))
}

// readMaxKey reads the largest key of the current table, under its
// condition, which the chunks' notifications report (maximum_key); only
// with the sink channel on.
func (i *Incremental) readMaxKey(ctx context.Context, name string) error {
	i.maxKey = ""
	if i.srv.Notify == nil {
		return nil
	}
	conn, err := i.connect(ctx)
	if err != nil {
		return err
	}
	keyCols, cols := i.columns()
	desc := make([]string, len(keyCols))
	for n, c := range keyCols {
		desc[n] = c + " DESC"
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + quoteQualified(name)
	if c := i.state.Conditions[name]; c != "" {
		q += " WHERE (" + c + ")"
	}
	q += " ORDER BY " + strings.Join(desc, ", ") + " LIMIT 1"
	var result gmysql.Result
	boxes := mysqltypes.NewBoxes()
	err = conn.ExecuteSelectStreaming(q, &result, func(r []gmysql.FieldValue) error {
		vals, err := rowValues(boxes, i.defs, r)
		if err == nil {
			i.maxKey = keyText(vals, i.chunkKey, i.defs)
		}
		return err
	}, nil)
	if err != nil {
		i.Close()
		return fmt.Errorf("on-demand snapshot of %s: reading its largest key for the notifications (%s): %w", name, q, err)
	}
	return nil
}

// The initial (and blocking) snapshot's notifications, as Debezium's
// snapshot sends them: each under an id of its own, with the tables of the
// snapshot in a Java HashSet's order while a table is read, and, once it is
// read, in table.include.list's order (server.CaptureOrderer), with the
// signal table when the connector captures it (an initial snapshot's list
// is every captured table, and Debezium reads none of the signal table's
// rows).

func (e *emitter) note(typ string, data ...string) {
	if e.s.srv.Notify != nil {
		e.batch = e.s.srv.Notify.Append(e.batch, notify.NewID(), notify.InitialSnapshot, typ, data...)
	}
}

func (e *emitter) noteTableStarted(name string) {
	if e.s.srv.Notify == nil {
		return
	}
	e.note(notify.InProgress, "current_collection_in_progress", name,
		"data_collections", strings.Join(notify.HashSetOrder(e.st.Tables), ","))
}

func (e *emitter) noteTableDone(t *snapTable) {
	if e.s.srv.Notify == nil {
		return
	}
	all := slices.Clone(e.st.Tables)
	if sig := e.s.cfg.SignalTable; !e.st.Blocking && sig != "" {
		if db, tbl, ok := strings.Cut(sig, "."); ok && e.s.cfg.Filter.TableIncluded(db, tbl) {
			all = append(all, sig)
		}
	}
	e.note(notify.TableScanCompleted, "scanned_collection", t.name, "data_collections", strings.Join(captureOrder(e.s.cfg.Filter, all), ","),
		"total_rows_scanned", strconv.FormatInt(t.rows, 10), "status", notify.Succeeded)
}
