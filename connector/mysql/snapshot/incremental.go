package snapshot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/ddl"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/connector/notify"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// Debezium's signal types.
const (
	signalExecuteSnapshot = "execute-snapshot"
	signalStopSnapshot    = "stop-snapshot"
	signalPauseSnapshot   = "pause-snapshot"
	signalResumeSnapshot  = "resume-snapshot"
	signalLog             = "log"
	signalWindowOpen      = "snapshot-window-open"
	signalWindowClose     = "snapshot-window-close"
)

// Incremental runs on-demand snapshots requested through Debezium's signal
// table, while streaming goes on, with the watermark method (DBLog): for each
// chunk the reader writes an "open" row to the signal table, selects the
// chunk, and writes a "close" row. Between the two in the binlog, every
// streamed change to a key of the chunk removes that key from the chunk
// (the streamed event is at least as new); at the close row the chunk's
// remaining rows are emitted as op "r". No lock, no pause in streaming.
//
// It lives on the streaming goroutine, which calls it (see binlog.Incremental):
// with each signal row, with each streamed row (Dedupe), and at transaction
// ends (AtCommit), where its rows go before the commit marker. Its progress
// travels in the offset ("sluice_incremental", Progress) so a restart
// continues after the last emitted chunk.
type Incremental struct {
	srv   *server.Server
	log   *zap.Logger
	conn  *client.Conn
	state incrState
	// requests are execute-snapshot and stop-snapshot signals read in the
	// open transaction, acted on in order when it commits.
	requests []signal
	// blocking are the blocking snapshots asked for and not yet taken, in
	// the order asked (see blocking.go).
	blocking []blockingRequest

	// The chunk in flight.
	chunkID    string
	table      *change.Table
	defs       []mysqltypes.ColumnDef
	info       *ddl.TableInfo   // the catalog's definition table and defs were built from
	rows       map[string][]any // key -> row, from the chunk's SELECT
	order      []string         // keys in key order
	windowOpen bool
	closeSeen  bool
	// signalAt is where the signal rows being read stand, closeAt where the
	// chunk's window closed: its rows' source block shows it.
	signalAt, closeAt server.EventAt
	lastKey           []any
	chunkKey          []int    // the columns the chunks follow: the primary key, or the surrogate key
	ro                roWindow // read.only: the chunk's GTID watermarks
	// streamed is the GTID set of the transactions the stream has read
	// (read.only: a chunk's read must see them all).
	streamed  string
	positions gtidPositions // read.only on MariaDB: the chunks' snapshot positions
	tableRows int64
	started   time.Time
	maxKey    string         // the current table's largest key, for the notifications
	notes     []change.Event // notifications written at the next transaction end
	// vanished are the tables skipped as gone, lowercased "db.table", until
	// the stream reads a RENAME (TableRenamed) or a DROP (TableDropped) of
	// them. Kept in memory only: a restart in between forgets them.
	vanished map[string]vanishedTable
	// dropped are the snapshot's tables the stream read a DROP of, so that
	// the chunk that then finds one gone does not keep it in vanished.
	dropped map[string]bool
}

// incrState is what survives a restart.
type incrState struct {
	// ID is the id of the signal that started the snapshot: its
	// notifications' correlation id.
	ID         string            `json:"id,omitempty"`
	Tables     []string          `json:"tables"`               // remaining, current first
	Conditions map[string]string `json:"conditions,omitempty"` // table -> additional condition
	LastKey    []string          `json:"last_key,omitempty"`   // of the current table, as SQL literals
	// Surrogates are the signals' surrogate-key columns: table -> the
	// column the chunks follow instead of the primary key.
	Surrogates map[string]string `json:"surrogates,omitempty"`
	// Paused: a pause-snapshot signal holds the next chunk back until a
	// resume-snapshot; a restart stays paused.
	Paused bool `json:"paused,omitempty"`
}

// NewIncremental prepares the on-demand snapshots of srv; none runs until
// a signal asks for one.
func NewIncremental(srv *server.Server) *Incremental {
	return &Incremental{srv: srv, log: srv.Log}
}

// Restore resets the on-demand snapshot to the progress stored in an offset
// ("": none in progress).
func (i *Incremental) Restore(progress string) error {
	// vanished stays: the stream may resume after a skip and before the
	// RENAME that explains it.
	*i = Incremental{srv: i.srv, log: i.log, vanished: i.vanished}
	if progress == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(progress), &i.state); err != nil {
		return fault.Definite(fmt.Errorf("decoding the on-demand snapshot progress stored in the offset: %w", err))
	}
	i.log.Info("resuming the on-demand snapshot", zap.Strings("tables", i.state.Tables))
	if i.active() {
		i.observeStart()
		i.srv.Observer.SnapshotPaused(i.state.Paused)
	}
	return nil
}

