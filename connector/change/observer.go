package change

// Observer is told what a source does that an operator watches as metrics
// (Debezium's Connected, TotalTableCount, RemainingTableCount,
// RowsScanned, SnapshotRunning, SnapshotPaused): whether its stream is
// connected, its snapshot's tables as they are read, and the snapshots it
// takes inside its stream. Calls come from the source's goroutines, a few per
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
	// SnapshotStarted and SnapshotEnded report a snapshot the source takes
	// inside its stream (an incremental one, asked for by a signal)
	// starting or resuming after a restart, and ending: completed, or
	// stopped by a signal. The snapshot the task takes at start is the
	// coordinator's to report.
	SnapshotStarted()
	SnapshotEnded(completed bool)
	// SnapshotPaused reports such a snapshot paused (true) or resumed.
	SnapshotPaused(paused bool)
}

// NopObserver observes nothing: a source's Observer until one is set.
type NopObserver struct{}

func (NopObserver) Connected(bool)                        {}
func (NopObserver) SnapshotTables(int, int)               {}
func (NopObserver) SnapshotTableRows(string, int64, bool) {}
func (NopObserver) SnapshotStarted()                      {}
func (NopObserver) SnapshotEnded(bool)                    {}
func (NopObserver) SnapshotPaused(bool)                   {}
