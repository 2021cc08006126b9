// Package snapshot reads the rows of captured tables as they are: the
// initial snapshot (Snapshotter: chunk planning and reading, the progress
// kept in the offset, and the SkipFilter and guards that keep the stream
// that follows from repeating what the chunks hold), and on-demand
// snapshots requested through the signal table (Incremental), which run
// inside the binlog stream at transaction ends.
package snapshot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/connector/notify"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// Snapshotter emits every existing row of the captured tables (op "r").
//
// Consistency without a long lock: each chunk (a primary-key range of a
// table, or a whole table whose key cannot be split: see rangeKeyKind) is
// read in its own REPEATABLE READ consistent-snapshot transaction, and the
// GTID set that transaction sees is recorded with the chunk. On MariaDB that position
// comes from Binlog_snapshot_file/position, so no lock is taken at all; on
// MySQL a FLUSH TABLES ... WITH READ LOCK on the one table is held only
// while the transaction starts and @@gtid_executed is read. Streaming then
// starts at the position taken before the first chunk, and drops each change
// whose GTID a chunk's set already contains (SkipFilter): what a consumer
// rebuilds is the database as of the end, with no change applied twice.
//
// Chunks are read by MaxThreads workers and emitted strictly in order, so
// memory is bounded by MaxThreads+1 chunks whatever the table size, and
// progress (the finished chunks) is a prefix that a restart resumes after.
type Snapshotter struct {
	srv  *server.Server
	cfg  *server.Config // srv's settings
	snap server.SnapshotConfig
	log  *zap.Logger

	// guard collects the keys of the range a previous run was emitting when
	// it stopped (State.InFlight), as this run reads it again.
	guard     *guard
	positions gtidPositions // the ranges' positions, MariaDB
	maxLock   time.Duration
	rows      int64
	startFile string // the snapshot's binlog position, for source.file/pos
	startPos  uint64
	serverID  uint32 // for source.server_id, gtid, query: a blocking snapshot's stream's
	gtid      string
	query     string
	// blockingGone are the tables a blocking snapshot found gone, for the
	// stream to follow a RENAME of them (Incremental.TableRenamed).
	blockingGone []string
}

// New prepares a snapshot of srv's captured tables; nothing connects until
// it runs.
func New(srv *server.Server) *Snapshotter {
	cfg := srv.Snapshot
	if cfg.MaxThreads <= 0 {
		cfg.MaxThreads = 1
	}
	if cfg.ChunkRows <= 0 {
		cfg.ChunkRows = 50_000 // config.DefaultSnapshotRangeRows
	}
	return &Snapshotter{srv: srv, cfg: &srv.Config, snap: cfg, log: srv.Log}
}

type snapTable struct {
	name     string // db.table
	db, tbl  string
	table    *change.Table
	defs     []mysqltypes.ColumnDef
	keyCol   string // the primary key's first column, that chunks split (rangeKeyKind); "" = one piece
	pk       []int  // primary-key columns (indexes into defs); nil: none
	cond     string // SQL condition on its rows (State.Conditions), "" = all
	selectQ  string // the whole SELECT (State.Selects), "" = Sluice's own
	estimate int64
	rows     int64
	started  time.Time

	keyKind keyKind // how keyCol places rows among range bounds (Chunk.Key)
	// keyBin is a character key's charset's binary collation
	// ("utf8mb4_bin"), which finds the keys not of printable ASCII
	// (rangeWhere).
	keyBin string
}

type chunkJob struct {
	t      *snapTable
	lo, hi *int64
	first  bool // first chunk of the table
	last   bool // last chunk of the table
	// done gets the chunk's result once, when its rows can be read or it
	// failed to start.
	done chan chunkResult
	// stream carries the rows in batches of streamBatch, at most
	// streamAhead of them ahead of the emitter: no chunk is held whole.
	// Chunks used to be read whole, two or three of them (up to 150,000
	// rows) held at once, and collecting their boxed values took a
	// quarter of a JSON snapshot's CPU. The reader closes it after setting
	// streamErr.
	stream    chan [][]any
	streamErr error
}

const (
	streamBatch = 512
	streamAhead = 8
)

func newChunkJob(t *snapTable, lo, hi *int64, first, last bool) *chunkJob {
	return &chunkJob{t: t, lo: lo, hi: hi, first: first, last: last,
		done: make(chan chunkResult, 1), stream: make(chan [][]any, streamAhead)}
}

type chunkResult struct {
	gtids string
	lock  time.Duration
	err   error
}

