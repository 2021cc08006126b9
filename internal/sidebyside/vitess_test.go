package sidebyside

// TestSideBySideVitess runs Debezium's Vitess connector (3.5.0.Final, in
// the worker deploy/local/connect.sh starts) and Sluice on the same
// vttestserver cluster (deploy/local/vitess.sh: keyspace test_keyspace,
// shards -80 and 80-), with the same connector properties, in pairs: one
// with include.schema.changes=true and provide.transaction.metadata=true,
// one with the Vitess class's defaults, column rules and
// skipped.operations=d, one with a
// transform chain (and two Avro pairs when asked). Each pair copies the preloaded rows of both shards
// (VTGate's copy phase), then streams inserts, updates, deletes, primary
// key changes, multi-statement cross-shard transactions and DDL over every
// column type the cluster's MariaDB 10.11 has that VStream carries. Every
// topic is compared record by record as for the MySQL-family classes, and
// so are the offsets each stores (Debezium's through the worker's offsets
// REST API, Sluice's in _connect_offsets).
//
// It needs the servers of deploy/local/up.sh and deploy/local/vitess.sh and
// runs only when asked:
//
//	SLUICE_SIDEBYSIDE=1 SLUICE_SIDEBYSIDE_CLASSES=vitess go test -count=1 -v -run TestSideBySideVitess ./internal/sidebyside/
//
// Differences where Debezium is wrong are listed in allow_vitess.txt (same
// format as allow.txt).
//
// What is normalised beyond the MySQL-family comparison, and why:
//   - source.vgtid: a VGTID names every shard's position, and VTGate merges
//     the shards' streams for each VStream on its own; so the other shards'
//     entries in the VGTID of a row depend on how far VTGate had read them
//     for that stream. The row's own shard's entry (GTID and copy cursor)
//     must be equal and is compared; of the others only the keyspace and
//     shard names are. In copied rows (timestamp 0) the own shard's GTID is
//     the copy's snapshot position, which each VStream takes at its own
//     moment: there only the copy cursor (table_p_ks) is compared.
//   - order across shards: one key's records come from one shard, but the
//     schema change records (all keyed by the keyspace) come once per
//     shard, interleaved by VTGate for each stream on its own; records are
//     compared shard by shard, each shard's in their order.
//   - keyless tables' records are ordered by content: both sides spread
//     them over partitions at random.
//   - transaction metadata: a transaction's id is its VGTID, compared as
//     source.vgtid is (by the shard its rows came from), and its records
//     shard by shard. VTGate also sends transactions without rows on each
//     shard; their ids name no shard to compare by, so they are compared
//     by their number and content (see vitessTx).
//   - the stored offsets: Debezium stores the VGTID of the transaction
//     before the last record it wrote (restartVgtid: it sends that
//     transaction again after a restart), Sluice the VGTID of the last
//     transaction it acknowledged. The test compares the offsets' shape
//     (partition and field names, keyspace and shards of the VGTID) and
//     checks that Sluice's is not behind Debezium's on any shard.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

const vitessClass = "io.debezium.connector.vitess.VitessConnector"

// vtTable is a table of the Vitess workload: created (with its primary
// vindex) before the connectors start, with the rows the copy phase reads.
type vtTable struct {
	name, ddl, vindex string
	preload           []string
	rows              int
}

