package history

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"go.uber.org/zap"
)

// FileStore keeps the schema history in a file as Debezium's
// FileSchemaHistory (schema.history.internal.file.filename) does: one
// compact JSON document per line, appended. Blank lines are skipped, as
// Debezium skips them.
//
// Unlike Debezium, every Append is fsynced before it returns. A crash in
// the middle of an Append can leave a partial last line; that record was
// never acknowledged, so Recover skips it and the next Append cuts it off
// before writing.
//
// Recover, Append, Empty and Close may be called concurrently. One process
// at a time should use a file.
type FileStore struct {
	path string
	log  *zap.Logger

	mu     sync.Mutex
	f      *os.File // open for appending once the first Append ran; nil after a failed write
	closed bool
}

var _ Store = (*FileStore)(nil)

// NewFileStore returns the store kept in path. Nothing is read or created
// until it is used: a missing file is an empty history, created (with its
// directory) by the first Append. A nil logger discards logs.
func NewFileStore(path string, log *zap.Logger) (*FileStore, error) {
	if path == "" {
		return nil, errors.New("opening schema history file: no file name configured (schema.history.internal.file.filename)")
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &FileStore{path: path, log: log.With(zap.String("file", path))}, nil
}

// Path returns the history file's path.
func (s *FileStore) Path() string { return s.path }

// size returns the file's current size under the lock, so that a reader
// stops before any line an Append is writing at the same time.
func (s *FileStore) size() (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errors.New("store is closed")
	}
	fi, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// Recover reads the lines present when it is called, in order, and calls
// fn with each record. fn may call Append: the file is not locked while
// fn runs.
func (s *FileStore) Recover(ctx context.Context, fn func(Record) error) error {
	if err := s.recover(ctx, fn); err != nil {
		return fmt.Errorf("recovering schema history from %s: %w", s.path, err)
	}
	return nil
}

func (s *FileStore) recover(ctx context.Context, fn func(Record) error) error {
	size, err := s.size()
	if err != nil || size == 0 {
		return err
	}
	f, err := os.Open(s.path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(io.LimitReader(f, size), 64<<10)
	for line := 1; ; line++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		// ReadBytes, not a Scanner: a CREATE TABLE of a wide table makes a
		// line longer than any fixed limit.
		b, err := r.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return err
		}
		complete := err == nil
		if len(b) == 0 {
			return nil
		}
		if doc := bytes.TrimSpace(b); len(doc) > 0 {
			rec, derr := Unmarshal(doc)
			switch {
			case derr == nil:
				if ferr := fn(rec); ferr != nil {
					return ferr
				}
			case errors.Is(derr, ErrInvalidRecord):
				s.log.Warn("skipping a document that is not a schema history record", zap.Int("line", line), zap.Error(derr))
			case !complete:
				// A partial last line: an Append interrupted by a crash,
				// which never returned, so the record was never relied on.
				s.log.Warn("skipping an incomplete last line (a write interrupted by a crash)", zap.Int("line", line))
			default:
				return fmt.Errorf("line %d: %w", line, derr)
			}
		}
		if !complete {
			return nil
		}
	}
}

// Empty reports whether the file is missing or holds no record (only blank
// lines, or nothing).
func (s *FileStore) Empty(ctx context.Context) (bool, error) {
	empty, err := s.empty(ctx)
	if err != nil {
		return false, fmt.Errorf("checking whether schema history %s is empty: %w", s.path, err)
	}
	return empty, nil
}

func (s *FileStore) empty(ctx context.Context) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	size, err := s.size()
	if err != nil || size == 0 {
		return true, err
	}
	f, err := os.Open(s.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return true, nil
		}
		return false, err
	}
	defer f.Close()
	r := bufio.NewReader(io.LimitReader(f, size))
	for {
		c, err := r.ReadByte()
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false, nil
		}
	}
}

// Append writes r as one line and fsyncs the file before returning.
func (s *FileStore) Append(ctx context.Context, r Record) error {
	if err := s.append(ctx, r); err != nil {
		return fmt.Errorf("appending to schema history %s: %w", s.path, err)
	}
	return nil
}

func (s *FileStore) append(ctx context.Context, r Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	line, err := r.Marshal()
	if err != nil {
		return err
	}
	line = append(line, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("store is closed")
	}
	if s.f == nil {
		if s.f, err = s.openForAppend(); err != nil {
			return err
		}
	}
	_, err = s.f.Write(line)
	if err == nil {
		err = s.f.Sync()
	}
	if err != nil {
		// The line may be partly written: reopen (and repair the tail)
		// before the next Append.
		s.f.Close()
		s.f = nil
		return err
	}
	return nil
}

// openForAppend opens the file for appending, creating it and its
// directory when missing, and repairs a last line without a newline.
func (s *FileStore) openForAppend() (*os.File, error) {
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	_, statErr := os.Stat(s.path)
	created := errors.Is(statErr, fs.ErrNotExist)
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if created {
		// Make the new file's directory entry durable.
		if err := syncDir(dir); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := s.repairTail(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// repairTail makes the file end with a newline so the next line starts on
// its own: a last line that is a whole record (written by something that
// does not end lines) gets its newline; a partial one, left by an
// interrupted Append, is cut off.
func (s *FileStore) repairTail(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if size == 0 {
		return nil
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, size-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	// Find the start of the last line, reading backwards.
	lineStart := int64(0)
	buf := make([]byte, 64<<10)
	for end := size; end > 0 && lineStart == 0; {
		n := min(int64(len(buf)), end)
		if _, err := f.ReadAt(buf[:n], end-n); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			lineStart = end - n + int64(i) + 1
		}
		end -= n
	}
	tail := make([]byte, size-lineStart)
	if _, err := f.ReadAt(tail, lineStart); err != nil {
		return err
	}
	if _, err := Unmarshal(bytes.TrimSpace(tail)); err == nil || len(bytes.TrimSpace(tail)) == 0 {
		_, err = f.Write([]byte{'\n'})
		if err == nil {
			err = f.Sync()
		}
		return err
	}
	s.log.Warn("cutting off an incomplete last line (a write interrupted by a crash)",
		zap.Int64("offset", lineStart), zap.Int64("bytes", size-lineStart))
	if err := f.Truncate(lineStart); err != nil {
		return err
	}
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Close closes the file; later calls fail.
func (s *FileStore) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}
