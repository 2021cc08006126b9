package connector

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/notify"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// Coordinator owns what every source shares: the snapshot.mode policy
// (what to do without a stored offset, with one that records an unfinished
// snapshot, and when the source no longer has the stored position), and
// retrying transient failures with a backoff that resets on progress. It
// only decides; the source reads.
type Coordinator struct {
	Source Source
	Mode   string // snapshot.mode
	// NoStream ends the reading after the snapshot, as initial_only does,
	// for a mode that is not initial_only: configuration_based's
	// start.stream=false, which runs as always without streaming.
	NoStream bool
	Queue    *Queue
	// Backoff is the first wait after a transient failure (0: 1 s); it
	// doubles up to MaxBackoff (0: 30 s) and resets once a reader makes
	// progress.
	Backoff, MaxBackoff time.Duration
	// FailAfter is the transient failure in a row, with no progress
	// between them, that fails the task instead of being retried:
	// errors.max.retries + 1, as Debezium's ErrorHandler stops the
	// connector once its retries are used up. 0: none does.
	FailAfter int
	// Retriable, when set, makes a definite failure it matches transient
	// (custom.retriable.exception).
	Retriable func(error) bool
	Hooks     Hooks
	Logger    *zap.Logger
	// Snapshotted is the task's record that snapshot.mode=always has taken
	// its snapshot: the task outlives a pause, which starts a new
	// coordinator that must not snapshot again. nil: none is kept, and
	// every Run is a start.
	Snapshotted *atomic.Bool
	// SnapshotDelay and StreamingDelay are snapshot.delay.ms and
	// streaming.delay.ms: waits before a snapshot and before streaming,
	// at every start of the reading, as Debezium's.
	SnapshotDelay, StreamingDelay time.Duration
	// SkipPositionCheck is internal.log.position.check.enable=false: no
	// PositionChecker call at start; a stream from a position the source
	// no longer has then fails as it reads.
	SkipPositionCheck bool
	// Notify is the sink notification channel (nil: off). Debezium's
	// snapshot source runs at every start of a task, and says what it did:
	// the coordinator, which decides, notifies a start that takes no
	// snapshot (see startNotes).
	Notify *notify.Sink
	// CopyInStream: the source's copy of the tables is part of its stream
	// (Vitess), where Debezium's snapshot source does nothing, so every
	// start notifies a skipped snapshot.
	CopyInStream bool
}

// Run reads from the stored offset (nil: none) until ctx ends (nil), the
// snapshot.mode says reading is over (initial_only: nil), or a definite
// error.
func (c *Coordinator) Run(ctx context.Context, stored []byte) error {
	from, err := c.Source.ParseOffset(stored)
	if err != nil {
		return fault.Definite(fmt.Errorf("the stored offset %s cannot be used: %w; delete it from the offsets topic to start over", stored, err))
	}
	out := &progress{Enqueuer: c.Queue.Reader(from), last: from}
	return c.retry(ctx, "reading", out, func(ctx context.Context) error {
		// After a failure, go on from the last position enqueued: everything
		// before it is queued already.
		return c.read(ctx, out.last, out)
	})
}