// vtTables: one table per group of column types, the key shapes (a primary
// key changed while streaming, a composite key declared out of column
// order, a unique NOT NULL index as the only key, no key), tables that DDL
// changes, and the end marker. Rows are spread over both shards by the
// hash vindex.
func vtTables() []vtTable {
	return []vtTable{
		{name: "sbv_int", vindex: "id", ddl: `CREATE TABLE sbv_int (id BIGINT PRIMARY KEY, ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT,
			siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
			bo BOOLEAN NOT NULL DEFAULT TRUE, dflt INT NOT NULL DEFAULT -7, z INT(5) ZEROFILL)`,
			preload: []string{
				`INSERT INTO sbv_int (id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, bo, dflt, z) VALUES
				(1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615, 0, 3, 42),
				(2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0, 1, -7, 0)`,
				`INSERT INTO sbv_int (id) VALUES (3), (4), (5), (6)`,
			}, rows: 6},
		{name: "sbv_dec", vindex: "id", ddl: `CREATE TABLE sbv_dec (id BIGINT PRIMARY KEY, d1 DECIMAL(10,2), d2 DECIMAL(38,10),
			d3 DECIMAL(5,0) NOT NULL DEFAULT 42, f FLOAT, db DOUBLE, du DECIMAL(8,2) UNSIGNED)`,
			preload: []string{
				`INSERT INTO sbv_dec (id, d1, d2, d3, f, db, du) VALUES (1, 12345678.90, -1234567890123456789012345678.0123456789, -99999, 0.1, 1.7976931348623157e308, 5.5),
				(2, -0.01, 0, 0, -3.5, -2.2250738585072014e-308, 0), (3, NULL, NULL, 1, NULL, NULL, NULL), (4, 1, 1, 1, 1, 1, 1)`,
			}, rows: 4},
		{name: "sbv_bit", vindex: "id", ddl: `CREATE TABLE sbv_bit (id BIGINT PRIMARY KEY, b1 BIT(1), b10 BIT(10), b64 BIT(64), y YEAR, y2 YEAR NOT NULL DEFAULT 2000)`,
			preload: []string{
				`INSERT INTO sbv_bit (id, b1, b10, b64, y, y2) VALUES (1, 1, b'1000000001', b'1111111111111111111111111111111111111111111111111111111111111111', 2155, 1901),
				(2, 0, b'0', b'0', 1901, 2000), (3, NULL, NULL, NULL, NULL, 2024), (4, 1, b'11', b'1010', 1999, 1999)`,
			}, rows: 4},
		{name: "sbv_time", vindex: "id", ddl: `CREATE TABLE sbv_time (id BIGINT PRIMARY KEY, d DATE, t TIME, t6 TIME(6), dt DATETIME, dt3 DATETIME(3),
			dt6 DATETIME(6), ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, ts6 TIMESTAMP(6) NULL, tn TIME NOT NULL DEFAULT '00:00:01')`,
			preload: []string{
				`INSERT INTO sbv_time (id, d, t, t6, dt, dt3, dt6, ts, ts3, ts6) VALUES
				(1, '2024-02-29', '23:59:59', '23:59:59.999999', '2024-02-29 13:14:15', '1969-12-31 23:59:59.999', '1000-01-01 00:00:00.000001',
				 '2038-01-19 03:14:07', '1970-01-01 00:00:01.5', '2024-01-02 03:04:05.123456'),
				(2, '1000-01-01', '-838:59:59', '838:59:59.000000', '9999-12-31 23:59:59', '2020-01-01 10:00:00.100', '2020-01-01 10:00:00',
				 '1970-01-01 00:00:01', NULL, NULL),
				(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (4, '1970-01-01', '00:00:00', '-00:00:01.5', '1970-01-01 00:00:00', NULL, NULL, NULL, NULL, NULL)`,
			}, rows: 4},
		{name: "sbv_str", vindex: "id", ddl: `CREATE TABLE sbv_str (id BIGINT PRIMARY KEY, c CHAR(5), vc VARCHAR(20), tx TEXT, mt MEDIUMTEXT,
			l1 VARCHAR(10) CHARACTER SET latin1, cb VARCHAR(10) COLLATE utf8mb4_bin, bn BINARY(4), vb VARBINARY(8), bl BLOB,
			e ENUM('a','b c') , s SET('x','y','z'), j JSON, dflt VARCHAR(10) NOT NULL DEFAULT 'd')`,
			preload: []string{
				`INSERT INTO sbv_str (id, c, vc, tx, mt, l1, cb, bn, vb, bl, e, s, j) VALUES
				(1, 'ab', 'héllo ☃', 'text', 'medium', 'café', 'Bin', x'00010203', x'ff00', x'deadbeef', 'b c', 'x,z', '{"a": [1, 2.5, "x"], "b": null}'),
				(2, '', '', '', '', '', '', x'', x'', x'', 'a', '', '[]'),
				(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
				(4, 'quote', 'it''s "q"', 'tab\tnl\n', 'x', 'ÿ', 'Z', x'41424344', x'00', x'00', 'a', 'y', '"s"')`,
			}, rows: 4},
		{name: "sbv_more", vindex: "id", ddl: `CREATE TABLE sbv_more (id BIGINT UNSIGNED PRIMARY KEY, tt TINYTEXT, lt LONGTEXT, tb TINYBLOB,
			mb MEDIUMBLOB, lb LONGBLOB, cbin CHAR(3) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, asc1 VARCHAR(5) CHARACTER SET ascii,
			en ENUM('x','y') NOT NULL DEFAULT 'y', r REAL, n NUMERIC(6,3), dp DOUBLE PRECISION, dt0 DATETIME NULL, d0 DATE NULL,
			vb2 VARBINARY(3), ch CHAR(1) NOT NULL DEFAULT '')`,
			preload: []string{
				`INSERT INTO sbv_more (id, tt, lt, tb, mb, lb, cbin, asc1, en, r, n, dp, dt0, d0, vb2, ch) VALUES
				(1, 'tiny', 'long ✓', x'01', x'0203', x'040506', 'ab', 'asc', 'x', 1.5, 123.456, -0.25, '2001-02-03 04:05:06', '2001-02-03', x'616263', 'c'),
				(18446744073709551615, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'y', NULL, NULL, NULL, NULL, NULL, NULL, ''),
				(3, '', '', x'', x'', x'', '', '', 'y', 0, 0, 0, '1970-01-01 00:00:00', '1970-01-01', x'', 'z')`,
			}, rows: 3},
		// GEOMETRY is a type Debezium's Vitess connector does not know: it
		// leaves the column out of the records, and so does Sluice.
		{name: "sbv_geo", vindex: "id", ddl: `CREATE TABLE sbv_geo (id BIGINT PRIMARY KEY, g GEOMETRY, p POINT NOT NULL, v INT)`,
			preload: []string{`INSERT INTO sbv_geo (id, g, p, v) VALUES (1, ST_GeomFromText('LINESTRING(0 0, 1 1)'), POINT(1, 2), 1),
				(2, NULL, POINT(0, 0), 2)`},
			rows: 2},
		{name: "sbv_key", vindex: "sk", ddl: `CREATE TABLE sbv_key (id BIGINT NOT NULL, sk BIGINT NOT NULL, v INT NOT NULL, PRIMARY KEY (id))`,
			preload: []string{`INSERT INTO sbv_key (id, sk, v) VALUES (1, 1, 0), (2, 2, 0), (3, 3, 0), (4, 4, 0), (5, 5, 0), (6, 6, 0), (7, 7, 0), (8, 8, 0)`},
			rows:    8},
		{name: "sbv_comp", vindex: "a", ddl: `CREATE TABLE sbv_comp (a BIGINT NOT NULL, b VARCHAR(10) NOT NULL, v INT, PRIMARY KEY (b, a))`,
			preload: []string{`INSERT INTO sbv_comp (a, b, v) VALUES (1, 'x', 1), (2, 'y', 2), (3, 'z', 3), (4, 'x', 4)`},
			rows:    4},
		{name: "sbv_uniq", vindex: "u", ddl: `CREATE TABLE sbv_uniq (u BIGINT NOT NULL, v INT, UNIQUE KEY uk (u))`,
			preload: []string{`INSERT INTO sbv_uniq (u, v) VALUES (1, 1), (2, 2), (3, 3), (4, 4)`},
			rows:    4},
		{name: "sbv_nokey", vindex: "a", ddl: `CREATE TABLE sbv_nokey (a BIGINT, v VARCHAR(10))`,
			preload: []string{`INSERT INTO sbv_nokey (a, v) VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four')`},
			rows:    4},
		{name: "sbv_ddl", vindex: "id", ddl: `CREATE TABLE sbv_ddl (id BIGINT PRIMARY KEY, v INT)`,
			preload: []string{`INSERT INTO sbv_ddl (id, v) VALUES (1, 1), (2, 2), (3, 3), (4, 4)`},
			rows:    4},
		{name: "sbv_trunc", vindex: "id", ddl: `CREATE TABLE sbv_trunc (id BIGINT PRIMARY KEY, v INT)`,
			preload: []string{`INSERT INTO sbv_trunc (id, v) VALUES (1, 1), (2, 2), (3, 3), (4, 4)`},
			rows:    4},
		{name: "sbv_drop", vindex: "id", ddl: `CREATE TABLE sbv_drop (id BIGINT PRIMARY KEY, v INT)`,
			preload: []string{`INSERT INTO sbv_drop (id, v) VALUES (1, 1), (2, 2)`},
			rows:    2},
		{name: "sbv_big", vindex: "id", ddl: `CREATE TABLE sbv_big (id BIGINT PRIMARY KEY, pad VARCHAR(1000))`},
		{name: "sbv_zz_end", vindex: "id", ddl: `CREATE TABLE sbv_zz_end (id BIGINT PRIMARY KEY)`},
	}
}

