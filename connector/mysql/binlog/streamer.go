// Package binlog reads the binlog of a MySQL or MariaDB server: the stream
// loop and its transaction state, TABLE_MAP resolution (the table tracker
// that keeps every row decoded with the structure it was written under),
// MySQL's binary JSON, and the schema change events and schema history
// replay that follow binlog positions. Snapshots reach the stream through
// two interfaces it calls, SnapshotFilter and Incremental, which package
// snapshot implements.
package binlog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/ddl"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/connector/signals"
	"github.com/sluice-cdc/sluice/internal/box"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// Streamer reads row changes from the binlog, from a stored position on.
// It is the streaming half of the MySQL source; snapshots are a separate type.
type Streamer struct {
	srv    *server.Server
	cfg    *server.Config // srv's settings
	log    *zap.Logger
	source *change.Schema
	tables *tableTracker
	cat    *server.Catalog
	// schemaChangeRecords builds schema change records; see schemaChanges.
	schemaChangeRecords *schemaChanges
	incr                Incremental    // on-demand snapshots; streaming goroutine only
	blocker             Blocker        // blocking snapshots (nil: none); streaming goroutine only
	external            *signals.Inbox // signals of the Kafka and file channels (nil: none)
	src                 srcCache       // streaming goroutine only
	// positions boxes the commit markers' positions, many to an array:
	// one 160-byte allocation a transaction was 4% of the CPU of one-row
	// transactions. Streaming goroutine only.
	positions *box.Arena[offsets.MySQL]
	// texts and strs hold each transaction's GTID text and its box for
	// source.gtid, many to an array (two allocations a transaction).
	// Streaming goroutine only.
	texts box.Text
	strs  *box.Arena[string]
	// model is every table's structure at the position being read
	// (schemahistory.go); nil without a schema history.
	model *ddl.Model
	// pending are history records stored past the resume position.
	pending map[string]bool
	// seedEvents are the schema change events of the structure a new
	// connector starts from, enqueued before anything else.
	seedEvents []change.Event
	// dumper, when set, opens the binlog dumps instead of go-mysql's
	// syncer (dumper.go).
	dumper Dumper
	// replicaID is the id the dumps register with: cfg.ServerID, or
	// another random one once a replica took a random id (replicaids.go).
	// Streaming goroutine only.
	replicaID uint32
}

// NewStreamer prepares a streamer of srv that runs incr's on-demand
// snapshots (nil: none); nothing connects until Stream.
func NewStreamer(srv *server.Server, incr Incremental) *Streamer {
	if incr == nil {
		incr = noIncremental{}
	}
	s := &Streamer{srv: srv, cfg: &srv.Config, log: srv.Log, source: srv.Source, cat: srv.Catalog, incr: incr,
		positions: box.NewArena[offsets.MySQL](64), texts: box.Text{Chunk: 4 << 10}, strs: box.NewArena[string](256)}
	s.tables = newTables(srv, s.log)
	s.replicaID = srv.Config.ServerID
	return s
}

// currentPosition is the server's position now: where streaming starts when
// there is no stored offset.
func (s *Streamer) currentPosition(ctx context.Context) (offsets.MySQL, error) {
	conn, err := s.cfg.Connect(ctx)
	if err != nil {
		return offsets.MySQL{}, err
	}
	defer conn.Close()
	return s.positionOn(conn)
}

// SnapshotFilter drops streamed changes that the chunks of the initial
// snapshot already hold, until the stream has passed every chunk's
// position (package snapshot's SkipFilter). The stream calls it on its
// own goroutine.
type SnapshotFilter interface {
	// Passed reports whether the stream's completed GTID set contains
	// every chunk's: the filter can go.
	Passed(gset gmysql.GTIDSet) bool
	// Keep decides about one row change of transaction gtid: the event to
	// emit (possibly one half of a key change) and whether to emit it.
	Keep(gtid string, ev change.Event) (change.Event, bool, error)
	// Encoded is the snapshot progress the offset keeps while the filter
	// lives.
	Encoded() string
	// Truncated tells it of a truncate event the stream writes for
	// db.table.
	Truncated(db, table string)
	// Renamed reports whether db.table, which a RENAME the stream read
	// took away, vanished from the snapshot before it was read whole.
	Renamed(db, table string) bool
}

// Incremental is an on-demand snapshot that runs inside the stream
// (package snapshot's Incremental): the stream hands it the signal table's
// rows and every streamed row, and lets it add its rows at transaction
// ends, before the commit marker that carries its Progress. All calls come
// from the streaming goroutine.
type Incremental interface {
	SignalReader
	ChunkWindow
	// Continue resumes its work as the stream (re)connects.
	Continue(ctx context.Context, streamed string) error
	// Progress is what the offset keeps of it.
	Progress() string
	// SnapshotRenamed asks for a snapshot of to ("db.table"), which from
	// was renamed to before the initial snapshot read it whole.
	SnapshotRenamed(from, to string)
	// TableRenamed tells it of a RENAME of from to to ("db.table") after
	// which from names no table: an on-demand snapshot follows it.
	TableRenamed(from, to string)
	// TableDropped tells it of a DROP of name ("db.table") the stream
	// read: no RENAME will explain a table its snapshot skips as gone.
	TableDropped(name string)
	// Close releases its connection.
	Close()
}

