package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"
)

func testRecord(i int) Record {
	return Record{
		Server:       "dbserver1",
		Position:     json.RawMessage(fmt.Sprintf(`{"ts_sec":1700000000,"file":"mysql-bin.000003","pos":%d}`, 100+i)),
		TsMs:         1700000000000 + int64(i),
		DatabaseName: "inventory",
		DDL:          fmt.Sprintf("CREATE TABLE t%d (id INT PRIMARY KEY)", i),
		TableChanges: json.RawMessage(`[]`),
	}
}

func recoverAll(t *testing.T, s Store) []Record {
	t.Helper()
	var got []Record
	if err := s.Recover(context.Background(), func(r Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

func ddls(rs []Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.DDL
	}
	return out
}

func assertEmpty(t *testing.T, s Store, want bool) {
	t.Helper()
	if empty, err := s.Empty(context.Background()); err != nil || empty != want {
		t.Fatalf("Empty = %v, %v; want %v", empty, err, want)
	}
}

func TestFileStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "dir", "schema-history.dat")
	s, err := NewFileStore(path, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	assertEmpty(t, s, true)
	if got := recoverAll(t, s); len(got) != 0 {
		t.Fatalf("Recover on a missing file: %v", got)
	}
	var want []string
	for i := range 3 {
		r := testRecord(i)
		if err := s.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
		want = append(want, r.DDL)
	}
	assertEmpty(t, s, false)
	if got := ddls(recoverAll(t, s)); strings.Join(got, ";") != strings.Join(want, ";") {
		t.Fatalf("recovered %q, want %q", got, want)
	}

	// The file is one compact document per line, as FileSchemaHistory
	// writes it.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) != 4 || lines[3] != "" {
		t.Fatalf("file holds %q", b)
	}
	if want, _ := testRecord(1).Marshal(); lines[1] != string(want) {
		t.Errorf("line 2 = %s, want %s", lines[1], want)
	}

	// A second store on the same file sees the records and appends after
	// them.
	s2, _ := NewFileStore(path, nil)
	defer s2.Close()
	if err := s2.Append(ctx, testRecord(3)); err != nil {
		t.Fatal(err)
	}
	if got := recoverAll(t, s); len(got) != 4 || got[3].DDL != testRecord(3).DDL {
		t.Fatalf("recovered %q", ddls(got))
	}

	// Recover stops at the size it saw: records appended by fn are not
	// handed to the same Recover, and fn can append without deadlock.
	n := 0
	err = s.Recover(ctx, func(r Record) error {
		n++
		return s.Append(ctx, testRecord(10+n))
	})
	if err != nil || n != 4 {
		t.Fatalf("Recover with appends: %d records, %v", n, err)
	}
	if got := recoverAll(t, s); len(got) != 8 {
		t.Fatalf("recovered %d records after appends, want 8", len(got))
	}

	// An error from fn stops Recover and is returned wrapped.
	stop := errors.New("stop")
	n = 0
	if err := s.Recover(ctx, func(Record) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("Recover with a failing fn: %v after %d records", err, n)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Append(cctx, testRecord(0)); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with a cancelled context: %v", err)
	}
	if err := s.Recover(cctx, func(Record) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Recover with a cancelled context: %v", err)
	}

	s.Close()
	if err := s.Append(ctx, testRecord(0)); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Append after Close: %v", err)
	}
	if _, err := s.Empty(ctx); err == nil {
		t.Error("Empty after Close succeeded")
	}
}

// A history file Debezium wrote is read as it is, and appending to it keeps
// it readable line by line.
func TestFileStoreReadsDebeziumFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dbhistory.dat")
	// FileSchemaHistory skips blank lines; Windows line ends are tolerated.
	content := debeziumFile[0] + "\n\n" + debeziumFile[1] + "\r\n" + strings.Join(debeziumFile[2:], "\n") + "\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ := NewFileStore(path, zaptest.NewLogger(t))
	defer s.Close()
	got := recoverAll(t, s)
	if len(got) != len(debeziumFile) {
		t.Fatalf("recovered %d records, want %d", len(got), len(debeziumFile))
	}
	for i, r := range got {
		if b, _ := r.Marshal(); string(b) != debeziumFile[i] {
			t.Errorf("record %d = %s", i, b)
		}
	}
	if err := s.Append(context.Background(), testRecord(0)); err != nil {
		t.Fatal(err)
	}
	if got := recoverAll(t, s); len(got) != len(debeziumFile)+1 {
		t.Fatalf("recovered %d records after an append", len(got))
	}
}

