package change

// Observer is told what a source does that an operator watches as metrics
// (Debezium's Connected, TotalTableCount, RemainingTableCount,
// RowsScanned): whether its stream is connected, and its snapshot's tables
// as they are read. Calls come from the source's goroutines, a few per
// connection or chunk, never per row; implementations must be safe for
// concurrent use.
type Observer interface {
	// Connected reports the stream's connection to the source opened
	// (true) or lost or closed (false).
	Connected(up bool)
	// SnapshotTables reports a snapshot of the tables' rows starting (or
	// resuming): how many tables it has, and how many of them are read
	// already.
	SnapshotTables(total, done int)
	// SnapshotTableRows reports the rows read so far of a table of the
	// snapshot, and whether that table is read whole.
	SnapshotTableRows(table string, rows int64, finished bool)
}

// NopObserver observes nothing: a source's Observer until one is set.
type NopObserver struct{}

func (NopObserver) Connected(bool)                        {}
func (NopObserver) SnapshotTables(int, int)               {}
func (NopObserver) SnapshotTableRows(string, int64, bool) {}
