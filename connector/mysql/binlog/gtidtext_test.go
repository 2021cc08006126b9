package binlog

import (
	"testing"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
)

func TestGTIDTextMatchesGoMySQL(t *testing.T) {
	for _, s := range []string{"", "0-1-1", "0-1-18446744073709551615", "4294967295-4294967295-7", "1-2-3,0-1-9", "0-0-0"} {
		set, err := gmysql.ParseMariadbGTIDSet(s)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := gtidSetText(set), set.String(); got != want {
			t.Errorf("gtidSetText(%q) = %q, go-mysql says %q", s, got, want)
		}
		for _, g := range set.(*gmysql.MariadbGTIDSet).Sets {
			if got, want := mariadbGTIDText(g), g.String(); got != want {
				t.Errorf("mariadbGTIDText(%v) = %q, go-mysql says %q", g, got, want)
			}
		}
	}
	g := &gmysql.MariadbGTID{}
	if mariadbGTIDText(g) != g.String() {
		t.Errorf("zero GTID: %q, go-mysql says %q", mariadbGTIDText(g), g.String())
	}
	mysqlSet, err := gmysql.ParseMysqlGTIDSet("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := gtidSetText(mysqlSet), mysqlSet.String(); got != want {
		t.Errorf("MySQL set: %q, want %q", got, want)
	}
}

// A commit's set text: the transaction's own GTID text when the set holds
// just it, the set's otherwise (another domain, a set that moved past it).
func TestCommitSetText(t *testing.T) {
	for _, tc := range []struct{ set, gtid, want string }{
		{"0-1-5", "0-1-5", "0-1-5"},
		{"0-1-7", "0-1-5", "0-1-7"}, // the set is ahead: not the GTID's text
		{"0-2-5", "0-1-5", "0-2-5"},
		{"1-1-5,0-1-5", "0-1-5", "0-1-5,1-1-5"},
		{"1-1-5", "0-1-5", "1-1-5"},
	} {
		set, err := gmysql.ParseMariadbGTIDSet(tc.set)
		if err != nil {
			t.Fatal(err)
		}
		g, err := gmysql.ParseMariadbGTID(tc.gtid)
		if err != nil {
			t.Fatal(err)
		}
		st := &txnState{gset: set, mgtid: *g, mgtidText: "text of " + tc.gtid}
		want := tc.want
		if tc.want == tc.gtid && tc.set == tc.gtid {
			want = st.mgtidText // formatted once, reused
		}
		if got := st.setText(); got != want {
			t.Errorf("set %s, last GTID %s: %q, want %q", tc.set, tc.gtid, got, want)
		}
	}
}
