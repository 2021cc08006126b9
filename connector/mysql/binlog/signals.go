package binlog

import (
	"fmt"
	"strings"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// The signal table (signal.data.collection) is read from the binlog; what
// its rows ask for is the on-demand snapshot's business.

// isSignalTable reports whether a TABLE_MAP is the signal table's.
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
	if !ok || op != change.OpCreate && op != change.OpDelete {
		return nil
	}
	s.incr.SignalAt(server.EventAt{ServerID: h.ServerID, GTID: st.gtid, File: st.file, Pos: int64(h.LogPos) - int64(h.EventSize)})
	for _, row := range e.Rows {
		if len(row) < 3 {
			return fault.Definite(fmt.Errorf("signal table %s has %d columns; Debezium's layout is (id, type, data)", s.cfg.SignalTable, len(row)))
		}
		if op == change.OpDelete {
			s.incr.SignalDeleted(asString(row[0]), asString(row[1]))
			continue
		}
		s.incr.Signal(asString(row[0]), asString(row[1]), asString(row[2]))
	}
	return nil
}

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