// SignalReader is what the stream hands over of the signal table.
type SignalReader interface {
	// SignalAt tells it where the signal table's rows that follow stand.
	SignalAt(at server.EventAt)
	// Signal handles one row written to the signal table.
	Signal(id, typ, data string)
	// SignalDeleted handles one row deleted from the signal table (the
	// insert_delete watermarking strategy closes a window so).
	SignalDeleted(id, typ string)
}

// ChunkWindow is the chunk in flight: the streamed rows that overtake it,
// and its rows written at transaction ends.
type ChunkWindow interface {
	// Dedupe tells it of a streamed row of transaction gtid ("" without
	// one), which is newer than any copy of the row the snapshot holds.
	Dedupe(t *change.Table, row []any, gtid string)
	// Due reports whether it has work at the end of this transaction.
	Due() bool
	// AtCommit appends its rows for this transaction end to batch; at is
	// where the stream stands there.
	AtCommit(ctx context.Context, batch []change.Event, at server.StreamAt) ([]change.Event, error)
	// More reports whether it has more to write at the same end (at).
	More(at server.StreamAt) bool
	// TableChanged tells it of a DDL that altered, truncated, dropped or
	// renamed db.table.
	TableChanged(db, table string)
}

// noIncremental is the stream without on-demand snapshots.
type noIncremental struct{}

func (noIncremental) SignalAt(server.EventAt)             {}
func (noIncremental) Signal(id, typ, data string)         {}
func (noIncremental) SignalDeleted(id, typ string)        {}
func (noIncremental) Dedupe(*change.Table, []any, string) {}
func (noIncremental) Due() bool                           { return false }
func (noIncremental) More(server.StreamAt) bool           { return false }
func (noIncremental) AtCommit(_ context.Context, batch []change.Event, _ server.StreamAt) ([]change.Event, error) {
	return batch, nil
}
func (noIncremental) Continue(context.Context, string) error { return nil }
func (noIncremental) TableChanged(string, string)            {}
func (noIncremental) Progress() string                       { return "" }
func (noIncremental) SnapshotRenamed(string, string)         {}
func (noIncremental) TableRenamed(string, string)            {}
func (noIncremental) TableDropped(string)                    {}
func (noIncremental) Close()                                 {}

// txnState is where the reader stands in the binlog.
type txnState struct {
	file    string
	gset    gmysql.GTIDSet // completed transactions
	nextPos uint64         // position after the last complete transaction
	gtid    string         // of the open transaction
	// lastGTID and lastQuery are the last committed transaction's (a
	// blocking snapshot's rows carry them in their source block, as
	// Debezium's do).
	lastGTID, lastQuery string
	// mgtid is the MariaDB GTID event that set gtid to mgtidText: commit
	// adds it to gset as it is, without formatting and parsing its text.
	mgtid     gmysql.MariadbGTID
	mgtidText string
	// txnStart is where the open transaction's MariaDB GTID event starts:
	// Debezium's MariaDB connector records a DDL's history at that
	// position (see ddlPosition).
	txnStart uint64
	inTxn    bool
	thread   int64
	rows     int64 // rows emitted in the open transaction
	skipRows int64 // rows already emitted before a reconnect
	// handedRows and handedSkipped are rows and resumeSkipped when the
	// last batch was handed over: a reconnect skips only what went out.
	// After an error inside a transaction the batch's open part is
	// dropped (readEvents' deferred hand-over), and skipping by rows
	// would then skip rows that never reached the queue.
	handedRows, handedSkipped int64
	// resumeEvents and resumeRows are Debezium's "event" and "row" from
	// the stored offset: the connector stopped inside the transaction at
	// the stored position, having written the rows of its first
	// resumeEvents events and the first resumeRows rows of the next one.
	// Debezium skips those on restart instead of writing them again, and so
	// does the first transaction read here; both are zero once it commits.
	// Debezium counts a transaction's events from its start as 1, then
	// every TABLE_MAP and rows event: evIdx. The start is MariaDB's GTID
	// event (checked against Debezium 3.5's offsets by the switch-over test
	// in internal/sidebyside); for MySQL, BEGIN by the same rule, unchecked.
	resumeEvents, resumeRows int64
	evIdx                    int64
	resumeSkipped            int64 // rows of this transaction skipped for resumeEvents/resumeRows
	// filter drops changes that snapshot chunks already contain; nil once
	// the stream has passed them all.
	filter SnapshotFilter
	// byFile keeps the stream on file and position, not GTIDs, until the
	// transaction it resumed inside of commits (offsets.MySQL.MidTxn).
	byFile bool
	// stmtEnd is set when the last event read ended a statement (a rows
	// event with STMT_END_F): where Debezium's MySQL class on MariaDB can
	// resume inside a transaction.
	stmtEnd bool
	// query is the statement behind the rows being read (include.query),
	// until the transaction ends.
	query string
	// begun is the transaction whose start was enqueued (KindBegin) and
	// has not ended: a reconnect that reads its start again does not
	// begin it twice.
	begun string
	// lastCommit is the position of the last commit marker: a server
	// heartbeat between transactions enqueues it again (heartbeatTick).
	lastCommit change.Position
	// startAt is where the stream started, when that is a transaction
	// boundary: external signals act there before any transaction is read.
	startAt change.Position
	// commitAt is the last transaction's commit event, where a read-only
	// on-demand snapshot's chunk written at its end stands.
	commitAt server.EventAt
	// midStatement is set while the events read so far end inside a
	// statement; a stop waits for it to clear (see readContext).
	midStatement atomic.Bool
}

