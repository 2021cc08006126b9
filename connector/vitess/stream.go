package vitess

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"go.uber.org/zap"
	binlogdatapb "vitess.io/vitess/go/vt/proto/binlogdata"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/offsets"
)

// maxPending bounds the rows of one transaction held in memory until its
// VGTID arrives. Debezium writes every row of a transaction with the
// transaction's VGTID in source.vgtid, which VTGate sends after the rows.
// The rows of a larger transaction (VTGate sends it in chunks) past this
// size wait in a file (spill), so no transaction is ever held whole in
// memory; once the VGTID is there they are passed on this much at a time.
const maxPending = 8 << 20

// reader turns one VStream's events into change events. One reader serves
// one Snapshot or Stream call; per-shard readers each have their own.
type reader struct {
	cfg     *Config
	build   mysqltypes.TableBuilder
	out     change.Enqueuer
	log     *zap.Logger
	tables  map[string]*tableFields // shard + "/" + table
	pending []change.Event
	shards  []string // the shard of each pending row
	size    int
	spill   *spill         // the transaction's rows past maxPending; nil: none
	inTxn   bool           // between a BEGIN and the commit that ends it
	tx      txMeta         // provide.transaction.metadata's state
	pos     offsets.Vitess // the last VGTID received
	posStr  string
	src     sourceBlocks
	// copying holds the shards whose copy phase has not completed: a
	// VGTID that shows such a shard with a GTID but no cursor is the gap
	// between two tables' copies, not a place to resume from.
	copying map[string]bool
	// untilCopied ends the stream at VTGate's overall COPY_COMPLETED.
	untilCopied bool
	copied      bool
	rows        int64

	// writeAhead (the copy phase): before a copy batch's rows are passed
	// on, the last committed position is stored with the batch as a guard
	// (offsets.CopyGuard), so that the stored offset never lags the rows in
	// Kafka by more than that one known batch.
	writeAhead bool
	copyTxn    bool           // the transaction has copy rows (timestamp 0)
	committed  offsets.Vitess // the last position enqueued as a commit
	// inflight are the copy batches passed on since that commit (more than
	// one when a batch ends where its VGTID is no place to resume from).
	inflight []offsets.CopyGuard
	// guards are the stored offset's copy guards still to replay; start is
	// the position this stream began at, against which the copy's progress
	// shows when a guard's table is copied again at a newer snapshot.
	guards   []offsets.CopyGuard
	start    offsets.Vitess
	runGuard func(ctx context.Context, g offsets.CopyGuard, until string) error
	// guard makes this reader a guard's replay: it passes on the changes of
	// guard.Table, never commits, and ends where VTGate starts copying past
	// the guard's cursor or, with guardUntil set, where the stream passes
	// that GTID (the main stream's new snapshot of the table).
	guard      *offsets.CopyGuard
	guardUntil string
	reached    bool // the replay's transaction now is guardUntil's own
	done       bool
	now        func() time.Time // a schema change record's ts_ms
	// resharded (nil: none) explains VTGate refusing the starting VGTID
	// because it names shards a completed reshard deleted.
	resharded func(context.Context, offsets.Vitess, error) error
	// others, when a copy is resumed one shard at a time, is the whole
	// position (every shard, in order) with the other shards' guards:
	// each position this reader stores carries them unchanged.
	others *offsets.Vitess
	// boxes are where the rows' values are cut from (the reader's own
	// goroutine decodes them).
	boxes *mysqltypes.Boxes
}

func newReader(cfg *Config, b mysqltypes.TableBuilder, out change.Enqueuer, from offsets.Vitess) *reader {
	r := &reader{cfg: cfg, build: b, out: out, log: cfg.Logger, tables: map[string]*tableFields{}, pos: from, posStr: from.String(), copying: map[string]bool{}, now: time.Now,
		boxes: mysqltypes.NewBoxes()}
	for _, s := range from.Shards {
		if s.GTID == "" || len(s.TablePKs) > 0 {
			r.copying[s.Shard] = true
		}
	}
	return r
}

