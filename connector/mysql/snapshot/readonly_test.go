package snapshot

import (
	"testing"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"go.uber.org/zap"
)

// A read-only chunk's window: a transaction the low watermark holds is
// not concurrent with the SELECT (nor is one of another domain the low
// watermark has up to it); the chunk is written once the stream's set
// holds the high watermark, on every domain.
func TestReadOnlyWindow(t *testing.T) {
	parse := func(s string) gmysql.GTIDSet {
		set, err := gmysql.ParseGTIDSet(gmysql.MariaDBFlavor, s)
		if err != nil {
			t.Fatal(err)
		}
		return set
	}
	w := roWindow{low: parse("0-1-100,1-2-7"), high: parse("0-1-103,1-2-7")}
	for gtid, want := range map[string]bool{"0-1-99": false, "0-1-100": false, "0-1-101": true, "1-2-7": false, "1-2-8": true, "2-1-1": true, "": true} {
		if got := w.concurrent(gmysql.MariaDBFlavor, gtid); got != want {
			t.Errorf("concurrent(%q) = %v, want %v", gtid, got, want)
		}
	}
	for at, want := range map[string]bool{"0-1-102,1-2-7": false, "0-1-103,1-2-7": true, "0-1-104,1-2-9": true, "0-1-103": false, "": false} {
		if got := w.reached(gmysql.MariaDBFlavor, at, zap.NewNop()); got != want {
			t.Errorf("reached(%q) = %v, want %v", at, got, want)
		}
	}
	if (&roWindow{}).reached(gmysql.MariaDBFlavor, "0-1-1", zap.NewNop()) {
		t.Error("a window without a high watermark reached")
	}
}
