package vtbinlog

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// vtgateDumper is a dumper for the first shard VTGate serves of the
// keyspace of deploy/local/vitess-cluster.sh (SLUICE_TEST_VTCLUSTER_MYSQL),
// as root: shard 0 on a fresh cluster, a new shard once cmd/sluice's
// tests resharded it.
func vtgateDumper(t *testing.T) *dumper {
	t.Helper()
	addr := os.Getenv("SLUICE_TEST_VTCLUSTER_MYSQL")
	if addr == "" {
		t.Skip("binlog dump through VTGate: set SLUICE_TEST_VTCLUSTER_MYSQL (deploy/local/vitess-cluster.sh start prints it)")
	}
	ks := os.Getenv("SLUICE_TEST_VTCLUSTER_KEYSPACE")
	if ks == "" {
		ks = "rs_keyspace"
	}
	host, p, _ := net.SplitHostPort(addr)
	var port uint16
	if _, err := fmt.Sscan(p, &port); err != nil {
		t.Fatalf("SLUICE_TEST_VTCLUSTER_MYSQL=%q: %v", addr, err)
	}
	target := ks + ":" + servingShard(t, addr, ks) + "@primary"
	srv := server.New(server.Config{Host: host, Port: port, User: "root", ServerID: 6999, ConnectTimeout: 10 * time.Second})
	srv.Database = target
	if err := srv.Detect(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &dumper{srv: srv, target: target}
}

// servingShard is the first shard of ks in VTGate's SHOW VITESS_SHARDS.
func servingShard(t *testing.T, addr, ks string) string {
	t.Helper()
	conn, err := client.Connect(addr, "root", "", "")
	if err != nil {
		t.Fatalf("connecting to VTGate's MySQL port %s: %v", addr, err)
	}
	defer conn.Close()
	res, err := conn.Execute("SHOW VITESS_SHARDS")
	if err != nil {
		t.Fatalf("SHOW VITESS_SHARDS: %v", err)
	}
	for i := 0; i < res.RowNumber(); i++ {
		s, _ := res.GetString(i, 0)
		if shard, ok := strings.CutPrefix(s, ks+"/"); ok {
			return shard
		}
	}
	t.Fatalf("VTGate at %s serves no shard of keyspace %s", addr, ks)
	return ""
}

// What VTGate does with a stored MySQL GTID set when the tablet runs
// MariaDB: it relays the set's text to the tablet, which sets
// @slave_connect_state to it, and MariaDB refuses it (ERROR 1941). Sluice
// therefore never sends a set to a MariaDB tablet (TestVitessBinlogDump in
// cmd/sluice resumes client-side); this pins the refusal the README cites.
func TestDumpStoredSetRefusedByMariaDB(t *testing.T) {
	d := vtgateDumper(t)
	if d.srv.Proto() != "mariadb" {
		t.Skipf("the tablet runs %s: a MySQL tablet takes the set", d.srv.Proto())
	}
	gs, err := gmysql.ParseMysqlGTIDSet("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5")
	if err != nil {
		t.Fatal(err)
	}
	r, err := d.Dump(context.Background(), gs, replication.NewBinlogParser())
	if err == nil {
		r.Close()
		t.Fatal("VTGate took a MySQL GTID set for a MariaDB tablet")
	}
	var me *gmysql.MyError
	if !errors.As(err, &me) || me.Code != 1941 || !strings.Contains(me.Message, "Could not parse GTID list") || !fault.IsDefinite(err) {
		t.Fatalf("dump from a stored set: %v; want MariaDB's ERROR 1941 (HY000): Could not parse GTID list, definite", err)
	}
	t.Logf("the exact refusal: %v", err)
}

// From an empty set the tablet sends its oldest binlog: a ROTATE to its
// first file (the checksum stripped), the FORMAT_DESCRIPTION, then
// MariaDB's GTID list and GTID events.
func TestDumpFromEmptySet(t *testing.T) {
	d := vtgateDumper(t)
	gs, _ := gmysql.ParseGTIDSet(d.srv.Proto(), "")
	p := replication.NewBinlogParser()
	p.SetFlavor(d.srv.Proto())
	r, err := d.Dump(context.Background(), gs, p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var types []string
	var first string
	for len(types) < 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ev, err := r.GetEvent(ctx)
		cancel()
		if err != nil {
			t.Fatalf("after %v: %v", types, err)
		}
		if rot, ok := ev.Event.(*replication.RotateEvent); ok && first == "" {
			first = string(rot.NextLogName)
		}
		types = append(types, ev.Header.EventType.String())
	}
	if types[0] != "RotateEvent" || types[1] != "FormatDescriptionEvent" || !strings.HasSuffix(first, "-bin.000001") {
		t.Fatalf("first events %v, rotate to %q", types, first)
	}
	// GetEvent ends with its context while the dump is idle or busy.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for {
		if _, err := r.GetEvent(ctx); err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("GetEvent with a cancelled context: %v", err)
			}
			break
		}
	}
}