func (s *Snapshotter) connect(ctx context.Context) (*client.Conn, error) {
	conn, err := connect(ctx, s.cfg)
	if err != nil {
		return nil, err
	}
	// A range's SELECT waits for the table's metadata lock (a DDL or a LOCK
	// TABLES ... WRITE holds it) and MySQL's range lock for its table lock:
	// snapshot.lock.timeout.ms at most, as Debezium's snapshot waits.
	q := fmt.Sprintf("SET SESSION lock_wait_timeout = %d", s.snap.LockWaitSeconds())
	if _, err := conn.Execute(q); err != nil {
		conn.Close()
		return nil, fmt.Errorf("preparing a snapshot connection (%s): %w", q, err)
	}
	return conn, nil
}

// connect opens a connection that reads rows as the binlog carries them.
// noBackslashEscapesOff takes NO_BACKSLASH_ESCAPES out of the session's
// sql_mode and leaves the rest of it.
const noBackslashEscapesOff = "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))"

func connect(ctx context.Context, cfg *server.Config) (*client.Conn, error) {
	conn, err := cfg.Connect(ctx)
	if err != nil {
		return nil, err
	}
	// TIMESTAMP values in UTC; text in the column's own charset, as the
	// binlog carries it, so the same converters apply; backslashes escape
	// in the key literals of on-demand chunks even where the server's
	// sql_mode has NO_BACKSLASH_ESCAPES (a key with a quote would end its
	// literal early there); and an hour's net_write_timeout: a chunk read
	// ahead of the emitter waits with its SELECT's rows unsent for as long
	// as the chunks before it take to reach Kafka, and the server's default
	// (60 s) would end it while a broker is slow.
	for _, q := range []string{"SET time_zone = '+00:00'", "SET character_set_results = NULL",
		"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", noBackslashEscapesOff, "SET SESSION net_write_timeout = 3600"} {
		if _, err := conn.Execute(q); err != nil {
			conn.Close()
			return nil, fmt.Errorf("preparing a snapshot connection (%s): %w", q, err)
		}
	}
	return conn, nil
}

// Plan lists the captured tables of a new snapshot, whose stream starts at
// start.
func (s *Snapshotter) Plan(ctx context.Context, start offsets.MySQL) (*State, error) {
	tables, rows, err := baseTables(ctx, s.cfg, s.snap.Tables)
	if err != nil {
		return nil, fmt.Errorf("listing tables for the snapshot: %w", err)
	}
	// The signal table's rows are requests, not data: Debezium reads its
	// structure but none of its rows (3.5.0.Final, checked on the real
	// connector: no read event on its topic).
	tables = slices.DeleteFunc(tables, func(t string) bool { return t == s.cfg.SignalTable })
	// Debezium reads them in its list's order: the first and the last
	// row's source.snapshot markers depend on it.
	tables = captureOrder(s.cfg.Filter, tables)
	if s.snap.Order == "ascending" || s.snap.Order == "descending" {
		// Then by estimated rows, a stable sort as Debezium's
		// sortByRowCount; a table with a SELECT override counts 0 there.
		by := func(t string) int64 {
			if _, ok := s.snap.Selects[t]; ok {
				return 0
			}
			return rows[t]
		}
		slices.SortStableFunc(tables, func(a, b string) int {
			if s.snap.Order == "descending" {
				return cmp.Compare(by(b), by(a))
			}
			return cmp.Compare(by(a), by(b))
		})
	}
	st := &State{Tables: tables}
	st.Start.File, st.Start.Pos, st.Start.GTIDs = start.File, start.Pos, start.GTIDs
	for _, t := range tables {
		if q, ok := s.snap.Selects[t]; ok {
			if st.Selects == nil {
				st.Selects = map[string]string{}
			}
			st.Selects[t] = q
		}
	}
	return st, nil
}

