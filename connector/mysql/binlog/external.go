package binlog

import (
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/signals"
)

// Signals of the external channels (Kafka, file) are acted on where the
// signal table's rows are: at a transaction end, between transactions.
// On an idle server a heartbeat between transactions serves as one, at
// the last commit's position (or the stream's start, before any).

// SetSignals makes the stream act on the signals in (nil: none).
func (s *Streamer) SetSignals(in *signals.Inbox) { s.external = in }

// takeExternal hands the waiting external signals to the on-demand
// snapshots, which act on them at this transaction end.
func (s *Streamer) takeExternal() {
	for _, sig := range s.external.Take() {
		s.incr.Signal(sig.ID, sig.Type, sig.Data)
	}
}

// externalTick makes a server heartbeat between transactions a transaction
// end (a commit at the last commit's position, which moves nothing) when
// external signals wait and no such end is in the batch already.
func (s *Streamer) externalTick(st *txnState, batch []change.Event) []change.Event {
	at := st.lastCommit
	if at == nil {
		at = st.startAt // no transaction read yet
	}
	if !s.external.Pending() || st.inTxn || at == nil {
		return batch
	}
	if n := len(batch); n > 0 && batch[n-1].Kind == change.KindCommit {
		return batch
	}
	return append(batch, change.Event{Kind: change.KindCommit, Position: at})
}
