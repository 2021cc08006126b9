package mysql

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// Debezium's signal types.
const (
	signalExecuteSnapshot = "execute-snapshot"
	signalWindowOpen      = "snapshot-window-open"
	signalWindowClose     = "snapshot-window-close"
)

// incremental runs on-demand snapshots requested through Debezium's signal
// table, while streaming goes on, with the watermark method (DBLog): for each
// chunk the reader writes an "open" row to the signal table, selects the
// chunk, and writes a "close" row. Between the two in the binlog, every
// streamed change to a key of the chunk removes that key from the chunk
// (the streamed event is at least as new); at the close row the chunk's
// remaining rows are emitted as op "r". No lock, no pause in streaming.
//
// It lives on the streaming goroutine; its progress travels in the offset
// ("sluice_incremental") so a restart continues after the last emitted chunk.
type incremental struct {
	s     *Streamer
	conn  *client.Conn
	state incrState

	// The chunk in flight.
	chunkID    string
	table      *change.Table
	defs       []mysqltypes.ColumnDef
	rows       map[string][]any // key -> row, from the chunk's SELECT
	order      []string         // keys in key order
	windowOpen bool
	closeSeen  bool
	lastKey    []any
	tableRows  int64
	started    time.Time
}

// incrState is what survives a restart.
type incrState struct {
	Tables     []string          `json:"tables"`               // remaining, current first
	Conditions map[string]string `json:"conditions,omitempty"` // table -> additional condition
	LastKey    []string          `json:"last_key,omitempty"`   // of the current table, as SQL literals
}

func (i *incremental) active() bool { return i != nil && len(i.state.Tables) > 0 }

func (i *incremental) encode() string {
	if !i.active() {
		return ""
	}
	b, _ := json.Marshal(i.state)
	return string(b)
}

func (s *Streamer) isSignalTable(tm *replication.TableMapEvent) bool {
	if s.cfg.SignalTable == "" {
		return false
	}
	db, t, _ := strings.Cut(s.cfg.SignalTable, ".")
	return string(tm.Schema) == db && string(tm.Table) == t
}

// signalRows handles rows written to the signal table.
func (s *Streamer) signalRows(st *txnState, h *replication.EventHeader, e *replication.RowsEvent) error {
	op, ok := rowsOp(h.EventType)
	if !ok || op != change.OpCreate {
		return nil
	}
	for _, row := range e.Rows {
		if len(row) < 3 {
			return fault.Definite(fmt.Errorf("signal table %s has %d columns; Debezium's layout is (id, type, data)", s.cfg.SignalTable, len(row)))
		}
		id, typ, data := asString(row[0]), asString(row[1]), asString(row[2])
		switch typ {
		case signalExecuteSnapshot:
			st.signals = append(st.signals, signal{id: id, data: data})
		case signalWindowOpen:
			if s.incr != nil && s.incr.chunkID+"-open" == id {
				s.incr.windowOpen = true
			}
		case signalWindowClose:
			if s.incr != nil && s.incr.chunkID+"-close" == id {
				s.incr.closeSeen = true
			}
		default:
			s.log.Warn("ignoring a signal of a type Sluice does not know", zap.String("id", id), zap.String("type", typ))
		}
	}
	return nil
}

type signal struct{ id, data string }

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// startIncremental queues the tables an execute-snapshot signal names.
func (s *Streamer) startIncremental(sig signal) error {
	var req struct {
		DataCollections      []string `json:"data-collections"`
		Type                 string   `json:"type"`
		AdditionalConditions []struct {
			DataCollection string `json:"data-collection"`
			Filter         string `json:"filter"`
		} `json:"additional-conditions"`
	}
	if err := json.Unmarshal([]byte(sig.data), &req); err != nil {
		s.log.Error("ignoring execute-snapshot signal with unreadable data; expected {\"data-collections\": [\"db.table\"]}",
			zap.String("id", sig.id), zap.String("data", sig.data), zap.Error(err))
		return nil
	}
	if t := strings.ToLower(req.Type); t != "" && t != "incremental" {
		s.log.Error("ignoring execute-snapshot signal: only type \"incremental\" is supported", zap.String("id", sig.id), zap.String("type", req.Type))
		return nil
	}
	if s.incr == nil {
		s.incr = &incremental{s: s}
	}
	if s.incr.state.Conditions == nil {
		s.incr.state.Conditions = map[string]string{}
	}
	for _, c := range req.AdditionalConditions {
		s.incr.state.Conditions[c.DataCollection] = c.Filter
	}
	for _, t := range req.DataCollections {
		db, tbl, ok := strings.Cut(t, ".")
		if !ok || !s.cfg.Filter.TableIncluded(db, tbl) {
			s.log.Warn("execute-snapshot names a table that is not captured; skipping it", zap.String("table", t))
			continue
		}
		s.incr.state.Tables = append(s.incr.state.Tables, t)
	}
	s.log.Info("on-demand snapshot requested", zap.String("signal", sig.id), zap.Strings("tables", req.DataCollections))
	return nil
}

