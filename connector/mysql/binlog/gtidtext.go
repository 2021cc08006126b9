package binlog

import (
	"strconv"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
)

// mariadbGTIDText is g.String() without fmt: it runs once per transaction.
func mariadbGTIDText(g *gmysql.MariadbGTID) string {
	if noGTID(g) {
		return ""
	}
	var buf [64]byte
	return string(appendMariadbGTID(buf[:0], g))
}

// noGTID reports an unset GTID, whose text is empty.
func noGTID(g *gmysql.MariadbGTID) bool {
	return g.DomainID == 0 && g.ServerID == 0 && g.SequenceNumber == 0
}

// appendMariadbGTID appends g's text, domain-server-sequence.
func appendMariadbGTID(b []byte, g *gmysql.MariadbGTID) []byte {
	b = strconv.AppendUint(b, uint64(g.DomainID), 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, uint64(g.ServerID), 10)
	b = append(b, '-')
	return strconv.AppendUint(b, g.SequenceNumber, 10)
}

// gtidSetText is s.String(), without go-mysql's slice, sort and fmt for a
// MariaDB set of one domain (the usual case), once per transaction.
func gtidSetText(s gmysql.GTIDSet) string {
	if m, ok := s.(*gmysql.MariadbGTIDSet); ok && len(m.Sets) == 1 {
		for _, g := range m.Sets {
			return mariadbGTIDText(g)
		}
	}
	return s.String()
}

// setText is gtidSetText(st.gset), where a MariaDB set of one domain that
// holds the last MariaDB GTID read is that GTID's text, formatted once at
// its GTID event: at a commit it is the transaction's own.
func (st *txnState) setText() string {
	if m, ok := st.gset.(*gmysql.MariadbGTIDSet); ok && len(m.Sets) == 1 && st.mgtidText != "" {
		if g := m.Sets[st.mgtid.DomainID]; g != nil && *g == st.mgtid {
			return st.mgtidText
		}
	}
	return gtidSetText(st.gset)
}
