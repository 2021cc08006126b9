package binlog

import (
	"testing"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/offsets"
)

func TestTxBeginIDs(t *testing.T) {
	h := &replication.EventHeader{LogPos: 500, EventSize: 100, Timestamp: 7}
	for _, c := range []struct {
		name, flavor, server, gtid string
		want                       string // "" for no KindBegin
	}{
		{"MariaDB class", "mariadb", "mariadb", "0-1-42", "0-1-42"},
		{"MySQL with GTIDs", "mysql", "mysql", "3e11fa47-71ca-11e1-9e33-c80aa9429562:23", "3e11fa47-71ca-11e1-9e33-c80aa9429562:23"},
		{"MySQL without GTIDs", "mysql", "mysql", "", "file=bin.000003,pos=400"},
		{"MySQL class on MariaDB: Debezium writes none", "mysql", "mariadb", "0-1-42", ""},
	} {
		cfg := server.Config{Flavor: c.flavor, ServerFlavor: c.server, TxMetadata: true}
		s := NewStreamer(server.New(cfg), nil)
		st := &txnState{file: "bin.000003", gtid: c.gtid}
		got := s.txBegin(st, h, nil)
		if c.want == "" {
			if len(got) != 0 {
				t.Errorf("%s: %+v, want nothing", c.name, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Kind != change.KindBegin || got[0].TxID != c.want || got[0].TsMs != 7000 {
			t.Errorf("%s: %+v, want a KindBegin of %s at 7000 ms", c.name, got, c.want)
			continue
		}
		if again := s.txBegin(st, h, nil); len(again) != 0 {
			t.Errorf("%s: the start read again after a reconnect began it twice", c.name)
		}
		if ev := txEnd(st, change.Event{Kind: change.KindCommit}); !ev.TxEnd || st.begun != "" {
			t.Errorf("%s: txEnd left TxEnd %v, begun %q", c.name, ev.TxEnd, st.begun)
		}
	}
	off := NewStreamer(server.New(server.Config{Flavor: "mariadb", ServerFlavor: "mariadb"}), nil)
	if got := off.txBegin(&txnState{gtid: "0-1-1"}, h, nil); len(got) != 0 {
		t.Errorf("without provide.transaction.metadata: %+v", got)
	}
}

func TestHeartbeatTick(t *testing.T) {
	s := NewStreamer(server.New(server.Config{Flavor: "mariadb", ServerFlavor: "mariadb", HeartbeatTicks: true}), nil)
	st := &txnState{}
	if got := s.heartbeatTick(st, nil); len(got) != 0 {
		t.Errorf("before any commit: %+v", got)
	}
	pos := offsets.MySQL{File: "f", Pos: 9}
	st.lastCommit = pos
	st.inTxn = true
	if got := s.heartbeatTick(st, nil); len(got) != 0 {
		t.Errorf("inside a transaction: %+v", got)
	}
	st.inTxn = false
	if got := s.heartbeatTick(st, nil); len(got) != 1 || got[0].Kind != change.KindCommit || got[0].Position != pos || got[0].TxEnd {
		t.Errorf("between transactions: %+v, want a commit at the last position", got)
	}
}