// Run reads the snapshot's rows (resumed: st is a snapshot a crash
// interrupted, read again after its last finished chunk) and returns the
// filter that keeps the stream from repeating what the snapshot's chunks
// already hold, and the position the stream continues from.
func (s *Snapshotter) Run(ctx context.Context, st *State, resumed bool, out change.Enqueuer) (*SkipFilter, offsets.MySQL, error) {
	var guards []*guard
	if st.Keys == nil {
		// read fills it (State.noteKey) after the guards below take it.
		st.Keys = map[string][]string{}
	}
	if st.Blocking && !resumed {
		// A blocking snapshot reads the tables as they are now, and the
		// stream, paused at the signal, has not read the DDLs since: a
		// DDL between two ranges failed the range, and the retry, taking
		// the cached columns again, failed the same way for good.
		s.srv.Catalog.Invalidate()
	}
	if resumed {
		// The ranges still to read see the tables as they are now: a DDL
		// between two ranges (each has a transaction of its own, so none
		// holds the table's metadata lock for the whole snapshot) would
		// otherwise leave a column the catalog cached, and no stream runs
		// yet to forget it: the SELECT failed at every retry.
		s.srv.Catalog.Invalidate()
		var err error
		if guards, err = s.loadGuards(ctx, st); err != nil {
			return nil, offsets.MySQL{}, err
		}
		if st.InFlight != nil {
			// The range a crash interrupted is read again now; its keys
			// are collected as it is.
			g, err := newGuard(s.cfg.Proto(), *st.InFlight)
			if err != nil {
				return nil, offsets.MySQL{}, fault.Definite(err)
			}
			g.key.names = st.Keys
			s.guard = g
			guards = append(guards, g)
			st.Guards = append(st.Guards, *st.InFlight)
			st.InFlight = nil
		}
	}
	if err := s.read(ctx, st, out); err != nil {
		return nil, offsets.MySQL{}, err
	}
	end := offsets.MySQL{File: st.Start.File, Pos: st.Start.Pos, GTIDs: st.Start.GTIDs, SluiceSnapshot: st.encode(), SluiceIncremental: st.Incremental}
	if st.Blocking {
		if !resumed {
			return nil, end, nil // the stream goes on with its own filter
		}
		// Resumed after a crash: the stream starts again, with the initial
		// snapshot's filter if it still had one (State.InitialFilter).
		filter, err := s.Filter(ctx, st)
		return filter, end, err
	}
	filter, err := newSkipFilter(s.cfg.Proto(), st)
	if err != nil {
		return nil, offsets.MySQL{}, fault.Definite(err)
	}
	filter.guards = guards
	return filter, end, nil
}