// observeStart reports the snapshot started (or resumed) with the tables
// it has left.
func (i *Incremental) observeStart() {
	i.srv.Observer.SnapshotStarted()
	i.srv.Observer.SnapshotTables(len(i.state.Tables), 0)
}

func (i *Incremental) active() bool { return len(i.state.Tables) > 0 }

// Due reports whether the on-demand snapshot has work at the end of the
// open transaction: a snapshot in progress, or one asked for.
func (i *Incremental) Due() bool { return i.active() || len(i.requests) > 0 || len(i.notes) > 0 }

// Progress is what the offset keeps of the on-demand snapshot ("" when none
// is in progress).
func (i *Incremental) Progress() string {
	if !i.active() {
		return ""
	}
	b, _ := json.Marshal(i.state)
	return string(b)
}

type signal struct{ id, typ, data string }

// Signal handles a row written to the signal table: an execute-snapshot,
// stop-snapshot, pause-snapshot or resume-snapshot request, acted on when
// its transaction commits; a log request, logged; or one of the watermarks
// this snapshot writes around a chunk.
func (i *Incremental) Signal(id, typ, data string) {
	switch typ {
	case signalExecuteSnapshot, signalStopSnapshot, signalPauseSnapshot, signalResumeSnapshot:
		i.requests = append(i.requests, signal{id: id, typ: typ, data: data})
	case signalLog:
		logSignal(i.log, id, data)
	// With no chunk in flight the id is empty, which a row named just
	// "-open" or "-close" would otherwise match.
	case signalWindowOpen:
		if i.chunkID != "" && i.chunkID+"-open" == id {
			i.windowOpen = true
		}
	case signalWindowClose:
		if i.chunkID != "" && i.chunkID+"-close" == id {
			i.closeSeen, i.closeAt = true, i.signalAt
		}
	default:
		i.log.Warn("ignoring a signal of a type Sluice does not know", zap.String("id", id), zap.String("type", typ))
	}
}

// SignalDeleted handles a row deleted from the signal table: with the
// insert_delete strategy, the delete of this chunk's open watermark is its
// close.
func (i *Incremental) SignalDeleted(id, typ string) {
	if i.srv.WatermarkDelete && typ == signalWindowOpen && i.chunkID != "" && i.chunkID+"-open" == id {
		i.closeSeen, i.closeAt = true, i.signalAt
	}
}

// SignalAt records where the signal rows that follow stand.
func (i *Incremental) SignalAt(at server.EventAt) { i.signalAt = at }

// startIncremental queues the tables an execute-snapshot signal names.
func (i *Incremental) startIncremental(ctx context.Context, sig signal) error {
	var req struct {
		DataCollections      []string `json:"data-collections"`
		Type                 string   `json:"type"`
		AdditionalConditions []struct {
			DataCollection string `json:"data-collection"`
			Filter         string `json:"filter"`
		} `json:"additional-conditions"`
		SurrogateKey string `json:"surrogate-key"`
	}
	if err := json.Unmarshal([]byte(sig.data), &req); err != nil {
		i.log.Error("ignoring execute-snapshot signal with unreadable data; expected {\"data-collections\": [\"db.table\"]}",
			zap.String("id", sig.id), zap.String("data", sig.data), zap.Error(err))
		return nil
	}
	typ := strings.ToLower(req.Type)
	if typ != "" && typ != "incremental" && typ != "blocking" {
		i.log.Error("ignoring execute-snapshot signal: its type is neither \"incremental\" nor \"blocking\"", zap.String("id", sig.id), zap.String("type", req.Type))
		return nil
	}
	if typ != "blocking" && i.srv.ReadOnly {
		if ok, err := i.hasGTIDs(ctx); err != nil || !ok {
			return err
		}
	}
	if typ != "blocking" && i.srv.SignalTable == "" && !i.srv.ReadOnly {
		// A signal from the Kafka or file channel: the chunks' watermarks
		// still go to the signal table, as Debezium writes them.
		i.log.Error("ignoring execute-snapshot signal: an incremental snapshot writes its watermarks to the signal table; set signal.data.collection",
			zap.String("id", sig.id))
		return nil
	}
	tables, err := i.captured(ctx, req.DataCollections)
	if errors.Is(err, errBadPattern) {
		i.log.Error("ignoring execute-snapshot signal", zap.String("id", sig.id), zap.Error(err))
		return nil
	}
	if err != nil {
		return err // the table list, read again at the next transaction end
	}
	var filters []collectionFilter
	for _, c := range req.AdditionalConditions {
		filters = append(filters, collectionFilter{c.DataCollection, c.Filter})
	}
	conds, err := conditionsFor(tables, filters)
	if err != nil {
		i.log.Error("ignoring execute-snapshot signal", zap.String("id", sig.id), zap.Error(err))
		return nil
	}
	if typ == "blocking" {
		i.requestBlocking(sig.id, tables, conds)
		return nil
	}
	if i.state.Conditions == nil {
		i.state.Conditions = map[string]string{}
	}
	maps.Copy(i.state.Conditions, conds)
	if sk := strings.TrimSpace(req.SurrogateKey); sk != "" {
		if i.state.Surrogates == nil {
			i.state.Surrogates = map[string]string{}
		}
		for _, t := range tables {
			i.state.Surrogates[t] = sk
		}
	}
	starting := !i.active()
	i.state.Tables = append(i.state.Tables, tables...)
	i.state.ID = sig.id
	if starting && i.active() {
		// As Debezium's: tables added to a running snapshot leave its
		// table count as it was.
		i.observeStart()
	}
	i.note(notify.Started, "data_collections", strings.Join(tables, ","))
	i.log.Info("on-demand snapshot requested", zap.String("signal", sig.id), zap.Strings("tables", req.DataCollections))
	return nil
}