// read runs the snapshot.mode policy once, from `from`.
func (c *Coordinator) read(ctx context.Context, from change.Position, out *progress) error {
	if u, ok := from.(UnresumableSnapshot); ok && u.SnapshotUnresumable() {
		// Debezium's own restart snapshots again from the start; streaming
		// from the offset would leave the rows it had not read out.
		if c.Mode == config.SnapshotNever {
			return fault.Definite(errors.New("the stored offset records an initial snapshot that did not finish (Debezium's), and snapshot.mode=never takes none: streaming from it would leave out the rows that snapshot had not read; set snapshot.mode=initial to take a new one"))
		}
		c.Logger.Warn("the stored offset records an initial snapshot that did not finish, without progress Sluice can resume (Debezium's): taking a new snapshot, as Debezium would",
			zap.String("snapshot.mode", c.Mode))
		from = nil
	}
	if err := c.Source.Start(ctx, from); err != nil {
		return err
	}
	from, err := c.checkPosition(ctx, from)
	if err != nil {
		return err
	}
	if notes := c.startNotes(from); len(notes) > 0 {
		if err := out.Enqueue(ctx, notes...); err != nil {
			return err
		}
	}
	switch {
	case from == nil && c.Mode == config.SnapshotNever:
		c.Logger.Info("snapshot.mode=never: streaming from the oldest change the source has")
		return c.delayedStream(ctx, nil, out)
	case from == nil && noData(c.Mode):
		pos, err := c.snapshot(ctx, nil, false, out)
		if err != nil {
			return err
		}
		// Durable before reading on, so that a restart, even one before the
		// first change is delivered, resumes here rather than at a later
		// "current" position, losing what came between.
		if err := out.Checkpoint(ctx, pos); err != nil {
			return err
		}
		c.Logger.Info("no stored offset; streaming from the source's current position", zap.String("snapshot.mode", c.Mode))
		return c.delayedStream(ctx, pos, out)
	case c.Mode == config.SnapshotAlways && !inProgress(from) && !c.snapshotted():
		// Debezium's "always": a new snapshot at every start of the task,
		// whatever offset is stored, then streaming from that snapshot.
		c.Logger.Info("snapshot.mode=always: taking a new snapshot", zap.Bool("offset_stored", from != nil))
		return c.snapshotThenStream(ctx, nil, out)
	case from == nil || inProgress(from):
		err := c.snapshotThenStream(ctx, from, out)
		if from != nil && errors.Is(err, fault.ErrPositionUnavailable) && c.Mode == config.SnapshotWhenNeeded {
			c.Logger.Warn("the source no longer has the stored snapshot position; snapshot.mode=when_needed: taking a new snapshot", zap.Error(err))
			return c.snapshotThenStream(ctx, nil, out)
		}
		return err
	}
	if c.streamless() {
		// Debezium's initial_only never streams: a connector restarted
		// after its snapshot stays idle rather than read the binlog.
		c.Logger.Info("the stored offset is past the snapshot; not streaming", zap.String("snapshot.mode", c.Mode), zap.Bool("no_stream", c.NoStream))
		return nil
	}
	err = c.delayedStream(ctx, from, out)
	if errors.Is(err, fault.ErrPositionUnavailable) && c.Mode == config.SnapshotWhenNeeded {
		c.Logger.Warn("the source no longer has the stored position; snapshot.mode=when_needed: taking a new snapshot", zap.Error(err))
		return c.snapshotThenStream(ctx, nil, out)
	}
	return err
}

// checkPosition asks the source, before any notification, whether it still
// has a stored streaming position, as Debezium checks at every start that
// streams: when it has not, when_needed starts over as without an offset
// (a new snapshot, not a SKIPPED one first) and the other modes stop with
// the source's error. always and initial_only take no stream from it.
func (c *Coordinator) checkPosition(ctx context.Context, from change.Position) (change.Position, error) {
	pc, ok := c.Source.(PositionChecker)
	if !ok || c.SkipPositionCheck || from == nil || inProgress(from) || c.Mode == config.SnapshotAlways || c.streamless() {
		return from, nil
	}
	err := pc.CheckPosition(ctx, from)
	if errors.Is(err, fault.ErrPositionUnavailable) && c.Mode == config.SnapshotWhenNeeded {
		c.Logger.Warn("the source no longer has the stored position; snapshot.mode=when_needed: taking a new snapshot", zap.Error(err))
		return nil, nil
	}
	return from, err
}

func (c *Coordinator) snapshotThenStream(ctx context.Context, from change.Position, out *progress) error {
	pos, err := c.snapshot(ctx, from, true, out)
	if err != nil || ctx.Err() != nil {
		return err
	}
	// A retry goes on from the snapshot's end, not from an older stored
	// offset (snapshot.mode=always), whether or not the source enqueued it.
	out.last = pos
	if c.Snapshotted != nil {
		c.Snapshotted.Store(true)
	}
	if c.streamless() {
		c.Logger.Info("snapshot done; not streaming", zap.String("snapshot.mode", c.Mode), zap.Bool("no_stream", c.NoStream))
		return nil
	}
	return c.delayedStream(ctx, pos, out)
}

// snapshot is the source's snapshot after snapshot.delay.ms.
func (c *Coordinator) snapshot(ctx context.Context, from change.Position, data bool, out *progress) (change.Position, error) {
	if err := c.delay(ctx, c.SnapshotDelay, "snapshot.delay.ms", "snapshot"); err != nil {
		return nil, err
	}
	c.Hooks.snapshotStarted()
	pos, err := c.Source.Snapshot(ctx, from, data, out)
	c.Hooks.snapshotEnded(err == nil && ctx.Err() == nil)
	return pos, err
}

// delayedStream is stream after streaming.delay.ms.
func (c *Coordinator) delayedStream(ctx context.Context, from change.Position, out *progress) error {
	if err := c.delay(ctx, c.StreamingDelay, "streaming.delay.ms", "streaming"); err != nil {
		return err
	}
	return c.stream(ctx, from, out)
}

