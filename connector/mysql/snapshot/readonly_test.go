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

// A chunk's read must see every transaction the stream has read: a stream
// past the read's view on a domain both know is ahead; a domain only the
// stream knows is not compared; MySQL sets compare whole.
func TestStreamPastView(t *testing.T) {
	for _, c := range []struct {
		flavor, low, streamed string
		want                  bool
	}{
		{gmysql.MariaDBFlavor, "0-1-100", "0-1-100", false},
		{gmysql.MariaDBFlavor, "0-1-100", "0-1-99", false},
		{gmysql.MariaDBFlavor, "0-1-100", "0-1-101", true},
		{gmysql.MariaDBFlavor, "0-1-100,1-2-7", "0-1-100,1-2-8", true},
		{gmysql.MariaDBFlavor, "0-1-100", "0-1-100,5-9-3", false},
		{gmysql.MariaDBFlavor, "0-1-100", "", false},
		{gmysql.MySQLFlavor, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9", false},
		{gmysql.MySQLFlavor, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-11", true},
	} {
		low, err := gmysql.ParseGTIDSet(c.flavor, c.low)
		if err != nil {
			t.Fatal(err)
		}
		got, err := streamPastView(c.flavor, low, c.streamed)
		if err != nil || got != c.want {
			t.Errorf("streamPastView(%s, %q, %q) = %v, %v; want %v", c.flavor, c.low, c.streamed, got, err, c.want)
		}
	}
	if _, err := streamPastView(gmysql.MariaDBFlavor, nil, "not-a-gtid"); err == nil {
		t.Error("a stream set that does not parse passed")
	}
}