func TestFileStoreTail(t *testing.T) {
	ctx := context.Background()
	first, _ := testRecord(0).Marshal()
	second, _ := testRecord(1).Marshal()

	t.Run("partial last line", func(t *testing.T) {
		// A crash in the middle of an Append leaves part of a line.
		path := filepath.Join(t.TempDir(), "h.dat")
		os.WriteFile(path, append(append(first, '\n'), second[:40]...), 0o644)
		core, logs := observer.New(zap.WarnLevel)
		s, _ := NewFileStore(path, zap.New(core))
		defer s.Close()
		if got := recoverAll(t, s); len(got) != 1 {
			t.Fatalf("recovered %d records, want the complete one", len(got))
		}
		if logs.FilterMessageSnippet("incomplete last line").Len() != 1 {
			t.Errorf("no warning about the partial line: %v", logs.All())
		}
		// The next Append cuts it off first.
		if err := s.Append(ctx, testRecord(2)); err != nil {
			t.Fatal(err)
		}
		if got := ddls(recoverAll(t, s)); len(got) != 2 || got[1] != testRecord(2).DDL {
			t.Fatalf("recovered %q", got)
		}
		if b, _ := os.ReadFile(path); strings.Count(string(b), "\n") != 2 {
			t.Errorf("file holds %q", b)
		}
	})

	t.Run("complete last line without newline", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "h.dat")
		os.WriteFile(path, append(append(first, '\n'), second...), 0o644)
		s, _ := NewFileStore(path, zaptest.NewLogger(t))
		defer s.Close()
		if got := recoverAll(t, s); len(got) != 2 {
			t.Fatalf("recovered %d records, want 2", len(got))
		}
		if err := s.Append(ctx, testRecord(2)); err != nil {
			t.Fatal(err)
		}
		if got := recoverAll(t, s); len(got) != 3 {
			t.Fatalf("recovered %d records, want 3", len(got))
		}
	})

	t.Run("only a partial line", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "h.dat")
		os.WriteFile(path, first[:10], 0o644)
		s, _ := NewFileStore(path, zaptest.NewLogger(t))
		defer s.Close()
		if err := s.Append(ctx, testRecord(1)); err != nil {
			t.Fatal(err)
		}
		if got := ddls(recoverAll(t, s)); len(got) != 1 || got[0] != testRecord(1).DDL {
			t.Fatalf("recovered %q", got)
		}
	})

	t.Run("corrupt line in the middle", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "h.dat")
		os.WriteFile(path, []byte(string(first)+"\n{oops\n"+string(second)+"\n"), 0o644)
		s, _ := NewFileStore(path, zaptest.NewLogger(t))
		defer s.Close()
		err := s.Recover(ctx, func(Record) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), path) {
			t.Fatalf("Recover = %v, want an error naming line 2 of %s", err, path)
		}
	})

	t.Run("not a history record", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "h.dat")
		os.WriteFile(path, []byte(string(first)+"\n{\"hello\":1}\n"+string(second)+"\n"), 0o644)
		core, logs := observer.New(zap.WarnLevel)
		s, _ := NewFileStore(path, zap.New(core))
		defer s.Close()
		if got := recoverAll(t, s); len(got) != 2 {
			t.Fatalf("recovered %d records, want 2", len(got))
		}
		if logs.Len() != 1 {
			t.Errorf("warnings: %v", logs.All())
		}
	})

	t.Run("blank lines only", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "h.dat")
		os.WriteFile(path, []byte("\n \n"), 0o644)
		s, _ := NewFileStore(path, nil)
		defer s.Close()
		assertEmpty(t, s, true)
	})
}

func TestNewFileStoreNoPath(t *testing.T) {
	if _, err := NewFileStore("", nil); err == nil || !strings.Contains(err.Error(), "schema.history.internal.file.filename") {
		t.Errorf("NewFileStore(\"\") = %v", err)
	}
}