// run reads the stream until ctx ends, the copy completes (untilCopied)
// or the stream fails.
func (r *reader) run(ctx context.Context, c *client, filter *binlogdatapb.Filter, tablesToCopy []string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer r.dropSpill() // a transaction cut off by the stream's end
	st, err := c.vstream(ctx, r.pos, filter, tablesToCopy)
	if err != nil {
		return r.refused(ctx, err)
	}
	received := false
	defer func() {
		if received {
			r.cfg.Observer.Connected(false)
		}
	}()
	for {
		resp, err := st.Recv()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("VTGate %s ended the VStream (EOF) at %s", r.cfg.Addr, r.posStr)
			}
			err = classify(fmt.Errorf("reading the VStream from %s at %s: %w", r.cfg.Addr, r.posStr, err), r.cfg)
			if !received {
				return r.refused(ctx, err) // VTGate checks the VGTID before its first answer
			}
			return err
		}
		if !received {
			r.cfg.Observer.Connected(true) // VTGate has accepted the VGTID
		}
		received = true
		for _, ev := range resp.Events {
			if err := r.handle(ctx, ev); err != nil {
				return err
			}
			if r.done || r.copied && r.untilCopied {
				return nil
			}
		}
	}
}

// refused is a failure to start the stream, explained when it is a
// reshard's.
func (r *reader) refused(ctx context.Context, err error) error {
	if r.resharded == nil {
		return err
	}
	return r.resharded(ctx, r.whole(r.pos), err)
}

func (r *reader) handle(ctx context.Context, ev *binlogdatapb.VEvent) error {
	switch ev.Type {
	case binlogdatapb.VEventType_BEGIN:
		r.copyTxn, r.inTxn = false, true
		if r.cfg.TxMetadata && r.guard == nil {
			r.tx = txMeta{open: true, tsSec: ev.Timestamp}
		}
	case binlogdatapb.VEventType_FIELD:
		fe := ev.FieldEvent
		tf, err := buildTable(r.build, r.cfg.Keyspace, fe.TableName, fe.Fields, r.cfg.BigIntString)
		if err != nil {
			return err
		}
		r.tables[fe.Shard+"/"+fe.TableName] = tf
	case binlogdatapb.VEventType_ROW:
		return r.rowEvent(ev)
	case binlogdatapb.VEventType_VGTID:
		r.pos = vgtidFromProto(ev.Vgtid)
		r.posStr = r.whole(r.pos).String() // source.vgtid names every shard, as Debezium's does
		if r.guard != nil {
			return r.guardEnds()
		}
	case binlogdatapb.VEventType_COMMIT:
		return r.commit(ctx, ev.Timestamp, true)
	case binlogdatapb.VEventType_DDL:
		// A DDL's new table versions arrive as FIELD events before the
		// next rows; here the position moves (as Debezium does for
		// [VGTID, DDL]) and, with include.schema.changes, the schema
		// change record goes out before the commit that covers it.
		r.log.Info("DDL", zap.String("shard", ev.Shard), zap.String("statement", ev.Statement))
		if r.cfg.SchemaChanges && r.guard == nil {
			if err := r.flush(ctx, ev.Timestamp); err != nil {
				return err
			}
			rec := schemaChangeRecord(r.cfg.SchemaChangeTopic, r.cfg.TopicPrefix, r.cfg.Keyspace, ev.Shard, r.posStr, ev.Statement, ev.Timestamp, r.now())
			if err := r.out.Enqueue(ctx, change.Event{Kind: change.KindRecord, Record: rec, TsMs: ev.Timestamp * 1000, Size: 1024 + 2*len(ev.Statement)}); err != nil {
				return err
			}
		}
		return r.commit(ctx, ev.Timestamp, false)
	case binlogdatapb.VEventType_OTHER:
		return r.commit(ctx, ev.Timestamp, false)
	case binlogdatapb.VEventType_COPY_COMPLETED:
		if r.guard != nil {
			r.discard()
			r.done = true
			return nil
		}
		if ev.Keyspace == "" && ev.Shard == "" {
			r.log.Info("VTGate's copy phase completed", zap.Int64("rows", r.rows))
			r.copied = true
			clear(r.copying)
		} else {
			r.log.Info("copy phase completed for a shard", zap.String("shard", ev.Shard))
			delete(r.copying, ev.Shard)
		}
		// The VGTID before it may only now be a place to resume from.
		return r.commit(ctx, 0, false)
	case binlogdatapb.VEventType_HEARTBEAT:
		return r.heartbeat(ctx, ev.Timestamp)
	case binlogdatapb.VEventType_JOURNAL:
		if h := r.handoff(ev.Journal); h != nil {
			return h
		}
		r.log.Warn("VTGate reports a reshard or table move (journal event)", zap.Bool("stop_on_reshard", r.cfg.StopOnReshard))
	}
	return nil
}

