package connector

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/offsets"
)

// Source is a connector's reader side. Run decodes the stored offset (nil
// when there is none), reads from there and enqueues events until ctx is
// done (then it returns nil) or it meets an error it cannot retry.
type Source interface {
	Run(ctx context.Context, stored []byte, out change.Enqueuer) error
}

// Task runs one connector: its source feeds the queue, the poller drains it.
// The task only wires the parts and orders their shutdown.
type Task struct {
	Name      string
	Source    Source
	Queue     *Queue
	Poller    *Poller
	Store     offsets.Store
	OffsetKey []byte
	// ShutdownTimeout bounds the soft stop (drain, flush, final commit).
	ShutdownTimeout time.Duration
	Logger          *zap.Logger
}

// Run runs the task until ctx is cancelled (a soft stop: stop reading,
// drain the queue, flush, commit, return nil) or a part fails (the other
// parts stop the same way and the error is returned).
func (t *Task) Run(ctx context.Context) error {
	log := t.Logger.With(zap.String("connector", t.Name))
	stored, err := t.Store.Load(ctx, t.OffsetKey)
	if err != nil {
		return fmt.Errorf("connector %s: loading stored offset: %w", t.Name, err)
	}
	if stored == nil {
		log.Info("no stored offset; starting from the server's current position")
	} else {
		log.Info("resuming from stored offset", zap.ByteString("offset", stored))
	}

	readCtx, stopReading := context.WithCancel(context.Background())
	defer stopReading()
	pollCtx, stopPolling := context.WithCancel(context.Background())
	defer stopPolling()

	sourceDone := make(chan struct{})
	sourceErr := make(chan error, 1)
	pollErr := make(chan error, 1)
	go func() {
		err := t.Source.Run(readCtx, stored, t.Queue)
		close(sourceDone)
		sourceErr <- err
	}()
	go func() { pollErr <- t.Poller.Run(pollCtx, sourceDone) }()

	var firstErr error
	var hard <-chan time.Time
	stopping := false
	softStop := func(reason string) {
		if stopping {
			return
		}
		stopping = true
		log.Info("stopping: no more reading, draining the queue", zap.String("reason", reason))
		stopReading()
		timer := time.NewTimer(t.ShutdownTimeout)
		hard = timer.C
	}
	for sourceErr != nil || pollErr != nil {
		select {
		case <-ctx.Done():
			softStop("shutdown requested")
		case err := <-sourceErr:
			sourceErr = nil
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("connector %s: %w", t.Name, err)
			}
			softStop("reader finished")
		case err := <-pollErr:
			pollErr = nil
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("connector %s: %w", t.Name, err)
			}
			softStop("poller finished")
			// Without a poller nothing drains the queue: unblock the reader.
			stopReading()
		case <-hard:
			log.Warn("soft stop timed out; stopping without the final offset commit",
				zap.Duration("timeout", t.ShutdownTimeout))
			stopPolling()
			hard = nil
			if firstErr == nil {
				firstErr = fmt.Errorf("connector %s: shutdown took longer than %s", t.Name, t.ShutdownTimeout)
			}
		}
	}
	if firstErr == nil {
		log.Info("stopped cleanly")
	}
	return firstErr
}

// IsDefinite reports whether err is one that retrying cannot fix.
func IsDefinite(err error) bool {
	var d *DefiniteError
	return errors.As(err, &d)
}