// Stream reads from the position on and enqueues row events and commit
// markers until ctx is done (then it returns nil) or a definite error.
// Transient failures (lost connection, server restart) reconnect with
// backoff; rows of a transaction already enqueued before the connection
// broke are not enqueued twice.
func (s *Streamer) Stream(ctx context.Context, from offsets.MySQL, filter SnapshotFilter, out change.Enqueuer) error {
	defer s.cat.Close()
	defer s.incr.Close()
	st := &txnState{file: from.File, nextPos: from.Pos, filter: filter, resumeEvents: from.Event, resumeRows: from.Row}
	if fileResume(s.cfg, from) {
		s.log.Info("reading the binlog by file and position, as Debezium's MySQL connector class does on MariaDB",
			zap.String("file", from.File), zap.Uint64("pos", from.Pos), zap.Bool("inside_transaction", from.MidTxn))
		var err error
		if st, err = s.fileResumeState(ctx, from, filter); err != nil {
			return err
		}
	} else if from.GTIDs != "" || s.cfg.Proto() == "mariadb" {
		gs, err := gmysql.ParseGTIDSet(s.cfg.Proto(), from.GTIDs)
		if err != nil {
			return fault.Definite(fmt.Errorf("stored offset has GTID set %q that is not a valid %s GTID set: %w", from.GTIDs, s.cfg.Proto(), err))
		}
		st.gset = gs
	}
	if from.Event == 0 && from.Row == 0 && !from.MidTxn && (from.File != "" || from.GTIDs != "") {
		st.startAt = from
	}
	replicaIDs.hold(s.cfg.Addr(), s.replicaID)
	defer func() { replicaIDs.release(s.cfg.Addr(), s.replicaID) }()
	first, most := time.Second, 30*time.Second
	if s.cfg.RetryWait > 0 {
		first, most = s.cfg.RetryWait, s.cfg.RetryWait
	}
	backoff := first
	for attempt := 1; ; attempt++ {
		progressed, err := s.streamOnce(ctx, st, out)
		if ctx.Err() != nil {
			return nil
		}
		if fault.IsDefinite(err) {
			return err
		}
		if progressed {
			attempt, backoff = 1, first
		}
		if s.cfg.FailAfter > 0 && attempt >= s.cfg.FailAfter {
			return fault.RetriesUsedUp(err, attempt, s.cfg.FailAfter-1)
		}
		s.log.Warn("binlog stream interrupted; reconnecting", zap.Error(err), zap.Int("attempt", attempt),
			zap.Duration("backoff", backoff), zap.String("server", s.cfg.Addr()))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, most)
		st.prepareReread()
	}
}

// prepareReread sets up a reconnect: the open transaction is read again
// from its start, skipping the rows already handed over. The resume skip
// applies again by event count, so only the rows written since count here.
func (st *txnState) prepareReread() {
	if st.inTxn {
		st.skipRows = st.handedRows - st.handedSkipped
	}
	st.inTxn, st.rows, st.gtid, st.resumeSkipped = false, 0, "", 0
	st.handedRows, st.handedSkipped = 0, 0
}

// syncerConfig is go-mysql's BinlogSyncer set up as the stream's own
// dumps are (direct.go), for the reads that still use it (locateRowsEvent).
func (s *Streamer) syncerConfig() replication.BinlogSyncerConfig {
	heartbeat, readTimeout := s.readTimeouts()
	return replication.BinlogSyncerConfig{
		ServerID: s.replicaID, Flavor: s.cfg.Proto(),
		Host: s.cfg.Host, Port: s.cfg.Port, User: s.cfg.User, Password: s.cfg.Password,
		ParseTime:        true,
		HeartbeatPeriod:  heartbeat,
		ReadTimeout:      readTimeout,
		DisableRetrySync: true, // Sluice reconnects itself, from a transaction boundary
		// Sluice keeps its own GTID set: go-mysql's copy of it for every
		// XID and query event is unused.
		DiscardGTIDSet: true,
		// Read deadlines re-armed once a second, not before every packet.
		Dialer: coarseDialer(min(time.Second, readTimeout/10)),
		// A small event cache keeps memory bounded; the queue does the
		// buffering. Each cached event is decoded (a rows event of ~8 KB
		// holds a hundred rows), so 1,024 of them held 40 MB and more.
		EventCacheCount: 64,
		Logger:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		Localhost:       "sluice-" + s.cfg.ConnectorName,
		// MySQL JSON values stay binary until converted (jsoncols.go).
		RowsEventDecodeFunc: (&rowsDecoder{mu: &s.tables.tmMu}).decode,
		DumpCommandFlag:     s.dumpFlags(),
	}
}

// eventSource is an open dump: the stream's own (direct.go) or a Dumper's reader.
type eventSource interface {
	GetEvent(ctx context.Context) (*replication.BinlogEvent, error)
}

// buffered reports whether src already holds input it has not returned
// (the stream's own dump does; other sources say nothing).
func buffered(src eventSource) bool {
	b, ok := src.(interface{ Buffered() int })
	return ok && b.Buffered() > 0
}