// vtBigTransaction inserts 10,000 rows of 1,000 bytes in one transaction:
// some 5,000 a shard, past the 8 MiB a VStream reader holds in memory
// (maxPending), so that the rest waits in a file for the transaction's
// VGTID, which Debezium's Vitess connector (holding it whole) writes in
// every row's source.vgtid and as the transaction's id.
func vtBigTransaction() []string {
	var stmts []string
	for lo := 1; lo <= 10_000; lo += 500 {
		var vals []string
		for id := lo; id < lo+500; id++ {
			vals = append(vals, fmt.Sprintf("(%d, REPEAT('b', 1000))", id))
		}
		stmts = append(stmts, "INSERT INTO sbv_big (id, pad) VALUES "+strings.Join(vals, ", "))
	}
	return stmts
}

// vtStreaming is the streaming workload: each inner list is one
// transaction (several statements run between BEGIN and COMMIT; VTGate
// commits a transaction that touched both shards once per shard).
func vtStreaming() [][]string {
	return [][]string{
		{`INSERT INTO sbv_int (id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, bo, dflt, z) VALUES
			(101, -1, 1, -1, 1, -1, 1, -1, 1, -1, 9223372036854775808, 1, 0, 7), (102, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 1, NULL)`},
		{`UPDATE sbv_int SET biu = 18446744073709551614, ti = 5 WHERE id = 1`, `UPDATE sbv_int SET iu = 7 WHERE id IN (2, 3, 4)`},
		{`DELETE FROM sbv_int WHERE id = 5`},
		{`INSERT INTO sbv_dec (id, d1, d2, d3, f, db, du) VALUES (101, 0.5, 99999999999999999999999999.9999999999, 12345, 1e-10, 3.141592653589793, 999999.99)`},
		{`UPDATE sbv_dec SET d1 = -d1, f = 2.5 WHERE id IN (1, 2)`},
		{`DELETE FROM sbv_dec WHERE id = 4`},
		{`INSERT INTO sbv_bit (id, b1, b10, b64, y, y2) VALUES (101, 1, b'1111111111', b'1000000000000000000000000000000000000000000000000000000000000001', 2000, 2001)`},
		{`UPDATE sbv_bit SET b10 = b'101', y = 1970 WHERE id = 1`, `DELETE FROM sbv_bit WHERE id = 4`},
		{`INSERT INTO sbv_time (id, d, t, t6, dt, dt3, dt6, ts, ts3, ts6) VALUES
			(101, '2000-01-01', '12:00:00', '-12:34:56.789012', '2000-01-01 00:00:00', '2000-01-01 00:00:00.001', '2000-01-01 00:00:00.000999',
			 '2000-01-01 00:00:00', '2000-01-01 00:00:00.999', '2000-01-01 00:00:00.000001')`},
		{`UPDATE sbv_time SET t = '01:02:03', ts3 = '2030-06-15 12:00:00.250' WHERE id IN (1, 2)`, `DELETE FROM sbv_time WHERE id = 4`},
		{`INSERT INTO sbv_str (id, c, vc, tx, mt, l1, cb, bn, vb, bl, e, s, j) VALUES
			(101, 'z', '日本語', REPEAT('x', 300), 'm', 'àé', 'b', x'ffffffff', x'0102', x'', 'b c', 'x,y,z', '{"k": {"n": 1}}')`},
		{`UPDATE sbv_str SET vc = 'changed', j = '[1, 2]', s = 'y' WHERE id IN (1, 2)`, `DELETE FROM sbv_str WHERE id = 4`},
		{`INSERT INTO sbv_more (id, tt, lt, tb, mb, lb, cbin, asc1, en, r, n, dp, dt0, d0, vb2, ch) VALUES
			(9223372036854775808, 't', REPEAT('l', 1000), x'ff', x'', x'00ff', 'xyz', 'q', 'x', -1e30, -999.999, 1e-300, '9999-12-31 23:59:59', '9999-12-31', x'000102', 'a')`},
		{`UPDATE sbv_more SET n = 0.001, r = 2.5, tt = NULL WHERE id IN (1, 3)`, `DELETE FROM sbv_more WHERE id = 18446744073709551615`},
		{`INSERT INTO sbv_geo (id, g, p, v) VALUES (101, ST_GeomFromText('POINT(3 4)'), POINT(5, 6), 3)`,
			`UPDATE sbv_geo SET v = 9, p = POINT(7, 8) WHERE id = 1`, `DELETE FROM sbv_geo WHERE id = 2`},
		// Primary key changes (the sharding column sk stays: VTGate cannot
		// update it): a delete, a tombstone and a create for the new key.
		{`UPDATE sbv_key SET id = id + 1000 WHERE id = 1`},
		{`UPDATE sbv_key SET id = 2000, v = 5 WHERE id = 2`},
		// A multi-statement transaction over both shards.
		{`INSERT INTO sbv_key (id, sk, v) VALUES (201, 201, 1), (202, 202, 1), (203, 203, 1), (204, 204, 1)`,
			`UPDATE sbv_key SET v = v + 1 WHERE id IN (3, 4, 5, 6)`,
			`DELETE FROM sbv_key WHERE id = 7`,
			`INSERT INTO sbv_comp (a, b, v) VALUES (101, 'q', 1), (102, 'r', 2)`,
			`UPDATE sbv_comp SET v = v * 10`},
		{`UPDATE sbv_comp SET b = 'w' WHERE a = 1`, `DELETE FROM sbv_comp WHERE a = 2`},
		{`INSERT INTO sbv_uniq (u, v) VALUES (101, 1)`, `UPDATE sbv_uniq SET v = 9 WHERE u IN (1, 2)`, `DELETE FROM sbv_uniq WHERE u = 3`},
		{`INSERT INTO sbv_nokey (a, v) VALUES (101, 'new')`, `UPDATE sbv_nokey SET v = 'upd' WHERE a IN (1, 2)`, `DELETE FROM sbv_nokey WHERE a = 3`},
		// DDL: columns added, changed and dropped with rows between; a
		// TRUNCATE; a table dropped and created again under its name (the
		// filter matches tables by name, so its rows are captured again).
		{`ALTER TABLE sbv_ddl ADD COLUMN added VARCHAR(10) NOT NULL DEFAULT 'new'`},
		{`INSERT INTO sbv_ddl (id, v, added) VALUES (101, 1, 'x'), (102, 2, 'y')`, `UPDATE sbv_ddl SET v = 10 WHERE id IN (1, 2)`},
		{`ALTER TABLE sbv_ddl MODIFY COLUMN v BIGINT, ADD COLUMN d2 DECIMAL(6,2)`},
		{`UPDATE sbv_ddl SET v = 9999999999, d2 = 1.25 WHERE id IN (3, 4)`},
		{`ALTER TABLE sbv_ddl DROP COLUMN added`},
		{`INSERT INTO sbv_ddl (id, v, d2) VALUES (103, 3, 0.5)`, `DELETE FROM sbv_ddl WHERE id = 101`},
		{`TRUNCATE TABLE sbv_trunc`},
		{`INSERT INTO sbv_trunc (id, v) VALUES (11, 11), (12, 12)`},
		{`DROP TABLE sbv_drop`},
		{`CREATE TABLE sbv_drop (id BIGINT PRIMARY KEY, w VARCHAR(5))`},
		{`INSERT INTO sbv_drop (id, w) VALUES (1, 'a'), (3, 'c')`},
		vtBigTransaction(),
		{`INSERT INTO sbv_zz_end (id) VALUES (1)`},
	}
}

