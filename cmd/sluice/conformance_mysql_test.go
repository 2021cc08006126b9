package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// TestConformanceMariaDB runs the source conformance suite against the
// test MariaDB.
func TestConformanceMariaDB(t *testing.T) {
	conformance.Run(t, mariaDriver{needServers(t)})
}

type mariaDriver struct{ e env }

func (m mariaDriver) Binary() string  { return binPath }
func (m mariaDriver) Brokers() string { return m.e.kafka }

func (m mariaDriver) NewTable(t *testing.T, rows int) conformance.Table {
	d := newDB(t, m.e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, pad LONGTEXT NOT NULL)")
	// MariaDB's SEQUENCE engine fills the table quickly.
	for lo := 1; lo <= rows; lo += 250_000 {
		d.exec(fmt.Sprintf("INSERT INTO t SELECT seq, 1, CONCAT('row-', seq) FROM seq_%d_to_%d", lo, min(lo+250_000-1, rows)))
	}
	return &mariaTable{e: m.e, d: d, prefix: "e2e" + d.name[4:]}
}

type mariaTable struct {
	e       env
	d       *db
	prefix  string
	lastGTD string // @@last_gtid after the last Exec; under d.mu
}

func (m *mariaTable) Exec(stmts ...string) error {
	m.d.mu.Lock()
	defer m.d.mu.Unlock()
	for _, q := range stmts {
		if _, err := m.d.conn.Execute(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	r, err := m.d.conn.Execute("SELECT @@last_gtid")
	if err != nil {
		return err
	}
	m.lastGTD, _ = r.GetString(0, 0)
	return nil
}

func (m *mariaTable) Rows(t *testing.T) map[int]conformance.Row {
	r := m.d.exec("SELECT id, v, pad FROM t")
	out := make(map[int]conformance.Row, r.RowNumber())
	for i := 0; i < r.RowNumber(); i++ {
		id, _ := r.GetInt(i, 0)
		v, _ := r.GetInt(i, 1)
		pad, _ := r.GetString(i, 2)
		out[int(id)] = conformance.Row{V: int(v), Pad: pad}
	}
	return out
}

func (m *mariaTable) Connector() (string, map[string]string) {
	return "c-" + m.d.name, mysqlConnector(m.e, m.prefix, m.d.name)
}

func (m *mariaTable) Topic() string     { return m.prefix + "." + m.d.name + ".t" }
func (m *mariaTable) OffsetKey() []byte { return offsets.Key("c-"+m.d.name, m.prefix) }

func (m *mariaTable) LastChange(t *testing.T) string {
	m.d.mu.Lock()
	defer m.d.mu.Unlock()
	if m.lastGTD == "" {
		t.Fatal("no transaction committed through Exec yet")
	}
	return m.lastGTD
}

// Covers: MariaDB GTIDs are domain-server-sequence, sequences rising per
// domain, and the stored set holds the last one per domain.
func (m *mariaTable) Covers(t *testing.T, stored []byte, change string) bool {
	t.Helper()
	pos, err := offsets.ParseMySQL(stored)
	if err != nil {
		t.Fatal(err)
	}
	domain, seq := splitGTID(t, change)
	for _, g := range strings.Split(pos.GTIDs, ",") {
		if d, s := splitGTID(t, strings.TrimSpace(g)); d == domain && s >= seq {
			return true
		}
	}
	return false
}

func splitGTID(t *testing.T, g string) (domain string, seq uint64) {
	parts := strings.Split(g, "-")
	if len(parts) != 3 {
		t.Fatalf("%q is not a MariaDB GTID", g)
	}
	seq, err := strconv.ParseUint(parts[2], 10, 64)
	if err != nil {
		t.Fatalf("%q is not a MariaDB GTID: %v", g, err)
	}
	return parts[0], seq
}

func (m *mariaTable) Decode(t *testing.T, key, value []byte) conformance.Change {
	return conformance.DecodeJSON(t, key, value)
}
