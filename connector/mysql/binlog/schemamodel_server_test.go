package binlog

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/ddl"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// The schema model is checked against the real MariaDB that deploy/local
// starts: every statement of the corpus runs on the server and is applied
// to a model, and after each one the model must describe every table as
// information_schema does (through catalog.table, catalog.describe and
// catalog.jsonColumns, and column by column). Then each table is seeded
// into a fresh model from SHOW CREATE DATABASE and SHOW CREATE TABLE, as
// Sluice seeds it, and compared again.

const (
	modelTestDB  = "sluice_model_test"
	modelTestDB2 = "sluice_model_test2"
)

// modelServer returns the test server's address and root password; it
// skips without one, unless SLUICE_E2E=1 (CI) makes that a failure.
func modelServer(t *testing.T) (addr, password string) {
	t.Helper()
	addr = os.Getenv("SLUICE_TEST_MYSQL_ADDR")
	if addr == "" {
		if os.Getenv("SLUICE_E2E") == "1" {
			t.Fatal("SLUICE_E2E=1 but SLUICE_TEST_MYSQL_ADDR is not set; start the server with deploy/local/up.sh")
		}
		t.Skip("integration test: set SLUICE_TEST_MYSQL_ADDR and SLUICE_TEST_MYSQL_ROOT_PASSWORD (deploy/local/up.sh prints them)")
	}
	return addr, os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD")
}

// currentTimeExpr is a CURRENT_TIMESTAMP default as the server prints it.
var currentTimeExpr = regexp.MustCompile(`(?i)^(current_timestamp|now|localtime|localtimestamp)(\(\d*\))?$`)

// modelCase is one case of the corpus ddl/testdata/model_corpus.json,
// which the model's own tests feed it too.
type modelCase struct {
	Name    string `json:"name"`
	SQLMode string `json:"sql_mode"` // the session's sql_mode when not the server's default
	// LegacyTimestamps runs the statements with
	// explicit_defaults_for_timestamp=OFF (the default before MariaDB 10.10).
	LegacyTimestamps bool     `json:"legacy_timestamps"`
	Stmts            []string `json:"stmts"`
	// Unknown are tables the model cannot describe after the statements
	// (CREATE TABLE ... SELECT); they are still compared after seeding.
	Unknown []string `json:"unknown"`
	// LossySeed says why SHOW CREATE TABLE cannot reproduce the tables:
	// the seeded model is then not compared.
	LossySeed string `json:"lossy_seed"`
}

