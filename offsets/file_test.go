package offsets

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestFileStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "offsets.json")
	s, err := NewFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	key := Key("inventory", "dbserver1")
	if v, err := s.Load(ctx, key); err != nil || v != nil {
		t.Fatalf("Load on an empty store = %q, %v; want nil, nil", v, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("file exists before the first commit: %v", err)
	}
	other := Key("other", "srv")
	for i := range 5 {
		v := fmt.Appendf(nil, `{"ts_sec":%d,"file":"mysql-bin.000001","pos":%d}`, 1700000000+i, 4+i)
		if err := s.Commit(ctx, key, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(ctx, other, []byte(`{"pos":1,"file":"<&>"}`)); err != nil {
		t.Fatal(err)
	}
	want := `{"ts_sec":1700000004,"file":"mysql-bin.000001","pos":8}`
	if v, err := s.Load(ctx, key); err != nil || string(v) != want {
		t.Fatalf("Load = %s, %v; want %s", v, err, want)
	}
	s.Close()
	if _, err := s.Load(ctx, key); err == nil {
		t.Error("Load after Close succeeded")
	}
	if err := s.Commit(ctx, key, []byte("{}")); err == nil {
		t.Error("Commit after Close succeeded")
	}

	// The file is plain JSON, key -> value.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("file %s is not a JSON object of strings: %v", b, err)
	}
	if m[string(key)] != want || m[string(other)] != `{"pos":1,"file":"<&>"}` || len(m) != 2 {
		t.Fatalf("file holds %v", m)
	}
	if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".offsets.json.tmp-*")); len(tmp) != 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}

	// A fresh instance reads what was committed; a nil value deletes.
	s2, err := NewFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v, err := s2.Load(ctx, key); err != nil || string(v) != want {
		t.Fatalf("reopened Load = %s, %v; want %s", v, err, want)
	}
	if err := s2.Commit(ctx, key, nil); err != nil {
		t.Fatal(err)
	}
	s3, err := NewFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s3.Load(ctx, key); err != nil || v != nil {
		t.Fatalf("Load after delete = %q, %v; want nil, nil", v, err)
	}
	if v, _ := s3.Load(ctx, other); v == nil {
		t.Fatal("delete removed another key")
	}
}

func TestFileStoreErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFileStore(bad); err == nil {
		t.Error("NewFileStore on a corrupt file succeeded")
	}
	s, err := NewFileStore(filepath.Join(dir, "ok.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, []byte("k"), []byte("\xff")); err == nil {
		t.Error("Commit of invalid UTF-8 succeeded")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Commit(cctx, []byte("k"), []byte("v")); err == nil {
		t.Error("Commit with a cancelled context succeeded")
	}
	// A failed write leaves memory as it was.
	missing := filepath.Join(dir, "no", "such", "dir", "o.json")
	s2, err := NewFileStore(missing)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Commit(ctx, []byte("k"), []byte("v")); err == nil {
		t.Fatal("Commit into a missing directory succeeded")
	}
	if v, _ := s2.Load(ctx, []byte("k")); v != nil {
		t.Errorf("failed Commit is visible to Load: %q", v)
	}
}

func TestFileStoreConcurrent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "offsets.json")
	s, err := NewFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			key := Key("c", fmt.Sprint(g))
			for i := range 20 {
				if err := s.Commit(ctx, key, fmt.Appendf(nil, `{"pos":%d}`, i)); err != nil {
					t.Error(err)
				}
				if _, err := s.Load(ctx, key); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	s2, err := NewFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	for g := range 4 {
		if v, _ := s2.Load(ctx, Key("c", fmt.Sprint(g))); string(v) != `{"pos":19}` {
			t.Errorf("key %d = %s", g, v)
		}
	}
}