// read takes (or resumes) the snapshot described by st, enqueuing rows and a
// commit marker after each chunk. It returns st completed.
func (s *Snapshotter) read(ctx context.Context, st *State, out change.Enqueuer) error {
	began := time.Now()
	s.startFile, s.startPos = st.Start.File, st.Start.Pos
	s.serverID, s.gtid, s.query = st.ServerID, st.GTID, st.Query
	var tables []*snapTable
	var gone []string
	for _, name := range st.Tables {
		done, _, _ := st.tableProgress(name)
		if done {
			continue
		}
		t, err := s.prepareTable(ctx, name)
		if err != nil {
			return err
		}
		if t == nil {
			gone = append(gone, name)
			continue
		}
		t.cond, t.selectQ = st.Conditions[name], st.Selects[name]
		st.noteKey(t)
		tables = append(tables, t)
	}
	s.srv.Observer.SnapshotTables(len(st.Tables), len(st.Tables)-len(tables))
	s.log.Info("snapshot starting", zap.Int("tables", len(tables)), zap.Int("tables_already_done", len(st.Tables)-len(tables)),
		zap.String("stream_from_gtids", st.Start.GTIDs), zap.Int("threads", s.snap.MaxThreads))

	jobs, err := s.planChunks(ctx, st, tables)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	// Workers read up to MaxThreads chunks ahead of the emitter.
	slots := make(chan struct{}, s.snap.MaxThreads)
	queue := make(chan *chunkJob)
	var wg sync.WaitGroup
	for i := 0; i < s.snap.MaxThreads; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.worker(ctx, queue)
		}()
	}
	go func() {
		defer close(queue)
		for _, j := range jobs {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case queue <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() {
		// Cancel first: a return before the last chunk (a chunk that
		// failed, Kafka refusing its rows) leaves the feeder waiting for a
		// slot the emitter will not free and the workers for the queue it
		// would close. Waiting first, as two defers in this order did,
		// hung the snapshot for good.
		cancel()
		wg.Wait()
	}()

	em := &emitter{s: s, out: out, st: st, held: -1}
	if len(tables) > 0 && len(st.Done) == 0 {
		// Debezium's first table is the first it reads: a table that no
		// longer exists is not among them. A resumed snapshot sent its
		// "first" before the crash.
		em.firstTable = tables[0].name
	}
	em.note(notify.Started)
	if len(st.Done) == 0 && st.InFlight == nil {
		// Make the snapshot's start durable before its first row reaches
		// Kafka, so that a crash at any point afterwards resumes this
		// snapshot (and its start) instead of beginning a new one.
		if err := out.Checkpoint(ctx, em.marker().Position); err != nil {
			return err
		}
	}
	lastProgress := time.Now()
	for _, j := range jobs {
		var res chunkResult
		select {
		case res = <-j.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-slots
		if res.err != nil {
			return res.err
		}
		s.maxLock = max(s.maxLock, res.lock)
		if err := em.chunk(ctx, j, res); err != nil {
			return err
		}
		if time.Since(lastProgress) > 10*time.Second || j.last {
			lastProgress = time.Now()
			s.logProgress(j.t)
		}
	}
	if err := s.noteVanished(ctx, st, gone); err != nil {
		return err
	}
	st.Complete = true
	if err := em.finish(ctx); err != nil {
		return err
	}
	elapsed := time.Since(began)
	s.log.Info("snapshot finished", zap.Int64("rows", s.rows), zap.Duration("elapsed", elapsed),
		zap.Float64("rows_per_s", math.Round(float64(s.rows)/elapsed.Seconds())),
		zap.Duration("longest_lock", s.maxLock), zap.Bool("lock_free", s.cfg.Proto() == "mariadb" || s.snap.LockingMode == "none"))
	return nil
}

func (s *Snapshotter) logProgress(t *snapTable) {
	elapsed := time.Since(t.started)
	rate := float64(t.rows) / max(elapsed.Seconds(), 0.001)
	fields := []zap.Field{zap.String("table", t.name), zap.Int64("rows_done", t.rows),
		zap.Int64("rows_estimated", max(t.estimate, t.rows)), zap.Float64("rows_per_s", math.Round(rate))}
	if left := t.estimate - t.rows; left > 0 && rate > 0 {
		fields = append(fields, zap.Duration("time_left", time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second)))
	}
	s.log.Info("snapshot progress", fields...)
}

func (s *Snapshotter) prepareTable(ctx context.Context, name string) (*snapTable, error) {
	db, tbl, _ := strings.Cut(name, ".")
	info, err := s.srv.Catalog.Table(ctx, db, tbl)
	if err != nil {
		var me *gmysql.MyError
		if errors.As(err, &me) || strings.Contains(err.Error(), "not in information_schema") {
			s.log.Warn("table vanished before its snapshot; skipping it", zap.String("table", name), zap.Error(err))
			return nil, nil
		}
		return nil, err
	}
	table, err := s.srv.BuildTable(db, tbl, info.Columns, info.Key)
	if err != nil {
		return nil, fault.Definite(err)
	}
	t := &snapTable{name: name, db: db, tbl: tbl, table: table, defs: info.Columns, pk: info.Key}
	if len(info.Key) > 0 {
		// Ranges of the key's first column hold whole runs of the key
		// (the index's order), whatever the columns after it are.
		d := info.Columns[info.Key[0]]
		var collation string
		if d.DataType == "char" || d.DataType == "varchar" {
			if collation, err = s.srv.Catalog.ColumnCollation(ctx, db, tbl, d.Name); err != nil {
				return nil, err
			}
		}
		if kind, ok := rangeKeyKind(d, collation); ok {
			t.keyCol, t.keyKind = d.Name, kind
			if charOrders[kind] != nil {
				cs, _, _ := strings.Cut(strings.ToLower(collation), "_")
				t.keyBin = cs + "_bin"
			}
		}
	}
	return t, nil
}

// noteVanished records in st the tables that vanished before the snapshot
// read them whole (gone), with the server's GTID set now. Read after the
// last range, that set holds the DDL that took each away: a RENAME shows
// in information_schema a moment before it is in the binlog, and the
// failed range and its retry came long before now.
func (s *Snapshotter) noteVanished(ctx context.Context, st *State, gone []string) error {
	var add []string
	for _, name := range gone {
		if !slices.ContainsFunc(st.Vanished, func(c Chunk) bool { return c.Table == name }) {
			add = append(add, name)
		}
	}
	if st.Blocking {
		// The stream after a blocking snapshot filters nothing: the
		// Incremental that took it remembers the tables instead.
		s.blockingGone = add
		return nil
	}
	if len(add) == 0 {
		return nil
	}
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	set, err := executedGTIDs(conn, s.cfg.Proto())
	if err != nil {
		return fmt.Errorf("reading the server's GTID position after the snapshot, for the tables that vanished from it (%s): %w", strings.Join(add, ", "), err)
	}
	for _, name := range add {
		st.Vanished = append(st.Vanished, Chunk{Table: name, GTIDs: set.String()})
	}
	return nil
}

// sameColumns fails, for a retry that reads the table as it is now (Run
// forgets the cached definitions), when the table's columns are no longer
// those the snapshot began with: a DDL ran between two ranges, each read
// in a transaction of its own. A dropped column would fail the SELECT
// anyway; an added or changed one would otherwise be missing or misread in
// the ranges that follow.
func sameColumns(conn *client.Conn, t *snapTable) error {
	r, err := conn.Execute("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", t.db, t.tbl)
	if err != nil {
		return err
	}
	same := r.RowNumber() == len(t.defs)
	for i := 0; same && i < r.RowNumber(); i++ {
		name, _ := r.GetString(i, 0)
		typ, _ := r.GetString(i, 1)
		same = strings.EqualFold(name, t.defs[i].Name) && strings.EqualFold(typ, t.defs[i].ColumnType)
	}
	if !same {
		return errTableChanged
	}
	return nil
}

// errTableChanged: see sameColumns. Transient: the retry resumes after the
// last finished range.
var errTableChanged = errors.New("its columns changed since the snapshot began (a DDL between two ranges); reading the rest as the table is now")

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func (t *snapTable) from() string { return quoteIdent(t.db) + "." + quoteIdent(t.tbl) }

// planChunks splits each table into primary-key ranges of about ChunkRows
// rows, resuming a partly done table after its last finished chunk.
func (s *Snapshotter) planChunks(ctx context.Context, st *State, tables []*snapTable) ([]*chunkJob, error) {
	// A snapshot connection: a TIMESTAMP key's MIN and MAX in UTC, as the
	// ranges' SELECTs compare it.
	conn, err := connect(ctx, s.cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var jobs []*chunkJob
	for _, t := range tables {
		t.started = time.Now()
		r, err := conn.Execute("SELECT IFNULL(TABLE_ROWS, 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", t.db, t.tbl)
		if err == nil && r.RowNumber() > 0 {
			n, _ := r.GetInt(0, 0)
			t.estimate = n
		}
		_, resume, started := st.tableProgress(t.name)
		if t.keyCol == "" || t.selectQ != "" || t.estimate <= int64(s.snap.ChunkRows) && !started {
			jobs = append(jobs, newChunkJob(t, nil, nil, true, true))
			continue
		}
		q := fmt.Sprintf("SELECT MIN(%[1]s), MAX(%[1]s) FROM %[2]s", quoteIdent(t.keyCol), t.from()) + t.keyKind.minMaxWhere(quoteIdent(t.keyCol))
		r, err = conn.Execute(q)
		if err != nil {
			return nil, fmt.Errorf("reading the key range of %s: %w", t.name, err)
		}
		lo, hi, ok := t.keyRange(r)
		if resume != nil {
			lo = *resume
		}
		if !ok || hi < lo {
			// Empty (or emptied) table: one open-ended chunk.
			jobs = append(jobs, newChunkJob(t, resume, nil, !started, true))
			continue
		}
		bounds := t.keyKind.bounds(rangeBounds(lo, hi, max(t.estimate/int64(s.snap.ChunkRows), 1)))
		prev, first := resume, !started
		if charOrders[t.keyKind] != nil && !started {
			// The keys not of printable ASCII first (rangechar.go).
			jobs = append(jobs, newChunkJob(t, nil, int64Ptr(0), true, false))
			prev, first = int64Ptr(0), false
		}
		for _, b := range bounds {
			jobs = append(jobs, newChunkJob(t, prev, int64Ptr(b), first, false))
			prev, first = int64Ptr(b), false
		}
		jobs = append(jobs, newChunkJob(t, prev, nil, first, true))
		s.log.Info("snapshot chunks planned", zap.String("table", t.name), zap.Int64("rows_estimated", t.estimate),
			zap.String("key_from", t.keyKind.literal(lo)), zap.String("key_to", t.keyKind.literal(hi)), zap.Int("chunks", len(bounds)+1), zap.Bool("resumed", started))
	}
	return jobs, nil
}

// keyRange is the MIN and MAX of t's key column that r holds, placed as
// t.keyKind places keys; false: none (an empty table).
func (t *snapTable) keyRange(r *gmysql.Result) (lo, hi int64, ok bool) {
	if r.RowNumber() == 0 || len(r.Values[0]) < 2 {
		return 0, 0, false
	}
	l, h := t.keyKind.placeField(&r.Values[0][0], false), t.keyKind.placeField(&r.Values[0][1], true)
	if l == nil || h == nil {
		return 0, 0, false
	}
	return *l, *h, true
}

// rangeBounds splits the keys lo..hi into about n ranges of equal width
// and returns the bounds between them, in increasing order: the ranges
// are [lo, b0), [b0, b1), ..., [bk, hi]. The keys' span may not fit an
// int64 (random signed 64-bit keys, a sentinel at 2^63-1), so it is
// measured, and walked, in unsigned offsets from lo that never wrap.
func rangeBounds(lo, hi, n int64) []int64 {
	span := uint64(hi) - uint64(lo) // number of keys - 1
	// step = (span+1)/n without computing span+1, which is 2^64 for the
	// whole BIGINT range.
	step, rem := span/uint64(n), span%uint64(n)
	if rem+1 == uint64(n) {
		step++
	}
	step = max(step, 1)
	var out []int64
	for off := step; off <= span; off += step {
		out = append(out, int64(uint64(lo)+off))
		if off > math.MaxUint64-step {
			break
		}
	}
	return out
}

func (s *Snapshotter) worker(ctx context.Context, queue <-chan *chunkJob) {
	var conn *client.Conn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for j := range queue {
		if conn == nil {
			var err error
			if conn, err = s.connect(ctx); err != nil {
				j.done <- chunkResult{err: err}
				continue
			}
		}
		if err := s.readChunk(ctx, conn, j); err != nil {
			conn.Close()
			conn = nil
		}
	}
}

// readChunk reads one chunk in its own consistent snapshot. Its result
// (the GTID set its rows are consistent with, or the error that kept it
// from starting) goes on j.done as soon as the snapshot transaction has
// begun, then its rows through j.stream. It returns any error it met, for
// the caller to drop the connection.
func (s *Snapshotter) readChunk(ctx context.Context, conn *client.Conn, j *chunkJob) error {
	var res chunkResult
	fail := func(what string, err error) error {
		_, _ = conn.Execute("ROLLBACK")
		res.err = fmt.Errorf("snapshot of %s: %s: %w", j.t.name, what, s.lockHint(err))
		j.done <- res // the one send: it failed before the rows
		return res.err
	}
	if what, err := s.beginRange(conn, j, &res); err != nil {
		return fail(what, err)
	}
	if j.t.selectQ == "" {
		if err := sameColumns(conn, j.t); err != nil {
			return fail("checking its columns", err)
		}
	}
	cols := make([]string, len(j.t.defs))
	for i, d := range j.t.defs {
		cols[i] = quoteIdent(d.Name)
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + j.t.from()
	var where []string
	if j.t.keyCol != "" {
		where = j.t.keyKind.rangeWhere(quoteIdent(j.t.keyCol), j.lo, j.hi, j.t.keyBin)
	}
	if j.t.cond != "" {
		where = append(where, "("+j.t.cond+")")
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if j.t.selectQ != "" {
		q = j.t.selectQ
	}
	j.done <- res
	err := s.streamRows(ctx, conn, j, q)
	if err == nil {
		_, err = conn.Execute("COMMIT")
	}
	if err != nil {
		_, _ = conn.Execute("ROLLBACK")
		j.streamErr = s.rowsError(j.t, err)
		err = j.streamErr
	}
	close(j.stream)
	return err
}

// rowsError is a range's failure while reading its rows. The server's
// refusal of a statement the user wrote (a snapshot.select.statement.overrides
// SELECT, a blocking snapshot signal's additional-conditions) is definite:
// read again, it fails again, and the snapshot retried it without end.
func (s *Snapshotter) rowsError(t *snapTable, err error) error {
	var me *gmysql.MyError
	if t.selectQ == "" && errors.As(err, &me) && me.Code == gmysql.ER_NO_SUCH_TABLE {
		// Renamed or dropped after the range checked its columns and
		// before its SELECT: as when the check finds it gone, the retry
		// reads the tables as they are now (a server refusal would drop
		// a blocking snapshot for good).
		return fmt.Errorf("snapshot of %s: reading rows: %w (%s)", t.name, errTableChanged, me.Message)
	}
	err = fmt.Errorf("snapshot of %s: reading rows: %w", t.name, s.lockHint(err))
	if (t.selectQ != "" || t.cond != "") && readRefused(err, true) {
		return fault.Definite(fmt.Errorf("%w; the statement is the connector's snapshot.select.statement.overrides.%s (or a blocking snapshot signal's additional-conditions): fix it", err, t.name))
	}
	return err
}

// beginRange starts the range's consistent-snapshot transaction and
// records in res the GTID position its reads see (and on MySQL how long
// the table was locked). On failure it says what it was doing.
func (s *Snapshotter) beginRange(conn *client.Conn, j *chunkJob, res *chunkResult) (what string, err error) {
	if s.cfg.Proto() == "mariadb" {
		if _, err := conn.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
			return "starting a consistent snapshot", err
		}
		if res.gtids, err = s.mariadbSnapshotGTIDs(conn); err != nil {
			return "reading its position in the binlog", err
		}
		return "", nil
	}
	lockStart := time.Now()
	locked := s.snap.LockingMode != "none"
	if locked {
		if _, err := conn.Execute("FLUSH TABLES " + j.t.from() + " WITH READ LOCK"); err != nil {
			return "locking the table for the moment the snapshot starts (needs RELOAD and LOCK TABLES; or set snapshot.locking.mode=none)", err
		}
	}
	readGTIDs := func() error {
		g, err := conn.Execute("SELECT @@gtid_executed")
		if err == nil {
			res.gtids, _ = g.GetString(0, 0)
		}
		return err
	}
	if !locked {
		// Commits go on: a set read before the transaction's view holds
		// only transactions the view sees (one committed in between is in
		// the view, and the stream writes it again); read after, it could
		// hold one the view missed, whose changes the stream would drop.
		if err := readGTIDs(); err != nil {
			return "reading @@gtid_executed", err
		}
	}
	if _, err := conn.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
		return "starting a consistent snapshot", err
	}
	if locked {
		err := readGTIDs()
		_, _ = conn.Execute("UNLOCK TABLES")
		res.lock = time.Since(lockStart)
		if err != nil {
			return "reading @@gtid_executed", err
		}
	}
	return "", nil
}

// lockHint names the setting behind a lock wait that timed out.
func (s *Snapshotter) lockHint(err error) error {
	var me *gmysql.MyError
	if !errors.As(err, &me) || me.Code != gmysql.ER_LOCK_WAIT_TIMEOUT {
		return err
	}
	return fmt.Errorf("%w (another session held a lock on the table longer than snapshot.lock.timeout.ms, %d s; the range is read again; raise the setting to wait longer)", err, s.snap.LockWaitSeconds())
}

// streamRows runs the chunk's SELECT and sends its rows on j.stream.
func (s *Snapshotter) streamRows(ctx context.Context, conn *client.Conn, j *chunkJob, q string) error {
	var batch [][]any
	var result gmysql.Result
	boxes := mysqltypes.NewBoxes()
	// A character key's range takes only keys of printable ASCII; the
	// server sends it the others it holds too (rangeWhere), which the
	// range read first has.
	o := charOrders[j.t.keyKind]
	printableOnly := o != nil && j.lo != nil && j.t.selectQ == ""
	err := conn.ExecuteSelectStreaming(q, &result, func(row []gmysql.FieldValue) error {
		if printableOnly && !o.printable(row[j.t.pk[0]].AsString()) {
			return nil
		}
		vals, err := rowValues(boxes, j.t.defs, row)
		if err != nil {
			return fmt.Errorf("reading a row of %s: %w", j.t.name, err)
		}
		batch = append(batch, vals)
		if len(batch) < streamBatch {
			return nil
		}
		select {
		case j.stream <- batch:
			batch = nil
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}, nil)
	if err == nil && len(batch) > 0 {
		select {
		case j.stream <- batch:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	return err
}

// emitter enqueues snapshot rows in chunk order with Debezium's
// source.snapshot values. Before a range's rows it commits, durably, that
// the range is in flight with its position (so that after a crash exactly
// one range is in doubt, with a known position); after them, that it is done.
//
// The snapshot's last row is marked "last" whichever table it is in, as
// Debezium's BufferingSnapshotChangeRecordReceiver does: it holds back the
// newest record and marks it LAST when the snapshot completes, so when the
// last tables (or the last ranges) are empty the last row of an earlier table
// is "last", not "last_in_data_collection". Which row is last is known only
// when every later range has been read, so the emitter keeps the batch that
// ends with a range's last row (and the done markers after it) unflushed
// until the next range yields a row or the snapshot finishes.
type emitter struct {
	s     *Snapshotter
	out   change.Enqueuer
	st    *State
	batch []change.Event
	// firstTable is the table whose first row is the snapshot's "first".
	firstTable string
	// firstDue is the table whose first range began and which has not
	// yet written a row: its first row is marked first of its table even
	// when it comes in a later range (a character key's first range, of
	// keys not of printable ASCII, is mostly empty).
	firstDue string
	// held is the index in batch of the newest row, kept unflushed, or -1;
	// heldTable and heldTs rebuild its source block with "last".
	held      int
	heldTable *change.Table
	heldTs    int64
	// src is the source block of the rows going out, built once per
	// table, flag and chunk timestamp and shared by those rows (values are
	// not changed once handed on: change.Value).
	src struct {
		t    *change.Table
		flag string
		ts   int64
		v    *change.Value
	}
}

// sourceValue is Snapshotter.sourceValue, built once for the rows that
// share it: a row's source block cost an allocation of 300 bytes before.
func (e *emitter) sourceValue(t *change.Table, flag string, tsMs int64) *change.Value {
	c := &e.src
	if c.v == nil || c.t != t || c.flag != flag || c.ts != tsMs {
		c.t, c.flag, c.ts = t, flag, tsMs
		c.v = e.s.sourceValue(t, flag, tsMs)
	}
	return c.v
}

func (e *emitter) marker() change.Event {
	pos := offsets.MySQL{TsSec: time.Now().Unix(), File: e.st.Start.File, Pos: e.st.Start.Pos, GTIDs: e.st.Start.GTIDs,
		Snapshot: !e.st.Complete, SluiceSnapshot: e.st.encode(), SluiceIncremental: e.st.Incremental}
	return change.Event{Kind: change.KindCommit, Position: pos}
}

func (e *emitter) chunk(ctx context.Context, j *chunkJob, res chunkResult) error {
	done := Chunk{Table: j.t.name, Lo: j.lo, Hi: j.hi, GTIDs: res.gtids}
	if j.lo != nil || j.hi != nil {
		done.Key = j.t.keyKind
	}
	if j.first {
		e.noteTableStarted(j.t.name)
		e.firstDue = j.t.name
	}
	// next yields the job's rows from its stream, in order.
	var rows [][]any
	pos := 0
	next := func() ([]any, bool, error) {
		for pos >= len(rows) {
			select {
			case b, ok := <-j.stream:
				if !ok {
					return nil, false, j.streamErr
				}
				if e.s.guard != nil {
					e.s.guard.collect(j.t, b)
				}
				rows, pos = b, 0
			case <-ctx.Done():
				return nil, false, ctx.Err()
			}
		}
		pos++
		return rows[pos-1], true, nil
	}
	row, ok, err := next()
	if err != nil {
		return err
	}
	if ok {
		// A row follows the held one, which is therefore not the
		// snapshot's last: it keeps its flag and goes out before the
		// checkpoint below records its range as done.
		if err := e.flush(ctx); err != nil {
			return err
		}
		e.st.InFlight = &done
		if err := e.out.Checkpoint(ctx, e.marker().Position); err != nil {
			return err
		}
	}
	now := time.Now().UnixMilli()
	var n int64
	for first := true; ok; first = false {
		following, more, err := next() // one row of lookahead: is this the last?
		if err != nil {
			return err
		}
		// Debezium's precedence (RelationalSnapshotChangeEventSource
		// setSnapshotMarker): its first, a table's last, a table's first;
		// the snapshot's last row is marked by finish, over any of these.
		// So a table's only row is "last_in_data_collection". The last row
		// of a table whose last range is empty is not marked. "first" is
		// the first row of the first table in the snapshot's order, so
		// when that table is empty no row is "first" (Debezium 3.5.0.Final,
		// seen side by side).
		lastInTable := !more && j.last
		tableFirst := first && e.firstDue == j.t.name
		if tableFirst {
			e.firstDue = ""
		}
		flag := "true"
		switch {
		case tableFirst && j.t.name == e.firstTable:
			flag = "first"
		case lastInTable:
			flag = "last_in_data_collection"
		case tableFirst:
			flag = "first_in_data_collection"
		}
		e.held, e.heldTable, e.heldTs = len(e.batch), j.t.table, now
		e.batch = append(e.batch, change.Event{Op: change.OpRead, Table: j.t.table, After: row, TsMs: now,
			Source: e.sourceValue(j.t.table, flag, now)})
		n++
		// Never flush the range's last row here: it may be the snapshot's.
		if len(e.batch) >= 512 && more {
			if err := e.flush(ctx); err != nil {
				return err
			}
		}
		row, ok = following, more
	}
	j.t.rows += n
	e.s.rows += n
	e.s.srv.Observer.SnapshotTableRows(j.t.name, j.t.rows, j.last)
	if j.last {
		e.noteTableDone(j.t)
	}
	e.st.InFlight = nil
	e.st.Done = append(e.st.Done, done)
	// The done marker waits with the held row (see emitter): Kafka must
	// not see a range done before its last row.
	e.batch = append(e.batch, e.marker())
	return nil
}

func (e *emitter) flush(ctx context.Context) error {
	if len(e.batch) == 0 {
		return nil
	}
	err := e.out.Enqueue(ctx, e.batch...)
	e.batch = e.batch[:0]
	e.held = -1
	return err
}

// finish marks the held row, the snapshot's last, "last" and enqueues it
// with the final marker: snapshot complete, streaming starts at Start.
func (e *emitter) finish(ctx context.Context) error {
	if e.held >= 0 {
		e.batch[e.held].Source = e.sourceValue(e.heldTable, "last", e.heldTs)
	}
	e.note(notify.Completed)
	e.batch = append(e.batch, e.marker())
	return e.flush(ctx)
}

func (s *Snapshotter) sourceValue(t *change.Table, flag string, tsMs int64) *change.Value {
	v := sourceValue(s.srv, t, flag, tsMs, s.startFile, s.startPos)
	if s.serverID != 0 {
		v.Values[server.SrcServerID] = int64(s.serverID)
	}
	if s.gtid != "" && s.cfg.ShowsGTID(s.gtid) {
		v.Values[server.SrcGTID] = s.gtid
	}
	if s.query != "" {
		v.Values[server.SrcQuery] = s.query
	}
	return v
}

// sourceValue is the source block of a snapshot row: server 0, row 0, and
// the position the snapshot's stream starts at.
func sourceValue(srv *server.Server, t *change.Table, flag string, tsMs int64, file string, pos uint64) *change.Value {
	v := srv.SourceFields(tsMs, flag, t.Database)
	v[server.SrcTable] = t.Name
	v[server.SrcServerID] = int64(0)
	v[server.SrcFile] = file
	v[server.SrcPos] = int64(pos)
	v[server.SrcRow] = int64(0)
	return &change.Value{Schema: srv.Source, Values: v}
}