// atCommit runs at each transaction end on the streaming goroutine: it
// emits a chunk whose close row has been read, acts on new signals, and
// starts the next chunk when none is in flight.
func (s *Streamer) incrementalAtCommit(ctx context.Context, st *txnState, batch []change.Event) ([]change.Event, error) {
	for _, sig := range st.signals {
		if err := s.startIncremental(sig); err != nil {
			return batch, err
		}
	}
	st.signals = st.signals[:0]
	i := s.incr
	if !i.active() {
		return batch, nil
	}
	if i.closeSeen {
		batch = i.emitChunk(batch)
	}
	if i.chunkID == "" {
		if err := i.nextChunk(ctx); err != nil {
			return batch, err
		}
	}
	return batch, nil
}

// dedupe removes a streamed row's key from the chunk in flight.
func (i *incremental) dedupe(tbl *change.Table, row []any) {
	if i == nil || !i.windowOpen || i.closeSeen || i.table == nil || row == nil ||
		tbl.Database != i.table.Database || tbl.Name != i.table.Name {
		return
	}
	if k, err := keyString(tbl, row); err == nil {
		delete(i.rows, k)
	}
}

// keyString is a row's primary key as converted Connect values, the same
// for a streamed row and a selected one.
func keyString(t *change.Table, row []any) (string, error) {
	var sb strings.Builder
	for n, k := range t.Key {
		v := row[k]
		if c := t.Columns[k].Convert; c != nil {
			cv, err := c(v)
			if err != nil {
				return "", err
			}
			v = cv
		}
		if n > 0 {
			sb.WriteByte(0)
		}
		if b, ok := v.([]byte); ok {
			sb.Write(b)
		} else {
			fmt.Fprint(&sb, v)
		}
	}
	return sb.String(), nil
}

func (i *incremental) emitChunk(batch []change.Event) []change.Event {
	now := time.Now().UnixMilli()
	n := 0
	for _, k := range i.order {
		row, ok := i.rows[k]
		if !ok {
			continue // changed during the window: the streamed event stands
		}
		src := i.s.snapshotter().sourceValue(i.table, "incremental", now)
		batch = append(batch, change.Event{Op: change.OpRead, Table: i.table, After: row, TsMs: now, Source: src})
		n++
	}
	i.tableRows += int64(len(i.order))
	i.s.log.Debug("on-demand snapshot chunk emitted", zap.String("table", i.state.Tables[0]), zap.Int("rows", n),
		zap.Int("changed_during_window", len(i.order)-n))
	i.state.LastKey = literals(i.lastKey, i.table, i.defs)
	i.chunkID, i.rows, i.order, i.windowOpen, i.closeSeen = "", nil, nil, false, false
	return batch
}