// heartbeat answers VStream's heartbeat as Debezium's Vitess connector
// does (it dispatches a heartbeat on each): with heartbeat.interval.ms, a
// commit at the position reached, which carries a heartbeat record when
// one is due, so that they keep coming on an idle keyspace. None within a
// transaction or a guard's replay. Where the position is no place to
// store (during a copy, or VTGate's "current" before the first VGTID),
// the commit has none: the heartbeat record goes out, the offset stays.
func (r *reader) heartbeat(ctx context.Context, tsSec int64) error {
	if r.cfg.Heartbeat <= 0 || r.guard != nil || r.inTxn || len(r.pending) > 0 {
		return nil
	}
	var pos change.Position
	switch {
	case !r.resumable():
	case len(r.committed.Shards) > 0:
		pos = r.committed
	case r.concrete():
		pos = r.position()
	}
	return r.out.Enqueue(ctx, change.Event{Kind: change.KindCommit, Position: pos, TsMs: tsSec * 1000})
}

// concrete: every shard of the last VGTID has a GTID and no copy cursor.
func (r *reader) concrete() bool {
	for _, s := range r.pos.Shards {
		if s.GTID == "" || s.GTID == "current" || len(s.TablePKs) > 0 {
			return false
		}
	}
	return true
}

// rowEvent turns a ROW event's changes into row events, held until the
// transaction's VGTID: in memory up to maxPending, then in a file.
func (r *reader) rowEvent(ev *binlogdatapb.VEvent) error {
	re := ev.RowEvent
	if r.guard != nil && re.TableName != r.guard.Table {
		// A guard's replay passes on its table's changes only: the others
		// are copied or streamed by the main stream, which a replay of
		// them here could only contradict.
		return nil
	}
	if r.spill != nil {
		if _, err := r.fieldsOf(re); err != nil {
			return err
		}
		return r.spill.add(ev)
	}
	if err := r.decodeRows(ev); err != nil {
		return err
	}
	// A copy batch is held whole: its guard (see commit) needs the cursor
	// VTGate sends after its rows, and VTGate's packet size bounds it.
	if r.size > maxPending && !r.copyTxn {
		r.log.Info("a large transaction's rows past the first 8 MiB wait in a file until its VGTID",
			zap.Int("held_bytes", r.size), zap.String("dir", os.TempDir()))
		var err error
		r.spill, err = newSpill()
		return err
	}
	return nil
}