// dump opens a dump through the Dumper: by GTID only.
func (s *Streamer) dump(ctx context.Context, st *txnState) (eventSource, func(), error) {
	if st.gset == nil && st.file == "" {
		// Nothing stored: from the oldest binlog, an empty GTID set.
		gs, err := gmysql.ParseGTIDSet(s.cfg.Proto(), "")
		if err != nil {
			return nil, nil, fault.Definite(fmt.Errorf("an empty %s GTID set: %w", s.cfg.Proto(), err))
		}
		st.gset = gs
	}
	if st.gset == nil || st.byFile {
		return nil, nil, fault.Definite(fmt.Errorf("reading the binlog of %s: it can only be read by GTID, and the stored offset has a file position only (%s:%d); delete the offset to start from an empty GTID set", s.cfg.Addr(), st.file, st.nextPos))
	}
	s.log.Info("binlog streaming from GTID set", zap.String("gtids", st.gset.String()))
	r, err := s.dumper.Dump(ctx, st.gset.Clone(), s.NewParser())
	if err != nil {
		return nil, nil, err
	}
	return r, r.Close, nil
}

func (s *Streamer) streamOnce(ctx context.Context, st *txnState, out change.Enqueuer) (progressed bool, err error) {
	open := s.directDump
	if s.dumper != nil {
		open = s.dump
	}
	bs, closeDump, err := open(ctx, st)
	if err != nil {
		return false, err
	}
	defer closeDump()
	s.srv.Observer.Connected(true)
	defer s.srv.Observer.Connected(false)
	return s.readEvents(ctx, st, bs, out)
}