// captured is the signal's tables that the connector captures, its
// data-collections expanded (expandCollections); the others are skipped
// with a warning.
func (i *Incremental) captured(ctx context.Context, names []string) ([]string, error) {
	expanded, err := expandCollections(names, func() ([]string, error) { return i.capturedTables(ctx) })
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range expanded {
		db, tbl, ok := strings.Cut(t, ".")
		if !ok || !i.srv.Filter.TableIncluded(db, tbl) {
			i.log.Warn("execute-snapshot names a table that is not captured; skipping it", zap.String("table", t))
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// stopIncremental drops the tables a stop-snapshot signal names from the
// on-demand snapshot, or every table when it names none, as Debezium's
// StopSnapshot does. A chunk in flight of a dropped table is discarded
// unemitted: its watermarks then match no chunk.
func (i *Incremental) stopIncremental(sig signal) {
	var req struct {
		DataCollections []string `json:"data-collections"`
		Type            string   `json:"type"`
	}
	if err := json.Unmarshal([]byte(sig.data), &req); err != nil {
		i.log.Error("ignoring stop-snapshot signal with unreadable data; expected {\"data-collections\": [\"db.table\"], \"type\": \"incremental\"}",
			zap.String("id", sig.id), zap.String("data", sig.data), zap.Error(err))
		return
	}
	if t := strings.ToLower(req.Type); t != "" && t != "incremental" {
		i.log.Error("ignoring stop-snapshot signal: only type \"incremental\" is supported", zap.String("id", sig.id), zap.String("type", req.Type))
		return
	}
	// Patterns match the tables of the snapshot, the only ones it can drop.
	names, err := expandCollections(req.DataCollections, func() ([]string, error) { return i.state.Tables, nil })
	if err != nil {
		i.log.Error("ignoring stop-snapshot signal", zap.String("id", sig.id), zap.Error(err))
		return
	}
	if !i.active() {
		i.log.Warn("stop-snapshot signal, but no on-demand snapshot is running", zap.String("id", sig.id))
		return
	}
	id := i.state.ID
	if len(names) == 0 {
		i.log.Info("on-demand snapshot stopped", zap.String("signal", sig.id), zap.Strings("tables_not_done", i.state.Tables))
		i.stopAll()
		return
	}
	var dropped []string
	defer func() {
		i.noteStopped(id, dropped)
		if len(dropped) > 0 && !i.active() {
			i.srv.Observer.SnapshotEnded(false)
		}
	}()
	for _, name := range names {
		if !slices.Contains(i.state.Tables, name) {
			i.log.Warn("stop-snapshot names a table the on-demand snapshot does not include", zap.String("id", sig.id), zap.String("table", name))
			continue
		}
		if i.state.Tables[0] == name {
			i.dropChunk()
		}
		i.state.Tables = slices.DeleteFunc(i.state.Tables, func(t string) bool { return t == name })
		delete(i.state.Conditions, name)
		dropped = append(dropped, name)
		i.log.Info("on-demand snapshot of table stopped", zap.String("signal", sig.id), zap.String("table", name))
	}
}

// stopAll ends the on-demand snapshot, every table left unread.
func (i *Incremental) stopAll() {
	id, dropped := i.state.ID, i.state.Tables
	i.dropChunk()
	i.state, i.dropped = incrState{}, nil
	i.noteStopped(id, dropped)
	i.srv.Observer.SnapshotEnded(false)
}

// dropChunk forgets the current table's chunk in flight and progress.
func (i *Incremental) dropChunk() {
	i.chunkID, i.rows, i.order, i.lastKey, i.windowOpen, i.closeSeen = "", nil, nil, nil, false, false
	i.state.LastKey, i.table, i.defs, i.tableRows = nil, nil, nil, 0
}

// AtCommit runs at each transaction end on the streaming goroutine: it
// acts on new signals, appends to batch the rows of a chunk whose close row
// has been read, and starts the next chunk when none is in flight.
//
// at is where the stream stands at this end: with read.only, the chunk in
// flight is written once the stream's GTID set holds every transaction the
// chunk's high watermark holds.
func (i *Incremental) AtCommit(ctx context.Context, batch []change.Event, at server.StreamAt) ([]change.Event, error) {
	batch, err := i.atCommit(ctx, batch, at)
	batch = append(batch, i.notes...)
	clear(i.notes)
	i.notes = i.notes[:0]
	return batch, err
}

func (i *Incremental) atCommit(ctx context.Context, batch []change.Event, at server.StreamAt) ([]change.Event, error) {
	i.streamed = at.GTIDs
	// Each request is dropped once acted on: one that fails (the table
	// list could not be read) is taken again at the next end, alone.
	for len(i.requests) > 0 {
		sig := i.requests[0]
		switch sig.typ {
		case signalStopSnapshot:
			i.stopIncremental(sig)
		case signalPauseSnapshot, signalResumeSnapshot:
			i.pauseOrResume(sig)
		default:
			if err := i.startIncremental(ctx, sig); err != nil {
				return batch, err
			}
		}
		i.requests = i.requests[1:]
	}
	if !i.active() {
		return batch, nil
	}
	if i.srv.ReadOnly && i.chunkID != "" && !i.closeSeen && i.ro.reached(i.srv.Proto(), at.GTIDs, i.log) {
		// Written at the end of the transaction that reached the high
		// watermark, with its commit's position, as Debezium's are.
		i.closeSeen, i.closeAt = true, at.Commit
	}
	if i.closeSeen {
		batch = i.emitChunk(batch)
	}
	if i.chunkID == "" && !i.state.Paused {
		if err := i.nextChunk(ctx); err != nil {
			return batch, err
		}
	}
	return batch, nil
}

// TableChanged drops the chunk in flight when a DDL changed its table
// before the chunk was written: its rows, read before the DDL, would be
// written after it, where a truncated table's rows would come back and an
// altered one's would follow records of the new columns with the old. The
// next transaction end (the DDL's own) reads the chunk again, after the
// DDL.
func (i *Incremental) TableChanged(db, table string) {
	if i.chunkID == "" || i.table == nil || !strings.EqualFold(i.table.Database, db) || !strings.EqualFold(i.table.Name, table) {
		return
	}
	i.log.Info("a DDL changed the table of the on-demand snapshot chunk in flight; the chunk is read again after it",
		zap.String("table", db+"."+table))
	i.chunkID, i.rows, i.order, i.windowOpen, i.closeSeen, i.closeAt = "", nil, nil, false, false, server.EventAt{}
	i.ro = roWindow{}
}

// Dedupe removes a streamed row's key from the chunk in flight: the
// streamed event is at least as new as the chunk's row.
// gtid is the streamed transaction's: with read.only, one the chunk's low
// watermark holds committed before the chunk's SELECT, which saw it.
func (i *Incremental) Dedupe(tbl *change.Table, row []any, gtid string) {
	if !i.windowOpen || i.closeSeen || i.table == nil || row == nil ||
		tbl.Database != i.table.Database || tbl.Name != i.table.Name {
		return
	}
	if i.srv.ReadOnly && !i.ro.concurrent(i.srv.Proto(), gtid) {
		return
	}
	if k, err := keyStringOf(tbl, i.chunkKey, row); err == nil {
		delete(i.rows, k)
	}
}

func (i *Incremental) emitChunk(batch []change.Event) []change.Event {
	now := time.Now().UnixMilli()
	n := 0
	for _, k := range i.order {
		row, ok := i.rows[k]
		if !ok {
			continue // changed during the window: the streamed event stands
		}
		batch = append(batch, change.Event{Op: change.OpRead, Table: i.table, After: row, TsMs: now, Source: i.chunkSource(now)})
		n++
	}
	i.tableRows += int64(len(i.order))
	i.srv.Observer.SnapshotTableRows(i.state.Tables[0], i.tableRows, false)
	i.log.Debug("on-demand snapshot chunk emitted", zap.String("table", i.state.Tables[0]), zap.Int("rows", n),
		zap.Int("changed_during_window", len(i.order)-n))
	i.state.LastKey = literals(i.lastKey, i.chunkKey, i.defs)
	i.noteChunk()
	i.chunkID, i.rows, i.order, i.windowOpen, i.closeSeen, i.closeAt = "", nil, nil, false, false, server.EventAt{}
	return batch
}

// chunkSource is a chunk row's source block: the position of the event
// that closed its window (server id, GTID, file and position, row 0, no
// thread or query), as Debezium's incremental snapshot writes its rows
// with the offset of the close watermark's event.
func (i *Incremental) chunkSource(tsMs int64) *change.Value {
	at := i.closeAt
	src := sourceValue(i.srv, i.table, "incremental", tsMs, at.File, uint64(at.Pos))
	src.Values[server.SrcServerID] = int64(at.ServerID)
	src.Values[server.SrcGTID] = i.srv.SourceGTID(at.GTID)
	return src
}

// Continue starts the next chunk of a snapshot in progress when none is in
// flight, as the stream (re)connects: after a restart, the progress
// restored from the offset has no chunk in flight. streamed is the GTID set
// the stream resumes from.
func (i *Incremental) Continue(ctx context.Context, streamed string) error {
	i.streamed = streamed
	if i.active() && i.chunkID == "" && !i.state.Paused {
		return i.nextChunk(ctx)
	}
	return nil
}

// nextChunk writes the open watermark, selects the next chunk of the
// current table and writes the close watermark. A table with no rows left
// is finished and the next one starts.
func (i *Incremental) nextChunk(ctx context.Context) error {
	for len(i.state.Tables) > 0 {
		name := i.state.Tables[0]
		n, skip, err := i.tryChunk(ctx, name)
		switch {
		case errors.Is(err, errWatermarkRefused):
			i.log.Error("on-demand snapshot failed and is dropped: the server refused its watermark row; streaming goes on. Fix what the error names (or set read.only=true, whose chunks write nothing) and send the signal again",
				zap.Strings("tables_not_done", i.state.Tables), zap.Error(err))
			i.stopAll()
			return nil
		case err != nil:
			return err
		case skip != "":
			i.finishTable(name, skip)
		case n > 0:
			return nil
		default:
			i.finishTable(name, "")
		}
	}
	return nil
}

// tryChunk prepares the table name (or follows a DDL on it) and reads its
// next chunk, or says why the table is skipped instead.
func (i *Incremental) tryChunk(ctx context.Context, name string) (n int, skip string, err error) {
	if i.table == nil || i.table.Database+"."+i.table.Name != name {
		skip, err = i.prepare(ctx, name)
	} else {
		skip, err = i.refresh(ctx, name, false)
	}
	if skip == "" && err == nil {
		n, err = i.readChunk(ctx)
	}
	switch {
	case errors.Is(err, errTableGone):
		return 0, gone, nil
	case !errors.Is(err, errWatermarkRefused) && readRefused(err, i.state.Conditions[name] != ""):
		return 0, "the server refused its SELECT; grant the connector user SELECT on it, or fix the signal's additional-conditions, and send the signal again: " + err.Error(), nil
	}
	return n, skip, err
}

// readRefused reports whether the server refused a chunk's SELECT for good:
// no grant, or an additional-condition it cannot run (a typo, a column or
// function that does not exist). Before, the refusal took the stream's
// transient path, which read the same chunk again without end. An unknown
// column counts only in a statement with the user's SQL (userSQL): in
// Sluice's own SELECT it is a DDL that dropped the column a moment before,
// and the chunk read again names the table's columns as they are then.
func readRefused(err error, userSQL bool) bool {
	var me *gmysql.MyError
	if !errors.As(err, &me) {
		return false
	}
	switch me.Code {
	case gmysql.ER_BAD_FIELD_ERROR:
		return userSQL
	case gmysql.ER_TABLEACCESS_DENIED_ERROR, gmysql.ER_COLUMNACCESS_DENIED_ERROR, gmysql.ER_PARSE_ERROR,
		gmysql.ER_SP_DOES_NOT_EXIST, gmysql.ER_FUNC_INEXISTENT_NAME_COLLISION, gmysql.ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT,
		gmysql.ER_WRONG_PARAMETERS_TO_NATIVE_FCT, gmysql.ER_CANT_AGGREGATE_2COLLATIONS, gmysql.ER_OPERAND_COLUMNS,
		gmysql.ER_INVALID_GROUP_FUNC_USE:
		return true
	}
	return false
}

func (i *Incremental) finishTable(name, why string) {
	if why == gone {
		i.noteVanished(name, vanishedTable{condition: i.state.Conditions[name], surrogate: i.state.Surrogates[name]})
	}
	i.noteTableDone(name, why)
	i.srv.Observer.SnapshotTableRows(name, i.tableRows, true)
	if why != "" {
		i.log.Warn("on-demand snapshot skips a table", zap.String("table", name), zap.String("reason", why))
	} else {
		i.log.Info("on-demand snapshot of table finished", zap.String("table", name), zap.Int64("rows", i.tableRows),
			zap.Duration("elapsed", time.Since(i.started).Round(time.Millisecond)))
	}
	i.state.Tables = i.state.Tables[1:]
	delete(i.state.Conditions, name)
	delete(i.state.Surrogates, name)
	i.state.LastKey, i.table, i.tableRows, i.chunkID = nil, nil, 0, ""
	if len(i.state.Tables) == 0 {
		i.state.Paused = false // a pause holds only the snapshot it paused
		i.log.Info("on-demand snapshot finished")
		i.srv.Observer.SnapshotEnded(true)
	}
}

// prepare reads the table's structure and the columns its chunks follow:
// the primary key, or the signal's surrogate key (which a table without a
// primary key needs; it must be unique and not null, as in Debezium). A
// table it cannot chunk gets the reason to skip it.
func (i *Incremental) prepare(ctx context.Context, name string) (skip string, err error) {
	info, skip, err := i.definition(ctx, name)
	if skip != "" || err != nil {
		return skip, err
	}
	i.table = nil
	skip, err = i.follow(name, info)
	if skip != "" || err != nil {
		return skip, err
	}
	i.started, i.tableRows = time.Now(), 0
	if err := i.readMaxKey(ctx, name); err != nil {
		return "", err
	}
	i.log.Info("on-demand snapshot of table starting", zap.String("table", name))
	return "", nil
}

// follow builds the table version the chunks read and emit from the
// catalog's definition, and the columns the chunks follow: the primary key,
// or the signal's surrogate key. A table it cannot chunk gets the reason to
// skip it.
func (i *Incremental) follow(name string, info *ddl.TableInfo) (skip string, err error) {
	db, tbl, _ := strings.Cut(name, ".")
	key := info.Key
	if sk := i.state.Surrogates[name]; sk != "" {
		n := slices.IndexFunc(info.Columns, func(c mysqltypes.ColumnDef) bool { return strings.EqualFold(c.Name, sk) })
		if n < 0 {
			return fmt.Sprintf("has no column %q, the signal's surrogate-key", sk), nil
		}
		key = []int{n}
	}
	if len(key) == 0 {
		return "has no primary key (a signal's surrogate-key names a unique column to use instead)", nil
	}
	t, err := i.srv.BuildTable(db, tbl, info.Columns, info.Key)
	if err != nil {
		return "", fault.Definite(err)
	}
	i.table, i.defs, i.chunkKey, i.info = t, info.Columns, key, info
	return "", nil
}

// refresh follows a DDL on the table being read, as Debezium's chunks
// follow the table's current schema: the chunks after it select and emit
// the new columns. The catalog caches a definition until the stream reads
// the next DDL; fresh forgets it first (a chunk's SELECT named a column
// that is gone: the ALTER is still ahead of the stream). A chunk key whose
// columns changed starts the table again from its first row.
func (i *Incremental) refresh(ctx context.Context, name string, fresh bool) (skip string, err error) {
	if fresh {
		i.srv.Catalog.Invalidate()
	}
	info, skip, err := i.definition(ctx, name)
	if skip != "" || err != nil || info == i.info {
		return skip, err
	}
	if slices.Equal(info.Key, i.info.Key) && slices.EqualFunc(info.Columns, i.defs, func(a, b mysqltypes.ColumnDef) bool { return reflect.DeepEqual(a, b) }) {
		i.info = info // read again after another table's DDL, unchanged
		return "", nil
	}
	oldKey := keyNames(i.defs, i.chunkKey)
	if skip, err = i.follow(name, info); skip != "" || err != nil {
		return skip, err
	}
	restart := !slices.Equal(oldKey, keyNames(i.defs, i.chunkKey))
	if restart {
		i.state.LastKey = nil
	}
	i.log.Info("the table changed during the on-demand snapshot; the next chunks read its new columns",
		zap.String("table", name), zap.Int("columns", len(i.defs)), zap.Bool("key_changed_restarting_table", restart))
	return "", nil
}

// definition is the catalog's definition of the table name, or gone as
// the reason to skip it.
func (i *Incremental) definition(ctx context.Context, name string) (info *ddl.TableInfo, skip string, err error) {
	db, tbl, _ := strings.Cut(name, ".")
	info, err = i.srv.Catalog.Table(ctx, db, tbl)
	if errors.Is(err, server.ErrNotInCatalog) {
		return nil, gone, nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("on-demand snapshot of %s: %w", name, err)
	}
	return info, "", nil
}

// gone is why a table dropped or renamed while its on-demand snapshot
// waits or runs is skipped, as Debezium skips a table whose schema it no
// longer has. Before, the catalog's error failed every chunk and held the
// stream in its reconnect loop.
// information_schema also hides a table on which the connector user has no
// privilege at all, which reads the same.
const gone = "no longer exists (dropped or renamed since the snapshot was asked for), or the connector user has no privilege on it"

// errTableGone: a chunk's SELECT found its table gone.
var errTableGone = errors.New("the table " + gone)

func keyNames(defs []mysqltypes.ColumnDef, key []int) []string {
	out := make([]string, len(key))
	for n, k := range key {
		out[n] = strings.ToLower(defs[k].Name)
	}
	return out
}

func (i *Incremental) connect(ctx context.Context) (*client.Conn, error) {
	if i.conn != nil {
		return i.conn, nil
	}
	conn, err := connect(ctx, &i.srv.Config)
	if err != nil {
		return nil, err
	}
	i.conn = conn
	return conn, nil
}

// Close closes the on-demand snapshot's connection; the next chunk opens
// another.
func (i *Incremental) Close() {
	if i.conn != nil {
		i.conn.Close()
		i.conn = nil
	}
}

func (i *Incremental) readChunk(ctx context.Context) (int, error) {
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	chunkID := hex.EncodeToString(id)
	name := i.state.Tables[0]
	if i.srv.ReadOnly {
		return i.readOnlyChunk(ctx, chunkID, name)
	}
	conn, err := i.connect(ctx)
	if err != nil {
		return 0, err
	}
	signalTable := quoteQualified(i.srv.SignalTable)
	write := func(suffix, typ string) error {
		q := fmt.Sprintf("INSERT INTO %s VALUES ('%s-%s', '%s', NULL)", signalTable, chunkID, suffix, typ)
		if _, err := conn.Execute(q); err != nil {
			i.Close()
			return fmt.Errorf("writing the %s watermark to the signal table %s (the connector user needs INSERT on it): %w", suffix, i.srv.SignalTable, watermarkRefused(err))
		}
		return nil
	}
	if err := write("open", signalWindowOpen); err != nil {
		return 0, err
	}
	rows, order, last, err := i.selectCurrent(ctx, conn, name)
	if err != nil {
		return 0, err
	}
	if i.srv.WatermarkDelete {
		// insert_delete: the open row's delete closes the window (and
		// leaves none behind after the table's last, empty chunk).
		q := fmt.Sprintf("DELETE FROM %s WHERE id = '%s-open'", signalTable, chunkID)
		if _, err := conn.Execute(q); err != nil {
			i.Close()
			return 0, fmt.Errorf("deleting the open watermark from the signal table %s (incremental.snapshot.watermarking.strategy=insert_delete: the connector user needs DELETE on it): %w", i.srv.SignalTable, watermarkRefused(err))
		}
	}
	if len(order) == 0 {
		return 0, nil
	}
	if !i.srv.WatermarkDelete {
		if err := write("close", signalWindowClose); err != nil {
			return 0, err
		}
	}
	i.chunkID, i.rows, i.order, i.lastKey = chunkID, rows, order, last
	return len(order), nil
}

// errWatermarkRefused: the server refused a watermark row for good (see
// watermarkRefused). Taken for a transient failure, it made the stream
// reconnect and fail again without end, every captured table held up.
var errWatermarkRefused = errors.New("refused by the server")

// watermarkRefused marks err as errWatermarkRefused when the server's
// answer will not change by itself: no grant, no such table or column, a
// row that does not fit it, a read-only server.
func watermarkRefused(err error) error {
	var me *gmysql.MyError
	if !errors.As(err, &me) {
		return err
	}
	switch me.Code {
	case gmysql.ER_TABLEACCESS_DENIED_ERROR, gmysql.ER_DBACCESS_DENIED_ERROR, gmysql.ER_SPECIFIC_ACCESS_DENIED_ERROR,
		gmysql.ER_NO_SUCH_TABLE, gmysql.ER_BAD_FIELD_ERROR, gmysql.ER_WRONG_VALUE_COUNT_ON_ROW, gmysql.ER_DATA_TOO_LONG,
		gmysql.ER_BAD_NULL_ERROR, gmysql.ER_OPTION_PREVENTS_STATEMENT, gmysql.ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION:
		return fmt.Errorf("%w: %w", errWatermarkRefused, err)
	}
	return err
}

// selectCurrent is selectChunk, once more with the table's definition read
// again where the SELECT names a column that is gone: the stream has not
// yet seen it dropped. A table that is gone is errTableGone. A failure
// closes the connection.
func (i *Incremental) selectCurrent(ctx context.Context, conn *client.Conn, name string) (rows map[string][]any, order []string, last []any, err error) {
	rows, order, last, q, err := i.selectChunk(conn, name)
	var me *gmysql.MyError
	if errors.As(err, &me) && (me.Code == gmysql.ER_BAD_FIELD_ERROR || me.Code == gmysql.ER_NO_SUCH_TABLE) {
		switch skip, rerr := i.refresh(ctx, name, true); {
		case rerr == nil && skip == gone:
			err = errTableGone
		case rerr == nil && skip == "":
			rows, order, last, q, err = i.selectChunk(conn, name)
		}
	}
	if err != nil {
		i.Close()
		return nil, nil, nil, fmt.Errorf("on-demand snapshot of %s: reading a chunk (%s): %w", name, q, err)
	}
	return rows, order, last, nil
}

// selectChunk reads the current table's next chunk: its rows by key, the
// keys in order and the last row. q is the SELECT, for messages.
func (i *Incremental) selectChunk(conn *client.Conn, name string) (rows map[string][]any, order []string, last []any, q string, err error) {
	keyCols, cols := i.columns()
	q = "SELECT " + strings.Join(cols, ", ") + " FROM " + quoteQualified(name)
	var where []string
	if len(i.state.LastKey) > 0 {
		where = append(where, "("+strings.Join(keyCols, ", ")+") > ("+strings.Join(i.state.LastKey, ", ")+")")
	}
	if c := i.state.Conditions[name]; c != "" {
		where = append(where, "("+c+")")
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY " + strings.Join(keyCols, ", ") + " LIMIT " + strconv.Itoa(i.chunkSize())
	rows = map[string][]any{}
	var result gmysql.Result
	boxes := mysqltypes.NewBoxes()
	err = conn.ExecuteSelectStreaming(q, &result, func(r []gmysql.FieldValue) error {
		vals, err := rowValues(boxes, i.defs, r)
		if err != nil {
			return fmt.Errorf("reading a row of %s: %w", name, err)
		}
		k, err := keyStringOf(i.table, i.chunkKey, vals)
		if err != nil {
			return err
		}
		rows[k] = vals
		order = append(order, k)
		last = vals
		return nil
	}, nil)
	return rows, order, last, q, err
}

// columns is the current table's key columns (those its chunks follow) and
// all its columns, quoted.
func (i *Incremental) columns() (keyCols, cols []string) {
	keyCols = make([]string, len(i.chunkKey))
	for n, k := range i.chunkKey {
		keyCols[n] = quoteIdent(i.defs[k].Name)
	}
	cols = make([]string, len(i.defs))
	for n, d := range i.defs {
		cols[n] = quoteIdent(d.Name)
	}
	return keyCols, cols
}

// literals renders a row's key values as SQL literals for the next chunk's
// WHERE clause, which must compare them in the order of the chunk's ORDER
// BY. A DECIMAL goes unquoted: MySQL compares a DECIMAL column with a
// string as a double, which above 2^53 cannot tell neighbouring keys apart.
// An ENUM goes as its index and a SET as its bits, the order ORDER BY
// sorts them in; compared with a string they would compare as text.
func literals(row []any, key []int, defs []mysqltypes.ColumnDef) []string {
	out := make([]string, len(key))
	for n, k := range key {
		if s, ok := row[k].(string); ok && k < len(defs) {
			switch dt := defs[k].DataType; {
			case (dt == "decimal" || dt == "numeric") && isDecimalText(s):
				out[n] = s
				continue
			case dt == "enum":
				if i, ok := enumIndex(defs[k].EnumValues, s); ok {
					out[n] = strconv.Itoa(i)
					continue
				}
			case dt == "set":
				if bits, ok := setBits(defs[k].EnumValues, s); ok {
					out[n] = strconv.FormatUint(bits, 10)
					continue
				}
			}
		}
		switch v := row[k].(type) {
		case int64:
			out[n] = strconv.FormatInt(v, 10)
		case uint64:
			out[n] = strconv.FormatUint(v, 10)
		case float64:
			out[n] = strconv.FormatFloat(v, 'g', -1, 64)
		case time.Time:
			out[n] = "'" + v.Format("2006-01-02 15:04:05.999999") + "'"
		case mysqltypes.PackedDatetime: // a DATETIME as the snapshot reads it
			out[n] = "'" + v.Text() + "'"
		case []byte:
			out[n] = "X'" + hex.EncodeToString(v) + "'"
		default:
			out[n] = "'" + gmysql.Escape(fmt.Sprint(v)) + "'"
		}
	}
	return out
}

// isDecimalText reports whether s is a plain decimal number, as the server
// writes a DECIMAL value: an optional minus, digits, optional fraction.
func isDecimalText(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	digits := func(p string) bool {
		return p != "" && strings.Trim(p, "0123456789") == ""
	}
	return digits(whole) && (!dot || digits(frac))
}

// enumIndex is the index of an ENUM value: 1 for the first member, 0 for
// the empty string when it is not a member (the error value).
func enumIndex(members []string, v string) (int, bool) {
	if i := memberIndex(members, v); i >= 0 {
		return i + 1, true
	}
	return 0, v == ""
}

// setBits is a SET value as the number MySQL sorts it by: bit i for the
// i-th member.
func setBits(members []string, v string) (uint64, bool) {
	if v == "" {
		return 0, true
	}
	var bits uint64
	for _, m := range strings.Split(v, ",") {
		i := memberIndex(members, m)
		if i < 0 || i >= 64 {
			return 0, false
		}
		bits |= 1 << i
	}
	return bits, true
}

// memberIndex finds v among members: exactly, else ignoring case (the
// server writes a member as declared, whatever case was inserted).
func memberIndex(members []string, v string) int {
	if i := slices.Index(members, v); i >= 0 {
		return i
	}
	return slices.IndexFunc(members, func(m string) bool { return strings.EqualFold(m, v) })
}

func quoteQualified(name string) string {
	db, t, _ := strings.Cut(name, ".")
	return quoteIdent(db) + "." + quoteIdent(t)
}

func (i *Incremental) chunkSize() int {
	if i.srv.IncrementalChunk > 0 {
		return i.srv.IncrementalChunk
	}
	return 1024
}
