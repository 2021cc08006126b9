package snapshot

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
)

// Against the real server, under concurrent commits: every transaction a
// read-only chunk's low watermark holds is visible to the chunk's SELECT.
// Four writers increment one counter and note which value each GTID wrote;
// a reader takes the low watermark and reads the counter, again and again.
// A read that sees less than the value of the low watermark's last GTID
// would leave a chunk row older than a change the stream does not dedupe.
// (MariaDB's gtid_binlog_pos, the watermark before, failed this in about
// one read in a hundred: it holds a transaction from its binlog write, a
// moment before InnoDB's commit makes it visible. That count is logged.)
func TestReadOnlyLowWatermarkSeesItsTransactions(t *testing.T) {
	const db = "readonly_low_test"
	s, _ := streamRig(t, db, 1)
	addr, password := os.Getenv("SLUICE_TEST_MYSQL_ADDR"), os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD")
	open := func() *client.Conn {
		c, err := client.Connect(addr, "root", password, db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	setup := open()
	for _, q := range []string{"CREATE TABLE c (id INT PRIMARY KEY, n BIGINT NOT NULL)", "INSERT INTO c VALUES (1, 0)"} {
		if _, err := setup.Execute(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var mu sync.Mutex
	wrote := map[uint64]int64{} // GTID sequence number -> the counter it wrote
	stop := make(chan struct{})
	var writers sync.WaitGroup
	for range 4 {
		c := open()
		writers.Add(1)
		go func() {
			defer writers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.Execute("UPDATE c SET n = LAST_INSERT_ID(n + 1) WHERE id = 1"); err != nil {
					t.Error(err)
					return
				}
				r, err := c.Execute("SELECT LAST_INSERT_ID(), @@last_gtid")
				if err != nil {
					t.Error(err)
					return
				}
				n, _ := r.GetInt(0, 0)
				gtid, _ := r.GetString(0, 1)
				seq, _ := strconv.ParseUint(gtid[strings.LastIndex(gtid, "-")+1:], 10, 64)
				mu.Lock()
				wrote[seq] = n
				mu.Unlock()
			}
		}()
	}

	i := NewIncremental(s.srv)
	t.Cleanup(i.Close)
	type read struct {
		seq uint64
		n   int64
	}
	readCounter := func(conn *client.Conn, low gmysql.GTIDSet) read {
		r, err := conn.Execute("SELECT n FROM " + db + ".c WHERE id = 1")
		if err != nil {
			t.Fatal(err)
		}
		n, _ := r.GetInt(0, 0)
		return read{low.(*gmysql.MariadbGTIDSet).Sets[0].SequenceNumber, n}
	}
	var reads, before []read
	// At least 3 s and 200 reads (a loaded CI machine reads slower), at
	// most 30 s.
	start := time.Now()
	for time.Since(start) < 3*time.Second || len(reads) < 200 && time.Since(start) < 30*time.Second {
		conn, err := i.connect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		low, err := i.lowWatermark(conn)
		if err != nil {
			t.Fatal(err)
		}
		reads = append(reads, readCounter(conn, low))
		if _, err := conn.Execute("COMMIT"); err != nil {
			t.Fatal(err)
		}
		// The watermark before, for the log.
		old, err := i.executedGTIDs(conn)
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, readCounter(conn, old))
	}
	close(stop)
	writers.Wait()

	missed := func(rs []read) (checked, bad int) {
		for _, r := range rs {
			if want, ok := wrote[r.seq]; ok {
				checked++
				if r.n < want {
					bad++
				}
			}
		}
		return checked, bad
	}
	checked, bad := missed(reads)
	oldChecked, oldBad := missed(before)
	t.Logf("low watermark: %d of %d reads missed a transaction it holds; gtid_binlog_pos: %d of %d", bad, checked, oldBad, oldChecked)
	if checked < 50 {
		t.Fatalf("only %d reads had a low watermark one of the writers' GTIDs: too few to tell", checked)
	}
	if bad > 0 {
		t.Errorf("%d of %d chunk reads missed a transaction their low watermark holds", bad, checked)
	}
}