// readEvents reads one dump until it fails or ctx ends.
func (s *Streamer) readEvents(ctx context.Context, st *txnState, bs eventSource, out change.Enqueuer) (progressed bool, err error) {
	var streamed string
	if st.gset != nil {
		streamed = st.gset.String()
	}
	if err := s.incr.Continue(ctx, streamed); err != nil {
		return false, err
	}
	readCtx, stopReading := s.readContext(ctx, st)
	defer stopReading()
	if s.blockingDue() && !st.inTxn && st.lastCommit != nil {
		// One that failed before the reconnect: the stream is where it was.
		if err := s.runBlocking(ctx, st, st.lastCommit.(offsets.MySQL), out); err != nil {
			return false, err
		}
	}
	batch := make([]change.Event, 0, 256)
	resolved := map[uint64]resolvedTable{}
	handOver := func(evs []change.Event) error {
		if len(evs) == 0 {
			return nil
		}
		ectx, cancel := enqueueContext(ctx)
		err := out.Enqueue(ectx, evs...)
		cancel()
		if err == nil {
			st.handedRows, st.handedSkipped = st.rows, st.resumeSkipped
		}
		return err
	}
	flush := func() error {
		err := handOver(batch)
		batch = batch[:0]
		return err
	}
	defer func() {
		// An error inside a transaction (a DDL that stops the task, say)
		// can leave whole transactions in the batch that more buffered
		// input held back: hand them over, so that the stop leaves out
		// only what follows the last complete one. The open transaction's
		// part is dropped: a reconnect reads it again (prepareReread).
		if err == nil || ctx.Err() != nil {
			return
		}
		cut := 0
		for i := len(batch) - 1; i >= 0 && cut == 0; i-- {
			if batch[i].Kind == change.KindCommit {
				cut = i + 1
			}
		}
		for _, ev := range batch[cut:] {
			if ev.Kind == change.KindBegin {
				st.begun = "" // not handed over: the re-read begins it
			}
		}
		handed, skipped := st.handedRows, st.handedSkipped
		batch = batch[:cut]
		_ = flush()
		st.handedRows, st.handedSkipped = handed, skipped
	}()
	var last *replication.EventHeader // of the last event read
	for {
		// A cancelled read may still return buffered events: check first,
		// so that a stop at a statement's end stops there.
		ev, err := (*replication.BinlogEvent)(nil), readCtx.Err()
		if err == nil {
			ev, err = bs.GetEvent(readCtx)
		}
		if err != nil {
			if last != nil && st.inTxn && len(batch) > 0 && batch[len(batch)-1].Kind != change.KindCommit && s.midTxnOffsets() && s.midCommitHere(st) {
				// Stopped or cut off inside a transaction: every event read
				// so far is in the batch, so its position covers them and
				// a restart does not write them again.
				batch = append(batch, s.midCommit(st, last))
			}
			if ferr := flush(); ferr != nil && ctx.Err() == nil {
				return progressed, ferr
			}
			err = fmt.Errorf("reading binlog from %s as replica %d: %w", s.cfg.Addr(), s.replicaID, err)
			if s.replaced(err) {
				return progressed, s.moveReplicaID(err)
			}
			return progressed, server.Classify(err)
		}
		h := ev.Header
		last = h
		st.stmtEnd = false
		switch e := ev.Event.(type) {
		case *replication.RotateEvent:
			st.file = string(e.NextLogName)
			if h.Timestamp != 0 || st.nextPos == 0 || !st.inTxn {
				st.nextPos = e.Position
			}
		case *replication.MariadbGTIDEvent:
			st.evIdx = 1
			st.gtid = s.gtidText(&e.GTID)
			st.mgtid, st.mgtidText = e.GTID, st.gtid
			st.txnStart = uint64(h.LogPos) - uint64(h.EventSize)
			st.inTxn = !e.IsStandalone()
			st.thread = -1
			batch = s.txBegin(st, h, batch)
		case *replication.GTIDEvent:
			if err := st.startGTID(e, h); err != nil {
				return progressed, err
			}
		case *replication.GtidTaggedLogEvent:
			if err := st.startGTID(&e.GTIDEvent, h); err != nil {
				return progressed, err
			}
		case *replication.QueryEvent:
			q := strings.TrimSpace(string(e.Query))
			switch {
			case strings.EqualFold(q, "BEGIN"):
				st.evIdx = 1
				st.inTxn = true
				st.thread = int64(e.SlaveProxyID)
				batch = s.txBegin(st, h, batch)
			case strings.EqualFold(q, "COMMIT"):
				batch = append(batch, txEnd(st, s.commit(st, h)))
			default:
				// DDL, or a statement with no effect on tables.
				if batch, err = s.queryEvent(ctx, st, h, e, batch); err != nil {
					return progressed, err
				}
				if !st.inTxn {
					batch = append(batch, s.commit(st, h))
				}
			}
		case *replication.XIDEvent:
			batch = append(batch, txEnd(st, s.commit(st, h)))
		case *replication.HeartbeatEvent:
			batch = s.heartbeatTick(st, batch)
			batch = s.externalTick(st, batch)
		case *replication.MariadbAnnotateRowsEvent:
			s.recordQuery(st, string(e.Query))
		case *replication.RowsQueryEvent:
			s.recordQuery(st, string(e.Query))
		case *replication.TableMapEvent:
			st.evIdx++
			tbl, err := s.tables.Resolve(ctx, e)
			if err != nil {
				return progressed, definiteUnlessNetwork(fmt.Errorf("reading the definition of %s.%s at %s:%d: %w", e.Schema, e.Table, st.file, h.LogPos, err))
			}
			resolved[e.TableID] = resolvedTable{tm: e, table: tbl}
		case *replication.RowsEvent:
			st.evIdx++
			st.stmtEnd = e.Flags&replication.RowsEventStmtEndFlag != 0
			if s.isSignalTable(e.Table) {
				// Acted on, and written like any captured table's rows, as
				// Debezium writes them (the side-by-side test's signal).
				if err := s.signalRows(st, h, e); err != nil {
					return progressed, err
				}
			}
			r, ok := resolved[e.TableID]
			if !ok || r.tm != e.Table {
				// go-mysql attached a TABLE_MAP we did not resolve: resolve it
				// now rather than trust an older mapping of the id.
				tbl, err := s.tables.Resolve(ctx, e.Table)
				if err != nil {
					return progressed, definiteUnlessNetwork(fmt.Errorf("reading the definition of %s.%s at %s:%d: %w", e.Table.Schema, e.Table.Table, st.file, h.LogPos, err))
				}
				r = resolvedTable{tm: e.Table, table: tbl}
				resolved[e.TableID] = r
			}
			if r.table == nil || s.opSkipped(h.EventType) {
				continue
			}
			batch, err = s.rows(st, h, e, r.table, batch)
			if err != nil {
				return progressed, err
			}
		}
		if s.cfg.PrivateGTIDs() {
			_, tableMap := ev.Event.(*replication.TableMapEvent)
			mid := st.inTxn && (tableMap || !st.stmtEnd && isRows(ev.Event))
			st.midStatement.Store(mid)
			if !mid && ctx.Err() != nil {
				stopReading() // stopping, and the statement is done
			}
		}
		if n := len(batch); n > 0 && !st.inTxn && batch[n-1].Kind == change.KindCommit && s.external.Pending() {
			s.takeExternal()
		}
		if n := len(batch); n > 0 && batch[n-1].Kind == change.KindCommit && s.incr.Due() {
			if batch, err = s.incrAtCommit(ctx, st, batch, handOver); err != nil {
				return progressed, err
			}
		}
		if n := len(batch); n > 0 && !st.inTxn && batch[n-1].Kind == change.KindCommit && batch[n-1].Position != nil && s.blockingDue() {
			err := s.blockingAtCommit(ctx, st, batch, handOver, out)
			batch = batch[:0]
			if err != nil {
				return progressed, err
			}
			progressed = true
		}
		if len(batch) >= 256 && st.inTxn && batch[len(batch)-1].Kind != change.KindCommit && s.midTxnOffsets() && s.midCommitHere(st) {
			batch = append(batch, s.midCommit(st, h))
		}
		// A transaction's end is handed over at once, unless more input is
		// already here: then its transactions join it, up to 256 events
		// (with one-row transactions, handing each over cost a tenth of
		// the reader's work in the queue and in waking the poller).
		if len(batch) >= 256 || (len(batch) > 0 && batch[len(batch)-1].Kind == change.KindCommit && !buffered(bs)) {
			if err := flush(); err != nil {
				return progressed, err
			}
			progressed = true
		}
	}
}

type resolvedTable struct {
	tm    *replication.TableMapEvent
	table *change.Table
}

// startGTID opens the transaction a MySQL GTID event announces: uuid:n,
// or uuid:tag:n (MySQL 8.3+, GTID_TAGGED_LOG_EVENT). With gtid_mode=OFF
// each transaction has an anonymous one, which is no GTID (Debezium leaves
// source.gtid null then).
func (st *txnState) startGTID(e *replication.GTIDEvent, h *replication.EventHeader) error {
	st.gtid, st.thread = "", -1
	if h.EventType == replication.ANONYMOUS_GTID_EVENT {
		return nil
	}
	next, err := e.GTIDNext()
	if err != nil {
		return fault.Definite(fmt.Errorf("decoding GTID event at %s:%d: %w", st.file, h.LogPos, err))
	}
	st.gtid = next.String()
	return nil
}

