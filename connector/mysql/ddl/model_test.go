package ddl

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// modelWithDB is a MariaDB model with server defaults utf8mb4 and database d.
func modelWithDB(t *testing.T, flavor string) *Model {
	t.Helper()
	m := NewModel(flavor)
	m.SetServerCharset("utf8mb4", "")
	mustApply(t, m, "CREATE DATABASE d")
	return m
}

func mustApply(t *testing.T, m *Model, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if err := m.ApplySQL(q, "d", false); err != nil {
			t.Fatalf("apply(%q): %v", q, err)
		}
	}
}

// columnLines renders a table's columns as information_schema shows them:
// "name COLUMN_TYPE [NOT NULL] [DEFAULT x] [charset/collation] [extra] [PRI]".
func columnLines(t *testing.T, m *Model, db, table string) []string {
	t.Helper()
	tbl := m.table(db, table)
	if tbl == nil || tbl.unknown {
		t.Fatalf("%s.%s is not described by the model", db, table)
	}
	keys := tbl.keyColumns()
	var out []string
	for i, c := range tbl.columns {
		ic := m.infoColumn(tbl, i)
		parts := []string{c.name, ic.ColumnType}
		if !ic.Nullable {
			parts = append(parts, "NOT NULL")
		}
		if ic.HasDefault {
			parts = append(parts, "DEFAULT "+ic.Default)
		}
		if c.charset != "" {
			parts = append(parts, c.charset+"/"+c.collation)
		}
		if ic.Extra != "" {
			parts = append(parts, "["+ic.Extra+"]")
		}
		if keys[strings.ToLower(c.name)] {
			parts = append(parts, "PRI")
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

func TestSchemaModelStatements(t *testing.T) {
	cases := []struct {
		name  string
		stmts []string
		table string
		want  []string
	}{
		{"types and aliases", []string{
			"CREATE TABLE t (a INT, b INTEGER UNSIGNED, c BOOL, d SERIAL, e DEC(5,2), f NUMERIC, g FLOAT(30), h REAL, i BIT, j YEAR, k TIME(3), l NCHAR(2), m CHARACTER VARYING(4), n LONG, o LONG VARBINARY, p TEXT(50), q JSON, r UUID, s INET6, t POINT)",
		}, "t", []string{
			"a int(11) DEFAULT NULL",
			"b int(10) unsigned DEFAULT NULL",
			"c tinyint(1) DEFAULT NULL",
			"d bigint(20) unsigned NOT NULL [auto_increment] PRI",
			"e decimal(5,2) DEFAULT NULL",
			"f decimal(10,0) DEFAULT NULL",
			"g double DEFAULT NULL",
			"h double DEFAULT NULL",
			"i bit(1) DEFAULT NULL",
			"j year(4) DEFAULT NULL",
			"k time(3) DEFAULT NULL",
			"l char(2) DEFAULT NULL utf8mb3/utf8mb3_general_ci",
			"m varchar(4) DEFAULT NULL utf8mb4/utf8mb4_general_ci",
			"n mediumtext DEFAULT NULL utf8mb4/utf8mb4_general_ci",
			"o mediumblob DEFAULT NULL",
			"p tinytext DEFAULT NULL utf8mb4/utf8mb4_general_ci",
			"q longtext DEFAULT NULL utf8mb4/utf8mb4_bin",
			"r uuid DEFAULT NULL",
			"s inet6 DEFAULT NULL",
			"t point DEFAULT NULL",
		}},
		{"literal defaults", []string{
			`CREATE TABLE t (a INT DEFAULT '7', b DECIMAL(5,2) DEFAULT 1, c FLOAT DEFAULT 3.14159265, d DOUBLE DEFAULT 1e20, e BIT(3) DEFAULT 5, f DATE DEFAULT '2020-1-2', g DATETIME(3) DEFAULT '2020-01-01', h TIME DEFAULT 10, i CHAR(3) DEFAULT 'a  ', j BINARY(3) DEFAULT 'a', k VARCHAR(9) DEFAULT 'it''s\\', l ENUM('Yes','No') DEFAULT 'no', m SET('a','b') DEFAULT 'b,a', n YEAR DEFAULT 20, o VARCHAR(3) DEFAULT 0x4142, p INT DEFAULT -1.5)`,
		}, "t", []string{
			"a int(11) DEFAULT 7",
			"b decimal(5,2) DEFAULT 1.00",
			"c float DEFAULT 3.14159",
			"d double DEFAULT 1e20",
			"e bit(3) DEFAULT b'101'",
			"f date DEFAULT '2020-01-02'",
			"g datetime(3) DEFAULT '2020-01-01 00:00:00.000'",
			"h time DEFAULT '00:00:10'",
			"i char(3) DEFAULT 'a' utf8mb4/utf8mb4_general_ci",
			`j binary(3) DEFAULT 'a\0\0'`,
			`k varchar(9) DEFAULT 'it''s\\' utf8mb4/utf8mb4_general_ci`,
			"l enum('Yes','No') DEFAULT 'No' utf8mb4/utf8mb4_general_ci",
			"m set('a','b') DEFAULT 'a,b' utf8mb4/utf8mb4_general_ci",
			"n year(4) DEFAULT 2020",
			"o varchar(3) DEFAULT 'AB' utf8mb4/utf8mb4_general_ci",
			"p int(11) DEFAULT -2",
		}},
		{"now and expressions", []string{
			"CREATE TABLE t (a TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE NOW(), b DATETIME(3) DEFAULT NOW(3), c INT DEFAULT (1+1), d INT DEFAULT (5), e VARCHAR(9) DEFAULT CONCAT('a','b'), f INT AS (c + 1) VIRTUAL, g INT INVISIBLE)",
		}, "t", []string{
			"a timestamp NOT NULL DEFAULT current_timestamp() [on update current_timestamp()]",
			"b datetime(3) DEFAULT current_timestamp(3)",
			"c int(11) DEFAULT (1+1)",
			"d int(11) DEFAULT 5",
			"e varchar(9) DEFAULT CONCAT('a','b') utf8mb4/utf8mb4_general_ci",
			"f int(11) DEFAULT NULL [VIRTUAL GENERATED]",
			"g int(11) DEFAULT NULL [INVISIBLE]",
		}},
		{"first and after", []string{
			"CREATE TABLE t (a INT, b INT)",
			"ALTER TABLE t ADD c INT FIRST, ADD d INT AFTER a, ADD e INT",
			"ALTER TABLE t MODIFY b INT FIRST, CHANGE e e2 INT AFTER c",
		}, "t", []string{
			"b int(11) DEFAULT NULL",
			"c int(11) DEFAULT NULL",
			"e2 int(11) DEFAULT NULL",
			"a int(11) DEFAULT NULL",
			"d int(11) DEFAULT NULL",
		}},
		{"columns renamed as the server does", []string{
			"CREATE TABLE t (a INT, b VARCHAR(5), PRIMARY KEY (a))",
			"ALTER TABLE t RENAME COLUMN a TO b, RENAME COLUMN b TO a",
		}, "t", []string{
			"b int(11) NOT NULL PRI",
			"a varchar(5) DEFAULT NULL utf8mb4/utf8mb4_general_ci",
		}},
		{"primary key changes", []string{
			"CREATE TABLE t (a INT, b INT, c INT, PRIMARY KEY (c, a))",
			"ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (b)",
		}, "t", []string{
			"a int(11) NOT NULL",
			"b int(11) NOT NULL PRI",
			"c int(11) NOT NULL",
		}},
		{"unique not null key stands in for the primary key", []string{
			"CREATE TABLE t (a INT, b INT NOT NULL, UNIQUE (a), UNIQUE (b))",
		}, "t", []string{
			"a int(11) DEFAULT NULL",
			"b int(11) NOT NULL PRI",
		}},
		{"charset inheritance", []string{
			"CREATE DATABASE l CHARACTER SET latin1",
			"CREATE TABLE l.t (a VARCHAR(2), b VARCHAR(2) COLLATE utf8mb4_bin, c VARCHAR(2) CHARSET utf8, d VARCHAR(2) BINARY, e TEXT ASCII, f VARCHAR(2) CHARSET binary)",
		}, "l.t", []string{
			"a varchar(2) DEFAULT NULL latin1/latin1_swedish_ci",
			"b varchar(2) DEFAULT NULL utf8mb4/utf8mb4_bin",
			"c varchar(2) DEFAULT NULL utf8mb3/utf8mb3_general_ci",
			"d varchar(2) DEFAULT NULL latin1/latin1_bin",
			"e text DEFAULT NULL latin1/latin1_swedish_ci",
			"f varbinary(2) DEFAULT NULL",
		}},
		{"table default charset then new columns", []string{
			"CREATE TABLE t (a VARCHAR(2)) COLLATE latin1_bin",
			"ALTER TABLE t DEFAULT CHARACTER SET utf8mb4, ADD b VARCHAR(2)",
		}, "t", []string{
			"a varchar(2) DEFAULT NULL latin1/latin1_bin",
			"b varchar(2) DEFAULT NULL utf8mb4/utf8mb4_general_ci",
		}},
		{"convert to promotes text", []string{
			"CREATE TABLE t (a TINYTEXT, b TEXT, c MEDIUMTEXT, d VARCHAR(3), e INT) CHARSET latin1",
			"ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4",
		}, "t", []string{
			"a text DEFAULT NULL utf8mb4/utf8mb4_general_ci",
			"b mediumtext DEFAULT NULL utf8mb4/utf8mb4_general_ci",
			"c longtext DEFAULT NULL utf8mb4/utf8mb4_general_ci",
			"d varchar(3) DEFAULT NULL utf8mb4/utf8mb4_general_ci",
			"e int(11) DEFAULT NULL",
		}},
		{"like copies", []string{
			"CREATE TABLE s (id INT PRIMARY KEY, j JSON) CHARSET latin1",
			"CREATE TABLE t LIKE s",
		}, "t", []string{
			"id int(11) NOT NULL PRI",
			"j longtext DEFAULT NULL utf8mb4/utf8mb4_bin",
		}},
		{"alter column defaults", []string{
			"CREATE TABLE t (a INT DEFAULT 1, b INT NOT NULL DEFAULT 2, c INT)",
			"ALTER TABLE t ALTER a DROP DEFAULT, ALTER COLUMN b DROP DEFAULT, ALTER c SET DEFAULT '3'",
		}, "t", []string{
			"a int(11) DEFAULT NULL",
			"b int(11) NOT NULL",
			"c int(11) DEFAULT 3",
		}},
		{"drop column leaves keys", []string{
			"CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, c INT, UNIQUE (a), KEY (b, c))",
			"ALTER TABLE t DROP a",
			"ALTER TABLE t ADD UNIQUE (b)",
		}, "t", []string{
			"b int(11) NOT NULL PRI",
			"c int(11) DEFAULT NULL",
		}},
		{"executable comments and set statement", []string{
			"CREATE TABLE t (id INT /*!50000 UNSIGNED */) /*!50100 ENGINE=InnoDB */",
			"SET STATEMENT max_statement_time=1 FOR ALTER TABLE t ADD v INT",
		}, "t", []string{
			"id int(10) unsigned DEFAULT NULL",
			"v int(11) DEFAULT NULL",
		}},
		{"show create table output", []string{
			"CREATE TABLE `t` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `j` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`j`)),\n  `e` varchar(10) DEFAULT concat('a','b'),\n  `ts` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),\n  PRIMARY KEY (`id`),\n  KEY `e` (`e`)\n) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci COMMENT='x'",
		}, "t", []string{
			"id int(11) NOT NULL [auto_increment] PRI",
			"j longtext DEFAULT NULL utf8mb4/utf8mb4_bin",
			"e varchar(10) DEFAULT concat('a','b') latin1/latin1_swedish_ci",
			"ts timestamp NOT NULL DEFAULT current_timestamp() [on update current_timestamp()]",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := modelWithDB(t, "mariadb")
			mustApply(t, m, c.stmts...)
			db, table, ok := strings.Cut(c.table, ".")
			if !ok {
				db, table = "d", c.table
			}
			if got := columnLines(t, m, db, table); !reflect.DeepEqual(got, c.want) {
				t.Errorf("columns:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(c.want, "\n      "))
			}
		})
	}
}

func TestSchemaModelJSON(t *testing.T) {
	m := modelWithDB(t, "mariadb")
	mustApply(t, m,
		"CREATE TABLE t (a JSON, b JSON CHECK (b IS NOT NULL), c LONGTEXT CHECK (json_valid(c)), d LONGTEXT, CONSTRAINT dj CHECK (json_valid(d)))",
		"ALTER TABLE t RENAME COLUMN a TO a2",
	)
	want := map[string]bool{"a2": true, "c": true, "d": true}
	if got := m.JSONColumns("d", "t"); !reflect.DeepEqual(got, want) {
		t.Errorf("jsonColumns = %v, want %v", got, want)
	}
	mustApply(t, m, "ALTER TABLE t DROP CONSTRAINT dj, MODIFY c LONGTEXT")
	want = map[string]bool{"a2": true}
	if got := m.JSONColumns("d", "t"); !reflect.DeepEqual(got, want) {
		t.Errorf("after DROP CONSTRAINT and MODIFY: jsonColumns = %v, want %v", got, want)
	}
	info, _ := m.TableInfo("d", "t")
	if !info.Columns[0].JSON || info.Columns[1].JSON {
		t.Errorf("tableInfo JSON flags: %+v", info.Columns)
	}
	// By default MariaDB's JSON is described as the LONGTEXT it is, as
	// Debezium 3.5 does; sluice.mariadb.json.as.json describes it as JSON.
	desc, _ := m.Describe("d", "t")
	if got := change.Format(desc); !strings.Contains(got, `{name="a2" jdbcType=12 typeName="LONGTEXT" typeExpression="LONGTEXT" charsetName="utf8mb4" position=1`) {
		t.Errorf("describe = %s", got)
	}
	m.JSONTyped = true
	desc, _ = m.Describe("d", "t")
	if got := change.Format(desc); !strings.Contains(got, `{name="a2" jdbcType=1111 typeName="JSON" typeExpression="JSON" position=1`) {
		t.Errorf("describe = %s", got)
	}
}

func TestSchemaModelRenamesAndDrops(t *testing.T) {
	m := modelWithDB(t, "mariadb")
	mustApply(t, m,
		"CREATE DATABASE e",
		"CREATE TABLE a (x INT)",
		"CREATE TABLE b (y INT)",
		"RENAME TABLE a TO tmp, b TO a, tmp TO b",
		"RENAME TABLE b TO e.b2",
		"ALTER TABLE a RENAME TO c, ADD z INT",
		"CREATE TABLE CaseT (v INT)",
	)
	want := []TableName{{"d", "CaseT"}, {"d", "c"}, {"e", "b2"}}
	if got := m.Tables(); !reflect.DeepEqual(got, want) {
		t.Fatalf("tables = %v, want %v", got, want)
	}
	if got := columnLines(t, m, "d", "c"); !reflect.DeepEqual(got, []string{"y int(11) DEFAULT NULL", "z int(11) DEFAULT NULL"}) {
		t.Errorf("d.c = %v", got)
	}
	if m.Exists("d", "caset") {
		t.Error("table names are case-sensitive")
	}
	mustApply(t, m, "DROP TABLE IF EXISTS c, nothere", "DROP DATABASE e", "TRUNCATE TABLE CaseT")
	if want := []TableName{{"d", "CaseT"}}; !reflect.DeepEqual(m.Tables(), want) {
		t.Errorf("after drops: %v", m.Tables())
	}
	// A table the model never saw arrives unknown under its new name.
	mustApply(t, m, "RENAME TABLE never TO seen", "ALTER TABLE alsonever ADD x INT")
	if !m.Exists("d", "seen") || m.Exists("d", "alsonever") {
		t.Errorf("exists(seen) = %v, exists(alsonever) = %v", m.Exists("d", "seen"), m.Exists("d", "alsonever"))
	}
	if _, ok := m.TableInfo("d", "seen"); ok {
		t.Error("a renamed unseen table should be unknown")
	}
}

func TestSchemaModelUnknownTables(t *testing.T) {
	m := modelWithDB(t, "mariadb")
	mustApply(t, m,
		"CREATE TABLE s (a INT)",
		"CREATE TABLE c1 AS SELECT a FROM s",
		"CREATE TABLE c2 (b INT) SELECT a FROM s",
		"CREATE TABLE l LIKE nowhere.x",
		"CREATE TABLE other.t (a INT)", // a database never seen: its character set is unknown
		"CREATE TABLE other.u (a VARCHAR(2)) CHARSET latin1",
	)
	for _, n := range []TableName{{"d", "c1"}, {"d", "c2"}, {"d", "l"}, {"other", "t"}} {
		if !m.Exists(n.DB, n.Table) {
			t.Errorf("%s should exist", n)
		}
		if _, ok := m.TableInfo(n.DB, n.Table); ok {
			t.Errorf("%s should be unknown", n)
		}
		if _, ok := m.Describe(n.DB, n.Table); ok {
			t.Errorf("describe(%s) should fail", n)
		}
	}
	if _, ok := m.TableInfo("other", "u"); !ok {
		t.Error("other.u declares its character set and should be known")
	}
	// Statements on an unknown table leave it unknown; dropping and
	// creating it again makes it known.
	mustApply(t, m, "ALTER TABLE c1 ADD x INT", "DROP TABLE c1", "CREATE TABLE c1 (x INT)")
	m.DropTable("d", "c2")
	if m.Exists("d", "c2") {
		t.Error("dropTable")
	}
	if _, ok := m.TableInfo("d", "c1"); !ok {
		t.Error("c1 should be known again")
	}
	m.MarkUnknown("d", "c1")
	if _, ok := m.TableInfo("d", "c1"); ok || !m.Exists("d", "c1") {
		t.Error("markUnknown")
	}
}

func TestSchemaModelServerCharset(t *testing.T) {
	m := NewModel("mariadb")
	// Debezium's schema history: the server's character set first.
	for _, q := range []string{
		"SET character_set_server=latin1, collation_server=latin1_german1_ci",
		"DROP TABLE IF EXISTS `h`.`t`",
		"CREATE DATABASE `h`",
		"USE `h`",
		"CREATE TABLE `t` (`a` varchar(3) DEFAULT NULL)",
	} {
		if err := m.ApplySQL(q, "h", false); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if got := columnLines(t, m, "h", "t"); got[0] != "a varchar(3) DEFAULT NULL latin1/latin1_german1_ci" {
		t.Errorf("got %v", got)
	}
	mustApply(t, m, "SET GLOBAL character_set_server = utf8mb4", "CREATE DATABASE d2", "ALTER DATABASE d2 COLLATE utf8mb4_bin")
	if d := m.dbs["d2"]; d.charset != "utf8mb4" || d.collation != "utf8mb4_bin" {
		t.Errorf("d2 = %s/%s", d.charset, d.collation)
	}
	m.SetServerCharset("", "utf8mb4_unicode_ci")
	if m.serverCharset != "utf8mb4" || m.serverCollation != "utf8mb4_unicode_ci" {
		t.Errorf("server = %s/%s", m.serverCharset, m.serverCollation)
	}
	// Without a server character set, databases created without one have
	// an unknown one, and so do their tables.
	u := NewModel("mariadb")
	if err := u.ApplySQL("CREATE DATABASE x", "", false); err != nil {
		t.Fatal(err)
	}
	if err := u.ApplySQL("CREATE TABLE x.t (a INT)", "", false); err != nil {
		t.Fatal(err)
	}
	if _, ok := u.TableInfo("x", "t"); ok {
		t.Error("x.t should be unknown")
	}
}

func TestSchemaModelErrors(t *testing.T) {
	cases := []struct{ stmt, want string }{
		{"ALTER TABLE t FROBNICATE c", `unknown ALTER TABLE clause near "FROBNICATE c"`},
		{"ALTER TABLE t ADD c NOTATYPE", `unknown data type near "NOTATYPE"`},
		{"ALTER TABLE t ADD c INT SPARKLY", `unknown attribute in the definition of column "c" near "SPARKLY"`},
		{"ALTER TABLE t MODIFY a INT, ALTER a SET SOMETHING", `unknown ALTER COLUMN clause near "SET SOMETHING"`},
		{"CREATE TABLE u (a INT, CONSTRAINT x ZAP (a))", `expected PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK after CONSTRAINT near "ZAP (a))"`},
		{"CREATE TABLE u (a VARCHAR)", "VARCHAR needs a length"},
		{"CREATE TABLE u (a INT) ENGINE=InnoDB GARBAGE", `unexpected near "GARBAGE"`},
		{"ALTER TABLE t CONVERT TO ENGINE=x", "expected CHARACTER SET after CONVERT TO"},
	}
	for _, c := range cases {
		m := modelWithDB(t, "mariadb")
		mustApply(t, m, "CREATE TABLE t (a INT)")
		before := m.clone()
		err := m.ApplySQL(c.stmt, "d", false)
		if !errors.Is(err, ErrUnparseable) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("apply(%q) = %v, want ErrUnparseable with %q", c.stmt, err, c.want)
		}
		if !reflect.DeepEqual(m.clone(), before) {
			t.Errorf("apply(%q) changed the model although it failed", c.stmt)
		}
	}
}

func TestSchemaModelDivergence(t *testing.T) {
	for _, stmt := range []string{
		"ALTER TABLE t DROP COLUMN b",
		"ALTER TABLE t ADD a INT",
		"ALTER TABLE t MODIFY nothere INT",
		"ALTER TABLE t ADD x INT AFTER nothere",
		"ALTER TABLE t DROP PRIMARY KEY",
	} {
		m := modelWithDB(t, "mariadb")
		mustApply(t, m, "CREATE TABLE t (a INT)")
		err := m.ApplySQL(stmt, "d", false)
		if !errors.Is(err, ErrDiverged) {
			t.Errorf("apply(%q) = %v, want ErrDiverged", stmt, err)
		}
		if _, ok := m.TableInfo("d", "t"); ok || !m.Exists("d", "t") {
			t.Errorf("after %q the table should be unknown", stmt)
		}
	}
	// IF EXISTS / IF NOT EXISTS clauses fit whatever the table has.
	m := modelWithDB(t, "mariadb")
	mustApply(t, m, "CREATE TABLE t (a INT)",
		"ALTER TABLE t DROP COLUMN IF EXISTS b, ADD COLUMN IF NOT EXISTS a INT, MODIFY IF EXISTS zz INT, DROP INDEX IF EXISTS k")
	if got := columnLines(t, m, "d", "t"); !reflect.DeepEqual(got, []string{"a int(11) DEFAULT NULL"}) {
		t.Errorf("got %v", got)
	}
}

func TestSchemaModelClone(t *testing.T) {
	m := modelWithDB(t, "mariadb")
	mustApply(t, m, "CREATE TABLE t (a INT, j JSON, KEY (a))")
	c := m.clone()
	mustApply(t, m, "ALTER TABLE t RENAME COLUMN j TO j2, ADD b INT, DROP INDEX a", "DROP DATABASE d")
	if got := columnLines(t, c, "d", "t"); !reflect.DeepEqual(got, []string{
		"a int(11) DEFAULT NULL", "j longtext DEFAULT NULL utf8mb4/utf8mb4_bin",
	}) {
		t.Errorf("the clone changed: %v", got)
	}
	if !c.JSONColumns("d", "t")["j"] || len(c.table("d", "t").indexes) != 1 {
		t.Error("the clone's check or index changed")
	}
}

func TestSchemaModelMatchesInfoColumnPaths(t *testing.T) {
	m := modelWithDB(t, "mariadb")
	mustApply(t, m, "CREATE TABLE t (id INT AUTO_INCREMENT, b BINARY(4) DEFAULT 'ab', e ENUM('x','y') NOT NULL DEFAULT 'y', ts DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3), PRIMARY KEY (id))")
	info, ok := m.TableInfo("d", "t")
	if !ok {
		t.Fatal("not described")
	}
	want := []mysqltypes.ColumnDef{
		{Name: "id", DataType: "int", ColumnType: "int(11)", Precision: 10, NoWidth: true},
		{Name: "b", DataType: "binary", ColumnType: "binary(4)", Nullable: true, Length: 4, Default: "ab\x00\x00", HasDefault: true},
		{Name: "e", DataType: "enum", ColumnType: "enum('x','y')", Charset: "utf8mb4", EnumValues: []string{"x", "y"}, Default: "y", HasDefault: true},
		{Name: "ts", DataType: "datetime", ColumnType: "datetime(3)", Nullable: true, FSP: 3, DefaultNow: true},
	}
	if !reflect.DeepEqual(info.Columns, want) || !reflect.DeepEqual(info.Key, []int{0}) {
		t.Errorf("tableInfo:\n got  %+v key %v\n want %+v", info.Columns, info.Key, want)
	}
	desc, _ := m.Describe("d", "t")
	// id is declared INT without a width: Debezium 3.5 writes no length
	// for it (seen side by side: ALTER TABLE ... ADD COLUMN added INT),
	// whatever display width COLUMN_TYPE shows.
	if got := change.Format(desc); !strings.Contains(got, `primaryKeyColumnNames=["id"]`) ||
		!strings.Contains(got, `{name="id" jdbcType=4 typeName="INT" typeExpression="INT" position=1 optional=false autoIncremented=true generated=true}`) ||
		!strings.Contains(got, `defaultValueExpression="1970-01-01 00:00:00"`) {
		t.Errorf("describe = %s", got)
	}
}

func TestSchemaModelMySQL(t *testing.T) {
	m := modelWithDB(t, "mysql")
	mustApply(t, m, "CREATE TABLE t (a INT, b TINYINT(1), c INT(5) ZEROFILL, d YEAR, e JSON, f VARCHAR(3) DEFAULT 'x', g INT DEFAULT (1), h DATETIME DEFAULT CURRENT_TIMESTAMP, i VARCHAR(3))")
	// MySQL shows literals bare, no COLUMN_DEFAULT for a nullable column
	// without one, and marks expression defaults DEFAULT_GENERATED.
	want := []string{
		"a int",
		"b tinyint(1)",
		"c int(5) unsigned zerofill",
		"d year",
		"e json",
		"f varchar(3) DEFAULT x utf8mb4/utf8mb4_0900_ai_ci",
		"g int DEFAULT 1 [DEFAULT_GENERATED]",
		"h datetime DEFAULT CURRENT_TIMESTAMP [DEFAULT_GENERATED]",
		"i varchar(3) utf8mb4/utf8mb4_0900_ai_ci",
	}
	if got := columnLines(t, m, "d", "t"); !reflect.DeepEqual(got, want) {
		t.Errorf("columns:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
	info, _ := m.TableInfo("d", "t")
	if e := info.Columns[4]; e.DataType != "json" || e.Charset != "" {
		t.Errorf("MySQL JSON column: %+v", e)
	}
	if g := info.Columns[6]; g.HasDefault {
		t.Errorf("an expression default is no default: %+v", g)
	}
}

func TestSchemaModelNoBackslashEscapes(t *testing.T) {
	m := modelWithDB(t, "mariadb")
	if err := m.ApplySQL(`CREATE TABLE t (a VARCHAR(5) DEFAULT 'a\b', b VARCHAR(5) DEFAULT 'x\%')`, "d", true); err != nil {
		t.Fatal(err)
	}
	if err := m.ApplySQL(`CREATE TABLE u (a VARCHAR(5) DEFAULT 'a\\b', b VARCHAR(5) DEFAULT 'x\%')`, "d", false); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ table, want string }{{"t", `'a\\b'`}, {"u", `'a\\b'`}} {
		if got := columnLines(t, m, "d", tc.table)[0]; !strings.Contains(got, "DEFAULT "+tc.want) {
			t.Errorf("%s: %s, want DEFAULT %s", tc.table, got, tc.want)
		}
		if got := columnLines(t, m, "d", tc.table)[1]; !strings.Contains(got, `DEFAULT 'x\\%'`) {
			t.Errorf("%s: %s, want the backslash of \\%% kept", tc.table, got)
		}
	}
}

func TestFormatServerFloat(t *testing.T) {
	cases := []struct {
		f      float64
		single bool
		want   string
	}{
		{0.1, true, "0.1"}, {3.14159265, true, "3.14159"}, {1e20, true, "1e20"}, {100000000, true, "100000000"},
		{1234567, true, "1234570"}, {1e-5, true, "0.00001"}, {-1.5e20, true, "-1.5e20"},
		{0.30000000000000004, false, "0.30000000000000004"}, {1e15, false, "1e15"}, {1e14, false, "100000000000000"},
		{1e-15, false, "0.000000000000001"}, {1e-16, false, "1e-16"}, {123456789012345678, false, "1.2345678901234568e17"},
		{1.234e-16, false, "1.234e-16"}, {0, false, "0"}, {-0.5, false, "-0.5"},
	}
	for _, c := range cases {
		f := c.f
		if c.single {
			f = float64(float32(f))
		}
		if got := formatServerFloat(f, c.single); got != c.want {
			t.Errorf("formatServerFloat(%v, %v) = %q, want %q", c.f, c.single, got, c.want)
		}
	}
}

func TestTemporalDefaults(t *testing.T) {
	str := func(s string) literal { return literal{kind: litString, text: s} }
	num := func(s string) literal { return literal{kind: litNumber, text: s} }
	cases := []struct {
		lit  literal
		typ  string
		fsp  int
		want string
	}{
		{str("2020-1-2"), "date", 0, "2020-01-02"},
		{num("20200102"), "date", 0, "2020-01-02"},
		{str("99-12-31"), "date", 0, "1999-12-31"},
		{str("2020-01-01T10:11:12"), "datetime", 0, "2020-01-01 10:11:12"},
		{str("2020-01-01 10:00:00.999"), "datetime", 2, "2020-01-01 10:00:00.99"},
		{num("0"), "datetime", 0, "0000-00-00 00:00:00"},
		{str("1:2"), "time", 0, "01:02:00"},
		{num("10"), "time", 0, "00:00:10"},
		{str("1 02:03:04"), "time", 0, "26:03:04"},
		{str("-1:00:00"), "time", 0, "-01:00:00"},
		{str("10:11:12.345"), "time", 2, "10:11:12.34"},
	}
	for _, c := range cases {
		var got string
		if c.typ == "time" {
			got = timeDefault(c.lit, c.fsp)
		} else {
			got = datetimeDefault(c.lit, c.typ, c.fsp)
		}
		if got != c.want {
			t.Errorf("%s %v (fsp %d) = %q, want %q", c.typ, c.lit, c.fsp, got, c.want)
		}
	}
}

// TestSchemaModelQuickLook is the model in a few lines.
func TestSchemaModelQuickLook(t *testing.T) {
	m := NewModel("mariadb")
	m.SetServerCharset("utf8mb4", "")
	for _, q := range []string{"CREATE DATABASE d", "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(5) DEFAULT 'x')", "ALTER TABLE t ADD w INT FIRST"} {
		if err := m.ApplySQL(q, "d", false); err != nil {
			t.Fatal(err)
		}
	}
	info, _ := m.TableInfo("d", "t")
	var got []string
	for _, c := range info.Columns {
		got = append(got, strings.TrimSpace(fmt.Sprint(c.Name, " ", c.ColumnType, " ", c.Default)))
	}
	if want := []string{"w int(11)", "id int(11)", "v varchar(5) x"}; !reflect.DeepEqual(got, want) || !reflect.DeepEqual(info.Key, []int{1}) {
		t.Errorf("got %q key %v", got, info.Key)
	}
}

// TestSchemaModelTruncatedStatements feeds every prefix of the corpus's
// statements: whatever the model makes of them, it must not panic, and a
// statement it rejects must leave it unchanged.
func TestSchemaModelTruncatedStatements(t *testing.T) {
	base := modelWithDB(t, "mariadb")
	mustApply(t, base, "CREATE TABLE t (a INT, b VARCHAR(5), c TEXT, PRIMARY KEY (a), KEY (b))")
	b, err := os.ReadFile("testdata/model_corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	// The corpus the server test (connector/mysql) runs on MariaDB.
	var corpus []struct{ Stmts []string }
	if err := json.Unmarshal(b, &corpus); err != nil {
		t.Fatal(err)
	}
	for _, c := range corpus {
		for _, q := range c.Stmts {
			for n := 1; n <= len(q); n++ {
				m := base.clone()
				prefix := q[:n]
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("apply(%q) panicked: %v", prefix, r)
						}
					}()
					if err := m.ApplySQL(prefix, "d", false); errors.Is(err, ErrUnparseable) && !reflect.DeepEqual(m.clone(), base.clone()) {
						t.Errorf("apply(%q) failed (%v) but changed the model", prefix, err)
					}
				}()
			}
		}
	}
}