func TestSchemaModelAgainstServer(t *testing.T) {
	addr, password := modelServer(t)
	connect := func(ctx context.Context) (*client.Conn, error) { return client.Connect(addr, "root", password, "") }
	conn, err := connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r, err := conn.Execute("SELECT @@character_set_server, @@collation_server")
	if err != nil {
		t.Fatal(err)
	}
	serverCS, _ := r.GetString(0, 0)
	serverColl, _ := r.GetString(0, 1)
	cat := server.NewCatalog(connect)
	defer cat.Close()
	exec := func(t *testing.T, q string) {
		t.Helper()
		if _, err := conn.Execute(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	defer func() {
		conn.Execute("DROP DATABASE IF EXISTS " + modelTestDB)
		conn.Execute("DROP DATABASE IF EXISTS " + modelTestDB2)
	}()
	b, err := os.ReadFile("../ddl/testdata/model_corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var corpus []modelCase // statements run in modelTestDB (modelTestDB2 is also fresh)
	if err := json.Unmarshal(b, &corpus); err != nil {
		t.Fatal(err)
	}
	for _, c := range corpus {
		t.Run(c.Name, func(t *testing.T) {
			exec(t, "SET SESSION sql_mode = DEFAULT")
			exec(t, "SET SESSION explicit_defaults_for_timestamp = DEFAULT")
			if c.SQLMode != "" {
				exec(t, "SET SESSION sql_mode = '"+c.SQLMode+"'")
			}
			exec(t, "DROP DATABASE IF EXISTS "+modelTestDB)
			exec(t, "DROP DATABASE IF EXISTS "+modelTestDB2)
			m := ddl.NewModel("mariadb")
			m.SetServerCharset(serverCS, serverColl)
			if c.LegacyTimestamps {
				exec(t, "SET SESSION explicit_defaults_for_timestamp = OFF")
				m.SetExplicitDefaultsForTimestamp(false)
			}
			for _, q := range []string{"CREATE DATABASE " + modelTestDB, "CREATE DATABASE " + modelTestDB2} {
				exec(t, q)
				if err := m.ApplySQL(q, "", false); err != nil {
					t.Fatalf("model: %s: %v", q, err)
				}
			}
			if err := conn.UseDB(modelTestDB); err != nil {
				t.Fatal(err)
			}
			for i, q := range c.Stmts {
				exec(t, q)
				if err := m.ApplySQL(q, modelTestDB, false); err != nil {
					t.Fatalf("model: statement %d %q: %v", i+1, q, err)
				}
				cat.Invalidate()
				compareModel(t, fmt.Sprintf("after statement %d %q", i+1, tail(q, 80)), conn, cat, m, c.Unknown)
			}
			if c.LossySeed != "" {
				t.Log("not seeding:", c.LossySeed)
				return
			}
			// Seed a fresh model the way Sluice does and compare again.
			seeded := ddl.NewModel("mariadb")
			seeded.SetServerCharset(serverCS, serverColl)
			for _, db := range []string{modelTestDB, modelTestDB2} {
				r, err := conn.Execute("SHOW DATABASES LIKE '" + db + "'")
				if err != nil {
					t.Fatal(err)
				}
				if r.RowNumber() == 0 {
					continue
				}
				r, err = conn.Execute("SHOW CREATE DATABASE `" + db + "`")
				if err != nil {
					t.Fatal(err)
				}
				ddl, _ := r.GetString(0, 1)
				if err := seeded.ApplySQL(ddl, "", false); err != nil {
					t.Fatalf("seeding: %s: %v", ddl, err)
				}
				for _, name := range serverTables(t, conn, db) {
					r, err := conn.Execute("SHOW CREATE TABLE `" + db + "`.`" + strings.ReplaceAll(name, "`", "``") + "`")
					if err != nil {
						t.Fatal(err)
					}
					ddl, _ := r.GetString(0, 1)
					if err := seeded.ApplySQL(ddl, db, false); err != nil {
						t.Fatalf("seeding: %s: %v", ddl, err)
					}
				}
			}
			cat.Invalidate()
			compareModel(t, "seeded from SHOW CREATE TABLE", conn, cat, seeded, nil)
		})
	}
}

func serverTables(t *testing.T, conn *client.Conn, db string) []string {
	t.Helper()
	r, err := conn.Execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY TABLE_NAME", db)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := 0; i < r.RowNumber(); i++ {
		n, _ := r.GetString(i, 0)
		out = append(out, n)
	}
	return out
}

// compareModel checks every table of the test databases.
func compareModel(t *testing.T, step string, conn *client.Conn, cat *server.Catalog, m *ddl.Model, unknown []string) {
	t.Helper()
	ctx := context.Background()
	for _, db := range []string{modelTestDB, modelTestDB2} {
		names := serverTables(t, conn, db)
		for _, n := range m.Tables() {
			if n.DB == db && !slices.Contains(names, n.Table) {
				t.Errorf("%s: the model has %s, the server does not", step, n)
			}
		}
		for _, name := range names {
			if !m.Exists(db, name) {
				t.Errorf("%s: the server has %s.%s, the model does not", step, db, name)
				continue
			}
			info, ok := m.TableInfo(db, name)
			if !ok {
				if db != modelTestDB || !slices.Contains(unknown, name) {
					t.Errorf("%s: the model cannot describe %s.%s", step, db, name)
				}
				continue
			}
			if slices.Contains(unknown, name) && db == modelTestDB {
				t.Errorf("%s: the model describes %s.%s, expected unknown", step, db, name)
			}
			want, err := cat.Table(ctx, db, name)
			if err != nil {
				t.Fatal(err)
			}
			compareRaw(t, step, conn, m, db, name)
			// Whether an integer's DDL declared a width is the model's
			// alone (information_schema shows a width either way).
			for i := range info.Columns {
				info.Columns[i].NoWidth = false
			}
			if !reflect.DeepEqual(info, want) {
				t.Errorf("%s: tableInfo(%s.%s) differs from catalog.table:\n%s", step, db, name, diffTableInfo(info, want))
			}
			desc, _ := m.Describe(db, name)
			wantDesc, found, err := cat.Describe(ctx, "mariadb", db, name)
			if err != nil || !found {
				t.Fatalf("catalog.describe(%s.%s): %v %v", db, name, found, err)
			}
			if wantDesc.Values[0] == nil {
				// catalog.describe finds the table's character set in
				// information_schema.COLLATIONS, which lacks MariaDB 10.10+'s
				// utf8mb4_uca1400_* collations: it is the catalog that loses
				// the character set (Sluice's model gives it, as Debezium's
				// parser would).
				r, err := conn.Execute(`SELECT a.CHARACTER_SET_NAME FROM information_schema.TABLES t
					JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY a ON a.FULL_COLLATION_NAME = t.TABLE_COLLATION
					WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?`, db, name)
				if err != nil {
					t.Fatal(err)
				}
				if r.RowNumber() > 0 {
					cs, _ := r.GetString(0, 0)
					wantDesc.Values[0] = cs
				}
			}
			// Debezium's length of an integer column is the display width
			// its DDL declares, null without one (INT, not INT(11));
			// COLUMN_TYPE shows MariaDB's default width either way, so only
			// the model knows it. The catalog's length of an integer
			// column the model gives none is not compared.
			if dcols, ok := desc.Values[2].([]any); ok {
				wcols, _ := wantDesc.Values[2].([]any)
				for i := 0; i < len(dcols) && i < len(wcols); i++ {
					d, w := dcols[i].(*change.Value), wcols[i].(*change.Value)
					switch fmt.Sprint(w.Values[1]) { // jdbcType
					case "-6", "5", "4", "-5": // TINYINT, SMALLINT, INTEGER, BIGINT
						if d.Values[6] == nil {
							w.Values[6] = nil
						}
					}
				}
			}
			if !reflect.DeepEqual(desc, wantDesc) {
				t.Errorf("%s: describe(%s.%s) differs from catalog.describe:\nmodel:  %s\nserver: %s", step, db, name, change.Format(desc), change.Format(wantDesc))
			}
			wantJSON, err := cat.JSONColumns(ctx, db, name)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.JSONColumns(db, name); !reflect.DeepEqual(got, wantJSON) {
				t.Errorf("%s: jsonColumns(%s.%s) = %v, catalog.jsonColumns = %v", step, db, name, got, wantJSON)
			}
		}
	}
}

// compareRaw compares the model's information_schema rows with the
// server's, field by field, for messages more precise than the derived
// values give. Expression defaults are compared by kind only: the server
// prints expressions in its own way.
func compareRaw(t *testing.T, step string, conn *client.Conn, m *ddl.Model, db, name string) {
	t.Helper()
	r, err := conn.Execute(`SELECT COLUMN_NAME, LOWER(DATA_TYPE), COLUMN_TYPE, IS_NULLABLE, IFNULL(COLUMN_DEFAULT, '<sql null>'),
		IFNULL(CHARACTER_SET_NAME, ''), IFNULL(COLLATION_NAME, ''), COLUMN_KEY = 'PRI', EXTRA
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, db, name)
	if err != nil {
		t.Fatal(err)
	}
	cols, collation, _ := m.Columns(db, name)
	if r.RowNumber() != len(cols) {
		t.Errorf("%s: %s.%s has %d columns on the server, %d in the model", step, db, name, r.RowNumber(), len(cols))
		return
	}
	for i := 0; i < r.RowNumber(); i++ {
		var server [9]string
		for j := range server {
			server[j], _ = r.GetString(i, j)
		}
		ic := cols[i]
		def := ic.Default
		if !ic.HasDefault {
			def = "<sql null>"
		}
		model := [9]string{ic.Name, ic.DataType, ic.ColumnType, pick(ic.Nullable, "YES", "NO"), def, ic.Charset, ic.Collation,
			pick(ic.Primary, "1", "0"), ic.Extra}
		if ic.Expression && !currentTimeExpr.MatchString(server[4]) {
			if _, has, _ := mysqltypes.ParseColumnDefault(server[4], false, "", ic.DataType, true); !has {
				server[4] = model[4] // both expressions
			}
		}
		if model != server {
			labels := []string{"name", "type", "column type", "nullable", "default", "charset", "collation", "pri", "extra"}
			var diffs []string
			for j := range model {
				if model[j] != server[j] {
					diffs = append(diffs, fmt.Sprintf("%s: model %q, server %q", labels[j], model[j], server[j]))
				}
			}
			t.Errorf("%s: %s.%s column %q: %s", step, db, name, ic.Name, strings.Join(diffs, "; "))
		}
	}
	r, err = conn.Execute("SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", db, name)
	if err != nil {
		t.Fatal(err)
	}
	if coll, _ := r.GetString(0, 0); coll != collation {
		t.Errorf("%s: %s.%s table collation: model %q, server %q", step, db, name, collation, coll)
	}
}

func diffTableInfo(got, want *ddl.TableInfo) string {
	var b strings.Builder
	if !reflect.DeepEqual(got.Key, want.Key) {
		fmt.Fprintf(&b, "  key: model %v, server %v\n", got.Key, want.Key)
	}
	for i := 0; i < max(len(got.Columns), len(want.Columns)); i++ {
		var g, w mysqltypes.ColumnDef
		if i < len(got.Columns) {
			g = got.Columns[i]
		}
		if i < len(want.Columns) {
			w = want.Columns[i]
		}
		if !reflect.DeepEqual(g, w) {
			fmt.Fprintf(&b, "  column %d:\n    model:  %+v\n    server: %+v\n", i+1, g, w)
		}
	}
	return b.String()
}