// commit closes the open transaction and returns its commit marker.
func (s *Streamer) commit(st *txnState, h *replication.EventHeader) change.Event {
	if st.gtid != "" && st.gset != nil {
		// Update and AddSet only fail on a malformed GTID, which the parser
		// rejected. AddSet is what Update does after parsing the text.
		if ms, ok := st.gset.(*gmysql.MariadbGTIDSet); ok && st.gtid == st.mgtidText {
			_ = ms.AddSet(&st.mgtid)
		} else {
			_ = st.gset.Update(st.gtid)
		}
	}
	st.nextPos = uint64(h.LogPos)
	st.commitAt = server.EventAt{ServerID: h.ServerID, GTID: st.gtid, File: st.file, Pos: int64(h.LogPos) - int64(h.EventSize)}
	st.lastGTID, st.lastQuery = st.gtid, st.query
	st.inTxn, st.rows, st.skipRows, st.gtid, st.byFile, st.query = false, 0, 0, "", false, ""
	st.resumeEvents, st.resumeRows, st.resumeSkipped = 0, 0, 0
	st.handedRows, st.handedSkipped = 0, 0
	pos := offsets.MySQL{TsSec: int64(h.Timestamp), File: st.file, Pos: st.nextPos, ServerID: h.ServerID}
	if st.gset != nil {
		pos.GTIDs = st.setText()
	}
	if st.filter != nil {
		if st.filter.Passed(st.gset) {
			s.log.Info("stream has passed every snapshot chunk; snapshot bookkeeping dropped from the offset")
			st.filter = nil
		} else {
			pos.SluiceSnapshot = st.filter.Encoded()
		}
	}
	// One box for the marker and lastCommit: assigning pos itself to the
	// interface would copy its 150 bytes to the heap every transaction.
	boxed := s.positions.Box(pos).(change.Position)
	st.lastCommit = boxed
	return change.Event{Kind: change.KindCommit, Position: boxed, TsMs: int64(h.Timestamp) * 1000}
}

// midTxnOffsets reports whether the stream commits offsets inside large
// transactions, as Debezium does: for the MariaDB connector class on
// MariaDB, whose event count the switch-over test checks against Debezium
// 3.5 in both directions. Without them a stop inside a transaction resumes
// at its start, and whoever resumes (Sluice or Debezium) writes its
// already-written rows again, where Debezium after Debezium repeats nothing.
func (s *Streamer) midTxnOffsets() bool {
	return s.cfg.Flavor == "mariadb" && s.cfg.Proto() == "mariadb" || s.cfg.PrivateGTIDs()
}

// midCommit is a commit marker inside the open transaction, after the
// binlog event just read: Debezium's offset there, the transaction's start
// (the GTID set before it and its position) and "event", the events done
// since its start as Debezium counts them (see txnState.evIdx); every event
// is done, so "row" is 0. It changes no stream state: the resume skips the
// rows it covers (resumeEvents).
func (s *Streamer) midCommit(st *txnState, h *replication.EventHeader) change.Event {
	if s.cfg.PrivateGTIDs() {
		return s.statementCommit(st, h)
	}
	pos := offsets.MySQL{TsSec: int64(h.Timestamp), File: st.file, Pos: st.nextPos, ServerID: h.ServerID, Event: st.evIdx}
	if st.gset != nil {
		pos.GTIDs = gtidSetText(st.gset)
	}
	if st.filter != nil {
		pos.SluiceSnapshot = st.filter.Encoded()
	}
	pos.SluiceIncremental = s.incr.Progress()
	return change.Event{Kind: change.KindCommit, Position: s.positions.Box(pos).(change.Position), TsMs: int64(h.Timestamp) * 1000}
}

func rowsOp(t replication.EventType) (change.Op, bool) {
	switch t {
	case replication.WRITE_ROWS_EVENTv0, replication.WRITE_ROWS_EVENTv1, replication.WRITE_ROWS_EVENTv2,
		replication.MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1:
		return change.OpCreate, true
	case replication.UPDATE_ROWS_EVENTv0, replication.UPDATE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv2,
		replication.MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1, replication.PARTIAL_UPDATE_ROWS_EVENT:
		return change.OpUpdate, true
	case replication.DELETE_ROWS_EVENTv0, replication.DELETE_ROWS_EVENTv1, replication.DELETE_ROWS_EVENTv2,
		replication.MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1:
		return change.OpDelete, true
	}
	return 0, false
}

