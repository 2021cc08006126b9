package binlog

import (
	"context"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/offsets"
)

// incrAtCommit does the on-demand snapshot's work at the transaction end
// that closes batch: its rows go before the commit marker, its progress
// into the marker. While it can write more at once (a read-only chunk
// whose watermark the stream already holds), the batch is handed over and
// the work runs again at the same end, so that an idle server does not
// hold it up and no batch holds more than a chunk.
func (s *Streamer) incrAtCommit(ctx context.Context, st *txnState, batch []change.Event, handOver func([]change.Event) error) ([]change.Event, error) {
	marker := batch[len(batch)-1]
	at := marker.Position.(offsets.MySQL)
	where := server.StreamAt{GTIDs: at.GTIDs, Commit: st.commitAt}
	rows := batch[:len(batch)-1]
	for {
		out, err := s.incr.AtCommit(ctx, rows, where)
		pos := at
		pos.SluiceIncremental = s.incr.Progress()
		m := marker
		m.Position = pos
		batch = append(out, m)
		if err != nil {
			// The stream's state is past this transaction: its marker goes
			// back, with the snapshot's progress, so that the hand-over on
			// the way out keeps both.
			return batch, err
		}
		if st.inTxn || !s.incr.More(where) {
			// (Inside a transaction, at a mid-transaction offset, the next
			// chunk waits for a transaction's end.)
			return batch, nil
		}
		if err := handOver(batch); err != nil {
			return batch, err
		}
		// The same end again, without its transaction's END record.
		marker.TxEnd = false
		rows = batch[:0]
	}
}