// delay waits d, or until ctx ends (its error then: the caller stops).
func (c *Coordinator) delay(ctx context.Context, d time.Duration, setting, what string) error {
	if d <= 0 {
		return nil
	}
	c.Logger.Info("waiting before "+what, zap.String("setting", setting), zap.Duration("delay", d))
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stream runs the source's stream, with one reader or, for a Splitter, one
// reader per part, each retried on its own. A reader whose part ends at a
// handoff (change.Handoff) is replaced by readers of the parts that take
// over, started once every participant of the handoff has ended.
func (c *Coordinator) stream(ctx context.Context, from change.Position, out *progress) error {
	sp, ok := c.Source.(Splitter)
	if !ok || from == nil {
		return c.Source.Stream(ctx, from, out)
	}
	parts, err := sp.Split(from)
	if err != nil {
		return fault.Definite(fmt.Errorf("splitting the position among readers: %w", err))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type ended struct {
		r   *progress
		err error
	}
	done := make(chan ended)
	running := 0
	var readers []*progress // every reader started, for a definite stop
	// takeOver starts the readers of parts, which take over from the
	// retiring readers' positions (Queue.TakeOver).
	takeOver := func(parts []change.Position, retiring ...*progress) {
		var from []change.Enqueuer
		for _, r := range retiring {
			from = append(from, r.Enqueuer)
		}
		for i, e := range c.Queue.TakeOver(parts, from...) {
			r := &progress{Enqueuer: e, last: parts[i]}
			readers = append(readers, r)
			running++
			go func() {
				err := c.retry(ctx, "streaming a part", r, func(ctx context.Context) error {
					return c.Source.Stream(ctx, r.last, r)
				})
				done <- ended{r, err} // the loop below receives until every reader has ended
			}()
		}
	}
	takeOver(parts, out)
	var first error
	// Participants that ended at a handoff not yet complete keep their
	// positions (before the handoff) in the task's: stopped now, the task
	// resumes before the handoff and meets it again.
	type waiting struct {
		ended              []*progress
		covered            int
		reason, unfinished string
	}
	handoffs := map[string]*waiting{}
	for running > 0 {
		e := <-done
		running--
		var h *change.Handoff
		if errors.As(e.err, &h) {
			w := handoffs[h.Key]
			if w == nil {
				w = &waiting{reason: h.Reason, unfinished: h.Unfinished}
				handoffs[h.Key] = w
			}
			w.ended = append(w.ended, e.r)
			w.covered += max(h.Covered, 1)
			c.Logger.Info("a reader's part ended; others take over", zap.String("reason", h.Reason),
				zap.Int("participants_ended", w.covered), zap.Int("participants", h.Participants), zap.Int("next_parts", len(h.Next)))
			if w.covered >= h.Participants && first == nil {
				delete(handoffs, h.Key)
				// Their last changes still hold the position back until
				// acknowledged; the new parts join it from their start.
				takeOver(h.Next, w.ended...)
			}
			continue
		}
		if e.err != nil && first == nil {
			first = e.err
			cancel() // a definite error in one reader stops them all
		}
	}
	if first != nil {
		// The parts stopped for good. When reading goes on anyway
		// (when_needed's new snapshot), it goes through out again: the
		// parts' positions must not join the task's any more.
		for _, r := range readers {
			r.retire()
		}
		out.revive()
		return first
	}
	if ctx.Err() == nil {
		for _, w := range handoffs {
			return fault.Definite(fmt.Errorf("%s: this task's readers ended there but its other participants never did, so the parts that replace them were not started; the stored offset stays before it. %s", w.reason, w.unfinished))
		}
	}
	return first
}

// retry runs f until ctx ends, it returns nil, or a definite error; a
// transient error is logged and f runs again after a backoff, which resets
// when the reader enqueued a commit since the last failure.
func (c *Coordinator) retry(ctx context.Context, what string, p *progress, f func(context.Context) error) error {
	first, most := c.Backoff, c.MaxBackoff
	if first <= 0 {
		first = time.Second
	}
	if most <= 0 {
		most = 30 * time.Second
	}
	backoff := first
	for attempt := 1; ; attempt++ {
		p.moved = false
		err := f(ctx)
		if ctx.Err() != nil {
			return nil
		}
		var h *change.Handoff
		if errors.As(err, &h) {
			return err // not a failure: the part is over
		}
		if err == nil || fault.IsDefinite(err) && (c.Retriable == nil || !c.Retriable(err)) {
			if err != nil {
				c.Hooks.failed(err, true)
			}
			return err
		}
		if p.moved {
			attempt, backoff = 1, first
		}
		if c.FailAfter > 0 && attempt >= c.FailAfter {
			err = fault.RetriesUsedUp(fmt.Errorf("%s: %w", what, err), attempt, c.FailAfter-1)
			c.Hooks.failed(err, true)
			return err
		}
		c.Hooks.failed(err, false)
		c.Logger.Warn("transient failure; retrying", zap.String("doing", what), zap.Error(err),
			zap.Int("attempt", attempt), zap.Duration("backoff", backoff))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, most)
	}
}

// startNotes are the notifications of a start that takes no snapshot of
// the data, as Debezium 3.5's snapshot source sends them (checked against
// its MariaDB and Vitess connectors): SKIPPED when neither structure nor
// rows are read (a restart after the snapshot, snapshot.mode=never, and
// every start of the Vitess connector), and STARTED then COMPLETED for the
// structure alone (no_data's first start, and recovery's every start). A
// start that snapshots rows gets its notes from the source's snapshot.
// when_needed finds a lost position only as it streams, after SKIPPED;
// Debezium checks before, and sends the new snapshot's notes alone.
func (c *Coordinator) startNotes(from change.Position) []change.Event {
	var types []string
	switch {
	case c.Notify == nil:
	case c.CopyInStream, from == nil && c.Mode == config.SnapshotNever:
		types = []string{notify.Skipped}
	case from == nil && noData(c.Mode):
		types = []string{notify.Started, notify.Completed}
	case from == nil, inProgress(from):
	case c.Mode == config.SnapshotAlways && !c.snapshotted():
	case c.Mode == config.SnapshotRecovery, c.Mode == config.SnapshotSchemaOnlyRecovery:
		types = []string{notify.Started, notify.Completed}
	default:
		types = []string{notify.Skipped}
	}
	var notes []change.Event
	for _, typ := range types {
		notes = c.Notify.Append(notes, notify.NewID(), notify.InitialSnapshot, typ)
	}
	return notes
}

// streamless reports whether the reading ends with the snapshot.
func (c *Coordinator) streamless() bool {
	return c.Mode == config.SnapshotInitialOnly || c.NoStream
}

// snapshotted reports whether this task has taken its snapshot already.
func (c *Coordinator) snapshotted() bool {
	return c.Snapshotted != nil && c.Snapshotted.Load()
}

func noData(mode string) bool {
	switch mode {
	case config.SnapshotNoData, config.SnapshotSchemaOnly, config.SnapshotRecovery, config.SnapshotSchemaOnlyRecovery:
		return true
	}
	return false
}

func inProgress(pos change.Position) bool {
	sp, ok := pos.(SnapshotProgress)
	return ok && sp.SnapshotInProgress()
}

// progress is a reader's Enqueuer that remembers the last position the
// reader enqueued (where to go on after a failure) and whether it moved.
type progress struct {
	change.Enqueuer
	last  change.Position
	moved bool
}

func (p *progress) Enqueue(ctx context.Context, events ...change.Event) error {
	err := p.Enqueuer.Enqueue(ctx, events...)
	if err == nil {
		for i := len(events) - 1; i >= 0; i-- {
			if events[i].Kind == change.KindCommit && events[i].Position != nil {
				p.last, p.moved = events[i].Position, true
				break
			}
		}
	}
	return err
}

func (p *progress) Checkpoint(ctx context.Context, pos change.Position) error {
	err := p.Enqueuer.Checkpoint(ctx, pos)
	if err == nil {
		p.last, p.moved = pos, true
	}
	return err
}

// revive undoes retire: the reader reads again, from its last position.
func (p *progress) revive() {
	if r, ok := p.Enqueuer.(*readerQueue); ok {
		r.q.revive(r.id)
	}
}

// retire says the reader's position is no longer part of the task's once
// its records are acknowledged: other readers took over from it.
func (p *progress) retire() {
	if r, ok := p.Enqueuer.(*readerQueue); ok {
		r.q.retire(r.id)
	}
}

// MatchesMessage is custom.retriable.exception's test, as Debezium's
// ErrorHandler makes it on an exception and its causes: re matches the
// whole message of err or of an error it wraps.
func MatchesMessage(re *regexp.Regexp) func(error) bool {
	return func(err error) bool {
		for ; err != nil; err = errors.Unwrap(err) {
			if re.MatchString(err.Error()) {
				return true
			}
		}
		return false
	}
}
