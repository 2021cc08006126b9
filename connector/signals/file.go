package signals

import (
	"bytes"
	"context"
	"os"
	"time"

	"go.uber.org/zap"
)

// fileChannel reads signals from a file every poll interval, as Debezium's
// FileSignalChannel does: one JSON signal a line; the file is emptied once
// read, so each line is acted on once.
type fileChannel struct {
	path string
	poll time.Duration
	in   *Inbox
	log  *zap.Logger
}

func (f *fileChannel) run(ctx context.Context) {
	f.log.Info("reading signals from the signal file", zap.Duration("every", f.poll))
	t := time.NewTicker(f.poll)
	defer t.Stop()
	for {
		f.read()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (f *fileChannel) read() {
	fi, err := os.Stat(f.path)
	if err != nil || fi.IsDir() {
		return // none yet
	}
	b, err := os.ReadFile(f.path)
	if err != nil {
		f.log.Warn("reading the signal file failed; it is read again at the next poll", zap.Error(err))
		return
	}
	if len(b) == 0 {
		return
	}
	if err := os.Truncate(f.path, 0); err != nil {
		// Emptying it is what keeps a signal from being acted on twice.
		f.log.Warn("the signal file cannot be emptied (Sluice needs write access to it); its signals are not acted on", zap.Error(err))
		return
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if line = bytes.TrimSpace(line); len(line) == 0 {
			continue
		}
		s, err := parse(line)
		if err != nil {
			f.log.Warn("skipping a line of the signal file", zap.ByteString("line", line), zap.Error(err))
			continue
		}
		accept(f.in, s, f.log)
	}
}