// decodeRows appends a ROW event's changes to the held rows.
func (r *reader) decodeRows(ev *binlogdatapb.VEvent) error {
	re := ev.RowEvent
	tf, err := r.fieldsOf(re)
	if err != nil {
		return err
	}
	for _, rc := range re.RowChanges {
		e := change.Event{Table: tf.table, TsMs: ev.Timestamp * 1000, Size: 256}
		var n int
		if rc.Before != nil {
			if e.Before, n, err = tf.decodeRow(r.boxes, rc.Before); err != nil {
				return err
			}
			e.Size += 2 * n
		}
		if rc.After != nil {
			if e.After, n, err = tf.decodeRow(r.boxes, rc.After); err != nil {
				return err
			}
			e.Size += 2 * n
		}
		switch {
		case e.Before == nil && e.After != nil:
			e.Op = change.OpCreate // copy rows too, as Debezium's Vitess connector writes them
		case e.Before != nil && e.After != nil:
			e.Op = change.OpUpdate
		case e.Before != nil:
			e.Op = change.OpDelete
		default:
			continue
		}
		r.pending = append(r.pending, e)
		r.shards = append(r.shards, re.Shard)
		r.size += e.Size
		r.rows++
	}
	if ev.Timestamp == 0 && r.writeAhead {
		r.copyTxn = true
	}
	return nil
}

// fieldsOf is the table a ROW event's rows are of, as its FIELD event
// (sent before its first rows in the stream) gave it.
func (r *reader) fieldsOf(re *binlogdatapb.RowEvent) (*tableFields, error) {
	tf := r.tables[re.Shard+"/"+re.TableName]
	if tf == nil {
		return nil, fmt.Errorf("a row of %s/%s came before its FIELD event", re.Shard, re.TableName)
	}
	return tf, nil
}

