package vtbinlog

import (
	"fmt"
	"strings"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/internal/fault"
)

// resumeFilter resumes a MariaDB tablet's binlog on the client side. The
// dump through VTGate can only start from an empty GTID set there (see
// dumper.Dump), that is at the tablet's oldest binlog, so the filter drops
// every transaction the stored set holds. The oldest binlog's Gtid_list
// event says what came before it: a stored set behind it means changes
// were purged in between, which no re-read can bring back.
type resumeFilter struct {
	have     *gmysql.MariadbGTIDSet
	checked  bool // the first Gtid_list (the oldest binlog's) was compared
	skipping bool // inside a transaction the set holds
	single   bool // that transaction is one statement (a standalone GTID event, DDL)
}

func newResumeFilter(have *gmysql.MariadbGTIDSet) *resumeFilter {
	return &resumeFilter{have: have}
}

// holds reports whether the stored set contains the transaction.
func (f *resumeFilter) holds(domain, seq uint64) bool {
	g, ok := f.have.Sets[uint32(domain)]
	return ok && g.SequenceNumber >= seq
}

// keep decides about one event of the dump, in order.
func (f *resumeFilter) keep(ev *replication.BinlogEvent) (bool, error) {
	switch e := ev.Event.(type) {
	case *replication.MariadbGTIDListEvent:
		if f.checked {
			return true, nil
		}
		f.checked = true
		var missing []string
		for _, g := range e.GTIDs {
			if !f.holds(uint64(g.DomainID), g.SequenceNumber) {
				missing = append(missing, g.String())
			}
		}
		if len(missing) > 0 {
			return false, fault.Definite(fmt.Errorf("%w: the tablet's oldest binlog starts after %s, and the stored GTID set %s does not reach it (the binlogs in between were purged); delete the connector's offset to read the tablet's binlogs from the oldest again",
				fault.ErrPositionUnavailable, strings.Join(missing, ","), f.have))
		}
		return true, nil
	case *replication.MariadbGTIDEvent:
		f.skipping = f.holds(uint64(e.GTID.DomainID), e.GTID.SequenceNumber)
		f.single = e.IsStandalone()
		return !f.skipping, nil
	}
	if !f.skipping {
		return true, nil
	}
	switch e := ev.Event.(type) {
	case *replication.XIDEvent:
		f.skipping = false
		return false, nil
	case *replication.QueryEvent:
		if f.single || strings.EqualFold(strings.TrimSpace(string(e.Query)), "COMMIT") {
			f.skipping = false
		}
		return false, nil
	case *replication.TableMapEvent, *replication.RowsEvent, *replication.MariadbAnnotateRowsEvent,
		*replication.IntVarEvent, *replication.GenericEvent:
		return false, nil
	}
	// Rotations, format descriptions, checkpoints: the stream's own
	// bookkeeping, inside a skipped transaction or not.
	return true, nil
}
