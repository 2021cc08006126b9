package binlog

import (
	"strconv"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/change"
)

// txBegin enqueues the start of the transaction just opened, for
// provide.transaction.metadata, where Debezium's binlog reader starts one:
// at MariaDB's GTID event (the MariaDB class, every transaction and DDL
// alike) and at a BEGIN query (MySQL). Its id is the GTID, or, without
// one, Debezium's "file=<binlog>,pos=<start of the transaction>".
// Debezium's MySQL class on MariaDB sees neither (MariaDB starts its
// transactions with GTID events, which that class does not handle), so it
// writes no transaction metadata at all there, checked side by side.
func (s *Streamer) txBegin(st *txnState, h *replication.EventHeader, batch []change.Event) []change.Event {
	if !s.cfg.TxMetadata || s.cfg.PrivateGTIDs() {
		return batch
	}
	id := st.gtid
	if id == "" {
		start := uint64(h.LogPos) - uint64(h.EventSize)
		id = "file=" + st.file + ",pos=" + strconv.FormatUint(start, 10)
	}
	if id == st.begun {
		return batch // read again after a reconnect: begun already
	}
	st.begun = id
	return append(batch, change.Event{Kind: change.KindBegin, TxID: id, TsMs: int64(h.Timestamp) * 1000})
}

// txEnd marks a commit marker as the end of its transaction (an XID event
// or a COMMIT query, where Debezium's END comes from; a DDL's commit is
// none).
func txEnd(st *txnState, ev change.Event) change.Event {
	st.begun = ""
	ev.TxEnd = true
	return ev
}

// heartbeatTick enqueues the last commit's position again on a server
// heartbeat between transactions, when heartbeat records are asked for:
// the poller writes one when due. The position does not move, so nothing
// can be skipped by it.
func (s *Streamer) heartbeatTick(st *txnState, batch []change.Event) []change.Event {
	if !s.cfg.HeartbeatTicks || st.inTxn || st.lastCommit == nil {
		return batch
	}
	return append(batch, change.Event{Kind: change.KindCommit, Position: st.lastCommit})
}