// flush enqueues the held rows, those in memory and then those waiting in
// a file, with their source blocks at the current VGTID. tsSec is the
// commit time, or 0 when not known.
func (r *reader) flush(ctx context.Context, tsSec int64) error {
	if err := r.flushHeld(ctx, tsSec); err != nil || r.spill == nil {
		return err
	}
	s := r.spill
	r.spill = nil
	defer s.close()
	err := s.replay(func(ev *binlogdatapb.VEvent) error {
		if err := r.decodeRows(ev); err != nil {
			return err
		}
		if r.size > maxPending {
			return r.flushHeld(ctx, tsSec)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return r.flushHeld(ctx, tsSec)
}

// flushHeld enqueues the rows held in memory.
func (r *reader) flushHeld(ctx context.Context, tsSec int64) error {
	if len(r.pending) == 0 {
		return nil
	}
	if err := r.txBegin(ctx); err != nil {
		return err
	}
	for i := range r.pending {
		e := &r.pending[i]
		if tsSec != 0 {
			e.TsMs = tsSec * 1000
		}
		e.Source = r.src.value(r.cfg.TopicPrefix, e.TsMs/1000, r.cfg.Keyspace, e.Table.Name, r.shards[i], r.posStr)
	}
	err := r.out.Enqueue(ctx, r.pending...)
	clear(r.pending)
	r.pending, r.shards, r.size = r.pending[:0], r.shards[:0], 0
	return err
}

// guardEnds ends a guard's replay at a VGTID that is past what it
// replays: VTGate caught up to its own new snapshot and copies past the
// guard's cursor (the rows held are that copy's, which the main stream
// sends), or the transaction ending here committed after the main
// stream's snapshot, whose copy rows would then follow a newer version of
// the same rows; the main stream sends that transaction after its copy.
func (r *reader) guardEnds() error {
	sh := r.guard.Shard.Shard
	if cursor(r.pos, sh, r.guard.Table) != cursor(offsets.Vitess{Shards: []offsets.ShardGTID{r.guard.Shard}}, sh, r.guard.Table) {
		r.discard()
		r.done = true
		return nil
	}
	if r.guardUntil == "" {
		return nil
	}
	at := shardGTID(r.pos, sh)
	past, err := gtidBeyond(at, r.guardUntil)
	if err == nil && !past {
		var short bool
		short, err = gtidBeyond(r.guardUntil, at)
		r.reached = !short // at is the new snapshot: its transaction is the last
	}
	if err != nil {
		return fmt.Errorf("replaying shard %s of %s: %w", sh, r.guard.Table, err)
	}
	if past {
		r.discard()
		r.done = true
	}
	return nil
}

func (r *reader) discard() {
	clear(r.pending)
	r.pending, r.shards, r.size = r.pending[:0], r.shards[:0], 0
	r.dropSpill()
}

// dropSpill removes the file of held rows, if any.
func (r *reader) dropSpill() {
	if r.spill != nil {
		r.spill.close()
		r.spill = nil
	}
}

// commit passes on the transaction's rows and, where the VGTID is a place
// to resume from, a commit at it. txEnd is VStream's COMMIT, the only
// event that ends a transaction's metadata (DDL and OTHER events move the
// position without one, as in Debezium).
func (r *reader) commit(ctx context.Context, tsSec int64, txEnd bool) error {
	r.inTxn = false
	if r.guard != nil {
		r.done = r.reached         // what follows comes after the new snapshot
		return r.flush(ctx, tsSec) // a guard's replay has no position of its own
	}
	// A guard is replayed before the batch that shows its table copied
	// again: the copy's rows, read at the new snapshot, then come after
	// every change the replay passes on. The guard stays stored until the
	// commit after the batch.
	held := r.guards
	if err := r.replayGuards(ctx); err != nil {
		return err
	}
	if r.writeAhead && len(r.pending) > 0 {
		if g, ok := r.copyBatch(); ok {
			// Durable before the batch's first row reaches Kafka: a crash
			// from here on finds the batch among the guards.
			r.inflight = append(r.inflight, g)
			cp := r.whole(offsets.Vitess{Shards: r.committed.Shards, Guards: append(slices.Clone(held), r.inflight...)})
			if err := r.out.Checkpoint(ctx, cp); err != nil {
				return err
			}
		}
	}
	r.copyTxn = false
	if err := r.txBegin(ctx); err != nil {
		return err
	}
	if err := r.flush(ctx, tsSec); err != nil {
		return err
	}
	end := txEnd && r.tx.open
	if end {
		r.tx = txMeta{}
	}
	if !r.resumable() {
		if end {
			// The transaction's END, at no place to resume from: the
			// offset stays where it is (a commit without a position).
			return r.out.Enqueue(ctx, change.Event{Kind: change.KindCommit, TsMs: tsSec * 1000, TxEnd: true})
		}
		return nil
	}
	pos := r.position()
	r.committed, r.inflight = pos, nil
	return r.out.Enqueue(ctx, change.Event{Kind: change.KindCommit, Position: pos, TsMs: tsSec * 1000, TxEnd: end})
}

// txMeta is a VStream transaction's state for provide.transaction.metadata.
type txMeta struct {
	open    bool  // a BEGIN was received and its END is not enqueued
	started bool  // its start (change.KindBegin) is enqueued
	tsSec   int64 // the BEGIN's time
}

// txBegin enqueues the start of the open transaction before its first row,
// as Debezium's Vitess connector starts one at each VStream BEGIN (copy
// batches and transactions without captured rows included). Its id is the
// transaction's VGTID, the one its rows carry in source.vgtid, which VTGate
// sends after the rows: a transaction too large to hold (see maxPending)
// is started before it, with the VGTID its first rows carry.
func (r *reader) txBegin(ctx context.Context) error {
	if !r.tx.open || r.tx.started {
		return nil
	}
	r.tx.started = true
	return r.out.Enqueue(ctx, change.Event{Kind: change.KindBegin, TxID: r.posStr, TsMs: r.tx.tsSec * 1000})
}

// position is the task's position at the last VGTID received, with the
// guards still to replay: what a commit here stores.
func (r *reader) position() offsets.Vitess {
	return r.whole(offsets.Vitess{Shards: r.pos.Shards, Guards: slices.Clone(r.guards)})
}

// copyBatch reports whether the transaction ending now copied rows: its
// shard's cursor moved since the last commit. The guard is that shard's
// entry with the moved cursor alone.
func (r *reader) copyBatch() (offsets.CopyGuard, bool) {
	for _, sg := range r.pos.Shards {
		if sg.Shard != r.shards[0] { // VTGate sends one shard's transaction at a time
			continue
		}
		for _, t := range sg.TablePKs {
			if t.LastPK == nil || cursor(r.committed, sg.Shard, t.TableName) == cursor(r.pos, sg.Shard, t.TableName) {
				continue
			}
			g := sg
			g.TablePKs = []offsets.TableLastPK{t}
			return offsets.CopyGuard{Table: t.TableName, Shard: g}, true
		}
	}
	return offsets.CopyGuard{}, false
}

// replayGuards replays each stored guard once VTGate has taken the new
// snapshot its range is copied again at: the guard's table cursor moved
// from where this stream started, or the shard's copy is over. The replay
// runs from the guard's snapshot up to the new one (the shard's GTID now),
// so every row of the range deleted in between gets its delete, and no
// change it passes on is newer than the copy rows still to come; what it
// repeats, the main stream sent before, in order.
func (r *reader) replayGuards(ctx context.Context) error {
	var keep []offsets.CopyGuard // not in place: r.guards may be a stored position's
	for _, g := range r.guards {
		sh := g.Shard.Shard
		if r.copying[sh] && cursor(r.pos, sh, g.Table) == cursor(r.start, sh, g.Table) {
			keep = append(keep, g)
			continue
		}
		until := shardGTID(r.pos, sh)
		if until != "" && g.Shard.GTID != "" {
			after, err := gtidBeyond(until, g.Shard.GTID)
			if err != nil {
				return fmt.Errorf("comparing copy guard of shard %s, table %s with the new snapshot: %w", sh, g.Table, err)
			}
			if !after {
				r.log.Info("no transaction between a copy guard's snapshot and the new one: nothing to replay",
					zap.String("shard", sh), zap.String("table", g.Table), zap.String("at", until))
				continue
			}
		}
		r.log.Info("replaying the changes of a copy batch that may be in Kafka from before a restart",
			zap.String("shard", sh), zap.String("table", g.Table), zap.String("from", g.Shard.GTID), zap.String("until", until))
		if err := r.runGuard(ctx, g, until); err != nil {
			return err
		}
	}
	r.guards = keep
	return nil
}

// cursor is a shard's copy cursor for a table in p, as text ("" when none).
func cursor(p offsets.Vitess, shard, table string) string {
	for _, sg := range p.Shards {
		if sg.Shard != shard {
			continue
		}
		for _, t := range sg.TablePKs {
			if t.TableName == table {
				return offsets.Vitess{Shards: []offsets.ShardGTID{{TablePKs: []offsets.TableLastPK{t}}}}.String()
			}
		}
	}
	return ""
}

// resumable: between two tables' copies VTGate shows a shard with its GTID
// and no cursor, which a restart would read as "copy done" and skip the
// tables not yet copied; such a VGTID is not stored.
func (r *reader) resumable() bool {
	for _, s := range r.pos.Shards {
		if r.copying[s.Shard] && s.GTID != "" && len(s.TablePKs) == 0 {
			return false
		}
	}
	return len(r.pos.Shards) > 0
}

// whole is p with the shards this reader does not read (r.others), in the
// stored order; p's own shards replace their entries.
func (r *reader) whole(p offsets.Vitess) offsets.Vitess {
	if r.others == nil {
		return p
	}
	out := offsets.Vitess{Guards: slices.Concat(p.Guards, r.others.Guards)}
	for _, sg := range r.others.Shards {
		if i := slices.IndexFunc(p.Shards, func(x offsets.ShardGTID) bool { return x.Shard == sg.Shard }); i >= 0 {
			sg = p.Shards[i]
		}
		out.Shards = append(out.Shards, sg)
	}
	return out
}
