package offsets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"unicode/utf8"
)

// FileStore keeps offsets in a JSON file, an object mapping each key to its
// value, both as JSON strings:
//
//	{"[\"inventory\",{\"server\":\"db1\"}]": "{\"ts_sec\":1700000000,...}"}
//
// It is meant for standalone runs and tests; unlike Kafka Connect's
// standalone file store (Java serialisation) it is readable and editable.
// Every Commit rewrites the whole file atomically (temporary file, fsync,
// rename, fsync of the directory), so a crash leaves either the old or the
// new file. Keys and values must be valid UTF-8 (JSON is).
//
// Load, Commit and Close may be called concurrently. One process at a time
// should use a file: the store reads it once, when opened.
type FileStore struct {
	path string

	mu      sync.Mutex
	offsets map[string]string
	closed  bool
}

var _ Store = (*FileStore)(nil)

// NewFileStore opens the store kept in path, reading the offsets already
// there; a missing file is an empty store (the file is created by the first
// Commit).
func NewFileStore(path string) (*FileStore, error) {
	s := &FileStore{path: path, offsets: map[string]string{}}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("opening offset file %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &s.offsets); err != nil {
		return nil, fmt.Errorf("decoding offset file %s: %w", path, err)
	}
	if s.offsets == nil { // the file held null
		s.offsets = map[string]string{}
	}
	return s, nil
}

// Load returns the value stored under key, or nil when there is none.
func (s *FileStore) Load(ctx context.Context, key []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("loading offset for %s from %s: %w", key, s.path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("loading offset for %s from %s: store is closed", key, s.path)
	}
	v, ok := s.offsets[string(key)]
	if !ok {
		return nil, nil
	}
	return []byte(v), nil
}

// Commit stores value under key (a nil value deletes it) and returns once
// the file is replaced and synced.
func (s *FileStore) Commit(ctx context.Context, key, value []byte) error {
	if err := s.commit(ctx, key, value); err != nil {
		return fmt.Errorf("committing offset for %s to %s: %w", key, s.path, err)
	}
	return nil
}

func (s *FileStore) commit(ctx context.Context, key, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !utf8.Valid(key) || !utf8.Valid(value) {
		return errors.New("key and value must be valid UTF-8")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("store is closed")
	}
	old, had := s.offsets[string(key)]
	if value == nil {
		delete(s.offsets, string(key))
	} else {
		s.offsets[string(key)] = string(value)
	}
	if err := s.writeLocked(); err != nil {
		// Keep memory equal to the file.
		if had {
			s.offsets[string(key)] = old
		} else {
			delete(s.offsets, string(key))
		}
		return err
	}
	return nil
}

func (s *FileStore) writeLocked() error {
	b, err := json.MarshalIndent(s.offsets, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	dir := filepath.Dir(s.path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(s.path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly once renamed
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return err
	}
	// Make the rename itself durable.
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Close marks the store closed; later calls fail.
func (s *FileStore) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}