// nextChunk writes the open watermark, selects the next chunk of the
// current table and writes the close watermark. A table with no rows left
// is finished and the next one starts.
func (i *incremental) nextChunk(ctx context.Context) error {
	for len(i.state.Tables) > 0 {
		name := i.state.Tables[0]
		if i.table == nil || i.table.Database+"."+i.table.Name != name {
			if err := i.prepare(ctx, name); err != nil {
				return err
			}
			if i.table == nil {
				i.finishTable(name, "has no primary key")
				continue
			}
		}
		n, err := i.readChunk(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		i.finishTable(name, "")
	}
	return nil
}

func (i *incremental) finishTable(name, why string) {
	if why != "" {
		i.s.log.Warn("on-demand snapshot skips a table", zap.String("table", name), zap.String("reason", why))
	} else {
		i.s.log.Info("on-demand snapshot of table finished", zap.String("table", name), zap.Int64("rows", i.tableRows),
			zap.Duration("elapsed", time.Since(i.started).Round(time.Millisecond)))
	}
	i.state.Tables = i.state.Tables[1:]
	delete(i.state.Conditions, name)
	i.state.LastKey, i.table, i.tableRows, i.chunkID = nil, nil, 0, ""
	if len(i.state.Tables) == 0 {
		i.s.log.Info("on-demand snapshot finished")
	}
}

func (i *incremental) prepare(ctx context.Context, name string) error {
	db, tbl, _ := strings.Cut(name, ".")
	info, err := i.s.cat.Table(ctx, db, tbl)
	if err != nil {
		return fmt.Errorf("on-demand snapshot of %s: %w", name, err)
	}
	if len(info.Key) == 0 {
		i.table = nil
		return nil
	}
	t, err := i.s.tables.assemble(db, tbl, info.Columns, info.Key)
	if err != nil {
		return fault.Definite(err)
	}
	i.table, i.defs, i.started, i.tableRows = t, info.Columns, time.Now(), 0
	i.s.log.Info("on-demand snapshot of table starting", zap.String("table", name))
	return nil
}

func (i *incremental) connect(ctx context.Context) (*client.Conn, error) {
	if i.conn != nil {
		return i.conn, nil
	}
	conn, err := i.s.snapshotter().connect(ctx)
	if err != nil {
		return nil, err
	}
	i.conn = conn
	return conn, nil
}

func (i *incremental) close() {
	if i != nil && i.conn != nil {
		i.conn.Close()
		i.conn = nil
	}
}

func (i *incremental) readChunk(ctx context.Context) (int, error) {
	conn, err := i.connect(ctx)
	if err != nil {
		return 0, err
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	chunkID := hex.EncodeToString(id)
	signalTable := quoteQualified(i.s.cfg.SignalTable)
	write := func(suffix, typ string) error {
		q := fmt.Sprintf("INSERT INTO %s VALUES ('%s-%s', '%s', NULL)", signalTable, chunkID, suffix, typ)
		if _, err := conn.Execute(q); err != nil {
			i.close()
			return fmt.Errorf("writing the %s watermark to the signal table %s (the connector user needs INSERT on it): %w", suffix, i.s.cfg.SignalTable, err)
		}
		return nil
	}
	if err := write("open", signalWindowOpen); err != nil {
		return 0, err
	}
	keyCols := make([]string, len(i.table.Key))
	for n, k := range i.table.Key {
		keyCols[n] = quoteIdent(i.defs[k].Name)
	}
	cols := make([]string, len(i.defs))
	for n, d := range i.defs {
		cols[n] = quoteIdent(d.Name)
	}
	name := i.state.Tables[0]
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + quoteQualified(name)
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
	q += " ORDER BY " + strings.Join(keyCols, ", ") + " LIMIT " + strconv.Itoa(i.s.chunkSize())
	rows := map[string][]any{}
	var order []string
	var last []any
	var result gmysql.Result
	err = conn.ExecuteSelectStreaming(q, &result, func(r []gmysql.FieldValue) error {
		vals := make([]any, len(r))
		for n := range r {
			v, err := snapshotValue(i.defs[n], &r[n])
			if err != nil {
				return fmt.Errorf("reading a row of %s: %w", name, err)
			}
			vals[n] = v
		}
		k, err := keyString(i.table, vals)
		if err != nil {
			return err
		}
		rows[k] = vals
		order = append(order, k)
		last = vals
		return nil
	}, nil)
	if err != nil {
		i.close()
		return 0, fmt.Errorf("on-demand snapshot of %s: reading a chunk (%s): %w", name, q, err)
	}
	if len(order) == 0 {
		return 0, nil
	}
	if err := write("close", signalWindowClose); err != nil {
		return 0, err
	}
	i.chunkID, i.rows, i.order, i.lastKey = chunkID, rows, order, last
	return len(order), nil
}

// literals renders a row's key values as SQL literals for the next chunk's
// WHERE clause.
func literals(row []any, t *change.Table, defs []mysqltypes.ColumnDef) []string {
	out := make([]string, len(t.Key))
	for n, k := range t.Key {
		switch v := row[k].(type) {
		case int64:
			out[n] = strconv.FormatInt(v, 10)
		case uint64:
			out[n] = strconv.FormatUint(v, 10)
		case float64:
			out[n] = strconv.FormatFloat(v, 'g', -1, 64)
		case time.Time:
			out[n] = "'" + v.Format("2006-01-02 15:04:05.999999") + "'"
		case []byte:
			out[n] = "X'" + hex.EncodeToString(v) + "'"
		default:
			out[n] = "'" + gmysql.Escape(fmt.Sprint(v)) + "'"
		}
	}
	return out
}

func quoteQualified(name string) string {
	db, t, _ := strings.Cut(name, ".")
	return quoteIdent(db) + "." + quoteIdent(t)
}

func (s *Streamer) chunkSize() int {
	if s.cfg.IncrementalChunk > 0 {
		return s.cfg.IncrementalChunk
	}
	return 1024
}
