package vitesstest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	binlogdatapb "vitess.io/vitess/go/vt/proto/binlogdata"
	topodatapb "vitess.io/vitess/go/vt/proto/topodata"
	vtgatepb "vitess.io/vitess/go/vt/proto/vtgate"
	vtgateservicepb "vitess.io/vitess/go/vt/proto/vtgateservice"
)

type cluster struct {
	grpcAddr, mysqlAddr, keyspace string
}

func clusterFromEnv(t *testing.T) cluster {
	t.Helper()
	c := cluster{
		grpcAddr:  os.Getenv("SLUICE_TEST_VTGATE_GRPC"),
		mysqlAddr: os.Getenv("SLUICE_TEST_VTGATE_MYSQL"),
		keyspace:  os.Getenv("SLUICE_TEST_VITESS_KEYSPACE"),
	}
	if c.grpcAddr == "" || c.mysqlAddr == "" {
		t.Skip("Vitess test: set SLUICE_TEST_VTGATE_GRPC and SLUICE_TEST_VTGATE_MYSQL (deploy/local/vitess.sh start prints them)")
	}
	if c.keyspace == "" {
		c.keyspace = "test_keyspace"
	}
	return c
}

// exec runs statements through VTGate's MySQL port, which takes any user when
// vttestserver runs it without authentication.
func (c cluster) exec(t *testing.T, stmts ...string) {
	t.Helper()
	conn, err := client.Connect(c.mysqlAddr, "root", "", c.keyspace)
	if err != nil {
		t.Fatalf("connect to vtgate %s: %v", c.mysqlAddr, err)
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.Execute(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestVStreamCopyThenStream opens a VStream from an empty position on every shard of
// the keyspace: VTGate first copies the rows already there (one per shard here), says
// "copy completed", then streams a new insert from the binlog.
func TestVStreamCopyThenStream(t *testing.T) {
	c := clusterFromEnv(t)
	table := fmt.Sprintf("smoke_%d", time.Now().UnixNano())

	// A sharded keyspace takes rows only for tables with a primary vindex; "hash" is
	// defined in deploy/local/vitess/schema/test_keyspace/vschema.json.
	c.exec(t,
		"CREATE TABLE "+table+" (id BIGINT NOT NULL, name VARCHAR(64), PRIMARY KEY (id))",
		"ALTER VSCHEMA ON "+table+" ADD VINDEX hash(id) USING hash",
	)
	t.Cleanup(func() {
		conn, err := client.Connect(c.mysqlAddr, "root", "", c.keyspace)
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = conn.Execute("DROP TABLE " + table)
		_, _ = conn.Execute("ALTER VSCHEMA DROP TABLE " + table)
	})
	// The new vschema reaches VTGate's planner a little later: retry the first insert.
	// id 1 hashes to shard -80, id 4 to 80-.
	preload := "INSERT INTO " + table + " (id, name) VALUES (1, 'one'), (4, 'four')"
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := client.Connect(c.mysqlAddr, "root", "", c.keyspace)
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.Execute(preload)
		conn.Close()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", preload, err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	cc, err := grpc.NewClient(c.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// No shard and no GTID: every shard of the keyspace, from the start (copy phase).
	stream, err := vtgateservicepb.NewVitessClient(cc).VStream(ctx, &vtgatepb.VStreamRequest{
		TabletType: topodatapb.TabletType_PRIMARY,
		Vgtid:      &binlogdatapb.VGtid{ShardGtids: []*binlogdatapb.ShardGtid{{Keyspace: c.keyspace}}},
		// A rule naming one table needs its select (an empty one fails as "Query was empty");
		// "/regex" rules do not.
		Filter: &binlogdatapb.Filter{Rules: []*binlogdatapb.Rule{{Match: table, Filter: "select * from " + table}}},
		Flags:  &vtgatepb.VStreamFlags{HeartbeatInterval: 1},
	})
	if err != nil {
		t.Fatalf("VStream: %v", err)
	}

	copied := map[string]string{} // id -> shard, rows seen before the copy completed
	var streamed []string         // ids seen after it
	copyDone, inserted := false, false
	var lastVGTID *binlogdatapb.VGtid
	for !slices.Contains(streamed, "7") {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatalf("VStream Recv (copied %v, copy completed %v, streamed %v): %v", copied, copyDone, streamed, err)
		}
		for _, ev := range resp.Events {
			switch ev.Type {
			case binlogdatapb.VEventType_ROW:
				for _, rc := range ev.RowEvent.RowChanges {
					if rc.After == nil {
						continue
					}
					id := firstValue(rc.After)
					if copyDone {
						streamed = append(streamed, id)
					} else {
						copied[id] = ev.RowEvent.Shard
					}
				}
			case binlogdatapb.VEventType_COPY_COMPLETED:
				// Once per shard (keyspace and shard set), then once for the whole stream.
				if ev.Keyspace == "" && ev.Shard == "" {
					copyDone = true
				}
			case binlogdatapb.VEventType_VGTID:
				lastVGTID = ev.Vgtid
			}
		}
		if copyDone && !inserted {
			inserted = true
			// id 7 hashes to shard 80-.
			c.exec(t, "INSERT INTO "+table+" (id, name) VALUES (7, 'seven')")
		}
	}
	if want := map[string]string{"1": "-80", "4": "80-"}; fmt.Sprint(copied) != fmt.Sprint(want) {
		t.Errorf("copy phase rows (id -> shard) = %v, want %v", copied, want)
	}
	if !slices.Equal(streamed, []string{"7"}) {
		t.Errorf("streamed ids = %v, want [7]", streamed)
	}
	var shards []string
	for _, sg := range lastVGTID.GetShardGtids() {
		shards = append(shards, sg.Shard)
		if sg.Keyspace != c.keyspace || sg.Gtid == "" || len(sg.TablePKs) != 0 {
			t.Errorf("VGTID entry after the copy = %v, want keyspace %s, a GTID and no table_p_ks", sg, c.keyspace)
		}
	}
	slices.Sort(shards)
	if strings.Join(shards, ",") != "-80,80-" {
		t.Errorf("VGTID shards = %v, want -80 and 80-", shards)
	}
	t.Logf("last VGTID: %v", lastVGTID)
}

// firstValue is the first column of a row in VStream's packed form (lengths + values).
func firstValue(r interface {
	GetLengths() []int64
	GetValues() []byte
}) string {
	l := r.GetLengths()
	if len(l) == 0 || l[0] < 0 {
		return "NULL"
	}
	return string(r.GetValues()[:l[0]])
}