// vtPair is one run of both implementations on the keyspace.
type vtPair struct {
	debezium, sluice string // topic prefixes, also the connector names
	schemaChanges    bool
	transforms       bool // with vitessTransforms' chain
	avro             bool // with the Avro run's converters (avroMode)
	columnRules      bool // with vitessColumnRules
	txMetadata       bool // with provide.transaction.metadata (JSON only)
	skipDeletes      bool // with skipped.operations=d
	// tableNaming is the Vitess TableTopicNamingStrategy: topics
	// <prefix>.<table>, schema change events to <prefix>.ddl
	// (override.schema.change.topic).
	tableNaming bool
}

// tables is what follows the prefix in the names of the pair's table
// topics: the table names all start with sbv_, which keeps the
// transaction and schema change topics out.
func (p vtPair) tables(keyspace string) string {
	if p.tableNaming {
		return ".sbv_"
	}
	return "." + keyspace + ".sbv_"
}

// config is the pair's connector file on either side: m, the settings all
// pairs share, with the pair's own.
func (p vtPair) config(m map[string]string, avro *mode) map[string]string {
	if !p.schemaChanges {
		delete(m, "include.schema.changes") // the default
	}
	if p.transforms {
		maps.Copy(m, vitessTransforms())
	}
	if p.avro {
		avro.props(m)
	}
	if p.columnRules {
		maps.Copy(m, vitessColumnRules)
	}
	if p.txMetadata {
		m["provide.transaction.metadata"] = "true"
	}
	if p.tableNaming {
		m["topic.naming.strategy"] = "io.debezium.connector.vitess.TableTopicNamingStrategy"
		m["override.schema.change.topic"] = m["topic.prefix"] + ".ddl"
	}
	if p.skipDeletes {
		// Debezium's dispatcher drops records by their own operation: a
		// key change keeps its create (and the old key header), loses
		// its delete and tombstone.
		m["skipped.operations"] = "d"
	}
	return m
}

// vitessColumnRules hash, mask and truncate some of sbv_str's columns and
// propagate some source types, as both connectors' column mappers do
// (MariaDB's pairs have these too); Debezium's Vitess columns have a
// length only for temporal types, so hashes are not cut.
var vitessColumnRules = map[string]string{
	"column.mask.hash.SHA-256.with.salt.vt5alt": `.*\.sbv_str\.(vc|tx)`,
	"column.mask.hash.v2.MD5.with.salt.v2s":     `.*\.sbv_str\.(cb|l1)`,
	"column.mask.with.3.chars":                  `.*\.sbv_str\.c`,
	"column.truncate.to.4.chars":                `.*\.sbv_str\.mt`,
	"column.propagate.source.type":              `.*\.sbv_(str\.vc|dec\.d1|time\.dt3|int\.si)`,
}

// vitessTransforms is the MariaDB-class transforms pair's chain
// (transformsProps) for the Vitess tables: the predicates pick sbv_int and
// sbv_time (whose TIMESTAMP text TimestampConverter parses), and
// ExtractNewRecordState also adds the source's shard, by which the
// flattened records' order is compared (see normaliseVitessUnwrapped).
func vitessTransforms() map[string]string {
	m := maps.Clone(transformsProps)
	m["transforms.unwrap.add.fields"] = "op,table,db,shard"
	m["predicates.ints.pattern"] = `.*\.sbv_int`
	// VStream's TIMESTAMP is text ("2038-01-19 03:14:07"), as Debezium's
	// Vitess connector writes it: parsed into epoch milliseconds here.
	m["predicates.times.pattern"] = `.*\.sbv_time`
	m["transforms.when.field"] = "ts"
	m["transforms.when.target.type"] = "unix"
	m["transforms.when.format"] = "yyyy-MM-dd HH:mm:ss"
	// The changed-columns headers would list sbv_bit's BIT columns, which
	// Debezium Vitess 3.5.0.Final leaves out of its records (dbz#2191, in
	// allow_vitess.txt): that table's records skip them.
	m["transforms.changed.predicate"] = "bits"
	m["transforms.changed.negate"] = "true"
	m["predicates"] += ",bits"
	m["predicates.bits.type"] = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches"
	m["predicates.bits.pattern"] = `.*\.sbv_bit`
	return m
}