func (s *Streamer) rows(st *txnState, h *replication.EventHeader, e *replication.RowsEvent, tbl *change.Table, batch []change.Event) ([]change.Event, error) {
	op, ok := rowsOp(h.EventType)
	if !ok {
		return batch, nil
	}
	if len(e.SkippedColumns) > 0 {
		for _, sk := range e.SkippedColumns {
			if len(sk) > 0 {
				return batch, fault.Definite(fmt.Errorf("table %s.%s: the binlog row at %s:%d lacks columns; set binlog_row_image=FULL on the server", tbl.Database, tbl.Name, st.file, h.LogPos))
			}
		}
	}
	if h.EventType == replication.PARTIAL_UPDATE_ROWS_EVENT && hasJSONColumn(e.Table) {
		// binlog_row_value_options=PARTIAL_JSON logs JSON updates as diffs
		// against the old value, which Debezium cannot apply either.
		return batch, fault.Definite(fmt.Errorf("table %s.%s: the binlog row update at %s:%d is a partial JSON update (binlog_row_value_options=PARTIAL_JSON), which lacks the new JSON values; set binlog_row_value_options='' on the server (SET GLOBAL and in my.cnf), as Debezium requires",
			tbl.Database, tbl.Name, st.file, h.LogPos))
	}
	step := 1
	if op == change.OpUpdate {
		step = 2
	}
	n := len(e.Rows) / step
	size := int(h.EventSize)/max(n, 1) + 64
	tsMs := int64(h.Timestamp) * 1000
	eventPos := int64(h.LogPos) - int64(h.EventSize)
	var template []any // source block values shared by the rows
	for i := 0; i < n; i++ {
		if st.resumeEvents+st.resumeRows > 0 &&
			(st.evIdx <= st.resumeEvents || (st.evIdx == st.resumeEvents+1 && int64(i) < st.resumeRows)) {
			st.rows++
			st.resumeSkipped++
			continue
		}
		if st.skipRows > 0 {
			st.skipRows--
			st.rows++
			continue
		}
		ev := change.Event{Op: op, Table: tbl, TsMs: tsMs, Size: size}
		switch op {
		case change.OpCreate:
			ev.After = e.Rows[i]
		case change.OpDelete:
			ev.Before = e.Rows[i]
		case change.OpUpdate:
			ev.Before, ev.After = e.Rows[2*i], e.Rows[2*i+1]
		}
		row := ev.Before
		if row == nil {
			row = ev.After
		}
		if len(row) != len(tbl.Columns) {
			return batch, fault.Definite(fmt.Errorf("table %s.%s: binlog row at %s:%d has %d columns, the table version has %d", tbl.Database, tbl.Name, st.file, h.LogPos, len(row), len(tbl.Columns)))
		}
		st.rows++
		s.incr.Dedupe(tbl, ev.Before, st.gtid)
		s.incr.Dedupe(tbl, ev.After, st.gtid)
		if st.filter != nil {
			kept, keep, err := st.filter.Keep(st.gtid, ev)
			if err != nil {
				return batch, fault.Definite(fmt.Errorf("comparing GTID %s with the snapshot's positions: %w", st.gtid, err))
			}
			if !keep {
				continue
			}
			ev = kept
		}
		if template == nil {
			template = s.sourceTemplate(st, h, tbl, eventPos, tsMs)
		}
		ev.Source = s.sourceValue(template, i)
		batch = append(batch, ev)
	}
	return batch, nil
}

// sourceTemplate is the source block shared by the rows of one binlog
// event; sourceValue copies it per row and sets row, so a row costs one
// allocation for its source block (change.NewValue). The template itself
// is the streamer's scratch, valid until the next call, and its values are
// boxed once per table version, second, GTID, file and thread (srcCache): with one
// row per transaction, boxing them per event was a tenth of the allocations.
func (s *Streamer) sourceTemplate(st *txnState, h *replication.EventHeader, tbl *change.Table, pos int64, tsMs int64) []any {
	c := &s.src
	if c.table != tbl {
		c.base = s.cfg.SourceFields(0, "false", tbl.Database)
		c.base[server.SrcTable] = tbl.Name
		c.table = tbl
	}
	if c.scratch == nil {
		c.scratch = make([]any, server.SrcFields)
	}
	v := c.scratch
	copy(v, c.base)
	if c.ts[0] == nil || c.tsMs != tsMs {
		c.tsMs, c.ts = tsMs, [3]any{tsMs, tsMs * 1000, tsMs * 1_000_000}
	}
	v[server.SrcTsMs], v[server.SrcTsUs], v[server.SrcTsNs] = c.ts[0], c.ts[1], c.ts[2]
	if c.serverIDV == nil || c.serverID != h.ServerID {
		c.serverID, c.serverIDV = h.ServerID, int64(h.ServerID)
	}
	v[server.SrcServerID] = c.serverIDV
	if !c.gtidSet || c.gtid != st.gtid {
		c.gtid, c.gtidV, c.gtidSet = st.gtid, nil, true
		if s.cfg.ShowsGTID(st.gtid) {
			c.gtidV = s.strs.Box(st.gtid)
		}
	}
	v[server.SrcGTID] = c.gtidV
	if c.fileV == nil || c.file != st.file {
		c.file, c.fileV = st.file, st.file
	}
	v[server.SrcFile] = c.fileV
	v[server.SrcPos] = pos
	if st.thread >= 0 {
		if c.threadV == nil || c.thread != st.thread {
			c.thread, c.threadV = st.thread, st.thread
		}
		v[server.SrcThread] = c.threadV
	}
	if st.query != "" {
		v[server.SrcQuery] = st.query
	}
	return v
}

// gtidText is mariadbGTIDText written into the streamer's shared text.
func (s *Streamer) gtidText(g *gmysql.MariadbGTID) string {
	if noGTID(g) {
		return ""
	}
	return s.texts.Append(64, func(b []byte) []byte { return appendMariadbGTID(b, g) })
}

// srcCache holds the source block values sourceTemplate boxes once.
type srcCache struct {
	table     *change.Table
	base      []any // SourceFields and table, of table
	tsMs      int64
	ts        [3]any // ts_ms, ts_us, ts_ns of tsMs
	serverID  uint32
	serverIDV any
	gtid      string
	gtidV     any
	gtidSet   bool
	file      string
	fileV     any
	// thread: a writer's transactions share one box, which the converters'
	// memo of the source block (internal/fieldmemo) then sees as the same.
	thread  int64
	threadV any
	scratch []any
}