// normaliseVitessUnwrapped takes a flattened record's op and shard from the
// fields ExtractNewRecordState added.
func normaliseVitessUnwrapped(class string, x *rec) {
	unwrappedOp(class, x)
	if s, ok := payloadOf(x.value)["__shard"].(string); ok {
		x.shard = s
	}
}

func TestSideBySideVitess(t *testing.T) {
	e := setup(t)
	if !slices.Contains(wantedClasses(), "vitess") {
		t.Skip("SLUICE_SIDEBYSIDE_CLASSES leaves out vitess")
	}
	grpcAddr, vtMySQL, keyspace := os.Getenv("SLUICE_TEST_VTGATE_GRPC"), os.Getenv("SLUICE_TEST_VTGATE_MYSQL"), os.Getenv("SLUICE_TEST_VITESS_KEYSPACE")
	if grpcAddr == "" || vtMySQL == "" {
		t.Fatal("SLUICE_TEST_VTGATE_GRPC / SLUICE_TEST_VTGATE_MYSQL are not set: start the cluster with deploy/local/vitess.sh start and export what it prints")
	}
	if keyspace == "" {
		keyspace = "test_keyspace"
	}
	start := time.Now()
	keep := os.Getenv("SLUICE_SIDEBYSIDE_KEEP") == "1"
	bin := buildSluice(t, e)

	conn, err := client.Connect(vtMySQL, "root", "", keyspace)
	if err != nil {
		t.Fatalf("connecting to VTGate's MySQL port %s: %v", vtMySQL, err)
	}
	t.Cleanup(func() { conn.Close() })
	exec1 := func(q string) {
		t.Helper()
		if _, err := conn.Execute(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	tables := vtTables()
	total := 0
	// The tables have fixed names (kinds of difference name their table);
	// a run's leftovers are dropped first. Only this test uses sbv_*.
	for _, tb := range tables {
		exec1("DROP TABLE IF EXISTS " + tb.name)
	}
	for _, tb := range tables {
		exec1(tb.ddl)
		if _, err := conn.Execute(fmt.Sprintf("ALTER VSCHEMA ON %s ADD VINDEX hash(%s) USING hash", tb.name, tb.vindex)); err != nil && !strings.Contains(err.Error(), "already") {
			t.Fatalf("adding the vindex of %s: %v", tb.name, err)
		}
		total += tb.rows
		if !keep {
			name := tb.name
			t.Cleanup(func() { _, _ = conn.Execute("DROP TABLE IF EXISTS " + name) })
		}
	}
	time.Sleep(1500 * time.Millisecond) // vschema changes take about half a second to show
	for _, tb := range tables {
		for _, q := range tb.preload {
			exec1(q)
		}
	}

	run := fmt.Sprintf("%06d", rand.Intn(1e6))
	pairs := []vtPair{
		{debezium: "sbvd1" + run, sluice: "sbvs1" + run, schemaChanges: true, txMetadata: true, tableNaming: true},
		{debezium: "sbvd0" + run, sluice: "sbvs0" + run, schemaChanges: false, columnRules: true, skipDeletes: true},
		{debezium: "sbvdt" + run, sluice: "sbvst" + run, transforms: true},
	}
	// With SLUICE_SIDEBYSIDE_AVRO=1 (the worker started with
	// SLUICE_CONNECT_AVRO=1), two pairs convert with Apicurio's
	// AvroConverter as TestSideBySideAvro's do, one of them through the
	// transforms pair's chain, and the subjects each registers are compared
	// too.
	var avro *mode
	allowFiles := []string{"allow_vitess.txt"}
	if os.Getenv("SLUICE_SIDEBYSIDE_AVRO") == "1" {
		m := avroMode(&registryReader{base: registryURL(t)})
		avro = &m
		allowFiles = append(allowFiles, "allow_avro.txt")
		pairs = append(pairs, vtPair{debezium: "sbvda" + run, sluice: "sbvsa" + run, avro: true, columnRules: true},
			vtPair{debezium: "sbvdat" + run, sluice: "sbvsat" + run, avro: true, transforms: true})
	}
	host, port, _ := strings.Cut(grpcAddr, ":")
	props := func(name string, schemaChanges bool) map[string]string {
		return withEnvProps(map[string]string{
			"connector.class":   vitessClass,
			"database.hostname": host, "database.port": port,
			"vitess.keyspace":    keyspace,
			"vitess.tablet.type": "MASTER",
			"topic.prefix":       name,
			"table.include.list": keyspace + `\.sbv_.*`,
			// Debezium's default is false; true is written out for
			// the pair that has schema change events.
			"include.schema.changes":                    strconv.FormatBool(schemaChanges),
			"topic.creation.default.partitions":         "3",
			"topic.creation.default.replication.factor": "1",
			"offset.flush.interval.ms":                  "1000",
			// Debezium's Vitess connector notifies a skipped snapshot at each start.
			"notification.enabled.channels": "sink",
			"notification.sink.topic.name":  name + "-notifications",
		})
	}
	adm := newAdmin(t, e.kafka)
	var files []string
	dcfgs := make([]map[string]string, len(pairs))
	for i, p := range pairs {
		cfg := p.config(props(p.debezium, p.schemaChanges), avro)
		if !keep {
			p := p
			t.Cleanup(func() { deleteConnector(e, p.debezium) })
			t.Cleanup(func() {
				deleteTopics(adm, []pair{{debezium: p.debezium, sluice: p.sluice}})
			})
		}
		createConnector(t, e, p.debezium, cfg)
		dcfgs[i] = cfg
		scfg := p.config(props(p.sluice, p.schemaChanges), avro)
		b, _ := json.Marshal(map[string]any{"name": p.sluice, "config": scfg})
		f := filepath.Join(t.TempDir(), p.sluice+".json")
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	var slog conformance.SyncBuffer
	daemon := exec.Command(bin, append([]string{"run", "--bootstrap-servers", e.kafka, "--log-format", "console"}, files...)...)
	daemon.Stdout, daemon.Stderr = &slog, &slog
	if err := daemon.Start(); err != nil {
		t.Fatalf("starting sluice: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = daemon.Wait(); close(done) }()
	defer func() {
		select {
		case <-done:
		default:
			_ = daemon.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				_ = daemon.Process.Kill()
				<-done
			}
		}
	}()
	defer func() {
		if t.Failed() {
			f := filepath.Join(os.TempDir(), "sidebyside-vitess-sluice.log")
			_ = os.WriteFile(f, []byte(slog.String()), 0o644)
			t.Logf("sluice log (whole in %s), tail:\n%s", f, conformance.Tail(slog.String(), 3000))
		}
	}()

	// The copy phase must be over on both sides before the workload
	// starts, or a row could be copied on one side and streamed on the
	// other.
	sides := make([]copySide, len(pairs))
	for i := range pairs {
		p := &pairs[i]
		sides[i] = copySide{debezium: &p.debezium, sluice: p.sluice, cfg: dcfgs[i], topics: p.tables(keyspace), want: total}
	}
	waitForCopies(t, e, adm, sides, 180*time.Second, "the copy phases", keep, &slog)
	// The names as they are now: a stalled Debezium connector may have
	// been recreated under another.
	// tableTopics start the names of every side's table topics.
	var prefixes, tableTopics []string
	for _, p := range pairs {
		prefixes = append(prefixes, p.debezium, p.sluice)
		tableTopics = append(tableTopics, p.debezium+p.tables(keyspace), p.sluice+p.tables(keyspace))
	}
	dpairs := sidePairs(sides)
	t.Logf("copy phases done after %s", time.Since(start).Round(time.Millisecond))
	// VTGate reports the copy complete once every shard's catch-up is
	// over; a short pause keeps the first streamed changes out of it.
	time.Sleep(2 * time.Second)

	quiet := func(d time.Duration) {
		last, since := "", time.Now()
		for deadline := time.Now().Add(30 * time.Second); time.Since(since) < d && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
			var b strings.Builder
			for _, tt := range tableTopics {
				fmt.Fprintf(&b, "%d;", countRecords(adm, tt))
			}
			if b.String() != last {
				last, since = b.String(), time.Now()
			}
		}
	}
	for _, tx := range vtStreaming() {
		if isDDL(tx[0]) {
			// Every stream must be past the rows before a DDL first:
			// vttestserver keeps no schema history, so a VStream still
			// reading rows written before a DDL that another stream's
			// read already applied to the tablet's schema fails
			// ("cannot determine table columns"), Debezium's and
			// Sluice's alike.
			quiet(700 * time.Millisecond)
		}
		if len(tx) > 1 {
			exec1("BEGIN")
		}
		for _, q := range tx {
			exec1(q)
		}
		if len(tx) > 1 {
			exec1("COMMIT")
		}
		if isDDL(tx[0]) {
			time.Sleep(1500 * time.Millisecond) // VTGate's schema tracker catches up before the next rows
		}
	}
	waitFor(t, e, dpairs, 120*time.Second, "the end marker", func() (bool, string) {
		var status []string
		ok := true
		for _, tt := range tableTopics {
			n := countRecords(adm, tt+"zz_end")
			status = append(status, fmt.Sprintf("%s %d", tt, n))
			ok = ok && n > 0
		}
		return ok, strings.Join(status, ", ")
	}, &slog)
	last, quietSince := "", time.Now()
	for time.Since(quietSince) < 3*time.Second {
		time.Sleep(250 * time.Millisecond)
		var b strings.Builder
		for _, px := range prefixes {
			fmt.Fprintf(&b, "%d;", countRecords(adm, px))
		}
		if b.String() != last {
			last, quietSince = b.String(), time.Now()
		}
	}
	// Both flush offsets every second.
	time.Sleep(2500 * time.Millisecond)
	t.Logf("streaming done after %s", time.Since(start).Round(time.Millisecond))

	allow, err := readAllow(allowFiles...)
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	failed := false
	for _, p := range pairs {
		parts := map[string]int{}
		deb := readAll(t, e.kafka, adm, p.debezium, parts)
		sl := readAll(t, e.kafka, adm, p.sluice, parts)
		rules, what := classRules{normalise: normaliseVitess, stream: vitessShard}, fmt.Sprintf("include.schema.changes=%v", p.schemaChanges)
		if p.transforms {
			rules.normalise, what = normaliseVitessUnwrapped, "transforms "+vitessTransforms()["transforms"]
		}
		if p.txMetadata {
			rules.normalise = newVitessTx(deb, sl).normalise(rules.normalise)
			rules.keyBody = vitessTxKeyBody(p.debezium, p.sluice)
			what += ", provide.transaction.metadata=true"
		}
		if p.avro {
			ar := avro.rules(t, pair{debezium: p.debezium, sluice: p.sluice})
			rules.decode, rules.keyBody, what = ar.decode, ar.keyBody, "Avro, "+what
		}
		res := compare(deb, sl, parts, p.debezium, p.sluice, rules)
		compareVitessOffsets(t, e, p, res)
		if p.avro {
			avro.extra(t, pair{debezium: p.debezium, sluice: p.sluice}, res)
		}
		s, unallowed := res.summary(fmt.Sprintf("vitess (%s, %s): debezium %s vs sluice %s", vitessClass, what, p.debezium, p.sluice), allow)
		report.WriteString(s)
		failed = failed || unallowed > 0
	}
	report.WriteString(allow.unused())
	fmt.Fprintf(&report, "side-by-side run took %s\n", time.Since(start).Round(time.Second))
	t.Log("\n" + report.String())
	if f := os.Getenv("SLUICE_SIDEBYSIDE_REPORT"); f != "" {
		if err := os.WriteFile(f, []byte(report.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	if failed {
		t.Error("Sluice's records or offsets differ from Debezium's beyond allow_vitess.txt (see the summary above)")
	}
}

func isDDL(q string) bool {
	verb, _, _ := strings.Cut(strings.TrimSpace(q), " ")
	switch strings.ToUpper(verb) {
	case "ALTER", "CREATE", "DROP", "TRUNCATE", "RENAME":
		return true
	}
	return false
}

// buildSluice builds the sluice binary of the repository.
func buildSluice(t *testing.T, e env) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sluice")
	build := exec.Command("go", "build", "-o", bin, "./cmd/sluice")
	build.Dir = e.root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building sluice: %v\n%s", err, out)
	}
	return bin
}

// normaliseVitess keeps, of a record's source.vgtid, the entry of the
// record's own shard whole and of the others only their names (see the
// file comment), and notes the record's shard (see vitessShard).
func normaliseVitess(class string, x *rec) {
	pl := payloadOf(x.value)
	if pl == nil {
		return
	}
	src, _ := pl["source"].(map[string]any)
	if src == nil {
		return
	}
	shard, _ := src["shard"].(string)
	if s, ok := src["vgtid"].(string); ok {
		src["vgtid"] = ownShardVGTID(s, shard, src["ts_ms"])
	}
	x.shard = shard
}

// vitessTx is what the Vitess transaction metadata comparison learns from
// both sides' records first.
type vitessTx struct {
	// shards maps the id of each transaction with rows to the shard it was
	// read from: a Vitess transaction's id is the VGTID its rows carry in
	// source.vgtid, next to their source.shard. Keyed by txKey: the same
	// VGTID can be another shard's transaction in the other stream.
	shards map[string]string
	// empty numbers, per side, the BEGIN and END records of transactions
	// without rows (VTGate sends such transactions on each shard, and how
	// their VGTIDs name the other shards depends on the stream): they are
	// compared by their count and content, the n-th of one side with the
	// n-th of the other.
	empty map[string]int // recRef
}

func recRef(r *kgo.Record) string { return fmt.Sprintf("%s/%d/%d", r.Topic, r.Partition, r.Offset) }

// txKey is a transaction id as one side (its topic prefix) wrote it.
func txKey(topic, id string) string {
	side, _, _ := strings.Cut(topic, ".")
	return side + " " + id
}

func newVitessTx(sides ...map[string][]*kgo.Record) *vitessTx {
	v := &vitessTx{shards: map[string]string{}, empty: map[string]int{}}
	for _, side := range sides {
		for topic, rs := range side {
			if strings.HasSuffix(topic, ".transaction") {
				v.numberEmpty(rs)
				continue
			}
			for _, r := range rs {
				pl := payloadOf(parse(r.Value))
				if pl["op"] == nil {
					continue // a schema change record's VGTID is no transaction's
				}
				src, _ := pl["source"].(map[string]any)
				id, _ := src["vgtid"].(string)
				if sh, _ := src["shard"].(string); id != "" && sh != "" {
					v.shards[txKey(topic, id)] = sh
				}
			}
		}
	}
	return v
}

// numberEmpty numbers one side's transactions without rows: an END
// counting no event, and its BEGIN, the record before it in its partition
// (a transaction's two records share their key).
func (v *vitessTx) numberEmpty(rs []*kgo.Record) {
	rs = slices.Clone(rs)
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Partition != rs[j].Partition {
			return rs[i].Partition < rs[j].Partition
		}
		return rs[i].Offset < rs[j].Offset
	})
	n := 0
	for i, r := range rs {
		pl := payloadOf(parse(r.Value))
		if pl["status"] != "END" || fmt.Sprint(pl["event_count"]) != "0" {
			continue
		}
		n++
		v.empty[recRef(r)] = n
		if i > 0 && rs[i-1].Partition == r.Partition && bytes.Equal(rs[i-1].Key, r.Key) {
			v.empty[recRef(rs[i-1])] = n
		}
	}
}

// normalise adds, to the Vitess rules, transaction metadata's: the ids
// (VGTIDs) in the transaction topic's keys and values and in the data
// records' transaction blocks are compared as source.vgtid is (the own
// shard's entry only), and the transaction records are compared shard by
// shard, BEGIN and END by status; those of transactions without rows by
// their number.
func (v *vitessTx) normalise(base func(string, *rec)) func(string, *rec) {
	return func(class string, x *rec) {
		base(class, x)
		pl := payloadOf(x.value)
		if pl == nil {
			return
		}
		if blk, ok := pl["transaction"].(map[string]any); ok {
			src, _ := pl["source"].(map[string]any)
			if id, ok := blk["id"].(string); ok && src != nil {
				blk["id"] = ownShardVGTID(id, x.shard, src["ts_ms"])
			}
			return
		}
		status, _ := pl["status"].(string)
		id, _ := pl["id"].(string)
		if !strings.HasSuffix(x.r.Topic, ".transaction") || status == "" || id == "" {
			return
		}
		var norm any
		if n, ok := v.empty[recRef(x.r)]; ok {
			norm = fmt.Sprintf("<transaction without rows #%d>", n)
		} else {
			// The ts_ms of a copy batch's BEGIN and END is 0, as its rows'.
			x.shard = v.shards[txKey(x.r.Topic, id)]
			norm = ownShardVGTID(id, x.shard, payloadOf(parse(x.r.Value))["ts_ms"])
		}
		pl["id"] = norm
		if kp := payloadOf(x.key); kp != nil {
			kp["id"] = norm
		}
		x.sig = status
	}
}

// vitessTxKeyBody is the key bytes to compare: Debezium's prefix replaced
// by Sluice's and, in a transaction record's key, the VGTID replaced (it
// differs in the other shards' entries; the key's payload is compared as
// normalised by normaliseVitessTx).
func vitessTxKeyBody(dp, sp string) func([]byte) []byte {
	return func(b []byte) []byte {
		b = bytes.ReplaceAll(b, []byte(dp), []byte(sp))
		var k struct {
			Schema  map[string]any `json:"schema"`
			Payload map[string]any `json:"payload"`
		}
		if json.Unmarshal(b, &k) != nil || k.Schema["name"] != "io.debezium.connector.common.TransactionMetadataKey" {
			return b
		}
		id, _ := k.Payload["id"].(string)
		q, _ := json.Marshal(id)
		return bytes.Replace(b, q, []byte(`"<vgtid>"`), 1)
	}
}

// vitessShard is the shard a record was read from: VTGate interleaves the
// shards' streams differently for each VStream, so only the order within
// a shard is compared.
func vitessShard(x rec) string { return x.shard }

// A copied row (copy-phase events carry timestamp 0) has its own shard's
// GTID too, but that is the snapshot position of the copy, which each
// VStream takes at its own moment: only the copy cursor (table_p_ks) of
// the row's own shard is compared there.
func ownShardVGTID(s, shard string, tsMs any) any {
	var entries []map[string]any
	if err := json.Unmarshal([]byte(s), &entries); err != nil {
		return "<not a VGTID: " + s + ">"
	}
	out := make([]any, 0, len(entries))
	for _, en := range entries {
		switch {
		case en["shard"] != shard:
			en = map[string]any{"keyspace": en["keyspace"], "shard": en["shard"], "gtid": "<another shard's position>"}
		case fmt.Sprint(tsMs) == "0":
			en["gtid"] = "<copy snapshot position>"
		}
		out = append(out, en)
	}
	return out
}

// compareVitessOffsets compares the offset each side stored: Debezium's as
// the worker's offsets API returns it, Sluice's in _connect_offsets under
// Kafka Connect's key. Differences are added to res as kinds "offset …".
func compareVitessOffsets(t *testing.T, e env, p vtPair, res *result) {
	t.Helper()
	resp, err := http.Get(e.connectURL + "/connectors/" + p.debezium + "/offsets")
	if err != nil {
		t.Fatalf("Debezium's offsets of %s: %v", p.debezium, err)
	}
	var api struct {
		Offsets []struct {
			Partition map[string]any  `json:"partition"`
			Offset    json.RawMessage `json:"offset"`
		} `json:"offsets"`
	}
	err = json.NewDecoder(resp.Body).Decode(&api)
	resp.Body.Close()
	if err != nil || len(api.Offsets) != 1 {
		t.Fatalf("Debezium's offsets of %s: %v (%d offsets)", p.debezium, err, len(api.Offsets))
	}
	dpart := api.Offsets[0].Partition
	if dpart["server"] == p.debezium {
		dpart["server"] = p.sluice
	}
	// Sluice's record key is ["name",{"server":prefix}]: the partition
	// Debezium's must equal once the names are swapped.
	key := offsets.Key(p.sluice, p.sluice)
	_, sval, ok := conformance.StoredOffset(t, e.kafka, offsets.DefaultOffsetsTopic, key)
	if !ok {
		res.add("offset only in debezium", fmt.Sprintf("no record under %s in %s; debezium's %s", key, offsets.DefaultOffsetsTopic, api.Offsets[0].Offset))
		return
	}
	var skey []any
	_ = json.Unmarshal(key, &skey)
	if len(skey) == 2 {
		if canon(skey[1]) != canon(dpart) {
			res.add("offset partition", fmt.Sprintf("debezium %s, sluice %s", canon(dpart), canon(skey[1])))
		}
	}
	var dv, sv map[string]any
	if err := json.Unmarshal(api.Offsets[0].Offset, &dv); err != nil {
		t.Fatalf("Debezium's offset %s: %v", api.Offsets[0].Offset, err)
	}
	if err := json.Unmarshal(sval, &sv); err != nil {
		t.Fatalf("Sluice's offset %s: %v", sval, err)
	}
	ds, _ := dv["vgtid"].(string)
	ss, _ := sv["vgtid"].(string)
	if ds != ss {
		// Stored at different transactions' ENDs (writes of other tests
		// to the shared cluster after the workload's last): the per-table
		// counts are the last transaction's own, which one side's had
		// and the other's not (a rehearsal met that). The rest must agree.
		for _, m := range []map[string]any{dv, sv} {
			for k := range m {
				if strings.HasPrefix(k, "transaction_data_collection_order_") {
					delete(m, k)
				}
			}
		}
	}
	if a, b := sortedKeys(dv), sortedKeys(sv); a != b {
		res.add("offset fields", fmt.Sprintf("debezium %s, sluice %s", a, b))
	}
	dg, derr := offsets.ParseVGTID(ds)
	sg, serr := offsets.ParseVGTID(ss)
	if derr != nil || serr != nil {
		res.add("offset vgtid unreadable", fmt.Sprintf("debezium %q (%v), sluice %q (%v)", ds, derr, ss, serr))
		return
	}
	names := func(v offsets.Vitess) string {
		var out []string
		for _, s := range v.Shards {
			out = append(out, fmt.Sprintf("%s/%s pks=%d", s.Keyspace, s.Shard, len(s.TablePKs)))
		}
		return strings.Join(out, ",")
	}
	if names(dg) != names(sg) {
		res.add("offset vgtid shards", fmt.Sprintf("debezium %s, sluice %s", ds, ss))
		return
	}
	for i := range dg.Shards {
		d, s := gtidSeq(dg.Shards[i].GTID), gtidSeq(sg.Shards[i].GTID)
		if d < 0 || s < 0 || s < d {
			res.add("offset vgtid: sluice's behind debezium's", fmt.Sprintf("shard %s: debezium %s, sluice %s", dg.Shards[i].Shard, ds, ss))
		}
	}
	t.Logf("offsets of %s: debezium %s, sluice %s", p.sluice, api.Offsets[0].Offset, sval)
}

func sortedKeys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// gtidSeq is the sequence number of a MariaDB GTID position
// ("MariaDB/0-1-46" → 46; the cluster's shards share one mysqld and so one
// sequence), or -1.
func gtidSeq(g string) int64 {
	i := strings.LastIndexByte(g, '-')
	if i < 0 {
		return -1
	}
	n, err := strconv.ParseInt(g[i+1:], 10, 64)
	if err != nil {
		return -1
	}
	return n
}