func (s *Streamer) sourceValue(template []any, row int) *change.Value {
	v := change.NewValue(s.source, server.SrcFields)
	copy(v.Values, template)
	v.Values[server.SrcRow] = int64(row)
	return v
}

// Resume reads the binlog from a stored position, as Stream does, once
// the server is known to still have it: a position it no longer has is a
// definite error that wraps fault.ErrPositionUnavailable.
func (s *Streamer) Resume(ctx context.Context, from offsets.MySQL, filter SnapshotFilter, out change.Enqueuer) error {
	err := s.CheckAvailable(ctx, from)
	if err == nil {
		err = s.Stream(ctx, from, filter, out)
	}
	if isPurged(err) && !errors.Is(err, fault.ErrPositionUnavailable) {
		err = fault.Definite(fmt.Errorf("%w: %w", fault.ErrPositionUnavailable, err))
	}
	return err
}

// isPurged reports whether err says the requested binlog position is gone.
func isPurged(err error) bool {
	var me *gmysql.MyError
	return errors.Is(err, fault.ErrPositionUnavailable) || errors.As(err, &me) && me.Code == gmysql.ER_MASTER_FATAL_ERROR_READING_BINLOG
}

// CheckAvailable makes sure the server still has every transaction after
// the stored position; a position it no longer has is a definite error that
// wraps fault.ErrPositionUnavailable. A position by file must name a binlog
// the server lists. MariaDB does not refuse a GTID position older than its
// oldest binlog: it starts at the oldest binlog and silently skips what was
// purged. The oldest binlog's Gtid_list event tells what came before it; a
// domain there ahead of the stored position means lost changes. MySQL
// refuses a purged GTID position itself when the stream starts (error
// 1236), which Resume reports the same way.
func (s *Streamer) CheckAvailable(ctx context.Context, from offsets.MySQL) error {
	byFile := fileResume(s.cfg, from) || from.GTIDs == "" && from.File != ""
	if !byFile && s.cfg.Proto() != "mariadb" {
		return nil
	}
	conn, err := s.cfg.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	r, err := conn.Execute("SHOW BINARY LOGS")
	if err != nil {
		return fmt.Errorf("listing binlogs to check the stored position is still there: %w", err)
	}
	logs := make([]string, r.RowNumber())
	for i := range logs {
		logs[i], _ = r.GetString(i, 0)
	}
	switch {
	case byFile && !slices.Contains(logs, from.File):
		return fault.Definite(fmt.Errorf("%w: the stored position is in binlog %s but the server has only %s; "+
			"set snapshot.mode=when_needed to take a new snapshot, or delete the stored offset to start over",
			fault.ErrPositionUnavailable, from.File, strings.Join(logs, ", ")))
	case byFile || len(logs) == 0:
		return nil
	}
	return checkGTIDList(conn, from, logs[0])
}

// checkGTIDList compares MariaDB's oldest binlog's Gtid_list, what came
// before it, with the stored GTID position.
func checkGTIDList(conn *client.Conn, from offsets.MySQL, oldest string) error {
	stored, err := gmysql.ParseMariadbGTIDSet(from.GTIDs)
	if err != nil {
		return fault.Definite(fmt.Errorf("stored offset has GTID set %q: %w", from.GTIDs, err))
	}
	ev, err := conn.Execute("SHOW BINLOG EVENTS IN '" + gmysql.Escape(oldest) + "' LIMIT 4")
	if err != nil {
		return fmt.Errorf("reading the oldest binlog %s to check the stored position is still there: %w", oldest, err)
	}
	for i := 0; i < ev.RowNumber(); i++ {
		typ, _ := ev.GetString(i, 2)
		if typ != "Gtid_list" {
			continue
		}
		info, _ := ev.GetString(i, 5)
		before, err := gmysql.ParseMariadbGTIDSet(strings.Trim(info, "[] "))
		if err != nil {
			return fmt.Errorf("reading the Gtid_list %q of binlog %s: %w", info, oldest, err)
		}
		for domain, g := range before.(*gmysql.MariadbGTIDSet).Sets {
			have, ok := stored.(*gmysql.MariadbGTIDSet).Sets[domain]
			if !ok || have.SequenceNumber < g.SequenceNumber {
				return fault.Definite(fmt.Errorf("%w: the stored GTID position is %q but the oldest binlog %s starts after %s; "+
					"set snapshot.mode=when_needed to take a new snapshot, or delete the stored offset to start over",
					fault.ErrPositionUnavailable, from.GTIDs, oldest, g))
			}
		}
	}
	return nil
}

// fileResume reports whether the stream resumes by binlog file and position
// rather than by GTIDs: for the MySQL connector class on MariaDB when the
// stored offset has no GTIDs. Debezium's MySQL class stores none there (it
// does not read MariaDB's GTIDs: its offset is ts_sec, file, pos, row,
// server_id), so an offset taken over from it has only the file and
// position; an empty MariaDB GTID set would instead mean "from the oldest
// binlog". The MariaDB class always resumes by GTIDs, as Debezium's does.
func fileResume(cfg *server.Config, from offsets.MySQL) bool {
	return (from.GTIDs == "" || from.MidTxn) && from.File != "" && cfg.PrivateGTIDs()
}

// definiteUnlessNetwork marks err definite unless the network failed
// (a lost connection or a deadline passed): those are retried.
func definiteUnlessNetwork(err error) error {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) {
		return err
	}
	return fault.Definite(err)
}
